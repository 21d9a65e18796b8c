//! Credential login, reference §3.1 (v1 form) and §3.2 (v2 AES body), checklist §14.

use aes::Aes128;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeEncrypt, KeyIvInit};
use mikit_emulator::{HuamiAccount, HuamiOptions, HuamiRegion};

use crate::*;

const REDIRECT: &str = "https://s3-us-west-2.amazonaws.com/hm-registration/successsignin.html";

fn encrypt(form: &str) -> Vec<u8> {
    cbc::Encryptor::<Aes128>::new(b"xeNtBVqzDc6tuNTh".into(), b"MAAAYAAAAAAAAABg".into())
        .encrypt_padded_vec::<Pkcs7>(form.as_bytes())
}

fn v2_form(email: &str, password: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("emailOrPhone", email)
        .append_pair("state", "REDIRECTION")
        .append_pair("client_id", "HuaMi")
        .append_pair("password", password)
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("region", "us-west-2")
        .append_pair("token", "access")
        .append_pair("token", "refresh")
        .append_pair("country_code", "US")
        .finish()
}

async fn post_v2(emu: &mikit_emulator::Emulator, body: Vec<u8>, ekv: bool) -> reqwest::Response {
    let mut rb = client()
        .post(url(
            emu,
            "https://api-user.zepp.com/v2/registrations/tokens",
        ))
        .header("app_name", "com.huami.midong")
        .header("appname", "com.huami.midong")
        .header("appplatform", "android_phone")
        .header(
            "content-type",
            "application/x-www-form-urlencoded; charset=UTF-8",
        )
        .body(body);
    if ekv {
        rb = rb.header("x-hm-ekv", "1");
    }
    rb.send().await.unwrap()
}

#[tokio::test]
async fn v1_success_is_a_303_with_access_region_and_country() {
    let emu = start(config()).await;
    let (email, password, _) = demo(&emu, "huami");
    let enc: String = url::form_urlencoded::byte_serialize(email.as_bytes()).collect();
    let resp = client()
        .post(url(
            &emu,
            &format!("https://api-user.huami.com/registrations/{enc}/tokens"),
        ))
        .form(&[
            ("state", "REDIRECTION"),
            ("client_id", "HuaMi"),
            ("redirect_uri", REDIRECT),
            ("token", "access"),
            ("password", password.as_str()),
        ])
        .send()
        .await
        .unwrap();
    // §3.1: success is a 303, never 200.
    assert_eq!(resp.status(), 303);
    let loc = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(loc.starts_with(REDIRECT), "{loc}");
    let q = location_query(&resp);
    assert_eq!(get(&q, "state"), Some("REDIRECTION"));
    // The demo account is the EU account (§1.2).
    assert_eq!(get(&q, "region"), Some("eu-central-1"));
    assert_eq!(get(&q, "country_code"), Some("DE"));
    assert!(get(&q, "access").is_some_and(|a| a.len() > 20));
    assert!(get(&q, "error").is_none());
}

