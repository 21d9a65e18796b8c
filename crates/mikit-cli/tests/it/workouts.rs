//! Workouts end to end (issue 11): `mikit fit sync` pages the history past 200 workouts,
//! fetches a detail again only for an edited workout, resumes a killed sync to the same store;
//! `--only`; `mikit fit workouts`; the exports (rows, and GPX/TCX validated with `xmllint
//! --schema`, FIT decoded by the independent `fitparser` crate).

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::Duration,
};

use fitparser::{FitDataRecord, Value, profile::MesgNum};
use mikit_store::{Store, StoredWorkout, WorkoutFilter};

use crate::harness::{TempDir, digest, emulator, login, mikit, run, text};

/// Every stored workout of the database in `dir`, oldest first.
fn stored(dir: &Path) -> Vec<StoredWorkout> {
    let store = Store::open(&dir.join("mikit.db")).unwrap();
    let mut out = Vec::new();
    for (account, _, _) in store.accounts("huami").unwrap() {
        out.extend(store.workouts(account, &WorkoutFilter::default()).unwrap());
    }
    out
}

/// Run `mikit --json fit sync ARGS` in `dir`; its JSON report.
async fn sync_json(dir: &Path, endpoint: &str, args: &[&str]) -> serde_json::Value {
    let mut c = mikit(dir, endpoint);
    c.args(["--json", "fit", "sync"]).args(args);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_history_is_paged_past_200_workouts_and_an_edit_refetches_one_detail() {
    // ≈ one workout every four days: 1000 days give more than one page of 200.
    let emu = emulator(1000, |_| {}).await;
    let dir = TempDir::new("paging");
    login(dir.path(), &emu).await;
    let report = sync_json(dir.path(), emu.endpoint(), &["--only", "workouts"]).await;
    let w = &report["workouts"];
    let listed = w["listed"].as_u64().unwrap();
    assert!(listed > 200, "{report}");
    assert!(w["pages"].as_u64().unwrap() >= 2, "{report}");
    assert_eq!(w["fetched"].as_u64(), Some(listed), "{report}");
    assert_eq!(w["unchanged"].as_u64(), Some(0), "{report}");
    assert_eq!(report["streams"], serde_json::json!(["workouts"]));
    let all = stored(dir.path());
    assert_eq!(all.len() as u64, listed, "every listed workout is stored");
    assert!(all.iter().all(|w| w.has_detail), "every detail is stored");
    // The oldest page was reached: the first workout lies in the first weeks of the history.
    let first = all.first().unwrap().date;
    assert!(
        first < jiff::civil::date(2023, 8, 1),
        "the oldest workout is from {first}"
    );
    assert!(all.iter().any(|w| w.has_track) && all.iter().any(|w| !w.has_track));

    // The user renames one workout in the app: its history item changes, its detail does not.
    let edited = all[all.len() / 2].row.trackid;
    let before = emu.stats().requests;
    emu.edit_workout("huami", edited, "Evening run with Ana")
        .expect("the emulator knows the workout");
    let report = sync_json(dir.path(), emu.endpoint(), &["--only", "workouts"]).await;
    let w = &report["workouts"];
    assert_eq!(w["fetched"].as_u64(), Some(1), "{report}");
    assert_eq!(w["unchanged"].as_u64(), Some(listed - 1), "{report}");
    let pages = w["pages"].as_u64().unwrap();
    // The history pages and exactly one detail went over the wire.
    assert_eq!(emu.stats().requests - before, pages + 1, "{report}");
    let after = stored(dir.path());
    let renamed = after.iter().find(|w| w.row.trackid == edited).unwrap();
    assert_eq!(renamed.row.title.as_deref(), Some("Evening run with Ana"));

    // Nothing changed: only the history pages.
    let before = emu.stats().requests;
    let report = sync_json(dir.path(), emu.endpoint(), &["--only", "workouts"]).await;
    assert_eq!(report["workouts"]["fetched"].as_u64(), Some(0), "{report}");
    assert_eq!(emu.stats().requests - before, pages, "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_workout_sync_resumes_to_the_same_store() {
    let reference_emu = emulator(300, |_| {}).await;
    let reference = TempDir::new("wo-ref");
    login(reference.path(), &reference_emu).await;
    sync_json(
        reference.path(),
        reference_emu.endpoint(),
        &["--only", "workouts"],
    )
    .await;
    let total = stored(reference.path()).len();
    assert!(total > 40, "{total} workouts");

    let emu = emulator(300, |c| c.latency = Duration::from_millis(40)).await;
    let dir = TempDir::new("wo-killed");
    login(dir.path(), &emu).await;
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["fit", "sync", "--only", "workouts", "--jobs", "1"]);
    c.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = c.spawn().unwrap();
    // Wait until some workouts are committed, then kill -9 in the middle of the sync.
    let db = dir.path().join("mikit.db");
    let mut killed_at = 0;
    for _ in 0..1000 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if db.exists() {
            let n = stored(dir.path()).len();
            if n > 0 {
                killed_at = n;
                break;
            }
        }
    }
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(!status.success());
    let saved = stored(dir.path()).len();
    assert!(
        killed_at > 0 && saved < total,
        "the kill must land mid-sync ({saved} of {total} saved)"
    );

    let report = sync_json(dir.path(), emu.endpoint(), &["--only", "workouts"]).await;
    // What was committed before the kill is not fetched again.
    assert_eq!(
        report["workouts"]["unchanged"].as_u64(),
        Some(saved as u64),
        "{report}"
    );
    assert_eq!(
        report["workouts"]["fetched"].as_u64(),
        Some((total - saved) as u64),
        "{report}"
    );
    assert_eq!(digest(dir.path()), digest(reference.path()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_chooses_the_streams_and_rejects_unknown_names() {
    let emu = emulator(60, |_| {}).await;
    let dir = TempDir::new("only");
    login(dir.path(), &emu).await;

    for bad in ["steps", "days,sleep", ""] {
        let mut c = mikit(dir.path(), emu.endpoint());
        c.args(["fit", "sync", "--only", bad]);
        let o = run(c, None).await;
        assert_eq!(o.status.code(), Some(2), "{bad:?}: {}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("the kinds are: days, workouts"),
            "{bad:?}: {}",
            text(&o)
        );
    }
    let counts = Store::open(&dir.path().join("mikit.db"))
        .unwrap()
        .table_counts()
        .unwrap();
    assert!(
        counts.iter().all(|(_, n)| *n == 0),
        "nothing was synced: {counts:?}"
    );

    let report = sync_json(dir.path(), emu.endpoint(), &["--only", "days"]).await;
    assert_eq!(report["streams"], serde_json::json!(["days"]));
    assert!(report["days"].as_u64().unwrap() > 50, "{report}");
    assert!(
        stored(dir.path()).is_empty(),
        "no workouts with --only days"
    );

    // Names in any order, spaces and repeats allowed; the streams run in their own order.
    let report = sync_json(
        dir.path(),
        emu.endpoint(),
        &["--only", "workouts, days,workouts"],
    )
    .await;
    assert_eq!(report["streams"], serde_json::json!(["days", "workouts"]));
    assert!(!stored(dir.path()).is_empty(), "{report}");

    // Without --only: everything, and the text report has a line per stream.
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["fit", "sync"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("Synced ") && out.contains(" days with data"),
        "{out}"
    );
    assert!(
        out.contains("Synced workouts: ") && out.contains(" unchanged"),
        "{out}"
    );

    // --redecode rebuilds the workouts from their raw payloads to the same rows.
    let before = digest(dir.path());
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["--json", "fit", "sync", "--redecode"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        r["workouts"].as_u64(),
        Some(stored(dir.path()).len() as u64)
    );
    assert_eq!(r["failed_workouts"].as_u64(), Some(0));
    assert_eq!(digest(dir.path()), before, "re-decoding changes nothing");
}

/// A store with the workouts of 150 days of the emulated history.
async fn synced(name: &str) -> (TempDir, mikit_emulator::Emulator) {
    let emu = emulator(150, |_| {}).await;
    let dir = TempDir::new(name);
    login(dir.path(), &emu).await;
    sync_json(dir.path(), emu.endpoint(), &[]).await;
    (dir, emu)
}

fn fit_cmd(dir: &Path, args: &[&str]) -> Command {
    let mut c = mikit(dir, "http://127.0.0.1:9");
    c.arg("fit").args(args);
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workouts_table_json_and_show() {
    let (dir, _emu) = synced("wo-table").await;
    let all = stored(dir.path());

    let o = run(fit_cmd(dir.path(), &["workouts"]), None).await;
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let header = out.lines().next().unwrap();
    for column in [
        "id", "start", "sport", "time", "km", "pace", "avg hr", "max hr", "kcal", "track",
    ] {
        assert!(header.contains(column), "{header}");
    }
    assert_eq!(out.lines().count(), all.len() + 2, "{out}");
    assert!(out.contains(&format!("{} workouts;", all.len())), "{out}");
    // Runs show a pace per km; rides a speed.
    let run_line = out.lines().find(|l| l.contains(" running ")).unwrap();
    assert!(
        run_line.contains("/km") && run_line.trim_end().ends_with("yes"),
        "{run_line}"
    );
    if let Some(ride) = out.lines().find(|l| l.contains(" cycling ")) {
        assert!(ride.contains("km/h"), "{ride}");
    }

    // --json: one object per workout, the stored columns plus names.
    let mut c = fit_cmd(dir.path(), &["workouts"]);
    c.arg("--json");
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let rows: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), all.len());
    assert_eq!(rows[0]["trackid"].as_i64(), Some(all[0].row.trackid));
    assert!(rows[0]["sport_name"].is_string() && rows[0]["local_start"].is_string());

    // --sport by name and by code, the same set.
    let by = |sport: &str| {
        let mut c = fit_cmd(dir.path(), &["workouts", "--sport", sport]);
        c.arg("--json");
        c
    };
    let named = run(by("running"), None).await;
    let coded = run(by("1"), None).await;
    assert!(named.status.success() && coded.status.success());
    assert_eq!(named.stdout, coded.stdout);
    let runs = all.iter().filter(|w| w.row.sport == 1).count();
    assert_eq!(String::from_utf8_lossy(&named.stdout).lines().count(), runs);
    let o = run(by("yoga"), None).await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("pool-swim"),
        "{}",
        text(&o)
    );

    // `show` of a run: totals and kilometre splits.
    let r = all
        .iter()
        .find(|w| w.row.sport == 1 && w.has_track)
        .unwrap();
    let o = run(
        fit_cmd(
            dir.path(),
            &["workouts", "show", &r.row.trackid.to_string()],
        ),
        None,
    )
    .await;
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("running (code 1)"), "{out}");
    assert!(out.contains("Kilometre splits:"), "{out}");
    assert!(out.contains("with a GPS track"), "{out}");
    // An unknown id: a clear error.
    let o = run(fit_cmd(dir.path(), &["workouts", "show", "12345"]), None).await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("no workout 12345"),
        "{}",
        text(&o)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workouts_export_as_csv_and_jsonl_rows() {
    let (dir, _emu) = synced("wo-rows").await;
    let all = stored(dir.path());
    let o = run(
        fit_cmd(
            dir.path(),
            &["export", "--what", "workouts", "--format", "csv"],
        ),
        None,
    )
    .await;
    assert!(o.status.success(), "{}", text(&o));
    let csv = String::from_utf8_lossy(&o.stdout);
    assert_eq!(csv.lines().count(), all.len() + 1);
    assert!(csv.starts_with("id,date,start,end,"), "{csv}");
    let o = run(
        fit_cmd(
            dir.path(),
            &["export", "--what", "workouts", "--format", "jsonl"],
        ),
        None,
    )
    .await;
    assert!(o.status.success(), "{}", text(&o));
    let rows: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), all.len());
    assert_eq!(rows[0]["id"].as_i64(), Some(all[0].row.trackid));
    assert_eq!(rows[0]["distance_m"].as_f64(), all[0].row.distance_m);
    // A track format for rows is a usage error.
    let o = run(
        fit_cmd(
            dir.path(),
            &["export", "--what", "workouts", "--format", "gpx"],
        ),
        None,
    )
    .await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

