//! The per-minute series as stored since schema 8: one compressed block per band day
//! (`minute_blocks`, layout in `block.rs`).
//!
//! Logically the series is still one row per UTC minute, keyed by (account, ts): writing a day
//! first removes every stored minute in the day's range from whichever block holds it, exactly
//! like `DELETE … WHERE ts >= start AND ts < end` did on the per-minute table, so no two blocks
//! ever hold the same minute. Reads find the blocks by time through
//! `minute_blocks_by_time` (account, first_ts): a block starting before `start` can still reach
//! into the range, so the lower bound is `start` minus the widest block of the account
//! ([`max_span`]; ~1 day), and only the blocks that overlap the range are decompressed.

use rusqlite::{Connection, OptionalExtension, params};

use crate::block;
use crate::{AccountId, Error, MinuteRow};

/// The error for a block that does not decode.
pub(crate) fn damaged(what: &'static str, key: String, reason: String) -> Error {
    Error::Block { what, key, reason }
}

fn decode(account: AccountId, date: &str, frame: &[u8]) -> Result<Vec<MinuteRow>, Error> {
    block::decode_minutes(frame)
        .map_err(|r| damaged("minutes", format!("account {}, day {date}", account.0), r))
}

/// The widest block of `account`: `last_ts - first_ts` in seconds (0 when it has none).
pub(crate) fn max_span(conn: &Connection, account: AccountId) -> Result<i64, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT COALESCE(MAX(last_ts - first_ts), 0) FROM minute_blocks WHERE account = ?1",
        )?
        .query_row([account.0], |r| r.get(0))?)
}

/// Store `rows` (sorted by ts, unique) as the block of (`account`, `date`), replacing it; no
/// rows removes the block. `span` grows to the new block's width.
fn put_block(
    conn: &Connection,
    account: AccountId,
    date: &str,
    rows: &[MinuteRow],
    span: &mut i64,
) -> Result<(), Error> {
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        conn.prepare_cached("DELETE FROM minute_blocks WHERE account = ?1 AND date = ?2")?
            .execute(params![account.0, date])?;
        return Ok(());
    };
    let frame = block::encode_minutes(rows).map_err(|reason| Error::Payload {
        what: "compressing",
        reason: format!("the minutes of {date}: {reason}"),
    })?;
    conn.prepare_cached(
        "INSERT OR REPLACE INTO minute_blocks (account, date, first_ts, last_ts, rows, block_zstd)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        account.0,
        date,
        first.ts,
        last.ts,
        i64::try_from(rows.len()).unwrap_or(i64::MAX),
        frame
    ])?;
    *span = (*span).max(last.ts.saturating_sub(first.ts));
    Ok(())
}

/// The stored rows of one day's block (empty when it has none).
fn block_rows(conn: &Connection, account: AccountId, date: &str) -> Result<Vec<MinuteRow>, Error> {
    let frame: Option<Vec<u8>> = conn
        .prepare_cached("SELECT block_zstd FROM minute_blocks WHERE account = ?1 AND date = ?2")?
        .query_row(params![account.0, date], |r| r.get(0))
        .optional()?;
    frame.map_or(Ok(Vec::new()), |f| decode(account, date, &f))
}

