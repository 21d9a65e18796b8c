//! Huami health data and the other ways in (issue 12): the device list (`decode_devices`),
//! health events (`decode_events`, every stream's typed decoder), weight pages
//! (`decode_weight_page`), and what a person pastes (`parse_pasted_code`,
//! `parse_pasted_token`).
//!
//! The input is tried as JSON (an answer body, an item list) and as pasted text.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mikit_huami::{devices, health, signin, weight};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = serde_json::from_slice::<Value>(data) {
        let _ = devices::decode_devices(&v);
        let _ = weight::decode_weight_page(&v);
        if let Some(items) = v.as_array() {
            let (events, bad) = health::decode_events(items);
            assert!(events.len() + bad.len() <= items.len());
        } else {
            let _ = health::decode_event(&v);
        }
    }
    let text = String::from_utf8_lossy(data);
    let _ = signin::parse_pasted_code(&text);
    let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let _ = signin::parse_pasted_token(first, Some(rest));
});
