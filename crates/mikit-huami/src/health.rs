//! Health events, sans-IO: the items of `GET /users/{uid}/events` (v1),
//! `GET /users/{uid}/events/dateString` and `GET /v2/users/me/events` (v2), reference
//! `huami-cloud.md` §4 E1–E3, §7, §9 (g).
//!
//! Every item decodes into a [`HealthEvent`]: the common header (`eventType`, `subType`,
//! `timestamp` in ms), a typed [`EventData`] for the types below, and the raw item (keep it:
//! a later decoder may read more of it). Sentinels become `None` (or a dropped sample,
//! counted), never a number that looks measured.
//!
//! | stream | request | item | source |
//! |---|---|---|---|
//! | all-day stress | v1 `all_day_stress` | flat, numbers as strings, `data` = JSON *string* of `[{time,value}]` (~5 min) | EVAN `docs/api-reference.md` (§7.1) |
//! | SpO2 spot readings and apnea events | v1 `blood_oxygen`, **no** `subType` (returns every subType) | `click`: `extra` JSON string `{spo2, spo2History, isAuto, timestamp}`; `osa_event`: `extra {spo2_decrease, spo2[], hr[]}` | WEDDLE, BAIT `client.py`, GREG (§7.1) |
//! | SpO2 nightly summary (ODI) | v1 `events/dateString`, `blood_oxygen` / `odi` | `odi, odiNum, valid, score, dispCode` | GREG `USER_EVENT_PRESETS` (§4 E3) |
//! | PAI | v1 `PaiHealthInfo` | flat `dailyPai, totalPai, restHr, maxHr, *ZoneMinutes, *ZonePai, *ZoneLowerLimit, …` | WEDDLE, BAIT (§7.1) |
//! | HRV | v2 `HRVRMSSD` / `real_data` | `value {startTime, samples[{s, u, hrv}]}` | ZHRS fixture (§7.2, §9 g) |
//! | readiness, skin temperature | v2 `readiness` / `watch_score` | `value {sleepHRV, hrvScore, sleepRHR, skinTemp*, rdnsScore, …, timestamp}`; 255 = none | ZHRS fixture, JSOLAN (§7.2) |
//! | respiratory rate | v2 `RespiratoryRate` / `real_data` | `value.measurements` base64, 1 byte per minute from **UTC** midnight, 0 = none | JSOLAN, ZHRS (§7.2, §7.3) |

use std::borrow::Cow;

use base64::Engine as _;
use serde_json::{Map, Value};

use crate::summary::as_i64;

/// Which endpoint a stream is read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventEndpoint {
    /// `GET /users/{uid}/events` with `from`/`to` in ms and `timeZone` (E1).
    V1,
    /// `GET /users/{uid}/events/dateString` with ISO `from`/`to` and `timeZone` (E3).
    V1DateString,
    /// `GET /v2/users/me/events` with `from`/`to` in ms (E2).
    V2,
}

/// The health event streams mikit reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventStream {
    /// All-day stress (one item per day).
    Stress,
    /// SpO2 spot readings (`click`) and apnea events (`osa_event`): v1 without `subType`.
    Spo2,
    /// The nightly SpO2 summary (`odi`), served only by `events/dateString`.
    Spo2Nightly,
    /// PAI (`PaiHealthInfo`).
    Pai,
    /// HRV RMSSD samples (`HRVRMSSD/real_data`).
    Hrv,
    /// Readiness with skin temperature (`readiness/watch_score`).
    Readiness,
    /// Respiratory rate per minute (`RespiratoryRate/real_data`).
    RespiratoryRate,
}

impl EventStream {
    /// Every stream, in sync order.
    pub const ALL: [EventStream; 7] = [
        Self::Stress,
        Self::Spo2,
        Self::Spo2Nightly,
        Self::Pai,
        Self::Hrv,
        Self::Readiness,
        Self::RespiratoryRate,
    ];

