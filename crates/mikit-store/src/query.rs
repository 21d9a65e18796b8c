//! Reading back: day rows and streaming exports.
//!
//! Exports stream rows through a callback in key order, so memory stays constant however
//! many years are exported.

use jiff::civil::Date;
use rusqlite::params;

use crate::{AccountId, Error, Store};

/// One day as shown by `mikit fit show` and exported by `--what days`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DayRow {
    /// Local calendar day.
    pub date: String,
    /// UTC offset of that day, seconds east.
    pub tz_offset: i32,
    /// UTC epoch seconds of local midnight.
    pub local_midnight: i64,
    /// Steps.
    pub steps: Option<i64>,
    /// Metres.
    pub distance_m: Option<i64>,
    /// kcal.
    pub kcal: Option<i64>,
    /// Step goal.
    pub goal: Option<i64>,
    /// Sleep start (UTC epoch seconds).
    pub sleep_start: Option<i64>,
    /// Sleep end (UTC epoch seconds).
    pub sleep_end: Option<i64>,
    /// Deep sleep minutes.
    pub deep_min: Option<i64>,
    /// Light sleep minutes.
    pub light_min: Option<i64>,
    /// REM minutes.
    pub rem_min: Option<i64>,
    /// Awake minutes.
    pub awake_min: Option<i64>,
    /// Sleep score.
    pub sleep_score: Option<i64>,
    /// Resting heart rate.
    pub resting_hr: Option<i64>,
    /// Daily maximum heart rate.
    pub max_hr: Option<i64>,
    /// Number of minute records.
    pub minutes: i64,
    /// True when the day decoded only partially.
    pub partial: bool,
}

impl DayRow {
    /// Total sleep minutes (deep + light + REM), if any sleep was recorded.
    pub fn sleep_total(&self) -> Option<i64> {
        match (self.deep_min, self.light_min, self.rem_min) {
            (None, None, None) => None,
            (d, l, r) => Some(d.unwrap_or(0) + l.unwrap_or(0) + r.unwrap_or(0)),
        }
    }
}

/// One minute of the per-minute series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MinuteRow {
    /// UTC epoch seconds.
    pub ts: i64,
    /// Raw activity kind.
    pub kind: Option<i64>,
    /// Raw intensity.
    pub intensity: Option<i64>,
    /// Steps.
    pub steps: Option<i64>,
    /// Heart rate (bpm).
    pub heart_rate: Option<i64>,
}

/// One sleep stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SleepRow {
    /// The day item it came from.
    pub date: String,
    /// UTC epoch seconds, inclusive.
    pub start: i64,
    /// UTC epoch seconds, exclusive.
    pub end: i64,
    /// Raw mode.
    pub mode: i64,
    /// light / deep / rem / awake / unknown.
    pub kind: String,
    /// True for a nap.
    pub nap: bool,
}

/// One activity stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActivityRow {
    /// The day item it came from.
    pub date: String,
    /// UTC epoch seconds, inclusive.
    pub start: i64,
    /// UTC epoch seconds, exclusive.
    pub end: i64,
    /// Raw mode.
    pub mode: i64,
    /// Steps.
    pub steps: Option<i64>,
    /// Metres.
    pub distance_m: Option<i64>,
    /// kcal.
    pub kcal: Option<i64>,
}

/// The UTC offset in force at any instant, from the stored days (for local-time exports).
#[derive(Clone, Debug, Default)]
pub struct TzSpans {
    /// (local midnight UTC, offset seconds), sorted by local midnight.
    spans: Vec<(i64, i32)>,
}

impl TzSpans {
    /// True when no day is stored (every offset is then 0).
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The offset of the last day starting at or before `ts` (the first day's offset before it).
    pub fn offset_at(&self, ts: i64) -> i32 {
        match self.spans.partition_point(|(start, _)| *start <= ts) {
            0 => self.spans.first().map_or(0, |s| s.1),
            i => self.spans[i - 1].1,
        }
    }
}

/// Run `sql` with `params`, map each row with `map`, and hand it to `f`, streaming.
pub(crate) fn stream<T, E, P, M, F>(
    conn: &rusqlite::Connection,
    sql: &str,
    params: P,
    map: M,
    mut f: F,
) -> Result<(), E>
where
    E: From<Error>,
    P: rusqlite::Params,
    M: Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    F: FnMut(&T) -> Result<(), E>,
{
    let mut stmt = conn.prepare(sql).map_err(Error::from)?;
    let mut rows = stmt.query(params).map_err(Error::from)?;
    while let Some(r) = rows.next().map_err(Error::from)? {
        f(&map(r).map_err(Error::from)?)?;
    }
    Ok(())
}

pub(crate) fn date_bound(d: Option<Date>, default: &str) -> String {
    d.map_or_else(|| default.to_owned(), |d| d.to_string())
}

impl Store {
    /// Day rows of `account` between `from` and `to` (inclusive, either open), oldest first.
    pub fn day_rows(
        &self,
        account: AccountId,
        from: Option<Date>,
        to: Option<Date>,
    ) -> Result<Vec<DayRow>, Error> {
        let mut out = Vec::new();
        self.for_each_day(account, from, to, |d| {
            out.push(d.clone());
            Ok::<(), Error>(())
        })?;
        Ok(out)
    }

