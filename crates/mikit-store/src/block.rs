//! Columnar blocks: many rows of one series stored as one zstd frame (schema 8).
//!
//! The per-minute series (one block per band day) and workout points (one block per workout)
//! are not stored as one SQLite row per value row: a row costs about 20 bytes of SQLite
//! overhead on top of its values, and 10 years are ~5 M minutes. A block lays the rows out
//! column by column, which puts similar values next to each other, and zstd packs them.
//!
//! # Layout (before compression; every multi-byte number little-endian)
//!
//! ```text
//! u8   format        1
//! u8   kind          b'M' minutes, b'P' workout points (a block is never read as the other)
//! u32  rows          n  (at most MAX_ROWS)
//! u8   columns       c  (fixed per kind)
//! c ×  column
//! ```
//!
//! A column:
//!
//! ```text
//! u8   encoding      0 every value absent (nothing follows)
//!                    1 integers: zigzag LEB128 varint of the difference to the previous
//!                      present value (the first to 0)
//!                    2 reals as scaled decimals: u8 k follows, then each value v stored as
//!                      the integer i with i / 10^k == v exactly (bit for bit), as in 1
//!                    3 reals as bits: u64 of the IEEE-754 bits XOR the previous present
//!                      value's bits (the first XOR 0)
//! u8   presence      0 every row has a value, 1 a bitmap of ceil(n / 8) bytes follows
//!                    (bit i % 8 of byte i / 8 set = row i has a value)
//! ...  values        one per present row, in row order
//! ```
//!
//! Absent values stay absent (never 0), every `f64` reads back with the same bits (encoding 2
//! is used only when every value of the column round-trips through it, checked while
//! encoding), and any `i64` fits. The encoded bytes are one zstd frame ([`crate::payload`]).
//! Decoding checks every length and count, so a truncated or damaged block is an error, never
//! a panic or a wrong row.

use std::io::Read as _;

use crate::{MinuteRow, WorkoutPointRow};

/// The format byte of every block written by this version.
const FORMAT: u8 = 1;

/// Most rows one block may hold: a band day has ≤ ~1500 minutes, a week-long workout
/// recorded every second ~600,000 points. Also bounds what a damaged header can allocate.
pub(crate) const MAX_ROWS: usize = 1 << 22;

/// Most bytes one block may decompress to (a damaged or foreign frame cannot exhaust memory).
const MAX_DECODED: u64 = 256 << 20;

/// Largest decimal exponent tried for encoding 2 (10^15 is still exact in an `f64`).
const MAX_SCALE: u8 = 15;

/// What a block holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The minutes of one band day.
    Minutes,
    /// The points of one workout.
    Points,
}

impl Kind {
    fn tag(self) -> u8 {
        match self {
            Kind::Minutes => b'M',
            Kind::Points => b'P',
        }
    }
}

/// Builds one block, column by column.
pub(crate) struct Encoder {
    buf: Vec<u8>,
    rows: usize,
    columns: u8,
    written: u8,
}

impl Encoder {
    /// A block of `rows` rows and `columns` columns. Fails when `rows` exceeds [`MAX_ROWS`].
    pub(crate) fn new(kind: Kind, rows: usize, columns: u8) -> Result<Self, String> {
        if rows > MAX_ROWS {
            return Err(format!(
                "{rows} rows is more than one block holds ({MAX_ROWS})"
            ));
        }
        let mut buf = Vec::with_capacity(16 + rows * usize::from(columns) * 2);
        buf.push(FORMAT);
        buf.push(kind.tag());
        // rows ≤ MAX_ROWS < u32::MAX.
        buf.extend_from_slice(&u32::try_from(rows).unwrap_or(u32::MAX).to_le_bytes());
        buf.push(columns);
        Ok(Self {
            buf,
            rows,
            columns,
            written: 0,
        })
    }

    /// Write the presence byte (and bitmap); returns false when no value is present (the
    /// column is then encoding 0 and complete).
    fn presence<T>(&mut self, values: &[Option<T>], encoding: u8) -> bool {
        debug_assert_eq!(values.len(), self.rows);
        self.written += 1;
        let present = values.iter().filter(|v| v.is_some()).count();
        if present == 0 {
            self.buf.push(0);
            return false;
        }
        self.buf.push(encoding);
        if present == values.len() {
            self.buf.push(0);
        } else {
            self.buf.push(1);
            let mut bitmap = vec![0u8; values.len().div_ceil(8)];
            for (i, v) in values.iter().enumerate() {
                if v.is_some() {
                    bitmap[i / 8] |= 1 << (i % 8);
                }
            }
            self.buf.extend_from_slice(&bitmap);
        }
        true
    }

