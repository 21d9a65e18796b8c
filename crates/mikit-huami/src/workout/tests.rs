//! The examples of reference `huami-cloud.md` §6.3 and vector HV2, one stream at a time.

use serde_json::json;

use super::*;

/// HV2 — ZB `src-tauri/src/decoder/workout_detail.rs` test `decodes_documented_gps_deltas`.
#[test]
fn hv2_documented_gps_deltas() {
    let d = json!({"trackid":1700000000,"source":"run.gps","time":"0;2;2;",
        "longitude_latitude":"4004663552,11629333504;16403,8392;;;;14877,8392;",
        "altitude":"-2000000;7800;7772;","heart_rate":"11,80;0,10;7,-6;","speed":"2,1.20;4,2.45;",
        "gait":"2,0,71,160;2,2,74,164;","pause":"1700000060,10,1,2,2;"});
    let w = decode_workout_detail(&d);
    assert!(w.issues.is_empty(), "{:?}", w.issues);
    // "3 route points"; the three empty entries stay as points without a fix.
    assert_eq!(w.points.len(), 6);
    let route: Vec<_> = w.route().collect();
    assert_eq!(route.len(), 3);
    let (p, pos) = route[0];
    assert_eq!(
        (p.ts, pos.lat, pos.lon),
        (1_700_000_000, 40.046_635_52, 116.293_335_04)
    );
    assert_eq!(p.altitude_m, None, "-2000000 is no altitude");
    assert_eq!(
        w.altitudes_backfilled()[..3],
        [Some(78.0), Some(78.0), Some(77.72)],
        "alt 78.0 m (leading -2000000 back-filled)"
    );
    assert_eq!(w.points[1].ts, 1_700_000_002);
    assert!((route[1].1.lat - 40.046_799_55).abs() < 1e-9);
    // Entries 3..5 lie beyond `time`: no time added, no altitude sent.
    assert_eq!(w.points[5].ts, 1_700_000_004);
    assert_eq!(w.points[5].altitude_m, None);
    assert!((route[2].1.lat - 40.046_948_32).abs() < 1e-9);
    let bpm: Vec<u8> = w.heart_rate.iter().map(|h| h.bpm).collect();
    assert_eq!(bpm, [80, 90, 84], "HR values 80 and 84 appear");
    assert_eq!(w.heart_rate[2].ts, 1_700_000_018);
    assert_eq!(
        w.pauses,
        [WorkoutPause {
            start: 1_700_000_060,
            end: 1_700_000_070,
            start_index: Some(1),
            stop_index: Some(2),
            kind: PauseKind::Manual,
        }],
        "1 manual pause"
    );
    assert_eq!(w.gait[0].stride_cm, Some(71), "stride 71 cm");
    assert_eq!(w.gait[1].steps, 2);
    assert_eq!(w.speed[1].ts, 1_700_000_006);
    assert_eq!(w.source.as_deref(), Some("run.gps"));
}

/// §6.3 `longitude_latitude` example: an empty entry is a missing point that keeps the
/// alignment of the other point streams.
#[test]
fn missing_fixes_keep_alignment() {
    let w = decode_workout_detail(&json!({"trackid": 1_700_000_000,
        "time": "0;1;1;1;1;1;",
        "longitude_latitude": "4004663552,11629333504;16403,8392;;;;14877,8392;",
        "altitude": "100;200;300;-2000000;500;600;",
        "accuracy": "3;4;;-1;5;6;"}));
    assert!(w.issues.is_empty(), "{:?}", w.issues);
    let has_fix: Vec<bool> = w.points.iter().map(|p| p.position.is_some()).collect();
    assert_eq!(has_fix, [true, true, false, false, false, true]);
    let alt: Vec<Option<f64>> = w.points.iter().map(|p| p.altitude_m).collect();
    assert_eq!(
        alt,
        [Some(1.0), Some(2.0), Some(3.0), None, Some(5.0), Some(6.0)]
    );
    assert_eq!(w.points[5].ts, 1_700_000_005);
    assert_eq!(w.points[5].accuracy_m, Some(6.0));
    assert_eq!(w.points[3].accuracy_m, None);
    // Back-filling touches the leading run only.
    assert_eq!(w.altitudes_backfilled()[3], None);
}

