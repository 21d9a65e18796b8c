//! The detail of a workout (§6.3): every key present (empty string when absent), each
//! stream `;`-joined with a trailing `;`.
//!
//! Encodings (H3LL `SportDetail`, ROLANDSZ `base_exporter.py`, ZB `workout_detail.rs`):
//! `time` second deltas per point (the first from `trackid`); `longitude_latitude`
//! `dlat,dlon` ×1e8 deltas, latitude first, the first from 0, an empty entry for a missing
//! fix (alignment kept: every per-point stream has an entry at that index); `altitude`
//! absolute cm, `-2000000` invalid (the first fixes and missing ones); `accuracy` metres
//! (empty when missing); `heart_rate` `dt,dhr` deltas, an empty `dt` meaning 1; `gait`
//! `dt,dsteps,stride_cm,cadence`; `speed` `dt,m/s`; `pace` s/m; `distance` `dt,dmetres`;
//! `pause` `start_unix,length_s,last_idx_before,first_idx_after,type` (2 manual, 3 auto),
//! matching a gap in `time`; `kilo_pace` per km `index,split_s,geohash,-1,-1,cumulative_s`
//! (6 columns on older firmware, 14 or 15 on newer: ZeppBridge PR #53); `mile_pace` the same
//! per mile; `daily_performance_info` `km,score`.
//!
//! Swims: the reference names `lap` but documents no format; the emulator writes it in the
//! layout of a real pool-swim detail (see [`swim`]).

use std::f64::consts::TAU;
use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use super::route::{self, Route};
use super::sport::Sport;
use super::{S_DETAIL, Workout};
use crate::huami::Device;
use crate::huami::history::Day;
use crate::rng::Rng;

/// Keys of the detail object (§6.3), all strings except `version`.
pub(crate) const DETAIL_KEYS: [&str; 31] = [
    "trackid",
    "source",
    "longitude_latitude",
    "altitude",
    "accuracy",
    "time",
    "gait",
    "pace",
    "pause",
    "spo2",
    "flag",
    "kilo_pace",
    "mile_pace",
    "heart_rate",
    "version",
    "provider",
    "speed",
    "bearing",
    "distance",
    "lap",
    "air_pressure_altitude",
    "course",
    "correct_altitude",
    "stroke_speed",
    "cadence",
    "daily_performance_info",
    "rope_skipping_frequency",
    "weather_info",
    "coaching_segment",
    "golf_swing_rt_data",
    "power_meter",
];

/// `altitude` of an invalid fix (§6.3).
const ALT_INVALID: i64 = -2_000_000;

/// What was generated, for tests: GPS entries, of which missing, heart-rate samples.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Generated {
    pub entries: usize,
    pub missing: usize,
    pub heart_rate: usize,
}

/// The detail `data` of workout `w` (recorded with `device`), its heart rate and steps
/// taken from its band day `day`.
pub(crate) fn detail(w: &Workout, day: &Day, device: &Device) -> Value {
    build(w, day, device).0
}

