//! `mikit device status DEV`: every readable property of the device's spec.

use std::process::ExitCode;

use clap::Args;
use mikit_app::device as app;

use super::render;
use super::target::{Target, prepare};
use crate::context::Ctx;

/// Arguments of `mikit device status`.
#[derive(Debug, Args)]
pub struct Cmd {
    #[command(flatten)]
    pub target: Target,
}

/// Run `mikit device status`.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let session = prepare(ctx, &cmd.target).await?;
    show(ctx, session).await?;
    Ok(ExitCode::SUCCESS)
}

/// Read and print every readable property of a prepared device (also `mikit demo`'s step).
pub async fn show(ctx: &Ctx, mut session: super::target::Session) -> anyhow::Result<()> {
    let props = session.prepared.profile.readable();
    if props.is_empty() {
        anyhow::bail!(
            "the spec {} of {:?} has no readable property",
            session.prepared.profile.urn,
            session.prepared.device.name
        );
    }
    let mut link = session.link(ctx).await?;
    let read = app::read(&mut link, &session.prepared.profile, &props).await;
    link.finish();
    let readings = read?;
    render::status(ctx, &session.prepared, link.kind(), &readings)?;
    // Some properties failing is a normal status (a sensor not fitted); none answering is not.
    if readings.iter().all(|r| !r.ok()) {
        app::items_failed(&readings)?;
    }
    Ok(())
}
