//! Health data as the store keeps it: the kinds of health rows, and the mapping of the
//! service's decoded devices, events and weight records into store rows.
//!
//! One row per event; its `value` is the number a person looks for (the day's average stress,
//! the SpO2 reading, the 7-day PAI, …) and `detail` keeps every other decoded field, series
//! included, so that exports and the dashboard need no raw payload.

use mikit_huami::{
    devices::Device,
    health::{EventData, HealthEvent},
    weight::WeightRecord,
};
use mikit_store::{HealthEventRow, HuamiDeviceRow, WeightRow};
use serde_json::{Map, Value, json};

/// A kind of health row, with the unit of its `value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kind {
    /// The store's name.
    pub name: &'static str,
    /// What the value is, in words (column headers, the dashboard).
    pub label: &'static str,
    /// Its unit ("" for a score).
    pub unit: &'static str,
}

/// Every kind, in the order they are shown.
pub const KINDS: &[Kind] = &[
    Kind {
        name: "spo2",
        label: "SpO2 reading",
        unit: "%",
    },
    Kind {
        name: "spo2_nightly",
        label: "nightly oxygen desaturation index",
        unit: "per hour",
    },
    Kind {
        name: "spo2_apnea",
        label: "SpO2 drop of a desaturation event",
        unit: "points",
    },
    Kind {
        name: "stress",
        label: "average stress",
        unit: "",
    },
    Kind {
        name: "pai",
        label: "PAI (7 days)",
        unit: "",
    },
    Kind {
        name: "hrv",
        label: "HRV (RMSSD, night mean)",
        unit: "ms",
    },
    Kind {
        name: "readiness",
        label: "readiness score",
        unit: "",
    },
    Kind {
        name: "respiratory_rate",
        label: "respiratory rate (mean)",
        unit: "breaths/min",
    },
];

/// The kind named `name`.
pub fn kind(name: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.name == name)
}

fn opt<T: Into<Value>>(v: Option<T>) -> Value {
    v.map_or(Value::Null, Into::into)
}

