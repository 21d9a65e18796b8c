//! What a person looks at: the numbers and series a dashboard, a bridge or an assistant shows,
//! computed from the store the same way for every front end.
//!
//! Rules every function here keeps:
//! - A metric that was never measured is absent (`None`, or no point), never 0: a day without
//!   steps is not a day of zero steps, a night without sleep data is not a night of no sleep.
//! - Averages are over the days that have the metric, and say how many days that was.
//! - Long ranges are aggregated ([`Bucket`]): ten years of days become ~120 months, so a page
//!   stays small and quick whatever the history.
//! - Heart-rate curves are split where the band was not worn for more than [`HR_GAP_SECS`]: a
//!   front end draws each segment and never a line across a gap.

use jiff::ToSpan as _;
use jiff::civil::Date;
use mikit_store::{AccountId, DayRow, Store};
use serde::Serialize;

/// A gap longer than this (15 minutes) between two heart-rate samples splits the curve.
pub const HR_GAP_SECS: i64 = 15 * 60;

/// Why a view could not be computed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The store could not be read.
    #[error("reading the local database")]
    Store(#[from] mikit_store::Error),
    /// No fitness account has been synced into this database yet.
    #[error("no fitness data yet: log in and sync first (`mikit fit login`, `mikit fit sync`)")]
    NoAccount,
    /// A date range that ends before it starts, or lies outside the calendar.
    #[error("the range {from} to {to} is empty: the end is before the start")]
    EmptyRange {
        /// First day asked for.
        from: Date,
        /// Last day asked for.
        to: Date,
    },
}

/// The synced fitness account a view is about: the first one (a database usually holds one).
pub fn account(store: &Store) -> Result<AccountId, Error> {
    store
        .accounts(crate::fit::PROVIDER)?
        .into_iter()
        .next()
        .map(|(id, _, _)| id)
        .ok_or(Error::NoAccount)
}

/// Mean daily values over a window of days, each over the days that have it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Averages {
    /// First day of the window.
    pub from: Option<Date>,
    /// Last day of the window.
    pub to: Option<Date>,
    /// Days of the window with step data.
    pub days_with_steps: u32,
    /// Mean steps per day with step data.
    pub steps: Option<f64>,
    /// Mean metres per day.
    pub distance_m: Option<f64>,
    /// Mean kcal per day.
    pub kcal: Option<f64>,
    /// Nights with sleep data.
    pub nights: u32,
    /// Mean minutes asleep (deep + light + REM) per night with sleep data.
    pub sleep_min: Option<f64>,
    /// Mean resting heart rate over the days that have one.
    pub resting_hr: Option<f64>,
}

/// Running sums for [`Averages`].
#[derive(Default)]
struct Sums {
    steps: Mean,
    distance: Mean,
    kcal: Mean,
    sleep: Mean,
    rhr: Mean,
}

#[derive(Default, Clone, Copy)]
struct Mean {
    sum: f64,
    n: u32,
}

impl Mean {
    fn add(&mut self, v: Option<i64>) {
        if let Some(v) = v {
            self.sum += v as f64;
            self.n += 1;
        }
    }

    fn get(self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / f64::from(self.n))
    }
}

impl Sums {
    fn add(&mut self, d: &DayRow) {
        self.steps.add(d.steps);
        self.distance.add(d.distance_m);
        self.kcal.add(d.kcal);
        self.sleep.add(d.sleep_total());
        self.rhr.add(d.resting_hr);
    }

    fn averages(&self, from: Date, to: Date) -> Averages {
        Averages {
            from: Some(from),
            to: Some(to),
            days_with_steps: self.steps.n,
            steps: self.steps.get(),
            distance_m: self.distance.get(),
            kcal: self.kcal.get(),
            nights: self.sleep.n,
            sleep_min: self.sleep.get(),
            resting_hr: self.rhr.get(),
        }
    }
}

/// The averages of `rows` (sorted by date) whose date lies in `from..=to`.
fn window(rows: &[DayRow], from: Date, to: Date) -> Averages {
    let mut sums = Sums::default();
    for d in rows {
        if let Ok(date) = d.date.parse::<Date>()
            && date >= from
            && date <= to
        {
            sums.add(d);
        }
    }
    sums.averages(from, to)
}

