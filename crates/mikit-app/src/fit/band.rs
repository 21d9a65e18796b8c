//! The band-data stream: `band_data.json` detail items (daily totals, per-minute records,
//! sleep and activity stages) decoded with `mikit_huami` and written with
//! `Store::write_band_days`, raw items included (so [`super::redecode`] can rebuild
//! everything offline).

use std::sync::Arc;

use futures_util::StreamExt as _;
use jiff::civil::Date;
use mikit_huami::{HuamiClient, QueryType, model::BandDay};
use mikit_store::{AccountId, Coverage, DayWrite, Store, WriteStats};

use super::{
    EARLIEST, Error, Rejected, Stream, StreamOutcome, SyncEvent, SyncOptions, pipeline,
    plan::{self, Start, chunks, span_days},
};
use crate::shutdown::Shutdown;

const STREAM: Stream = Stream::BandData;

/// What the stream did, and whether a shutdown stopped it.
pub(super) struct Done {
    pub outcome: StreamOutcome,
    pub interrupted: bool,
}

/// Plan, fetch and commit the band data of `account` up to `to`.
pub(super) async fn sync(
    client: &Arc<HuamiClient>,
    store: Store,
    account: AccountId,
    to: Date,
    options: &SyncOptions,
    shutdown: &Shutdown,
    on_event: &mut (impl FnMut(SyncEvent) + Send),
) -> Result<(Done, Store), Error> {
    let mut done = Done {
        outcome: StreamOutcome::new(STREAM),
        interrupted: false,
    };
    let state = if options.full {
        None
    } else {
        store
            .sync_state(account, STREAM.name())
            .map_err(|source| Error::Store {
                action: "reading the sync state",
                source,
            })?
    };
    let (from, continues) = match plan::start(options.from, to, state)? {
        Start::At { from, continues } => (Some(from), continues),
        Start::FirstDayWithData => {
            on_event(SyncEvent::Discovering { stream: STREAM });
            tracing::info!("first sync: looking for the first day with data");
            tokio::select! {
                biased;
                () = shutdown.wait() => {
                    done.interrupted = true;
                    return Ok((done, store));
                }
                first = discover_first_day(client, EARLIEST, to, options.jobs) => (first?, true),
            }
        }
    };
    let Some(from) = from.filter(|f| *f <= to) else {
        on_event(SyncEvent::NothingToSync { stream: STREAM });
        return Ok((done, store));
    };
    let ranges = chunks(from, to, i32::from(options.chunk_days));
    done.outcome.range = Some((from, to));
    on_event(SyncEvent::Planned {
        stream: STREAM,
        from,
        to,
        ranges: ranges.len(),
        days: span_days(from, to),
    });
    tracing::info!(%from, %to, requests = ranges.len(), "syncing band data");

    let zone = options.zone.clone();
    let fetch = |(a, b): (Date, Date)| {
        let client = Arc::clone(client);
        let zone = zone.clone();
        async move {
            let items = client
                .band_data(QueryType::Detail, a, b)
                .await
                .map_err(|source| Error::Download {
                    from: a,
                    to: b,
                    source,
                })?;
            // Decoding is CPU work: keep it off the async workers.
            tokio::task::spawn_blocking(move || decode(a, b, items, zone.as_ref()))
                .await
                .map_err(|_| Error::Internal("the decoder task failed"))
        }
    };
    let commit = move |store: &mut Store, batch: Batch| {
        let writes: Vec<DayWrite<'_>> = batch
            .days
            .iter()
            .map(|(raw, day)| DayWrite { raw, day })
            .collect();
        let coverage = Coverage {
            from: batch.from,
            through: batch.through,
            continues,
        };
        let stats = store
            .write_band_days(account, &writes, STREAM.name(), coverage)
            .map_err(|source| Error::Write {
                through: batch.through,
                source,
            })?;
        Ok(Committed {
            from: batch.from,
            through: batch.through,
            rejected: batch.rejected,
            stats,
        })
    };
    let outcome = &mut done.outcome;
    let on_commit = |c: Committed| {
        for item in c.rejected {
            outcome.rejected.push(item.clone());
            on_event(SyncEvent::Rejected {
                stream: STREAM,
                item,
            });
        }
        outcome.stats += c.stats;
        on_event(SyncEvent::RangeCommitted {
            stream: STREAM,
            from: c.from,
            through: c.through,
            days: span_days(c.from, c.through),
            stats: c.stats,
        });
    };
    let (store, end) = pipeline::run(
        store,
        ranges,
        options.jobs,
        fetch,
        commit,
        shutdown,
        on_commit,
    )
    .await
    .map_err(|e| Error::Range {
        stream: STREAM,
        from,
        to,
        source: Box::new(e),
    })?;
    done.outcome.requests = end.requests;
    done.interrupted = end.interrupted;
    Ok((done, store))
}

/// Find the first day with data in `from..=to` with cheap one-year summary queries (`jobs`
/// at once, the earliest year first).
async fn discover_first_day(
    client: &HuamiClient,
    from: Date,
    to: Date,
    jobs: usize,
) -> Result<Option<Date>, Error> {
    let years = chunks(from, to, 366);
    let mut answers = futures_util::stream::iter(years)
        .map(|(a, b)| client.band_data(QueryType::Summary, a, b))
        .buffered(jobs.max(1));
    while let Some(items) = answers.next().await {
        let items = items.map_err(|source| Error::Discover {
            stream: STREAM,
            source,
        })?;
        if let Some(first) = mikit_huami::first_day_with_data(&items) {
            return Ok(Some(first));
        }
    }
    Ok(None)
}

/// A range fetched and decoded, ready to be committed.
struct Batch {
    from: Date,
    through: Date,
    /// (raw item as compact JSON, its decoding), one per day, in date order.
    days: Vec<(String, BandDay)>,
    rejected: Vec<Rejected>,
}

/// A range committed.
struct Committed {
    from: Date,
    through: Date,
    rejected: Vec<Rejected>,
    stats: WriteStats,
}

fn decode(
    from: Date,
    through: Date,
    items: Vec<serde_json::Value>,
    zone: Option<&jiff::tz::TimeZone>,
) -> Batch {
    let mut days = Vec::with_capacity(items.len());
    let mut rejected = Vec::new();
    for item in items {
        let raw = item.to_string();
        match mikit_huami::decode_day_in(&item, zone) {
            Ok(day) => days.push((raw, day)),
            Err(e) => {
                let date = mikit_huami::item_date_text(&item).unwrap_or("?").to_owned();
                tracing::warn!(date, error = %e, "skipping an undecodable day");
                rejected.push(Rejected {
                    date,
                    reason: e.to_string(),
                });
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
    Batch {
        from,
        through,
        days,
        rejected,
    }
}
