//! `mikit device action DEV ACTION [ARG...]`: run an action, its arguments checked against the
//! spec before anything is sent.

use std::process::ExitCode;

use clap::Args;
use mikit_app::device::reading::meaning;
use mikit_app::device::{self as app, ItemFailure, ItemsFailed};
use serde_json::json;

use super::render;
use super::target::{Target, prepare};
use crate::context::Ctx;

/// Arguments of `mikit device action`.
#[derive(Debug, Args)]
pub struct Cmd {
    #[command(flatten)]
    pub target: Target,
    /// The action: a `service.action` name (e.g. `filter.reset-filter-life`), an action name
    /// that only one service has, or `siid.aiid` numbers.
    #[arg(value_name = "ACTION")]
    pub action: String,
    /// The action's arguments, in the order of its `in` list (`mikit spec show MODEL` lists
    /// them), as text like property values.
    #[arg(value_name = "ARG")]
    pub args: Vec<String>,
}

/// Run `mikit device action`.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let mut session = prepare(ctx, &cmd.target).await?;
    let plan = session
        .prepared
        .profile
        .action_call(&cmd.action, &cmd.args)?;
    let mut link = session.link(ctx).await?;
    let result = app::act(&mut link, &session.prepared.profile, &plan).await;
    link.finish();
    let outcome = result?;
    let (profile, name, code) = (&session.prepared.profile, &plan.name, outcome.code);
    if ctx.out.json {
        let mut v = json!({
            "device": render::device_json(&session.prepared.device, link.kind()),
            "action": name, "siid": plan.call.siid, "aiid": plan.call.aiid, "code": code,
            "out": outcome.outputs.iter().map(|r| r.to_json(profile)).collect::<Vec<_>>(),
        });
        if !outcome.ok() {
            v["error"] = json!(meaning(code));
        }
        ctx.out.json_line(&v)?;
    } else if outcome.ok() {
        ctx.out.line(&format!("{name}: ok"))?;
        render::print_lines(ctx, profile, &outcome.outputs)?;
    } else {
        ctx.out
            .line(&format!("{name}: error {code} ({})", meaning(code)))?;
    }
    ItemsFailed::check(
        if outcome.ok() {
            Vec::new()
        } else {
            vec![ItemFailure {
                what: name.clone(),
                code,
            }]
        },
        1,
    )?;
    Ok(ExitCode::SUCCESS)
}
