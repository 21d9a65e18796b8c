//! A small fake of the Huami cloud on 127.0.0.1:0 that answers as `huami-cloud.md` §3, §5 and
//! §14 document (303 `Location` shapes of `login_responses.json`, the §3.4 JSON, the error
//! bodies of §2.3). Routed like the emulator: the first path segment is the real host name.
//!
//! Knobs (`Knobs`) switch on the documented failure modes one at a time.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aes::Aes128;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use cbc::cipher::{BlockModeDecrypt as _, KeyIvInit as _, block_padding::Pkcs7};
use mikit_core::EndpointMap;
use mikit_core::http::{Http, RetryPolicy};
use serde_json::{Value, json};

pub const EMAIL: &str = "runner@example.org";
pub const PASSWORD: &str = "correct horse ~ battery*";
pub const REDIRECT: &str = "https://s3-us-west-2.amazonaws.com/hm-registration/successsignin.html";

/// One request as the fake saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: Method,
    pub host: String,
    pub path: String,
    pub query: HashMap<String, String>,
    pub headers: HeaderMap,
    /// The form fields (decrypted for the v2 token call).
    pub form: Vec<(String, String)>,
}

impl Seen {
    pub fn field(&self, k: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(a, _)| a == k)
            .map(|(_, v)| v.as_str())
    }
}

/// Failure switches.
#[derive(Debug, Default)]
pub struct Knobs {
    /// v1 credential endpoint answers `{"code":12,"message":"too many requests"}`.
    pub v1_rate_limited: bool,
    /// Credential endpoints answer 200 `{}` instead of a redirect.
    pub tokens_answer_200: bool,
    /// Credential redirect without `access`.
    pub redirect_without_access: bool,
    /// Credential redirect without `country_code`.
    pub redirect_without_country: bool,
    /// `account.huami.com` answers 404 to `/v2/client/login`.
    pub account_huami_404: bool,
    /// `/v2/client/login` answers this JSON error body (200).
    pub client_login_error: Option<Value>,
    /// `/v2/client/login` answers this HTTP status with an empty body.
    pub client_login_status: Option<u16>,
    /// `/v2/client/login` hangs (→ client timeout) this many more times.
    pub client_login_hangs: u32,
    /// Omit `domains` from the login answer.
    pub no_domains: bool,
    /// Data calls with an unknown app token answer the 0102 body instead of 401.
    pub invalid_token_as_0102: bool,
    /// Only this data host serves the account; others answer 403.
    pub strict_host: Option<String>,
    /// Every app token is rejected (even fresh ones).
    pub reject_all_app_tokens: bool,
    /// Data calls answer 429.
    pub data_429: bool,
}

#[derive(Default)]
pub struct Inner {
    pub knobs: Knobs,
    pub seen: Vec<Seen>,
    unused_codes: HashSet<String>,
    login_tokens: HashSet<String>,
    app_tokens: HashSet<String>,
    counter: u64,
}

impl Inner {
    fn mint(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}-{:08}-{}", self.counter, "q".repeat(24))
    }
    /// Forget every app token (as after ~30 days).
    pub fn expire_app_tokens(&mut self) {
        self.app_tokens.clear();
    }
    pub fn count(&self, host: &str, path: &str) -> usize {
        self.seen
            .iter()
            .filter(|s| s.host == host && s.path == path)
            .count()
    }
    pub fn count_path(&self, path: &str) -> usize {
        self.seen.iter().filter(|s| s.path == path).count()
    }
    pub fn last(&self, path: &str) -> Seen {
        self.seen
            .iter()
            .rev()
            .find(|s| s.path == path)
            .cloned()
            .expect("request seen")
    }
}

#[derive(Clone)]
pub struct Fake {
    pub addr: SocketAddr,
    pub inner: Arc<Mutex<Inner>>,
}

