//! The login flow over HTTP: credentials → single-use access code → `/v2/client/login` →
//! [`Session`] (reference `huami-cloud.md` §3.1, §3.2, §3.4, §13.4), and logout (§3.6).
//!
//! The protocol pieces (bodies, redirect and answer parsing) are pure functions in
//! [`crate::credentials`] and [`crate::account`]; this module only sends them.

use std::time::Duration;

use mikit_core::Secret;
use mikit_core::http::{Http, RetryPolicy};
use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, USER_AGENT};

use crate::account::{self, choose_data_host, parse_client_login};
use crate::credentials::{self, AccessGrant, parse_redirect};
use crate::error::Error;
use crate::session::Session;

/// v2 credential endpoint (HT-new `constants.py`, MIMO `zepp_helper.py`).
pub const V2_TOKENS_URL: &str = "https://api-user.zepp.com/v2/registrations/tokens";
/// `/v2/client/login` hosts in the order tried (reference §13.4 decision).
pub const CLIENT_LOGIN_URLS: [&str; 2] = [
    "https://account.huami.com/v2/client/login",
    "https://api-mifit-us2.zepp.com/v2/client/login",
];
/// Logout endpoint (HT-new `zepp.py`).
pub const LOGOUT_URL: &str = "https://api-mifit-us2.zepp.com/v1/client/logout";
/// The default `app_name` of the token exchange: does not evict the phone app's login
/// (JSOLAN `docs/01-login.md`, reference §13.2).
pub const DEFAULT_APP_NAME: &str = "com.huami.webapp";
/// How many times the whole login is tried on transport errors.
const LOGIN_ATTEMPTS: u32 = 3;

const FORM: &str = "application/x-www-form-urlencoded; charset=UTF-8";
/// The Zepp app fingerprint of HT-new `HEADERS.ZEPP_TOKENS` (cosmetic, reference §2.1).
const ZEPP_UA: &str = "Zepp/9.12.5 (Pixel 4; Android 12; Density/2.75)";

/// Which credential endpoint to use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LoginMethod {
    /// AES-encrypted form to `api-user.zepp.com` (current; reference §3.2).
    #[default]
    V2,
    /// Plain form to `api-user.huami.com` (legacy, often rate-limited; reference §3.1).
    V1,
}

/// Everything a login needs. The password is a [`Secret`].
#[derive(Clone, Debug)]
pub struct LoginRequest {
    /// Email, or phone number (`+<country><number>`; digits only means `+86…`, the
    /// mimotion convention).
    pub account: String,
    /// The password.
    pub password: Secret,
    /// Which credential endpoint.
    pub method: LoginMethod,
    /// `app_name` of the token exchange (default [`DEFAULT_APP_NAME`]).
    pub app_name: String,
    /// A data host that overrides the one the login chooses (e.g. `api-mifit-de2.zepp.com`).
    pub data_host: Option<String>,
    /// `device_id` sent to the token exchange (any value works, reference §3.4).
    pub device_id: String,
}

impl LoginRequest {
    /// A v2 login with the defaults.
    pub fn new(account: impl Into<String>, password: Secret) -> Self {
        Self {
            account: account.into(),
            password,
            method: LoginMethod::V2,
            app_name: DEFAULT_APP_NAME.to_owned(),
            data_host: None,
            device_id: "02:00:00:00:00:00".to_owned(),
        }
    }
    /// Use this credential endpoint.
    pub fn method(mut self, method: LoginMethod) -> Self {
        self.method = method;
        self
    }
    /// Use this `app_name` for the token exchange.
    pub fn app_name(mut self, app_name: impl Into<String>) -> Self {
        self.app_name = app_name.into();
        self
    }
    /// Override the data host.
    pub fn data_host(mut self, host: impl Into<String>) -> Self {
        self.data_host = Some(host.into());
        self
    }
    /// True when the account is a phone number.
    pub fn is_phone(&self) -> bool {
        let a = self.account.trim();
        let digits = a.strip_prefix('+').unwrap_or(a);
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    }
    /// The account as sent: phones get `+86` when given without a `+` (mimotion `main.py`).
    pub fn wire_account(&self) -> String {
        let a = self.account.trim();
        if self.is_phone() && !a.starts_with('+') {
            format!("+86{a}")
        } else {
            a.to_owned()
        }
    }
}

