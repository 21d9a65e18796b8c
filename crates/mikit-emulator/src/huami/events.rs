//! Health events (§7), derived from the same generated days as band data: daily stress
//! (`all_day_stress`), SpO2 (`blood_oxygen`: `click` spot readings by day, `osa_event`
//! desaturations and the `odi` nightly summary), PAI (`PaiHealthInfo`, a rolling 7-day sum),
//! HRV (`HRVRMSSD/real_data`), readiness with skin temperature (`readiness/watch_score`) and
//! respiratory rate (`RespiratoryRate/real_data`, UTC-midnight anchored). Newer-band days
//! only for the night-time sensors (the legacy Mi Band has no SpO2/HRV).
//!
//! Quirks of the reference kept on purpose: an unknown type or subType answers
//! `{"items":[]}` (never an error); without `subType` every subType of the type is returned;
//! the nightly `odi` summary is served only by `events/dateString` (GREG).

use jiff::civil::Date;
use serde_json::{Value, json};

use super::history::{Day, History, epoch_day};

/// Event types the emulator generates: (eventType, subType).
pub(crate) const TYPES: [(&str, &str); 8] = [
    ("all_day_stress", "all_day_stress"),
    ("readiness", "watch_score"),
    ("blood_oxygen", "click"),
    ("blood_oxygen", "osa_event"),
    ("blood_oxygen", "odi"),
    ("PaiHealthInfo", ""),
    ("HRVRMSSD", "real_data"),
    ("RespiratoryRate", "real_data"),
];

/// The age the PAI zones assume (max HR = 220 − age).
const PAI_AGE: i64 = 38;

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

/// A SpO2 spot reading at 10:00 local of a worn newer-band day (`click`, §7.1: `extra` is a
/// JSON string with `spo2`, `spo2History`, `isAuto`, `timestamp`).
fn spo2_click(uid: &str, day: &Day) -> Option<Value> {
    if day.legacy {
        return None;
    }
    let h = *day.hr.get(600)?;
    if h == 0 || h >= 254 {
        return None;
    }
    let e = epoch_day(day.date);
    let ts = (day.midnight + 600 * 60) * 1000;
    let spo2 = 95 + e.rem_euclid(5);
    let extra = json!({"spo2": spo2, "spo2History": [spo2 - 1, spo2, spo2], "isAuto": false, "timestamp": ts});
    Some(json!({
        "userId": uid, "eventType": "blood_oxygen", "subType": "click", "timestamp": ts,
        "extra": extra.to_string(),
    }))
}

/// A desaturation during every fourth night (`osa_event`: `extra.spo2_decrease`, `spo2[]`,
/// `hr[]`).
fn spo2_osa(uid: &str, day: &Day) -> Option<Value> {
    let sleep = day.sleep.as_ref().filter(|_| !day.legacy)?;
    let e = epoch_day(day.date);
    if e.rem_euclid(4) != 0 {
        return None;
    }
    let ts = (sleep.st + (sleep.ed - sleep.st) / 3) * 1000;
    let r = i64::from(sleep.rhr);
    let extra = json!({"spo2_decrease": 4 + e.rem_euclid(4), "spo2": [96, 94, 91, 93, 96],
        "hr": [r + 2, r + 6, r + 9, r + 4, r + 1]});
    Some(json!({
        "userId": uid, "eventType": "blood_oxygen", "subType": "osa_event", "timestamp": ts,
        "extra": extra.to_string(),
    }))
}

/// The nightly SpO2 summary (`odi`: `odi`, `odiNum`, `valid`, `score`, `dispCode`) filed
/// at the wake-up time, with the night's `dateString`.
fn spo2_odi(uid: &str, day: &Day) -> Option<Value> {
    let sleep = day.sleep.as_ref().filter(|_| !day.legacy)?;
    let e = epoch_day(day.date);
    let odi = (e.rem_euclid(30) as f64) / 10.0;
    let hours = (sleep.ed - sleep.st) as f64 / 3600.0;
    Some(json!({
        "userId": uid, "eventType": "blood_oxygen", "subType": "odi",
        "timestamp": sleep.ed * 1000, "dateString": day.date.to_string(),
        "odi": odi, "odiNum": (odi * hours).round() as i64, "valid": 1,
        "score": (100.0 - odi * 5.0).round() as i64, "dispCode": 0,
    }))
}

