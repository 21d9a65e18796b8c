//! The devices, health-event and weight streams (reference `huami-cloud.md` §4 DV1/E1–E3/WT1,
//! §7, §8).
//!
//! - **Devices**: the list is small and always read whole; the store keeps the last view.
//! - **Health events**: each event stream (stress, SpO2, the nightly SpO2 summary, PAI, HRV,
//!   readiness, respiratory rate) is fetched in ranges of [`RANGE_DAYS`] days, oldest first;
//!   each range's rows are committed together with the range itself (`health_fetches`), so
//!   the store tells "nothing measured" (a fetched range without rows) from "not fetched", and
//!   a killed sync continues with the first range not recorded. An incremental sync starts two
//!   days before the end of the last fetched range (the newest days change). The first sync
//!   starts at the band data's first day with data, or [`super::EARLIEST`].
//! - **Weight**: the record list is paged from now back in time (`toTime`), stopping two days
//!   before the newest range fetched before; the walk is one range.

use jiff::{Timestamp, ToSpan as _, civil::Date, tz::TimeZone};
use mikit_huami::{EventStream, HuamiClient};
use mikit_store::{AccountId, FetchedRange, Store};

use super::{Error, Stream, StreamOutcome, SyncEvent, SyncOptions};
use crate::shutdown::Shutdown;

/// Days per events request range.
pub const RANGE_DAYS: i32 = 180;

/// What a health stream did, and whether a shutdown stopped it.
pub(super) struct Done {
    pub outcome: StreamOutcome,
    pub interrupted: bool,
}

fn store_err(action: &'static str) -> impl Fn(mikit_store::Error) -> Error {
    move |source| Error::Store { action, source }
}

/// Read the account's devices and keep them.
pub(super) async fn devices(
    client: &HuamiClient,
    store: &mut Store,
    account: AccountId,
) -> Result<Done, Error> {
    let mut outcome = StreamOutcome::new(Stream::Devices);
    let (devices, skipped) = client.devices().await.map_err(|source| Error::Health {
        what: "the device list",
        source,
    })?;
    outcome.requests = 1;
    if skipped > 0 {
        tracing::warn!(
            skipped,
            "device list entries that are not objects were skipped"
        );
    }
    let rows: Vec<_> = devices
        .iter()
        .enumerate()
        .map(|(i, d)| crate::health::device_row(d, i))
        .collect();
    store
        .write_huami_devices(account, &rows)
        .map_err(store_err("saving the device list"))?;
    outcome.health.written = rows.len() as u64;
    outcome.health.keys = rows.iter().filter(|d| d.auth_key.is_some()).count() as u64;
    Ok(Done {
        outcome,
        interrupted: false,
    })
}

/// The zone events are asked for in, as an IANA name (`UTC` when the zone has none).
fn zone_name(zone: Option<&TimeZone>) -> (String, TimeZone) {
    match zone {
        Some(z) => match z.iana_name() {
            Some(n) => (n.to_owned(), z.clone()),
            None => ("UTC".to_owned(), TimeZone::UTC),
        },
        None => ("UTC".to_owned(), TimeZone::UTC),
    }
}

fn midnight(d: Date, tz: &TimeZone) -> i64 {
    d.to_zoned(tz.clone()).map_or_else(
        |_| {
            d.to_zoned(TimeZone::UTC)
                .map_or(0, |z| z.timestamp().as_second())
        },
        |z| z.timestamp().as_second(),
    )
}

/// First day of a stream's next range: two days before the end of what was fetched, or (first
/// sync) the band data's first day with data, or `EARLIEST`; `--from` when given.
fn first_day(
    store: &Store,
    account: AccountId,
    stream: &str,
    options: &SyncOptions,
    tz: &TimeZone,
) -> Result<Date, Error> {
    if let Some(from) = options.from {
        return Ok(from);
    }
    let fetched = if options.full {
        Vec::new()
    } else {
        store
            .health_fetched(account, stream)
            .map_err(store_err("reading what was fetched"))?
    };
    // The end of the covered prefix: the first merged range, when it starts at the beginning.
    if let Some(&(_, to)) = fetched.first() {
        let day = Timestamp::from_second(to)
            .map(|t| t.to_zoned(tz.clone()).date())
            .unwrap_or(super::EARLIEST);
        return Ok(day.saturating_sub(2.days()));
    }
    let band_first = store
        .sync_state(account, Stream::BandData.name())
        .map_err(store_err("reading the sync state"))?
        .and_then(|s| s.first_date);
    Ok(band_first.unwrap_or(super::EARLIEST))
}

