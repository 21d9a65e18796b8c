//! Health events (§7): daily stress (`all_day_stress`, v1 shape) and readiness scores
//! (`readiness/watch_score`, v2 shape), derived from the same generated days as band data.

use jiff::civil::Date;
use serde_json::{Value, json};

use super::history::{Day, History, epoch_day};

/// Event types the emulator generates: (eventType, subType).
pub(crate) const TYPES: [(&str, &str); 2] = [
    ("all_day_stress", "all_day_stress"),
    ("readiness", "watch_score"),
];

/// Stress samples every 5 minutes of worn, awake time: (ms, value 1..=100).
fn stress_samples(day: &Day) -> Vec<(i64, u32)> {
    let rhr = i64::from(day.rhr);
    (0..day.hr.len())
        .step_by(5)
        .filter_map(|i| {
            let h = i64::from(*day.hr.get(i)?);
            // Skip sleep minutes (the record's kind byte: 112/121/122 legacy, 120 newer).
            let kind = day.data.get(i * day.byte_length()).copied();
            if h == 0 || h >= 254 || matches!(kind, Some(112 | 120 | 121 | 122)) {
                return None;
            }
            let v = (20 + (h - rhr) * 2 + (i as i64 * 7919 % 13) - 6).clamp(1, 100);
            Some(((day.midnight + 60 * i as i64) * 1000, v as u32))
        })
        .collect()
}

/// The `all_day_stress` item of a day (EVAN `docs/api-reference.md`): numbers as strings,
/// `data` a JSON *string*, `timestamp` the local midnight in ms.
fn stress_item(uid: &str, sn: &str, day: &Day) -> Option<Value> {
    let samples = stress_samples(day);
    if samples.is_empty() {
        return None;
    }
    let n = samples.len() as u32;
    let vals = || samples.iter().map(|(_, v)| *v);
    let share = |lo: u32, hi: u32| {
        (vals().filter(|v| (lo..=hi).contains(v)).count() as u32 * 100 / n).to_string()
    };
    let data: Vec<Value> = samples
        .iter()
        .map(|(t, v)| json!({"time": t, "value": v}))
        .collect();
    Some(json!({
        "userId": uid,
        "eventType": "all_day_stress",
        "subType": "all_day_stress",
        "timestamp": day.midnight * 1000,
        "deviceType": "0",
        "deviceSn": sn,
        "avgStress": (vals().sum::<u32>() / n).to_string(),
        "maxStress": vals().max().unwrap_or(0).to_string(),
        "minStress": vals().min().unwrap_or(0).to_string(),
        "relaxProportion": share(1, 25),
        "normalProportion": share(26, 50),
        "mediumProportion": share(51, 75),
        "highProportion": share(76, 100),
        "data": Value::Array(data).to_string(),
    }))
}

/// The `readiness/watch_score` item of a newer-band day with a night (ZHRS fixture shape;
/// `value.timestamp` = local midnight of the scored day, §7.3).
fn readiness_item(uid: &str, day: &Day) -> Option<Value> {
    if day.legacy {
        return None;
    }
    let sleep = day.sleep.as_ref()?;
    let e = epoch_day(day.date);
    let hrv = 40 + e % 17;
    let rhr_score = (100 - (i64::from(sleep.rhr) - 50) * 3).clamp(1, 100);
    let hrv_score = (hrv * 3 / 2).clamp(1, 100);
    let score = (rhr_score + hrv_score) / 2;
    Some(json!({
        "userId": uid,
        "eventType": "readiness",
        "subType": "watch_score",
        "timestamp": sleep.ed * 1000,
        "value": {
            "sleepHRV": hrv,
            "hrvScore": hrv_score,
            "sleepRHR": sleep.rhr,
            "skinTempCalibrated": (e % 7) - 3,
            "skinTempScore": 90 + (e % 9),
            "skinTempBaseLine": -3,
            "rhrScore": rhr_score,
            "rdnsScore": score,
            "phyScore": score,
            "mentScore": score,
            "status": 1,
            "algVer": "1.0.0",
            "timestamp": day.midnight * 1000,
            "deviceSource": 10_289_411,
        },
    }))
}

/// Events of one type for `[from, to]` (ms, inclusive), ascending (descending if
/// `reverse`), at most `limit`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn query(
    history: &History,
    salt: u64,
    uid: &str,
    sn: &str,
    event_type: &str,
    sub_type: Option<&str>,
    from: i64,
    to: i64,
    limit: usize,
    reverse: bool,
) -> Vec<Value> {
    let Some((et, st)) = TYPES.iter().find(|(t, _)| *t == event_type) else {
        return Vec::new();
    };
    if sub_type.is_some_and(|s| s != *st) || from > to || limit == 0 {
        return Vec::new();
    }
    let day_of = |ms: i64| -> Option<Date> {
        jiff::Timestamp::from_second(ms.div_euclid(1000))
            .ok()
            .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
    };
    // Local days overlapping [from, to]: one day of margin either side of the UTC dates.
    let lo = day_of(from)
        .and_then(|d| d.yesterday().ok())
        .map_or(history.first(), |d| d.max(history.first()));
    let hi = day_of(to)
        .and_then(|d| d.tomorrow().ok())
        .map_or(history.today(), |d| d.min(history.today()));
    let mut out = Vec::new();
    let mut d = lo;
    while d <= hi {
        if let Some(day) = history.day(salt, d) {
            let item = match *et {
                "all_day_stress" => stress_item(uid, sn, &day),
                _ => readiness_item(uid, &day),
            };
            if let Some(item) = item {
                let ts = item["timestamp"].as_i64().unwrap_or(i64::MIN);
                if (from..=to).contains(&ts) {
                    out.push(item);
                }
            }
        }
        match d.tomorrow() {
            Ok(n) => d = n,
            Err(_) => break,
        }
    }
    if reverse {
        out.reverse();
    }
    out.truncate(limit);
    out
}
