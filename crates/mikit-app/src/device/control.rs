//! Commands on one device, as every front end runs them: resolve the device a person named,
//! load its spec, check what is to be sent against it, open a [`Link`], then read, write or
//! run an action and pair the answer with the spec's names, units and value descriptions.
//!
//! The order is the contract: [`prepare`] and the checks ([`Profile::readable_given`],
//! [`Profile::assignment`], [`Profile::action_call`]) come before [`Prepared::link`], so a
//! wrong name or value never reaches the device. Operations leave the link open (a watch
//! polls the same link); call [`Link::finish`] when done.

use mikit_miio::Token;
use mikit_miot::Member;
use mikit_miot::item::{ActionCall, PropWrite};
use serde_json::Value;

use super::profile::{self, Profile};
use super::reading::{self, Reading};
use super::{Access, Device, Error, Link, Route, Via, registry};
use crate::spec::Source;

/// Which device, and how to reach it.
#[derive(Clone, Debug)]
pub struct Target {
    /// A device name (any case; a unique prefix is enough), a did, or a LAN address.
    pub dev: String,
    /// How to reach it.
    pub via: Via,
    /// The LAN token of a device given by address or without a stored one.
    pub token: Option<Token>,
    /// The model of a device given by address (else the device is asked).
    pub model: Option<String>,
}

impl Target {
    /// A known device by name, reached the way `via` says.
    pub fn named(dev: impl Into<String>, via: Via) -> Self {
        Self {
            dev: dev.into(),
            via,
            token: None,
            model: None,
        }
    }
}

/// A resolved device and its spec (and the link, when one was opened to learn the model).
pub struct Prepared {
    /// The device.
    pub device: Device,
    /// Its spec.
    pub profile: Profile,
    opened: Option<(Link, Route)>,
}

impl Prepared {
    /// The link opened while preparing, or a new one the way `target.via` says, with the
    /// [`Route`] it took.
    pub async fn link(&mut self, access: &Access, target: &Target) -> Result<(Link, Route), Error> {
        match self.opened.take() {
            Some(opened) => Ok(opened),
            None => super::open(access, &self.device, target.via, target.token.clone()).await,
        }
    }
}

/// Resolve `target.dev`, learn its model if needed (asking the device with `miIO.info` on
/// the LAN), and load its spec.
pub async fn prepare(
    source: &mut Source,
    access: &Access,
    target: &Target,
) -> Result<Prepared, Error> {
    let mut device =
        registry::resolve(source.store(), &target.dev).map_err(|e| Error::Resolve(Box::new(e)))?;
    if device.model.is_none() {
        device.model.clone_from(&target.model);
    }
    let mut opened = None;
    if device.model.is_none() && device.urn.is_none() {
        if target.via == Via::Cloud {
            return Err(Error::UnknownModel { name: device.name });
        }
        let (mut link, route) =
            super::open(access, &device, Via::Lan, target.token.clone()).await?;
        let info = link.info().await?;
        device.model = Some(info.model);
        if device.did.is_none() {
            device.did = link.lan_did();
        }
        opened = Some((link, route));
    }
    let profile = profile::load(source, &device).await?;
    Ok(Prepared {
        device,
        profile,
        opened,
    })
}

/// Read `props` and pair the answer with the spec (in the order asked).
pub async fn read(
    link: &mut Link,
    profile: &Profile,
    props: &[(u32, u32)],
) -> Result<Vec<Reading>, Error> {
    let items = link.get(&reading::reads(props)).await?;
    Ok(reading::readings(profile, props, &items))
}

/// Read properties checked by [`Profile::readable_given`], each reading named as asked.
pub async fn read_named(
    link: &mut Link,
    profile: &Profile,
    props: &[(u32, u32, String)],
) -> Result<Vec<Reading>, Error> {
    let ids: Vec<(u32, u32)> = props.iter().map(|(s, p, _)| (*s, *p)).collect();
    let mut readings = read(link, profile, &ids).await?;
    for (r, (_, _, name)) in readings.iter_mut().zip(props) {
        r.name.clone_from(name);
    }
    Ok(readings)
}

