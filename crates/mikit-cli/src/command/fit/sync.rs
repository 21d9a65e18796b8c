//! `mikit fit sync`

use std::{process::ExitCode, sync::Arc, time::Instant};

use anyhow::Context as _;
use clap::Args;
use jiff::{ToSpan as _, civil::Date};
use mikit_huami::HuamiClient;

use super::{parse_date, require_session};
use crate::{command::code, context::Ctx, sync};

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
    /// Rebuild every table from the raw payloads already stored, without any network access
    /// (after upgrading mikit, to benefit from a better decoder).
    #[arg(long, conflicts_with_all = ["from", "to", "full"])]
    pub redecode: bool,
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

/// Run `mikit fit sync`.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    if cmd.redecode {
        return redecode(ctx, cmd.wait).await;
    }
    let session = require_session(ctx)?;
    let client = Arc::new(HuamiClient::new(ctx.http()?, session.clone()));
    let report = sync_account(ctx, &client, &cmd).await;
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

/// What `sync_account` did, for the summary line.
pub struct Report {
    /// The engine's outcome.
    pub outcome: sync::Outcome,
    /// The requested range (None when there was nothing to do).
    pub range: Option<(Date, Date)>,
    /// Wall time.
    pub elapsed: std::time::Duration,
    /// The database file.
    pub database: std::path::PathBuf,
}

/// Plan and run the sync of the session's account.
pub async fn sync_account(
    ctx: &Ctx,
    client: &Arc<HuamiClient>,
    cmd: &Cmd,
) -> anyhow::Result<Report> {
    let started = Instant::now();
    let session = client.session().await;
    let mut store = ctx.open_store()?;
    // One sync at a time: taken before the sync state is read, so a sync that waited
    // continues from where the other one stopped.
    let _lock = ctx.sync_lock(&store, cmd.wait).await?;
    let database = store.path().to_path_buf();
    let account = store.upsert_account("huami", &session.user_id, Some(&session.email))?;
    // The band's days are local days; "today" on a machine west of the band may be a day
    // behind, so ask for one more day. Later days cannot have data yet: asking for them would
    // only make the range look covered.
    let tomorrow = sync::today().saturating_add(1.day());
    let to = match cmd.to {
        Some(t) if t > tomorrow => {
            crate::output::stderr_line(&format!(
                "--to {t} is in the future: syncing up to {tomorrow} (tomorrow), the last day that can have data."
            ));
            tomorrow
        }
        Some(t) => t,
        None => tomorrow,
    };
    let state = if cmd.full {
        None
    } else {
        // A state whose covered range is empty (only explicit ranges with a hole before them
        // were synced) is no state: the next plain sync starts from the first day with data.
        store
            .sync_state(account, sync::STREAM)?
            .filter(|s| s.first_date.is_none_or(|f| s.synced_through >= f))
    };
    let (from, continues) = match (cmd.from, state) {
        (Some(f), s) => {
            if f > to {
                use clap::CommandFactory as _;
                crate::cli::Cli::command()
                    .error(
                        clap::error::ErrorKind::ArgumentConflict,
                        format!("--from {f} is after the last day to sync, {to}"),
                    )
                    .exit();
            }
            let joins = s.is_some_and(|s| f <= s.synced_through.saturating_add(1.day()));
            (Some(f), joins)
        }
        // Re-fetch the last two covered days: the newest ones were partial when fetched.
        // `synced_through` never passes the newest day with data; `last_date` bounds it too
        // for databases written before that rule (whose state could lie in the future).
        (None, Some(s)) => {
            let through = s
                .last_date
                .map_or(s.synced_through, |l| l.min(s.synced_through));
            (Some(through.saturating_sub(1.day())), true)
        }
        (None, None) => {
            tracing::info!("first sync: looking for the first day with data");
            let first =
                sync::discover_first_day(client, sync::EARLIEST, to, usize::from(cmd.jobs)).await?;
            (first, true)
        }
    };
    let Some(from) = from.filter(|f| *f <= to) else {
        return Ok(Report {
            outcome: sync::Outcome::default(),
            range: None,
            elapsed: started.elapsed(),
            database,
        });
    };
    let ranges = sync::chunks(from, to, i32::from(cmd.chunk_days));
    let total_days = u64::try_from((to - from).get_days() + 1).unwrap_or(0);
    tracing::info!(%from, %to, requests = ranges.len(), "syncing band data");
    let bar = crate::output::progress_bar(
        &ctx.out,
        total_days,
        "{spinner} syncing [{bar:30}] {pos}/{len} days  {elapsed} (eta {eta})",
    );
    let pb = bar.clone();
    let (outcome, _store) = sync::run(
        Arc::clone(client),
        store,
        account,
        ranges,
        continues,
        usize::from(cmd.jobs),
        move |days| {
            pb.inc(days);
        },
    )
    .await
    .with_context(|| {
        format!(
            "syncing {from}..{to} (what was saved so far is kept; run the sync again to continue)"
        )
    })?;
    bar.finish_and_clear();
    Ok(Report {
        outcome,
        range: Some((from, to)),
        elapsed: started.elapsed(),
        database,
    })
}

