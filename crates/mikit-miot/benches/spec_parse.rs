//! Spec parsing throughput over the repository corpus (`data/miot-spec/devices/*.json`, 300
//! real specs, 2.6 MB), on one core. Prints a markdown table.
//!
//! Run: `cargo bench -p mikit-miot --bench spec_parse`

#![allow(clippy::print_stdout)]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use mikit_miot::{Instance, InstanceList, Names};

const MIN_TIME: Duration = Duration::from_millis(1500);

fn corpus() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/miot-spec"))
}

/// CPU time of the calling thread (Linux `/proc/thread-self/schedstat`, first field in ns).
/// The machine running the benchmarks is shared; CPU time leaves out the time this thread
/// spent waiting for a core.
fn thread_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

struct Row {
    op: &'static str,
    iterations: u64,
    total: Duration,
    cpu: Option<Duration>,
    bytes_per_iter: u64,
    unit: &'static str,
}

/// Run `f` (one iteration) repeatedly for at least MIN_TIME after a warm-up.
fn measure(op: &'static str, bytes_per_iter: u64, unit: &'static str, mut f: impl FnMut()) -> Row {
    let warm = Instant::now();
    while warm.elapsed() < Duration::from_millis(200) {
        f();
    }
    let cpu0 = thread_cpu();
    let start = Instant::now();
    let mut iterations = 0;
    while iterations < 5 || start.elapsed() < MIN_TIME {
        f();
        iterations += 1;
    }
    let total = start.elapsed();
    let cpu = match (cpu0, thread_cpu()) {
        (Some(a), Some(b)) => Some(b.saturating_sub(a)),
        _ => None,
    };
    Row {
        op,
        iterations,
        total,
        cpu,
        bytes_per_iter,
        unit,
    }
}

fn fmt_dur(d: Duration) -> String {
    let ns = d.as_secs_f64() * 1e9;
    if ns >= 1e9 {
        format!("{:.2} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

fn main() {
    let mut files: Vec<Vec<u8>> = std::fs::read_dir(corpus().join("devices"))
        .expect("corpus devices dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| std::fs::read(p).expect("read spec"))
        .collect();
    files.sort();
    let total: u64 = files.iter().map(|f| f.len() as u64).sum();
    let instances = std::fs::read(corpus().join("instances.json")).expect("instances.json");
    let specs: Vec<Instance> = files
        .iter()
        .map(|f| Instance::from_slice(f).expect("corpus spec parses"))
        .collect();

    let rows = vec![
        measure("300 specs → typed `Instance`", total, "MB/s", || {
            for f in &files {
                black_box(Instance::from_slice(black_box(f)).ok());
            }
        }),
        // Same input path as `Instance::from_slice` (one UTF-8 check, then `from_str`).
        measure("300 specs → `serde_json::Value`", total, "MB/s", || {
            for f in &files {
                let text = std::str::from_utf8(black_box(f)).ok().unwrap_or_default();
                black_box(serde_json::from_str::<serde_json::Value>(text).ok());
            }
        }),
        measure(
            "300 specs → `serde_json::Value` (`from_slice`)",
            total,
            "MB/s",
            || {
                for f in &files {
                    black_box(serde_json::from_slice::<serde_json::Value>(black_box(f)).ok());
                }
            },
        ),
        measure(
            "300 specs → typed → `Value` (round trip)",
            total,
            "MB/s",
            || {
                for s in &specs {
                    black_box(s.to_value());
                }
            },
        ),
        measure(
            "instances.json (19,753 entries) → `InstanceList`",
            instances.len() as u64,
            "MB/s",
            || {
                black_box(InstanceList::from_slice(black_box(&instances)).ok());
            },
        ),
        measure("300 specs → `Names` table", 300, "specs/s", || {
            for s in &specs {
                black_box(Names::new(black_box(s)));
            }
        }),
    ];

    println!(
        "corpus: {} spec files, {} bytes; one thread. `total` is wall time; per-op and \
         throughput use the thread's CPU time (wall time in parentheses), since the machine \
         may be shared. MB = 10^6 bytes.\n",
        files.len(),
        total
    );
    println!("| operation | iterations | total | per-op | throughput |");
    println!("|---|---:|---:|---:|---:|");
    for r in rows {
        let n = u32::try_from(r.iterations).unwrap_or(u32::MAX);
        let cpu = r.cpu.unwrap_or(r.total);
        #[allow(clippy::cast_precision_loss)]
        let amount = (r.bytes_per_iter * r.iterations) as f64;
        let rate = |d: Duration| {
            let secs = d.as_secs_f64().max(1e-9);
            if r.unit == "MB/s" {
                format!("{:.0} MB/s", amount / secs / 1e6)
            } else {
                format!("{:.0} {}", amount / secs, r.unit)
            }
        };
        println!(
            "| {} | {} | {} | {} ({}) | {} ({}) |",
            r.op,
            r.iterations,
            fmt_dur(r.total),
            fmt_dur(cpu / n),
            fmt_dur(r.total / n),
            rate(cpu),
            rate(r.total)
        );
    }
}
