//! Huami day items: `decode_day` (the `band_data.json` download shape: base64 summary,
//! per-minute `data`, `data_hr`) and `decode_upload_day` (the phone upload shape).
//!
//! The input is tried two ways: as a JSON item (seeds are real items), and as raw blobs
//! placed into a valid item, so the per-minute decoders see arbitrary bytes behind valid
//! base64: `[selector][hr_len][summary NUL data_hr data]`, `data_hr` being `8 × hr_len` bytes.

#![no_main]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use libfuzzer_sys::fuzz_target;
use mikit_huami::{decode_day, decode_upload_day};
use serde_json::{Value, json};

fn exercise(item: &Value) {
    for day in [decode_day(item), decode_upload_day(item)]
        .into_iter()
        .flatten()
    {
        let _ = day.is_partial();
        // Every decoded minute of a day lies in a range the store can hold.
        for m in &day.minutes {
            let _ = m.ts.checked_add(60);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(item) = serde_json::from_slice::<Value>(data) {
        exercise(&item);
    }
    let [selector, hr_len, rest @ ..] = data else {
        return;
    };
    // The summary is a JSON text up to the first NUL (possibly empty), then the blobs.
    let (summary, blobs) = match rest.iter().position(|&b| b == 0) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (&[][..], rest),
    };
    let split = (usize::from(*hr_len) * 8).min(blobs.len());
    let (hr, minutes) = blobs.split_at(split);
    let summary = String::from_utf8_lossy(summary);
    let date = ["2026-02-06", "2026-03-29", "1970-01-01", "9999-12-31"][usize::from(selector & 3)];
    // Download shape.
    exercise(&json!({
        "date_time": date,
        "summary": STANDARD.encode(summary.as_bytes()),
        "data": STANDARD.encode(minutes),
        "data_hr": STANDARD.encode(hr),
    }));
    // Upload shape: segments of `value` with start/stop minutes and a quarter-hour tz.
    let start = i64::from(selector >> 2) * 23;
    exercise(&json!({
        "date": date,
        "summary": summary,
        "data": [{"start": start, "stop": start + 1439, "value": STANDARD.encode(minutes),
                  "tz": i64::from(*hr_len as i8)}],
        "data_hr": STANDARD.encode(hr),
    }));
});
