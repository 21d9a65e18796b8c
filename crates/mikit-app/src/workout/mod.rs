//! Huami workouts as portable activity files: a [`WorkoutSummary`] and its decoded
//! [`WorkoutDetail`] become one [`mikit_activity::Activity`], which `mikit_activity` writes as
//! GPX, TCX or FIT.
//!
//! Nothing is invented: a workout without GPS gets no positions, a stream that was not
//! recorded leaves its field absent, and a workout with no streams at all has no points (the
//! writers then describe it by its totals and one lap).
//!
//! | module | holds |
//! |---|---|
//! | `points` | the separate detail streams merged on time into [`mikit_activity::Point`]s |
//! | `laps` | laps from the swim `lap` rows or the kilometre splits, and pool lengths |
//! | `store` | [`to_store`]: the store's rows of a workout; [`decode_raw`] of stored payloads |
//! | [`export`] | which stored workouts to export, file names, atomic files in a folder |
//!
//! ```
//! use mikit_huami::workout::{WorkoutSummary, decode_workout_detail};
//! use serde_json::json;
//!
//! let summary = WorkoutSummary::decode(&json!({"trackid": "1700000000", "type": 1,
//!     "end_time": "1700000004", "dis": "12.0", "syncedTimezone": "Europe/Madrid"})).unwrap();
//! let detail = decode_workout_detail(&json!({"trackid": 1700000000, "time": "0;2;2;",
//!     "longitude_latitude": "4004663552,11629333504;16403,8392;14877,8392;",
//!     "heart_rate": "0,80;2,10;2,-6;"}));
//! let run = mikit_app::workout::to_activity(&summary, Some(&detail));
//! assert_eq!(run.points.len(), 3);
//! assert_eq!(run.points[1].heart_rate, Some(90));
//! assert_eq!(run.utc_offset_s, 3600, "Madrid in November");
//! assert!(mikit_activity::to_gpx(&run).is_ok());
//! ```

use mikit_activity::{Activity, Pause, Sport, Totals};
use mikit_huami::workout::{WorkoutDetail, WorkoutSummary};

pub mod export;
mod laps;
mod points;
mod store;

pub use store::{decode_raw, redecode, to_store};

/// Converts one workout. `detail` is `None` when it was not fetched (or could not be): the
/// activity then has its summary totals only.
#[must_use]
pub fn to_activity(summary: &WorkoutSummary, detail: Option<&WorkoutDetail>) -> Activity {
    // A missing `type` maps like an unknown code: generic sport.
    let sport = Sport(summary.sport.unwrap_or(0));
    let mut a = Activity::new(summary.trackid, sport);
    a.utc_offset_s = utc_offset(summary);
    a.name.clone_from(&summary.title);
    a.totals = totals(summary, sport);
    a.pool_length_m = summary.swim.pool_length_m;
    let Some(detail) = detail else {
        return a;
    };
    a.points = points::merge(detail, sport);
    a.pauses = detail
        .pauses
        .iter()
        .map(|p| Pause {
            start: p.start,
            end: p.end,
        })
        .collect();
    let (laps, lengths) = laps::build(summary, detail, a.end());
    a.laps = laps;
    a.lengths = lengths;
    a
}

/// The workout's UTC offset at its start, from `syncedTimezone` (an IANA name, §6.1); 0 (UTC)
/// when the summary has none or names a zone the bundled time-zone database does not know.
#[must_use]
pub fn utc_offset(summary: &WorkoutSummary) -> i32 {
    let Some(name) = summary.timezone.as_deref() else {
        return 0;
    };
    let (Ok(tz), Ok(at)) = (
        jiff::tz::TimeZone::get(name),
        jiff::Timestamp::from_second(summary.trackid),
    ) else {
        return 0;
    };
    tz.to_offset(at).seconds()
}

fn totals(s: &WorkoutSummary, sport: Sport) -> Totals {
    // The watch reports step frequency for foot sports and pedal/stroke cadence otherwise.
    let cadence = if sport.cadence_in_steps() {
        s.avg_step_frequency
    } else {
        s.avg_cadence
    };
    Totals {
        duration_s: s.elapsed_s().map(|d| d as f64),
        moving_s: s.run_time_s,
        distance_m: s.distance_m,
        kcal: s.kcal.and_then(whole::<u32>),
        avg_hr: s.avg_hr.and_then(whole::<u8>),
        max_hr: s.max_hr.and_then(whole::<u8>),
        avg_cadence: cadence.and_then(whole::<u16>),
        ascent_m: s.ascent_m,
        descent_m: s.descent_m,
        strokes: s.swim.strokes,
    }
}

/// `v` rounded, when it fits in `T` (an out-of-range value is absent, not clamped).
fn whole<T: TryFrom<i64>>(v: f64) -> Option<T> {
    let r = v.round();
    // `as` saturates; values that far out fail the conversion below anyway.
    (r.is_finite() && r.abs() < 1e15)
        .then(|| T::try_from(r as i64).ok())
        .flatten()
}

#[cfg(test)]
mod tests;