/// Minutes in the low / medium / high PAI zones and the day's PAI points.
fn pai_day(day: &Day) -> ([i64; 3], [f64; 3], [i64; 3]) {
    let rhr = i64::from(day.rhr);
    let max = 220 - PAI_AGE;
    let limits = [50, 70, 85].map(|p| rhr + (max - rhr) * p / 100);
    let mut minutes = [0i64; 3];
    for &h in &day.hr {
        let h = i64::from(h);
        if h == 0 || h >= 254 {
            continue;
        }
        if let Some(z) = (0..3).rev().find(|z| h >= limits[*z]) {
            minutes[z] += 1;
        }
    }
    let rate = [0.02, 0.1, 0.25];
    let pai = [0, 1, 2].map(|z| ((minutes[z] as f64) * rate[z] * 100.0).round() / 100.0);
    (minutes, pai, limits)
}

fn pai_item(uid: &str, day: &Day, window: &[f64]) -> Value {
    let (minutes, pai, limits) = pai_day(day);
    let daily: f64 = pai.iter().sum();
    let total: f64 = window.iter().sum::<f64>() + daily;
    json!({
        "userId": uid, "eventType": "PaiHealthInfo", "timestamp": day.midnight * 1000,
        "dailyPai": (daily * 100.0).round() / 100.0, "totalPai": (total * 100.0).round() / 100.0,
        "restHr": day.rhr, "maxHr": day.max_hr.map_or(0, |(h, _)| h),
        "lowZoneMinutes": minutes[0], "mediumZoneMinutes": minutes[1], "highZoneMinutes": minutes[2],
        "lowZonePai": pai[0], "mediumZonePai": pai[1], "highZonePai": pai[2],
        "lowZoneLowerLimit": limits[0], "mediumZoneLowerLimit": limits[1], "highZoneLowerLimit": limits[2],
        "age": PAI_AGE, "gender": 1, "activityScores": [], "nextActivityScores": [],
    })
}

/// HRV RMSSD every 5 minutes of a newer-band night (ZHRS fixture shape: `value.startTime`
/// ms, `samples[].s` ms offsets).
fn hrv_item(uid: &str, day: &Day) -> Option<Value> {
    let sleep = day.sleep.as_ref().filter(|_| !day.legacy)?;
    let e = epoch_day(day.date);
    let n = (sleep.ed - sleep.st) / 300;
    let samples: Vec<Value> = (0..n)
        .map(|k| json!({"s": k * 300_000, "hrv": 35 + (e * 7 + k * 13).rem_euclid(30)}))
        .collect();
    Some(json!({
        "userId": uid, "eventType": "HRVRMSSD", "subType": "real_data",
        "timestamp": sleep.st * 1000,
        "value": {"startTime": sleep.st * 1000, "samples": samples},
    }))
}

/// Breaths per minute during a newer-band night: `value.measurements` = base64 of 1440
/// bytes from the **UTC** midnight of the night's start (0 = none), §7.2/§7.3.
fn respiratory_item(uid: &str, day: &Day) -> Option<Value> {
    use base64::Engine as _;
    let sleep = day.sleep.as_ref().filter(|_| !day.legacy)?;
    let anchor = sleep.st.div_euclid(86_400) * 86_400;
    let e = epoch_day(day.date);
    let mut bytes = vec![0u8; 1440];
    for m in (sleep.st - anchor) / 60..((sleep.ed - anchor) / 60).min(1440) {
        if let Some(b) = bytes.get_mut(m as usize) {
            *b = 13 + (e + m / 30).rem_euclid(5) as u8;
        }
    }
    Some(json!({
        "userId": uid, "eventType": "RespiratoryRate", "subType": "real_data",
        "timestamp": anchor * 1000,
        "value": {
            "measurements": base64::engine::general_purpose::STANDARD.encode(&bytes),
            "timeZone": [{"period": [0, 1439], "offset": day.tz}],
        },
    }))
}

