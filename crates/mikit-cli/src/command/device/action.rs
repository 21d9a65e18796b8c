//! `mikit device action DEV ACTION [ARG...]`: run an action, its arguments checked against the
//! spec before anything is sent.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use serde_json::json;

use super::profile::{Target, prepare};
use super::reading::{self, Reading, device_json};
use crate::context::Ctx;
use mikit_app::device::{ItemFailure, ItemsFailed};
use mikit_miot::item::ActionCall;

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
    let mut prepared = prepare(ctx, &cmd.target).await?;
    let profile = &prepared.profile;
    // Located, not only resolved: a spec may repeat a siid (issue 9), and the action belongs
    // to the service definition its name means.
    let at = profile
        .names
        .locate(mikit_miot::Member::Action, &cmd.action)?;
    let (siid, aiid) = (at.siid, at.iid);
    let name = profile
        .names
        .name_at(mikit_miot::Member::Action, &at)
        .unwrap_or_else(|| format!("{siid}.{aiid}"));
    let service = profile
        .spec
        .services
        .get(at.service)
        .with_context(|| format!("the spec has no service {siid}"))?;
    let texts: Vec<&str> = cmd.args.iter().map(String::as_str).collect();
    let args = service.coerce_action_in(aiid, &texts)?;
    let out_piids: Vec<u32> = service
        .action(aiid)
        .map(|a| a.out.as_slice().to_vec())
        .unwrap_or_default();

    let mut link = prepared.link(ctx, &cmd.target).await?;
    let result = link.action(&ActionCall { siid, aiid, args }).await;
    link.finish();
    let mikit_miot::item::ActionResult { code, out } = result?;
    let profile = &prepared.profile;
    let outputs: Vec<Reading> = out
        .iter()
        .enumerate()
        .map(|(i, v)| {
            // Bare values in the order of the spec's `out` piids (reference miot-spec.md §13);
            // `{"piid", "value"}` items are read too, in case a device tags them.
            let (piid, value) = match (v.get("piid").and_then(|p| p.as_u64()), v.get("value")) {
                (Some(p), Some(value)) => (u32::try_from(p).unwrap_or(0), value.clone()),
                _ => (out_piids.get(i).copied().unwrap_or(0), v.clone()),
            };
            Reading {
                name: profile.property_name(siid, piid),
                siid,
                piid,
                code: Some(0),
                value: Some(value),
            }
        })
        .collect();
    let ok = reading::is_ok(code);
    if ctx.out.json {
        let mut v = json!({
            "device": device_json(&prepared.device, link.kind()),
            "action": name, "siid": siid, "aiid": aiid, "code": code,
            "out": outputs.iter().map(|r| r.to_json(profile)).collect::<Vec<_>>(),
        });
        if !ok {
            v["error"] = json!(reading::meaning(code));
        }
        ctx.out.json_line(&v)?;
    } else if ok {
        ctx.out.line(&format!("{name}: ok"))?;
        reading::print_lines(ctx, profile, &outputs)?;
    } else {
        ctx.out.line(&format!(
            "{name}: error {code} ({})",
            reading::meaning(code)
        ))?;
    }
    ItemsFailed::check(
        if ok {
            Vec::new()
        } else {
            vec![ItemFailure { what: name, code }]
        },
        1,
    )?;
    Ok(ExitCode::SUCCESS)
}
