//! The fitness sync engine against the emulator in process (real sockets on 127.0.0.1, the
//! Huami protocol as the emulator implements it from the reference).

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
};

use jiff::civil::{Date, date};
use mikit_app::{
    fit::{self, Error, Stream, SyncEvent, SyncOptions},
    shutdown::Shutdown,
};
use mikit_emulator::{Emulator, EmulatorConfig};
use mikit_huami::HuamiClient;
use mikit_store::Store;

/// The fixed last day of the emulated history.
pub(crate) const TODAY: Date = date(2026, 3, 31);

/// A temporary directory removed on drop.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new(name: &str) -> Self {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let p =
            std::env::temp_dir().join(format!("mikit-app-it-{}-{name}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        mikit_core::paths::ensure_private_dir(&p).unwrap();
        Self(p)
    }

    pub(crate) fn db(&self) -> PathBuf {
        self.0.join("mikit.db")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(crate) async fn emulator(days: u32) -> Emulator {
    Emulator::start(EmulatorConfig {
        seed: 7,
        days,
        today: Some(TODAY),
        ..EmulatorConfig::default()
    })
    .await
    .expect("the emulator starts on 127.0.0.1:0")
}

/// A client logged in to the emulator's Huami account.
pub(crate) async fn client(emu: &Emulator) -> Arc<HuamiClient> {
    let http = mikit_core::http::Http::builder()
        .endpoints(mikit_core::EndpointMap::new(Some(emu.endpoint())).unwrap())
        .build()
        .unwrap();
    let info = emu.info();
    let account = &info["accounts"]["huami"];
    let request = mikit_huami::LoginRequest::new(
        account["email"].as_str().unwrap(),
        account["password"].as_str().unwrap().to_owned().into(),
    );
    let session = mikit_huami::login(&http, &request).await.unwrap();
    Arc::new(HuamiClient::new(http, session))
}

fn options() -> SyncOptions {
    SyncOptions {
        today: Some(TODAY),
        jobs: 3,
        ..SyncOptions::default()
    }
}

/// Run one sync into `db`, collecting its events; `on_event` sees each one too.
pub(crate) async fn sync(
    client: &Arc<HuamiClient>,
    db: &Path,
    shutdown: &Shutdown,
    mut on_event: impl FnMut(&SyncEvent) + Send,
) -> (Result<fit::SyncOutcome, Error>, Vec<SyncEvent>) {
    let events = Mutex::new(Vec::new());
    let result = fit::sync(
        Arc::clone(client),
        Store::open(db).unwrap(),
        &options(),
        shutdown,
        |e| {
            on_event(&e);
            events.lock().unwrap().push(e);
        },
    )
    .await;
    (result, events.into_inner().unwrap())
}

fn committed(events: &[SyncEvent]) -> Vec<(Date, Date, u64, mikit_store::WriteStats)> {
    events
        .iter()
        .filter_map(|e| match e {
            SyncEvent::RangeCommitted {
                from,
                through,
                days,
                stats,
                ..
            } => Some((*from, *through, *days, *stats)),
            _ => None,
        })
        .collect()
}

// Issue 10, part 1: progress is typed events, in order, and they agree with the store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_arrive_in_order_and_agree_with_the_store() {
    mikit_core::http::install_crypto_provider();
    let emu = emulator(100).await;
    let client = client(&emu).await;
    let dir = TempDir::new("events");
    let (outcome, events) = sync(&client, &dir.db(), &Shutdown::new(), |_| {}).await;
    let outcome = outcome.unwrap();
    assert!(!outcome.interrupted);

    // A first sync: discover, plan, then the ranges in date order, contiguous.
    assert_eq!(
        events[0],
        SyncEvent::Discovering {
            stream: Stream::BandData
        }
    );
    let SyncEvent::Planned {
        from,
        to,
        ranges,
        days,
        ..
    } = events[1]
    else {
        panic!("no plan: {events:?}");
    };
    assert_eq!(from, date(2025, 12, 22), "the first day with data");
    assert_eq!(to, date(2026, 4, 1), "tomorrow");
    let commits = committed(&events);
    assert_eq!(commits.len(), ranges);
    // Then the workouts stream: the history pages, the list, one commit per workout.
    let band_events = events
        .iter()
        .position(|e| matches!(e, SyncEvent::HistoryPage { .. }))
        .unwrap_or(events.len());
    // The devices, health and weight streams come last; their events are checked in health.rs.
    let events: Vec<_> = events
        .into_iter()
        .filter(|e| !matches!(e, SyncEvent::HealthRangeCommitted { .. }))
        .collect();
    assert_eq!(band_events, 2 + ranges, "{events:?}");
    let (pages, listed, to_fetch) = events[band_events..]
        .iter()
        .find_map(|e| match *e {
            SyncEvent::WorkoutsListed {
                pages,
                workouts,
                to_fetch,
            } => Some((pages, workouts, to_fetch)),
            _ => None,
        })
        .expect("the workouts are listed");
    assert_eq!(
        events.len(),
        band_events + pages as usize + 1 + to_fetch as usize,
        "{events:?}"
    );
    assert_eq!(to_fetch, listed, "a first sync fetches every detail");
    let workouts = outcome.stream(Stream::Workouts).unwrap();
    assert_eq!(workouts.workouts.fetched, to_fetch);
    assert_eq!(workouts.requests, pages + to_fetch);
    let trackids: Vec<i64> = events
        .iter()
        .filter_map(|e| match *e {
            SyncEvent::WorkoutCommitted { trackid, detail } => {
                assert!(detail);
                Some(trackid)
            }
            _ => None,
        })
        .collect();
    assert!(trackids.windows(2).all(|w| w[0] < w[1]), "oldest first");
    assert_eq!(commits.first().unwrap().0, from);
    assert_eq!(commits.last().unwrap().1, to);
    for w in commits.windows(2) {
        assert_eq!(w[0].1.tomorrow().unwrap(), w[1].0, "ranges in order");
    }
    assert_eq!(commits.iter().map(|c| c.2).sum::<u64>(), days);

    // The outcome adds the events up, and the store holds what they say.
    let band = outcome.stream(Stream::BandData).unwrap();
    let mut total = mikit_store::WriteStats::default();
    for c in &commits {
        total += c.3;
    }
    assert_eq!(band.stats, total);
    assert_eq!(band.range, Some((from, to)));
    assert_eq!(band.requests, ranges as u64);
    assert!(band.rejected.is_empty());
    let store = Store::open(&dir.db()).unwrap();
    let (account, _, _) = store.accounts(fit::PROVIDER).unwrap().remove(0);
    let rows = store.day_rows(account, None, None).unwrap();
    assert_eq!(rows.len() as u64, band.stats.days);
    let stored: Vec<i64> = store
        .workouts(account, &mikit_store::WorkoutFilter::default())
        .unwrap()
        .iter()
        .map(|w| w.row.trackid)
        .collect();
    assert_eq!(stored, trackids, "the store holds the workouts committed");
    assert!(band.stats.days >= 90, "{band:?}");
    let state = store
        .sync_state(account, Stream::BandData.name())
        .unwrap()
        .unwrap();
    assert_eq!(state.first_date, Some(from));
    assert_eq!(
        state.synced_through, TODAY,
        "never past the newest day with data"
    );
    drop(store);

    // The next sync continues two days before where this one stopped, without discovery.
    let (outcome, events) = sync(&client, &dir.db(), &Shutdown::new(), |_| {}).await;
    let outcome = outcome.unwrap();
    assert!(!outcome.interrupted);
    assert!(
        matches!(events[0], SyncEvent::Planned { from, .. } if from == date(2026, 3, 30)),
        "{events:?}"
    );
    // No workout changed: none is fetched again.
    let workouts = outcome.stream(Stream::Workouts).unwrap().workouts;
    assert_eq!((workouts.fetched, workouts.unchanged), (0, listed));
}

// Issue 10, part 1: a Shutdown stops the sync right after the range being committed; the
// next run finishes to the same database as a sync that was never interrupted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shutdown_after_the_first_range_keeps_it_and_the_next_run_completes() {
    mikit_core::http::install_crypto_provider();
    let emu = emulator(200).await;
    let client = client(&emu).await;

    let reference = TempDir::new("reference");
    let (outcome, _) = sync(&client, &reference.db(), &Shutdown::new(), |_| {}).await;
    assert!(!outcome.unwrap().interrupted);
    let want = Store::open(&reference.db())
        .unwrap()
        .content_digest()
        .unwrap();

    let dir = TempDir::new("stopped");
    let stop = Shutdown::new();
    let trigger = stop.clone();
    let (outcome, events) = sync(&client, &dir.db(), &stop, |e| {
        if matches!(e, SyncEvent::RangeCommitted { .. }) {
            trigger.trigger();
        }
    })
    .await;
    let outcome = outcome.unwrap();
    assert!(outcome.interrupted);
    let commits = committed(&events);
    assert_eq!(
        commits.len(),
        1,
        "nothing is committed after the stop: {events:?}"
    );
    let (_, through, _, stats) = commits[0];
    assert_eq!(outcome.stream(Stream::BandData).unwrap().stats, stats);
    {
        let store = Store::open(&dir.db()).unwrap();
        let (account, _, _) = store.accounts(fit::PROVIDER).unwrap().remove(0);
        let state = store
            .sync_state(account, Stream::BandData.name())
            .unwrap()
            .unwrap();
        assert_eq!(state.synced_through, through);
        assert_eq!(
            store.day_rows(account, None, None).unwrap().len() as u64,
            stats.days
        );
    }

    let (outcome, events) = sync(&client, &dir.db(), &Shutdown::new(), |_| {}).await;
    assert!(!outcome.unwrap().interrupted);
    assert!(
        matches!(events[0], SyncEvent::Planned { from, .. } if from == through.yesterday().unwrap()),
        "continues where it stopped: {events:?}"
    );
    let got = Store::open(&dir.db()).unwrap().content_digest().unwrap();
    assert_eq!(got, want);
}

