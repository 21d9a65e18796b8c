//! Huami workouts: the history page (`parse_history`, every entry through
//! `WorkoutSummary::decode`) and the detail decoder (`decode_workout_detail`: the point
//! streams, heart rate, gait, speed, distance, pauses, kilometre/mile splits, swim laps and
//! performance rows).
//!
//! The input is tried as a JSON `data` object (seeds), and as text whose lines fill the
//! detail's stream fields (and a history entry's string fields) in order, so the decoders see
//! arbitrary entries.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mikit_huami::workout::{WorkoutSummary, decode_workout_detail, parse_history};
use serde_json::{Map, Value};

const FIELDS: [&str; 17] = [
    "trackid",
    "time",
    "longitude_latitude",
    "altitude",
    "accuracy",
    "pace",
    "heart_rate",
    "speed",
    "gait",
    "distance",
    "pause",
    "kilo_pace",
    "mile_pace",
    "lap",
    "daily_performance_info",
    "flag",
    "version",
];

/// Summary fields whose text the decoder parses (numbers as strings, embedded JSON, zones).
const SUMMARY_FIELDS: [&str; 8] = [
    "trackid",
    "dis",
    "end_time",
    "heart_range",
    "child_list",
    "strength_training_group",
    "te",
    "syncedTimezone",
];

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = serde_json::from_slice::<Value>(data) {
        let _ = parse_history(&v);
        let _ = WorkoutSummary::decode(&v);
        let d = decode_workout_detail(&v);
        let _ = d.altitudes_backfilled();
    }
    let text = String::from_utf8_lossy(data);
    let mut detail = Map::new();
    for (key, line) in FIELDS.iter().zip(text.lines()) {
        let value = match (*key, line.trim().parse::<i64>()) {
            ("trackid", Ok(n)) => Value::from(n),
            _ => Value::from(line),
        };
        detail.insert((*key).to_owned(), value);
    }
    let track = decode_workout_detail(&Value::Object(detail));
    assert!(track.route().count() <= track.points.len());
    assert_eq!(track.altitudes_backfilled().len(), track.points.len());

    let mut entry = Map::new();
    for (key, line) in SUMMARY_FIELDS.iter().zip(text.lines()) {
        entry.insert((*key).to_owned(), Value::from(line));
    }
    let page = Value::from_iter([("summary", Value::from(vec![Value::Object(entry)]))]);
    let _ = parse_history(&page);
});
