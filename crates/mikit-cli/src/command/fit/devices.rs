//! `mikit fit devices`: the bands, watches and scales of the account, asked from the Huami
//! cloud (reference §8, `GET /users/{id}/devices`), with the band's Bluetooth auth key on
//! request (what Gadgetbridge needs to pair).

use std::process::ExitCode;

use clap::Args;
use mikit_huami::HuamiClient;
use serde_json::json;

use super::require_session;
use crate::context::Ctx;

/// Arguments of `mikit fit devices`.
#[derive(Debug, Args)]
pub struct Cmd {
    /// Print each device's Bluetooth auth key (`0x` and 32 hex digits, as huami-token prints
    /// it). The key lets anyone near the device pair with it: keep it to yourself.
    #[arg(long)]
    pub show_keys: bool,
}

/// Run `mikit fit devices`.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let session = require_session(ctx)?;
    let client = HuamiClient::new(ctx.http()?, session);
    let answer = client.devices().await;
    if client.session_changed() {
        crate::session::save(&ctx.huami_session_path(), &client.session().await)?;
    }
    let (devices, skipped) = answer?;
    let key = |d: &mikit_huami::Device| match (&d.auth_key, cmd.show_keys) {
        (None, _) => "none".to_owned(),
        (Some(k), true) => k.huami_token_format(),
        (Some(_), false) => "hidden (--show-keys)".to_owned(),
    };
    if ctx.out.json {
        for d in &devices {
            ctx.out.json_line(&json!({
                "mac": d.mac, "model": d.model, "device_source": d.device_source,
                "device_type": d.device_type, "firmware": d.firmware, "hardware": d.hardware,
                "serial": d.serial, "active": d.active,
                "has_auth_key": d.auth_key.is_some(),
                "auth_key": if cmd.show_keys { d.auth_key.as_ref().map(|k| k.huami_token_format()) } else { None },
            }))?;
        }
    } else if devices.is_empty() {
        ctx.out
            .line("The account has no devices in the Huami cloud.")?;
    } else {
        let rows: Vec<Vec<String>> = devices
            .iter()
            .map(|d| {
                vec![
                    d.mac.clone().unwrap_or_else(|| "-".into()),
                    d.model.clone().unwrap_or_else(|| {
                        d.device_source
                            .map_or("?".into(), |s| format!("source {s}"))
                    }),
                    d.firmware.clone().unwrap_or_else(|| "-".into()),
                    match d.active {
                        Some(true) => "yes".into(),
                        Some(false) => "no".into(),
                        None => "?".into(),
                    },
                    key(d),
                ]
            })
            .collect();
        ctx.out
            .table(&["MAC", "MODEL", "FIRMWARE", "ACTIVE", "AUTH KEY"], &rows)?;
    }
    if skipped > 0 {
        crate::output::stderr_line(&format!(
            "warning: {skipped} item(s) of the device list were not devices and were skipped"
        ));
    }
    Ok(ExitCode::SUCCESS)
}
