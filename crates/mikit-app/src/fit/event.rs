//! What a sync reports while it runs ([`SyncEvent`]) and when it is done ([`SyncOutcome`]).

use std::path::PathBuf;

use jiff::civil::Date;
use mikit_store::WriteStats;

use super::Stream;

/// Progress of a sync, in the order things happen.
///
/// For each stream: at most one [`SyncEvent::Discovering`], then [`SyncEvent::Planned`] or
/// [`SyncEvent::NothingToSync`], then per committed range, in date order, the items it
/// skipped ([`SyncEvent::Rejected`]) and one [`SyncEvent::RangeCommitted`], sent once the
/// range is durably in the store.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SyncEvent {
    /// Another sync holds the database; this one waits for it (`wait` was asked for).
    WaitingForLock {
        /// That sync's process id, when known.
        holder: Option<u32>,
    },
    /// The last day asked for is later than the last day that can have data: `to` is used.
    LastDayCapped {
        /// The day asked for.
        requested: Date,
        /// The day used instead (tomorrow).
        to: Date,
    },
    /// A first sync: looking for the first day with data.
    Discovering {
        /// The stream.
        stream: Stream,
    },
    /// The stream will fetch `from..=to` in `ranges` requests.
    Planned {
        /// The stream.
        stream: Stream,
        /// First day.
        from: Date,
        /// Last day.
        to: Date,
        /// Requests to make.
        ranges: usize,
        /// Days in `from..=to`.
        days: u64,
    },
    /// The stream has nothing to fetch (the server has no data for it yet).
    NothingToSync {
        /// The stream.
        stream: Stream,
    },
    /// An item could not be decoded at all and was skipped (reported with the range that
    /// held it, right before its [`SyncEvent::RangeCommitted`]).
    Rejected {
        /// The stream.
        stream: Stream,
        /// The item.
        item: Rejected,
    },
    /// One page of the workout history was read.
    HistoryPage {
        /// Pages read so far.
        pages: u64,
        /// Workouts listed so far.
        workouts: u64,
    },
    /// The workout history is read: `to_fetch` of its `workouts` need their detail (new,
    /// changed since stored, or stored without one).
    WorkoutsListed {
        /// Pages read.
        pages: u64,
        /// Workouts in the history.
        workouts: u64,
        /// Workouts whose detail will be fetched.
        to_fetch: u64,
    },
    /// One workout is committed (summary, detail and rows in one transaction).
    WorkoutCommitted {
        /// Its id.
        trackid: i64,
        /// False when the server had no usable detail for it: the summary is stored alone
        /// (with a [`SyncEvent::Rejected`] before this event) and the next sync asks again.
        detail: bool,
    },
    /// A range of a health event stream is committed, with the record that it was fetched.
    HealthRangeCommitted {
        /// The event stream (`stress`, `spo2`, …).
        stream: &'static str,
        /// First day of the range.
        from: Date,
        /// Last day of the range.
        through: Date,
        /// Rows the answer held (0: fetched, nothing measured).
        rows: u64,
    },
    /// A request range is committed, together with the stream's sync state.
    RangeCommitted {
        /// The stream.
        stream: Stream,
        /// First day of the range.
        from: Date,
        /// Last day of the range.
        through: Date,
        /// Days the range spans (`from..=through`).
        days: u64,
        /// Rows written.
        stats: WriteStats,
    },
}

/// An item skipped because it could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    /// Its date as sent (`?` when it had none).
    pub date: String,
    /// Why, in words.
    pub reason: String,
}

/// What a sync did.
#[derive(Clone, Debug)]
pub struct SyncOutcome {
    /// The database file.
    pub database: PathBuf,
    /// One entry per stream that ran, in order.
    pub streams: Vec<StreamOutcome>,
    /// True when a shutdown stopped the sync early (what was committed is kept).
    pub interrupted: bool,
}

impl SyncOutcome {
    /// The outcome of `stream`, if it ran.
    pub fn stream(&self, stream: Stream) -> Option<&StreamOutcome> {
        self.streams.iter().find(|s| s.stream == stream)
    }
}

/// What a sync did for one stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamOutcome {
    /// The stream.
    pub stream: Stream,
    /// The range planned (`None`: nothing to sync).
    pub range: Option<(Date, Date)>,
    /// Rows written.
    pub stats: WriteStats,
    /// Requests answered.
    pub requests: u64,
    /// Items skipped because they could not be decoded, in date order of their ranges.
    pub rejected: Vec<Rejected>,
    /// What the workouts stream did (zero for the other streams).
    pub workouts: WorkoutCounts,
    /// What the devices, health and weight streams did (zero for the other streams).
    pub health: HealthCounts,
}

/// What the devices, health and weight streams did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HealthCounts {
    /// Rows written (devices: devices listed).
    pub written: u64,
    /// Rows left as they were because an import wrote them first.
    pub kept: u64,
    /// Ranges fetched and recorded.
    pub ranges: u64,
    /// Ranges fetched that held nothing.
    pub empty_ranges: u64,
    /// Records skipped on purpose (weight: `weightType 3`).
    pub skipped: u64,
    /// Devices with a Bluetooth auth key.
    pub keys: u64,
}

/// What the workouts stream did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WorkoutCounts {
    /// Workouts in the server's history.
    pub listed: u64,
    /// History pages read.
    pub pages: u64,
    /// Workouts committed with their detail (new or changed).
    pub fetched: u64,
    /// Workouts committed without a detail (the server had none usable).
    pub without_detail: u64,
    /// Workouts already stored with the same summary and a detail: not fetched again.
    pub unchanged: u64,
}

impl StreamOutcome {
    /// Nothing done yet for `stream`.
    pub fn new(stream: Stream) -> Self {
        Self {
            stream,
            range: None,
            stats: WriteStats::default(),
            requests: 0,
            rejected: Vec::new(),
            workouts: WorkoutCounts::default(),
            health: HealthCounts::default(),
        }
    }
}

/// What a re-decode did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RedecodeOutcome {
    /// Rows written.
    pub stats: WriteStats,
    /// Stored items the current decoder rejects (their derived rows are absent).
    pub failed: Vec<Rejected>,
    /// Workouts rebuilt from their stored payloads.
    pub workouts: u64,
    /// Stored workouts the current decoder rejects: (trackid, reason).
    pub failed_workouts: Vec<(i64, String)>,
    /// True when a shutdown stopped it before every account was done.
    pub interrupted: bool,
}
