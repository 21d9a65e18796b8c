//! Weight and body composition, sans-IO: `GET /users/{uid}/members/-1/weightRecords`
//! (reference `huami-cloud.md` §4 WT1, §7.3, §8).
//!
//! Answer `{"items":[…], "next": <toTime>}`, newest first; page with `toTime = next` until
//! `next == 0` (SSC `pkg/zepp/client.go`). Record (SSC `Record`): `generatedTime` (unix
//! **seconds**, not ms), `weightType` (3 = broken values, skipped), `deviceId`, `memberId`,
//! `userId`, `dataSource`, `deviceSource`, and `summary {weight, height, bmi, fatRate,
//! bodyWaterRate, boneMass, metabolism, muscleRate, muscleAge, proteinRatio,
//! standBodyWeight, visceralFat, impedance, encryptImpedance, bodyScore, bodyStyle, …}`.

use serde_json::{Map, Value};

use crate::health::as_f64;
use crate::summary::as_i64;

/// `weightType` of records with broken values, which SSC skips.
pub const BROKEN_WEIGHT_TYPE: i64 = 3;

/// One weighing.
#[derive(Clone, Debug, PartialEq)]
pub struct WeightRecord {
    /// `generatedTime`, unix seconds (a value above 10^11 is taken as ms and converted).
    pub time: i64,
    /// `weightType`.
    pub weight_type: Option<i64>,
    /// `deviceId` (the scale's MAC without colons).
    pub device_id: Option<String>,
    /// `memberId` (`-1` = the account owner).
    pub member_id: Option<String>,
    /// `summary.weight`, kg (`None` for 0 or missing).
    pub weight_kg: Option<f64>,
    /// `summary.height`, cm.
    pub height_cm: Option<f64>,
    /// `summary.bmi`.
    pub bmi: Option<f64>,
    /// `summary.fatRate`, percent.
    pub fat_rate: Option<f64>,
    /// `summary.bodyWaterRate`, percent.
    pub body_water_rate: Option<f64>,
    /// `summary.boneMass`, kg.
    pub bone_mass: Option<f64>,
    /// `summary.metabolism`, kcal.
    pub metabolism: Option<f64>,
    /// `summary.muscleRate`.
    pub muscle_rate: Option<f64>,
    /// `summary.muscleAge`, years.
    pub muscle_age: Option<f64>,
    /// `summary.proteinRatio`, percent.
    pub protein_ratio: Option<f64>,
    /// `summary.standBodyWeight`, kg.
    pub stand_body_weight: Option<f64>,
    /// `summary.visceralFat`.
    pub visceral_fat: Option<f64>,
    /// `summary.impedance`, ohm.
    pub impedance: Option<f64>,
    /// `summary.bodyScore`.
    pub body_score: Option<f64>,
    /// `summary.bodyStyle`.
    pub body_style: Option<i64>,
    /// Every `summary` field as received (including ones not typed above, e.g.
    /// `encryptImpedance`).
    pub summary: Map<String, Value>,
    /// The record as received.
    pub raw: Value,
}

/// One decoded page.
#[derive(Clone, Debug, Default)]
pub struct WeightPage {
    /// The usable records, in answer order.
    pub records: Vec<WeightRecord>,
    /// Records skipped because `weightType == 3`.
    pub skipped_broken: usize,
    /// Items that are not records (no object, no `generatedTime`), with index and reason.
    pub issues: Vec<(usize, String)>,
    /// `next`: the `toTime` of the next page; 0 (or absent) = no more.
    pub next: i64,
}

fn positive(s: &Map<String, Value>, k: &str) -> Option<f64> {
    s.get(k).and_then(as_f64).filter(|v| *v > 0.0)
}

