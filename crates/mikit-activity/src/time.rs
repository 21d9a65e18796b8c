//! UTC timestamps as ISO-8601 text (`2024-03-01T06:30:00Z`), for GPX and TCX.
//!
//! Hand-written because it runs once per track point; checked against `jiff` in the tests.

use std::fmt::Write as _;

/// Appends `ts` (UTC epoch seconds) as `YYYY-MM-DDTHH:MM:SSZ`. Callers pass times within
/// [`crate::MIN_TIME`]..=[`crate::MAX_TIME`] (checked by [`crate::validate`]), so the year
/// always has four digits.
pub(crate) fn push_utc(out: &mut String, ts: i64) {
    let days = ts.div_euclid(86_400);
    let secs = ts.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    );
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, <https://howardhinnant.github.io/date_algorithms.html>).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32; // [1, 12]
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::push_utc;

    fn utc(ts: i64) -> String {
        let mut s = String::new();
        push_utc(&mut s, ts);
        s
    }

    #[test]
    fn known_instants() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc(1_709_274_600), "2024-03-01T06:30:00Z");
        assert_eq!(utc(crate::MAX_TIME), "2126-02-06T06:28:14Z");
    }
}
