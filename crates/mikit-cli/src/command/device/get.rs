//! `mikit device get DEV PROP...`: read some properties.

use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use super::ItemsFailed;
use super::profile::{Target, prepare};
use super::reading::{self, device_json};
use crate::context::Ctx;

/// Arguments of `mikit device get`.
#[derive(Debug, Args)]
pub struct Cmd {
    #[command(flatten)]
    pub target: Target,
    /// The properties: `service.property` names (e.g. `air-purifier.mode`), a property name
    /// that only one service has, or `siid.piid` numbers.
    #[arg(value_name = "PROP", required = true)]
    pub props: Vec<String>,
}

/// Run `mikit device get`.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let mut prepared = prepare(ctx, &cmd.target).await?;
    let mut props = Vec::with_capacity(cmd.props.len());
    for given in &cmd.props {
        let (siid, piid, p) = prepared.profile.property(given)?;
        p.require_readable(&prepared.profile.property_name(siid, piid))?;
        props.push((siid, piid));
    }
    let mut link = prepared.link(ctx, &cmd.target).await?;
    let items = link.get(ctx, &props).await;
    link.finish(ctx);
    let readings = reading::readings(&prepared.profile, &props, &items?);
    let profile = &prepared.profile;
    if ctx.out.json {
        ctx.out.json_line(&json!({
            "device": device_json(&prepared.device, link.kind()),
            "properties": readings.iter().map(|r| r.to_json(profile)).collect::<Vec<_>>(),
        }))?;
    } else {
        reading::print_lines(ctx, profile, &readings)?;
    }
    let failed = readings.iter().filter(|r| !r.ok()).count();
    if failed > 0 {
        return Err(ItemsFailed {
            failed,
            total: readings.len(),
        }
        .into());
    }
    Ok(ExitCode::SUCCESS)
}