fn mean<I: Iterator<Item = f64>>(it: I) -> Option<f64> {
    let (n, sum) = it.fold((0u32, 0.0), |(n, s), v| (n + 1, s + v));
    (n > 0).then(|| (sum / f64::from(n) * 10.0).round() / 10.0)
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The store row of a decoded event, `None` for a type mikit does not keep (its raw item is
/// not stored either: nothing reads it). `offset` gives the UTC offset (seconds) at an
/// instant.
pub fn event_row(e: &HealthEvent, offset: impl Fn(i64) -> i32) -> Option<HealthEventRow> {
    let ts = e.timestamp_ms.div_euclid(1000);
    let (kind, ts, value, detail) = match &e.data {
        EventData::Stress(s) => (
            "stress",
            ts,
            s.avg.map(f64::from),
            json!({
                "max": opt(s.max), "min": opt(s.min),
                "relaxed_pct": opt(s.proportions[0]), "normal_pct": opt(s.proportions[1]),
                "medium_pct": opt(s.proportions[2]), "high_pct": opt(s.proportions[3]),
                "samples": s.samples.iter().map(|(ms, v)| json!([ms.div_euclid(1000), v])).collect::<Vec<_>>(),
            }),
        ),
        EventData::Spo2Spot(s) => (
            "spo2",
            s.measured_ms.map_or(ts, |m| m.div_euclid(1000)),
            s.spo2.map(f64::from),
            json!({"history": s.history, "auto": opt(s.is_auto)}),
        ),
        EventData::Spo2Apnea(a) => (
            "spo2_apnea",
            ts,
            a.spo2_decrease,
            json!({"spo2": a.spo2, "hr": a.hr}),
        ),
        EventData::Spo2Nightly(n) => (
            "spo2_nightly",
            ts,
            n.odi,
            json!({
                "night": opt(n.date.clone()), "events": opt(n.odi_num), "valid": opt(n.valid),
                "score": opt(n.score), "disp_code": opt(n.disp_code),
            }),
        ),
        EventData::Pai(p) => (
            "pai",
            ts,
            p.total,
            json!({
                "daily": opt(p.daily), "rest_hr": opt(p.rest_hr), "max_hr": opt(p.max_hr),
                "zone_minutes": p.zone_minutes, "zone_pai": p.zone_pai,
                "zone_lower_limit_bpm": p.zone_lower_limit,
            }),
        ),
        EventData::Hrv(h) => (
            "hrv",
            h.start_ms.map_or(ts, |m| m.div_euclid(1000)),
            mean(h.samples.iter().map(|(_, v)| f64::from(*v))),
            json!({
                "samples": h.samples.iter().map(|(ms, v)| json!([ms.div_euclid(1000), v])).collect::<Vec<_>>(),
                "dropped": h.dropped,
            }),
        ),
        // Reference §7.3: the scored day is `value.timestamp` (local midnight), not the
        // item's timestamp.
        EventData::Readiness(r) => (
            "readiness",
            r.day_ms.map_or(ts, |m| m.div_euclid(1000)),
            r.readiness.map(|v| v as f64),
            json!({
                "sleep_hrv_ms": opt(r.sleep_hrv), "hrv_score": opt(r.hrv_score),
                "sleep_rhr_bpm": opt(r.sleep_rhr), "rhr_score": opt(r.rhr_score),
                "physical_score": opt(r.physical_score), "mental_score": opt(r.mental_score),
                "skin_temp": opt(r.skin_temp), "skin_temp_score": opt(r.skin_temp_score),
                "skin_temp_baseline": opt(r.skin_temp_baseline),
                "item_ts": ts,
            }),
        ),
        EventData::RespiratoryRate(r) => (
            "respiratory_rate",
            ts,
            mean(r.samples.iter().map(|(_, v)| f64::from(*v))),
            json!({
                "samples": r.samples.iter().map(|(ms, v)| json!([ms.div_euclid(1000), v])).collect::<Vec<_>>(),
                "bad_encoding": r.bad_encoding,
            }),
        ),
        _ => return None,
    };
    Some(HealthEventRow {
        kind: kind.to_owned(),
        ts,
        tz_offset: Some(offset(ts)),
        value,
        detail: obj(detail),
        raw: Some(e.raw.to_string()),
    })
}

/// Rows of a batch of events: one per kind and instant. Two readiness items for the same day
/// keep the one with the newest item timestamp (reference §7.2).
pub fn event_rows(events: &[HealthEvent], offset: impl Fn(i64) -> i32) -> Vec<HealthEventRow> {
    let mut out: Vec<HealthEventRow> = Vec::new();
    for e in events {
        let Some(row) = event_row(e, &offset) else {
            continue;
        };
        match out
            .iter_mut()
            .find(|r| r.kind == row.kind && r.ts == row.ts)
        {
            Some(old) if item_ts(&row) >= item_ts(old) => *old = row,
            Some(_) => {}
            None => out.push(row),
        }
    }
    out.sort_by(|a, b| (a.ts, &a.kind).cmp(&(b.ts, &b.kind)));
    out
}

fn item_ts(r: &HealthEventRow) -> i64 {
    r.detail
        .get("item_ts")
        .and_then(Value::as_i64)
        .unwrap_or(r.ts)
}

/// The store row of a weight record.
pub fn weight_row(w: &WeightRecord) -> WeightRow {
    WeightRow {
        ts: w.time,
        device_id: w.device_id.clone(),
        member_id: w.member_id.clone(),
        weight_kg: w.weight_kg,
        height_cm: w.height_cm,
        bmi: w.bmi,
        fat_rate: w.fat_rate,
        body_water_rate: w.body_water_rate,
        bone_mass: w.bone_mass,
        metabolism: w.metabolism,
        muscle_rate: w.muscle_rate,
        visceral_fat: w.visceral_fat,
        impedance: w.impedance,
        body_score: w.body_score,
        summary: w.summary.clone(),
        raw: Some(w.raw.to_string()),
    }
}

/// The store row of a device; `index` names a device the item gives no id or MAC for.
pub fn device_row(d: &Device, index: usize) -> HuamiDeviceRow {
    HuamiDeviceRow {
        device_id: d
            .device_id
            .clone()
            .or_else(|| d.mac.clone())
            .unwrap_or_else(|| format!("device-{index}")),
        mac: d.mac.clone(),
        model: d.model.clone(),
        device_source: d.device_source,
        device_type: d.device_type,
        firmware: d.firmware.clone(),
        hardware: d.hardware.clone(),
        serial: d.serial.clone(),
        active: d.active,
        auth_key: d.auth_key.as_ref().map(|k| k.hex().to_owned()),
        raw: d.raw.to_string(),
    }
}

/// The health values of one local day, for day tables (`mikit fit show`) and the dashboard.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct DayHealth {
    /// Mean of the day's SpO2 readings, %.
    pub spo2: Option<f64>,
    /// The day's average stress.
    pub stress: Option<f64>,
    /// PAI (7-day score) at the end of the day.
    pub pai: Option<f64>,
    /// The day's readiness score.
    pub readiness: Option<f64>,
    /// The day's last weighing, kg.
    pub weight_kg: Option<f64>,
}

impl DayHealth {
    /// True when nothing is known for the day.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The health values of each day in `days` (same order), from the store: each row is counted
/// on the local day (`[local_midnight, next day's midnight)`) that holds its instant.
pub fn day_health(
    store: &mikit_store::Store,
    account: mikit_store::AccountId,
    days: &[mikit_store::DayRow],
) -> Result<Vec<DayHealth>, crate::stats::Error> {
    let mut out = vec![DayHealth::default(); days.len()];
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return Ok(out);
    };
    let end = last.local_midnight + 86_400 + 3_600;
    let day_of = |ts: i64| -> Option<usize> {
        let i = days.partition_point(|d| d.local_midnight <= ts);
        (i > 0 && ts < days.get(i).map_or(end, |d| d.local_midnight)).then(|| i - 1)
    };
    let mut spo2: Vec<(f64, u32)> = vec![(0.0, 0); days.len()];
    store.for_each_health_event::<crate::stats::Error, _>(
        account,
        &["spo2", "stress", "pai", "readiness"],
        first.local_midnight,
        end,
        |e, _| {
            let (Some(i), Some(v)) = (day_of(e.ts), e.value) else {
                return Ok(());
            };
            match e.kind.as_str() {
                "spo2" => {
                    spo2[i].0 += v;
                    spo2[i].1 += 1;
                }
                "stress" => out[i].stress = Some(v),
                "pai" => out[i].pai = Some(v),
                "readiness" => out[i].readiness = Some(v),
                _ => {}
            }
            Ok(())
        },
    )?;
    for (o, (sum, n)) in out.iter_mut().zip(spo2) {
        if n > 0 {
            o.spo2 = Some((sum / f64::from(n) * 10.0).round() / 10.0);
        }
    }
    store.for_each_weight::<crate::stats::Error, _>(
        account,
        first.local_midnight,
        end,
        |w, _| {
            if let (Some(i), Some(kg)) = (day_of(w.ts), w.weight_kg) {
                out[i].weight_kg = Some(kg);
            }
            Ok(())
        },
    )?;
    Ok(out)
}

/// One point of a health series.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct HealthPoint {
    /// UTC epoch seconds.
    pub ts: i64,
    /// UTC offset at `ts`, seconds east, when known.
    pub tz_offset: Option<i32>,
    /// The value (in the kind's unit).
    pub value: f64,
}

