//! No secret reaches Debug output or an error message.

use mikit_core::Secret;
use mikit_micloud::account::parse_reply;
use mikit_micloud::crypto::b64;
use mikit_micloud::device::Device;
use mikit_micloud::envelope::decode_response;
use mikit_micloud::login::LoginStep;
use mikit_micloud::miot::CloudCode;
use mikit_micloud::sign::{Nonce, sign_legacy, sign_rc4, verify_request};
use mikit_micloud::{Error, Session};

const SECRETS: [&str; 5] = [
    "USERID-SECRET-1",
    "CUSER-SECRET-2",
    "PASSTOKEN-SECRET-3",
    "U1NFQ1VSSVRZLVNFQ1JFVC00", // base64 of "SSECURITY-SECRET-4"
    "SERVICETOKEN-SECRET-5",
];

fn session() -> Session {
    Session {
        user_id: Secret::from(SECRETS[0]),
        c_user_id: Secret::from(SECRETS[1]),
        pass_token: Secret::from(SECRETS[2]),
        ssecurity: Secret::from(SECRETS[3]),
        service_token: Secret::from(SECRETS[4]),
        sid: "xiaomiio".into(),
        device_id: "abcdefgh".into(),
        obtained_at: 1,
    }
}

fn assert_clean(text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{s} leaked into {text:?}");
    }
    assert!(!text.contains("SECRET"), "a secret leaked into {text:?}");
}

#[test]
fn session_debug_hides_every_credential() {
    let s = session();
    assert_clean(&format!("{s:?}"));
    assert_clean(&format!("{s:#?}"));
    assert_clean(&format!("{:?}", LoginStep::Done(s.clone())));
    // ... while serialization keeps them (the CLI writes a 0600 file).
    let json = serde_json::to_string(&s).unwrap();
    assert!(SECRETS.iter().all(|x| json.contains(x)));
}

#[test]
fn signed_requests_and_keys_hide_their_fields() {
    let s = session();
    let nonce = Nonce::from_parts([1; 8], 2);
    let rc4 = sign_rc4(
        "POST",
        "/p",
        r#"{"x":"DATA-SECRET"}"#,
        &s.ssecurity,
        &nonce,
        true,
    )
    .unwrap();
    let legacy = sign_legacy("/p", r#"{"x":"DATA-SECRET"}"#, &s.ssecurity, &nonce).unwrap();
    for text in [
        format!("{rc4:?}"),
        format!("{legacy:?}"),
        format!("{:?}", rc4.signed_nonce),
    ] {
        assert_clean(&text);
        assert!(!text.contains(rc4.signed_nonce.as_b64()));
        assert!(!text.contains(rc4.field("signature").unwrap()));
    }
}

#[test]
fn device_debug_hides_the_token() {
    let d: Device =
        serde_json::from_str(r#"{"did":"1","token":"TOKEN-SECRET","name":"n","model":"m"}"#)
            .unwrap();
    assert_clean(&format!("{d:?}"));
}

/// Every error variant the crate produces from inputs carrying secrets, and its Display.
#[test]
fn errors_never_quote_secrets() {
    let s = session();
    let nonce = Nonce::from_parts([1; 8], 2);
    let signed = sign_rc4("POST", "/p", "{}", &s.ssecurity, &nonce, true).unwrap();
    let form: Vec<(String, String)> = signed
        .pairs()
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    let mut errors: Vec<Error> = vec![
        // wrong key → signature mismatch
        verify_request(
            "POST",
            "/p",
            &form,
            &Secret::from(b64(b"OTHER-SECRET")).clone(),
        )
        .unwrap_err(),
        // a non-base64 ssecurity
        verify_request("POST", "/p", &form, &Secret::from("NOT BASE64 SECRET!")).unwrap_err(),
        // account bodies whose shape is wrong where a token sits
        parse_reply(
            "/pass/serviceLoginAuth2",
            br#"&&&START&&&{"code":"PASSTOKEN-SECRET-3"}"#,
        )
        .unwrap_err(),
        parse_reply(
            "/pass/serviceLoginAuth2",
            br#"&&&START&&&{"passToken":["SERVICETOKEN-SECRET-5"]}"#,
        )
        .unwrap_err(),
        // API bodies: malformed, error envelope, auth, status
        decode_response("/p", 200, br#"{"code":"SERVICETOKEN-SECRET-5"}"#, None).unwrap_err(),
        decode_response(
            "/p",
            200,
            b"SERVICETOKEN-SECRET-5",
            Some(&signed.signed_nonce),
        )
        .unwrap_err(),
        decode_response("/p", 200, br#"{"code":3,"message":"auth err"}"#, None).unwrap_err(),
        decode_response("/p", 401, b"SERVICETOKEN-SECRET-5", None).unwrap_err(),
        decode_response("/p", 502, b"SERVICETOKEN-SECRET-5", None).unwrap_err(),
        decode_response(
            "/p",
            200,
            br#"{"code":-1,"message":"invalid signature"}"#,
            None,
        )
        .unwrap_err(),
        decode_response("/p", 200, br#"{"code":-704042011,"message":"x"}"#, None).unwrap_err(),
    ];
    // The remaining variants, built directly (they carry no free text from a request).
    errors.extend([
        Error::InvalidCredentials,
        Error::BadCredentials,
        Error::InvalidUser,
        Error::PackageDenied,
        Error::CaptchaRequired {
            url: "https://account.xiaomi.com/pass/getCode?icodeType=login&0.1".into(),
        },
        Error::TwoFactorRequired,
        Error::LoginRejected {
            code: 1,
            description: "x".into(),
        },
        Error::TwoFactorFailed {
            step: "verify ticket",
            code: 70014,
            description: "wrong".into(),
        },
        Error::PassTokenExpired,
        Error::QrExpired,
        Error::Sts {
            status: 401,
            reason: "no serviceToken cookie in the reply".into(),
        },
        Error::WrongLoginState {
            called: "a",
            needs: "b",
        },
        Error::Miot {
            path: "/p".into(),
            code: CloudCode::decode(-704_010_000).unwrap(),
        },
        Error::Rc4HashMismatch,
        Error::BadNonce { len: 3 },
        Error::StaleNonce {
            nonce_minute: 1,
            now_minute: 9,
            window: 5,
        },
        Error::BadKey { len: 0 },
        Error::BadUtf8 { field: "data" },
        Error::MissingField { field: "_nonce" },
    ]);
    for e in &errors {
        let shown = e.to_string();
        assert!(!shown.is_empty());
        assert_clean(&shown);
        assert_clean(&format!("{e:?}"));
    }
}
