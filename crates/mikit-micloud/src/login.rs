//! The Xiaomi account login as a state machine the CLI drives.
//!
//! ```text
//! password(user, pw) ──► Done(Session)
//!        │          └──► NeedCaptcha{url} ── captcha_image(), answer_captcha(text) ──► (again)
//!        └──► NeedTwoFactor{methods} ── send_ticket(method) ──► NeedTicket{..} ── verify_ticket(code) ──► Done
//! qr_start() ──► QrLogin{login_url,..} ── qr_wait(&qr) ──► Session
//! refresh(&session) ──► Session            (passToken, no password)
//! ```
//!
//! Flows from reference §2: password (micloud `micloud/micloud.py`, XGW3
//! `core/xiaomi_cloud.py _service_login`, hass-xiaomi-miot `_login_step1/2/3`), two-factor
//! (XGW3 `_send_ticket/login_verify`, MiService `_verify_otp`), QR (openHAB
//! `MiCloudQRConnector.java`, tokens-extractor `tests/test_noninteractive_qr_acceptance.py`),
//! passToken renewal (XGW3 `login_token`, mijia-api `_get_location`).
//!
//! Every URL the flow requests, fixed or handed out by the server (STS `location`, redirect
//! targets, the QR long-poll URL), must be `https://` on a Xiaomi account or API host
//! ([`crate::hosts`]); anything else is refused before a byte is sent. Cookies live in a
//! store keyed by the *real* URL ([`crate::cookies`]): each request carries only the cookies
//! a browser would send to that host and path, the same against the real hosts and behind
//! the endpoint map.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mikit_core::http::{Deadline, Http, Response, RetryPolicy};
use mikit_core::{EndpointMap, Secret};
use reqwest::Method;
use reqwest::header::{COOKIE, LOCATION, USER_AGENT};
use serde_json::Value;
use url::Url;

use crate::Error;
use crate::account::{
    ACCOUNT_BASE, AccountReply, Credentials, STS_CALLBACK, absolute_account_url,
    extension_pragma_ssecurity, notification_context, parse_reply, strip_prefix,
};
use crate::cookies::LoginCookies;
use crate::crypto::password_hash;
use crate::hosts::check_login_url;
use crate::session::Session;
use crate::sign::{client_sign, random_bytes};

/// The `sdkVersion` cookie (one of the values real clients send; reference §2.1).
const SDK_VERSION: &str = "accountsdk-18.8.15";
/// Redirects followed at most while chasing an STS or 2FA location.
const MAX_REDIRECTS: usize = 8;

/// A second factor the account offers (identity `options`: 4 = phone, 8 = email).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TwoFactorMethod {
    /// A code by SMS (flag 4).
    Phone,
    /// A code by e-mail (flag 8).
    Email,
}

impl TwoFactorMethod {
    /// The identity flag.
    pub fn flag(self) -> u8 {
        match self {
            TwoFactorMethod::Phone => 4,
            TwoFactorMethod::Email => 8,
        }
    }
    fn from_flag(flag: i64) -> Option<Self> {
        match flag {
            4 => Some(TwoFactorMethod::Phone),
            8 => Some(TwoFactorMethod::Email),
            _ => None,
        }
    }
    fn noun(self) -> &'static str {
        match self {
            TwoFactorMethod::Phone => "Phone",
            TwoFactorMethod::Email => "Email",
        }
    }
}

/// What the login needs next.
#[derive(Debug)]
#[must_use]
pub enum LoginStep {
    /// Logged in.
    Done(Session),
    /// A captcha must be solved: show [`LoginFlow::captcha_image`], then call
    /// [`LoginFlow::answer_captcha`].
    NeedCaptcha {
        /// The absolute captcha image URL.
        url: String,
    },
    /// A second factor is needed: call [`LoginFlow::send_ticket`] with one of `methods`.
    NeedTwoFactor {
        /// The methods the account offers (preferred first).
        methods: Vec<TwoFactorMethod>,
    },
    /// A code was sent: call [`LoginFlow::verify_ticket`] with it.
    NeedTicket {
        /// Where it was sent.
        method: TwoFactorMethod,
        /// The masked phone number or address, if the server told.
        masked_target: Option<String>,
    },
}

/// A started QR login.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QrLogin {
    /// URL of a PNG of the QR code.
    pub image_url: String,
    /// The URL the QR code encodes (render it yourself, or open it on the phone).
    pub login_url: String,
    /// The long-poll URL that answers once the code was scanned.
    pub poll_url: String,
    /// Seconds the code stays valid.
    pub timeout_secs: u64,
}

