//! `mikit serve`: the local dashboard ([`mikit_web`]) on this machine's database and devices.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use clap::Args;
use mikit_app::shutdown::Shutdown;

use crate::command::{device, spec};
use crate::context::Ctx;
use crate::output;

/// Arguments of `mikit serve`.
#[derive(Debug, Args)]
pub struct Cmd {
    /// The address to listen on. Loopback by default: the dashboard shows your health data
    /// and controls your devices, so it is not for the network.
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:8787")]
    pub listen: SocketAddr,
    /// Allow a `--listen` address that is not loopback. Anyone who can reach it sees your data
    /// and can control your devices (writes still need a page this server served).
    #[arg(long)]
    pub allow_remote: bool,
    /// Open the dashboard in your web browser (with `xdg-open`).
    #[arg(long)]
    pub open: bool,
}

/// The device pages' access, built from the command line's files for each request.
struct CliDevices {
    ctx: Ctx,
}

impl mikit_web::DeviceEnv for CliDevices {
    fn open(&self) -> Result<(mikit_app::spec::Source, mikit_app::device::Access), String> {
        let source = spec::source::open(&self.ctx, false).map_err(|e| format!("{e:#}"))?;
        let access = device::transport::access(&self.ctx).map_err(|e| format!("{e:#}"))?;
        Ok((source, access))
    }
}

/// Run `mikit serve`.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    if !cmd.listen.ip().is_loopback() {
        if !cmd.allow_remote {
            anyhow::bail!(
                "{} is not a loopback address: the dashboard would show your data to the network. Use 127.0.0.1 (the default), or add --allow-remote if you mean it",
                cmd.listen
            );
        }
        output::stderr_line(&format!(
            "warning: listening on {}: anyone who can reach this address sees your health data and can control your devices",
            cmd.listen
        ));
    }
    serve_until_stopped(ctx, cmd.listen, None, cmd.open).await?;
    Ok(ExitCode::SUCCESS)
}

/// Serve the dashboard of `ctx`'s database until Ctrl-C (also `mikit demo --serve`).
pub async fn serve_until_stopped(
    ctx: &Ctx,
    listen: SocketAddr,
    today: Option<jiff::civil::Date>,
    open: bool,
) -> anyhow::Result<()> {
    let shutdown = Shutdown::on_signals();
    let running = mikit_web::start(
        mikit_web::Config {
            listen,
            database: ctx.paths.database(),
            devices: Some(Arc::new(CliDevices {
                ctx: ctx.for_server(),
            })),
            today,
        },
        &shutdown,
    )
    .await
    .context("starting the dashboard")?;
    let url = running.url();
    if ctx.out.json {
        ctx.out
            .json_line(&serde_json::json!({ "url": url, "listen": running.addr.to_string() }))?;
    } else {
        ctx.out
            .line(&format!("The dashboard is at {url} (Ctrl-C stops it)."))?;
    }
    if open {
        // A browser that cannot be started is not a failure of the server.
        if let Err(e) = std::process::Command::new("xdg-open")
            .arg(&url)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
        {
            output::stderr_line(&format!(
                "warning: could not start a browser ({e}); open {url} yourself"
            ));
        }
    }
    shutdown.wait().await;
    running.stop().await;
    Ok(())
}
