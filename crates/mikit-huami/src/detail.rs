//! The per-minute blobs of a `band_data.json` detail item: `data` (activity records) and
//! `data_hr` (one heart-rate byte per minute), reference `huami-cloud.md` §5.4, §5.5, §13.2.
//!
//! Pure functions over decoded bytes.

use crate::model::{DecodeIssue, MinuteRecord};

/// `data_hr` sentinel: no data (not worn / not synced), reference §5.4 (BTASKER, MIMO upload).
pub const HR_NO_DATA: u8 = 254;
/// `data_hr` sentinel: worn, no measurement that minute, reference §5.4.
pub const HR_NOT_MEASURED: u8 = 255;

/// The bpm of one `data_hr` byte, or `None` for the sentinels 0, 254 and 255.
pub fn hr_bpm(v: u8) -> Option<u8> {
    (v != 0 && v < HR_NO_DATA).then_some(v)
}

/// Bytes per minute record of a `data` blob of `len` bytes (reference §13.2): trust
/// `byteLength` only if it is at least 3 and divides `len`; else 3 if `len % 3 == 0`,
/// else 8.
///
/// Why: the JSOLAN fixture and HAZC say 8, EVAN's doc example says 190 (unexplained), and
/// legacy bands send 3-byte records without any `byteLength`.
pub fn record_len(byte_length: Option<i64>, len: usize) -> usize {
    if let Some(n) = byte_length
        .and_then(|n| usize::try_from(n).ok())
        .filter(|&n| n >= 3 && len.is_multiple_of(n))
    {
        return n;
    }
    if len.is_multiple_of(3) { 3 } else { 8 }
}

/// Decode the minute records of one day (or one upload segment).
///
/// `first_minute` is the UTC epoch second of the first record (local midnight plus the
/// segment's start). `data` holds records of [`record_len`] bytes (`[0] kind, [1] intensity,
/// [2] steps`, and for records of 4 bytes or more `[3]` heart rate); `hr` holds one byte per
/// minute from the same start. The result has one record per minute covered by either blob;
/// the heart rate comes from `hr` where it covers the minute, else from byte 3.
pub fn decode_minutes(
    first_minute: i64,
    data: &[u8],
    hr: &[u8],
    byte_length: Option<i64>,
    issues: &mut Vec<DecodeIssue>,
) -> Vec<MinuteRecord> {
    let n = record_len(byte_length, data.len());
    let rest = data.len() % n;
    if rest != 0 {
        issues.push(DecodeIssue {
            field: "data".into(),
            problem: format!(
                "{} bytes is not a whole number of {n}-byte records; the last {rest} bytes were ignored",
                data.len()
            ),
        });
    }
    let records: Vec<&[u8]> = data.chunks_exact(n).collect();
    let count = records.len().max(hr.len());
    let mut out = Vec::with_capacity(count);
    let mut ts = first_minute;
    for i in 0..count {
        let rec = records.get(i).copied();
        let byte = |k: usize| rec.and_then(|r| r.get(k)).copied();
        let heart_rate = match hr.get(i) {
            Some(&v) => hr_bpm(v),
            None if n >= 4 => byte(3).and_then(hr_bpm),
            None => None,
        };
        out.push(MinuteRecord {
            ts,
            kind: byte(0),
            intensity: byte(1),
            steps: byte(2),
            heart_rate,
        });
        ts += 60;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_len_rule() {
        assert_eq!(record_len(Some(8), 11_520), 8);
        assert_eq!(record_len(Some(190), 4320), 3); // 190 does not divide 4320
        assert_eq!(record_len(None, 4320), 3);
        assert_eq!(record_len(None, 16), 8);
        assert_eq!(record_len(Some(8), 6), 3);
        assert_eq!(record_len(Some(1), 16), 8); // below 3: not trusted
        assert_eq!(record_len(Some(-8), 16), 8);
    }

    #[test]
    fn hr_from_byte_three_when_data_hr_is_short() {
        let mut issues = Vec::new();
        let data = [1, 2, 3, 70, 0, 0, 0, 0, 4, 5, 6, 71, 0, 0, 0, 0];
        let m = decode_minutes(1000, &data, &[254], Some(8), &mut issues);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].heart_rate, None); // data_hr covers minute 0 (sentinel)
        assert_eq!(m[1].heart_rate, Some(71));
        assert_eq!(m[1].ts, 1060);
        assert!(issues.is_empty());
    }

    #[test]
    fn trailing_bytes_are_an_issue() {
        let mut issues = Vec::new();
        let m = decode_minutes(0, &[1; 17], &[], Some(8), &mut issues);
        assert_eq!(m.len(), 2);
        assert_eq!(issues.len(), 1);
    }
}
