//! `mikit miio discover`: hello to broadcast or unicast addresses, list the replies.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use mikit_miio::discovery::BROADCAST;
use serde_json::json;

use super::{parse_addr, parse_seconds};
use crate::context::Ctx;

/// Arguments of `mikit miio discover`.
#[derive(Debug, Args)]
pub struct Cmd {
    /// Where to send the hello: a broadcast address (the default, 255.255.255.255) or one
    /// device, as `IP` or `IP:PORT` (port 54321 when omitted). Repeat to ask several.
    #[arg(long, value_name = "IP[:PORT]", value_parser = parse_addr)]
    pub addr: Vec<SocketAddr>,
    /// Seconds to collect answers.
    #[arg(long, default_value = "3", value_name = "SECONDS", value_parser = parse_seconds)]
    pub timeout: Duration,
}

/// Run `mikit miio discover`.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let targets = if cmd.addr.is_empty() {
        vec![BROADCAST]
    } else {
        cmd.addr.clone()
    };
    let runs = targets.iter().map(|t| async move {
        mikit_miio::discover(*t, cmd.timeout)
            .await
            .with_context(|| format!("sending the hello to {t}"))
    });
    let mut found = Vec::new();
    for got in futures_util::future::join_all(runs).await {
        for d in got? {
            if !found
                .iter()
                .any(|f: &mikit_miio::Discovered| f.addr == d.addr)
            {
                found.push(d);
            }
        }
    }
    found.sort_by_key(|d| d.addr);
    if ctx.out.json {
        for d in &found {
            ctx.out.json_line(&json!({
                "ip": d.addr.ip().to_string(),
                "port": d.addr.port(),
                "did": d.did.to_string(),
                "stamp": d.stamp,
                // Only unprovisioned devices reveal their token; it is what discovery is for.
                "token": d.token.as_ref().map(mikit_miio::Token::expose_hex),
            }))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if found.is_empty() {
        crate::output::stderr_line("no device answered");
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = found
        .iter()
        .map(|d| {
            vec![
                d.addr.to_string(),
                d.did.to_string(),
                d.stamp.to_string(),
                d.token
                    .as_ref()
                    .map_or_else(|| "hidden".into(), mikit_miio::Token::expose_hex),
            ]
        })
        .collect();
    ctx.out
        .table(&["address", "did", "stamp", "token"], &rows)?;
    Ok(ExitCode::SUCCESS)
}
