//! The login flow over HTTP against the fake (`fake.rs`), and the HV1 vector.

use base64::Engine as _;
use mikit_core::Secret;
use mikit_huami::credentials::{encrypt_v2_body, v2_form};
use mikit_huami::{Error, LoginMethod, LoginRequest, login};
use serde_json::{Value, json};

use crate::fake::{EMAIL, Fake, PASSWORD};

fn req() -> LoginRequest {
    LoginRequest::new(EMAIL, Secret::from(PASSWORD))
}

/// HV1 — v2 login body encryption: HT-new `tests/test_encrypt.py::captured_data`
/// (`fixtures/huami/login_v2_vector.json`).
#[test]
fn hv1_v2_body_known_answer() {
    let v: Value = serde_json::from_str(&crate::decode::data("login_v2_vector.json")).unwrap();
    let plain = v2_form("a@a.com", &Secret::from("a"));
    assert_eq!(plain, v["plaintext"].as_str().unwrap());
    assert_eq!(plain.len(), 220);
    let ct = encrypt_v2_body(plain.as_bytes());
    assert_eq!(ct.len(), 224);
    assert_eq!(
        base64::engine::general_purpose::STANDARD.encode(&ct),
        v["ciphertext_b64"].as_str().unwrap()
    );
    assert_eq!(v["key_ascii"], "xeNtBVqzDc6tuNTh");
    assert_eq!(v["iv_ascii"], "MAAAYAAAAAAAAABg");
}

/// Every error string of a failed login is free of the password and of issued codes/tokens.
fn assert_no_secrets(e: &Error, fake: &Fake) {
    let shown = format!("{e} | {e:?}");
    assert!(!shown.contains(PASSWORD), "{shown}");
    assert!(!shown.contains("correct horse"), "{shown}");
    assert!(!shown.contains("ACCESS-"), "{shown}");
    assert!(!shown.contains("LT-") && !shown.contains("AT-"), "{shown}");
    fake.with(|g| {
        for s in &g.seen {
            if let Some(code) = s.field("code") {
                assert!(!shown.contains(code), "{shown}");
            }
        }
    });
}

#[tokio::test]
async fn v2_login_end_to_end() {
    let fake = Fake::start().await;
    let s = login(&fake.http(), &req()).await.unwrap();
    assert_eq!(s.user_id, "1000000001");
    assert_eq!(s.data_host, "api-mifit-de2.huami.com", "domains cname wins");
    assert_eq!(s.country_code, "DE");
    assert_eq!(s.region.as_deref(), Some("eu-central-1"));
    assert_eq!(s.app_name, "com.huami.webapp");
    assert_eq!(s.email, EMAIL);
    assert!(s.login_token.expose().starts_with("LT-"));
    assert!(s.obtained_at > 1_700_000_000);
    // Debug of the session never shows a token.
    let dbg = format!("{s:?}");
    assert!(
        !dbg.contains(s.login_token.expose().as_str())
            && !dbg.contains(s.app_token.expose().as_str())
    );

    fake.with(|g| {
        let t = g.last("/v2/registrations/tokens");
        assert_eq!(t.host, "api-user.zepp.com");
        assert_eq!(t.method, axum::http::Method::POST);
        assert_eq!(t.headers["x-hm-ekv"], "1");
        let keys: Vec<&str> = t.form.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "emailOrPhone",
                "state",
                "client_id",
                "password",
                "redirect_uri",
                "region",
                "token",
                "token",
                "country_code"
            ]
        );
        assert_eq!(
            t.field("password"),
            Some(PASSWORD),
            "special characters survive the form encoding"
        );
        let l = g.last("/v2/client/login");
        assert_eq!(l.host, "account.huami.com", "tried first (reference §13.4)");
        assert_eq!(l.field("grant_type"), Some("access_token"));
        assert_eq!(
            l.field("country_code"),
            Some("DE"),
            "the redirect's country code"
        );
        assert_eq!(l.field("app_name"), Some("com.huami.webapp"));
        assert_eq!(l.field("third_name"), Some("huami"));
        assert_eq!(g.count_path("/v2/client/login"), 1);
    });
}

