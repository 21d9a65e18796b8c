//! One `band_data.json` item → [`BandDay`]: the download shape (reference §5.2) and the
//! phone-app upload shape (§5.6).
//!
//! An item without a usable date is a [`DecodeError`]; every other problem (bad base64, a
//! summary that is not JSON, a malformed stage) is recorded in [`BandDay::issues`] and the
//! rest of the day is still decoded.

use base64::Engine as _;
use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::clock::DayClock;
use crate::detail::{decode_minutes, record_len};
use crate::error::DecodeError;
use crate::model::{BandDay, DayTotals, DecodeIssue, MinuteRecord};
use crate::summary::{as_i64, decode_summary, local_midnight, parse_tz};

/// Standard alphabet, padding optional (servers and tools differ).
const B64: base64::engine::GeneralPurpose =
    base64::engine::general_purpose::STANDARD_PAD_INDIFFERENT;

/// Decode base64 leniently: surrounding whitespace and missing padding are accepted.
pub fn decode_base64(s: &str) -> Result<Vec<u8>, String> {
    let t: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    B64.decode(t.as_bytes())
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_PAD_INDIFFERENT.decode(t.as_bytes()))
        .map_err(|e| e.to_string())
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn issue(field: &str, problem: impl Into<String>) -> DecodeIssue {
    DecodeIssue {
        field: field.to_owned(),
        problem: problem.into(),
    }
}

fn parse_date(
    obj: &Map<String, Value>,
    field: &'static str,
) -> Result<jiff::civil::Date, DecodeError> {
    let v = obj
        .get(field)
        .filter(|v| !v.is_null())
        .ok_or(DecodeError::MissingDate { field })?;
    let shown = || {
        let s = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
        s.chars().take(40).collect::<String>()
    };
    let s = v
        .as_str()
        .ok_or_else(|| DecodeError::BadDate { value: shown() })?;
    // Accept "2026-02-06" and, defensively, "2026-02-06 00:00:00" / "2026-02-06T…".
    let day = s.trim().get(..10).unwrap_or(s.trim());
    day.parse::<jiff::civil::Date>()
        .map_err(|_| DecodeError::BadDate { value: shown() })
}

/// A field that should hold a base64 blob; `None` when absent/null/`"null"`.
fn blob(obj: &Map<String, Value>, field: &str, issues: &mut Vec<DecodeIssue>) -> Option<Vec<u8>> {
    match obj.get(field)? {
        Value::Null => None,
        Value::String(s) if s.is_empty() || s == "null" => None,
        Value::String(s) => match decode_base64(s) {
            Ok(b) => Some(b),
            Err(e) => {
                issues.push(issue(field, format!("bad base64: {e}")));
                None
            }
        },
        other => {
            issues.push(issue(
                field,
                format!("expected a base64 string, found {}", json_type(other)),
            ));
            None
        }
    }
}

/// The summary as a JSON object: base64 of JSON (download), a JSON string (upload), or
/// already an object (defensive).
fn summary_object(v: &Value, issues: &mut Vec<DecodeIssue>) -> Option<Map<String, Value>> {
    let parse = |bytes: &[u8], issues: &mut Vec<DecodeIssue>| match serde_json::from_slice::<Value>(
        bytes,
    ) {
        Ok(Value::Object(o)) => Some(o),
        Ok(other) => {
            issues.push(issue(
                "summary",
                format!("decoded to {}, not an object", json_type(&other)),
            ));
            None
        }
        Err(e) => {
            issues.push(issue("summary", format!("not JSON: {e}")));
            None
        }
    };
    match v {
        Value::Object(o) => Some(o.clone()),
        Value::String(s) if s.trim_start().starts_with('{') => parse(s.as_bytes(), issues),
        Value::String(s) => match decode_base64(s) {
            Ok(bytes) => parse(&bytes, issues),
            Err(e) => {
                issues.push(issue("summary", format!("bad base64: {e}")));
                None
            }
        },
        Value::Null => None,
        other => {
            issues.push(issue(
                "summary",
                format!("expected base64 JSON, found {}", json_type(other)),
            ));
            None
        }
    }
}

/// One minute blob of a day, starting `start_minute` minutes after local midnight.
struct Segment {
    start_minute: i64,
    data: Vec<u8>,
}

