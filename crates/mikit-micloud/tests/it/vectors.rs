//! Both crypto vector sets of `tests/data/vectors.json` (reference §10), bit for bit.
//! Set 1: an unattributed public golden-vector file; set 2: derived with the published
//! algorithms (see tests/data/PROVENANCE.md).

use mikit_core::Secret;
use mikit_micloud::crypto::{b64_decode, password_hash};
use mikit_micloud::envelope::decode_response;
use mikit_micloud::sign::{
    Nonce, Scheme, SignedNonce, client_sign, decode_reply, encrypt_reply, legacy_message,
    sha1_signature, sign_legacy, sign_rc4, verify_request,
};
use serde_json::Value;

use crate::fixtures::{load, s};

fn set(n: u8) -> Value {
    load("vectors.json")[format!("set{n}")]["vectors"].clone()
}

fn form_of(v: &Value) -> Vec<(String, String)> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect()
}

fn set1_nonce() -> Nonce {
    Nonce::from_parts(
        [0x81, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef],
        0x01ba_8140,
    )
}

fn set2_nonce() -> Nonce {
    Nonce::from_parts(
        [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77],
        0x01ba_8140,
    )
}

#[test]
fn set1_nonce_and_signed_nonce() {
    let v = set(1);
    let nonce = set1_nonce();
    assert_eq!(nonce.to_b64(), s(&v, "/nonce/nonce_b64"));
    assert_eq!(
        hex::encode(&nonce.as_bytes()[8..]),
        s(&v, "/nonce/minute_be_hex")
    );
    assert_eq!(nonce.minute(), 29_000_000);
    let sn = SignedNonce::derive(&Secret::from(s(&v, "/ssecurity_b64")), &nonce).unwrap();
    assert_eq!(sn.as_b64(), s(&v, "/signed_nonce"));
}

#[test]
fn set1_rc4_and_sha1_signature() {
    let v = set(1);
    let sn = SignedNonce::derive(&Secret::from(s(&v, "/ssecurity_b64")), &set1_nonce()).unwrap();
    assert_eq!(
        sn.encrypt(s(&v, "/rc4/plain").as_bytes()),
        s(&v, "/rc4/cipher_b64")
    );
    let params = [
        ("data", s(&v, "/signature/params_in_order/data")),
        ("rc4_hash__", "X"),
    ];
    assert_eq!(
        sha1_signature("POST", s(&v, "/signature/path_signed"), &params, &sn),
        s(&v, "/signature/value")
    );
}

#[test]
fn set1_full_rc4_request_and_response() {
    let v = set(1);
    let ssecurity = Secret::from(s(&v, "/ssecurity_b64"));
    let path = s(&v, "/request/path");
    let data = s(&v, "/request/data_plain");
    let req = sign_rc4("POST", path, data, &ssecurity, &set1_nonce(), true).unwrap();
    let expected = form_of(&v["request"]["form"]);
    let got: Vec<(String, String)> = req
        .pairs()
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    assert_eq!(got, expected, "fields and their order");
    let hash = req
        .signed_nonce
        .decrypt(req.field("rc4_hash__").unwrap(), "rc4_hash__")
        .unwrap();
    assert_eq!(
        String::from_utf8(hash).unwrap(),
        s(&v, "/request/rc4_hash__plain")
    );

    // Response: encrypted with the request's signed nonce; decoding gives the envelope.
    let body = s(&v, "/response/body_b64");
    assert_eq!(
        req.signed_nonce
            .encrypt(s(&v, "/response/plain").as_bytes()),
        body
    );
    let plain = decode_reply(body.as_bytes(), &req.signed_nonce).unwrap();
    assert_eq!(String::from_utf8(plain).unwrap(), s(&v, "/response/plain"));
    let result = decode_response(path, 200, body.as_bytes(), Some(&req.signed_nonce)).unwrap();
    assert_eq!(result, serde_json::json!({"list": []}));

    // Server side: the vector request verifies and the reply is re-created byte for byte.
    let verified = verify_request("POST", path, &expected, &ssecurity).unwrap();
    assert_eq!(verified.scheme, Scheme::Rc4);
    assert_eq!(verified.data, data);
    assert_eq!(encrypt_reply(&verified, s(&v, "/response/plain")), body);
}

