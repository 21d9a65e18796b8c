//! Writing a 2-hour ride with 7200 points (one per second, every stream present) to each
//! format.
//!
//! Run: `cargo bench -p mikit-activity --bench formats`. Prints a markdown table.

use std::hint::black_box;
use std::time::{Duration, Instant};

use mikit_activity::{
    Activity, Error, Lap, LapTrigger, Point, Position, Sport, to_fit, to_gpx, to_tcx,
};

const START: i64 = 1_709_274_600;
const POINTS: i64 = 7200;

fn ride() -> Activity {
    let mut a = Activity::new(START, Sport(9));
    let mut dist = 0.0;
    for i in 0..POINTS {
        let x = i as f64;
        let speed = 7.5 + (x / 300.0).sin() * 1.5;
        dist += speed;
        a.points.push(Point {
            time: Some(START + i),
            position: Some(Position {
                lat: 48.137_154 + x * 2.0e-5,
                lon: 11.576_124 + (x / 50.0).sin() * 1.0e-3,
            }),
            altitude_m: Some(520.0 + (x / 120.0).sin() * 30.0),
            heart_rate: Some(120 + (i % 40) as u8),
            cadence: Some(85 + (i % 10) as u16),
            distance_m: Some(dist),
            speed_mps: Some(speed),
            power_w: Some(180 + (i % 50) as u16),
        });
    }
    for k in 0..6 {
        a.laps.push(Lap {
            start: START + k * 1200,
            duration_s: 1200.0,
            trigger: LapTrigger::Time,
            ..Lap::default()
        });
    }
    a.totals.duration_s = Some(POINTS as f64);
    a.totals.distance_m = Some(dist);
    a
}

/// One writer, returning the size of what it wrote.
type Write<'a> = Box<dyn Fn() -> Result<usize, Error> + 'a>;

/// Runs `f` for about two seconds; returns (iterations, total time, output size).
fn measure(f: impl Fn() -> Result<usize, Error>) -> (u32, Duration, usize) {
    let size = f().expect("the bench ride is valid");
    let t0 = Instant::now();
    let mut n = 0;
    while t0.elapsed() < Duration::from_secs(2) {
        black_box(f().expect("valid"));
        n += 1;
    }
    (n, t0.elapsed(), size)
}

#[allow(clippy::print_stdout)] // a bench binary prints its table
fn main() {
    let a = ride();
    let rows: [(&str, Write<'_>); 3] = [
        (
            "GPX 1.1 + TrackPointExtension",
            Box::new(|| to_gpx(black_box(&a)).map(|s| s.len())),
        ),
        (
            "TCX v2",
            Box::new(|| to_tcx(black_box(&a)).map(|s| s.len())),
        ),
        ("FIT", Box::new(|| to_fit(black_box(&a)).map(|b| b.len()))),
    ];
    println!(
        "| format (2-hour ride, {POINTS} points) | iterations | per file | points/s | file size |"
    );
    println!("|---|---:|---:|---:|---:|");
    for (name, f) in &rows {
        let (n, total, size) = measure(f);
        let per = total / n;
        let rate = f64::from(n) * POINTS as f64 / total.as_secs_f64();
        println!(
            "| {name} | {n} | {:.2} ms | {:.2} M | {} KiB |",
            per.as_secs_f64() * 1e3,
            rate / 1e6,
            size / 1024
        );
    }
}
