//! The database as users meet it: commands that only read create nothing, an explicit config
//! file must exist, files are private, and one sync at a time (issue 9, points 4 to 7).

use std::{
    io::{BufRead as _, BufReader},
    path::Path,
    process::{Child, Stdio},
    sync::mpsc,
    time::Duration,
};

use crate::harness::{TempDir, emulator, login, mikit, run, text};

/// An endpoint nothing listens on: the commands tested here must not need the network.
const NOWHERE: &str = "http://127.0.0.1:9";

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

// Issue 9, point 6: `fit show` with a data dir that does not exist created it and an empty
// database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_commands_create_nothing() {
    let tmp = TempDir::new("readonly");
    let missing = tmp.path().join("not/there");
    let cases: &[(&[&str], i32, &str)] = &[
        (&["fit", "show"], 1, "no database at"),
        (&["fit", "export", "--what", "days"], 1, "no database at"),
        (&["fit", "sync", "--redecode"], 1, "no database at"),
        (&["device", "list"], 0, ""),
        (
            &["device", "remove", "lamp"],
            1,
            "no device was added by hand",
        ),
        // Exit 4: nothing usable is cached (the documented code of `mikit spec`).
        (
            &["spec", "show", "xiaomi.light.lamp1", "--offline"],
            4,
            "not in the local cache",
        ),
    ];
    for (args, code, says) in cases {
        let mut c = mikit(&missing, NOWHERE);
        c.args(*args);
        let o = run(c, None).await;
        assert_eq!(o.status.code(), Some(*code), "{args:?}: {}", text(&o));
        assert!(stderr(&o).contains(says), "{args:?}: {}", text(&o));
        assert!(!missing.exists(), "{args:?} created {}", missing.display());
        assert!(
            !tmp.path().join("not").exists(),
            "{args:?} created a parent"
        );
    }
    // The fitness commands name the database and what to run.
    let mut c = mikit(&missing, NOWHERE);
    c.args(["fit", "show"]);
    let o = run(c, None).await;
    let err = stderr(&o);
    assert!(
        err.contains(&missing.join("mikit.db").display().to_string())
            && err.contains("mikit fit sync"),
        "{err}"
    );
}

// Issue 9, point 6: a missing `--config FILE` given explicitly was silently ignored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_explicit_config_file_that_does_not_exist_is_a_usage_error() {
    let dir = TempDir::new("config");
    let missing = dir.path().join("typo.toml");
    let mut flag = mikit(dir.path(), NOWHERE);
    flag.arg("--config").arg(&missing).args(["device", "list"]);
    let mut env = mikit(dir.path(), NOWHERE);
    env.env("MIKIT_CONFIG", &missing).args(["device", "list"]);
    for c in [flag, env] {
        let o = run(c, None).await;
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        let err = stderr(&o);
        assert!(
            err.contains("typo.toml") && err.contains("does not exist"),
            "{err}"
        );
    }
    // An existing one is read.
    std::fs::write(&missing, "endpoint = \"http://127.0.0.1:9\"\n").unwrap();
    let mut c = mikit(dir.path(), NOWHERE);
    c.arg("--config").arg(&missing).args(["device", "list"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode()
        & 0o7777
}

// Issue 9, point 7: the database was 0644 and the data dir 0755 although they hold device
// tokens, e-mail addresses and health data.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_file_is_private_whatever_the_umask_and_loose_ones_are_tightened_once() {
    use std::os::unix::fs::PermissionsExt;
    let emu = emulator(20, |_| {}).await;
    let tmp = TempDir::new("modes");
    let dir = tmp.path().join("data");
    // The most permissive umask: every mode below is mikit's own doing.
    let umask0 = |args: &[&str]| {
        let mut c = std::process::Command::new("sh");
        c.arg("-c")
            .arg("umask 000; exec \"$@\"")
            .arg("sh")
            .arg(env!("CARGO_BIN_EXE_mikit"))
            .arg("--data-dir")
            .arg(&dir)
            .arg("--endpoint")
            .arg(emu.endpoint())
            .args(args)
            .env("MIKIT_CONFIG", crate::harness::empty_config())
            .env_remove("MIKIT_ENDPOINT")
            .env_remove("RUST_LOG");
        c
    };
    let (email, password) = crate::harness::huami_account(&emu);
    let o = run(
        umask0(&["fit", "login", "--email", &email, "--password-stdin"]),
        Some(format!("{password}\n")),
    )
    .await;
    assert!(o.status.success(), "{}", text(&o));
    let o = run(umask0(&["fit", "sync"]), None).await;
    assert!(o.status.success(), "{}", text(&o));
    assert!(!stderr(&o).contains("note: made"), "{}", text(&o));
    for d in [dir.clone(), dir.join("state")] {
        assert_eq!(mode(&d), 0o700, "{}", d.display());
    }
    for f in [
        dir.join("mikit.db"),
        dir.join("mikit.db.sync.lock"),
        dir.join("state/huami-session.json"),
    ] {
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }

    // Files of an older mikit: loosened, then tightened by the next command, said once.
    let loose = [
        (dir.clone(), 0o755),
        (dir.join("state"), 0o755),
        (dir.join("mikit.db"), 0o644),
    ];
    for (p, m) in &loose {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(*m)).unwrap();
    }
    let show = || {
        let mut c = mikit(&dir, emu.endpoint());
        c.args(["fit", "show"]);
        c
    };
    let o = run(show(), None).await;
    assert!(o.status.success(), "{}", text(&o));
    let err = stderr(&o);
    for (p, m) in &loose {
        assert!(
            err.contains(&format!("note: made {} private", p.display())),
            "{err}"
        );
        assert_eq!(mode(p), m & !0o077, "{}", p.display());
    }
    assert_eq!(err.matches("note: made").count(), loose.len(), "{err}");
    let o = run(show(), None).await;
    assert!(
        !stderr(&o).contains("note: made"),
        "said once: {}",
        text(&o)
    );
}

