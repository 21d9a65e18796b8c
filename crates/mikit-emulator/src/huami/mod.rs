//! The Huami / Mi Fit / Zepp Life / Zepp cloud (reference `huami-cloud.md`).
//!
//! | host family | served |
//! |---|---|
//! | `api-user.huami.com` | v1 credential login (§3.1) |
//! | `api-user.zepp.com`, `api-user-us2.zepp.com` | v2 AES credential login (§3.2) |
//! | `account.huami.com`, `account.zepp.com`, `account-*.huami.com/zepp.com` | `/v2/client/login`, `app_tokens`, `renew_login_token`, `logout` (§3.4, §3.6) |
//! | `api-mifit*.huami.com/zepp.com` | data plane plus `/v2/client/login` and `/v1/client/logout` |
//!
//! Data plane: `GET`/`POST /v1/data/band_data.json` (§5), `GET /v1/sport/{kind}/history.json`
//! and `detail.json` (§6), `GET /users/{uid}/events`, `/users/{uid}/events/dateString` and
//! `/v2/users/me/events` (§7), `GET /users/{uid}/devices` and
//! `/users/{uid}/members/{member}/weightRecords` (§8). Everything else is 404.

mod account;
mod band;
mod data;
mod events;
pub(crate) mod history;
mod login;
mod token;
mod weight;
mod workout;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use hyper::Method;

use crate::config::HuamiOptions;
use crate::rng::Rng;
use crate::server::{FaultScope, Reply, Request, Service};
use account::{Account, Tokens, Uploads};
use history::History;

/// Which part of the service a host belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HostKind {
    UserV1,
    UserV2,
    Account,
    Data,
}

fn host_kind(host: &str) -> Option<HostKind> {
    match host {
        "api-user.huami.com" => return Some(HostKind::UserV1),
        "api-user.zepp.com" | "api-user-us2.zepp.com" => return Some(HostKind::UserV2),
        _ => {}
    }
    let label = host
        .strip_suffix(".huami.com")
        .or_else(|| host.strip_suffix(".zepp.com"))?;
    if label == "account" || label.starts_with("account-") {
        Some(HostKind::Account)
    } else if label == "api-mifit" || label.starts_with("api-mifit-") {
        Some(HostKind::Data)
    } else {
        None
    }
}

/// Identity of an account's two bands (legacy Mi Band, newer band).
pub(crate) struct Device {
    pub legacy_id: String,
    pub legacy_mac: String,
    pub legacy_key: String,
    pub new_id: String,
    pub new_mac: String,
    pub new_key: String,
    pub new_sn: String,
    pub watch_id: String,
    pub watch_mac: String,
    pub watch_key: String,
    pub watch_sn: String,
    pub scale_mac: String,
}

fn mac(r: &mut Rng) -> String {
    (0..6)
        .map(|_| format!("{:02X}", r.next_u64() & 0xff))
        .collect::<Vec<_>>()
        .join(":")
}

fn device(seed: u64, salt: u64) -> Device {
    let mut r = Rng::stream(&[seed, salt, crate::rng::label("devices")]);
    Device {
        legacy_id: r.hex(16).to_ascii_uppercase(),
        legacy_mac: mac(&mut r),
        legacy_key: r.hex(32),
        new_id: r.hex(16).to_ascii_uppercase(),
        new_mac: mac(&mut r),
        new_key: r.hex(32),
        new_sn: r.hex(14).to_ascii_uppercase(),
        // Drawn after the bands so their identities stay what they were.
        watch_id: r.hex(16).to_ascii_uppercase(),
        watch_mac: mac(&mut r),
        watch_key: r.hex(32),
        watch_sn: r.hex(14).to_ascii_uppercase(),
        scale_mac: mac(&mut r),
    }
}

/// The generated band history of one account, usable without a server (benchmarks,
/// fixture generation). The server answers `band_data.json` with exactly these items.
pub struct BandHistory {
    history: History,
    salt: u64,
    user_id: String,
    device: Device,
}

