//! The row streams of a detail: `kilo_pace` / `mile_pace` splits, swim `lap`s and
//! `daily_performance_info`. Their column layouts are only partly known, so each parser reads
//! the columns whose meaning is documented or observed, tolerates any number of others and
//! keeps them raw.

use crate::model::DecodeIssue;

use super::{entries, int, real};

/// One `kilo_pace` / `mile_pace` row: a kilometre (mile) split.
///
/// Layout (§6.3): `index, split_s, geohash, ?, ?, cumulative_s` in the 6-column rows of the
/// real detail of §9 (b); other firmware sends 14 or 15 columns (ZeppBridge PR #53) whose
/// first three columns are the same and whose others are not documented, so those rows have
/// no `cumulative_s` (the sum of the splits gives it).
#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    /// Column 0: 0 for the first kilometre.
    pub index: u32,
    /// Column 1: moving time of this split, seconds.
    pub seconds: f64,
    /// Column 2: geohash of the split's end, when sent (`<geohash>` in the redacted sample).
    pub geohash: Option<String>,
    /// Column 5 of a 6-column row: moving time from the start to the end of this split.
    pub cumulative_s: Option<f64>,
    /// The row's column count (6, 14, 15 …).
    pub columns: usize,
    /// Columns 3 and beyond, raw (their meaning is not known; kept for a later decoder).
    pub rest: Vec<String>,
}

/// One `lap` row of a swim: a set of lengths between two rests.
///
/// Not documented by the reference; the layout was read off the real pool-swim detail
/// `H3llK33p3r/zepp-fit-extractor:src/test/resources/json/swimming_1654683111_detail.json`
/// (21 columns per row, not copied): column 0 index, 1 duration s, 2 distance m, 5 the
/// elapsed time at the lap's end (its rows give 319 and 1034 for durations 319 and 706: a
/// 9 s rest between them), 7 strokes (138 strokes for 236 m). Only these are read.
#[derive(Clone, Debug, PartialEq)]
pub struct SwimLap {
    /// Column 0.
    pub index: u32,
    /// Column 1: duration, seconds.
    pub duration_s: f64,
    /// Column 2: distance, metres.
    pub distance_m: Option<f64>,
    /// Column 5: seconds from the workout's start to the lap's end.
    pub end_offset_s: Option<f64>,
    /// Column 7: strokes.
    pub strokes: Option<u32>,
    /// The row's column count.
    pub columns: usize,
}

/// One `daily_performance_info` row (`km,score;`, e.g. `1.002,0;2.002,-5;`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PerformanceSample {
    /// Kilometres from the start.
    pub km: f64,
    /// The performance score at that point (negative = below the usual form).
    pub score: i32,
}

fn bad(issues: &mut Vec<DecodeIssue>, field: &str, i: usize, problem: &str) {
    issues.push(DecodeIssue {
        field: format!("{field}[{i}]"),
        problem: problem.to_owned(),
    });
}

/// A non-negative number in column `c`, or `None` (absent, `-1`, not a number).
fn col(f: &[&str], c: usize) -> Option<f64> {
    f.get(c).and_then(|v| real(v)).filter(|&v| v >= 0.0)
}

/// `kilo_pace` / `mile_pace` rows.
pub(crate) fn decode_splits(s: &str, field: &str, issues: &mut Vec<DecodeIssue>) -> Vec<Split> {
    let mut out = Vec::new();
    for (i, row) in entries(s).into_iter().enumerate() {
        let f: Vec<&str> = row.split(',').map(str::trim).collect();
        let index = f
            .first()
            .and_then(|v| int(v))
            .and_then(|v| u32::try_from(v).ok());
        let (Some(index), Some(seconds)) = (index, col(&f, 1)) else {
            bad(
                issues,
                field,
                i,
                "no index and split seconds in columns 0 and 1",
            );
            continue;
        };
        let geohash = f
            .get(2)
            .filter(|g| !g.is_empty() && real(g).is_none())
            .map(|g| (*g).to_owned());
        out.push(Split {
            index,
            seconds,
            geohash,
            cumulative_s: if f.len() == 6 { col(&f, 5) } else { None },
            columns: f.len(),
            rest: f.iter().skip(3).map(|c| (*c).to_owned()).collect(),
        });
    }
    out
}

/// Swim `lap` rows.
pub(crate) fn decode_laps(s: &str, issues: &mut Vec<DecodeIssue>) -> Vec<SwimLap> {
    let mut out = Vec::new();
    for (i, row) in entries(s).into_iter().enumerate() {
        let f: Vec<&str> = row.split(',').map(str::trim).collect();
        let index = f
            .first()
            .and_then(|v| int(v))
            .and_then(|v| u32::try_from(v).ok());
        let (Some(index), Some(duration_s)) = (index, col(&f, 1)) else {
            bad(issues, "lap", i, "no index and duration in columns 0 and 1");
            continue;
        };
        out.push(SwimLap {
            index,
            duration_s,
            distance_m: col(&f, 2),
            end_offset_s: col(&f, 5).filter(|&e| e >= duration_s),
            strokes: col(&f, 7)
                .filter(|v| v.fract() == 0.0 && *v <= f64::from(u32::MAX))
                .map(|v| v as u32), // exact: whole and in range
            columns: f.len(),
        });
    }
    out
}

/// `daily_performance_info` rows.
pub(crate) fn decode_performance(s: &str, issues: &mut Vec<DecodeIssue>) -> Vec<PerformanceSample> {
    let mut out = Vec::new();
    for (i, row) in entries(s).into_iter().enumerate() {
        let parsed = row.split_once(',').and_then(|(km, score)| {
            Some(PerformanceSample {
                km: real(km).filter(|&k| k >= 0.0)?,
                score: i32::try_from(int(score)?).ok()?,
            })
        });
        match parsed {
            Some(p) => out.push(p),
            None => bad(issues, "daily_performance_info", i, "not km,score"),
        }
    }
    out
}
