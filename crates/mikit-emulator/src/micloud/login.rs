//! The account host (`account.xiaomi.com`) and the STS host (`sts.api.io.mi.com`).
//!
//! Flows and bodies from reference §2 and the "emulator must" list of §12: every JSON body
//! starts with `&&&START&&&`; `serviceLogin` answers `70016` without a valid
//! `passToken`+`userId` cookie (the body of openHAB#18898) and credentials with one (XGW3
//! `login_token`); `serviceLoginAuth2` checks `hash == MD5(password)` in upper-case hex and
//! the echoed `_sign`, answers `87001` + `captchaUrl` (extractor#129), `81003` +
//! `notificationUrl` or `70016` (extractor#125); the identity endpoints follow XGW3
//! `_send_ticket/login_verify`; QR follows openHAB `MiCloudQRConnector.java` and the
//! tokens-extractor fake server `tests/test_noninteractive_qr_acceptance.py`; STS answers `ok`
//! with the cookies (XGW3 asserts `== b"ok"`) and checks `clientSign` when sent (MiService).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hyper::header::{CONTENT_TYPE, HeaderName, HeaderValue, SET_COOKIE};
use hyper::{Method, StatusCode};
use mikit_core::Secret;
use serde_json::{Value, json};

use super::MiCloud;
use super::accounts::{Identity, Mode, QrTicket, ServiceToken, State, StsTicket};
use crate::server::{Reply, Request};

/// The account host.
pub(crate) const ACCOUNT_HOST: &str = "account.xiaomi.com";
/// The European account host seen in QR URLs (python-miio PR #2089).
pub(crate) const ACCOUNT_HOST_EU: &str = "eu.account.xiaomi.com";
/// The STS host of `sid=xiaomiio`.
pub(crate) const STS_HOST: &str = "sts.api.io.mi.com";
/// The STS callback.
const CALLBACK: &str = "https://sts.api.io.mi.com/sts";
/// The prefix of every account JSON body (reference §2).
const PREFIX: &str = "&&&START&&&";
/// "Login verification failed", the real `70016` text (openHAB#18898, extractor#125).
const LOGIN_FAILED: &str = "登录验证失败";
/// "Captcha input wrong", the real `87001` text (extractor#129).
const CAPTCHA_WRONG: &str = "验证码输入错误";
/// Step of the long-poll wait loop.
const POLL_STEP: Duration = Duration::from_millis(50);

fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0)
}

/// An account JSON body: `&&&START&&&` + JSON.
fn account_json(value: &Value) -> Reply {
    Reply::json_bytes(StatusCode::OK, format!("{PREFIX}{value}"))
}

fn cookie(reply: &mut Reply, name: &str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(&format!("{name}={value}; Path=/; HttpOnly")) {
        reply.headers.push((SET_COOKIE, v));
    }
}

/// Query and (for POST) form parameters, query first.
fn params(req: &Request) -> Vec<(String, String)> {
    let mut p = req.query_pairs();
    if req.method == Method::POST {
        p.extend(req.form());
    }
    p
}

fn param<'a>(p: &'a [(String, String)], name: &str) -> Option<&'a str> {
    p.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// `qs` for a service id, URL-encoded as the server sends it.
fn qs(sid: &str) -> String {
    format!("%3Fsid%3D{sid}%26_json%3Dtrue")
}

impl MiCloud {
    /// `_sign`: an opaque per-sid value the client must echo (real ones look like
    /// `0psXfr43eNI0IX6q9Suk3qWbRqU=`, a base64 SHA-1).
    fn sign(&self, sid: &str) -> String {
        mikit_micloud::crypto::b64(&mikit_micloud::crypto::sha1(
            format!("{}|{sid}|{CALLBACK}", self.seed).as_bytes(),
        ))
    }

