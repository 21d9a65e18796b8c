//! `mikit cloud …` end to end against the emulator's Xiaomi account and Mi cloud.

use std::path::Path;
use std::process::{Command, Output};

use mikit_emulator::Emulator;
use serde_json::Value;

use crate::harness::{TempDir, emulator, mikit, run, text};

/// `mikit` with the Mi cloud variables cleared.
fn cloud(dir: &Path, emu: &Emulator) -> Command {
    let mut c = mikit(dir, emu.endpoint());
    for v in ["MIKIT_MI_PASSWORD", "MIKIT_MI_2FA_CODE", "MIKIT_MI_CAPTCHA"] {
        c.env_remove(v);
    }
    c
}

/// (user, password, captcha answer or 2FA code) of an emulator account.
fn account(emu: &Emulator, key: &str) -> (String, String, String) {
    let a = &emu.info()["accounts"][key];
    let s = |k: &str| {
        a.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let extra = if a.get("captcha").is_some() {
        s("captcha")
    } else {
        s("code")
    };
    (s("user"), s("password"), extra)
}

async fn login(
    dir: &Path,
    emu: &Emulator,
    key: &str,
    stdin: String,
    extra_args: &[&str],
) -> Output {
    let (user, _, _) = account(emu, key);
    let mut c = cloud(dir, emu);
    c.args(["-vv", "cloud", "login", "--user", &user, "--password-stdin"]);
    c.args(extra_args);
    run(c, Some(stdin)).await
}

fn session(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("state/xiaomi-session.json")).unwrap()).unwrap()
}

/// Every secret a run must never print: the password, the session's credentials and the
/// device tokens.
fn secrets(dir: &Path, emu: &Emulator, password: &str) -> Vec<String> {
    let mut out = vec![password.to_owned()];
    if let Ok(bytes) = std::fs::read(dir.join("state/xiaomi-session.json")) {
        let s: Value = serde_json::from_slice(&bytes).unwrap();
        for k in ["pass_token", "ssecurity", "service_token"] {
            out.push(s[k].as_str().unwrap().to_owned());
        }
    }
    for d in emu.info()["devices"].as_array().unwrap() {
        out.push(d["token"].as_str().unwrap().to_owned());
    }
    out
}

