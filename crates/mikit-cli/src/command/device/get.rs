//! `mikit device get DEV PROP...`: read some properties.

use std::process::ExitCode;

use clap::Args;
use serde_json::json;

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
    let mut names = Vec::with_capacity(cmd.props.len());
    for given in &cmd.props {
        let (siid, piid, p) = prepared.profile.property(given)?;
        // The name of the definition asked for (a spec may repeat a piid, issue 9).
        let name = (prepared.profile.name_of_given(given))
            .unwrap_or_else(|| prepared.profile.property_name(siid, piid));
        p.require_readable(&name)?;
        props.push((siid, piid));
        names.push(name);
    }
    let mut link = prepared.link(ctx, &cmd.target).await?;
    let items = link.get(&reading::reads(&props)).await;
    link.finish();
    let mut readings = reading::readings(&prepared.profile, &props, &items?);
    for (r, name) in readings.iter_mut().zip(names) {
        r.name = name;
    }
    let profile = &prepared.profile;
    if ctx.out.json {
        ctx.out.json_line(&json!({
            "device": device_json(&prepared.device, link.kind()),
            "properties": readings.iter().map(|r| r.to_json(profile)).collect::<Vec<_>>(),
        }))?;
    } else {
        reading::print_lines(ctx, profile, &readings)?;
    }
    super::items_failed(&readings)?;
    Ok(ExitCode::SUCCESS)
}