    /// The `70016` "not logged in / rejected" body (reference §2.1, openHAB#18898).
    ///
    /// `serviceLogin`'s answer (`step_one`) carries `serviceParam` and the login page as
    /// `location`; `serviceLoginAuth2`'s has neither (extractor#125, #129).
    fn rejected(
        &self,
        sid: &str,
        code: i64,
        desc: &str,
        captcha_url: Option<&str>,
        step_one: bool,
    ) -> Value {
        let location = if step_one {
            format!(
                "https://{ACCOUNT_HOST}/fe/service/login?_json=true&sid={sid}&qs={}&callback={}&_sign={}",
                qs(sid),
                url_encode(CALLBACK),
                url_encode(&self.sign(sid))
            )
        } else {
            String::new()
        };
        let mut body = serde_json::Map::new();
        if step_one {
            body.insert(
                "serviceParam".into(),
                "{\"checkSafePhone\":false,\"checkSafeAddress\":false,\"lsrp_score\":0.0}".into(),
            );
        }
        let rest = json!({
            "qs": qs(sid),
            "code": code,
            "description": desc,
            "securityStatus": 0,
            "_sign": self.sign(sid),
            "sid": sid,
            "result": "error",
            "captchaUrl": captcha_url,
            "callback": CALLBACK,
            "location": location,
            "pwd": 0,
            "child": 0,
            "desc": desc,
        });
        if let Value::Object(rest) = rest {
            body.extend(rest);
        }
        Value::Object(body)
    }

    /// A success body with credentials and a fresh STS `location` (reference §2.1 step 2).
    fn credentials(
        &self,
        st: &mut State,
        account: usize,
        pass_token: &str,
        sid: &str,
        device_id: &str,
    ) -> Value {
        let a = &self.accounts[account];
        let ssecurity = st.ssecurity();
        let psecurity = st.ssecurity();
        let nonce = st.nonce();
        let auth = st.token(40);
        st.sts.insert(
            auth.clone(),
            StsTicket {
                account,
                ssecurity: ssecurity.clone(),
                nonce: nonce.clone(),
            },
        );
        let ssign = mikit_micloud::crypto::b64(&mikit_micloud::crypto::sha1(auth.as_bytes()));
        let location = format!(
            "{CALLBACK}?d={}&ticket=0&pwd=1&p_ts={}&fid=0&p_lm=1&auth={auth}&m=1&_group=DEFAULT&tsl=0&p_ca=0&p_ur=DE&p_idc=Europe&nonce={nonce}&_ssign={}",
            url_encode(device_id),
            now_ms(),
            url_encode(&ssign)
        );
        // userId and nonce are numbers in real replies (reference §2.1).
        let user_id: Value = a
            .user_id
            .parse::<u64>()
            .map_or_else(|_| a.user_id.clone().into(), Value::from);
        let nonce_num: Value = nonce
            .parse::<u64>()
            .map_or_else(|_| nonce.clone().into(), Value::from);
        json!({
            "qs": qs(sid),
            "ssecurity": ssecurity,
            "code": 0,
            "passToken": pass_token,
            "description": "成功",
            "securityStatus": 0,
            "nonce": nonce_num,
            "userId": user_id,
            "cUserId": a.c_user_id,
            "result": "ok",
            "psecurity": psecurity,
            "captchaUrl": null,
            "location": location,
            "pwd": 1,
            "child": 0,
            "desc": "成功",
        })
    }

    /// A new passToken for `account`.
    fn issue_pass_token(&self, st: &mut State, account: usize) -> String {
        let t = format!("V1:{}", st.token(120));
        st.pass_tokens.insert(t.clone(), account);
        t
    }

    /// The account of a valid `passToken` + `userId` cookie pair.
    fn cookie_account(&self, st: &State, req: &Request) -> Option<usize> {
        let pass = req.cookie("passToken")?;
        let user = req.cookie("userId")?;
        let account = *st.pass_tokens.get(&pass)?;
        (self.accounts[account].user_id == user).then_some(account)
    }
}

