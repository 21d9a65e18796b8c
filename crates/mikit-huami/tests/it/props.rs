//! Property tests: no panic on arbitrary input; minute counts and timestamps consistent.

use base64::Engine as _;
use mikit_huami::credentials::parse_redirect;
use mikit_huami::detail::record_len;
use mikit_huami::envelope::decode_band_data;
use mikit_huami::workout::decode_workout_detail;
use mikit_huami::{decode_day, decode_upload_day};
use proptest::prelude::*;
use serde_json::{Value, json};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,12}".prop_map(Value::from),
        prop::collection::vec(any::<u8>(), 0..40).prop_map(|b| Value::from(b64(&b))),
        Just(Value::from("2026-02-06")),
        Just(Value::from("+3600")),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("date_time".to_owned()),
                    Just("date".to_owned()),
                    Just("summary".to_owned()),
                    Just("data".to_owned()),
                    Just("data_hr".to_owned()),
                    Just("tz".to_owned()),
                    Just("slp".to_owned()),
                    Just("stp".to_owned()),
                    Just("stage".to_owned()),
                    Just("odd_stage".to_owned()),
                    Just("start".to_owned()),
                    Just("stop".to_owned()),
                    Just("mode".to_owned()),
                    Just("st".to_owned()),
                    Just("ed".to_owned()),
                    Just("byteLength".to_owned()),
                    Just("value".to_owned()),
                    Just("hr".to_owned()),
                    Just("maxHr".to_owned()),
                    Just("code".to_owned()),
                    "[a-z]{1,6}",
                ],
                inner,
                0..8
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A summary object with random, possibly absurd, values in the documented places.
fn arb_summary() -> impl Strategy<Value = Value> {
    let stage = (any::<i32>(), any::<i32>(), any::<i16>())
        .prop_map(|(a, b, m)| json!({"start": a % 3000, "stop": b % 3000, "mode": m}));
    (
        arb_json(),
        prop::collection::vec(stage.clone(), 0..8),
        prop::collection::vec(stage, 0..3),
        any::<i64>(),
        any::<i64>(),
        prop_oneof![Just(json!(8)), Just(json!(3)), Just(json!(190)), any::<i64>().prop_map(Value::from), Just(Value::Null)],
    )
        .prop_map(|(tz, st, odd, s, e, bl)| {
            json!({"tz": tz, "byteLength": bl, "slp": {"stage": st, "odd_stage": odd, "st": s, "ed": e},
                   "stp": {"ttl": e, "stage": []}, "hr": {"maxHr": {"hr": s, "ts": e}}})
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn envelope_never_panics(body in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = decode_band_data(&body);
    }

    #[test]
    fn envelope_of_arbitrary_json_never_panics(v in arb_json()) {
        let _ = decode_band_data(v.to_string().as_bytes());
        let _ = decode_band_data(json!({"code": 1, "data": v}).to_string().as_bytes());
    }

    #[test]
    fn decode_day_never_panics(v in arb_json()) {
        let _ = decode_day(&v);
        let _ = decode_upload_day(&v);
    }

    #[test]
    fn workout_detail_never_panics(v in arb_json(), f in prop::collection::vec("[0-9,;. +-]{0,60}", 7), trackid in any::<i64>()) {
        let _ = decode_workout_detail(&v);
        let keys = ["time", "longitude_latitude", "altitude", "heart_rate", "speed", "gait", "pause"];
        let mut d = json!({"trackid": trackid});
        for (k, v) in keys.iter().zip(&f) {
            d[*k] = Value::from(v.as_str());
        }
        let w = decode_workout_detail(&d);
        prop_assert!(w.points.len() <= f[0].split(';').count().max(f[1].split(';').count()));
        prop_assert!(w.route().count() <= f[1].split(';').count());
    }

    #[test]
    fn redirect_parser_never_panics(status in 0u16..700, loc in ".{0,80}", body in prop::collection::vec(any::<u8>(), 0..40)) {
        let _ = parse_redirect(status, Some(&loc), &body);
    }

    #[test]
    fn structured_garbage_never_panics(
        summary in arb_summary(),
        data in prop::collection::vec(any::<u8>(), 0..200),
        hr in prop::collection::vec(any::<u8>(), 0..100),
        encode_summary in any::<bool>(),
    ) {
        let s = if encode_summary { Value::from(b64(summary.to_string().as_bytes())) } else { summary.clone() };
        let item = json!({"date_time": "2026-03-29", "summary": s, "data": b64(&data), "data_hr": b64(&hr)});
        let day = decode_day(&item).unwrap();
        for st in &day.sleep {
            prop_assert!(st.end > st.start);
        }
        let up = json!({"date": "2026-03-29", "summary": summary.to_string(),
            "data": [{"start": 0, "stop": 1439, "value": b64(&data), "tz": 4}], "data_hr": b64(&hr)});
        let _ = decode_upload_day(&up).unwrap();
    }

    /// For any data length and data_hr length: one record per minute covered by either blob,
    /// at local midnight + 60 s × index.
    #[test]
    fn minute_count_and_timestamps(
        data_len in 0usize..3000,
        hr_len in 0usize..1500,
        byte_length in prop_oneof![Just(None), Just(Some(8)), Just(Some(3)), Just(Some(4)), (1i64..300).prop_map(Some)],
        tz in -50_400i32..=50_400,
    ) {
        let data: Vec<u8> = (0..data_len).map(|i| (i * 7 % 251) as u8).collect();
        let hr: Vec<u8> = (0..hr_len).map(|i| (i % 256) as u8).collect();
        let mut summary = json!({"tz": tz.to_string()});
        if let Some(b) = byte_length { summary["byteLength"] = b.into(); }
        let item = json!({"date_time": "2024-02-29", "summary": b64(summary.to_string().as_bytes()),
            "data": b64(&data), "data_hr": b64(&hr)});
        let day = decode_day(&item).unwrap();
        let n = record_len(byte_length, data_len);
        prop_assert!(n == 3 || n == 8 || byte_length == Some(n as i64));
        prop_assert_eq!(day.minutes.len(), (data_len / n).max(hr_len));
        prop_assert_eq!(day.local_midnight, 1_709_164_800 - i64::from(tz));
        for (i, m) in day.minutes.iter().enumerate() {
            prop_assert_eq!(m.ts, day.local_midnight + 60 * i as i64);
            if i < hr_len {
                let v = hr[i];
                prop_assert_eq!(m.heart_rate, (v != 0 && v < 254).then_some(v));
            }
            if i < data_len / n {
                prop_assert_eq!(m.kind, Some(data[i * n]));
                prop_assert_eq!(m.steps, Some(data[i * n + 2]));
            } else {
                prop_assert_eq!(m.kind, None);
            }
        }
        prop_assert_eq!(day.issues.is_empty(), data_len % n == 0);
    }

    /// Stages written relative to the chosen anchor come back at the same absolute times.
    #[test]
    fn stage_round_trip(
        starts in prop::collection::vec((0i64..2800, 1i64..120, 4u8..12), 1..10),
        tz in -43_200i32..=50_400,
        wake_day in any::<bool>(),
    ) {
        let midnight = 1_709_164_800 - i64::from(tz); // 2024-02-29 local midnight
        let anchor = if wake_day { midnight - 86_400 } else { midnight };
        let stages: Vec<Value> = starts.iter().map(|(s, len, m)| json!({"start": s, "stop": s + len - 1, "mode": m})).collect();
        let st = anchor + starts.iter().map(|s| s.0).min().unwrap_or(0) * 60;
        let ed = anchor + starts.iter().map(|s| s.0 + s.1).max().unwrap_or(0) * 60;
        let summary = json!({"tz": tz, "slp": {"st": st, "ed": ed, "stage": stages}});
        let day = decode_day(&json!({"date_time": "2024-02-29", "summary": b64(summary.to_string().as_bytes())})).unwrap();
        prop_assert!(day.issues.is_empty());
        // Either the written anchor wins, or both candidates overlap [st, ed] equally and the
        // tie rule picks the previous day — then the stages still lie within [st, ed] there.
        let got_anchor = day.sleep[0].start - starts[0].0 * 60;
        prop_assert!(got_anchor == anchor || got_anchor == midnight - 86_400);
        for (s, (start, len, mode)) in day.sleep.iter().zip(&starts) {
            prop_assert_eq!(s.start, got_anchor + start * 60);
            prop_assert_eq!(s.end, got_anchor + (start + len) * 60);
            prop_assert_eq!(s.mode, *mode);
        }
        let rem: i64 = starts.iter().filter(|s| s.2 == 8 || s.2 == 11).map(|s| s.1).sum();
        prop_assert_eq!(day.totals.rem_min, Some(rem as u32));
    }
}