/// Sync every health event stream for `from..=to` ranges ending at `to`.
pub(super) async fn events(
    client: &HuamiClient,
    store: &mut Store,
    account: AccountId,
    to: Date,
    options: &SyncOptions,
    shutdown: &Shutdown,
    on_event: &mut (impl FnMut(SyncEvent) + Send),
) -> Result<Done, Error> {
    let mut outcome = StreamOutcome::new(Stream::Health);
    let (zone, tz) = zone_name(options.zone.as_ref());
    let mut range: Option<(Date, Date)> = None;
    for stream in EventStream::ALL {
        let from = first_day(store, account, stream.name(), options, &tz)?;
        if from > to {
            continue;
        }
        range = Some(range.map_or((from, to), |(a, b)| (a.min(from), b.max(to))));
        for (a, b) in super::chunks(from, to, RANGE_DAYS) {
            if shutdown.requested() {
                outcome.range = range;
                return Ok(Done {
                    outcome,
                    interrupted: true,
                });
            }
            let from_s = midnight(a, &tz);
            let to_s = midnight(b.saturating_add(1.day()), &tz) - 1;
            let fetched = tokio::select! {
                biased;
                () = shutdown.wait() => {
                    outcome.range = range;
                    return Ok(Done { outcome, interrupted: true });
                }
                r = client.events(stream, from_s * 1000, to_s * 1000 + 999, &zone) => r,
            };
            let fetched = fetched.map_err(|source| Error::Health {
                what: "health events",
                source,
            })?;
            outcome.requests += u64::from(fetched.pages);
            for issue in &fetched.issues {
                let item = super::Rejected {
                    date: format!("{} {a}..{b}", stream.name()),
                    reason: issue.clone(),
                };
                outcome.rejected.push(item.clone());
                on_event(SyncEvent::Rejected {
                    stream: Stream::Health,
                    item,
                });
            }
            // Offsets from the band's own days where stored (they carry the offset the band
            // had), else from the zone the events were asked in.
            let spans = store
                .tz_spans(account)
                .map_err(store_err("reading the stored days' offsets"))?;
            let rows = crate::health::event_rows(&fetched.items, |ts| {
                if spans.is_empty() {
                    Timestamp::from_second(ts).map_or(0, |t| tz.to_offset(t).seconds())
                } else {
                    spans.offset_at(ts)
                }
            });
            let range_row = FetchedRange {
                stream: stream.name(),
                from_ts: from_s,
                to_ts: to_s,
            };
            let stats = store
                .write_health_events(account, None, &rows, Some(&range_row))
                .map_err(store_err("saving health events"))?;
            outcome.health.written += stats.written;
            outcome.health.kept += stats.kept;
            outcome.health.ranges += 1;
            if rows.is_empty() {
                outcome.health.empty_ranges += 1;
            }
            on_event(SyncEvent::HealthRangeCommitted {
                stream: stream.name(),
                from: a,
                through: b,
                rows: rows.len() as u64,
            });
        }
    }
    outcome.range = range;
    Ok(Done {
        outcome,
        interrupted: false,
    })
}

/// Sync weight records newer than two days before the last walk's end.
pub(super) async fn weight(
    client: &HuamiClient,
    store: &mut Store,
    account: AccountId,
    to: Date,
    options: &SyncOptions,
    shutdown: &Shutdown,
) -> Result<Done, Error> {
    let mut outcome = StreamOutcome::new(Stream::Weight);
    let since = if options.full {
        None
    } else {
        store
            .health_fetched(account, "weight")
            .map_err(store_err("reading what was fetched"))?
            .first()
            .map(|&(_, to)| to - 2 * 86_400)
    };
    let since = match options.from {
        Some(from) => Some(midnight(from, &TimeZone::UTC)),
        None => since,
    };
    let fetched = tokio::select! {
        biased;
        () = shutdown.wait() => return Ok(Done { outcome, interrupted: true }),
        r = client.weight_records(since) => r,
    };
    let fetched = fetched.map_err(|source| Error::Health {
        what: "weight records",
        source,
    })?;
    outcome.requests = u64::from(fetched.pages);
    for issue in &fetched.issues {
        outcome.rejected.push(super::Rejected {
            date: "weight".to_owned(),
            reason: issue.clone(),
        });
    }
    let rows: Vec<_> = fetched
        .items
        .iter()
        .map(crate::health::weight_row)
        .collect();
    // The walk covers [since, now]; a first walk everything before now. Recorded up to the
    // end of the sync's last day (UTC), not the clock: the same data synced twice gives the
    // same database.
    let range = FetchedRange {
        stream: "weight",
        from_ts: since.unwrap_or(0).max(0),
        to_ts: midnight(to.saturating_add(1.day()), &TimeZone::UTC) - 1,
    };
    let stats = store
        .write_weights(account, None, &rows, Some(&range))
        .map_err(store_err("saving weight records"))?;
    outcome.health.written = stats.written;
    outcome.health.kept = stats.kept;
    outcome.health.ranges = 1;
    outcome.health.skipped = fetched.skipped as u64;
    Ok(Done {
        outcome,
        interrupted: false,
    })
}
