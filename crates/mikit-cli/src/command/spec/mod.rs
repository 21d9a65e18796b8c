//! `mikit spec …`: MIoT specifications from the spec service (`miot-spec.org`), cached in the
//! local database so that everything works offline once fetched.

pub mod mirror;
pub mod search;
pub mod show;
pub mod source;
pub mod types;
pub mod validate;

use std::process::ExitCode;

use clap::Subcommand;

use crate::context::Ctx;

/// `mikit spec …`
#[derive(Debug, Subcommand)]
pub enum SpecCommand {
    /// Find device models by model name, device type or description. Exact model names rank
    /// first, then model prefixes, then device-type words, then spec descriptions. Uses the
    /// cached instances list (fetched on first use, refreshed after 7 days).
    Search(search::Cmd),
    /// Show what a device can do: its services with their properties (format, access, range
    /// or allowed values, unit), actions (inputs and outputs) and events. Takes a model
    /// (`zhimi.airpurifier.ma4`) or a full device URN. With `--json` the spec is printed
    /// exactly as the service sent it.
    Show(show::Cmd),
    /// List the standard types of one kind (device, service, property, action or event), or
    /// show the definition of one type.
    Types(types::Cmd),
    /// Check spec files (or an instances list): that they parse, round-trip, and follow the
    /// spec conventions. Prints one line per file; exits with 1 if any file is invalid.
    Validate(validate::Cmd),
    /// Download the instances list and every spec it names into the local cache, so that
    /// `mikit spec` works offline. Resumable: specs already cached are
    /// skipped. A spec that fails is reported and does not stop the others. Exits with 1 if
    /// any spec failed for another reason than "the service has no such spec" (404).
    Mirror(mirror::Cmd),
}

/// Run a `mikit spec` command.
pub async fn run(ctx: &Ctx, cmd: SpecCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        SpecCommand::Search(cmd) => search::run(ctx, cmd).await,
        SpecCommand::Show(cmd) => show::run(ctx, cmd).await,
        SpecCommand::Types(cmd) => types::run(ctx, cmd).await,
        SpecCommand::Validate(cmd) => validate::run(ctx, cmd),
        SpecCommand::Mirror(cmd) => mirror::run(ctx, cmd).await,
    }
}

/// The exit code for a spec-service error: 4 when the service could not be reached (and
/// nothing usable was cached), `None` for the others.
pub fn exit_code(err: &anyhow::Error) -> Option<u8> {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<mikit_app::spec::Error>() {
            return e.is_unavailable().then_some(super::code::NETWORK);
        }
        if let Some(e) = cause.downcast_ref::<mikit_miot::Error>() {
            return match e {
                mikit_miot::Error::Http(_) | mikit_miot::Error::Status { .. } => {
                    Some(super::code::NETWORK)
                }
                _ => None,
            };
        }
    }
    None
}
