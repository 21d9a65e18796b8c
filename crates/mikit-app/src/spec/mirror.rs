//! The mirror engine: download an instances list and every spec it names into the local
//! cache with bounded concurrency.
//!
//! Specs are committed in batches, so a mirror stopped through [`Shutdown`] keeps what it got
//! and the next run skips every spec still fresh (and, for the failure lifetime, every URN
//! that just failed). The service answering 404 for a listed URN is normal (the 2022 dump
//! lists 19,753 entries but has 18,346 spec files, `reference/miot-spec.md` §10.1): such URNs
//! count as "missing", not as failures.

use std::collections::HashSet;
use std::time::Instant;

use futures_util::StreamExt as _;
use mikit_miot::{Instance, SpecClient, Status};

use super::{Error, Source};
use crate::shutdown::Shutdown;

/// What to mirror.
#[derive(Clone, Debug)]
pub struct MirrorOptions {
    /// Which instances list to download and follow (`all` or `released`).
    pub status: Status,
    /// How many specs to download at the same time (at least 1).
    pub jobs: usize,
    /// Download the instances list even if the cached one is fresh.
    pub refresh_list: bool,
}

impl Default for MirrorOptions {
    fn default() -> Self {
        MirrorOptions {
            status: Status::All,
            jobs: 16,
            refresh_list: false,
        }
    }
}

/// Progress of a mirror, in order: one `Planned`, then one event per spec downloaded.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MirrorEvent {
    /// The list is cached and the work is known: `todo` specs will be downloaded.
    Planned {
        /// Specs to download.
        todo: usize,
    },
    /// A spec was downloaded (it is committed with its batch).
    Fetched {
        /// Its URN.
        urn: String,
    },
    /// The service has no spec for a listed URN (404).
    Missing {
        /// The URN.
        urn: String,
    },
    /// A spec failed otherwise (network, a spec that does not parse).
    Failed {
        /// The URN.
        urn: String,
        /// Why.
        reason: String,
    },
}

/// What a mirror run did.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct MirrorSummary {
    /// The list mirrored (`all` or `released`).
    pub status: String,
    /// Entries in the list.
    pub entries: usize,
    /// Distinct URNs in the list.
    pub urns: usize,
    /// Specs downloaded now.
    pub fetched: usize,
    /// Specs skipped because a fresh copy was already cached.
    pub cached: usize,
    /// URNs skipped because they failed less than the failure lifetime ago.
    pub recently_failed: usize,
    /// URNs the service has no spec for (404).
    pub missing: usize,
    /// URNs that failed otherwise (network, a spec that does not parse).
    pub failed: usize,
    /// Wall time in seconds (two decimals).
    pub seconds: f64,
    /// True when a [`Shutdown`] stopped the run (what was fetched is kept).
    pub interrupted: bool,
    /// The failures (URN, reason), at most [`MAX_FAILURES_LISTED`].
    pub failures: Vec<(String, String)>,
}

/// Specs buffered before one write transaction.
const BATCH: usize = 256;
/// At most this many failures are listed in [`MirrorSummary::failures`].
pub const MAX_FAILURES_LISTED: usize = 100;

/// Mirror `options.status`'s instances list and every spec it names through `source` (which
/// must be online), until done or until `stop` is triggered. Progress goes to `on_event`.
pub async fn mirror(
    source: &mut Source,
    options: &MirrorOptions,
    stop: &Shutdown,
    mut on_event: impl FnMut(&MirrorEvent),
) -> Result<MirrorSummary, Error> {
    let started = Instant::now();
    let (mut summary, todo) = plan(source, options).await?;
    on_event(&MirrorEvent::Planned { todo: todo.len() });
    let client = source.clients()?.0;
    download(
        source,
        &client,
        todo,
        options.jobs.max(1),
        stop,
        &mut summary,
        &mut on_event,
    )
    .await?;
    summary.seconds = (started.elapsed().as_secs_f64() * 100.0).round() / 100.0;
    Ok(summary)
}

