//! `mikit device set DEV PROP=VALUE...`: write properties, each value checked against the spec
//! before anything is sent.

use std::process::ExitCode;

use clap::Args;
use mikit_app::device as app;

use super::render;
use super::target::{Session, Target, prepare};
use crate::context::Ctx;

/// Arguments of `mikit device set`.
#[derive(Debug, Args)]
pub struct Cmd {
    #[command(flatten)]
    pub target: Target,
    /// `PROP=VALUE` pairs. PROP as for `get`; VALUE as text: `on`/`off`, a number within the
    /// property's range and step, or a value-list entry by number or description (`Sleep`).
    #[arg(value_name = "PROP=VALUE", required = true)]
    pub assignments: Vec<String>,
}

/// Run `mikit device set`.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let session = prepare(ctx, &cmd.target).await?;
    apply(ctx, session, &cmd.assignments).await?;
    Ok(ExitCode::SUCCESS)
}

/// Check `assignments` against the spec, write them and print the device's answer (also
/// `mikit demo`'s step).
pub async fn apply(ctx: &Ctx, mut session: Session, assignments: &[String]) -> anyhow::Result<()> {
    // Every value is checked before the first byte goes to the device.
    let writes = assignments
        .iter()
        .map(|a| session.prepared.profile.assignment(a))
        .collect::<Result<Vec<_>, _>>()?;
    let mut link = session.link(ctx).await?;
    let written = app::write(&mut link, &session.prepared.profile, &writes).await;
    link.finish();
    let readings = written?;
    render::answer(
        ctx,
        &session.prepared,
        link.kind(),
        &readings,
        render::print_writes,
    )?;
    app::items_failed(&readings)?;
    Ok(())
}
