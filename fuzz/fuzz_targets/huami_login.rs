//! The Huami credential login answer: `parse_redirect` (status, `Location`, body) with the
//! `access`/`error`/`region` query of the redirect. Input: `[status selector] location\nbody`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mikit_huami::credentials::parse_redirect;

const STATUSES: [u16; 8] = [303, 302, 301, 200, 400, 429, 500, 399];

fuzz_target!(|data: &[u8]| {
    let [selector, rest @ ..] = data else {
        return;
    };
    let status = STATUSES[usize::from(selector & 7)];
    let (location, body) = match rest.iter().position(|&b| b == b'\n') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    let location = String::from_utf8_lossy(location);
    let location = (selector & 8 == 0).then_some(location.as_ref());
    match parse_redirect(status, location, body) {
        Ok(grant) => {
            // Debug of a grant must never show the secrets.
            let _ = format!("{grant:?}");
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
