//! Streaming writers for `mikit fit export`: CSV or JSON lines, constant memory.
//!
//! Times are ISO 8601 local times with the day's UTC offset (`2024-03-01T07:15:00+01:00`).

use std::io::Write;

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Comma-separated values with a header line.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// A cell value.
#[derive(Clone, Copy, Debug)]
pub enum Cell<'a> {
    /// A text cell.
    Str(&'a str),
    /// An integer cell.
    Int(i64),
    /// A missing value (empty in CSV, null in JSON).
    Null,
    /// A boolean.
    Bool(bool),
    /// A time: UTC epoch seconds and the UTC offset to show it in.
    Time(i64, i32),
}

impl From<Option<i64>> for Cell<'_> {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Cell::Null, Cell::Int)
    }
}

/// Writes rows of a fixed set of columns.
pub struct RowWriter<W: Write> {
    out: W,
    format: Format,
    columns: &'static [&'static str],
    buf: String,
}

impl<W: Write> RowWriter<W> {
    /// Start a writer; CSV writes its header line now.
    pub fn new(
        mut out: W,
        format: Format,
        columns: &'static [&'static str],
    ) -> std::io::Result<Self> {
        if format == Format::Csv {
            out.write_all(columns.join(",").as_bytes())?;
            out.write_all(b"\n")?;
        }
        Ok(Self {
            out,
            format,
            columns,
            buf: String::with_capacity(256),
        })
    }

    /// Write one row (cells in column order).
    pub fn row(&mut self, cells: &[Cell<'_>]) -> std::io::Result<()> {
        use std::fmt::Write as _;
        self.buf.clear();
        let b = &mut self.buf;
        match self.format {
            Format::Csv => {
                for (i, c) in cells.iter().enumerate() {
                    if i > 0 {
                        b.push(',');
                    }
                    match *c {
                        Cell::Str(s) if s.contains([',', '"', '\n', '\r']) => {
                            b.push('"');
                            b.push_str(&s.replace('"', "\"\""));
                            b.push('"');
                        }
                        Cell::Str(s) => b.push_str(s),
                        Cell::Int(v) => {
                            let _ = write!(b, "{v}");
                        }
                        Cell::Null => {}
                        Cell::Bool(v) => b.push_str(if v { "true" } else { "false" }),
                        Cell::Time(ts, off) => push_iso(b, ts, off),
                    }
                }
            }
            Format::Jsonl => {
                b.push('{');
                for (i, (c, name)) in cells.iter().zip(self.columns).enumerate() {
                    if i > 0 {
                        b.push(',');
                    }
                    b.push('"');
                    b.push_str(name);
                    b.push_str("\":");
                    match *c {
                        Cell::Str(s) => {
                            let _ = write!(b, "{}", serde_json::Value::from(s));
                        }
                        Cell::Int(v) => {
                            let _ = write!(b, "{v}");
                        }
                        Cell::Null => b.push_str("null"),
                        Cell::Bool(v) => b.push_str(if v { "true" } else { "false" }),
                        Cell::Time(ts, off) => {
                            b.push('"');
                            push_iso(b, ts, off);
                            b.push('"');
                        }
                    }
                }
                b.push('}');
            }
        }
        b.push('\n');
        self.out.write_all(self.buf.as_bytes())
    }

    /// Flush and return the inner writer.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Append `ts` shown at UTC offset `offset` (seconds) as `YYYY-MM-DDTHH:MM:SS±HH:MM`.
///
/// Hand-written because it runs once per exported minute (millions of times); checked against
/// jiff in the tests.
pub fn push_iso(b: &mut String, ts: i64, offset: i32) {
    use std::fmt::Write as _;
    let local = ts + i64::from(offset);
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let _ = write!(
        b,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    if offset == 0 {
        b.push_str("+00:00");
    } else {
        let sign = if offset < 0 { '-' } else { '+' };
        let a = offset.unsigned_abs();
        let _ = write!(b, "{sign}{:02}:{:02}", a / 3600, a / 60 % 60);
    }
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let m = u32::try_from(m).unwrap_or(1);
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(ts: i64, off: i32) -> String {
        let mut s = String::new();
        push_iso(&mut s, ts, off);
        s
    }

    #[test]
    fn iso_matches_jiff() {
        for &(ts, off) in &[
            (0i64, 0i32),
            (1_709_277_300, 3600),
            (951_782_400, -18_000),
            (4_102_444_799, 19_800),
            (-86_400, 0),
        ] {
            let zdt =
                jiff::Timestamp::from_second(ts)
                    .unwrap()
                    .to_zoned(jiff::tz::TimeZone::fixed(
                        jiff::tz::Offset::from_seconds(off).unwrap(),
                    ));
            let expected = zdt.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
            assert_eq!(iso(ts, off), expected, "ts={ts} off={off}");
        }
        // Leap day and far years, exhaustively across 30 years of days.
        let mut ts = 946_684_800i64;
        while ts < 1_893_456_000 {
            let expected = jiff::Timestamp::from_second(ts)
                .unwrap()
                .strftime("%Y-%m-%dT%H:%M:%S+00:00")
                .to_string();
            assert_eq!(iso(ts, 0), expected);
            ts += 86_399;
        }
    }

    #[test]
    fn csv_quotes_and_jsonl_nulls() {
        let mut w = RowWriter::new(Vec::new(), Format::Csv, &["a", "b", "c"]).unwrap();
        w.row(&[Cell::Str("x,y"), Cell::Null, Cell::Int(-3)])
            .unwrap();
        assert_eq!(
            String::from_utf8(w.finish().unwrap()).unwrap(),
            "a,b,c\n\"x,y\",,-3\n"
        );
        let mut w = RowWriter::new(Vec::new(), Format::Jsonl, &["a", "b", "t"]).unwrap();
        w.row(&[Cell::Str("q\""), Cell::Null, Cell::Time(0, 3600)])
            .unwrap();
        let line = String::from_utf8(w.finish().unwrap()).unwrap();
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"a": "q\"", "b": null, "t": "1970-01-01T01:00:00+01:00"})
        );
    }
}
