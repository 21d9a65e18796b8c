//! `band_data.json`: the download shape (§5.2–§5.5) and the upload conversion (§5.6).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use jiff::civil::Date;
use serde::Serialize;

use super::Device;
use super::history::{ActivityStage, Day, SleepStage};

/// One item of the download envelope, in the key order of §5.2.
#[derive(Serialize)]
struct Item<'a> {
    uid: &'a str,
    data_type: i64,
    date_time: String,
    source: i64,
    summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    data_hr: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a str>,
    device_id: &'a str,
    uuid: &'a str,
}

#[derive(Serialize)]
struct LegacySummary<'a> {
    v: u8,
    slp: Slp<'a>,
    stp: Stp<'a>,
    goal: u32,
    tz: String,
}

#[derive(Serialize)]
struct Summary<'a> {
    v: &'static str,
    goal: u32,
    tz: String,
    algv: &'static str,
    sn: &'a str,
    #[serde(rename = "byteLength")]
    byte_length: u8,
    sync: i64,
    slp: Slp<'a>,
    stp: Stp<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hr: Option<Hr>,
}

#[derive(Serialize)]
struct Hr {
    #[serde(rename = "maxHr")]
    max_hr: MaxHr,
}

#[derive(Serialize)]
struct MaxHr {
    hr: u8,
    ts: i64,
}

#[derive(Serialize)]
struct Slp<'a> {
    st: i64,
    ed: i64,
    dp: i32,
    lt: i32,
    wk: i32,
    wc: i32,
    #[serde(rename = "usrSt", skip_serializing_if = "Option::is_none")]
    usr_st: Option<i32>,
    #[serde(rename = "usrEd", skip_serializing_if = "Option::is_none")]
    usr_ed: Option<i32>,
    is: i32,
    lb: i32,
    to: i32,
    dt: i32,
    rhr: u8,
    ss: i32,
    #[serde(rename = "supRem", skip_serializing_if = "Option::is_none")]
    sup_rem: Option<bool>,
    #[serde(rename = "supNap", skip_serializing_if = "Option::is_none")]
    sup_nap: Option<bool>,
    stage: &'a [SleepStage],
    odd_stage: &'a [SleepStage],
}

#[derive(Serialize)]
struct Stp<'a> {
    ttl: u32,
    dis: u32,
    cal: u32,
    wk: i32,
    rn: i32,
    #[serde(rename = "runDist")]
    run_dist: u32,
    #[serde(rename = "runCal")]
    run_cal: u32,
    stage: &'a [ActivityStage],
}

fn minutes_of(s: &SleepStage) -> i32 {
    s.stop - s.start + 1
}

fn slp(day: &Day) -> Slp<'_> {
    let legacy = day.legacy;
    let (st, ed, stages, rhr) = match &day.sleep {
        Some(s) => (s.st, s.ed, s.stages.as_slice(), s.rhr),
        // No night filed under this day: start = end (as in real uploads without sleep).
        None => (day.midnight, day.midnight, &[][..], day.rhr),
    };
    let sum = |modes: &[u8]| -> i32 {
        stages
            .iter()
            .filter(|s| modes.contains(&s.mode))
            .map(minutes_of)
            .sum()
    };
    let (dp, lt, wk, rem) = (sum(&[5]), sum(&[4]), sum(&[7]), sum(&[8, 11]));
    let wc = stages.iter().filter(|s| s.mode == 7).count() as i32;
    let asleep = dp + lt + rem;
    let ss = if asleep == 0 {
        0
    } else {
        (45 + asleep / 20 + dp / 8 + rem / 12 - wk).clamp(40, 98)
    };
    Slp {
        st,
        ed,
        dp,
        lt,
        wk,
        wc,
        usr_st: legacy.then_some(-1440),
        usr_ed: legacy.then_some(-1440),
        is: if asleep == 0 { 0 } else { 10 + (dp % 23) },
        lb: if asleep == 0 { 0 } else { 5 + (lt % 11) },
        to: 0,
        dt: rem,
        rhr,
        ss,
        sup_rem: (!legacy).then_some(true),
        sup_nap: (!legacy).then_some(true),
        stage: stages,
        odd_stage: &day.naps,
    }
}

fn stp(day: &Day) -> Stp<'_> {
    let mut s = Stp {
        ttl: 0,
        dis: 0,
        cal: 0,
        wk: 0,
        rn: 0,
        run_dist: 0,
        run_cal: 0,
        stage: &day.activity,
    };
    for a in &day.activity {
        s.ttl += a.step;
        s.dis += a.dis;
        s.cal += a.cal;
        let mins = a.stop - a.start + 1;
        match a.mode {
            1 | 3 => s.wk += mins,
            4 => {
                s.rn += mins;
                s.run_dist += a.dis;
                s.run_cal += a.cal;
            }
            _ => {}
        }
    }
    s
}

