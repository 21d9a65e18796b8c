//! The other ways in (reference `huami-cloud.md` §3.3, §3.5, §3.6): a Xiaomi-account OAuth
//! code, an app token pasted from the web app, and renewing a stored session with its login
//! token instead of sending the password again.
//!
//! Rate limits on any of these come back as [`Error::RateLimited`] (with the server's
//! `Retry-After` when it sent one); nothing here retries a login.

use mikit_core::Secret;
use mikit_core::http::{Http, RetryPolicy};
use reqwest::Method;
use reqwest::header::CONTENT_TYPE;
use serde_json::Value;

use crate::account::{self, GLOBAL_DATA_HOST, choose_data_host, parse_app_token};
use crate::client::{APP_TOKENS_URL, HuamiClient, QueryType};
use crate::credentials;
use crate::error::Error;
use crate::login::{CLIENT_LOGIN_URLS, DEFAULT_APP_NAME, with_retry_after};
use crate::session::Session;

/// `renew_login_token` (MIMO `renew_login_token` uses `account-cn3.zepp.com`; the same path on
/// the non-CN account host).
pub const RENEW_LOGIN_TOKEN_URL: &str = "https://account.huami.com/v1/client/renew_login_token";
const FORM: &str = "application/x-www-form-urlencoded; charset=UTF-8";
/// `dn` of the app-token mint and renewal (MIMO).
const DN: &str = "api-user.huami.com,api-mifit.huami.com,app-analytics.huami.com";

/// Which app's Xiaomi OAuth client to use (reference §3.3 table).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum XiaomiApp {
    /// Mi Fit / Zepp Life (`client_id=428135909242707968`, `third_name=xiaomi-hm-mifit`;
    /// MICW `mifit_code_to_apptoken.py`, SSC `pkg/zepp/auth.go`).
    #[default]
    ZeppLife,
    /// Zepp (Amazfit) (`client_id=2882303761517383915`, `third_name=mi-watch`; HT-old
    /// `urls.py`).
    Zepp,
}

impl XiaomiApp {
    /// The Xiaomi OAuth `client_id`.
    pub fn client_id(self) -> &'static str {
        match self {
            Self::ZeppLife => "428135909242707968",
            Self::Zepp => "2882303761517383915",
        }
    }

    /// The `third_name` of the token exchange.
    pub fn third_name(self) -> &'static str {
        match self {
            Self::ZeppLife => "xiaomi-hm-mifit",
            Self::Zepp => "mi-watch",
        }
    }

    fn redirect_uri(self) -> &'static str {
        match self {
            // The `_not` suffix makes the browser stop on an error page whose address holds
            // the code (MICW).
            Self::ZeppLife => "https://api-mifit-cn.huami.com/huami.health.loginview.do_not",
            Self::Zepp => "https://hm.xiaomi.com/watch.do",
        }
    }

    fn pt(self) -> &'static str {
        match self {
            Self::ZeppLife => "1",
            Self::Zepp => "0",
        }
    }

    /// The authorize URL to open in a browser (reference §3.3). After signing in, the
    /// browser lands on the redirect address carrying `code=…`; paste that address (or the
    /// code) into [`parse_pasted_code`].
    pub fn authorize_url(self) -> String {
        format!(
            "https://account.xiaomi.com/oauth2/authorize?{}",
            credentials::urlencode(&[
                ("skip_confirm", "false"),
                ("client_id", self.client_id()),
                ("pt", self.pt()),
                ("scope", "1 6000 16001 20000"),
                ("redirect_uri", self.redirect_uri()),
                ("_locale", "en_US"),
                ("response_type", "code"),
            ])
        )
    }
}