/// Write values checked by [`Profile::assignment`]; each reading carries the value sent and
/// the device's code for it.
pub async fn write(
    link: &mut Link,
    profile: &Profile,
    writes: &[(u32, u32, String, Value)],
) -> Result<Vec<Reading>, Error> {
    let items = link
        .set(
            &writes
                .iter()
                .map(|(s, p, _, v)| PropWrite::from((*s, *p, v.clone())))
                .collect::<Vec<_>>(),
        )
        .await?;
    let ids: Vec<(u32, u32)> = writes.iter().map(|(s, p, _, _)| (*s, *p)).collect();
    Ok(reading::readings(profile, &ids, &items)
        .into_iter()
        .zip(writes)
        .map(|(mut r, (_, _, name, v))| {
            r.value = Some(v.clone());
            r.name.clone_from(name);
            r
        })
        .collect())
}

/// An action checked against the spec, ready to send.
#[derive(Clone, Debug)]
pub struct ActionPlan {
    /// `service.action` (the numbers when the spec does not name it).
    pub name: String,
    /// The call.
    pub call: ActionCall,
    /// The piids of the spec's `out` list, in order.
    pub out_piids: Vec<u32>,
}

/// What an action returned.
#[derive(Clone, Debug)]
pub struct ActionOutcome {
    /// The device's code (0 or 1: done).
    pub code: i64,
    /// The `out` values, named and decodable like readings.
    pub outputs: Vec<Reading>,
}

impl ActionOutcome {
    /// True when the device ran the action.
    pub fn ok(&self) -> bool {
        reading::is_ok(self.code)
    }
}

impl Profile {
    /// The action `given` (a `service.action` name, a unique action name, or `siid.aiid`)
    /// with its arguments as text, checked against the spec's `in` list.
    pub fn action_call(&self, given: &str, args: &[String]) -> Result<ActionPlan, Error> {
        // Located, not only resolved: a spec may repeat a siid (issue 9), and the action
        // belongs to the service definition its name means.
        let at = self
            .names
            .locate(Member::Action, given)
            .map_err(|source| Error::Spec {
                during: format!("looking up the action {given:?} in the spec {}", self.urn),
                source: Box::new(source),
            })?;
        let (siid, aiid) = (at.siid, at.iid);
        let name = self
            .names
            .name_at(Member::Action, &at)
            .unwrap_or_else(|| format!("{siid}.{aiid}"));
        let service = self
            .spec
            .services
            .get(at.service)
            .ok_or_else(|| Error::NotInSpec {
                urn: self.urn.clone(),
                what: format!("service {siid}"),
            })?;
        let texts: Vec<&str> = args.iter().map(String::as_str).collect();
        let args = service
            .coerce_action_in(aiid, &texts)
            .map_err(|source| Error::Spec {
                during: format!("the arguments of {name}"),
                source: Box::new(source),
            })?;
        let out_piids = service
            .action(aiid)
            .map(|a| a.out.as_slice().to_vec())
            .unwrap_or_default();
        Ok(ActionPlan {
            name,
            call: ActionCall { siid, aiid, args },
            out_piids,
        })
    }
}

/// Run a checked action.
pub async fn act(
    link: &mut Link,
    profile: &Profile,
    plan: &ActionPlan,
) -> Result<ActionOutcome, Error> {
    let mikit_miot::item::ActionResult { code, out } = link.action(&plan.call).await?;
    let siid = plan.call.siid;
    let outputs = out
        .iter()
        .enumerate()
        .map(|(i, v)| {
            // Bare values in the order of the spec's `out` piids (reference miot-spec.md §13);
            // `{"piid", "value"}` items are read too, in case a device tags them.
            let (piid, value) = match (v.get("piid").and_then(Value::as_u64), v.get("value")) {
                (Some(p), Some(value)) => (u32::try_from(p).unwrap_or(0), value.clone()),
                _ => (plan.out_piids.get(i).copied().unwrap_or(0), v.clone()),
            };
            Reading {
                name: profile.property_name(siid, piid),
                siid,
                piid,
                code: Some(0),
                value: Some(value),
            }
        })
        .collect();
    Ok(ActionOutcome { code, outputs })
}
