//! Workouts (§6): the index of an account's workouts, history pages and details.
//!
//! Every workout is one of the band history's days' [`DayWorkout`]s: its minutes are one
//! activity stage of that day's band data (same steps) and its heart rates are the band's
//! minute values, so both data sets agree. What the band does not know (distance of a ride,
//! pauses, pool lengths, the track) is drawn from a stream keyed by (seed, trackid), so the
//! summary and the detail, generated separately, agree too.
//!
//! | module | holds |
//! |---|---|
//! | `sport` | the mix: sport codes, when and how long, what the band records |
//! | `summary` | the history item (§6.1), from the field set of a real item |
//! | `detail` | the detail streams (§6.3) |
//! | `route` | GPS routes (loops and out-and-backs near home), geohash |

mod detail;
mod route;
pub(crate) mod sport;
mod summary;

use jiff::civil::Date;

use super::history::{Day, DayWorkout, History};
use crate::rng::Rng;
pub(crate) use detail::detail;
use sport::Sport;
pub(crate) use summary::summary_item;

/// Largest page of the history endpoint (rolandsz issue #16: "only exports 200 workouts").
pub(crate) const PAGE: usize = 200;

// Stream labels of the per-workout data (fixed forever).
const S_SHAPE: u64 = 0x5701;
const S_LENGTHS: u64 = 0x5702;
const S_DETAIL: u64 = 0x5707;

/// One workout of the index (small; the detail is regenerated from its day).
#[derive(Clone, Debug)]
pub(crate) struct Workout {
    pub trackid: i64,
    pub sport: Sport,
    pub date: Date,
    /// First band minute (wall clock).
    pub start: i32,
    /// Seconds from start to end (`end_time - trackid`), pauses included.
    pub elapsed: i64,
    pub steps: u32,
    /// Metres (0 when the sport measures none).
    pub dis: u32,
    pub cal: u32,
    pub avg_hr: u32,
    pub max_hr: u8,
    pub min_hr: u8,
    /// Seconds at or below (min, mid, max) heart rate: `heart_range` (§6.1).
    pub hr_zones: [i64; 3],
    pub zone: &'static str,
    /// Recorded in the Mi Band era (phone GPS, summary version 15).
    pub legacy: bool,
    /// Manual (2) and auto (3) pauses.
    pub pauses: Vec<Pause>,
    /// Per-workout stream seed.
    pub seed: u64,
    /// Pool length in metres (pool swims), else 0.
    pub pool: u32,
}

/// A pause: `at` seconds after the start, `len` seconds, `kind` 2 manual / 3 auto (§6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pause {
    pub at: i64,
    pub len: i64,
    pub kind: u8,
}

/// One pool length of a swim.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Length {
    /// Seconds after the start.
    pub at: i64,
    pub secs: i64,
    pub strokes: i64,
}

impl Workout {
    /// Seconds paused.
    pub fn paused(&self) -> i64 {
        self.pauses.iter().map(|p| p.len).sum()
    }

    /// Seconds moving (`run_time`).
    pub fn moving(&self) -> i64 {
        self.elapsed - self.paused()
    }

    pub fn end_time(&self) -> i64 {
        self.trackid + self.elapsed
    }

    /// The rng stream `label` of this workout.
    pub fn stream(&self, label: u64) -> Rng {
        Rng::stream(&[self.seed, self.trackid as u64, label])
    }

    /// The pool lengths of a pool swim (empty for every other sport): lengths of 25 or 50 m
    /// swum in sets with short rests, filling the moving time.
    pub fn lengths(&self) -> Vec<Length> {
        if self.pool == 0 {
            return Vec::new();
        }
        let mut r = self.stream(S_LENGTHS);
        let per = if self.pool == 50 { 62 } else { 30 } + r.range(0, 8);
        let mut out = Vec::new();
        let mut t = 0;
        let mut in_set = 0;
        loop {
            let secs = per + r.range(-3, 4);
            if t + secs > self.moving() {
                break;
            }
            let strokes = i64::from(self.pool) * 2 / 3 + r.range(-2, 3);
            out.push(Length {
                at: t,
                secs,
                strokes,
            });
            t += secs;
            in_set += 1;
            if in_set == 4 {
                in_set = 0;
                t += r.range(10, 40); // a rest at the wall between sets
            }
        }
        out
    }
}

