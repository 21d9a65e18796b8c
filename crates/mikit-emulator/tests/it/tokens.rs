//! Token exchange and lifecycle, reference §3.4, §3.6 and checklist §14 "Token exchange".

use crate::*;

#[tokio::test]
async fn client_login_shape_matches_the_reference() {
    let emu = start(config()).await;
    let (email, password, uid) = demo(&emu, "huami");
    let code = access_code(&emu, &email, &password).await;
    let v = client_login(&emu, "account.huami.com", &code, "com.huami.webapp").await;
    assert_eq!(v["result"], "ok");
    let ti = &v["token_info"];
    for k in ["login_token", "app_token", "user_id"] {
        assert!(ti[k].is_string(), "token_info.{k} must be a string: {v}");
    }
    assert_eq!(ti["user_id"], uid.as_str());
    assert!(uid.chars().all(|c| c.is_ascii_digit()));
    assert!(ti["ttl"].is_number() && ti["app_ttl"].is_number());
    for k in [
        "is_new_user",
        "regist_date",
        "region",
        "country_code",
        "countryState",
    ] {
        assert!(!v["regist_info"][k].is_null(), "regist_info.{k}");
    }
    assert_eq!(v["regist_info"]["region"], "eu-central-1");
    assert!(v["thirdparty_info"].is_object());
    assert!(v["domain"]["id-dns"].is_string());
    // domains: [{host, cnames}] — the EU account's data host (§1.2, §3.4).
    let domains = v["domains"].as_array().unwrap();
    assert_eq!(domains[0]["host"], "api-mifit.huami.com");
    assert_eq!(
        domains[0]["cnames"],
        serde_json::json!(["api-mifit-de2.huami.com"])
    );
}

#[tokio::test]
async fn access_codes_are_single_use_and_unknown_codes_fail() {
    let emu = start(config()).await;
    let (email, password, _) = demo(&emu, "huami");
    let code = access_code(&emu, &email, &password).await;
    // Served on account.zepp.com and api-mifit-us2.zepp.com too (§3.4 hosts).
    let v = client_login(&emu, "account.zepp.com", &code, "com.huami.webapp").await;
    assert_eq!(v["result"], "ok");
    let again = client_login(&emu, "api-mifit-us2.zepp.com", &code, "com.huami.webapp").await;
    assert_eq!(again["error_code"], "0106");
    assert!(again.get("token_info").is_none());
    let unknown = client_login(
        &emu,
        "account.huami.com",
        "made-up-code",
        "com.huami.webapp",
    )
    .await;
    assert_eq!(unknown["error_code"], "0106");
}

#[tokio::test]
async fn special_accounts_give_documented_error_codes() {
    let emu = start(config()).await;
    for (key, want) in [
        ("huami_wrong_region", "0113"),
        ("huami_disabled", "0115"),
        ("huami_unregistered", "0117"),
        ("huami_frozen", "0121"),
    ] {
        let (email, password, _) = demo(&emu, key);
        let code = access_code(&emu, &email, &password).await;
        let v = client_login(&emu, "account.huami.com", &code, "com.huami.webapp").await;
        assert_eq!(v["error_code"], want, "{key}: {v}");
        assert_eq!(emu.info()["accounts"][key]["login_error"], want);
    }
}

