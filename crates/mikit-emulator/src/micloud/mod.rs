//! The Xiaomi account and the Mi Home cloud (reference `mi-cloud.md`).
//!
//! | host | served |
//! |---|---|
//! | `account.xiaomi.com`, `eu.account.xiaomi.com` | password login (`serviceLogin`, `serviceLoginAuth2`), captcha (`/pass/getCode`), two-factor (`/identity/*`), QR (`/longPolling/*`), passToken renewal (§2) |
//! | `sts.api.io.mi.com` | STS: body `ok` and the `serviceToken` cookie (§2.1 step 3) |
//! | `api.io.mi.com` (cn), `{de,us,ru,sg,i2}.api.io.mi.com` | the signed API under `/app` (§3, §3.1, §4): devices, homes, MIoT, `/home/rpc`, history, app endpoints |
//!
//! Accounts (all deterministic from the seed, listed in `info()["accounts"]`): `xiaomi`
//! (plain), `xiaomi_captcha` (every password login needs the captcha answer first),
//! `xiaomi_2fa_phone` and `xiaomi_2fa_email` (a code by phone or e-mail after the password).
//! The captcha answer and the 2FA codes are in `info()` too: this is a test product.
//!
//! The devices are the shared [`crate::device::Fleet`]: every account sees the whole fleet,
//! each device in its own region. MIoT calls act on the same [`crate::device::SimDevice`]
//! as its LAN server.
//!
//! # Layout
//!
//! | module | holds |
//! |---|---|
//! | `accounts` | [`MiCloudOptions`], the account table, token and ticket state |
//! | `login` | the account and STS hosts |
//! | `api` | API host: cookie check, nonce and signature verification, reply encryption, routing |
//! | `records` | device records (§6), homes and rooms, paging |
//! | `miot` | `/miotspec/prop/get`, `prop/set`, `action`, `/home/rpc`, LAN → cloud codes (§8) |
//! | `nonces` | replay protection: the nonces of accepted requests within the freshness window |
//! | `data` | device data, statistics, BLE beacon key and the app endpoints |

mod accounts;
mod api;
mod data;
mod login;
mod miot;
mod nonces;
mod records;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Map, Value, json};

use crate::device::Fleet;
use crate::server::{FaultScope, Reply, Request, Service};
use accounts::{Account, State};
pub use accounts::{AuthReply, MiCloudOptions, UnknownPathReply};

/// Regions served and their API hosts (reference §1: python-miio, XGW3 and the official
/// integration use `cn,de,i2,ru,sg,us`).
pub(crate) const REGIONS: [&str; 6] = ["cn", "de", "us", "ru", "sg", "i2"];

/// The region of an API host, if it is one.
pub(crate) fn region_of_host(host: &str) -> Option<&'static str> {
    if host == "api.io.mi.com" {
        return Some("cn");
    }
    let cc = host.strip_suffix(".api.io.mi.com")?;
    REGIONS.iter().copied().find(|r| *r == cc && *r != "cn")
}

/// The account, STS and API hosts of the Mi cloud.
pub struct MiCloud {
    seed: u64,
    options: MiCloudOptions,
    accounts: Vec<Account>,
    fleet: Arc<Fleet>,
    state: Mutex<State>,
}

impl std::fmt::Debug for MiCloud {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MiCloud")
            .field("accounts", &self.accounts.len())
            .field("devices", &self.fleet.devices().len())
            .finish_non_exhaustive()
    }
}

/// The user id of the Xiaomi account `key` (e.g. `xiaomi`) for `seed`.
pub(crate) fn xiaomi_user_id(seed: u64, key: &str) -> Option<String> {
    accounts::generate(seed)
        .into_iter()
        .find(|a| a.key == key)
        .map(|a| a.user_id)
}