fn text(m: &Map<String, Value>, k: &str) -> Option<String> {
    match m.get(k)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Decode one record. `Ok(None)` for a `weightType 3` record; `Err` for an item that is not
/// a record.
pub fn decode_weight(item: &Value) -> Result<Option<WeightRecord>, String> {
    let m = item
        .as_object()
        .ok_or_else(|| "the weight record is not a JSON object".to_owned())?;
    let mut time = m
        .get("generatedTime")
        .and_then(as_i64)
        .filter(|t| *t > 0)
        .ok_or_else(|| "the weight record has no generatedTime".to_owned())?;
    if time > 100_000_000_000 {
        // Defensive: the field is seconds (§7.3); a millisecond value is converted.
        time /= 1000;
    }
    let weight_type = m.get("weightType").and_then(as_i64);
    if weight_type == Some(BROKEN_WEIGHT_TYPE) {
        return Ok(None);
    }
    let summary = match m.get("summary") {
        Some(Value::Object(s)) => s.clone(),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(o)) => o,
            _ => Map::new(),
        },
        _ => Map::new(),
    };
    let s = &summary;
    Ok(Some(WeightRecord {
        time,
        weight_type,
        device_id: text(m, "deviceId"),
        member_id: text(m, "memberId"),
        weight_kg: positive(s, "weight"),
        height_cm: positive(s, "height"),
        bmi: positive(s, "bmi"),
        fat_rate: positive(s, "fatRate"),
        body_water_rate: positive(s, "bodyWaterRate"),
        bone_mass: positive(s, "boneMass"),
        metabolism: positive(s, "metabolism"),
        muscle_rate: positive(s, "muscleRate"),
        muscle_age: positive(s, "muscleAge"),
        protein_ratio: positive(s, "proteinRatio"),
        stand_body_weight: positive(s, "standBodyWeight"),
        visceral_fat: positive(s, "visceralFat"),
        impedance: positive(s, "impedance"),
        body_score: positive(s, "bodyScore"),
        body_style: s.get("bodyStyle").and_then(as_i64),
        summary: summary.clone(),
        raw: item.clone(),
    }))
}

/// Decode a `{"items":[…], "next": …}` page.
pub fn decode_weight_page(body: &Value) -> Result<WeightPage, String> {
    let items = body
        .get("items")
        .and_then(Value::as_array)
        .ok_or_else(|| "the answer has no items array".to_owned())?;
    let mut page = WeightPage {
        next: body.get("next").and_then(as_i64).unwrap_or(0).max(0),
        ..Default::default()
    };
    for (i, it) in items.iter().enumerate() {
        match decode_weight(it) {
            Ok(Some(r)) => page.records.push(r),
            Ok(None) => page.skipped_broken += 1,
            Err(reason) => page.issues.push((i, reason)),
        }
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ssc_record(t: i64, wt: i64) -> Value {
        // Field set of SSC `Record` (reference §8).
        json!({"dataSource":1,"deviceId":"AABBCCDDEEFF","deviceSource":102,"generatedTime":t,
            "memberId":"-1","userId":"1","weightType":wt,
            "summary":{"weight":72.35,"height":178,"bmi":22.8,"fatRate":18.2,"bodyWaterRate":55.1,
            "boneMass":3.1,"metabolism":1610,"muscleRate":56.2,"muscleAge":31,"proteinRatio":17.9,
            "standBodyWeight":69.7,"visceralFat":7,"impedance":512,"encryptImpedance":"x",
            "bodyScore":84,"bodyStyle":5,"deviceType":1,"source":1}})
    }

    #[test]
    fn page_with_a_broken_record() {
        let body = json!({"items":[ssc_record(1_790_000_000, 0), ssc_record(1_789_990_000, 3), "x"], "next": 1_789_000_000});
        let p = decode_weight_page(&body).unwrap();
        assert_eq!(p.records.len(), 1);
        assert_eq!(p.skipped_broken, 1);
        assert_eq!(p.issues.len(), 1);
        assert_eq!(p.next, 1_789_000_000);
        let r = &p.records[0];
        assert_eq!(r.time, 1_790_000_000);
        assert_eq!(r.weight_kg, Some(72.35));
        assert_eq!(r.visceral_fat, Some(7.0));
        assert_eq!(r.body_style, Some(5));
        assert_eq!(r.summary["encryptImpedance"], "x");
        assert_eq!(r.device_id.as_deref(), Some("AABBCCDDEEFF"));
    }

    #[test]
    fn ms_times_and_missing_next() {
        let p = decode_weight_page(
            &json!({"items":[{"generatedTime":1_790_000_000_123_i64,"summary":{"weight":0}}]}),
        )
        .unwrap();
        assert_eq!(p.next, 0);
        assert_eq!(p.records[0].time, 1_790_000_000);
        assert_eq!(p.records[0].weight_kg, None);
        assert!(decode_weight_page(&json!({"next":0})).is_err());
    }
}
