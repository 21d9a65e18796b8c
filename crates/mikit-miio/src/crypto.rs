//! Device token and the AES-128-CBC layer: key = MD5(token), IV = MD5(key ‖ token), PKCS#7.
//!
//! The key and IV derivation is the one of python-miio `miio/protocol.py` (`Utils.key_iv`) and
//! OpenMiHome `mihome-binary-protocol:miio.py` (`key_iv()`); the prose of OpenMiHome
//! `doc/PROTOCOL.md` says `MD5(MD5(key) + token)`, which no implementation and no vector uses
//! (reference `miio-lan.md` §3, checked against the vectors in `tests/data/vectors.json`).
//! The IV is therefore fixed per token: identical plaintexts give identical ciphertexts.

use std::fmt;
use std::str::FromStr;

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, InnerIvInit, KeyInit};
use aes::{Aes128Dec, Aes128Enc};
use md5::{Digest, Md5};
use mikit_core::Secret;

use crate::error::{Error, Result};

/// AES block size.
pub const BLOCK: usize = 16;

/// A 16-byte miIO device token. `Debug`/`Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(Secret<[u8; 16]>);

impl Token {
    /// Wrap 16 raw bytes.
    pub fn new(bytes: [u8; 16]) -> Self {
        Self(Secret::new(bytes))
    }

    /// Parse 32 hexadecimal characters (surrounding whitespace is ignored). The error never
    /// contains the input.
    pub fn from_hex(s: &str) -> Result<Self> {
        let s = s.trim();
        if s.len() != 32 {
            return Err(Error::InvalidToken {
                reason: format!("{} characters", s.chars().count()),
            });
        }
        let mut out = [0u8; 16];
        hex::decode_to_slice(s, &mut out).map_err(|_| Error::InvalidToken {
            reason: "contains a character that is not 0-9, a-f or A-F".to_owned(),
        })?;
        Ok(Self::new(out))
    }

    /// The raw token. Call only where the value is used for crypto or stored.
    pub fn expose(&self) -> &[u8; 16] {
        self.0.expose()
    }

    /// The token as 32 lowercase hex characters. Call only where it is shown on request or stored.
    pub fn expose_hex(&self) -> String {
        hex::encode(self.expose())
    }

    /// True for the "token hidden" markers a provisioned device puts in its hello reply: every
    /// hex digit `0` or `f` (`ff…ff`, `00…00`), as node miio `lib/packet.js`
    /// (`handleHandshakeReply`, `/^[fF0]+$/`) treats them.
    pub fn is_hidden_marker(bytes: &[u8; 16]) -> bool {
        bytes
            .iter()
            .all(|b| matches!(b >> 4, 0x0 | 0xf) && matches!(b & 0x0f, 0x0 | 0xf))
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

impl FromStr for Token {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::from_hex(s)
    }
}

impl From<[u8; 16]> for Token {
    fn from(bytes: [u8; 16]) -> Self {
        Self::new(bytes)
    }
}

/// MD5 of the concatenation of `parts`.
pub(crate) fn md5(parts: &[&[u8]]) -> [u8; 16] {
    let mut h = Md5::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// The per-token crypto state: token, derived key and IV, and both AES key schedules, computed
/// once and reused for every packet.
#[derive(Clone)]
pub struct Cipher {
    token: Token,
    key: [u8; 16],
    iv: [u8; 16],
    enc: Aes128Enc,
    dec: Aes128Dec,
}

impl fmt::Debug for Cipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cipher(***)")
    }
}

impl Cipher {
    /// Derive key, IV and key schedules from a token.
    pub fn new(token: &Token) -> Self {
        let key = md5(&[token.expose()]);
        let iv = md5(&[&key, token.expose()]);
        Self {
            token: token.clone(),
            key,
            iv,
            enc: Aes128Enc::new(&key.into()),
            dec: Aes128Dec::new(&key.into()),
        }
    }

    /// The token this cipher was built from.
    pub fn token(&self) -> &Token {
        &self.token
    }

    /// AES key = MD5(token). Secret material: for test vectors only.
    pub fn key(&self) -> &[u8; 16] {
        &self.key
    }

    /// AES IV = MD5(key ‖ token). Secret material: for test vectors only.
    pub fn iv(&self) -> &[u8; 16] {
        &self.iv
    }

    /// Ciphertext length for a plaintext of `len` bytes (PKCS#7 always adds 1..=16 bytes).
    pub fn padded_len(len: usize) -> usize {
        (len / BLOCK + 1) * BLOCK
    }

