//! What the Xiaomi login reads from response headers: `set_cookies` (every `Set-Cookie`
//! line), `extension_pragma_ssecurity`, and the URLs it follows (`notification_context`,
//! `absolute_account_url`). Input: header lines, `Name: value`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mikit_micloud::account::{
    absolute_account_url, extension_pragma_ssecurity, notification_context, set_cookies,
};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, SET_COOKIE};

fuzz_target!(|data: &[u8]| {
    let mut headers = HeaderMap::new();
    for line in data.split(|&b| b == b'\n') {
        let (name, value) = match line.iter().position(|&b| b == b':') {
            Some(i) => (&line[..i], line[i + 1..].trim_ascii()),
            None => (&b"set-cookie"[..], line),
        };
        let Ok(value) = HeaderValue::from_bytes(value) else {
            continue;
        };
        match HeaderName::from_bytes(name.trim_ascii()) {
            Ok(name) => headers.append(name, value),
            Err(_) => headers.append(SET_COOKIE, value),
        };
    }
    for (name, value) in set_cookies(&headers) {
        assert!(!name.is_empty(), "a cookie without a name");
        let _ = value;
    }
    if let Some(s) = extension_pragma_ssecurity(&headers) {
        let _ = format!("{s:?}");
    }
    let text = String::from_utf8_lossy(data);
    let _ = notification_context(&text);
    let _ = absolute_account_url(&text);
});
