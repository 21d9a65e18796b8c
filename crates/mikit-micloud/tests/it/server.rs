//! A small fake of the Xiaomi account, STS and Mi cloud API servers, built in the test from
//! the documented responses of reference §2–§4 and §12 (not the emulator; that one is
//! tested against this crate later). It verifies requests with this crate's server-side
//! signing functions and serves on 127.0.0.1:0 behind the endpoint map
//! (`http://127.0.0.1:PORT/<real host>/<path>`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, Response, StatusCode};
use axum::routing::{get, post};
use mikit_core::Secret;
use mikit_micloud::crypto::password_hash;
use mikit_micloud::sign::{client_sign, encrypt_reply, verify_request};
use serde_json::{Value, json};

pub const USER: &str = "user@example.com";
pub const PASSWORD: &str = "secret-pw";
pub const USER_ID: &str = "1234567";
pub const C_USER_ID: &str = "c-user-xyz";
pub const PASS_TOKEN: &str = "pass-token-SECRET-1";
/// base64 of "0123456789abcdef" (vectors.json ssecurity).
pub const SSECURITY: &str = "MDEyMzQ1Njc4OWFiY2RlZg==";
pub const STS_NONCE: &str = "123456789";
pub const CAPTCHA_ANSWER: &str = "ABCD";
pub const TICKET: &str = "123456";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Plain,
    Captcha,
    TwoFactor,
    QrExpired,
    Reject(i64),
    /// The account hands out this STS `location` (a forged reply).
    StsLocation(&'static str),
    /// The STS answers with a redirect to this URL.
    StsRedirect(&'static str),
}

#[derive(Debug, Default)]
pub struct Seen {
    pub client_sign_ok: bool,
    pub sts_calls: u32,
    pub api_paths: Vec<String>,
    /// Names of the cookies each STS request carried.
    pub sts_cookies: Vec<Vec<String>>,
    /// Requests to any host the fake does not serve: (path, cookie names).
    pub stray: Vec<(String, Vec<String>)>,
}

pub struct Shared {
    mode: Mode,
    seen: Mutex<Seen>,
}

pub struct Fake {
    pub endpoint: String,
    pub shared: Arc<Shared>,
}

impl Fake {
    pub fn seen<T>(&self, f: impl FnOnce(&Seen) -> T) -> T {
        f(&self.shared.seen.lock().unwrap())
    }
}

pub fn service_token(n: u32) -> String {
    format!("service-token-SECRET-{n}")
}

pub async fn start(mode: Mode) -> Fake {
    let shared = Arc::new(Shared {
        mode,
        seen: Mutex::new(Seen::default()),
    });
    let app = Router::new()
        .route("/account.xiaomi.com/pass/serviceLogin", get(service_login))
        .route(
            "/account.xiaomi.com/pass/serviceLoginAuth2",
            post(service_login_auth2),
        )
        .route("/account.xiaomi.com/pass/getCode", get(captcha_image))
        .route("/sts.api.io.mi.com/sts", get(sts))
        .route("/account.xiaomi.com/identity/list", get(identity_list))
        .route(
            "/account.xiaomi.com/identity/auth/verifyPhone",
            get(verify_phone_info).post(verify_phone),
        )
        .route(
            "/account.xiaomi.com/identity/auth/sendPhoneTicket",
            post(send_phone_ticket),
        )
        .route(
            "/account.xiaomi.com/identity/result/check",
            get(identity_result),
        )
        .route("/account.xiaomi.com/fe/done", get(|| async { "ok" }))
        .route(
            "/account.xiaomi.com/longPolling/loginUrl",
            get(qr_login_url),
        )
        .route("/account.xiaomi.com/longPolling/poll", get(qr_poll))
        .route(
            "/account.xiaomi.com/longPolling/expired",
            get(|| async { StatusCode::REQUEST_TIMEOUT }),
        )
        .route("/{host}/app/{*path}", post(api).get(app_config))
        .fallback(stray)
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Fake {
        endpoint: format!("http://{addr}"),
        shared,
    }
}

fn reply(
    status: StatusCode,
    cookies: &[String],
    extra: &[(&str, &str)],
    body: String,
) -> Response<Body> {
    let mut b = Response::builder().status(status);
    for c in cookies {
        b = b.header("set-cookie", format!("{c}; Path=/"));
    }
    for (k, v) in extra {
        b = b.header(*k, *v);
    }
    b.body(Body::from(body)).unwrap()
}

fn account_json(v: Value) -> Response<Body> {
    reply(StatusCode::OK, &[], &[], format!("&&&START&&&{v}"))
}

fn cookies(headers: &HeaderMap) -> HashMap<String, String> {
    headers
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|p| p.trim().split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn credentials(mode: Mode) -> Value {
    let location = match mode {
        Mode::StsLocation(l) => l,
        _ => "https://sts.api.io.mi.com/sts?d=fake&ticket=1",
    };
    json!({
        "code": 0,
        "userId": 1_234_567,
        "cUserId": C_USER_ID,
        "ssecurity": SSECURITY,
        "passToken": PASS_TOKEN,
        "location": location,
        "nonce": 123_456_789,
        "psecurity": "psec",
    })
}

/// The documented not-logged-in reply (responses.json serviceLogin_not_logged_in_70016 shape).
fn not_logged_in() -> Value {
    json!({
        "serviceParam": "{}", "qs": "%3Fsid%3Dxiaomiio%26_json%3Dtrue", "code": 70016,
        "description": "登录验证失败", "securityStatus": 0, "_sign": "fake-sign=", "sid": "xiaomiio",
        "result": "error", "captchaUrl": null, "callback": "https://sts.api.io.mi.com/sts",
        "location": "https://account.xiaomi.com/fe/service/login?x=1", "pwd": 0, "child": 0, "desc": "登录验证失败"
    })
}

async fn service_login(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response<Body> {
    let c = cookies(&headers);
    assert_eq!(q.get("sid").map(String::as_str), Some("xiaomiio"));
    assert!(c.contains_key("deviceId") && c.contains_key("sdkVersion"));
    if c.get("passToken").map(String::as_str) == Some(PASS_TOKEN)
        && c.get("userId").map(String::as_str) == Some(USER_ID)
    {
        account_json(credentials(s.mode))
    } else {
        account_json(not_logged_in())
    }
}

async fn service_login_auth2(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response<Body> {
    let f = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    assert_eq!(f("_sign"), "fake-sign=");
    assert_eq!(f("sid"), "xiaomiio");
    assert_eq!(f("qs"), "%3Fsid%3Dxiaomiio%26_json%3Dtrue");
    assert_eq!(f("_json"), "true");
    if f("user") != USER || f("hash") != password_hash(PASSWORD) {
        let mut body = not_logged_in();
        body["location"] = json!("");
        return account_json(body);
    }
    match s.mode {
        Mode::Plain | Mode::QrExpired | Mode::StsLocation(_) | Mode::StsRedirect(_) => {
            account_json(credentials(s.mode))
        }
        Mode::Captcha => {
            let ick = cookies(&headers).get("ick").cloned();
            if f("captCode") == CAPTCHA_ANSWER && ick.as_deref() == Some("ick-1") {
                account_json(credentials(s.mode))
            } else {
                account_json(json!({
                    "qs": "%3Fsid%3Dxiaomiio%26_json%3Dtrue", "code": 87001, "description": "验证码输入错误",
                    "securityStatus": 0, "_sign": "fake-sign=", "sid": "xiaomiio", "result": "error",
                    "captchaUrl": "/pass/getCode?icodeType=login&0.5", "callback": "https://sts.api.io.mi.com/sts",
                    "location": "", "pwd": 0, "child": 0, "desc": "验证码输入错误"
                }))
            }
        }
        Mode::TwoFactor => account_json(json!({
            "code": 81003,
            "notificationUrl": "https://account.xiaomi.com/fe/service/identity/authStart?sid=xiaomiio&context=ctx-1",
        })),
        Mode::Reject(code) => {
            account_json(json!({"code": code, "description": "rejected by the fake"}))
        }
    }
}

async fn captcha_image() -> Response<Body> {
    reply(
        StatusCode::OK,
        &["ick=ick-1".into()],
        &[("content-type", "image/jpeg")],
        "JPEG".into(),
    )
}

async fn sts(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response<Body> {
    assert_eq!(q.get("d").map(String::as_str), Some("fake"));
    s.seen
        .lock()
        .unwrap()
        .sts_cookies
        .push(cookies(&headers).into_keys().collect());
    if let Mode::StsRedirect(to) = s.mode {
        return reply(StatusCode::FOUND, &[], &[("location", to)], String::new());
    }
    let expected = client_sign(STS_NONCE, &Secret::from(SSECURITY));
    let n = {
        let mut seen = s.seen.lock().unwrap();
        if let Some(sign) = q.get("clientSign") {
            if *sign != expected {
                return reply(StatusCode::UNAUTHORIZED, &[], &[], "bad clientSign".into());
            }
            seen.client_sign_ok = true;
        }
        seen.sts_calls += 1;
        seen.sts_calls
    };
    reply(
        StatusCode::OK,
        &[
            format!("serviceToken={}", service_token(n)),
            format!("userId={USER_ID}"),
            format!("cUserId={C_USER_ID}"),
        ],
        &[],
        "ok".into(),
    )
}

async fn identity_list(Query(q): Query<HashMap<String, String>>) -> Response<Body> {
    assert_eq!(q.get("context").map(String::as_str), Some("ctx-1"));
    reply(
        StatusCode::OK,
        &["identity_session=ids-1".into()],
        &[],
        format!(
            "&&&START&&&{}",
            json!({"code": 2, "flag": 4, "options": [4, 8]})
        ),
    )
}

async fn verify_phone_info(Query(q): Query<HashMap<String, String>>) -> Response<Body> {
    assert_eq!(q.get("_flag").map(String::as_str), Some("4"));
    account_json(json!({"code": 0, "maskedPhone": "+49*****12"}))
}

async fn send_phone_ticket(
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response<Body> {
    assert_eq!(
        cookies(&headers)
            .get("identity_session")
            .map(String::as_str),
        Some("ids-1")
    );
    assert_eq!(form.get("retry").map(String::as_str), Some("0"));
    account_json(json!({"code": 0}))
}

async fn verify_phone(
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response<Body> {
    assert_eq!(
        cookies(&headers)
            .get("identity_session")
            .map(String::as_str),
        Some("ids-1")
    );
    if form.get("ticket").map(String::as_str) == Some(TICKET)
        && form.get("_flag").map(String::as_str) == Some("4")
    {
        account_json(
            json!({"code": 0, "location": "https://account.xiaomi.com/identity/result/check?sid=xiaomiio"}),
        )
    } else {
        account_json(json!({"code": 70014, "desc": "验证码错误"}))
    }
}

async fn identity_result() -> Response<Body> {
    reply(
        StatusCode::FOUND,
        &[
            format!("passToken={PASS_TOKEN}"),
            format!("userId={USER_ID}"),
        ],
        &[("location", "/fe/done")],
        String::new(),
    )
}

async fn qr_login_url(
    State(s): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response<Body> {
    assert_eq!(
        q.get("qs").map(String::as_str),
        Some("?sid=xiaomiio&_json=true")
    );
    let lp = if s.mode == Mode::QrExpired {
        "expired"
    } else {
        "poll"
    };
    account_json(json!({
        "qr": "https://account.xiaomi.com/qr.png",
        "loginUrl": "https://account.xiaomi.com/longPolling/login?ticket=fixture-login-ticket",
        "lp": format!("https://account.xiaomi.com/longPolling/{lp}"),
        "timeout": 10,
    }))
}

/// The tokens-extractor fake-server reply shape: no `code` field (reference §2.3).
async fn qr_poll() -> Response<Body> {
    account_json(json!({
        "userId": USER_ID, "ssecurity": SSECURITY, "cUserId": C_USER_ID, "passToken": PASS_TOKEN,
        "location": "https://sts.api.io.mi.com/sts?d=fake", "nonce": STS_NONCE,
    }))
}

/// Any other host or path: record it (a login must never get here).
async fn stray(
    State(s): State<Arc<Shared>>,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Response<Body> {
    s.seen.lock().unwrap().stray.push((
        uri.path().to_owned(),
        cookies(&headers).into_keys().collect(),
    ));
    reply(
        StatusCode::OK,
        &["serviceToken=stolen".into()],
        &[],
        "ok".into(),
    )
}

// ------------------------------------------------------------------------------- API

async fn api(
    State(s): State<Arc<Shared>>,
    Path((host, path)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response<Body> {
    let c = cookies(&headers);
    let valid_token = (1..=10).any(|n| c.get("serviceToken") == Some(&service_token(n)));
    if c.get("userId").map(String::as_str) != Some(USER_ID) || !valid_token {
        return reply(StatusCode::UNAUTHORIZED, &[], &[], String::new());
    }
    let path = format!("/{path}");
    s.seen
        .lock()
        .unwrap()
        .api_paths
        .push(format!("{host}{path}"));
    let verified = match verify_request("POST", &path, &form, &Secret::from(SSECURITY)) {
        Ok(v) => v,
        Err(_) => {
            return reply(
                StatusCode::OK,
                &[],
                &[],
                json!({"code": -1, "message": "invalid signature"}).to_string(),
            );
        }
    };
    let data: Value = serde_json::from_str(&verified.data).unwrap_or(Value::Null);
    let result = match path.as_str() {
        "/home/device_list" => {
            let list = if host == "de.api.io.mi.com" {
                let text = std::fs::read_to_string(format!(
                    "{}/tests/data/micloud_devices_response.json",
                    env!("CARGO_MANIFEST_DIR")
                ))
                .unwrap();
                serde_json::from_str(&text).unwrap()
            } else if host == "us.api.io.mi.com" {
                json!([{"did": "1234", "token": "token1", "name": "device 1 again", "model": "some.model.v2"},
                       {"did": "9999", "token": "token9", "name": "us only", "model": "x.y.z"}])
            } else {
                json!([])
            };
            json!({"list": list})
        }
        "/miotspec/prop/get" => {
            assert_eq!(data["datasource"], 2);
            let items: Vec<Value> = data["params"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    if p["did"] == "offline" {
                        json!({"did": p["did"], "siid": p["siid"], "piid": p["piid"], "code": -704_042_011, "exe_time": 0})
                    } else {
                        json!({"did": p["did"], "siid": p["siid"], "piid": p["piid"], "value": true, "code": 0,
                               "updateTime": 1_700_000_000, "exe_time": 0})
                    }
                })
                .collect();
            json!(items)
        }
        "/miotspec/prop/set" => {
            let items: Vec<Value> = data["params"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| json!({"did": p["did"], "siid": p["siid"], "piid": p["piid"], "code": if p["piid"] == 9 { -704_030_023 } else { 0 }}))
                .collect();
            json!(items)
        }
        "/miotspec/action" => {
            let p = &data["params"];
            json!({"did": p["did"], "siid": p["siid"], "aiid": p["aiid"], "code": 0, "out": p["in"]})
        }
        p if p.starts_with("/home/rpc/") => json!({"id": data["id"], "result": ["on", 42]}),
        "/v2/device/blt_get_beaconkey" => json!({"beaconkey": "00112233445566778899aabbccddeeff"}),
        "/v2/homeroom/gethome" => json!({
            "homelist": [{"id": 111, "name": "Home", "uid": 1_234_567, "dids": ["1234"],
                          "roomlist": [{"id": "222", "name": "Kitchen", "dids": ["4321"]}], "city_id": 1}],
            "share_home_list": null, "has_more": false, "max_id": "0"
        }),
        "/v2/user/statistics" => json!([{"value": "[123]", "time": 1_700_000_000}]),
        "/user/get_user_device_data" => {
            json!([{"value": "[\"on\"]", "time": 1_700_000_001, "key": data["key"]}])
        }
        "/v2/home/device_list_page" => {
            // Pages of two records, keyed by start_did (reference §4 paged form).
            assert_eq!(data["limit"], 200);
            let dids = ["a1", "a2", "a3", "a4", "a5"];
            let start = data["start_did"].as_str().unwrap_or("");
            let from = dids.iter().position(|d| *d == start).unwrap_or(0);
            let page: Vec<Value> = dids[from..]
                .iter()
                .take(2)
                .map(|d| json!({"did": d, "name": d, "model": "m"}))
                .collect();
            let next = dids.get(from + 2);
            json!({"list": page, "has_more": next.is_some(), "next_start_did": next.copied().unwrap_or("")})
        }
        "/v2/miotspec/devicelist"
        | "/version/check_gray"
        | "/version/online_version"
        | "/v2/device/multi_check_device_version"
        | "/plugin/update_plugin"
        | "/v2/plugin/fetch_plugin" => json!({"echo": data}),
        "/offline" => {
            return reply(
                StatusCode::OK,
                &[],
                &[],
                json!({"code": -704_042_011, "message": "device offline"}).to_string(),
            );
        }
        _ => {
            return reply(
                StatusCode::OK,
                &[],
                &[],
                json!({"code": -1, "message": "unknown path"}).to_string(),
            );
        }
    };
    let plain = json!({"code": 0, "message": "ok", "result": result}).to_string();
    reply(StatusCode::OK, &[], &[], encrypt_reply(&verified, &plain))
}

/// `GET /app/service/getappconfig?data=<json>`, unsigned: echoes the data.
async fn app_config(
    Path((_host, path)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response<Body> {
    assert_eq!(path, "service/getappconfig");
    let data: Value =
        serde_json::from_str(q.get("data").map(String::as_str).unwrap_or("null")).unwrap();
    reply(
        StatusCode::OK,
        &[],
        &[],
        json!({"code": 0, "message": "ok", "result": {"echo": data}}).to_string(),
    )
}