    /// A stable short name (for the store and the command line).
    pub fn name(self) -> &'static str {
        match self {
            Self::Stress => "stress",
            Self::Spo2 => "spo2",
            Self::Spo2Nightly => "spo2_nightly",
            Self::Pai => "pai",
            Self::Hrv => "hrv",
            Self::Readiness => "readiness",
            Self::RespiratoryRate => "respiratory_rate",
        }
    }

    /// The `eventType` query value.
    pub fn event_type(self) -> &'static str {
        match self {
            Self::Stress => "all_day_stress",
            Self::Spo2 | Self::Spo2Nightly => "blood_oxygen",
            Self::Pai => "PaiHealthInfo",
            Self::Hrv => "HRVRMSSD",
            Self::Readiness => "readiness",
            Self::RespiratoryRate => "RespiratoryRate",
        }
    }

    /// The `subType` query value; `None` = not sent (the v1 endpoint returns every subType
    /// of `blood_oxygen` only without one).
    pub fn sub_type(self) -> Option<&'static str> {
        match self {
            Self::Stress => Some("all_day_stress"),
            Self::Spo2 | Self::Pai => None,
            Self::Spo2Nightly => Some("odi"),
            Self::Hrv | Self::RespiratoryRate => Some("real_data"),
            Self::Readiness => Some("watch_score"),
        }
    }

    /// The endpoint the stream is read from.
    pub fn endpoint(self) -> EventEndpoint {
        match self {
            Self::Stress | Self::Spo2 | Self::Pai => EventEndpoint::V1,
            Self::Spo2Nightly => EventEndpoint::V1DateString,
            Self::Hrv | Self::Readiness | Self::RespiratoryRate => EventEndpoint::V2,
        }
    }

    /// The stream of a [`EventStream::name`].
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// One decoded event item.
#[derive(Clone, Debug, PartialEq)]
pub struct HealthEvent {
    /// `eventType`.
    pub event_type: String,
    /// `subType`, if any.
    pub sub_type: Option<String>,
    /// `timestamp`, epoch ms (§7.3: event timestamps are ms).
    pub timestamp_ms: i64,
    /// The typed content.
    pub data: EventData,
    /// The item as received.
    pub raw: Value,
}

/// The typed content of an event.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum EventData {
    /// `all_day_stress`.
    Stress(StressDay),
    /// `blood_oxygen/click`.
    Spo2Spot(Spo2Spot),
    /// `blood_oxygen/osa_event`.
    Spo2Apnea(Spo2Apnea),
    /// `blood_oxygen/odi`.
    Spo2Nightly(Spo2Nightly),
    /// `PaiHealthInfo`.
    Pai(PaiDay),
    /// `HRVRMSSD/real_data`.
    Hrv(HrvSeries),
    /// `readiness/watch_score`.
    Readiness(Readiness),
    /// `RespiratoryRate/real_data`.
    RespiratoryRate(RespiratorySeries),
    /// Another type (kept raw only).
    Other,
}

/// A day of all-day stress.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StressDay {
    /// `avgStress`, `maxStress`, `minStress` (1–100).
    pub avg: Option<u8>,
    /// `maxStress`.
    pub max: Option<u8>,
    /// `minStress`.
    pub min: Option<u8>,
    /// Shares of the day in the zones relaxed 1–25, normal 26–50, medium 51–75, high 76–100
    /// (`relaxProportion`, `normalProportion`, `mediumProportion`, `highProportion`, percent).
    pub proportions: [Option<u8>; 4],
    /// The curve: (epoch ms, stress 1–100).
    pub samples: Vec<(i64, u8)>,
    /// Samples dropped as invalid (outside 1–100 or without a time).
    pub dropped: usize,
}

/// A SpO2 spot reading (`click`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Spo2Spot {
    /// `extra.spo2`, percent; `None` for 0 / out of range.
    pub spo2: Option<u8>,
    /// `extra.spo2History` (valid values only).
    pub history: Vec<u8>,
    /// `extra.isAuto`.
    pub is_auto: Option<bool>,
    /// `extra.timestamp` (ms), if present.
    pub measured_ms: Option<i64>,
}

/// A SpO2 desaturation (apnea) event (`osa_event`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Spo2Apnea {
    /// `extra.spo2_decrease` (percentage points).
    pub spo2_decrease: Option<f64>,
    /// `extra.spo2` (valid values only).
    pub spo2: Vec<u8>,
    /// `extra.hr` (valid values only).
    pub hr: Vec<u8>,
}

