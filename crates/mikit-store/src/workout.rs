//! Workouts: typed summaries, per-point streams, laps and pauses, and the raw payloads.
//!
//! The rows here are the store's own plain shapes, every value that a payload may leave out an
//! `Option` (absent is not 0); mapping the service's decoded workouts into them is the caller's
//! job. Writing a workout replaces all of its rows in one transaction, so a killed sync leaves
//! each workout either as it was or complete. The raw summary and detail are kept compressed
//! (see `payload.rs`) for `--redecode`, and a SHA-256 of the raw summary tells a sync whether a
//! workout changed since its detail was fetched.

use std::collections::HashMap;

use jiff::civil::Date;
use rusqlite::{OptionalExtension, Transaction, params};
use sha2::Digest as _;

use crate::query::{date_bound, stream};
use crate::{AccountId, Error, Store, block, payload};

/// The summary of one workout (one history item), as stored.
///
/// Units are in the field names; paces are seconds per metre as the service sends them.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct WorkoutRow {
    /// The service's id of the workout (its start, unix seconds).
    pub trackid: i64,
    /// UTC epoch seconds.
    pub start: i64,
    /// UTC epoch seconds.
    pub end: Option<i64>,
    /// Huami sport code (`type`); unknown codes are kept as they are.
    pub sport: i64,
    /// `source` (e.g. `run.mifit.huami.com`).
    pub source: Option<String>,
    /// The user's title (`sport_title`).
    pub title: Option<String>,
    /// IANA time zone name (`syncedTimezone`).
    pub time_zone: Option<String>,
    /// True when the watch recognised the workout by itself.
    pub auto_detected: Option<bool>,
    /// Metres.
    pub distance_m: Option<f64>,
    /// Moving time, seconds (`run_time`).
    pub duration_s: Option<i64>,
    /// Paused time, seconds.
    pub pause_s: Option<i64>,
    /// kcal.
    pub kcal: Option<f64>,
    /// Average heart rate, bpm.
    pub avg_hr: Option<f64>,
    /// Maximum heart rate, bpm.
    pub max_hr: Option<i64>,
    /// Minimum heart rate, bpm.
    pub min_hr: Option<i64>,
    /// Average cadence, per minute.
    pub avg_cadence: Option<f64>,
    /// Maximum cadence, per minute.
    pub max_cadence: Option<f64>,
    /// Average stride, cm.
    pub avg_stride_cm: Option<f64>,
    /// Steps.
    pub steps: Option<i64>,
    /// Metres climbed.
    pub ascent_m: Option<f64>,
    /// Metres descended.
    pub descent_m: Option<f64>,
    /// Lowest altitude, m.
    pub min_altitude_m: Option<f64>,
    /// Highest altitude, m.
    pub max_altitude_m: Option<f64>,
    /// Average pace, s/m.
    pub avg_pace: Option<f64>,
    /// `max_pace`, s/m.
    pub max_pace: Option<f64>,
    /// `min_pace`, s/m.
    pub min_pace: Option<f64>,
    /// Swim efficiency (strokes + seconds per length).
    pub swolf: Option<i64>,
    /// Swim strokes.
    pub strokes: Option<i64>,
    /// Pool lengths swum.
    pub trips: Option<i64>,
    /// Pool length, m.
    pub pool_length_m: Option<i64>,
    /// Main swim style code.
    pub swim_style: Option<i64>,
    /// Average stroke speed.
    pub avg_stroke_speed: Option<f64>,
    /// Average distance per stroke, m.
    pub avg_distance_per_stroke: Option<f64>,
    /// Aerobic training effect (`te` / 10).
    pub training_effect: Option<f64>,
    /// Anaerobic training effect (`anaerobic_te` / 10).
    pub anaerobic_training_effect: Option<f64>,
    /// `updateTime`, ms.
    pub update_time_ms: Option<i64>,
}

