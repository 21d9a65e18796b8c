//! MIoT URNs.
//!
//! Grammar (`MiEcosystem/miot-spec-doc:小米IOT设备规范v2.md` @e291957 §二.2, summarised in
//! `reference/miot-spec.md` §4):
//!
//! ```text
//! urn:<namespace>:<kind>:<name>:<value>[:<vendor-product>:<version>[:<template>[:...]]]
//! ```
//!
//! - 5 fields: a standard type (`urn:miot-spec-v2:property:on:00000006`);
//! - 7 fields: a type inside an instance (`...:lfsmt-ls002:1`);
//! - 8 fields: the 8th is a template uuid (`0000C802`, 2,350 of 19,753 list entries in 2022);
//!   further fields are kept verbatim;
//! - 6 fields: served by a few real vendor specs (about 1 in 1,500 specs of today's catalog
//!   has one of the quirks of issue 9, this among them). Read by position as public parsers
//!   do (python-miio `miio/miot_models.py URN`: `namespace, type, name, id, model, version`):
//!   the 6th field is the vendor-product and the version is missing. Such a URN parses;
//!   [`Urn::is_complete`] tells it apart, and `mikit spec validate` reports it as a remark.
//!
//! The namespace may be a vendor's (`skyrc-spec`, `dreame-spec`, 719 of them in the 2022
//! dump). The `value` is documented as 8 hex digits but kept verbatim (python-miio's test
//! fixture uses `0000xxxx`). `vendor-product` is **not** reversible to a model, so no model
//! is ever derived from a URN; URNs compare as whole strings.

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// The documented namespace of Xiaomi's standard types.
pub const MIOT_NAMESPACE: &str = "miot-spec-v2";
/// The documented namespace of Bluetooth SIG types.
pub const BLUETOOTH_NAMESPACE: &str = "bluetooth-spec";

/// What a URN names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UrnKind {
    /// `device`
    Device,
    /// `service`
    Service,
    /// `property`
    Property,
    /// `action`
    Action,
    /// `event`
    Event,
    /// `template`
    Template,
    /// `device-template`
    DeviceTemplate,
}

impl UrnKind {
    /// The kind word as written in URNs.
    pub fn as_str(self) -> &'static str {
        match self {
            UrnKind::Device => "device",
            UrnKind::Service => "service",
            UrnKind::Property => "property",
            UrnKind::Action => "action",
            UrnKind::Event => "event",
            UrnKind::Template => "template",
            UrnKind::DeviceTemplate => "device-template",
        }
    }

    fn parse(s: &str) -> Option<UrnKind> {
        Some(match s {
            "device" => UrnKind::Device,
            "service" => UrnKind::Service,
            "property" => UrnKind::Property,
            "action" => UrnKind::Action,
            "event" => UrnKind::Event,
            "template" => UrnKind::Template,
            "device-template" => UrnKind::DeviceTemplate,
            _ => return None,
        })
    }
}

impl fmt::Display for UrnKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed URN. Prints back exactly as parsed; equality is whole-string equality.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Urn {
    raw: String,
    /// Byte ranges of the fields after `urn:` (namespace is index 0).
    fields: Vec<(usize, usize)>,
    kind: UrnKind,
    version: Option<u32>,
}

const FIELD_NAMES: [&str; 6] = [
    "namespace",
    "kind",
    "name",
    "value",
    "vendor-product",
    "version",
];

impl Urn {
    /// Parse a URN (same as `str::parse`).
    pub fn parse(s: &str) -> Result<Urn, Error> {
        let rest = s
            .strip_prefix("urn:")
            .ok_or_else(|| Error::UrnPrefix { urn: s.to_owned() })?;
        let mut fields = Vec::with_capacity(8);
        let mut start = 4;
        for part in rest.split(':') {
            fields.push((start, start + part.len()));
            start += part.len() + 1;
        }
        let n = fields.len();
        if n < 4 {
            // Counting "urn" itself, as the reference does: 5, 6 (no version) or >= 7.
            return Err(Error::UrnFieldCount {
                urn: s.to_owned(),
                got: n + 1,
            });
        }
        for (i, &(a, b)) in fields.iter().enumerate() {
            if a == b {
                return Err(Error::UrnEmptyField {
                    urn: s.to_owned(),
                    field: FIELD_NAMES.get(i).copied().unwrap_or("extra"),
                });
            }
        }
        let kind_text = &s[fields[1].0..fields[1].1];
        let kind = UrnKind::parse(kind_text).ok_or_else(|| Error::UrnKind {
            urn: s.to_owned(),
            kind: kind_text.to_owned(),
        })?;
        let version = match fields.get(5) {
            None => None,
            Some(&(a, b)) => {
                let v = &s[a..b];
                // Decimal digits only ("+1" or " 1" are not versions).
                if !v.bytes().all(|c| c.is_ascii_digit()) {
                    return Err(Error::UrnVersion {
                        urn: s.to_owned(),
                        version: v.to_owned(),
                    });
                }
                Some(v.parse::<u32>().map_err(|_| Error::UrnVersion {
                    urn: s.to_owned(),
                    version: v.to_owned(),
                })?)
            }
        };
        Ok(Urn {
            raw: s.to_owned(),
            fields,
            kind,
            version,
        })
    }

