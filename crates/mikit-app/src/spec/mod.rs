//! The MIoT spec source: the local cache first, the spec service when the cache has nothing
//! fresh, the mirror host when the main one cannot be reached, and stale cached data (with a
//! [`Notice`]) when neither can.
//!
//! # Layout
//!
//! | module | holds |
//! |---|---|
//! | [`freshness`] | the one rule that says whether a cached list, spec, document or failure is still young enough ([`Lifetime`], [`Policy`]) |
//! | [`source`] | [`Source`]: look-ups of instances lists, specs and other documents with that rule, the mirror fallback and offline use |
//! | [`mirror`] | [`mirror()`]: download a whole instances list and every spec it names, resumable, with progress as [`MirrorEvent`]s |
//!
//! ```no_run
//! # async fn demo(store: mikit_store::Store) -> Result<(), mikit_app::spec::Error> {
//! use mikit_app::spec::Source;
//! let mut source = Source::offline(store).on_notice(|n| eprintln!("{n:?}"));
//! let (_model, urn) = source.resolve("zhimi.airpurifier.ma4").await?;
//! let spec_json = source.spec(&urn).await?;
//! # let _ = spec_json; Ok(()) }
//! ```

pub mod freshness;
pub mod mirror;
pub mod source;

pub use freshness::{Lifetime, Policy};
pub use mirror::{MirrorEvent, MirrorOptions, MirrorSummary, mirror};
pub use source::Source;

/// Something a front end should tell the user about a look-up that still succeeded.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Notice {
    /// A cached copy older than its [`Lifetime`] was served.
    Stale {
        /// What was served (`spec`, `instances list (all)`, `translations`, …).
        what: String,
        /// When the served copy was fetched (UTC epoch seconds).
        fetched_at: i64,
        /// Its age in seconds at the source's "now".
        age: i64,
        /// Why it was not refreshed.
        because: StaleBecause,
    },
}

/// Why a stale copy was served instead of a fresh one.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StaleBecause {
    /// The source is offline: the spec service may not be asked.
    Offline,
    /// The spec service (main host and mirror) could not be reached or kept failing.
    Unreachable {
        /// The main host's error, as text.
        error: String,
    },
    /// The last download failed less than the failure [`Lifetime`] ago, so it is not retried.
    RecentFailure {
        /// Why it failed.
        reason: String,
    },
}

/// What can go wrong when getting spec data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Nothing usable is cached and the source is offline.
    #[error(
        "{what} is not in the local cache and offline use forbids asking the spec service; run `mikit spec mirror` while online"
    )]
    NotCached {
        /// What was asked for (`the spec urn:…`).
        what: String,
    },
    /// Nothing is cached and the last download failed too recently to ask again.
    #[error(
        "{what} could not be fetched {} ago ({reason}); mikit waits {} before asking again",
        age_text(*.ago),
        age_text(*.retry_after)
    )]
    RecentFailure {
        /// What was asked for (`the spec of urn:…`).
        what: String,
        /// Seconds since the failure.
        ago: i64,
        /// Why it failed.
        reason: String,
        /// How long a failure is remembered, in seconds.
        retry_after: i64,
    },
    /// The spec service answered with an error (404, 5xx) or could not be reached, and
    /// nothing usable is cached.
    #[error("fetching {what}")]
    Service {
        /// What was fetched (`the spec urn:…`).
        what: String,
        /// The main host's error.
        #[source]
        source: mikit_miot::Error,
    },
    /// The spec service sent a document that does not parse (it is not cached).
    #[error("the spec service sent {what} that does not parse")]
    Invalid {
        /// What it sent (`a spec for urn:…`).
        what: String,
        /// The parse error.
        #[source]
        source: mikit_miot::Error,
    },
    /// The HTTP client could not be built.
    #[error("setting up the HTTP client for the spec service")]
    Http(#[source] mikit_core::Error),
    /// A URN is malformed or a model is not in the instances list.
    #[error(transparent)]
    Lookup(#[from] mikit_miot::Error),
    /// The local cache (the database) failed.
    #[error(transparent)]
    Store(#[from] mikit_store::Error),
}

impl Error {
    /// True when the spec service could not be reached (or may not be asked) and nothing
    /// usable was cached: the front end's "network" failure.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Error::NotCached { .. } => true,
            Error::Service { source, .. } => is_network(source),
            _ => false,
        }
    }
}

/// True for errors that mean "the service could not be reached or kept failing" (the ones
/// that make a stale copy acceptable and the mirror host worth asking).
pub fn is_network(e: &mikit_miot::Error) -> bool {
    matches!(
        e,
        mikit_miot::Error::Http(_) | mikit_miot::Error::Status { .. }
    )
}

/// `3 min`, `9 days`: an age (in seconds) for messages.
pub fn age_text(seconds: i64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 7_200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h", s / 3_600),
        s => format!("{} days", s / 86_400),
    }
}