/// One point of a workout's streams (merged on time by the decoder).
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct WorkoutPointRow {
    /// UTC epoch seconds.
    pub time: Option<i64>,
    /// Degrees.
    pub lat: Option<f64>,
    /// Degrees.
    pub lon: Option<f64>,
    /// Metres.
    pub altitude_m: Option<f64>,
    /// Metres.
    pub accuracy_m: Option<f64>,
    /// bpm.
    pub heart_rate: Option<i64>,
    /// Per minute.
    pub cadence: Option<i64>,
    /// cm.
    pub stride_cm: Option<f64>,
    /// m/s.
    pub speed_mps: Option<f64>,
    /// Cumulative metres.
    pub distance_m: Option<f64>,
    /// Seconds per metre.
    pub pace: Option<f64>,
    /// Watts.
    pub power_w: Option<i64>,
}

/// One lap: a kilometre or mile split, or a swim length.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct LapRow {
    /// `km`, `mile`, `lap` or `length`.
    pub kind: String,
    /// UTC epoch seconds.
    pub start: Option<i64>,
    /// Seconds.
    pub duration_s: Option<f64>,
    /// Metres.
    pub distance_m: Option<f64>,
    /// Seconds since the start of the workout at the end of the lap.
    pub cumulative_s: Option<f64>,
    /// bpm.
    pub avg_hr: Option<f64>,
    /// Seconds per metre.
    pub avg_pace: Option<f64>,
    /// Swim strokes.
    pub strokes: Option<i64>,
    /// Swim efficiency.
    pub swolf: Option<i64>,
    /// Swim style code.
    pub swim_style: Option<i64>,
    /// Where the lap ended, degrees.
    pub lat: Option<f64>,
    /// Where the lap ended, degrees.
    pub lon: Option<f64>,
}

/// One pause.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct PauseRow {
    /// UTC epoch seconds.
    pub start: Option<i64>,
    /// UTC epoch seconds.
    pub end: Option<i64>,
    /// Index of the first paused point, as the service sends it.
    pub start_index: Option<i64>,
    /// Index of the point where it resumed.
    pub stop_index: Option<i64>,
    /// 2 manual, 3 automatic.
    pub kind: Option<i64>,
}

/// Everything decoded from one workout's summary and detail.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorkoutData {
    /// The summary.
    pub workout: WorkoutRow,
    /// The per-point streams, in time order.
    pub points: Vec<WorkoutPointRow>,
    /// Laps and splits, in order.
    pub laps: Vec<LapRow>,
    /// Pauses, in order.
    pub pauses: Vec<PauseRow>,
}

/// A stored workout: its summary and what the store knows about it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct StoredWorkout {
    /// The summary.
    #[serde(flatten)]
    pub row: WorkoutRow,
    /// Local calendar day of the start.
    #[serde(serialize_with = "as_text")]
    pub date: Date,
    /// UTC offset at the start, seconds east: from `time_zone`, else from the band day, else 0.
    pub tz_offset: i32,
    /// Number of stored points.
    pub points: u64,
    /// True when some point has a position (a GPS track).
    pub has_track: bool,
    /// True when the detail was stored with this summary.
    pub has_detail: bool,
}

/// One workout with all of its rows.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkoutDetail {
    /// The summary.
    pub workout: StoredWorkout,
    /// The points, in order.
    pub points: Vec<WorkoutPointRow>,
    /// The laps, in order.
    pub laps: Vec<LapRow>,
    /// The pauses, in order.
    pub pauses: Vec<PauseRow>,
}

/// The raw payloads of a workout, decompressed, exactly as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawWorkout {
    /// The service's id.
    pub trackid: i64,
    /// The history item (compact JSON).
    pub summary: String,
    /// The detail, when it was fetched.
    pub detail: Option<String>,
}

