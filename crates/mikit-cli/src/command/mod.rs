//! One module per subcommand: `struct Cmd` (its arguments) and `fn run`.

pub mod cloud;
pub mod demo;
pub mod device;
pub mod emulator;
pub mod fit;
pub mod miio;
pub mod serve;
pub mod spec;

use std::process::ExitCode;

use crate::{
    cli::{Cli, Command, FitCommand},
    context::Ctx,
};

/// Exit codes other than 0 (success) and 1 (failure).
pub mod code {
    /// A usage error: bad flags (from clap) or a missing `--config` file.
    pub const USAGE: u8 = 2;
    /// Not logged in, wrong password, expired or rejected session.
    pub const AUTH: u8 = 3;
    /// The service could not be reached or kept failing.
    pub const NETWORK: u8 = 4;
    /// A device answered with an error (miIO RPC error or a failed MIoT item).
    pub const DEVICE: u8 = 5;
    /// Interrupted by Ctrl-C (work done so far is kept).
    pub const INTERRUPTED: u8 = 130;
}

/// Run the parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut ctx = Ctx::load(cli.global)?;
    if is_long_running(&cli.command) {
        ctx.deadline_per_request();
    }
    match cli.command {
        Command::Demo(cmd) => demo::run(&ctx, cmd).await,
        Command::Emulator(cmd) => emulator::run(&ctx, cmd).await,
        Command::Serve(cmd) => serve::run(&ctx, cmd).await,
        Command::Fit(fit) => match fit {
            FitCommand::Login(cmd) => fit::login::run(&ctx, cmd).await,
            FitCommand::Logout(cmd) => fit::logout::run(&ctx, cmd).await,
            FitCommand::Sync(cmd) => fit::sync::run(&ctx, cmd).await,
            FitCommand::Show(cmd) => fit::show::run(&ctx, cmd),
            FitCommand::Export(cmd) => fit::export::run(&ctx, cmd),
            FitCommand::Workouts(cmd) => fit::workouts::run(&ctx, cmd),
            FitCommand::Devices(cmd) => fit::devices::run(&ctx, cmd).await,
        },
        Command::Miio(cmd) => miio::run(&ctx, cmd).await,
        Command::Spec(cmd) => spec::run(&ctx, cmd).await,
        Command::Cloud(cmd) => cloud::run(&ctx, cmd).await,
        Command::Device(cmd) => device::run(&ctx, cmd).await,
    }
}

/// Commands that run long or wait for a person between requests: `--timeout` bounds each of
/// their requests rather than all of them together.
fn is_long_running(command: &Command) -> bool {
    use crate::command::{cloud::CloudCommand, device::DeviceCommand, spec::SpecCommand};
    matches!(
        command,
        Command::Demo(_)
            | Command::Emulator(_)
            | Command::Serve(_)
            | Command::Miio(_)
            | Command::Fit(FitCommand::Sync(_))
            | Command::Spec(SpecCommand::Mirror(_))
            | Command::Cloud(CloudCommand::Login(_))
            | Command::Device(DeviceCommand::Watch(_))
    )
}

/// The exit code for an error: authentication problems and network problems get their own.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    use mikit_huami::Error as H;
    for cause in err.chain() {
        if let Some(code) = cause
            .downcast_ref::<mikit_micloud::Error>()
            .and_then(cloud::exit_code)
        {
            return code;
        }
    }
    if let Some(code) = miio::exit_code(err) {
        return code;
    }
    if let Some(code) = device::exit_code(err) {
        return code;
    }
    if let Some(code) = spec::exit_code(err) {
        return code;
    }
    for cause in err.chain() {
        if let Some(h) = cause.downcast_ref::<H>() {
            return match h {
                H::WrongPassword { .. }
                | H::NoRedirect { .. }
                | H::NoAccessToken { .. }
                | H::CodeRejected
                | H::AccountDisabled
                | H::AccountNotRegistered { .. }
                | H::AccountFrozen
                | H::SessionExpired
                | H::InvalidToken
                | H::LoginWrongRegion
                | H::TokenRejected { .. }
                | H::XiaomiSessionRejected => code::AUTH,
                H::Http(_) | H::RateLimited { .. } | H::UnexpectedStatus { .. } => code::NETWORK,
                _ => 1,
            };
        }
        if cause.downcast_ref::<NotLoggedIn>().is_some()
            || cause.downcast_ref::<cloud::login::NoAnswer>().is_some()
        {
            return code::AUTH;
        }
        match cause.downcast_ref::<mikit_core::Error>() {
            Some(mikit_core::Error::ConfigMissing { .. }) => return code::USAGE,
            Some(e) if e.is_network() => return code::NETWORK,
            _ => {}
        }
    }
    1
}

/// There is no stored session for a service.
#[derive(Debug, thiserror::Error)]
#[error("not logged in to {service}: run `{command}` first")]
pub struct NotLoggedIn {
    /// The service name.
    pub service: &'static str,
    /// The command that logs in.
    pub command: &'static str,
}
