//! `HuamiClient` over HTTP against the fake: band_data, token refresh, errors, logout.

use std::sync::Arc;

use jiff::civil::date;
use mikit_core::Secret;
use mikit_huami::{Error, HuamiClient, LoginRequest, QueryType, Session, decode_day, login};

use crate::fake::{EMAIL, Fake, PASSWORD};

async fn logged_in(fake: &Fake) -> HuamiClient {
    let s = login(
        &fake.http(),
        &LoginRequest::new(EMAIL, Secret::from(PASSWORD)),
    )
    .await
    .unwrap();
    HuamiClient::new(fake.http(), s)
}

#[tokio::test]
async fn band_data_request_shape_and_items() {
    let fake = Fake::start().await;
    let c = logged_in(&fake).await;
    let items = c
        .band_data(QueryType::Detail, date(2026, 2, 6), date(2026, 2, 8))
        .await
        .unwrap();
    assert_eq!(items.len(), 3, "from..to inclusive");
    let days: Vec<_> = items.iter().map(|i| decode_day(i).unwrap()).collect();
    assert_eq!(days[2].date, date(2026, 2, 8));
    assert_eq!(days[0].minutes.len(), 8);
    assert!(!c.session_changed());
    fake.with(|g| {
        let r = g.last("/v1/data/band_data.json");
        assert_eq!(r.host, "api-mifit-de2.huami.com");
        assert_eq!(r.method, axum::http::Method::GET);
        let q = |k: &str| r.query.get(k).map(String::as_str);
        assert_eq!(q("query_type"), Some("detail"));
        assert_eq!(q("device_type"), Some("android_phone"));
        assert_eq!(q("userid"), Some("1000000001"));
        assert_eq!(q("from_date"), Some("2026-02-06"));
        assert_eq!(q("to_date"), Some("2026-02-08"));
        assert_eq!(q("byteLength"), Some("8"));
        assert_eq!(r.headers["appplatform"], "web");
        assert_eq!(r.headers["appname"], "com.xiaomi.hm.health");
        assert!(r.headers["apptoken"].to_str().unwrap().starts_with("AT-"));
    });
    let summary = c
        .band_data(QueryType::Summary, date(2026, 2, 6), date(2026, 2, 6))
        .await
        .unwrap();
    assert!(summary[0].get("data").is_none());
    assert!(decode_day(&summary[0]).unwrap().minutes.is_empty());
    let e = c
        .band_data(QueryType::Summary, date(2026, 2, 7), date(2026, 2, 6))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)));
}

async fn refresh_once(as_0102: bool) {
    let fake = Fake::start().await;
    let c = logged_in(&fake).await;
    let before = c.session().await.app_token;
    fake.with(|g| {
        g.knobs.invalid_token_as_0102 = as_0102;
        g.expire_app_tokens();
    });
    let items = c
        .band_data(QueryType::Summary, date(2026, 2, 6), date(2026, 2, 6))
        .await
        .unwrap();
    assert_eq!(items.len(), 1);
    assert!(c.session_changed());
    let after = c.session().await;
    assert_ne!(after.app_token, before);
    fake.with(|g| {
        assert_eq!(g.count_path("/v1/client/app_tokens"), 1);
        let r = g.last("/v1/client/app_tokens");
        assert_eq!(r.host, "account.huami.com");
        assert_eq!(
            r.query.get("app_name").map(String::as_str),
            Some("com.huami.webapp")
        );
        assert_eq!(r.query.get("login_token"), Some(after.login_token.expose()));
        assert_eq!(
            g.last("/v1/data/band_data.json").headers["apptoken"],
            after.app_token.expose().as_str()
        );
    });
}

#[tokio::test]
async fn refresh_after_401() {
    refresh_once(false).await;
}

#[tokio::test]
async fn refresh_after_0102_body() {
    // TonyJiangWJ/mimotion issue #13: 200 {"code":0,"message":"invalid token","data":{"code":"0102"}}.
    refresh_once(true).await;
}

#[tokio::test]
async fn concurrent_tasks_share_one_refresh() {
    let fake = Fake::start().await;
    let c = Arc::new(logged_in(&fake).await);
    fake.with(|g| g.expire_app_tokens());
    let mut tasks = Vec::new();
    for d in 1..=8 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            c.band_data(QueryType::Detail, date(2026, 3, d), date(2026, 3, d))
                .await
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap().len(), 1);
    }
    fake.with(|g| assert_eq!(g.count_path("/v1/client/app_tokens"), 1, "single flight"));
}

