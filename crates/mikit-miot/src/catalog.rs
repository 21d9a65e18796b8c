//! Standard type catalogs: `/miot-spec-v2/spec/{devices,services,properties,actions,events}`
//! and single definitions `/miot-spec-v2/spec/{device,service,...}?type=<urn>`
//! (`Squachen/micloud:micloud/miotspec.py get_standard_types`; shapes from
//! `MiEcosystem/miot-spec-doc:小米IOT设备规范v2.md` @e291957 §二, §六, summarised in
//! `reference/miot-spec.md` §2).

use std::fmt;

use serde_json::{Map, Value};

use crate::Error;

/// The five kinds of standard types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TypeKind {
    /// Device types.
    Device,
    /// Service types.
    Service,
    /// Property types.
    Property,
    /// Action types.
    Action,
    /// Event types.
    Event,
}

impl TypeKind {
    /// All kinds, in catalog order.
    pub const ALL: [TypeKind; 5] = [
        TypeKind::Device,
        TypeKind::Service,
        TypeKind::Property,
        TypeKind::Action,
        TypeKind::Event,
    ];
    /// The singular word (`device`), used by the single-type endpoint and in URNs.
    pub fn singular(self) -> &'static str {
        match self {
            TypeKind::Device => "device",
            TypeKind::Service => "service",
            TypeKind::Property => "property",
            TypeKind::Action => "action",
            TypeKind::Event => "event",
        }
    }
    /// The plural word (`devices`), used by the catalog endpoint.
    pub fn plural(self) -> &'static str {
        match self {
            TypeKind::Device => "devices",
            TypeKind::Service => "services",
            TypeKind::Property => "properties",
            TypeKind::Action => "actions",
            TypeKind::Event => "events",
        }
    }
    /// Parse a singular or plural word.
    pub fn parse(word: &str) -> Option<TypeKind> {
        TypeKind::ALL
            .into_iter()
            .find(|k| k.singular() == word || k.plural() == word)
    }
}

impl fmt::Display for TypeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.singular())
    }
}

/// A catalog: `{"types": ["urn:miot-spec-v2:<kind>:<name>:<value>", ...]}`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TypeCatalog {
    /// The standard type URNs.
    pub types: Vec<String>,
    /// Keys this model does not know, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl TypeCatalog {
    /// Parse a catalog from JSON text.
    pub fn from_json(json: &str) -> Result<TypeCatalog, Error> {
        serde_json::from_str(json).map_err(|e| Error::json("type catalog", &e))
    }
}

/// One standard type definition. Only `type` is common to all kinds; the rest
/// (`description`, `format`, `access`, `required-services`, `in`, `arguments`...) is kept
/// as served and read through the accessors.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TypeDefinition {
    /// The standard type URN.
    #[serde(rename = "type")]
    pub type_: String,
    /// Every other key, verbatim.
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

impl TypeDefinition {
    /// Parse a definition from JSON text.
    pub fn from_json(json: &str) -> Result<TypeDefinition, Error> {
        serde_json::from_str(json).map_err(|e| Error::json("type definition", &e))
    }
    /// The description: a string, or the `en` entry of a per-language object.
    pub fn description(&self) -> Option<&str> {
        match self.fields.get("description")? {
            Value::String(s) => Some(s),
            Value::Object(m) => m.get("en").and_then(Value::as_str),
            _ => None,
        }
    }
    /// A list of URNs under `key` (`required-services`, `optional-properties`, `in`...).
    pub fn urns(&self, key: &str) -> Vec<&str> {
        self.fields
            .get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        for k in TypeKind::ALL {
            assert_eq!(TypeKind::parse(k.singular()), Some(k));
            assert_eq!(TypeKind::parse(k.plural()), Some(k));
        }
        assert_eq!(TypeKind::parse("template"), None);
    }

    /// Shapes of miot-spec-doc §二/§六: a service definition lists property URNs; template
    /// lists (ha_xiaomi_home `__get_template_list`) carry per-language description objects.
    #[test]
    fn definitions() {
        let d = TypeDefinition::from_json(
            r#"{"type":"urn:miot-spec-v2:service:fan:00007808","description":"Fan",
               "required-properties":["urn:miot-spec-v2:property:on:00000006"],"optional-properties":[]}"#,
        )
        .unwrap();
        assert_eq!(d.description(), Some("Fan"));
        assert_eq!(
            d.urns("required-properties"),
            ["urn:miot-spec-v2:property:on:00000006"]
        );
        assert!(d.urns("optional-properties").is_empty());
        assert!(d.urns("missing").is_empty());
        let t = TypeDefinition::from_json(
            r#"{"type":"urn:miot-spec-v2:device:outlet:0000A002","description":{"en":"Outlet","zh_cn":"插座"}}"#,
        )
        .unwrap();
        assert_eq!(t.description(), Some("Outlet"));
        assert!(TypeDefinition::from_json(r#"{"description":"no type"}"#).is_err());
        let c = TypeCatalog::from_json(r#"{"types":["urn:miot-spec-v2:event:alert:00005001"]}"#)
            .unwrap();
        assert_eq!(c.types.len(), 1);
    }
}
