//! Property tests: encode/decode round trips for random tokens and payloads, and no panic on
//! arbitrary bytes for the packet decoder, the hello parser and the JSON decoders.

use mikit_miio::message::JsonStyle;
use mikit_miio::packet::{self, DataHeader, Header};
use mikit_miio::{Cipher, HelloReply, Packet, Request, Response, Token, checksum, lenient};
use proptest::prelude::*;
use serde_json::json;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn packet_round_trip(token in any::<[u8; 16]>(), did in any::<u32>(), stamp in any::<u32>(),
                         payload in proptest::collection::vec(any::<u8>(), 0..600)) {
        let cipher = Cipher::new(&Token::new(token));
        let p = Packet { unknown: 0, did, stamp, payload };
        let bytes = p.encode(&cipher).unwrap();
        prop_assert_eq!(bytes.len() % 16, 0);
        prop_assert_eq!(Header::parse(&bytes).unwrap().length as usize, bytes.len());
        prop_assert_eq!(Packet::decode(&bytes, &cipher).unwrap(), p);
    }

    #[test]
    fn request_round_trip(id in 0u64..1_000_000, method in "[a-zA-Z_.]{1,20}", s in ".{0,40}", n in any::<i64>(),
                          python in any::<bool>(), token in any::<[u8; 16]>()) {
        let style = if python { JsonStyle::Python } else { JsonStyle::Compact };
        let req = Request::new(id, method, json!([s, n, {"k": [true, null]}]));
        let cipher = Cipher::new(&Token::new(token));
        let bytes = Packet { unknown: 0, did: 1, stamp: 2, payload: req.to_json(style) }.encode(&cipher).unwrap();
        let back = Request::parse(&Packet::decode(&bytes, &cipher).unwrap().payload).unwrap();
        prop_assert_eq!(back, req);
    }

    #[test]
    fn response_round_trip(id in 0u64..1_000_000, code in any::<i64>(), msg in ".{0,40}", ok in any::<bool>(),
                           exe in proptest::option::of(0u64..100_000)) {
        let mut r = if ok { Response::ok(id, json!({"v": msg})) }
                    else { Response::error(id, mikit_miio::DeviceError::new(code, msg)) };
        r.exe_time = exe;
        prop_assert_eq!(Response::parse(&r.to_json(JsonStyle::Compact)).unwrap(), r.clone());
        prop_assert_eq!(Response::parse(&r.to_json(JsonStyle::Python)).unwrap(), r);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200), token in any::<[u8; 16]>()) {
        let cipher = Cipher::new(&Token::new(token));
        let _ = Header::parse(&bytes);
        let _ = HelloReply::parse(&bytes);
        let _ = Packet::decode(&bytes, &cipher);
        let mut buf = bytes.clone();
        let _ = packet::decode_in_place(&mut buf, &cipher);
        let _ = lenient::decode(&bytes);
        let _ = Request::parse(&bytes);
        let _ = Response::parse(&bytes);
    }

    /// Arbitrary ciphertext behind a valid header and checksum reaches the decryptor and the
    /// JSON decoders: still no panic, only typed errors.
    #[test]
    fn arbitrary_ciphertext_with_valid_checksum(blocks in proptest::collection::vec(any::<[u8; 16]>(), 1..8),
                                                token in any::<[u8; 16]>()) {
        let cipher = Cipher::new(&Token::new(token));
        let ct: Vec<u8> = blocks.concat();
        let mut d = Header { length: (32 + ct.len()) as u16, unknown: 0, did: 7, stamp: 9, checksum: token }
            .to_bytes().to_vec();
        d.extend_from_slice(&ct);
        let sum = checksum::compute(&d[..16], &token, &d[32..]);
        d[16..32].copy_from_slice(&sum);
        if let Ok(p) = Packet::decode(&d, &cipher) {
            let _ = Response::parse(&p.payload);
            let _ = Request::parse(&p.payload);
        }
    }

    /// JSON-looking garbage (the alphabet the repairs act on) never panics the lenient decoder.
    #[test]
    fn jsonish_garbage_never_panics(s in r#"[\[\]{}",:0-9a-z\\ \x00-\x1f\u{80}-\u{9f}]{0,80}"#) {
        let _ = lenient::decode(s.as_bytes());
        let _ = Response::parse(s.as_bytes());
    }

    #[test]
    fn token_hex_round_trip(token in any::<[u8; 16]>()) {
        let t = Token::new(token);
        prop_assert_eq!(Token::from_hex(&t.expose_hex()).unwrap(), t.clone());
        prop_assert_eq!(Token::from_hex(&t.expose_hex().to_uppercase()).unwrap(), t);
    }
}

#[test]
fn encode_into_appends_without_touching_earlier_bytes() {
    let cipher = Cipher::new(&Token::new([3; 16]));
    let mut out = b"prefix".to_vec();
    packet::encode_into(
        DataHeader {
            unknown: 0,
            did: 1,
            stamp: 2,
        },
        b"{}",
        &cipher,
        &mut out,
    )
    .unwrap();
    assert_eq!(&out[..6], b"prefix");
    assert_eq!(Packet::decode(&out[6..], &cipher).unwrap().payload, b"{}");
}