/// §6.3 `heart_rate` example `11,80;0,10;7,-6;4,1;,-1;` (empty dt = 1).
#[test]
fn heart_rate_empty_dt_means_one() {
    let w = decode_workout_detail(
        &json!({"trackid": "100", "heart_rate": "11,80;0,10;7,-6;4,1;,-1;x;1,-300;"}),
    );
    let hr: Vec<(i64, u8)> = w.heart_rate.iter().map(|h| (h.ts, h.bpm)).collect();
    assert_eq!(
        hr,
        [(111, 80), (111, 90), (118, 84), (122, 85), (123, 84)],
        "a value of 0 or less is no contact: no sample"
    );
    assert_eq!(w.issues.len(), 1, "{:?}", w.issues);
    assert_eq!(w.issues[0].field, "heart_rate[5]");
}

/// §6.3 `pause` example `1439383257,555,100,123,2;`, an auto pause, and the H3LL swim's
/// type 1 with indexes -1.
#[test]
fn pauses() {
    let w = decode_workout_detail(&json!({
        "pause": "1439383257,555,100,123,2;1439384000,30,200,201,3;1654683846,2,-1,-1,1;1,-5,0,0,2;"}));
    assert_eq!(w.pauses.len(), 3);
    let p = w.pauses[0];
    assert_eq!(
        (p.start, p.end, p.start_index, p.stop_index, p.kind),
        (
            1_439_383_257,
            1_439_383_812,
            Some(100),
            Some(123),
            PauseKind::Manual
        )
    );
    assert_eq!(w.pauses[1].kind, PauseKind::Auto);
    assert_eq!(w.pauses[2].kind, PauseKind::Other(1));
    assert_eq!(w.pauses[2].start_index, None);
    assert_eq!(w.issues.len(), 1, "negative duration reported");
}

/// `gait` (`dt,dsteps,stride_cm,cadence`; §9 (b) excerpt), `speed`, `distance`.
#[test]
fn gait_speed_distance() {
    let w = decode_workout_detail(&json!({"trackid": 1000,
        "gait": "1,3,0,0;1,3,0,0;1,2,53,0;1,0,53,168;1,11,53,168;",
        "speed": "1,0.0;1,0.34602076;1,-1;",
        "distance": "1,0;1,2;1,0;1,2.5;"}));
    assert!(w.issues.is_empty(), "{:?}", w.issues);
    let g: Vec<(i64, u32, Option<u16>, Option<u16>)> = w
        .gait
        .iter()
        .map(|g| (g.ts, g.steps, g.stride_cm, g.cadence))
        .collect();
    assert_eq!(
        g,
        [
            (1001, 3, None, None),
            (1002, 6, None, None),
            (1003, 8, Some(53), None),
            (1004, 8, Some(53), Some(168)),
            (1005, 19, Some(53), Some(168)),
        ]
    );
    let s: Vec<(i64, f64)> = w.speed.iter().map(|s| (s.ts, s.m_per_s)).collect();
    assert_eq!(
        s,
        [(1001, 0.0), (1002, 0.346_020_76)],
        "a negative speed is none"
    );
    let d: Vec<(i64, f64)> = w.distance.iter().map(|d| (d.ts, d.meters)).collect();
    assert_eq!(d, [(1001, 0.0), (1002, 2.0), (1003, 2.0), (1004, 4.5)]);
}