/// The detail and what it holds.
pub(crate) fn build(w: &Workout, day: &Day, device: &Device) -> (Value, Generated) {
    let mut r = w.stream(S_DETAIL);
    let mut s = Streams::default();
    let mut g = Generated::default();
    let motion = Motion::new(w, &mut r);
    if w.sport.gps() {
        gps(w, &motion, &mut r, &mut s, &mut g);
    } else if w.dis > 0 && !w.sport.swim() {
        // Treadmill: speed and distance from the watch, no position.
        let times = sample_times(w, &[5], &mut r);
        let mut prev = (0i64, 0i64);
        for &t in &times[1..] {
            let cum = motion.metres(t).round() as i64;
            let dt = t - prev.0;
            let v = motion.speed(prev.0, t);
            let _ = write!(s.distance, "{dt},{};", cum - prev.1);
            let _ = write!(s.speed, "{dt},{v:.2};");
            let _ = write!(s.pace, "{:.2};", if v > 0.0 { 1.0 / v } else { 0.0 });
            prev = (t, cum);
        }
    }
    g.heart_rate = heart_rate(w, day, &mut r, &mut s.heart_rate);
    if w.sport.steps() {
        gait(w, day, &motion, &mut s.gait);
    }
    swim(w, &mut s);
    for p in &w.pauses {
        let (a, b) = s
            .pause_idx
            .iter()
            .find(|(at, _, _)| *at == p.at)
            .map_or((0, 0), |(_, a, b)| (*a, *b));
        let _ = write!(
            s.pause,
            "{},{},{a},{b},{};",
            w.trackid + p.at,
            p.len,
            p.kind
        );
    }
    let mut obj = Map::new();
    for k in DETAIL_KEYS {
        obj.insert(k.to_owned(), json!(""));
    }
    obj.insert("trackid".into(), json!(w.trackid.to_string()));
    obj.insert("source".into(), json!(super::summary::source(w, device)));
    obj.insert("version".into(), json!(if w.legacy { 15 } else { 16 }));
    for (k, v) in [
        ("longitude_latitude", s.ll),
        ("altitude", s.altitude),
        ("accuracy", s.accuracy),
        ("time", s.time),
        ("gait", s.gait),
        ("pace", s.pace),
        ("pause", s.pause),
        ("kilo_pace", s.kilo_pace),
        ("mile_pace", s.mile_pace),
        ("heart_rate", s.heart_rate),
        ("speed", s.speed),
        ("distance", s.distance),
        ("lap", s.lap),
        ("stroke_speed", s.stroke_speed),
        ("daily_performance_info", s.performance),
    ] {
        obj.insert(k.to_owned(), json!(v));
    }
    (Value::Object(obj), g)
}

#[derive(Default)]
struct Streams {
    time: String,
    ll: String,
    altitude: String,
    accuracy: String,
    distance: String,
    speed: String,
    pace: String,
    heart_rate: String,
    gait: String,
    pause: String,
    kilo_pace: String,
    mile_pace: String,
    lap: String,
    stroke_speed: String,
    performance: String,
    /// (pause offset, last index before, first index after).
    pause_idx: Vec<(i64, usize, usize)>,
}

/// Where the athlete is along the distance: speed varies smoothly around the average and
/// nothing moves during pauses; the distance at the end is exactly `w.dis`.
struct Motion<'a> {
    w: &'a Workout,
    waves: f64,
    amp: f64,
    phase: f64,
}

impl<'a> Motion<'a> {
    fn new(w: &'a Workout, r: &mut Rng) -> Self {
        Self {
            w,
            waves: r.range(2, 6) as f64,
            amp: 0.04 + 0.05 * r.unit(),
            phase: r.unit(),
        }
    }

    /// Seconds moved by elapsed second `t`.
    fn moved(&self, t: i64) -> i64 {
        let paused: i64 = self
            .w
            .pauses
            .iter()
            .map(|p| (t - p.at).clamp(0, p.len))
            .sum();
        t - paused
    }

    /// Metres covered by elapsed second `t`.
    fn metres(&self, t: i64) -> f64 {
        let total = self.w.moving().max(1) as f64;
        let x = (self.moved(t) as f64 / total).clamp(0.0, 1.0);
        // x + a·(sin(2πk(x+φ)) − sin(2πkφ))/(2πk): increasing (a < 1), 0 at 0, 1 at 1.
        let k = TAU * self.waves;
        let f = x + self.amp * ((k * (x + self.phase)).sin() - (k * self.phase).sin()) / k;
        f64::from(self.w.dis) * f
    }

    /// Average speed (m/s) between elapsed seconds `a` and `b`.
    fn speed(&self, a: i64, b: i64) -> f64 {
        let dt = self.moved(b) - self.moved(a);
        if dt <= 0 {
            return 0.0;
        }
        (self.metres(b) - self.metres(a)) / dt as f64
    }
}