/// A captcha image.
#[derive(Clone, Debug)]
pub struct CaptchaImage {
    /// The image bytes.
    pub bytes: Vec<u8>,
    /// The `Content-Type`, if sent.
    pub content_type: Option<String>,
}

#[derive(Clone, Debug)]
struct PasswordState {
    user: String,
    hash: Secret,
    sign: String,
    qs: String,
    callback: String,
}

#[derive(Clone, Debug)]
enum State {
    Start,
    CaptchaForPassword {
        pw: PasswordState,
        url: String,
    },
    TwoFactor {
        methods: Vec<TwoFactorMethod>,
    },
    CaptchaForTicket {
        method: TwoFactorMethod,
        url: String,
    },
    Ticket {
        method: TwoFactorMethod,
    },
}

/// The login state machine. One flow per login attempt.
#[derive(Debug)]
pub struct LoginFlow {
    http: Http,
    sid: String,
    device_id: String,
    user_agent: String,
    cookies: LoginCookies,
    state: State,
}

impl LoginFlow {
    /// A flow for `sid=xiaomiio` over a new client for `endpoints`.
    pub fn new(endpoints: EndpointMap) -> Result<Self, Error> {
        let http = Http::builder().endpoints(endpoints).build()?;
        Ok(Self::with_http(http))
    }

    /// A flow over an existing client (its deadline and body limit apply). The flow keeps
    /// its own cookie store and sends the app's `User-Agent`; a client built with
    /// `.cookies(true)` would add a second, unscoped jar: build it without.
    pub fn with_http(http: Http) -> Self {
        Self {
            http,
            sid: "xiaomiio".to_owned(),
            device_id: random_device_id(),
            user_agent: user_agent(),
            cookies: LoginCookies::new(),
            state: State::Start,
        }
    }

    /// Use another service id (e.g. `micoapi`); the STS step then must be signed.
    pub fn sid(mut self, sid: impl Into<String>) -> Self {
        self.sid = sid.into();
        self
    }

    /// Use a fixed `deviceId` cookie (e.g. the one a stored session was made with).
    pub fn device_id(mut self, id: impl Into<String>) -> Self {
        self.device_id = id.into();
        self
    }

    // ------------------------------------------------------------------ password

