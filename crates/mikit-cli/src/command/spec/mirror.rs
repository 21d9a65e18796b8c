//! `mikit spec mirror [--status released|all] [--jobs N]`
//!
//! Downloads the instances list and every spec it names into the local cache with bounded
//! concurrency. Specs are committed in batches, so an interrupted mirror keeps what it got
//! and the next run skips every spec already cached (and, for a minute, every URN that just
//! failed). The service answering 404 for a listed URN is normal (the 2022 dump lists
//! 19,753 entries but has 18,346 spec files, `reference/miot-spec.md` §10.1): such URNs
//! count as "missing", not as failures.

use std::collections::HashSet;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, ValueEnum};
use futures_util::StreamExt as _;
use mikit_miot::{Instance, Status};

use super::source::{FAILURE_TTL, SPEC_TTL, Source};
use crate::{command::code, context::Ctx, output};

/// Which instances list to mirror.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Which {
    /// Only released entries (`status=released`).
    Released,
    /// Every entry, including debug and preview ones (`status=all`).
    All,
}

/// Arguments of `mikit spec mirror`.
#[derive(Debug, Args)]
pub struct Cmd {
    /// Which instances list to download and follow.
    #[arg(long, value_enum, default_value = "all")]
    pub status: Which,
    /// How many specs to download at the same time.
    #[arg(long, default_value_t = 16, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// Download the instances list again even if the cached one is less than 7 days old.
    #[arg(long)]
    pub refresh: bool,
}

/// What a mirror run did.
#[derive(Debug, Default, serde::Serialize)]
pub struct Summary {
    /// The list mirrored (`all` or `released`).
    pub status: String,
    /// Entries in the list.
    pub entries: usize,
    /// Distinct URNs in the list.
    pub urns: usize,
    /// Specs downloaded now.
    pub fetched: usize,
    /// Specs skipped because they were already cached.
    pub cached: usize,
    /// URNs skipped because they failed less than a minute ago.
    pub recently_failed: usize,
    /// URNs the service has no spec for (404).
    pub missing: usize,
    /// URNs that failed otherwise (network, a spec that does not parse).
    pub failed: usize,
    /// Wall time in seconds.
    pub seconds: f64,
    /// True when Ctrl-C stopped the run (what was fetched is kept).
    pub interrupted: bool,
    /// The failures (URN, reason), at most 100.
    pub failures: Vec<(String, String)>,
}

/// Specs buffered before one write transaction.
const BATCH: usize = 256;

/// Run `mikit spec mirror`.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let mut source = Source::open(ctx, false)?;
    let status = match cmd.status {
        Which::Released => Status::Released,
        Which::All => Status::All,
    };
    let key = source.list(&status, cmd.refresh).await?;
    let catalog = source.store.spec_catalog(&key)?;
    let mut seen = HashSet::new();
    let urns: Vec<String> = catalog
        .iter()
        .filter(|c| seen.insert(c.entry.type_.as_str()))
        .map(|c| c.entry.type_.clone())
        .collect();
    let now = source.now();
    let cached = source.store.cached_spec_urns(now - SPEC_TTL)?;
    let failed_recently = source.store.recent_spec_failures(now - FAILURE_TTL)?;
    let mut summary = Summary {
        status: key.clone(),
        entries: catalog.len(),
        urns: urns.len(),
        ..Summary::default()
    };
    let todo: Vec<String> = urns
        .into_iter()
        .filter(|u| {
            if cached.contains(u) {
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
    drop(catalog);

    let bar = output::progress_bar(
        &ctx.out,
        todo.len() as u64,
        "{spinner} mirroring specs [{bar:30}] {pos}/{len} ({per_sec}, eta {eta}) {msg}",
    );
    let (client, _) = source.clients()?;
    let mut results = futures_util::stream::iter(todo)
        .map(|urn| {
            let c = client.clone();
            async move {
                let r = c.instance_bytes(&urn).await;
                (urn, r)
            }
        })
        .buffer_unordered(usize::from(cmd.jobs));
    let mut pending: Vec<(String, String, Vec<u8>)> = Vec::new();
    let flush = |source: &mut Source<'_>, pending: &mut Vec<(String, String, Vec<u8>)>| {
        let n = source.store.put_specs(
            now,
            pending
                .iter()
                .map(|(u, d, b)| (u.as_str(), d.as_str(), b.as_slice())),
        );
        pending.clear();
        n
    };
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        let next = tokio::select! {
            next = results.next() => next,
            _ = &mut ctrl_c => {
                summary.interrupted = true;
                None
            }
        };
        let Some((urn, result)) = next else { break };
        bar.inc(1);
        let failure = match result {
            Ok(bytes) => match Instance::from_slice(&bytes) {
                Ok(spec) => {
                    pending.push((urn, spec.description, bytes));
                    summary.fetched += 1;
                    if pending.len() >= BATCH {
                        flush(&mut source, &mut pending)?;
                    }
                    continue;
                }
                Err(e) => Some((urn, format!("the served spec does not parse: {e}"))),
            },
            Err(mikit_miot::Error::NotFound { .. }) => {
                summary.missing += 1;
                source
                    .store
                    .record_spec_failure(&urn, now, "not found (404)")?;
                None
            }
            Err(e) => Some((urn, e.to_string())),
        };
        if let Some((urn, reason)) = failure {
            summary.failed += 1;
            source.store.record_spec_failure(&urn, now, &reason)?;
            bar.suspend(|| output::stderr_line(&format!("failed {urn}: {reason}")));
            if summary.failures.len() < 100 {
                summary.failures.push((urn, reason));
            }
        }
    }
    flush(&mut source, &mut pending)?;
    bar.finish_and_clear();
    summary.seconds = (started.elapsed().as_secs_f64() * 100.0).round() / 100.0;

    if ctx.out.json {
        ctx.out.json_line(&serde_json::to_value(&summary)?)?;
    } else {
        ctx.out.line(&format!(
            "Mirrored the {} instances list ({} entries, {} distinct specs): fetched {}, already cached {}, not on the service (404) {}, failed {}{}{} in {:.1} s.",
            summary.status,
            summary.entries,
            summary.urns,
            summary.fetched,
            summary.cached,
            summary.missing,
            summary.failed,
            if summary.recently_failed > 0 {
                format!(", skipped {} that failed in the last minute", summary.recently_failed)
            } else {
                String::new()
            },
            if summary.interrupted { " (interrupted)" } else { "" },
            summary.seconds
        ))?;
    }
    Ok(if summary.interrupted {
        ExitCode::from(code::INTERRUPTED)
    } else if summary.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