/// The OAuth code from what the user pasted: the whole redirect address (its `code` query
/// parameter) or the bare code (e.g. `ALSG_CLOUDSRV_…`).
pub fn parse_pasted_code(text: &str) -> Result<Secret, Error> {
    let t = text.trim();
    let bad = |why: &str| {
        Error::InvalidInput(format!(
            "{why}; paste the whole address the browser shows after signing in (it contains \
             code=…), or just the code"
        ))
    };
    if t.is_empty() {
        return Err(bad("nothing was pasted"));
    }
    let code = if t.contains("://") || t.contains('?') || t.contains("code=") {
        let query = t.split_once('?').map_or(t, |(_, q)| q);
        let query = query.split('#').next().unwrap_or(query);
        let mut code = None;
        let mut error = None;
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            match k.as_ref() {
                "code" if !v.is_empty() => code = Some(v.into_owned()),
                "error" | "error_description" => {
                    error = Some(v.chars().take(60).collect::<String>())
                }
                _ => {}
            }
        }
        match (code, error) {
            (Some(c), _) => c,
            (None, Some(e)) => {
                return Err(bad(&format!(
                    "the address carries no code but the error {e:?} (the sign-in was refused or cancelled)"
                )));
            }
            (None, None) => return Err(bad("the pasted address has no code=… parameter")),
        }
    } else {
        t.to_owned()
    };
    if code.chars().any(|c| c.is_whitespace() || c.is_control()) || code.len() > 4096 {
        return Err(bad("the code contains spaces or is too long"));
    }
    Ok(Secret::new(code))
}

/// The fully automated variant of reference §3.3 (SSC `pkg/zepp/auth.go`): with the cookies
/// of a Xiaomi account session (`userId`, `passToken`, e.g. from `mikit-micloud`'s password
/// login), request the app's authorize address without following its redirect and take the
/// code from the `Location`. [`Error::XiaomiSessionRejected`] when the account host sends the
/// sign-in page instead.
pub async fn xiaomi_code_from_session(
    http: &Http,
    app: XiaomiApp,
    user_id: &Secret,
    pass_token: &Secret,
) -> Result<Secret, Error> {
    let cookie = Secret::new(format!(
        "userId={}; passToken={}",
        user_id.expose(),
        pass_token.expose()
    ));
    let resp = http
        .send_with(
            RetryPolicy::none(),
            Method::GET,
            &app.authorize_url(),
            |rb| rb.header(reqwest::header::COOKIE, cookie.expose().as_str()),
        )
        .await?;
    let status = resp.status.as_u16();
    if !(300..400).contains(&status) {
        return Err(Error::UnexpectedStatus {
            during: "Xiaomi authorize",
            status,
        });
    }
    let location = resp.header("location").unwrap_or_default();
    let to_app = location
        .split('?')
        .next()
        .is_some_and(|base| base == app.redirect_uri());
    if !to_app {
        return Err(Error::XiaomiSessionRejected);
    }
    parse_pasted_code(location).map_err(|_| Error::XiaomiSessionRejected)
}

/// Options of a Xiaomi-account login.
#[derive(Clone, Debug)]
pub struct XiaomiLogin {
    /// Which app's OAuth client issued the code.
    pub app: XiaomiApp,
    /// `app_name` of the token exchange (default [`DEFAULT_APP_NAME`], reference §13.2).
    pub app_name: String,
    /// `country_code` posted (SSC: "country CN is OK"; default `CN`).
    pub country_code: String,
    /// A data host that overrides the one the login chooses.
    pub data_host: Option<String>,
}

impl Default for XiaomiLogin {
    fn default() -> Self {
        Self {
            app: XiaomiApp::default(),
            app_name: DEFAULT_APP_NAME.to_owned(),
            country_code: "CN".to_owned(),
            data_host: None,
        }
    }
}