/// One sleep stage of a night.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stage {
    /// UTC epoch seconds, inclusive.
    pub start: i64,
    /// UTC epoch seconds, exclusive.
    pub end: i64,
    /// `light`, `deep`, `rem`, `awake` or `unknown`.
    pub kind: String,
}

/// One night: totals and its stages in time order (a hypnogram).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Night {
    /// The day the night belongs to (the wake-up day).
    pub date: Date,
    /// Falling asleep, UTC epoch seconds.
    pub start: Option<i64>,
    /// Waking up, UTC epoch seconds.
    pub end: Option<i64>,
    /// UTC offset of that day, seconds east.
    pub tz_offset: i32,
    /// Deep minutes.
    pub deep_min: Option<i64>,
    /// Light minutes.
    pub light_min: Option<i64>,
    /// REM minutes.
    pub rem_min: Option<i64>,
    /// Awake minutes.
    pub awake_min: Option<i64>,
    /// Minutes asleep (deep + light + REM).
    pub asleep_min: Option<i64>,
    /// The band's sleep score.
    pub score: Option<i64>,
    /// The stages (naps left out).
    pub stages: Vec<Stage>,
}

/// One day's values as `mikit fit show` prints them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Day {
    /// Local calendar day.
    pub date: Date,
    /// Steps.
    pub steps: Option<i64>,
    /// Metres.
    pub distance_m: Option<i64>,
    /// kcal.
    pub kcal: Option<i64>,
    /// The step goal.
    pub goal: Option<i64>,
    /// Minutes asleep.
    pub sleep_min: Option<i64>,
    /// Resting heart rate.
    pub resting_hr: Option<i64>,
    /// Maximum heart rate.
    pub max_hr: Option<i64>,
}

impl Day {
    fn of(d: &DayRow) -> Option<Self> {
        Some(Self {
            date: d.date.parse().ok()?,
            steps: d.steps,
            distance_m: d.distance_m,
            kcal: d.kcal,
            goal: d.goal,
            sleep_min: d.sleep_total(),
            resting_hr: d.resting_hr,
            max_hr: d.max_hr,
        })
    }
}

/// The overview: the latest day, the last 7 and 30 days against the 28 before them, last
/// night, and the resting heart rate of the last 90 days.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Overview {
    /// The latest day with data on or before the day asked for (`None`: nothing synced).
    pub latest: Option<Day>,
    /// The 7 days ending with `latest`.
    pub last_7: Averages,
    /// The 30 days ending with `latest`.
    pub last_30: Averages,
    /// The 28 days before the last 7: what "usual" means for the comparison.
    pub previous_28: Averages,
    /// The latest night with sleep stages.
    pub last_night: Option<Night>,
    /// (day, resting HR) for the 90 days ending with `latest`, days without a value left out.
    pub resting_hr: Vec<(Date, i64)>,
}

/// The day rows of the 120 days up to the last synced day on or before `today`.
fn recent_rows(store: &Store, account: AccountId, today: Date) -> Result<Vec<DayRow>, Error> {
    let synced_last = store
        .sync_state(account, crate::fit::Stream::BandData.name())?
        .and_then(|s| s.last_date);
    let end = synced_last.map_or(today, |last| last.min(today));
    Ok(store.day_rows(account, Some(end.saturating_sub(120.days())), Some(end))?)
}

/// True for a day the band recorded anything on.
fn has_data(d: &DayRow) -> bool {
    d.steps.is_some() || d.minutes > 0
}

/// The latest day with data on or before `today` (the overview's "latest day"), if any.
pub fn latest_day(store: &Store, account: AccountId, today: Date) -> Result<Option<Date>, Error> {
    Ok(recent_rows(store, account, today)?
        .iter()
        .rev()
        .find(|d| has_data(d))
        .and_then(|d| d.date.parse().ok()))
}

