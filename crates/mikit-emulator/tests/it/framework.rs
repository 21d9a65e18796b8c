//! The shared listener: routing on the real host, info(), stats(), shutdown.

use crate::*;

#[tokio::test]
async fn unknown_hosts_and_paths_are_404() {
    let emu = start(config()).await;
    let c = client();
    for real in [
        "https://example.com/v1/data/band_data.json",
        "https://api-mifit.huami.com/v1/not/here",
        "https://account.huami.com/v1/data/band_data.json",
        "https://api-user.huami.com/v2/registrations/tokens",
    ] {
        let r = c.get(url(&emu, real)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{real}");
    }
    let r = c.get(format!("{}/", emu.endpoint())).send().await.unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn info_lists_endpoint_and_accounts() {
    let emu = start(config()).await;
    let info = emu.info();
    assert_eq!(info["endpoint"], emu.endpoint());
    assert!(emu.endpoint().starts_with("http://127.0.0.1:"));
    let main = &info["accounts"]["huami"];
    for k in ["email", "password", "user_id"] {
        assert!(main[k].is_string(), "{k}");
    }
    assert_eq!(main["region"], "eu-central-1");
    assert!(info["devices"].as_array().unwrap().is_empty());
    // Same seed → same user ids in another process or instance.
    let other = start(config()).await;
    assert_eq!(other.info()["accounts"], info["accounts"]);
}

#[tokio::test]
async fn stats_count_requests_and_shutdown_stops_serving() {
    let emu = start(config()).await;
    let c = client();
    for _ in 0..3 {
        let _ = c
            .get(url(&emu, "https://api-mifit.huami.com/x"))
            .send()
            .await
            .unwrap();
    }
    assert_eq!(emu.stats().requests, 3);
    assert_eq!(emu.stats().total_faults(), 0);
    let base = emu.endpoint().to_owned();
    emu.shutdown().await;
    let fresh = client();
    assert!(
        fresh
            .get(format!("{base}/api-mifit.huami.com/x"))
            .send()
            .await
            .is_err()
    );
}

#[tokio::test]
async fn bad_config_is_an_error_not_a_panic() {
    let mut cfg = config();
    cfg.huami.accounts = vec![
        mikit_emulator::HuamiAccount::new("x@y.z", "p"),
        mikit_emulator::HuamiAccount::new("X@y.z", "q"),
    ];
    let err = mikit_emulator::Emulator::start(cfg).await.unwrap_err();
    assert!(err.to_string().contains("twice"), "{err}");
    // Secrets never show in Debug output of the configuration.
    let mut cfg = config();
    cfg.huami.accounts = vec![mikit_emulator::HuamiAccount::new("x@y.z", "very-secret-pw")];
    assert!(!format!("{cfg:?}").contains("very-secret-pw"));
}
