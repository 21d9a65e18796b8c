//! The crate's error type and the checks every writer runs before writing a byte.

use crate::model::{Activity, Point};

/// First UTC epoch second a FIT `date_time` can hold as an absolute time: the FIT epoch
/// (1989-12-31T00:00:00Z = 631065600) plus 0x10000000; smaller values mean "seconds since the
/// device powered on" (FIT SDK profile, type `date_time`).
pub const MIN_TIME: i64 = 631_065_600 + 0x1000_0000;
/// Last UTC epoch second a FIT `date_time` can hold (0xFFFFFFFF is its invalid value).
pub const MAX_TIME: i64 = 631_065_600 + 0xFFFF_FFFE;

/// Why a workout could not be written.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The workout has no GPS position, so there is no GPX track to write.
    #[error("the workout has no GPS positions, so it has no GPX track (indoor or no-GPS workout)")]
    NoTrack,
    /// A time lies outside what the formats can hold.
    #[error(
        "{field} = {value} (UTC epoch seconds) is outside the supported range \
         1998-07-03..2126-02-06: check the workout's decoded times"
    )]
    TimeOutOfRange {
        /// Where, e.g. `points[12].time`.
        field: String,
        /// The offending value.
        value: i64,
    },
    /// A number is not finite or outside its physical range.
    #[error("{field} = {value} is invalid: expected {expected}")]
    InvalidValue {
        /// Where, e.g. `points[3].position.lat`.
        field: String,
        /// The offending value, as text.
        value: String,
        /// What would have been accepted.
        expected: &'static str,
    },
}

fn time(field: impl FnOnce() -> String, value: i64) -> Result<(), Error> {
    if (MIN_TIME..=MAX_TIME).contains(&value) {
        Ok(())
    } else {
        Err(Error::TimeOutOfRange {
            field: field(),
            value,
        })
    }
}

fn non_negative(field: impl FnOnce() -> String, value: Option<f64>) -> Result<(), Error> {
    match value {
        Some(v) if !(v.is_finite() && v >= 0.0) => Err(Error::InvalidValue {
            field: field(),
            value: v.to_string(),
            expected: "a finite number ≥ 0",
        }),
        _ => Ok(()),
    }
}

fn finite(field: impl FnOnce() -> String, value: Option<f64>) -> Result<(), Error> {
    match value {
        Some(v) if !v.is_finite() => Err(Error::InvalidValue {
            field: field(),
            value: v.to_string(),
            expected: "a finite number",
        }),
        _ => Ok(()),
    }
}

fn range(
    field: impl FnOnce() -> String,
    value: f64,
    limit: f64,
    expected: &'static str,
) -> Result<(), Error> {
    if value.is_finite() && (-limit..=limit).contains(&value) {
        Ok(())
    } else {
        Err(Error::InvalidValue {
            field: field(),
            value: value.to_string(),
            expected,
        })
    }
}

fn point(i: usize, p: &Point) -> Result<(), Error> {
    if let Some(t) = p.time {
        time(|| format!("points[{i}].time"), t)?;
    }
    if let Some(pos) = p.position {
        range(
            || format!("points[{i}].position.lat"),
            pos.lat,
            90.0,
            "degrees in -90..=90",
        )?;
        range(
            || format!("points[{i}].position.lon"),
            pos.lon,
            180.0,
            "degrees in -180..=180",
        )?;
    }
    finite(|| format!("points[{i}].altitude_m"), p.altitude_m)?;
    non_negative(|| format!("points[{i}].distance_m"), p.distance_m)?;
    non_negative(|| format!("points[{i}].speed_mps"), p.speed_mps)
}

/// Checks what every format needs: times within [`MIN_TIME`]..=[`MAX_TIME`], finite numbers,
/// positions on the globe, no negative durations, distances or speeds, pauses that end after
/// they start. Values that are valid but too large for one FIT field are not errors: that
/// field is written as invalid (absent).
///
/// # Errors
/// The first problem found, naming the field (`points[12].time`).
pub fn validate(a: &Activity) -> Result<(), Error> {
    time(|| "start".to_owned(), a.start)?;
    let t = &a.totals;
    non_negative(|| "totals.duration_s".to_owned(), t.duration_s)?;
    non_negative(|| "totals.moving_s".to_owned(), t.moving_s)?;
    non_negative(|| "totals.distance_m".to_owned(), t.distance_m)?;
    non_negative(|| "totals.ascent_m".to_owned(), t.ascent_m)?;
    non_negative(|| "totals.descent_m".to_owned(), t.descent_m)?;
    non_negative(|| "pool_length_m".to_owned(), a.pool_length_m)?;
    for (i, p) in a.points.iter().enumerate() {
        point(i, p)?;
    }
    for (i, l) in a.laps.iter().enumerate() {
        time(|| format!("laps[{i}].start"), l.start)?;
        non_negative(|| format!("laps[{i}].duration_s"), Some(l.duration_s))?;
        time(
            || format!("laps[{i}].end"),
            crate::model::end_of(l.start, l.duration_s),
        )?;
        non_negative(|| format!("laps[{i}].moving_s"), l.moving_s)?;
        non_negative(|| format!("laps[{i}].distance_m"), l.distance_m)?;
    }
    for (i, l) in a.lengths.iter().enumerate() {
        time(|| format!("lengths[{i}].start"), l.start)?;
        non_negative(|| format!("lengths[{i}].duration_s"), Some(l.duration_s))?;
        time(
            || format!("lengths[{i}].end"),
            crate::model::end_of(l.start, l.duration_s),
        )?;
    }
    for (i, p) in a.pauses.iter().enumerate() {
        time(|| format!("pauses[{i}].start"), p.start)?;
        time(|| format!("pauses[{i}].end"), p.end)?;
        if p.end < p.start {
            return Err(Error::InvalidValue {
                field: format!("pauses[{i}]"),
                value: format!("{}..{}", p.start, p.end),
                expected: "an end at or after the start",
            });
        }
    }
    time(|| "end".to_owned(), a.end())
}