impl BandHistory {
    /// The history the emulator started with `seed` serves for the account `email`, with
    /// the last day `today` recorded up to minute `cutoff` (0..=1440).
    pub fn new(
        seed: u64,
        email: &str,
        today: jiff::civil::Date,
        days: u32,
        cutoff: usize,
        anchor: crate::SleepAnchor,
    ) -> Self {
        let salt = crate::rng::label(&email.to_ascii_lowercase());
        Self {
            history: History::new(seed, today, days, cutoff, anchor),
            salt,
            user_id: account::user_id(seed, salt),
            device: device(seed, salt),
        }
    }

    /// One `band_data.json` item (compact JSON) for `date`, `None` when that day has no data.
    pub fn item_json(&self, date: jiff::civil::Date, detail: bool) -> Option<Vec<u8>> {
        let day = self.history.day(self.salt, date)?;
        let mut out = Vec::with_capacity(if detail { 20_000 } else { 1_500 });
        band::write_generated(&mut out, &self.user_id, &day, &self.device, detail);
        Some(out)
    }
}

/// The emulated Huami cloud.
pub(crate) struct HuamiCloud {
    seed: u64,
    accounts: Vec<Account>,
    history: History,
    opts: HuamiOptions,
    tokens: Mutex<Tokens>,
    uploads: Mutex<Uploads>,
    logins: Mutex<VecDeque<Instant>>,
    /// Workout index per account (≈ 150 bytes per workout; built on first use).
    workouts: Mutex<HashMap<usize, Arc<Vec<workout::Workout>>>>,
    /// Workouts edited by the user (test hook [`HuamiCloud::edit_workout`]), by (account, trackid).
    edits: Mutex<HashMap<(usize, i64), workout::Edit>>,
    /// Xiaomi OAuth codes already exchanged (each is accepted once, §3.3/§14).
    used_oauth_codes: Mutex<std::collections::HashSet<String>>,
}

impl HuamiCloud {
    /// Build the service. `cutoff` = minutes of `today` already recorded.
    pub fn new(
        seed: u64,
        today: jiff::civil::Date,
        days: u32,
        cutoff: usize,
        opts: HuamiOptions,
    ) -> Result<Self, String> {
        Ok(Self {
            seed,
            accounts: account::accounts(seed, &opts.accounts)?,
            history: History::new(seed, today, days, cutoff, opts.sleep_anchor),
            tokens: Mutex::new(Tokens::new(seed)),
            uploads: Mutex::new(Uploads::new()),
            logins: Mutex::new(VecDeque::new()),
            workouts: Mutex::new(HashMap::new()),
            edits: Mutex::new(HashMap::new()),
            used_oauth_codes: Mutex::new(std::collections::HashSet::new()),
            opts,
        })
    }

    fn tokens(&self) -> MutexGuard<'_, Tokens> {
        // A poisoned lock only means another request panicked mid-update; the maps stay usable.
        self.tokens.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn uploads(&self) -> MutexGuard<'_, Uploads> {
        self.uploads.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Count a credential login; `true` when over the configured per-minute limit.
    fn rate_limited(&self) -> bool {
        let Some(limit) = self.opts.login_rate_limit else {
            return false;
        };
        let mut q = self.logins.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        while q
            .front()
            .is_some_and(|t| now.duration_since(*t) > Duration::from_secs(60))
        {
            q.pop_front();
        }
        if q.len() >= limit as usize {
            return true;
        }
        q.push_back(now);
        false
    }

    fn workouts(&self, account: usize) -> Arc<Vec<workout::Workout>> {
        let mut map = self.workouts.lock().unwrap_or_else(|p| p.into_inner());
        Arc::clone(map.entry(account).or_insert_with(|| {
            Arc::new(workout::index(&self.history, self.accounts[account].salt))
        }))
    }

    /// Mark an OAuth code used; `false` when it already was.
    fn take_oauth_code(&self, code: &str) -> bool {
        self.used_oauth_codes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(code.to_owned())
    }