/// The compact summary JSON of a generated day.
pub(crate) fn summary_json(day: &Day, device: &Device) -> Vec<u8> {
    let tz = day.tz.to_string();
    // Serialising these plain structs cannot fail.
    if day.legacy {
        serde_json::to_vec(&LegacySummary {
            v: 6,
            slp: slp(day),
            stp: stp(day),
            goal: 8000,
            tz,
        })
        .unwrap_or_default()
    } else {
        serde_json::to_vec(&Summary {
            v: "6",
            goal: 8000,
            tz,
            algv: "2.13.14",
            sn: &device.new_sn,
            byte_length: day.byte_length() as u8,
            sync: day.midnight + 60 * day.minutes() as i64,
            slp: slp(day),
            stp: stp(day),
            hr: day.max_hr.map(|(hr, ts)| Hr {
                max_hr: MaxHr { hr, ts },
            }),
        })
        .unwrap_or_default()
    }
}

/// Append one download item for a generated day to `out`.
pub(crate) fn write_generated(
    out: &mut Vec<u8>,
    uid: &str,
    day: &Day,
    device: &Device,
    detail: bool,
) {
    let summary = B64.encode(summary_json(day, device));
    let (hr, data) = if detail {
        (Some(B64.encode(&day.hr)), Some(B64.encode(&day.data)))
    } else {
        (None, None)
    };
    let uuid = if day.legacy {
        "null".to_owned()
    } else {
        format!("{}-{}", device.new_sn, day.date)
    };
    let item = Item {
        uid,
        data_type: 0,
        date_time: day.date.to_string(),
        source: if day.legacy { 24 } else { 10_289_411 },
        summary,
        data_hr: hr.as_deref(),
        data: data.as_deref(),
        device_id: if day.legacy {
            &device.legacy_id
        } else {
            &device.new_id
        },
        uuid: &uuid,
    };
    // Writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, &item);
}

/// A day stored from an upload, already in the download shape.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct StoredDay {
    pub date: Date,
    pub data_type: i64,
    pub source: i64,
    /// base64 of the compact summary JSON.
    pub summary: String,
    pub data_hr: String,
    pub data: String,
    pub device_id: String,
}

impl StoredDay {
    /// Append the download item to `out`.
    pub fn write(&self, out: &mut Vec<u8>, uid: &str, detail: bool) {
        let item = Item {
            uid,
            data_type: self.data_type,
            date_time: self.date.to_string(),
            source: self.source,
            summary: self.summary.clone(),
            data_hr: detail.then_some(self.data_hr.as_str()),
            data: detail.then_some(self.data.as_str()),
            device_id: &self.device_id,
            uuid: "null",
        };
        let _ = serde_json::to_writer(&mut *out, &item);
    }
}

/// Why an upload was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct UploadError(pub String);

fn field_i64(v: &serde_json::Value, key: &str) -> Option<i64> {
    match v.get(key)? {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().trim_start_matches('+').parse().ok(),
        _ => None,
    }
}

