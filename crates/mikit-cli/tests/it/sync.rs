//! `mikit fit sync`: what the sync state records, date arguments, DST days (issue 9, points 2
//! and 3).

use std::collections::BTreeMap;

use jiff::civil::date;

use crate::harness::{TempDir, emulator, login, mikit, run, text};

type Minute = (Option<i64>, Option<i64>, Option<i64>, Option<i64>);

/// Every minute row of the database in `dir`, by timestamp.
fn minutes(dir: &std::path::Path) -> BTreeMap<i64, Minute> {
    let store = mikit_store::Store::open(&dir.join("mikit.db")).unwrap();
    let mut out = BTreeMap::new();
    for (account, _, _) in store.accounts("huami").unwrap() {
        store
            .for_each_minute(account, (i64::MIN, i64::MAX), false, |m| {
                out.insert(m.ts, (m.kind, m.intensity, m.steps, m.heart_rate));
                Ok::<_, mikit_store::Error>(())
            })
            .unwrap();
    }
    out
}

fn days(dir: &std::path::Path) -> Vec<jiff::civil::Date> {
    let store = mikit_store::Store::open(&dir.join("mikit.db")).unwrap();
    let mut out = Vec::new();
    for (account, _, _) in store.accounts("huami").unwrap() {
        out.extend(
            store
                .day_rows(account, None, None)
                .unwrap()
                .into_iter()
                .map(|r| r.date.parse::<jiff::civil::Date>().unwrap()),
        );
    }
    out
}

