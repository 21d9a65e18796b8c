//! How a command reaches a device: the miIO LAN protocol with its token, or the Mi Home
//! cloud's MIoT calls, behind one [`Link`] with the same three operations (read properties,
//! write properties, run an action).
//!
//! `--via auto` (the default) sends a miIO hello with a short timeout ([`PROBE`]); a device
//! that answers is used on the LAN, else the cloud is used when the device is in the cloud
//! list. The choice is remembered per device for [`REMEMBER_SECS`] in a small file under the
//! state directory, so that a device which is not on this network costs the probe once, not
//! on every command.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context as _;
use clap::ValueEnum;
use mikit_micloud::miot::{ActionCall, DataSource, PropGet, PropSet};
use mikit_micloud::{MiCloud, Region};
use mikit_miio::{Client, ClientConfig, Token};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::registry::Device;
use crate::command::cloud::{self, with_renewal};
use crate::command::miio::{TokenArg, ids};
use crate::context::Ctx;
use crate::output;

/// How long `--via auto` waits for the device's hello before trying the cloud.
pub const PROBE: Duration = Duration::from_secs(1);
/// How long the transport chosen by `--via auto` is remembered (10 minutes).
pub const REMEMBER_SECS: i64 = 600;
/// Properties per request. The miIO client slices at 15 (python-miio: larger UDP datagrams
/// are refused by some devices); cloud requests are sliced the same way so that the cloud's
/// RPC to the device carries no more than the device accepts on the LAN.
pub const BATCH: usize = 15;

/// `--via`
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Via {
    /// The LAN when the device answers within a second, else the cloud.
    Auto,
    /// Only the LAN (miIO, UDP 54321, with the device's token).
    Lan,
    /// Only the Mi Home cloud (needs `mikit cloud login`).
    Cloud,
}

/// The outcome of one property item.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// Service id.
    pub siid: u32,
    /// Property id.
    pub piid: u32,
    /// 0 (or 1) on success, else a LAN (`-4001`…) or cloud (`-70xxxyzzz`) code.
    pub code: i64,
    /// The value read (reads only).
    pub value: Option<Value>,
}

/// An open way to one device.
pub enum Link {
    /// miIO on the LAN.
    Lan {
        /// The client (handshake done).
        client: Box<Client>,
        /// The device address.
        addr: SocketAddr,
    },
    /// The Mi Home cloud.
    Cloud {
        /// The signed API client.
        api: Box<MiCloud>,
        /// The region that lists the device.
        region: Region,
        /// The device id.
        did: String,
    },
}