fn assert_no_secret(o: &Output, secrets: &[String]) {
    let all = text(o);
    for s in secrets {
        assert!(
            !all.contains(s.as_str()),
            "a secret leaked ({}…): {all}",
            &s[..4.min(s.len())]
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_devices_homes_and_call_end_to_end() {
    let emu = emulator(1, |c| c.devices = 6).await;
    let dir = TempDir::new("cloud-e2e");
    let (_, password, _) = account(&emu, "xiaomi");
    let o = login(dir.path(), &emu, "xiaomi", format!("{password}\n"), &[]).await;
    assert!(o.status.success(), "{}", text(&o));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("state/xiaomi-session.json"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "the session file must be private");
    }
    let secrets = secrets(dir.path(), &emu, &password);
    assert_no_secret(&o, &secrets);

    // Devices across regions, without tokens.
    let mut c = cloud(dir.path(), &emu);
    c.args(["-vv", "--json", "cloud", "devices"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    assert_no_secret(&o, &secrets);
    let list: Value = serde_json::from_slice(&o.stdout).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 6);
    let regions: std::collections::BTreeSet<&str> =
        list.iter().map(|d| d["region"].as_str().unwrap()).collect();
    assert!(regions.len() >= 3, "{regions:?}");
    assert!(list.iter().all(|d| d.get("token").is_none()));
    for d in list {
        let sim = emu
            .fleet()
            .by_did(d["did"].as_str().unwrap())
            .unwrap()
            .info()
            .clone();
        assert_eq!(d["region"], sim.region.as_str());
        assert_eq!(d["room"], sim.room.as_str());
    }
    // The table, too, hides tokens unless asked.
    let mut c = cloud(dir.path(), &emu);
    c.args(["cloud", "devices"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    assert_no_secret(&o, &secrets);
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("NAME"));
    let mut c = cloud(dir.path(), &emu);
    c.args([
        "--json",
        "cloud",
        "devices",
        "--region",
        "de",
        "--show-tokens",
    ]);
    let o = run(c, None).await;
    let de: Value = serde_json::from_slice(&o.stdout).unwrap();
    for d in de.as_array().unwrap() {
        let sim = emu
            .fleet()
            .by_did(d["did"].as_str().unwrap())
            .unwrap()
            .info()
            .clone();
        assert_eq!(sim.region, "de");
        assert_eq!(d["token"], sim.token_hex().as_str());
    }
    // The list is in the database for `mikit device`.
    let store = mikit_store::Store::open(&dir.path().join("mikit.db")).unwrap();
    let first = &emu.fleet().devices()[0].info().clone();
    let row = store.find_cloud_device(&first.name).unwrap().unwrap();
    assert_eq!(row.did, first.did);
    assert_eq!(row.token.as_deref(), Some(first.token_hex().as_str()));
    assert!(!row.record.contains(&first.token_hex()));

    // Homes.
    let mut c = cloud(dir.path(), &emu);
    c.args(["--json", "cloud", "homes"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let homes: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(homes.as_array().unwrap().len() >= 3);

    // A write through `call`, seen on the device the LAN serves.
    let dev = emu.fleet().devices()[0].clone();
    let (siid, piid) = dev
        .spec()
        .services
        .iter()
        .flat_map(|s| s.properties().iter().map(move |p| (s.iid, p)))
        .find(|(_, p)| p.is_writable() && matches!(p.format, mikit_miot::Format::Bool))
        .map(|(s, p)| (s, p.iid))
        .unwrap();
    let target = !dev.value(siid, piid).unwrap().as_bool().unwrap();
    let payload = serde_json::json!({"params": [{"did": first.did, "siid": siid, "piid": piid, "value": target}]});
    let mut c = cloud(dir.path(), &emu);
    c.args([
        "--json",
        "cloud",
        "call",
        "/miotspec/prop/set",
        &payload.to_string(),
        "--region",
        &first.region,
    ]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r[0]["code"], 0, "{r}");
    assert_eq!(dev.value(siid, piid), Some(Value::Bool(target)));

    // Logout removes the session; then commands say what to do (exit 3).
    let mut c = cloud(dir.path(), &emu);
    c.args(["cloud", "logout"]);
    assert!(run(c, None).await.status.success());
    let mut c = cloud(dir.path(), &emu);
    c.args(["cloud", "devices"]);
    let o = run(c, None).await;
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("mikit cloud login"));
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_exits_3_without_echoing_it() {
    let emu = emulator(1, |_| {}).await;
    let dir = TempDir::new("cloud-wrongpw");
    let o = login(
        dir.path(),
        &emu,
        "xiaomi",
        "Not-The-Password-987\n".into(),
        &[],
    )
    .await;
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("code 70016"), "{}", text(&o));
    assert_no_secret(&o, &["Not-The-Password-987".to_owned()]);
    assert!(!dir.path().join("state/xiaomi-session.json").exists());
    // The password is never a command-line flag.
    let mut c = cloud(dir.path(), &emu);
    c.args(["cloud", "login", "--user", "x", "--password", "secret"]);
    assert_eq!(run(c, None).await.status.code(), Some(2));
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn captcha_and_two_factor_answers_from_stdin_or_env() {
    let emu = emulator(1, |c| c.devices = 2).await;
    // Captcha: a wrong answer, then the right one, from standard input.
    let dir = TempDir::new("cloud-captcha");
    let (_, password, answer) = account(&emu, "xiaomi_captcha");
    let o = login(
        dir.path(),
        &emu,
        "xiaomi_captcha",
        format!("{password}\nwrong\n{answer}\n"),
        &["--code-stdin"],
    )
    .await;
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("captcha"));
    assert_no_secret(&o, &secrets(dir.path(), &emu, &password));
    // Without a way to answer: a clear error, exit 3 (authentication; docs/cloud.md).
    let dir = TempDir::new("cloud-captcha-none");
    let o = login(
        dir.path(),
        &emu,
        "xiaomi_captcha",
        format!("{password}\n"),
        &[],
    )
    .await;
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("MIKIT_MI_CAPTCHA"),
        "{}",
        text(&o)
    );
    // With --code-stdin but no line left: the same.
    let o = login(
        dir.path(),
        &emu,
        "xiaomi_captcha",
        format!("{password}\n"),
        &["--code-stdin"],
    )
    .await;
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));

    // Two-factor with no terminal and no code: exit 3 as well.
    let dir = TempDir::new("cloud-2fa-none");
    let (_, password, _) = account(&emu, "xiaomi_2fa_phone");
    let o = login(
        dir.path(),
        &emu,
        "xiaomi_2fa_phone",
        format!("{password}\n"),
        &[],
    )
    .await;
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("MIKIT_MI_2FA_CODE"),
        "{}",
        text(&o)
    );

    // Two-factor by phone, code from standard input.
    let dir = TempDir::new("cloud-2fa-phone");
    let (_, password, code) = account(&emu, "xiaomi_2fa_phone");
    let o = login(
        dir.path(),
        &emu,
        "xiaomi_2fa_phone",
        format!("{password}\n{code}\n"),
        &["--code-stdin"],
    )
    .await;
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("+49*"),
        "{}",
        text(&o)
    );
    assert_no_secret(&o, &secrets(dir.path(), &emu, &password));

    // Two-factor by e-mail, password and code from the environment.
    let dir = TempDir::new("cloud-2fa-email");
    let (user, password, code) = account(&emu, "xiaomi_2fa_email");
    let mut c = cloud(dir.path(), &emu);
    c.args([
        "-vv",
        "cloud",
        "login",
        "--user",
        &user,
        "--two-factor",
        "email",
    ]);
    c.env("MIKIT_MI_PASSWORD", &password)
        .env("MIKIT_MI_2FA_CODE", &code);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    assert_no_secret(&o, &secrets(dir.path(), &emu, &password));
    // A wrong code is an authentication error.
    let dir = TempDir::new("cloud-2fa-wrong");
    let mut c = cloud(dir.path(), &emu);
    c.args(["cloud", "login", "--user", &user]);
    c.env("MIKIT_MI_PASSWORD", &password)
        .env("MIKIT_MI_2FA_CODE", "999999x");
    let o = run(c, None).await;
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qr_login_prints_the_url_and_waits() {
    let emu = emulator(1, |c| {
        c.devices = 1;
        c.micloud.qr_auto_scan = Some(std::time::Duration::from_millis(300));
    })
    .await;
    let dir = TempDir::new("cloud-qr");
    let mut c = cloud(dir.path(), &emu);
    c.args(["--json", "cloud", "login", "--qr"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("longPolling/login?ticket="));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["user_id"], emu.info()["accounts"]["xiaomi"]["user_id"]);
    let mut c = cloud(dir.path(), &emu);
    c.args(["cloud", "devices"]);
    assert!(run(c, None).await.status.success());
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_service_token_is_renewed_with_the_pass_token_and_saved() {
    let emu = emulator(1, |c| c.devices = 3).await;
    let dir = TempDir::new("cloud-renew");
    let (_, password, _) = account(&emu, "xiaomi");
    let o = login(dir.path(), &emu, "xiaomi", format!("{password}\n"), &[]).await;
    assert!(o.status.success(), "{}", text(&o));
    let before = session(dir.path());
    let mut old_secrets = secrets(dir.path(), &emu, &password);
    emu.micloud().expire_service_tokens();
    let mut c = cloud(dir.path(), &emu);
    c.args(["-vv", "cloud", "devices"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("renewing"),
        "{}",
        text(&o)
    );
    let after = session(dir.path());
    assert_ne!(
        after["service_token"], before["service_token"],
        "the renewed session is saved"
    );
    assert_eq!(after["pass_token"], before["pass_token"]);
    old_secrets.extend(secrets(dir.path(), &emu, &password));
    assert_no_secret(&o, &old_secrets);
    // A passToken the account no longer knows: log in again (exit 3).
    let mut s = after.clone();
    s["pass_token"] = Value::from("V1:revoked");
    std::fs::write(dir.path().join("state/xiaomi-session.json"), s.to_string()).unwrap();
    emu.micloud().expire_service_tokens();
    let mut c = cloud(dir.path(), &emu);
    c.args(["cloud", "homes"]);
    let o = run(c, None).await;
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("log in again"),
        "{}",
        text(&o)
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_cloud_is_exit_4() {
    let emu = emulator(1, |c| c.devices = 1).await;
    let dir = TempDir::new("cloud-network");
    let (_, password, _) = account(&emu, "xiaomi");
    let o = login(dir.path(), &emu, "xiaomi", format!("{password}\n"), &[]).await;
    assert!(o.status.success(), "{}", text(&o));
    let endpoint = emu.endpoint().to_owned();
    emu.shutdown().await;
    let mut c = crate::harness::mikit(dir.path(), &endpoint);
    c.args(["cloud", "devices", "--region", "de"]);
    let o = run(c, None).await;
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("region de"),
        "{}",
        text(&o)
    );
}