/// The overview as of `today` (usually the current local date): about the latest synced day
/// on or before it, however long ago that was.
pub fn overview(store: &Store, account: AccountId, today: Date) -> Result<Overview, Error> {
    let rows = recent_rows(store, account, today)?;
    let latest_row = rows.iter().rev().find(|d| has_data(d));
    let Some(latest) = latest_row.and_then(Day::of) else {
        return Ok(Overview {
            latest: None,
            last_7: Averages::default(),
            last_30: Averages::default(),
            previous_28: Averages::default(),
            last_night: None,
            resting_hr: Vec::new(),
        });
    };
    let end = latest.date;
    let start_7 = end.saturating_sub(6.days());
    let last_night = match rows.iter().rev().find(|d| d.sleep_total().is_some()) {
        Some(d) => night(store, account, d)?,
        None => None,
    };
    let start_90 = end.saturating_sub(89.days());
    Ok(Overview {
        last_7: window(&rows, start_7, end),
        last_30: window(&rows, end.saturating_sub(29.days()), end),
        previous_28: window(
            &rows,
            start_7.saturating_sub(28.days()),
            start_7.saturating_sub(1.day()),
        ),
        last_night,
        resting_hr: rows
            .iter()
            .filter_map(|d| Some((d.date.parse::<Date>().ok()?, d.resting_hr?)))
            .filter(|(date, _)| *date >= start_90)
            .collect(),
        latest: Some(latest),
    })
}

/// The night of `day` with its stages; `None` when the day has no sleep.
fn night(store: &Store, account: AccountId, day: &DayRow) -> Result<Option<Night>, Error> {
    let Ok(date) = day.date.parse::<Date>() else {
        return Ok(None);
    };
    if day.sleep_total().is_none() {
        return Ok(None);
    }
    let mut stages = Vec::new();
    store.for_each_sleep::<mikit_store::Error, _>(account, Some(date), Some(date), |s| {
        if !s.nap {
            stages.push(Stage {
                start: s.start,
                end: s.end,
                kind: s.kind.clone(),
            });
        }
        Ok(())
    })?;
    stages.sort_by_key(|s| s.start);
    Ok(Some(Night {
        date,
        start: day.sleep_start,
        end: day.sleep_end,
        tz_offset: day.tz_offset,
        deep_min: day.deep_min,
        light_min: day.light_min,
        rem_min: day.rem_min,
        awake_min: day.awake_min,
        asleep_min: day.sleep_total(),
        score: day.sleep_score,
        stages,
    }))
}

/// The night that ends on `date` (the wake-up day), with its hypnogram.
pub fn night_of(store: &Store, account: AccountId, date: Date) -> Result<Option<Night>, Error> {
    match store.day_rows(account, Some(date), Some(date))?.first() {
        Some(d) => night(store, account, d),
        None => Ok(None),
    }
}

/// How many days one point of a series stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    /// One point a day.
    Day,
    /// One point a week (weeks start on Monday).
    Week,
    /// One point a calendar month.
    Month,
}

impl Bucket {
    /// The bucket that keeps a range of `days` legible: days up to ~3 months, weeks up to ~2
    /// years, months beyond.
    pub fn for_span(days: i64) -> Self {
        if days <= 92 {
            Self::Day
        } else if days <= 731 {
            Self::Week
        } else {
            Self::Month
        }
    }

    /// The first day of the bucket holding `d`.
    pub fn start_of(self, d: Date) -> Date {
        match self {
            Self::Day => d,
            Self::Week => d.saturating_sub(i64::from(d.weekday().to_monday_zero_offset()).days()),
            Self::Month => d.first_of_month(),
        }
    }
}

/// One point of a daily series: the bucket's first day and the mean over its days with data.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Point {
    /// First day of the bucket.
    pub start: Date,
    /// Days of the bucket with the first metric of the series.
    pub days: u32,
    /// The means, in the order of [`Series::metrics`]; `None` where no day had the metric.
    pub values: Vec<Option<f64>>,
}

/// A daily series over a range, aggregated by [`Bucket`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Series {
    /// First day asked for.
    pub from: Date,
    /// Last day asked for.
    pub to: Date,
    /// What one point stands for.
    pub bucket: Bucket,
    /// The metric names, with their units: e.g. `steps`, `distance_m`, `kcal`.
    pub metrics: Vec<&'static str>,
    /// The points, oldest first; buckets without any data are left out.
    pub points: Vec<Point>,
}

