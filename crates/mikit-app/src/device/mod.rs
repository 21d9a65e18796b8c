//! Reaching a device: over the LAN (miIO with its token) or through the Mi Home cloud, with
//! the same items either way ([`mikit_miot::item`]).
//!
//! The path of a command on a device named by a person ([`control`]): the name → a [`Device`]
//! record ([`registry`]: the cloud list [`refresh_cloud_devices`] stored, plus devices added
//! by hand) → its spec ([`profile`]; names and values checked against it) → a [`Link`] ([`open`]: `--via lan`, `cloud`, or `auto`, which probes the LAN and
//! remembers the choice in a file the caller names) → reads, writes and actions in batches of
//! [`BATCH`] → [`Reading`]s with the spec's names, units and value descriptions, whose failed
//! items make an [`ItemsFailed`].
//!
//! Nothing here prints or knows where files live: the caller passes the paths ([`Access`]) and
//! renders the [`Route`] a link took.

mod cloud_list;
pub mod control;
mod error;
mod link;
mod memory;
pub mod profile;
pub mod reading;
pub mod registry;

pub use cloud_list::{CloudList, refresh_cloud_devices};
pub use control::{
    ActionOutcome, ActionPlan, Prepared, Target, act, prepare, read, read_named, write,
};
pub use error::{Error, ItemFailure, ItemsFailed, code_meaning};
pub use link::{Access, BATCH, Link, PROBE, REMEMBER_SECS, Route, Via, open};
pub use memory::MessageIds;
pub use profile::Profile;
pub use reading::{Reading, items_failed};
pub use registry::{Device, LookupError, Origin};
