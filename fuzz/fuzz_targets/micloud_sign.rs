//! Mi cloud request signing, server side: `verify_request` on an arbitrary form (legacy
//! HMAC and RC4 schemes), the `_nonce` parser and its freshness check; plus a sign → verify
//! round trip with the input as `data`, which must always verify and give the data back.
//! Input: `[flags] form` (application/x-www-form-urlencoded); seeds are the two public
//! vector requests (`crates/mikit-micloud/tests/data/vectors.json`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use mikit_core::Secret;
use mikit_micloud::sign::{Nonce, check_nonce_fresh, sign_legacy, sign_rc4, verify_request};

fuzz_target!(|data: &[u8]| {
    let [flags, form_bytes @ ..] = data else {
        return;
    };
    let ssecurity = Secret::from("MDEyMzQ1Njc4OWFiY2RlZg==");
    let method = if flags & 1 == 0 { "POST" } else { "GET" };
    // The paths of the public vectors (set 1, set 2), so their seeds verify.
    let path = if flags & 8 == 0 {
        "/miotspec/prop/get"
    } else {
        "/home/device_list"
    };

    // An arbitrary received form.
    let form: Vec<(String, String)> = url::form_urlencoded::parse(form_bytes)
        .into_owned()
        .collect();
    let _ = verify_request(method, path, &form, &ssecurity);
    if let Some((_, n)) = form.iter().find(|(k, _)| k == "_nonce") {
        if let Ok(nonce) = Nonce::from_b64(n) {
            let _ = check_nonce_fresh(&nonce, 29_000_000, 15);
            let _ = check_nonce_fresh(&nonce, u64::MAX, u64::from(*flags));
        }
    }
    let text = String::from_utf8_lossy(form_bytes);
    let _ = Nonce::from_b64(&text).map(|n| n.minute());

    // A request we sign with the input as data verifies, and yields exactly the data.
    let nonce = Nonce::from_parts([*flags; 8], u32::from(*flags) << 16);
    let signed = if flags & 2 == 0 {
        sign_rc4(method, path, &text, &ssecurity, &nonce, flags & 4 != 0)
    } else {
        sign_legacy(path, &text, &ssecurity, &nonce)
    };
    let signed = signed.expect("a valid nonce signs");
    let mut sent: Vec<(String, String)> = signed
        .pairs()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let verified = verify_request(method, path, &sent, &ssecurity).expect("our request verifies");
    assert_eq!(verified.data, text, "data round trip");
    // Tampered data never verifies.
    if let Some((_, v)) = sent.iter_mut().find(|(k, _)| k == "data") {
        v.push('x');
    }
    assert!(
        verify_request(method, path, &sent, &ssecurity).is_err(),
        "tampered data verified"
    );
});
