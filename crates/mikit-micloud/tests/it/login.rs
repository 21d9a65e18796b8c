//! The login flows against the in-test fake account server (`server.rs`).

use mikit_core::{EndpointMap, Secret};
use mikit_micloud::login::{LoginFlow, LoginStep, TwoFactorMethod};
use mikit_micloud::{Error, Session};

use crate::server::{self, Mode};

fn flow(fake: &server::Fake) -> LoginFlow {
    LoginFlow::new(EndpointMap::new(Some(&fake.endpoint)).unwrap()).unwrap()
}

fn password() -> Secret {
    Secret::from(server::PASSWORD)
}

fn assert_session(s: &Session, sts_call: u32) {
    assert_eq!(s.user_id.expose(), server::USER_ID);
    assert_eq!(s.c_user_id.expose(), server::C_USER_ID);
    assert_eq!(s.pass_token.expose(), server::PASS_TOKEN);
    assert_eq!(s.ssecurity.expose(), server::SSECURITY);
    assert_eq!(s.service_token.expose(), &server::service_token(sts_call));
    assert_eq!(s.sid, "xiaomiio");
    assert!(!s.device_id.is_empty());
}

fn done(step: LoginStep) -> Session {
    match step {
        LoginStep::Done(s) => s,
        other => panic!("expected Done, got {other:?}"),
    }
}

#[tokio::test]
async fn password_login_gets_a_service_token() {
    let fake = server::start(Mode::Plain).await;
    let mut f = flow(&fake);
    let session = done(f.password(server::USER, &password()).await.unwrap());
    assert_session(&session, 1);
    assert!(
        fake.seen(|s| s.client_sign_ok),
        "STS clientSign sent and correct"
    );
}

#[tokio::test]
async fn wrong_password_is_invalid_credentials() {
    let fake = server::start(Mode::Plain).await;
    let mut f = flow(&fake);
    let err = f
        .password(server::USER, &Secret::from("nope"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidCredentials), "{err:?}");
    let err = f.password("someone@else", &password()).await.unwrap_err();
    assert!(matches!(err, Error::InvalidCredentials), "{err:?}");
}

#[tokio::test]
async fn every_documented_code_is_a_distinct_error() {
    for (code, check) in [
        (
            70002,
            (|e: &Error| matches!(e, Error::BadCredentials)) as fn(&Error) -> bool,
        ),
        (20003, |e| matches!(e, Error::InvalidUser)),
        (22009, |e| matches!(e, Error::PackageDenied)),
        (81003, |e| matches!(e, Error::TwoFactorRequired)),
        (99999, |e| {
            matches!(e, Error::LoginRejected { code: 99999, .. })
        }),
    ] {
        let fake = server::start(Mode::Reject(code)).await;
        let err = flow(&fake)
            .password(server::USER, &password())
            .await
            .unwrap_err();
        assert!(check(&err), "code {code}: {err:?}");
        assert!(!err.to_string().is_empty());
    }
}

#[tokio::test]
async fn captcha_is_asked_then_accepted() {
    let fake = server::start(Mode::Captcha).await;
    let mut f = flow(&fake);
    let url = match f.password(server::USER, &password()).await.unwrap() {
        LoginStep::NeedCaptcha { url } => url,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        url,
        "https://account.xiaomi.com/pass/getCode?icodeType=login&0.5"
    );
    let image = f.captcha_image().await.unwrap();
    assert_eq!(image.bytes, b"JPEG");
    assert_eq!(image.content_type.as_deref(), Some("image/jpeg"));
    // A wrong answer asks again.
    assert!(matches!(
        f.answer_captcha("WRONG").await.unwrap(),
        LoginStep::NeedCaptcha { .. }
    ));
    let session = done(f.answer_captcha(server::CAPTCHA_ANSWER).await.unwrap());
    assert_session(&session, 1);
}

#[tokio::test]
async fn two_factor_by_phone() {
    let fake = server::start(Mode::TwoFactor).await;
    let mut f = flow(&fake);
    let methods = match f.password(server::USER, &password()).await.unwrap() {
        LoginStep::NeedTwoFactor { methods } => methods,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        methods,
        vec![TwoFactorMethod::Phone, TwoFactorMethod::Email]
    );
    // A ticket cannot be verified before one was sent.
    assert!(matches!(
        f.verify_ticket("1").await,
        Err(Error::WrongLoginState { .. })
    ));
    match f.send_ticket(TwoFactorMethod::Phone).await.unwrap() {
        LoginStep::NeedTicket {
            method,
            masked_target,
        } => {
            assert_eq!(method, TwoFactorMethod::Phone);
            assert_eq!(masked_target.as_deref(), Some("+49*****12"));
        }
        other => panic!("{other:?}"),
    }
    let err = f.verify_ticket("000000").await.unwrap_err();
    assert!(
        matches!(err, Error::TwoFactorFailed { code: 70014, .. }),
        "{err:?}"
    );
    // The user may try again.
    let session = done(f.verify_ticket(server::TICKET).await.unwrap());
    assert_session(&session, 1);
}

#[tokio::test]
async fn qr_login() {
    let fake = server::start(Mode::Plain).await;
    let mut f = flow(&fake);
    let qr = f.qr_start().await.unwrap();
    assert_eq!(qr.image_url, "https://account.xiaomi.com/qr.png");
    assert!(qr.login_url.contains("fixture-login-ticket"));
    assert_eq!(qr.timeout_secs, 10);
    let session = f.qr_wait(&qr).await.unwrap();
    assert_session(&session, 1);
}