// Issue 9, point 2: `--to` past the server's today recorded `synced_through` in the future;
// after the server's today moved on, a plain sync said there was little to do and the days
// in between never arrived. The reported gap: 15 days past the server's today.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_past_the_servers_today_leaves_no_gap() {
    let dir = TempDir::new("gap");
    let emu = emulator(40, |_| {}).await; // today 2026-03-31
    login(dir.path(), &emu).await;
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["fit", "sync", "--to", "2026-04-15"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    drop(emu);

    // Ten days later on the server.
    let emu = emulator(50, |c| c.today = Some(date(2026, 4, 10))).await;
    login(dir.path(), &emu).await;
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["fit", "sync"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let have = days(dir.path());
    let new: Vec<_> = have.iter().filter(|d| **d > date(2026, 3, 31)).collect();
    // The emulator leaves ~3 % of days without data; at least 8 of these 10 must be there.
    assert!(
        new.len() >= 8,
        "days after the first server today: {new:?}\n{}",
        text(&o)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_to_in_the_future_is_capped_with_a_message() {
    let dir = TempDir::new("cap");
    let emu = emulator(5, |_| {}).await;
    login(dir.path(), &emu).await;
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args([
        "--json",
        "fit",
        "sync",
        "--from",
        "2026-03-29",
        "--to",
        "2100-01-01",
    ]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("is in the future"), "{}", text(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_ne!(report["to"], "2100-01-01", "{report}");
}

// Issue 9, point 2: date arguments of sync, show and export.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn date_arguments_are_checked_the_same_way_everywhere() {
    let dir = TempDir::new("dates");
    let commands: [&[&str]; 3] = [
        &["fit", "sync"],
        &["fit", "show"],
        &["fit", "export", "--what", "days"],
    ];
    for cmd in commands {
        let cases: [(&[&str], &str); 3] = [
            (
                &["--from", "2026-03-10", "--to", "2026-03-01"],
                "is after --to",
            ),
            (&["--from", "2026-11-20T10:00"], "time of day"),
            (&["--to", "2026-02-30"], "no such date"),
        ];
        for (args, want) in cases {
            let mut c = mikit(dir.path(), "http://127.0.0.1:9");
            c.args(cmd).args(args);
            let o = run(c, None).await;
            assert_eq!(o.status.code(), Some(2), "{cmd:?} {args:?}: {}", text(&o));
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(err.contains(want), "{cmd:?} {args:?}: {}", text(&o));
            assert!(!err.contains("no band data"), "{}", text(&o));
        }
    }
    // Nothing was created by the refused commands.
    assert!(!dir.path().join("mikit.db").exists());
}

/// Sync `from..=to` in the Europe/Berlin zone into `dir`; the JSON report.
async fn sync_range(
    dir: &std::path::Path,
    emu: &mikit_emulator::Emulator,
    from: &str,
    to: &str,
    tz: &str,
) -> serde_json::Value {
    let mut c = mikit(dir, emu.endpoint());
    c.env("TZ", tz);
    c.args(["--json", "fit", "sync", "--from", from, "--to", to]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

// Issue 9, point 3: on spring-forward days the sync reported 60 minutes more than the table
// held, because the next day overwrote the day's last hour. Reference `huami-cloud.md` §5.4 /
// §7.3: slots are wall-clock minutes (decision in `mikit_huami::clock`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dst_days_keep_every_minute_and_the_count_is_what_is_stored() {
    // 400 days to 2026-03-31: the person lives in Berlin on 2025-03-30 (spring forward) and
    // 2025-10-26 (fall back).
    let emu = emulator(400, |_| {}).await;
    for tz in ["Europe/Berlin", "UTC"] {
        let dir = TempDir::new("dst");
        login(dir.path(), &emu).await;
        let report = sync_range(dir.path(), &emu, "2025-03-26", "2025-11-02", tz).await;
        let stored = minutes(dir.path());
        assert_eq!(
            report["minutes"].as_u64().unwrap(),
            stored.len() as u64,
            "TZ={tz}: reported minutes must equal the rows stored: {report}"
        );
        if tz != "Europe/Berlin" {
            continue;
        }
        // Each DST day alone, then compared: no minute of it was overwritten by the next day.
        for day in ["2025-03-30", "2025-10-26"] {
            let alone = TempDir::new("dst-day");
            login(alone.path(), &emu).await;
            sync_range(alone.path(), &emu, day, day, tz).await;
            let own = minutes(alone.path());
            assert!(own.len() >= 1380, "{day}: {}", own.len());
            for (ts, m) in &own {
                assert_eq!(
                    stored.get(ts),
                    Some(m),
                    "{day}: minute {ts} was overwritten"
                );
            }
        }
    }
}

/// Send `signal` (`TERM`, `INT`) to process `pid`.
fn signal(pid: u32, signal: &str) {
    let status = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

// Issue 10, part 1, point 5: `fit sync` stops through the one Shutdown helper, on SIGTERM as
// on Ctrl-C: it keeps what it committed, says so, exits 130, and the next run completes.
// (Before, only Ctrl-C was caught, and only once the ranges were being fetched.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminated_sync_keeps_its_ranges_and_exits_130() {
    use std::io::{BufRead as _, BufReader, Read as _};
    let emu = emulator(120, |c| c.latency = std::time::Duration::from_millis(300)).await;
    let dir = TempDir::new("sigterm");
    login(dir.path(), &emu).await;
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["-v", "fit", "sync", "--jobs", "1"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let (code, out, err) = tokio::task::spawn_blocking(move || {
        let mut child = c.spawn().unwrap();
        let mut err = BufReader::new(child.stderr.take().unwrap());
        let mut seen = String::new();
        // The plan is logged before the first request: the sync is under way.
        while !seen.contains("syncing band data") {
            let mut line = String::new();
            assert!(err.read_line(&mut line).unwrap() > 0, "{seen}");
            seen.push_str(&line);
        }
        signal(child.id(), "TERM");
        let o = child.wait_with_output().unwrap();
        err.read_to_string(&mut seen).unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            seen,
        )
    })
    .await
    .unwrap();
    assert_eq!(code, Some(130), "{out}\n{err}");
    assert!(out.contains("Interrupted after saving"), "{out}");
    assert!(out.contains("Run `mikit fit sync` again"), "{out}");
    let saved = days(dir.path()).len();
    assert!(
        saved < 110,
        "the stop must land mid-sync ({saved} days saved)"
    );

    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["--json", "fit", "sync"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["interrupted"], false, "{report}");
    assert!(days(dir.path()).len() >= 110, "{report}");
}

// Issue 10, part 1, point 5: `mikit emulator` stops through Shutdown too: SIGTERM (a service
// manager, `docker stop`) is a clean exit 0, as Ctrl-C is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_command_exits_cleanly_on_sigterm() {
    use std::io::BufRead as _;
    let dir = TempDir::new("emu-term");
    let mut c = mikit(dir.path(), "http://127.0.0.1:9");
    c.args(["emulator", "--days", "1", "--devices", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    let code = tokio::task::spawn_blocking(move || {
        let mut child = c.spawn().unwrap();
        let mut line = String::new();
        // The JSON line is printed once serving (the handlers are installed before).
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(line.contains("endpoint"), "{line}");
        signal(child.id(), "TERM");
        child.wait().unwrap().code()
    })
    .await
    .unwrap();
    assert_eq!(code, Some(0));
}

// Issue 10, part 1, point 2: the engine's typed errors keep their causes, so `fit sync` still
// exits 3 for a session the server no longer accepts and 4 for a server it cannot reach.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_errors_keep_their_exit_codes() {
    let emu = emulator(10, |_| {}).await;
    let dir = TempDir::new("exitcodes");
    login(dir.path(), &emu).await;

    // Unreachable (a closed port on 127.0.0.1): network, 4.
    let mut c = mikit(dir.path(), "http://127.0.0.1:9");
    c.args(["--timeout", "2", "fit", "sync"]);
    let o = run(c, None).await;
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("looking for the first day with data"),
        "{}",
        text(&o)
    );

    // Tokens the server never issued: rejected, not renewable: authentication, 3.
    let file = dir.path().join("state/huami-session.json");
    let mut session: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    session["app_token"] = "not-a-token".into();
    session["login_token"] = "not-a-token-either".into();
    std::fs::write(&file, session.to_string()).unwrap();
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["fit", "sync", "--from", "2026-03-01"]);
    let o = run(c, None).await;
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("mikit fit login"), "{}", text(&o));
    assert!(!err.contains("not-a-token"), "{}", text(&o));
}