impl Fake {
    pub async fn start() -> Self {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route("/{host}/{*rest}", any(handle))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, inner }
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// An `Http` pointed at the fake, with short timeouts and quick retries.
    pub fn http(&self) -> Http {
        Http::builder()
            .endpoints(EndpointMap::new(Some(&self.endpoint())).unwrap())
            .timeout(Duration::from_millis(800))
            .retry(RetryPolicy {
                max_attempts: 2,
                base_delay: Duration::from_millis(5),
                max_delay: Duration::from_millis(20),
            })
            .build()
            .unwrap()
    }

    pub fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        f(&mut self.inner.lock().unwrap())
    }
}

fn form_of(bytes: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(bytes).into_owned().collect()
}

fn redirect(query: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, format!("{REDIRECT}?{query}"))],
    )
        .into_response()
}

fn json_resp(status: u16, v: Value) -> Response {
    (StatusCode::from_u16(status).unwrap(), axum::Json(v)).into_response()
}

async fn handle(
    State(inner): State<Arc<Mutex<Inner>>>,
    Path((host, rest)): Path<(String, String)>,
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/{rest}");
    let query: HashMap<String, String> = form_of(query.unwrap_or_default().as_bytes())
        .into_iter()
        .collect();
    // The v2 credential body is AES-128-CBC (reference §3.2); decrypt it like the server.
    let is_v2 = path == "/v2/registrations/tokens";
    let form = if is_v2 {
        if headers.get("x-hm-ekv").and_then(|v| v.to_str().ok()) != Some("1") {
            return StatusCode::BAD_REQUEST.into_response();
        }
        match cbc::Decryptor::<Aes128>::new(b"xeNtBVqzDc6tuNTh".into(), b"MAAAYAAAAAAAAABg".into())
            .decrypt_padded_vec::<Pkcs7>(&body)
        {
            Ok(plain) => form_of(&plain),
            Err(_) => return StatusCode::BAD_REQUEST.into_response(),
        }
    } else {
        form_of(&body)
    };
    let seen = Seen {
        method: method.clone(),
        host: host.clone(),
        path: path.clone(),
        query: query.clone(),
        headers: headers.clone(),
        form,
    };
    let hang = {
        let mut g = inner.lock().unwrap();
        g.seen.push(seen.clone());
        let hang = path == "/v2/client/login" && g.knobs.client_login_hangs > 0;
        if hang {
            g.knobs.client_login_hangs -= 1;
        }
        hang
    };
    if hang {
        tokio::time::sleep(Duration::from_secs(30)).await;
    }
    let mut g = inner.lock().unwrap();
    match (method, host.as_str(), path.as_str()) {
        (Method::POST, "api-user.zepp.com", "/v2/registrations/tokens") => credentials(
            &mut g,
            seen.field("emailOrPhone"),
            seen.field("password"),
            "eu-central-1",
            "DE",
            true,
        ),
        (Method::POST, "api-user.huami.com", p)
            if p.starts_with("/registrations/") && p.ends_with("/tokens") =>
        {
            if g.knobs.v1_rate_limited {
                return json_resp(200, json!({"code": 12, "message": "too many requests"}));
            }
            let email = p
                .trim_start_matches("/registrations/")
                .trim_end_matches("/tokens")
                .to_owned();
            credentials(
                &mut g,
                Some(&email),
                seen.field("password"),
                "us-west-2",
                "US",
                false,
            )
        }
        (Method::POST, "account.huami.com" | "api-mifit-us2.zepp.com", "/v2/client/login") => {
            if host == "account.huami.com" && g.knobs.account_huami_404 {
                return StatusCode::NOT_FOUND.into_response();
            }
            if let Some(s) = g.knobs.client_login_status {
                return StatusCode::from_u16(s).unwrap().into_response();
            }
            if let Some(e) = g.knobs.client_login_error.clone() {
                return json_resp(200, e);
            }
            let code = seen.field("code").unwrap_or_default().to_owned();
            // The access code is single-use (reference §14): a reused or unknown one → 0106.
            if seen.field("grant_type") != Some("access_token") || !g.unused_codes.remove(&code) {
                return json_resp(200, json!({"error_code": "0106"}));
            }
            let lt = g.mint("LT");
            let at = g.mint("AT");
            g.login_tokens.insert(lt.clone());
            g.app_tokens.insert(at.clone());
            let mut body = json!({
                "token_info": {"login_token": lt, "app_token": at, "user_id": "1000000001", "ttl": 8640000, "app_ttl": 100},
                "regist_info": {"is_new_user": 0, "regist_date": 1_600_000_000_000_i64, "region": "eu-central-1", "country_code": "DE", "countryState": "DE-BE"},
                "thirdparty_info": {"nickname": "runner", "icon": "", "third_id": "x", "email": EMAIL},
                "result": "ok",
                "domain": {"id-dns": "api-mifit.huami.com"},
                "domains": [{"host": "api-user.huami.com", "cnames": ["api-user-de.huami.com"]},
                            {"host": "api-mifit.huami.com", "cnames": ["api-mifit-de2.huami.com"]}]
            });
            if g.knobs.no_domains {
                body.as_object_mut().unwrap().remove("domains");
            }
            json_resp(200, body)
        }
        (Method::GET, "account.huami.com", "/v1/client/app_tokens") => {
            let lt = query.get("login_token").cloned().unwrap_or_default();
            if !g.login_tokens.contains(&lt) {
                return json_resp(200, json!({"error_code": "0106"}));
            }
            let at = g.mint("AT");
            g.app_tokens.insert(at.clone());
            json_resp(
                200,
                json!({"result": "ok", "token_info": {"app_token": at}}),
            )
        }
        (Method::POST, _, "/v1/client/logout") => {
            let lt = seen.field("login_token").unwrap_or_default().to_owned();
            if g.login_tokens.remove(&lt) {
                json_resp(200, json!({"result": "ok"}))
            } else {
                json_resp(200, json!({"error_code": "0106"}))
            }
        }
        (Method::GET, h, "/v1/data/band_data.json") if h.starts_with("api-mifit") => {
            band_data(&g, h, &headers, &query)
        }
        (Method::GET, h, "/v1/sport/run/history.json") if h.starts_with("api-mifit") => {
            history(&g, h, &headers, &query)
        }
        (Method::GET, h, "/v1/sport/run/detail.json") if h.starts_with("api-mifit") => {
            detail(&g, h, &headers, &query)
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

fn credentials(
    g: &mut Inner,
    email: Option<&str>,
    password: Option<&str>,
    region: &str,
    cc: &str,
    v2: bool,
) -> Response {
    if g.knobs.tokens_answer_200 {
        return json_resp(200, json!({}));
    }
    if email != Some(EMAIL) || password != Some(PASSWORD) {
        // huami-token issue #57: error=401&state=REDIRECTION&region=…
        return redirect(&format!("error=401&state=REDIRECTION&region={region}"));
    }
    if g.knobs.redirect_without_access {
        return redirect(&format!(
            "state=REDIRECTION&region={region}&country_code={cc}"
        ));
    }
    let access = g.mint("ACCESS");
    g.unused_codes.insert(access.clone());
    let cc = if g.knobs.redirect_without_country {
        String::new()
    } else {
        format!("&country_code={cc}")
    };
    if v2 {
        // huami-token issue #72 shape.
        redirect(&format!(
            "appname=com.huami.midong&state=REDIRECTION&region={region}&refresh=R-{access}&access={access}{cc}&expiration=1767532236"
        ))
    } else {
        redirect(&format!(
            "state=REDIRECTION&region={region}&access={access}{cc}"
        ))
    }
}

/// The checks every data call makes (reference §14): headers, rate limit, token, region.
fn data_auth(g: &Inner, host: &str, headers: &HeaderMap) -> Option<Response> {
    let h = |k: &str| headers.get(k).and_then(|v| v.to_str().ok());
    if h("appplatform").is_none() || h("appname").is_none() {
        return Some(json_resp(500, json!({"code": -50000})));
    }
    if g.knobs.data_429 {
        return Some(StatusCode::TOO_MANY_REQUESTS.into_response());
    }
    let token_ok =
        h("apptoken").is_some_and(|t| g.app_tokens.contains(t)) && !g.knobs.reject_all_app_tokens;
    if !token_ok {
        return Some(if g.knobs.invalid_token_as_0102 {
            json_resp(
                200,
                json!({"code": 0, "message": "invalid token", "data": {"code": "0102"}}),
            )
        } else {
            StatusCode::UNAUTHORIZED.into_response()
        });
    }
    if g.knobs.strict_host.as_deref().is_some_and(|s| s != host) {
        return Some(StatusCode::FORBIDDEN.into_response());
    }
    None
}

/// Trackids of the fake's workouts, newest first (450 of them: three pages).
pub fn workout_ids() -> Vec<i64> {
    (0..450).map(|i| 1_700_000_000 - i * 86_400).collect()
}

fn history(g: &Inner, host: &str, headers: &HeaderMap, q: &HashMap<String, String>) -> Response {
    if let Some(r) = data_auth(g, host, headers) {
        return r;
    }
    // Either paging name is accepted (reference §13.3); the page starts at `next` inclusive.
    let from = q
        .get("trackid")
        .or(q.get("stopTrackId"))
        .and_then(|v| v.parse::<i64>().ok());
    let ids: Vec<i64> = workout_ids()
        .into_iter()
        .filter(|&t| from.is_none_or(|f| t <= f))
        .collect();
    let page: Vec<Value> = ids.iter().take(200).map(|t| json!({"trackid": t.to_string(), "source": "run.mifit.huami.com", "type": 1, "dis": "1000.0"})).collect();
    let next = ids.get(200).copied().unwrap_or(-1);
    json_resp(
        200,
        json!({"code": 1, "message": "success", "data": {"next": next, "summary": page}}),
    )
}

fn detail(g: &Inner, host: &str, headers: &HeaderMap, q: &HashMap<String, String>) -> Response {
    if let Some(r) = data_auth(g, host, headers) {
        return r;
    }
    let Some(t) = q
        .get("trackid")
        .filter(|t| t.parse::<i64>().is_ok_and(|t| workout_ids().contains(&t)))
    else {
        return json_resp(200, json!({"code": 0, "message": "no such track"}));
    };
    // The HV2 detail strings (ZB `workout_detail.rs` test), keyed to this trackid.
    json_resp(
        200,
        json!({"code": 1, "message": "success", "data": {"trackid": t, "source": q.get("source"),
        "time": "0;2;2;", "longitude_latitude": "4004663552,11629333504;16403,8392;;;;14877,8392;",
        "altitude": "-2000000;7800;7772;", "heart_rate": "11,80;0,10;7,-6;", "speed": "2,1.20;4,2.45;",
        "gait": "2,0,71,160;2,2,74,164;", "pause": "1700000060,10,1,2,2;", "flag": "", "kilo_pace": ""}}),
    )
}

fn band_data(g: &Inner, host: &str, headers: &HeaderMap, q: &HashMap<String, String>) -> Response {
    if let Some(r) = data_auth(g, host, headers) {
        return r;
    }
    let (Some(from), Some(to)) = (
        q.get("from_date")
            .and_then(|d| d.parse::<jiff::civil::Date>().ok()),
        q.get("to_date")
            .and_then(|d| d.parse::<jiff::civil::Date>().ok()),
    ) else {
        return json_resp(200, json!({"code": 0, "message": "bad dates"}));
    };
    // One item per day (the bgallois/zepp-health-rs fixture item, re-dated).
    let template: Value =
        serde_json::from_str(&super::decode::data("band_data_detail.json")).unwrap();
    let mut items = Vec::new();
    let mut d = from;
    while d <= to {
        let mut item = template["data"][0].clone();
        item["date_time"] = d.to_string().into();
        item["uid"] = q.get("userid").cloned().unwrap_or_default().into();
        if q.get("query_type").map(String::as_str) == Some("summary") {
            let o = item.as_object_mut().unwrap();
            o.remove("data");
            o.remove("data_hr");
        }
        items.push(item);
        d = d.tomorrow().unwrap();
    }
    json_resp(200, json!({"code": 1, "message": "success", "data": items}))
}