// One sync per database: a held lock is an error naming the holder, or with `wait`, an
// event and a wait that a Shutdown ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_database_is_refused_or_waited_for_until_a_shutdown() {
    mikit_core::http::install_crypto_provider();
    let emu = emulator(10).await;
    let client = client(&emu).await;
    let dir = TempDir::new("locked");
    let held = mikit_store::SyncLock::try_acquire(&dir.db()).unwrap();

    let (result, events) = sync(&client, &dir.db(), &Shutdown::new(), |_| {}).await;
    let err = result.unwrap_err();
    assert!(matches!(err, Error::Busy { .. }), "{err:?}");
    let source = std::error::Error::source(&err).unwrap().to_string();
    assert!(
        source.contains(&format!("pid {}", std::process::id())),
        "{source}"
    );
    assert!(events.is_empty());

    let stop = Shutdown::new();
    let trigger = stop.clone();
    let events = Mutex::new(Vec::new());
    let outcome = fit::sync(
        Arc::clone(&client),
        Store::open(&dir.db()).unwrap(),
        &SyncOptions {
            wait: true,
            ..options()
        },
        &stop,
        |e| {
            trigger.trigger();
            events.lock().unwrap().push(e);
        },
    )
    .await
    .unwrap();
    assert!(outcome.interrupted);
    assert!(outcome.streams.is_empty());
    assert_eq!(
        events.into_inner().unwrap(),
        vec![SyncEvent::WaitingForLock {
            holder: Some(std::process::id())
        }]
    );
    // Let the abandoned waiter take the lock and finish.
    drop(held);
}