/// The shared part of both shapes.
fn assemble(
    obj: &Map<String, Value>,
    date: jiff::civil::Date,
    summary: Option<Map<String, Value>>,
    fallback_tz: Option<i32>,
    (segments, hr): (Vec<Segment>, Vec<u8>),
    mut issues: Vec<DecodeIssue>,
    zone: Option<&jiff::tz::TimeZone>,
) -> BandDay {
    let summary_tz = summary.as_ref().and_then(|s| s.get("tz"));
    let tz = match (summary_tz.and_then(parse_tz), summary_tz, fallback_tz) {
        (Some(tz), _, _) => tz,
        (None, _, Some(tz)) => tz,
        (None, Some(v), None) => {
            issues.push(issue(
                "summary.tz",
                format!("not a UTC offset in seconds: {v}"),
            ));
            0
        }
        (None, None, None) => {
            issues.push(issue(
                "summary.tz",
                "missing; the day is anchored at UTC midnight",
            ));
            0
        }
    };
    let midnight = local_midnight(date, tz);
    let parts = summary
        .as_ref()
        .map(|s| decode_summary(s, midnight, &mut issues))
        .unwrap_or_default();

    let minutes = match segments.as_slice() {
        [] => decode_minutes(midnight, &[], &hr, parts.byte_length, &mut issues),
        [only] if only.start_minute == 0 => {
            decode_minutes(midnight, &only.data, &hr, parts.byte_length, &mut issues)
        }
        many => merge_segments(midnight, many, &hr, parts.byte_length, &mut issues),
    };
    // Slots are local wall-clock minutes (reference §5.4 "DST days still have 1440 slots");
    // the decision is in `clock.rs`.
    let clock = DayClock::new(date, tz, midnight, zone);
    let minutes = clock.apply(minutes, &mut issues);
    // Upload segments may reach past minute 1440: the day covers whatever it holds.
    let minutes_end = minutes
        .last()
        .map_or(clock.end(), |m| clock.end().max(m.ts + 60));

    BandDay {
        date,
        tz_offset: tz,
        local_midnight: midnight,
        minutes_end,
        source: obj.get("source").and_then(as_i64),
        device_id: obj
            .get("device_id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty() && *s != "null")
            .map(str::to_owned),
        totals: if summary.is_some() {
            parts.totals
        } else {
            DayTotals::default()
        },
        minutes,
        sleep: parts.sleep,
        activities: parts.activities,
        summary_json: summary.map_or(Value::Null, Value::Object),
        issues,
    }
}

/// Minutes of several segments (upload shape), each at its start minute, plus heart-rate
/// minutes no segment covers; sorted by time, later segments win on overlap.
fn merge_segments(
    midnight: i64,
    segments: &[Segment],
    hr: &[u8],
    byte_length: Option<i64>,
    issues: &mut Vec<DecodeIssue>,
) -> Vec<MinuteRecord> {
    let mut by_minute: BTreeMap<i64, MinuteRecord> = BTreeMap::new();
    for seg in segments {
        let n = record_len(byte_length, seg.data.len());
        let records = seg.data.len() / n;
        // `data_hr` is indexed from local midnight: take the part this segment covers.
        let from = usize::try_from(seg.start_minute).unwrap_or(0).min(hr.len());
        let to = from.saturating_add(records).min(hr.len());
        let part = decode_minutes(
            midnight + seg.start_minute * 60,
            &seg.data,
            &hr[from..to],
            byte_length,
            issues,
        );
        for m in part {
            by_minute.insert((m.ts - midnight) / 60, m);
        }
    }
    let hr_only = decode_minutes(midnight, &[], hr, None, issues);
    for (i, m) in (0_i64..).zip(hr_only) {
        by_minute.entry(i).or_insert(m);
    }
    by_minute.into_values().collect()
}

/// The day a `band_data.json` item (download shape, reference §5.2) is for: its `date_time`,
/// read with the same rule as [`decode_day`] (so an item this accepts is an item the decoder
/// files under that day). Cheap: nothing else of the item is looked at.
pub fn item_date(item: &Value) -> Result<jiff::civil::Date, DecodeError> {
    let obj = item.as_object().ok_or(DecodeError::NotAnObject {
        found: json_type(item),
    })?;
    parse_date(obj, "date_time")
}

/// The item's date as the server sent it (`date_time`), for a message about an item that
/// could not be decoded; `None` when it has no such text.
pub fn item_date_text(item: &Value) -> Option<&str> {
    item.get("date_time").and_then(Value::as_str)
}

/// The first day with data among the items of one `band_data.json` answer (summary or
/// detail): the earliest [`item_date`]; items without a usable date are skipped.
pub fn first_day_with_data(items: &[Value]) -> Option<jiff::civil::Date> {
    items.iter().filter_map(|i| item_date(i).ok()).min()
}

/// Decode one item of `band_data.json`'s `data` list (download shape, reference §5.2):
/// `date_time`, base64 `summary` (or `sum`), base64 `data` and `data_hr`.
///
/// Minutes are mapped with the day's fixed offset (`summary.tz`); use [`decode_day_in`]
/// with the band's zone to place the minutes of DST days correctly.
pub fn decode_day(item: &Value) -> Result<BandDay, DecodeError> {
    decode_day_in(item, None)
}

/// [`decode_day`] with the band's time zone: on days where `zone` agrees with `summary.tz`,
/// minute slots are local wall-clock minutes converted with the tz database (DST days have
/// 23 or 25 hours; see [`crate::clock`]).
pub fn decode_day_in(
    item: &Value,
    zone: Option<&jiff::tz::TimeZone>,
) -> Result<BandDay, DecodeError> {
    let obj = item.as_object().ok_or(DecodeError::NotAnObject {
        found: json_type(item),
    })?;
    let date = parse_date(obj, "date_time")?;
    let mut issues = Vec::new();
    // WEDDLE notes the summary may sit under `sum` (defensive, §5.2).
    let summary = obj
        .get("summary")
        .or_else(|| obj.get("sum"))
        .and_then(|v| summary_object(v, &mut issues));
    let data = blob(obj, "data", &mut issues);
    let hr = blob(obj, "data_hr", &mut issues).unwrap_or_default();
    let segments = data
        .map(|data| {
            vec![Segment {
                start_minute: 0,
                data,
            }]
        })
        .unwrap_or_default();
    Ok(assemble(
        obj,
        date,
        summary,
        None,
        (segments, hr),
        issues,
        zone,
    ))
}

/// Decode one day of the phone-app upload shape (reference §5.6, the `data_json` list of
/// `POST /v1/data/band_data.json`): `date`, `summary` as a JSON string, `data` as a list of
/// segments `{start, stop, value: base64, tz: quarter-hours}`, `data_hr` base64.
///
/// The summary's `tz` (seconds) wins; without it the first segment's `tz` × 900 is used
/// (HV10: `32` ≡ `"28800"`).
pub fn decode_upload_day(item: &Value) -> Result<BandDay, DecodeError> {
    let obj = item.as_object().ok_or(DecodeError::NotAnObject {
        found: json_type(item),
    })?;
    let date = parse_date(obj, "date").or_else(|e| parse_date(obj, "date_time").map_err(|_| e))?;
    let mut issues = Vec::new();
    let summary = obj
        .get("summary")
        .and_then(|v| summary_object(v, &mut issues));
    let hr = blob(obj, "data_hr", &mut issues).unwrap_or_default();

    // `data` is a list of segments; some tools send it as a JSON string.
    let parsed;
    let list = match obj.get("data") {
        Some(Value::Array(a)) => Some(a),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Array(a)) => {
                parsed = a;
                Some(&parsed)
            }
            _ => {
                issues.push(issue(
                    "data",
                    "a string that is not a JSON list of segments",
                ));
                None
            }
        },
        None | Some(Value::Null) => None,
        Some(other) => {
            issues.push(issue(
                "data",
                format!("expected a list of segments, found {}", json_type(other)),
            ));
            None
        }
    };
    let mut segments = Vec::new();
    let mut segment_tz = None;
    for (i, seg) in list.into_iter().flatten().enumerate() {
        let field = format!("data[{i}]");
        let Some(s) = seg.as_object() else {
            issues.push(issue(&field, "not an object"));
            continue;
        };
        let start = s.get("start").and_then(as_i64).unwrap_or(0);
        if !(0..=2880).contains(&start) {
            issues.push(issue(&field, format!("start minute {start} out of range")));
            continue;
        }
        // Segment tz is in quarter-hours (reference §5.6, HV10).
        if segment_tz.is_none() {
            segment_tz = s
                .get("tz")
                .and_then(as_i64)
                .and_then(|q| q.checked_mul(900))
                .and_then(|t| parse_tz(&Value::from(t)));
        }
        let mut seg_issues = Vec::new();
        match blob(s, "value", &mut seg_issues) {
            Some(data) => segments.push(Segment {
                start_minute: start,
                data,
            }),
            None => issues.push(issue(&field, "no usable base64 value")),
        }
        issues.extend(seg_issues.into_iter().map(|mut x| {
            x.field = format!("{field}.{}", x.field);
            x
        }));
    }
    Ok(assemble(
        obj,
        date,
        summary,
        segment_tz,
        (segments, hr),
        issues,
        None,
    ))
}