    /// Append an integer column (`values.len()` must be the block's row count).
    pub(crate) fn ints(&mut self, values: &[Option<i64>]) {
        if self.presence(values, 1) {
            let mut prev = 0i64;
            for v in values.iter().flatten() {
                put_varint(&mut self.buf, zigzag(v.wrapping_sub(prev)));
                prev = *v;
            }
        }
    }

    /// Append a real column (`values.len()` must be the block's row count).
    pub(crate) fn reals(&mut self, values: &[Option<f64>]) {
        let scale = decimal_scale(values);
        if !self.presence(values, if scale.is_some() { 2 } else { 3 }) {
            return;
        }
        match scale {
            Some(k) => {
                self.buf.push(k);
                let p = pow10(k);
                let mut prev = 0i64;
                for v in values.iter().flatten() {
                    // decimal_scale checked that this is exact.
                    let i = (v * p).round() as i64;
                    put_varint(&mut self.buf, zigzag(i.wrapping_sub(prev)));
                    prev = i;
                }
            }
            None => {
                let mut prev = 0u64;
                for v in values.iter().flatten() {
                    let bits = v.to_bits();
                    self.buf.extend_from_slice(&(bits ^ prev).to_le_bytes());
                    prev = bits;
                }
            }
        }
    }

    /// The block, compressed.
    pub(crate) fn finish(self) -> Result<Vec<u8>, crate::Error> {
        debug_assert_eq!(self.written, self.columns, "every column written");
        crate::payload::compress(&self.buf)
    }
}

/// 10^k as an exact `f64` (k ≤ [`MAX_SCALE`]).
fn pow10(k: u8) -> f64 {
    10f64.powi(i32::from(k))
}