/// What the store remembers of a workout's summary, to decide whether to fetch its detail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoredSummary {
    /// [`summary_sha256`] of the stored raw summary.
    pub sha256: [u8; 32],
    /// True when the detail was stored with it.
    pub has_detail: bool,
}

impl StoredSummary {
    /// True when the detail must be fetched (again) for the summary `raw` just received.
    pub fn needs_detail(&self, raw: &str) -> bool {
        !self.has_detail || self.sha256 != summary_sha256(raw)
    }
}

/// Which workouts to list: local start days `from..=to` (either open) and one sport code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WorkoutFilter {
    /// First local day.
    pub from: Option<Date>,
    /// Last local day.
    pub to: Option<Date>,
    /// Sport code.
    pub sport: Option<i64>,
}

fn as_text<S: serde::Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

/// The hash the store keeps of a raw summary (SHA-256 of its bytes).
pub fn summary_sha256(raw: &str) -> [u8; 32] {
    sha2::Sha256::digest(raw.as_bytes()).into()
}

/// The summary columns in the order of [`summary_params`] and [`read_workout`].
const SUMMARY_COLUMNS: &str = "trackid, start, end, sport, source, title, time_zone, auto_detected,
    distance_m, duration_s, pause_s, kcal, avg_hr, max_hr, min_hr, avg_cadence, max_cadence,
    avg_stride_cm, steps, ascent_m, descent_m, min_altitude_m, max_altitude_m, avg_pace, max_pace,
    min_pace, swolf, strokes, trips, pool_length_m, swim_style, avg_stroke_speed,
    avg_distance_per_stroke, training_effect, anaerobic_training_effect, update_time_ms";
const SUMMARY_COUNT: usize = 36;

fn summary_params(w: &WorkoutRow) -> [&dyn rusqlite::ToSql; SUMMARY_COUNT] {
    [
        &w.trackid,
        &w.start,
        &w.end,
        &w.sport,
        &w.source,
        &w.title,
        &w.time_zone,
        &w.auto_detected,
        &w.distance_m,
        &w.duration_s,
        &w.pause_s,
        &w.kcal,
        &w.avg_hr,
        &w.max_hr,
        &w.min_hr,
        &w.avg_cadence,
        &w.max_cadence,
        &w.avg_stride_cm,
        &w.steps,
        &w.ascent_m,
        &w.descent_m,
        &w.min_altitude_m,
        &w.max_altitude_m,
        &w.avg_pace,
        &w.max_pace,
        &w.min_pace,
        &w.swolf,
        &w.strokes,
        &w.trips,
        &w.pool_length_m,
        &w.swim_style,
        &w.avg_stroke_speed,
        &w.avg_distance_per_stroke,
        &w.training_effect,
        &w.anaerobic_training_effect,
        &w.update_time_ms,
    ]
}

/// `SELECT` list of a stored workout: the summary, then the store's own columns.
fn stored_columns() -> String {
    format!("{SUMMARY_COLUMNS}, date, tz_offset, points, has_track, has_detail")
}

