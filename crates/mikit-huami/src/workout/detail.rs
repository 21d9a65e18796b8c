//! The workout detail (`/v1/sport/run/detail.json` `data`, reference `huami-cloud.md` §6.3),
//! decoded into typed streams.
//!
//! Every stream is a `;`-joined string with a trailing `;`, empty when absent. The point
//! streams (`time`, `longitude_latitude`, `altitude`, `accuracy`, `pace`) share one index: entry
//! *i* of each describes GPS point *i* (their entry counts agree in the real detail quoted in
//! §9 (b)). The other streams carry their own time deltas. Sources: H3LL `SportDetail` KDoc and
//! `IO.kt`, ROLANDSZ `base_exporter.py`, ZB `workout_detail.rs` (decoder).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::model::DecodeIssue;
use crate::summary::as_i64;

use super::rows::{
    PerformanceSample, Split, SwimLap, decode_laps, decode_performance, decode_splits,
};
use super::{entries, int, real};

/// `altitude` value meaning "no altitude" (since 2016-08; H3LL `SportDetail`, ROLANDSZ).
pub const ALTITUDE_INVALID: i64 = -2_000_000;

/// The detail keys this decoder reads; every other non-empty key is kept in
/// [`WorkoutDetail::other`].
const DECODED: [&str; 17] = [
    "trackid",
    "source",
    "version",
    "time",
    "longitude_latitude",
    "altitude",
    "accuracy",
    "pace",
    "heart_rate",
    "gait",
    "speed",
    "distance",
    "pause",
    "kilo_pace",
    "mile_pace",
    "lap",
    "daily_performance_info",
];

/// A decoded workout detail. Sentinel-free: a value that was not measured is `None` (or no
/// sample), never 0.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorkoutDetail {
    /// `trackid` (= the start, UTC epoch seconds); 0 when the detail lacks it.
    pub trackid: i64,
    /// `source`.
    pub source: Option<String>,
    /// `version` of the detail format.
    pub version: Option<i64>,
    /// One entry per index of the point streams, in wire order: a missing GPS fix (an empty
    /// `longitude_latitude` entry) stays as a point without a position, so the indexes of
    /// `altitude`, `accuracy` and `pace` keep their alignment.
    pub points: Vec<DetailPoint>,
    /// `heart_rate`.
    pub heart_rate: Vec<HrSample>,
    /// `gait`.
    pub gait: Vec<GaitSample>,
    /// `speed`.
    pub speed: Vec<SpeedSample>,
    /// `distance` (cumulative).
    pub distance: Vec<DistanceSample>,
    /// `pause`.
    pub pauses: Vec<WorkoutPause>,
    /// `kilo_pace`: per-kilometre splits.
    pub kilo_splits: Vec<Split>,
    /// `mile_pace`: per-mile splits (same row layout).
    pub mile_splits: Vec<Split>,
    /// `lap`: the laps of a swim.
    pub laps: Vec<SwimLap>,
    /// `daily_performance_info`.
    pub performance: Vec<PerformanceSample>,
    /// Every other non-empty field, raw (`flag`, `spo2`, `bearing`, `cadence`, `stroke_speed`,
    /// `power_meter`, `air_pressure_altitude`, `weather_info`, …): formats nobody has decoded.
    pub other: BTreeMap<String, Value>,
    /// Entries that could not be decoded (skipped; the rest of the stream is kept).
    pub issues: Vec<DecodeIssue>,
}

/// A position in degrees (WGS84).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LatLon {
    /// Degrees north.
    pub lat: f64,
    /// Degrees east.
    pub lon: f64,
}

/// One index of the point streams.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DetailPoint {
    /// UTC epoch seconds (`trackid` plus the `time` deltas up to this index).
    pub ts: i64,
    /// The GPS fix; `None` for an empty `longitude_latitude` entry (no fix).
    pub position: Option<LatLon>,
    /// Metres; `None` for −2000000 (invalid) or no entry. Not back-filled here: see
    /// [`WorkoutDetail::altitudes_backfilled`].
    pub altitude_m: Option<f64>,
    /// `accuracy`: horizontal accuracy of the fix, metres.
    pub accuracy_m: Option<f64>,
    /// `pace` entry, as sent. The reference calls it seconds per metre, but in the real detail
    /// of §9 (b) it reads 3.42 during a 5:17 min/km run, i.e. 1/(s/m) = m/s; not used for
    /// exports (the `speed` stream is).
    pub pace: Option<f64>,
}