/// Exchange a Xiaomi OAuth code at `/v2/client/login` (`grant_type=request_token`, the
/// app's `third_name`; reference §3.3, §3.4) and build a [`Session`]. The code is
/// single-use and sent to one host only (another host only after a 404 or a failed
/// connection). A Mi account the Huami service does not know answers 0117:
/// [`Error::AccountNotRegistered`], whose message says to sign in once in the app.
pub async fn login_xiaomi(
    http: &Http,
    code: &Secret,
    opts: &XiaomiLogin,
) -> Result<Session, Error> {
    if let Some(h) = opts
        .data_host
        .as_deref()
        .filter(|h| !account::is_data_host(h))
    {
        return Err(Error::InvalidInput(format!(
            "{h:?} is not a Huami data host (expected api-mifit….huami.com or api-mifit….zepp.com)"
        )));
    }
    // Field set: MICW `mifit_code_to_apptoken.py` and SSC `pkg/zepp/auth.go`.
    let body = Secret::new(credentials::urlencode(&[
        ("app_name", opts.app_name.as_str()),
        ("app_version", "6.14.0"),
        ("code", code.expose()),
        ("country_code", opts.country_code.as_str()),
        ("device_id", "02:00:00:00:00:00"),
        ("device_model", "phone"),
        (
            "dn",
            "api-mifit.zepp.com,api-user.zepp.com,api-mifit.huami.com,api-user.huami.com",
        ),
        ("grant_type", "request_token"),
        ("third_name", opts.app.third_name()),
        ("allow_registration", "false"),
        ("source", "com.xiaomi.hm.health:6.14.0:50818"),
        ("lang", "en"),
    ]));
    let mut last = None;
    for url in CLIENT_LOGIN_URLS {
        let sent = http
            .send_with(RetryPolicy::none(), Method::POST, url, |rb| {
                rb.header("app_name", opts.app_name.as_str())
                    .header("appname", opts.app_name.as_str())
                    .header(CONTENT_TYPE, FORM)
                    .body(body.expose().clone())
            })
            .await;
        match sent {
            Ok(resp) if resp.status.as_u16() == 404 => {
                last = Some(Error::UnexpectedStatus {
                    during: "token exchange",
                    status: 404,
                });
            }
            Ok(resp) => {
                let tokens = account::parse_client_login(resp.status.as_u16(), &resp.body)
                    .map_err(|e| with_retry_after(e, &resp))?;
                let answer: Value = serde_json::from_slice(&resp.body).unwrap_or(Value::Null);
                let email = answer["thirdparty_info"]["email"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                let data_host = choose_data_host(
                    opts.data_host.as_deref(),
                    tokens.data_host_cname.as_deref(),
                    tokens.region.as_deref(),
                );
                return Ok(Session {
                    user_id: tokens.user_id,
                    login_token: tokens.login_token,
                    app_token: tokens.app_token,
                    data_host,
                    country_code: tokens
                        .country_code
                        .unwrap_or_else(|| opts.country_code.clone()),
                    region: tokens.region,
                    app_name: opts.app_name.clone(),
                    email,
                    obtained_at: jiff::Timestamp::now().as_second(),
                });
            }
            Err(e) => last = Some(e.into()),
        }
    }
    Err(last.unwrap_or(Error::UnexpectedStatus {
        during: "token exchange",
        status: 0,
    }))
}

/// An app token copied from the web app (reference §3.5), with its user id.
#[derive(Clone, Debug)]
pub struct PastedToken {
    /// The `apptoken`.
    pub app_token: Secret,
    /// The numeric user id.
    pub user_id: String,
    /// The data host, when known.
    pub data_host: Option<String>,
}

/// Read a pasted token: the value of the web cookie `hm-user-login-info` (JSON with
/// `token_info {user_id, app_token}`, ZB `commands/login.rs`), or a bare `apptoken` with
/// the `user_id` given separately (ROLANDSZ, EVAN: copy `apptoken` and `userid`).
pub fn parse_pasted_token(text: &str, user_id: Option<&str>) -> Result<PastedToken, Error> {
    let t = text.trim();
    if t.is_empty() {
        return Err(Error::InvalidInput(
            "no token was given; copy the apptoken cookie (or the hm-user-login-info cookie) \
             from the web app after signing in"
                .into(),
        ));
    }
    let decoded;
    let json_text = if t.starts_with('%') {
        decoded = url::form_urlencoded::parse(format!("x={t}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        decoded.as_str()
    } else {
        t
    };
    let (token, uid) = if json_text.starts_with('{') {
        let v: Value = serde_json::from_str(json_text).map_err(|_| {
            Error::InvalidInput("the pasted cookie looks like JSON but does not parse".into())
        })?;
        let ti = v.get("token_info").unwrap_or(&v);
        let token = ti
            .get("app_token")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                Error::InvalidInput("the pasted cookie has no token_info.app_token".into())
            })?;
        let uid = match ti.get("user_id") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        (token.to_owned(), uid)
    } else {
        (t.to_owned(), None)
    };
    if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::InvalidInput(
            "the token contains spaces; copy only the apptoken value".into(),
        ));
    }
    let user_id = uid
        .or_else(|| user_id.map(|u| u.trim().to_owned()))
        .filter(|u| !u.is_empty() && u.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| {
            Error::InvalidInput(
                "the numeric user id is needed with a bare token (the userid cookie of the web app, \
                 or the number in /users/<id>/ of its requests)"
                    .into(),
            )
        })?;
    Ok(PastedToken {
        app_token: Secret::new(token),
        user_id,
        data_host: None,
    })
}