    /// Encrypt `plaintext` (PKCS#7-padded) and append the ciphertext to `out`.
    pub fn encrypt_into(&self, plaintext: &[u8], out: &mut Vec<u8>) {
        let start = out.len();
        let padded = Self::padded_len(plaintext.len());
        out.resize(start + padded, 0);
        let buf = &mut out[start..];
        buf[..plaintext.len()].copy_from_slice(plaintext);
        let mode = cbc::Encryptor::<Aes128Enc>::inner_iv_init(self.enc.clone(), &self.iv.into());
        // Invariant: `buf` holds exactly padded_len(plaintext.len()) bytes, which is the room
        // PKCS#7 needs, so encrypt_padded cannot fail.
        let n = mode
            .encrypt_padded::<Pkcs7>(buf, plaintext.len())
            .map(<[u8]>::len)
            .unwrap_or(0);
        debug_assert_eq!(n, padded);
    }

    /// Encrypt `plaintext` into a new vector.
    pub fn encrypt(&self, plaintext: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(Self::padded_len(plaintext.len()));
        self.encrypt_into(plaintext, &mut out);
        out
    }

    /// Decrypt `buf` in place and return the unpadded plaintext slice.
    pub fn decrypt_in_place<'a>(&self, buf: &'a mut [u8]) -> Result<&'a [u8]> {
        if buf.is_empty() || !buf.len().is_multiple_of(BLOCK) {
            return Err(Error::PayloadNotBlockAligned { len: buf.len() });
        }
        let mode = cbc::Decryptor::<Aes128Dec>::inner_iv_init(self.dec.clone(), &self.iv.into());
        mode.decrypt_padded::<Pkcs7>(buf)
            .map_err(|_| Error::BadPadding)
    }

    /// Decrypt `ciphertext` into a new vector.
    pub fn decrypt(&self, ciphertext: &[u8]) -> Result<Vec<u8>> {
        let mut buf = ciphertext.to_vec();
        let n = self.decrypt_in_place(&mut buf)?.len();
        buf.truncate(n);
        Ok(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_parse_errors_are_clear_and_do_not_leak() {
        let e = Token::from_hex("0011").unwrap_err().to_string();
        assert!(e.contains("4 characters"), "{e}");
        let bad = "zz112233445566778899aabbccddeeff";
        let e = Token::from_hex(bad).unwrap_err().to_string();
        assert!(!e.contains(bad) && e.contains("not 0-9"), "{e}");
        assert!(Token::from_hex(" 00112233445566778899AABBCCDDEEFF\n").is_ok());
    }

    #[test]
    fn debug_hides_token_key_and_iv() {
        let t: Token = "00112233445566778899aabbccddeeff".parse().unwrap();
        let c = Cipher::new(&t);
        for s in [format!("{t:?}"), format!("{c:?}")] {
            assert!(!s.contains("00112233"), "{s}");
            assert!(!s.contains(&hex::encode(c.key())), "{s}");
        }
    }

    #[test]
    fn hidden_markers() {
        assert!(Token::is_hidden_marker(&[0xff; 16]));
        assert!(Token::is_hidden_marker(&[0x00; 16]));
        assert!(Token::is_hidden_marker(&[0x0f; 16]));
        let mut t = [0xff; 16];
        t[3] = 0x1f;
        assert!(!Token::is_hidden_marker(&t));
    }

    #[test]
    fn round_trip_and_bad_padding() {
        let c = Cipher::new(&Token::new([7; 16]));
        for len in 0..40 {
            let pt: Vec<u8> = (0..len as u8).collect();
            let ct = c.encrypt(&pt);
            assert_eq!(ct.len(), Cipher::padded_len(len));
            assert_eq!(c.decrypt(&ct).unwrap(), pt);
        }
        assert!(matches!(
            c.decrypt(&[0u8; 15]),
            Err(Error::PayloadNotBlockAligned { len: 15 })
        ));
        assert!(matches!(
            c.decrypt(&[]),
            Err(Error::PayloadNotBlockAligned { len: 0 })
        ));
        // Random-looking block: its last byte after decryption is almost surely bad padding;
        // find one deterministic block that is.
        let bad = (0u8..=255)
            .map(|i| [i; 16])
            .find(|b| c.decrypt(b).is_err())
            .unwrap();
        assert!(matches!(c.decrypt(&bad), Err(Error::BadPadding)));
    }
}