/// The nightly SpO2 summary (`odi`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Spo2Nightly {
    /// `dateString` of the night, if present.
    pub date: Option<String>,
    /// `odi`: oxygen desaturation index (events per hour).
    pub odi: Option<f64>,
    /// `odiNum`: desaturation events.
    pub odi_num: Option<i64>,
    /// `valid`.
    pub valid: Option<bool>,
    /// `score`.
    pub score: Option<i64>,
    /// `dispCode`.
    pub disp_code: Option<i64>,
}

/// A day of PAI.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PaiDay {
    /// `dailyPai`.
    pub daily: Option<f64>,
    /// `totalPai` (the 7-day score).
    pub total: Option<f64>,
    /// `restHr`.
    pub rest_hr: Option<u8>,
    /// `maxHr`.
    pub max_hr: Option<u8>,
    /// `lowZoneMinutes`, `mediumZoneMinutes`, `highZoneMinutes`.
    pub zone_minutes: [Option<i64>; 3],
    /// `lowZonePai`, `mediumZonePai`, `highZonePai`.
    pub zone_pai: [Option<f64>; 3],
    /// `lowZoneLowerLimit`, `mediumZoneLowerLimit`, `highZoneLowerLimit` (bpm).
    pub zone_lower_limit: [Option<i64>; 3],
}

/// HRV RMSSD samples of a night.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HrvSeries {
    /// `value.startTime`, ms.
    pub start_ms: Option<i64>,
    /// (epoch ms = `startTime + s`, RMSSD ms).
    pub samples: Vec<(i64, u16)>,
    /// Samples dropped (0, 255, missing fields).
    pub dropped: usize,
}

/// A readiness score with its parts (255 = none, reference §7.2).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Readiness {
    /// `value.timestamp`: local midnight of the scored day, ms (not the item timestamp, §7.3).
    pub day_ms: Option<i64>,
    /// `rdnsScore`.
    pub readiness: Option<i64>,
    /// `sleepHRV`.
    pub sleep_hrv: Option<i64>,
    /// `hrvScore`.
    pub hrv_score: Option<i64>,
    /// `sleepRHR`.
    pub sleep_rhr: Option<i64>,
    /// `rhrScore`.
    pub rhr_score: Option<i64>,
    /// `phyScore`.
    pub physical_score: Option<i64>,
    /// `mentScore`.
    pub mental_score: Option<i64>,
    /// `skinTempCalibrated` (deviation from the baseline; unit not documented).
    pub skin_temp: Option<i64>,
    /// `skinTempScore`.
    pub skin_temp_score: Option<i64>,
    /// `skinTempBaseLine`.
    pub skin_temp_baseline: Option<i64>,
}

/// Respiratory rate per minute.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RespiratorySeries {
    /// (epoch ms, breaths per minute); minute 0 = the item's UTC midnight (§7.3).
    pub samples: Vec<(i64, u8)>,
    /// True when `measurements` was not valid base64.
    pub bad_encoding: bool,
}

/// A JSON value as a float: numbers and numeric strings.
pub(crate) fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|f| f.is_finite())
}

fn int(m: &Map<String, Value>, k: &str) -> Option<i64> {
    m.get(k).and_then(as_i64)
}

/// An integer score with the 255 sentinel (and negative values) as `None`.
fn score(m: &Map<String, Value>, k: &str) -> Option<i64> {
    int(m, k).filter(|v| (0..255).contains(v))
}

fn float(m: &Map<String, Value>, k: &str) -> Option<f64> {
    m.get(k).and_then(as_f64).filter(|f| *f >= 0.0)
}

fn in_range(v: Option<i64>, lo: i64, hi: i64) -> Option<u8> {
    v.filter(|v| (lo..=hi).contains(v))
        .and_then(|v| u8::try_from(v).ok())
}

fn boolish(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        other => as_i64(other).map(|n| n != 0),
    }
}

/// A field that is a JSON object or a JSON string holding one (borrowed when it is an
/// object: long event lists are not copied).
fn object_or_string(v: Option<&Value>) -> Cow<'_, Map<String, Value>> {
    match v {
        Some(Value::Object(m)) => Cow::Borrowed(m),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(m)) => Cow::Owned(m),
            _ => Cow::Owned(Map::new()),
        },
        _ => Cow::Owned(Map::new()),
    }
}

/// A field that is a JSON array or a JSON string holding one (borrowed when an array).
fn array_or_string(v: Option<&Value>) -> Cow<'_, [Value]> {
    match v {
        Some(Value::Array(a)) => Cow::Borrowed(a.as_slice()),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Array(a)) => Cow::Owned(a),
            _ => Cow::Owned(Vec::new()),
        },
        _ => Cow::Owned(Vec::new()),
    }
}

