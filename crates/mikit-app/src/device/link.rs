//! [`Link`]: one open way to a device, the miIO LAN protocol with its token or the Mi Home
//! cloud's MIoT calls, with the same three operations (read properties, write properties, run
//! an action) over the shared items of [`mikit_miot::item`].
//!
//! [`Via::Auto`] sends a miIO hello with a short timeout ([`PROBE`]); a device that answers is
//! used on the LAN, else the cloud is used when the device is in the cloud list. The choice is
//! remembered per device for [`REMEMBER_SECS`] in the file [`Access::via_memory`] names, so
//! that a device which is not on this network costs the probe once, not on every command.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use mikit_micloud::miot::DataSource;
use mikit_micloud::{MiCloud, Region};
use mikit_miio::{Client, ClientConfig, Token};
use mikit_miot::item::{ActionCall, ActionResult, PropRead, PropResult, PropWrite};

use super::error::chain_text;
use super::memory::{self, MessageIds};
use super::{Device, Error};

/// How long [`Via::Auto`] waits for the device's hello before trying the cloud.
pub const PROBE: Duration = Duration::from_secs(1);
/// How long the transport chosen by [`Via::Auto`] is remembered (10 minutes).
pub const REMEMBER_SECS: i64 = 600;
/// Properties per request. The miIO client slices at 15 (python-miio: larger UDP datagrams
/// are refused by some devices); cloud requests are sliced the same way so that the cloud's
/// RPC to the device carries no more than the device accepts on the LAN.
pub const BATCH: usize = 15;

/// Which way to reach a device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// The LAN when the device answers within [`PROBE`], else the cloud.
    Auto,
    /// Only the LAN (miIO, UDP 54321, with the device's token).
    Lan,
    /// Only the Mi Home cloud (needs a Xiaomi session).
    Cloud,
}

/// What a front end provides to reach devices.
#[derive(Clone, Debug)]
pub struct Access {
    /// The Mi cloud client, when there is a Xiaomi session.
    pub cloud: Option<MiCloud>,
    /// The file where [`Via::Auto`] remembers its choices.
    pub via_memory: PathBuf,
    /// The miIO message ids kept between runs.
    pub ids: MessageIds,
}

/// Why [`open`] took the way it did (for a front end to show).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Route {
    /// The way asked for ([`Via::Lan`] or [`Via::Cloud`]).
    Asked,
    /// [`Via::Auto`]: the device answered on the LAN.
    LanAnswered,
    /// [`Via::Auto`]: the cloud, because the LAN did not answer `age_secs` ago.
    Remembered {
        /// Seconds since the LAN was last found silent.
        age_secs: i64,
    },
    /// [`Via::Auto`]: the cloud, because there is no LAN address or token.
    NoLanAccess,
    /// [`Via::Auto`]: the cloud, because the LAN did not answer now.
    LanSilent {
        /// Why the LAN failed.
        reason: String,
    },
}

/// An open way to one device.
#[derive(Debug)]
pub enum Link {
    /// miIO on the LAN.
    Lan {
        /// The client (handshake done).
        client: Box<Client>,
        /// The device address.
        addr: SocketAddr,
        /// Where the message ids are kept.
        ids: MessageIds,
    },
    /// The Mi Home cloud.
    Cloud {
        /// The signed API client (renews its session itself).
        api: Box<MiCloud>,
        /// The region that lists the device.
        region: Region,
        /// The device id.
        did: String,
    },
}

fn lan_err(during: String) -> impl FnOnce(mikit_miio::Error) -> Error {
    move |source| Error::Lan { during, source }
}

fn cloud_err(during: String) -> impl FnOnce(mikit_micloud::Error) -> Error {
    move |source| Error::Cloud { during, source }
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
    pub async fn info(&mut self) -> Result<mikit_miio::Info, Error> {
        match self {
            Link::Lan { client, addr, .. } => client.info().await.map_err(lan_err(format!(
                "asking the device at {addr} for its model"
            ))),
            Link::Cloud { .. } => Err(Error::Unsupported(
                "the model of a device can only be asked on the LAN",
            )),
        }
    }

    /// Read properties (in batches of [`BATCH`]). Items come back in the device's order.
    pub async fn get(&mut self, props: &[PropRead]) -> Result<Vec<PropResult>, Error> {
        match self {
            Link::Lan { client, addr, .. } => client
                .get_properties(props)
                .await
                .map_err(lan_err(format!("reading properties of {addr} on the LAN"))),
            Link::Cloud { api, region, did } => {
                let mut out = Vec::with_capacity(props.len());
                for chunk in props.chunks(BATCH) {
                    // Datasource 2: ask the device now, not the cloud's cache, so that a value
                    // shown is a value the device has (miot-plugin-sdk wiki "04 miot_spec").
                    let results = api
                        .read_properties(*region, did, chunk, DataSource::Device)
                        .await
                        .map_err(cloud_err(format!(
                            "reading properties of device {did} through the cloud ({region})"
                        )))?;
                    out.extend(results);
                }
                Ok(out)
            }
        }
    }

    /// Write properties (in batches of [`BATCH`]); per-item codes in the result.
    pub async fn set(&mut self, props: &[PropWrite]) -> Result<Vec<PropResult>, Error> {
        let mut out = Vec::with_capacity(props.len());
        for chunk in props.chunks(BATCH) {
            let results = match self {
                Link::Lan { client, addr, .. } => client
                    .set_properties(chunk)
                    .await
                    .map_err(lan_err(format!("writing properties of {addr} on the LAN")))?,
                Link::Cloud { api, region, did } => api
                    .write_properties(*region, did, chunk)
                    .await
                    .map_err(cloud_err(format!(
                        "writing properties of device {did} through the cloud ({region})"
                    )))?,
            };
            out.extend(results);
        }
        Ok(out)
    }

    /// Run an action; the device's code and `out` values are in the result.
    pub async fn action(&mut self, call: &ActionCall) -> Result<ActionResult, Error> {
        match self {
            Link::Lan { client, addr, .. } => client
                .run_action(call)
                .await
                .map_err(lan_err(format!("running an action of {addr} on the LAN"))),
            Link::Cloud { api, region, did } => {
                api.run_action(*region, did, call)
                    .await
                    .map_err(cloud_err(format!(
                        "running an action of device {did} through the cloud ({region})"
                    )))
            }
        }
    }

    /// Keep what must survive this process (the LAN message ids).
    pub fn finish(&self) {
        if let Link::Lan { client, addr, ids } = self {
            ids.save(*addr, client.last_id());
        }
    }
}