/// Lines of a child's stderr, as they come.
fn stderr_lines(child: &mut Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let err = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Wait for a line containing `needle`; panics with what came if the stream ends first.
fn wait_for(lines: &mpsc::Receiver<String>, needle: &str) -> Vec<String> {
    let mut seen = Vec::new();
    while let Ok(line) = lines.recv() {
        let found = line.contains(needle);
        seen.push(line);
        if found {
            return seen;
        }
    }
    panic!("the child ended without printing {needle:?}: {seen:#?}");
}

/// Collect a child's exit status, stdout and remaining stderr lines, off the runtime.
async fn finish(child: Child, lines: mpsc::Receiver<String>) -> (Option<i32>, String, String) {
    tokio::task::spawn_blocking(move || {
        let o = child.wait_with_output().unwrap();
        let rest: Vec<String> = lines.iter().collect();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            rest.join("\n"),
        )
    })
    .await
    .unwrap()
}

// Issue 9, point 5: two `fit sync` at once on one database both did all the work. Here the
// other sync is this test holding the lock, so every step is deterministic.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_refuses_or_waits_while_another_holds_the_database() {
    let emu = emulator(30, |_| {}).await;
    let dir = TempDir::new("lockheld");
    login(dir.path(), &emu).await;
    let held = mikit_store::SyncLock::try_acquire(&dir.path().join("mikit.db")).unwrap();

    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["fit", "sync"]);
    let o = run(c, None).await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("another sync (pid {})", std::process::id()))
            && err.contains("--wait"),
        "{err}"
    );
    assert!(!String::from_utf8_lossy(&o.stdout).contains("Synced"));

    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["fit", "sync", "--wait"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let lines = stderr_lines(&mut child);
    wait_for(&lines, "Waiting for the other sync");
    drop(held);
    let (code, out, rest) = finish(child, lines).await;
    assert_eq!(code, Some(0), "{out}\n{rest}");
    assert!(out.contains("Synced"), "{out}");
    assert!(
        !rest.contains("Waiting"),
        "the message is printed once: {rest}"
    );
}

// Issue 9, point 5, through two real syncs: while one runs (slowed down by the emulator's
// latency), a second one exits 1 naming it, and one with `--wait` waits, then finds the work
// done and fetches only the newest days.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_syncs_at_once_never_do_the_work_twice() {
    let emu = emulator(400, |c| c.latency = Duration::from_millis(300)).await;
    let dir = TempDir::new("twosyncs");
    login(dir.path(), &emu).await;

    let mut first = mikit(dir.path(), emu.endpoint());
    first
        .args(["-v", "--json", "fit", "sync"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut first = first.spawn().unwrap();
    let first_pid = first.id();
    let first_lines = stderr_lines(&mut first);
    wait_for(&first_lines, "holding the sync lock");

    // The first sync holds the lock for many latency rounds (year probes, 14 range requests).
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["fit", "sync"]);
    let o = run(c, None).await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        stderr(&o).contains(&format!("another sync (pid {first_pid})")),
        "{}",
        text(&o)
    );

    let mut second = mikit(dir.path(), emu.endpoint());
    second
        .args(["--json", "fit", "sync", "--wait"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut second = second.spawn().unwrap();
    let second_lines = stderr_lines(&mut second);
    wait_for(&second_lines, "Waiting for the other sync");

    let (code, out, rest) = finish(first, first_lines).await;
    assert_eq!(code, Some(0), "{out}\n{rest}");
    let first: serde_json::Value = serde_json::from_str(&out).unwrap();
    let (code, out, rest) = finish(second, second_lines).await;
    assert_eq!(code, Some(0), "{out}\n{rest}");
    let second: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(first["days"].as_u64().unwrap() >= 380, "{first}");
    assert!(
        second["days"].as_u64().unwrap() <= 3,
        "the second sync must continue where the first stopped: {second}"
    );
}
