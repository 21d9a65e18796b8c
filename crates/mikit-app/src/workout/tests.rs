//! Conversion details: stream merging, split placement, lengths, totals.

use mikit_activity::LapTrigger;
use mikit_huami::workout::{WorkoutSummary, decode_workout_detail};
use serde_json::{Value, json};

use super::*;

const T0: i64 = 1_700_000_000;

fn summary(v: Value) -> WorkoutSummary {
    WorkoutSummary::decode(&v).unwrap()
}

/// HV2 (ZB `decodes_documented_gps_deltas`): positions only where the wire has a fix, the
/// leading invalid altitude back-filled, HR attached to the nearest point.
#[test]
fn hv2_run_points() {
    let s = summary(json!({"trackid": T0, "type": 1, "end_time": T0 + 100}));
    let d = decode_workout_detail(
        &json!({"trackid":1700000000,"source":"run.gps","time":"0;2;2;",
        "longitude_latitude":"4004663552,11629333504;16403,8392;;;;14877,8392;",
        "altitude":"-2000000;7800;7772;","heart_rate":"11,80;0,10;7,-6;","speed":"2,1.20;4,2.45;",
        "gait":"2,0,71,160;2,2,74,164;","pause":"1700000060,10,1,2,2;"}),
    );
    let a = to_activity(&s, Some(&d));
    assert_eq!(a.points.len(), 6, "one point per wire index");
    assert_eq!(a.points.iter().filter(|p| p.position.is_some()).count(), 3);
    assert_eq!(a.points[0].altitude_m, Some(78.0));
    // Speed sample at T0+2 is the nearest to the points at T0 (2 s) and T0+2 (0 s).
    assert_eq!(a.points[0].speed_mps, Some(1.2));
    // HR samples at T0+11 and T0+18: none within 5 s of the points (T0..T0+4).
    assert!(a.points.iter().all(|p| p.heart_rate.is_none()));
    // Gait at T0+2 (160) and T0+4 (164) are step cadences of a run.
    assert_eq!(a.points[1].cadence, Some(160));
    assert_eq!(a.points[5].cadence, Some(164));
    assert_eq!(
        a.pauses,
        [Pause {
            start: T0 + 60,
            end: T0 + 70
        }]
    );
}

#[test]
fn non_gps_points_merge_on_time() {
    let s = summary(json!({"trackid": T0, "type": 8}));
    let d = decode_workout_detail(&json!({"trackid": T0,
        "heart_rate": "1,100;1,1;", "speed": "2,2.5;", "distance": "1,2;1,3;",
        "gait": "1,2,80,170;"}));
    let a = to_activity(&s, Some(&d));
    let p: Vec<_> = a
        .points
        .iter()
        .map(|p| (p.time, p.heart_rate, p.speed_mps, p.distance_m, p.cadence))
        .collect();
    assert_eq!(
        p,
        [
            (Some(T0 + 1), Some(100), None, Some(2.0), Some(170)),
            (Some(T0 + 2), Some(101), Some(2.5), Some(5.0), None),
        ]
    );
    assert!(a.points.iter().all(|p| p.position.is_none()));
}

/// Splits are moving time: a pause inside kilometre 2 moves its end (and everything after)
/// later on the clock. 2 full rows for 2.5 km: a last lap runs to the end.
#[test]
fn kilometre_splits_on_the_clock() {
    let s = summary(
        json!({"trackid": T0, "type": 1, "dis": "2500", "run_time": "800",
        "end_time": T0 + 860}),
    );
    let d = decode_workout_detail(&json!({"trackid": T0,
        "kilo_pace": "0,300,-1,-1,-1,300;1,320,x,1,2,3,4,5,6,7,8,9,10,11;",
        "pause": format!("{},60,10,11,2;", T0 + 400),
        "heart_rate": "0,100;100,20;"}));
    let a = to_activity(&s, Some(&d));
    let laps: Vec<_> = a
        .laps
        .iter()
        .map(|l| {
            (
                l.start - T0,
                l.duration_s,
                l.moving_s,
                l.distance_m,
                l.trigger,
            )
        })
        .collect();
    assert_eq!(
        laps,
        [
            (0, 300.0, Some(300.0), Some(1000.0), LapTrigger::Distance),
            (300, 380.0, Some(320.0), Some(1000.0), LapTrigger::Distance),
            (680, 180.0, Some(180.0), Some(500.0), LapTrigger::SessionEnd),
        ]
    );
    assert_eq!((a.laps[0].avg_hr, a.laps[0].max_hr), (Some(110), Some(120)));
    assert_eq!(a.laps[1].avg_hr, None);
}

