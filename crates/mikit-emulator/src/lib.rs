//! # mikit-emulator
//!
//! A faithful offline emulator of the cloud services mikit talks to. It is a product, not a
//! mock: it answers like the real services as `reference/*.md` describe them (same paths,
//! field names and types, encodings, redirects, error bodies), so any client written for the
//! real service works against it unchanged — through the endpoint map
//! (`https://HOST/PATH?QUERY` → `E/HOST/PATH?QUERY`).
//!
//! All data is deterministic from a seed; latency and faults (429, 500, connection resets,
//! truncated bodies, token expiry) can be injected.
//!
//! Served today: the Huami / Mi Fit / Zepp Life / Zepp cloud — credential logins (v1 form,
//! v2 AES), token exchange and lifecycle, `band_data.json` download and upload, workouts
//! (history pages and GPS detail), health events (stress, SpO2, PAI, HRV, readiness,
//! respiratory rate), weight records, the device list with auth keys, and the Xiaomi OAuth
//! sign-in of the Huami apps (`oauth`). The Xiaomi account (password, captcha, two-factor, QR, passToken) and the
//! signed Mi Home cloud API in six regions ([`micloud`]), acting on the same simulated devices
//! as their miIO LAN servers. Other services plug in as further [`Service`] implementations.
//!
//! ```no_run
//! # async fn demo() -> Result<(), mikit_emulator::Error> {
//! use mikit_emulator::{Emulator, EmulatorConfig};
//! let emu = Emulator::start(EmulatorConfig { seed: 7, days: 30, ..Default::default() }).await?;
//! // Point any client at it: mikit_core::EndpointMap::new(Some(emu.endpoint())).
//! println!("{}", emu.info());
//! emu.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # Layout
//!
//! | module | holds |
//! |---|---|
//! | `config` | [`EmulatorConfig`], [`ServerLimits`], [`HuamiOptions`], [`HuamiAccount`], [`SleepAnchor`] |
//! | `server` | the listener (connection cap, accept backoff, header/body timeouts, body size and memory budget), hyper connection handling, routing on the real host, latency, fault application; the [`Service`] trait every emulated service implements |
//! | `faults` | [`FaultSpec`] (parsing, deterministic selection), [`Stats`] |
//! | `rng` | SplitMix64 and named streams (seed → data) |
//! | `huami` | the Huami cloud: `login` (v1/v2 credential), `token` (account service), `account` (accounts, token lifecycle), `data` (data-plane routing and handlers), `band` (band_data shapes, upload conversion), `history` (deterministic days), `workout` (history/detail), `events` (stress, SpO2, PAI, HRV, readiness, respiratory rate), `weight` (scale records); [`huami::BandHistory`] for use without a server |
//! | `miot_spec` | the MIoT spec service ([`miot_spec::SpecService`], `miot-spec.org` and `spec.miot-spec.com`): `instances` (status filter), `catalog` (standard types derived from the corpus), `lang` (multiLanguage) |
//! | `device` | simulated Wi-Fi devices: [`device::SimDevice`] (spec-driven MIoT state, the miIO handler), [`device::Fleet`] (seeded household), [`device::LanServers`] (one miIO UDP server per device) |
//! | `micloud` | the Xiaomi account and Mi Home cloud ([`micloud::MiCloud`]): `accounts` (options, accounts, token state), `login` (account and STS hosts: password, captcha, 2FA, QR, passToken), `api` (signature verification, RC4 replies, routing), `records` (device lists, homes), `miot` (prop get/set, action, `/home/rpc` on the shared devices), `data` (history, statistics, beacon key, app endpoints) |
//! | `corpus` | [`corpus::Corpus`]: the bundled real MIoT spec files (from `data/miot-spec/`) plus `--spec-dir` |
//! | `error` | [`Error`] |

mod config;
pub mod corpus;
pub mod device;
mod error;
mod faults;
pub mod huami;
#[doc(hidden)]
pub mod in_process;
pub mod micloud;
pub mod miot_spec;
mod oauth;
mod rng;
mod server;

use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::{
    EmulatorConfig, HuamiAccount, HuamiOptions, HuamiRegion, InvalidTokenReply, ServerLimits,
    SleepAnchor,
};
pub use error::Error;
pub use faults::{FaultKind, FaultSpec, Stats};
pub use server::{FaultScope, Reply, Request, Service};

/// Minutes of an explicitly configured `today` that are recorded (16:40 local).
const EXPLICIT_TODAY_CUTOFF: usize = 1000;