/// Log in: run the credential step, exchange the access code, and build a [`Session`].
///
/// The access code is single-use, so no request is retried on its own; the whole flow is
/// tried up to three times when the transport fails.
pub async fn login(http: &Http, req: &LoginRequest) -> Result<Session, Error> {
    if let Some(h) = req
        .data_host
        .as_deref()
        .filter(|h| !account::is_data_host(h))
    {
        return Err(Error::InvalidInput(format!(
            "{h:?} is not a Huami data host (expected api-mifit….huami.com or api-mifit….zepp.com)"
        )));
    }
    let mut attempt = 0;
    loop {
        attempt += 1;
        match login_once(http, req).await {
            Err(e) if e.is_transport() && attempt < LOGIN_ATTEMPTS => {
                tracing::debug!(attempt, error = %e, "huami login: transport error, starting over");
                tokio::time::sleep(Duration::from_millis(300 * u64::from(attempt))).await;
            }
            other => return other,
        }
    }
}

async fn login_once(http: &Http, req: &LoginRequest) -> Result<Session, Error> {
    let grant = match req.method {
        LoginMethod::V2 => credentials_v2(http, req).await?,
        LoginMethod::V1 => credentials_v1(http, req).await?,
    };
    let tokens = client_login(http, req, &grant).await?;
    let region = grant.region.clone().or(tokens.region.clone());
    let data_host = choose_data_host(
        req.data_host.as_deref(),
        tokens.data_host_cname.as_deref(),
        region.as_deref(),
    );
    Ok(Session {
        user_id: tokens.user_id,
        login_token: tokens.login_token,
        app_token: tokens.app_token,
        data_host,
        country_code: country_of(&grant).to_owned(),
        region,
        app_name: req.app_name.clone(),
        email: req.account.trim().to_owned(),
        obtained_at: jiff::Timestamp::now().as_second(),
    })
}

/// The country code posted to the token exchange: always the redirect's (reference §13.4;
/// huami-token issue #72 failed posting `US` for a `DE` account).
fn country_of(grant: &AccessGrant) -> &str {
    grant.country_code.as_deref().unwrap_or("US")
}

async fn credentials_v2(http: &Http, req: &LoginRequest) -> Result<AccessGrant, Error> {
    let body = credentials::encrypt_v2_body(
        credentials::v2_form(&req.wire_account(), &req.password).as_bytes(),
    );
    let resp = http
        .send_with(RetryPolicy::none(), Method::POST, V2_TOKENS_URL, |rb| {
            // Headers of HT-new `HEADERS.ZEPP_TOKENS`; `x-hm-ekv: 1` marks the AES body.
            rb.header("app_name", "com.huami.midong")
                .header("appname", "com.huami.midong")
                .header("appplatform", "android_phone")
                .header("v", "2.0")
                .header("x-hm-ekv", "1")
                .header(USER_AGENT, ZEPP_UA)
                .header(CONTENT_TYPE, FORM)
                .body(body.clone())
        })
        .await?;
    parse_redirect(resp.status.as_u16(), resp.header("location"), &resp.body)
        .map_err(|e| with_retry_after(e, &resp))
}

async fn credentials_v1(http: &Http, req: &LoginRequest) -> Result<AccessGrant, Error> {
    let account: String = url::form_urlencoded::byte_serialize(req.wire_account().as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    let url = format!("https://api-user.huami.com/registrations/{account}/tokens");
    let body = credentials::v1_form(&req.password);
    let resp = http
        .send_with(RetryPolicy::none(), Method::POST, &url, |rb| {
            rb.header(CONTENT_TYPE, FORM).body(body.clone())
        })
        .await?;
    parse_redirect(resp.status.as_u16(), resp.header("location"), &resp.body)
        .map_err(|e| with_retry_after(e, &resp))
}

/// Attach the answer's `Retry-After` (seconds, or an HTTP date) to a rate-limit error. The
/// login is never retried on a rate limit: the service limits logins per network address
/// (reference §2.3, §7.3), so another attempt only extends the block.
pub(crate) fn with_retry_after(e: Error, resp: &mikit_core::http::Response) -> Error {
    match e {
        Error::RateLimited { during, .. } => Error::RateLimited {
            during,
            retry_after_secs: resp.header("retry-after").and_then(parse_retry_after),
        },
        other => other,
    }
}

/// A `Retry-After` value: delta seconds, or an HTTP date (RFC 9110 §10.2.3) turned into
/// seconds from now (0 when already past).
pub fn parse_retry_after(value: &str) -> Option<u64> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(secs);
    }
    let at = jiff::fmt::rfc2822::parse(v).ok()?.timestamp();
    let secs = at.as_second() - jiff::Timestamp::now().as_second();
    Some(u64::try_from(secs).unwrap_or(0))
}