    fn field(&self, i: usize) -> Option<&str> {
        self.fields.get(i).map(|&(a, b)| &self.raw[a..b])
    }

    /// The whole URN text.
    pub fn as_str(&self) -> &str {
        &self.raw
    }
    /// The namespace: `miot-spec-v2`, `bluetooth-spec`, or a vendor's (`dreame-spec`).
    pub fn namespace(&self) -> &str {
        // Invariant: parse() guarantees at least 5 fields.
        self.field(0).unwrap_or_default()
    }
    /// Whether the namespace is a vendor's (neither `miot-spec-v2` nor `bluetooth-spec`);
    /// the official integration marks these "proprietary".
    pub fn is_vendor(&self) -> bool {
        !matches!(self.namespace(), MIOT_NAMESPACE | BLUETOOTH_NAMESPACE)
    }
    /// The kind (`device`, `service`, ...).
    pub fn kind(&self) -> UrnKind {
        self.kind
    }
    /// The type name, lowercase words joined by `-` (`air-purifier`, `on`).
    pub fn name(&self) -> &str {
        self.field(2).unwrap_or_default()
    }
    /// The value field as written (documented as 8 hex digits, e.g. `0000A007`).
    pub fn value(&self) -> &str {
        self.field(3).unwrap_or_default()
    }
    /// The value field as a number, if it is 1–8 hex digits.
    pub fn value_id(&self) -> Option<u32> {
        let v = self.value();
        if v.is_empty() || v.len() > 8 || !v.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(v, 16).ok()
    }
    /// The vendor-product field (`zhimi-ma4`), present in instance URNs.
    pub fn vendor_product(&self) -> Option<&str> {
        self.field(4)
    }
    /// The version field, present in instance URNs.
    pub fn version(&self) -> Option<u32> {
        self.version
    }
    /// The optional 8th field: the template uuid (`0000C802`).
    pub fn template(&self) -> Option<&str> {
        self.field(6)
    }
    /// Fields after the 8th, verbatim.
    pub fn extra_fields(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().skip(7).map(|&(a, b)| &self.raw[a..b])
    }
    /// Whether this is an instance URN (≥ 7 fields) rather than a standard type (5 fields)
    /// or an incomplete one (6 fields).
    pub fn is_instance(&self) -> bool {
        self.fields.len() >= 6
    }
    /// False for a 6-field URN: it names a vendor-product but no version (a quirk of a few
    /// real vendor specs, see the module docs). Standard types (5 fields) and instance URNs
    /// (7 or more) are complete.
    pub fn is_complete(&self) -> bool {
        self.fields.len() != 5
    }
    /// The standard type of this URN: its first 5 fields (`urn:miot-spec-v2:property:on:00000006`).
    pub fn standard_type(&self) -> &str {
        // Invariant: parse() guarantees at least 4 fields after "urn:".
        let end = self.fields.get(3).map_or(self.raw.len(), |f| f.1);
        &self.raw[..end]
    }
    /// The URN with `:` replaced by `.` plus `.json`: the cache / corpus file name
    /// (NRCHKB layout, `reference/miot-spec.md` §6).
    pub fn file_name(&self) -> String {
        format!("{}.json", self.raw.replace(':', "."))
    }
}

impl fmt::Display for Urn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl FromStr for Urn {
    type Err = Error;
    fn from_str(s: &str) -> Result<Urn, Error> {
        Urn::parse(s)
    }
}

impl serde::Serialize for Urn {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

impl<'de> serde::Deserialize<'de> for Urn {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let k = crate::spec::Key::deserialize(d)?;
        Urn::parse(&k.0).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// MS6 (`reference/miot-spec.md` §11): an 8-field URN from `instances.json`.
    #[test]
    fn ms6_eight_fields() {
        let s = "urn:miot-spec-v2:device:light:0000A001:miot-testmo:1:0000C802";
        let u: Urn = s.parse().unwrap();
        assert_eq!(u.namespace(), "miot-spec-v2");
        assert_eq!(u.kind(), UrnKind::Device);
        assert_eq!(u.name(), "light");
        assert_eq!(u.value(), "0000A001");
        assert_eq!(u.value_id(), Some(0xA001));
        assert_eq!(u.vendor_product(), Some("miot-testmo"));
        assert_eq!(u.version(), Some(1));
        assert_eq!(u.template(), Some("0000C802"));
        assert_eq!(u.extra_fields().count(), 0);
        assert_eq!(u.to_string(), s);
        assert!(!u.is_vendor() && u.is_instance());
        assert_eq!(u.standard_type(), "urn:miot-spec-v2:device:light:0000A001");
    }

