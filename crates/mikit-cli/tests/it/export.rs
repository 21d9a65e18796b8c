//! `mikit fit export` targets (issue 9, point 1) and polish: files appear complete or not at
//! all, special files are written and never replaced, `-o -` is stdout, a full disk is an
//! error, an interrupt leaves nothing behind; `-q`, `--json`, and days without sleep.

use std::{
    os::unix::fs::{FileTypeExt as _, PermissionsExt as _},
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use serde_json::Value;

use crate::harness::{TempDir, emulator, login, mikit, run, text};

/// Exports never touch the network: point them at a port where nothing listens.
const NOWHERE: &str = "http://127.0.0.1:9";

/// A data dir holding `days` synced days of the emulated account.
async fn synced(name: &str, days: u32) -> TempDir {
    let emu = emulator(days, |_| {}).await;
    let dir = TempDir::new(name);
    login(dir.path(), &emu).await;
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["fit", "sync"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    dir
}

/// `mikit fit export ARGS` on the data in `dir`.
fn export(dir: &Path, args: &[&str]) -> Command {
    let mut c = mikit(dir, NOWHERE);
    c.args(["fit", "export"]).args(args);
    c
}

/// The names in `folder`, sorted.
fn names(folder: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// No temporary file of an export is left in `folder`.
fn assert_no_partial(folder: &Path) {
    let left: Vec<String> = names(folder)
        .into_iter()
        .filter(|n| n.contains("partial"))
        .collect();
    assert!(left.is_empty(), "temporary files left behind: {left:?}");
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_symlink_is_written_through_and_stays_a_link() {
    let dir = synced("exp-link", 8).await;
    let out = TempDir::new("exp-link-out");
    let real = out.path().join("real.csv");
    std::fs::write(&real, "old content\n").unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = out.path().join("link.csv");
    std::os::unix::fs::symlink("real.csv", &link).unwrap();

    let o = run(export(dir.path(), &["--what", "days", "-o"]), None).await;
    assert_eq!(o.status.code(), Some(2), "-o needs a value: {}", text(&o));
    let mut c = export(dir.path(), &["--what", "days", "-o"]);
    c.arg(&link);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let meta = std::fs::symlink_metadata(&link).unwrap();
    assert!(meta.file_type().is_symlink(), "the link must stay a link");
    let body = std::fs::read_to_string(&real).unwrap();
    assert!(body.starts_with("date,tz_offset_s,steps"), "{body}");
    assert_eq!(body.lines().count(), 9, "header + 8 days: {body}");
    assert_eq!(
        std::fs::metadata(&real).unwrap().permissions().mode() & 0o777,
        0o640,
        "a replaced file keeps its permissions"
    );

    // A dangling link: the file it names is created, the link stays.
    let dangling = out.path().join("dangling.csv");
    std::os::unix::fs::symlink("made.csv", &dangling).unwrap();
    let mut c = export(dir.path(), &["--what", "days", "-o"]);
    c.arg(&dangling);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        std::fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let made = out.path().join("made.csv");
    assert_eq!(std::fs::read_to_string(&made).unwrap(), body);
    assert_eq!(
        std::fs::metadata(&made).unwrap().permissions().mode() & 0o777,
        0o600,
        "a new export file is private (health data)"
    );
    assert_no_partial(out.path());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifo_is_written_to_and_its_reader_gets_everything() {
    let dir = synced("exp-fifo", 8).await;
    let out = TempDir::new("exp-fifo-out");
    let fifo = out.path().join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    // The reader: opening blocks until the export opens the FIFO for writing.
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let mut c = export(dir.path(), &["--what", "days", "--format", "jsonl", "-o"]);
    c.arg(&fifo);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    // Checked before joining: a replaced FIFO would leave its reader blocked for ever.
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo(),
        "the FIFO must not be replaced by a file"
    );
    let got = reader.join().unwrap();
    assert_eq!(got.lines().count(), 8, "{got}");
    for l in got.lines() {
        serde_json::from_str::<Value>(l).unwrap();
    }
    assert_eq!(names(out.path()), ["pipe"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_are_written_in_place_and_a_full_one_fails_with_exit_1() {
    let dir = synced("exp-dev", 8).await;
    let out = TempDir::new("exp-dev-out");
    // Through links, so that a regression replaces a link in our folder, never the real node.
    let full = out.path().join("full");
    std::os::unix::fs::symlink("/dev/full", &full).unwrap();
    let null = out.path().join("null");
    std::os::unix::fs::symlink("/dev/null", &null).unwrap();

    for what in ["days", "minutes"] {
        let mut c = export(dir.path(), &["--what", what, "-o"]);
        c.arg(&full);
        let o = run(c, None).await;
        assert_eq!(
            o.status.code(),
            Some(1),
            "ENOSPC is a failure: {}",
            text(&o)
        );
        let err = stderr(&o);
        assert!(err.contains("No space left on device"), "{err}");
        assert!(
            !err.contains("Exported"),
            "no success after a failed write: {err}"
        );
    }
    let mut c = export(dir.path(), &["--what", "days", "-o"]);
    c.arg(&null);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    for (link, dev) in [(&full, "/dev/full"), (&null, "/dev/null")] {
        assert!(
            std::fs::symlink_metadata(link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(
            std::fs::metadata(dev).unwrap().file_type().is_char_device(),
            "{dev} must stay a device"
        );
    }
    assert_eq!(names(out.path()), ["full", "null"]);

    // Standard output on a full device: exit 1 too.
    let mut c = export(dir.path(), &["--what", "minutes"]);
    c.stdout(std::fs::File::create("/dev/full").unwrap())
        .stderr(Stdio::piped());
    let o = tokio::task::spawn_blocking(move || c.output().unwrap())
        .await
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dash_is_stdout_and_a_directory_is_a_usage_error() {
    let dir = synced("exp-dash", 8).await;
    let cwd = TempDir::new("exp-dash-cwd");
    let mut c = export(dir.path(), &["--what", "days", "-o", "-"]);
    c.current_dir(cwd.path());
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let body = String::from_utf8_lossy(&o.stdout);
    assert!(body.starts_with("date,"), "{body}");
    assert_eq!(body.lines().count(), 9);
    assert!(names(cwd.path()).is_empty(), "no file named '-'");

    for target in [
        cwd.path().to_path_buf(),
        PathBuf::from(format!("{}/", cwd.path().display())),
    ] {
        let mut c = export(dir.path(), &["--what", "days", "-o"]);
        c.arg(&target).current_dir(cwd.path());
        let o = run(c, None).await;
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        let err = stderr(&o);
        assert!(err.contains("is a directory"), "{err}");
        assert!(err.contains("give a file name"), "{err}");
    }
    assert!(names(cwd.path()).is_empty());
    // Nothing beside the directory either (the old `/tmp.partial`).
    let parent = cwd.path().parent().unwrap();
    let stem = cwd
        .path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(
        !names(parent)
            .iter()
            .any(|n| n.starts_with(&stem) && n != &stem),
        "a sibling of the directory was created"
    );

    // A folder that does not exist: a clear error, nothing created.
    let mut c = export(dir.path(), &["--what", "days", "-o"]);
    c.arg(cwd.path().join("missing/out.csv"));
    let o = run(c, None).await;
    assert!(!o.status.success());
    assert!(stderr(&o).contains("does not exist"), "{}", text(&o));
    assert!(names(cwd.path()).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_exports_with_one_stem_each_get_their_own_rows() {
    let dir = synced("exp-stem", 20).await;
    let out = TempDir::new("exp-stem-out");
    let csv = out.path().join("out.csv");
    let jsonl = out.path().join("out.jsonl");
    for _ in 0..3 {
        let mut a = export(dir.path(), &["--what", "minutes", "--format", "csv", "-o"]);
        a.arg(&csv);
        let mut b = export(dir.path(), &["--what", "sleep", "--format", "jsonl", "-o"]);
        b.arg(&jsonl);
        let (oa, ob) = tokio::join!(run(a, None), run(b, None));
        assert!(oa.status.success(), "{}", text(&oa));
        assert!(ob.status.success(), "{}", text(&ob));
        let body = std::fs::read_to_string(&csv).unwrap();
        assert!(
            body.starts_with("time,ts,steps,heart_rate,kind,intensity\n"),
            "out.csv holds another export"
        );
        assert!(body.lines().count() > 20 * 1000, "{}", body.lines().count());
        let body = std::fs::read_to_string(&jsonl).unwrap();
        for l in body.lines() {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}"));
            assert!(
                v.get("stage").is_some(),
                "out.jsonl holds another export: {l}"
            );
        }
        assert!(body.lines().count() > 50);
    }
    assert_eq!(names(out.path()), ["out.csv", "out.jsonl"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_export_leaves_nothing_behind() {
    let dir = synced("exp-int", 30).await;
    let out = TempDir::new("exp-int-out");
    let target = out.path().join("minutes.csv");
    let mut interrupted = 0;
    for (round, signal) in ["INT", "TERM", "INT", "TERM"].into_iter().enumerate() {
        let mut c = export(dir.path(), &["--what", "minutes", "-o"]);
        c.arg(&target).stdout(Stdio::null()).stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        let pid = child.id().to_string();
        let kill = |sig: &str| {
            let s = Command::new("kill")
                .args([&format!("-{sig}"), &pid])
                .status()
                .unwrap();
            assert!(s.success());
        };
        // Wait for the temporary file, then freeze the process so that the signal lands
        // while it exists (the file appears only after the handler is installed).
        let mut seen = false;
        for _ in 0..200_000 {
            if names(out.path()).iter().any(|n| n.ends_with(".partial")) {
                seen = true;
                break;
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
            tokio::task::yield_now().await;
        }
        if seen {
            kill("STOP");
            let still = names(out.path()).iter().any(|n| n.ends_with(".partial"));
            kill(signal);
            kill("CONT");
            if !still {
                seen = false;
            }
        }
        let o = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
            .await
            .unwrap();
        assert_no_partial(out.path());
        match o.status.code() {
            Some(130) => {
                interrupted += 1;
                assert!(stderr(&o).contains("Interrupted"), "{}", text(&o));
                if round == 0 {
                    assert!(!target.exists(), "an interrupted export creates no file");
                }
            }
            Some(0) => assert!(!seen, "stopped mid-export, yet it completed: {}", text(&o)),
            _ => panic!("unexpected end: {}", text(&o)),
        }
        if target.exists() {
            // Whatever is there is a complete export, never a piece of one.
            let body = std::fs::read_to_string(&target).unwrap();
            assert!(body.starts_with("time,") && body.ends_with('\n'));
        }
    }
    assert!(interrupted > 0, "no round was interrupted mid-export");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_is_silent_and_json_is_one_summary_apart_from_the_data() {
    let dir = synced("exp-json", 8).await;
    let out = TempDir::new("exp-json-out");
    let file = out.path().join("days.csv");

    let mut c = export(dir.path(), &["--what", "days", "-o"]);
    c.arg(&file);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    assert!(stderr(&o).contains("Exported 8 rows to"), "{}", text(&o));

    let mut c = export(dir.path(), &["--what", "days", "-o"]);
    c.arg(&file).arg("-q");
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!((o.stdout.len(), o.stderr.len()), (0, 0), "{}", text(&o));

    // --json without --format: JSON lines; the summary is one JSON object on stderr.
    let mut c = export(dir.path(), &["--json", "--what", "days", "-o"]);
    c.arg(&file);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    assert!(o.stdout.is_empty(), "{}", text(&o));
    let summary: Value = serde_json::from_slice(&o.stderr).unwrap();
    assert_eq!(summary["exported"], 8);
    assert_eq!(summary["format"], "jsonl");
    assert_eq!(summary["what"], "days");
    assert_eq!(summary["output"], file.display().to_string());
    let body = std::fs::read_to_string(&file).unwrap();
    assert_eq!(body.lines().count(), 8);
    for l in body.lines() {
        serde_json::from_str::<Value>(l).unwrap();
    }

    // To stdout: stdout holds only data, the summary stays on stderr.
    let o = run(export(dir.path(), &["--json", "--what", "days"]), None).await;
    assert!(o.status.success(), "{}", text(&o));
    let rows: Vec<Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 8);
    assert!(
        rows.iter()
            .all(|r| r.get("date").is_some() && r.get("exported").is_none())
    );
    let summary: Value = serde_json::from_slice(&o.stderr).unwrap();
    assert_eq!(
        (summary["exported"].as_u64(), summary["output"].as_str()),
        (Some(8), Some("-"))
    );

    // --format still decides when given.
    let o = run(
        export(dir.path(), &["--json", "--what", "days", "--format", "csv"]),
        None,
    )
    .await;
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("date,"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn days_without_sleep_export_empty_sleep_fields() {
    // The first day of the history has no night before it (and 4 % of nights are missing).
    let dir = synced("exp-nosleep", 20).await;
    let o = run(
        export(dir.path(), &["--what", "days", "--format", "jsonl"]),
        None,
    )
    .await;
    assert!(o.status.success(), "{}", text(&o));
    let days: Vec<Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let sleepless: Vec<&Value> = days
        .iter()
        .filter(|d| d["sleep_total_min"].is_null())
        .collect();
    assert!(!sleepless.is_empty(), "the history has a day without sleep");
    for d in &sleepless {
        for key in [
            "sleep_start",
            "sleep_end",
            "deep_min",
            "light_min",
            "rem_min",
            "awake_min",
            "sleep_score",
        ] {
            assert!(d[key].is_null(), "{key} of a day without sleep: {d}");
        }
        assert!(d["steps"].is_number(), "other measurements stay: {d}");
    }
    // No day claims a night that starts and ends at the same instant, or a zero score.
    for d in &days {
        assert!(
            d["sleep_start"].is_null() || d["sleep_start"] != d["sleep_end"],
            "{d}"
        );
        assert_ne!(d["sleep_score"], 0, "{d}");
    }

    let o = run(export(dir.path(), &["--what", "days"]), None).await;
    let csv = String::from_utf8_lossy(&o.stdout).into_owned();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let date = sleepless[0]["date"].as_str().unwrap();
    let row: Vec<&str> = csv
        .lines()
        .find(|l| l.starts_with(date))
        .unwrap()
        .split(',')
        .collect();
    for name in ["sleep_start", "sleep_end", "sleep_total_min", "sleep_score"] {
        assert_eq!(row[col(name)], "", "{name} in {row:?}");
    }
}