#[test]
fn set1_legacy_signature() {
    let v = set(1);
    let ssecurity = Secret::from(s(&v, "/ssecurity_b64"));
    let req = sign_legacy(
        s(&v, "/request/path"),
        s(&v, "/request/data_plain"),
        &ssecurity,
        &set1_nonce(),
    )
    .unwrap();
    assert_eq!(
        req.field("signature"),
        Some(s(&v, "/legacy_hmac_same_nonce_data/signature"))
    );
    assert_eq!(req.field("_nonce"), Some(s(&v, "/nonce/nonce_b64")));
    assert_eq!(req.field("data"), Some(s(&v, "/request/data_plain")));
}

#[test]
fn set2_full_rc4_request_and_response() {
    let v = set(2);
    let ssecurity = Secret::from(s(&v, "/ssecurity_b64"));
    let nonce = set2_nonce();
    assert_eq!(nonce.to_b64(), s(&v, "/nonce_b64"));
    assert_eq!(Nonce::from_b64(s(&v, "/nonce_b64")).unwrap(), nonce);
    let path = s(&v, "/path");
    let data = s(&v, "/data_plain");
    // XGW3-style: no ssecurity field.
    let req = sign_rc4("POST", path, data, &ssecurity, &nonce, false).unwrap();
    assert_eq!(req.signed_nonce.as_b64(), s(&v, "/signed_nonce_b64"));
    let expected = form_of(&v["form"]);
    let got: Vec<(String, String)> = req
        .pairs()
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    assert_eq!(got, expected);
    let hash = req
        .signed_nonce
        .decrypt(req.field("rc4_hash__").unwrap(), "rc4_hash__")
        .unwrap();
    assert_eq!(String::from_utf8(hash).unwrap(), s(&v, "/rc4_hash__plain"));

    let body = s(&v, "/response_body_b64");
    let result = decode_response(path, 200, body.as_bytes(), Some(&req.signed_nonce)).unwrap();
    assert_eq!(result[0]["value"], Value::Bool(true));
    assert_eq!(result[0]["updateTime"], 1_700_000_000);

    let verified = verify_request("POST", path, &expected, &ssecurity).unwrap();
    assert_eq!(verified.data, data);
    assert_eq!(encrypt_reply(&verified, s(&v, "/response_plain")), body);
}

#[test]
fn set2_legacy_message_and_signature() {
    let v = set(2);
    let ssecurity = Secret::from(s(&v, "/ssecurity_b64"));
    let nonce = set2_nonce();
    let sn = SignedNonce::derive(&ssecurity, &nonce).unwrap();
    let data = s(&v, "/data_plain");
    assert_eq!(
        legacy_message(s(&v, "/path"), &sn, &nonce, &[("data", data)]),
        s(&v, "/legacy_hmac/message")
    );
    let req = sign_legacy(s(&v, "/path"), data, &ssecurity, &nonce).unwrap();
    assert_eq!(
        req.field("signature"),
        Some(s(&v, "/legacy_hmac/signature"))
    );

    // Server side accepts it (scheme chosen by the absence of rc4_hash__) and replies in plaintext.
    let form: Vec<(String, String)> = req
        .pairs()
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    let verified = verify_request("POST", s(&v, "/path"), &form, &ssecurity).unwrap();
    assert_eq!(verified.scheme, Scheme::Legacy);
    assert_eq!(verified.data, data);
    assert_eq!(encrypt_reply(&verified, "{\"code\":0}"), "{\"code\":0}");
}

#[test]
fn set2_sts_client_sign_and_password_hash() {
    let v = set(2);
    // input = "nonce=123456789&MDEyMzQ1Njc4OWFiY2RlZg=="
    let sign = client_sign("123456789", &Secret::from(s(&v, "/ssecurity_b64")));
    assert_eq!(sign, s(&v, "/sts_clientSign/value"));
    assert_eq!(
        password_hash(s(&v, "/password_hash/password")),
        s(&v, "/password_hash/hash")
    );
    assert_eq!(
        b64_decode(s(&v, "/ssecurity_b64"), "ssecurity").unwrap(),
        b"0123456789abcdef"
    );
}
