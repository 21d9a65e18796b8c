//! Workouts, sans-IO: the history pages (`/v1/sport/run/history.json`, reference
//! `huami-cloud.md` §6.1, §13.3) with their typed summaries, and the detail
//! (`/v1/sport/run/detail.json`, §6.3) with its `;`-joined streams.
//!
//! | module | holds |
//! |---|---|
//! | [`summary`] | [`WorkoutSummary`]: one history entry, typed, sentinels removed, raw kept |
//! | [`detail`] | [`WorkoutDetail`] and [`decode_workout_detail`]: the point and sample streams |
//! | [`rows`] | the row streams: kilometre/mile [`Split`]s, swim [`SwimLap`]s, performance |

use serde_json::Value;

use crate::model::DecodeIssue;
use crate::summary::as_i64;

pub mod detail;
pub mod rows;
pub mod summary;

pub use detail::{
    ALTITUDE_INVALID, DetailPoint, DistanceSample, GaitSample, HrSample, LatLon, PauseKind,
    SpeedSample, WorkoutDetail, WorkoutPause, decode_workout_detail,
};
pub use rows::{PerformanceSample, Split, SwimLap};
pub use summary::{HeartZone, StrengthGroup, SwimSummary, WorkoutSummary};

/// One page of the workout history.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryPage {
    /// The decodable entries of this page, in the server's order (newest first).
    pub summaries: Vec<WorkoutSummary>,
    /// Entries that could not be decoded at all (no `trackid`), with their index on the page
    /// (`summary[3]`); the rest of the page is kept.
    pub issues: Vec<DecodeIssue>,
    /// The `trackid` to ask for the next (older) page; `None` when `data.next` is `-1` (or
    /// absent): the last page.
    pub next: Option<i64>,
}

/// Parse the `data` of a history answer: `{"next": <trackid|-1>, "summary": [...]}`
/// (§6.1; the verbatim envelope of §9 (i)).
///
/// # Errors
/// A reason in words when `data.summary` is not a list (the page as a whole is unusable).
pub fn parse_history(data: &Value) -> Result<HistoryPage, String> {
    let entries: &[Value] = match data.get("summary") {
        Some(Value::Array(a)) => a,
        None | Some(Value::Null) => &[],
        Some(_) => return Err("\"summary\" is not a list".into()),
    };
    let mut page = HistoryPage {
        summaries: Vec::with_capacity(entries.len()),
        issues: Vec::new(),
        next: data.get("next").and_then(as_i64).filter(|&n| n > 0),
    };
    for (i, e) in entries.iter().enumerate() {
        match WorkoutSummary::decode(e) {
            Ok(s) => page.summaries.push(s),
            Err(issue) => page.issues.push(DecodeIssue {
                field: format!("summary[{i}].{}", issue.field),
                problem: issue.problem,
            }),
        }
    }
    Ok(page)
}

/// The `;`-separated entries of a detail field, without the trailing empty one.
pub(crate) fn entries(s: &str) -> Vec<&str> {
    let mut v: Vec<&str> = s.split(';').collect();
    if v.last() == Some(&"") {
        v.pop();
    }
    v
}

pub(crate) fn int(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

/// A finite decimal number.
pub(crate) fn real(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests;
