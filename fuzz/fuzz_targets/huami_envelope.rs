//! Huami response bodies: the v1 `{"code":…}` envelope and its `data` items
//! (`band_data.json`), the `/v2/client/login` and `/v1/client/app_tokens` answers, and the
//! workout history page inside an envelope. Input: one response body.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mikit_huami::account::{parse_app_token, parse_client_login};
use mikit_huami::envelope::{Envelope, decode_band_data, items_of, parse_envelope};
use mikit_huami::workout::parse_history;

fuzz_target!(|body: &[u8]| {
    let _ = decode_band_data(body);
    if let Ok(Envelope::Success(data)) = parse_envelope(body) {
        let _ = parse_history(&data);
        let _ = items_of(data);
    }
    for status in [200, 400, 401, 429, 500] {
        if let Err(e) = parse_client_login(status, body) {
            // Errors are shown to users: rendering them must not panic either.
            let _ = e.to_string();
        }
        let _ = parse_app_token(status, body);
    }
});
