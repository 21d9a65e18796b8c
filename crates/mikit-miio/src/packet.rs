//! The miIO datagram: 32-byte header, optional AES-CBC ciphertext, and the hello exchange.
//!
//! ```text
//! offset size field
//!  0     2    magic 0x2131
//!  2     2    length = 32 + len(ciphertext): the whole datagram
//!  4     4    "unknown": 0, or 0xffffffff in the hello request
//!  8     4    device id (did)
//! 12     4    stamp
//! 16    16    checksum (MD5, see `checksum`), or in hello packets ff…ff / 00…00 / the token
//! 32     N    ciphertext, N % 16 == 0
//! ```
//! All integers are big-endian (python-miio `miio/protocol.py` `Message`;
//! OpenMiHome `mihome-binary-protocol:doc/PROTOCOL.md`). Unlike python-miio, which ignores the
//! length field, parsing here is strict: `length == datagram size` and a block-aligned payload.

use crate::checksum;
use crate::crypto::{BLOCK, Cipher, Token};
use crate::error::{Error, Result};

/// The miIO magic number.
pub const MAGIC: u16 = 0x2131;
/// Header size in bytes.
pub const HEADER_LEN: usize = 32;
/// Largest datagram the 16-bit length field can describe.
pub const MAX_DATAGRAM: usize = u16::MAX as usize;

/// The canonical hello (handshake / discovery) request: `21310020` followed by 28 × `ff`
/// (python-miio `miio/miioprotocol.py` `helobytes`; `wutiarn/miio-lib-kt` `Packet.HELLO`).
pub const HELLO: [u8; 32] = {
    let mut h = [0xff; 32];
    h[0] = 0x21;
    h[1] = 0x31;
    h[2] = 0x00;
    h[3] = 0x20;
    h
};

/// The parsed 32-byte header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Length field (whole datagram).
    pub length: u16,
    /// Reserved field: 0, or `0xffffffff` in the hello request.
    pub unknown: u32,
    /// Device id.
    pub did: u32,
    /// Stamp (device uptime seconds on real devices).
    pub stamp: u32,
    /// Checksum field as carried.
    pub checksum: [u8; 16],
}

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl Header {
    /// Parse and validate the header of `datagram`: size ≥ 32, magic, length field equal to
    /// the datagram size, payload a multiple of 16 bytes.
    pub fn parse(datagram: &[u8]) -> Result<Self> {
        if datagram.len() < HEADER_LEN {
            return Err(Error::Truncated {
                len: datagram.len(),
            });
        }
        let magic = be16(datagram, 0);
        if magic != MAGIC {
            return Err(Error::BadMagic { got: magic });
        }
        let length = be16(datagram, 2);
        if usize::from(length) != datagram.len() {
            return Err(Error::LengthMismatch {
                header: length,
                datagram: datagram.len(),
            });
        }
        let payload = datagram.len() - HEADER_LEN;
        if !payload.is_multiple_of(BLOCK) {
            return Err(Error::PayloadNotBlockAligned { len: payload });
        }
        let mut checksum = [0u8; 16];
        checksum.copy_from_slice(&datagram[16..32]);
        Ok(Self {
            length,
            unknown: be32(datagram, 4),
            did: be32(datagram, 8),
            stamp: be32(datagram, 12),
            checksum,
        })
    }

    /// Serialise the header.
    pub fn to_bytes(&self) -> [u8; 32] {
        let mut b = [0u8; 32];
        b[0..2].copy_from_slice(&MAGIC.to_be_bytes());
        b[2..4].copy_from_slice(&self.length.to_be_bytes());
        b[4..8].copy_from_slice(&self.unknown.to_be_bytes());
        b[8..12].copy_from_slice(&self.did.to_be_bytes());
        b[12..16].copy_from_slice(&self.stamp.to_be_bytes());
        b[16..32].copy_from_slice(&self.checksum);
        b
    }
}

/// True when `datagram` is exactly the canonical hello request. Devices (and [`crate::server`])
/// answer only this; other 32-byte datagrams are ignored (python-miio
/// `push_server/serverprotocol.py`: `if data == HELO_BYTES`).
pub fn is_hello(datagram: &[u8]) -> bool {
    datagram == HELLO
}

/// What a device puts in the checksum field of its hello reply.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum HelloToken {
    /// `ff…ff`: provisioned device, token hidden (the usual case since 2017 firmware).
    HiddenFf,
    /// `00…00`: token hidden, as python-miio's simulator and some devices send it.
    HiddenZero,
    /// The token itself: unprovisioned device (OpenMiHome, "only uninitialized devices reveal
    /// their token").
    Revealed(Token),
}

/// A hello reply: a 32-byte header with the device's did and stamp.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct HelloReply {
    /// Device id.
    pub did: u32,
    /// Device stamp.
    pub stamp: u32,
    /// Raw checksum field (a token only if [`HelloReply::token`] says so).
    pub token_field: TokenField,
}

