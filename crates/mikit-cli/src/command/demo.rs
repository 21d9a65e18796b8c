//! `mikit demo`: the whole pipeline against the embedded emulator.

use std::{process::ExitCode, sync::Arc};

use anyhow::Context as _;
use clap::Args;
use jiff::ToSpan as _;
use mikit_emulator::{Emulator, EmulatorConfig};
use mikit_huami::{HuamiClient, LoginRequest};

use crate::{command::fit, context::Ctx};

/// Arguments of `mikit demo`.
#[derive(Debug, Args)]
pub struct Cmd {
    /// Days of history the emulated account has (and the demo syncs).
    #[arg(long, default_value_t = 365)]
    pub days: u32,
    /// Seed of the emulated history.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

/// Run `mikit demo`.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    // The demo never touches the user's real database or sessions: it lives in its own
    // directory (`--data-dir` if given, else `<data dir>/demo`), recreated on each run.
    let dir = match &ctx.global.data_dir {
        Some(d) => d.clone(),
        None => ctx.paths.data.join("demo"),
    };
    for stale in [
        "mikit.db",
        "mikit.db-wal",
        "mikit.db-shm",
        "state/huami-session.json",
    ] {
        let _ = std::fs::remove_file(dir.join(stale));
    }
    let say = |s: &str| {
        if ctx.out.json {
            Ok(())
        } else {
            ctx.out.line(s)
        }
    };

    let emulator = Emulator::start(EmulatorConfig {
        seed: cmd.seed,
        days: cmd.days,
        ..EmulatorConfig::default()
    })
    .await
    .context("starting the embedded emulator")?;
    say(&format!(
        "1. Started the emulator at {} ({} days of band history, seed {}).",
        emulator.endpoint(),
        cmd.days,
        cmd.seed
    ))?;
    let demo = ctx.redirected(&dir, emulator.endpoint())?;

    let info = emulator.info();
    let account = &info["accounts"]["huami"];
    let email = account["email"]
        .as_str()
        .context("the emulator did not report its Huami account")?;
    let password = account["password"]
        .as_str()
        .context("the emulator did not report its Huami password")?;
    let session =
        fit::login::login_and_save(&demo, &LoginRequest::new(email, password.into())).await?;
    say(&format!(
        "2. Logged in as {} (user {}) with the v2 encrypted login; data host {}.",
        session.email, session.user_id, session.data_host
    ))?;

    let client = Arc::new(HuamiClient::new(demo.http()?, session));
    let sync_cmd = fit::sync::Cmd {
        from: None,
        to: None,
        full: false,
        redecode: false,
        jobs: 4,
        chunk_days: 30,
    };
    let report = fit::sync::sync_account(&demo, &client, &sync_cmd).await?;
    say("3. Synced the whole history into the local database:")?;
    fit::sync::print_report(&demo, &report)?;

    let store = demo.open_store()?;
    let Some((account, user, email)) = store.accounts("huami")?.into_iter().next() else {
        anyhow::bail!("the demo sync stored no account");
    };
    let last = store
        .sync_state(account, crate::sync::STREAM)?
        .and_then(|s| s.last_date)
        .unwrap_or_else(crate::sync::today);
    let rows = store.day_rows(account, Some(last.saturating_sub(13.days())), Some(last))?;
    say("4. The last two weeks (`mikit fit show`):")?;
    fit::show::print_days(&demo, &user, email.as_deref(), &rows)?;
    let flag = format!("--data-dir {}", dir.display());
    say(&format!(
        "The demo database is {}.",
        report.database.display()
    ))?;
    say(&format!(
        "Explore it: `mikit {flag} fit show --from {}`, `mikit {flag} fit export --what minutes --format csv -o minutes.csv`.",
        last.saturating_sub(30.days())
    ))?;
    emulator.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
