//! [`Error`]: everything that can go wrong in this crate, codec and sockets alike.

use std::net::SocketAddr;

use crate::message::DeviceError;

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why the client concluded that the device rejected its token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WrongTokenEvidence {
    /// A reply from the device failed checksum verification with our token.
    ChecksumMismatch,
    /// The device answered the hello but never answered an encrypted request: real devices
    /// silently drop packets whose checksum does not match their token.
    SilentAfterHello,
}

impl std::fmt::Display for WrongTokenEvidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::ChecksumMismatch => "its reply does not verify with this token",
            Self::SilentAfterHello => "it answers the hello but ignores every encrypted request",
        })
    }
}

/// Errors of the miIO codec, client, discovery and server.
///
/// No variant ever carries a token, a key or decrypted payload bytes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A device token that is not 32 hexadecimal characters. The input is never echoed.
    #[error("invalid device token: {reason} (expected 32 hexadecimal characters)")]
    InvalidToken {
        /// What is wrong with it (length or character class, never the value).
        reason: String,
    },
    /// The datagram is shorter than the 32-byte header.
    #[error("truncated packet: {len} bytes, a miIO header needs 32")]
    Truncated {
        /// Datagram length.
        len: usize,
    },
    /// The first two bytes are not the miIO magic `0x2131`.
    #[error("bad magic 0x{got:04x}, expected 0x2131 (not a miIO packet)")]
    BadMagic {
        /// The two bytes found.
        got: u16,
    },
    /// The header's length field does not equal the datagram size.
    #[error("length field says {header} bytes but the datagram has {datagram}")]
    LengthMismatch {
        /// Length field of the header.
        header: u16,
        /// Actual datagram size.
        datagram: usize,
    },
    /// The ciphertext is not a whole number of 16-byte AES blocks.
    #[error("payload of {len} bytes is not a multiple of the 16-byte AES block")]
    PayloadNotBlockAligned {
        /// Ciphertext length.
        len: usize,
    },
    /// The MD5 checksum does not match: wrong token, or corrupted packet.
    #[error("checksum mismatch: expected {}, got {} (wrong token or corrupted packet)", hex::encode(.expected), hex::encode(.got))]
    ChecksumMismatch {
        /// Checksum computed with our token.
        expected: [u8; 16],
        /// Checksum carried by the packet.
        got: [u8; 16],
    },
    /// A 32-byte packet (hello or hello reply) where an encrypted packet was expected.
    #[error("packet has no payload (a hello or hello reply, not an encrypted message)")]
    EmptyPayload,
    /// The decrypted payload does not end in valid PKCS#7 padding.
    #[error("bad PKCS#7 padding after decryption")]
    BadPadding,
    /// The payload is too large for the 16-bit length field.
    #[error("payload of {len} bytes does not fit a miIO packet (max 65503 bytes of plaintext)")]
    PayloadTooLarge {
        /// Plaintext length.
        len: usize,
    },
    /// A 32-byte packet was expected to be a hello (reply) and is not.
    #[error("not a hello packet: {reason}")]
    NotHello {
        /// What was found instead.
        reason: &'static str,
    },
    /// The decrypted payload is not JSON even after every known firmware repair.
    #[error("payload is not valid JSON: {reason}")]
    Json {
        /// Parser message of the last attempt.
        reason: String,
    },
    /// The JSON is valid but not a miIO request or response.
    #[error("unexpected message shape: {reason}")]
    UnexpectedMessage {
        /// What is missing or of the wrong type.
        reason: String,
    },
    /// The device answered with an RPC error object.
    #[error("device error {code}: {message}")]
    DeviceError {
        /// `error.code` (miIO: -5001, -10000, -9999, ...).
        code: i64,
        /// `error.message`.
        message: String,
    },
    /// A MIoT action returned a non-zero per-item code.
    #[error("MIoT action {siid}.{aiid} failed with code {code}")]
    ActionFailed {
        /// Service id.
        siid: u32,
        /// Action id.
        aiid: u32,
        /// MIoT code (-4003 does not exist, -4006 bad `in`, ...).
        code: i64,
    },
    /// The device did not answer the hello.
    #[error(
        "device at {addr} did not answer the hello ({attempts} attempts): it is offline, the address is wrong, \
         or this host is outside the device's subnet"
    )]
    HandshakeTimeout {
        /// Device address.
        addr: SocketAddr,
        /// Hellos sent.
        attempts: u32,
    },
    /// No reply to a request within the per-attempt timeout, on every attempt.
    #[error("no reply from {addr} to {method} after {attempts} attempts")]
    Timeout {
        /// Device address.
        addr: SocketAddr,
        /// RPC method.
        method: String,
        /// Requests sent.
        attempts: u32,
    },
    /// The device rejects our token.
    #[error("device at {addr} rejects the token: {evidence}; check the token")]
    WrongToken {
        /// Device address.
        addr: SocketAddr,
        /// Why we think so.
        evidence: WrongTokenEvidence,
    },
    /// A socket error.
    #[error("UDP socket error: {0}")]
    Io(#[from] std::io::Error),
}

impl From<DeviceError> for Error {
    fn from(e: DeviceError) -> Self {
        Self::DeviceError {
            code: e.code,
            message: e.message,
        }
    }
}
