//! Per-language descriptions from `/instance/v2/multiLanguage?urn=<device urn>`.
//!
//! Payload: `{"data":{"<lang>":{"<key>":"<text>", ...}, ...}}` with keys
//! `service:SSS`, `service:SSS:property:PPP`, `service:SSS:property:PPP:valuelist:VVV`,
//! `service:SSS:action:AAA`, `service:SSS:event:EEE` (`reference/miot-spec.md` §2.1;
//! parsed by `XiaoMi/ha_xiaomi_home:custom_components/xiaomi_home/miot/miot_spec.py` and
//! `al-one/hass-xiaomi-miot:custom_components/xiaomi_miot/core/miot_spec.py`).
//! Numbers are zero-padded to 3 digits, but wider numbers are written in full
//! (`service:003:property:1021:valuelist:000` in
//! `XiaoMi/ha_xiaomi_home:custom_components/xiaomi_home/miot/specs/multi_lang.json`).
//! `VVV` is the **0-based index into `value-list`**, not the value.
//! An unknown URN answers `{"data":{}}` (§13).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;

use serde_json::Value;

use crate::Error;
use crate::spec::Property;

/// One translation key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LangKey {
    /// `service:SSS`
    Service(u32),
    /// `service:SSS:property:PPP`
    Property(u32, u32),
    /// `service:SSS:property:PPP:valuelist:VVV` (VVV = index into `value-list`)
    ValueList(u32, u32, u32),
    /// `service:SSS:action:AAA`
    Action(u32, u32),
    /// `service:SSS:event:EEE`
    Event(u32, u32),
}

fn number(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl FromStr for LangKey {
    type Err = Error;
    fn from_str(key: &str) -> Result<LangKey, Error> {
        let bad = || Error::LangKey {
            key: key.to_owned(),
        };
        let parts: Vec<&str> = key.split(':').collect();
        let n = |i: usize| parts.get(i).copied().and_then(number).ok_or_else(bad);
        if parts.first() != Some(&"service") {
            return Err(bad());
        }
        Ok(
            match (parts.len(), parts.get(2).copied(), parts.get(4).copied()) {
                (2, _, _) => LangKey::Service(n(1)?),
                (4, Some("property"), _) => LangKey::Property(n(1)?, n(3)?),
                (4, Some("action"), _) => LangKey::Action(n(1)?, n(3)?),
                (4, Some("event"), _) => LangKey::Event(n(1)?, n(3)?),
                (6, Some("property"), Some("valuelist")) => LangKey::ValueList(n(1)?, n(3)?, n(5)?),
                _ => return Err(bad()),
            },
        )
    }
}

impl fmt::Display for LangKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            LangKey::Service(s) => write!(f, "service:{s:03}"),
            LangKey::Property(s, p) => write!(f, "service:{s:03}:property:{p:03}"),
            LangKey::ValueList(s, p, v) => {
                write!(f, "service:{s:03}:property:{p:03}:valuelist:{v:03}")
            }
            LangKey::Action(s, a) => write!(f, "service:{s:03}:action:{a:03}"),
            LangKey::Event(s, e) => write!(f, "service:{s:03}:event:{e:03}"),
        }
    }
}

/// The translations of one device spec, per language.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Translations {
    langs: BTreeMap<String, HashMap<LangKey, String>>,
    skipped: usize,
}

impl Translations {
    /// Parse a multiLanguage payload. Keys outside the grammar and non-string texts are
    /// skipped (and counted), a missing or non-object `data` is an error.
    pub fn from_json(json: &str) -> Result<Translations, Error> {
        let v: Value =
            serde_json::from_str(json).map_err(|e| Error::json("multiLanguage payload", &e))?;
        let Some(data) = v.get("data").and_then(Value::as_object) else {
            return Err(Error::Json {
                what: "multiLanguage payload",
                reason: "no \"data\" object".into(),
            });
        };
        let mut out = Translations::default();
        for (lang, entries) in data {
            let Some(entries) = entries.as_object() else {
                out.skipped += 1;
                continue;
            };
            let table = out.langs.entry(lang.clone()).or_default();
            for (key, text) in entries {
                match (key.parse::<LangKey>(), text.as_str()) {
                    (Ok(k), Some(t)) => {
                        table.insert(k, t.to_owned());
                    }
                    _ => out.skipped += 1,
                }
            }
        }
        Ok(out)
    }

