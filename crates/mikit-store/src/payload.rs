//! Raw payloads as stored: one zstd frame per item.
//!
//! Every payload a service sent (band-day items, workout summaries and details) is kept so that
//! a better decoder can rebuild the derived tables offline. They are compact JSON with base64
//! or `;`-separated number lists inside, which zstd shrinks to about a third. Columns holding
//! such a frame are named `*_zstd`; [`Store::content_digest`](crate::Store::content_digest)
//! hashes their decompressed bytes, so the digest does not depend on the compressor.
//!
//! One level for every payload: 3, zstd's own default. Higher levels gained ≈ 6 % (level 9)
//! to 12 % (level 19) on band-day items at 4× to 30× the compression time, which a 10-year
//! sync pays on every item.

use crate::Error;

/// The zstd level of every stored payload.
pub(crate) const LEVEL: i32 = 3;

/// Compress one payload into a zstd frame (with its content size in the frame header).
pub(crate) fn compress(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    zstd::bulk::compress(bytes, LEVEL).map_err(|e| Error::Payload {
        what: "compressing",
        reason: e.to_string(),
    })
}

/// Decompress one stored frame back into exactly the bytes that were compressed.
pub(crate) fn decompress(frame: &[u8]) -> Result<Vec<u8>, Error> {
    zstd::decode_all(frame).map_err(|e| Error::Payload {
        what: "decompressing",
        reason: e.to_string(),
    })
}

/// Decompress a stored frame of JSON text (what every raw payload is).
pub(crate) fn decompress_text(frame: &[u8]) -> Result<String, Error> {
    String::from_utf8(decompress(frame)?).map_err(|e| Error::Payload {
        what: "decompressing",
        reason: format!("the payload is not UTF-8 text: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_exactly_and_rejects_garbage() {
        for input in [
            &b""[..],
            b"{}",
            &[0u8, 255, 10, 13][..],
            &vec![b'a'; 100_000],
        ] {
            let frame = compress(input).unwrap();
            assert_eq!(&frame[..4], &[0x28, 0xb5, 0x2f, 0xfd], "a zstd frame");
            assert_eq!(decompress(&frame).unwrap(), input);
        }
        let err = decompress(b"not a zstd frame").unwrap_err().to_string();
        assert!(err.contains("decompressing"), "{err}");
        assert!(decompress_text(&compress(&[0xff, 0xfe]).unwrap()).is_err());
    }
}
