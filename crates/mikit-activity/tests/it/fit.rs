//! FIT output, decoded by an independent decoder: the `fitparser` crate (stadelmanma/fitparse-rs,
//! generated from the FIT SDK profile), which also checks both CRCs.

use fitparser::profile::MesgNum;
use fitparser::{FitDataRecord, Value};
use mikit_activity::{Activity, Error, Sport, to_fit};

use crate::fixtures::{START, pool_swim, ride, run_with_gaps, strength};

pub fn decode(bytes: &[u8]) -> Vec<FitDataRecord> {
    fitparser::from_bytes(bytes).unwrap_or_else(|e| panic!("fitparser rejects the file: {e}"))
}

pub fn messages(recs: &[FitDataRecord], kind: MesgNum) -> Vec<&FitDataRecord> {
    recs.iter().filter(|r| r.kind() == kind).collect()
}

pub fn field<'a>(r: &'a FitDataRecord, name: &str) -> Option<&'a Value> {
    r.fields()
        .iter()
        .find(|f| f.name() == name)
        .map(|f| f.value())
}

pub fn number(r: &FitDataRecord, name: &str) -> Option<f64> {
    field(r, name).map(|v| match v {
        Value::Timestamp(t) => t.timestamp() as f64,
        other => other
            .clone()
            .try_into()
            .unwrap_or_else(|e| panic!("{name} = {other:?} is not a number: {e:?}")),
    })
}

pub fn text(r: &FitDataRecord, name: &str) -> Option<String> {
    field(r, name).map(ToString::to_string)
}

fn session(recs: &[FitDataRecord]) -> &FitDataRecord {
    let sessions = messages(recs, MesgNum::Session);
    assert_eq!(sessions.len(), 1);
    sessions[0]
}

#[test]
fn a_two_hour_ride_decodes_with_the_same_points_distance_and_duration() {
    let a = ride(7200);
    let recs = decode(&to_fit(&a).unwrap());
    let records = messages(&recs, MesgNum::Record);
    assert_eq!(records.len(), a.points.len());
    let s = session(&recs);
    let distance = a.totals.distance_m.unwrap();
    assert!((number(s, "total_distance").unwrap() - distance).abs() < 0.01);
    assert_eq!(number(s, "total_elapsed_time"), Some(7200.0));
    assert_eq!(number(s, "total_timer_time"), Some(7140.0));
    assert_eq!(number(s, "start_time"), Some(START as f64));
    assert_eq!(text(s, "sport").as_deref(), Some("cycling"));
    assert_eq!(text(s, "sub_sport").as_deref(), Some("generic"));
    assert_eq!(number(s, "num_laps"), Some(a.laps.len() as f64));
    assert_eq!(number(s, "total_ascent"), Some(412.0));
    assert_eq!(messages(&recs, MesgNum::Lap).len(), a.laps.len());
    assert_eq!(messages(&recs, MesgNum::Activity).len(), 1);

    // Every stream survives, scaled back by the decoder's profile.
    let (last, p) = (records.last().unwrap(), a.points.last().unwrap());
    assert_eq!(number(last, "timestamp"), Some(p.time.unwrap() as f64));
    assert!((number(last, "distance").unwrap() - p.distance_m.unwrap()).abs() < 0.01);
    assert!((number(last, "enhanced_altitude").unwrap() - p.altitude_m.unwrap()).abs() <= 0.1);
    assert!((number(last, "enhanced_speed").unwrap() - p.speed_mps.unwrap()).abs() <= 0.001);
    assert_eq!(number(last, "heart_rate"), p.heart_rate.map(f64::from));
    assert_eq!(number(last, "cadence"), p.cadence.map(f64::from));
    assert_eq!(number(last, "power"), p.power_w.map(f64::from));
    let lat = number(last, "position_lat").unwrap() * 180.0 / 2_147_483_648.0;
    assert!((lat - p.position.unwrap().lat).abs() < 1e-6);
}

#[test]
fn timer_events_mark_start_pauses_and_stop() {
    let a = ride(600);
    let recs = decode(&to_fit(&a).unwrap());
    let timer: Vec<(f64, String)> = messages(&recs, MesgNum::Event)
        .into_iter()
        .filter(|e| text(e, "event").as_deref() == Some("timer"))
        .map(|e| {
            (
                number(e, "timestamp").unwrap() - START as f64,
                text(e, "event_type").unwrap(),
            )
        })
        .collect();
    let expected = [
        (0.0, "start"),
        (300.0, "stop_all"),
        (360.0, "start"),
        (600.0, "stop_all"),
    ];
    let expected: Vec<(f64, String)> = expected
        .iter()
        .map(|(t, k)| (*t, (*k).to_owned()))
        .collect();
    assert_eq!(timer, expected);
}

