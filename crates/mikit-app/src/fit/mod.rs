//! The fitness sync engine: Huami / Zepp cloud data into the local store.
//!
//! A sync is "for each selected [`Stream`]: plan, fetch, commit". Planning reads the stream's
//! sync state (where the last sync stopped) or, on a first sync, looks for the first day with
//! data; fetching runs up to `jobs` requests at once and decodes off the async workers;
//! committing happens strictly in date order on a dedicated database thread, one transaction
//! per request range together with the sync state. So an interrupted sync (a [`Shutdown`],
//! `kill -9`, a network failure) keeps every range committed before it, the next run continues
//! from the last committed range, and any sequence of runs ends with the same database content
//! (`Store::content_digest`).
//!
//! Progress is reported as [`SyncEvent`]s through a callback; the front end decides how to
//! show them (a progress bar, JSON, nothing).
//!
//! ```no_run
//! # async fn run(client: std::sync::Arc<mikit_huami::HuamiClient>, store: mikit_store::Store)
//! # -> Result<(), mikit_app::fit::Error> {
//! use mikit_app::{fit, shutdown::Shutdown};
//! let outcome = fit::sync(client, store, &fit::SyncOptions::default(), &Shutdown::new(), |event| {
//!     if let fit::SyncEvent::RangeCommitted { through, .. } = event {
//!         eprintln!("saved up to {through}");
//!     }
//! })
//! .await?;
//! for stream in &outcome.streams {
//!     println!("{}: {} days", stream.stream.name(), stream.stats.days);
//! }
//! # Ok(()) }
//! ```
//!
//! # Layout
//!
//! | module | holds |
//! |---|---|
//! | `mod.rs` | [`sync`], [`redecode`], [`SyncOptions`], [`Stream`], the sync lock |
//! | `event` | [`SyncEvent`] and the outcomes ([`SyncOutcome`], [`StreamOutcome`], [`RedecodeOutcome`]) |
//! | `error` | [`Error`] |
//! | `plan` | which days to fetch: [`chunks`], the start of a stream's range |
//! | `pipeline` | fetch with bounded concurrency, commit in order on the database thread |
//! | `band` | the band-data stream (daily summaries, minutes, sleep and activity stages) |
//! | `workouts` | the workouts stream (history pages, one detail per new or changed workout) |
//! | `health` | the devices, health-event and weight streams |

mod band;
mod error;
mod event;
mod health;
mod pipeline;
mod plan;
mod workouts;

use std::sync::Arc;

use jiff::civil::Date;
use mikit_huami::HuamiClient;
use mikit_store::{Store, SyncLock};

use crate::shutdown::Shutdown;

pub use error::Error;
pub use event::{
    HealthCounts, RedecodeOutcome, Rejected, StreamOutcome, SyncEvent, SyncOutcome, WorkoutCounts,
};
pub use health::RANGE_DAYS;
pub use plan::chunks;

/// The earliest day a first sync looks for data (the first Mi Band shipped in 2014).
pub const EARLIEST: Date = jiff::civil::date(2014, 1, 1);

/// The provider name of Huami accounts in the store.
pub const PROVIDER: &str = "huami";

/// A kind of data synced on its own, with its own sync state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Stream {
    /// `band_data.json`: daily totals, per-minute records, sleep and activity stages.
    BandData,
    /// The workout history and each workout's detail (points, laps, pauses).
    Workouts,
    /// The account's devices with their Bluetooth auth keys.
    Devices,
    /// Health events: SpO2, stress, PAI, HRV, readiness, respiratory rate.
    Health,
    /// Weight and body composition from a scale.
    Weight,
}

impl Stream {
    /// Every stream, in the order a sync runs them (band data first: a workout without a time
    /// zone takes its UTC offset from the band day it falls on).
    pub const ALL: &'static [Stream] = &[
        Stream::BandData,
        Stream::Workouts,
        Stream::Devices,
        Stream::Health,
        Stream::Weight,
    ];

    /// The stream's name in the sync state (and in messages).
    pub const fn name(self) -> &'static str {
        match self {
            Self::BandData => "band_data",
            Self::Workouts => "workouts",
            Self::Devices => "devices",
            Self::Health => "health",
            Self::Weight => "weight",
        }
    }

    /// The name a user gives to choose the stream (`mikit fit sync --only days,workouts`).
    pub const fn option_name(self) -> &'static str {
        match self {
            Self::BandData => "days",
            Self::Workouts => "workouts",
            Self::Devices => "devices",
            Self::Health => "health",
            Self::Weight => "weight",
        }
    }

    /// The streams named in `list`, comma-separated user names ([`Stream::option_name`];
    /// spaces around names and repeated names are allowed), in the order a sync runs them.
    ///
    /// # Errors
    /// [`UnknownStream`] for an empty list or a name that is not a stream's.
    pub fn parse_list(list: &str) -> Result<Vec<Stream>, UnknownStream> {
        let mut chosen = Vec::new();
        for name in list.split(',').map(str::trim) {
            let stream = Stream::ALL
                .iter()
                .copied()
                .find(|s| s.option_name().eq_ignore_ascii_case(name) || s.name() == name)
                .ok_or_else(|| UnknownStream(name.to_owned()))?;
            chosen.push(stream);
        }
        Ok(Stream::ALL
            .iter()
            .copied()
            .filter(|s| chosen.contains(s))
            .collect())
    }
}

