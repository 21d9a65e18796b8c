//! Issue 12 against the emulator with the real `mikit-huami` client: the device list and its
//! auth keys, every health-event stream (paging, "fetched, empty" versus "not fetched",
//! sentinels), weight records paged by `toTime`, and every way in (Xiaomi OAuth code pasted
//! as a redirect address or bare, 0117, a pasted app token, renewal without the password, the
//! login rate limit without a retry loop). Reference `huami-cloud.md` §3.3–3.6, §7, §8.

use std::time::Duration;

use mikit_core::http::{Http, RetryPolicy};
use mikit_core::{EndpointMap, Secret};
use mikit_emulator::{Emulator, EmulatorConfig, HuamiOptions};
use mikit_huami::health::EventData;
use mikit_huami::signin::{PastedToken, parse_pasted_token};
use mikit_huami::{
    Error, EventStream, HuamiClient, LoginRequest, XiaomiApp, XiaomiLogin, login, login_xiaomi,
    parse_pasted_code, renew, session_from_token,
};
use mikit_micloud::{LoginFlow, LoginStep};
use serde_json::Value;

use crate::{client, config, demo, start, today, url};

fn http(emu: &Emulator) -> Http {
    mikit_core::http::install_crypto_provider();
    Http::builder()
        .endpoints(EndpointMap::new(Some(emu.endpoint())).unwrap())
        .timeout(Duration::from_secs(20))
        .retry(RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
        })
        .build()
        .unwrap()
}

async fn huami(emu: &Emulator) -> HuamiClient {
    let (email, password, _) = demo(emu, "huami");
    let s = login(&http(emu), &LoginRequest::new(email, Secret::new(password)))
        .await
        .unwrap();
    HuamiClient::new(http(emu), s)
}

