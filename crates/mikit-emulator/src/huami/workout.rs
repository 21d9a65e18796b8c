//! Workouts (§6): history pages and GPS/heart-rate detail.
//!
//! Every run in the band history (an activity stage with mode 4) is also a workout, so the
//! two data sets agree: `trackid` = the stage's first minute as unix seconds, `dis`,
//! `total_step`, `calorie` and the heart rates are those of the band data.

use std::fmt::Write as _;

use jiff::civil::Date;
use serde_json::json;

use super::history::{Day, History};
use crate::rng::Rng;

/// Largest page of the history endpoint (rolandsz issue #16: "only exports 200 workouts").
pub(crate) const PAGE: usize = 200;

/// The `source` of generated workouts (a literal seen in captures, §6.1).
const SOURCE: &str = "run.mifit.huami.com";

/// One workout of the index (small; the detail is regenerated from the day).
#[derive(Clone, Debug)]
pub(crate) struct Workout {
    pub trackid: i64,
    pub date: Date,
    pub start: i32,
    pub stop: i32,
    pub dis: u32,
    pub cal: u32,
    pub steps: u32,
    pub avg_hr: u32,
    pub max_hr: u8,
    pub min_hr: u8,
    pub zone: &'static str,
}

fn workouts_of(day: &Day, zone: &'static str) -> impl Iterator<Item = Workout> {
    day.activity.iter().filter(|a| a.mode == 4).map(move |a| {
        let hrs: Vec<u8> = (a.start..=a.stop)
            .filter_map(|m| day.hr.get(m as usize).copied())
            .filter(|h| *h > 0 && *h < 254)
            .collect();
        let avg = if hrs.is_empty() {
            0
        } else {
            hrs.iter().map(|h| u32::from(*h)).sum::<u32>() / hrs.len() as u32
        };
        Workout {
            trackid: day.midnight + i64::from(a.start) * 60,
            date: day.date,
            start: a.start,
            stop: a.stop,
            dis: a.dis,
            cal: a.cal,
            steps: a.step,
            avg_hr: avg,
            max_hr: hrs.iter().copied().max().unwrap_or(0),
            min_hr: hrs.iter().copied().min().unwrap_or(0),
            zone,
        }
    })
}

