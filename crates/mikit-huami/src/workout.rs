//! Workouts, sans-IO: the history page (`/v1/sport/run/history.json`, reference
//! `huami-cloud.md` §6.1, §13.3) and the `;`-joined delta strings of the detail
//! (`/v1/sport/run/detail.json`, §6.3).

use serde_json::Value;

use crate::model::{
    DecodeIssue, GaitSample, HrSample, SpeedSample, TrackPoint, WorkoutPause, WorkoutTrack,
};
use crate::summary::as_i64;

/// `altitude` value meaning "invalid" (since 2016-08; H3LL `SportDetail`, ROLANDSZ).
const ALTITUDE_INVALID: i64 = -2_000_000;

/// One page of the workout history.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryPage {
    /// The workout summaries of this page (raw; numbers often arrive as strings, §6.1).
    pub summaries: Vec<Value>,
    /// The `trackid` to ask for the next (older) page; `None` when `data.next == -1`.
    pub next: Option<i64>,
}

/// Parse the `data` of a history answer: `{"next": <trackid|-1>, "summary": [...]}`.
pub fn parse_history(data: &Value) -> Result<HistoryPage, String> {
    let summaries = match data.get("summary") {
        Some(Value::Array(a)) => a.clone(),
        None | Some(Value::Null) => Vec::new(),
        Some(_) => return Err("\"summary\" is not a list".into()),
    };
    let next = data.get("next").and_then(as_i64).filter(|&n| n > 0);
    Ok(HistoryPage { summaries, next })
}

/// The `;`-separated entries of a detail field, without the trailing empty one.
fn entries(s: &str) -> Vec<&str> {
    let mut v: Vec<&str> = s.split(';').collect();
    if v.last() == Some(&"") {
        v.pop();
    }
    v
}

fn field<'a>(data: &'a Value, key: &str) -> &'a str {
    data.get(key).and_then(Value::as_str).unwrap_or("")
}

