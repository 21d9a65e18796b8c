//! Argument definitions (clap). Implementations live in `command/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// mikit gives you back your own Xiaomi-ecosystem data and devices. Fitness: your Mi Band /
/// Amazfit history from the Huami (Mi Fit, Zepp Life, Zepp) cloud in a local database you own,
/// exported to the formats other tools read. Smart home: your Mi Home devices read and controlled
/// by name, directly on the LAN with their token (miIO) or through the Mi Home cloud, with names,
/// units and value descriptions from each model's MIoT specification.
///
/// Start with `mikit demo` to see the whole pipeline against the built-in emulator. Then, with your
/// own accounts: `mikit fit login` and `mikit fit sync` for your fitness history; `mikit cloud
/// login`, `mikit device list` and `mikit device status NAME` for your devices.
#[derive(Debug, Parser)]
#[command(
    name = "mikit",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags accepted by every command.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// Read settings from this TOML file instead of the default `~/.config/mikit/config.toml`.
    #[arg(long, global = true, value_name = "FILE", env = "MIKIT_CONFIG")]
    pub config: Option<PathBuf>,
    /// Keep the database, sessions and caches in this directory instead of the XDG directories.
    #[arg(long, global = true, value_name = "DIR", env = "MIKIT_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Send every request to this base URL (an emulator) instead of the real services:
    /// `https://HOST/PATH` is requested as `URL/HOST/PATH`.
    #[arg(long, global = true, value_name = "URL", env = "MIKIT_ENDPOINT")]
    pub endpoint: Option<String>,
    /// Give up on the network after SECS seconds (default 30, or `timeout =` in the config).
    /// Most commands get SECS for all their requests together, counted from the first one;
    /// long commands (fit sync, spec mirror, device watch, cloud login, demo) give each
    /// request SECS, retries included. Errors name the host (or `--endpoint` URL) that did
    /// not answer. Give it before the command (`mikit --timeout 10 fit show`): `mikit miio`
    /// has its own `--timeout` for each device answer.
    #[arg(long, value_name = "SECS", env = "MIKIT_TIMEOUT",
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout: Option<u64>,
    /// Print machine-readable JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    /// Log more (-v: info, -vv: debug, -vvv: trace). `RUST_LOG` overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole pipeline against the built-in emulator: start it, log in, sync, and show
    /// the last two weeks. Touches nothing of your real data.
    Demo(crate::command::demo::Cmd),
    /// Run the emulator of every service mikit talks to (the Huami cloud, the Xiaomi account
    /// and Mi Home cloud, the MIoT spec service, and miIO devices on the LAN) until killed.
    /// Prints one JSON line with its endpoint, accounts and devices first.
    Emulator(crate::command::emulator::Cmd),
    /// Serve a local dashboard of your synced health data and your devices in the web browser
    /// (overview, activity, sleep, heart rate, workouts, devices, data coverage; each page also
    /// as JSON under /api/). Listens on 127.0.0.1:8787 until Ctrl-C; works offline.
    Serve(crate::command::serve::Cmd),
    /// Fitness data from the Huami / Zepp cloud (Mi Band, Amazfit): log in, sync, show, export.
    #[command(subcommand)]
    Fit(FitCommand),
    /// Talk to a Wi-Fi device directly on your LAN with its token (the miIO protocol, UDP
    /// 54321): discover, info, call any method, benchmark, or simulate a device. Exit codes:
    /// 3 the device rejects the token, 4 it cannot be reached, 5 it answered with an error.
    #[command(subcommand)]
    Miio(crate::command::miio::MiioCommand),
    /// MIoT specifications (what every Xiaomi device model can do) from the spec service,
    /// cached locally so they work offline: search models, show a spec, list standard
    /// types, validate spec files, mirror the whole catalog. Exit codes: 1 not found or
    /// invalid, 4 the spec service cannot be reached and nothing usable is cached.
    #[command(subcommand)]
    Spec(crate::command::spec::SpecCommand),
    /// The Mi Home cloud: log in to your Xiaomi account (password, captcha, two-factor code or
    /// QR), list your devices with their LAN tokens in every region, your homes and rooms, and
    /// call any cloud API path. Exit codes: 3 login or session problem, 4 the cloud cannot be
    /// reached, 5 the cloud reports a device error (e.g. the device is offline).
    #[command(subcommand)]
    Cloud(crate::command::cloud::CloudCommand),
    /// Read and control a device by its name: list the devices, show every property with
    /// units and descriptions, get and set properties, run actions, watch changes. Over the
    /// LAN when the device answers, else through the Mi Home cloud. Exit codes: 1 unknown
    /// device, property or value (nothing was sent), 3 not logged in or the token is
    /// rejected, 4 the device cannot be reached, 5 the device answered with an error.
    #[command(subcommand)]
    Device(crate::command::device::DeviceCommand),
}

/// `mikit fit …`
#[derive(Debug, Subcommand)]
pub enum FitCommand {
    /// Log in to the Huami / Zepp cloud with your e-mail and password and keep the session.
    Login(crate::command::fit::login::Cmd),
    /// Log out: revoke the session on the server and delete it locally.
    Logout(crate::command::fit::logout::Cmd),
    /// Download your history into the local database. Incremental: only what is new (and the
    /// last two days, which change) is fetched. Safe to interrupt and run again.
    Sync(crate::command::fit::sync::Cmd),
    /// Show a table of days: steps, distance, calories, sleep and heart rate.
    Show(crate::command::fit::show::Cmd),
    /// Export days, minutes, sleep, activities, heart rate or workouts as CSV or JSON lines,
    /// or every workout's track as a GPX, TCX or FIT file for Garmin Connect, Strava and
    /// others.
    Export(crate::command::fit::export::Cmd),
    /// List the stored workouts (start, sport, time, distance, pace, heart rate, calories,
    /// GPS track), or show one with its laps and pauses.
    Workouts(crate::command::fit::workouts::Cmd),
    /// List the account's bands, watches and scales as the Huami cloud knows them; with
    /// `--show-keys`, each band's Bluetooth auth key for pairing it with Gadgetbridge.
    Devices(crate::command::fit::devices::Cmd),
}