/// The values of `kind` (a [`KINDS`] name, or `weight`) in `[from_ts, to_ts)`, by time;
/// rows without a value are left out.
pub fn series(
    store: &mikit_store::Store,
    account: mikit_store::AccountId,
    kind: &str,
    from_ts: i64,
    to_ts: i64,
) -> Result<Vec<HealthPoint>, crate::stats::Error> {
    let mut out = Vec::new();
    if kind == "weight" {
        store.for_each_weight::<crate::stats::Error, _>(account, from_ts, to_ts, |w, _| {
            if let Some(v) = w.weight_kg {
                out.push(HealthPoint {
                    ts: w.ts,
                    tz_offset: None,
                    value: v,
                });
            }
            Ok(())
        })?;
    } else {
        store.for_each_health_event::<crate::stats::Error, _>(
            account,
            &[kind],
            from_ts,
            to_ts,
            |e, _| {
                if let Some(v) = e.value {
                    out.push(HealthPoint {
                        ts: e.ts,
                        tz_offset: e.tz_offset,
                        value: v,
                    });
                }
                Ok(())
            },
        )?;
    }
    Ok(out)
}

/// What is stored of one health stream: the ranges fetched and the records kept.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct HealthCoverage {
    /// The stream (`stress`, `spo2`, …, `weight`).
    pub stream: String,
    /// The ranges fetched, UTC epoch seconds (inclusive); empty: never fetched.
    pub fetched: Vec<(i64, i64)>,
    /// Records stored (of every kind the stream fills).
    pub records: u64,
}

