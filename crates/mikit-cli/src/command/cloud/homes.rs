//! `mikit cloud homes`

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use serde_json::json;

use super::{client, parse_regions};
use crate::context::Ctx;

/// Arguments of `mikit cloud homes`.
#[derive(Debug, Args)]
pub struct Cmd {
    /// Only this region (cn, de, us, ru, sg, i2, or a comma-separated list); `all` (the
    /// default) asks every region.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
}

/// Run `mikit cloud homes`: one row per room (and one per home without rooms).
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let regions = parse_regions(cmd.region.as_deref())?;
    let api = client(ctx)?;
    let mut rows = Vec::new();
    let mut out = Vec::new();
    for region in regions {
        let homes = api
            .homes(region)
            .await
            .with_context(|| format!("listing the homes in region {region}"))?;
        for home in homes.homelist.iter().chain(&homes.share_home_list) {
            out.push(json!({
                "region": region, "id": home.id, "name": home.name,
                "rooms": home.roomlist.iter().map(|r| json!({"id": r.id, "name": r.name, "dids": r.dids})).collect::<Vec<_>>(),
                "dids": home.dids,
            }));
            if home.roomlist.is_empty() {
                rows.push(vec![
                    home.name.clone(),
                    home.id.clone(),
                    "-".into(),
                    home.dids.len().to_string(),
                    region.to_string(),
                ]);
            }
            for room in &home.roomlist {
                rows.push(vec![
                    home.name.clone(),
                    home.id.clone(),
                    room.name.clone(),
                    room.dids.len().to_string(),
                    region.to_string(),
                ]);
            }
        }
    }
    if ctx.out.json {
        ctx.out.json_line(&json!(out))?;
    } else if rows.is_empty() {
        ctx.out.line("No homes.")?;
    } else {
        ctx.out
            .table(&["HOME", "HOME ID", "ROOM", "DEVICES", "REGION"], &rows)?;
    }
    Ok(ExitCode::SUCCESS)
}
