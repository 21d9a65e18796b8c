//! `mikit fit …`: the Huami / Zepp fitness cloud.

pub mod export;
pub mod login;
pub mod logout;
pub mod show;
pub mod sync;

use anyhow::Context as _;
use mikit_huami::Session;

use crate::{command::NotLoggedIn, context::Ctx};

/// The stored Huami session, or a clear "log in first" error.
pub fn require_session(ctx: &Ctx) -> anyhow::Result<Session> {
    crate::session::load::<Session>(&ctx.huami_session_path())?
        .ok_or(NotLoggedIn {
            service: "the Huami cloud",
            command: "mikit fit login",
        })
        .context("no Huami session")
}

/// Parse a `YYYY-MM-DD` flag value.
pub fn parse_date(s: &str) -> Result<jiff::civil::Date, String> {
    s.parse()
        .map_err(|_| format!("{s:?} is not a date of the form YYYY-MM-DD"))
}
