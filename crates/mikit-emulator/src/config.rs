//! Emulator configuration.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use mikit_core::Secret;

use crate::faults::FaultSpec;

/// How the emulator is started: address, seed, history, latency, faults, service options.
#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    /// Listen address (default `127.0.0.1:0`, an ephemeral loopback port).
    pub listen: SocketAddr,
    /// Seed of all generated data and tokens.
    pub seed: u64,
    /// Days of generated history, ending at `today`.
    pub days: u32,
    /// Last day of history; default: today's UTC date at start. When set explicitly, that
    /// day's data stops at a fixed local time (16:40) so that runs are reproducible.
    pub today: Option<jiff::civil::Date>,
    /// Delay before every answer.
    pub latency: Duration,
    /// Fault injection.
    pub faults: FaultSpec,
    /// Huami / Zepp cloud options.
    pub huami: HuamiOptions,
    /// Xiaomi account and Mi cloud options.
    pub micloud: crate::micloud::MiCloudOptions,
    /// Extra MIoT spec files served by the spec service (`--spec-dir`): `instances.json`,
    /// `devices/*.json` or `*.json` named after the URN, `multilang/*.json`.
    pub spec_dir: Option<PathBuf>,
    /// Simulated Wi-Fi devices (miIO LAN servers, one per device; default 0).
    pub devices: usize,
    /// First device address (default `127.0.0.1`). With `device_port` 54321 device `i`
    /// listens on `device_addr + i`.
    pub device_addr: IpAddr,
    /// Device UDP port: 0 (default) gives each device an ephemeral port on `device_addr`.
    pub device_port: u16,
    /// Limits of the HTTP listener (connections, timeouts, body sizes).
    pub limits: ServerLimits,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: 1,
            days: 90,
            today: None,
            latency: Duration::ZERO,
            faults: FaultSpec::none(),
            huami: HuamiOptions::default(),
            micloud: crate::micloud::MiCloudOptions::default(),
            spec_dir: None,
            devices: 0,
            device_addr: IpAddr::V4(Ipv4Addr::LOCALHOST),
            device_port: 0,
            limits: ServerLimits::default(),
        }
    }
}

/// Limits that keep the HTTP listener responsive under many, slow or large clients, as a
/// real server's are.
#[derive(Clone, Debug)]
pub struct ServerLimits {
    /// Connections served at once; further ones wait in the listen backlog until one closes
    /// (default 256).
    pub max_connections: usize,
    /// Time a client has to send a request's complete header, counted from the connection's
    /// start and, between keep-alive requests, from the end of the previous answer; a silent
    /// or trickling client is disconnected after it (default 30 s, hyper's own default).
    pub header_timeout: Duration,
    /// Time a client has to send a request's body once its header arrived; after it the
    /// answer is 408 and the connection is closed (default 60 s).
    pub body_timeout: Duration,
    /// Largest request body; a larger one is answered 413 without reading it (default 64 MiB:
    /// an upload of a few hundred days fits easily).
    pub max_body: usize,
    /// Request bytes buffered across all connections at once (default 256 MiB, at least
    /// `max_body`). A body with a `Content-Length` waits for room; a chunked body that finds
    /// none is answered 503 with `Retry-After: 1`.
    pub body_budget: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            max_connections: 256,
            header_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(60),
            max_body: 64 * 1024 * 1024,
            body_budget: 256 * 1024 * 1024,
        }
    }
}

/// Which calendar day a night's sleep is filed under (reference §13.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SleepAnchor {
    /// `date_time` is the wake-up day; stage minutes count from the previous day's local
    /// midnight (ZeppBridge, zepp-dashboard).
    #[default]
    WakeDay,
    /// `date_time` is the evening the night started; stage minutes count from that day's
    /// local midnight (zepp-export, hacking-mifit-api).
    FellAsleepDay,
}

/// The account's cloud region; decides the redirect's `region`/`country_code` and the data host.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HuamiRegion {
    /// `eu-central-1`, `DE`, data host `api-mifit-de2.huami.com`.
    #[default]
    Eu,
    /// `us-west-2`, `US`, data host `api-mifit-us2.huami.com`.
    Us,
    /// `cn-northwest-1`, `CN`, data host `api-mifit-cn.huami.com`.
    Cn,
}

impl HuamiRegion {
    /// The AWS region name used in redirects.
    pub fn aws(self) -> &'static str {
        match self {
            HuamiRegion::Eu => "eu-central-1",
            HuamiRegion::Us => "us-west-2",
            HuamiRegion::Cn => "cn-northwest-1",
        }
    }
    /// The ISO country code used in redirects.
    pub fn country(self) -> &'static str {
        match self {
            HuamiRegion::Eu => "DE",
            HuamiRegion::Us => "US",
            HuamiRegion::Cn => "CN",
        }
    }
    /// The regional data host (the `cnames` entry of the login answer).
    pub fn data_host(self) -> &'static str {
        match self {
            HuamiRegion::Eu => "api-mifit-de2.huami.com",
            HuamiRegion::Us => "api-mifit-us2.huami.com",
            HuamiRegion::Cn => "api-mifit-cn.huami.com",
        }
    }
}

/// An extra account to register, e.g. the HV1 credentials `a@a.com` / `a`.
#[derive(Clone, Debug)]
pub struct HuamiAccount {
    /// Login e-mail (or `+86…` phone).
    pub email: String,
    /// Password.
    pub password: Secret<String>,
    /// Region.
    pub region: HuamiRegion,
}

impl HuamiAccount {
    /// An EU account with these credentials.
    pub fn new(email: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            email: email.into(),
            password: Secret::new(password.into()),
            region: HuamiRegion::Eu,
        }
    }

    /// The same account in another region.
    pub fn in_region(mut self, region: HuamiRegion) -> Self {
        self.region = region;
        self
    }
}

/// What the data plane answers for a token it does not know (§2.3, §14).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InvalidTokenReply {
    /// HTTP 401 with an empty body (what EU/US write-ups report).
    #[default]
    Status401,
    /// HTTP 200 `{"code":0,"message":"invalid token","data":{"code":"0102"}}` (mimotion #13).
    Code0102,
}

/// Options of the Huami / Zepp cloud part.
#[derive(Clone, Debug, Default)]
pub struct HuamiOptions {
    /// Sleep-day convention of generated band data.
    pub sleep_anchor: SleepAnchor,
    /// Accounts added to the built-in demo accounts.
    pub accounts: Vec<HuamiAccount>,
    /// Answer 403 on a regional data host that does not match the account's region.
    pub strict_region: bool,
    /// Answer 500 `{"code":-50000}` when `appPlatform` or `appname` is missing.
    pub strict_headers: bool,
    /// How an unknown token is answered on the data plane.
    pub invalid_token: InvalidTokenReply,
    /// Answer 404 (instead of 200 `{"code":0,…}`) for an unknown workout trackid.
    pub missing_workout_404: bool,
    /// Credential logins allowed per minute before rate limiting (`None`: unlimited).
    pub login_rate_limit: Option<u32>,
}