fn ms(d: jiff::civil::Date) -> i64 {
    d.to_zoned(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp()
        .as_millisecond()
}

#[tokio::test]
async fn device_keys_are_the_ones_the_emulator_serves() {
    let emu = start(config()).await;
    let c = huami(&emu).await;
    let (devices, skipped) = c.devices().await.unwrap();
    assert_eq!(skipped, 0);
    assert_eq!(devices.len(), 4);
    // The raw answer, read without the decoder.
    let s = c.session().await;
    let raw: Value = client()
        .get(url(
            &emu,
            &format!("https://{}/users/{}/devices", s.data_host, s.user_id),
        ))
        .header("apptoken", s.app_token.expose().as_str())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for (d, item) in devices.iter().zip(raw["items"].as_array().unwrap()) {
        let info: Value = serde_json::from_str(item["additionalInfo"].as_str().unwrap()).unwrap();
        assert_eq!(d.mac.as_deref(), item["macAddress"].as_str());
        match info["auth_key"].as_str() {
            Some(k) => {
                let key = d.auth_key.as_ref().expect("a key");
                assert!(key.is_standard());
                assert_eq!(key.huami_token_format(), format!("0x{k}"));
                assert!(!format!("{d:?}").contains(k), "Debug shows the key");
            }
            None => assert!(d.auth_key.is_none()),
        }
    }
    let scale = devices.iter().find(|d| d.device_type == Some(1)).unwrap();
    assert!(scale.auth_key.is_none());
    assert_eq!(scale.device_source, Some(102));
    assert!(devices.iter().filter(|d| d.auth_key.is_some()).count() == 3);
}

#[tokio::test]
async fn every_event_stream_is_fetched_and_typed() {
    let emu = start(config()).await;
    let c = huami(&emu).await;
    let to = ms(today()) + 86_400_000 - 1;
    let from = to - 60 * 86_400_000;
    for stream in EventStream::ALL {
        let f = c
            .events(stream, from, to, "Europe/Berlin")
            .await
            .unwrap_or_else(|e| panic!("{stream:?}: {e}"));
        assert!(!f.is_empty(), "{stream:?} has data in 60 days");
        assert!(f.issues.is_empty(), "{stream:?}: {:?}", f.issues);
        assert_eq!(f.stream, stream.name());
        assert!(
            f.items
                .windows(2)
                .all(|w| w[0].timestamp_ms <= w[1].timestamp_ms)
        );
        assert!(
            f.items
                .iter()
                .all(|e| (from..=to).contains(&e.timestamp_ms))
        );
        for e in &f.items {
            assert!(e.raw.is_object());
            match &e.data {
                EventData::Stress(s) => assert!(!s.samples.is_empty()),
                EventData::Spo2Spot(s) => assert!((95..=99).contains(&s.spo2.unwrap())),
                EventData::Spo2Apnea(a) => assert!(a.spo2_decrease.unwrap() >= 4.0),
                EventData::Spo2Nightly(n) => assert!(n.date.is_some() && n.odi.is_some()),
                EventData::Pai(p) => assert!(p.total.unwrap() >= p.daily.unwrap()),
                EventData::Hrv(h) => assert!(!h.samples.is_empty()),
                EventData::Readiness(r) => assert!(r.readiness.is_some() && r.skin_temp.is_some()),
                EventData::RespiratoryRate(r) => {
                    assert!(r.samples.iter().all(|(_, b)| (13..=17).contains(b)));
                }
                other => panic!("{stream:?}: {other:?}"),
            }
        }
        // The v1 endpoint without subType returns every SpO2 subType.
        if stream == EventStream::Spo2 {
            let subs: std::collections::BTreeSet<_> =
                f.items.iter().filter_map(|e| e.sub_type.clone()).collect();
            assert_eq!(
                subs.into_iter().collect::<Vec<_>>(),
                vec!["click".to_owned(), "osa_event".to_owned()]
            );
        }
    }
}

#[tokio::test]
async fn events_page_past_a_full_page_and_empty_is_fetched() {
    let emu = start(EmulatorConfig {
        days: 1300,
        ..config()
    })
    .await;
    let c = huami(&emu).await;
    let to = ms(today()) + 86_400_000 - 1;
    let from = to - 1300 * 86_400_000;
    let f = c
        .events(EventStream::Stress, from, to, "Europe/Berlin")
        .await
        .unwrap();
    assert!(f.pages >= 2, "pages {}", f.pages);
    assert!(f.items.len() > 1000, "{}", f.items.len());
    assert!(
        f.items
            .windows(2)
            .all(|w| w[0].timestamp_ms < w[1].timestamp_ms)
    );
    // Paging lost nothing: one raw request with a limit above the count has the same items.
    let s0 = c.session().await;
    let all: Value = client()
        .get(url(
            &emu,
            &format!(
                "https://{}/users/{}/events?eventType=all_day_stress&from={from}&to={to}&limit=5000",
                s0.data_host, s0.user_id
            ),
        ))
        .header("apptoken", s0.app_token.expose().as_str())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let raw: Vec<&Value> = all["items"].as_array().unwrap().iter().collect();
    assert_eq!(raw.len(), f.items.len());
    assert!(raw.iter().zip(&f.items).all(|(r, e)| **r == e.raw));
    // Before the history: fetched, nothing measured.
    let early = c
        .events(EventStream::Hrv, 0, 86_400_000, "UTC")
        .await
        .unwrap();
    assert!(early.is_empty());
    assert_eq!(early.pages, 1);
    // The v2 endpoint answers [] for a type it does not know (§7.2): not an error, so only
    // the stream's own request may be recorded as fetched.
    let s = c.session().await;
    let v: Value = client()
        .get(url(
            &emu,
            &format!(
                "https://{}/v2/users/me/events?eventType=NoSuchType&from=0&to={to}",
                s.data_host
            ),
        ))
        .header("apptoken", s.app_token.expose().as_str())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v, serde_json::json!({"items": []}));
    // The nightly summary is not on the ms endpoint, only on events/dateString.
    let v: Value = client()
        .get(url(
            &emu,
            &format!(
                "https://{}/users/{}/events?eventType=blood_oxygen&subType=odi&from={from}&to={to}",
                s.data_host, s.user_id
            ),
        ))
        .header("apptoken", s.app_token.expose().as_str())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["items"].as_array().unwrap().len(), 0);
    // Not fetched: a rejected token is an error, never an empty answer.
    let bad = HuamiClient::new(
        http(&emu),
        mikit_huami::Session {
            app_token: Secret::from("nope"),
            login_token: Secret::from(""),
            ..s
        },
    );
    assert!(matches!(
        bad.events(EventStream::Stress, from, to, "UTC").await,
        Err(Error::SessionExpired)
    ));
    assert!(matches!(
        c.events(EventStream::Stress, from, to, "Not/AZone").await,
        Err(Error::InvalidInput(_))
    ));
}