/// All workouts of an account, newest first.
pub(crate) fn index(history: &History, salt: u64) -> Vec<Workout> {
    let mut out = Vec::new();
    let mut d = history.today();
    loop {
        if let Some(day) = history.day(salt, d) {
            let mut w: Vec<Workout> = workouts_of(&day, history.zone_name(d)).collect();
            w.reverse();
            out.extend(w);
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

/// The history item of one workout (field set and string/number types of §6.1 / §9 (a)).
pub(crate) fn summary_item(w: &Workout) -> serde_json::Value {
    let run_time = i64::from(w.stop - w.start + 1) * 60;
    let dis = f64::from(w.dis);
    let pace = if dis > 0.0 {
        run_time as f64 / dis
    } else {
        0.0
    };
    let cadence = w.steps as f64 * 60.0 / run_time as f64;
    let stride = if w.steps > 0 {
        (dis * 100.0 / f64::from(w.steps)).round() as i64
    } else {
        0
    };
    let mut head = json!({
        "trackid": w.trackid.to_string(),
        "source": SOURCE,
        "dis": format!("{dis:.1}"),
        "calorie": format!("{:.1}", f64::from(w.cal)),
        "end_time": (w.trackid + run_time).to_string(),
        "run_time": run_time.to_string(),
        "avg_pace": format!("{pace:.7}"),
        "avg_frequency": format!("{:.1}", cadence.round()),
        "avg_heart_rate": format!("{:.1}", f64::from(w.avg_hr)),
        "type": 1,
        "location": "",
        "city": "",
        "forefoot_ratio": "-1",
        "bind_device": "",
        "max_pace": (pace * 0.8 * 1e6).round() / 1e6,
        "min_pace": -1.0,
        "version": 15,
        "altitude_ascend": 12 + w.steps % 20,
        "altitude_descend": 11 + w.steps % 19,
        "total_step": w.steps,
        "avg_stride_length": stride,
        "max_frequency": cadence.round() as i64 + 12,
        "max_altitude": 46,
        "min_altitude": 27,
    });
    let rest = json!({
        "lap_distance": -1,
        "sync_to": "",
        "distance_ascend": w.dis / 20,
        "max_cadence": -1,
        "avg_cadence": -1,
        "landing_time": -1,
        "flight_ratio": -1,
        "child_list": "[]",
        "parent_trackid": 0,
        "max_heart_rate": w.max_hr,
        "min_heart_rate": w.min_hr,
        "swolf": 0,
        "total_strokes": 0,
        "total_trips": 0,
        "avg_stroke_speed": 0.0,
        "max_stroke_speed": 0.0,
        "avg_distance_per_stroke": 0.0,
        "swim_pool_length": 0,
        "te": 20 + (w.avg_hr % 30),
        "swim_style": 0,
        "unit": 0,
        "add_info": "",
        "sport_mode": 0,
        "pb": "",
        "anaerobic_te": -1,
        "target_type": -1,
        "target_value": "0",
        "auto_recognition": false,
        "app_name": "com.xiaomi.hm.health",
        "pause_time": "-1",
        "heartrate_setting_type": -1,
        "syncedTimezone": w.zone,
    });
    if let (Some(o), serde_json::Value::Object(r)) = (head.as_object_mut(), rest) {
        o.extend(r);
    }
    head
}

/// Keys of the detail object (§6.3), all strings except `version`.
const DETAIL_KEYS: [&str; 31] = [
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

/// The detail of workout `w`, its heart rate taken from the band day `day`.
///
/// Encodings of §6.3: `time` second deltas (first from `trackid`); `longitude_latitude`
/// `dlat,dlon` ×1e8 deltas, latitude first, first delta from 0; `altitude` absolute cm with
/// `-2000000` for invalid leading fixes; `heart_rate` `dt,dhr` deltas with an empty `dt`
/// meaning 1; `gait` `dt,dsteps,stride_cm,cadence`; `speed` `dt,m/s`; `distance`
/// `dt,dmeters`; `pace` s/m. Every list ends with `;`.
pub(crate) fn detail(w: &Workout, day: &Day, seed: u64) -> serde_json::Value {
    let mut r = Rng::stream(&[seed, w.trackid as u64, 0x5707]);
    let run_time = i64::from(w.stop - w.start + 1) * 60;
    let dis = f64::from(w.dis);
    let (lat0, lon0) = if w.zone == "America/New_York" {
        (40.7812, -73.9665)
    } else {
        (52.5145, 13.3501)
    };
    let radius = 400.0 + (r.next_u64() % 400) as f64;
    let mut s = Strings::default();
    let (mut t, mut prev_lat, mut prev_lon, mut prev_cum) = (0i64, 0i64, 0i64, 0i64);
    let mut first = true;
    while t <= run_time {
        let frac = t as f64 / run_time as f64;
        let travelled = dis * frac;
        let angle = travelled / radius;
        let lat = lat0 + radius * angle.sin() / 111_320.0;
        let lon = lon0 + radius * (1.0 - angle.cos()) / (111_320.0 * lat0.to_radians().cos());
        let (ilat, ilon) = ((lat * 1e8).round() as i64, (lon * 1e8).round() as i64);
        let dt = if first { 0 } else { t - s.last_t };
        let _ = write!(s.time, "{dt};");
        let _ = write!(s.ll, "{},{};", ilat - prev_lat, ilon - prev_lon);
        let alt = if s.points < 3 {
            -2_000_000
        } else {
            3_400 + (300.0 * (angle * 2.0).sin()) as i64
        };
        let _ = write!(s.altitude, "{alt};");
        let _ = write!(s.accuracy, "{};", 3 + r.next_u64() % 6);
        let cum = travelled.round() as i64;
        if !first {
            let v = (cum - prev_cum) as f64 / dt as f64;
            let _ = write!(s.distance, "{dt},{};", cum - prev_cum);
            let _ = write!(s.speed, "{dt},{v:.2};");
            let pace = if v > 0.0 { 1.0 / v } else { 0.0 };
            let _ = write!(s.pace, "{pace:.2};");
        }
        prev_lat = ilat;
        prev_lon = ilon;
        prev_cum = cum;
        s.last_t = t;
        s.points += 1;
        first = false;
        let step = if r.next_u64().is_multiple_of(4) { 3 } else { 2 };
        // The last fix lands exactly on the end, so the distances add up to `dis`.
        t = if t < run_time && t + step > run_time {
            run_time
        } else {
            t + step
        };
    }
    // Heart rate from the band's minute values, sampled at irregular 1–5 s steps.
    let (mut ht, mut prev_hr) = (0i64, 0i64);
    while ht < run_time {
        let minute = (i64::from(w.start) + ht / 60) as usize;
        let hr = match day.hr.get(minute) {
            Some(h) if *h > 0 && *h < 254 => i64::from(*h),
            _ => i64::from(w.avg_hr),
        };
        let dt = [1, 1, 2, 5][(r.next_u64() % 4) as usize];
        let dts = if dt == 1 {
            String::new()
        } else {
            dt.to_string()
        };
        let _ = write!(s.heart_rate, "{dts},{};", hr - prev_hr);
        prev_hr = hr;
        ht += dt;
    }
    // Gait every 10 s; steps follow the band's per-minute counts.
    let mut gt = 0i64;
    let mut steps_done = 0i64;
    let stride = if w.steps > 0 {
        (dis * 100.0 / f64::from(w.steps)).round() as i64
    } else {
        0
    };
    while gt + 10 <= run_time {
        gt += 10;
        let target = (f64::from(w.steps) * gt as f64 / run_time as f64).round() as i64;
        let cadence = (target - steps_done) * 6;
        let _ = write!(s.gait, "10,{},{stride},{cadence};", target - steps_done);
        steps_done = target;
    }
    let mut km = 1.0;
    while km * 1000.0 <= dis {
        let _ = write!(s.performance, "{km:.3},{};", -((km as i64) % 7));
        km += 1.0;
    }
    let mut obj = serde_json::Map::new();
    for k in DETAIL_KEYS {
        obj.insert(k.to_owned(), json!(""));
    }
    obj.insert("trackid".into(), json!(w.trackid.to_string()));
    obj.insert("source".into(), json!(SOURCE));
    obj.insert("longitude_latitude".into(), json!(s.ll));
    obj.insert("altitude".into(), json!(s.altitude));
    obj.insert("accuracy".into(), json!(s.accuracy));
    obj.insert("time".into(), json!(s.time));
    obj.insert("gait".into(), json!(s.gait));
    obj.insert("pace".into(), json!(s.pace));
    obj.insert("heart_rate".into(), json!(s.heart_rate));
    obj.insert("version".into(), json!(15));
    obj.insert("speed".into(), json!(s.speed));
    obj.insert("distance".into(), json!(s.distance));
    obj.insert("daily_performance_info".into(), json!(s.performance));
    serde_json::Value::Object(obj)
}

#[derive(Default)]
struct Strings {
    time: String,
    ll: String,
    altitude: String,
    accuracy: String,
    distance: String,
    speed: String,
    pace: String,
    heart_rate: String,
    gait: String,
    performance: String,
    last_t: i64,
    points: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SleepAnchor;

    #[test]
    fn detail_decodes_back_to_the_summary() {
        let h = History::new(
            3,
            jiff::civil::date(2026, 11, 10),
            200,
            1000,
            SleepAnchor::WakeDay,
        );
        let all = index(&h, 42);
        assert!(all.len() > 20);
        assert_eq!(DETAIL_KEYS.len(), 31);
        assert!(all.windows(2).all(|p| p[0].trackid > p[1].trackid));
        let w = &all[5];
        let day = h.day(42, w.date).unwrap();
        let d = detail(w, &day, 3);
        let sum_pairs = |k: &str, col: usize| -> i64 {
            d[k].as_str()
                .unwrap()
                .split(';')
                .filter(|p| !p.is_empty())
                .map(|p| p.split(',').nth(col).unwrap().parse::<i64>().unwrap_or(1))
                .sum()
        };
        assert_eq!(sum_pairs("distance", 1), i64::from(w.dis));
        assert_eq!(sum_pairs("gait", 1), i64::from(w.steps));
        let run_time = i64::from(w.stop - w.start + 1) * 60;
        let elapsed: i64 = d["time"]
            .as_str()
            .unwrap()
            .split(';')
            .filter(|p| !p.is_empty())
            .map(|p| p.parse::<i64>().unwrap())
            .sum();
        assert_eq!(elapsed, run_time);
        for k in DETAIL_KEYS {
            if k == "version" {
                assert_eq!(d[k], 15);
                continue;
            }
            let v = d[k].as_str().unwrap();
            assert!(
                v.is_empty() || v.ends_with(';') || k == "trackid" || k == "source",
                "{k}"
            );
        }
    }
}
