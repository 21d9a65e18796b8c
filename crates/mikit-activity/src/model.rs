//! The input model: one workout, independent of where it was stored.
//!
//! Every measured value is an `Option`: a value the watch did not record stays `None` and the
//! writers leave it out (GPX, TCX) or write the FIT "invalid" value for its base type. No writer
//! turns a missing value into 0 or a sentinel, except where a schema makes an element mandatory
//! (documented on the TCX writer).

use crate::sport::Sport;

/// One workout: when it started, what it was, its totals, and its streams.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Activity {
    /// Start, UTC epoch seconds.
    pub start: i64,
    /// Offset of the workout's local time from UTC, in seconds (east positive).
    pub utc_offset_s: i32,
    /// The sport, as the Huami code.
    pub sport: Sport,
    /// A user-given title, if any (the Zepp app's `sport_title`).
    pub name: Option<String>,
    /// Summary totals as the watch reported them.
    pub totals: Totals,
    /// Samples in time order (one per second or per GPS fix; every field optional).
    pub points: Vec<Point>,
    /// Laps or splits, in time order. Empty: the writers use one lap for the whole workout.
    pub laps: Vec<Lap>,
    /// Pool lengths of a swim, in time order (empty for other sports).
    pub lengths: Vec<Length>,
    /// Pauses (manual or automatic), in time order.
    pub pauses: Vec<Pause>,
    /// Pool length of a pool swim, metres.
    pub pool_length_m: Option<f64>,
}

/// Summary totals of a workout.
///
/// Cadence is in the unit the watch reports it: pedal revolutions per minute for cycling,
/// strokes per minute for rowing, **steps** per minute (both feet) for foot sports. The writers
/// convert steps to the strides per minute (one foot) that FIT, TCX and the Garmin GPX extension
/// expect; see [`Sport::cadence_in_steps`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Totals {
    /// Elapsed time from start to end, pauses included, seconds.
    pub duration_s: Option<f64>,
    /// Moving (timer) time, pauses excluded, seconds.
    pub moving_s: Option<f64>,
    /// Distance, metres.
    pub distance_m: Option<f64>,
    /// Energy, kilocalories.
    pub kcal: Option<u32>,
    /// Average heart rate, beats per minute.
    pub avg_hr: Option<u8>,
    /// Maximum heart rate, beats per minute.
    pub max_hr: Option<u8>,
    /// Average cadence (see the unit note above).
    pub avg_cadence: Option<u16>,
    /// Total ascent, metres.
    pub ascent_m: Option<f64>,
    /// Total descent, metres.
    pub descent_m: Option<f64>,
    /// Swim strokes.
    pub strokes: Option<u32>,
}

/// A position in WGS84 degrees. Latitude and longitude always come together.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Position {
    /// Degrees north, −90..=90.
    pub lat: f64,
    /// Degrees east, −180..=180.
    pub lon: f64,
}

/// One sample of a workout's streams.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Point {
    /// UTC epoch seconds. TCX and FIT need it and skip a point without one; GPX writes it bare.
    pub time: Option<i64>,
    /// GPS position; `None` for a missing fix (indoor workouts, lost signal).
    pub position: Option<Position>,
    /// Altitude, metres.
    pub altitude_m: Option<f64>,
    /// Heart rate, beats per minute. 0 means "no contact" and is written as absent.
    pub heart_rate: Option<u8>,
    /// Cadence, in the unit described on [`Totals`].
    pub cadence: Option<u16>,
    /// Cumulative distance from the start, metres.
    pub distance_m: Option<f64>,
    /// Speed, metres per second.
    pub speed_mps: Option<f64>,
    /// Power, watts.
    pub power_w: Option<u16>,
}

/// What ended a lap.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LapTrigger {
    /// The user pressed the lap button (also used when the cause is unknown).
    #[default]
    Manual,
    /// An automatic distance split (e.g. every kilometre).
    Distance,
    /// An automatic time split.
    Time,
    /// The end of the workout.
    SessionEnd,
}

/// One lap or split.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lap {
    /// Start, UTC epoch seconds.
    pub start: i64,
    /// Elapsed time, seconds.
    pub duration_s: f64,
    /// Moving (timer) time, seconds.
    pub moving_s: Option<f64>,
    /// Distance, metres.
    pub distance_m: Option<f64>,
    /// Energy, kilocalories.
    pub kcal: Option<u32>,
    /// Average heart rate, bpm.
    pub avg_hr: Option<u8>,
    /// Maximum heart rate, bpm.
    pub max_hr: Option<u8>,
    /// Average cadence (unit as on [`Totals`]).
    pub avg_cadence: Option<u16>,
    /// Swim strokes in this lap.
    pub strokes: Option<u32>,
    /// Pool lengths in this lap.
    pub lengths: Option<u16>,
    /// What ended the lap.
    pub trigger: LapTrigger,
}