fn valid_list(v: Option<&Value>, lo: i64, hi: i64) -> Vec<u8> {
    array_or_string(v)
        .iter()
        .filter_map(|x| in_range(as_i64(x), lo, hi))
        .collect()
}

fn stress(m: &Map<String, Value>) -> StressDay {
    let level = |k: &str| in_range(int(m, k), 1, 100);
    let pct = |k: &str| in_range(int(m, k), 0, 100);
    let mut out = StressDay {
        avg: level("avgStress"),
        max: level("maxStress"),
        min: level("minStress"),
        proportions: [
            pct("relaxProportion"),
            pct("normalProportion"),
            pct("mediumProportion"),
            pct("highProportion"),
        ],
        ..Default::default()
    };
    for s in array_or_string(m.get("data")).iter() {
        let t = s.get("time").and_then(as_i64);
        let v = in_range(s.get("value").and_then(as_i64), 1, 100);
        match (t, v) {
            (Some(t), Some(v)) => out.samples.push((t, v)),
            _ => out.dropped += 1,
        }
    }
    out
}

fn spo2_spot(m: &Map<String, Value>) -> Spo2Spot {
    let extra = object_or_string(m.get("extra"));
    Spo2Spot {
        spo2: in_range(int(&extra, "spo2"), 1, 100),
        history: valid_list(extra.get("spo2History"), 1, 100),
        is_auto: extra.get("isAuto").and_then(boolish),
        measured_ms: int(&extra, "timestamp"),
    }
}

fn spo2_apnea(m: &Map<String, Value>) -> Spo2Apnea {
    let extra = object_or_string(m.get("extra"));
    Spo2Apnea {
        spo2_decrease: float(&extra, "spo2_decrease"),
        spo2: valid_list(extra.get("spo2"), 1, 100),
        hr: valid_list(extra.get("hr"), 1, 253),
    }
}

fn spo2_nightly(m: &Map<String, Value>) -> Spo2Nightly {
    // The fields are flat in GREG's listing; accept them inside `extra` too.
    let mut all = object_or_string(m.get("extra")).into_owned();
    for (k, v) in m {
        all.entry(k.clone()).or_insert_with(|| v.clone());
    }
    Spo2Nightly {
        date: all
            .get("dateString")
            .and_then(Value::as_str)
            .map(str::to_owned),
        odi: float(&all, "odi"),
        odi_num: int(&all, "odiNum").filter(|n| *n >= 0),
        valid: all.get("valid").and_then(boolish),
        score: score(&all, "score"),
        disp_code: int(&all, "dispCode"),
    }
}

fn pai(m: &Map<String, Value>) -> PaiDay {
    let zones = ["low", "medium", "high"];
    PaiDay {
        daily: float(m, "dailyPai"),
        total: float(m, "totalPai"),
        rest_hr: in_range(int(m, "restHr"), 1, 253),
        max_hr: in_range(int(m, "maxHr"), 1, 253),
        zone_minutes: zones.map(|z| int(m, &format!("{z}ZoneMinutes")).filter(|v| *v >= 0)),
        zone_pai: zones.map(|z| float(m, &format!("{z}ZonePai"))),
        zone_lower_limit: zones.map(|z| int(m, &format!("{z}ZoneLowerLimit")).filter(|v| *v > 0)),
    }
}

fn hrv(value: &Map<String, Value>) -> HrvSeries {
    let start = int(value, "startTime");
    let mut out = HrvSeries {
        start_ms: start,
        ..Default::default()
    };
    for s in array_or_string(value.get("samples")).iter() {
        let off = s.get("s").and_then(as_i64);
        let v = s
            .get("hrv")
            .and_then(as_i64)
            .filter(|v| *v > 0 && *v != 255)
            .and_then(|v| u16::try_from(v).ok());
        match (start, off, v) {
            (Some(t0), Some(off), Some(v)) => match t0.checked_add(off) {
                Some(t) => out.samples.push((t, v)),
                None => out.dropped += 1,
            },
            _ => out.dropped += 1,
        }
    }
    out
}