fn schema(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../mikit-activity/tests/data")
        .join(name)
}

/// `xmllint --schema` over every file of `files`: fails (never skips) without xmllint.
fn assert_valid(files: &[PathBuf], xsd: &str) {
    assert!(!files.is_empty());
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--nonet")
        .arg("--schema")
        .arg(schema(xsd))
        .args(files)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run xmllint ({e}): install it (Debian/Ubuntu: apt-get install libxml2-utils)")
        });
    assert!(
        out.status.success(),
        "not valid against {xsd}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}

/// The expected file name of `w`.
fn name_of(w: &StoredWorkout, ext: &str) -> String {
    let local = jiff::Timestamp::from_second(w.row.start + i64::from(w.tz_offset))
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::UTC);
    let sport = mikit_activity::Sport(w.row.sport as u32).to_string();
    format!("{}_{sport}.{ext}", local.strftime("%Y-%m-%dT%H-%M-%S"))
}

fn export_tracks(dir: &Path, out: &Path, format: &str, extra: &[&str]) -> Command {
    let mut c = fit_cmd(
        dir,
        &["export", "--what", "tracks", "--format", format, "-o"],
    );
    c.arg(out).args(extra);
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gpx_and_tcx_tracks_are_valid_against_their_schemas() {
    let (dir, _emu) = synced("wo-xml").await;
    let all = stored(dir.path());
    let with_track = all.iter().filter(|w| w.has_track).count();
    let out = dir.path().join("gpx");
    let o = run(export_tracks(dir.path(), &out, "gpx", &[]), None).await;
    assert!(o.status.success(), "{}", text(&o));
    let gpx = files(&out, "gpx");
    assert_eq!(gpx.len(), with_track);
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(
        said.contains(&format!(
            "skipped {} workouts without GPS",
            all.len() - with_track
        )),
        "{said}"
    );
    let mut expected: Vec<String> = all
        .iter()
        .filter(|w| w.has_track)
        .map(|w| name_of(w, "gpx"))
        .collect();
    expected.sort();
    let names: Vec<String> = gpx
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, expected);
    assert_valid(&gpx, "gpx-with-trackpointextension.xsd");
    // Every stored GPS point is a trackpoint.
    let first = all.iter().find(|w| w.has_track).unwrap();
    let text_of = std::fs::read_to_string(out.join(name_of(first, "gpx"))).unwrap();
    let store = Store::open(&dir.path().join("mikit.db")).unwrap();
    let account = store.accounts("huami").unwrap()[0].0;
    let detail = store.workout(account, first.row.trackid).unwrap().unwrap();
    let positioned = detail.points.iter().filter(|p| p.lat.is_some()).count();
    assert_eq!(text_of.matches("<trkpt ").count(), positioned);

    let out = dir.path().join("tcx");
    let o = run(export_tracks(dir.path(), &out, "tcx", &[]), None).await;
    assert!(o.status.success(), "{}", text(&o));
    let tcx = files(&out, "tcx");
    assert_eq!(tcx.len(), all.len(), "every workout has a TCX file");
    assert_valid(&tcx, "TrainingCenterDatabasev2.xsd");
}

