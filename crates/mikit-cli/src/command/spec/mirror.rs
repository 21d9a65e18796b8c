//! `mikit spec mirror [--status released|all] [--jobs N]`
//!
//! Runs the mirror engine ([`mikit_app::spec::mirror`]: bounded concurrency, batched
//! commits, resumable) with a progress bar, Ctrl-C through [`Shutdown`], and prints its
//! summary.

use std::process::ExitCode;

use clap::{Args, ValueEnum};
use mikit_app::shutdown::Shutdown;
use mikit_app::spec::{MirrorEvent, MirrorOptions};
use mikit_miot::Status;

use super::source;
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

/// Run `mikit spec mirror`.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let mut source = source::open(ctx, false)?;
    let options = MirrorOptions {
        status: match cmd.status {
            Which::Released => Status::Released,
            Which::All => Status::All,
        },
        jobs: usize::from(cmd.jobs),
        refresh_list: cmd.refresh,
    };
    let stop = Shutdown::on_signals();
    let mut bar = None;
    let summary = mikit_app::spec::mirror(&mut source, &options, &stop, |event| {
        let bar = bar.get_or_insert_with(|| {
            output::progress_bar(
                &ctx.out,
                0,
                "{spinner} mirroring specs [{bar:30}] {pos}/{len} ({per_sec}, eta {eta}) {msg}",
            )
        });
        match event {
            MirrorEvent::Planned { todo } => {
                bar.set_length(u64::try_from(*todo).unwrap_or(u64::MAX));
            }
            MirrorEvent::Failed { urn, reason } => {
                bar.inc(1);
                bar.suspend(|| output::stderr_line(&format!("failed {urn}: {reason}")));
            }
            _ => bar.inc(1),
        }
    })
    .await?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }

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