impl Link {
    /// `lan` or `cloud`.
    pub fn kind(&self) -> &'static str {
        match self {
            Link::Lan { .. } => "lan",
            Link::Cloud { .. } => "cloud",
        }
    }

    /// The device id the LAN handshake reported, if this is a LAN link.
    pub fn lan_did(&self) -> Option<String> {
        match self {
            Link::Lan { client, .. } => client.device_id().map(|d| d.to_string()),
            Link::Cloud { .. } => None,
        }
    }

    /// `miIO.info` (LAN only): what the device says it is.
    pub async fn info(&mut self) -> anyhow::Result<mikit_miio::Info> {
        match self {
            Link::Lan { client, addr } => client
                .info()
                .await
                .with_context(|| format!("asking the device at {addr} for its model")),
            Link::Cloud { .. } => {
                anyhow::bail!("the model of a device can only be asked on the LAN")
            }
        }
    }

    /// Read properties (in batches of [`BATCH`]). Items come back in the device's order.
    pub async fn get(&mut self, ctx: &Ctx, props: &[(u32, u32)]) -> anyhow::Result<Vec<Item>> {
        match self {
            Link::Lan { client, addr } => {
                let results = client
                    .get_properties(props)
                    .await
                    .with_context(|| format!("reading properties of {addr} on the LAN"))?;
                Ok(results
                    .into_iter()
                    .map(|r| Item {
                        siid: r.siid,
                        piid: r.piid,
                        code: r.code,
                        value: r.value,
                    })
                    .collect())
            }
            Link::Cloud { api, region, did } => {
                let mut api: &mut MiCloud = api;
                let mut out = Vec::with_capacity(props.len());
                for chunk in props.chunks(BATCH) {
                    let req: Vec<PropGet> = chunk
                        .iter()
                        .map(|&(siid, piid)| PropGet {
                            did: did.clone(),
                            siid,
                            piid,
                        })
                        .collect();
                    // Datasource 2: ask the device now, not the cloud's cache, so that a value
                    // shown is a value the device has (miot-plugin-sdk wiki "04 miot_spec").
                    let results = with_renewal!(
                        ctx,
                        api,
                        api.get_properties(*region, &req, DataSource::Device).await
                    )
                    .with_context(|| {
                        format!("reading properties of device {did} through the cloud ({region})")
                    })?;
                    out.extend(results.into_iter().map(|r| Item {
                        siid: r.siid,
                        piid: r.piid,
                        code: r.code,
                        value: r.value,
                    }));
                }
                Ok(out)
            }
        }
    }

    /// Write properties (in batches of [`BATCH`]); per-item codes in the result.
    pub async fn set(
        &mut self,
        ctx: &Ctx,
        props: &[(u32, u32, Value)],
    ) -> anyhow::Result<Vec<Item>> {
        match self {
            Link::Lan { client, addr } => {
                let mut out = Vec::with_capacity(props.len());
                for chunk in props.chunks(BATCH) {
                    let results = client
                        .set_properties(chunk)
                        .await
                        .with_context(|| format!("writing properties of {addr} on the LAN"))?;
                    out.extend(results.into_iter().map(|r| Item {
                        siid: r.siid,
                        piid: r.piid,
                        code: r.code,
                        value: None,
                    }));
                }
                Ok(out)
            }
            Link::Cloud { api, region, did } => {
                let mut api: &mut MiCloud = api;
                let mut out = Vec::with_capacity(props.len());
                for chunk in props.chunks(BATCH) {
                    let req: Vec<PropSet> = chunk
                        .iter()
                        .map(|(siid, piid, value)| PropSet {
                            did: did.clone(),
                            siid: *siid,
                            piid: *piid,
                            value: value.clone(),
                        })
                        .collect();
                    let results = with_renewal!(ctx, api, api.set_properties(*region, &req).await)
                        .with_context(|| {
                            format!(
                                "writing properties of device {did} through the cloud ({region})"
                            )
                        })?;
                    out.extend(results.into_iter().map(|r| Item {
                        siid: r.siid,
                        piid: r.piid,
                        code: r.code,
                        value: None,
                    }));
                }
                Ok(out)
            }
        }
    }

    /// Run action `siid.aiid` with `args`; returns the code and the `out` values.
    pub async fn action(
        &mut self,
        ctx: &Ctx,
        siid: u32,
        aiid: u32,
        args: Vec<Value>,
    ) -> anyhow::Result<(i64, Vec<Value>)> {
        match self {
            Link::Lan { client, addr } => {
                let call = mikit_miio::miot::ActionCall::new(siid, aiid, args);
                let v = client
                    .call("action", call.to_value())
                    .await
                    .with_context(|| format!("running an action of {addr} on the LAN"))?;
                let r = mikit_miio::miot::ActionResult::from_value(&v);
                Ok((r.code, r.out))
            }
            Link::Cloud { api, region, did } => {
                let mut api: &mut MiCloud = api;
                let call = ActionCall {
                    did: did.clone(),
                    siid,
                    aiid,
                    args,
                };
                let r = with_renewal!(ctx, api, api.action(*region, &call).await).with_context(
                    || format!("running an action of device {did} through the cloud ({region})"),
                )?;
                Ok((r.code, r.out))
            }
        }
    }

    /// Keep what must survive this process (the LAN message ids).
    pub fn finish(&self, ctx: &Ctx) {
        if let Link::Lan { client, addr } = self {
            ids::save(ctx, *addr, client.last_id());
        }
    }
}

/// The device token: the stored one, else `--token` / `MIKIT_MIIO_TOKEN`.
fn token(device: &Device, arg: Option<&TokenArg>) -> anyhow::Result<Option<Token>> {
    if let Some(t) = &device.token {
        return Token::from_str(t.expose()).map(Some).with_context(|| {
            format!("the stored token of {:?} is not 32 hex digits", device.name)
        });
    }
    arg.map(TokenArg::token).transpose()
}

/// Open a LAN client and say hello (`attempts` hellos of [`PROBE`] each).
async fn lan(
    ctx: &Ctx,
    device: &Device,
    addr: SocketAddr,
    token: &Token,
    attempts: u32,
) -> anyhow::Result<Link> {
    let config = ClientConfig {
        timeout: Duration::from_secs(2),
        retries: 1,
        handshake_timeout: PROBE,
        handshake_attempts: attempts,
        last_id: ids::load(ctx, addr),
        ..ClientConfig::default()
    };
    let mut client = Client::with_config(addr, token, config)
        .await
        .context("opening a UDP socket")?;
    client
        .handshake()
        .await
        .with_context(|| format!("{:?} did not answer on the LAN at {addr}", device.name))?;
    if let (Some(want), Some(got)) = (&device.did, client.device_id())
        && *want != got.to_string()
    {
        anyhow::bail!(
            "the device at {addr} is did {got}, not {want} ({:?}); its address may have changed: run `mikit device list --refresh`",
            device.name
        );
    }
    Ok(Link::Lan {
        client: Box::new(client),
        addr,
    })
}