/// A name in a list of streams that names none.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} is not a kind of data to sync; the kinds are: {}", shown(.0), valid_names())]
pub struct UnknownStream(pub String);

fn shown(name: &str) -> String {
    if name.is_empty() {
        "an empty name".to_owned()
    } else {
        format!("\"{name}\"")
    }
}

fn valid_names() -> String {
    Stream::ALL
        .iter()
        .map(|s| s.option_name())
        .collect::<Vec<_>>()
        .join(", ")
}

impl std::fmt::Display for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What to sync and how.
#[derive(Clone, Debug)]
pub struct SyncOptions {
    /// The streams to sync, in order. Default: [`Stream::ALL`].
    pub streams: Vec<Stream>,
    /// First day of band data to fetch (workouts: always the whole history, whose unchanged
    /// workouts cost nothing but the history pages). Default: two days before where the last sync stopped (the newest
    /// days change), else the first day the server has data for.
    pub from: Option<Date>,
    /// Last day to fetch. Default and maximum: the day after `today` (a later day is capped,
    /// with [`SyncEvent::LastDayCapped`]: the server has nothing for the future).
    pub to: Option<Date>,
    /// Fetch everything again, ignoring the sync state (and every workout's detail).
    pub full: bool,
    /// When another sync holds the database: wait for it ([`SyncEvent::WaitingForLock`]),
    /// then continue where it stopped. Otherwise: [`Error::Busy`].
    pub wait: bool,
    /// Requests run at once (at least 1).
    pub jobs: usize,
    /// Days per request (at least 1; the apps use up to 30).
    pub chunk_days: u16,
    /// The band's time zone: minutes of a day are placed with it where its offset agrees with
    /// the day's own (see `mikit_huami::clock`); `None` uses each day's fixed offset.
    pub zone: Option<jiff::tz::TimeZone>,
    /// Today, for the default last day. Default: today in the system time zone.
    pub today: Option<Date>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            streams: Stream::ALL.to_vec(),
            from: None,
            to: None,
            full: false,
            wait: false,
            jobs: 4,
            chunk_days: 30,
            zone: band_zone(),
            today: None,
        }
    }
}

/// The zone the band's days are read in: the system zone (`TZ`), used for a day only where
/// its offset agrees with the day's `summary.tz` (see `mikit_huami::clock`).
pub fn band_zone() -> Option<jiff::tz::TimeZone> {
    Some(jiff::tz::TimeZone::system())
}

/// Today in the system time zone.
pub fn today() -> Date {
    jiff::Zoned::now().date()
}

/// Sync the account of `client`'s session into `store`: for each stream of `options`, plan,
/// fetch and commit, reporting progress to `on_event`.
///
/// Takes the store's sync lock first (one sync per database; see [`SyncOptions::wait`]) and
/// holds it until the end. When `shutdown` is requested the sync stops after the range being
/// committed and returns normally with [`SyncOutcome::interrupted`] set: what was committed
/// is kept and the next sync continues from there.
///
/// The store moves to a database thread for the duration of the sync. A refreshed app token
/// stays in `client` (check `HuamiClient::session_changed` and persist it, also on error).
pub async fn sync(
    client: Arc<HuamiClient>,
    mut store: Store,
    options: &SyncOptions,
    shutdown: &Shutdown,
    mut on_event: impl FnMut(SyncEvent) + Send,
) -> Result<SyncOutcome, Error> {
    let database = store.path().to_path_buf();
    let mut outcome = SyncOutcome {
        database,
        streams: Vec::new(),
        interrupted: false,
    };
    // Taken before the sync state is read, so a sync that waited continues from where the
    // other one stopped.
    let Some(_lock) = lock(&store, options.wait, shutdown, &mut on_event).await? else {
        outcome.interrupted = true;
        return Ok(outcome);
    };
    let session = client.session().await;
    let account = store
        .upsert_account(PROVIDER, &session.user_id, Some(&session.email))
        .map_err(|source| Error::Store {
            action: "recording the account",
            source,
        })?;
    let today = options.today.unwrap_or_else(today);
    let (to, capped) = plan::last_day(options.to, today);
    if let Some(requested) = capped {
        on_event(SyncEvent::LastDayCapped { requested, to });
    }
    for &stream in &options.streams {
        let (done, returned) = match stream {
            Stream::BandData => {
                let (done, store) = band::sync(
                    &client,
                    store,
                    account,
                    to,
                    options,
                    shutdown,
                    &mut on_event,
                )
                .await?;
                ((done.outcome, done.interrupted), store)
            }
            Stream::Workouts => {
                let (done, store) =
                    workouts::sync(&client, store, account, options, shutdown, &mut on_event)
                        .await?;
                ((done.outcome, done.interrupted), store)
            }
            Stream::Devices => {
                let done = health::devices(&client, &mut store, account).await?;
                ((done.outcome, done.interrupted), store)
            }
            Stream::Health => {
                let done = health::events(
                    &client,
                    &mut store,
                    account,
                    to,
                    options,
                    shutdown,
                    &mut on_event,
                )
                .await?;
                ((done.outcome, done.interrupted), store)
            }
            Stream::Weight => {
                let done =
                    health::weight(&client, &mut store, account, to, options, shutdown).await?;
                ((done.outcome, done.interrupted), store)
            }
        };
        store = returned;
        let (stream_outcome, interrupted) = done;
        outcome.interrupted |= interrupted;
        outcome.streams.push(stream_outcome);
        if outcome.interrupted {
            break;
        }
    }
    Ok(outcome)
}

