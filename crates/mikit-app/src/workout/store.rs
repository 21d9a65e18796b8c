//! Decoded workouts in the store's row shapes, and the raw payloads decoded again.
//!
//! The store keeps the raw history item and detail (for `--redecode`) next to the rows built
//! here. The points and laps are the ones the activity files get ([`super::to_activity`]), so
//! a FIT or GPX file exported from a workout has exactly the store's points.

use mikit_activity::Sport;
use mikit_huami::workout::{PauseKind, WorkoutDetail, WorkoutSummary, decode_workout_detail};
use mikit_store::{LapRow, PauseRow, WorkoutData, WorkoutRow};

use super::{points, to_activity};

/// The store's rows of one workout: its summary, and when the detail was fetched, its
/// points, laps (swim sets, else kilometre or mile splits) and pauses.
#[must_use]
pub fn to_store(summary: &WorkoutSummary, detail: Option<&WorkoutDetail>) -> WorkoutData {
    let sport = Sport(summary.sport.unwrap_or(0));
    let mut data = WorkoutData {
        workout: summary_row(summary),
        ..WorkoutData::default()
    };
    let Some(d) = detail else {
        return data;
    };
    data.points = points::rows(d, sport);
    let activity = to_activity(summary, Some(d));
    let kind = if !d.laps.is_empty() {
        "lap"
    } else if !d.kilo_splits.is_empty() {
        "km"
    } else {
        "mile"
    };
    data.laps = activity
        .laps
        .iter()
        .map(|l| {
            let moving = l.moving_s.unwrap_or(l.duration_s);
            LapRow {
                kind: kind.to_owned(),
                start: Some(l.start),
                duration_s: Some(l.duration_s),
                distance_m: l.distance_m,
                cumulative_s: Some((l.start - summary.trackid) as f64 + l.duration_s),
                avg_hr: l.avg_hr.map(f64::from),
                avg_pace: l
                    .distance_m
                    .filter(|&m| m > 0.0 && moving > 0.0)
                    .map(|m| moving / m),
                strokes: l.strokes.map(i64::from),
                swolf: None,
                swim_style: (kind == "lap")
                    .then_some(summary.swim.style)
                    .flatten()
                    .map(i64::from),
                lat: None,
                lon: None,
            }
        })
        .collect();
    data.pauses = d
        .pauses
        .iter()
        .map(|p| PauseRow {
            start: Some(p.start),
            end: Some(p.end),
            start_index: p.start_index.map(i64::from),
            stop_index: p.stop_index.map(i64::from),
            kind: Some(match p.kind {
                PauseKind::Manual => 2,
                PauseKind::Auto => 3,
                PauseKind::Other(k) => k,
            }),
        })
        .collect();
    data
}

fn summary_row(s: &WorkoutSummary) -> WorkoutRow {
    let whole = |v: Option<f64>| v.filter(|x| x.is_finite()).map(|x| x.round() as i64);
    WorkoutRow {
        trackid: s.trackid,
        start: s.trackid,
        end: s.end_time,
        // Reference §6.2: unknown codes are kept as numbers; a missing `type` is 0.
        sport: i64::from(s.sport.unwrap_or(0)),
        source: s.source.clone(),
        title: s.title.clone(),
        time_zone: s.timezone.clone(),
        auto_detected: s.auto_recognition,
        distance_m: s.distance_m,
        duration_s: whole(s.run_time_s),
        pause_s: whole(s.pause_time_s),
        kcal: s.kcal,
        avg_hr: s.avg_hr,
        max_hr: whole(s.max_hr),
        min_hr: whole(s.min_hr),
        // Steps per minute for foot sports (`avg_frequency`), else the pedal or stroke
        // cadence (`avg_cadence`), as `mikit_activity::Totals` has it.
        avg_cadence: if Sport(s.sport.unwrap_or(0)).cadence_in_steps() {
            s.avg_step_frequency.or(s.avg_cadence)
        } else {
            s.avg_cadence
        },
        max_cadence: if Sport(s.sport.unwrap_or(0)).cadence_in_steps() {
            s.max_step_frequency.or(s.max_cadence)
        } else {
            s.max_cadence
        },
        avg_stride_cm: s.avg_stride_cm,
        steps: s.total_steps.map(i64::from),
        ascent_m: s.ascent_m,
        descent_m: s.descent_m,
        min_altitude_m: s.min_altitude_m,
        max_altitude_m: s.max_altitude_m,
        avg_pace: s.avg_pace_s_per_m,
        max_pace: s.max_pace_s_per_m,
        min_pace: s.min_pace_s_per_m,
        swolf: whole(s.swim.swolf),
        strokes: s.swim.strokes.map(i64::from),
        trips: s.swim.lengths.map(i64::from),
        pool_length_m: whole(s.swim.pool_length_m),
        swim_style: s.swim.style.map(i64::from),
        avg_stroke_speed: s.swim.avg_stroke_rate,
        // Metres as sent, whatever the decoder's field name says: the emulated and real
        // values (about 1.5 for 2450 m in 1627 strokes) are metres per stroke.
        avg_distance_per_stroke: s.swim.avg_distance_per_stroke_cm,
        training_effect: s.training_effect,
        anaerobic_training_effect: s.anaerobic_training_effect,
        update_time_ms: s.updated_ms,
    }
}

/// A raw history item and detail as stored (compact JSON), decoded again.
///
/// # Errors
/// A reason in words when the summary is not JSON or has no usable `trackid`, or the detail
/// is not JSON.
pub fn decode_raw(
    summary: &str,
    detail: Option<&str>,
) -> Result<(WorkoutSummary, Option<WorkoutDetail>), String> {
    let value: serde_json::Value = serde_json::from_str(summary)
        .map_err(|e| format!("the stored history item is not JSON: {e}"))?;
    let summary = WorkoutSummary::decode(&value)
        .map_err(|i| format!("the stored history item: {}: {}", i.field, i.problem))?;
    let detail = detail
        .map(|d| {
            serde_json::from_str::<serde_json::Value>(d)
                .map(|v| decode_workout_detail(&v))
                .map_err(|e| format!("the stored detail is not JSON: {e}"))
        })
        .transpose()?;
    Ok((summary, detail))
}

/// [`decode_raw`] then [`to_store`]: what `--redecode` writes for one workout.
///
/// # Errors
/// As [`decode_raw`].
pub fn redecode(summary: &str, detail: Option<&str>) -> Result<WorkoutData, String> {
    let (s, d) = decode_raw(summary, detail)?;
    Ok(to_store(&s, d.as_ref()))
}
