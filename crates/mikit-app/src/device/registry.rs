//! The devices mikit knows, and how `DEV` picks one: a did, a name (any case, or a unique
//! prefix of one), or an IP address.
//!
//! Two sources: the cloud list as `mikit cloud devices` last stored it, and the devices added
//! by hand (`mikit device add`). A device given by address that neither source knows is used
//! as is, with the token and model from the command line.

use std::net::{IpAddr, SocketAddr};

use mikit_core::Secret;
use mikit_store::{CloudDevice, ManualDevice, Store};

use super::Error;

/// `IP` or `IP:PORT` (port 54321 when omitted).
pub fn parse_addr(s: &str) -> Result<SocketAddr, String> {
    if let Ok(sa) = s.parse::<SocketAddr>() {
        return Ok(sa);
    }
    s.parse::<IpAddr>()
        .map(|ip| SocketAddr::new(ip, mikit_miio::PORT))
        .map_err(|_| format!("`{s}` is not an IP address or IP:PORT"))
}

/// Where a device record comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The Mi Home cloud list.
    Cloud,
    /// Added by hand.
    Manual,
    /// Given by address on the command line.
    Address,
}

impl Origin {
    /// `cloud`, `manual`, `address`.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Cloud => "cloud",
            Origin::Manual => "manual",
            Origin::Address => "address",
        }
    }
}

/// One device: what is needed to reach it and to find its spec.
#[derive(Clone, Debug)]
pub struct Device {
    /// Its name (for a device given by address, the address).
    pub name: String,
    /// Where the record comes from.
    pub origin: Origin,
    /// Device id, if known.
    pub did: Option<String>,
    /// Model, if known.
    pub model: Option<String>,
    /// The spec URN, if the cloud sent it.
    pub urn: Option<String>,
    /// LAN address, if known.
    pub addr: Option<SocketAddr>,
    /// The miIO token (32 hex), if known.
    pub token: Option<Secret<String>>,
    /// The cloud region that lists it.
    pub region: Option<String>,
    /// Online as the cloud last saw it.
    pub online: Option<bool>,
}

impl From<CloudDevice> for Device {
    fn from(d: CloudDevice) -> Self {
        Device {
            addr: d.ip.as_deref().and_then(|ip| parse_addr(ip).ok()),
            name: d.name,
            origin: Origin::Cloud,
            did: Some(d.did),
            model: Some(d.model),
            urn: d.urn.filter(|u| !u.is_empty()),
            token: d.token.map(Secret::new),
            region: Some(d.region),
            online: d.online,
        }
    }
}

impl From<ManualDevice> for Device {
    fn from(d: ManualDevice) -> Self {
        Device {
            addr: d.ip.parse().ok().map(|ip| SocketAddr::new(ip, d.port)),
            name: d.name,
            origin: Origin::Manual,
            did: d.did,
            model: d.model,
            urn: None,
            token: Some(Secret::new(d.token)),
            region: None,
            online: None,
        }
    }
}

/// Every known device: the cloud list first, then the hand-added ones.
pub fn known(store: &Store) -> Result<Vec<Device>, Error> {
    let during = "reading the known devices";
    let store_err = |source| Error::Store { during, source };
    let mut out: Vec<Device> = store
        .all_cloud_devices()
        .map_err(store_err)?
        .into_iter()
        .map(Device::from)
        .collect();
    out.extend(
        store
            .manual_devices()
            .map_err(store_err)?
            .into_iter()
            .map(Device::from),
    );
    Ok(out)
}

/// `DEV` did not pick exactly one device.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    /// No device has this did, name or name prefix.
    #[error("no device is called {given:?} or has it as did{hint}")]
    NotFound {
        /// What was given.
        given: String,
        /// A did-you-mean or the way to list devices.
        hint: String,
    },
    /// Several devices start with this name.
    #[error("{given:?} could mean {}; give more of the name", .candidates.join(", "))]
    Ambiguous {
        /// What was given.
        given: String,
        /// The names it matches.
        candidates: Vec<String>,
    },
}