#[tokio::test]
async fn weight_records_page_until_next_is_zero() {
    let emu = start(EmulatorConfig {
        days: 1300,
        today: Some(jiff::Zoned::now().date()),
        ..config()
    })
    .await;
    let c = huami(&emu).await;
    let all = c.weight_records(None).await.unwrap();
    assert!(all.pages >= 5, "pages {}", all.pages);
    assert!(all.items.len() > 900, "{}", all.items.len());
    assert!(all.skipped > 0, "weightType 3 records are skipped");
    assert!(all.items.windows(2).all(|w| w[0].time < w[1].time));
    for r in &all.items {
        assert!(r.time < 100_000_000_000, "seconds, not ms");
        assert_ne!(r.weight_type, Some(3));
        let w = r.weight_kg.unwrap();
        assert!((35.0..150.0).contains(&w), "{w}");
        for k in [
            "bmi",
            "fatRate",
            "bodyWaterRate",
            "boneMass",
            "metabolism",
            "muscleRate",
            "muscleAge",
            "proteinRatio",
            "standBodyWeight",
            "visceralFat",
            "impedance",
            "encryptImpedance",
            "bodyScore",
            "bodyStyle",
        ] {
            assert!(r.summary.contains_key(k), "{k}");
        }
        assert!(r.fat_rate.is_some() && r.bmi.is_some() && r.impedance.is_some());
    }
    // Incremental: only records since a time, fewer pages.
    let since = all.items[all.items.len() - 50].time;
    let recent = c.weight_records(Some(since)).await.unwrap();
    assert_eq!(recent.items.len(), 50);
    assert!(recent.pages < all.pages);
}

async fn xiaomi_session(emu: &Emulator, key: &str) -> mikit_micloud::Session {
    let a = &emu.info()["accounts"][key];
    let user = a["user"].as_str().unwrap().to_owned();
    let password = a["password"].as_str().unwrap().to_owned();
    mikit_core::http::install_crypto_provider();
    let mut flow = LoginFlow::new(EndpointMap::new(Some(emu.endpoint())).unwrap()).unwrap();
    match flow.password(&user, &Secret::new(password)).await.unwrap() {
        LoginStep::Done(s) => s,
        LoginStep::NeedCaptcha { .. } => {
            let _ = flow.captcha_image().await.unwrap();
            match flow
                .answer_captcha(a["captcha"].as_str().unwrap())
                .await
                .unwrap()
            {
                LoginStep::Done(s) => s,
                other => panic!("{other:?}"),
            }
        }
        other => panic!("{other:?}"),
    }
}

