//! `mikit demo`: the whole pipeline against the embedded emulator.

use std::{process::ExitCode, sync::Arc};

use anyhow::Context as _;
use clap::Args;
use jiff::ToSpan as _;
use mikit_app::{fit as app_fit, shutdown::Shutdown};
use mikit_emulator::{Emulator, EmulatorConfig};
use mikit_huami::{HuamiClient, LoginRequest};
use mikit_micloud::{LoginFlow, LoginStep};

use mikit_app::device::{self as app, Via};

use crate::{
    command::{cloud, device, fit, spec},
    context::Ctx,
};

/// Arguments of `mikit demo`.
#[derive(Debug, Args)]
pub struct Cmd {
    /// Days of history the emulated account has (and the demo syncs).
    #[arg(long, default_value_t = 365)]
    pub days: u32,
    /// Seed of the emulated history.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Keep going after the demo: serve the dashboard (`mikit serve`) on the demo's data and
    /// devices at 127.0.0.1:8787 (or `--listen`) until Ctrl-C.
    #[arg(long)]
    pub serve: bool,
    /// Where `--serve` listens (loopback only).
    #[arg(
        long,
        value_name = "IP:PORT",
        default_value = "127.0.0.1:8787",
        requires = "serve"
    )]
    pub listen: std::net::SocketAddr,
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
        "state/xiaomi-session.json",
        "state/device-via.json",
        "state/miio-ids.json",
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

    let emulator = start_emulator(&cmd)
        .await
        .context("starting the embedded emulator")?;
    say(&format!(
        "1. Started the emulator at {} ({} days of band history, seed {}, {} devices).",
        emulator.endpoint(),
        cmd.days,
        cmd.seed,
        DEMO_DEVICES
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
    let started = std::time::Instant::now();
    let shutdown = Shutdown::on_signals();
    let mut progress = fit::sync::Progress::new(&demo);
    let outcome = app_fit::sync(
        client,
        demo.open_store()?,
        &app_fit::SyncOptions::default(),
        &shutdown,
        |event| progress.show(&event),
    )
    .await;
    progress.finish();
    let report = fit::sync::Report {
        outcome: outcome?,
        elapsed: started.elapsed(),
    };
    say("3. Synced the whole history into the local database:")?;
    fit::sync::print_report(&demo, &report)?;
    if report.outcome.interrupted {
        emulator.shutdown().await;
        return Ok(ExitCode::from(crate::command::code::INTERRUPTED));
    }

    let store = demo.open_store()?;
    let Some((account, user, email)) = store.accounts(app_fit::PROVIDER)?.into_iter().next() else {
        anyhow::bail!("the demo sync stored no account");
    };
    let last = store
        .sync_state(account, app_fit::Stream::BandData.name())?
        .and_then(|s| s.last_date)
        .unwrap_or_else(app_fit::today);
    let rows = store.day_rows(account, Some(last.saturating_sub(13.days())), Some(last))?;
    say("4. The last two weeks (`mikit fit show`):")?;
    let health = mikit_app::health::day_health(&store, account, &rows)?;
    fit::show::print_days(&demo, &user, email.as_deref(), &rows, &health)?;
    let flag = format!("--data-dir {}", dir.display());
    say(&format!(
        "The demo database is {}.",
        report.outcome.database.display()
    ))?;
    say(&format!(
        "Explore it: `mikit {flag} fit show --from {}`, `mikit {flag} fit workouts`, `mikit {flag} serve` (the dashboard), `mikit {flag} fit export --what minutes --format csv -o minutes.csv`.",
        last.saturating_sub(30.days())
    ))?;
    devices(&demo, &emulator).await?;
    if cmd.serve {
        if !cmd.listen.ip().is_loopback() {
            anyhow::bail!("--listen {} is not a loopback address", cmd.listen);
        }
        say("")?;
        crate::command::serve::serve_until_stopped(&demo, cmd.listen, None, false).await?;
    }
    emulator.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

/// Simulated devices in the demo's household.
const DEMO_DEVICES: usize = 4;

/// Start the emulator with [`DEMO_DEVICES`] devices, each on its own loopback address and the
/// real miIO port, as on a real LAN: the cloud lists a device's IP only, so `mikit device`
/// reaches it on port 54321. A few bases in 127.0.0.0/8 are tried in case another demo holds
/// one; without any, the devices get ephemeral ports and the demo reaches them by the cloud.
async fn start_emulator(cmd: &Cmd) -> Result<Emulator, mikit_emulator::Error> {
    let config = |addr: std::net::IpAddr, port: u16| EmulatorConfig {
        seed: cmd.seed,
        days: cmd.days,
        devices: DEMO_DEVICES,
        device_addr: addr,
        device_port: port,
        ..EmulatorConfig::default()
    };
    let spread = std::process::id();
    for attempt in 0..6u32 {
        let n = spread.wrapping_add(attempt.wrapping_mul(7919));
        // 127.64.0.1 ..= 127.127.249.1: away from the addresses tests use.
        let addr = std::net::Ipv4Addr::new(127, 64 + (n % 64) as u8, ((n / 64) % 250) as u8, 1);
        match Emulator::start(config(addr.into(), mikit_miio::PORT)).await {
            Err(mikit_emulator::Error::Bind { .. }) => continue,
            other => return other,
        }
    }
    Emulator::start(config(std::net::Ipv4Addr::LOCALHOST.into(), 0)).await
}

/// The smart-home part: log in to the emulated Xiaomi account, list its devices, read two
/// over the LAN and one through the cloud, set a property and read it back. Each step is the
/// library's ([`mikit_app::device`]), printed the way `mikit device` prints it.
async fn devices(demo: &Ctx, emulator: &Emulator) -> anyhow::Result<()> {
    let say = |s: &str| {
        if demo.out.json {
            Ok(())
        } else {
            demo.out.line(s)
        }
    };
    let info = emulator.info();
    let account = &info["accounts"]["xiaomi"];
    let (Some(user), Some(password)) = (account["user"].as_str(), account["password"].as_str())
    else {
        anyhow::bail!("the emulator did not report its Xiaomi account");
    };
    let mut flow = LoginFlow::new(demo.endpoints.clone())?;
    let LoginStep::Done(session) = flow
        .password(user, &password.to_owned().into())
        .await
        .context("logging in to the emulated Xiaomi account")?
    else {
        anyhow::bail!("the emulated Xiaomi account asked for more than a password");
    };
    crate::session::save(&cloud::session_path(demo), &session)?;
    say("")?;
    say(&format!(
        "5. Logged in to the Xiaomi account {user}; its devices in every region (`mikit device list --refresh`):"
    ))?;
    let access = device::transport::access(demo)?;
    let api = access
        .cloud
        .clone()
        .context("the Xiaomi session just saved cannot be read back")?;
    let mut source = spec::source::open(demo, false)?;
    app::refresh_cloud_devices(&api, source.store_mut(), &cloud::DEFAULT_REGIONS).await?;
    device::list::print(demo, source.store())?;

    let names: Vec<String> = info["devices"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|d| d["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let [_, light, plug, fan, ..] = names.as_slice() else {
        anyhow::bail!("the emulator runs fewer devices than the demo shows");
    };
    for (n, (dev, via, how)) in [
        (light, Via::Auto, "over the LAN"),
        (fan, Via::Auto, "over the LAN"),
        (plug, Via::Cloud, "through the cloud"),
    ]
    .into_iter()
    .enumerate()
    {
        say("")?;
        say(&format!(
            "{}. The status of {dev:?} {how} (`mikit device status \"{dev}\"{}`):",
            n + 6,
            if via == Via::Cloud {
                " --via cloud"
            } else {
                ""
            }
        ))?;
        let target = app::Target::named(dev.as_str(), via);
        let mut prepared = app::prepare(&mut source, &access, &target).await?;
        let (mut link, _) = prepared.link(&access, &target).await?;
        let props = prepared.profile.readable();
        let read = app::read(&mut link, &prepared.profile, &props).await;
        link.finish();
        let readings = read?;
        device::render::status(demo, &prepared, link.kind(), &readings)?;
    }
    say("")?;
    say(&format!(
        "9. Set a property and read it back (`mikit device set \"{fan}\" fan.fan-level=3`, then `get`):"
    ))?;
    let target = app::Target::named(fan.as_str(), Via::Auto);
    let mut prepared = app::prepare(&mut source, &access, &target).await?;
    let write = prepared.profile.assignment("fan.fan-level=3")?;
    let read = prepared.profile.readable_given(&["fan.fan-level".into()])?;
    let (mut link, _) = prepared.link(&access, &target).await?;
    let written = app::write(&mut link, &prepared.profile, &[write]).await;
    let read = match &written {
        Ok(_) => Some(app::read_named(&mut link, &prepared.profile, &read).await),
        Err(_) => None,
    };
    link.finish();
    let written = written?;
    app::items_failed(&written)?;
    let readings = read.transpose()?.unwrap_or_default();
    app::items_failed(&readings)?;
    device::render::answer(
        demo,
        &prepared,
        link.kind(),
        &written,
        device::render::print_writes,
    )?;
    device::render::answer(
        demo,
        &prepared,
        link.kind(),
        &readings,
        device::render::print_lines,
    )?;
    Ok(())
}
