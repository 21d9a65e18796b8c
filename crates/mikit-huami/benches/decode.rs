//! Decode throughput of `band_data.json` detail days, in minute records per second.
//!
//! Run: `cargo bench -p mikit-huami --bench decode`. Prints a markdown table.

use std::hint::black_box;
use std::time::{Duration, Instant};

use base64::Engine as _;
use mikit_huami::decode_day;
use mikit_huami::detail::decode_minutes;
use mikit_huami::envelope::decode_band_data;
use serde_json::{Value, json};

const MINUTES: usize = 1440;
/// Activity modes cycled through the stages.
const MODES: [u8; 4] = [1, 3, 4, 7];

/// A deterministic xorshift stream (no dependency, reproducible tables).
fn bytes(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// A realistic detail item: full summary (the key set of a 2026 Helio Strap day, reference
/// §9 (d)) with 20 activity stages and a night of sleep stages, 1440 × 8-byte records and
/// 1440 heart-rate bytes.
fn day_item(date: &str) -> Value {
    let mut sleep = Vec::new();
    let mut m = 1380;
    for (i, mode) in [4, 5, 4, 8, 4, 5, 7, 4, 8, 11, 4, 5].iter().enumerate() {
        let len = 20 + (i * 7) % 30;
        sleep.push(json!({"start": m, "stop": m + len - 1, "mode": mode}));
        m += len;
    }
    let activity: Vec<Value> = (0..20)
        .map(|i| json!({"start": 400 + i * 40, "stop": 420 + i * 40, "mode": MODES[i % 4], "dis": 480, "cal": 13, "step": 680}))
        .collect();
    let summary = json!({
        "v": "6", "goal": 8000, "tz": "3600", "algv": "2.13.14", "sn": "SYNTHDEV0001", "byteLength": 8,
        "sync": 1_770_422_906,
        "slp": {"stage": sleep, "odd_stage": [{"start": 900, "stop": 930, "mode": 4}],
                "st": 1_770_332_400, "ed": 1_770_360_000, "dp": 90, "lt": 240, "wk": 5, "wc": 1,
                "rhr": 55, "ss": 81, "is": 30, "lb": 10, "dt": 30, "obt": 10, "ebt": 500, "to": 0,
                "supNap": true, "supRem": true, "sleepScoreVersion": "1.0.2"},
        "stp": {"ttl": 12034, "dis": 8543, "cal": 402, "wk": 88, "rn": 21, "runDist": 2900, "runCal": 180,
                "stage": activity, "stepStageSummary": []},
        "hr": {"maxHr": {"hr": 158, "ts": 1_770_422_906}}
    });
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut hr = bytes(7, MINUTES);
    for (i, v) in hr.iter_mut().enumerate() {
        *v = match i % 10 {
            0 => 255,
            1 => 254,
            _ => 50 + *v % 100,
        };
    }
    json!({
        "uid": "1000000001", "data_type": 0, "date_time": date, "source": 10_289_411,
        "summary": b64.encode(summary.to_string()),
        "data": b64.encode(bytes(42, MINUTES * 8)),
        "data_hr": b64.encode(hr),
        "device_id": "SYNTHDEV0001", "uuid": "null"
    })
}

struct Row {
    op: &'static str,
    iters: u32,
    total: Duration,
    records_per_iter: usize,
}

fn run<F: FnMut() -> usize>(op: &'static str, min_time: Duration, mut f: F) -> Row {
    // Warm up.
    for _ in 0..10 {
        black_box(f());
    }
    let start = Instant::now();
    let mut iters = 0u32;
    let mut records = 0;
    while start.elapsed() < min_time {
        records = black_box(f());
        iters += 1;
    }
    Row {
        op,
        iters,
        total: start.elapsed(),
        records_per_iter: records,
    }
}

#[allow(clippy::print_stdout)]
fn main() {
    let min_time = Duration::from_secs(2);
    let item = day_item("2026-02-06");
    let month: Vec<Value> = (1..=30)
        .map(|d| day_item(&format!("2026-02-{d:02}")))
        .collect();
    let body = json!({"code": 1, "message": "success", "data": month}).to_string();
    let raw = bytes(42, MINUTES * 8);
    let hr = bytes(7, MINUTES);

    let rows = [
        run(
            "decode_day (detail day: summary + 1440 × 8 B + data_hr)",
            min_time,
            || decode_day(&item).map(|d| d.minutes.len()).unwrap_or(0),
        ),
        run(
            "decode_minutes (1440 × 8 B + data_hr, bytes only)",
            min_time,
            || {
                let mut issues = Vec::new();
                decode_minutes(0, &raw, &hr, Some(8), &mut issues).len()
            },
        ),
        run(
            "envelope + decode_day × 30 (one 30-day answer body)",
            min_time,
            || {
                decode_band_data(body.as_bytes())
                    .map(|items| {
                        items
                            .iter()
                            .filter_map(|i| decode_day(i).ok())
                            .map(|d| d.minutes.len())
                            .sum()
                    })
                    .unwrap_or(0)
            },
        ),
    ];

    println!("| operation | iterations | total | per op | throughput (minute records/s) |");
    println!("|---|---:|---:|---:|---:|");
    for r in rows {
        let per = r.total / r.iters.max(1);
        let rate = r.records_per_iter as f64 * f64::from(r.iters) / r.total.as_secs_f64();
        println!(
            "| {} | {} | {:.2} s | {:.1} µs | {:.2} M |",
            r.op,
            r.iters,
            r.total.as_secs_f64(),
            per.as_secs_f64() * 1e6,
            rate / 1e6
        );
    }
}
