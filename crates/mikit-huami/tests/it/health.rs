//! Health events, devices and weight decoders against the reference's samples (§7, §8,
//! §9 g) and the shared fixtures copied to `tests/data/` (see `PROVENANCE.md`), plus
//! property tests: arbitrary JSON never panics.

use mikit_huami::devices::{decode_device, decode_devices};
use mikit_huami::health::{EventData, decode_event, decode_events, items_of_answer};
use mikit_huami::signin::{parse_pasted_code, parse_pasted_token};
use mikit_huami::weight::{decode_weight, decode_weight_page};
use proptest::prelude::*;
use serde_json::{Value, json};

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn zhrs_stress_fixture() {
    let body = fixture("events.json");
    let items = items_of_answer(&body).unwrap();
    let (events, bad) = decode_events(&items);
    assert!(bad.is_empty());
    let e = &events[0];
    assert_eq!(e.timestamp_ms, 1_700_000_000_000);
    let EventData::Stress(s) = &e.data else {
        panic!("{:?}", e.data)
    };
    assert_eq!(s.avg, Some(43));
    assert_eq!(s.samples, vec![(1_700_000_000_000, 47)]);
    assert_eq!(e.raw, items[0]);
}

#[test]
fn zhrs_hrv_fixture() {
    let e = decode_event(&fixture("hrv_event.json")).unwrap();
    let EventData::Hrv(h) = &e.data else {
        panic!("{:?}", e.data)
    };
    assert_eq!(h.start_ms, Some(1_790_000_000_000));
    // `s` is an ms offset from `startTime`.
    assert_eq!(
        h.samples,
        vec![(1_790_009_000_000, 48), (1_790_009_060_000, 56)]
    );
}

#[test]
fn zhrs_readiness_fixture() {
    let e = decode_event(&fixture("readiness_watch_score.json")).unwrap();
    let EventData::Readiness(r) = &e.data else {
        panic!("{:?}", e.data)
    };
    assert_eq!(r.sleep_hrv, Some(49));
    assert_eq!(r.hrv_score, Some(69));
    assert_eq!(r.sleep_rhr, Some(48));
    assert_eq!(r.skin_temp, Some(9));
    assert_eq!(r.skin_temp_score, Some(98));
    assert_eq!(r.skin_temp_baseline, Some(-3));
    // Absent fields and the 255 sentinel are None.
    assert_eq!(r.readiness, None);
    let mut v = fixture("readiness_watch_score.json");
    v["value"]["hrvScore"] = json!(255);
    let EventData::Readiness(r) = decode_event(&v).unwrap().data else {
        panic!()
    };
    assert_eq!(r.hrv_score, None);
}

#[test]
fn zhrs_respiratory_fixture() {
    // `Dg4OAA8=` = [14, 14, 14, 0, 15]; minute 0 = the item's UTC midnight, 0 = none.
    let e = decode_event(&fixture("respiratory_rate_event.json")).unwrap();
    let EventData::RespiratoryRate(r) = &e.data else {
        panic!("{:?}", e.data)
    };
    let t0 = 1_790_812_800_000;
    assert_eq!(
        r.samples,
        vec![
            (t0, 14),
            (t0 + 60_000, 14),
            (t0 + 120_000, 14),
            (t0 + 240_000, 15)
        ]
    );
}

#[test]
fn pai_item() {
    // Field names of §7.1 (WEDDLE, BAIT); numbers may be strings.
    let e = decode_event(&json!({"eventType":"PaiHealthInfo","timestamp":1_790_812_800_000_i64,
        "dailyPai":"3.5","totalPai":62.25,"restHr":55,"maxHr":255,"lowZoneMinutes":20,
        "mediumZoneMinutes":5,"highZoneMinutes":0,"lowZonePai":2,"mediumZonePai":1.5,"highZonePai":0,
        "lowZoneLowerLimit":100,"mediumZoneLowerLimit":130,"highZoneLowerLimit":160}))
    .unwrap();
    let EventData::Pai(p) = e.data else { panic!() };
    assert_eq!((p.daily, p.total), (Some(3.5), Some(62.25)));
    assert_eq!((p.rest_hr, p.max_hr), (Some(55), None));
    assert_eq!(p.zone_minutes, [Some(20), Some(5), Some(0)]);
    assert_eq!(p.zone_lower_limit, [Some(100), Some(130), Some(160)]);
}