fn readiness(v: &Map<String, Value>) -> Readiness {
    Readiness {
        day_ms: int(v, "timestamp"),
        readiness: score(v, "rdnsScore"),
        sleep_hrv: score(v, "sleepHRV"),
        hrv_score: score(v, "hrvScore"),
        sleep_rhr: score(v, "sleepRHR"),
        rhr_score: score(v, "rhrScore"),
        physical_score: score(v, "phyScore"),
        mental_score: score(v, "mentScore"),
        // Signed deviations: only the 255 sentinel is removed.
        skin_temp: int(v, "skinTempCalibrated").filter(|t| *t != 255),
        skin_temp_score: score(v, "skinTempScore"),
        skin_temp_baseline: int(v, "skinTempBaseLine").filter(|t| *t != 255),
    }
}

fn respiratory(v: &Map<String, Value>, anchor_ms: i64) -> RespiratorySeries {
    let Some(text) = v.get("measurements").and_then(Value::as_str) else {
        return RespiratorySeries::default();
    };
    match base64::engine::general_purpose::STANDARD.decode(text.trim()) {
        Ok(bytes) => RespiratorySeries {
            samples: bytes
                .iter()
                .enumerate()
                .take(1440)
                .filter(|(_, b)| **b != 0 && **b < 254)
                .filter_map(|(i, b)| Some((anchor_ms.checked_add(60_000 * i as i64)?, *b)))
                .collect(),
            bad_encoding: false,
        },
        Err(_) => RespiratorySeries {
            samples: Vec::new(),
            bad_encoding: true,
        },
    }
}

/// Decode one event item. `Err` (with the reason) only when the item is not an object or
/// has no usable `eventType` / `timestamp`; unknown types decode to [`EventData::Other`].
pub fn decode_event(item: &Value) -> Result<HealthEvent, String> {
    let m = item
        .as_object()
        .ok_or_else(|| "the event item is not a JSON object".to_owned())?;
    let event_type = m
        .get("eventType")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| "the event item has no eventType".to_owned())?
        .to_owned();
    let sub_type = m
        .get("subType")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let timestamp_ms = int(m, "timestamp")
        .ok_or_else(|| format!("the {event_type} item has no numeric timestamp"))?;
    let value = object_or_string(m.get("value"));
    let data = match (event_type.as_str(), sub_type.as_deref()) {
        ("all_day_stress", _) => EventData::Stress(stress(m)),
        ("blood_oxygen", Some("click")) => EventData::Spo2Spot(spo2_spot(m)),
        ("blood_oxygen", Some("osa_event")) => EventData::Spo2Apnea(spo2_apnea(m)),
        ("blood_oxygen", Some("odi")) => EventData::Spo2Nightly(spo2_nightly(m)),
        ("PaiHealthInfo", _) => EventData::Pai(pai(m)),
        ("HRVRMSSD", _) => EventData::Hrv(hrv(&value)),
        ("readiness", Some("watch_score")) => EventData::Readiness(readiness(&value)),
        ("RespiratoryRate", _) => EventData::RespiratoryRate(respiratory(&value, timestamp_ms)),
        _ => EventData::Other,
    };
    Ok(HealthEvent {
        event_type,
        sub_type,
        timestamp_ms,
        data,
        raw: item.clone(),
    })
}

/// Decode the items of an `{"items":[…]}` answer: the events, and per undecodable item its
/// index and reason (the raw item is still in the answer; nothing is dropped silently).
pub fn decode_events(items: &[Value]) -> (Vec<HealthEvent>, Vec<(usize, String)>) {
    let mut ok = Vec::with_capacity(items.len());
    let mut bad = Vec::new();
    for (i, it) in items.iter().enumerate() {
        match decode_event(it) {
            Ok(e) => ok.push(e),
            Err(reason) => bad.push((i, reason)),
        }
    }
    (ok, bad)
}

/// [`items_of_answer`] taking the body by value (no copy of the items).
pub fn into_items(body: Value) -> Result<Vec<Value>, String> {
    match body {
        Value::Array(a) => Ok(a),
        Value::Object(mut m) => match m.remove("items") {
            Some(Value::Array(a)) => Ok(a),
            Some(Value::Null) | None => Err("the answer has no items array".into()),
            Some(_) => Err("items is not an array".into()),
        },
        _ => Err("the answer is not a JSON object".into()),
    }
}

