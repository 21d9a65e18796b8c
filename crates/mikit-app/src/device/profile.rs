//! What a device can do: its spec (from the spec cache, else the spec service, through
//! [`crate::spec::Source`]) and the name table that turns `service.property` or `siid.piid`
//! into ids. Every value a front end sends is checked here first: nothing is written to a
//! device before it fits the spec.

use mikit_miot::{Instance, Member, Names, Property};
use serde_json::Value;

use super::{Device, Error};
use crate::spec::Source;

/// A device's spec and names.
pub struct Profile {
    /// The spec URN.
    pub urn: String,
    /// The spec.
    pub spec: Instance,
    /// Its name table.
    pub names: Names,
}

fn spec_err(during: String) -> impl FnOnce(mikit_miot::Error) -> Error {
    move |source| Error::Spec {
        during,
        source: Box::new(source),
    }
}

impl Profile {
    /// Build from a parsed spec.
    pub fn new(urn: String, spec: Instance) -> Self {
        let names = Names::new(&spec);
        Self { urn, spec, names }
    }

    /// `service.property` of `siid.piid` (the numbers when the spec does not name it).
    pub fn property_name(&self, siid: u32, piid: u32) -> String {
        self.names
            .name_of(Member::Property, siid, piid)
            .unwrap_or_else(|| format!("{siid}.{piid}"))
    }

    /// Resolve a property given by name or numbers: its ids and the definition the name
    /// means (in a spec that repeats a piid, two names share ids but not definitions).
    pub fn property(&self, given: &str) -> Result<(u32, u32, &Property), Error> {
        let at = self.names.locate_property(given).map_err(spec_err(format!(
            "looking up {given:?} in the spec {}",
            self.urn
        )))?;
        let p = self.spec.property_at(&at).ok_or_else(|| Error::NotInSpec {
            urn: self.urn.clone(),
            what: format!("property {}.{}", at.siid, at.iid),
        })?;
        Ok((at.siid, at.iid, p))
    }

    /// The full name of the property definition `given` means (`None` if it names none).
    pub fn name_of_given(&self, given: &str) -> Option<String> {
        let at = self.names.locate_property(given).ok()?;
        self.names.name_at(Member::Property, &at)
    }

    /// The definition of a reading: the one its full `name` means, else the first at
    /// `siid.piid`.
    pub fn definition(&self, siid: u32, piid: u32, name: &str) -> Option<&Property> {
        self.names
            .locate_property(name)
            .ok()
            .filter(|at| (at.siid, at.iid) == (siid, piid))
            .and_then(|at| self.spec.property_at(&at))
            .or_else(|| self.spec.property(siid, piid))
    }

    /// Every readable property, in spec order.
    pub fn readable(&self) -> Vec<(u32, u32)> {
        self.spec
            .services
            .iter()
            .flat_map(|s| {
                s.properties()
                    .iter()
                    .filter(|p| p.is_readable())
                    .map(move |p| (s.iid, p.iid))
            })
            .collect()
    }

    /// Properties given by name or numbers, each checked readable: their ids and the full
    /// name of the definition asked for (a spec may repeat a piid, issue 9).
    pub fn readable_given(&self, given: &[String]) -> Result<Vec<(u32, u32, String)>, Error> {
        given
            .iter()
            .map(|g| {
                let (siid, piid, p) = self.property(g)?;
                let name = self
                    .name_of_given(g)
                    .unwrap_or_else(|| self.property_name(siid, piid));
                p.require_readable(&name)
                    .map_err(spec_err(format!("reading {name}")))?;
                Ok((siid, piid, name))
            })
            .collect()
    }

    /// `PROP=VALUE` → (siid, piid, full name, value coerced to the property's format), or why
    /// it cannot be sent.
    pub fn assignment(&self, text: &str) -> Result<(u32, u32, String, Value), Error> {
        let (prop, value) = text
            .split_once('=')
            .ok_or_else(|| Error::NotAssignment(text.to_owned()))?;
        let (siid, piid, p) = self.property(prop.trim())?;
        let name = self
            .name_of_given(prop.trim())
            .unwrap_or_else(|| self.property_name(siid, piid));
        p.require_writable(&name)
            .map_err(spec_err(format!("writing {name}")))?;
        let value = p.coerce_text(value.trim()).map_err(spec_err(format!(
            "{name} cannot be set to {:?}",
            value.trim()
        )))?;
        Ok((siid, piid, name, value))
    }
}