/// The smallest k such that every present value is exactly `i / 10^k` for an integer `i`
/// (what a decimal string like `52.12345678` or an integer divided by 10^k parses to), if any.
fn decimal_scale(values: &[Option<f64>]) -> Option<u8> {
    let exact = |v: f64, p: f64| {
        let m = (v * p).round();
        // |m| < 2^63 keeps the cast exact; the division must give back the very same bits.
        v.is_finite() && m.abs() < 9.2e18 && ((m as i64) as f64 / p).to_bits() == v.to_bits()
    };
    (0..=MAX_SCALE).find(|&k| {
        let p = pow10(k);
        values.iter().flatten().all(|&v| exact(v, p))
    })
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(u: u64) -> i64 {
    ((u >> 1) as i64) ^ -((u & 1) as i64)
}

fn put_varint(buf: &mut Vec<u8>, mut u: u64) {
    while u >= 0x80 {
        buf.push((u as u8) | 0x80);
        u >>= 7;
    }
    buf.push(u as u8);
}

/// Reads one block, column by column, in the order it was written.
#[derive(Debug)]
pub(crate) struct Decoder {
    buf: Vec<u8>,
    pos: usize,
    rows: usize,
    columns: u8,
    read: u8,
}

impl Decoder {
    /// Decompress `frame` and check its header: `kind`, and `columns` columns.
    pub(crate) fn open(frame: &[u8], kind: Kind, columns: u8) -> Result<Self, String> {
        let mut buf = Vec::new();
        zstd::stream::read::Decoder::new(frame)
            .and_then(|d| d.take(MAX_DECODED + 1).read_to_end(&mut buf))
            .map_err(|e| format!("not a valid zstd frame: {e}"))?;
        if buf.len() as u64 > MAX_DECODED {
            return Err(format!("decompresses to more than {MAX_DECODED} bytes"));
        }
        let mut d = Self {
            buf,
            pos: 0,
            rows: 0,
            columns,
            read: 0,
        };
        let format = d.byte("format")?;
        if format != FORMAT {
            return Err(format!(
                "block format {format}, this mikit reads format {FORMAT}"
            ));
        }
        let tag = d.byte("kind")?;
        if tag != kind.tag() {
            return Err(format!(
                "a block of kind {tag:#04x}, expected {:#04x}",
                kind.tag()
            ));
        }
        let rows = u32::from_le_bytes(d.take(4, "row count")?.try_into().unwrap_or([0; 4]));
        d.rows = usize::try_from(rows).unwrap_or(usize::MAX);
        if d.rows > MAX_ROWS {
            return Err(format!("{rows} rows, more than a block holds"));
        }
        let found = d.byte("column count")?;
        if found != columns {
            return Err(format!("{found} columns, expected {columns}"));
        }
        Ok(d)
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&[u8], String> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        let Some(end) = end else {
            return Err(format!(
                "truncated: {what} of column {} needs {n} bytes at offset {}, the block has {}",
                self.read,
                self.pos,
                self.buf.len()
            ));
        };
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn byte(&mut self, what: &str) -> Result<u8, String> {
        Ok(self.take(1, what)?[0])
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut u = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte("a value")?;
            if shift == 63 && b > 1 {
                return Err(format!(
                    "a varint overflows 64 bits in column {}",
                    self.read
                ));
            }
            u |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(u);
            }
        }
        Err(format!(
            "a varint overflows 64 bits in column {}",
            self.read
        ))
    }

    /// Start a column: its encoding and which rows have a value.
    fn presence(&mut self) -> Result<(u8, Vec<bool>), String> {
        if self.read >= self.columns {
            return Err("more columns read than the block has".to_owned());
        }
        let encoding = self.byte("encoding")?;
        let present = match encoding {
            0 => return Ok((0, vec![false; self.rows])),
            1..=3 => match self.byte("presence")? {
                0 => vec![true; self.rows],
                1 => {
                    let rows = self.rows;
                    let bitmap = self.take(rows.div_ceil(8), "presence bitmap")?;
                    (0..rows)
                        .map(|i| bitmap[i / 8] & (1 << (i % 8)) != 0)
                        .collect()
                }
                p => return Err(format!("unknown presence {p} in column {}", self.read)),
            },
            e => return Err(format!("unknown encoding {e} in column {}", self.read)),
        };
        Ok((encoding, present))
    }

    /// The next column, read as integers.
    pub(crate) fn ints(&mut self) -> Result<Vec<Option<i64>>, String> {
        let (encoding, present) = self.presence()?;
        if encoding > 1 {
            return Err(format!(
                "column {} has real encoding {encoding}, expected integers",
                self.read
            ));
        }
        let mut prev = 0i64;
        let out = present
            .into_iter()
            .map(|p| {
                if !p {
                    return Ok(None);
                }
                prev = prev.wrapping_add(unzigzag(self.varint()?));
                Ok(Some(prev))
            })
            .collect::<Result<_, String>>()?;
        self.read += 1;
        Ok(out)
    }

    /// The next column, read as reals.
    pub(crate) fn reals(&mut self) -> Result<Vec<Option<f64>>, String> {
        let (encoding, present) = self.presence()?;
        let out = match encoding {
            0 => present.into_iter().map(|_| None).collect(),
            2 => {
                let k = self.byte("scale")?;
                if k > MAX_SCALE {
                    return Err(format!("scale 10^{k} in column {}", self.read));
                }
                let p = pow10(k);
                let mut prev = 0i64;
                present
                    .into_iter()
                    .map(|has| {
                        if !has {
                            return Ok(None);
                        }
                        prev = prev.wrapping_add(unzigzag(self.varint()?));
                        Ok(Some(prev as f64 / p))
                    })
                    .collect::<Result<_, String>>()?
            }
            3 => {
                let mut prev = 0u64;
                present
                    .into_iter()
                    .map(|has| {
                        if !has {
                            return Ok(None);
                        }
                        let b = self.take(8, "a value")?;
                        prev ^= u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
                        Ok(Some(f64::from_bits(prev)))
                    })
                    .collect::<Result<_, String>>()?
            }
            e => {
                return Err(format!(
                    "column {} has integer encoding {e}, expected reals",
                    self.read
                ));
            }
        };
        self.read += 1;
        Ok(out)
    }

    /// Check that every column was read and nothing follows.
    pub(crate) fn finish(self) -> Result<(), String> {
        if self.read != self.columns {
            return Err(format!("{} of {} columns read", self.read, self.columns));
        }
        if self.pos != self.buf.len() {
            return Err(format!(
                "{} bytes after the last column",
                self.buf.len() - self.pos
            ));
        }
        Ok(())
    }
}