impl MiCloud {
    /// The service for `seed`, serving `fleet`.
    pub fn new(seed: u64, options: MiCloudOptions, fleet: Arc<Fleet>) -> Self {
        Self {
            seed,
            accounts: accounts::generate(seed),
            options,
            fleet,
            state: Mutex::new(State::new(seed)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves maps of plain values; keep serving.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Forget every issued service token (they then answer like expired ones); passTokens stay,
    /// so clients renew without a password.
    pub fn expire_service_tokens(&self) {
        self.lock().service_tokens.clear();
    }

    /// Register a service token for the account `key` (e.g. `"xiaomi"`) with a chosen
    /// `ssecurity` (base64), as if STS had issued it: lets tests replay public vectors.
    /// Returns (userId, serviceToken), `None` for an unknown key.
    pub fn register_session(&self, key: &str, ssecurity: &str) -> Option<(String, String)> {
        let account = self.accounts.iter().position(|a| a.key == key)?;
        let mut st = self.lock();
        let token = st.token(172);
        st.service_tokens.insert(
            token.clone(),
            accounts::ServiceToken {
                account,
                ssecurity: ssecurity.to_owned(),
                issued: std::time::SystemTime::now(),
            },
        );
        Some((self.accounts[account].user_id.clone(), token))
    }

    /// The account with this login name (e-mail or numeric user id).
    fn account_by_user(&self, user: &str) -> Option<usize> {
        let user = user.trim();
        self.accounts
            .iter()
            .position(|a| a.email.eq_ignore_ascii_case(user) || a.user_id == user)
    }
}

impl Service for MiCloud {
    fn serves(&self, host: &str) -> bool {
        host == login::ACCOUNT_HOST
            || host == login::ACCOUNT_HOST_EU
            || host == login::STS_HOST
            || region_of_host(host).is_some()
    }

    fn fault_scope(&self, req: &Request) -> FaultScope {
        if region_of_host(&req.host).is_some() {
            FaultScope::All
        } else {
            // Login steps consume passwords, codes and single-use tickets: never fault them.
            FaultScope::None
        }
    }

    fn handle(&self, req: &Request) -> Reply {
        if let Some(region) = region_of_host(&req.host) {
            return api::handle(self, region, req);
        }
        if req.host == login::STS_HOST {
            return login::sts(self, req);
        }
        login::handle(self, req)
    }

    fn handle_async<'a>(
        &'a self,
        req: &'a Request,
    ) -> Option<Pin<Box<dyn Future<Output = Reply> + Send + 'a>>> {
        login::is_long_poll(req).then(|| Box::pin(login::long_poll(self, req)) as _)
    }

    fn expire(&self, req: &Request) -> Option<Reply> {
        region_of_host(&req.host)?;
        let token = req.cookie("serviceToken")?;
        self.lock().service_tokens.remove(&token)?;
        Some(api::auth_error(self))
    }

    fn accounts(&self) -> Map<String, Value> {
        self.accounts
            .iter()
            .map(|a| {
                let mut v = json!({
                    "user": a.email,
                    "email": a.email,
                    "password": a.password,
                    "user_id": a.user_id,
                    "login": a.mode.name(),
                });
                if let Some(o) = v.as_object_mut() {
                    match a.mode {
                        accounts::Mode::Captcha => {
                            o.insert("captcha".into(), a.captcha.clone().into());
                        }
                        accounts::Mode::Phone | accounts::Mode::Email => {
                            o.insert("code".into(), a.code.clone().into());
                        }
                        accounts::Mode::Plain => {}
                    }
                    o.insert(
                        "service_token_ttl_secs".into(),
                        self.options.service_token_ttl.as_secs().into(),
                    );
                }
                (a.key.to_owned(), v)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_map_to_regions() {
        assert_eq!(region_of_host("api.io.mi.com"), Some("cn"));
        assert_eq!(region_of_host("de.api.io.mi.com"), Some("de"));
        assert_eq!(region_of_host("i2.api.io.mi.com"), Some("i2"));
        assert_eq!(region_of_host("cn.api.io.mi.com"), None);
        assert_eq!(region_of_host("xx.api.io.mi.com"), None);
        assert_eq!(region_of_host("sts.api.io.mi.com"), None);
    }
}
