//! The cryptographic primitives the Mi cloud uses, as small pure functions.
//!
//! RC4 with the first 1024 keystream bytes dropped, SHA-1/SHA-256/HMAC-SHA256 digests,
//! MD5 for the password hash and standard base64 (with padding) everywhere.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{KeyInit as _, Mac as _};
use rc4::StreamCipher as _;
use sha1::Digest as _;

use crate::Error;

/// Standard base64 with padding.
pub fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Decode standard base64; `field` names the input in the error.
pub fn b64_decode(text: &str, field: &'static str) -> Result<Vec<u8>, Error> {
    STANDARD
        .decode(text.trim().as_bytes())
        .map_err(|_| Error::BadBase64 { field })
}

/// SHA-256 of the concatenation of `parts`.
pub fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = sha2::Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// SHA-1 of `data`.
pub fn sha1(data: &[u8]) -> [u8; 20] {
    sha1::Sha1::digest(data).into()
}

/// HMAC-SHA256 of `msg` under `key` (any key length is valid for HMAC).
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    // Invariant: HMAC accepts keys of every length (long keys are hashed), so
    // `new_from_slice` cannot fail.
    let mut mac =
        hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// The `hash` field of `serviceLoginAuth2`: MD5 of the password as upper-case hex
/// (`micloud/micloud.py`, XGW3 `core/xiaomi_cloud.py`; reference §2.1).
pub fn password_hash(password: &str) -> String {
    hex::encode_upper(md5::Md5::digest(password.as_bytes()))
}

/// RC4 keyed with `key`, first 1024 keystream bytes discarded, applied to `data`.
///
/// Encryption and decryption are the same operation. A fresh cipher state is used for every
/// call, as every client does per form field and per response (micloud
/// `generate_enc_params`, XGW3 `request`; reference §3 scheme 2).
pub fn rc4_drop1024(key: &[u8], data: &[u8]) -> Result<Vec<u8>, Error> {
    let mut cipher = rc4::Rc4::new_from_slice(key).map_err(|_| Error::BadKey { len: key.len() })?;
    let mut drop = [0u8; 1024];
    cipher.apply_keystream(&mut drop);
    let mut out = data.to_vec();
    cipher.apply_keystream(&mut out);
    Ok(out)
}

/// Compare two byte strings in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_hash_matches_vector() {
        // vectors.json set2.password_hash (reference §10)
        assert_eq!(
            password_hash("password"),
            "5F4DCC3B5AA765D61D8327DEB882CF99"
        );
    }

    #[test]
    fn rc4_is_an_involution_and_rejects_empty_keys() {
        let c = rc4_drop1024(b"key", b"hello").unwrap();
        assert_ne!(c, b"hello");
        assert_eq!(rc4_drop1024(b"key", &c).unwrap(), b"hello");
        assert!(matches!(
            rc4_drop1024(b"", b"x"),
            Err(Error::BadKey { len: 0 })
        ));
    }

    #[test]
    fn constant_time_eq_works() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