/// Cache the list, then split its distinct URNs into fresh, recently failed and to do.
async fn plan(
    source: &mut Source,
    options: &MirrorOptions,
) -> Result<(MirrorSummary, Vec<String>), Error> {
    let key = source.list(&options.status, options.refresh_list).await?;
    let (now, policy) = (source.now(), source.policy());
    let store = source.store();
    let catalog = store.spec_catalog(&key)?;
    let mut seen = HashSet::new();
    let urns: Vec<String> = catalog
        .iter()
        .filter(|c| seen.insert(c.entry.type_.as_str()))
        .map(|c| c.entry.type_.clone())
        .collect();
    let fresh = store.cached_spec_urns(policy.spec.oldest_fresh(now))?;
    let failed_recently = store.recent_spec_failures(policy.failure.oldest_fresh(now))?;
    let mut summary = MirrorSummary {
        status: key,
        entries: catalog.len(),
        urns: urns.len(),
        ..MirrorSummary::default()
    };
    let todo = urns
        .into_iter()
        .filter(|u| {
            if fresh.contains(u) {
                summary.cached += 1;
                false
            } else if failed_recently.contains(u) {
                summary.recently_failed += 1;
                false
            } else {
                true
            }
        })
        .collect();
    Ok((summary, todo))
}

/// Download `todo` with `jobs` requests at a time; commit in batches; stop early on `stop`.
async fn download(
    source: &mut Source,
    client: &SpecClient,
    todo: Vec<String>,
    jobs: usize,
    stop: &Shutdown,
    summary: &mut MirrorSummary,
    on_event: &mut impl FnMut(&MirrorEvent),
) -> Result<(), Error> {
    let now = source.now();
    let mut results = futures_util::stream::iter(todo)
        .map(|urn| {
            let c = client.clone();
            async move {
                let r = c.instance_bytes(&urn).await;
                (urn, r)
            }
        })
        .buffer_unordered(jobs);
    let mut batch: Vec<(String, String, Vec<u8>)> = Vec::new();
    loop {
        let next = tokio::select! {
            // A stop wins over a ready answer, so nothing is taken after it was asked for.
            biased;
            () = stop.wait() => {
                summary.interrupted = true;
                None
            }
            next = results.next() => next,
        };
        let Some((urn, result)) = next else { break };
        let event = match result {
            Ok(bytes) => match Instance::from_slice(&bytes) {
                Ok(spec) => {
                    summary.fetched += 1;
                    batch.push((urn.clone(), spec.description, bytes));
                    if batch.len() >= BATCH {
                        commit(source, now, &mut batch)?;
                    }
                    MirrorEvent::Fetched { urn }
                }
                Err(e) => failed(
                    source,
                    summary,
                    urn,
                    format!("the served spec does not parse: {e}"),
                )?,
            },
            Err(mikit_miot::Error::NotFound { .. }) => {
                summary.missing += 1;
                source
                    .store_mut()
                    .record_spec_failure(&urn, now, "not found (404)")?;
                MirrorEvent::Missing { urn }
            }
            Err(e) => failed(source, summary, urn, e.to_string())?,
        };
        on_event(&event);
    }
    commit(source, now, &mut batch)
}

/// Record a failed URN (in the store and the summary).
fn failed(
    source: &mut Source,
    summary: &mut MirrorSummary,
    urn: String,
    reason: String,
) -> Result<MirrorEvent, Error> {
    summary.failed += 1;
    let now = source.now();
    source.store_mut().record_spec_failure(&urn, now, &reason)?;
    if summary.failures.len() < MAX_FAILURES_LISTED {
        summary.failures.push((urn.clone(), reason.clone()));
    }
    Ok(MirrorEvent::Failed { urn, reason })
}

/// Write the batch in one transaction and empty it.
fn commit(
    source: &mut Source,
    now: i64,
    batch: &mut Vec<(String, String, Vec<u8>)>,
) -> Result<(), Error> {
    if batch.is_empty() {
        return Ok(());
    }
    source.store_mut().put_specs(
        now,
        batch
            .iter()
            .map(|(u, d, b)| (u.as_str(), d.as_str(), b.as_slice())),
    )?;
    batch.clear();
    Ok(())
}
