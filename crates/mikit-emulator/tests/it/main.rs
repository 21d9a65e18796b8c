//! Integration tests: the emulator checked against the reference's documented requests and
//! responses (`huami-cloud.md`), over real loopback sockets with raw HTTP calls.

mod band;
mod events;
mod faults;
mod framework;
mod health;
mod limits;
mod login;
mod micloud;
mod miot_spec;
mod tokens;
mod workouts;

use base64::Engine as _;
use mikit_core::EndpointMap;
use mikit_emulator::{Emulator, EmulatorConfig};

/// The last day of generated history in every test (fixed so runs are reproducible).
pub fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 11, 10)
}

/// A config with a fixed `today` and 120 days of history.
pub fn config() -> EmulatorConfig {
    EmulatorConfig {
        seed: 11,
        days: 120,
        today: Some(today()),
        ..Default::default()
    }
}

pub async fn start(cfg: EmulatorConfig) -> Emulator {
    Emulator::start(cfg).await.expect("emulator starts")
}

/// A raw reqwest client that never follows redirects.
pub fn client() -> reqwest::Client {
    mikit_core::http::install_crypto_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Map a real URL to the emulator.
pub fn url(emu: &Emulator, real: &str) -> String {
    EndpointMap::new(Some(emu.endpoint()))
        .unwrap()
        .map(real)
        .unwrap()
}

/// The demo account's (email, password, user_id) from `info()`.
pub fn demo(emu: &Emulator, key: &str) -> (String, String, String) {
    let a = &emu.info()["accounts"][key];
    (
        a["email"].as_str().unwrap().to_owned(),
        a["password"].as_str().unwrap().to_owned(),
        a["user_id"].as_str().unwrap().to_owned(),
    )
}

/// Query pairs of a `Location` header.
pub fn location_query(resp: &reqwest::Response) -> Vec<(String, String)> {
    let loc = resp
        .headers()
        .get("location")
        .expect("Location header")
        .to_str()
        .unwrap();
    let u = url::Url::parse(loc).expect("absolute Location");
    u.query_pairs().into_owned().collect()
}

pub fn get<'a>(q: &'a [(String, String)], k: &str) -> Option<&'a str> {
    q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

/// v1 credential login (§3.1) → access code.
pub async fn access_code(emu: &Emulator, email: &str, password: &str) -> String {
    let enc: String = url::form_urlencoded::byte_serialize(email.as_bytes()).collect();
    let resp = client()
        .post(url(
            emu,
            &format!("https://api-user.huami.com/registrations/{enc}/tokens"),
        ))
        .form(&[
            ("state", "REDIRECTION"),
            ("client_id", "HuaMi"),
            (
                "redirect_uri",
                "https://s3-us-west-2.amazonws.com/hm-registration/successsignin.html",
            ),
            ("token", "access"),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let q = location_query(&resp);
    get(&q, "access").expect("access in Location").to_owned()
}

/// `/v2/client/login` with an access code; returns the JSON answer.
pub async fn client_login(
    emu: &Emulator,
    host: &str,
    code: &str,
    app_name: &str,
) -> serde_json::Value {
    client()
        .post(url(emu, &format!("https://{host}/v2/client/login")))
        .form(&[
            ("app_name", app_name),
            ("app_version", "6.14.0"),
            ("code", code),
            ("country_code", "DE"),
            ("device_id", "02:00:00:00:00:00"),
            ("device_model", "android_phone"),
            ("grant_type", "access_token"),
            ("third_name", "huami"),
            ("allow_registration", "false"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A logged-in session: (app_token, login_token, user_id).
pub async fn session(emu: &Emulator, key: &str, app_name: &str) -> (String, String, String) {
    let (email, password, _) = demo(emu, key);
    let code = access_code(emu, &email, &password).await;
    let v = client_login(emu, "account.huami.com", &code, app_name).await;
    let ti = &v["token_info"];
    (
        ti["app_token"].as_str().unwrap().to_owned(),
        ti["login_token"].as_str().unwrap().to_owned(),
        ti["user_id"].as_str().unwrap().to_owned(),
    )
}

/// GET band_data on the EU data host with `apptoken`.
pub async fn band_data(
    emu: &Emulator,
    token: &str,
    uid: &str,
    query_type: &str,
    from: &str,
    to: &str,
) -> reqwest::Response {
    client()
        .get(url(emu, &format!(
            "https://api-mifit-de2.huami.com/v1/data/band_data.json?query_type={query_type}&device_type=android_phone&userid={uid}&from_date={from}&to_date={to}"
        )))
        .header("apptoken", token)
        .header("appPlatform", "web")
        .header("appname", "com.xiaomi.hm.health")
        .send()
        .await
        .unwrap()
}

pub fn b64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .expect("base64")
}

pub fn data_file(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}