/// The coverage of every health stream and of weight.
pub fn coverage(
    store: &mikit_store::Store,
    account: mikit_store::AccountId,
) -> Result<Vec<HealthCoverage>, crate::stats::Error> {
    let counts: std::collections::HashMap<String, u64> =
        store.health_counts(account)?.into_iter().collect();
    let mut out = Vec::new();
    for s in mikit_huami::EventStream::ALL {
        // A stream's rows are of its own kind; `spo2` also fills the desaturation events.
        let name = s.name();
        let kinds: Vec<&str> = if name == "spo2" {
            vec!["spo2", "spo2_apnea"]
        } else {
            vec![name]
        };
        out.push(HealthCoverage {
            stream: s.name().to_owned(),
            fetched: store.health_fetched(account, s.name())?,
            records: kinds
                .iter()
                .map(|k| counts.get(*k).copied().unwrap_or(0))
                .sum(),
        });
    }
    let mut weights = 0u64;
    store.for_each_weight::<crate::stats::Error, _>(account, i64::MIN, i64::MAX, |_, _| {
        weights += 1;
        Ok(())
    })?;
    out.push(HealthCoverage {
        stream: "weight".to_owned(),
        fetched: store.health_fetched(account, "weight")?,
        records: weights,
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_map_to_rows_with_their_headline_values() {
        let items = [
            json!({"eventType":"all_day_stress","subType":"all_day_stress","timestamp":1_700_000_000_000i64,
                   "avgStress":"43","maxStress":"67","minStress":"5","relaxProportion":"30","normalProportion":"58",
                   "mediumProportion":"12","highProportion":"0",
                   "data":"[{\"time\":1700000000000,\"value\":47},{\"time\":1700000300000,\"value\":40}]"}),
            json!({"eventType":"readiness","subType":"watch_score","timestamp":1_700_000_500_000i64,
                   "value":{"rdnsScore":70,"timestamp":1_699_999_200_000i64,"skinTempCalibrated":3}}),
            json!({"eventType":"readiness","subType":"watch_score","timestamp":1_700_000_900_000i64,
                   "value":{"rdnsScore":72,"timestamp":1_699_999_200_000i64}}),
        ];
        let (events, bad) = mikit_huami::health::decode_events(&items);
        assert!(bad.is_empty(), "{bad:?}");
        let rows = event_rows(&events, |_| 3600);
        assert_eq!(rows.len(), 2, "{rows:?}");
        let readiness = rows.iter().find(|r| r.kind == "readiness").unwrap();
        assert_eq!(readiness.ts, 1_699_999_200);
        assert_eq!(
            readiness.value,
            Some(72.0),
            "the newest item of the day wins"
        );
        let stress = rows.iter().find(|r| r.kind == "stress").unwrap();
        assert_eq!(stress.value, Some(43.0));
        assert_eq!(stress.tz_offset, Some(3600));
        assert_eq!(
            stress.detail["samples"],
            json!([[1_700_000_000i64, 47], [1_700_000_300i64, 40]])
        );
        assert!(KINDS.iter().all(|k| kind(k.name) == Some(k)));
    }
}