/// Open the authorize URL "in a browser" signed in as `xiaomi`: the redirect address.
async fn authorize(emu: &Emulator, app: XiaomiApp, xiaomi: &mikit_micloud::Session) -> String {
    let r = client()
        .get(url(emu, &app.authorize_url()))
        .header(
            "cookie",
            format!(
                "passToken={}; userId={}",
                xiaomi.pass_token.expose(),
                xiaomi.user_id.expose()
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    r.headers()["location"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn xiaomi_code_login_with_a_pasted_redirect_and_a_bare_code() {
    let emu = start(config()).await;
    let xiaomi = xiaomi_session(&emu, "xiaomi").await;
    // Not signed in: the browser goes to the Xiaomi sign-in page first.
    let r = client()
        .get(url(&emu, &XiaomiApp::ZeppLife.authorize_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .contains("/pass/serviceLogin")
    );

    let linked = emu.info()["accounts"]["huami_xiaomi"]["user_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let redirect = authorize(&emu, XiaomiApp::ZeppLife, &xiaomi).await;
    assert!(redirect.starts_with(
        "https://api-mifit-cn.huami.com/huami.health.loginview.do_not?code=ALSG_CLOUDSRV_"
    ));
    let code = parse_pasted_code(&format!("  {redirect}\n")).unwrap();
    let s = login_xiaomi(&http(&emu), &code, &XiaomiLogin::default())
        .await
        .unwrap();
    assert_eq!(s.user_id, linked);
    assert_eq!(s.email, "mi-user@mikit.example");
    assert_eq!(s.data_host, "api-mifit-de2.huami.com");
    let c = HuamiClient::new(http(&emu), s);
    assert_eq!(c.devices().await.unwrap().0.len(), 4);
    // The code is single-use.
    let again = login_xiaomi(&http(&emu), &code, &XiaomiLogin::default()).await;
    assert!(matches!(again, Err(Error::CodeRejected)), "{again:?}");

    // The Zepp app's client, the code pasted bare.
    let redirect = authorize(&emu, XiaomiApp::Zepp, &xiaomi).await;
    let bare = redirect.split("code=").nth(1).unwrap().to_owned();
    let code = parse_pasted_code(&bare).unwrap();
    let opts = XiaomiLogin {
        app: XiaomiApp::Zepp,
        ..XiaomiLogin::default()
    };
    // A code of one app does not work with the other app's third_name.
    let wrong = login_xiaomi(&http(&emu), &code, &XiaomiLogin::default()).await;
    assert!(matches!(wrong, Err(Error::CodeRejected)), "{wrong:?}");
    let redirect = authorize(&emu, XiaomiApp::Zepp, &xiaomi).await;
    let code = parse_pasted_code(redirect.split("code=").nth(1).unwrap()).unwrap();
    assert_eq!(
        login_xiaomi(&http(&emu), &code, &opts)
            .await
            .unwrap()
            .user_id,
        linked
    );
}

#[tokio::test]
async fn xiaomi_account_unknown_to_huami_is_0117_with_advice() {
    let emu = start(config()).await;
    let xiaomi = xiaomi_session(&emu, "xiaomi_captcha").await;
    let redirect = authorize(&emu, XiaomiApp::ZeppLife, &xiaomi).await;
    let code = parse_pasted_code(&redirect).unwrap();
    let e = login_xiaomi(&http(&emu), &code, &XiaomiLogin::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::AccountNotRegistered {
                third_party_tokens: true
            }
        ),
        "{e:?}"
    );
    let text = e.to_string();
    assert!(text.contains("sign in once in the Zepp"), "{text}");
    // The raw body is the one captured in huami-token issue #42.
    let redirect = authorize(&emu, XiaomiApp::Zepp, &xiaomi).await;
    let code = parse_pasted_code(&redirect).unwrap();
    let v: Value = client()
        .post(url(&emu, "https://account.huami.com/v2/client/login"))
        .form(&[
            ("grant_type", "request_token"),
            ("code", code.expose().as_str()),
            ("third_name", "mi-watch"),
            ("app_name", "com.huami.midong"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["error_code"], "0117");
    assert!(v["data"]["wechatPhone"].is_null());
    assert!(
        v["data"]["accessToken"]
            .as_str()
            .unwrap()
            .starts_with("V3_")
    );
    assert!(
        v["data"]["refreshToken"]
            .as_str()
            .unwrap()
            .starts_with("R3_")
    );
    assert!(!text.contains("V3_") && !format!("{e:?}").contains("V3_"));
}

#[tokio::test]
async fn pasted_token_valid_and_invalid() {
    let emu = start(config()).await;
    let real = huami(&emu).await.session().await;
    let cookie = format!(
        r#"{{"token_info":{{"user_id":"{}","app_token":"{}"}}}}"#,
        real.user_id,
        real.app_token.expose()
    );
    let pasted = parse_pasted_token(&cookie, None).unwrap();
    let s = session_from_token(&http(&emu), &pasted).await.unwrap();
    assert_eq!(s.user_id, real.user_id);
    assert!(s.login_token.is_empty());
    let c = HuamiClient::new(http(&emu), s);
    assert_eq!(c.devices().await.unwrap().0.len(), 4);
    // A bare token with the user id, on an explicit host.
    let pasted = PastedToken {
        data_host: Some("api-mifit-de2.huami.com".into()),
        ..parse_pasted_token(real.app_token.expose(), Some(&real.user_id)).unwrap()
    };
    assert!(session_from_token(&http(&emu), &pasted).await.is_ok());
    // A wrong token: a clear error, no session.
    let wrong = parse_pasted_token("not-a-real-token", Some(&real.user_id)).unwrap();
    let e = session_from_token(&http(&emu), &wrong).await.unwrap_err();
    assert!(matches!(e, Error::TokenRejected { .. }), "{e:?}");
    assert!(e.to_string().contains("copy a fresh apptoken"));
    // A pasted-token session cannot be renewed: the user pastes a new token.
    let s = session_from_token(&http(&emu), &parse_pasted_token(&cookie, None).unwrap())
        .await
        .unwrap();
    assert!(matches!(
        renew(&http(&emu), &s).await,
        Err(Error::SessionExpired)
    ));
}

#[tokio::test]
async fn renewal_needs_no_password_and_the_login_limit_is_never_looped() {
    let emu = start(EmulatorConfig {
        huami: HuamiOptions {
            login_rate_limit: Some(1),
            ..HuamiOptions::default()
        },
        ..config()
    })
    .await;
    let (email, password, _) = demo(&emu, "huami");
    let req = LoginRequest::new(email, Secret::new(password));
    let first = login(&http(&emu), &req).await.unwrap();
    // Renewal: a new app token and login token from the stored login token alone.
    let renewed = renew(&http(&emu), &first).await.unwrap();
    assert_ne!(renewed.app_token, first.app_token);
    assert_ne!(renewed.login_token, first.login_token);
    let c = HuamiClient::new(http(&emu), renewed.clone());
    assert!(c.devices().await.is_ok());
    // The old login token was replaced.
    assert!(matches!(
        renew(&http(&emu), &first).await,
        Err(Error::SessionExpired)
    ));
    assert!(renew(&http(&emu), &renewed).await.is_ok());
    // A second password login within the minute: one request, a typed error, no loop.
    let before = emu.stats().requests;
    let e = login(&http(&emu), &req).await.unwrap_err();
    assert_eq!(emu.stats().requests - before, 1, "exactly one request");
    assert!(
        matches!(
            e,
            Error::RateLimited {
                during: "credential login",
                ..
            }
        ),
        "{e:?}"
    );
    let text = e.to_string();
    assert!(text.contains("limits logins per network address"), "{text}");
    assert!(text.contains("try again after"), "{text}");
}

#[tokio::test]
async fn a_login_answered_429_carries_retry_after_and_is_sent_once() {
    let emu = start(EmulatorConfig {
        faults: "429=1.0".parse().unwrap(),
        ..config()
    })
    .await;
    let (email, password, _) = demo(&emu, "huami");
    let e = login(
        &http(&emu),
        &LoginRequest::new(email, Secret::new(password)),
    )
    .await
    .unwrap_err();
    assert_eq!(
        emu.stats().requests,
        1,
        "a rate-limited login is not retried"
    );
    match e {
        Error::RateLimited {
            during: "credential login",
            retry_after_secs: Some(s),
        } => {
            assert!(s <= 1);
            assert!(
                e.to_string()
                    .contains(&format!("try again after {s} seconds"))
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn xiaomi_login_fully_automated_from_a_micloud_session() {
    let emu = start(config()).await;
    let xiaomi = xiaomi_session(&emu, "xiaomi").await;
    let code = mikit_huami::signin::xiaomi_code_from_session(
        &http(&emu),
        XiaomiApp::ZeppLife,
        &xiaomi.user_id,
        &xiaomi.pass_token,
    )
    .await
    .unwrap();
    let s = login_xiaomi(&http(&emu), &code, &XiaomiLogin::default())
        .await
        .unwrap();
    assert_eq!(
        s.user_id,
        emu.info()["accounts"]["huami_xiaomi"]["user_id"]
            .as_str()
            .unwrap()
    );
    // A signed-out session: the sign-in page, a clear error.
    let e = mikit_huami::signin::xiaomi_code_from_session(
        &http(&emu),
        XiaomiApp::ZeppLife,
        &xiaomi.user_id,
        &Secret::from("expired"),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, Error::XiaomiSessionRejected), "{e:?}");
}