fn read_workout(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredWorkout> {
    let row = WorkoutRow {
        trackid: r.get(0)?,
        start: r.get(1)?,
        end: r.get(2)?,
        sport: r.get(3)?,
        source: r.get(4)?,
        title: r.get(5)?,
        time_zone: r.get(6)?,
        auto_detected: r.get(7)?,
        distance_m: r.get(8)?,
        duration_s: r.get(9)?,
        pause_s: r.get(10)?,
        kcal: r.get(11)?,
        avg_hr: r.get(12)?,
        max_hr: r.get(13)?,
        min_hr: r.get(14)?,
        avg_cadence: r.get(15)?,
        max_cadence: r.get(16)?,
        avg_stride_cm: r.get(17)?,
        steps: r.get(18)?,
        ascent_m: r.get(19)?,
        descent_m: r.get(20)?,
        min_altitude_m: r.get(21)?,
        max_altitude_m: r.get(22)?,
        avg_pace: r.get(23)?,
        max_pace: r.get(24)?,
        min_pace: r.get(25)?,
        swolf: r.get(26)?,
        strokes: r.get(27)?,
        trips: r.get(28)?,
        pool_length_m: r.get(29)?,
        swim_style: r.get(30)?,
        avg_stroke_speed: r.get(31)?,
        avg_distance_per_stroke: r.get(32)?,
        training_effect: r.get(33)?,
        anaerobic_training_effect: r.get(34)?,
        update_time_ms: r.get(35)?,
    };
    let date: String = r.get(SUMMARY_COUNT)?;
    let date = date.parse().map_err(|e: jiff::Error| {
        rusqlite::Error::FromSqlConversionFailure(
            SUMMARY_COUNT,
            rusqlite::types::Type::Text,
            Box::new(e),
        )
    })?;
    Ok(StoredWorkout {
        row,
        date,
        tz_offset: r.get(SUMMARY_COUNT + 1)?,
        points: u64::try_from(r.get::<_, i64>(SUMMARY_COUNT + 2)?).unwrap_or(0),
        has_track: r.get(SUMMARY_COUNT + 3)?,
        has_detail: r.get(SUMMARY_COUNT + 4)?,
    })
}

/// The UTC offset at `start`: from the workout's IANA zone, else from the band day that
/// contains it, else 0.
fn resolve_offset(tx: &Transaction<'_>, account: AccountId, w: &WorkoutRow) -> Result<i32, Error> {
    let at = jiff::Timestamp::from_second(w.start).map_err(|e| Error::InvalidWorkout {
        trackid: w.trackid,
        reason: format!("start {} is not a time: {e}", w.start),
    })?;
    if let Some(zone) = w
        .time_zone
        .as_deref()
        .and_then(|z| jiff::tz::TimeZone::get(z).ok())
    {
        return Ok(zone.to_offset(at).seconds());
    }
    // The band day containing `start` is dated at most 14 h (the largest UTC offset) after
    // the UTC day of `start`: the newest day not after that whose midnight is not after it.
    let latest = at
        .checked_add(jiff::SignedDuration::from_hours(14))
        .unwrap_or(at)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let mut stmt = tx.prepare_cached(
        "SELECT local_midnight, tz_offset FROM days WHERE account = ?1 AND date <= ?2 ORDER BY date DESC LIMIT 3",
    )?;
    let mut rows = stmt.query(params![account.0, latest.to_string()])?;
    while let Some(r) = rows.next()? {
        let (midnight, offset): (i64, i32) = (r.get(0)?, r.get(1)?);
        if midnight <= w.start {
            return Ok(offset);
        }
    }
    Ok(0)
}

fn local_date(start: i64, offset: i32) -> Date {
    jiff::Timestamp::from_second(start.saturating_add(i64::from(offset)))
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// Replace every row of one workout inside `tx`.
fn write_rows(
    tx: &Transaction<'_>,
    account: AccountId,
    raw_summary: &str,
    has_detail: bool,
    data: &WorkoutData,
) -> Result<(), Error> {
    let w = &data.workout;
    let offset = resolve_offset(tx, account, w)?;
    let date = local_date(w.start, offset).to_string();
    let points = i64::try_from(data.points.len()).unwrap_or(i64::MAX);
    let has_track = data
        .points
        .iter()
        .any(|p| p.lat.is_some() && p.lon.is_some());
    let sha = summary_sha256(raw_summary).to_vec();
    let mut values: Vec<&dyn rusqlite::ToSql> = vec![&account.0];
    values.extend(summary_params(w));
    values.extend([
        &date as &dyn rusqlite::ToSql,
        &offset,
        &points,
        &has_track,
        &has_detail,
        &sha,
    ]);
    let placeholders = (1..=values.len())
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    tx.prepare_cached(&format!(
        "INSERT OR REPLACE INTO workouts (account, {SUMMARY_COLUMNS}, date, tz_offset, points, has_track, has_detail, summary_sha256)
         VALUES ({placeholders})"
    ))?
    .execute(values.as_slice())?;

    for table in ["workout_point_blocks", "workout_laps", "workout_pauses"] {
        tx.prepare_cached(&format!(
            "DELETE FROM {table} WHERE account = ?1 AND trackid = ?2"
        ))?
        .execute(params![account.0, w.trackid])?;
    }
    if !data.points.is_empty() {
        let frame = block::encode_points(&data.points).map_err(|reason| Error::InvalidWorkout {
            trackid: w.trackid,
            reason,
        })?;
        tx.prepare_cached(
            "INSERT INTO workout_point_blocks (account, trackid, rows, block_zstd) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![account.0, w.trackid, points, frame])?;
    }
    let mut ins = tx.prepare_cached(
        "INSERT INTO workout_laps (account, trackid, seq, kind, start, duration_s, distance_m, cumulative_s,
            avg_hr, avg_pace, strokes, swolf, swim_style, lat, lon)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?;
    for (seq, l) in data.laps.iter().enumerate() {
        ins.execute(params![
            account.0,
            w.trackid,
            seq as i64,
            l.kind,
            l.start,
            l.duration_s,
            l.distance_m,
            l.cumulative_s,
            l.avg_hr,
            l.avg_pace,
            l.strokes,
            l.swolf,
            l.swim_style,
            l.lat,
            l.lon
        ])?;
    }
    let mut ins = tx.prepare_cached(
        "INSERT INTO workout_pauses (account, trackid, seq, start, end, start_index, stop_index, kind)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (seq, p) in data.pauses.iter().enumerate() {
        ins.execute(params![
            account.0,
            w.trackid,
            seq as i64,
            p.start,
            p.end,
            p.start_index,
            p.stop_index,
            p.kind
        ])?;
    }
    Ok(())
}

fn delete_rows(tx: &Transaction<'_>, account: AccountId, trackid: i64) -> Result<(), Error> {
    for table in [
        "workouts",
        "workout_point_blocks",
        "workout_laps",
        "workout_pauses",
    ] {
        tx.prepare_cached(&format!(
            "DELETE FROM {table} WHERE account = ?1 AND trackid = ?2"
        ))?
        .execute(params![account.0, trackid])?;
    }
    Ok(())
}

impl Store {
    /// Write one workout in ONE transaction: the raw summary and detail as received (kept
    /// compressed) and the decoded rows, replacing everything stored for its trackid.
    ///
    /// `raw_detail` is `None` when the detail was not fetched; the workout then has no
    /// detail ([`StoredSummary::has_detail`] is false), so the next sync fetches it.
    pub fn write_workout(
        &mut self,
        account: AccountId,
        raw_summary: &str,
        raw_detail: Option<&str>,
        data: &WorkoutData,
    ) -> Result<(), Error> {
        let tx = self.conn.transaction()?;
        let detail = raw_detail
            .map(|d| payload::compress(d.as_bytes()))
            .transpose()?;
        tx.prepare_cached(
            "INSERT OR REPLACE INTO workout_raw (account, trackid, summary_zstd, detail_zstd) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![
            account.0,
            data.workout.trackid,
            payload::compress(raw_summary.as_bytes())?,
            detail
        ])?;
        write_rows(&tx, account, raw_summary, raw_detail.is_some(), data)?;
        tx.commit()?;
        Ok(())
    }

    /// The stored summary hash of every workout of `account`, by trackid (one query for a
    /// whole history page walk).
    pub fn workout_summaries(
        &self,
        account: AccountId,
    ) -> Result<HashMap<i64, StoredSummary>, Error> {
        let mut stmt = self.conn.prepare(
            "SELECT trackid, summary_sha256, has_detail FROM workouts WHERE account = ?1",
        )?;
        let mut rows = stmt.query([account.0])?;
        let mut out = HashMap::new();
        while let Some(r) = rows.next()? {
            let trackid: i64 = r.get(0)?;
            out.insert(trackid, stored_summary(trackid, r.get(1)?, r.get(2)?)?);
        }
        Ok(out)
    }

    /// The stored summary hash of one workout.
    pub fn workout_summary(
        &self,
        account: AccountId,
        trackid: i64,
    ) -> Result<Option<StoredSummary>, Error> {
        let row: Option<(Vec<u8>, bool)> = self
            .conn
            .query_row(
                "SELECT summary_sha256, has_detail FROM workouts WHERE account = ?1 AND trackid = ?2",
                params![account.0, trackid],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(h, d)| stored_summary(trackid, h, d)).transpose()
    }

    /// Stream the workouts of `account` matching `filter`, oldest first.
    pub fn for_each_workout<E, F>(
        &self,
        account: AccountId,
        filter: &WorkoutFilter,
        f: F,
    ) -> Result<(), E>
    where
        E: From<Error>,
        F: FnMut(&StoredWorkout) -> Result<(), E>,
    {
        stream(
            &self.conn,
            &format!(
                "SELECT {} FROM workouts WHERE account = ?1 AND date >= ?2 AND date <= ?3
                   AND (?4 IS NULL OR sport = ?4) ORDER BY start, trackid",
                stored_columns()
            ),
            params![
                account.0,
                date_bound(filter.from, "0000-00-00"),
                date_bound(filter.to, "9999-99-99"),
                filter.sport
            ],
            read_workout,
            f,
        )
    }

    /// The workouts of `account` matching `filter`, oldest first.
    pub fn workouts(
        &self,
        account: AccountId,
        filter: &WorkoutFilter,
    ) -> Result<Vec<StoredWorkout>, Error> {
        let mut out = Vec::new();
        self.for_each_workout(account, filter, |w| {
            out.push(w.clone());
            Ok::<(), Error>(())
        })?;
        Ok(out)
    }

    /// One workout with its points, laps and pauses.
    pub fn workout(
        &self,
        account: AccountId,
        trackid: i64,
    ) -> Result<Option<WorkoutDetail>, Error> {
        let workout = self
            .conn
            .query_row(
                &format!(
                    "SELECT {} FROM workouts WHERE account = ?1 AND trackid = ?2",
                    stored_columns()
                ),
                params![account.0, trackid],
                read_workout,
            )
            .optional()?;
        let Some(workout) = workout else {
            return Ok(None);
        };
        let mut points = Vec::new();
        self.for_each_workout_point(account, trackid, |p| {
            points.push(*p);
            Ok::<(), Error>(())
        })?;
        let mut laps = Vec::new();
        stream(
            &self.conn,
            "SELECT kind, start, duration_s, distance_m, cumulative_s, avg_hr, avg_pace, strokes, swolf,
                    swim_style, lat, lon
             FROM workout_laps WHERE account = ?1 AND trackid = ?2 ORDER BY seq",
            params![account.0, trackid],
            |r| {
                Ok(LapRow {
                    kind: r.get(0)?,
                    start: r.get(1)?,
                    duration_s: r.get(2)?,
                    distance_m: r.get(3)?,
                    cumulative_s: r.get(4)?,
                    avg_hr: r.get(5)?,
                    avg_pace: r.get(6)?,
                    strokes: r.get(7)?,
                    swolf: r.get(8)?,
                    swim_style: r.get(9)?,
                    lat: r.get(10)?,
                    lon: r.get(11)?,
                })
            },
            |l: &LapRow| {
                laps.push(l.clone());
                Ok::<(), Error>(())
            },
        )?;
        let mut pauses = Vec::new();
        stream(
            &self.conn,
            "SELECT start, end, start_index, stop_index, kind
             FROM workout_pauses WHERE account = ?1 AND trackid = ?2 ORDER BY seq",
            params![account.0, trackid],
            |r| {
                Ok(PauseRow {
                    start: r.get(0)?,
                    end: r.get(1)?,
                    start_index: r.get(2)?,
                    stop_index: r.get(3)?,
                    kind: r.get(4)?,
                })
            },
            |p: &PauseRow| {
                pauses.push(*p);
                Ok::<(), Error>(())
            },
        )?;
        Ok(Some(WorkoutDetail {
            workout,
            points,
            laps,
            pauses,
        }))
    }

    /// Stream the points of one workout in order (exports: memory stays constant).
    pub fn for_each_workout_point<E, F>(
        &self,
        account: AccountId,
        trackid: i64,
        f: F,
    ) -> Result<(), E>
    where
        E: From<Error>,
        F: FnMut(&WorkoutPointRow) -> Result<(), E>,
    {
        let mut f = f;
        for p in &point_block(&self.conn, account, trackid)? {
            f(p)?;
        }
        Ok(())
    }

    /// The raw payloads of one workout, exactly as written.
    pub fn raw_workout(
        &self,
        account: AccountId,
        trackid: i64,
    ) -> Result<Option<RawWorkout>, Error> {
        let row: Option<(Vec<u8>, Option<Vec<u8>>)> = self
            .conn
            .query_row(
                "SELECT summary_zstd, detail_zstd FROM workout_raw WHERE account = ?1 AND trackid = ?2",
                params![account.0, trackid],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(s, d)| {
            Ok(RawWorkout {
                trackid,
                summary: payload::decompress_text(&s)?,
                detail: d.map(|d| payload::decompress_text(&d)).transpose()?,
            })
        })
        .transpose()
    }

    /// Rebuild the decoded rows of every workout of `account` from the stored raw payloads,
    /// without network, in one transaction.
    ///
    /// `decode` gets the raw summary and detail. Workouts it rejects are returned (trackid,
    /// reason) and have no decoded rows (their raw payloads stay, and a later sync fetches
    /// them again). Returns the number of workouts rebuilt.
    pub fn redecode_workouts<F, E>(
        &mut self,
        account: AccountId,
        decode: F,
    ) -> Result<(u64, Vec<(i64, String)>), Error>
    where
        F: Fn(&str, Option<&str>) -> Result<WorkoutData, E>,
        E: std::fmt::Display,
    {
        let tx = self.conn.transaction()?;
        let mut written = 0u64;
        let mut failed = Vec::new();
        {
            let mut stmt = tx.prepare(
                "SELECT trackid, summary_zstd, detail_zstd FROM workout_raw WHERE account = ?1 ORDER BY trackid",
            )?;
            let mut rows = stmt.query([account.0])?;
            while let Some(row) = rows.next()? {
                let trackid: i64 = row.get(0)?;
                let summary = payload::decompress_text(&row.get::<_, Vec<u8>>(1)?)?;
                let detail = row
                    .get::<_, Option<Vec<u8>>>(2)?
                    .map(|d| payload::decompress_text(&d))
                    .transpose()?;
                delete_rows(&tx, account, trackid)?;
                match decode(&summary, detail.as_deref()) {
                    Ok(data) if data.workout.trackid == trackid => {
                        write_rows(&tx, account, &summary, detail.is_some(), &data)?;
                        written += 1;
                    }
                    Ok(data) => failed.push((
                        trackid,
                        format!("decoded as trackid {}", data.workout.trackid),
                    )),
                    Err(e) => failed.push((trackid, e.to_string())),
                }
            }
        }
        tx.commit()?;
        Ok((written, failed))
    }
}

fn stored_summary(trackid: i64, hash: Vec<u8>, has_detail: bool) -> Result<StoredSummary, Error> {
    let sha256 = <[u8; 32]>::try_from(hash.as_slice()).map_err(|_| Error::Corrupt {
        table: "workouts",
        column: "summary_sha256",
        value: format!("trackid {trackid}: {} bytes", hash.len()),
    })?;
    Ok(StoredSummary { sha256, has_detail })
}

fn damaged_points(account: i64, trackid: i64, reason: String) -> Error {
    crate::minutes::damaged(
        "workout points",
        format!("account {account}, workout {trackid}"),
        reason,
    )
}

/// The points of one workout, decoded from its block (none without a block).
fn point_block(
    conn: &rusqlite::Connection,
    account: AccountId,
    trackid: i64,
) -> Result<Vec<WorkoutPointRow>, Error> {
    let frame: Option<Vec<u8>> = conn
        .prepare_cached(
            "SELECT block_zstd FROM workout_point_blocks WHERE account = ?1 AND trackid = ?2",
        )?
        .query_row(params![account.0, trackid], |r| r.get(0))
        .optional()?;
    frame.map_or(Ok(Vec::new()), |f| {
        block::decode_points(&f).map_err(|r| damaged_points(account.0, trackid, r))
    })
}

/// Every workout's points, by (account, trackid) (the content digest).
pub(crate) fn for_each_point_block(
    conn: &rusqlite::Connection,
    mut f: impl FnMut(i64, i64, &[WorkoutPointRow]) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut stmt = conn.prepare(
        "SELECT account, trackid, block_zstd FROM workout_point_blocks ORDER BY account, trackid",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (account, trackid): (i64, i64) = (r.get(0)?, r.get(1)?);
        let frame = r
            .get_ref(2)?
            .as_blob()
            .map_err(|_| damaged_points(account, trackid, "not a blob".to_owned()))?;
        let points =
            block::decode_points(frame).map_err(|e| damaged_points(account, trackid, e))?;
        f(account, trackid, &points)?;
    }
    Ok(())
}

/// Migration 8: move the rows of `workout_points` into one block per workout (in `seq`
/// order), deleting them as they go, then drop the table. Returns the number of points moved.
pub(crate) fn migrate_points(tx: &Transaction<'_>) -> Result<u64, Error> {
    let keys: Vec<(i64, i64)> = tx
        .prepare("SELECT DISTINCT account, trackid FROM workout_points ORDER BY account, trackid")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut moved = 0u64;
    for (account, trackid) in keys {
        let points: Vec<WorkoutPointRow> = tx
            .prepare_cached(
                "SELECT time, lat, lon, altitude_m, accuracy_m, heart_rate, cadence, stride_cm,
                        speed_mps, distance_m, pace, power_w
                 FROM workout_points WHERE account = ?1 AND trackid = ?2 ORDER BY seq",
            )?
            .query_map(params![account, trackid], |r| {
                Ok(WorkoutPointRow {
                    time: r.get(0)?,
                    lat: r.get(1)?,
                    lon: r.get(2)?,
                    altitude_m: r.get(3)?,
                    accuracy_m: r.get(4)?,
                    heart_rate: r.get(5)?,
                    cadence: r.get(6)?,
                    stride_cm: r.get(7)?,
                    speed_mps: r.get(8)?,
                    distance_m: r.get(9)?,
                    pace: r.get(10)?,
                    power_w: r.get(11)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        moved += points.len() as u64;
        let frame = block::encode_points(&points)
            .map_err(|reason| Error::InvalidWorkout { trackid, reason })?;
        tx.prepare_cached(
            "INSERT INTO workout_point_blocks (account, trackid, rows, block_zstd) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![
            account,
            trackid,
            i64::try_from(points.len()).unwrap_or(i64::MAX),
            frame
        ])?;
        tx.prepare_cached("DELETE FROM workout_points WHERE account = ?1 AND trackid = ?2")?
            .execute(params![account, trackid])?;
    }
    tx.execute_batch("DROP TABLE workout_points;")?;
    Ok(moved)
}