/// The columns of a minutes block, in order: `ts` (every row), `kind`, `intensity`, `steps`,
/// `heart_rate` (integers).
const MINUTE_COLUMNS: u8 = 5;

/// Encode the minutes of one band day (in time order) as one block.
pub(crate) fn encode_minutes(rows: &[MinuteRow]) -> Result<Vec<u8>, String> {
    let mut e = Encoder::new(Kind::Minutes, rows.len(), MINUTE_COLUMNS)?;
    let col = |f: fn(&MinuteRow) -> Option<i64>| rows.iter().map(f).collect::<Vec<_>>();
    e.ints(&col(|m| Some(m.ts)));
    e.ints(&col(|m| m.kind));
    e.ints(&col(|m| m.intensity));
    e.ints(&col(|m| m.steps));
    e.ints(&col(|m| m.heart_rate));
    e.finish().map_err(|e| e.to_string())
}

/// Decode a block written by [`encode_minutes`].
pub(crate) fn decode_minutes(frame: &[u8]) -> Result<Vec<MinuteRow>, String> {
    let mut d = Decoder::open(frame, Kind::Minutes, MINUTE_COLUMNS)?;
    let ts = d.ints()?;
    let (kind, intensity, steps, heart_rate) = (d.ints()?, d.ints()?, d.ints()?, d.ints()?);
    d.finish()?;
    ts.into_iter()
        .enumerate()
        .map(|(i, ts)| {
            Ok(MinuteRow {
                ts: ts.ok_or_else(|| format!("minute {i} has no time"))?,
                kind: kind[i],
                intensity: intensity[i],
                steps: steps[i],
                heart_rate: heart_rate[i],
            })
        })
        .collect()
}

/// The columns of a workout points block, in the order of [`WorkoutPointRow`]'s fields:
/// `time` (integer), `lat`, `lon`, `altitude_m`, `accuracy_m` (reals), `heart_rate`, `cadence`
/// (integers), `stride_cm`, `speed_mps`, `distance_m`, `pace` (reals), `power_w` (integer).
const POINT_COLUMNS: u8 = 12;

/// Encode the points of one workout (in order) as one block.
pub(crate) fn encode_points(rows: &[WorkoutPointRow]) -> Result<Vec<u8>, String> {
    let mut e = Encoder::new(Kind::Points, rows.len(), POINT_COLUMNS)?;
    let ints = |f: fn(&WorkoutPointRow) -> Option<i64>| rows.iter().map(f).collect::<Vec<_>>();
    let reals = |f: fn(&WorkoutPointRow) -> Option<f64>| rows.iter().map(f).collect::<Vec<_>>();
    e.ints(&ints(|p| p.time));
    e.reals(&reals(|p| p.lat));
    e.reals(&reals(|p| p.lon));
    e.reals(&reals(|p| p.altitude_m));
    e.reals(&reals(|p| p.accuracy_m));
    e.ints(&ints(|p| p.heart_rate));
    e.ints(&ints(|p| p.cadence));
    e.reals(&reals(|p| p.stride_cm));
    e.reals(&reals(|p| p.speed_mps));
    e.reals(&reals(|p| p.distance_m));
    e.reals(&reals(|p| p.pace));
    e.ints(&ints(|p| p.power_w));
    e.finish().map_err(|e| e.to_string())
}

