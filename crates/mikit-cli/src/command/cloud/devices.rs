//! `mikit cloud devices`

use std::collections::HashMap;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use mikit_micloud::Region;
use mikit_micloud::device::RegionalDevice;
use mikit_store::CloudDevice;
use serde_json::json;

use super::{client, parse_regions, with_renewal};
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

/// (home id, room id, room name) of each did, from the homes of the regions that have devices.
pub(crate) async fn rooms(
    api: &mikit_micloud::MiCloud,
    regions: &[Region],
) -> HashMap<String, (String, String, String)> {
    let mut out = HashMap::new();
    for &region in regions {
        // Rooms are a nicety: a region whose homes cannot be read still lists its devices.
        let Ok(homes) = api.homes(region).await else {
            continue;
        };
        for home in homes.homelist.iter().chain(&homes.share_home_list) {
            for room in &home.roomlist {
                for did in &room.dids {
                    out.insert(
                        did.clone(),
                        (home.id.clone(), room.id.clone(), room.name.clone()),
                    );
                }
            }
        }
    }
    out
}

/// Run `mikit cloud devices`.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let regions = parse_regions(cmd.region.as_deref())?;
    let mut api = client(ctx)?;
    let (devices, failed) = with_renewal!(ctx, api, api.devices_in(&regions).await)
        .context("listing the devices of the Xiaomi account")?;
    if !failed.is_empty() && failed.len() == regions.len() {
        // Not one region answered: that is an error, not an empty list.
        if let Some((region, e)) = failed.into_iter().next() {
            return Err(anyhow::Error::new(e).context(format!(
                "listing the devices of the Xiaomi account (region {region} and every other region failed)"
            )));
        }
        return Ok(ExitCode::FAILURE);
    }
    for (region, e) in &failed {
        tracing::warn!(%region, error = %e, "a region could not be listed");
        crate::output::stderr_line(&format!(
            "warning: region {region} could not be listed: {e}"
        ));
    }
    let listed: Vec<Region> = regions
        .iter()
        .copied()
        .filter(|r| !failed.iter().any(|(f, _)| f == r))
        .collect();
    let with_devices: Vec<Region> = listed
        .iter()
        .copied()
        .filter(|r| devices.iter().any(|d| d.region == *r))
        .collect();
    let rooms = rooms(&api, &with_devices).await;
    let now = jiff::Timestamp::now().as_second();
    let rows: Vec<CloudDevice> = devices.iter().map(|d| to_row(d, &rooms, now)).collect();

    let user_id = api.session().user_id.expose().clone();
    let mut store = ctx.open_store()?;
    let account = store.upsert_account("xiaomi", &user_id, None)?;
    let names: Vec<&str> = listed.iter().map(|r| r.as_str()).collect();
    store.replace_cloud_devices(account, &names, &rows)?;

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

pub(crate) fn to_row(
    d: &RegionalDevice,
    rooms: &HashMap<String, (String, String, String)>,
    now: i64,
) -> CloudDevice {
    let dev = &d.device;
    let mut record = dev.clone();
    record.token = None;
    let room = rooms.get(&dev.did);
    CloudDevice {
        did: dev.did.clone(),
        region: d.region.as_str().to_owned(),
        name: dev.name.clone(),
        model: dev.model.clone(),
        urn: dev.spec_type.clone(),
        ip: dev.localip.clone().filter(|s| !s.is_empty()),
        mac: dev.mac.clone(),
        token: dev
            .token
            .as_ref()
            .map(|t| t.expose().clone())
            .filter(|t| !t.is_empty()),
        online: dev.is_online,
        home_id: room.map(|r| r.0.clone()),
        room_id: room.map(|r| r.1.clone()),
        room: room.map(|r| r.2.clone()),
        record: serde_json::to_string(&record).unwrap_or_default(),
        listed_at: now,
    }
}
