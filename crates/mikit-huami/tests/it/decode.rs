//! The decoders against the reference vectors HV3–HV10 and the copied fixtures.

use std::collections::BTreeMap;

use base64::Engine as _;
use mikit_huami::day::decode_base64;
use mikit_huami::detail::{HR_NO_DATA, HR_NOT_MEASURED};
use mikit_huami::envelope::decode_band_data;
use mikit_huami::model::SleepStageKind;
use mikit_huami::{DecodeError, decode_day, decode_upload_day};
use serde_json::{Value, json};

pub fn data(name: &str) -> String {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn b64(v: &Value) -> String {
    base64::engine::general_purpose::STANDARD.encode(v.to_string())
}

fn first_item(file: &str) -> Value {
    let items = decode_band_data(data(file).as_bytes()).unwrap();
    assert_eq!(items.len(), 1);
    items.into_iter().next().unwrap()
}

/// HV3 — ZB `src-tauri/src/normalizer/mod.rs` test
/// `night_sleep_stages_anchor_to_previous_day_midnight` (wake-day convention).
#[test]
fn hv3_wake_day_anchor() {
    let summary = json!({"tz": 28800, "slp": {"st": 1_786_897_200_i64, "ed": 1_786_930_620_i64, "stage": [
        {"mode": 4, "start": 1460, "stop": 1471},
        {"mode": 5, "start": 1472, "stop": 1484},
        {"mode": 11, "start": 1485, "stop": 1492}]}});
    let day = decode_day(&json!({"date_time": "2026-08-17", "summary": b64(&summary)})).unwrap();
    assert!(day.issues.is_empty(), "{:?}", day.issues);
    // 2026-08-17 00:00 +08:00
    assert_eq!(day.local_midnight, 1_786_896_000);
    assert_eq!(
        day.sleep[0].start, 1_786_897_200,
        "first stage starts exactly at st"
    );
    assert_eq!(day.sleep[2].kind, SleepStageKind::Rem, "mode 11 = REM");
    assert_eq!(day.sleep[2].end - day.sleep[2].start, 8 * 60);
    assert_eq!(day.totals.rem_min, Some(8));
}

/// HV4 — EVAN `docs/api-reference.md` example (fell-asleep-day convention):
/// `date_time 2026-02-06`, `tz -21600`, `st 1770445860`, first stage `start 1471`.
#[test]
fn hv4_fell_asleep_day_anchor() {
    let st = 1_770_445_860_i64;
    let summary = json!({"tz": "-21600", "slp": {"st": st, "ed": st + 400 * 60, "stage": [
        {"start": 1471, "stop": 1600, "mode": 4}, {"start": 1601, "stop": 1870, "mode": 5}]}});
    let day = decode_day(&json!({"date_time": "2026-02-06", "summary": b64(&summary)})).unwrap();
    assert_eq!(day.tz_offset, -21600);
    assert_eq!(day.local_midnight, 1_770_357_600, "2026-02-06 00:00 -06:00");
    assert_eq!(day.sleep[0].start, st, "anchor = date_time local midnight");
    assert_eq!(day.totals.rem_min, Some(0));
}

/// HV5 — `fixtures/huami/band_data_day.json` (J-solan/zepp-dashboard): same-day overlap
/// 12 900 s, previous-day 0 s ⇒ anchor = `date_time` local midnight. Also the 8-byte records.
#[test]
fn hv5_jsolan_fixture() {
    let day = decode_day(&first_item("band_data_day.json")).unwrap();
    assert!(day.issues.is_empty(), "{:?}", day.issues);
    assert_eq!(day.date, jiff::civil::date(2006, 7, 26));
    assert_eq!(day.tz_offset, 3600);
    assert_eq!(day.local_midnight, 1_153_872_000 - 3600);
    let night: Vec<_> = day.sleep.iter().filter(|s| !s.nap).collect();
    assert_eq!(night.len(), 6);
    assert_eq!(night[0].start, day.local_midnight + 1440 * 60);
    assert_eq!(night[5].end, day.local_midnight + 1715 * 60);
    let in_bed: i64 = night
        .iter()
        .map(|s| s.end.min(1_153_974_900) - s.start.max(1_153_958_400))
        .filter(|&o| o > 0)
        .sum();
    assert_eq!(in_bed, 12_900);
    // Totals of the summary, REM derived from the single mode-8 stage 1570..=1599.
    let t = &day.totals;
    assert_eq!(
        (t.steps, t.distance_m, t.kcal, t.goal),
        (Some(8272), Some(3545), Some(222), Some(8000))
    );
    assert_eq!(
        (t.deep_min, t.light_min, t.awake_min),
        (Some(60), Some(180), Some(5))
    );
    assert_eq!(
        (t.sleep_score, t.resting_hr, t.rem_min),
        (Some(89), Some(59), Some(30))
    );
    assert_eq!(
        (t.sleep_start, t.sleep_end),
        (Some(1_153_958_400), Some(1_153_974_900))
    );
    // byteLength 8: 11 520 bytes = 1440 records; data_hr 1440 bytes.
    assert_eq!(day.minutes.len(), 1440);
    assert_eq!(day.minutes[0].ts, day.local_midnight);
    assert_eq!(day.minutes[1439].ts, day.local_midnight + 1439 * 60);
    // Unknown keys preserved.
    assert_eq!(day.summary_json["algv"], "2.13.14");
    assert_eq!(day.summary_json["slp"]["sleepAlgoVersion"], "4.0.17");
    assert_eq!(day.source, Some(1_000_001));
    assert_eq!(day.device_id.as_deref(), Some("SYNTHDEV0001"));
}

/// HV8 — the JSOLAN `data_hr`: sentinel positions 5, 142, 547, 565, 579, 696, 849, 1039.
#[test]
fn hv8_jsolan_hr_sentinels() {
    let item = first_item("band_data_day.json");
    let day = decode_day(&item).unwrap();
    let missing: Vec<usize> = day
        .minutes
        .iter()
        .enumerate()
        .filter(|(_, m)| m.heart_rate.is_none())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(missing, [5, 142, 547, 565, 579, 696, 849, 1039]);
    let raw = decode_base64(item["data_hr"].as_str().unwrap()).unwrap();
    assert_eq!(raw[849], 0);
    assert!(
        missing
            .iter()
            .filter(|&&i| i != 849)
            .all(|&i| raw[i] == HR_NO_DATA)
    );
    // The other minutes carry the data_hr byte, not byte 3 of the record.
    assert_eq!(day.minutes[0].heart_rate, Some(raw[0]));
    // Records: bytes 0..3 of each 8-byte record.
    let rec = decode_base64(item["data"].as_str().unwrap()).unwrap();
    assert_eq!(day.minutes[10].kind, Some(rec[80]));
    assert_eq!(day.minutes[10].intensity, Some(rec[81]));
    assert_eq!(day.minutes[10].steps, Some(rec[82]));
}

/// HV6 + HV7 — `fixtures/huami/band_data_detail.json` (bgallois/zepp-health-rs):
/// `tz "+3600"`, both overlaps 0 ⇒ previous-day anchor; `data_hr` `/wA9gP7/AAA=`
/// → valid bpm only 61 and 128 at indices 2 and 3; `data` `[0,1,2,3,4,5]` → two 3-byte records.
#[test]
fn hv6_hv7_zhrs_fixture() {
    let day = decode_day(&first_item("band_data_detail.json")).unwrap();
    assert!(day.issues.is_empty(), "{:?}", day.issues);
    assert_eq!(day.tz_offset, 3600);
    let prev_midnight = day.local_midnight - 86_400;
    assert_eq!(
        day.sleep[0].start,
        prev_midnight + 1380 * 60,
        "tie → previous-day anchor"
    );
    assert_eq!(day.sleep[1].start, prev_midnight + 1445 * 60);
    assert_eq!(day.sleep[1].kind, SleepStageKind::Rem);
    assert_eq!(day.totals.rem_min, Some(56));
    let hr: Vec<Option<u8>> = day.minutes.iter().map(|m| m.heart_rate).collect();
    assert_eq!(
        hr,
        [None, None, Some(61), Some(128), None, None, None, None]
    );
    assert_eq!(
        (
            day.minutes[0].kind,
            day.minutes[0].intensity,
            day.minutes[0].steps
        ),
        (Some(0), Some(1), Some(2))
    );
    assert_eq!(
        (day.minutes[1].kind, day.minutes[1].steps),
        (Some(3), Some(5))
    );
    assert_eq!(day.minutes[2].kind, None);
    assert_eq!(day.activities.len(), 1);
    assert_eq!(day.activities[0].start, day.local_midnight + 3600);
    assert_eq!(day.activities[0].steps, Some(12));
}

/// HV9 + HV10 — the real 2021 Mi Fit upload of TonyJiangWJ/mimotion `util/zepp_helper.py`
/// (`fixtures/huami/mimotion_upload_day.json`).
#[test]
fn hv9_hv10_mimotion_upload() {
    let upload: Value = serde_json::from_str(&data("mimotion_upload_day.json")).unwrap();
    let item = &upload[0];
    let day = decode_upload_day(item).unwrap();
    assert!(day.issues.is_empty(), "{:?}", day.issues);
    // HV10: segment tz 32 quarter-hours ≡ summary tz "28800".
    assert_eq!(item["data"][0]["tz"], 32);
    assert_eq!(day.tz_offset, 28800);
    assert_eq!(day.local_midnight, 1_628_265_600, "2021-08-07 00:00 +08:00");
    assert_eq!(day.minutes.len(), 1440);
    // Minute 39 = 01 32 0f: kind 1, intensity 50, 15 steps.
    let m39 = day.minutes[39];
    assert_eq!(
        (m39.kind, m39.intensity, m39.steps),
        (Some(1), Some(50), Some(15))
    );
    assert_eq!(m39.ts, day.local_midnight + 39 * 60);
    // Kind histogram.
    let mut kinds: BTreeMap<u8, usize> = BTreeMap::new();
    for m in &day.minutes {
        *kinds.entry(m.kind.unwrap()).or_default() += 1;
    }
    let expected: BTreeMap<u8, usize> = [
        (126, 783),
        (112, 253),
        (80, 232),
        (96, 55),
        (90, 55),
        (121, 22),
        (89, 13),
        (122, 11),
        (91, 5),
        (92, 4),
        (1, 3),
        (16, 2),
        (105, 1),
        (108, 1),
    ]
    .into_iter()
    .collect();
    assert_eq!(kinds, expected);
    // HR: 783 × 254, 425 × 255, 232 valid values 48–107; every kind-126 minute has HR 254.
    let hr = decode_base64(item["data_hr"].as_str().unwrap()).unwrap();
    assert_eq!(hr.iter().filter(|&&v| v == HR_NO_DATA).count(), 783);
    assert_eq!(hr.iter().filter(|&&v| v == HR_NOT_MEASURED).count(), 425);
    let bpm: Vec<u8> = day.minutes.iter().filter_map(|m| m.heart_rate).collect();
    assert_eq!(bpm.len(), 232);
    assert!(bpm.iter().all(|v| (48..=107).contains(v)));
    for (i, m) in day.minutes.iter().enumerate() {
        if m.kind == Some(126) {
            assert_eq!(hr[i], HR_NO_DATA, "minute {i}");
        }
    }
    // The no-data tail starts at 10:57.
    assert!(day.minutes[657..].iter().all(|m| m.kind == Some(126)));
    assert_ne!(day.minutes[656].kind, Some(126));
    // Summary: 17 activity stages, steps.
    assert_eq!(day.activities.len(), 17);
    assert_eq!(day.activities[0].start, day.local_midnight + 327 * 60);
    assert_eq!(day.activities[0].end, day.local_midnight + 342 * 60);
    assert_eq!(day.activities[0].steps, Some(680));
    assert_eq!(day.totals.steps, Some(18272));
    // `slp` is `st == ed` with zero minutes, score 0 and `rhr` 0: the placeholder of a day
    // without a night. Nothing was measured, so nothing is reported (issue 9).
    assert_eq!(
        (
            day.totals.sleep_start,
            day.totals.sleep_end,
            day.totals.deep_min,
            day.totals.sleep_score,
            day.totals.resting_hr
        ),
        (None, None, None, None, None)
    );
    assert_eq!(day.source, Some(24));
    assert!(day.sleep.is_empty());
}

/// The upload converted to the download shape (reference §14: summary string → base64,
/// segment tz → summary tz) decodes to the same day.
#[test]
fn upload_and_download_shapes_agree() {
    let upload: Value = serde_json::from_str(&data("mimotion_upload_day.json")).unwrap();
    let u = &upload[0];
    let download = json!({
        "date_time": u["date"], "source": u["source"],
        "summary": base64::engine::general_purpose::STANDARD.encode(u["summary"].as_str().unwrap()),
        "data": u["data"][0]["value"], "data_hr": u["data_hr"],
    });
    assert_eq!(
        decode_day(&download).unwrap(),
        decode_upload_day(u).unwrap()
    );
}

#[test]
fn upload_segments_at_offsets_and_tz_fallback() {
    let seg = |start: i64, bytes: &[u8]| json!({"start": start, "stop": start + 1, "tz": -20, "value": base64::engine::general_purpose::STANDARD.encode(bytes)});
    let item = json!({"date": "2026-01-02", "summary": "{\"stp\":{\"ttl\":5}}",
        "data": [seg(10, &[1, 2, 3, 4, 5, 6]), seg(100, &[7, 8, 9])]});
    let day = decode_upload_day(&item).unwrap();
    assert_eq!(day.tz_offset, -18_000, "-20 quarter-hours");
    let offs: Vec<i64> = day
        .minutes
        .iter()
        .map(|m| (m.ts - day.local_midnight) / 60)
        .collect();
    assert_eq!(offs, [10, 11, 100]);
    assert_eq!(day.minutes[2].kind, Some(7));
}

#[test]
fn unusable_items_are_typed_errors() {
    assert_eq!(
        decode_day(&json!([1])),
        Err(DecodeError::NotAnObject { found: "a list" })
    );
    assert_eq!(
        decode_day(&json!({"summary": "e30="})),
        Err(DecodeError::MissingDate { field: "date_time" })
    );
    assert!(matches!(
        decode_day(&json!({"date_time": "yesterday"})),
        Err(DecodeError::BadDate { .. })
    ));
    assert!(matches!(
        decode_day(&json!({"date_time": 20260206})),
        Err(DecodeError::BadDate { .. })
    ));
    assert!(matches!(
        decode_upload_day(&json!({"data": []})),
        Err(DecodeError::MissingDate { field: "date" })
    ));
}

#[test]
fn malformed_parts_give_a_partial_day() {
    let day = decode_day(&json!({
        "date_time": "2026-02-06",
        "summary": "%%% not base64",
        "data": "AAEC",
        "data_hr": 17,
    }))
    .unwrap();
    assert!(day.is_partial());
    let fields: Vec<&str> = day.issues.iter().map(|i| i.field.as_str()).collect();
    assert!(
        fields.contains(&"summary")
            && fields.contains(&"data_hr")
            && fields.contains(&"summary.tz"),
        "{fields:?}"
    );
    assert_eq!(
        day.minutes.len(),
        1,
        "the data blob still decodes (anchored at UTC midnight)"
    );
    assert_eq!(day.summary_json, Value::Null);

    // A summary that is valid base64 of non-JSON, a bad stage, a string version, ms start.
    let summary = json!({"v": "6", "tz": "+0", "slp": {"st": 1_770_000_000_000_i64, "ed": 1_770_003_600, "stage": [{"start": 5}]}, "stp": [1]});
    let day = decode_day(&json!({"date_time": "2026-02-02", "summary": b64(&summary)})).unwrap();
    assert_eq!(day.totals.sleep_start, Some(1_770_000_000));
    let fields: Vec<&str> = day.issues.iter().map(|i| i.field.as_str()).collect();
    assert_eq!(fields, ["stp", "slp.stage[0]"]);
    let day = decode_day(&json!({"date_time": "2026-02-02", "summary": "bm90IGpzb24="})).unwrap();
    assert_eq!(day.issues[0].field, "summary");
}

#[test]
fn naps_are_anchored_independently() {
    // Night stages overlap [st, ed] on the same day; the nap (odd_stage) does not, so by the
    // tie rule it is anchored at the previous-day midnight (reference §13.1).
    let summary = json!({"tz": "0", "slp": {"st": 1_770_336_000 + 1440 * 60, "ed": 1_770_336_000 + 1500 * 60,
        "stage": [{"start": 1440, "stop": 1499, "mode": 5}],
        "odd_stage": [{"start": 840, "stop": 869, "mode": 4}]}});
    let day = decode_day(&json!({"date_time": "2026-02-06", "summary": b64(&summary)})).unwrap();
    let nap = day.sleep.iter().find(|s| s.nap).unwrap();
    let night = day.sleep.iter().find(|s| !s.nap).unwrap();
    assert_eq!(night.start, day.local_midnight + 1440 * 60);
    assert_eq!(nap.start, day.local_midnight - 86_400 + 840 * 60);
    assert_eq!(day.totals.rem_min, Some(0));
}

#[test]
fn max_hr_and_byte_length_rule() {
    // EVAN `docs/api-reference.md`: hr.maxHr {hr 158, ts 1770422906}; byteLength 190 does not
    // divide 16 bytes, 16 % 3 != 0 ⇒ 8-byte records (reference §13.2).
    let summary =
        json!({"tz": "0", "byteLength": 190, "hr": {"maxHr": {"hr": 158, "ts": 1_770_422_906}}});
    let rec = [9, 1, 2, 77, 0, 0, 0, 0, 9, 1, 2, 254, 0, 0, 0, 0];
    let day = decode_day(&json!({"date_time": "2026-02-06", "summary": b64(&summary),
        "data": base64::engine::general_purpose::STANDARD.encode(rec)}))
    .unwrap();
    assert_eq!(day.totals.max_hr, Some(158));
    assert_eq!(day.totals.max_hr_at, Some(1_770_422_906));
    assert_eq!(day.minutes.len(), 2);
    assert_eq!(
        day.minutes[0].heart_rate,
        Some(77),
        "byte 3 without data_hr"
    );
    assert_eq!(day.minutes[1].heart_rate, None);
}

// Issue 10, part 1: the first day with data is read by the decoder's own date rule, so the
// application layer never looks at the `date_time` field itself.
#[test]
fn first_day_with_data_reads_the_item_dates() {
    use mikit_huami::{first_day_with_data, item_date, item_date_text};
    let items = vec![
        json!({"date_time": "2024-03-02", "summary": null}),
        json!({"date_time": "2024-02-29 00:00:00"}),
        json!({"date_time": "not a date"}),
        json!("not an object"),
        json!({"summary": null}),
    ];
    assert_eq!(
        first_day_with_data(&items),
        Some(jiff::civil::date(2024, 2, 29))
    );
    assert_eq!(first_day_with_data(&items[2..]), None);
    assert_eq!(first_day_with_data(&[]), None);
    assert!(matches!(
        item_date(&items[2]),
        Err(DecodeError::BadDate { .. })
    ));
    assert!(matches!(
        item_date(&items[4]),
        Err(DecodeError::MissingDate { .. })
    ));
    assert_eq!(item_date_text(&items[2]), Some("not a date"));
    assert_eq!(item_date_text(&items[3]), None);
    // The same day the full decoder files the item under.
    assert_eq!(
        item_date(&items[0]).unwrap(),
        decode_day(&items[0]).unwrap().date
    );
}