/// One pool length of a swim.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Length {
    /// Start, UTC epoch seconds.
    pub start: i64,
    /// Elapsed time, seconds.
    pub duration_s: f64,
    /// Strokes in this length.
    pub strokes: Option<u16>,
    /// `false` for a rest at the wall (an idle length in FIT terms).
    pub active: bool,
}

/// A pause: the timer stopped at `start` and resumed at `end` (UTC epoch seconds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pause {
    /// When the timer stopped.
    pub start: i64,
    /// When the timer resumed.
    pub end: i64,
}

impl Activity {
    /// An activity of `sport` starting at `start` (UTC epoch seconds) with nothing recorded yet.
    #[must_use]
    pub fn new(start: i64, sport: Sport) -> Self {
        Activity {
            start,
            sport,
            ..Activity::default()
        }
    }

    /// Elapsed time in seconds: the reported duration, else the span up to the last timed
    /// point, lap, length or pause; `None` when nothing tells.
    #[must_use]
    pub fn elapsed_s(&self) -> Option<f64> {
        if let Some(d) = self.totals.duration_s {
            return Some(d);
        }
        let last = self
            .points
            .iter()
            .filter_map(|p| p.time)
            .chain(self.laps.iter().map(|l| end_of(l.start, l.duration_s)))
            .chain(self.lengths.iter().map(|l| end_of(l.start, l.duration_s)))
            .chain(self.pauses.iter().map(|p| p.end))
            .max()?;
        Some(last.saturating_sub(self.start).max(0) as f64)
    }

    /// Moving time in seconds: the reported one, else elapsed time less the pauses.
    #[must_use]
    pub fn moving_s(&self) -> Option<f64> {
        if let Some(m) = self.totals.moving_s {
            return Some(m);
        }
        let elapsed = self.elapsed_s()?;
        let end = end_of(self.start, elapsed);
        let paused = self
            .pauses
            .iter()
            .map(|p| {
                p.end
                    .min(end)
                    .saturating_sub(p.start.max(self.start))
                    .max(0)
            })
            .fold(0_i64, i64::saturating_add);
        Some((elapsed - paused as f64).max(0.0))
    }

    /// End, UTC epoch seconds (start plus [`Activity::elapsed_s`], or the start).
    #[must_use]
    pub fn end(&self) -> i64 {
        end_of(self.start, self.elapsed_s().unwrap_or(0.0))
    }

    /// Whether any point has a GPS position (a GPX track exists).
    #[must_use]
    pub fn has_track(&self) -> bool {
        self.points.iter().any(|p| p.position.is_some())
    }
}

/// `start + duration` in whole seconds, saturating (a non-finite duration counts as 0).
pub(crate) fn end_of(start: i64, duration_s: f64) -> i64 {
    // `as` saturates on overflow and maps NaN to 0: no panic on any input.
    start.saturating_add(duration_s.round() as i64)
}

/// The laps the writers emit: the activity's own, or one lap spanning the whole workout built
/// from the totals when it has none. Nothing is invented: absent totals stay absent.
pub(crate) fn effective_laps(a: &Activity) -> std::borrow::Cow<'_, [Lap]> {
    if a.laps.is_empty() {
        let t = &a.totals;
        std::borrow::Cow::Owned(vec![Lap {
            start: a.start,
            duration_s: a.elapsed_s().unwrap_or(0.0),
            moving_s: a.moving_s(),
            distance_m: t.distance_m,
            kcal: t.kcal,
            avg_hr: t.avg_hr,
            max_hr: t.max_hr,
            avg_cadence: t.avg_cadence,
            strokes: t.strokes,
            lengths: (!a.lengths.is_empty())
                .then(|| u16::try_from(a.lengths.len()).unwrap_or(u16::MAX)),
            trigger: LapTrigger::SessionEnd,
        }])
    } else {
        std::borrow::Cow::Borrowed(&a.laps)
    }
}

/// Index of the lap a point at `time` belongs to: the last lap starting at or before it (the
/// first lap also takes earlier points). `laps` must be non-empty.
pub(crate) fn lap_index(lap_starts: &[i64], time: i64) -> usize {
    lap_starts.partition_point(|&s| s <= time).saturating_sub(1)
}
