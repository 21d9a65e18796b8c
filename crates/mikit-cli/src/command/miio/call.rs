//! `mikit miio call`: any method, raw JSON result.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use serde_json::Value;

use super::{Target, check_items, ids, redact_token};
use crate::context::Ctx;

/// Arguments of `mikit miio call`.
#[derive(Debug, Args)]
pub struct Cmd {
    #[command(flatten)]
    pub target: Target,
    /// The method, e.g. `miIO.info`, `get_properties`, `set_properties`, `action`, `get_prop`.
    pub method: String,
    /// The params as JSON, e.g. `'[{"did":"p","siid":2,"piid":1}]'` (default: `[]`).
    #[arg(value_name = "PARAMS_JSON")]
    pub params: Option<String>,
}

/// Run `mikit miio call`: print the result as JSON. A MIoT item that the device rejected
/// (a negative per-item code) is reported on stderr and gives exit code 5, after the result.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let params: Value = match &cmd.params {
        Some(p) => serde_json::from_str(p).context("PARAMS_JSON is not valid JSON")?,
        None => Value::Array(Vec::new()),
    };
    let mut client = cmd.target.client(ctx).await?;
    let result = client.call(&cmd.method, params).await;
    ids::save(ctx, cmd.target.ip, client.last_id());
    let result = result.with_context(|| format!("calling {} on {}", cmd.method, cmd.target.ip))?;
    let result = if cmd.method == "miIO.info" {
        redact_token(result)
    } else {
        result
    };
    if ctx.out.json {
        ctx.out.json_line(&result)?;
    } else {
        ctx.out.line(&serde_json::to_string_pretty(&result)?)?;
    }
    check_items(&cmd.method, &result)
        .with_context(|| format!("calling {} on {}", cmd.method, cmd.target.ip))?;
    Ok(ExitCode::SUCCESS)
}
