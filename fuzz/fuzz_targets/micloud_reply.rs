//! Mi cloud replies: the account server's `&&&START&&&` bodies (`parse_reply` and what the
//! login reads from them), the API envelope (`decode_response`) in plaintext and under RC4,
//! and the typed results a reply is decoded into (device lists, homes, MIoT items).
//! Input: one reply body.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mikit_core::Secret;
use mikit_micloud::account::parse_reply;
use mikit_micloud::device::{DeviceList, HomeList};
use mikit_micloud::envelope::decode_response;
use mikit_micloud::miot::{ActionResult, PropResult};
use mikit_micloud::sign::{Nonce, SignedNonce};
use serde_json::Value;

fn typed(result: Value) {
    if let Ok(list) = serde_json::from_value::<DeviceList>(result.clone()) {
        for d in &list.list {
            let _ = (d.firmware_version(), d.has_token(), format!("{d:?}"));
        }
    }
    let _ = serde_json::from_value::<HomeList>(result.clone());
    if let Ok(items) = serde_json::from_value::<Vec<PropResult>>(result.clone()) {
        for i in items {
            let _ = i.status();
        }
    }
    if let Ok(a) = serde_json::from_value::<ActionResult>(result) {
        let _ = a.status();
    }
}

fuzz_target!(|body: &[u8]| {
    if let Ok(reply) = parse_reply("serviceLoginAuth2", body) {
        let _ = (reply.code(), reply.describe(), reply.location());
        let _ = (reply.captcha_url(), reply.notification_url());
        let _ = reply.credentials().map(|c| format!("{c:?}"));
        let _ = reply.error().to_string();
    }
    let ssecurity = Secret::from("MDEyMzQ1Njc4OWFiY2RlZg==");
    let nonce = Nonce::from_parts([0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77], 0x01ba_8140);
    let Ok(sn) = SignedNonce::derive(&ssecurity, &nonce) else {
        return;
    };
    for status in [200, 401, 404, 500] {
        // The body as sent (plaintext or garbage ciphertext), then the body encrypted as
        // the server would, so the JSON paths behind the RC4 layer see the fuzz input too.
        for key in [None, Some(&sn)] {
            match decode_response("/home/device_list", status, body, key) {
                Ok(result) => typed(result),
                Err(e) => {
                    let _ = e.to_string();
                }
            }
        }
    }
    let encrypted = sn.encrypt(body);
    if let Ok(result) = decode_response("/miotspec/prop/get", 200, encrypted.as_bytes(), Some(&sn))
    {
        typed(result);
    }
});
