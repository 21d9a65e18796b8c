//! `mikit fit sync`

use std::{process::ExitCode, sync::Arc, time::Instant};

use clap::Args;
use jiff::civil::Date;
use mikit_app::{
    fit::{self, Stream, SyncEvent},
    shutdown::Shutdown,
};
use mikit_huami::HuamiClient;

use super::{parse_date, require_session};
use crate::{command::code, context::Ctx};

/// Arguments of `mikit fit sync`.
#[derive(Debug, Args)]
pub struct Cmd {
    /// First day to download (YYYY-MM-DD). Default: where the last sync stopped (minus two
    /// days, which may have changed), or the first day the server has data for.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub from: Option<Date>,
    /// Last day to download (YYYY-MM-DD). Default and maximum: tomorrow (a later day is
    /// capped, with a message: the server has nothing for the future).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub to: Option<Date>,
    /// Download everything again instead of continuing where the last sync stopped.
    #[arg(long)]
    pub full: bool,
    /// Rebuild every table from the raw payloads already stored, band days and workouts,
    /// without any network access (after upgrading mikit, to benefit from a better decoder).
    #[arg(long, conflicts_with_all = ["from", "to", "full", "only"])]
    pub redecode: bool,
    /// Sync only these kinds of data, comma-separated: `days` (daily totals, minutes, sleep,
    /// activities), `workouts` (the workout history with each workout's track and laps),
    /// `devices` (your bands, watches and scales with their Bluetooth auth keys), `health`
    /// (SpO2, stress, PAI, HRV, readiness, respiratory rate) and `weight` (scale records).
    /// Default: all of them. --from and --to limit the days and health events, --from the
    /// weight records; the workout history is always read whole, and only new or changed
    /// workouts are downloaded.
    #[arg(long, value_name = "LIST", value_parser = parse_only)]
    pub only: Option<StreamList>,
    /// If another sync is writing to the same database, wait for it to finish and then
    /// continue (by default this sync stops with exit code 1 instead).
    #[arg(long)]
    pub wait: bool,
    /// How many requests to run at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=16))]
    pub jobs: u16,
    /// Days per request (the apps use up to 30).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u16).range(1..=60))]
    pub chunk_days: u16,
}

/// The streams of `--only`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamList(pub Vec<Stream>);

/// Parse `--only days,workouts`.
pub fn parse_only(list: &str) -> Result<StreamList, String> {
    Stream::parse_list(list)
        .map(StreamList)
        .map_err(|e| e.to_string())
}

/// Run `mikit fit sync`.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let shutdown = Shutdown::on_signals();
    if cmd.redecode {
        return redecode(ctx, cmd.wait, &shutdown).await;
    }
    let session = require_session(ctx)?;
    let client = Arc::new(HuamiClient::new(ctx.http()?, session.clone()));
    let report = sync_account(ctx, &client, &cmd.options(), &shutdown).await;
    // Save a refreshed app token even if the sync failed half-way.
    if client.session_changed() {
        crate::session::save(&ctx.huami_session_path(), &client.session().await)?;
    }
    let report = report?;
    print_report(ctx, &report)?;
    Ok(if report.outcome.interrupted {
        ExitCode::from(code::INTERRUPTED)
    } else {
        ExitCode::SUCCESS
    })
}

impl Cmd {
    /// The engine's options for these arguments.
    pub fn options(&self) -> fit::SyncOptions {
        fit::SyncOptions {
            from: self.from,
            to: self.to,
            full: self.full,
            wait: self.wait,
            jobs: usize::from(self.jobs),
            chunk_days: self.chunk_days,
            streams: self
                .only
                .as_ref()
                .map_or_else(|| Stream::ALL.to_vec(), |l| l.0.clone()),
            ..fit::SyncOptions::default()
        }
    }
}

/// What `sync_account` did, for the summary line.
pub struct Report {
    /// The engine's outcome.
    pub outcome: fit::SyncOutcome,
    /// Wall time.
    pub elapsed: std::time::Duration,
}