/// The `lap` and `stroke_speed` streams of a pool swim. One `lap` row per set of lengths
/// swum without a rest, in the 21-column layout of the real pool-swim detail
/// `H3llK33p3r/zepp-fit-extractor:src/test/resources/json/swimming_1654683111_detail.json`:
/// column 0 index, 1 duration s, 2 distance m, 3 `s00000000000`, 4 `0`, 5 seconds from the
/// start to the set's end (rests included), 6 `-20000`, 7 strokes, 8 `0`, 9 seconds per metre,
/// 13 strokes again, 17 `-1`, 19 distance again. The other columns have no known meaning; they
/// get values of the same shape as the real ones (12 = 16 the mean strokes per length).
/// `stroke_speed` is `dt,strokes_per_second` (the real one reads 0.4–0.48 at ~27 per minute),
/// here one entry per length.
fn swim(w: &Workout, s: &mut Streams) {
    let lengths = w.lengths();
    let mut sets: Vec<&[super::Length]> = Vec::new();
    let mut start = 0;
    for i in 1..=lengths.len() {
        let rest = lengths
            .get(i)
            .is_none_or(|l| l.at > lengths[i - 1].at + lengths[i - 1].secs);
        if rest {
            sets.push(&lengths[start..i]);
            start = i;
        }
    }
    for (i, set) in sets.iter().enumerate() {
        let (Some(first), Some(last)) = (set.first(), set.last()) else {
            continue;
        };
        let secs: i64 = set.iter().map(|l| l.secs).sum();
        let strokes: i64 = set.iter().map(|l| l.strokes).sum();
        let dist = set.len() as i64 * i64::from(w.pool);
        let per_length = strokes / set.len() as i64;
        let _ = write!(
            s.lap,
            "{i},{secs},{dist},s00000000000,0,{end},-20000,{strokes},0,{s_per_m:.6},{:.2},0,{per_length},{strokes},0,{},{per_length},-1,0,{dist},0;",
            first.secs as f64 / 100.0,
            strokes / 2,
            end = last.at + last.secs,
            s_per_m = secs as f64 / dist.max(1) as f64,
        );
    }
    for l in &lengths {
        let _ = write!(
            s.stroke_speed,
            "{},{:.4};",
            l.secs,
            l.strokes as f64 / l.secs.max(1) as f64
        );
    }
}

/// Sample instants (elapsed seconds) from 0 to `w.elapsed`, steps drawn from `steps`, none
/// inside a pause (the first one after a pause is at its end), the last at the end.
fn sample_times(w: &Workout, steps: &[i64], r: &mut Rng) -> Vec<i64> {
    let mut out = vec![0];
    let mut t = 0;
    while t < w.elapsed {
        t += steps[(r.next_u64() % steps.len() as u64) as usize];
        if let Some(p) = w.pauses.iter().find(|p| t > p.at && t < p.at + p.len) {
            t = p.at + p.len;
        }
        out.push(t.min(w.elapsed));
    }
    out
}

/// Home (lat, lon) of the workout: a park near the person's home in Berlin, later New York;
/// open-water swims at a lake or beach nearby.
fn home(w: &Workout) -> (f64, f64) {
    match (
        w.zone == "America/New_York",
        w.sport == Sport::OpenWaterSwim,
    ) {
        (false, false) => (52.5145, 13.3501), // Tiergarten
        (false, true) => (52.4386, 13.6460),  // Müggelsee
        (true, false) => (40.7812, -73.9665), // Central Park
        (true, true) => (40.5735, -73.9800),  // Coney Island beach
    }
}

