//! Writing decoded band-data days, the sync state, and re-decoding from raw items.

use jiff::civil::Date;
use mikit_huami::model::BandDay;
use rusqlite::{OptionalExtension, Transaction, params};

use crate::{AccountId, Error, MinuteRow, Store, minutes, payload};

/// One day to write: the raw item as received (compact JSON) and its decoding.
#[derive(Clone, Copy, Debug)]
pub struct DayWrite<'a> {
    /// The `band_data.json` item, compact JSON text, stored verbatim (zstd-compressed).
    pub raw: &'a str,
    /// The decoded day.
    pub day: &'a BandDay,
}

/// What one write changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Days written.
    pub days: u64,
    /// Minute rows written.
    pub minutes: u64,
    /// Minute rows of previously written days removed because a later day's midnight showed
    /// they were not that day's (see `write_minutes`); `minutes - trimmed` is the net change.
    pub trimmed: u64,
    /// Days that decoded only partially.
    pub partial_days: u64,
}

impl std::ops::AddAssign for WriteStats {
    fn add_assign(&mut self, o: Self) {
        self.days += o.days;
        self.minutes += o.minutes;
        self.trimmed += o.trimmed;
        self.partial_days += o.partial_days;
    }
}

/// The request range a write covers, for the sync state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Coverage {
    /// First day of the request range.
    pub from: Date,
    /// Last day of the request range.
    pub through: Date,
    /// The range continues the covered range without a hole: it starts at the beginning of
    /// the stream's history (a first sync from the first day with data), at or before the
    /// day after `synced_through`, or right after another range of the same run that did.
    pub continues: bool,
}

/// Progress of a synced stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyncState {
    /// First day with data seen.
    pub first_date: Option<Date>,
    /// Last day with data seen.
    pub last_date: Option<Date>,
    /// Every day from the first day with data up to this one was fetched and covered (never
    /// after the newest day with data). Before `first_date` when no range is covered yet.
    pub synced_through: Date,
}

fn parse_date(s: &str, column: &'static str) -> Result<Date, Error> {
    s.parse().map_err(|_| Error::Corrupt {
        table: "sync_state",
        column,
        value: s.to_owned(),
    })
}

impl Store {
    /// The sync state of `stream` for `account`, if it was ever synced.
    pub fn sync_state(&self, account: AccountId, stream: &str) -> Result<Option<SyncState>, Error> {
        let row: Option<(Option<String>, Option<String>, String)> = self
            .conn
            .query_row(
                "SELECT first_date, last_date, synced_through FROM sync_state WHERE account = ?1 AND stream = ?2",
                params![account.0, stream],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        row.map(|(f, l, s)| {
            Ok(SyncState {
                first_date: f
                    .as_deref()
                    .map(|v| parse_date(v, "first_date"))
                    .transpose()?,
                last_date: l
                    .as_deref()
                    .map(|v| parse_date(v, "last_date"))
                    .transpose()?,
                synced_through: parse_date(&s, "synced_through")?,
            })
        })
        .transpose()
    }

    /// Record the sync state of `stream` as given (streams whose progress is not a range of
    /// days written with [`Store::write_band_days`], e.g. `workouts`: the engine decides
    /// what its dates mean and writes them once a walk of the history is complete).
    pub fn set_sync_state(
        &mut self,
        account: AccountId,
        stream: &str,
        state: &SyncState,
    ) -> Result<(), Error> {
        self.conn.execute(
            "INSERT OR REPLACE INTO sync_state (account, stream, first_date, last_date, synced_through)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                account.0,
                stream,
                state.first_date.map(|d| d.to_string()),
                state.last_date.map(|d| d.to_string()),
                state.synced_through.to_string()
            ],
        )?;
        Ok(())
    }