/// `kilo_pace` rows of 6 (§9 (b)), 14 and 15 columns (ZeppBridge PR #53): the known columns
/// are read from each; `daily_performance_info` (§6.3 example).
#[test]
fn kilo_pace_rows_of_6_14_15_columns() {
    let w = decode_workout_detail(&json!({
        "kilo_pace": concat!(
            "0,327,wx4g0bm6c408,-1,-1,327;",
            "1,322,wx4g0bm6c409,-1,-1,649;",
            "2,329,wx4g0bm6c40b,1,2,3,4,5,6,7,8,9,10,11;",
            "3,314,,1,2,3,4,5,6,7,8,9,10,11,12;",
            "x,1;"),
        "mile_pace": "0,530,-1,-1,-1,530;",
        "daily_performance_info": "1.002,0;2.002,-5;"}));
    let k = &w.kilo_splits;
    assert_eq!(k.len(), 4);
    assert_eq!(
        (k[0].index, k[0].seconds, k[0].cumulative_s, k[0].columns),
        (0, 327.0, Some(327.0), 6)
    );
    assert_eq!(k[0].geohash.as_deref(), Some("wx4g0bm6c408"));
    assert_eq!(k[1].cumulative_s, Some(649.0));
    assert_eq!(
        (k[2].seconds, k[2].columns, k[2].cumulative_s),
        (329.0, 14, None)
    );
    assert_eq!(
        (k[3].seconds, k[3].columns, k[3].geohash.as_deref()),
        (314.0, 15, None)
    );
    assert_eq!(k[3].rest.len(), 12);
    assert_eq!(w.mile_splits[0].geohash, None, "-1 is no geohash");
    assert_eq!(w.issues.len(), 1);
    assert_eq!(w.issues[0].field, "kilo_pace[4]");
    assert_eq!(
        w.performance,
        [
            PerformanceSample {
                km: 1.002,
                score: 0
            },
            PerformanceSample {
                km: 2.002,
                score: -5
            }
        ]
    );
}

/// Swim `lap` rows: the 21-column layout of the H3LL pool swim (values made up here).
#[test]
fn swim_laps() {
    let w = decode_workout_detail(&json!({"lap": concat!(
        "0,300,250,s00000000000,0,300,-20000,140,0,1.3,0.1,0,25,140,-1,70,25,-1,0,250,0;",
        "1,600,500,s00000000000,0,910,-20000,290,0,1.3,1.2,0,25,290,1,140,25,-1,0,500,0;",
        "2,60;")}));
    assert!(w.issues.is_empty(), "{:?}", w.issues);
    let l: Vec<_> = w
        .laps
        .iter()
        .map(|l| {
            (
                l.index,
                l.duration_s,
                l.distance_m,
                l.end_offset_s,
                l.strokes,
            )
        })
        .collect();
    assert_eq!(
        l,
        [
            (0, 300.0, Some(250.0), Some(300.0), Some(140)),
            (1, 600.0, Some(500.0), Some(910.0), Some(290)),
            (2, 60.0, None, None, None),
        ]
    );
}

/// Unknown and undecoded streams are kept raw; empty ones are dropped.
#[test]
fn unknown_streams_kept_raw() {
    let w = decode_workout_detail(&json!({"trackid": 5, "flag": "259;0;387;",
        "spo2": "", "power_meter": "1,200;", "new_stream": {"a": 1}, "time": ""}));
    let keys: Vec<&str> = w.other.keys().map(String::as_str).collect();
    assert_eq!(keys, ["flag", "new_stream", "power_meter"]);
    assert!(w.points.is_empty());
}

/// Garbage never panics and never yields numbers from nothing.
#[test]
fn garbage_is_reported() {
    assert_eq!(
        decode_workout_detail(&json!(null)),
        WorkoutDetail::default()
    );
    let w = decode_workout_detail(&json!({"trackid": 1, "time": "a;1;",
        "longitude_latitude": "1;9000000000,0;99999999999,0;", "altitude": "x;",
        "gait": "1,2;", "speed": "1;", "distance": ",;", "heart_rate": "1,999;"}));
    let fields: Vec<&str> = w.issues.iter().map(|i| i.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "time[0]",
            "longitude_latitude[0]",
            "altitude[0]",
            "longitude_latitude[2]",
            "heart_rate[0]",
            "gait[0]",
            "speed[0]",
            "distance[0]"
        ]
    );
    assert_eq!(w.points.len(), 3);
    assert_eq!(w.route().count(), 1, "only the on-globe fix");
}

#[test]
fn history_page_with_bad_entries() {
    // Reference §9 (i): {"next": -1, "summary": [...]}.
    let p = parse_history(&json!({"next": -1, "summary": [
        {"trackid": "1150994263", "type": 52}, 3, {"type": 1}]}))
    .unwrap();
    assert_eq!((p.summaries.len(), p.next), (1, None));
    let fields: Vec<&str> = p.issues.iter().map(|i| i.field.as_str()).collect();
    assert_eq!(fields, ["summary[1].summary", "summary[2].trackid"]);
    let p = parse_history(&json!({"next": "1698569116", "summary": []})).unwrap();
    assert_eq!(p.next, Some(1_698_569_116));
    assert!(parse_history(&json!({"summary": 3})).is_err());
}