    /// Start a password login.
    pub async fn password(&mut self, user: &str, password: &Secret) -> Result<LoginStep, Error> {
        self.state = State::Start;
        let reply = self.service_login().await?;
        if let Some(creds) = reply.credentials() {
            return self.finish(creds).await.map(LoginStep::Done);
        }
        let pw = PasswordState {
            user: user.to_owned(),
            hash: Secret::new(password_hash(password.expose())),
            sign: reply.sign.clone().unwrap_or_default(),
            qs: reply
                .qs
                .clone()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| format!("%3Fsid%3D{}%26_json%3Dtrue", self.sid)),
            callback: reply
                .callback
                .clone()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| STS_CALLBACK.to_owned()),
        };
        self.auth2(pw, None).await
    }

    /// Download the pending captcha image (and keep the `ick` cookie it sets).
    pub async fn captcha_image(&mut self) -> Result<CaptchaImage, Error> {
        let url = match &self.state {
            State::CaptchaForPassword { url, .. } | State::CaptchaForTicket { url, .. } => {
                url.clone()
            }
            _ => {
                return Err(Error::WrongLoginState {
                    called: "captcha_image",
                    needs: "a pending captcha",
                });
            }
        };
        let resp = self.get(&url).await?;
        if !resp.status.is_success() {
            return Err(Error::AccountReply {
                endpoint: "/pass/getCode".into(),
                reason: format!("HTTP {}", resp.status.as_u16()),
            });
        }
        Ok(CaptchaImage {
            content_type: resp.header("content-type").map(str::to_owned),
            bytes: resp.body,
        })
    }

    /// Answer the pending captcha.
    pub async fn answer_captcha(&mut self, answer: &str) -> Result<LoginStep, Error> {
        match std::mem::replace(&mut self.state, State::Start) {
            State::CaptchaForPassword { pw, .. } => self.auth2(pw, Some(answer)).await,
            State::CaptchaForTicket { method, .. } => self.send_ticket_inner(method, answer).await,
            other => {
                self.state = other;
                Err(Error::WrongLoginState {
                    called: "answer_captcha",
                    needs: "a pending captcha",
                })
            }
        }
    }

    /// `POST /pass/serviceLoginAuth2`.
    async fn auth2(
        &mut self,
        pw: PasswordState,
        captcha: Option<&str>,
    ) -> Result<LoginStep, Error> {
        let url = format!("{ACCOUNT_BASE}/pass/serviceLoginAuth2");
        let mut form: Vec<(&str, String)> = vec![
            ("_json", "true".into()),
            ("sid", self.sid.clone()),
            ("callback", pw.callback.clone()),
            ("qs", pw.qs.clone()),
            ("_sign", pw.sign.clone()),
            ("user", pw.user.clone()),
            ("hash", pw.hash.expose().clone()),
            ("_dc", now_ms().to_string()),
        ];
        if let Some(code) = captcha {
            form.push(("captCode", code.to_owned()));
        }
        let resp = self.post(&url, &form).await?;
        let reply = parse_reply("/pass/serviceLoginAuth2", &resp.body)?;
        if let Some(creds) = reply.credentials() {
            return self.finish(creds).await.map(LoginStep::Done);
        }
        if reply.code() == 87001 {
            let url = absolute_account_url(
                reply
                    .captcha_url()
                    .unwrap_or("/pass/getCode?icodeType=login"),
            );
            self.state = State::CaptchaForPassword {
                pw,
                url: url.clone(),
            };
            return Ok(LoginStep::NeedCaptcha { url });
        }
        if reply.code() == 81003 || (reply.code() == 0 && reply.notification_url().is_some()) {
            let Some(notification) = reply.notification_url() else {
                return Err(Error::TwoFactorRequired);
            };
            return self.two_factor_start(notification.to_owned()).await;
        }
        if reply.code() == 0 {
            return Err(Error::AccountReply {
                endpoint: "/pass/serviceLoginAuth2".into(),
                reason: "success without ssecurity, userId or location".into(),
            });
        }
        Err(reply.error())
    }

    // ------------------------------------------------------------------ two-factor

    async fn two_factor_start(&mut self, notification_url: String) -> Result<LoginStep, Error> {
        let context = notification_context(&notification_url).unwrap_or_default();
        let mut url = url::Url::parse(&format!("{ACCOUNT_BASE}/identity/list"))
            .map_err(|e| Error::InvalidArgument(e.to_string()))?;
        url.query_pairs_mut()
            .append_pair("sid", &self.sid)
            .append_pair("supportedMask", "0")
            .append_pair("context", &context);
        let resp = self.get(url.as_str()).await?;
        let v = parse_value("/identity/list", &resp.body)?;
        let mut methods: Vec<TwoFactorMethod> = Vec::new();
        if let Some(m) = v
            .get("flag")
            .and_then(Value::as_i64)
            .and_then(TwoFactorMethod::from_flag)
        {
            methods.push(m);
        }
        for m in v
            .get("options")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_i64)
            .filter_map(TwoFactorMethod::from_flag)
        {
            if !methods.contains(&m) {
                methods.push(m);
            }
        }
        if methods.is_empty() {
            return Err(Error::TwoFactorFailed {
                step: "identity list",
                code: v.get("code").and_then(Value::as_i64).unwrap_or(-1),
                description: describe_value(&v),
            });
        }
        self.state = State::TwoFactor {
            methods: methods.clone(),
        };
        Ok(LoginStep::NeedTwoFactor { methods })
    }

    /// Ask the account server to send a code by `method`.
    pub async fn send_ticket(&mut self, method: TwoFactorMethod) -> Result<LoginStep, Error> {
        match &self.state {
            State::TwoFactor { methods } if methods.contains(&method) => {}
            State::Ticket { .. } => {}
            _ => {
                return Err(Error::WrongLoginState {
                    called: "send_ticket",
                    needs: "a two-factor step offering this method",
                });
            }
        }
        self.send_ticket_inner(method, "").await
    }

    async fn send_ticket_inner(
        &mut self,
        method: TwoFactorMethod,
        icode: &str,
    ) -> Result<LoginStep, Error> {
        let noun = method.noun();
        let verify = format!(
            "{ACCOUNT_BASE}/identity/auth/verify{noun}?_flag={}&_json=true",
            method.flag()
        );
        let resp = self.get(&verify).await?;
        let info = parse_value("/identity/auth/verify", &resp.body)?;
        let masked_target = info
            .get("maskedPhone")
            .or_else(|| info.get("maskedEmail"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let send = format!("{ACCOUNT_BASE}/identity/auth/send{noun}Ticket");
        let form = [
            ("retry", "0".to_owned()),
            ("icode", icode.to_owned()),
            ("_json", "true".to_owned()),
        ];
        let resp = self.post(&send, &form).await?;
        let v = parse_value("/identity/auth/sendTicket", &resp.body)?;
        let code = v.get("code").and_then(Value::as_i64).unwrap_or(0);
        if code == 0 {
            self.state = State::Ticket { method };
            return Ok(LoginStep::NeedTicket {
                method,
                masked_target,
            });
        }
        if let Some(captcha) = v
            .get("captchaUrl")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        {
            let url = absolute_account_url(captcha);
            self.state = State::CaptchaForTicket {
                method,
                url: url.clone(),
            };
            return Ok(LoginStep::NeedCaptcha { url });
        }
        self.state = State::TwoFactor {
            methods: vec![method],
        };
        Err(Error::TwoFactorFailed {
            step: "send ticket",
            code,
            description: describe_value(&v),
        })
    }

    /// Check the code the user received; on success the login completes.
    pub async fn verify_ticket(&mut self, ticket: &str) -> Result<LoginStep, Error> {
        let State::Ticket { method } = self.state.clone() else {
            return Err(Error::WrongLoginState {
                called: "verify_ticket",
                needs: "a sent code",
            });
        };
        let url = format!(
            "{ACCOUNT_BASE}/identity/auth/verify{}?_dc={}",
            method.noun(),
            now_ms()
        );
        let form = [
            ("_flag", method.flag().to_string()),
            ("ticket", ticket.trim().to_owned()),
            ("trust", "false".to_owned()),
            ("_json", "true".to_owned()),
        ];
        let resp = self.post(&url, &form).await?;
        let v = parse_value("/identity/auth/verify", &resp.body)?;
        let code = v.get("code").and_then(Value::as_i64).unwrap_or(0);
        let location = v
            .get("location")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty());
        let (0, Some(location)) = (code, location) else {
            return Err(Error::TwoFactorFailed {
                step: "verify ticket",
                code,
                description: describe_value(&v),
            });
        };
        // Following the location sets passToken and userId cookies.
        let location = absolute_account_url(location);
        self.follow(&location).await?;
        self.state = State::Start;
        let reply = self.service_login().await?;
        match reply.credentials() {
            Some(creds) => self.finish(creds).await.map(LoginStep::Done),
            None => Err(Error::LoginRejected {
                code: reply.code(),
                description: reply.describe(),
            }),
        }
    }

    // ------------------------------------------------------------------ QR

    /// Start a QR login: show `login_url` (or `image_url`) to the user, then call
    /// [`LoginFlow::qr_wait`].
    pub async fn qr_start(&mut self) -> Result<QrLogin, Error> {
        let mut url = url::Url::parse(&format!("{ACCOUNT_BASE}/longPolling/loginUrl"))
            .map_err(|e| Error::InvalidArgument(e.to_string()))?;
        url.query_pairs_mut()
            .append_pair("_qrsize", "240")
            .append_pair("qs", &format!("?sid={}&_json=true", self.sid))
            .append_pair("callback", STS_CALLBACK)
            .append_pair("_hasLogo", "false")
            .append_pair("sid", &self.sid)
            .append_pair("serviceParam", "")
            .append_pair("_locale", "en_US")
            .append_pair("_dc", &now_ms().to_string());
        let resp = self.get(url.as_str()).await?;
        let v = parse_value("/longPolling/loginUrl", &resp.body)?;
        let field = |name: &str| {
            v.get(name)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        };
        let (Some(login_url), Some(poll_url)) = (field("loginUrl"), field("lp")) else {
            let code = v.get("code").and_then(Value::as_i64).unwrap_or(-1);
            return Err(crate::account::code_error(code, &describe_value(&v), None));
        };
        Ok(QrLogin {
            image_url: field("qr").unwrap_or_default().to_owned(),
            login_url: login_url.to_owned(),
            poll_url: poll_url.to_owned(),
            timeout_secs: v.get("timeout").and_then(Value::as_u64).unwrap_or(300),
        })
    }

    /// Wait (long poll) until the QR code is scanned and confirmed, then finish the login.
    pub async fn qr_wait(&mut self, qr: &QrLogin) -> Result<Session, Error> {
        // The long poll answers when the phone confirms: it has its own deadline, the QR
        // code's lifetime, instead of the client's.
        let timeout = Duration::from_secs(qr.timeout_secs.clamp(1, 900) + 15);
        let url = check_login_url(&qr.poll_url)?;
        let cookie = self.cookie_header(&url);
        let result = self
            .http
            .with_deadline(Deadline::PerRequest(timeout))
            .send_with(RetryPolicy::none(), Method::GET, url.as_str(), |rb| {
                rb.header(COOKIE, cookie.as_str())
                    .header(USER_AGENT, self.user_agent.as_str())
                    .timeout(timeout)
            })
            .await;
        let resp = match result {
            Ok(r) => r,
            Err(mikit_core::Error::TimedOut { .. }) => return Err(Error::QrExpired),
            Err(mikit_core::Error::Transport { reason, .. }) if reason.starts_with("timed out") => {
                return Err(Error::QrExpired);
            }
            Err(e) => return Err(e.into()),
        };
        self.cookies.absorb(&resp.headers, &url);
        if !resp.status.is_success() {
            return Err(Error::QrExpired);
        }
        let reply = parse_reply("/longPolling/login", &resp.body)?;
        match reply.credentials() {
            Some(creds) => self.finish(creds).await,
            None if reply.code() == 0 => Err(Error::AccountReply {
                endpoint: "/longPolling/login".into(),
                reason: "success without ssecurity, userId or location".into(),
            }),
            None => Err(Error::QrExpired),
        }
    }

    // ------------------------------------------------------------------ passToken

    /// Renew the service token of `session` with its passToken (no password).
    pub async fn refresh(&mut self, session: &Session) -> Result<Session, Error> {
        self.device_id = session.device_id.clone();
        self.sid = session.sid.clone();
        // As the account server set them: for account.xiaomi.com only.
        let account =
            Url::parse(ACCOUNT_BASE).map_err(|e| Error::InvalidArgument(e.to_string()))?;
        self.cookies.set(&account, "userId", &session.user_id);
        self.cookies.set(&account, "passToken", &session.pass_token);
        let reply = self.service_login().await?;
        match reply.credentials() {
            Some(creds) => self.finish(creds).await,
            None if reply.code() == 70016 || reply.code() == 0 => Err(Error::PassTokenExpired),
            None => Err(reply.error()),
        }
    }

    // ------------------------------------------------------------------ shared steps

    /// `GET /pass/serviceLogin?sid=..&_json=true` with the jar's cookies.
    async fn service_login(&mut self) -> Result<AccountReply, Error> {
        let url = format!(
            "{ACCOUNT_BASE}/pass/serviceLogin?sid={}&_json=true",
            self.sid
        );
        let resp = self.get(&url).await?;
        parse_reply("/pass/serviceLogin", &resp.body)
    }

    /// STS: fetch the service token, build the session.
    async fn finish(&mut self, creds: Credentials) -> Result<Session, Error> {
        let Credentials {
            user_id,
            c_user_id,
            mut ssecurity,
            pass_token,
            location,
            nonce,
        } = creds;
        let mut url = url::Url::parse(&location).map_err(|_| Error::Sts {
            status: 0,
            reason: "the STS location is not a URL".into(),
        })?;
        if let Some(nonce) = &nonce {
            url.query_pairs_mut()
                .append_pair("clientSign", &client_sign(nonce, &ssecurity));
        }
        let pass_token = if pass_token.is_empty() {
            self.cookies.produced("passToken").unwrap_or_default()
        } else {
            pass_token
        };
        // The STS host gets only the cookies scoped to it (none of the account's): the
        // location itself carries the ticket, nonce and clientSign.
        let (resp, pragma) = self.follow(url.as_str()).await?;
        if let Some(s) = pragma.filter(|_| ssecurity.is_empty()) {
            ssecurity = s;
        }
        let service_token = self
            .cookies
            .produced("serviceToken")
            .ok_or_else(|| Error::Sts {
                status: resp.status.as_u16(),
                reason: "no serviceToken cookie in the reply".into(),
            })?;
        let c_user_id = if c_user_id.is_empty() {
            self.cookies.produced("cUserId").unwrap_or_default()
        } else {
            c_user_id
        };
        Ok(Session {
            user_id,
            c_user_id,
            pass_token,
            ssecurity,
            service_token,
            sid: self.sid.clone(),
            device_id: self.device_id.clone(),
            obtained_at: now_ms() / 1000,
        })
    }

    /// GET `url`, following redirects by hand; returns the last reply and any
    /// `extension-pragma` ssecurity seen.
    async fn follow(&mut self, url: &str) -> Result<(Response, Option<Secret>), Error> {
        let mut current = url.to_owned();
        let mut pragma = None;
        for _ in 0..MAX_REDIRECTS {
            let resp = self.get(&current).await?;
            if let Some(s) = extension_pragma_ssecurity(&resp.headers) {
                pragma = Some(s);
            }
            let next = resp
                .status
                .is_redirection()
                .then(|| resp.header(LOCATION.as_str()))
                .flatten()
                .map(str::to_owned);
            match next {
                Some(loc) => {
                    let base = url::Url::parse(&current).map_err(|_| Error::Sts {
                        status: resp.status.as_u16(),
                        reason: "bad redirect URL".into(),
                    })?;
                    current = base
                        .join(&loc)
                        .map_err(|_| Error::Sts {
                            status: resp.status.as_u16(),
                            reason: "bad redirect target".into(),
                        })?
                        .to_string();
                }
                None => return Ok((resp, pragma)),
            }
        }
        Err(Error::Sts {
            status: 0,
            reason: format!("more than {MAX_REDIRECTS} redirects"),
        })
    }

    /// GET the real URL `url` (checked against [`crate::hosts`]) with its scoped cookies.
    async fn get(&mut self, url: &str) -> Result<Response, Error> {
        let url = check_login_url(url)?;
        let cookie = self.cookie_header(&url);
        let resp = self
            .http
            .send(Method::GET, url.as_str(), |rb| {
                rb.header(COOKIE, cookie.as_str())
                    .header(USER_AGENT, self.user_agent.as_str())
            })
            .await?;
        self.cookies.absorb(&resp.headers, &url);
        Ok(resp)
    }

    /// POST a form to the real URL `url` (checked) with its scoped cookies.
    async fn post(&mut self, url: &str, form: &[(&str, String)]) -> Result<Response, Error> {
        let url = check_login_url(url)?;
        let cookie = self.cookie_header(&url);
        // Login posts are not retried: a code or a captcha answer is single-use.
        let resp = self
            .http
            .send_with(RetryPolicy::none(), Method::POST, url.as_str(), |rb| {
                rb.header(COOKIE, cookie.as_str())
                    .header(USER_AGENT, self.user_agent.as_str())
                    .form(form)
            })
            .await?;
        self.cookies.absorb(&resp.headers, &url);
        Ok(resp)
    }

    /// `sdkVersion` and `deviceId` (not secret; real clients set them for the Xiaomi
    /// domains, reference §2.1), then the stored cookies that match `url`.
    fn cookie_header(&self, url: &Url) -> String {
        let mut header = format!("sdkVersion={SDK_VERSION}; deviceId={}", self.device_id);
        if let Some(stored) = self.cookies.header_for(url) {
            header.push_str("; ");
            header.push_str(&stored);
        }
        header
    }
}