fn url_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Route an account-host request.
pub(crate) fn handle(cloud: &MiCloud, req: &Request) -> Reply {
    let p = params(req);
    match (req.method.clone(), req.path.as_str()) {
        (Method::GET, "/pass/serviceLogin") => service_login(cloud, req, &p),
        (Method::POST, "/pass/serviceLoginAuth2") => auth2(cloud, req, &p),
        (Method::GET, "/pass/getCode") => captcha_image(cloud),
        (Method::GET, "/fe/service/identity/authStart") => html(
            "<html><body>Verify your identity in the Mi Home app flow (emulated).</body></html>",
        ),
        (Method::GET, "/identity/list") => identity_list(cloud, &p),
        (Method::GET, path) if path.starts_with("/identity/auth/verify") => {
            verify_info(cloud, req, path)
        }
        (Method::POST, path) if path.starts_with("/identity/auth/send") => {
            send_ticket(cloud, req, path)
        }
        (Method::POST, path) if path.starts_with("/identity/auth/verify") => {
            verify_ticket(cloud, req, path, &p)
        }
        (Method::GET, "/identity/result/check") => result_check(cloud, &p),
        (Method::GET, "/longPolling/loginUrl") => qr_start(cloud, &p),
        (Method::GET, "/longPolling/qr") => qr_image(&p),
        (Method::GET, "/longPolling/login") => qr_confirm(cloud, req, &p),
        (Method::GET, "/oauth2/authorize") => oauth_authorize(cloud, req, &p),
        _ => Reply::not_found(),
    }
}

fn redirect(location: &str) -> Reply {
    let mut r = Reply::empty(StatusCode::FOUND);
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers.push((hyper::header::LOCATION, v));
    }
    r
}

/// `GET /oauth2/authorize?client_id=…&redirect_uri=…&response_type=code…` (huami-cloud.md
/// §3.3): a browser signed in to the Xiaomi account (cookies `passToken` + `userId`) is sent
/// on to `redirect_uri?code=ALSG_CLOUDSRV_…` (HT-old and MICW copy the code from there); a
/// browser not signed in is sent to the sign-in page first. Only the two Huami app clients
/// of the reference are known here.
fn oauth_authorize(cloud: &MiCloud, req: &Request, p: &[(String, String)]) -> Reply {
    let client_id = param(p, "client_id").unwrap_or_default();
    let Some(redirect_uri) = param(p, "redirect_uri").filter(|r| r.starts_with("https://")) else {
        return html("<html><body>invalid_request: redirect_uri</body></html>");
    };
    if param(p, "response_type") != Some("code") || crate::oauth::third_name(client_id).is_none() {
        return html("<html><body>invalid_client</body></html>");
    }
    let mut st = cloud.lock();
    let Some(account) = cloud.cookie_account(&st, req) else {
        let back = format!(
            "https://{ACCOUNT_HOST}{}?{}",
            req.path,
            req.query.as_deref().unwrap_or_default()
        );
        return redirect(&format!(
            "https://{ACCOUNT_HOST}/pass/serviceLogin?sid=oauth2.0&callback={}",
            url_encode(&back)
        ));
    };
    let nonce = crate::rng::label(&st.token(16));
    drop(st);
    let code = crate::oauth::issue(
        cloud.seed,
        &cloud.accounts[account].user_id,
        client_id,
        nonce,
    );
    let sep = if redirect_uri.contains('?') { '&' } else { '?' };
    let mut location = format!("{redirect_uri}{sep}code={}", url_encode(&code));
    if let Some(state) = param(p, "state") {
        location.push_str(&format!("&state={}", url_encode(state)));
    }
    redirect(&location)
}

fn html(text: &'static str) -> Reply {
    let mut r = Reply::empty(StatusCode::OK);
    r.headers.push((
        CONTENT_TYPE,
        HeaderValue::from_static("text/html;charset=UTF-8"),
    ));
    r.body = text.into();
    r
}

