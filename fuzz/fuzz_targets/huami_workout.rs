//! Huami workouts: the history page (`parse_history`) and the detail decoder
//! (`decode_workout_detail`, `;`-joined delta strings).
//!
//! The input is tried as a JSON `data` object (seeds), and as text whose lines fill the
//! detail's delta-string fields in order, so the decoders see arbitrary entries.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mikit_huami::workout::{decode_workout_detail, parse_history};
use serde_json::{Map, Value};

const FIELDS: [&str; 8] = [
    "trackid",
    "time",
    "longitude_latitude",
    "altitude",
    "heart_rate",
    "speed",
    "gait",
    "pause",
];

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = serde_json::from_slice::<Value>(data) {
        let _ = parse_history(&v);
        let _ = decode_workout_detail(&v);
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
    let _ = track.points.len();
});