/// A running emulator.
pub struct Emulator {
    endpoint: String,
    shared: Arc<server::Shared>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    fleet: Arc<device::Fleet>,
    lan: device::LanServers,
    micloud: Arc<micloud::MiCloud>,
    huami: Arc<huami::HuamiCloud>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Bind `cfg.listen` and serve on the current tokio runtime.
    pub async fn start(cfg: EmulatorConfig) -> Result<Emulator, Error> {
        // The Huami options are checked before any socket is bound.
        let huami = Arc::new(huami_service(&cfg)?);
        let (fleet, lan) =
            device::LanServers::start(cfg.seed, cfg.devices, cfg.device_addr, cfg.device_port)
                .await?;
        let (services, micloud) = build_services(&cfg, Arc::clone(&huami), Arc::clone(&fleet))?;
        let listener = TcpListener::bind(cfg.listen)
            .await
            .map_err(|source| Error::Bind {
                addr: cfg.listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| Error::Bind {
            addr: cfg.listen,
            source,
        })?;
        let shared = Arc::new(server::Shared {
            services,
            faults: cfg.faults,
            seed: cfg.seed,
            latency: cfg.latency,
            counters: Default::default(),
            limits: server::Limits::new(&cfg.limits),
        });
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(server::serve(listener, Arc::clone(&shared), stop_rx));
        Ok(Emulator {
            endpoint: format!("http://{addr}"),
            shared,
            stop,
            task,
            fleet,
            lan,
            micloud,
            huami,
        })
    }

    /// The base URL to use as the endpoint override, e.g. `http://127.0.0.1:43123`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// `{"endpoint": URL, "accounts": {...}, "devices": [...]}` (what `mikit emulator` prints).
    pub fn info(&self) -> serde_json::Value {
        serde_json::json!({
            "endpoint": self.endpoint,
            "accounts": server::all_accounts(&self.shared.services),
            "devices": self.fleet.summary(),
        })
    }

    /// The simulated devices (shared with the services that expose them).
    pub fn fleet(&self) -> Arc<device::Fleet> {
        Arc::clone(&self.fleet)
    }

    /// Stop (`false`) or restart (`true`) the LAN server of device `did` (same address and
    /// port, fresh stamp: a reboot) and flip its `online` flag. Returns `false` for an
    /// unknown did.
    pub async fn set_device_online(&self, did: &str, online: bool) -> Result<bool, Error> {
        self.lan.set_online(did, online).await
    }

    /// The Xiaomi account and Mi cloud service (test hooks: expire service tokens, register
    /// a session with a known `ssecurity`).
    pub fn micloud(&self) -> &micloud::MiCloud {
        &self.micloud
    }

    /// Test hook: the user renames a workout in the app, as when editing its title. The
    /// workout `trackid` of the Huami account `account` (a key of `info()["accounts"]`, e.g.
    /// `"huami"`) then has `sport_title` = `title` in its history item and an `updateTime`
    /// one minute after the previous one; its detail is unchanged. Returns the new
    /// `updateTime` (ms), or `None` for an unknown account or trackid.
    pub fn edit_workout(&self, account: &str, trackid: i64, title: &str) -> Option<i64> {
        self.huami.edit_workout(account, trackid, title)
    }

    /// Requests served and faults injected so far.
    pub fn stats(&self) -> Stats {
        let mut stats = self.shared.counters.snapshot();
        stats.body_bytes_held = self.shared.limits.body_bytes_held() as u64;
        stats
    }

    /// Stop accepting, close every connection and wait for the server task.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
        self.lan.shutdown().await;
    }
}

/// The day the generated history ends on and the minutes of it already recorded: the
/// configured `today`, else the current UTC date cut at the current local time of the
/// generated person.
fn today_and_cutoff(cfg: &EmulatorConfig) -> (jiff::civil::Date, usize) {
    match cfg.today {
        Some(d) => (d, EXPLICIT_TODAY_CUTOFF),
        None => {
            let now = jiff::Timestamp::now();
            let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
            // Minutes since today's local midnight in the generated person's zone.
            let probe =
                huami::history::History::new(cfg.seed, today, cfg.days, 0, cfg.huami.sleep_anchor);
            let midnight =
                huami::history::epoch_day(today) * 86_400 - i64::from(probe.offset(today));
            let mins = ((now.as_second() - midnight) / 60).clamp(0, 1440);
            (today, mins as usize)
        }
    }
}

/// The Huami cloud for `cfg` (`BadConfig` for invalid accounts).
fn huami_service(cfg: &EmulatorConfig) -> Result<huami::HuamiCloud, Error> {
    let (today, cutoff) = today_and_cutoff(cfg);
    huami::HuamiCloud::new(cfg.seed, today, cfg.days, cutoff, cfg.huami.clone())
        .map_err(Error::BadConfig)
}

/// The services behind the listener, in routing order, and the Mi cloud among them (for its
/// test hooks).
type Services = (Vec<Arc<dyn Service>>, Arc<micloud::MiCloud>);

/// Every emulated service for `cfg` over `fleet`.
fn build_services(
    cfg: &EmulatorConfig,
    huami: Arc<huami::HuamiCloud>,
    fleet: Arc<device::Fleet>,
) -> Result<Services, Error> {
    let corpus = match &cfg.spec_dir {
        Some(dir) => corpus::Corpus::with_dir(dir)?,
        None => corpus::Corpus::bundled().clone(),
    };
    let spec = miot_spec::SpecService::new(corpus, cfg.spec_dir.as_deref())?;
    let micloud = Arc::new(micloud::MiCloud::new(cfg.seed, cfg.micloud.clone(), fleet));
    let services: Vec<Arc<dyn Service>> = vec![
        huami,
        Arc::new(spec),
        Arc::clone(&micloud) as Arc<dyn Service>,
    ];
    Ok((services, micloud))
}