    fn edits(&self) -> MutexGuard<'_, HashMap<(usize, i64), workout::Edit>> {
        self.edits.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Test hook: the user renames workout `trackid` of the account `key` (a key of
    /// `info()["accounts"]`, e.g. `"huami"`) in the app. Its history item then carries
    /// `sport_title: title` and an `updateTime` one minute after the previous one (its
    /// `createTime`, or the last edit); the detail does not change. Returns the new
    /// `updateTime` (ms), `None` for an unknown account or trackid.
    pub(crate) fn edit_workout(&self, key: &str, trackid: i64, title: &str) -> Option<i64> {
        let account = self.accounts.iter().position(|a| a.key == key)?;
        let all = self.workouts(account);
        let w = all.iter().find(|w| w.trackid == trackid)?;
        let mut edits = self.edits();
        let before = match edits.get(&(account, trackid)) {
            Some(e) => e.update_ms,
            None => workout::summary_item(w, &self.device(account), None)["updateTime"]
                .as_i64()
                .unwrap_or(w.end_time() * 1000),
        };
        let update_ms = before + 60_000;
        edits.insert(
            (account, trackid),
            workout::Edit {
                title: title.to_owned(),
                update_ms,
            },
        );
        Some(update_ms)
    }

    fn device(&self, account: usize) -> Device {
        device(self.seed, self.accounts[account].salt)
    }
}

impl Service for HuamiCloud {
    fn serves(&self, host: &str) -> bool {
        host_kind(host).is_some()
    }

    fn fault_scope(&self, req: &Request) -> FaultScope {
        match host_kind(&req.host) {
            // Credential logins and `/v2/client/login` consume a password attempt or a
            // single-use code: a truncated or reset reply to such a step cannot be retried
            // by any client, so only a 429 (decided before handling) is injected there.
            Some(HostKind::UserV1 | HostKind::UserV2) => FaultScope::RateLimitOnly,
            _ if req.path == "/v2/client/login" => FaultScope::RateLimitOnly,
            Some(_) => FaultScope::All,
            None => FaultScope::None,
        }
    }

    fn handle(&self, req: &Request) -> Reply {
        let Some(kind) = host_kind(&req.host) else {
            return Reply::not_found();
        };
        let segs: Vec<&str> = req.path.trim_matches('/').split('/').collect();
        let post = req.method == Method::POST;
        let get = req.method == Method::GET;
        match (kind, segs.as_slice()) {
            (HostKind::UserV1, ["registrations", email, "tokens"]) if post => {
                self.login_v1(req, email)
            }
            (HostKind::UserV2, ["v2", "registrations", "tokens"]) if post => self.login_v2(req),
            (HostKind::Account | HostKind::Data, ["v2", "client", "login"]) if post => {
                self.client_login(req)
            }
            (HostKind::Account | HostKind::Data, ["v1", "client", "logout"]) if post => {
                self.logout(req)
            }
            (HostKind::Account, ["v1", "client", "app_tokens"]) if get => self.app_tokens(req),
            (HostKind::Account, ["v1", "client", "renew_login_token"]) if get => {
                self.renew_login_token(req)
            }
            (HostKind::Data, _) => self.data_plane(req),
            _ => Reply::not_found(),
        }
    }

    fn expire(&self, req: &Request) -> Option<Reply> {
        if host_kind(&req.host) != Some(HostKind::Data) || req.path.starts_with("/v1/client/") {
            return None;
        }
        let token = data::presented_token(req)?;
        if !self.tokens().revoke_app(&token) {
            return None;
        }
        Some(self.invalid_token(&req.path))
    }

    fn accounts(&self) -> serde_json::Map<String, serde_json::Value> {
        self.accounts
            .iter()
            .map(|a| {
                (
                    a.key.clone(),
                    serde_json::json!({
                        "email": a.email,
                        "password": a.password.expose(),
                        "user_id": a.user_id,
                        "region": a.region.aws(),
                        "login_error": a.behaviour.error_code(),
                        "xiaomi_user_id": a.xiaomi_user,
                    }),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_families() {
        assert_eq!(host_kind("api-user.huami.com"), Some(HostKind::UserV1));
        assert_eq!(host_kind("api-user-us2.zepp.com"), Some(HostKind::UserV2));
        assert_eq!(host_kind("account-cn3.zepp.com"), Some(HostKind::Account));
        assert_eq!(host_kind("account-us2.huami.com"), Some(HostKind::Account));
        assert_eq!(host_kind("api-mifit-de2.huami.com"), Some(HostKind::Data));
        assert_eq!(host_kind("api-mifit.zepp.com"), Some(HostKind::Data));
        assert_eq!(host_kind("api-mifitx.zepp.com"), None);
        assert_eq!(host_kind("de.api.io.mi.com"), None);
        assert_eq!(host_kind("evil-huami.com"), None);
    }
}
