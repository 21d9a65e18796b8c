//! `mikit fit …`: the Huami / Zepp fitness cloud.

pub mod dates;
pub mod devices;
pub mod export;
pub mod login;
pub mod logout;
pub mod show;
pub mod sync;
pub mod tracks;
pub mod workouts;

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

pub use dates::parse_date;
