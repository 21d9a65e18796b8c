//! Laps and pool lengths.
//!
//! - A swim's `lap` rows are its laps (sets between rests), placed by their end offsets.
//! - Otherwise the kilometre splits (`kilo_pace`; the mile splits when only those exist) are
//!   the laps. Their times are moving times, so each boundary is placed on the clock by adding
//!   the pauses that precede it; the last split is partial when the rows already cover the
//!   summary distance, else a last lap runs from the last split to the end.
//! - Otherwise there are no laps: the writers use one lap spanning the workout.
//!
//! Pool lengths: the detail has no per-length stream, so each swim lap is divided into
//! `round(distance / pool length)` lengths of equal duration, its strokes shared between them.
//! That is the resolution the watch recorded, spread evenly, not invented lengths: their count,
//! total time and total strokes are the lap's.

use mikit_activity::{Lap, LapTrigger, Length};
use mikit_huami::workout::{Split, SwimLap, WorkoutDetail, WorkoutPause, WorkoutSummary};

/// One mile, metres.
const MILE_M: f64 = 1609.344;

/// The laps and pool lengths of one workout; `end` is the workout's end (UTC epoch seconds).
pub(crate) fn build(s: &WorkoutSummary, d: &WorkoutDetail, end: i64) -> (Vec<Lap>, Vec<Length>) {
    let mut laps = if !d.laps.is_empty() {
        swim_laps(s, &d.laps)
    } else if !d.kilo_splits.is_empty() {
        split_laps(s, d, &d.kilo_splits, 1000.0, end)
    } else if !d.mile_splits.is_empty() {
        split_laps(s, d, &d.mile_splits, MILE_M, end)
    } else {
        Vec::new()
    };
    for lap in &mut laps {
        heart_rate(lap, d);
    }
    let lengths = match s.swim.pool_length_m {
        Some(pool) if !d.laps.is_empty() => lengths(&laps, pool),
        _ => Vec::new(),
    };
    (laps, lengths)
}

fn swim_laps(s: &WorkoutSummary, rows: &[SwimLap]) -> Vec<Lap> {
    let mut cursor = s.trackid;
    rows.iter()
        .map(|r| {
            let start = match r.end_offset_s {
                Some(end) => s.trackid.saturating_add(secs(end - r.duration_s)),
                None => cursor,
            };
            cursor = start.saturating_add(secs(r.duration_s));
            Lap {
                start,
                duration_s: r.duration_s,
                moving_s: Some(r.duration_s),
                distance_m: r.distance_m,
                strokes: r.strokes,
                lengths: match (r.distance_m, s.swim.pool_length_m) {
                    (Some(d), Some(p)) => length_count(d, p),
                    _ => None,
                },
                trigger: LapTrigger::Manual,
                ..Lap::default()
            }
        })
        .collect()
}

fn split_laps(
    s: &WorkoutSummary,
    d: &WorkoutDetail,
    rows: &[Split],
    unit_m: f64,
    end: i64,
) -> Vec<Lap> {
    let clock = |moving: f64| on_clock(s.trackid, moving, &d.pauses);
    let total = s.distance_m;
    let n = rows.len() as f64;
    // The rows cover the whole distance: the last one is a partial split.
    let last_partial = total.is_some_and(|t| t <= n * unit_m);
    let mut laps = Vec::with_capacity(rows.len() + 1);
    let mut moving = 0.0_f64;
    for (k, row) in rows.iter().enumerate() {
        let begin = moving;
        moving = row
            .cumulative_s
            .filter(|&c| c >= begin)
            .unwrap_or(begin + row.seconds);
        let (from, to) = (clock(begin), clock(moving));
        let is_last = k + 1 == rows.len();
        let distance = match total {
            Some(t) if is_last && last_partial => Some((t - k as f64 * unit_m).max(0.0)),
            _ => Some(unit_m),
        };
        laps.push(Lap {
            start: from,
            duration_s: to.saturating_sub(from).max(0) as f64,
            moving_s: Some(moving - begin),
            distance_m: distance,
            trigger: if is_last && last_partial {
                LapTrigger::SessionEnd
            } else {
                LapTrigger::Distance
            },
            ..Lap::default()
        });
    }
    // The rest of the workout after the last full split.
    let from = clock(moving);
    if !last_partial && end > from {
        laps.push(Lap {
            start: from,
            duration_s: (end - from) as f64,
            moving_s: s.run_time_s.map(|r| (r - moving).max(0.0)),
            distance_m: total.map(|t| (t - n * unit_m).max(0.0)),
            trigger: LapTrigger::SessionEnd,
            ..Lap::default()
        });
    }
    laps
}

/// The clock time at which `moving` seconds of moving time had passed since `start`: every
/// pause that began before that instant pushes it later by its length.
fn on_clock(start: i64, moving: f64, pauses: &[WorkoutPause]) -> i64 {
    let mut t = start.saturating_add(secs(moving));
    for p in pauses {
        if p.start < t && p.start >= start {
            t = t.saturating_add(p.end - p.start);
        } else if p.start >= t {
            break;
        }
    }
    t
}

/// Average and maximum heart rate of the samples inside the lap.
fn heart_rate(lap: &mut Lap, d: &WorkoutDetail) {
    let end = lap.start.saturating_add(secs(lap.duration_s));
    let (mut sum, mut n, mut max) = (0_u64, 0_u64, 0_u8);
    for h in d
        .heart_rate
        .iter()
        .filter(|h| h.ts >= lap.start && h.ts < end)
    {
        sum += u64::from(h.bpm);
        n += 1;
        max = max.max(h.bpm);
    }
    // The rounded mean of u8 values fits in u8; no samples, no value.
    if let Some(avg) = (sum + n / 2).checked_div(n) {
        lap.avg_hr = u8::try_from(avg).ok();
        lap.max_hr = Some(max);
    }
}

fn length_count(distance: f64, pool: f64) -> Option<u16> {
    let n = (distance / pool).round();
    (n >= 1.0 && n <= f64::from(u16::MAX)).then_some(n as u16) // exact: whole and in range
}

fn lengths(laps: &[Lap], pool: f64) -> Vec<Length> {
    let mut out = Vec::new();
    for lap in laps {
        let Some(n) = lap.distance_m.and_then(|d| length_count(d, pool)) else {
            continue;
        };
        let each = lap.duration_s / f64::from(n);
        let strokes = lap.strokes.map(|s| (s / u32::from(n), s % u32::from(n)));
        for i in 0..n {
            out.push(Length {
                start: lap.start.saturating_add(secs(each * f64::from(i))),
                duration_s: each,
                strokes: strokes.and_then(|(base, extra)| {
                    u16::try_from(base + u32::from(u32::from(i) < extra)).ok()
                }),
                active: true,
            });
        }
    }
    out
}

/// Whole seconds of a duration (saturating; NaN counts as 0).
fn secs(s: f64) -> i64 {
    s.round() as i64
}