/// The 16-byte checksum field of a hello reply; `Debug` hides it since it may be a token.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TokenField(pub [u8; 16]);

impl std::fmt::Debug for TokenField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if Token::is_hidden_marker(&self.0) {
            write!(f, "TokenField({})", hex::encode(self.0))
        } else {
            f.write_str("TokenField(***)")
        }
    }
}

impl HelloReply {
    /// Build a reply for a device with `did`, current `stamp`, and the given token policy.
    pub fn new(did: u32, stamp: u32, token: &HelloToken) -> Self {
        let field = match token {
            HelloToken::HiddenFf => [0xff; 16],
            HelloToken::HiddenZero => [0; 16],
            HelloToken::Revealed(t) => *t.expose(),
        };
        Self {
            did,
            stamp,
            token_field: TokenField(field),
        }
    }

    /// Parse a hello reply: a valid 32-byte header that is not itself the hello request.
    pub fn parse(datagram: &[u8]) -> Result<Self> {
        let h = Header::parse(datagram)?;
        if h.length as usize != HEADER_LEN {
            return Err(Error::NotHello {
                reason: "packet carries a payload",
            });
        }
        if is_hello(datagram) {
            return Err(Error::NotHello {
                reason: "this is a hello request, not a reply",
            });
        }
        Ok(Self {
            did: h.did,
            stamp: h.stamp,
            token_field: TokenField(h.checksum),
        })
    }

    /// The revealed token, or `None` when the field is a "hidden" marker (every hex digit 0 or f).
    pub fn token(&self) -> Option<Token> {
        (!Token::is_hidden_marker(&self.token_field.0)).then(|| Token::new(self.token_field.0))
    }

    /// Serialise (unknown = 0).
    pub fn to_bytes(&self) -> [u8; 32] {
        Header {
            length: HEADER_LEN as u16,
            unknown: 0,
            did: self.did,
            stamp: self.stamp,
            checksum: self.token_field.0,
        }
        .to_bytes()
    }
}

/// An encrypted miIO packet, decoded: header fields and the decrypted payload.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Packet {
    /// Reserved header field (0 in every data packet seen).
    pub unknown: u32,
    /// Device id.
    pub did: u32,
    /// Stamp.
    pub stamp: u32,
    /// Plaintext payload (JSON, possibly with trailing NULs).
    pub payload: Vec<u8>,
}

/// Fields of a data packet whose payload was decrypted in place (see [`decode_in_place`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct DataHeader {
    /// Reserved header field.
    pub unknown: u32,
    /// Device id.
    pub did: u32,
    /// Stamp.
    pub stamp: u32,
}

/// Validate the header and checksum of an encrypted packet, then decrypt its payload in place.
/// Returns the header fields and the plaintext (a sub-slice of `datagram`). No allocation.
pub fn decode_in_place<'a>(
    datagram: &'a mut [u8],
    cipher: &Cipher,
) -> Result<(DataHeader, &'a [u8])> {
    let h = Header::parse(datagram)?;
    if datagram.len() == HEADER_LEN {
        return Err(Error::EmptyPayload);
    }
    let expected = checksum::compute(
        &datagram[..16],
        cipher.token().expose(),
        &datagram[HEADER_LEN..],
    );
    if !checksum::verify(&expected, &h.checksum) {
        return Err(Error::ChecksumMismatch {
            expected,
            got: h.checksum,
        });
    }
    let plaintext = cipher.decrypt_in_place(&mut datagram[HEADER_LEN..])?;
    Ok((
        DataHeader {
            unknown: h.unknown,
            did: h.did,
            stamp: h.stamp,
        },
        plaintext,
    ))
}

/// Append the datagram for `payload` to `out`: header, ciphertext, checksum. Only `out` may
/// grow; nothing else is allocated.
pub fn encode_into(
    header: DataHeader,
    payload: &[u8],
    cipher: &Cipher,
    out: &mut Vec<u8>,
) -> Result<()> {
    let total = HEADER_LEN + Cipher::padded_len(payload.len());
    let length = u16::try_from(total).map_err(|_| Error::PayloadTooLarge { len: payload.len() })?;
    let start = out.len();
    let hdr = Header {
        length,
        unknown: header.unknown,
        did: header.did,
        stamp: header.stamp,
        checksum: *cipher.token().expose(),
    }
    .to_bytes();
    out.extend_from_slice(&hdr);
    cipher.encrypt_into(payload, out);
    // The token sits in the checksum slot while hashing (checksum.rs), so the MD5 of the whole
    // datagram as it stands now is the checksum.
    let sum = checksum::compute(
        &hdr[..16],
        cipher.token().expose(),
        &out[start + HEADER_LEN..],
    );
    out[start + 16..start + 32].copy_from_slice(&sum);
    Ok(())
}

