//! FIT file framing: the file header, definition and data messages, base types and their
//! "invalid" values, and the CRCs.
//!
//! From the FIT protocol description (Garmin FIT SDK, "FIT File Structure"):
//! - a 14-byte header: header size, protocol version, profile version (u16), data size (u32),
//!   `".FIT"`, and the CRC of the 12 bytes before it;
//! - records, each starting with a header byte: `0x40 | local` for a definition message,
//!   `local` for a data message (normal headers, local message types 0..=15);
//! - a definition message: reserved byte, architecture (0 = little-endian), global message
//!   number (u16), field count, then (field number, size, base type) per field;
//! - the CRC of every byte before it (header included) closes the file.

use super::crc;

/// Seconds from the Unix epoch to the FIT epoch, 1989-12-31T00:00:00Z.
pub(crate) const FIT_EPOCH: i64 = 631_065_600;

/// The base types this encoder writes (FIT SDK profile, "Base Types").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Base {
    /// `enum`, 1 byte, invalid 0xFF.
    Enum,
    /// `uint8`, invalid 0xFF.
    U8,
    /// `uint16`, invalid 0xFFFF.
    U16,
    /// `uint32`, invalid 0xFFFFFFFF.
    U32,
    /// `sint32`, invalid 0x7FFFFFFF.
    S32,
}

impl Base {
    /// The base type byte of a field definition (endian-capable types have bit 7 set).
    fn code(self) -> u8 {
        match self {
            Base::Enum => 0x00,
            Base::U8 => 0x02,
            Base::U16 => 0x84,
            Base::U32 => 0x86,
            Base::S32 => 0x85,
        }
    }

    fn size(self) -> u8 {
        match self {
            Base::Enum | Base::U8 => 1,
            Base::U16 => 2,
            Base::U32 | Base::S32 => 4,
        }
    }

    /// Writes `v`, or the invalid value when `v` is absent or outside the type's valid range
    /// (which excludes the invalid value itself).
    fn put(self, out: &mut Vec<u8>, v: Option<i64>) {
        match self {
            Base::Enum | Base::U8 => {
                let x = v.filter(|x| (0..=0xFE).contains(x)).unwrap_or(0xFF);
                out.push(x as u8);
            }
            Base::U16 => {
                let x = v.filter(|x| (0..=0xFFFE).contains(x)).unwrap_or(0xFFFF);
                out.extend_from_slice(&(x as u16).to_le_bytes());
            }
            Base::U32 => {
                let x = v
                    .filter(|x| (0..=0xFFFF_FFFE).contains(x))
                    .unwrap_or(0xFFFF_FFFF);
                out.extend_from_slice(&(x as u32).to_le_bytes());
            }
            Base::S32 => {
                let x = v
                    .filter(|x| (i64::from(i32::MIN)..=0x7FFF_FFFE).contains(x))
                    .unwrap_or(0x7FFF_FFFF);
                out.extend_from_slice(&(x as i32).to_le_bytes());
            }
        }
    }
}

/// One field of a message definition.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Field {
    /// Field number in the profile.
    pub num: u8,
    /// Its base type.
    pub base: Base,
}

/// Shorthand for a [`Field`].
pub(crate) const fn f(num: u8, base: Base) -> Field {
    Field { num, base }
}

/// A message layout: global number, the local type it is written under, and its fields.
#[derive(Clone, Debug)]
pub(crate) struct Message {
    pub global: u16,
    pub local: u8,
    pub fields: Vec<Field>,
}

/// Builds a FIT file in memory.
pub(crate) struct Writer {
    buf: Vec<u8>,
    /// Bit `n` set: local type `n` has been defined.
    defined: u16,
}

const HEADER_SIZE: u8 = 14;
/// Protocol 1.0: this encoder uses no 2.0 features (developer fields, 64-bit types).
const PROTOCOL_VERSION: u8 = 0x10;
/// Profile version 21.00 (major × 100 + minor); every message and field written here exists
/// in it. Informational for decoders.
const PROFILE_VERSION: u16 = 2100;

impl Writer {
    pub(crate) fn with_capacity(bytes: usize) -> Self {
        let mut buf = Vec::with_capacity(bytes + usize::from(HEADER_SIZE) + 2);
        buf.resize(usize::from(HEADER_SIZE), 0);
        Writer { buf, defined: 0 }
    }

