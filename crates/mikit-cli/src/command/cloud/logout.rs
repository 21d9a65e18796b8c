//! `mikit cloud logout`

use std::process::ExitCode;

use clap::Args;

use super::session_path;
use crate::context::Ctx;

/// Arguments of `mikit cloud logout`.
#[derive(Debug, Args)]
pub struct Cmd {}

/// Run `mikit cloud logout`: delete the session file (the Xiaomi account has no documented
/// logout call for this kind of session; the stored passToken simply stops being used).
pub fn run(ctx: &Ctx, _cmd: Cmd) -> anyhow::Result<ExitCode> {
    let path = session_path(ctx);
    let removed = crate::session::remove(&path)?;
    if ctx.out.json {
        ctx.out
            .json_line(&serde_json::json!({"logged_out": removed, "session_file": path}))?;
    } else if removed {
        ctx.out.line(&format!(
            "Logged out of the Xiaomi cloud; {} is deleted. Your device list stays in the database.",
            path.display()
        ))?;
    } else {
        ctx.out
            .line("Not logged in to the Xiaomi cloud; nothing to do.")?;
    }
    Ok(ExitCode::SUCCESS)
}
