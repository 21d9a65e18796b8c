//! Huami workouts converted and written by `mikit_activity`: GPX, TCX and FIT without error,
//! the FIT read back by an independent decoder (`fitparser`, which checks both CRCs).
//!
//! The inputs are the reference's own examples (`huami-cloud.md` §6.3, HV2, §9 (a)/(i)) put
//! together into workouts.

use fitparser::profile::MesgNum;
use mikit_activity::{Error, to_fit, to_gpx, to_tcx};
use mikit_app::workout::to_activity;
use mikit_huami::workout::{WorkoutSummary, decode_workout_detail};
use serde_json::{Value, json};

const T0: i64 = 1_700_000_000;

fn summary(v: Value) -> WorkoutSummary {
    WorkoutSummary::decode(&v).unwrap()
}

fn fit_count(bytes: &[u8], kind: MesgNum) -> usize {
    fitparser::from_bytes(bytes)
        .unwrap_or_else(|e| panic!("fitparser rejects the file: {e}"))
        .iter()
        .filter(|r| r.kind() == kind)
        .count()
}

/// A GPS run: the HV2 strings, a heart rate every second, a kilometre split, a pause.
#[test]
fn gps_run_to_every_format() {
    let s = summary(
        json!({"trackid": T0.to_string(), "type": 1, "dis": "1500.0",
        "end_time": (T0 + 600).to_string(), "run_time": "590", "avg_heart_rate": "150.0",
        "max_heart_rate": 170, "avg_frequency": "168.0", "syncedTimezone": "Asia/Shanghai"}),
    );
    let hr: String = std::iter::once("0,140;".to_owned())
        .chain((1..600).map(|i| format!("1,{};", if i % 2 == 0 { 1 } else { -1 })))
        .collect();
    let d = decode_workout_detail(&json!({"trackid": T0, "time": "0;2;2;",
        "longitude_latitude": "4004663552,11629333504;16403,8392;;;;14877,8392;",
        "altitude": "-2000000;7800;7772;", "heart_rate": hr,
        "gait": "2,0,71,160;2,2,74,164;", "speed": "2,1.20;4,2.45;",
        "distance": "2,3;2,4;", "kilo_pace": "0,330,-1,-1,-1,330;",
        "pause": format!("{},10,1,2,2;", T0 + 60)}));
    assert!(d.issues.is_empty(), "{:?}", d.issues);
    let a = to_activity(&s, Some(&d));
    assert_eq!(a.utc_offset_s, 8 * 3600);
    let with_pos: Vec<_> = a.points.iter().filter(|p| p.position.is_some()).collect();
    assert_eq!(with_pos.len(), 3, "positions only where the wire has a fix");
    assert!(
        with_pos.iter().all(|p| p.heart_rate.is_some()),
        "HR on GPS points"
    );
    assert_eq!(a.points[0].heart_rate, Some(140));
    assert_eq!(a.points[0].altitude_m, Some(78.0));
    assert_eq!(a.laps.len(), 2, "one split + the rest");
    assert_eq!(a.pauses.len(), 1);

    let gpx = to_gpx(&a).unwrap();
    assert_eq!(gpx.matches("<trkpt ").count(), 3);
    assert!(gpx.contains("<gpxtpx:hr>140</gpxtpx:hr>"));
    let tcx = to_tcx(&a).unwrap();
    assert!(tcx.contains(r#"<Activity Sport="Running">"#));
    assert_eq!(tcx.matches("<Lap ").count(), 2);
    let fit = to_fit(&a).unwrap();
    assert_eq!(fit_count(&fit, MesgNum::Record), a.points.len());
    assert_eq!(fit_count(&fit, MesgNum::Lap), 2);
}

/// A pool swim (type 14, H3LL-style detail: no GPS streams, swim `lap` rows, type-1 pauses):
/// lengths, no positions, no GPX.
#[test]
fn pool_swim_has_lengths_and_no_track() {
    let s = summary(json!({"trackid": T0, "type": 14, "swim_pool_length": 25,
        "total_strokes": 430, "total_trips": 30, "dis": "750", "end_time": T0 + 1000,
        "run_time": "900"}));
    let d = decode_workout_detail(&json!({"trackid": T0, "longitude_latitude": "",
        "time": "", "altitude": "", "heart_rate": "1,0;1,0;",
        "speed": "1,0.0;1,0.55;1,0.7;", "distance": "1,0;1,25;1,4;",
        "pause": format!("{},9,-1,-1,1;", T0 + 300),
        "lap": "0,300,250,s00000000000,0,300,-20000,141,0;1,600,500,s00000000000,0,910,-20000,289,0;"}));
    assert!(d.issues.is_empty(), "{:?}", d.issues);
    let a = to_activity(&s, Some(&d));
    assert!(
        a.points.iter().all(|p| p.position.is_none()),
        "no invented positions"
    );
    assert!(
        a.points.iter().all(|p| p.heart_rate.is_none()),
        "HR 0 = no contact"
    );
    assert_eq!(a.lengths.len(), 30);
    assert_eq!(a.laps.len(), 2);
    assert_eq!(to_gpx(&a), Err(Error::NoTrack));
    assert!(to_tcx(&a).is_ok());
    let fit = to_fit(&a).unwrap();
    assert_eq!(fit_count(&fit, MesgNum::Length), 30);
    assert_eq!(fit_count(&fit, MesgNum::Lap), 2);
}

/// The strength workouts of the JSOLAN fixture (§9 (i)): an empty detail gives no points, no
/// laps and no GPX; a heart-rate stream gives position-less points only.
#[test]
fn strength_has_no_track() {
    let s = summary(json!({"trackid": "1151165867", "type": 52, "dis": "0.0",
        "calorie": "280.0", "end_time": "1151167190", "run_time": "1323",
        "avg_heart_rate": "84.0", "max_heart_rate": 134, "syncedTimezone": "Europe/Madrid",
        "strength_training_group": "[{\"actionType\": 0, \"count\": 15}]"}));
    let empty = decode_workout_detail(&json!({"trackid": 1151165867, "longitude_latitude": "",
        "time": "", "heart_rate": "", "gait": "", "pause": "", "kilo_pace": ""}));
    let a = to_activity(&s, Some(&empty));
    assert!(a.points.is_empty() && a.laps.is_empty() && a.lengths.is_empty());
    assert_eq!(
        a.totals.distance_m, None,
        "0.0 km of a strength workout is not measured"
    );
    assert_eq!(a.totals.kcal, Some(280));
    assert_eq!(to_gpx(&a), Err(Error::NoTrack));
    let tcx = to_tcx(&a).unwrap();
    assert!(!tcx.contains("<Track>"), "no empty track");
    let fit = to_fit(&a).unwrap();
    assert_eq!(fit_count(&fit, MesgNum::Record), 0);
    assert_eq!(fit_count(&fit, MesgNum::Session), 1);

    let hr = decode_workout_detail(&json!({"trackid": 1151165867, "heart_rate": "5,80;1,2;"}));
    let a = to_activity(&s, Some(&hr));
    assert_eq!(a.points.len(), 2);
    assert!(!a.has_track());
    assert_eq!(fit_count(&to_fit(&a).unwrap(), MesgNum::Record), 2);
}

/// Unknown sport 777 (the last workout of the JSOLAN fixture) converts to a generic activity.
#[test]
fn unknown_sport_is_generic() {
    let s = summary(json!({"trackid": "1152202979", "type": 777, "end_time": "1152207093"}));
    let a = to_activity(&s, None);
    assert_eq!(a.sport.0, 777);
    assert_eq!(a.sport.to_string(), "sport-777");
    assert_eq!(a.sport.fit().sport, 0, "FIT generic");
    assert!(to_fit(&a).is_ok() && to_tcx(&a).is_ok());
}
