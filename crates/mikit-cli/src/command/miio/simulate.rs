//! `mikit miio simulate`: one spec-driven simulated device on UDP until Ctrl-C.

use std::hash::{BuildHasher, Hasher};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use clap::Args;
use mikit_emulator::corpus::Corpus;
use mikit_emulator::device::{DeviceInfo, SimDevice, spec_for_model};
use mikit_miio::{Server, ServerConfig, Token};
use mikit_miot::{Instance, Urn};
use serde_json::json;

use super::TokenArg;
use crate::context::Ctx;

/// Arguments of `mikit miio simulate`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("source").required(true).multiple(true).args(["spec", "model"])))]
pub struct Cmd {
    /// A MIoT spec file (the JSON the spec service serves for a URN) to simulate.
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,
    /// The device model, e.g. `zhimi.airpurifier.ma4`. Alone, its spec is taken from the
    /// bundled corpus; with `--spec`, it only names the device.
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
    /// UDP address to listen on; port 0 picks a free port (printed in the JSON line).
    #[arg(long, default_value = "127.0.0.1:54321", value_name = "ADDR")]
    pub listen: SocketAddr,
    /// The device token (32 hex characters). Default: a new random token, printed in the
    /// JSON line.
    #[arg(
        long,
        value_name = "HEX",
        env = "MIKIT_MIIO_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<TokenArg>,
    /// The device id. Default: a random 9-digit id.
    #[arg(long, value_name = "N")]
    pub did: Option<u32>,
    /// Answer successful `set_properties` items with code 1 ("accepted, not finished") like
    /// a gateway sub-device, instead of 0.
    #[arg(long)]
    pub pending_sets: bool,
    /// Ignore a request whose message id was already seen within this many seconds, as real
    /// devices do (clients that restart their ids at 1 on every run, like python-miio 0.5.12's
    /// `miiocli`, then time out just as they would with a real device). 0 turns it off.
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    pub dedupe_secs: u64,
}

/// 64 random bits from the standard library's per-process random hash keys.
fn random_u64(salt: u64) -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(salt);
    h.finish()
}

/// A model name for a spec without one: `urn:…:device:fan:0000A005:dreame-l2146:1` →
/// `dreame.fan.l2146`.
fn model_of(spec: &Instance) -> String {
    let urn: Option<Urn> = spec.type_.parse().ok();
    urn.and_then(|u| {
        let vp = u.vendor_product()?;
        let (vendor, product) = vp.split_once('-')?;
        Some(format!("{vendor}.{}.{product}", u.name().replace('-', "")))
    })
    .unwrap_or_else(|| "mikit.simulated.v1".to_owned())
}

/// Run `mikit miio simulate`.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let (model, urn, spec) = match (&cmd.spec, &cmd.model) {
        (Some(file), model) => {
            let bytes =
                std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
            let spec = Instance::from_slice(&bytes)
                .with_context(|| format!("{} is not a MIoT spec", file.display()))?;
            let model = model.clone().unwrap_or_else(|| model_of(&spec));
            (model, spec.type_.clone(), spec)
        }
        (None, Some(model)) => {
            let (urn, spec) = spec_for_model(Corpus::bundled(), model)
                .with_context(|| format!("finding the spec of {model} in the bundled corpus"))?;
            (model.clone(), urn, spec)
        }
        // Invariant: clap's required "source" group guarantees one of the two.
        (None, None) => anyhow::bail!("give --spec FILE or --model MODEL"),
    };
    let token = match &cmd.token {
        Some(t) => t.token()?,
        None => {
            let mut bytes = [0u8; 16];
            bytes[..8].copy_from_slice(&random_u64(1).to_be_bytes());
            bytes[8..].copy_from_slice(&random_u64(2).to_be_bytes());
            Token::new(bytes)
        }
    };
    let did = cmd
        .did
        .unwrap_or_else(|| 100_000_000 + u32::try_from(random_u64(3) % 900_000_000).unwrap_or(0));
    let socket = tokio::net::UdpSocket::bind(cmd.listen)
        .await
        .with_context(|| format!("listening on UDP {}", cmd.listen))?;
    let local = socket.local_addr().context("reading the bound address")?;
    let mac_bits = random_u64(4).to_be_bytes();
    let info = DeviceInfo {
        did: did.to_string(),
        name: model.clone(),
        model: model.clone(),
        urn,
        token: *token.expose(),
        mac: format!(
            "78:11:DC:{:02X}:{:02X}:{:02X}",
            mac_bits[0], mac_bits[1], mac_bits[2]
        ),
        region: "cn".into(),
        home_id: String::new(),
        home: String::new(),
        room_id: String::new(),
        room: String::new(),
        ip: local.ip(),
        port: local.port(),
        fw_ver: "2.1.8_0045".into(),
        hw_ver: "esp32".into(),
    };
    let device = Arc::new(SimDevice::new(spec, info));
    device.set_pending_sets(cmd.pending_sets);
    let server = Server::from_socket(
        socket,
        token.clone(),
        did,
        device.clone(),
        ServerConfig {
            dedupe_ids: cmd.dedupe_secs > 0,
            dedupe_window: std::time::Duration::from_secs(cmd.dedupe_secs),
            ..ServerConfig::default()
        },
    )
    .context("starting the device loop")?;
    ctx.out.json_line(&json!({
        "ip": local.ip().to_string(),
        "port": local.port(),
        "did": did.to_string(),
        "model": model,
        "urn": device.info().urn,
        "token": token.expose_hex(),
    }))?;
    tracing::info!(%local, model = %device.info().model, "simulated device serving; stop it with Ctrl-C");
    mikit_app::shutdown::Shutdown::on_signals().wait().await;
    server.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_from_urn() {
        let spec = Instance::from_json(
            r#"{"type":"urn:miot-spec-v2:device:air-purifier:0000A007:zhimi-ma4:2","description":"x","services":[]}"#,
        )
        .unwrap();
        assert_eq!(model_of(&spec), "zhimi.airpurifier.ma4");
        assert_ne!(random_u64(1), random_u64(1), "fresh keys per call");
    }
}