/// Data hosts tried for a pasted token without a host: the generic host, then the regional
/// ones of reference §1.2 (ZB tries the region hosts in turn).
const TOKEN_HOSTS: [&str; 4] = [
    GLOBAL_DATA_HOST,
    "api-mifit-de2.zepp.com",
    "api-mifit-us2.zepp.com",
    "api-mifit-cn.huami.com",
];

/// Validate a pasted token with one cheap authenticated call (a `band_data.json` summary of
/// today) and build a [`Session`] from it. The session has no login token, so it cannot be
/// renewed: when the app token expires (~30 days) the user pastes a new one.
pub async fn session_from_token(http: &Http, pasted: &PastedToken) -> Result<Session, Error> {
    let hosts: Vec<String> = match &pasted.data_host {
        Some(h) if account::is_data_host(h) => vec![h.clone()],
        Some(h) => {
            return Err(Error::InvalidInput(format!(
                "{h:?} is not a Huami data host (expected api-mifit….huami.com or api-mifit….zepp.com)"
            )));
        }
        None => TOKEN_HOSTS.iter().map(|h| (*h).to_owned()).collect(),
    };
    let today = jiff::Zoned::now().date();
    let mut last = None;
    for host in hosts {
        let session = Session {
            user_id: pasted.user_id.clone(),
            login_token: Secret::new(String::new()),
            app_token: pasted.app_token.clone(),
            data_host: host.clone(),
            country_code: String::new(),
            region: None,
            app_name: DEFAULT_APP_NAME.to_owned(),
            email: String::new(),
            obtained_at: jiff::Timestamp::now().as_second(),
        };
        let client = HuamiClient::new(http.clone(), session);
        match client.band_data(QueryType::Summary, today, today).await {
            Ok(_) => return Ok(client.session().await),
            Err(Error::WrongRegion { .. }) => last = Some(Error::WrongRegion { host }),
            Err(Error::SessionExpired | Error::InvalidToken) => {
                return Err(Error::TokenRejected { host });
            }
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or(Error::TokenRejected {
        host: GLOBAL_DATA_HOST.to_owned(),
    }))
}

/// Renew a stored session without the password (reference §3.6, MIMO's caching ladder): mint
/// a new app token from the login token (`/v1/client/app_tokens`), then renew the login
/// token (`/v1/client/renew_login_token`; attested only by CN tools, so a refusal there keeps
/// the old login token). [`Error::SessionExpired`] when the login token is refused or
/// absent (a pasted-token session): only then is a password login needed.
pub async fn renew(http: &Http, session: &Session) -> Result<Session, Error> {
    if session.login_token.is_empty() {
        return Err(Error::SessionExpired);
    }
    let lt = session.login_token.expose().as_str();
    let resp = http
        .send(Method::GET, APP_TOKENS_URL, |rb| {
            rb.query(&[
                ("app_name", session.app_name.as_str()),
                ("dn", DN),
                ("login_token", lt),
            ])
        })
        .await?;
    if resp.status.as_u16() == 429 {
        return Err(with_retry_after(
            Error::RateLimited {
                during: "token renewal",
                retry_after_secs: None,
            },
            &resp,
        ));
    }
    let app_token =
        parse_app_token(resp.status.as_u16(), &resp.body).ok_or(Error::SessionExpired)?;
    let mut out = session.clone();
    out.app_token = app_token;
    out.obtained_at = jiff::Timestamp::now().as_second();
    let now_ms = (jiff::Timestamp::now().as_millisecond()).to_string();
    let resp = http
        .send(Method::GET, RENEW_LOGIN_TOKEN_URL, |rb| {
            // Query of MIMO `renew_login_token`.
            rb.query(&[
                ("os_version", "v0.8.1"),
                ("dn", DN),
                ("login_token", lt),
                ("source", "com.xiaomi.hm.health:6.14.0:50818"),
                ("timestamp", now_ms.as_str()),
            ])
        })
        .await;
    match resp {
        Ok(r) => match parse_login_token(r.status.as_u16(), &r.body) {
            Some(new) => out.login_token = new,
            None => tracing::debug!("huami: renew_login_token refused; keeping the login token"),
        },
        Err(e) => {
            tracing::debug!(error = %e, "huami: renew_login_token failed; keeping the login token")
        }
    }
    Ok(out)
}

/// `{"result":"ok","token_info":{"login_token":…}}` (MIMO `renew_login_token`).
fn parse_login_token(status: u16, body: &[u8]) -> Option<Secret> {
    if status != 200 {
        return None;
    }
    let v: Value = serde_json::from_slice(body).ok()?;
    if v.get("error_code").is_some() {
        return None;
    }
    v.get("token_info")?
        .get("login_token")?
        .as_str()
        .filter(|s| !s.is_empty())
        .map(|s| Secret::new(s.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorize_urls_of_the_reference() {
        let u = XiaomiApp::ZeppLife.authorize_url();
        assert!(u.starts_with("https://account.xiaomi.com/oauth2/authorize?skip_confirm=false&client_id=428135909242707968&pt=1&scope=1+6000+16001+20000&redirect_uri=https%3A%2F%2Fapi-mifit-cn.huami.com%2Fhuami.health.loginview.do_not"), "{u}");
        assert!(u.ends_with("response_type=code"));
        let z = XiaomiApp::Zepp.authorize_url();
        assert!(z.contains("client_id=2882303761517383915&pt=0"));
        assert!(z.contains("redirect_uri=https%3A%2F%2Fhm.xiaomi.com%2Fwatch.do"));
    }

    #[test]
    fn pasted_codes() {
        let c = parse_pasted_code(
            "  https://api-mifit-cn.huami.com/huami.health.loginview.do_not?code=ALSG_CLOUDSRV_abc%2B1&state=x\n",
        )
        .unwrap();
        assert_eq!(c.expose(), "ALSG_CLOUDSRV_abc+1");
        assert_eq!(
            parse_pasted_code("ALSG_CLOUDSRV_x").unwrap().expose(),
            "ALSG_CLOUDSRV_x"
        );
        for bad in [
            "",
            "  ",
            "https://x/?state=1",
            "a b",
            "https://x/?error=access_denied",
        ] {
            let e = parse_pasted_code(bad).unwrap_err();
            assert!(e.to_string().contains("paste"), "{e}");
        }
    }

    #[test]
    fn pasted_tokens() {
        let t = parse_pasted_token(r#"{"token_info":{"user_id":"123","app_token":"AT"}}"#, None)
            .unwrap();
        assert_eq!(
            (t.user_id.as_str(), t.app_token.expose().as_str()),
            ("123", "AT")
        );
        let t = parse_pasted_token(
            "%7B%22token_info%22%3A%7B%22user_id%22%3A5%2C%22app_token%22%3A%22Q%22%7D%7D",
            None,
        )
        .unwrap();
        assert_eq!(t.user_id, "5");
        let t = parse_pasted_token("TOKEN", Some(" 77 ")).unwrap();
        assert_eq!(t.user_id, "77");
        assert!(parse_pasted_token("TOKEN", None).is_err());
        assert!(parse_pasted_token("", Some("1")).is_err());
        assert!(parse_pasted_token("a b", Some("1")).is_err());
        assert!(parse_pasted_token("{", Some("1")).is_err());
        assert!(
            !format!("{:?}", parse_pasted_token("SECRET-T", Some("1")).unwrap())
                .contains("SECRET-T")
        );
    }

    #[test]
    fn retry_after_values() {
        use crate::login::parse_retry_after;
        assert_eq!(parse_retry_after(" 120 "), Some(120));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(0));
        let later = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(3600);
        let http_date = jiff::fmt::rfc2822::DateTimePrinter::new()
            .timestamp_to_rfc9110_string(&later)
            .unwrap();
        let secs = parse_retry_after(&http_date).unwrap();
        assert!((3590..=3600).contains(&secs), "{secs}");
        assert_eq!(parse_retry_after("soon"), None);
        let e = Error::RateLimited {
            during: "token exchange",
            retry_after_secs: Some(90),
        };
        let text = e.to_string();
        assert!(text.contains("limits logins per network address"), "{text}");
        assert!(text.contains("try again after 90 seconds (at "), "{text}");
        let e = Error::RateLimited {
            during: "band data",
            retry_after_secs: None,
        };
        assert!(e.to_string().contains("rate-limiting band data"));
    }

    #[test]
    fn login_token_answer() {
        assert_eq!(
            parse_login_token(200, br#"{"result":"ok","token_info":{"login_token":"N"}}"#)
                .unwrap()
                .expose(),
            "N"
        );
        assert!(parse_login_token(200, br#"{"error_code":"0102"}"#).is_none());
    }
}