    /// The UTC instants covering the local days `from..=to` (either open): `[start, end)`.
    pub fn day_span(
        &self,
        account: AccountId,
        from: Option<Date>,
        to: Option<Date>,
    ) -> Result<(i64, i64), Error> {
        let start: Option<i64> = self.conn.query_row(
            "SELECT MIN(local_midnight) FROM days WHERE account = ?1 AND date >= ?2",
            params![account.0, date_bound(from, "0000-00-00")],
            |r| r.get(0),
        )?;
        let end: Option<i64> = self.conn.query_row(
            "SELECT MAX(local_midnight) FROM days WHERE account = ?1 AND date <= ?2",
            params![account.0, date_bound(to, "9999-99-99")],
            |r| r.get(0),
        )?;
        Ok((
            start.unwrap_or(i64::MAX),
            end.map_or(i64::MIN, |e| e + 1440 * 60),
        ))
    }

    /// The offsets of all stored days of `account`.
    pub fn tz_spans(&self, account: AccountId) -> Result<TzSpans, Error> {
        let mut stmt = self.conn.prepare(
            "SELECT local_midnight, tz_offset FROM days WHERE account = ?1 ORDER BY local_midnight",
        )?;
        let spans = stmt
            .query_map([account.0], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(TzSpans { spans })
    }

    /// Stream day rows in date order.
    pub fn for_each_day<E, F>(
        &self,
        account: AccountId,
        from: Option<Date>,
        to: Option<Date>,
        f: F,
    ) -> Result<(), E>
    where
        E: From<Error>,
        F: FnMut(&DayRow) -> Result<(), E>,
    {
        stream(
            &self.conn,
            "SELECT date, tz_offset, local_midnight, steps, distance_m, kcal, goal, sleep_start, sleep_end,
                    deep_min, light_min, rem_min, awake_min, sleep_score, resting_hr, max_hr, minutes, issues
             FROM days WHERE account = ?1 AND date >= ?2 AND date <= ?3 ORDER BY date",
            params![account.0, date_bound(from, "0000-00-00"), date_bound(to, "9999-99-99")],
            |r| {
                Ok(DayRow {
                    date: r.get(0)?,
                    tz_offset: r.get(1)?,
                    local_midnight: r.get(2)?,
                    steps: r.get(3)?,
                    distance_m: r.get(4)?,
                    kcal: r.get(5)?,
                    goal: r.get(6)?,
                    sleep_start: r.get(7)?,
                    sleep_end: r.get(8)?,
                    deep_min: r.get(9)?,
                    light_min: r.get(10)?,
                    rem_min: r.get(11)?,
                    awake_min: r.get(12)?,
                    sleep_score: r.get(13)?,
                    resting_hr: r.get(14)?,
                    max_hr: r.get(15)?,
                    minutes: r.get(16)?,
                    partial: r.get::<_, Option<String>>(17)?.is_some(),
                })
            },
            f,
        )
    }

    /// Stream minute rows with `start <= ts < end` in time order; with `heart_rate_only`, only
    /// minutes that have a heart rate.
    pub fn for_each_minute<E, F>(
        &self,
        account: AccountId,
        (start, end): (i64, i64),
        heart_rate_only: bool,
        f: F,
    ) -> Result<(), E>
    where
        E: From<Error>,
        F: FnMut(&MinuteRow) -> Result<(), E>,
    {
        // The minutes are stored in day blocks (`minutes.rs`): only the blocks overlapping
        // the range are decompressed.
        let mut f = f;
        if start >= end {
            return Ok(());
        }
        crate::minutes::scan(&self.conn, account, (start, end - 1), |m| {
            if heart_rate_only && m.heart_rate.is_none() {
                return Ok(());
            }
            f(m)
        })
    }

    /// Stream sleep stages of the days `from..=to` in time order.
    pub fn for_each_sleep<E, F>(
        &self,
        account: AccountId,
        from: Option<Date>,
        to: Option<Date>,
        f: F,
    ) -> Result<(), E>
    where
        E: From<Error>,
        F: FnMut(&SleepRow) -> Result<(), E>,
    {
        stream(
            &self.conn,
            "SELECT date, start, end, mode, kind, nap FROM sleep_stages
             WHERE account = ?1 AND date >= ?2 AND date <= ?3 ORDER BY start, nap",
            params![
                account.0,
                date_bound(from, "0000-00-00"),
                date_bound(to, "9999-99-99")
            ],
            |r| {
                Ok(SleepRow {
                    date: r.get(0)?,
                    start: r.get(1)?,
                    end: r.get(2)?,
                    mode: r.get(3)?,
                    kind: r.get(4)?,
                    nap: r.get(5)?,
                })
            },
            f,
        )
    }

    /// Stream activity stages of the days `from..=to` in time order.
    pub fn for_each_activity<E, F>(
        &self,
        account: AccountId,
        from: Option<Date>,
        to: Option<Date>,
        f: F,
    ) -> Result<(), E>
    where
        E: From<Error>,
        F: FnMut(&ActivityRow) -> Result<(), E>,
    {
        stream(
            &self.conn,
            "SELECT date, start, end, mode, steps, distance_m, kcal FROM activity_stages
             WHERE account = ?1 AND date >= ?2 AND date <= ?3 ORDER BY start",
            params![
                account.0,
                date_bound(from, "0000-00-00"),
                date_bound(to, "9999-99-99")
            ],
            |r| {
                Ok(ActivityRow {
                    date: r.get(0)?,
                    start: r.get(1)?,
                    end: r.get(2)?,
                    mode: r.get(3)?,
                    steps: r.get(4)?,
                    distance_m: r.get(5)?,
                    kcal: r.get(6)?,
                })
            },
            f,
        )
    }
}