/// Which values of a day a series shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metrics {
    /// Steps, metres, kcal.
    Activity,
    /// Deep, light, REM, awake minutes and the score.
    Sleep,
    /// Resting and maximum heart rate.
    Heart,
}

impl Metrics {
    fn names(self) -> Vec<&'static str> {
        match self {
            Self::Activity => vec!["steps", "distance_m", "kcal"],
            Self::Sleep => vec!["deep_min", "light_min", "rem_min", "awake_min", "score"],
            Self::Heart => vec!["resting_hr", "max_hr"],
        }
    }

    fn values(self, d: &DayRow) -> Vec<Option<i64>> {
        match self {
            Self::Activity => vec![d.steps, d.distance_m, d.kcal],
            // Sleep minutes only count on nights that have sleep at all.
            Self::Sleep if d.sleep_total().is_none() => vec![None; 5],
            Self::Sleep => vec![
                d.deep_min,
                d.light_min,
                d.rem_min,
                d.awake_min,
                d.sleep_score,
            ],
            Self::Heart => vec![d.resting_hr, d.max_hr],
        }
    }
}

/// The daily `metrics` between `from` and `to` (inclusive), aggregated by `bucket` (or the
/// bucket [`Bucket::for_span`] picks).
pub fn series(
    store: &Store,
    account: AccountId,
    metrics: Metrics,
    (from, to): (Date, Date),
    bucket: Option<Bucket>,
) -> Result<Series, Error> {
    if to < from {
        return Err(Error::EmptyRange { from, to });
    }
    let span = (to - from).get_days().into();
    let bucket = bucket.unwrap_or_else(|| Bucket::for_span(span));
    let names = metrics.names();
    let mut points: Vec<Point> = Vec::new();
    let mut means: Vec<Mean> = vec![Mean::default(); names.len()];
    let mut current: Option<Date> = None;
    let flush = |start: Option<Date>, means: &mut Vec<Mean>, points: &mut Vec<Point>| {
        if let Some(start) = start
            && means.iter().any(|m| m.n > 0)
        {
            points.push(Point {
                start,
                days: means[0].n,
                values: means.iter().map(|m| m.get()).collect(),
            });
        }
        means.iter_mut().for_each(|m| *m = Mean::default());
    };
    store.for_each_day::<Error, _>(account, Some(from), Some(to), |d| {
        let Ok(date) = d.date.parse::<Date>() else {
            return Ok(());
        };
        let start = bucket.start_of(date);
        if current != Some(start) {
            flush(current, &mut means, &mut points);
            current = Some(start);
        }
        for (m, v) in means.iter_mut().zip(metrics.values(d)) {
            m.add(v);
        }
        Ok(())
    })?;
    flush(current, &mut means, &mut points);
    Ok(Series {
        from,
        to,
        bucket,
        metrics: names,
        points,
    })
}

/// One heart-rate sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct HrSample {
    /// UTC epoch seconds.
    pub ts: i64,
    /// Beats per minute.
    pub bpm: i64,
}

/// One local day of minute heart rate, in segments without a gap over [`HR_GAP_SECS`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HeartDay {
    /// The local day.
    pub date: Date,
    /// UTC offset of that day, seconds east.
    pub tz_offset: i32,
    /// The segments, each a run of samples to draw as one line.
    pub segments: Vec<Vec<HrSample>>,
    /// Lowest sample.
    pub min: Option<i64>,
    /// Highest sample.
    pub max: Option<i64>,
    /// The day's resting heart rate as the band computed it.
    pub resting_hr: Option<i64>,
}