    /// The languages present, sorted.
    pub fn languages(&self) -> impl Iterator<Item = &str> {
        self.langs.keys().map(String::as_str)
    }

    /// Whether there is no translation at all (the answer for an unknown URN).
    pub fn is_empty(&self) -> bool {
        self.langs.values().all(HashMap::is_empty)
    }

    /// How many entries were skipped while parsing.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// The text for `key` in `lang`.
    pub fn get(&self, lang: &str, key: LangKey) -> Option<&str> {
        self.langs.get(lang)?.get(&key).map(String::as_str)
    }

    /// The text for `key` in the first of `langs` that has it.
    pub fn get_first(&self, langs: &[&str], key: LangKey) -> Option<&str> {
        langs.iter().find_map(|l| self.get(l, key))
    }

    /// Service `siid`.
    pub fn service(&self, lang: &str, siid: u32) -> Option<&str> {
        self.get(lang, LangKey::Service(siid))
    }

    /// Property `siid.piid`.
    pub fn property(&self, lang: &str, siid: u32, piid: u32) -> Option<&str> {
        self.get(lang, LangKey::Property(siid, piid))
    }

    /// Action `siid.aiid`.
    pub fn action(&self, lang: &str, siid: u32, aiid: u32) -> Option<&str> {
        self.get(lang, LangKey::Action(siid, aiid))
    }

    /// Event `siid.eiid`.
    pub fn event(&self, lang: &str, siid: u32, eiid: u32) -> Option<&str> {
        self.get(lang, LangKey::Event(siid, eiid))
    }

    /// The description of `value` of property `siid.piid` (`prop`): the key uses the
    /// value's **index** in `value-list`.
    pub fn value_label(
        &self,
        lang: &str,
        siid: u32,
        prop: &Property,
        value: &serde_json::Number,
    ) -> Option<&str> {
        let target = value.as_f64()?;
        let index = prop
            .value_list()
            .iter()
            .position(|i| i.value.as_f64() == Some(target))?;
        let index = u32::try_from(index).ok()?;
        self.get(lang, LangKey::ValueList(siid, prop.iid, index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_grammar() {
        for (s, k) in [
            ("service:002", LangKey::Service(2)),
            ("service:002:property:001", LangKey::Property(2, 1)),
            (
                "service:002:property:001:valuelist:000",
                LangKey::ValueList(2, 1, 0),
            ),
            ("service:002:action:001", LangKey::Action(2, 1)),
            ("service:002:event:001", LangKey::Event(2, 1)),
        ] {
            assert_eq!(s.parse::<LangKey>().unwrap(), k);
            assert_eq!(k.to_string(), s);
        }
        // Four digits when the id is > 999 (ha_xiaomi_home specs/multi_lang.json).
        let k: LangKey = "service:003:property:1021:valuelist:000".parse().unwrap();
        assert_eq!(k, LangKey::ValueList(3, 1021, 0));
        assert_eq!(k.to_string(), "service:003:property:1021:valuelist:000");
        for bad in [
            "",
            "service",
            "service:",
            "service:x",
            "prop:001",
            "service:001:property",
            "service:001:widget:002",
            "service:001:action:002:valuelist:000",
            "service:001:property:-1",
            "service:001:property:99999999999",
        ] {
            assert!(
                matches!(bad.parse::<LangKey>(), Err(Error::LangKey { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn empty_and_bad_payloads() {
        let t = Translations::from_json(r#"{"data":{}}"#).unwrap();
        assert!(t.is_empty());
        assert!(Translations::from_json(r#"{"nodata":1}"#).is_err());
        assert!(Translations::from_json("[").is_err());
        let t = Translations::from_json(r#"{"data":{"en":{"bogus":"x","service:001":5,"service:001:event:001":"E"},"de":null}}"#).unwrap();
        assert_eq!(t.skipped(), 3);
        assert_eq!(t.event("en", 1, 1), Some("E"));
    }
}