/// What a request asks for.
pub(crate) struct Query<'a> {
    pub event_type: &'a str,
    /// `None`: every subType of the type.
    pub sub_type: Option<&'a str>,
    /// Range of item timestamps, epoch ms, inclusive.
    pub from: i64,
    pub to: i64,
    pub limit: usize,
    pub reverse: bool,
    /// Asked through `events/dateString` (the only way to the `odi` summary).
    pub by_date: bool,
}

/// Events of one type for `[from, to]` (ms, inclusive), ascending (descending if
/// `reverse`), at most `limit`.
pub(crate) fn query(
    history: &History,
    salt: u64,
    uid: &str,
    sn: &str,
    q: &Query<'_>,
) -> Vec<Value> {
    let subs: Vec<&str> = TYPES
        .iter()
        .filter(|(t, st)| {
            *t == q.event_type && q.sub_type.is_none_or(|s| s == *st) && (q.by_date || *st != "odi")
        })
        .map(|(_, st)| *st)
        .collect();
    if subs.is_empty() || q.from > q.to || q.limit == 0 {
        return Vec::new();
    }
    let day_of = |ms: i64| -> Option<Date> {
        jiff::Timestamp::from_second(ms.div_euclid(1000))
            .ok()
            .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
    };
    // Local days overlapping [from, to]: one day of margin either side of the UTC dates.
    let lo = day_of(q.from)
        .and_then(|d| d.yesterday().ok())
        .map_or(history.first(), |d| d.max(history.first()));
    let hi = day_of(q.to)
        .and_then(|d| d.tomorrow().ok())
        .map_or(history.today(), |d| d.min(history.today()));
    let pai = q.event_type == "PaiHealthInfo";
    // PAI sums the six days before: start generating that much earlier.
    let mut d = if pai {
        lo.checked_sub(jiff::Span::new().days(6))
            .unwrap_or(lo)
            .max(history.first())
    } else {
        lo
    };
    // Types only the newer band records: legacy days are skipped without generating them.
    let newer_only = !matches!(q.event_type, "all_day_stress" | "PaiHealthInfo");
    let mut window: std::collections::VecDeque<f64> = std::collections::VecDeque::new();
    let mut out = Vec::new();
    // Oldest first: once `limit` items are in, two more days cover any item of a later day
    // that sorts before them (a night's items start the evening before); then stop.
    let mut extra_days = None::<u8>;
    while d <= hi {
        if !q.reverse {
            match &mut extra_days {
                Some(0) => break,
                Some(n) => *n -= 1,
                None if out.len() >= q.limit => extra_days = Some(1),
                None => {}
            }
        }
        let day = if newer_only && history.is_legacy(d) {
            None
        } else {
            history.day(salt, d)
        };
        if let Some(day) = day {
            let mut items = Vec::new();
            if pai {
                let w: Vec<f64> = window.iter().copied().collect();
                if d >= lo {
                    items.push(pai_item(uid, &day, &w));
                }
                window.push_back(pai_day(&day).1.iter().sum());
                if window.len() > 6 {
                    window.pop_front();
                }
            }
            for st in &subs {
                let item = match (q.event_type, *st) {
                    ("all_day_stress", _) => stress_item(uid, sn, &day),
                    ("readiness", _) => readiness_item(uid, &day),
                    ("blood_oxygen", "click") => spo2_click(uid, &day),
                    ("blood_oxygen", "osa_event") => spo2_osa(uid, &day),
                    ("blood_oxygen", "odi") => spo2_odi(uid, &day),
                    ("HRVRMSSD", _) => hrv_item(uid, &day),
                    ("RespiratoryRate", _) => respiratory_item(uid, &day),
                    _ => None,
                };
                items.extend(item);
            }
            for item in items {
                let ts = item["timestamp"].as_i64().unwrap_or(i64::MIN);
                if (q.from..=q.to).contains(&ts) {
                    out.push(item);
                }
            }
        } else if pai {
            window.push_back(0.0);
            if window.len() > 6 {
                window.pop_front();
            }
        }
        match d.tomorrow() {
            Ok(n) => d = n,
            Err(_) => break,
        }
    }
    out.sort_by_key(|i| i["timestamp"].as_i64().unwrap_or(i64::MIN));
    if q.reverse {
        out.reverse();
    }
    out.truncate(q.limit);
    out
}
