//! `mikit device add NAME --ip IP[:PORT] --token T [--model M]`: add a device by hand.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use mikit_miio::{Client, ClientConfig};
use mikit_store::ManualDevice;
use serde_json::json;

use crate::command::miio::{TokenArg, ids, parse_addr};
use crate::context::Ctx;

/// Arguments of `mikit device add`.
#[derive(Debug, Args)]
pub struct Cmd {
    /// The name to call it by (unique, any case).
    #[arg(value_name = "NAME")]
    pub name: String,
    /// Its LAN address, `IP` or `IP:PORT` (the port defaults to 54321).
    #[arg(long, value_name = "IP[:PORT]", value_parser = parse_addr)]
    pub ip: SocketAddr,
    /// Its token: 32 hexadecimal characters (from a token extractor or the device's app).
    /// The environment variable keeps it out of your shell history. It is stored in the local
    /// database and never printed.
    #[arg(
        long,
        value_name = "HEX",
        env = "MIKIT_MIIO_TOKEN",
        hide_env_values = true
    )]
    pub token: TokenArg,
    /// Its model (e.g. `yeelink.light.color1`). Without it the device is asked (`miIO.info`),
    /// which also learns its did.
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
}

/// Run `mikit device add`.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let name = cmd.name.trim().to_owned();
    if name.is_empty() {
        anyhow::bail!("give the device a name");
    }
    let token = cmd.token.token()?;
    let mut store = ctx.open_store()?;
    if let Some(d) = store
        .all_cloud_devices()?
        .into_iter()
        .find(|d| d.name.to_lowercase() == name.to_lowercase())
    {
        anyhow::bail!(
            "the cloud list already has a device called {:?} (did {}); choose another name",
            d.name,
            d.did
        );
    }
    let (model, did) = match &cmd.model {
        Some(m) => (m.clone(), None),
        None => {
            let config = ClientConfig {
                timeout: Duration::from_secs(2),
                retries: 1,
                handshake_timeout: Duration::from_secs(1),
                handshake_attempts: 2,
                last_id: ids::load(ctx, cmd.ip),
                ..ClientConfig::default()
            };
            let mut client = Client::with_config(cmd.ip, &token, config)
                .await
                .context("opening a UDP socket")?;
            let info = client.info().await;
            ids::save(ctx, cmd.ip, client.last_id());
            let info = info.with_context(|| {
                format!(
                    "asking the device at {} who it is (give --model to skip this)",
                    cmd.ip
                )
            })?;
            (info.model, client.device_id().map(|d| d.to_string()))
        }
    };
    let record = ManualDevice {
        name: name.clone(),
        ip: cmd.ip.ip().to_string(),
        port: cmd.ip.port(),
        token: token.expose_hex(),
        model: Some(model.clone()),
        did: did.clone(),
        added_at: jiff::Timestamp::now().as_second(),
    };
    if !store.add_manual_device(&record)? {
        anyhow::bail!(
            "a device called {name:?} was already added; `mikit device remove {name:?}` first"
        );
    }
    if ctx.out.json {
        ctx.out.json_line(&json!({
            "name": name, "model": model, "did": did,
            "ip": cmd.ip.ip().to_string(), "port": cmd.ip.port(),
        }))?;
    } else {
        ctx.out.line(&format!(
            "Added {name:?}: {model}{} at {}.",
            did.map(|d| format!(", did {d}")).unwrap_or_default(),
            cmd.ip
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