/// How to re-decode.
#[derive(Clone, Debug)]
pub struct RedecodeOptions {
    /// Wait for another sync holding the database (see [`SyncOptions::wait`]).
    pub wait: bool,
    /// The band's time zone (see [`SyncOptions::zone`]).
    pub zone: Option<jiff::tz::TimeZone>,
}

impl Default for RedecodeOptions {
    fn default() -> Self {
        Self {
            wait: false,
            zone: band_zone(),
        }
    }
}

/// Rebuild every derived table of every Huami account from the raw items already stored,
/// band days and workouts, without network (after an upgrade, to benefit from a better
/// decoder). Takes the sync lock like [`sync`]; a `shutdown` is honoured between accounts
/// (each account's days are one transaction, its workouts another).
pub async fn redecode(
    store: Store,
    options: &RedecodeOptions,
    shutdown: &Shutdown,
    mut on_event: impl FnMut(SyncEvent) + Send,
) -> Result<RedecodeOutcome, Error> {
    let mut outcome = RedecodeOutcome::default();
    let Some(lock) = lock(&store, options.wait, shutdown, &mut on_event).await? else {
        outcome.interrupted = true;
        return Ok(outcome);
    };
    let zone = options.zone.clone();
    let stop = shutdown.clone();
    // Re-decoding is CPU and database work: keep it off the async workers.
    tokio::task::spawn_blocking(move || {
        let _lock = lock;
        let mut store = store;
        let accounts = store.accounts(PROVIDER).map_err(|source| Error::Store {
            action: "listing the accounts",
            source,
        })?;
        for (account, user, _) in accounts {
            if stop.requested() {
                outcome.interrupted = true;
                break;
            }
            let (stats, failed) = store
                .redecode(account, |item| {
                    mikit_huami::decode_day_in(item, zone.as_ref())
                })
                .map_err(|source| Error::Redecode {
                    user: user.clone(),
                    source,
                })?;
            outcome.stats += stats;
            outcome.failed.extend(
                failed
                    .into_iter()
                    .map(|(date, reason)| Rejected { date, reason }),
            );
            let (workouts, failed) = store
                .redecode_workouts(account, crate::workout::redecode)
                .map_err(|source| Error::Redecode {
                    user: user.clone(),
                    source,
                })?;
            outcome.workouts += workouts;
            outcome.failed_workouts.extend(failed);
        }
        Ok(outcome)
    })
    .await
    .map_err(|_| Error::Internal("the re-decoding task failed"))?
}

/// Take the sync lock of `store`'s database; `None` when `shutdown` came while waiting.
async fn lock(
    store: &Store,
    wait: bool,
    shutdown: &Shutdown,
    on_event: &mut (impl FnMut(SyncEvent) + Send),
) -> Result<Option<SyncLock>, Error> {
    let lock = match store.try_sync_lock() {
        Err(mikit_store::Error::SyncBusy { holder, .. }) if wait => {
            on_event(SyncEvent::WaitingForLock { holder });
            let database = store.path().to_path_buf();
            let acquire = tokio::task::spawn_blocking(move || SyncLock::acquire(&database));
            tokio::select! {
                biased;
                () = shutdown.wait() => return Ok(None),
                taken = acquire => taken
                    .map_err(|_| Error::Internal("the task waiting for the sync lock failed"))?
                    .map_err(|source| Error::Lock { source })?,
            }
        }
        Err(source @ mikit_store::Error::SyncBusy { .. }) => return Err(Error::Busy { source }),
        Err(source) => return Err(Error::Lock { source }),
        Ok(lock) => lock,
    };
    tracing::info!(lock = %lock.path().display(), "holding the sync lock");
    Ok(Some(lock))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_lists_parse_to_the_sync_order() {
        assert_eq!(Stream::parse_list("days"), Ok(vec![Stream::BandData]));
        assert_eq!(
            Stream::parse_list("workouts, days,workouts"),
            Ok(vec![Stream::BandData, Stream::Workouts])
        );
        assert_eq!(Stream::parse_list("Workouts"), Ok(vec![Stream::Workouts]));
        let err = Stream::parse_list("days,sleep").unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"sleep\" is not a kind of data to sync; the kinds are: days, workouts, devices, health, weight"
        );
        assert!(
            Stream::parse_list("")
                .unwrap_err()
                .to_string()
                .starts_with("an empty name")
        );
    }
}