    /// Write the days of one request range in ONE transaction, together with the sync state,
    /// so that a crash leaves either all of it or none of it.
    ///
    /// Re-writing a day replaces its derived rows, so syncing the same data twice gives an
    /// identical database.
    ///
    /// The sync state records only what is covered: `synced_through` moves to
    /// `min(coverage.through, newest day with data)` — days after the newest day with data
    /// may still get data (the server's today is not ours) — and only when the range
    /// continues the covered range ([`Coverage::continues`]). A range that leaves a hole
    /// records no progress, so the next plain sync fetches the hole.
    pub fn write_band_days(
        &mut self,
        account: AccountId,
        days: &[DayWrite<'_>],
        stream: &str,
        coverage: Coverage,
    ) -> Result<WriteStats, Error> {
        let tx = self.conn.transaction()?;
        let mut stats = WriteStats::default();
        let mut span = minutes::max_span(&tx, account)?;
        for (i, d) in days.iter().enumerate() {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO raw_days (account, date, item_zstd) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![
                account.0,
                d.day.date.to_string(),
                payload::compress(d.raw.as_bytes())?
            ])?;
            let next_in_batch = days.get(i + 1).map(|n| n.day.local_midnight);
            stats += write_derived_with_next(&tx, account, d.day, next_in_batch, &mut span)?;
        }
        let first = days.iter().map(|d| d.day.date).min();
        let last = days.iter().map(|d| d.day.date).max();
        let old: Option<(String, Option<String>)> = tx
            .query_row(
                "SELECT synced_through, last_date FROM sync_state WHERE account = ?1 AND stream = ?2",
                params![account.0, stream],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let old_through = old
            .as_ref()
            .map(|(s, _)| parse_date(s, "synced_through"))
            .transpose()?;
        let old_last = old
            .as_ref()
            .and_then(|(_, l)| l.as_deref())
            .map(|s| parse_date(s, "last_date"))
            .transpose()?;
        let newest = old_last.max(last);
        let covered = newest
            .map(|n| n.min(coverage.through))
            .filter(|_| coverage.continues);
        // With no covered prefix yet, record the day before the range: nothing is covered.
        let through = match (old_through, covered) {
            (Some(t), Some(c)) => t.max(c),
            (Some(t), None) => t,
            (None, Some(c)) => c,
            (None, None) => coverage.from.yesterday().unwrap_or(coverage.from),
        };
        tx.prepare_cached(
            "INSERT INTO sync_state (account, stream, first_date, last_date, synced_through)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (account, stream) DO UPDATE SET
               first_date = CASE WHEN sync_state.first_date IS NULL OR excluded.first_date < sync_state.first_date
                                 THEN COALESCE(excluded.first_date, sync_state.first_date) ELSE sync_state.first_date END,
               last_date  = CASE WHEN sync_state.last_date IS NULL OR excluded.last_date > sync_state.last_date
                                 THEN COALESCE(excluded.last_date, sync_state.last_date) ELSE sync_state.last_date END,
               synced_through = excluded.synced_through",
        )?
        .execute(params![
            account.0,
            stream,
            first.map(|d| d.to_string()),
            last.map(|d| d.to_string()),
            through.to_string()
        ])?;
        tx.commit()?;
        Ok(stats)
    }

    /// The raw item of one day exactly as it was written ([`DayWrite::raw`]), decompressed.
    pub fn raw_day_item(&self, account: AccountId, date: Date) -> Result<Option<String>, Error> {
        let frame: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT item_zstd FROM raw_days WHERE account = ?1 AND date = ?2",
                params![account.0, date.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        frame.map(|f| payload::decompress_text(&f)).transpose()
    }

    /// Rebuild every derived table of `account` from the stored raw items, without network.
    ///
    /// `decode` is the current decoder (`mikit_huami::decode_day`); items it rejects are
    /// counted in the returned error list (date, reason) and their derived rows are absent.
    pub fn redecode<F, E>(
        &mut self,
        account: AccountId,
        decode: F,
    ) -> Result<(WriteStats, Vec<(String, String)>), Error>
    where
        F: Fn(&serde_json::Value) -> Result<BandDay, E>,
        E: std::fmt::Display,
    {
        let tx = self.conn.transaction()?;
        for t in ["days", "minute_blocks", "sleep_stages", "activity_stages"] {
            tx.execute(&format!("DELETE FROM {t} WHERE account = ?1"), [account.0])?;
        }
        let mut span = 0i64;
        let mut stats = WriteStats::default();
        let mut failed = Vec::new();
        {
            let mut stmt = tx
                .prepare("SELECT date, item_zstd FROM raw_days WHERE account = ?1 ORDER BY date")?;
            let mut rows = stmt.query([account.0])?;
            while let Some(row) = rows.next()? {
                let date: String = row.get(0)?;
                let frame: Vec<u8> = row.get(1)?;
                let item = payload::decompress_text(&frame)?;
                let decoded = serde_json::from_str::<serde_json::Value>(&item)
                    .map_err(|e| e.to_string())
                    .and_then(|v| decode(&v).map_err(|e| e.to_string()));
                match decoded {
                    Ok(day) => {
                        stats += write_derived_with_next(&tx, account, &day, None, &mut span)?;
                    }
                    Err(reason) => failed.push((date, reason)),
                }
            }
        }
        tx.commit()?;
        Ok((stats, failed))
    }
}

/// Replace the derived rows of one day; `next_midnight` is the local midnight of the next
/// day written in the same batch, if any.
///
/// `span` is the widest minute block of the account ([`minutes::max_span`]), kept up to date.
fn write_derived_with_next(
    tx: &Transaction<'_>,
    account: AccountId,
    day: &BandDay,
    next_midnight: Option<i64>,
    span: &mut i64,
) -> Result<WriteStats, Error> {
    let date = day.date.to_string();
    let t = &day.totals;
    let issues = if day.issues.is_empty() {
        None
    } else {
        let list: Vec<_> = day
            .issues
            .iter()
            .map(|i| serde_json::json!({"field": i.field, "problem": i.problem}))
            .collect();
        Some(serde_json::Value::Array(list).to_string())
    };
    tx.prepare_cached(
        "INSERT OR REPLACE INTO days (account, date, tz_offset, local_midnight, steps, distance_m, kcal, goal,
            sleep_start, sleep_end, deep_min, light_min, rem_min, awake_min, sleep_score, resting_hr, max_hr,
            max_hr_at, source, device_id, minutes, issues, summary_zstd)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)",
    )?
    .execute(params![
        account.0,
        date,
        day.tz_offset,
        day.local_midnight,
        t.steps,
        t.distance_m,
        t.kcal,
        t.goal,
        t.sleep_start,
        t.sleep_end,
        t.deep_min,
        t.light_min,
        t.rem_min,
        t.awake_min,
        t.sleep_score,
        t.resting_hr,
        t.max_hr,
        t.max_hr_at,
        day.source,
        day.device_id,
        i64::try_from(day.minutes.len()).unwrap_or(i64::MAX),
        issues,
        payload::compress(day.summary_json.to_string().as_bytes())?,
    ])?;