/// The device token: the stored one, else `given`.
fn token(device: &Device, given: Option<Token>) -> Result<Option<Token>, Error> {
    match &device.token {
        Some(t) => Token::from_str(t.expose())
            .map(Some)
            .map_err(|source| Error::BadStoredToken {
                name: device.name.clone(),
                source,
            }),
        None => Ok(given),
    }
}

/// Open a LAN client and say hello (`attempts` hellos of [`PROBE`] each).
async fn lan(
    access: &Access,
    device: &Device,
    addr: SocketAddr,
    token: &Token,
    attempts: u32,
) -> Result<Link, Error> {
    let config = ClientConfig {
        timeout: Duration::from_secs(2),
        retries: 1,
        handshake_timeout: PROBE,
        handshake_attempts: attempts,
        last_id: access.ids.load(addr),
        ..ClientConfig::default()
    };
    let mut client = Client::with_config(addr, token, config)
        .await
        .map_err(lan_err("opening a UDP socket".into()))?;
    client.handshake().await.map_err(lan_err(format!(
        "{:?} did not answer on the LAN at {addr}",
        device.name
    )))?;
    if let (Some(want), Some(got)) = (&device.did, client.device_id())
        && *want != got.to_string()
    {
        return Err(Error::WrongDevice {
            addr,
            got: got.to_string(),
            want: want.clone(),
            name: device.name.clone(),
        });
    }
    Ok(Link::Lan {
        client: Box::new(client),
        addr,
        ids: access.ids.clone(),
    })
}

/// A cloud link, if the device is in the cloud list and there is a session.
fn cloud(access: &Access, device: &Device) -> Result<Link, Error> {
    let (Some(did), Some(region)) = (&device.did, &device.region) else {
        return Err(Error::NotInCloud {
            name: device.name.clone(),
        });
    };
    let region: Region = region
        .parse()
        .map_err(cloud_err(format!("the cloud region of {:?}", device.name)))?;
    let api = access.cloud.clone().ok_or(Error::NotLoggedIn)?;
    Ok(Link::Cloud {
        api: Box::new(api),
        region,
        did: did.clone(),
    })
}

fn memo_key(device: &Device) -> String {
    match (&device.did, device.addr) {
        (Some(did), _) => did.clone(),
        (None, Some(addr)) => addr.to_string(),
        (None, None) => device.name.clone(),
    }
}

/// Open the way to `device` that `via` asks for; `token` is used when none is stored.
pub async fn open(
    access: &Access,
    device: &Device,
    via: Via,
    token: Option<Token>,
) -> Result<(Link, Route), Error> {
    let token = self::token(device, token)?;
    let lan_target = device.addr.zip(token.as_ref());
    let no_lan = || Error::NoLanAccess {
        name: device.name.clone(),
        missing: if device.addr.is_none() {
            "address"
        } else {
            "token"
        },
    };
    match via {
        Via::Lan => {
            let (addr, token) = lan_target.ok_or_else(no_lan)?;
            Ok((lan(access, device, addr, token, 2).await?, Route::Asked))
        }
        Via::Cloud => Ok((cloud(access, device)?, Route::Asked)),
        Via::Auto => {
            let in_cloud = device.did.is_some() && device.region.is_some();
            let key = memo_key(device);
            let memo = access.via_memory.as_path();
            if in_cloud && let Some(age_secs) = memory::recent(memo, &key, "cloud") {
                return Ok((cloud(access, device)?, Route::Remembered { age_secs }));
            }
            let Some((addr, token)) = lan_target else {
                if in_cloud {
                    return Ok((cloud(access, device)?, Route::NoLanAccess));
                }
                return Err(no_lan());
            };
            match lan(access, device, addr, token, 1).await {
                Ok(link) => {
                    memory::remember(memo, &key, "lan");
                    Ok((link, Route::LanAnswered))
                }
                Err(e) if in_cloud => {
                    memory::remember(memo, &key, "cloud");
                    let reason = chain_text(&e);
                    match cloud(access, device) {
                        Ok(link) => Ok((link, Route::LanSilent { reason })),
                        Err(c) => Err(Error::NoWay {
                            lan: reason,
                            source: Box::new(c),
                        }),
                    }
                }
                Err(e) => Err(e),
            }
        }
    }
}
