//! `mikit device …`: read and control a device by its name, over the LAN when it answers and
//! through the Mi Home cloud otherwise.
//!
//! The path of `mikit device get "Living room purifier" air-purifier.mode` (DESIGN "Data
//! flow"): the name → a device record (`registry`: the cloud list `mikit cloud devices`
//! stored, plus devices added by hand) → its model → its spec (the spec cache, else the spec
//! service) → names resolved to `siid.piid` and values checked against the spec → LAN if the
//! device answers, else cloud → values decoded with units and value-list descriptions. All of
//! that is [`mikit_app::device::control`]; these modules parse the flags (`target`), open the
//! link with `-v` output (`transport`) and print (`render`).
//!
//! Exit codes: 1 unknown device, property or value (nothing was sent), 3 not logged in to
//! the cloud or the device rejects the token, 4 the device cannot be reached (neither on the
//! LAN nor through the cloud), 5 the device answered with an error for some item.

pub mod action;
pub mod add;
pub mod get;
pub mod list;
pub mod remove;
pub mod render;
pub mod set;
pub mod status;
pub mod target;
pub mod transport;
pub mod watch;

use std::process::ExitCode;

use clap::Subcommand;
use mikit_app::device::ItemsFailed;

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

/// The exit code of a device-access error: 5 for failed items, 3 when the cloud is needed
/// without a session. Errors of the libraries underneath (miIO, Mi cloud, spec service) have
/// their own mapping in [`crate::command::exit_code`].
pub fn exit_code(err: &anyhow::Error) -> Option<u8> {
    use mikit_app::device::Error as E;
    err.chain().find_map(|c| {
        if c.downcast_ref::<ItemsFailed>().is_some() {
            return Some(super::code::DEVICE);
        }
        match c.downcast_ref::<E>() {
            Some(E::NotLoggedIn) => Some(super::code::AUTH),
            _ => None,
        }
    })
}