impl Packet {
    /// Decode and decrypt an encrypted datagram (strict header, constant-time checksum).
    pub fn decode(datagram: &[u8], cipher: &Cipher) -> Result<Self> {
        let mut buf = datagram.to_vec();
        let (h, pt) = decode_in_place(&mut buf, cipher)?;
        let n = pt.len();
        buf.copy_within(HEADER_LEN..HEADER_LEN + n, 0);
        buf.truncate(n);
        Ok(Self {
            unknown: h.unknown,
            did: h.did,
            stamp: h.stamp,
            payload: buf,
        })
    }

    /// Encrypt and serialise.
    pub fn encode(&self, cipher: &Cipher) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(HEADER_LEN + Cipher::padded_len(self.payload.len()));
        encode_into(
            DataHeader {
                unknown: self.unknown,
                did: self.did,
                stamp: self.stamp,
            },
            &self.payload,
            cipher,
            &mut out,
        )?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher() -> Cipher {
        Cipher::new(&Token::new([0x11; 16]))
    }

    #[test]
    fn hello_constant_matches_reference_bytes() {
        // reference miio-lan.md §4: 21310020 + 28 × ff
        assert_eq!(hex::encode(HELLO), format!("21310020{}", "ff".repeat(28)));
        assert!(HelloReply::parse(&HELLO).is_err());
    }

    #[test]
    fn strict_header_errors() {
        let c = cipher();
        let good = Packet {
            unknown: 0,
            did: 1,
            stamp: 2,
            payload: b"{}".to_vec(),
        }
        .encode(&c)
        .unwrap();
        assert!(matches!(
            Header::parse(&good[..31]),
            Err(Error::Truncated { len: 31 })
        ));
        let mut m = good.clone();
        m[0] = 0x22;
        assert!(matches!(
            Header::parse(&m),
            Err(Error::BadMagic { got: 0x2231 })
        ));
        let mut l = good.clone();
        l.push(0);
        assert!(matches!(
            Header::parse(&l),
            Err(Error::LengthMismatch {
                header: 48,
                datagram: 49
            })
        ));
        let mut a = good[..40].to_vec();
        a[3] = 40;
        assert!(matches!(
            Header::parse(&a),
            Err(Error::PayloadNotBlockAligned { len: 8 })
        ));
        let mut cs = good.clone();
        cs[20] ^= 1;
        match Packet::decode(&cs, &c) {
            Err(Error::ChecksumMismatch { expected, got }) => {
                assert_eq!(expected[..], good[16..32]);
                assert_eq!(got[..], cs[16..32]);
            }
            other => panic!("{other:?}"),
        }
        let mut body = good.clone();
        body[40] ^= 1;
        assert!(matches!(
            Packet::decode(&body, &c),
            Err(Error::ChecksumMismatch { .. })
        ));
        assert!(Packet::decode(&good, &Cipher::new(&Token::new([0x12; 16]))).is_err());
        assert_eq!(Packet::decode(&good, &c).unwrap().payload, b"{}");
    }

    #[test]
    fn hello_is_not_a_data_packet() {
        assert!(matches!(
            Packet::decode(&HELLO, &cipher()),
            Err(Error::EmptyPayload)
        ));
    }

    #[test]
    fn bad_padding_with_valid_checksum_is_typed() {
        let c = cipher();
        // Ciphertext of a block whose decryption has an invalid PKCS#7 tail, with a correct
        // checksum on top: decode must report BadPadding, not panic.
        let block = (0u8..=255)
            .map(|i| [i; 16])
            .find(|b| c.decrypt(b).is_err())
            .unwrap();
        let mut d = Header {
            length: 48,
            unknown: 0,
            did: 1,
            stamp: 1,
            checksum: *c.token().expose(),
        }
        .to_bytes()
        .to_vec();
        d.extend_from_slice(&block);
        let sum = checksum::compute(&d[..16], c.token().expose(), &d[32..]);
        d[16..32].copy_from_slice(&sum);
        assert!(matches!(Packet::decode(&d, &c), Err(Error::BadPadding)));
    }

    #[test]
    fn hello_reply_token_field() {
        let t = Token::new([0x42; 16]);
        let r = HelloReply::new(7, 9, &HelloToken::Revealed(t.clone()));
        let parsed = HelloReply::parse(&r.to_bytes()).unwrap();
        assert_eq!(parsed.token(), Some(t));
        assert!(!format!("{parsed:?}").contains("4242"));
        assert_eq!(
            HelloReply::parse(&HelloReply::new(7, 9, &HelloToken::HiddenFf).to_bytes())
                .unwrap()
                .token(),
            None
        );
        assert_eq!(
            HelloReply::parse(&HelloReply::new(7, 9, &HelloToken::HiddenZero).to_bytes())
                .unwrap()
                .token(),
            None
        );
    }

    #[test]
    fn oversized_payload_is_an_error() {
        let c = cipher();
        let p = Packet {
            unknown: 0,
            did: 0,
            stamp: 0,
            payload: vec![b' '; MAX_DATAGRAM],
        };
        assert!(matches!(p.encode(&c), Err(Error::PayloadTooLarge { .. })));
    }
}
