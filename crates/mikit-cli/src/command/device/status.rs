//! `mikit device status DEV`: every readable property of the device's spec.

use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use super::profile::{Target, prepare};
use super::reading::{self, device_json};
use crate::context::Ctx;

/// Arguments of `mikit device status`.
#[derive(Debug, Args)]
pub struct Cmd {
    #[command(flatten)]
    pub target: Target,
}

/// Run `mikit device status`.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let mut prepared = prepare(ctx, &cmd.target).await?;
    let props = prepared.profile.readable();
    if props.is_empty() {
        anyhow::bail!(
            "the spec {} of {:?} has no readable property",
            prepared.profile.urn,
            prepared.device.name
        );
    }
    let mut link = prepared.link(ctx, &cmd.target).await?;
    let items = link.get(&reading::reads(&props)).await;
    link.finish();
    let readings = reading::readings(&prepared.profile, &props, &items?);
    let (profile, device) = (&prepared.profile, &prepared.device);
    if ctx.out.json {
        ctx.out.json_line(&json!({
            "device": device_json(device, link.kind()),
            "properties": readings.iter().map(|r| r.to_json(profile)).collect::<Vec<_>>(),
        }))?;
    } else {
        ctx.out.line(&format!(
            "{} ({}, via {}):",
            device.name,
            device.model.as_deref().unwrap_or("?"),
            link.kind()
        ))?;
        reading::print_lines(ctx, profile, &readings)?;
    }
    // Some properties failing is a normal status (a sensor not fitted); none answering is not.
    if readings.iter().all(|r| !r.ok()) {
        super::items_failed(&readings)?;
    }
    Ok(ExitCode::SUCCESS)
}