/// `GET /pass/serviceLogin?sid=…&_json=true`.
fn service_login(cloud: &MiCloud, req: &Request, p: &[(String, String)]) -> Reply {
    let sid = param(p, "sid").unwrap_or("xiaomiio");
    let device_id = req.cookie("deviceId").unwrap_or_default();
    let mut st = cloud.lock();
    match cloud.cookie_account(&st, req) {
        Some(account) => {
            let pass = req.cookie("passToken").unwrap_or_default();
            let body = cloud.credentials(&mut st, account, &pass, sid, &device_id);
            account_json(&body)
        }
        None => account_json(&cloud.rejected(sid, 70016, LOGIN_FAILED, None, true)),
    }
}

/// `POST /pass/serviceLoginAuth2`.
fn auth2(cloud: &MiCloud, req: &Request, p: &[(String, String)]) -> Reply {
    let sid = param(p, "sid").unwrap_or("xiaomiio");
    let device_id = req.cookie("deviceId").unwrap_or_default();
    let wrong = || account_json(&cloud.rejected(sid, 70016, LOGIN_FAILED, None, false));
    if param(p, "_sign") != Some(cloud.sign(sid).as_str()) {
        return wrong();
    }
    let (Some(user), Some(hash)) = (param(p, "user"), param(p, "hash")) else {
        return wrong();
    };
    let Some(account) = cloud.account_by_user(user) else {
        return wrong();
    };
    let a = &cloud.accounts[account];
    let mut st = cloud.lock();
    if a.mode == Mode::Captcha {
        // The captcha is checked before the password, with the `ick` cookie of the image.
        let ick_ok = req.cookie("ick").is_some_and(|ick| st.icks.remove(&ick));
        let answer_ok = param(p, "captCode").is_some_and(|c| c.trim() == a.captcha);
        if !(ick_ok && answer_ok) {
            let n = st.nonce();
            let url = format!("/pass/getCode?icodeType=login&0.{n}");
            return account_json(&cloud.rejected(sid, 87001, CAPTCHA_WRONG, Some(&url), false));
        }
    }
    // Upper-case hex MD5, exactly (reference §2.1 step 2; vectors.json set2.password_hash).
    let expected = mikit_micloud::crypto::password_hash(&a.password);
    if hash != expected {
        return wrong();
    }
    match a.mode {
        Mode::Plain | Mode::Captcha => {
            let pass = cloud.issue_pass_token(&mut st, account);
            account_json(&cloud.credentials(&mut st, account, &pass, sid, &device_id))
        }
        Mode::Phone | Mode::Email => {
            let context = st.token(48);
            st.contexts.insert(context.clone(), account);
            let mut body = cloud.rejected(sid, 81003, "需要二次验证", None, false);
            if let Some(o) = body.as_object_mut() {
                o.insert("securityStatus".into(), 16.into());
                o.insert(
                    "notificationUrl".into(),
                    format!(
                        "https://{ACCOUNT_HOST}/fe/service/identity/authStart?sid={sid}&context={context}&_locale=en_US"
                    )
                    .into(),
                );
            }
            account_json(&body)
        }
    }
}

/// `GET /pass/getCode`: the captcha image (an SVG showing the answer, since the emulator's
/// captcha only has to be readable) and the `ick` cookie the answer must come with.
fn captcha_image(cloud: &MiCloud) -> Reply {
    let answer = cloud
        .accounts
        .iter()
        .find(|a| a.mode == Mode::Captcha)
        .map(|a| a.captcha.clone())
        .unwrap_or_default();
    let ick = {
        let mut st = cloud.lock();
        let ick = st.token(32);
        st.icks.insert(ick.clone());
        ick
    };
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"160\" height=\"50\"><rect width=\"160\" height=\"50\" fill=\"#eee\"/><text x=\"20\" y=\"34\" font-size=\"28\" font-family=\"monospace\">{answer}</text></svg>"
    );
    let mut r = Reply::empty(StatusCode::OK);
    r.headers
        .push((CONTENT_TYPE, HeaderValue::from_static("image/svg+xml")));
    cookie(&mut r, "ick", &ick);
    r.body = svg.into();
    r
}

