//! `mikit miio info`: `miIO.info` of one device.

use std::process::ExitCode;

use clap::Args;
use serde_json::{Value, json};

use super::{Target, ids, redact_token};
use crate::context::Ctx;

/// Arguments of `mikit miio info`.
#[derive(Debug, Args)]
pub struct Cmd {
    #[command(flatten)]
    pub target: Target,
}

/// Run `mikit miio info`.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let mut client = cmd.target.client(ctx).await?;
    let result = client.call("miIO.info", json!([])).await;
    ids::save(ctx, cmd.target.ip, client.last_id());
    let result = redact_token(result?);
    let did = client.device_id();
    if ctx.out.json {
        let mut out = json!({"ip": cmd.target.ip.ip().to_string(), "port": cmd.target.ip.port(), "did": did.map(|d| d.to_string())});
        out["info"] = result;
        ctx.out.json_line(&out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        other => other.to_string(),
    };
    let mut rows = vec![
        vec!["address".to_owned(), cmd.target.ip.to_string()],
        vec![
            "did".to_owned(),
            did.map_or_else(|| "-".into(), |d| d.to_string()),
        ],
    ];
    for key in ["model", "fw_ver", "hw_ver", "mac"] {
        rows.push(vec![key.to_owned(), text(&result[key])]);
    }
    rows.push(vec!["ip".into(), text(&result["netif"]["localIp"])]);
    rows.push(vec![
        "wifi".into(),
        format!(
            "{} (rssi {})",
            text(&result["ap"]["ssid"]),
            text(&result["ap"]["rssi"])
        ),
    ]);
    if let Some(life) = result["life"].as_u64() {
        rows.push(vec![
            "uptime".into(),
            format!(
                "{}d {:02}:{:02}:{:02}",
                life / 86_400,
                life / 3600 % 24,
                life / 60 % 60,
                life % 60
            ),
        ]);
    }
    for row in &rows {
        ctx.out.line(&format!("{:<8} {}", row[0], row[1]))?;
    }
    Ok(ExitCode::SUCCESS)
}