#[tokio::test]
async fn qr_login_expires() {
    let fake = server::start(Mode::QrExpired).await;
    let mut f = flow(&fake);
    let qr = f.qr_start().await.unwrap();
    assert!(matches!(f.qr_wait(&qr).await, Err(Error::QrExpired)));
}

#[tokio::test]
async fn pass_token_renews_the_service_token() {
    let fake = server::start(Mode::Plain).await;
    let first = done(
        flow(&fake)
            .password(server::USER, &password())
            .await
            .unwrap(),
    );
    let renewed = flow(&fake).refresh(&first).await.unwrap();
    assert_session(&renewed, 2);
    assert_eq!(renewed.device_id, first.device_id);

    let mut stale = first.clone();
    stale.pass_token = Secret::from("pass-token-revoked");
    assert!(matches!(
        flow(&fake).refresh(&stale).await,
        Err(Error::PassTokenExpired)
    ));
}

#[tokio::test]
async fn out_of_order_calls_are_typed_errors() {
    let fake = server::start(Mode::Plain).await;
    let mut f = flow(&fake);
    assert!(matches!(
        f.answer_captcha("x").await,
        Err(Error::WrongLoginState { .. })
    ));
    assert!(matches!(
        f.captcha_image().await,
        Err(Error::WrongLoginState { .. })
    ));
    assert!(matches!(
        f.send_ticket(TwoFactorMethod::Email).await,
        Err(Error::WrongLoginState { .. })
    ));
}

#[tokio::test]
async fn session_round_trips_through_serde() {
    let fake = server::start(Mode::Plain).await;
    let session = done(
        flow(&fake)
            .password(server::USER, &password())
            .await
            .unwrap(),
    );
    let text = serde_json::to_string(&session).unwrap();
    let back: Session = serde_json::from_str(&text).unwrap();
    assert_eq!(back, session);
}

// ---------------------------------------------------------- where the login may go (issue 9 #8)

/// The login refuses `url` with an `UntrustedUrl` error and sends nothing to it.
async fn assert_refused(mode: Mode, shown: &str) {
    let fake = server::start(mode).await;
    let err = flow(&fake)
        .password(server::USER, &password())
        .await
        .unwrap_err();
    match &err {
        Error::UntrustedUrl { url, .. } => assert_eq!(url, shown),
        other => panic!("{mode:?}: {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("refusing") && msg.contains(shown), "{msg}");
    for secret in [server::PASS_TOKEN, server::SSECURITY, "ticket=1"] {
        assert!(!msg.contains(secret), "{msg}");
    }
    fake.seen(|s| {
        assert!(s.stray.is_empty(), "{mode:?}: reached {:?}", s.stray);
    });
}

#[tokio::test]
async fn an_sts_location_over_plain_http_is_refused() {
    assert_refused(
        Mode::StsLocation("http://sts.api.io.mi.com/sts?d=fake&ticket=1"),
        "http://sts.api.io.mi.com",
    )
    .await;
}

#[tokio::test]
async fn an_sts_location_on_another_host_is_refused() {
    for (location, shown) in [
        (
            "https://evil.example/sts?d=fake&ticket=1",
            "https://evil.example",
        ),
        (
            "https://sts.api.io.mi.com.evil.example/sts?d=fake&ticket=1",
            "https://sts.api.io.mi.com.evil.example",
        ),
        (
            "https://account.xiaomi.com@evil.example/sts?d=fake",
            "https://evil.example",
        ),
    ] {
        assert_refused(Mode::StsLocation(location), shown).await;
    }
}

#[tokio::test]
async fn a_redirect_away_from_xiaomi_is_refused() {
    for (to, shown) in [
        ("https://evil.example/steal", "https://evil.example"),
        (
            "http://sts.api.io.mi.com/sts?d=fake",
            "http://sts.api.io.mi.com",
        ),
        ("//evil.example/steal", "https://evil.example"),
    ] {
        let fake = server::start(Mode::StsRedirect(to)).await;
        let err = flow(&fake)
            .password(server::USER, &password())
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::UntrustedUrl { url, .. } if url == shown),
            "{to}: {err:?}"
        );
        fake.seen(|s| assert!(s.stray.is_empty(), "{to}: reached {:?}", s.stray));
    }
}

#[tokio::test]
async fn account_cookies_are_not_sent_to_the_sts_host() {
    // The two-factor redirect sets passToken and userId on account.xiaomi.com; the STS host
    // (sts.api.io.mi.com) must not receive them, as a browser would not send them.
    let fake = server::start(Mode::TwoFactor).await;
    let mut f = flow(&fake);
    assert!(matches!(
        f.password(server::USER, &password()).await.unwrap(),
        LoginStep::NeedTwoFactor { .. }
    ));
    assert!(matches!(
        f.send_ticket(TwoFactorMethod::Phone).await.unwrap(),
        LoginStep::NeedTicket { .. }
    ));
    let session = done(f.verify_ticket(server::TICKET).await.unwrap());
    assert_session(&session, 1);

    // passToken renewal puts them on account.xiaomi.com too.
    let renewed = flow(&fake).refresh(&session).await.unwrap();
    assert_session(&renewed, 2);

    fake.seen(|s| {
        assert_eq!(s.sts_cookies.len(), 2);
        for names in &s.sts_cookies {
            for secret in ["passToken", "userId", "identity_session", "serviceToken"] {
                assert!(
                    !names.iter().any(|n| n == secret),
                    "{secret} was sent to the STS host: {names:?}"
                );
            }
        }
    });
}