/// Decode a block written by [`encode_points`].
pub(crate) fn decode_points(frame: &[u8]) -> Result<Vec<WorkoutPointRow>, String> {
    let mut d = Decoder::open(frame, Kind::Points, POINT_COLUMNS)?;
    let time = d.ints()?;
    let (lat, lon, altitude_m, accuracy_m) = (d.reals()?, d.reals()?, d.reals()?, d.reals()?);
    let (heart_rate, cadence) = (d.ints()?, d.ints()?);
    let (stride_cm, speed_mps, distance_m, pace) = (d.reals()?, d.reals()?, d.reals()?, d.reals()?);
    let power_w = d.ints()?;
    d.finish()?;
    Ok((0..time.len())
        .map(|i| WorkoutPointRow {
            time: time[i],
            lat: lat[i],
            lon: lon[i],
            altitude_m: altitude_m[i],
            accuracy_m: accuracy_m[i],
            heart_rate: heart_rate[i],
            cadence: cadence[i],
            stride_cm: stride_cm[i],
            speed_mps: speed_mps[i],
            distance_m: distance_m[i],
            pace: pace[i],
            power_w: power_w[i],
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(
        ints: &[Option<i64>],
        reals: &[Option<f64>],
    ) -> (Vec<Option<i64>>, Vec<Option<f64>>) {
        let mut e = Encoder::new(Kind::Points, ints.len(), 2).unwrap();
        e.ints(ints);
        e.reals(reals);
        let frame = e.finish().unwrap();
        let mut d = Decoder::open(&frame, Kind::Points, 2).unwrap();
        let out = (d.ints().unwrap(), d.reals().unwrap());
        d.finish().unwrap();
        out
    }

    fn same_bits(a: &[Option<f64>], b: &[Option<f64>]) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| x.map(f64::to_bits) == y.map(f64::to_bits))
    }

    #[test]
    fn scales_decimals_and_keeps_other_reals_bit_exact() {
        assert_eq!(
            decimal_scale(&[Some(52.123_456_78), None, Some(-0.5)]),
            Some(8)
        );
        assert_eq!(decimal_scale(&[Some(3.45), Some(12.0)]), Some(2));
        assert_eq!(decimal_scale(&[Some(7.0), None]), Some(0));
        assert_eq!(decimal_scale(&[None, None]), Some(0));
        for odd in [
            f64::NAN,
            f64::INFINITY,
            -0.0,
            1e300,
            0.1 + 0.2,
            f64::MIN_POSITIVE,
        ] {
            assert_eq!(decimal_scale(&[Some(1.5), Some(odd)]), None, "{odd}");
            let reals = [Some(1.5), None, Some(odd)];
            let (_, back) = round_trip(&[None, Some(1), None], &reals);
            assert!(same_bits(&back, &reals), "{odd}: {back:?}");
        }
    }

    #[test]
    fn extreme_integers_round_trip() {
        let ints = [
            Some(i64::MIN),
            Some(i64::MAX),
            None,
            Some(0),
            Some(-1),
            Some(i64::MIN),
        ];
        let (back, reals) = round_trip(&ints, &[None; 6]);
        assert_eq!(back, ints);
        assert_eq!(reals, [None; 6]);
    }

    #[test]
    fn a_block_of_another_kind_or_shape_is_refused() {
        let mut e = Encoder::new(Kind::Minutes, 1, 1).unwrap();
        e.ints(&[Some(1)]);
        let frame = e.finish().unwrap();
        assert!(
            Decoder::open(&frame, Kind::Points, 1)
                .unwrap_err()
                .contains("kind")
        );
        assert!(
            Decoder::open(&frame, Kind::Minutes, 2)
                .unwrap_err()
                .contains("columns")
        );
        let mut d = Decoder::open(&frame, Kind::Minutes, 1).unwrap();
        assert!(d.reals().unwrap_err().contains("expected reals"));
        assert!(Encoder::new(Kind::Minutes, MAX_ROWS + 1, 1).is_err());
    }

    use proptest::prelude::*;

    fn opt_int() -> impl Strategy<Value = Option<i64>> {
        prop_oneof![
            Just(None),
            (0i64..256).prop_map(Some),
            any::<i64>().prop_map(Some),
            prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(0), Just(-1)].prop_map(Some),
        ]
    }

    fn opt_real() -> impl Strategy<Value = Option<f64>> {
        prop_oneof![
            Just(None),
            // What decoders produce: integers over a power of ten.
            (any::<i32>(), 0u8..9).prop_map(|(i, k)| Some(f64::from(i) / pow10(k))),
            // Anything else, NaN payloads and infinities included.
            any::<u64>().prop_map(|b| Some(f64::from_bits(b))),
            prop_oneof![
                Just(f64::MAX),
                Just(f64::MIN),
                Just(-0.0),
                Just(f64::NEG_INFINITY),
                Just(f64::EPSILON)
            ]
            .prop_map(Some),
        ]
    }

    fn minute() -> impl Strategy<Value = MinuteRow> {
        (any::<i64>(), opt_int(), opt_int(), opt_int(), opt_int()).prop_map(
            |(ts, kind, intensity, steps, heart_rate)| MinuteRow {
                ts,
                kind,
                intensity,
                steps,
                heart_rate,
            },
        )
    }

    fn point() -> impl Strategy<Value = WorkoutPointRow> {
        (
            (
                opt_int(),
                opt_real(),
                opt_real(),
                opt_real(),
                opt_real(),
                opt_int(),
            ),
            (
                opt_int(),
                opt_real(),
                opt_real(),
                opt_real(),
                opt_real(),
                opt_int(),
            ),
        )
            .prop_map(
                |((time, lat, lon, altitude_m, accuracy_m, heart_rate), b)| {
                    let (cadence, stride_cm, speed_mps, distance_m, pace, power_w) = b;
                    WorkoutPointRow {
                        time,
                        lat,
                        lon,
                        altitude_m,
                        accuracy_m,
                        heart_rate,
                        cadence,
                        stride_cm,
                        speed_mps,
                        distance_m,
                        pace,
                        power_w,
                    }
                },
            )
    }

    /// Points compared bit for bit (NaN == NaN with the same payload; -0.0 != 0.0).
    fn point_bits(p: &WorkoutPointRow) -> [Option<u64>; 12] {
        let r = |v: Option<f64>| v.map(f64::to_bits);
        let i = |v: Option<i64>| v.map(|v| v as u64);
        [
            i(p.time),
            r(p.lat),
            r(p.lon),
            r(p.altitude_m),
            r(p.accuracy_m),
            i(p.heart_rate),
            i(p.cadence),
            r(p.stride_cm),
            r(p.speed_mps),
            r(p.distance_m),
            r(p.pace),
            i(p.power_w),
        ]
    }

    /// Every prefix of the decompressed bytes (recompressed) and a few damaged frames: an
    /// error each time, never a panic.
    fn damaged_blocks_fail_cleanly(frame: &[u8], decode: fn(&[u8]) -> Result<(), String>) {
        let raw = crate::payload::decompress(frame).unwrap();
        for cut in 0..raw.len() {
            let short = crate::payload::compress(&raw[..cut]).unwrap();
            assert!(
                decode(&short).is_err(),
                "a block cut at {cut} of {}",
                raw.len()
            );
        }
        let mut longer = raw.clone();
        longer.push(0);
        assert!(decode(&crate::payload::compress(&longer).unwrap()).is_err());
        for cut in 0..frame.len() {
            let _ = decode(&frame[..cut]);
        }
        for i in 0..raw.len() {
            let mut bad = raw.clone();
            bad[i] ^= 0xa5;
            let _ = decode(&crate::payload::compress(&bad).unwrap());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn minutes_round_trip(rows in proptest::collection::vec(minute(), 0..300)) {
            let frame = encode_minutes(&rows).unwrap();
            prop_assert_eq!(decode_minutes(&frame).unwrap(), rows);
        }

        #[test]
        fn points_round_trip_bit_for_bit(rows in proptest::collection::vec(point(), 0..200)) {
            let frame = encode_points(&rows).unwrap();
            let back = decode_points(&frame).unwrap();
            prop_assert_eq!(back.len(), rows.len());
            for (a, b) in back.iter().zip(&rows) {
                prop_assert_eq!(point_bits(a), point_bits(b));
            }
        }

        #[test]
        fn damaged_minute_blocks_are_errors(rows in proptest::collection::vec(minute(), 1..20)) {
            damaged_blocks_fail_cleanly(&encode_minutes(&rows).unwrap(), |f| decode_minutes(f).map(drop));
        }

        #[test]
        fn damaged_point_blocks_are_errors(rows in proptest::collection::vec(point(), 1..12)) {
            damaged_blocks_fail_cleanly(&encode_points(&rows).unwrap(), |f| decode_points(f).map(drop));
        }
    }

    #[test]
    fn a_day_of_minutes_is_small() {
        // 1440 minutes with a slowly varying heart rate and a few steps.
        let rows: Vec<MinuteRow> = (0..1440i64)
            .map(|i| MinuteRow {
                ts: 1_700_000_000 + i * 60,
                kind: Some(if i % 97 < 20 { 1 } else { 80 }),
                intensity: Some((i * 7) % 40),
                steps: (i % 97 < 20).then_some(90 + i % 11),
                heart_rate: (i % 5 != 0).then_some(60 + (i / 30) % 30),
            })
            .collect();
        let frame = encode_minutes(&rows).unwrap();
        assert!(frame.len() < 2000, "{} bytes", frame.len());
        assert_eq!(decode_minutes(&frame).unwrap(), rows);
    }
}