/// Convert the `data_json` of an upload (§5.6) into stored download-shape days.
///
/// Upload → download: `summary` JSON string → base64 of compact JSON with a string `tz`;
/// segment `tz` in quarter-hours → summary `tz` in seconds (`32` ≡ `"28800"`, HV10);
/// segments (`value` base64 of `byteLength`-byte records from minute `start`) → one `data`
/// blob from local midnight, minutes not covered filled with the no-data record `7e 00 00`.
pub(crate) fn convert_upload(
    data_json: &str,
    last_deviceid: Option<&str>,
) -> Result<Vec<StoredDay>, UploadError> {
    let err = |m: &str| UploadError(m.to_owned());
    let parsed: serde_json::Value =
        serde_json::from_str(data_json).map_err(|e| UploadError(format!("data_json: {e}")))?;
    let items = parsed
        .as_array()
        .ok_or_else(|| err("data_json is not a list"))?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let date: Date = item
            .get("date")
            .and_then(|d| d.as_str())
            .ok_or_else(|| err("item without date"))?
            .parse()
            .map_err(|_| err("item date is not YYYY-MM-DD"))?;
        let mut summary: serde_json::Map<String, serde_json::Value> = match item.get("summary") {
            Some(serde_json::Value::String(s)) => serde_json::from_str(s)
                .map_err(|e| UploadError(format!("summary of {date}: {e}")))?,
            Some(serde_json::Value::Object(m)) => m.clone(),
            None | Some(serde_json::Value::Null) => serde_json::Map::new(),
            Some(_) => return Err(err("summary is neither a JSON string nor an object")),
        };
        let segments: &[serde_json::Value] = match item.get("data") {
            Some(serde_json::Value::Array(a)) => a,
            None | Some(serde_json::Value::Null) => &[],
            Some(_) => return Err(err("data is not a list of segments")),
        };
        let per_minute = field_i64(&serde_json::Value::Object(summary.clone()), "byteLength")
            .filter(|n| (1..=64).contains(n))
            .unwrap_or(3) as usize;
        let mut blob: Vec<u8> = Vec::new();
        let mut seg_tz = None;
        let mut did = None;
        let mut src = None;
        for seg in segments {
            let start = field_i64(seg, "start").ok_or_else(|| err("segment without start"))?;
            if !(0..2880).contains(&start) {
                return Err(err("segment start out of range"));
            }
            let value = seg
                .get("value")
                .and_then(|v| v.as_str())
                .ok_or_else(|| err("segment without value"))?;
            let bytes = B64
                .decode(value)
                .map_err(|_| err("segment value is not base64"))?;
            let at = start as usize * per_minute;
            let end = at + bytes.len();
            if blob.len() < end {
                let mut fill = blob.len();
                blob.resize(end, 0);
                while fill < end {
                    // No-data record: kind 0x7e, nothing else (HV9, BTASKER `fgAA…`).
                    if fill.is_multiple_of(per_minute) {
                        blob[fill] = 0x7e;
                    }
                    fill += 1;
                }
            }
            blob[at..end].copy_from_slice(&bytes);
            seg_tz = seg_tz.or_else(|| field_i64(seg, "tz"));
            did = did.or_else(|| seg.get("did").and_then(|v| v.as_str()).map(str::to_owned));
            src = src.or_else(|| field_i64(seg, "src"));
        }
        let tz_seconds = match seg_tz {
            Some(q) => q
                .checked_mul(900)
                .filter(|s| s.abs() <= 18 * 3600)
                .ok_or_else(|| err("segment tz out of range"))?,
            None => field_i64(&serde_json::Value::Object(summary.clone()), "tz").unwrap_or(0),
        };
        summary.insert(
            "tz".to_owned(),
            serde_json::Value::String(tz_seconds.to_string()),
        );
        let data_hr = match item.get("data_hr") {
            Some(serde_json::Value::String(s)) => {
                let hr = B64.decode(s).map_err(|_| err("data_hr is not base64"))?;
                if hr.len() > 1440 {
                    return Err(err("data_hr longer than 1440 minutes"));
                }
                s.clone()
            }
            _ => String::new(),
        };
        let summary_bytes = serde_json::to_vec(&serde_json::Value::Object(summary))
            .map_err(|e| UploadError(e.to_string()))?;
        out.push(StoredDay {
            date,
            data_type: field_i64(item, "type").unwrap_or(0),
            source: field_i64(item, "source").or(src).unwrap_or(0),
            summary: B64.encode(summary_bytes),
            data_hr,
            data: B64.encode(&blob),
            device_id: did
                .or_else(|| last_deviceid.map(str::to_owned))
                .unwrap_or_default(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn converts_quarter_hours_and_fills_gaps() {
        let v = B64.encode([1u8, 50, 15]);
        let json = format!(
            r#"[{{"date":"2021-08-07","summary":"{{\"v\":6,\"tz\":\"0\"}}","data":[{{"start":2,"stop":2,"value":"{v}","tz":32,"did":"D1","src":24}}],"source":24,"type":0}}]"#
        );
        let days = convert_upload(&json, None).unwrap();
        assert_eq!(days.len(), 1);
        let summary: serde_json::Value =
            serde_json::from_slice(&B64.decode(&days[0].summary).unwrap()).unwrap();
        assert_eq!(summary["tz"], "28800");
        assert_eq!(
            B64.decode(&days[0].data).unwrap(),
            [0x7e, 0, 0, 0x7e, 0, 0, 1, 50, 15]
        );
        assert_eq!(days[0].device_id, "D1");
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "{}",
            "[1]",
            r#"[{"date":"x"}]"#,
            r#"[{"date":"2021-01-01","data":[{"start":0,"value":"!!"}]}]"#,
        ] {
            assert!(convert_upload(bad, None).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn upload_conversion_never_panics(s in ".{0,400}") {
            let _ = convert_upload(&s, Some("x"));
        }

        #[test]
        fn upload_conversion_never_panics_on_shaped_input(
            start in -5i64..3000, tz in -200i64..200, value in "[A-Za-z0-9+/=]{0,40}", bl in -3i64..100
        ) {
            let json = format!(
                r#"[{{"date":"2021-08-07","summary":"{{\"byteLength\":{bl}}}","data":[{{"start":{start},"value":"{value}","tz":{tz}}}]}}]"#
            );
            let _ = convert_upload(&json, None);
        }
    }
}
