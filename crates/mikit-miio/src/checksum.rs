//! The packet checksum: MD5 over the datagram with the token written into bytes 16..32.
//!
//! `checksum = MD5(packet[0:16] ‖ token ‖ packet[32:])` — python-miio `miio/protocol.py`
//! (`Checksum(Bytes(16), md5, header.data + token + data)`), node miio `lib/packet.js` (`raw`).
//! OpenMiHome `doc/PROTOCOL.md` says the field is zero-initialised: no implementation and no
//! vector agrees (reference `miio-lan.md` §2, erratum).

use crate::crypto::md5;

/// Compute the checksum of a datagram whose header is `header16` (bytes 0..16) and whose
/// ciphertext is `ciphertext`.
pub fn compute(header16: &[u8], token: &[u8; 16], ciphertext: &[u8]) -> [u8; 16] {
    md5(&[header16, token, ciphertext])
}

/// Compare two checksums in constant time (no early exit on the first differing byte).
pub fn verify(expected: &[u8; 16], got: &[u8; 16]) -> bool {
    let mut diff = 0u8;
    for (a, b) in expected.iter().zip(got) {
        diff |= a ^ b;
    }
    // black_box keeps the optimiser from turning the fold back into an early-exit compare.
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_detects_any_single_bit_flip() {
        let a = [0x5au8; 16];
        assert!(verify(&a, &a));
        for i in 0..16 {
            for bit in 0..8 {
                let mut b = a;
                b[i] ^= 1 << bit;
                assert!(!verify(&a, &b));
            }
        }
    }
}