/// The GPS streams, `distance`/`speed`/`pace` per point, kilometre and mile splits.
fn gps(w: &Workout, m: &Motion<'_>, r: &mut Rng, s: &mut Streams, g: &mut Generated) {
    let steps: &[i64] = match w.sport {
        Sport::Run => &[1, 1, 2, 2, 3],
        Sport::Ride => &[1, 2, 3, 3],
        Sport::Hike => &[2, 3, 5],
        _ => &[3, 5, 5],
    };
    let times = sample_times(w, steps, r);
    let n = times.len();
    let looped = !matches!(w.sport, Sport::Hike) && (w.sport != Sport::Ride || r.chance(0.6));
    let route = Route::new(r, f64::from(w.dis), looped);
    let home = home(w);
    // Missing fixes: now and then a run of 3–10 points (a bridge, tall buildings).
    let mut missing = vec![false; n];
    if n > 60 {
        for _ in 0..r.range(0, 3) {
            let at = r.range(20, n as i64 - 20) as usize;
            let len = r.range(3, 10) as usize;
            missing[at..(at + len).min(n - 1)].fill(true);
        }
    }
    let lead = r.range(2, 6) as usize; // the first fixes have no valid altitude
    let (alt_base, alt_amp) = (
        3_400 + r.range(-400, 400),
        match w.sport {
            Sport::Hike => r.range(3_000, 15_000),
            Sport::OpenWaterSwim => 0,
            _ => r.range(200, 1_500),
        },
    );
    let alt_period = 1_500.0 + 3_000.0 * r.unit();
    let cols = if w.legacy {
        6
    } else if r.chance(0.5) {
        14
    } else {
        15
    };
    for p in &w.pauses {
        let before = times.iter().rposition(|t| *t <= p.at).unwrap_or(0);
        let after = times
            .iter()
            .position(|t| *t >= p.at + p.len)
            .unwrap_or(n - 1);
        s.pause_idx.push((p.at, before, after));
    }
    let (mut prev_lat, mut prev_lon, mut prev_cum, mut prev_t) = (0i64, 0i64, 0i64, 0i64);
    let mut v_prev = 0.0;
    let mut splits = [Split::new(1000.0, cols), Split::new(1609.344, 6)];
    for (i, &t) in times.iter().enumerate() {
        let dt = t - prev_t;
        let _ = write!(s.time, "{dt};");
        let along = m.metres(t);
        let (e, no) = route.at(along);
        let jitter = |r: &mut Rng| (r.unit() - 0.5) * 2.0;
        let (lat, lon) = route::to_degrees(home, e + jitter(r), no + jitter(r));
        if missing[i] {
            g.missing += 1;
            s.ll.push(';');
            let _ = write!(s.altitude, "{ALT_INVALID};");
            s.accuracy.push(';');
        } else {
            let (ilat, ilon) = ((lat * 1e8).round() as i64, (lon * 1e8).round() as i64);
            let _ = write!(s.ll, "{},{};", ilat - prev_lat, ilon - prev_lon);
            (prev_lat, prev_lon) = (ilat, ilon);
            let alt = if i < lead {
                ALT_INVALID
            } else {
                alt_base + (alt_amp as f64 * (TAU * along / alt_period).sin()) as i64
            };
            let _ = write!(s.altitude, "{alt};");
            let _ = write!(s.accuracy, "{};", 3 + r.next_u64() % 6);
        }
        g.entries += 1;
        let cum = along.round() as i64;
        if i > 0 {
            let v = match m.speed(prev_t, t) {
                v if v > 0.0 => v,
                _ => v_prev,
            };
            v_prev = v;
            let _ = write!(s.distance, "{dt},{};", cum - prev_cum);
            let _ = write!(s.speed, "{dt},{v:.2};");
            let _ = write!(s.pace, "{:.2};", if v > 0.0 { 1.0 / v } else { 0.0 });
        }
        for (k, split) in splits.iter_mut().enumerate() {
            let out = if k == 0 {
                &mut s.kilo_pace
            } else {
                &mut s.mile_pace
            };
            if let Some(km) = split.cross(along, m.moved(t), lat, lon, out)
                && k == 0
                && w.sport == Sport::Run
            {
                let _ = write!(s.performance, "{:.3},{};", along / 1000.0, -(km % 7));
            }
        }
        prev_cum = cum;
        prev_t = t;
    }
}