/// One heart-rate sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HrSample {
    /// UTC epoch seconds.
    pub ts: i64,
    /// Beats per minute (1–255; a running value of 0 or less is "no contact" and no sample).
    pub bpm: u8,
}

/// One gait sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GaitSample {
    /// UTC epoch seconds.
    pub ts: i64,
    /// Steps since the start (the wire carries per-entry increments).
    pub steps: u32,
    /// Stride length, centimetres; `None` when sent as 0 (not yet measured).
    pub stride_cm: Option<u16>,
    /// Step cadence, steps per minute; `None` when sent as 0.
    pub cadence: Option<u16>,
}

/// One speed sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpeedSample {
    /// UTC epoch seconds.
    pub ts: i64,
    /// Metres per second (≥ 0).
    pub m_per_s: f64,
}

/// One distance sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DistanceSample {
    /// UTC epoch seconds.
    pub ts: i64,
    /// Metres since the start (the wire carries per-entry increments).
    pub meters: f64,
}

/// Why the timer stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PauseKind {
    /// Type 2: paused by the user.
    Manual,
    /// Type 3: auto-pause.
    Auto,
    /// Any other type, kept (the real swim detail of H3LL sends type 1).
    Other(i64),
}

/// One pause.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkoutPause {
    /// When the timer stopped, UTC epoch seconds.
    pub start: i64,
    /// When it resumed, UTC epoch seconds (`start` plus the wire's duration).
    pub end: i64,
    /// Index of the point stream where the pause starts (`-1` on the wire: `None`).
    pub start_index: Option<u32>,
    /// Index of the point stream where the pause ends.
    pub stop_index: Option<u32>,
    /// Manual or automatic.
    pub kind: PauseKind,
}