    #[test]
    fn standard_and_vendor() {
        let u = Urn::parse("urn:miot-spec-v2:property:on:00000006").unwrap();
        assert!(!u.is_instance());
        assert_eq!(u.version(), None);
        assert_eq!(u.template(), None);
        // Vendor namespace reusing a standard uuid (reference §5.2).
        let v = Urn::parse("urn:skyrc-spec:service:feeder-function:00007801:skyrc-fed:1").unwrap();
        assert!(v.is_vendor());
        assert_eq!(v.kind(), UrnKind::Service);
        let t = Urn::parse("urn:miot-spec-v2:device-template:outlet:00000001").unwrap();
        assert_eq!(t.kind(), UrnKind::DeviceTemplate);
        let many = Urn::parse("urn:a:event:e:1:v-p:2:T:x:y").unwrap();
        assert_eq!(many.extra_fields().collect::<Vec<_>>(), ["x", "y"]);
        // python-miio's synthetic fixture value is not hex: kept, no id.
        let p =
            Urn::parse("urn:miot-spec-v2:device:outlet:0000xxxx:vendor-two-releases:2").unwrap();
        assert_eq!(p.value(), "0000xxxx");
        assert_eq!(p.value_id(), None);
    }

    #[test]
    fn typed_errors() {
        assert!(matches!(
            Urn::parse("miot-spec-v2:device:x:1"),
            Err(Error::UrnPrefix { .. })
        ));
        assert!(matches!(
            Urn::parse("urn:miot-spec-v2:device:x"),
            Err(Error::UrnFieldCount { got: 4, .. })
        ));
        assert!(matches!(
            Urn::parse("urn:miot-spec-v2:device:x:0000A001:vp:"),
            Err(Error::UrnEmptyField {
                field: "version",
                ..
            })
        ));
        assert!(matches!(
            Urn::parse("urn:miot-spec-v2:gadget:x:0000A001"),
            Err(Error::UrnKind { .. })
        ));
        assert!(matches!(
            Urn::parse("urn:miot-spec-v2:device::0000A001"),
            Err(Error::UrnEmptyField { field: "name", .. })
        ));
        assert!(matches!(
            Urn::parse("urn:miot-spec-v2:device:x:0000A001:vp:v1"),
            Err(Error::UrnVersion { .. })
        ));
        assert!(matches!(
            Urn::parse("urn:miot-spec-v2:device:x:0000A001:vp:99999999999"),
            Err(Error::UrnVersion { .. })
        ));
    }

    /// Issue 9: a vendor URN with 6 fields (vendor-product, no version), as a few real vendor
    /// specs serve it, parses by position; it is neither a standard type nor complete.
    #[test]
    fn six_fields_have_no_version() {
        let s = "urn:xiaomi-spec:property:foo:00000001:vendor-model";
        let u = Urn::parse(s).unwrap();
        assert_eq!(u.kind(), UrnKind::Property);
        assert_eq!(u.name(), "foo");
        assert_eq!(u.vendor_product(), Some("vendor-model"));
        assert_eq!(u.version(), None);
        assert_eq!(u.template(), None);
        assert!(u.is_vendor() && !u.is_instance() && !u.is_complete());
        assert_eq!(u.standard_type(), "urn:xiaomi-spec:property:foo:00000001");
        assert_eq!(u.to_string(), s);
        let seven = Urn::parse("urn:xiaomi-spec:property:foo:00000001:vendor-model:1").unwrap();
        assert!(seven.is_complete() && seven.is_instance());
        assert!(
            Urn::parse("urn:miot-spec-v2:property:on:00000006")
                .unwrap()
                .is_complete()
        );
    }

    /// The 8 URNs of `XiaoMi/ha_xiaomi_home:test/test_spec.py` are not copied; every device
    /// URN of the 2022 instances list parses instead (see tests/it/instances.rs).
    #[test]
    fn file_name_layout() {
        let u = Urn::parse("urn:miot-spec-v2:device:pet-feeder:0000A06C:skyrc-fed:1").unwrap();
        assert_eq!(
            u.file_name(),
            "urn.miot-spec-v2.device.pet-feeder.0000A06C.skyrc-fed.1.json"
        );
    }
}