/// Sync the session's account with `mikit_app::fit`, showing its progress: the messages on
/// stderr and a progress bar on a terminal.
async fn sync_account(
    ctx: &Ctx,
    client: &Arc<HuamiClient>,
    options: &fit::SyncOptions,
    shutdown: &Shutdown,
) -> anyhow::Result<Report> {
    let started = Instant::now();
    let store = ctx.open_store()?;
    let mut progress = Progress::new(ctx);
    let result = fit::sync(Arc::clone(client), store, options, shutdown, |event| {
        progress.show(&event);
    })
    .await;
    progress.finish();
    let outcome = match result {
        Ok(o) => o,
        Err(fit::Error::FromAfterTo { from, to }) => {
            use clap::CommandFactory as _;
            crate::cli::Cli::command()
                .error(
                    clap::error::ErrorKind::ArgumentConflict,
                    format!("--from {from} is after the last day to sync, {to}"),
                )
                .exit();
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Report {
        outcome,
        elapsed: started.elapsed(),
    })
}

/// How the sync engine's events look on the terminal: messages on stderr and a progress bar
/// (hidden unless stderr is a terminal; see `output::progress_bar`).
pub struct Progress<'a> {
    ctx: &'a Ctx,
    bar: Option<indicatif::ProgressBar>,
}

impl<'a> Progress<'a> {
    /// Nothing shown yet.
    pub fn new(ctx: &'a Ctx) -> Self {
        Self { ctx, bar: None }
    }

    /// Show one event.
    pub fn show(&mut self, event: &SyncEvent) {
        show_progress(self.ctx, &mut self.bar, event);
    }