#[tokio::test]
async fn v1_login_and_region_fallback() {
    let fake = Fake::start().await;
    fake.with(|g| g.knobs.no_domains = true);
    let s = login(
        &fake.http(),
        &req().method(LoginMethod::V1).app_name("com.huami.midong"),
    )
    .await
    .unwrap();
    // No domains: the redirect's region us-west-2 picks the US host (reference §1.2).
    assert_eq!(s.data_host, "api-mifit-us2.zepp.com");
    assert_eq!(s.country_code, "US");
    assert_eq!(s.app_name, "com.huami.midong");
    fake.with(|g| {
        let t = g.last(&format!("/registrations/{EMAIL}/tokens"));
        assert_eq!(t.host, "api-user.huami.com");
        assert_eq!(t.field("password"), Some(PASSWORD));
        assert_eq!(t.field("client_id"), Some("HuaMi"));
        assert_eq!(
            g.last("/v2/client/login").field("app_name"),
            Some("com.huami.midong")
        );
    });
}

#[tokio::test]
async fn user_override_of_the_data_host() {
    let fake = Fake::start().await;
    let s = login(&fake.http(), &req().data_host("api-mifit-us3.zepp.com"))
        .await
        .unwrap();
    assert_eq!(s.data_host, "api-mifit-us3.zepp.com");
    let e = login(&fake.http(), &req().data_host("evil.example.com"))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)));
}

#[tokio::test]
async fn phone_login_posts_huami_phone() {
    let fake = Fake::start().await;
    let e = login(
        &fake.http(),
        &LoginRequest::new("13800000000", Secret::from(PASSWORD)),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, Error::WrongPassword { .. }), "{e}");
    fake.with(|g| {
        assert_eq!(
            g.last("/v2/registrations/tokens").field("emailOrPhone"),
            Some("+8613800000000")
        )
    });
}

#[tokio::test]
async fn wrong_password_is_typed_and_secret_free() {
    let fake = Fake::start().await;
    for method in [LoginMethod::V2, LoginMethod::V1] {
        let r = LoginRequest::new(EMAIL, Secret::from("hunter2-wrong")).method(method);
        let e = login(&fake.http(), &r).await.unwrap_err();
        assert!(
            matches!(e, Error::WrongPassword { region: Some(_) }),
            "{e:?}"
        );
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(
            shown.contains("password"),
            "tells the user what to check: {shown}"
        );
    }
}

#[tokio::test]
async fn credential_step_failures() {
    let fake = Fake::start().await;
    fake.with(|g| g.knobs.v1_rate_limited = true);
    let e = login(&fake.http(), &req().method(LoginMethod::V1))
        .await
        .unwrap_err();
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

    fake.with(|g| g.knobs.tokens_answer_200 = true);
    let e = login(&fake.http(), &req()).await.unwrap_err();
    assert!(matches!(e, Error::NoRedirect { status: 200 }), "{e:?}");
    assert!(e.to_string().contains("200"));

    fake.with(|g| {
        g.knobs.tokens_answer_200 = false;
        g.knobs.redirect_without_access = true;
    });
    let e = login(&fake.http(), &req()).await.unwrap_err();
    assert!(matches!(e, Error::NoAccessToken { .. }), "{e:?}");
    assert_no_secrets(&e, &fake);
}

#[tokio::test]
async fn missing_country_code_comes_from_the_region() {
    let fake = Fake::start().await;
    fake.with(|g| g.knobs.redirect_without_country = true);
    let s = login(&fake.http(), &req()).await.unwrap();
    // HT-old: region[0:2].upper(); "eu-central-1" → "EU".
    assert_eq!(s.country_code, "EU");
    fake.with(|g| assert_eq!(g.last("/v2/client/login").field("country_code"), Some("EU")));
}

