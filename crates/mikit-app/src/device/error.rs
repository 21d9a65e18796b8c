//! [`Error`] and [`ItemsFailed`].

use std::net::SocketAddr;

/// Why a device could not be reached or asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The device is not in the cloud list, so the cloud cannot reach it.
    #[error("{name:?} is not in the Mi Home cloud list, so it can only be reached on the LAN")]
    NotInCloud {
        /// The device's name.
        name: String,
    },
    /// The cloud is needed but there is no Xiaomi session.
    #[error("not logged in to the Xiaomi cloud: log in to the Xiaomi account first")]
    NotLoggedIn,
    /// The LAN is needed but the address or the token is missing.
    #[error("{name:?} has no {missing} for the LAN; give --token (or MIKIT_MIIO_TOKEN)")]
    NoLanAccess {
        /// The device's name.
        name: String,
        /// `address` or `token`.
        missing: &'static str,
    },
    /// The stored token is not 32 hex digits.
    #[error("the stored token of {name:?} is not 32 hex digits")]
    BadStoredToken {
        /// The device's name.
        name: String,
        /// What is wrong with it (never the token).
        #[source]
        source: mikit_miio::Error,
    },
    /// Another device answers at the device's address.
    #[error(
        "the device at {addr} is did {got}, not {want} ({name:?}); its address may have changed: run `mikit device list --refresh`"
    )]
    WrongDevice {
        /// The address.
        addr: SocketAddr,
        /// The did that answered.
        got: String,
        /// The did expected.
        want: String,
        /// The device's name.
        name: String,
    },
    /// A miIO exchange failed (`during` says which).
    #[error("{during}")]
    Lan {
        /// What was being done, e.g. `"Study fan" did not answer on the LAN at 10.0.0.5:54321`.
        during: String,
        /// The miIO error.
        #[source]
        source: mikit_miio::Error,
    },
    /// A cloud call failed (`during` says which).
    #[error("{during}")]
    Cloud {
        /// What was being done.
        during: String,
        /// The Mi cloud error.
        #[source]
        source: mikit_micloud::Error,
    },
    /// `--via auto`: the LAN did not answer and the cloud cannot be used either.
    #[error("{lan}; and the cloud cannot be used")]
    NoWay {
        /// Why the LAN failed (the whole chain, as text).
        lan: String,
        /// Why the cloud cannot be used.
        #[source]
        source: Box<Error>,
    },
    /// Asked for something only one path can do (e.g. `miIO.info` through the cloud).
    #[error("{0}")]
    Unsupported(&'static str),
    /// `DEV` names no device, or several.
    #[error(transparent)]
    Resolve(Box<super::registry::ResolveError>),
    /// The device's model is not known and cannot be asked.
    #[error("the model of {name:?} is unknown; give --model MODEL")]
    UnknownModel {
        /// The device's name.
        name: String,
    },
    /// The spec could not be found or fetched.
    #[error("{during}")]
    SpecSource {
        /// What was being done.
        during: String,
        /// The spec source's error.
        #[source]
        source: Box<crate::spec::Error>,
    },
    /// A name, value or argument does not fit the device's spec (nothing was sent).
    #[error("{during}")]
    Spec {
        /// What was being checked.
        during: String,
        /// Why it does not fit.
        #[source]
        source: Box<mikit_miot::Error>,
    },
    /// The spec lacks something its own name table points to.
    #[error("the spec {urn} has no {what}")]
    NotInSpec {
        /// The spec URN.
        urn: String,
        /// E.g. `property 2.7`.
        what: String,
    },
    /// A write not written as `PROP=VALUE`.
    #[error("{0:?} is not PROP=VALUE")]
    NotAssignment(String),
    /// The device list could not be stored or read.
    #[error("{during}")]
    Store {
        /// What was being done.
        during: &'static str,
        /// The store error.
        #[source]
        source: mikit_store::Error,
    },
}

/// The text of an error and all its causes, `a: b: c` (as `{:#}` prints an anyhow chain).
pub(crate) fn chain_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// One failed item: what it was and the device's code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemFailure {
    /// `siid.piid`, `siid.aiid`, a property name or `action`.
    pub what: String,
    /// The item code.
    pub code: i64,
}

/// The device answered, but failed some items (the LAN's `-4001`…, the cloud's `-70…`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the device rejected {} of {total} item(s): {}", failed.len(), describe(failed))]
pub struct ItemsFailed {
    /// The failed items.
    pub failed: Vec<ItemFailure>,
    /// Items sent.
    pub total: usize,
}

impl ItemsFailed {
    /// `Err` when some of `failed` failed (of `total`), else `Ok`.
    pub fn check(failed: Vec<ItemFailure>, total: usize) -> Result<(), ItemsFailed> {
        if failed.is_empty() {
            Ok(())
        } else {
            Err(ItemsFailed { failed, total })
        }
    }
}

fn describe(failed: &[ItemFailure]) -> String {
    failed
        .iter()
        .map(|f| format!("{}: {} ({})", f.what, f.code, code_meaning(f.code)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// What an item code means: the cloud's `-70xxxyzzz` grammar, else the LAN's MIoT item codes
/// (reference `miot-spec.md` §9).
pub fn code_meaning(code: i64) -> &'static str {
    if let Some(c) = mikit_micloud::miot::CloudCode::decode(code) {
        return c.reason.describe();
    }
    match code {
        0 => "success",
        1 => "accepted, not finished yet",
        -4001 => "property not readable",
        -4002 => "property not writable",
        -4003 => "property, action or event does not exist",
        -4004 => "other internal error",
        -4005 => "property value error",
        -4006 => "action `in` parameter error",
        -4007 => "did error",
        _ => "unknown code",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_failed_names_each_item_and_its_meaning() {
        let e = ItemsFailed::check(
            vec![ItemFailure {
                what: "2.5".into(),
                code: -4002,
            }],
            2,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the device rejected 1 of 2 item(s): 2.5: -4002 (property not writable)"
        );
        assert_eq!(code_meaning(-704_042_011), "device offline");
        assert!(ItemsFailed::check(Vec::new(), 3).is_ok());
    }
}