/// Rows covering the whole distance: the last row is the partial kilometre.
#[test]
fn last_split_partial() {
    let s = summary(json!({"trackid": T0, "type": 1, "dis": "1960", "end_time": T0 + 700}));
    let d = decode_workout_detail(&json!({"kilo_pace": "0,327,g,-1,-1,327;1,322,g,-1,-1,649;"}));
    let a = to_activity(&s, Some(&d));
    assert_eq!(a.laps.len(), 2);
    assert_eq!(a.laps[1].distance_m, Some(960.0));
    assert_eq!(a.laps[1].trigger, LapTrigger::SessionEnd);
}

/// A pool swim: laps from `lap` rows, lengths from the pool length, no positions.
#[test]
fn pool_swim_laps_and_lengths() {
    let s = summary(json!({"trackid": T0, "type": 14, "swim_pool_length": 25,
        "total_strokes": 430, "total_trips": 30, "dis": "750", "end_time": T0 + 1000}));
    let d = decode_workout_detail(&json!({"trackid": T0,
        "lap": "0,300,250,s0,0,300,-20000,141,0;1,600,500,s0,0,910,-20000,289,0;",
        "speed": "1,0.7;1,0.8;", "heart_rate": ""}));
    let a = to_activity(&s, Some(&d));
    assert!(a.points.iter().all(|p| p.position.is_none()));
    assert!(!a.has_track());
    let laps: Vec<_> = a
        .laps
        .iter()
        .map(|l| {
            (
                l.start - T0,
                l.duration_s,
                l.distance_m,
                l.strokes,
                l.lengths,
            )
        })
        .collect();
    assert_eq!(
        laps,
        [
            (0, 300.0, Some(250.0), Some(141), Some(10)),
            (310, 600.0, Some(500.0), Some(289), Some(20)),
        ]
    );
    assert_eq!(a.lengths.len(), 30);
    assert_eq!(a.lengths[0].duration_s, 30.0);
    assert_eq!(a.lengths[10].start, T0 + 310);
    let strokes: u32 = a
        .lengths
        .iter()
        .filter_map(|l| l.strokes)
        .map(u32::from)
        .sum();
    assert_eq!(strokes, 430);
    assert_eq!(a.lengths[0].strokes, Some(15), "141 = 15 + 9 × 14");
    assert_eq!(a.pool_length_m, Some(25.0));
    assert_eq!(a.totals.strokes, Some(430));
}

#[test]
fn totals_from_the_summary() {
    let s = summary(json!({"trackid": "1698569116", "type": 1, "dis": "9960.0",
        "calorie": "722.0", "end_time": "1698572273", "run_time": "3157",
        "avg_frequency": "170.0", "avg_cadence": -1, "avg_heart_rate": "168.4",
        "max_heart_rate": 184, "altitude_ascend": 28, "altitude_descend": 27,
        "sport_title": "Long run", "syncedTimezone": "Europe/Madrid"}));
    let a = to_activity(&s, None);
    assert_eq!(a.start, 1_698_569_116);
    assert_eq!(a.sport, Sport(1));
    assert_eq!(a.name.as_deref(), Some("Long run"));
    assert_eq!(
        a.utc_offset_s, 3600,
        "2023-10-29 09:25 UTC is after the CEST end"
    );
    let t = &a.totals;
    assert_eq!((t.duration_s, t.moving_s), (Some(3157.0), Some(3157.0)));
    assert_eq!((t.distance_m, t.kcal), (Some(9960.0), Some(722)));
    assert_eq!(
        (t.avg_hr, t.max_hr, t.avg_cadence),
        (Some(168), Some(184), Some(170))
    );
    assert_eq!((t.ascent_m, t.descent_m), (Some(28.0), Some(27.0)));
    assert!(a.points.is_empty() && a.laps.is_empty());
}