#[test]
fn weight_and_devices_of_the_reference() {
    let p = decode_weight_page(&json!({"items":[
        {"generatedTime":1_790_000_000,"weightType":0,"memberId":"-1","summary":{"weight":70.1,"bmi":22.1}},
        {"generatedTime":1_789_000_000,"weightType":3,"summary":{"weight":0}}
    ],"next":1_788_999_999}))
    .unwrap();
    assert_eq!(
        (p.records.len(), p.skipped_broken, p.next),
        (1, 1, 1_788_999_999)
    );
    let d = decode_devices(
        &json!({"items":[{"macAddress":"AA:BB:CC:DD:EE:FF","activeStatus":1,
        "additionalInfo":"{\"auth_key\": \"deadbeef\"}"}]}),
    )
    .unwrap();
    assert_eq!(
        d.0[0].auth_key.as_ref().unwrap().huami_token_format(),
        "0xdeadbeef"
    );
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,12}".prop_map(Value::from),
        Just(Value::from("Dg4OAA8=")),
        Just(Value::from("[{\"time\":1,\"value\":5}]")),
        Just(Value::from("{\"spo2\":97,\"auth_key\":\"ab\"}")),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("eventType".to_owned()),
                    Just("subType".to_owned()),
                    Just("timestamp".to_owned()),
                    Just("value".to_owned()),
                    Just("extra".to_owned()),
                    Just("data".to_owned()),
                    Just("samples".to_owned()),
                    Just("startTime".to_owned()),
                    Just("s".to_owned()),
                    Just("hrv".to_owned()),
                    Just("measurements".to_owned()),
                    Just("items".to_owned()),
                    Just("next".to_owned()),
                    Just("generatedTime".to_owned()),
                    Just("weightType".to_owned()),
                    Just("summary".to_owned()),
                    Just("additionalInfo".to_owned()),
                    Just("activeStatus".to_owned()),
                    ".{0,8}",
                ],
                inner,
                0..8,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn typed_event() -> impl Strategy<Value = Value> {
    let kinds = prop_oneof![
        Just(("all_day_stress", "all_day_stress")),
        Just(("blood_oxygen", "click")),
        Just(("blood_oxygen", "osa_event")),
        Just(("blood_oxygen", "odi")),
        Just(("PaiHealthInfo", "")),
        Just(("HRVRMSSD", "real_data")),
        Just(("readiness", "watch_score")),
        Just(("RespiratoryRate", "real_data")),
    ];
    let ts = prop_oneof![any::<i64>(), Just(i64::MAX), Just(i64::MIN)];
    let value = prop_oneof![
        arb_json(),
        Just(
            json!({"measurements": "Dg4OAA8=", "startTime": i64::MAX, "samples": [{"s": 5, "hrv": 40}]})
        ),
    ];
    (kinds, ts, value, arb_json(), arb_json()).prop_map(|((t, st), ts, value, extra, data)| {
        json!({"eventType": t, "subType": st, "timestamp": ts, "value": value,
                   "extra": extra, "data": data, "samples": value.clone()})
    })
}

proptest! {
    #[test]
    fn decoders_never_panic(v in arb_json()) {
        let _ = decode_event(&v);
        let _ = items_of_answer(&v);
        let _ = decode_device(&v);
        let _ = decode_devices(&v);
        let _ = decode_weight(&v);
        let _ = decode_weight_page(&v);
        if let Some(s) = v.as_str() {
            let _ = parse_pasted_code(s);
            let _ = parse_pasted_token(s, Some("1"));
        }
    }

    #[test]
    fn typed_events_never_panic_and_keep_raw(v in typed_event()) {
        let e = decode_event(&v).expect("header is valid");
        prop_assert_eq!(&e.raw, &v);
        if let EventData::Stress(s) = &e.data {
            prop_assert!(s.samples.iter().all(|(_, x)| (1..=100).contains(x)));
        }
        if let EventData::RespiratoryRate(r) = &e.data {
            prop_assert!(r.samples.len() <= 1440);
        }
    }

    #[test]
    fn pasted_text_never_panics(s in "\\PC{0,80}") {
        let _ = parse_pasted_code(&s);
        let _ = parse_pasted_token(&s, None);
    }
}