    /// Writes one data message (and its definition the first time `m.local` is used).
    /// `values[i]` belongs to `m.fields[i]`; `None` writes the field's invalid value.
    pub(crate) fn write(&mut self, m: &Message, values: &[Option<i64>]) {
        debug_assert_eq!(m.fields.len(), values.len(), "message {}", m.global);
        debug_assert!(m.local < 16);
        if self.defined & (1 << m.local) == 0 {
            self.define(m);
        }
        self.buf.push(m.local & 0x0F);
        for (field, v) in m.fields.iter().zip(values) {
            field.base.put(&mut self.buf, *v);
        }
    }

    fn define(&mut self, m: &Message) {
        self.defined |= 1 << m.local;
        self.buf.push(0x40 | (m.local & 0x0F));
        self.buf.push(0); // reserved
        self.buf.push(0); // architecture: little-endian
        self.buf.extend_from_slice(&m.global.to_le_bytes());
        // At most 255 fields per definition; ours have at most 30.
        self.buf
            .push(u8::try_from(m.fields.len()).unwrap_or(u8::MAX));
        for field in m.fields.iter().take(255) {
            self.buf
                .extend_from_slice(&[field.num, field.base.size(), field.base.code()]);
        }
    }

    /// Fills in the header and appends the file CRC.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        let data_size = self.buf.len() - usize::from(HEADER_SIZE);
        let mut header = [0_u8; HEADER_SIZE as usize];
        header[0] = HEADER_SIZE;
        header[1] = PROTOCOL_VERSION;
        header[2..4].copy_from_slice(&PROFILE_VERSION.to_le_bytes());
        // A workout is far below 4 GiB; saturate rather than wrap if it ever were not.
        header[4..8].copy_from_slice(&u32::try_from(data_size).unwrap_or(u32::MAX).to_le_bytes());
        header[8..12].copy_from_slice(b".FIT");
        let header_crc = crc::update(0, &header[..12]);
        header[12..14].copy_from_slice(&header_crc.to_le_bytes());
        self.buf[..usize::from(HEADER_SIZE)].copy_from_slice(&header);
        let file_crc = crc::update(0, &self.buf);
        self.buf.extend_from_slice(&file_crc.to_le_bytes());
        self.buf
    }
}

/// A FIT `date_time` (seconds since the FIT epoch) from UTC epoch seconds.
pub(crate) fn date_time(ts: i64) -> Option<i64> {
    Some(ts - FIT_EPOCH)
}

/// `round((x + offset) × scale)`, the FIT profile's scale/offset; `None` for a missing or
/// non-finite value (the base type then rejects what it cannot hold).
pub(crate) fn scaled(x: Option<f64>, scale: f64, offset: f64) -> Option<i64> {
    let v = ((x? + offset) * scale).round();
    // `as` saturates; a saturated value is outside every base type's valid range.
    v.is_finite().then_some(v as i64)
}

/// Degrees to semicircles (2³¹ semicircles = 180°), wrapping +180° to −180°.
pub(crate) fn semicircles(deg: f64) -> Option<i64> {
    let s = (deg * (2_147_483_648.0 / 180.0)).round();
    if !s.is_finite() {
        return None;
    }
    let s = s as i64;
    // +180° is −180°; 0x7FFFFFFF is the invalid value, so the one semicircle below +180° is
    // rounded down by one.
    Some(if s >= 1 << 31 {
        s - (1 << 32)
    } else {
        s.min(0x7FFF_FFFE)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_values_per_base_type() {
        let mut out = Vec::new();
        Base::Enum.put(&mut out, None);
        Base::U8.put(&mut out, Some(255));
        Base::U16.put(&mut out, Some(-1));
        Base::U32.put(&mut out, Some(1 << 40));
        Base::S32.put(&mut out, None);
        assert_eq!(
            out,
            [
                0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F
            ]
        );
    }

    #[test]
    fn semicircle_edges() {
        assert_eq!(semicircles(0.0), Some(0));
        assert_eq!(semicircles(90.0), Some(1 << 30));
        assert_eq!(semicircles(-180.0), Some(-(1 << 31)));
        assert_eq!(semicircles(180.0), Some(-(1 << 31)));
        assert_eq!(semicircles(179.999_999_9), Some(0x7FFF_FFFE));
    }

    #[test]
    fn scale_and_offset() {
        // Altitude: scale 5, offset 500 (FIT profile, record.enhanced_altitude).
        assert_eq!(scaled(Some(100.0), 5.0, 500.0), Some(3000));
        assert_eq!(scaled(None, 5.0, 500.0), None);
        assert_eq!(scaled(Some(f64::NAN), 5.0, 500.0), None);
    }
}
