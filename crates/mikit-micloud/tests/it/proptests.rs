//! Property tests: sign-then-verify round trips, flipped bytes fail, decoders never panic.

use mikit_core::Secret;
use mikit_micloud::account::parse_reply;
use mikit_micloud::crypto::{b64, b64_decode};
use mikit_micloud::envelope::decode_response;
use mikit_micloud::miot::CloudCode;
use mikit_micloud::sign::{
    Nonce, SignedNonce, check_nonce_fresh, decode_reply, encrypt_reply, sign_legacy, sign_rc4,
    verify_request,
};
use proptest::prelude::*;

fn to_form(pairs: Vec<(&str, &str)>) -> Vec<(String, String)> {
    pairs
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn set_field(form: &mut [(String, String)], name: &str, value: String) {
    if let Some(slot) = form.iter_mut().find(|(k, _)| k == name) {
        slot.1 = value;
    }
}

/// Flip one bit of the base64-decoded value of `name`.
fn flip_b64_field(form: &mut [(String, String)], name: &str, index: usize, bit: u8) {
    let current = form.iter().find(|(k, _)| k == name).unwrap().1.clone();
    let mut bytes = b64_decode(&current, "test").unwrap();
    if bytes.is_empty() {
        bytes.push(0);
    } else {
        let i = index % bytes.len();
        bytes[i] ^= 1 << (bit % 8);
    }
    set_field(form, name, b64(&bytes));
}

fn path_strategy() -> impl Strategy<Value = String> {
    "(/[a-z_]{1,12}){1,3}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn rc4_sign_then_verify(
        data in "\\PC{0,300}",
        key in proptest::collection::vec(any::<u8>(), 1..48),
        random in any::<[u8; 8]>(),
        minute in any::<u32>(),
        path in path_strategy(),
        with_ssecurity in any::<bool>(),
        reply in "\\PC{0,200}",
    ) {
        let ssecurity = Secret::new(b64(&key));
        let nonce = Nonce::from_parts(random, minute);
        let req = sign_rc4("POST", &path, &data, &ssecurity, &nonce, with_ssecurity).unwrap();
        let form = to_form(req.pairs());
        let verified = verify_request("POST", &path, &form, &ssecurity).unwrap();
        prop_assert_eq!(&verified.data, &data);
        prop_assert_eq!(verified.nonce.minute(), u64::from(minute));
        // The reply the server encrypts decodes on the client with the request's key.
        let body = encrypt_reply(&verified, &reply);
        let decoded = decode_reply(body.as_bytes(), &req.signed_nonce).unwrap();
        prop_assert_eq!(decoded, reply.as_bytes());
        // Another method or path does not verify.
        prop_assert!(verify_request("GET", &path, &form, &ssecurity).is_err());
        let other_path = format!("{path}x");
        prop_assert!(verify_request("POST", &other_path, &form, &ssecurity).is_err());
    }

    #[test]
    fn rc4_flipped_bit_fails(
        data in "\\PC{0,200}",
        key in proptest::collection::vec(any::<u8>(), 1..48),
        random in any::<[u8; 8]>(),
        minute in any::<u32>(),
        field in 0usize..4,
        index in any::<usize>(),
        bit in any::<u8>(),
    ) {
        let ssecurity = Secret::new(b64(&key));
        let nonce = Nonce::from_parts(random, minute);
        let req = sign_rc4("POST", "/home/device_list", &data, &ssecurity, &nonce, false).unwrap();
        let mut form = to_form(req.pairs());
        let name = ["data", "rc4_hash__", "signature", "_nonce"][field];
        flip_b64_field(&mut form, name, index, bit);
        prop_assert!(verify_request("POST", "/home/device_list", &form, &ssecurity).is_err());
    }

    #[test]
    fn legacy_sign_then_verify_and_tamper(
        data in "\\PC{0,300}",
        key in proptest::collection::vec(any::<u8>(), 1..48),
        other_key in proptest::collection::vec(any::<u8>(), 1..48),
        random in any::<[u8; 8]>(),
        minute in any::<u32>(),
        path in path_strategy(),
        index in any::<usize>(),
        bit in any::<u8>(),
    ) {
        let ssecurity = Secret::new(b64(&key));
        let nonce = Nonce::from_parts(random, minute);
        let req = sign_legacy(&path, &data, &ssecurity, &nonce).unwrap();
        let form = to_form(req.pairs());
        let verified = verify_request("POST", &path, &form, &ssecurity).unwrap();
        prop_assert_eq!(&verified.data, &data);
        prop_assert_eq!(encrypt_reply(&verified, &data), data.clone());

        let mut tampered = form.clone();
        set_field(&mut tampered, "data", format!("{data} "));
        prop_assert!(verify_request("POST", &path, &tampered, &ssecurity).is_err());
        for name in ["signature", "_nonce"] {
            let mut tampered = form.clone();
            flip_b64_field(&mut tampered, name, index, bit);
            prop_assert!(verify_request("POST", &path, &tampered, &ssecurity).is_err());
        }
        if other_key != key {
            prop_assert!(verify_request("POST", &path, &form, &Secret::new(b64(&other_key))).is_err());
        }
    }

    #[test]
    fn signed_nonce_depends_on_both_inputs(
        key in proptest::collection::vec(any::<u8>(), 1..48),
        a in any::<[u8; 8]>(),
        b in any::<[u8; 8]>(),
    ) {
        let ssecurity = Secret::new(b64(&key));
        let na = SignedNonce::derive(&ssecurity, &Nonce::from_parts(a, 1)).unwrap();
        let nb = SignedNonce::derive(&ssecurity, &Nonce::from_parts(b, 1)).unwrap();
        prop_assert_eq!(a == b, na.as_b64() == nb.as_b64());
    }

    #[test]
    fn nonce_freshness_is_symmetric(minute in 0u64..u64::from(u32::MAX), now in 0u64..u64::from(u32::MAX), window in 0u64..100) {
        let nonce = Nonce::from_parts([0; 8], u32::try_from(minute).unwrap());
        prop_assert_eq!(check_nonce_fresh(&nonce, now, window).is_ok(), minute.abs_diff(now) <= window);
    }

    // ---- no panic on arbitrary input ----

    #[test]
    fn decoders_do_not_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512), status in 100u16..600) {
        let sn = SignedNonce::derive(&Secret::from("MDEyMzQ1Njc4OWFiY2RlZg=="), &Nonce::from_parts([0; 8], 1)).unwrap();
        let _ = decode_reply(&bytes, &sn);
        let _ = decode_response("/x", status, &bytes, Some(&sn));
        let _ = decode_response("/x", status, &bytes, None);
        let _ = parse_reply("/x", &bytes);
        let _ = Nonce::from_bytes(bytes.clone());
    }

    #[test]
    fn text_decoders_do_not_panic(text in "\\PC{0,200}", code in any::<i64>()) {
        let _ = Nonce::from_b64(&text);
        let _ = decode_reply(text.as_bytes(), &SignedNonce::derive(&Secret::from("AA=="), &Nonce::from_parts([0; 8], 0)).unwrap());
        let _ = CloudCode::decode(code);
        let sec = Secret::new(text.clone());
        let form = vec![
            ("_nonce".to_owned(), text.clone()),
            ("data".to_owned(), text.clone()),
            ("rc4_hash__".to_owned(), text.clone()),
            ("signature".to_owned(), text.clone()),
        ];
        let _ = verify_request("POST", "/x", &form, &sec);
        let _ = verify_request("POST", "/x", &form[..3].to_vec(), &Secret::from("AA=="));
    }

    #[test]
    fn json_shaped_garbage_does_not_panic(code in any::<i64>(), msg in "\\PC{0,50}", result in "[\\[\\]{}\",:0-9a-z]{0,80}") {
        let body = format!("{{\"code\":{code},\"message\":{},\"result\":{result}}}", serde_json::Value::String(msg));
        let _ = decode_response("/x", 200, body.as_bytes(), None);
        let _ = parse_reply("/x", format!("&&&START&&&{body}").as_bytes());
    }
}
