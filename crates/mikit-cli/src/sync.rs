//! The band-data sync engine used by `mikit fit sync` and `mikit demo`.
//!
//! Request ranges are fetched with bounded concurrency but committed strictly in date order,
//! each range in one transaction together with the sync state (on a dedicated database
//! thread). So an interrupted sync (Ctrl-C, `kill -9`, a network failure) keeps every range
//! committed before it, and the next run continues from the last committed range; days are
//! always written in the same order, so every run ends with the same database content.

use std::sync::Arc;

use anyhow::Context as _;
use futures_util::StreamExt as _;
use jiff::{ToSpan as _, civil::Date};
use mikit_huami::{HuamiClient, QueryType};
use mikit_store::{AccountId, Coverage, DayWrite, Store, WriteStats};

/// The stream name of band data in the sync state.
pub const STREAM: &str = "band_data";

/// The earliest day a first sync looks for data (the first Mi Band shipped in 2014).
pub const EARLIEST: Date = jiff::civil::date(2014, 1, 1);

/// What a sync did.
#[derive(Debug, Default, Clone)]
pub struct Outcome {
    /// Rows written.
    pub stats: WriteStats,
    /// Requests made for detail data.
    pub requests: u64,
    /// Items the decoder rejected entirely (date, reason).
    pub rejected: Vec<(String, String)>,
    /// True when Ctrl-C stopped the sync early.
    pub interrupted: bool,
}

/// Split `from..=to` into ranges of at most `chunk_days` days.
pub fn chunks(from: Date, to: Date, chunk_days: i32) -> Vec<(Date, Date)> {
    let mut out = Vec::new();
    let mut start = from;
    while start <= to {
        let end = start.saturating_add((chunk_days.max(1) - 1).days()).min(to);
        out.push((start, end));
        match end.tomorrow() {
            Ok(next) => start = next,
            Err(_) => break,
        }
    }
    out
}

/// Find the first day with data in `from..=to` using cheap one-year summary queries.
pub async fn discover_first_day(
    client: &HuamiClient,
    from: Date,
    to: Date,
    jobs: usize,
) -> anyhow::Result<Option<Date>> {
    let years = chunks(from, to, 366);
    let mut results = futures_util::stream::iter(years)
        .map(|(a, b)| async move {
            client
                .band_data(QueryType::Summary, a, b)
                .await
                .map(|items| (a, items))
        })
        .buffered(jobs.max(1));
    while let Some(r) = results.next().await {
        let (_, items) = r.context("looking for the first day with data")?;
        let first = items
            .iter()
            .filter_map(|i| {
                i.get("date_time")
                    .and_then(|d| d.as_str())
                    .and_then(|d| d.parse::<Date>().ok())
            })
            .min();
        if first.is_some() {
            return Ok(first);
        }
    }
    Ok(None)
}

/// A chunk ready to be written.
struct Chunk {
    from: Date,
    through: Date,
    span_days: u64,
    days: Vec<(String, mikit_huami::model::BandDay)>,
    rejected: Vec<(String, String)>,
}

