//! `mikit device remove NAME`: forget a device added by hand.

use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use crate::context::Ctx;

/// Arguments of `mikit device remove`.
#[derive(Debug, Args)]
pub struct Cmd {
    /// The name it was added with (any case).
    #[arg(value_name = "NAME")]
    pub name: String,
}

/// Run `mikit device remove`.
pub fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let mut store = ctx.read_store()?;
    if !store.remove_manual_device(&cmd.name)? {
        let in_cloud = store
            .all_cloud_devices()?
            .iter()
            .any(|d| d.name.eq_ignore_ascii_case(&cmd.name));
        if in_cloud {
            anyhow::bail!(
                "{:?} comes from the Mi Home cloud list, not from `mikit device add`; remove it in the Mi Home app",
                cmd.name
            );
        }
        anyhow::bail!("no device was added by hand as {:?}", cmd.name);
    }
    if ctx.out.json {
        ctx.out.json_line(&json!({"removed": cmd.name}))?;
    } else {
        ctx.out.line(&format!("Removed {}.", cmd.name))?;
    }
    Ok(ExitCode::SUCCESS)
}
