//! `mikit cloud …`: the Xiaomi account and the Mi Home cloud.

pub mod call;
pub mod devices;
pub mod homes;
pub mod login;
pub mod logout;

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Subcommand;
use std::sync::Arc;

use mikit_micloud::{Error as CloudError, MiCloud, Region, Session, SessionSink};

use crate::{command::NotLoggedIn, context::Ctx};

/// `mikit cloud …`
///
/// Exit codes: 0 success, 1 other failure, 2 usage error, 3 login or session problem (wrong
/// password or code, expired login), 4 the cloud could not be reached, 5 the cloud answered a
/// device error (e.g. `-704042011`, device offline).
#[derive(Debug, Subcommand)]
pub enum CloudCommand {
    /// Log in to your Xiaomi account (password with captcha and two-factor code, or a QR code
    /// scanned with the Mi Home app) and keep the session in a private file.
    Login(login::Cmd),
    /// Delete the stored Xiaomi session from this machine.
    Logout(logout::Cmd),
    /// List your devices in every region (name, model, did, address, online, region) and keep
    /// the list in the local database for `mikit device`. Tokens only with `--show-tokens`.
    Devices(devices::Cmd),
    /// List your homes and their rooms.
    Homes(homes::Cmd),
    /// Call any Mi cloud API path with a JSON payload, signed with your session, and print the
    /// result.
    Call(call::Cmd),
}

/// Run a `mikit cloud` subcommand.
pub async fn run(ctx: &Ctx, cmd: CloudCommand) -> anyhow::Result<std::process::ExitCode> {
    match cmd {
        CloudCommand::Login(c) => login::run(ctx, c).await,
        CloudCommand::Logout(c) => logout::run(ctx, c),
        CloudCommand::Devices(c) => devices::run(ctx, c).await,
        CloudCommand::Homes(c) => homes::run(ctx, c).await,
        CloudCommand::Call(c) => call::run(ctx, c).await,
    }
}

/// The regions `--region all` means: those every maintained client loops over (reference
/// `mi-cloud.md` §1: python-miio, XGW3 and the official integration use cn,de,i2,ru,sg,us).
pub const DEFAULT_REGIONS: [Region; 6] = [
    Region::Cn,
    Region::De,
    Region::Us,
    Region::Ru,
    Region::Sg,
    Region::I2,
];

/// Parse `--region`: a region name, or `all`.
pub fn parse_regions(value: Option<&str>) -> anyhow::Result<Vec<Region>> {
    match value.map(str::trim) {
        None | Some("all") | Some("") => Ok(DEFAULT_REGIONS.to_vec()),
        Some(list) => list
            .split(',')
            .map(|r| r.parse::<Region>().map_err(anyhow::Error::from))
            .collect(),
    }
}

/// The session file of the Xiaomi account.
pub fn session_path(ctx: &Ctx) -> PathBuf {
    ctx.paths.state.join("xiaomi-session.json")
}

/// The stored session, or a clear "log in first" error.
pub fn require_session(ctx: &Ctx) -> anyhow::Result<Session> {
    crate::session::load::<Session>(&session_path(ctx))?
        .ok_or(NotLoggedIn {
            service: "the Xiaomi cloud",
            command: "mikit cloud login",
        })
        .context("no Xiaomi session")
}

/// A cloud client for the stored session, which renews its service token itself and saves
/// the renewed session in the session file.
pub fn client(ctx: &Ctx) -> anyhow::Result<MiCloud> {
    let session = require_session(ctx)?;
    with_sink(ctx, session)
}

/// A cloud client if there is a stored session.
pub fn optional_client(ctx: &Ctx) -> anyhow::Result<Option<MiCloud>> {
    match crate::session::load::<Session>(&session_path(ctx))? {
        Some(session) => Ok(Some(with_sink(ctx, session)?)),
        None => Ok(None),
    }
}

fn with_sink(ctx: &Ctx, session: Session) -> anyhow::Result<MiCloud> {
    let sink = SaveSession {
        path: session_path(ctx),
    };
    Ok(MiCloud::with_http(ctx.http()?, session).on_renewal(Arc::new(sink)))
}

/// Saves a renewed Xiaomi session in the 0600 session file.
struct SaveSession {
    path: PathBuf,
}

impl SessionSink for SaveSession {
    fn session_renewed(&self, session: &Session) {
        tracing::info!(
            "the Mi cloud service token expired; renewing it with the stored passToken worked, saving the new session"
        );
        if let Err(e) = crate::session::save(&self.path, session) {
            // The renewed session stays in use in this process; the next one renews again.
            crate::output::stderr_line(&format!(
                "warning: the renewed Xiaomi session could not be saved in {}: {e:#}",
                self.path.display()
            ));
        }
    }
}

/// The exit code of a cloud error: 3 for login and session problems, 4 for network ones, 5
/// for a device error the cloud reports.
pub fn exit_code(e: &CloudError) -> Option<u8> {
    use crate::command::code;
    Some(match e {
        CloudError::InvalidCredentials
        | CloudError::BadCredentials
        | CloudError::InvalidUser
        | CloudError::PackageDenied
        | CloudError::CaptchaRequired { .. }
        | CloudError::TwoFactorRequired
        | CloudError::LoginRejected { .. }
        | CloudError::TwoFactorFailed { .. }
        | CloudError::PassTokenExpired
        | CloudError::QrExpired
        | CloudError::Sts { .. }
        | CloudError::AuthExpired { .. }
        | CloudError::InvalidSignature { .. }
        | CloudError::UntrustedUrl { .. } => code::AUTH,
        CloudError::Core(e) if e.is_network() => code::NETWORK,
        CloudError::HttpStatus { status, .. } if *status >= 500 => code::NETWORK,
        CloudError::Miot { .. } => code::DEVICE,
        _ => return None,
    })
}