fn int(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

/// Decode a workout detail `data` object (reference §6.3 and its pseudo-code; H3LL
/// `SportDetail` KDoc, ROLANDSZ `base_exporter.py`, ZB `workout_detail.rs`).
///
/// - `time`: per-point second deltas, the first relative to `trackid`;
/// - `longitude_latitude`: `dlat,dlon` ×1e8 deltas — **latitude first** despite the name;
///   an empty entry is a missing point that keeps the alignment;
/// - `altitude`: absolute cm per entry, −2000000 invalid (leading invalids back-filled);
/// - `heart_rate`: `dt,dhr` both deltas, an empty `dt` means 1;
/// - `speed`: `dt,m/s`; `gait`: `dt,dsteps,stride_cm,cadence`;
/// - `pause`: `start_unix,end_delta,start_idx,stop_idx,type`.
pub fn decode_workout_detail(data: &Value) -> WorkoutTrack {
    let mut issues = Vec::new();
    let mut bad = |f: &str, i: usize, what: &str| {
        issues.push(DecodeIssue {
            field: format!("{f}[{i}]"),
            problem: what.to_owned(),
        });
    };
    let trackid = data.get("trackid").and_then(as_i64).unwrap_or(0);

    // Altitudes: absolute, back-fill leading invalids with the first valid value.
    let alts: Vec<Option<i64>> = entries(field(data, "altitude"))
        .into_iter()
        .map(|a| int(a).filter(|&v| v != ALTITUDE_INVALID))
        .collect();
    let first_valid = alts.iter().flatten().next().copied();
    let mut seen_valid = false;
    let alts: Vec<Option<f64>> = alts
        .into_iter()
        .map(|a| {
            seen_valid |= a.is_some();
            let v = if seen_valid { a } else { first_valid };
            v.map(|cm| cm as f64 / 100.0)
        })
        .collect();

    let dts = entries(field(data, "time"));
    let mut points = Vec::new();
    let (mut t, mut lat, mut lon) = (trackid, 0_i64, 0_i64);
    for (i, ll) in entries(field(data, "longitude_latitude"))
        .into_iter()
        .enumerate()
    {
        t = t.saturating_add(dts.get(i).and_then(|d| int(d)).unwrap_or(0));
        if ll.is_empty() {
            continue; // a missing point; alignment kept by the index
        }
        let Some((dlat, dlon)) = ll
            .split_once(',')
            .and_then(|(a, b)| Some((int(a)?, int(b)?)))
        else {
            bad("longitude_latitude", i, "not two integers");
            continue;
        };
        lat = lat.saturating_add(dlat);
        lon = lon.saturating_add(dlon);
        points.push(TrackPoint {
            ts: t,
            lat: lat as f64 / 1e8,
            lon: lon as f64 / 1e8,
            altitude_m: alts.get(i).copied().flatten(),
        });
    }

    let mut heart_rate = Vec::new();
    let (mut t, mut hr) = (trackid, 0_i64);
    for (i, e) in entries(field(data, "heart_rate")).into_iter().enumerate() {
        let Some((dt, dhr)) = e.split_once(',') else {
            bad("heart_rate", i, "not dt,dhr");
            continue;
        };
        let dt = if dt.trim().is_empty() {
            Some(1)
        } else {
            int(dt)
        };
        let (Some(dt), Some(dhr)) = (dt, int(dhr)) else {
            bad("heart_rate", i, "not integers");
            continue;
        };
        t = t.saturating_add(dt);
        hr = hr.saturating_add(dhr);
        if let Ok(bpm) = u16::try_from(hr) {
            heart_rate.push(HrSample { ts: t, bpm });
        }
    }

    let mut speed = Vec::new();
    let mut t = trackid;
    for (i, e) in entries(field(data, "speed")).into_iter().enumerate() {
        match e
            .split_once(',')
            .and_then(|(a, b)| Some((int(a)?, b.trim().parse::<f64>().ok()?)))
        {
            Some((dt, v)) if v.is_finite() => {
                t = t.saturating_add(dt);
                speed.push(SpeedSample { ts: t, m_per_s: v });
            }
            _ => bad("speed", i, "not dt,speed"),
        }
    }

    let mut gait = Vec::new();
    let (mut t, mut steps) = (trackid, 0_i64);
    for (i, e) in entries(field(data, "gait")).into_iter().enumerate() {
        let f: Vec<Option<i64>> = e.split(',').map(int).collect();
        match f.as_slice() {
            [Some(dt), Some(ds), Some(stride), Some(cadence), ..] => {
                t = t.saturating_add(*dt);
                steps = steps.saturating_add(*ds);
                gait.push(GaitSample {
                    ts: t,
                    steps,
                    stride_cm: *stride,
                    cadence: *cadence,
                });
            }
            _ => bad("gait", i, "not dt,steps,stride,cadence"),
        }
    }

    let mut pauses = Vec::new();
    for (i, e) in entries(field(data, "pause")).into_iter().enumerate() {
        let f: Vec<Option<i64>> = e.split(',').map(int).collect();
        match f.as_slice() {
            [Some(start), Some(delta), _, _, Some(kind), ..] => pauses.push(WorkoutPause {
                start: *start,
                end: start.saturating_add(*delta),
                kind: *kind,
            }),
            _ => bad("pause", i, "not start,delta,start_idx,stop_idx,type"),
        }
    }

    WorkoutTrack {
        trackid,
        points,
        heart_rate,
        speed,
        gait,
        pauses,
        issues,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// HV2 — ZB `src-tauri/src/decoder/workout_detail.rs` test `decodes_documented_gps_deltas`.
    #[test]
    fn hv2_documented_gps_deltas() {
        let d = json!({"trackid":1700000000,"source":"run.gps","time":"0;2;2;",
            "longitude_latitude":"4004663552,11629333504;16403,8392;;;;14877,8392;",
            "altitude":"-2000000;7800;7772;","heart_rate":"11,80;0,10;7,-6;","speed":"2,1.20;4,2.45;",
            "gait":"2,0,71,160;2,2,74,164;","pause":"1700000060,10,1,2,2;"});
        let w = decode_workout_detail(&d);
        assert!(w.issues.is_empty(), "{:?}", w.issues);
        assert_eq!(w.points.len(), 3);
        let p = w.points[0];
        assert_eq!(
            (p.ts, p.lat, p.lon),
            (1_700_000_000, 40.046_635_52, 116.293_335_04)
        );
        assert_eq!(p.altitude_m, Some(78.0), "leading -2000000 back-filled");
        assert_eq!(w.points[1].ts, 1_700_000_002);
        assert_eq!(w.points[1].altitude_m, Some(78.0));
        assert!((w.points[1].lat - 40.046_799_55).abs() < 1e-9);
        let bpm: Vec<u16> = w.heart_rate.iter().map(|h| h.bpm).collect();
        assert_eq!(bpm, [80, 90, 84]);
        assert_eq!(w.heart_rate[2].ts, 1_700_000_018);
        assert_eq!(
            w.pauses,
            [WorkoutPause {
                start: 1_700_000_060,
                end: 1_700_000_070,
                kind: 2
            }]
        );
        assert_eq!(w.gait[0].stride_cm, 71);
        assert_eq!(w.gait[1].steps, 2);
        assert_eq!(w.speed[1].ts, 1_700_000_006);
    }

    #[test]
    fn empty_dt_means_one_and_garbage_is_an_issue() {
        // Reference §6.3 example `11,80;0,10;7,-6;4,1;,-1;`.
        let w = decode_workout_detail(
            &json!({"trackid": "100", "heart_rate": "11,80;0,10;7,-6;4,1;,-1;x;"}),
        );
        let last = w.heart_rate.last().unwrap();
        assert_eq!((last.ts, last.bpm), (100 + 11 + 7 + 4 + 1, 84));
        assert_eq!(w.issues.len(), 1);
        assert!(decode_workout_detail(&json!(null)).points.is_empty());
    }

    #[test]
    fn history_page() {
        // Reference §9 (i): {"next": -1, "summary": [...]}.
        let p =
            parse_history(&json!({"next": -1, "summary": [{"trackid": "1150994263"}]})).unwrap();
        assert_eq!((p.summaries.len(), p.next), (1, None));
        let p = parse_history(&json!({"next": "1698569116", "summary": []})).unwrap();
        assert_eq!(p.next, Some(1_698_569_116));
        assert!(parse_history(&json!({"summary": 3})).is_err());
    }
}
