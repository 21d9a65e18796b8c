//! `mikit device …`: read and control a device by its name, over the LAN when it answers and
//! through the Mi Home cloud otherwise.
//!
//! The path of `mikit device get "Living room purifier" air-purifier.mode` (DESIGN "Data
//! flow"): the name → a device record (`registry`: the cloud list `mikit cloud devices`
//! stored, plus devices added by hand) → its model → its spec (`profile`: the spec cache,
//! else the spec service) → names resolved to `siid.piid` and values checked against the
//! spec → LAN if the device answers, else cloud (`transport`) → values decoded with units and
//! value-list descriptions (`reading`).
//!
//! Exit codes: 1 unknown device, property or value (nothing was sent), 3 not logged in to
//! the cloud or the device rejects the token, 4 the device cannot be reached (neither on the
//! LAN nor through the cloud), 5 the device answered with an error for some item.

pub mod action;
pub mod add;
pub mod get;
pub mod list;
pub mod profile;
pub mod reading;
pub mod registry;
pub mod remove;
pub mod set;
pub mod status;
pub mod transport;
pub mod watch;

use std::process::ExitCode;

use clap::Subcommand;

use crate::context::Ctx;

/// `mikit device …`
///
/// DEV is a device name (any case; a unique prefix is enough), a did, or an IP address
/// (`IP` or `IP:PORT`) with `--token`. PROP and ACTION are `service.property` names from the
/// device's spec (`mikit spec show MODEL` lists them) or `siid.piid` numbers.
#[derive(Debug, Subcommand)]
pub enum DeviceCommand {
    /// List the devices mikit knows: those of your Xiaomi account (as `mikit cloud devices`
    /// last listed them; `--refresh` lists them again) and those added by hand, with their
    /// model, did, address, online state and whether their spec is cached.
    List(list::Cmd),
    /// Add a device by hand with its LAN address and token (for a device the cloud does not
    /// list, or without a Xiaomi account). Without `--model` the device is asked who it is.
    Add(add::Cmd),
    /// Forget a device added by hand.
    Remove(remove::Cmd),
    /// Read every readable property of the device's spec and print it as
    /// `service.property = value unit (description)`.
    Status(status::Cmd),
    /// Read some properties.
    Get(get::Cmd),
    /// Write properties: `PROP=VALUE`. Every value is checked against the spec before anything
    /// is sent; a wrong value names the allowed range or list.
    Set(set::Cmd),
    /// Run an action with its arguments, checked against the spec before anything is sent.
    Action(action::Cmd),
    /// Poll properties and print each change (JSON lines with `--json`) until Ctrl-C.
    Watch(watch::Cmd),
}

/// Run a `mikit device` subcommand.
pub async fn run(ctx: &Ctx, cmd: DeviceCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        DeviceCommand::List(c) => list::run(ctx, c).await,
        DeviceCommand::Add(c) => add::run(ctx, c).await,
        DeviceCommand::Remove(c) => remove::run(ctx, c),
        DeviceCommand::Status(c) => status::run(ctx, c).await,
        DeviceCommand::Get(c) => get::run(ctx, c).await,
        DeviceCommand::Set(c) => set::run(ctx, c).await,
        DeviceCommand::Action(c) => action::run(ctx, c).await,
        DeviceCommand::Watch(c) => watch::run(ctx, c).await,
    }
}

/// The device answered, but failed some items (their lines were printed already).
#[derive(Debug, thiserror::Error)]
#[error("the device failed {failed} of {total} item(s)")]
pub struct ItemsFailed {
    /// Items with a non-success code.
    pub failed: usize,
    /// Items sent.
    pub total: usize,
}

/// The exit code of a `mikit device` error, if it is one of this module's: 5 for failed items.
/// Errors of the libraries underneath (miIO, Mi cloud, spec service) have their own mapping in
/// [`crate::command::exit_code`].
pub fn exit_code(err: &anyhow::Error) -> Option<u8> {
    err.chain()
        .any(|c| c.downcast_ref::<ItemsFailed>().is_some())
        .then_some(super::code::DEVICE)
}