    /// Remove the progress bar.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

fn show_progress(ctx: &Ctx, bar: &mut Option<indicatif::ProgressBar>, event: &SyncEvent) {
    match event {
        SyncEvent::WaitingForLock { holder } if !ctx.out.quiet => {
            crate::output::stderr_line(&format!(
                "Waiting for the other sync{} to finish…",
                holder.map(|p| format!(" (pid {p})")).unwrap_or_default()
            ));
        }
        SyncEvent::LastDayCapped { requested, to } => {
            crate::output::stderr_line(&format!(
                "--to {requested} is in the future: syncing up to {to} (tomorrow), the last day that can have data."
            ));
        }
        SyncEvent::Planned { days, .. } => {
            if let Some(old) = bar.take() {
                old.finish_and_clear();
            }
            *bar = Some(crate::output::progress_bar(
                &ctx.out,
                *days,
                "{spinner} syncing [{bar:30}] {pos}/{len} days  {elapsed} (eta {eta})",
            ));
        }
        SyncEvent::RangeCommitted { days, .. } => {
            if let Some(bar) = bar {
                bar.inc(*days);
            }
        }
        SyncEvent::WorkoutsListed { to_fetch, .. } => {
            if let Some(old) = bar.take() {
                old.finish_and_clear();
            }
            *bar = Some(crate::output::progress_bar(
                &ctx.out,
                *to_fetch,
                "{spinner} workouts [{bar:30}] {pos}/{len}  {elapsed} (eta {eta})",
            ));
        }
        SyncEvent::HealthRangeCommitted {
            stream,
            from,
            through,
            ..
        } => {
            if let Some(old) = bar.take() {
                old.finish_and_clear();
            }
            tracing::info!(%stream, %from, %through, "health events saved");
        }
        SyncEvent::WorkoutCommitted { .. } => {
            if let Some(bar) = bar {
                bar.inc(1);
            }
        }
        // Rejected days are listed with the summary.
        _ => {}
    }
}

/// Print the summary lines (or JSON object) of a sync: one line per stream that ran.
pub fn print_report(ctx: &Ctx, r: &Report) -> anyhow::Result<()> {
    let interrupted = r.outcome.interrupted;
    let database = &r.outcome.database;
    let band = r.outcome.stream(Stream::BandData);
    let workouts = r.outcome.stream(Stream::Workouts);
    if ctx.out.json {
        let empty = fit::StreamOutcome::new(Stream::BandData);
        let o = band.unwrap_or(&empty);
        let mut report = serde_json::json!({
            "from": o.range.map(|x| x.0.to_string()), "to": o.range.map(|x| x.1.to_string()),
            "days": o.stats.days, "minutes": o.stats.minutes.saturating_sub(o.stats.trimmed), "partial_days": o.stats.partial_days,
            "rejected_days": o.rejected.iter().map(|r| serde_json::json!({"date": r.date, "reason": r.reason})).collect::<Vec<_>>(),
            "requests": r.outcome.streams.iter().map(|s| s.requests).sum::<u64>(), "interrupted": interrupted,
            "seconds": r.elapsed.as_secs_f64(), "database": database,
            "streams": r.outcome.streams.iter().map(|s| s.stream.option_name()).collect::<Vec<_>>(),
        });
        if let Some(w) = workouts {
            let c = w.workouts;
            report["workouts"] = serde_json::json!({
                "listed": c.listed, "pages": c.pages, "fetched": c.fetched,
                "without_detail": c.without_detail, "unchanged": c.unchanged,
                "requests": w.requests,
                "rejected": w.rejected.iter().map(|r| serde_json::json!({"item": r.date, "reason": r.reason})).collect::<Vec<_>>(),
            });
        }
        for s in &r.outcome.streams {
            if matches!(s.stream, Stream::Devices | Stream::Health | Stream::Weight) {
                let h = s.health;
                report[s.stream.option_name()] = serde_json::json!({
                    "written": h.written, "kept_from_import": h.kept, "ranges": h.ranges,
                    "empty_ranges": h.empty_ranges, "skipped": h.skipped, "with_auth_key": h.keys,
                    "requests": s.requests,
                    "from": s.range.map(|x| x.0.to_string()), "to": s.range.map(|x| x.1.to_string()),
                    "rejected": s.rejected.iter().map(|r| serde_json::json!({"item": r.date, "reason": r.reason})).collect::<Vec<_>>(),
                });
            }
        }
        ctx.out.json_line(&report)?;
        return Ok(());
    }
    // Only the last stream that ran can have been interrupted.
    let stopped = |stream: Stream| {
        interrupted && r.outcome.streams.last().is_some_and(|s| s.stream == stream)
    };
    if let Some(o) = band {
        print_band(ctx, o, stopped(Stream::BandData))?;
    }
    if let Some(w) = workouts {
        print_workouts(ctx, w, stopped(Stream::Workouts))?;
    }
    for s in &r.outcome.streams {
        if matches!(s.stream, Stream::Devices | Stream::Health | Stream::Weight) {
            print_health(ctx, s, stopped(s.stream))?;
        }
    }
    if r.outcome.streams.is_empty() && interrupted {
        ctx.out.line("Interrupted before anything was synced.")?;
    }
    ctx.out.line(&format!(
        "{} in {:.1} s; database: {}",
        if interrupted { "Stopped" } else { "Done" },
        r.elapsed.as_secs_f64(),
        database.display()
    ))?;
    if interrupted {
        ctx.out
            .line("Run `mikit fit sync` again to continue where it stopped.")?;
    }
    Ok(())
}

fn print_band(ctx: &Ctx, o: &fit::StreamOutcome, interrupted: bool) -> anyhow::Result<()> {
    for rejected in &o.rejected {
        crate::output::error_line(&format!(
            "day {} could not be decoded and was skipped: {}",
            rejected.date, rejected.reason
        ));
    }
    let Some((from, to)) = o.range else {
        ctx.out.line(if interrupted {
            "Interrupted before any day was synced."
        } else {
            "Nothing to sync: the server has no band data for this account yet."
        })?;
        return Ok(());
    };
    let partial = if o.stats.partial_days > 0 {
        format!(", {} partial", o.stats.partial_days)
    } else {
        String::new()
    };
    ctx.out.line(&format!(
        "{} {} with data ({}{partial}) for {from}..{to} ({}).",
        if interrupted {
            "Interrupted after saving"
        } else {
            "Synced"
        },
        crate::output::count(o.stats.days, "day"),
        crate::output::count(o.stats.minutes.saturating_sub(o.stats.trimmed), "minute"),
        crate::output::count(o.requests, "request"),
    ))?;
    Ok(())
}

fn print_workouts(ctx: &Ctx, w: &fit::StreamOutcome, interrupted: bool) -> anyhow::Result<()> {
    for rejected in &w.rejected {
        crate::output::error_line(&format!("{}: {}", rejected.date, rejected.reason));
    }
    let c = w.workouts;
    let without = if c.without_detail > 0 {
        format!(" ({} without a detail)", c.without_detail)
    } else {
        String::new()
    };
    ctx.out.line(&format!(
        "{} workouts: {} in the history ({}), {} downloaded{without}, {} unchanged ({}).",
        if interrupted {
            "Interrupted after saving"
        } else {
            "Synced"
        },
        c.listed,
        crate::output::count(c.pages, "page"),
        c.fetched + c.without_detail,
        c.unchanged,
        crate::output::count(w.requests, "request"),
    ))?;
    Ok(())
}

fn print_health(ctx: &Ctx, s: &fit::StreamOutcome, interrupted: bool) -> anyhow::Result<()> {
    for rejected in &s.rejected {
        crate::output::error_line(&format!("{}: {}", rejected.date, rejected.reason));
    }
    let h = s.health;
    let verb = if interrupted {
        "Interrupted after saving"
    } else {
        "Synced"
    };
    let kept = if h.kept > 0 {
        format!(", {} kept from an import", h.kept)
    } else {
        String::new()
    };
    let requests = crate::output::count(s.requests, "request");
    let line = match s.stream {
        Stream::Devices => format!(
            "{verb} {} ({} with a Bluetooth auth key; see `mikit fit devices`).",
            crate::output::count(h.written, "device"),
            h.keys
        ),
        Stream::Health => format!(
            "{verb} {} for {} ({} with nothing measured{kept}; {requests}).",
            crate::output::count(h.written, "health record"),
            s.range
                .map_or_else(|| "no range".to_owned(), |(a, b)| format!("{a}..{b}")),
            crate::output::count(h.empty_ranges, "range"),
        ),
        _ => format!(
            "{verb} {}{}{kept} ({requests}).",
            crate::output::count(h.written, "weight record"),
            if h.skipped > 0 {
                format!(" ({} with broken values skipped)", h.skipped)
            } else {
                String::new()
            }
        ),
    };
    ctx.out.line(&line)?;
    Ok(())
}

async fn redecode(ctx: &Ctx, wait: bool, shutdown: &Shutdown) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let store = ctx.open_fit_store()?;
    let options = fit::RedecodeOptions {
        wait,
        ..fit::RedecodeOptions::default()
    };
    let mut progress = Progress::new(ctx);
    let outcome = fit::redecode(store, &options, shutdown, |event| {
        progress.show(&event);
    })
    .await;
    progress.finish();
    let outcome = outcome?;
    let total = outcome.stats;
    let failures = &outcome.failed;
    for f in failures {
        crate::output::error_line(&format!(
            "day {} could not be decoded: {}",
            f.date, f.reason
        ));
    }
    for (trackid, reason) in &outcome.failed_workouts {
        crate::output::error_line(&format!("workout {trackid} could not be decoded: {reason}"));
    }
    if ctx.out.json {
        ctx.out.json_line(&serde_json::json!({"days": total.days, "minutes": total.minutes.saturating_sub(total.trimmed),
            "partial_days": total.partial_days, "failed_days": failures.len(), "workouts": outcome.workouts,
            "failed_workouts": outcome.failed_workouts.len(), "seconds": started.elapsed().as_secs_f64()}))?;
    } else {
        ctx.out.line(&format!(
            "Re-decoded {} ({}, {} partial, {} failed) and {} ({} failed) from the stored payloads in {:.1} s, without network.",
            crate::output::count(total.days, "day"),
            crate::output::count(total.minutes.saturating_sub(total.trimmed), "minute"),
            total.partial_days,
            failures.len(),
            crate::output::count(outcome.workouts, "workout"),
            outcome.failed_workouts.len(),
            started.elapsed().as_secs_f64()
        ))?;
    }
    Ok(if outcome.interrupted {
        ExitCode::from(code::INTERRUPTED)
    } else {
        ExitCode::SUCCESS
    })
}