/// `GET /identity/list?sid=…&supportedMask=0&context=…` → `{"code":2,"flag","options"}` and
/// the `identity_session` cookie (XGW3 `_send_ticket`).
fn identity_list(cloud: &MiCloud, p: &[(String, String)]) -> Reply {
    let mut st = cloud.lock();
    let Some(&account) = param(p, "context").and_then(|c| st.contexts.get(c)) else {
        // [inferred] an unknown or used context: the session of the verification is gone.
        return account_json(
            &json!({"code": 70016, "description": LOGIN_FAILED, "desc": LOGIN_FAILED}),
        );
    };
    let flag = cloud.accounts[account].mode.flag().unwrap_or(4);
    let session = st.token(40);
    st.identities.insert(
        session.clone(),
        Identity {
            account,
            sent: false,
        },
    );
    let mut r = account_json(&json!({"code": 2, "flag": flag, "options": [flag]}));
    cookie(&mut r, "identity_session", &session);
    r
}

/// The method (`Phone`/`Email`) named at the end of an identity path, and its flag.
fn identity_method(path: &str) -> Option<i64> {
    if path.ends_with("Phone") || path.ends_with("PhoneTicket") {
        Some(4)
    } else if path.ends_with("Email") || path.ends_with("EmailTicket") {
        Some(8)
    } else {
        None
    }
}

/// The verification of the request's `identity_session` cookie, if it matches the path's method.
fn identity(cloud: &MiCloud, st: &State, req: &Request, path: &str) -> Option<(String, usize)> {
    let session = req.cookie("identity_session")?;
    let id = st.identities.get(&session)?;
    let flag = identity_method(path)?;
    (cloud.accounts[id.account].mode.flag() == Some(flag)).then_some((session, id.account))
}

/// [inferred] The answer to a verification step without a valid session.
fn no_identity() -> Reply {
    account_json(&json!({"code": 70016, "description": LOGIN_FAILED, "desc": LOGIN_FAILED}))
}

/// `GET /identity/auth/verifyPhone|verifyEmail?_flag=…&_json=true` → the masked target.
fn verify_info(cloud: &MiCloud, req: &Request, path: &str) -> Reply {
    let st = cloud.lock();
    let Some((_, account)) = identity(cloud, &st, req, path) else {
        return no_identity();
    };
    let a = &cloud.accounts[account];
    match a.mode {
        Mode::Phone => account_json(&json!({"code": 0, "maskedPhone": a.masked_phone})),
        _ => account_json(&json!({"code": 0, "maskedEmail": a.masked_email})),
    }
}

/// `POST /identity/auth/sendPhoneTicket|sendEmailTicket` → `{"code":0}`; the code is "sent".
fn send_ticket(cloud: &MiCloud, req: &Request, path: &str) -> Reply {
    let mut st = cloud.lock();
    let Some((session, _)) = identity(cloud, &st, req, path) else {
        return no_identity();
    };
    if let Some(id) = st.identities.get_mut(&session) {
        id.sent = true;
    }
    account_json(&json!({"code": 0}))
}

/// `POST /identity/auth/verifyPhone|verifyEmail` with `ticket` → `{"code":0,"location"}`.
fn verify_ticket(cloud: &MiCloud, req: &Request, path: &str, p: &[(String, String)]) -> Reply {
    let mut st = cloud.lock();
    let Some((session, account)) = identity(cloud, &st, req, path) else {
        return no_identity();
    };
    let sent = st.identities.get(&session).is_some_and(|i| i.sent);
    let ticket = param(p, "ticket").map(str::trim).unwrap_or_default();
    if !sent || ticket != cloud.accounts[account].code {
        // [inferred] the code of a wrong ticket is not in the public sources.
        return account_json(
            &json!({"code": 70014, "description": "验证码错误", "desc": "验证码错误"}),
        );
    }
    st.identities.remove(&session);
    st.contexts.retain(|_, a| *a != account);
    let cid = st.token(32);
    st.checks.insert(cid.clone(), account);
    account_json(&json!({
        "code": 0,
        "location": format!("https://{ACCOUNT_HOST}/identity/result/check?sid=xiaomiio&cid={cid}&_json=true"),
    }))
}