/// Remove every stored minute of `account` with `start <= ts < end`, from whichever blocks
/// hold them; returns how many were removed.
pub(crate) fn remove(
    conn: &Connection,
    account: AccountId,
    (start, end): (i64, i64),
    span: &mut i64,
) -> Result<u64, Error> {
    if start >= end {
        return Ok(0);
    }
    let hits: Vec<(String, Vec<u8>)> = conn
        .prepare_cached(
            "SELECT date, block_zstd FROM minute_blocks
             WHERE account = ?1 AND first_ts >= ?2 AND first_ts < ?3 AND last_ts >= ?4",
        )?
        .query_map(
            params![account.0, start.saturating_sub(*span), end, start],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?
        .collect::<Result<_, _>>()?;
    let mut removed = 0u64;
    for (date, frame) in hits {
        let rows = decode(account, &date, &frame)?;
        let before = rows.len();
        let kept: Vec<MinuteRow> = rows
            .into_iter()
            .filter(|m| !(start..end).contains(&m.ts))
            .collect();
        if kept.len() != before {
            removed += (before - kept.len()) as u64;
            put_block(conn, account, &date, &kept, span)?;
        }
    }
    Ok(removed)
}

/// Store `minutes` as the minutes of (`account`, `date`), all of which lie in a range that was
/// just cleared with [`remove`]. Minutes of the day's block outside that range stay (as the
/// rows of other days stayed in the per-minute table). Of several minutes with the same ts the
/// last one is kept, as `INSERT OR REPLACE` kept it.
pub(crate) fn put_day(
    conn: &Connection,
    account: AccountId,
    date: &str,
    minutes: impl Iterator<Item = MinuteRow>,
    span: &mut i64,
) -> Result<(), Error> {
    let mut rows = block_rows(conn, account, date)?;
    rows.extend(minutes);
    rows.sort_by_key(|m| m.ts); // stable: the later of equal minutes comes last
    let mut unique: Vec<MinuteRow> = Vec::with_capacity(rows.len());
    for m in rows {
        match unique.last_mut() {
            Some(last) if last.ts == m.ts => *last = m,
            _ => unique.push(m),
        }
    }
    put_block(conn, account, date, &unique, span)
}

/// Stream the minutes of `account` with `lo <= ts <= hi` in time order.
pub(crate) fn scan<E, F>(
    conn: &Connection,
    account: AccountId,
    (lo, hi): (i64, i64),
    mut f: F,
) -> Result<(), E>
where
    E: From<Error>,
    F: FnMut(&MinuteRow) -> Result<(), E>,
{
    if lo > hi {
        return Ok(());
    }
    let span = max_span(conn, account)?;
    let mut stmt = conn
        .prepare_cached(
            "SELECT date, last_ts, block_zstd FROM minute_blocks
             WHERE account = ?1 AND first_ts >= ?2 AND first_ts <= ?3 AND last_ts >= ?4
             ORDER BY first_ts",
        )
        .map_err(Error::from)?;
    let mut rows = stmt
        .query(params![account.0, lo.saturating_sub(span), hi, lo])
        .map_err(Error::from)?;
    // Blocks never share a minute, but in odd time-zone histories one block's range may
    // overlap the next one's: such a group is merged and sorted before it is handed out.
    let mut group: Vec<MinuteRow> = Vec::new();
    let (mut group_end, mut blocks) = (i64::MIN, 0usize);
    let mut flush = |group: &mut Vec<MinuteRow>, blocks: usize| -> Result<(), E> {
        if blocks > 1 {
            group.sort_by_key(|m| m.ts);
        }
        for m in group.drain(..).filter(|m| (lo..=hi).contains(&m.ts)) {
            f(&m)?;
        }
        Ok(())
    };
    while let Some(r) = rows.next().map_err(Error::from)? {
        let date: String = r.get(0).map_err(Error::from)?;
        let last: i64 = r.get(1).map_err(Error::from)?;
        let frame = r.get_ref(2).map_err(Error::from)?.as_blob().map_err(|_| {
            damaged(
                "minutes",
                format!("account {}, day {date}", account.0),
                "not a blob".into(),
            )
        })?;
        let minutes = decode(account, &date, frame)?;
        if let Some(first) = minutes.first()
            && blocks > 0
            && first.ts > group_end
        {
            flush(&mut group, blocks)?;
            blocks = 0;
        }
        group_end = if blocks == 0 {
            last
        } else {
            group_end.max(last)
        };
        blocks += 1;
        group.extend(minutes);
    }
    flush(&mut group, blocks)
}

/// Migration 8: move the rows of the per-minute table `minutes` into blocks, then drop it.
///
/// Each minute goes to the block of the day with the latest local midnight at or before it
/// (the day whose range holds it: days own `[local_midnight, minutes_end)` and do not
/// overlap); a minute before an account's first day, which the store never writes, goes to a
/// block named after its UTC date. Rows are deleted as their block is written, so the pages
/// they free hold the next blocks.
pub(crate) fn migrate_rows(tx: &rusqlite::Transaction<'_>) -> Result<u64, Error> {
    let accounts: Vec<i64> = tx
        .prepare("SELECT DISTINCT account FROM minutes ORDER BY account")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut moved = 0u64;
    for account in accounts.into_iter().map(AccountId) {
        // Days by local midnight: day i owns [midnight_i, midnight_{i+1}).
        let mut days: Vec<(i64, String)> = tx
            .prepare("SELECT local_midnight, date FROM days WHERE account = ?1")?
            .query_map([account.0], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        days.sort();
        let mut ranges: Vec<(i64, i64, Option<String>)> = Vec::new();
        let first = days.first().map_or(i64::MAX, |d| d.0);
        ranges.push((i64::MIN, first, None));
        for (i, (midnight, date)) in days.iter().enumerate() {
            let next = days.get(i + 1).map_or(i64::MAX, |d| d.0);
            ranges.push((*midnight, next, Some(date.clone())));
        }
        let mut span = 0i64;
        for (start, end, date) in ranges {
            // The last range is open-ended: i64::MAX itself is included there.
            let hi = if end == i64::MAX { end } else { end - 1 };
            if start > hi {
                continue;
            }
            let rows: Vec<MinuteRow> = tx
                .prepare_cached(
                    "SELECT ts, kind, intensity, steps, heart_rate FROM minutes
                     WHERE account = ?1 AND ts >= ?2 AND ts <= ?3 ORDER BY ts",
                )?
                .query_map(params![account.0, start, hi], |r| {
                    Ok(MinuteRow {
                        ts: r.get(0)?,
                        kind: r.get(1)?,
                        intensity: r.get(2)?,
                        steps: r.get(3)?,
                        heart_rate: r.get(4)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            if rows.is_empty() {
                continue;
            }
            moved += rows.len() as u64;
            match date {
                Some(date) => put_day(tx, account, &date, rows.into_iter(), &mut span)?,
                None => {
                    let mut by_date: std::collections::BTreeMap<String, Vec<MinuteRow>> =
                        std::collections::BTreeMap::new();
                    for m in rows {
                        let day = jiff::Timestamp::from_second(m.ts).map_or_else(
                            |_| "0000-00-00".to_owned(),
                            |t| t.to_zoned(jiff::tz::TimeZone::UTC).date().to_string(),
                        );
                        by_date.entry(day).or_default().push(m);
                    }
                    for (date, rows) in by_date {
                        put_day(tx, account, &date, rows.into_iter(), &mut span)?;
                    }
                }
            }
            tx.prepare_cached("DELETE FROM minutes WHERE account = ?1 AND ts >= ?2 AND ts <= ?3")?
                .execute(params![account.0, start, hi])?;
        }
    }
    tx.execute_batch("DROP TABLE minutes;")?;
    Ok(moved)
}