/// The workout of a band day's [`DayWorkout`].
fn workout_of(day: &Day, dw: &DayWorkout, zone: &'static str, seed: u64) -> Workout {
    let a = dw.stage;
    let hrs: Vec<u8> = (a.start..=a.stop)
        .filter_map(|m| day.hr.get(m as usize).copied())
        .filter(|h| *h > 0 && *h < 254)
        .collect();
    let avg = if hrs.is_empty() {
        0
    } else {
        hrs.iter().map(|h| u32::from(*h)).sum::<u32>() / hrs.len() as u32
    };
    let (max_hr, min_hr) = (
        hrs.iter().copied().max().unwrap_or(0),
        hrs.iter().copied().min().unwrap_or(0),
    );
    let mid = (u16::from(max_hr) + u16::from(min_hr)) / 2;
    let mut hr_zones = [0i64; 3];
    for h in &hrs {
        let z = if *h <= min_hr {
            0
        } else if u16::from(*h) <= mid {
            1
        } else {
            2
        };
        hr_zones[z] += 60;
    }
    let elapsed = i64::from(a.stop - a.start + 1) * 60;
    let mut w = Workout {
        trackid: dw.start_ts,
        sport: dw.sport,
        date: day.date,
        start: a.start,
        elapsed,
        steps: a.step,
        dis: 0,
        cal: 0,
        avg_hr: avg,
        max_hr,
        min_hr,
        hr_zones,
        zone,
        legacy: day.legacy,
        pauses: Vec::new(),
        seed,
        pool: 0,
    };
    let mut r = w.stream(S_SHAPE);
    w.pauses = pauses(&mut r, dw.sport, elapsed);
    let moving = w.moving() as f64;
    w.pool = if dw.sport == Sport::PoolSwim {
        if r.chance(0.8) { 25 } else { 50 }
    } else {
        0
    };
    w.dis = match dw.sport {
        Sport::Run | Sport::Treadmill | Sport::Walk | Sport::Hike => a.dis,
        Sport::Ride => (moving * (6.0 + 2.0 * r.unit())).round() as u32,
        Sport::OpenWaterSwim => (moving * (0.55 + 0.2 * r.unit())).round() as u32,
        Sport::PoolSwim => w.lengths().len() as u32 * w.pool,
        Sport::IndoorCycling | Sport::Strength | Sport::Unknown => 0,
    };
    // Energy from heart rate above rest and time (Keytel-like, rounded).
    let rest = u32::from(day.rhr);
    w.cal = (avg.saturating_sub(rest).max(10) * (elapsed as u32 / 60) * 11 / 100).max(5);
    w
}

/// Pauses of a workout of `elapsed` seconds: runs and hikes now and then stop by hand
/// (type 2, a traffic light, a photo), rides stop automatically at crossings (type 3).
fn pauses(r: &mut Rng, sport: Sport, elapsed: i64) -> Vec<Pause> {
    let (n, kind, lo, hi) = match sport {
        Sport::Run | Sport::Hike if r.chance(0.35) => (1 + r.range(0, 1), 2, 30, 240),
        Sport::Ride if r.chance(0.7) => (1 + r.range(0, 3), 3, 10, 90),
        Sport::Treadmill if r.chance(0.2) => (1, 2, 20, 90),
        _ => return Vec::new(),
    };
    let mut out: Vec<Pause> = Vec::new();
    for i in 0..n {
        // Spread over the middle of the workout, never in its first or last 3 minutes.
        let slot = (elapsed - 360) / n;
        if slot < 120 {
            break;
        }
        let len = r.range(lo, hi).min(slot / 2);
        let at = 180 + i * slot + r.range(0, slot - len - 10);
        out.push(Pause { at, len, kind });
    }
    out
}

/// All workouts of an account, newest first.
pub(crate) fn index(history: &History, salt: u64) -> Vec<Workout> {
    let mut out = Vec::new();
    let mut d = history.today();
    loop {
        if let Some(day) = history.day(salt, d) {
            let zone = history.zone_name(d);
            for dw in day.workouts.iter().rev() {
                out.push(workout_of(&day, dw, zone, history.seed()));
            }
        }
        if d <= history.first() {
            break;
        }
        match d.yesterday() {
            Ok(y) => d = y,
            Err(_) => break,
        }
    }
    out
}

/// A user's edit of one workout in the app (`sport_title` and `updateTime` change).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Edit {
    pub title: String,
    /// `updateTime` (ms).
    pub update_ms: i64,
}

#[cfg(test)]
mod tests;
