//! `--via` and opening a device link from the command line: the LAN-or-cloud choice itself
//! lives in [`mikit_app::device`]; this module turns the flags and files of the CLI into its
//! [`Access`] and shows the way taken with `-v`.

use clap::ValueEnum;
use mikit_app::device::{Access, Device, Link, MessageIds, Route, Via};

use crate::command::{NotLoggedIn, cloud};
use crate::context::Ctx;
use crate::output;

/// `--via`
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ViaArg {
    /// The LAN when the device answers within a second, else the cloud.
    Auto,
    /// Only the LAN (miIO, UDP 54321, with the device's token).
    Lan,
    /// Only the Mi Home cloud (needs `mikit cloud login`).
    Cloud,
}

impl From<ViaArg> for Via {
    fn from(v: ViaArg) -> Self {
        match v {
            ViaArg::Auto => Via::Auto,
            ViaArg::Lan => Via::Lan,
            ViaArg::Cloud => Via::Cloud,
        }
    }
}

/// The miIO message ids kept between runs (`miio-ids.json` in the state directory).
pub fn message_ids(ctx: &Ctx) -> MessageIds {
    MessageIds::at(ctx.paths.state.join("miio-ids.json"))
}

/// What the library needs to reach devices for this process.
pub fn access(ctx: &Ctx) -> anyhow::Result<Access> {
    Ok(Access {
        cloud: cloud::optional_client(ctx)?,
        via_memory: ctx.paths.state.join("device-via.json"),
        ids: message_ids(ctx),
    })
}

/// The library's error, with the CLI's "log in first" hint when the cloud needs a session.
pub fn not_logged_in(e: mikit_app::device::Error) -> anyhow::Error {
    match e {
        mikit_app::device::Error::NotLoggedIn => anyhow::Error::new(NotLoggedIn {
            service: "the Xiaomi cloud",
            command: "mikit cloud login",
        })
        .context("no Xiaomi session"),
        e => e.into(),
    }
}

/// With `-v`, the way a link took and why.
pub fn show_route(ctx: &Ctx, device: &Device, link: &Link, route: &Route) {
    if ctx.global.verbose > 0 {
        output::stderr_line(&describe(device, link, route));
    }
}

/// `Study fan: via LAN (10.0.0.5:54321)`, `Study fan: via cloud (remembered: …)`.
fn describe(device: &Device, link: &Link, route: &Route) -> String {
    let name = &device.name;
    match (link, route) {
        (Link::Lan { addr, .. }, _) => format!("{name}: via LAN ({addr})"),
        (Link::Cloud { .. }, Route::Remembered { age_secs }) => format!(
            "{name}: via cloud (remembered: the LAN did not answer {age_secs} s ago; --via lan tries it)"
        ),
        (Link::Cloud { .. }, Route::NoLanAccess) => {
            format!("{name}: via cloud (no LAN address or token)")
        }
        (Link::Cloud { .. }, Route::LanSilent { reason }) => {
            format!("{name}: via cloud ({reason})")
        }
        (Link::Cloud { .. }, _) => format!("{name}: via cloud"),
    }
}