/// Split rows written each time the distance passes another `unit` metres.
struct Split {
    unit: f64,
    cols: usize,
    done: i64,
    last_moved: i64,
}

impl Split {
    fn new(unit: f64, cols: usize) -> Self {
        Self {
            unit,
            cols,
            done: 0,
            last_moved: 0,
        }
    }

    /// Write a row when `along` passed the next boundary; returns the split's number.
    fn cross(
        &mut self,
        along: f64,
        moved: i64,
        lat: f64,
        lon: f64,
        out: &mut String,
    ) -> Option<i64> {
        if along < (self.done + 1) as f64 * self.unit {
            return None;
        }
        let split = moved - self.last_moved;
        let _ = write!(
            out,
            "{},{split},{},-1,-1,{moved}",
            self.done,
            route::geohash(lat, lon, 7)
        );
        // Newer firmware appends more columns (ZeppBridge PR #53: 14 or 15 fields).
        for c in 6..self.cols {
            let _ = write!(out, ",{}", if c < 8 { -1 } else { 0 });
        }
        out.push(';');
        self.done += 1;
        self.last_moved = moved;
        Some(self.done)
    }
}

/// `heart_rate`: samples at irregular steps (1–5 s, sparser in water), none during pauses,
/// each the band's value of that minute within ±2 bpm. Returns the sample count.
fn heart_rate(w: &Workout, day: &Day, r: &mut Rng, out: &mut String) -> usize {
    let steps: [i64; 4] = if w.sport.swim() {
        [5, 5, 10, 10]
    } else {
        [1, 1, 2, 5]
    };
    let (mut t, mut prev_t, mut prev_hr, mut last) = (0i64, 0i64, 0i64, i64::from(w.avg_hr));
    let mut n = 0;
    loop {
        t += steps[(r.next_u64() % 4) as usize];
        if let Some(p) = w.pauses.iter().find(|p| t > p.at && t < p.at + p.len) {
            t = p.at + p.len;
        }
        if t >= w.elapsed {
            return n;
        }
        let minute = i64::from(w.start) + t / 60;
        if let Some(h) = day.hr.get(minute as usize).filter(|h| **h > 0 && **h < 254) {
            last = i64::from(*h);
        }
        if last == 0 {
            continue;
        }
        let hr = (last + r.range(-2, 2)).clamp(40, 220);
        let dt = t - prev_t;
        if dt == 1 {
            let _ = write!(out, ",{};", hr - prev_hr);
        } else {
            let _ = write!(out, "{dt},{};", hr - prev_hr);
        }
        (prev_t, prev_hr) = (t, hr);
        n += 1;
    }
}

/// `gait` every 10 s: steps follow the band's minute counts (their sum is the workout's
/// `total_step`), stride from the distance, cadence per minute.
fn gait(w: &Workout, day: &Day, m: &Motion<'_>, out: &mut String) {
    let n = day.byte_length();
    let minute_steps = |i: i64| -> f64 {
        let idx = (i64::from(w.start) + i) as usize * n + 2;
        day.data.get(idx).map_or(0.0, |s| f64::from(*s))
    };
    // Steps by elapsed second `t`: whole minutes plus a share of the current one.
    let steps_by = |t: i64| -> i64 {
        let whole: f64 = (0..t / 60).map(minute_steps).sum();
        (whole + minute_steps(t / 60) * (t % 60) as f64 / 60.0).round() as i64
    };
    let (mut prev_steps, mut prev_m) = (0i64, 0.0);
    let mut t = 0;
    while t + 10 <= w.elapsed {
        t += 10;
        let steps = steps_by(t);
        let metres = m.metres(t);
        let ds = steps - prev_steps;
        let stride = if ds > 0 {
            ((metres - prev_m) * 100.0 / ds as f64).round() as i64
        } else {
            0
        };
        let _ = write!(out, "10,{ds},{stride},{};", ds * 6);
        (prev_steps, prev_m) = (steps, metres);
    }
}