/// The minute heart rate of the local day `date` (`None` when the day is not stored).
pub fn heart_day(store: &Store, account: AccountId, date: Date) -> Result<Option<HeartDay>, Error> {
    let Some(day) = store
        .day_rows(account, Some(date), Some(date))?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let start = day.local_midnight;
    let end = start + 86_400;
    let mut segments: Vec<Vec<HrSample>> = Vec::new();
    let (mut min, mut max) = (None::<i64>, None::<i64>);
    store.for_each_minute::<Error, _>(account, (start, end - 1), true, |m| {
        // Readings outside 1..=254 are the band's "no reading" markers, not heart rates.
        let Some(bpm) = m.heart_rate.filter(|b| (1..=254).contains(b)) else {
            return Ok(());
        };
        let sample = HrSample { ts: m.ts, bpm };
        match segments.last_mut() {
            Some(seg) if seg.last().is_some_and(|l| m.ts - l.ts <= HR_GAP_SECS) => {
                seg.push(sample);
            }
            _ => segments.push(vec![sample]),
        }
        min = Some(min.map_or(bpm, |v| v.min(bpm)));
        max = Some(max.map_or(bpm, |v| v.max(bpm)));
        Ok(())
    })?;
    Ok(Some(HeartDay {
        date,
        tz_offset: day.tz_offset,
        segments,
        min,
        max,
        resting_hr: day.resting_hr,
    }))
}

/// What is known about one synced data stream.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Coverage {
    /// The stream's name (`band_data`, …).
    pub stream: String,
    /// Never synced.
    pub never_synced: bool,
    /// First day with data the server has.
    pub first: Option<Date>,
    /// Last day with data the server has.
    pub last: Option<Date>,
    /// Every day up to this one was fetched (`None`: nothing yet).
    pub synced_through: Option<Date>,
    /// Days stored with data.
    pub days_with_data: u32,
    /// Days in the fetched range that the server had nothing for.
    pub days_empty: u32,
    /// Days between `synced_through` and `last` not fetched yet.
    pub days_not_fetched: u32,
}

/// The coverage of the band-data stream: which days are stored, empty on the server, or not
/// fetched yet.
pub fn coverage(store: &Store, account: AccountId) -> Result<Vec<Coverage>, Error> {
    let name = crate::fit::Stream::BandData.name();
    let Some(state) = store.sync_state(account, name)? else {
        return Ok(vec![Coverage {
            stream: name.to_owned(),
            never_synced: true,
            first: None,
            last: None,
            synced_through: None,
            days_with_data: 0,
            days_empty: 0,
            days_not_fetched: 0,
        }]);
    };
    let mut with_data = 0u32;
    store.for_each_day::<Error, _>(account, state.first_date, state.last_date, |d| {
        if has_data(d) {
            with_data += 1;
        }
        Ok(())
    })?;
    let days = |a: Date, b: Date| -> u32 {
        if b < a {
            0
        } else {
            u32::try_from(i64::from((b - a).get_days()) + 1).unwrap_or(u32::MAX)
        }
    };
    let (fetched, not_fetched) = match (state.first_date, state.last_date) {
        (Some(first), Some(last)) => {
            let through = state.synced_through.min(last);
            (
                days(first, through),
                days(through.saturating_add(1.day()), last),
            )
        }
        _ => (0, 0),
    };
    Ok(vec![Coverage {
        stream: name.to_owned(),
        never_synced: false,
        first: state.first_date,
        last: state.last_date,
        synced_through: (state.first_date.is_some()).then_some(state.synced_through),
        days_with_data: with_data,
        days_empty: fetched.saturating_sub(with_data),
        days_not_fetched: not_fetched,
    }])
}

/// What is stored of the workout history.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct WorkoutCoverage {
    /// Workouts stored.
    pub workouts: usize,
    /// Of those, with their detail (track, heart rate, laps).
    pub with_detail: usize,
    /// Of those, with the summary only (the next sync asks for the detail again).
    pub summary_only: usize,
    /// Day of the first workout.
    pub first: Option<Date>,
    /// Day of the last workout.
    pub last: Option<Date>,
}

/// The coverage of the workout history.
pub fn workout_coverage(store: &Store, account: AccountId) -> Result<WorkoutCoverage, Error> {
    let summaries = store.workout_summaries(account)?;
    let mut c = WorkoutCoverage {
        workouts: summaries.len(),
        with_detail: summaries.values().filter(|s| s.has_detail).count(),
        ..WorkoutCoverage::default()
    };
    c.summary_only = c.workouts - c.with_detail;
    store.for_each_workout::<Error, _>(account, &mikit_store::WorkoutFilter::default(), |w| {
        c.first = Some(c.first.map_or(w.date, |f| f.min(w.date)));
        c.last = Some(c.last.map_or(w.date, |l| l.max(w.date)));
        Ok(())
    })?;
    Ok(c)
}
