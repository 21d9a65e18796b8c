//! Fuzz every decoder of untrusted miIO bytes: datagram parsing and decryption, the lenient
//! JSON decoder, and request/response parsing; plus an encode → decode round trip with the
//! fuzz input as the payload (so the decryption and JSON paths see valid ciphertext too).
//!
//! `cargo fuzz run --sanitizer none miio_decode` from the repository root (see docs/fuzzing.md).

#![no_main]

use libfuzzer_sys::fuzz_target;
use mikit_miio::{Cipher, Packet, Request, Response, Token, lenient, packet::HelloReply};

fuzz_target!(|data: &[u8]| {
    let cipher = Cipher::new(&Token::new([0x42; 16]));
    // Arbitrary datagrams: none of these may panic.
    let _ = HelloReply::parse(data);
    let _ = Packet::decode(data, &cipher);
    let _ = lenient::decode(data);
    let _ = Response::parse(data);
    let _ = Request::parse(data);

    // A valid packet carrying the input as payload must decode back to exactly that payload.
    let packet = Packet {
        unknown: 0,
        did: 0x0102_0304,
        stamp: 77,
        payload: data.to_vec(),
    };
    if let Ok(bytes) = packet.encode(&cipher) {
        let back = Packet::decode(&bytes, &cipher).expect("a packet we encoded decodes");
        assert_eq!(back.payload, data, "payload round trip");
        let _ = lenient::decode(&back.payload);
    }
});
