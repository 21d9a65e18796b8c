//! Health data on the command line (issue 12): `fit sync` of devices, health events and
//! weight; `fit show` columns; `fit export --what spo2|stress|pai|hrv|readiness|weight|events`.

use std::path::Path;

use serde_json::Value;

use crate::harness::{TempDir, emulator, login, mikit, run, text};

/// Exports never touch the network: point them at a port where nothing listens.
const NOWHERE: &str = "http://127.0.0.1:9";

fn jsonl(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

async fn export(dir: &Path, what: &str, format: &str) -> std::process::Output {
    let mut c = mikit(dir, NOWHERE);
    c.args(["fit", "export", "--what", what, "--format", format]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{what}: {}", text(&o));
    o
}

/// An ISO 8601 local time with its UTC offset, and the epoch seconds beside it agree.
fn assert_time(row: &Value, time_key: &str) {
    let t = row[time_key].as_str().unwrap();
    let parsed: jiff::Timestamp = t.parse().unwrap_or_else(|e| panic!("{t}: {e}"));
    assert!(
        t.len() == 25 && (t.ends_with(":00") || t.contains('+') || t.contains('-')),
        "{t}"
    );
    assert_eq!(parsed.as_second(), row["ts"].as_i64().unwrap(), "{row}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_streams_sync_show_and_export() {
    let emu = emulator(120, |_| {}).await;
    let dir = TempDir::new("health-cli");
    login(dir.path(), &emu).await;
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args([
        "--json",
        "fit",
        "sync",
        "--only",
        "days,devices,health,weight",
    ]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    let written = |k: &str| report[k]["written"].as_u64().unwrap();
    assert!(written("devices") >= 3, "{report}");
    assert!(written("health") > 100, "{report}");
    assert!(written("weight") > 10, "{report}");
    assert!(report.get("workouts").is_none(), "not asked for: {report}");

    // `fit show`: the health columns where there is data.
    let mut c = mikit(dir.path(), NOWHERE);
    c.args(["fit", "show"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let table = String::from_utf8_lossy(&o.stdout);
    let header = table.lines().nth(1).unwrap();
    for col in ["spo2 %", "stress", "pai", "weight"] {
        assert!(header.contains(col), "{header}");
    }
    let mut c = mikit(dir.path(), NOWHERE);
    c.args(["--json", "fit", "show"]);
    let o = run(c, None).await;
    let days = jsonl(&o.stdout);
    assert!(days.iter().any(|d| d["pai"].is_number()), "{days:?}");
    assert!(days.iter().all(|d| d.get("spo2_pct").is_some()));

    // Every export: CSV and JSON lines hold the same rows; times carry their offset.
    let events = jsonl(&export(dir.path(), "events", "jsonl").await.stdout);
    assert_eq!(
        events.len() as u64,
        written("health"),
        "one row per stored record"
    );
    for e in &events {
        assert_time(e, "time");
        assert_eq!(e["source"], "sync");
        let detail: Value = serde_json::from_str(e["detail"].as_str().unwrap()).unwrap();
        assert!(detail.is_object());
    }
    let count = |kind: &str| events.iter().filter(|e| e["kind"] == kind).count();
    for (what, time_key, expect) in [
        (
            "spo2",
            "time",
            count("spo2") + count("spo2_nightly") + count("spo2_apnea"),
        ),
        ("pai", "day", count("pai")),
        ("readiness", "day", count("readiness")),
        ("weight", "time", written("weight") as usize),
    ] {
        let rows = jsonl(&export(dir.path(), what, "jsonl").await.stdout);
        assert_eq!(rows.len(), expect, "{what}");
        for r in &rows {
            assert_time(r, time_key);
        }
        let csv = export(dir.path(), what, "csv").await;
        let lines = String::from_utf8_lossy(&csv.stdout).lines().count();
        assert_eq!(lines, expect + 1, "{what}: a header and one line per row");
    }
    // Stress and HRV are exported sample by sample.
    let samples = |kind: &str| -> usize {
        events
            .iter()
            .filter(|e| e["kind"] == kind)
            .map(|e| {
                let d: Value = serde_json::from_str(e["detail"].as_str().unwrap()).unwrap();
                d["samples"].as_array().unwrap().len()
            })
            .sum()
    };
    for (what, kind) in [("stress", "stress"), ("hrv", "hrv")] {
        let rows = jsonl(&export(dir.path(), what, "jsonl").await.stdout);
        assert!(!rows.is_empty(), "{what}");
        assert_eq!(rows.len(), samples(kind), "{what}");
    }
    let stress = jsonl(&export(dir.path(), "stress", "jsonl").await.stdout);
    for r in &stress {
        let v = r["stress"].as_f64().unwrap();
        let zone = r["zone"].as_str().unwrap();
        let want = if v <= 25.0 {
            "relaxed"
        } else if v <= 50.0 {
            "normal"
        } else if v <= 75.0 {
            "medium"
        } else {
            "high"
        };
        assert_eq!(zone, want, "{r}");
    }

    // A range limits the rows to its local days.
    let first_day = events[0]["time"].as_str().unwrap()[..10].to_owned();
    let mut c = mikit(dir.path(), NOWHERE);
    c.args([
        "fit", "export", "--what", "events", "--format", "jsonl", "--from", &first_day, "--to",
        &first_day,
    ]);
    let o = run(c, None).await;
    let day = jsonl(&o.stdout);
    assert!(!day.is_empty() && day.len() < events.len());
    assert!(
        day.iter()
            .all(|e| e["time"].as_str().unwrap().starts_with(&first_day)),
        "{day:?}"
    );
}