/// The `items` array of an events answer (`{"items":[…]}`; a bare array is accepted).
pub fn items_of_answer(body: &Value) -> Result<Vec<Value>, String> {
    match body {
        Value::Array(a) => Ok(a.clone()),
        Value::Object(m) => match m.get("items") {
            Some(Value::Array(a)) => Ok(a.clone()),
            Some(Value::Null) | None => Err("the answer has no items array".into()),
            Some(_) => Err("items is not an array".into()),
        },
        _ => Err("the answer is not a JSON object".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn evan_stress_example() {
        // Reference §7.1 (EVAN `docs/api-reference.md`).
        let item = json!({"userId":"YOUR_ID","eventType":"all_day_stress","subType":"all_day_stress","timestamp":1770357600001_i64,
            "deviceType":"0","deviceSn":"2445B548008062","avgStress":"43","maxStress":"67","minStress":"5",
            "relaxProportion":"30","normalProportion":"58","mediumProportion":"12","highProportion":"0",
            "data":"[{\"time\":1770357600000,\"value\":47},{\"time\":1770357900000,\"value\":0}]"});
        let e = decode_event(&item).unwrap();
        let EventData::Stress(s) = e.data else {
            panic!("stress")
        };
        assert_eq!((s.avg, s.max, s.min), (Some(43), Some(67), Some(5)));
        assert_eq!(s.proportions, [Some(30), Some(58), Some(12), Some(0)]);
        assert_eq!(s.samples, vec![(1_770_357_600_000, 47)]);
        assert_eq!(s.dropped, 1);
    }

    #[test]
    fn spo2_shapes() {
        let click = json!({"eventType":"blood_oxygen","subType":"click","timestamp":1,
            "extra":"{\"spo2\":97,\"spo2History\":[96,0,97],\"isAuto\":false,\"timestamp\":5}"});
        let EventData::Spo2Spot(s) = decode_event(&click).unwrap().data else {
            panic!()
        };
        assert_eq!(s.spo2, Some(97));
        assert_eq!(s.history, vec![96, 97]);
        assert_eq!(s.is_auto, Some(false));
        let osa = json!({"eventType":"blood_oxygen","subType":"osa_event","timestamp":2,
            "extra":"{\"spo2_decrease\":4,\"spo2\":[95,91,255],\"hr\":[60,255]}"});
        let EventData::Spo2Apnea(a) = decode_event(&osa).unwrap().data else {
            panic!()
        };
        assert_eq!(a.spo2, vec![95, 91]);
        assert_eq!(a.hr, vec![60]);
        assert_eq!(a.spo2_decrease, Some(4.0));
        let odi = json!({"eventType":"blood_oxygen","subType":"odi","timestamp":3,"dateString":"2026-10-01",
            "odi":1.5,"odiNum":9,"valid":1,"score":255,"dispCode":0});
        let EventData::Spo2Nightly(n) = decode_event(&odi).unwrap().data else {
            panic!()
        };
        assert_eq!(n.date.as_deref(), Some("2026-10-01"));
        assert_eq!(
            (n.odi, n.odi_num, n.valid, n.score),
            (Some(1.5), Some(9), Some(true), None)
        );
    }

    #[test]
    fn header_errors_and_unknown_types() {
        assert!(decode_event(&json!(1)).is_err());
        assert!(decode_event(&json!({"timestamp":1})).is_err());
        assert!(decode_event(&json!({"eventType":"x"})).is_err());
        let e = decode_event(&json!({"eventType":"Charge","subType":"real_data","timestamp":"7"}))
            .unwrap();
        assert_eq!(e.data, EventData::Other);
        assert_eq!(e.timestamp_ms, 7);
        let (ok, bad) = decode_events(&[json!({"eventType":"x","timestamp":1}), json!(null)]);
        assert_eq!((ok.len(), bad.len(), bad[0].0), (1, 1, 1));
        assert!(items_of_answer(&json!({"items": []})).unwrap().is_empty());
        assert!(items_of_answer(&json!({"x": 1})).is_err());
    }

    #[test]
    fn stream_table() {
        for s in EventStream::ALL {
            assert_eq!(EventStream::from_name(s.name()), Some(s));
        }
        assert_eq!(EventStream::Spo2.sub_type(), None);
        assert_eq!(
            EventStream::Spo2Nightly.endpoint(),
            EventEndpoint::V1DateString
        );
    }
}
