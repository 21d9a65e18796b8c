//! `mikit device list`: the devices of the cloud list and those added by hand.

use std::collections::HashSet;
use std::process::ExitCode;

use clap::Args;
use mikit_app::device::registry::{self, Device};
use mikit_store::Store;
use serde_json::json;

use crate::command::cloud;
use crate::context::Ctx;

/// Arguments of `mikit device list`.
#[derive(Debug, Args)]
pub struct Cmd {
    /// First ask the Mi Home cloud for the devices of your account in every region (what
    /// `mikit cloud devices` does) and store the new list.
    #[arg(long)]
    pub refresh: bool,
}

/// The spec status of a device: `cached`, `not cached` or `unknown model`.
fn spec_status(
    store: &Store,
    device: &Device,
    list_key: Option<&str>,
    cached: &HashSet<String>,
) -> anyhow::Result<&'static str> {
    let urn = match (&device.urn, &device.model, list_key) {
        (Some(urn), _, _) => urn.clone(),
        (None, Some(model), Some(key)) => {
            match store.spec_entries_for_model(key, model)?.select(model) {
                Ok(entry) => entry.type_.clone(),
                Err(_) => return Ok("unknown model"),
            }
        }
        // The instances list is not cached: the model cannot be checked offline.
        (None, Some(_), None) => return Ok("not cached"),
        (None, None, _) => return Ok("unknown model"),
    };
    Ok(if cached.contains(&urn) {
        "cached"
    } else {
        "not cached"
    })
}

/// List the devices of the account in every region again and store them (what `mikit
/// cloud devices` does).
pub async fn refresh(ctx: &Ctx) -> anyhow::Result<usize> {
    let api = cloud::client(ctx)?;
    let mut store = ctx.open_store()?;
    let rows = cloud::devices::refresh(&api, &mut store, &cloud::DEFAULT_REGIONS).await?;
    Ok(rows.len())
}

/// Run `mikit device list`.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    if cmd.refresh {
        refresh(ctx).await?;
    }
    print(ctx, &ctx.read_store()?)?;
    Ok(ExitCode::SUCCESS)
}

/// Print the devices mikit knows (the table, or the JSON list).
pub fn print(ctx: &Ctx, store: &Store) -> anyhow::Result<()> {
    let devices = registry::known(store)?;
    let mut list_key = None;
    for key in ["all", "released"] {
        if store.spec_list_fetched_at(key)?.is_some() {
            list_key = Some(key);
            break;
        }
    }
    let cached = store.cached_spec_urns(0)?;
    let mut rows = Vec::with_capacity(devices.len());
    for d in &devices {
        rows.push((d, spec_status(store, d, list_key, &cached)?));
    }
    if ctx.out.json {
        let list: Vec<serde_json::Value> = rows
            .iter()
            .map(|(d, spec)| {
                json!({
                    "name": d.name, "model": d.model, "did": d.did,
                    "ip": d.addr.map(|a| a.ip().to_string()), "port": d.addr.map(|a| a.port()),
                    "online": d.online, "source": d.origin.as_str(), "region": d.region,
                    "spec": spec,
                })
            })
            .collect();
        ctx.out.json_line(&json!(list))?;
        return Ok(());
    }
    if rows.is_empty() {
        ctx.out.line(
            "No devices yet: `mikit cloud login` then `mikit device list --refresh` lists those of your Xiaomi account; `mikit device add` adds one by hand.",
        )?;
        return Ok(());
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|(d, spec)| {
            vec![
                d.name.clone(),
                d.model.clone().unwrap_or_else(|| "?".into()),
                d.did.clone().unwrap_or_else(|| "-".into()),
                d.addr.map_or_else(
                    || "-".into(),
                    |a| {
                        if a.port() == mikit_miio::PORT {
                            a.ip().to_string()
                        } else {
                            a.to_string()
                        }
                    },
                ),
                match d.online {
                    Some(true) => "yes".into(),
                    Some(false) => "no".into(),
                    None => "?".into(),
                },
                d.origin.as_str().to_owned(),
                (*spec).to_owned(),
            ]
        })
        .collect();
    ctx.out.table(
        &["NAME", "MODEL", "DID", "IP", "ONLINE", "SOURCE", "SPEC"],
        &table,
    )?;
    Ok(())
}