#[tokio::test]
async fn v1_wrong_password_is_a_303_with_error_401() {
    let emu = start(config()).await;
    let (email, _, _) = demo(&emu, "huami");
    let resp = client()
        .post(url(
            &emu,
            &format!("https://api-user.huami.com/registrations/{email}/tokens"),
        ))
        .form(&[
            ("state", "REDIRECTION"),
            ("client_id", "HuaMi"),
            ("redirect_uri", REDIRECT),
            ("token", "access"),
            ("password", "wrong"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let q = location_query(&resp);
    // Captured shape: error=401&state=REDIRECTION&region=eu-central-1 (huami-token issue #57).
    let keys: Vec<&str> = q.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["error", "state", "region"]);
    assert_eq!(get(&q, "error"), Some("401"));
    assert_eq!(get(&q, "region"), Some("eu-central-1"));
}

#[tokio::test]
async fn v1_rate_limit_answers_code_12() {
    let mut cfg = config();
    cfg.huami.login_rate_limit = Some(1);
    let emu = start(cfg).await;
    let (email, password, _) = demo(&emu, "huami");
    let _ = access_code(&emu, &email, &password).await;
    let resp = client()
        .post(url(
            &emu,
            &format!("https://api-user.huami.com/registrations/{email}/tokens"),
        ))
        .form(&[("password", password.as_str()), ("redirect_uri", REDIRECT)])
        .send()
        .await
        .unwrap();
    // Body captured in matocool/mimotion-for-email issue #9.
    let v: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(
        v,
        serde_json::json!({"code": 12, "message": "too many requests"})
    );
}

#[tokio::test]
async fn v2_login_with_the_hv1_ciphertext() {
    // HV1: huami-token 0.8.0 tests/test_encrypt.py `captured_data` (tests/data/login_v2_vector.json).
    let vector: serde_json::Value =
        serde_json::from_str(&data_file("login_v2_vector.json")).unwrap();
    let ct = b64(vector["ciphertext_b64"].as_str().unwrap());
    assert_eq!(ct.len(), 224);
    let cfg = mikit_emulator::EmulatorConfig {
        huami: HuamiOptions {
            accounts: vec![HuamiAccount::new("a@a.com", "a").in_region(HuamiRegion::Us)],
            ..Default::default()
        },
        ..config()
    };
    let emu = start(cfg).await;
    let resp = post_v2(&emu, ct, true).await;
    assert_eq!(resp.status(), 303);
    let q = location_query(&resp);
    // Key order of the captured redirect (huami-token issue #72).
    let keys: Vec<&str> = q.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "appname",
            "state",
            "region",
            "refresh",
            "access",
            "country_code",
            "expiration"
        ]
    );
    assert_eq!(get(&q, "appname"), Some("com.huami.midong"));
    assert_eq!(get(&q, "state"), Some("REDIRECTION"));
    assert_eq!(get(&q, "region"), Some("us-west-2"));
    assert_eq!(get(&q, "country_code"), Some("US"));
    let exp: i64 = get(&q, "expiration").unwrap().parse().unwrap();
    let now = jiff::Timestamp::now().as_second();
    // ≈ 10 days (1767532236 on a redirect issued 2025-12-25 14:10 UTC).
    assert!(
        (now + 9 * 86_400..now + 11 * 86_400).contains(&exp),
        "{exp}"
    );
    // The access code works exactly once on /v2/client/login.
    let code = get(&q, "access").unwrap().to_owned();
    let v = client_login(&emu, "api-mifit-us2.zepp.com", &code, "com.huami.webapp").await;
    assert_eq!(v["result"], "ok");
    assert_eq!(
        v["token_info"]["user_id"],
        emu.info()["accounts"]["huami_extra_1"]["user_id"]
    );
}

#[tokio::test]
async fn v2_our_encryption_reproduces_hv1() {
    // The same vector from the client side: encrypting the HV1 plaintext gives the HV1 ciphertext.
    let vector: serde_json::Value =
        serde_json::from_str(&data_file("login_v2_vector.json")).unwrap();
    let plain = vector["plaintext"].as_str().unwrap();
    assert_eq!(plain, v2_form("a@a.com", "a"));
    assert_eq!(
        encrypt(plain),
        b64(vector["ciphertext_b64"].as_str().unwrap())
    );
}

#[tokio::test]
async fn v2_wrong_password_is_a_303_with_error_401() {
    let emu = start(config()).await;
    let (email, _, _) = demo(&emu, "huami");
    let resp = post_v2(&emu, encrypt(&v2_form(&email, "nope")), true).await;
    assert_eq!(resp.status(), 303);
    let q = location_query(&resp);
    assert_eq!(get(&q, "error"), Some("401"));
    assert!(get(&q, "access").is_none());
}

#[tokio::test]
async fn v2_requires_ekv_and_valid_ciphertext() {
    let emu = start(config()).await;
    let (email, password, _) = demo(&emu, "huami");
    let good = encrypt(&v2_form(&email, &password));
    assert_eq!(post_v2(&emu, good.clone(), false).await.status(), 400);
    assert_eq!(
        post_v2(&emu, b"not ciphertext at all".to_vec(), true)
            .await
            .status(),
        400
    );
    assert_eq!(post_v2(&emu, vec![0u8; 32], true).await.status(), 400);
    assert_eq!(post_v2(&emu, good, true).await.status(), 303);
}