/// `GET /identity/result/check?cid=…`: sets `passToken`/`userId`/`cUserId` and redirects to
/// `serviceLogin` (reference §2.2: "follow location (redirects set passToken)").
fn result_check(cloud: &MiCloud, p: &[(String, String)]) -> Reply {
    let mut st = cloud.lock();
    let Some(account) = param(p, "cid").and_then(|c| st.checks.remove(c)) else {
        return no_identity();
    };
    let pass = cloud.issue_pass_token(&mut st, account);
    let a = &cloud.accounts[account];
    let mut r = Reply::see_other(&format!(
        "https://{ACCOUNT_HOST}/pass/serviceLogin?sid=xiaomiio&_json=true"
    ));
    r.status = StatusCode::FOUND;
    cookie(&mut r, "passToken", &pass);
    cookie(&mut r, "userId", &a.user_id);
    cookie(&mut r, "cUserId", &a.c_user_id);
    r
}

/// `GET /longPolling/loginUrl` → `{qr, loginUrl, lp, timeout}` (reference §2.3).
fn qr_start(cloud: &MiCloud, p: &[(String, String)]) -> Reply {
    let sid = param(p, "sid").unwrap_or("xiaomiio");
    let mut st = cloud.lock();
    let ticket = st.token(32);
    st.qr.insert(
        ticket.clone(),
        QrTicket {
            created: Instant::now(),
            scanned_by: None,
        },
    );
    account_json(&json!({
        "code": 0,
        "qr": format!("https://{ACCOUNT_HOST}/longPolling/qr?ticket={ticket}"),
        "loginUrl": format!("https://{ACCOUNT_HOST}/longPolling/login?ticket={ticket}&sid={sid}"),
        "lp": format!("https://{ACCOUNT_HOST}/longPolling/lp?ticket={ticket}&sid={sid}"),
        "timeout": cloud.options.qr_timeout_secs,
    }))
}

/// `GET /longPolling/qr`: an image of the code. The emulator shows the ticket as text (no QR
/// encoder): scanning is done with the phone hook below.
fn qr_image(p: &[(String, String)]) -> Reply {
    let t: String = param(p, "ticket")
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let mut r = Reply::empty(StatusCode::OK);
    r.headers
        .push((CONTENT_TYPE, HeaderValue::from_static("image/svg+xml")));
    r.body = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"240\" height=\"240\"><text x=\"8\" y=\"120\" font-size=\"8\">{t}</text></svg>").into();
    r
}

/// `GET <loginUrl>`: the phone confirms the login. A logged-in phone sends its `passToken` and
/// `userId` cookies; as an emulator hook, `&user=<email or user id>` confirms for that account.
fn qr_confirm(cloud: &MiCloud, req: &Request, p: &[(String, String)]) -> Reply {
    let by_user = param(p, "user").and_then(|u| cloud.account_by_user(u));
    let mut st = cloud.lock();
    let account = by_user.or_else(|| cloud.cookie_account(&st, req));
    let Some(ticket) = param(p, "ticket").and_then(|t| st.qr.get_mut(t)) else {
        return account_json(
            &json!({"code": 70016, "description": "二维码已过期", "desc": "二维码已过期"}),
        );
    };
    let Some(account) = account else {
        return account_json(
            &json!({"code": 70016, "description": LOGIN_FAILED, "desc": LOGIN_FAILED}),
        );
    };
    ticket.scanned_by = Some(account);
    account_json(&json!({"code": 0, "description": "成功", "desc": "成功"}))
}