#[tokio::test]
async fn session_expired_when_refresh_fails_or_does_not_help() {
    // The login token is revoked: the mint fails.
    let fake = Fake::start().await;
    let c = logged_in(&fake).await;
    // Revoke the login token through the API (as another `mikit fit logout` would).
    mikit_huami::login::logout(&fake.http(), &c.session().await)
        .await
        .unwrap();
    fake.with(|g| g.expire_app_tokens());
    let e = c
        .band_data(QueryType::Summary, date(2026, 2, 6), date(2026, 2, 6))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::SessionExpired), "{e:?}");
    assert!(e.to_string().contains("mikit fit login"));
    assert!(!c.session_changed());

    // The mint works but every token is rejected: exactly one refresh, then SessionExpired.
    let fake = Fake::start().await;
    let c = logged_in(&fake).await;
    fake.with(|g| g.knobs.reject_all_app_tokens = true);
    let e = c
        .band_data(QueryType::Summary, date(2026, 2, 6), date(2026, 2, 6))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::SessionExpired), "{e:?}");
    fake.with(|g| {
        assert_eq!(g.count_path("/v1/client/app_tokens"), 1);
        assert_eq!(g.count_path("/v1/data/band_data.json"), 2);
    });
    let s = c.session().await;
    let shown = format!("{e} {e:?}");
    assert!(
        !shown.contains(s.app_token.expose().as_str())
            && !shown.contains(s.login_token.expose().as_str())
    );
}

#[tokio::test]
async fn wrong_region_and_rate_limit() {
    let fake = Fake::start().await;
    let c = logged_in(&fake).await;
    fake.with(|g| g.knobs.strict_host = Some("api-mifit-us2.zepp.com".into()));
    let e = c
        .band_data(QueryType::Summary, date(2026, 2, 6), date(2026, 2, 6))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::WrongRegion { ref host } if host == "api-mifit-de2.huami.com"),
        "{e:?}"
    );
    assert!(e.to_string().contains("region"));

    fake.with(|g| {
        g.knobs.strict_host = None;
        g.knobs.data_429 = true;
    });
    let e = c
        .band_data(QueryType::Summary, date(2026, 2, 6), date(2026, 2, 6))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::RateLimited { .. }), "{e:?}");
    fake.with(|g| {
        assert_eq!(
            g.count_path("/v1/data/band_data.json"),
            1 + 2,
            "429 retried by the HTTP policy"
        )
    });
}

#[tokio::test]
async fn logout_revokes_the_login_token() {
    let fake = Fake::start().await;
    let c = logged_in(&fake).await;
    c.logout().await.unwrap();
    fake.with(|g| {
        let r = g.last("/v1/client/logout");
        assert_eq!(r.host, "api-mifit-us2.zepp.com");
    });
    // A second logout with the revoked token is refused.
    let e = c.logout().await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::BadResponse {
                during: "logout",
                ..
            }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_stored_session_works_after_a_serde_round_trip() {
    let fake = Fake::start().await;
    let c = logged_in(&fake).await;
    let json = serde_json::to_string(&c.session().await).unwrap();
    let s: Session = serde_json::from_str(&json).unwrap();
    let c2 = HuamiClient::new(fake.http(), s);
    assert_eq!(
        c2.band_data(QueryType::Summary, date(2026, 2, 6), date(2026, 2, 6))
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn workout_history_pages_and_detail() {
    let fake = Fake::start().await;
    let c = logged_in(&fake).await;
    let page = c.workout_history_page(None).await.unwrap();
    assert_eq!(page.summaries.len(), 200);
    assert_eq!(page.next, Some(crate::fake::workout_ids()[200]));

    let all = c.workout_history().await.unwrap();
    assert!(all.issues.is_empty(), "{:?}", all.issues);
    let all = all.summaries;
    let ids: Vec<i64> = all.iter().map(|w| w.trackid).collect();
    assert_eq!(
        ids,
        crate::fake::workout_ids(),
        "every workout once, newest first"
    );
    fake.with(|g| {
        // 1 single page + 3 pages of the walk; the later pages carry both paging names.
        assert_eq!(g.count_path("/v1/sport/run/history.json"), 4);
        let r = g.last("/v1/sport/run/history.json");
        assert_eq!(r.query.get("trackid"), r.query.get("stopTrackId"));
        assert!(r.query.contains_key("userid"));
    });

    // Detail after an expired token: refreshed transparently, then decoded (HV2 strings).
    fake.with(|g| g.expire_app_tokens());
    let first = &all[0];
    let data = c
        .workout_detail(&first.trackid.to_string(), first.source.as_deref().unwrap())
        .await
        .unwrap();
    let track = mikit_huami::workout::decode_workout_detail(&data);
    assert_eq!(track.trackid, 1_700_000_000);
    assert_eq!(track.route().count(), 3);
    assert_eq!(track.altitudes_backfilled()[0], Some(78.0));
    assert!(c.session_changed());
    let e = c
        .workout_detail("42", "run.mifit.huami.com")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Api { code: 0, .. }), "{e:?}");
}