/// Pick the device `given` names among `devices`: did, then exact name (any case), then a
/// unique name prefix (any case).
pub fn find(devices: &[Device], given: &str) -> Result<Device, LookupError> {
    let g = given.trim();
    if let Some(d) = devices.iter().find(|d| d.did.as_deref() == Some(g)) {
        return Ok(d.clone());
    }
    let lower = g.to_lowercase();
    let exact: Vec<&Device> = devices
        .iter()
        .filter(|d| d.name.to_lowercase() == lower)
        .collect();
    if let [one] = exact.as_slice() {
        return Ok((*one).clone());
    }
    let pool = if exact.is_empty() {
        devices
            .iter()
            .filter(|d| !lower.is_empty() && d.name.to_lowercase().starts_with(&lower))
            .collect()
    } else {
        exact
    };
    match pool.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(LookupError::NotFound {
            given: given.to_owned(),
            hint: hint(devices, &lower),
        }),
        many => Err(LookupError::Ambiguous {
            given: given.to_owned(),
            candidates: many
                .iter()
                .map(|d| match &d.did {
                    Some(did) => format!("{:?} (did {did})", d.name),
                    None => format!("{:?}", d.name),
                })
                .collect(),
        }),
    }
}

/// `; did you mean "Kitchen lamp"?`, or how to see the list.
fn hint(devices: &[Device], lower: &str) -> String {
    if devices.is_empty() {
        return "; no devices are known yet: run `mikit cloud login` and `mikit device list --refresh`, or `mikit device add`".into();
    }
    let close = devices
        .iter()
        .map(|d| (distance(lower, &d.name.to_lowercase()), d))
        .filter(|(dist, _)| *dist <= (lower.chars().count() / 3).max(2))
        .min_by_key(|(dist, _)| *dist);
    match close {
        Some((_, d)) => format!("; did you mean {:?}?", d.name),
        None => "; `mikit device list` shows the known devices".into(),
    }
}

/// Levenshtein distance over chars (names are short).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let best = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
            cur.push(best);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Why `DEV` could not be resolved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// The store could not be read.
    #[error(transparent)]
    Device(#[from] Error),
    /// The name picks no device or several.
    #[error(transparent)]
    Lookup(#[from] LookupError),
}

/// Resolve `DEV` against the store: a known device by did or name, or (for an address) the
/// known device at that address, else a bare device at that address.
pub fn resolve(store: &Store, given: &str) -> Result<Device, ResolveError> {
    let devices = known(store)?;
    if let Ok(addr) = parse_addr(given.trim()) {
        let explicit_port = given.trim().parse::<SocketAddr>().is_ok();
        let same = devices.iter().find(|d| {
            d.addr
                .is_some_and(|a| a.ip() == addr.ip() && (!explicit_port || a.port() == addr.port()))
        });
        return Ok(match same {
            Some(d) => d.clone(),
            None => Device {
                name: addr.to_string(),
                origin: Origin::Address,
                did: None,
                model: None,
                urn: None,
                addr: Some(addr),
                token: None,
                region: None,
                online: None,
            },
        });
    }
    Ok(find(&devices, given)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(name: &str, did: &str) -> Device {
        Device {
            name: name.into(),
            origin: Origin::Cloud,
            did: Some(did.into()),
            model: Some("m".into()),
            urn: None,
            addr: None,
            token: Some(Secret::new("00112233445566778899aabbccddeeff".into())),
            region: Some("cn".into()),
            online: Some(true),
        }
    }

    #[test]
    fn did_name_and_prefix() {
        let all = [
            dev("Living room purifier", "100"),
            dev("Bedroom ceiling light", "200"),
            dev("Bedroom lamp", "300"),
        ];
        assert_eq!(find(&all, "200").unwrap().name, "Bedroom ceiling light");
        assert_eq!(
            find(&all, "living ROOM purifier").unwrap().did.unwrap(),
            "100"
        );
        assert_eq!(find(&all, "liv").unwrap().did.unwrap(), "100");
        assert_eq!(find(&all, "bedroom l").unwrap().did.unwrap(), "300");
        let e = find(&all, "bed").unwrap_err().to_string();
        assert!(
            e.contains("Bedroom ceiling light") && e.contains("did 300"),
            "{e}"
        );
        let e = find(&all, "Bedrom lamp").unwrap_err().to_string();
        assert!(e.contains("did you mean \"Bedroom lamp\""), "{e}");
        let e = find(&all, "garage door").unwrap_err().to_string();
        assert!(e.contains("mikit device list"), "{e}");
        assert!(
            find(&[], "x")
                .unwrap_err()
                .to_string()
                .contains("mikit device add")
        );
        assert!(find(&all, "").is_err());
    }

    #[test]
    fn debug_hides_the_token() {
        let s = format!("{:?}", dev("x", "1"));
        assert!(!s.contains("00112233"), "{s}");
    }
}