fn fit_field<'a>(r: &'a FitDataRecord, name: &str) -> Option<&'a Value> {
    r.fields()
        .iter()
        .find(|f| f.name() == name)
        .map(|f| f.value())
}

fn fit_number(r: &FitDataRecord, name: &str) -> Option<f64> {
    fit_field(r, name).map(|v| match v {
        Value::Timestamp(t) => t.timestamp() as f64,
        other => other
            .clone()
            .try_into()
            .unwrap_or_else(|e| panic!("{name} = {other:?} is not a number: {e:?}")),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fit_tracks_decode_with_the_stores_points_distance_and_duration() {
    let (dir, _emu) = synced("wo-fit").await;
    let all = stored(dir.path());
    let out = dir.path().join("fit");
    let o = run(export_tracks(dir.path(), &out, "fit", &[]), None).await;
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(files(&out, "fit").len(), all.len());
    let mut sports = std::collections::BTreeSet::new();
    for w in &all {
        let path = out.join(name_of(w, "fit"));
        let bytes = std::fs::read(&path).unwrap();
        let recs = fitparser::from_bytes(&bytes)
            .unwrap_or_else(|e| panic!("fitparser rejects {}: {e}", path.display()));
        let records = recs.iter().filter(|r| r.kind() == MesgNum::Record).count();
        assert_eq!(records as u64, w.points, "{}", path.display());
        let sessions: Vec<_> = recs
            .iter()
            .filter(|r| r.kind() == MesgNum::Session)
            .collect();
        assert_eq!(sessions.len(), 1);
        let s = sessions[0];
        if let Some(d) = w.row.distance_m.filter(|&d| d > 0.0) {
            let got = fit_number(s, "total_distance").unwrap();
            assert!((got - d).abs() < 0.01, "{}: {got} vs {d}", path.display());
        }
        if let Some(end) = w.row.end {
            assert_eq!(
                fit_number(s, "total_elapsed_time"),
                Some((end - w.row.start) as f64),
                "{}",
                path.display()
            );
        }
        if let Some(moving) = w.row.duration_s {
            assert_eq!(
                fit_number(s, "total_timer_time"),
                Some(moving as f64),
                "{}",
                path.display()
            );
        }
        assert_eq!(fit_number(s, "start_time"), Some(w.row.start as f64));
        sports.insert(w.row.sport);
    }
    assert!(sports.len() >= 5, "a mix of sports: {sports:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn track_exports_skip_complete_files_and_refuse_odd_targets() {
    let (dir, _emu) = synced("wo-files").await;
    let all = stored(dir.path());
    let out = dir.path().join("files");
    let o = run(export_tracks(dir.path(), &out, "fit", &[]), None).await;
    assert!(o.status.success(), "{}", text(&o));
    let first = out.join(name_of(&all[0], "fit"));
    let written = std::fs::metadata(&first).unwrap().modified().unwrap();
    // No temporary file is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A re-run keeps what exists; --force rewrites.
    let mut c = export_tracks(dir.path(), &out, "fit", &[]);
    c.arg("--json");
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["written"].as_u64(), Some(0), "{r}");
    assert_eq!(r["existing"].as_u64(), Some(all.len() as u64), "{r}");
    assert_eq!(
        std::fs::metadata(&first).unwrap().modified().unwrap(),
        written
    );
    std::thread::sleep(Duration::from_millis(20));
    let id = all[0].row.trackid.to_string();
    let mut c = export_tracks(dir.path(), &out, "fit", &["--workout", &id, "--force"]);
    c.arg("--json");
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["written"].as_u64(), Some(1), "{r}");
    assert_ne!(
        std::fs::metadata(&first).unwrap().modified().unwrap(),
        written
    );

    // A deleted file (an interrupted export) is written again, the others kept.
    std::fs::remove_file(&first).unwrap();
    let mut c = export_tracks(dir.path(), &out, "fit", &[]);
    c.arg("--json");
    let o = run(c, None).await;
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["written"].as_u64(), Some(1), "{r}");
    assert!(first.exists());

    // A symbolic link where a file would go: not written through, a clear error, exit 1.
    let elsewhere = dir.path().join("elsewhere.fit");
    std::fs::write(&elsewhere, b"keep me").unwrap();
    let second = out.join(name_of(&all[1], "fit"));
    std::fs::remove_file(&second).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &second).unwrap();
    let o = run(export_tracks(dir.path(), &out, "fit", &["--force"]), None).await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("is a symbolic link"),
        "{}",
        text(&o)
    );
    assert_eq!(std::fs::read(&elsewhere).unwrap(), b"keep me");

    // The output is a file, not a folder: a usage error.
    let o = run(export_tracks(dir.path(), &out, "fit", &[]), None).await;
    assert_eq!(
        o.status.code(),
        Some(1),
        "the link is still there: {}",
        text(&o)
    );
    let o = run(export_tracks(dir.path(), &elsewhere, "fit", &[]), None).await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("is not a folder"),
        "{}",
        text(&o)
    );
    // No -o, or a row format: usage errors.
    let o = run(
        fit_cmd(
            dir.path(),
            &["export", "--what", "tracks", "--format", "fit"],
        ),
        None,
    )
    .await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("-o DIR"),
        "{}",
        text(&o)
    );
    let o = run(export_tracks(dir.path(), &out, "csv", &[]), None).await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    // An unknown workout id.
    let o = run(
        export_tracks(dir.path(), &out, "fit", &["--workout", "42"]),
        None,
    )
    .await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("no workout 42"),
        "{}",
        text(&o)
    );
}