#[tokio::test]
async fn token_exchange_falls_back_to_the_second_host_on_404() {
    let fake = Fake::start().await;
    fake.with(|g| g.knobs.account_huami_404 = true);
    let s = login(&fake.http(), &req()).await.unwrap();
    assert_eq!(s.user_id, "1000000001");
    fake.with(|g| {
        assert_eq!(g.count("account.huami.com", "/v2/client/login"), 1);
        assert_eq!(g.count("api-mifit-us2.zepp.com", "/v2/client/login"), 1);
    });
}

#[tokio::test]
async fn token_exchange_errors_are_distinct_and_not_retried() {
    type Check = fn(&Error) -> bool;
    let cases: Vec<(Value, Check)> = vec![
        (json!({"error_code": "0106"}), |e| {
            matches!(e, Error::CodeRejected)
        }),
        (json!({"error_code": "0113"}), |e| {
            matches!(e, Error::LoginWrongRegion)
        }),
        (json!({"error_code": "0115"}), |e| {
            matches!(e, Error::AccountDisabled)
        }),
        // huami-token issue #42 (login_responses.json id client_login_0117_not_registered).
        (
            json!({"error_code": "0117", "data": {"wechatPhone": null, "accessToken": "V3_xxxxxxxxxxxxxxxxx", "refreshToken": "R3_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}}),
            |e| {
                matches!(
                    e,
                    Error::AccountNotRegistered {
                        third_party_tokens: true
                    }
                )
            },
        ),
        (json!({"error_code": "0121"}), |e| {
            matches!(e, Error::AccountFrozen)
        }),
        (json!({"error_code": "0125"}), |e| {
            matches!(e, Error::LoginRefused0125)
        }),
    ];
    let mut messages = std::collections::HashSet::new();
    for (body, check) in cases {
        let fake = Fake::start().await;
        fake.with(|g| g.knobs.client_login_error = Some(body.clone()));
        let e = login(&fake.http(), &req()).await.unwrap_err();
        assert!(check(&e), "{body} → {e:?}");
        assert_no_secrets(&e, &fake);
        assert!(!format!("{e}").contains("V3_"));
        assert!(messages.insert(e.to_string()), "distinct message");
        // The single-use code was posted exactly once: no blind retry, no fallback host.
        fake.with(|g| {
            assert_eq!(g.count_path("/v2/client/login"), 1);
            assert_eq!(g.count_path("/v2/registrations/tokens"), 1);
        });
    }
    for (status, check) in [
        (
            429u16,
            (|e: &Error| {
                matches!(
                    e,
                    Error::RateLimited {
                        during: "token exchange",
                        ..
                    }
                )
            }) as fn(&Error) -> bool,
        ),
        (400, |e| matches!(e, Error::LoginBadRequest)),
    ] {
        let fake = Fake::start().await;
        fake.with(|g| g.knobs.client_login_status = Some(status));
        let e = login(&fake.http(), &req()).await.unwrap_err();
        assert!(check(&e), "{status} → {e:?}");
        assert_no_secrets(&e, &fake);
        fake.with(|g| {
            assert_eq!(
                g.count_path("/v2/client/login"),
                1,
                "429 not retried with the same code"
            )
        });
    }
}

#[tokio::test]
async fn whole_login_is_retried_on_transport_errors() {
    let fake = Fake::start().await;
    // Both token-exchange hosts time out once: the first attempt fails entirely; the
    // second starts over with fresh credentials and a new code.
    fake.with(|g| g.knobs.client_login_hangs = 2);
    let s = login(&fake.http(), &req()).await.unwrap();
    assert_eq!(s.user_id, "1000000001");
    fake.with(|g| {
        assert_eq!(g.count_path("/v2/registrations/tokens"), 2);
        assert_eq!(g.count_path("/v2/client/login"), 3);
        let codes: std::collections::HashSet<_> = g
            .seen
            .iter()
            .filter(|s| s.path == "/v2/client/login")
            .filter_map(|s| s.field("code"))
            .collect();
        assert_eq!(codes.len(), 2, "one code per whole attempt");
    });
}

#[tokio::test]
async fn whole_login_gives_up_after_three_attempts() {
    let fake = Fake::start().await;
    fake.with(|g| g.knobs.client_login_hangs = 100);
    let e = login(&fake.http(), &req()).await.unwrap_err();
    assert!(e.is_transport(), "{e:?}");
    assert_no_secrets(&e, &fake);
    fake.with(|g| {
        assert_eq!(g.count_path("/v2/registrations/tokens"), 3);
        assert_eq!(g.count_path("/v2/client/login"), 6);
    });
}

/// Every artefact of `fixtures/huami/login_responses.json` (huami-token issues #27, #42,
/// #57, #72; mimotion #13; mimotion-for-email #9; EVAN docs; HT-new tests) through the parsers.
#[test]
fn login_responses_fixture() {
    use mikit_huami::account::parse_client_login;
    use mikit_huami::credentials::parse_redirect;
    use mikit_huami::envelope::decode_band_data;

    let v: Value = serde_json::from_str(&crate::decode::data("login_responses.json")).unwrap();
    let item = |id: &str| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .unwrap()
            .clone()
    };
    let body = |id: &str| item(id)["body"].to_string().into_bytes();
    let query_of_parsed = |id: &str| {
        let parsed = item(id)["location_query_parsed"]
            .as_object()
            .unwrap()
            .clone();
        let pairs: Vec<(String, String)> = parsed
            .iter()
            .map(|(k, v)| (k.clone(), v[0].as_str().unwrap().to_owned()))
            .collect();
        let refs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        format!("x?{}", mikit_huami::credentials::urlencode(&refs))
    };

    let g = parse_redirect(
        303,
        item("v2_tokens_success_redirect")["location"].as_str(),
        b"",
    )
    .unwrap();
    assert_eq!(
        (g.country_code.as_deref(), g.region.as_deref(), g.expiration),
        (Some("DE"), Some("eu-central-1"), Some(1_767_532_236))
    );
    assert!(
        g.access.expose().starts_with("xxxx") && g.refresh.unwrap().expose().starts_with("Dzzz")
    );

    assert_eq!(
        mikit_huami::credentials::v2_form("zepp@td.com", &Secret::from("mypassword")),
        item("v2_tokens_plain_form_logged")["form"]
            .as_str()
            .unwrap()
    );

    let q = format!(
        "x?{}",
        item("v1_tokens_wrong_password_query")["location_query"]
            .as_str()
            .unwrap()
    );
    assert!(
        matches!(parse_redirect(303, Some(&q), b""), Err(Error::WrongPassword { region: Some(r) }) if r == "eu-central-1")
    );
    let q = query_of_parsed("v1_tokens_wrong_password_parsed");
    assert!(
        matches!(parse_redirect(303, Some(&q), b""), Err(Error::WrongPassword { region: Some(r) }) if r == "cn-northwest-1")
    );
    let q = query_of_parsed("v1_tokens_success_parsed_shape");
    let g = parse_redirect(303, Some(&q), b"").unwrap();
    assert_eq!(
        (g.access.expose().as_str(), g.country_code.as_deref()),
        ("TOKEN", Some("US"))
    );
    assert_eq!(g.expiration, None, "\"SOME DIGITS\" is not a number");

    assert!(matches!(
        parse_redirect(200, None, &body("v1_tokens_rate_limited")),
        Err(Error::RateLimited { .. })
    ));
    assert!(matches!(
        parse_client_login(200, &body("client_login_0117_not_registered")),
        Err(Error::AccountNotRegistered {
            third_party_tokens: true
        })
    ));
    assert!(matches!(
        decode_band_data(&body("v1_data_invalid_token")),
        Err(Error::InvalidToken)
    ));
    assert!(matches!(
        decode_band_data(&body("data_missing_headers")),
        Err(Error::MissingHeaders)
    ));
    let t = parse_client_login(200, &body("client_login_success_mock")).unwrap();
    assert_eq!(
        (
            t.user_id.as_str(),
            t.login_token.expose().as_str(),
            t.app_token.expose().as_str()
        ),
        ("12345", "lt_abc", "at_xyz")
    );
    assert_eq!(item("logout_ok")["body"], json!({"result": "ok"}));
}
