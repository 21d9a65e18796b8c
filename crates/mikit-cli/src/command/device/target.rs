//! `DEV` and the flags that say how to reach it, shared by status, get, set, action and
//! watch; and the start of each of those commands: [`prepare`] (resolve, model, spec) and
//! [`Session::link`] (open the way to the device, shown with `-v`). The work itself is
//! [`mikit_app::device::control`].

use clap::Args;
use mikit_app::device::{Access, Link, Prepared};

use super::transport::{self, ViaArg};
use crate::command::miio::TokenArg;
use crate::command::spec::source;
use crate::context::Ctx;

/// Which device, and how to reach it (shared by status, get, set, action and watch).
#[derive(Debug, Args, Clone)]
pub struct Target {
    /// The device: its name (any case; a unique prefix is enough), its did, or its LAN
    /// address (`IP` or `IP:PORT`, with `--token`).
    #[arg(value_name = "DEV")]
    pub dev: String,
    /// How to reach the device: `lan` (miIO with its token), `cloud` (the Mi Home cloud;
    /// needs `mikit cloud login`), or `auto`: the LAN when the device answers within a
    /// second, else the cloud. The choice is shown with `-v` and remembered for ten minutes.
    #[arg(long, value_enum, default_value = "auto", value_name = "HOW")]
    pub via: ViaArg,
    /// The LAN token (32 hex digits) of a device given by address, or of a known device
    /// without a stored token. The environment variable keeps it out of your shell history.
    /// It is never printed.
    #[arg(
        long,
        value_name = "HEX",
        env = "MIKIT_MIIO_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<TokenArg>,
    /// The model of a device given by address (e.g. `zhimi.airpurifier.ma4`); without it the
    /// device is asked.
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
}

impl Target {
    /// The library's target (the token checked, never shown).
    pub fn to_app(&self) -> anyhow::Result<mikit_app::device::Target> {
        Ok(mikit_app::device::Target {
            dev: self.dev.clone(),
            via: self.via.into(),
            token: self.token.as_ref().map(TokenArg::token).transpose()?,
            model: self.model.clone(),
        })
    }
}

/// A prepared device command: the device and its spec, and what opening a link needs.
pub struct Session {
    /// The device and its spec.
    pub prepared: Prepared,
    access: Access,
    target: mikit_app::device::Target,
}

/// Resolve `target.dev`, learn its model if needed, and load its spec.
pub async fn prepare(ctx: &Ctx, target: &Target) -> anyhow::Result<Session> {
    prepare_app(ctx, target.to_app()?).await
}

/// [`prepare`] for a target built in code (`mikit demo`).
pub async fn prepare_app(ctx: &Ctx, target: mikit_app::device::Target) -> anyhow::Result<Session> {
    let mut source = source::open(ctx, false)?;
    let access = transport::access(ctx)?;
    let prepared = mikit_app::device::prepare(&mut source, &access, &target)
        .await
        .map_err(transport::not_logged_in)?;
    Ok(Session {
        prepared,
        access,
        target,
    })
}

impl Session {
    /// Open the way to the device; with `-v`, say which way and why.
    pub async fn link(&mut self, ctx: &Ctx) -> anyhow::Result<Link> {
        let (link, route) = self
            .prepared
            .link(&self.access, &self.target)
            .await
            .map_err(transport::not_logged_in)?;
        transport::show_route(ctx, &self.prepared.device, &link, &route);
        Ok(link)
    }
}