fn parse_value(endpoint: &str, body: &[u8]) -> Result<Value, Error> {
    serde_json::from_slice(strip_prefix(body)).map_err(|e| Error::AccountReply {
        endpoint: endpoint.to_owned(),
        reason: crate::error::json_reason(&e),
    })
}

fn describe_value(v: &Value) -> String {
    ["description", "desc", "msg", "message"]
        .iter()
        .find_map(|k| v.get(*k).and_then(Value::as_str).filter(|s| !s.is_empty()))
        .unwrap_or("")
        .chars()
        .take(200)
        .collect()
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// A random 16-letter `deviceId` cookie (clients send 6–16 random characters).
fn random_device_id() -> String {
    let mut out = String::with_capacity(16);
    for byte in random_bytes().into_iter().chain(random_bytes()) {
        out.push(char::from(b'a' + byte % 26));
    }
    out
}

/// The Android app User-Agent real clients send (micloud, openHAB, hass-xiaomi-miot;
/// reference §3 "User-Agent formats"), with a random 13-character agent id.
pub fn user_agent() -> String {
    let id: String = random_bytes()
        .into_iter()
        .chain(random_bytes())
        .take(13)
        .map(|b| char::from(b'A' + b % 6))
        .collect();
    format!("Android-7.1.1-1.0.0-ONEPLUS A3010-136-{id} APP/xiaomi.smarthome APPV/62830")
}