/// Fetch `ranges` (ascending, contiguous) and write them to `store` for `account`.
///
/// `continues`: the first range continues the range already covered (or starts the history),
/// see [`Coverage::continues`]; the later ones continue it in turn. Minutes are placed with the
/// system time zone on the days it agrees with the band (see `mikit_huami::clock`).
///
/// `on_progress(days)` is called after each committed range with the number of days it spanned. The store is moved to a
/// database thread and returned at the end.
pub async fn run(
    client: Arc<HuamiClient>,
    store: Store,
    account: AccountId,
    ranges: Vec<(Date, Date)>,
    continues: bool,
    jobs: usize,
    mut on_progress: impl FnMut(u64) + Send,
) -> anyhow::Result<(Outcome, Store)> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Chunk>(jobs.max(1));
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel::<(u64, WriteStats)>();
    let writer = std::thread::Builder::new()
        .name("mikit-db".into())
        .spawn(move || {
            let mut store = store;
            let mut result: anyhow::Result<()> = Ok(());
            let mut rejected = Vec::new();
            while let Some(chunk) = rx.blocking_recv() {
                let writes: Vec<DayWrite<'_>> = chunk
                    .days
                    .iter()
                    .map(|(raw, day)| DayWrite { raw, day })
                    .collect();
                let coverage = Coverage {
                    from: chunk.from,
                    through: chunk.through,
                    continues,
                };
                match store.write_band_days(account, &writes, STREAM, coverage) {
                    Ok(stats) => {
                        rejected.extend(chunk.rejected);
                        let _ = done_tx.send((chunk.span_days, stats));
                    }
                    Err(e) => {
                        result = Err(anyhow::Error::new(e)
                            .context(format!("writing the days up to {}", chunk.through)));
                        break;
                    }
                }
            }
            (store, result, rejected)
        })?;

    let mut outcome = Outcome::default();
    let zone = band_zone();
    let fetches = futures_util::stream::iter(ranges)
        .map(|(from, to)| {
            let client = Arc::clone(&client);
            let zone = zone.clone();
            async move {
                let items = client
                    .band_data(QueryType::Detail, from, to)
                    .await
                    .with_context(|| format!("downloading {from}..{to}"))?;
                // Decoding is CPU work: keep it off the async workers.
                let span_days = u64::try_from((to - from).get_days() + 1).unwrap_or(0);
                tokio::task::spawn_blocking(move || {
                    decode_chunk(from, to, span_days, items, zone.as_ref())
                })
                .await
                .context("decoder task failed")
            }
        })
        .buffered(jobs.max(1));
    tokio::pin!(fetches);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut fetch_error = None;
    loop {
        tokio::select! {
            biased;
            _ = &mut ctrl_c => { outcome.interrupted = true; break; }
            next = fetches.next() => match next {
                None => break,
                Some(Err(e)) => { fetch_error = Some(e); break; }
                Some(Ok(chunk)) => {
                    outcome.requests += 1;
                    if tx.send(chunk).await.is_err() { break; } // the writer stopped on an error
                }
            }
        }
        while let Ok((days, stats)) = done_rx.try_recv() {
            outcome.stats += stats;
            on_progress(days);
        }
    }
    drop(tx);
    let (store, write_result, rejected) = tokio::task::spawn_blocking(move || writer.join())
        .await?
        .map_err(|_| anyhow::anyhow!("the database thread panicked"))?;
    while let Ok((days, stats)) = done_rx.try_recv() {
        outcome.stats += stats;
        on_progress(days);
    }
    outcome.rejected = rejected;
    write_result?;
    if let Some(e) = fetch_error {
        return Err(e);
    }
    Ok((outcome, store))
}

/// The zone the band's days are read in: the system zone (`TZ`), used for a day only where
/// its offset agrees with the day's `summary.tz` (see `mikit_huami::clock`).
pub fn band_zone() -> Option<jiff::tz::TimeZone> {
    Some(jiff::tz::TimeZone::system())
}

fn decode_chunk(
    from: Date,
    through: Date,
    span_days: u64,
    items: Vec<serde_json::Value>,
    zone: Option<&jiff::tz::TimeZone>,
) -> Chunk {
    let mut days = Vec::with_capacity(items.len());
    let mut rejected = Vec::new();
    for item in items {
        let raw = item.to_string();
        match mikit_huami::decode_day_in(&item, zone) {
            Ok(day) => days.push((raw, day)),
            Err(e) => {
                let date = item
                    .get("date_time")
                    .and_then(|d| d.as_str())
                    .unwrap_or("?")
                    .to_owned();
                tracing::warn!(date, error = %e, "skipping an undecodable day");
                rejected.push((date, e.to_string()));
            }
        }
    }
    // One item per day; if a server sent a day twice, keep the last, in date order.
    days.sort_by_key(|(_, d)| d.date);
    days.dedup_by(|b, a| {
        if a.1.date == b.1.date {
            std::mem::swap(a, b);
            true
        } else {
            false
        }
    });
    Chunk {
        from,
        through,
        span_days,
        days,
        rejected,
    }
}

/// Today in the system time zone.
pub fn today() -> Date {
    jiff::Zoned::now().date()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_range_exactly() {
        let c = chunks(
            jiff::civil::date(2024, 1, 1),
            jiff::civil::date(2024, 3, 1),
            30,
        );
        assert_eq!(c.first().unwrap().0, jiff::civil::date(2024, 1, 1));
        assert_eq!(c.last().unwrap().1, jiff::civil::date(2024, 3, 1));
        for w in c.windows(2) {
            assert_eq!(w[0].1.tomorrow().unwrap(), w[1].0);
        }
        assert_eq!(c[0].1, jiff::civil::date(2024, 1, 30));
        assert!(
            chunks(
                jiff::civil::date(2024, 1, 2),
                jiff::civil::date(2024, 1, 1),
                30
            )
            .is_empty()
        );
    }
}
