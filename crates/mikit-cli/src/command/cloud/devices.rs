//! `mikit cloud devices`

use std::process::ExitCode;

use clap::Args;
use mikit_micloud::Region;
use mikit_store::CloudDevice;
use serde_json::json;

use super::{client, parse_regions};
use crate::context::Ctx;

/// Arguments of `mikit cloud devices`.
#[derive(Debug, Args)]
pub struct Cmd {
    /// Only this region (cn, de, us, ru, sg, i2, or a comma-separated list); `all` (the
    /// default) asks every region and merges the lists.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Also print each device's LAN token (32 hex characters; anyone who has it can control
    /// the device on your network). Hidden by default.
    #[arg(long)]
    pub show_tokens: bool,
}

/// Run `mikit cloud devices`.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let regions = parse_regions(cmd.region.as_deref())?;
    let api = client(ctx)?;
    let mut store = ctx.open_store()?;
    let rows = refresh(&api, &mut store, &regions).await?;

    if ctx.out.json {
        let list: Vec<serde_json::Value> = rows
            .iter()
            .map(|d| {
                let mut v = json!({
                    "name": d.name, "model": d.model, "did": d.did, "ip": d.ip, "online": d.online,
                    "region": d.region, "room": d.room, "urn": d.urn, "mac": d.mac,
                });
                if cmd.show_tokens {
                    v["token"] = json!(d.token);
                }
                v
            })
            .collect();
        ctx.out.json_line(&json!(list))?;
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        ctx.out.line("No devices.")?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut headers = vec!["NAME", "MODEL", "DID", "IP", "ONLINE", "REGION", "ROOM"];
    if cmd.show_tokens {
        headers.push("TOKEN");
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|d| {
            let mut r = vec![
                d.name.clone(),
                d.model.clone(),
                d.did.clone(),
                d.ip.clone().unwrap_or_else(|| "-".into()),
                match d.online {
                    Some(true) => "yes".into(),
                    Some(false) => "no".into(),
                    None => "?".into(),
                },
                d.region.clone(),
                d.room.clone().unwrap_or_else(|| "-".into()),
            ];
            if cmd.show_tokens {
                r.push(d.token.clone().unwrap_or_else(|| "-".into()));
            }
            r
        })
        .collect();
    ctx.out.table(&headers, &table)?;
    Ok(ExitCode::SUCCESS)
}

/// List the account's devices in `regions` and store them (warning about regions that could
/// not be listed); the rows stored.
pub async fn refresh(
    api: &mikit_micloud::MiCloud,
    store: &mut mikit_store::Store,
    regions: &[Region],
) -> anyhow::Result<Vec<CloudDevice>> {
    let list = mikit_app::device::refresh_cloud_devices(api, store, regions).await?;
    for (region, e) in &list.failed {
        tracing::warn!(%region, error = %e, "a region could not be listed");
        crate::output::stderr_line(&format!(
            "warning: region {region} could not be listed: {e}"
        ));
    }
    Ok(list.rows)
}
