//! `mikit device get DEV PROP...`: read some properties.

use std::process::ExitCode;

use clap::Args;
use mikit_app::device as app;

use super::render;
use super::target::{Session, Target, prepare};
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
    let session = prepare(ctx, &cmd.target).await?;
    show(ctx, session, &cmd.props).await?;
    Ok(ExitCode::SUCCESS)
}

/// Read and print `props` of a prepared device (also `mikit demo`'s step).
pub async fn show(ctx: &Ctx, mut session: Session, props: &[String]) -> anyhow::Result<()> {
    let props = session.prepared.profile.readable_given(props)?;
    let mut link = session.link(ctx).await?;
    let read = app::read_named(&mut link, &session.prepared.profile, &props).await;
    link.finish();
    let readings = read?;
    render::answer(
        ctx,
        &session.prepared,
        link.kind(),
        &readings,
        render::print_lines,
    )?;
    app::items_failed(&readings)?;
    Ok(())
}
