//! `mikit emulator`

use std::{net::SocketAddr, process::ExitCode, time::Duration};

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use mikit_app::shutdown::Shutdown;
use mikit_emulator::{Emulator, EmulatorConfig, FaultSpec, SleepAnchor};

use crate::context::Ctx;

/// Which day a night's sleep is filed under (the real service has been seen doing both).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Anchor {
    /// The day you wake up (stage minutes count from the previous midnight).
    WakeDay,
    /// The day you fall asleep.
    FellAsleepDay,
}

/// Arguments of `mikit emulator`.
#[derive(Debug, Args)]
pub struct Cmd {
    /// Address to listen on. Port 0 picks a free port (printed in the JSON line).
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    pub listen: SocketAddr,
    /// Seed of the generated history: the same seed always gives the same data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Days of band history to generate, ending today.
    #[arg(long, default_value_t = 365)]
    pub days: u32,
    /// Last day of history (YYYY-MM-DD) instead of today, for reproducible runs.
    #[arg(long, value_name = "DATE", value_parser = crate::command::fit::parse_date)]
    pub today: Option<jiff::civil::Date>,
    /// Delay every answer by this many milliseconds (simulates a distant server).
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub latency_ms: u64,
    /// Inject faults into a fraction of requests: `0.1` spreads 10% over all kinds, or name
    /// them: `429=0.03,500=0.03,reset=0.02,truncate=0.01,expired=0.01`.
    #[arg(long, value_name = "SPEC")]
    pub faults: Option<FaultSpec>,
    /// The sleep-day convention of the generated data.
    #[arg(long, value_enum, default_value = "wake-day")]
    pub sleep_anchor: Anchor,
    /// Simulated Wi-Fi devices to start, each a spec-driven miIO device on UDP (listed with
    /// its address and token in the JSON line). Use `mikit miio` to talk to them.
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub devices: usize,
    /// Address of the first simulated device.
    #[arg(long, default_value = "127.0.0.1", value_name = "IP")]
    pub device_addr: std::net::IpAddr,
    /// UDP port of the simulated devices. 0 gives each device a free port on `--device-addr`.
    /// `--device-port 54321 --device-addr 127.0.0.2` gives one real-looking device per
    /// loopback address (127.0.0.2, 127.0.0.3, …), all on the real miIO port.
    #[arg(long, default_value_t = 0, value_name = "PORT")]
    pub device_port: u16,
    /// Serve MIoT spec files from this directory in addition to the bundled ones:
    /// `instances.json` replaces the instances list, `devices/*.json` (or `*.json`) named
    /// after the URN with `:` replaced by `.` add specs, `multilang/*.json` add translations.
    #[arg(long, value_name = "DIR")]
    pub spec_dir: Option<std::path::PathBuf>,
}

/// Build the emulator config from the arguments.
pub fn config(cmd: &Cmd) -> EmulatorConfig {
    let mut cfg = EmulatorConfig {
        listen: cmd.listen,
        seed: cmd.seed,
        days: cmd.days,
        today: cmd.today,
        latency: Duration::from_millis(cmd.latency_ms),
        faults: cmd.faults.clone().unwrap_or_else(FaultSpec::none),
        devices: cmd.devices,
        device_addr: cmd.device_addr,
        device_port: cmd.device_port,
        spec_dir: cmd.spec_dir.clone(),
        ..EmulatorConfig::default()
    };
    cfg.huami.sleep_anchor = match cmd.sleep_anchor {
        Anchor::WakeDay => SleepAnchor::WakeDay,
        Anchor::FellAsleepDay => SleepAnchor::FellAsleepDay,
    };
    cfg
}

/// Run `mikit emulator`: print one JSON line, then serve until Ctrl-C, SIGTERM or a kill.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    // Installed first, so a signal that comes while starting still stops cleanly.
    let shutdown = Shutdown::on_signals();
    let emulator = Emulator::start(config(&cmd))
        .await
        .context("starting the emulator")?;
    ctx.out.json_line(&emulator.info())?;
    tracing::info!(
        endpoint = emulator.endpoint(),
        "emulator serving; stop it with Ctrl-C"
    );
    shutdown.wait().await;
    emulator.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