#[tokio::test]
async fn xiaomi_request_token_with_an_unknown_code_is_0106() {
    // A code the Xiaomi side never issued (the 0117 answer for a real code of a Mi account
    // unknown to Huami is in `health::xiaomi_account_unknown_to_huami_is_0117_with_advice`).
    let emu = start(config()).await;
    let v: serde_json::Value = client()
        .post(url(&emu, "https://account.huami.com/v2/client/login"))
        .form(&[
            ("grant_type", "request_token"),
            ("code", "ALSG_CLOUDSRV_X"),
            ("third_name", "mi-watch"),
            ("app_name", "com.huami.midong"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["error_code"], "0106");
}

async fn band_status(emu: &mikit_emulator::Emulator, token: &str) -> u16 {
    band_data(emu, token, "1", "summary", "2026-11-01", "2026-11-02")
        .await
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_new_login_evicts_the_same_app_name_only() {
    let emu = start(config()).await;
    let (web1, _, _) = session(&emu, "huami", "com.huami.webapp").await;
    let (phone, _, _) = session(&emu, "huami", "com.xiaomi.hm.health").await;
    assert_eq!(band_status(&emu, &web1).await, 200);
    let (web2, _, _) = session(&emu, "huami", "com.huami.webapp").await;
    assert_eq!(band_status(&emu, &web1).await, 401);
    assert_eq!(band_status(&emu, &web2).await, 200);
    assert_eq!(band_status(&emu, &phone).await, 200);
}

#[tokio::test]
async fn app_tokens_renew_and_logout() {
    let emu = start(config()).await;
    let (app, login, _) = session(&emu, "huami", "com.xiaomi.hm.health").await;
    let c = client();
    // §3.6 mint app_token (MIMO grant_app_token).
    let v: serde_json::Value = c
        .get(url(&emu, &format!("https://account-cn.huami.com/v1/client/app_tokens?app_name=com.xiaomi.hm.health&dn=api-user.huami.com%2Capi-mifit.huami.com&login_token={login}")))
        .send().await.unwrap().json().await.unwrap();
    assert_eq!(v["result"], "ok");
    let app2 = v["token_info"]["app_token"].as_str().unwrap().to_owned();
    assert_ne!(app2, app);
    assert_eq!(band_status(&emu, &app2).await, 200);
    // Renew the login token (MIMO renew_login_token).
    let v: serde_json::Value = c
        .get(url(&emu, &format!("https://account-cn3.zepp.com/v1/client/renew_login_token?os_version=v0.8.1&login_token={login}&timestamp=1")))
        .send().await.unwrap().json().await.unwrap();
    assert_eq!(v["result"], "ok");
    let login2 = v["token_info"]["login_token"].as_str().unwrap().to_owned();
    // A bad login token gets an error_code body.
    let bad: serde_json::Value = c
        .get(url(
            &emu,
            "https://account-cn.huami.com/v1/client/app_tokens?login_token=nope",
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(bad["error_code"].is_string(), "{bad}");
    // Logout (HT-new: api-mifit-us2.zepp.com, form login_token) → {"result":"ok"} and revoke.
    let v: serde_json::Value = c
        .post(url(&emu, "https://api-mifit-us2.zepp.com/v1/client/logout"))
        .form(&[("login_token", login2.as_str()), ("os_verison", "vnull")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v, serde_json::json!({"result": "ok"}));
    assert_eq!(band_status(&emu, &app).await, 401);
    assert_eq!(band_status(&emu, &app2).await, 401);
    let again: serde_json::Value = c
        .post(url(&emu, "https://account-us2.huami.com/v1/client/logout"))
        .form(&[("login_token", login2.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(again["error_code"].is_string());
}

#[tokio::test]
async fn data_plane_rejects_missing_unknown_tokens_and_accepts_the_cookie() {
    let emu = start(config()).await;
    let (app, _, _) = session(&emu, "huami", "com.huami.webapp").await;
    let c = client();
    let u = url(
        &emu,
        "https://api-mifit.huami.com/v1/data/band_data.json?query_type=summary&from_date=2026-11-01&to_date=2026-11-01",
    );
    assert_eq!(c.get(&u).send().await.unwrap().status(), 401);
    assert_eq!(
        c.get(&u)
            .header("apptoken", "bogus")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    // ROLANDSZ src/auth.py: the web page's `apptoken` cookie works too.
    let r = c
        .get(&u)
        .header("cookie", format!("foo=1; apptoken={app}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn invalid_token_may_answer_code_0102() {
    let mut cfg = config();
    cfg.huami.invalid_token = mikit_emulator::InvalidTokenReply::Code0102;
    let emu = start(cfg).await;
    let r = band_data(&emu, "bogus", "1", "summary", "2026-11-01", "2026-11-01").await;
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.unwrap();
    // Captured in TonyJiangWJ/mimotion issue #13.
    assert_eq!(
        v,
        serde_json::json!({"code":0,"message":"invalid token","data":{"code":"0102"}})
    );
}

#[tokio::test]
async fn strict_modes_check_region_and_headers() {
    let mut cfg = config();
    cfg.huami.strict_region = true;
    cfg.huami.strict_headers = true;
    let emu = start(cfg).await;
    let (app, _, _) = session(&emu, "huami", "com.huami.webapp").await;
    let c = client();
    let path = "/v1/data/band_data.json?query_type=summary&from_date=2026-11-01&to_date=2026-11-01";
    let send = |host: &str, headers: bool| {
        let mut rb = c
            .get(url(&emu, &format!("https://{host}{path}")))
            .header("apptoken", &app);
        if headers {
            rb = rb
                .header("appPlatform", "web")
                .header("appname", "com.xiaomi.hm.health");
        }
        rb.send()
    };
    assert_eq!(
        send("api-mifit-us2.zepp.com", true).await.unwrap().status(),
        403
    );
    assert_eq!(
        send("api-mifit-de2.zepp.com", true).await.unwrap().status(),
        200
    );
    assert_eq!(
        send("api-mifit.huami.com", true).await.unwrap().status(),
        200
    );
    let r = send("api-mifit-de2.huami.com", false).await.unwrap();
    assert_eq!(r.status(), 500);
    // EVAN docs/api-reference.md.
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!({"code": -50000})
    );
}

#[tokio::test]
async fn devices_carry_auth_keys_in_an_additional_info_string() {
    let emu = start(config()).await;
    let (app, _, uid) = session(&emu, "huami", "com.huami.midong").await;
    let v: serde_json::Value = client()
        .get(url(
            &emu,
            &format!("https://api-mifit-de2.huami.com/users/{uid}/devices?enableMultiDevice=true"),
        ))
        .header("apptoken", &app)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = v["items"].as_array().unwrap();
    assert!(!items.is_empty());
    for it in items {
        assert!(it["macAddress"].as_str().unwrap().len() == 17);
        assert!(it["activeStatus"].is_number());
        let info: serde_json::Value =
            serde_json::from_str(it["additionalInfo"].as_str().unwrap()).unwrap();
        if it["deviceType"] == 1 {
            // The scale has no auth key (§8).
            assert!(info.get("auth_key").is_none());
            continue;
        }
        let key = info["auth_key"].as_str().unwrap();
        assert_eq!(key.len(), 32);
        assert!(key.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