/// Print the one summary line (or JSON object) of a sync.
pub fn print_report(ctx: &Ctx, r: &Report) -> anyhow::Result<()> {
    let o = &r.outcome;
    if ctx.out.json {
        ctx.out.json_line(&serde_json::json!({
            "from": r.range.map(|x| x.0.to_string()), "to": r.range.map(|x| x.1.to_string()),
            "days": o.stats.days, "minutes": o.stats.minutes.saturating_sub(o.stats.trimmed), "partial_days": o.stats.partial_days,
            "rejected_days": o.rejected.iter().map(|(d, why)| serde_json::json!({"date": d, "reason": why})).collect::<Vec<_>>(),
            "requests": o.requests, "interrupted": o.interrupted,
            "seconds": r.elapsed.as_secs_f64(), "database": r.database,
        }))?;
        return Ok(());
    }
    for (date, why) in &o.rejected {
        crate::output::error_line(&format!(
            "day {date} could not be decoded and was skipped: {why}"
        ));
    }
    let Some((from, to)) = r.range else {
        ctx.out
            .line("Nothing to sync: the server has no band data for this account yet.")?;
        return Ok(());
    };
    let partial = if o.stats.partial_days > 0 {
        format!(", {} partial", o.stats.partial_days)
    } else {
        String::new()
    };
    let line = format!(
        "{} {} with data ({}{partial}) for {from}..{to} in {:.1} s ({}); database: {}",
        if o.interrupted {
            "Interrupted after saving"
        } else {
            "Synced"
        },
        crate::output::count(o.stats.days, "day"),
        crate::output::count(o.stats.minutes.saturating_sub(o.stats.trimmed), "minute"),
        r.elapsed.as_secs_f64(),
        crate::output::count(o.requests, "request"),
        r.database.display()
    );
    ctx.out.line(&line)?;
    if o.interrupted {
        ctx.out
            .line("Run `mikit fit sync` again to continue where it stopped.")?;
    }
    Ok(())
}

async fn redecode(ctx: &Ctx, wait: bool) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let mut store = ctx.open_fit_store()?;
    let _lock = ctx.sync_lock(&store, wait).await?;
    let mut total = mikit_store::WriteStats::default();
    let mut failures = Vec::new();
    let zone = sync::band_zone();
    for (account, user, _) in store.accounts("huami")? {
        let (stats, failed) = store
            .redecode(account, |item| {
                mikit_huami::decode_day_in(item, zone.as_ref())
            })
            .with_context(|| format!("re-decoding the stored days of user {user}"))?;
        total += stats;
        failures.extend(failed);
    }
    for (date, why) in &failures {
        crate::output::error_line(&format!("day {date} could not be decoded: {why}"));
    }
    if ctx.out.json {
        ctx.out.json_line(&serde_json::json!({"days": total.days, "minutes": total.minutes.saturating_sub(total.trimmed),
            "partial_days": total.partial_days, "failed_days": failures.len(), "seconds": started.elapsed().as_secs_f64()}))?;
    } else {
        ctx.out.line(&format!(
            "Re-decoded {} ({}, {} partial, {} failed) from the stored payloads in {:.1} s, without network.",
            crate::output::count(total.days, "day"),
            crate::output::count(total.minutes.saturating_sub(total.trimmed), "minute"),
            total.partial_days,
            failures.len(),
            started.elapsed().as_secs_f64()
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
