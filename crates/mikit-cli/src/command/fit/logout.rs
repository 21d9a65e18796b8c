//! `mikit fit logout`

use std::process::ExitCode;

use clap::Args;
use mikit_huami::Session;

use crate::context::Ctx;

/// Arguments of `mikit fit logout`.
#[derive(Debug, Args)]
pub struct Cmd {}

/// Run `mikit fit logout`.
pub async fn run(ctx: &Ctx, _cmd: Cmd) -> anyhow::Result<ExitCode> {
    let path = ctx.huami_session_path();
    let Some(session) = crate::session::load::<Session>(&path)? else {
        ctx.out
            .line("Not logged in to the Huami cloud; nothing to do.")?;
        return Ok(ExitCode::SUCCESS);
    };
    let http = ctx.http()?;
    if let Err(e) = mikit_huami::login::logout(&http, &session).await {
        // The local session goes anyway: the user asked to be logged out of this machine.
        tracing::warn!(error = %e, "the server did not confirm the logout");
        crate::output::error_line(&format!(
            "the server did not confirm the logout ({e}); the local session is deleted anyway"
        ));
    }
    crate::session::remove(&path)?;
    if ctx.out.json {
        ctx.out
            .json_line(&serde_json::json!({"logged_out": true, "email": session.email}))?;
        return Ok(ExitCode::SUCCESS);
    }
    ctx.out.line(&format!(
        "Logged out {}; the session file is deleted. Your synced data stays in the database.",
        session.email
    ))?;
    Ok(ExitCode::SUCCESS)
}