#[test]
fn time_zone_edge_cases() {
    let at = |tz: Value| {
        utc_offset(&summary(
            json!({"trackid": 1_688_169_600, "syncedTimezone": tz}),
        ))
    };
    assert_eq!(at(json!("Europe/Madrid")), 7200, "2023-07-01: CEST");
    assert_eq!(at(json!("Asia/Kolkata")), 19800);
    assert_eq!(at(json!("Not/AZone")), 0);
    assert_eq!(at(json!("")), 0);
}

/// The store's rows: the activity's points (same count), the values files have no field for,
/// sentinels absent, pauses typed, splits as `km` laps; a workout without detail is its
/// summary alone.
#[test]
fn store_rows_follow_the_activity() {
    let s = summary(
        json!({"trackid": T0.to_string(), "type": 1, "end_time": (T0 + 100).to_string(),
        "run_time": "90", "pause_time": "10", "dis": "1200.0", "calorie": "-1",
        "max_heart_rate": 150, "avg_frequency": "160.0", "avg_cadence": "-1",
        "max_altitude": "-20000", "avg_distance_per_stroke": "-1", "sport_title": "Tempo",
        "syncedTimezone": "Europe/Berlin"}),
    );
    let d = decode_workout_detail(&json!({"trackid":T0,"time":"0;2;2;",
        "longitude_latitude":"4004663552,11629333504;16403,8392;;;;14877,8392;",
        "altitude":"-2000000;7800;7772;","accuracy":"5;6;;","speed":"2,2.0;4,2.5;",
        "gait":"2,0,71,160;2,2,74,164;","pause":format!("{},10,1,2,3;", T0 + 60),
        "kilo_pace":"0,330,-1,-1,-1,330;"}));
    let data = to_store(&s, Some(&d));
    let activity = to_activity(&s, Some(&d));
    assert_eq!(data.points.len(), activity.points.len());
    let w = &data.workout;
    assert_eq!((w.trackid, w.start, w.end), (T0, T0, Some(T0 + 100)));
    assert_eq!(w.sport, 1);
    assert_eq!(w.title.as_deref(), Some("Tempo"));
    assert_eq!((w.duration_s, w.pause_s), (Some(90), Some(10)));
    assert_eq!(w.kcal, None, "-1 is not measured");
    assert_eq!(w.max_altitude_m, None, "-20000 is not measured");
    assert_eq!(w.avg_distance_per_stroke, None);
    assert_eq!(w.avg_cadence, Some(160.0), "step frequency for a run");
    assert_eq!(w.max_hr, Some(150));
    let p0 = &data.points[0];
    assert_eq!(p0.accuracy_m, Some(5.0));
    assert_eq!(p0.altitude_m, Some(78.0), "back-filled like the files");
    assert_eq!(p0.stride_cm, Some(71.0));
    assert_eq!(p0.speed_mps, Some(2.0));
    assert_eq!(p0.pace, Some(0.5), "seconds per metre from the speed");
    assert!(
        data.points[2].lat.is_none(),
        "a missing fix stays a point without position"
    );
    assert_eq!(data.pauses.len(), 1);
    assert_eq!(data.pauses[0].kind, Some(3));
    assert_eq!(data.pauses[0].end, Some(T0 + 70));
    assert_eq!(data.laps[0].kind, "km");
    assert_eq!(data.laps[0].distance_m, Some(1000.0));
    assert_eq!(data.laps[0].avg_pace, Some(0.33));
    assert_eq!(data.laps.len(), activity.laps.len());

    let alone = to_store(&s, None);
    assert!(alone.points.is_empty() && alone.laps.is_empty() && alone.pauses.is_empty());
    assert_eq!(alone.workout, data.workout);

    // An unknown sport code stays a number.
    let odd = to_store(&summary(json!({"trackid": T0, "type": 777})), None);
    assert_eq!(odd.workout.sport, 777);
}