/// `dn` of the token exchange (MICW `mifit_api.py`).
const DN: &str = "account.huami.com,api-user.huami.com,app-analytics.huami.com,api-watch.huami.com,api-analytics.huami.com,api-mifit.huami.com";

async fn client_login(
    http: &Http,
    req: &LoginRequest,
    grant: &AccessGrant,
) -> Result<account::LoginTokens, Error> {
    let phone = req.is_phone();
    let body = credentials::urlencode(&[
        ("app_name", req.app_name.as_str()),
        ("app_version", "9.12.5"),
        ("code", grant.access.expose()),
        ("country_code", country_of(grant)),
        ("device_id", req.device_id.as_str()),
        (
            "device_model",
            if phone { "phone" } else { "android_phone" },
        ),
        ("dn", DN),
        ("grant_type", "access_token"),
        ("allow_registration", "false"),
        ("source", "com.huami.watch.hmwatchmanager:9.12.5:151689"),
        ("third_name", if phone { "huami_phone" } else { "huami" }),
        ("lang", "en"),
    ]);
    let body = Secret::new(body);
    let mut last = None;
    for url in CLIENT_LOGIN_URLS {
        // The code is single-use: never retried blindly on one host.
        let sent = http
            .send_with(RetryPolicy::none(), Method::POST, url, |rb| {
                rb.header("app_name", req.app_name.as_str())
                    .header("appname", req.app_name.as_str())
                    .header(CONTENT_TYPE, FORM)
                    .body(body.expose().clone())
            })
            .await;
        match sent {
            Ok(resp) if resp.status.as_u16() == 404 => {
                tracing::debug!(url, "huami token exchange: 404, trying the next host");
                last = Some(Error::UnexpectedStatus {
                    during: "token exchange",
                    status: 404,
                });
            }
            Ok(resp) => {
                return parse_client_login(resp.status.as_u16(), &resp.body)
                    .map_err(|e| with_retry_after(e, &resp));
            }
            Err(e) => {
                tracing::debug!(url, error = %e, "huami token exchange: transport error, trying the next host");
                last = Some(e.into());
            }
        }
    }
    // Invariant: CLIENT_LOGIN_URLS is not empty, so `last` is set; fall back defensively.
    Err(last.unwrap_or(Error::UnexpectedStatus {
        during: "token exchange",
        status: 0,
    }))
}

/// Revoke the session's login token (`POST /v1/client/logout`, answer `{"result":"ok"}`).
pub async fn logout(http: &Http, session: &Session) -> Result<(), Error> {
    // `os_verison=vnull` (sic) as HT-new `zepp.py` sends it.
    let body = Secret::new(credentials::urlencode(&[
        ("login_token", session.login_token.expose()),
        ("os_verison", "vnull"),
    ]));
    let resp = http
        .send(Method::POST, LOGOUT_URL, |rb| {
            rb.header(CONTENT_TYPE, FORM).body(body.expose().clone())
        })
        .await?;
    let ok = resp.status.is_success()
        && serde_json::from_slice::<serde_json::Value>(&resp.body)
            .ok()
            .is_some_and(|v| v.get("result").and_then(|r| r.as_str()) == Some("ok"));
    if ok {
        Ok(())
    } else if resp.status.is_success() {
        Err(Error::BadResponse {
            during: "logout",
            reason: "the server did not answer result=ok".into(),
        })
    } else {
        Err(Error::UnexpectedStatus {
            during: "logout",
            status: resp.status.as_u16(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_accounts() {
        let r = LoginRequest::new("13800000000", Secret::from("x"));
        assert!(r.is_phone());
        assert_eq!(r.wire_account(), "+8613800000000");
        let r = LoginRequest::new("+4915112345678", Secret::from("x"));
        assert_eq!(r.wire_account(), "+4915112345678");
        let r = LoginRequest::new("a@b.c", Secret::from("x"));
        assert!(!r.is_phone());
        assert_eq!(r.wire_account(), "a@b.c");
    }

    #[test]
    fn request_debug_hides_the_password() {
        let r = LoginRequest::new("a@b.c", Secret::from("hunter2-secret"));
        assert!(!format!("{r:?}").contains("hunter2-secret"));
    }
}