/// A cloud link, if the device is in the cloud list.
fn cloud(ctx: &Ctx, device: &Device) -> anyhow::Result<Link> {
    let (Some(did), Some(region)) = (&device.did, &device.region) else {
        anyhow::bail!(
            "{:?} is not in the Mi Home cloud list, so it can only be reached on the LAN",
            device.name
        );
    };
    let region: Region = region.parse()?;
    let api = cloud::client(ctx)?;
    Ok(Link::Cloud {
        api: Box::new(api),
        region,
        did: did.clone(),
    })
}

fn say(ctx: &Ctx, text: &str) {
    if ctx.global.verbose > 0 {
        output::stderr_line(text);
    }
}

/// Open the way to `device` that `via` asks for.
pub async fn open(
    ctx: &Ctx,
    device: &Device,
    via: Via,
    token_arg: Option<&TokenArg>,
) -> anyhow::Result<Link> {
    let token = token(device, token_arg)?;
    let lan_target = device.addr.zip(token.as_ref());
    let no_lan = || {
        anyhow::anyhow!(
            "{:?} has no {} for the LAN; give --token (or MIKIT_MIIO_TOKEN)",
            device.name,
            if device.addr.is_none() {
                "address"
            } else {
                "token"
            }
        )
    };
    match via {
        Via::Lan => {
            let (addr, token) = lan_target.ok_or_else(no_lan)?;
            let link = lan(ctx, device, addr, token, 2).await?;
            say(ctx, &format!("{}: via LAN ({addr})", device.name));
            Ok(link)
        }
        Via::Cloud => {
            let link = cloud(ctx, device)?;
            say(ctx, &format!("{}: via cloud", device.name));
            Ok(link)
        }
        Via::Auto => {
            let in_cloud = device.did.is_some() && device.region.is_some();
            let key = memo_key(device);
            if in_cloud && let Some(age) = memory::recent(ctx, &key, "cloud") {
                say(
                    ctx,
                    &format!(
                        "{}: via cloud (remembered: the LAN did not answer {age} s ago; --via lan tries it)",
                        device.name
                    ),
                );
                return cloud(ctx, device);
            }
            let Some((addr, token)) = lan_target else {
                if in_cloud {
                    say(
                        ctx,
                        &format!("{}: via cloud (no LAN address or token)", device.name),
                    );
                    return cloud(ctx, device);
                }
                return Err(no_lan());
            };
            match lan(ctx, device, addr, token, 1).await {
                Ok(link) => {
                    memory::remember(ctx, &key, "lan");
                    say(ctx, &format!("{}: via LAN ({addr})", device.name));
                    Ok(link)
                }
                Err(e) if in_cloud => {
                    memory::remember(ctx, &key, "cloud");
                    say(ctx, &format!("{}: via cloud ({e:#})", device.name));
                    cloud(ctx, device)
                        .with_context(|| format!("{e:#}; and the cloud cannot be used"))
                }
                Err(e) => Err(e),
            }
        }
    }
}

fn memo_key(device: &Device) -> String {
    match (&device.did, device.addr) {
        (Some(did), _) => did.clone(),
        (None, Some(addr)) => addr.to_string(),
        (None, None) => device.name.clone(),
    }
}

/// The remembered transport choices: `{"<did>": {"via": "cloud", "at": 1700000000}}`.
mod memory {
    use super::*;

    #[derive(Debug, Serialize, Deserialize)]
    struct Choice {
        via: String,
        at: i64,
    }

    fn path(ctx: &Ctx) -> PathBuf {
        ctx.paths.state.join("device-via.json")
    }

    fn now() -> i64 {
        jiff::Timestamp::now().as_second()
    }

    fn load(ctx: &Ctx) -> BTreeMap<String, Choice> {
        // A missing or damaged file only costs a probe.
        std::fs::read(path(ctx))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Seconds since `via` was chosen for `key`, if that was less than [`REMEMBER_SECS`] ago.
    pub fn recent(ctx: &Ctx, key: &str, via: &str) -> Option<i64> {
        let age = load(ctx)
            .get(key)
            .filter(|c| c.via == via)
            .map(|c| now() - c.at)?;
        (0..REMEMBER_SECS).contains(&age).then_some(age)
    }

    /// Remember `via` for `key` (best effort), dropping expired entries.
    pub fn remember(ctx: &Ctx, key: &str, via: &str) {
        let now = now();
        let mut all = load(ctx);
        all.retain(|_, c| now - c.at < REMEMBER_SECS);
        all.insert(
            key.to_owned(),
            Choice {
                via: via.to_owned(),
                at: now,
            },
        );
        let p = path(ctx);
        let written = p
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .map_err(anyhow::Error::from)
            .and_then(|()| crate::session::save(&p, &all));
        if let Err(e) = written {
            tracing::debug!(error = %e, "cannot remember the transport choice");
        }
    }
}