/// `decode_raw` of what the sync stores gives the same rows; broken payloads are errors.
#[test]
fn raw_payloads_decode_again() {
    let raw_summary = json!({"trackid": T0.to_string(), "type": 9, "dis": "20000"}).to_string();
    let raw_detail = json!({"trackid": T0, "time": "0;1;", "longitude_latitude": "5000000000,1000000000;100,100;"}).to_string();
    let (s, d) = decode_raw(&raw_summary, Some(&raw_detail)).unwrap();
    assert_eq!(
        redecode(&raw_summary, Some(&raw_detail)).unwrap(),
        to_store(&s, d.as_ref())
    );
    assert_eq!(
        redecode(&raw_summary, Some(&raw_detail))
            .unwrap()
            .points
            .len(),
        2
    );
    assert!(decode_raw("{", None).unwrap_err().contains("not JSON"));
    assert!(
        decode_raw("{\"type\": 1}", None)
            .unwrap_err()
            .contains("trackid")
    );
    assert!(
        decode_raw(&raw_summary, Some("["))
            .unwrap_err()
            .contains("detail")
    );
}

#[test]
fn sports_by_name_or_code() {
    use super::export::{is_ride, is_swim, parse_sport, sport_name};
    assert_eq!(parse_sport("1"), Ok(vec![1]));
    assert_eq!(parse_sport("777"), Ok(vec![777]));
    assert_eq!(parse_sport(" Pool-Swim "), Ok(vec![14]));
    assert_eq!(
        parse_sport("walking"),
        Ok(vec![6, 13]),
        "two codes share the name"
    );
    let err = parse_sport("yoga").unwrap_err();
    assert!(
        err.contains("running") && err.contains("pool-swim"),
        "{err}"
    );
    assert_eq!(
        err.matches("walking").count(),
        1,
        "each name listed once: {err}"
    );
    assert_eq!(sport_name(1), "running");
    assert_eq!(sport_name(777), "sport 777");
    assert_eq!(sport_name(-3), "sport -3");
    assert!(is_ride(9) && is_ride(10) && !is_ride(1));
    assert!(is_swim(14) && is_swim(15) && !is_swim(9));
}

fn stored(start: i64, offset: i32, sport: i64) -> mikit_store::StoredWorkout {
    mikit_store::StoredWorkout {
        row: mikit_store::WorkoutRow {
            trackid: start,
            start,
            sport,
            ..mikit_store::WorkoutRow::default()
        },
        date: jiff::civil::date(2023, 11, 14),
        tz_offset: offset,
        points: 0,
        has_track: false,
        has_detail: true,
    }
}

#[test]
fn file_names_use_the_local_start_and_the_sport() {
    use super::export::{Format, file_name};
    // 1_700_000_000 = 2023-11-14T22:13:20Z.
    assert_eq!(
        file_name(&stored(T0, 3600, 1), Format::Fit),
        "2023-11-14T23-13-20_running.fit"
    );
    assert_eq!(
        file_name(&stored(T0, -5 * 3600, 14), Format::Gpx),
        "2023-11-14T17-13-20_pool-swim.gpx"
    );
    assert_eq!(
        file_name(&stored(T0, 0, 777), Format::Tcx),
        "2023-11-14T22-13-20_sport-777.tcx"
    );
}

#[test]
fn files_are_written_whole_or_not_at_all() {
    use super::export::write_atomically;
    let dir = std::env::temp_dir().join(format!("mikit-app-atomic-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("a.fit");
    write_atomically(&path, b"one", false).unwrap();
    // Without `replace` an existing file is kept (and the temporary file removed).
    assert!(write_atomically(&path, b"two", false).is_err());
    assert_eq!(std::fs::read(&path).unwrap(), b"one");
    write_atomically(&path, b"three", true).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"three");
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["a.fit"], "no temporary file left");
    std::fs::remove_dir_all(&dir).unwrap();
}
