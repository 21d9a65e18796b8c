//! `mikit cloud call PATH [JSON]`

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use mikit_micloud::Region;

use super::client;
use crate::context::Ctx;

/// Arguments of `mikit cloud call`.
#[derive(Debug, Args)]
pub struct Cmd {
    /// The API path, with or without the `/app` prefix, e.g. `/v2/homeroom/gethome` or
    /// `/miotspec/prop/get`.
    pub path: String,
    /// The `data` payload as JSON. Defaults to `{}`.
    #[arg(value_name = "JSON")]
    pub payload: Option<String>,
    /// The region whose API host is called: cn, de, us, ru, sg, i2 (default: `cloud.region`
    /// from the config file, else cn).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
}

/// Run `mikit cloud call`: sign the payload with the session, print the `result`.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let region: Region = cmd
        .region
        .clone()
        .or_else(|| ctx.config.cloud.region.clone())
        .unwrap_or_else(|| "cn".to_owned())
        .parse()?;
    let data: serde_json::Value = match cmd.payload.as_deref() {
        None => serde_json::json!({}),
        Some(text) => serde_json::from_str(text)
            .with_context(|| format!("the payload {text:?} is not valid JSON"))?,
    };
    let api = client(ctx)?;
    let result = api
        .call(region, &cmd.path, &data)
        .await
        .with_context(|| format!("calling {} in region {region}", cmd.path))?;
    if ctx.out.json {
        ctx.out.json_line(&result)?;
    } else {
        ctx.out.line(&serde_json::to_string_pretty(&result)?)?;
    }
    Ok(ExitCode::SUCCESS)
}