/// Whether a request is the QR long poll (answered by [`long_poll`]).
pub(crate) fn is_long_poll(req: &Request) -> bool {
    (req.host == ACCOUNT_HOST || req.host == ACCOUNT_HOST_EU) && req.path == "/longPolling/lp"
}

/// `GET <lp>`: wait until the code is scanned (or times out), then answer the credentials.
pub(crate) async fn long_poll(cloud: &MiCloud, req: &Request) -> Reply {
    let p = req.query_pairs();
    let sid = param(&p, "sid").unwrap_or("xiaomiio").to_owned();
    let Some(ticket) = param(&p, "ticket").map(str::to_owned) else {
        return Reply::not_found();
    };
    let device_id = req.cookie("deviceId").unwrap_or_default();
    let timeout = Duration::from_secs(cloud.options.qr_timeout_secs);
    let auto = cloud.options.qr_auto_scan;
    loop {
        {
            let mut st = cloud.lock();
            let Some(q) = st.qr.get(&ticket).cloned() else {
                return account_json(
                    &json!({"code": 70016, "description": "二维码已过期", "desc": "二维码已过期"}),
                );
            };
            let scanned = q.scanned_by.or_else(|| {
                auto.filter(|d| q.created.elapsed() >= *d)
                    .and_then(|_| cloud.accounts.iter().position(|a| a.mode == Mode::Plain))
            });
            if let Some(account) = scanned {
                st.qr.remove(&ticket);
                let pass = cloud.issue_pass_token(&mut st, account);
                return account_json(&cloud.credentials(&mut st, account, &pass, &sid, &device_id));
            }
            if q.created.elapsed() >= timeout {
                st.qr.remove(&ticket);
                // [inferred] what the real long poll answers on expiry is not documented.
                return account_json(
                    &json!({"code": 70016, "description": "二维码已过期", "desc": "二维码已过期"}),
                );
            }
        }
        tokio::time::sleep(POLL_STEP).await;
    }
}

/// `GET /sts?…&auth=…&nonce=…[&clientSign=…]` → `ok` + `serviceToken`, `userId`, `cUserId`.
pub(crate) fn sts(cloud: &MiCloud, req: &Request) -> Reply {
    if req.path != "/sts" {
        return Reply::not_found();
    }
    let p = req.query_pairs();
    let mut st = cloud.lock();
    let Some(ticket) = param(&p, "auth").and_then(|a| st.sts.remove(a)) else {
        return Reply::empty(StatusCode::UNAUTHORIZED);
    };
    if param(&p, "nonce") != Some(ticket.nonce.as_str()) {
        return Reply::empty(StatusCode::UNAUTHORIZED);
    }
    if let Some(sign) = param(&p, "clientSign") {
        // b64(SHA1("nonce=<nonce>&<ssecurity>")) (MiService; vectors.json set2.sts_clientSign).
        let expected = mikit_micloud::sign::client_sign(
            &ticket.nonce,
            &Secret::from(ticket.ssecurity.as_str()),
        );
        if sign != expected {
            return Reply::empty(StatusCode::UNAUTHORIZED);
        }
    }
    let token = st.token(172);
    st.service_tokens.insert(
        token.clone(),
        ServiceToken {
            account: ticket.account,
            ssecurity: ticket.ssecurity.clone(),
            issued: SystemTime::now(),
        },
    );
    let a = &cloud.accounts[ticket.account];
    let mut r = Reply::empty(StatusCode::OK);
    r.headers.push((
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain;charset=UTF-8"),
    ));
    cookie(&mut r, "serviceToken", &token);
    cookie(&mut r, "userId", &a.user_id);
    cookie(&mut r, "cUserId", &a.c_user_id);
    // The ssecurity also travels in this header on redirect chains (XGW3 `_get_credentials`).
    if let Ok(v) = HeaderValue::from_str(&json!({"ssecurity": ticket.ssecurity}).to_string()) {
        r.headers
            .push((HeaderName::from_static("extension-pragma"), v));
    }
    r.body = "ok".into();
    r
}