    tx.prepare_cached("DELETE FROM sleep_stages WHERE account = ?1 AND date = ?2")?
        .execute(params![account.0, date])?;
    {
        let mut ins = tx.prepare_cached(
            "INSERT OR REPLACE INTO sleep_stages (account, date, start, end, mode, kind, nap) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for s in &day.sleep {
            ins.execute(params![
                account.0,
                date,
                s.start,
                s.end,
                s.mode,
                s.kind.name(),
                s.nap
            ])?;
        }
    }
    tx.prepare_cached("DELETE FROM activity_stages WHERE account = ?1 AND date = ?2")?
        .execute(params![account.0, date])?;
    {
        let mut ins = tx.prepare_cached(
            "INSERT OR REPLACE INTO activity_stages (account, date, start, end, mode, steps, distance_m, kcal)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for a in &day.activities {
            ins.execute(params![
                account.0,
                date,
                a.start,
                a.end,
                a.mode,
                a.steps,
                a.distance_m,
                a.kcal
            ])?;
        }
    }
    let (minutes, trimmed) = write_minutes(tx, account, day, next_midnight, span)?;
    Ok(WriteStats {
        days: 1,
        minutes,
        trimmed,
        partial_days: u64::from(day.is_partial()),
    })
}

/// The end of a stored day's minutes (`minutes_end`, or the pre-migration rule).
const END_OF_DAY: &str = "COALESCE(minutes_end, local_midnight + 86400)";

/// Replace the minute rows of one day; returns (rows written, rows of the previous day removed).
///
/// A day owns the instants `[local_midnight, end)`, `end` being its `minutes_end` trimmed to
/// the next day's local midnight (of the batch or already stored). Consecutive days thus
/// never claim the same minute: with the band's zone known the ranges meet exactly (see
/// `mikit_huami::clock`); without it a day whose next midnight comes early (a DST or
/// time-zone change the fixed offset cannot see) loses its surplus minutes, counted in
/// `trimmed`, so that the reported count always equals what is stored.
fn write_minutes(
    tx: &Transaction<'_>,
    account: AccountId,
    day: &BandDay,
    next_midnight: Option<i64>,
    span: &mut i64,
) -> Result<(u64, u64), Error> {
    let date = day.date.to_string();
    let start = day.local_midnight;
    let stored_next: Option<i64> = tx
        .prepare_cached(
            "SELECT local_midnight FROM days WHERE account = ?1 AND date > ?2 ORDER BY date LIMIT 1",
        )?
        .query_row(params![account.0, date], |r| r.get(0))
        .optional()?;
    let end = [Some(day.minutes_end), next_midnight, stored_next]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(day.minutes_end)
        .max(start);
    // The previous stored day may reach into this day (written before this day's midnight
    // was known): its minutes from here on are trimmed.
    let prev: Option<(String, i64)> = tx
        .prepare_cached(&format!(
            "SELECT date, {END_OF_DAY} FROM days WHERE account = ?1 AND date < ?2 ORDER BY date DESC LIMIT 1"
        ))?
        .query_row(params![account.0, date], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let mut trimmed = 0u64;
    if let Some((prev_date, prev_end)) = prev.filter(|(_, e)| *e > start) {
        trimmed = minutes::remove(tx, account, (start, prev_end), span)?;
        tx.prepare_cached("UPDATE days SET minutes_end = ?3 WHERE account = ?1 AND date = ?2")?
            .execute(params![account.0, prev_date, start])?;
    }
    tx.prepare_cached("UPDATE days SET minutes_end = ?3 WHERE account = ?1 AND date = ?2")?
        .execute(params![account.0, date, end])?;
    minutes::remove(tx, account, (start, end), span)?;
    let mut written = 0u64;
    let rows = day
        .minutes
        .iter()
        .filter(|m| (start..end).contains(&m.ts))
        .map(|m| {
            written += 1;
            MinuteRow {
                ts: m.ts,
                kind: m.kind.map(i64::from),
                intensity: m.intensity.map(i64::from),
                steps: m.steps.map(i64::from),
                heart_rate: m.heart_rate.map(i64::from),
            }
        });
    minutes::put_day(tx, account, &date, rows, span)?;
    Ok((written, trimmed))
}