/// Decode a workout detail `data` object (reference §6.3 and its pseudo-code). Never fails:
/// a malformed entry is skipped and reported in [`WorkoutDetail::issues`], a missing stream is
/// empty.
pub fn decode_workout_detail(data: &Value) -> WorkoutDetail {
    let mut d = Decoder {
        data,
        issues: Vec::new(),
    };
    let trackid = data.get("trackid").and_then(as_i64).unwrap_or(0);
    let mut detail = WorkoutDetail {
        trackid,
        source: data
            .get("source")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        version: data.get("version").and_then(as_i64),
        points: d.points(trackid),
        heart_rate: d.heart_rate(trackid),
        gait: d.gait(trackid),
        speed: d.speed(trackid),
        distance: d.distance(trackid),
        pauses: d.pauses(),
        kilo_splits: decode_splits(d.field("kilo_pace"), "kilo_pace", &mut d.issues),
        mile_splits: decode_splits(d.field("mile_pace"), "mile_pace", &mut d.issues),
        laps: decode_laps(d.field("lap"), &mut d.issues),
        performance: decode_performance(d.field("daily_performance_info"), &mut d.issues),
        other: BTreeMap::new(),
        issues: Vec::new(),
    };
    if let Some(obj) = data.as_object() {
        detail.other = obj
            .iter()
            .filter(|(k, v)| {
                !DECODED.contains(&k.as_str())
                    && !matches!(v, Value::Null)
                    && v.as_str() != Some("")
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
    }
    detail.issues = d.issues;
    detail
}

impl WorkoutDetail {
    /// The points that have a GPS fix (the route).
    pub fn route(&self) -> impl Iterator<Item = (&DetailPoint, LatLon)> {
        self.points
            .iter()
            .filter_map(|p| p.position.map(|pos| (p, pos)))
    }

    /// Altitudes per point with the reference's rule for the leading invalid run applied:
    /// entries before the first valid altitude take that first valid value (§6.3 "back-fill
    /// leading invalids with the first valid"; ZB `workout_detail.rs` test
    /// `decodes_documented_gps_deltas`, vector HV2). The watch writes −2000000 until its
    /// altitude source has settled, which is a delay, not a different place; later invalid
    /// entries stay `None`.
    #[must_use]
    pub fn altitudes_backfilled(&self) -> Vec<Option<f64>> {
        let first = self.points.iter().find_map(|p| p.altitude_m);
        let mut seen = false;
        self.points
            .iter()
            .map(|p| {
                seen |= p.altitude_m.is_some();
                if seen { p.altitude_m } else { first }
            })
            .collect()
    }
}

struct Decoder<'a> {
    data: &'a Value,
    issues: Vec<DecodeIssue>,
}

impl<'a> Decoder<'a> {
    fn field(&self, key: &str) -> &'a str {
        self.data.get(key).and_then(Value::as_str).unwrap_or("")
    }

    fn bad(&mut self, field: &str, i: usize, problem: &str) {
        self.issues.push(DecodeIssue {
            field: format!("{field}[{i}]"),
            problem: problem.to_owned(),
        });
    }

    /// `time`, `longitude_latitude`, `altitude`, `accuracy`, `pace`: one point per index of the
    /// longer of `time` and `longitude_latitude`.
    fn points(&mut self, trackid: i64) -> Vec<DetailPoint> {
        let dts = entries(self.field("time"));
        let lls = entries(self.field("longitude_latitude"));
        let alts = entries(self.field("altitude"));
        let accs = entries(self.field("accuracy"));
        let paces = entries(self.field("pace"));
        let n = dts.len().max(lls.len());
        let mut points = Vec::with_capacity(n);
        let (mut t, mut lat, mut lon) = (trackid, 0_i64, 0_i64);
        for i in 0..n {
            // An entry beyond the `time` stream adds no time (the reference's pseudo-code).
            match dts.get(i).map(|d| d.trim()) {
                None | Some("") => {}
                Some(d) => match d.parse::<i64>() {
                    Ok(dt) => t = t.saturating_add(dt),
                    Err(_) => self.bad("time", i, "not an integer"),
                },
            }
            let position = match lls.get(i).map(|e| e.trim()) {
                None | Some("") => None, // no fix; the index is kept
                Some(e) => match e
                    .split_once(',')
                    .and_then(|(a, b)| Some((int(a)?, int(b)?)))
                {
                    Some((dlat, dlon)) => {
                        lat = lat.saturating_add(dlat);
                        lon = lon.saturating_add(dlon);
                        // ×1e8 degrees, latitude first despite the name (§6.3).
                        let pos = LatLon {
                            lat: lat as f64 / 1e8,
                            lon: lon as f64 / 1e8,
                        };
                        if pos.lat.abs() <= 90.0 && pos.lon.abs() <= 180.0 {
                            Some(pos)
                        } else {
                            self.bad("longitude_latitude", i, "position off the globe");
                            None
                        }
                    }
                    None => {
                        self.bad("longitude_latitude", i, "not two integers dlat,dlon");
                        None
                    }
                },
            };
            let altitude_m = match alts.get(i).map(|a| a.trim()) {
                None | Some("") => None,
                Some(a) => match int(a) {
                    Some(ALTITUDE_INVALID) => None,
                    Some(cm) => Some(cm as f64 / 100.0),
                    None => {
                        self.bad("altitude", i, "not an integer (cm)");
                        None
                    }
                },
            };
            let accuracy_m = self.optional_real("accuracy", &accs, i);
            let pace = self.optional_real("pace", &paces, i).filter(|&p| p > 0.0);
            points.push(DetailPoint {
                ts: t,
                position,
                altitude_m,
                accuracy_m,
                pace,
            });
        }
        for (name, len) in [
            ("altitude", alts.len()),
            ("accuracy", accs.len()),
            ("pace", paces.len()),
        ] {
            if len > n {
                self.issues.push(DecodeIssue {
                    field: name.to_owned(),
                    problem: format!("{len} entries for {n} points: the extra ones are ignored"),
                });
            }
        }
        points
    }

    /// A non-negative number at index `i` of a point stream; absent when empty or negative
    /// (−1 is the usual "none").
    fn optional_real(&mut self, field: &str, list: &[&str], i: usize) -> Option<f64> {
        match list.get(i).map(|e| e.trim()) {
            None | Some("") => None,
            Some(e) => match real(e) {
                Some(v) if v >= 0.0 => Some(v),
                Some(_) => None,
                None => {
                    self.bad(field, i, "not a number");
                    None
                }
            },
        }
    }

    /// `heart_rate`: `dt,dhr` both deltas, an empty `dt` means 1 (§6.3).
    fn heart_rate(&mut self, trackid: i64) -> Vec<HrSample> {
        let mut out = Vec::new();
        let (mut t, mut hr) = (trackid, 0_i64);
        for (i, e) in entries(self.field("heart_rate")).into_iter().enumerate() {
            let parsed = e.split_once(',').and_then(|(dt, dhr)| {
                let dt = if dt.trim().is_empty() {
                    Some(1)
                } else {
                    int(dt)
                };
                Some((dt?, int(dhr)?))
            });
            let Some((dt, dhr)) = parsed else {
                self.bad("heart_rate", i, "not integers dt,dhr");
                continue;
            };
            t = t.saturating_add(dt);
            hr = hr.saturating_add(dhr);
            match u8::try_from(hr) {
                Ok(0) => {} // no contact: no sample
                Ok(bpm) => out.push(HrSample { ts: t, bpm }),
                Err(_) if hr < 0 => {}
                Err(_) => self.bad("heart_rate", i, "above 255 bpm"),
            }
        }
        out
    }

    /// `gait`: `dt,dsteps,stride_cm,cadence` (steps cumulative, stride and cadence absolute).
    fn gait(&mut self, trackid: i64) -> Vec<GaitSample> {
        let mut out = Vec::new();
        let (mut t, mut steps) = (trackid, 0_i64);
        for (i, e) in entries(self.field("gait")).into_iter().enumerate() {
            let f: Vec<Option<i64>> = e.split(',').map(int).collect();
            let [Some(dt), Some(ds), Some(stride), Some(cadence), ..] = f[..] else {
                self.bad("gait", i, "not integers dt,steps,stride,cadence");
                continue;
            };
            t = t.saturating_add(dt);
            steps = steps.saturating_add(ds).max(0);
            out.push(GaitSample {
                ts: t,
                steps: u32::try_from(steps).unwrap_or(u32::MAX),
                stride_cm: u16::try_from(stride).ok().filter(|&s| s > 0),
                cadence: u16::try_from(cadence).ok().filter(|&c| c > 0),
            });
        }
        out
    }

    /// `speed`: `dt,m_per_s` (absolute values).
    fn speed(&mut self, trackid: i64) -> Vec<SpeedSample> {
        let mut out = Vec::new();
        let mut t = trackid;
        for (i, e) in entries(self.field("speed")).into_iter().enumerate() {
            match e
                .split_once(',')
                .and_then(|(dt, v)| Some((int(dt)?, real(v)?)))
            {
                Some((dt, v)) => {
                    t = t.saturating_add(dt);
                    if v >= 0.0 {
                        out.push(SpeedSample { ts: t, m_per_s: v });
                    }
                }
                None => self.bad("speed", i, "not dt,speed"),
            }
        }
        out
    }

    /// `distance`: `dt,dmeters` (cumulative).
    fn distance(&mut self, trackid: i64) -> Vec<DistanceSample> {
        let mut out = Vec::new();
        let (mut t, mut m) = (trackid, 0.0_f64);
        for (i, e) in entries(self.field("distance")).into_iter().enumerate() {
            match e
                .split_once(',')
                .and_then(|(dt, dm)| Some((int(dt)?, real(dm)?)))
            {
                Some((dt, dm)) => {
                    t = t.saturating_add(dt);
                    m = (m + dm).max(0.0);
                    out.push(DistanceSample { ts: t, meters: m });
                }
                None => self.bad("distance", i, "not dt,meters"),
            }
        }
        out
    }

    /// `pause`: `start_unix,duration,start_idx,stop_idx,type` (§6.3: 2 manual, 3 auto).
    fn pauses(&mut self) -> Vec<WorkoutPause> {
        let mut out = Vec::new();
        for (i, e) in entries(self.field("pause")).into_iter().enumerate() {
            let f: Vec<Option<i64>> = e.split(',').map(int).collect();
            let [Some(start), Some(duration), a, b, Some(kind), ..] = f[..] else {
                self.bad("pause", i, "not start,duration,start_idx,stop_idx,type");
                continue;
            };
            if duration < 0 || start <= 0 {
                self.bad("pause", i, "a negative duration or no start");
                continue;
            }
            let index = |v: Option<i64>| v.and_then(|v| u32::try_from(v).ok());
            out.push(WorkoutPause {
                start,
                end: start.saturating_add(duration),
                start_index: index(a),
                stop_index: index(b),
                kind: match kind {
                    2 => PauseKind::Manual,
                    3 => PauseKind::Auto,
                    k => PauseKind::Other(k),
                },
            });
        }
        out.sort_by_key(|p| p.start);
        out
    }
}
