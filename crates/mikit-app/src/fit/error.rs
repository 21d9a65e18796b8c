//! [`Error`]: why a sync or a re-decode failed.
//!
//! The Huami and store errors stay reachable as sources (`std::error::Error::source`), so a
//! front end can tell an expired session, an unreachable server and a full disk apart.

use jiff::civil::Date;

use super::Stream;

/// Everything that can stop a sync or a re-decode.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Another sync holds the database (and waiting was not asked for).
    #[error(
        "not syncing, to avoid doing the same work twice: wait for the other sync to finish, or run `mikit fit sync --wait` to wait for it and then continue"
    )]
    Busy {
        /// The store's `SyncBusy`, which names the holder.
        #[source]
        source: mikit_store::Error,
    },

    /// The sync lock could not be taken.
    #[error("taking the sync lock")]
    Lock {
        /// Why.
        #[source]
        source: mikit_store::Error,
    },

    /// A database read or write outside the ranges failed.
    #[error("{action}")]
    Store {
        /// What was being done.
        action: &'static str,
        /// Why.
        #[source]
        source: mikit_store::Error,
    },

    /// The first day to sync is after the last one.
    #[error("the first day to sync, {from}, is after the last day to sync, {to}")]
    FromAfterTo {
        /// The first day asked for.
        from: Date,
        /// The last day that can be synced.
        to: Date,
    },

    /// The search for the first day with data failed.
    #[error("looking for the first day with data")]
    Discover {
        /// The stream searched.
        stream: Stream,
        /// Why.
        #[source]
        source: mikit_huami::Error,
    },

    /// A stream's range failed part-way; the ranges committed before are kept.
    #[error("syncing {from}..{to} (what was saved so far is kept; run the sync again to continue)")]
    Range {
        /// The stream.
        stream: Stream,
        /// The first day of the planned range.
        from: Date,
        /// The last day of the planned range.
        to: Date,
        /// The failed step: [`Error::Download`] or [`Error::Write`].
        #[source]
        source: Box<Error>,
    },

    /// One request failed (after the HTTP retries and a token refresh).
    #[error("downloading {from}..{to}")]
    Download {
        /// First day of the request.
        from: Date,
        /// Last day of the request.
        to: Date,
        /// Why.
        #[source]
        source: mikit_huami::Error,
    },

    /// Committing one request range failed.
    #[error("writing the days up to {through}")]
    Write {
        /// Last day of the range.
        through: Date,
        /// Why.
        #[source]
        source: mikit_store::Error,
    },

    /// The workouts stream failed part-way; the workouts committed before are kept.
    #[error("syncing the workouts (what was saved so far is kept; run the sync again to continue)")]
    Workouts {
        /// The failed step: [`Error::History`], [`Error::WorkoutDetail`] or
        /// [`Error::WriteWorkout`].
        #[source]
        source: Box<Error>,
    },

    /// Reading a page of the workout history failed.
    #[error("reading page {page} of the workout history")]
    History {
        /// 1 for the first page.
        page: u64,
        /// Why.
        #[source]
        source: mikit_huami::Error,
    },

    /// Downloading one workout's detail failed (after the HTTP retries and a token refresh).
    #[error("downloading the detail of workout {trackid}")]
    WorkoutDetail {
        /// The workout.
        trackid: i64,
        /// Why.
        #[source]
        source: mikit_huami::Error,
    },

    /// Committing one workout failed.
    #[error("writing workout {trackid}")]
    WriteWorkout {
        /// The workout.
        trackid: i64,
        /// Why.
        #[source]
        source: mikit_store::Error,
    },

    /// Reading the devices, health events or weight records failed; the ranges saved
    /// before are kept.
    #[error("downloading {what} (what was saved so far is kept; run the sync again to continue)")]
    Health {
        /// What was being read.
        what: &'static str,
        /// Why.
        #[source]
        source: mikit_huami::Error,
    },

    /// Re-decoding one account's stored days failed.
    #[error("re-decoding the stored days of user {user}")]
    Redecode {
        /// The account's user id.
        user: String,
        /// Why.
        #[source]
        source: mikit_store::Error,
    },

    /// A worker task or thread of the engine died: a mikit bug.
    #[error("{0} (this is a mikit bug; please report it)")]
    Internal(&'static str),
}
