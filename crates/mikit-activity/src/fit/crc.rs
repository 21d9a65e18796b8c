//! The FIT CRC: CRC-16/ARC (polynomial 0x8005 reflected, initial 0), computed a nibble at a
//! time with the 16-entry table of the FIT protocol description ("FIT File Structure",
//! section "CRC", Garmin FIT SDK).

const TABLE: [u16; 16] = [
    0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401, 0xA001, 0x6C00, 0x7800, 0xB401,
    0x5000, 0x9C01, 0x8801, 0x4400,
];

/// Continues `crc` over `bytes`.
pub(crate) fn update(mut crc: u16, bytes: &[u8]) -> u16 {
    for &b in bytes {
        let tmp = TABLE[usize::from(crc & 0xF)];
        crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ TABLE[usize::from(b & 0xF)];
        let tmp = TABLE[usize::from(crc & 0xF)];
        crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ TABLE[usize::from(b >> 4)];
    }
    crc
}

#[cfg(test)]
mod tests {
    #[test]
    fn crc16_arc_check_value() {
        // The catalogue check value of CRC-16/ARC ("123456789" → 0xBB3D), reveng.sourceforge.io.
        assert_eq!(super::update(0, b"123456789"), 0xBB3D);
        assert_eq!(super::update(0, b""), 0);
    }
}