#[test]
fn missing_values_are_invalid_not_zero() {
    let a = run_with_gaps();
    let recs = decode(&to_fit(&a).unwrap());
    let records = messages(&recs, MesgNum::Record);
    assert_eq!(records.len(), a.points.len());
    for (r, p) in records.iter().zip(&a.points) {
        assert_eq!(field(r, "position_lat").is_some(), p.position.is_some());
        assert_eq!(number(r, "heart_rate"), p.heart_rate.map(f64::from));
        assert_eq!(
            field(r, "enhanced_altitude").is_some(),
            p.altitude_m.is_some()
        );
        // Foot sport: steps/min 170 → strides/min 85.
        assert_eq!(number(r, "cadence"), Some(85.0));
        // No point has speed or power: the fields are not even defined.
        assert!(field(r, "enhanced_speed").is_none() && field(r, "power").is_none());
    }
    let s = session(&recs);
    assert_eq!(text(s, "sport").as_deref(), Some("running"));
    assert!(field(s, "total_calories").is_none());
    assert!(field(s, "avg_heart_rate").is_none());
    let act = &messages(&recs, MesgNum::Activity)[0];
    // local_timestamp = end + UTC offset (one hour); fitparser reads both as date_times.
    let local = number(act, "local_timestamp").unwrap();
    let utc = number(act, "timestamp").unwrap();
    assert_eq!(local - utc, 3600.0);
}

#[test]
fn a_pool_swim_has_laps_and_lengths_but_no_records() {
    let a = pool_swim();
    let recs = decode(&to_fit(&a).unwrap());
    assert!(messages(&recs, MesgNum::Record).is_empty());
    assert_eq!(messages(&recs, MesgNum::Lap).len(), 3);
    let lengths = messages(&recs, MesgNum::Length);
    assert_eq!(lengths.len(), 9);
    assert_eq!(
        lengths
            .iter()
            .filter(|l| text(l, "length_type").as_deref() == Some("active"))
            .count(),
        8
    );
    let s = session(&recs);
    assert_eq!(text(s, "sport").as_deref(), Some("swimming"));
    assert_eq!(text(s, "sub_sport").as_deref(), Some("lap_swimming"));
    assert_eq!(number(s, "pool_length"), Some(25.0));
    assert_eq!(number(s, "num_lengths"), Some(9.0));
    assert_eq!(number(s, "total_distance"), Some(200.0));
    assert_eq!(number(s, "total_elapsed_time"), Some(300.0));
    assert!(field(s, "start_position_lat").is_none());
}

#[test]
fn a_strength_session_is_one_lap_and_a_session_without_records() {
    let recs = decode(&to_fit(&strength()).unwrap());
    assert!(messages(&recs, MesgNum::Record).is_empty());
    assert_eq!(messages(&recs, MesgNum::Lap).len(), 1);
    let s = session(&recs);
    assert_eq!(text(s, "sport").as_deref(), Some("training"));
    assert_eq!(text(s, "sub_sport").as_deref(), Some("strength_training"));
    assert_eq!(number(s, "total_elapsed_time"), Some(2700.0));
    assert_eq!(number(s, "total_calories"), Some(310.0));
    assert!(field(s, "total_distance").is_none());
}

#[test]
fn the_file_crc_is_checked_by_the_decoder() {
    let mut bytes = to_fit(&ride(120)).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    assert!(fitparser::from_bytes(&bytes).is_err());
}

#[test]
fn the_same_workout_gives_the_same_bytes() {
    assert_eq!(to_fit(&ride(120)).unwrap(), to_fit(&ride(120)).unwrap());
}

#[test]
fn times_fit_cannot_hold_are_a_clear_error() {
    let old = Activity::new(800_000_000, Sport(1)); // 1995: before FIT's absolute date_time
    let err = to_fit(&old).unwrap_err();
    assert!(matches!(err, Error::TimeOutOfRange { ref field, .. } if field == "start"));
    assert!(err.to_string().contains("1998-07-03"), "{err}");
    let mut bad = ride(120);
    bad.points[3].time = Some(i64::MAX);
    let err = to_fit(&bad).unwrap_err();
    assert!(err.to_string().starts_with("points[3].time = "), "{err}");
    let mut nan = ride(120);
    nan.points[2].altitude_m = Some(f64::NAN);
    let err = to_fit(&nan).unwrap_err();
    assert_eq!(
        err.to_string(),
        "points[2].altitude_m = NaN is invalid: expected a finite number"
    );
}
