//! Latency and fault injection: each kind behaves as specified.

use std::time::{Duration, Instant};

use mikit_core::http::{Http, RetryPolicy};
use mikit_emulator::{EmulatorConfig, FaultKind, FaultSpec};

use crate::*;

fn with_faults(spec: &str) -> EmulatorConfig {
    EmulatorConfig {
        faults: spec.parse::<FaultSpec>().unwrap(),
        ..config()
    }
}

async fn band(
    emu: &mikit_emulator::Emulator,
    app: &str,
    uid: &str,
) -> reqwest::Result<reqwest::Response> {
    client()
        .get(url(emu, &format!(
            "https://api-mifit-de2.huami.com/v1/data/band_data.json?query_type=detail&userid={uid}&from_date=2026-10-01&to_date=2026-10-03"
        )))
        .header("apptoken", app)
        .send()
        .await
}

#[tokio::test]
async fn too_many_requests_has_retry_after_and_hits_logins_too() {
    let emu = start(with_faults("429=1.0")).await;
    let (email, password, _) = demo(&emu, "huami");
    let r = client()
        .post(url(
            &emu,
            &format!("https://api-user.huami.com/registrations/{email}/tokens"),
        ))
        .form(&[("password", password.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    let ra = r.headers()["retry-after"].to_str().unwrap().to_owned();
    assert!(ra == "0" || ra == "1", "{ra}");
    let r = band(&emu, "whatever", "1").await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(emu.stats().too_many_requests, 2);
}

#[tokio::test]
async fn server_errors_spare_single_use_login_steps() {
    let emu = start(with_faults("500=1.0")).await;
    // Credential login and /v2/client/login are never answered with a 500.
    let (app, _, uid) = session(&emu, "huami", "com.huami.webapp").await;
    assert_eq!(band(&emu, &app, &uid).await.unwrap().status(), 500);
    assert_eq!(emu.stats().faults(FaultKind::ServerError), 1);
}

#[tokio::test]
async fn reset_closes_the_connection_without_an_answer() {
    let emu = start(with_faults("reset=1.0")).await;
    let (app, _, uid) = session(&emu, "huami", "com.huami.webapp").await;
    let err = band(&emu, &app, &uid).await.expect_err("transport error");
    assert!(!err.is_status(), "{err}");
    assert_eq!(emu.stats().resets, 1);
}

#[tokio::test]
async fn truncate_sends_headers_then_part_of_the_body() {
    let emu = start(with_faults("truncate=1.0")).await;
    let (app, _, uid) = session(&emu, "huami", "com.huami.webapp").await;
    let r = band(&emu, &app, &uid).await.expect("headers arrive");
    assert_eq!(r.status(), 200);
    let announced = r.content_length().unwrap();
    assert!(announced > 1000);
    assert!(r.bytes().await.is_err(), "the body must fail");
    assert_eq!(emu.stats().truncated, 1);
}

#[tokio::test]
async fn expired_revokes_the_token_for_good() {
    let emu = start(with_faults("expired=1.0")).await;
    let (app, login, uid) = session(&emu, "huami", "com.huami.webapp").await;
    assert_eq!(band(&emu, &app, &uid).await.unwrap().status(), 401);
    assert_eq!(emu.stats().expired, 1);
    // The old token stays invalid: a plain 401, no new fault needed.
    assert_eq!(band(&emu, &app, &uid).await.unwrap().status(), 401);
    assert_eq!(emu.stats().expired, 1);
    // The login token still mints a new app token, as after a real expiry (§3.0 ladder).
    let v: serde_json::Value = client()
        .get(url(
            &emu,
            &format!("https://account-cn.huami.com/v1/client/app_tokens?login_token={login}"),
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["result"], "ok");
}

#[tokio::test]
async fn latency_is_applied() {
    let emu = start(EmulatorConfig {
        latency: Duration::from_millis(150),
        ..config()
    })
    .await;
    let t = Instant::now();
    let r = client()
        .get(url(&emu, "https://api-mifit.huami.com/nothing"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(
        t.elapsed() >= Duration::from_millis(150),
        "{:?}",
        t.elapsed()
    );
}

#[tokio::test]
async fn a_retrying_client_gets_through_spread_faults() {
    let emu = start(with_faults("429=0.1,500=0.1,reset=0.1,truncate=0.1")).await;
    let (app, _, uid) = session(&emu, "huami", "com.huami.webapp").await;
    let http = Http::builder()
        .endpoints(mikit_core::EndpointMap::new(Some(emu.endpoint())).unwrap())
        .retry(RetryPolicy {
            max_attempts: 30,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        })
        .build()
        .unwrap();
    let mut bodies = Vec::new();
    for _ in 0..12 {
        let real = format!(
            "https://api-mifit-de2.huami.com/v1/data/band_data.json?query_type=detail&userid={uid}&from_date=2026-10-01&to_date=2026-10-02"
        );
        let r = http
            .send(reqwest::Method::GET, &real, |rb| {
                rb.header("apptoken", &app)
            })
            .await
            .expect("retries get through");
        assert_eq!(r.status, 200);
        bodies.push(r.body);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]));
    let stats = emu.stats();
    assert!(stats.total_faults() > 0, "{stats:?}");
    assert!(stats.requests >= 12 + stats.total_faults());
}
