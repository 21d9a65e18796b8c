//! `mikit fit …` end to end against the emulator.

use std::time::Duration;

use crate::harness::{TempDir, digest, emulator, huami_account, login, mikit, run, text};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_saves_a_private_session_and_logout_removes_it() {
    let emu = emulator(10, |_| {}).await;
    let dir = TempDir::new("login");
    login(dir.path(), &emu).await;
    let session = dir.path().join("state/huami-session.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&session).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the session file must be private");
    }
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["fit", "logout"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    assert!(!session.exists());
}

// Issue 12, "every way in": an app token pasted from the web app, checked and saved; it syncs;
// a wrong one is an authentication error that does not echo the token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pasted_token_logs_in_without_a_password() {
    let emu = emulator(10, |_| {}).await;
    let (email, password) = huami_account(&emu);
    let http = mikit_core::http::Http::builder()
        .endpoints(mikit_core::EndpointMap::new(Some(emu.endpoint())).unwrap())
        .build()
        .unwrap();
    let real = mikit_huami::login(
        &http,
        &mikit_huami::LoginRequest::new(email, password.into()),
    )
    .await
    .unwrap();
    let token = real.app_token.expose().to_owned();
    let dir = TempDir::new("token");
    // A bare token without its user id: a clear usage of --user-id.
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["fit", "login", "--token-stdin"]);
    let o = run(c, Some(format!("{token}\n"))).await;
    assert!(!o.status.success());
    assert!(text(&o).contains("user id"), "{}", text(&o));
    // A wrong token: exit 3, not echoed.
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["fit", "login", "--token-stdin", "--user-id", &real.user_id]);
    let o = run(c, Some("Not-A-Real-Token-42\n".into())).await;
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(!text(&o).contains("Not-A-Real-Token-42"), "{}", text(&o));
    assert!(text(&o).contains("copy a fresh apptoken"), "{}", text(&o));
    // The real one: saved privately, and it syncs.
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["fit", "login", "--token-stdin", "--user-id", &real.user_id]);
    let o = run(c, Some(format!("{token}\n"))).await;
    assert!(o.status.success(), "{}", text(&o));
    assert!(!text(&o).contains(&token), "the token is never printed");
    assert!(
        text(&o).contains(&format!("user {}", real.user_id)),
        "{}",
        text(&o)
    );
    let session = dir.path().join("state/huami-session.json");
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(
        std::fs::metadata(&session).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["fit", "sync", "--only", "days"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
}

// Issue 12: sign in with a Xiaomi account. A pasted code (here obtained as a browser would, from
// the emulator's authorize address with the account's cookies), then fully automated from the
// session of `mikit cloud login`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xiaomi_sign_in_pasted_and_automated() {
    let emu = emulator(10, |_| {}).await;
    let a = &emu.info()["accounts"]["xiaomi"];
    let (user, password) = (
        a["user"].as_str().unwrap().to_owned(),
        a["password"].as_str().unwrap().to_owned(),
    );
    let endpoints = mikit_core::EndpointMap::new(Some(emu.endpoint())).unwrap();
    let mut flow = mikit_micloud::LoginFlow::new(endpoints.clone()).unwrap();
    let mikit_micloud::LoginStep::Done(mi) = flow
        .password(&user, &password.clone().into())
        .await
        .unwrap()
    else {
        panic!("more than a password asked")
    };
    let http = mikit_core::http::Http::builder()
        .endpoints(endpoints)
        .build()
        .unwrap();
    let code = mikit_huami::signin::xiaomi_code_from_session(
        &http,
        mikit_huami::XiaomiApp::ZeppLife,
        &mi.user_id,
        &mi.pass_token,
    )
    .await
    .unwrap();
    let dir = TempDir::new("xiaomi");
    let redirect = format!(
        "https://api-mifit-cn.huami.com/huami.health.loginview.do_not?code={}",
        code.expose()
    );
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["fit", "login", "--xiaomi"]);
    let o = run(c, Some(format!("{redirect}\n"))).await;
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("account.xiaomi.com/oauth2/authorize"),
        "{}",
        text(&o)
    );
    assert!(text(&o).contains("mi-user@mikit.example"), "{}", text(&o));
    assert!(
        !text(&o).contains(code.expose()),
        "the code is never printed back"
    );
    // The same code again: refused (single use), exit 3.
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["fit", "login", "--xiaomi"]);
    let o = run(c, Some(format!("{redirect}\n"))).await;
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    // Automated: with the Xiaomi session of `mikit cloud login`, nothing to paste.
    let dir = TempDir::new("xiaomi-auto");
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["cloud", "login", "--user", &user, "--password-stdin"]);
    let o = run(c, Some(format!("{password}\n"))).await;
    assert!(o.status.success(), "{}", text(&o));
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["fit", "login", "--xiaomi"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["fit", "sync", "--only", "days"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
}

// Issue 12: the account's devices, the auth keys hidden unless asked for, then as the
// emulator serves them (what huami-token prints: 0x + hex); the scale has none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_hide_their_keys_unless_asked() {
    let emu = emulator(10, |_| {}).await;
    let dir = TempDir::new("fit-devices");
    let (email, password) = huami_account(&emu);
    let http = mikit_core::http::Http::builder()
        .endpoints(mikit_core::EndpointMap::new(Some(emu.endpoint())).unwrap())
        .build()
        .unwrap();
    let session = mikit_huami::login(
        &http,
        &mikit_huami::LoginRequest::new(email, password.into()),
    )
    .await
    .unwrap();
    let (devices, _) = mikit_huami::HuamiClient::new(http, session)
        .devices()
        .await
        .unwrap();
    let keys: Vec<String> = devices
        .iter()
        .filter_map(|d| d.auth_key.as_ref().map(|k| k.huami_token_format()))
        .collect();
    assert!(
        keys.len() >= 2 && devices.len() > keys.len(),
        "{}",
        keys.len()
    );
    // Logged in after the library's login, which a new login replaces.
    login(dir.path(), &emu).await;
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["fit", "devices"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let all = text(&o);
    assert!(
        all.contains("hidden (--show-keys)") && all.contains("none"),
        "{all}"
    );
    for k in &keys {
        assert!(
            !all.contains(&k[2..]),
            "a key was printed without --show-keys"
        );
    }
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["--json", "fit", "devices", "--show-keys"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let shown: Vec<String> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["auth_key"].as_str().map(str::to_owned)
        })
        .collect();
    assert_eq!(shown, keys);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_is_an_auth_error_that_does_not_echo_the_password() {
    let emu = emulator(10, |_| {}).await;
    let dir = TempDir::new("wrongpw");
    let (email, _) = huami_account(&emu);
    for v1 in [false, true] {
        let mut c = mikit(dir.path(), emu.endpoint());
        c.args(["-vv", "fit", "login", "--email", &email, "--password-stdin"]);
        if v1 {
            c.arg("--v1");
        }
        let o = run(c, Some("Not-The-Password-123\n".into())).await;
        assert_eq!(o.status.code(), Some(3), "{}", text(&o));
        let all = text(&o);
        assert!(all.contains("wrong email/phone or password"), "{all}");
        assert!(
            !all.contains("Not-The-Password-123"),
            "the password leaked: {all}"
        );
        assert!(!dir.path().join("state/huami-session.json").exists());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_without_login_says_what_to_do() {
    let emu = emulator(10, |_| {}).await;
    let dir = TempDir::new("nologin");
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["fit", "sync"]);
    let o = run(c, None).await;
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("mikit fit login"),
        "{}",
        text(&o)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_sync_is_incremental_and_changes_nothing() {
    let emu = emulator(120, |_| {}).await;
    let dir = TempDir::new("twice");
    login(dir.path(), &emu).await;
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["--json", "fit", "sync"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let first: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(first["days"].as_u64().unwrap() >= 110, "{first}");
    let d1 = digest(dir.path());

    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["--json", "fit", "sync"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let second: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // Only the range from the day before the newest day with data onwards is fetched again
    // (the emulator's today is fixed, the machine's is not: the rest of the range is empty).
    assert_eq!(second["from"], "2026-03-30", "{second}");
    assert_eq!(
        digest(dir.path()),
        d1,
        "a second sync must leave an identical database"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_years_with_ten_percent_faults_end_identical_to_a_clean_sync() {
    let clean_emu = emulator(730, |_| {}).await;
    let clean = TempDir::new("clean");
    login(clean.path(), &clean_emu).await;
    let mut c = mikit(clean.path(), clean_emu.endpoint());
    c.args(["fit", "sync"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));

    let faulty_emu = emulator(730, |c| c.faults = "0.1".parse().unwrap()).await;
    let faulty = TempDir::new("faulty");
    login(faulty.path(), &faulty_emu).await;
    let mut c = mikit(faulty.path(), faulty_emu.endpoint());
    c.args(["fit", "sync"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let stats = faulty_emu.stats();
    assert!(
        stats.total_faults() > 0,
        "faults must have been injected: {stats:?}"
    );
    assert_eq!(digest(faulty.path()), digest(clean.path()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_sync_resumes_to_the_same_database() {
    let reference_emu = emulator(400, |_| {}).await;
    let reference = TempDir::new("ref");
    login(reference.path(), &reference_emu).await;
    let mut c = mikit(reference.path(), reference_emu.endpoint());
    c.args(["fit", "sync"]);
    assert!(run(c, None).await.status.success());

    let emu = emulator(400, |c| c.latency = Duration::from_millis(40)).await;
    let dir = TempDir::new("killed");
    login(dir.path(), &emu).await;
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["fit", "sync", "--jobs", "1"]);
    c.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = c.spawn().unwrap();
    // Wait until some days are committed, then kill -9 in the middle of the sync.
    let db = dir.path().join("mikit.db");
    let mut killed_at = 0;
    for _ in 0..500 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if db.exists() {
            let days = mikit_store::Store::open(&db)
                .unwrap()
                .table_counts()
                .unwrap()[1]
                .1;
            if days > 0 {
                killed_at = days;
                break;
            }
        }
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(
        killed_at > 0 && killed_at < 400,
        "the kill must land mid-sync (days saved: {killed_at})"
    );
    assert!(!status.success());

    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["fit", "sync"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(digest(dir.path()), digest(reference.path()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_appears_in_verbose_logs() {
    let emu = emulator(40, |c| c.faults = "expired=0.2".parse().unwrap()).await;
    let dir = TempDir::new("secrets");
    let (email, password) = huami_account(&emu);
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["-vv", "fit", "login", "--email", &email, "--password-stdin"]);
    let login_out = run(c, Some(format!("{password}\n"))).await;
    assert!(login_out.status.success(), "{}", text(&login_out));
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["-vv", "fit", "sync"]);
    let sync_out = run(c, None).await;
    assert!(sync_out.status.success(), "{}", text(&sync_out));
    let session: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("state/huami-session.json")).unwrap(),
    )
    .unwrap();
    let logs = format!("{}{}", text(&login_out), text(&sync_out));
    assert!(
        logs.contains("DEBUG") || logs.contains("debug"),
        "-vv must log: {logs}"
    );
    for secret in [
        password.as_str(),
        session["app_token"].as_str().unwrap(),
        session["login_token"].as_str().unwrap(),
    ] {
        assert!(!logs.contains(secret), "a secret leaked into the logs");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn show_export_and_redecode() {
    let emu = emulator(60, |_| {}).await;
    let dir = TempDir::new("export");
    login(dir.path(), &emu).await;
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["fit", "sync"]);
    assert!(run(c, None).await.status.success());
    let before = digest(dir.path());
    let counts = mikit_store::Store::open(&dir.path().join("mikit.db"))
        .unwrap()
        .table_counts()
        .unwrap();
    let minutes = counts.iter().find(|(t, _)| *t == "minutes").unwrap().1;

    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["fit", "show"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let shown = String::from_utf8_lossy(&o.stdout);
    assert!(
        shown.contains("steps") && shown.contains("2026-03-"),
        "{shown}"
    );
    assert_eq!(
        shown.lines().filter(|l| l.starts_with("2026-")).count(),
        14,
        "{shown}"
    );

    let csv = dir.path().join("minutes.csv");
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args([
        "fit", "export", "--what", "minutes", "--format", "csv", "-o",
    ])
    .arg(&csv);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let body = std::fs::read_to_string(&csv).unwrap();
    let mut lines = body.lines();
    assert_eq!(
        lines.next(),
        Some("time,ts,steps,heart_rate,kind,intensity")
    );
    assert_eq!(lines.count() as u64, minutes);
    // ISO 8601 with offset in the first column.
    let row = body.lines().nth(1).unwrap();
    assert!(
        row.as_bytes()[10] == b'T' && (row.contains("+0") || row.contains("-0")),
        "{row}"
    );

    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["fit", "export", "--what", "sleep", "--format", "jsonl"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let stages: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(stages.len() > 100, "a night has several stages");
    assert!(
        stages.iter().any(|s| s["stage"] == "rem") && stages.iter().any(|s| s["stage"] == "deep")
    );

    // An endpoint where nothing listens: re-decoding must not need the network.
    let mut c = mikit(dir.path(), "http://127.0.0.1:9");
    c.args(["fit", "sync", "--redecode"]);
    let o = run(c, None).await;
    assert!(
        o.status.success(),
        "redecode needs no network: {}",
        text(&o)
    );
    assert_eq!(
        digest(dir.path()),
        before,
        "re-decoding gives the same tables"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_runs_end_to_end() {
    let dir = TempDir::new("demo");
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_mikit"));
    c.arg("--data-dir")
        .arg(dir.path())
        .args(["demo", "--days", "30"]);
    c.env("MIKIT_CONFIG", crate::harness::empty_config());
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("Synced") && out.contains("mikit.db") && out.contains("steps"),
        "{out}"
    );
    // The smart-home part: the account's devices, two read over the LAN and one through the
    // cloud, a property set and read back.
    assert!(
        out.contains("Living room purifier") && out.contains("SPEC"),
        "{out}"
    );
    assert_eq!(out.matches(", via lan):").count(), 2, "{out}");
    assert_eq!(out.matches(", via cloud):").count(), 1, "{out}");
    assert!(
        out.contains("fan.fan-level = 3: ok\nfan.fan-level = 3\n"),
        "{out}"
    );
}

/// Every documented refusal of the token exchange reads differently and exits with code 3
/// (reference huami-cloud.md §3.4 error table; the emulator's special accounts).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_login_refusal_has_its_own_message() {
    let emu = emulator(5, |_| {}).await;
    let dir = TempDir::new("refusals");
    let info = emu.info();
    for (account, expected) in [
        ("huami_wrong_region", "0113"),
        ("huami_disabled", "disabled (error 0115)"),
        (
            "huami_unregistered",
            "not registered with Huami/Zepp (error 0117)",
        ),
        ("huami_frozen", "frozen (error 0121)"),
    ] {
        let a = &info["accounts"][account];
        let mut c = mikit(dir.path(), emu.endpoint());
        c.args([
            "fit",
            "login",
            "--email",
            a["email"].as_str().unwrap(),
            "--password-stdin",
        ]);
        let o = run(c, Some(format!("{}\n", a["password"].as_str().unwrap()))).await;
        assert_eq!(o.status.code(), Some(3), "{account}: {}", text(&o));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains(expected),
            "{account}: {}",
            text(&o)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_login_says_to_wait() {
    let emu = emulator(5, |c| c.huami.login_rate_limit = Some(1)).await;
    let dir = TempDir::new("ratelimit");
    login(dir.path(), &emu).await;
    let (email, password) = huami_account(&emu);
    for v1 in [false, true] {
        let mut c = mikit(dir.path(), emu.endpoint());
        c.args(["fit", "login", "--email", &email, "--password-stdin"]);
        if v1 {
            c.arg("--v1");
        }
        let o = run(c, Some(format!("{password}\n"))).await;
        assert_eq!(o.status.code(), Some(4), "{}", text(&o));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("rate-limiting"),
            "{}",
            text(&o)
        );
    }
}