/// The spec of `device`: by its URN, else by its model through the cached instances list.
pub async fn load(source: &mut Source, device: &Device) -> Result<Profile, Error> {
    let urn = match (&device.urn, &device.model) {
        (Some(urn), _) => urn.clone(),
        (None, Some(model)) => {
            source
                .resolve(model)
                .await
                .map_err(|source| Error::SpecSource {
                    during: format!("finding the spec of the model {model}"),
                    source: Box::new(source),
                })?
                .1
        }
        (None, None) => {
            return Err(Error::UnknownModel {
                name: device.name.clone(),
            });
        }
    };
    let bytes = source
        .spec(&urn)
        .await
        .map_err(|source| Error::SpecSource {
            during: format!("getting the spec {urn}"),
            source: Box::new(source),
        })?;
    let spec = Instance::from_slice(&bytes)
        .map_err(spec_err(format!("the cached spec {urn} does not parse")))?;
    Ok(Profile::new(urn, spec))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    // A small fan spec in the shape of reference miot-spec.md §3: a switch, a ranged, a
    // listed and a read-only property.
    const SPEC: &str = r#"{"type":"urn:miot-spec-v2:device:fan:0000A005:acme-f1:1","description":"Fan",
      "services":[{"iid":2,"type":"urn:miot-spec-v2:service:fan:00007808:acme-f1:1","description":"Fan",
        "properties":[
          {"iid":1,"type":"urn:miot-spec-v2:property:on:00000006:acme-f1:1","description":"Switch Status","format":"bool","access":["read","write","notify"]},
          {"iid":2,"type":"urn:miot-spec-v2:property:fan-level:00000016:acme-f1:1","description":"Fan Level","format":"uint8","access":["read","write"],"value-range":[1,100,1]},
          {"iid":3,"type":"urn:miot-spec-v2:property:mode:00000008:acme-f1:1","description":"Mode","format":"uint8","access":["read","write"],"value-list":[{"value":1,"description":"Straight Wind"},{"value":2,"description":"Natural Wind"}]},
          {"iid":4,"type":"urn:miot-spec-v2:property:fault:00000009:acme-f1:1","description":"Fault","format":"uint8","access":["read"],"value-list":[{"value":0,"description":"No Faults"}]}
        ]}]}"#;

    pub(crate) fn profile() -> Profile {
        let spec = mikit_miot::Instance::from_json(SPEC).unwrap();
        Profile::new("urn:test".into(), spec)
    }

    /// The error and its causes, as a front end prints them.
    fn chain(e: &Error) -> String {
        super::super::error::chain_text(e)
    }

    #[test]
    fn assignments_are_checked_against_the_spec() {
        let p = profile();
        let ok = |t: &str| {
            let (s, i, _, v) = p.assignment(t).unwrap();
            (s, i, v)
        };
        assert_eq!(ok("fan.on=off"), (2, 1, json!(false)));
        assert_eq!(ok("2.2 = 42"), (2, 2, json!(42)));
        assert_eq!(ok("fan.mode=natural wind"), (2, 3, json!(2)));
        assert_eq!(p.assignment("2.2=1").unwrap().2, "fan.fan-level");
        let err = |t: &str| chain(&p.assignment(t).unwrap_err());
        assert!(
            err("fan.fan-level=101").contains("allowed 1..=100"),
            "{}",
            err("fan.fan-level=101")
        );
        assert!(err("fan.mode=turbo").contains("1 (Straight Wind), 2 (Natural Wind)"));
        assert!(err("fan.fault=0").contains("not writable"));
        assert!(err("fan.fan-levle=3").contains("did you mean \"fan.fan-level\""));
        assert!(err("fan.on").contains("not PROP=VALUE"));
    }

    #[test]
    fn readable_properties_are_checked() {
        let p = profile();
        assert_eq!(p.readable(), [(2, 1), (2, 2), (2, 3), (2, 4)]);
        let got = p
            .readable_given(&["fan.mode".into(), "2.4".into()])
            .unwrap();
        assert_eq!(got[0], (2, 3, "fan.mode".to_owned()));
        assert_eq!(got[1], (2, 4, "fan.fault".to_owned()));
        assert!(chain(&p.readable_given(&["fan.speed".into()]).unwrap_err()).contains("fan."));
    }
}
