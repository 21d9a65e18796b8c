//! `GET /instance/v2/multiLanguage?urn=…` (`reference/miot-spec.md` §2, §2.1, §13).
//!
//! Answer: `{"data":{"<lang>":{"service:SSS[:property:PPP[:valuelist:VVV]]": text,
//! "service:SSS:action:AAA": text, "service:SSS:event:EEE": text}}}` with 3-digit padding
//! and value-list **indices** (key grammar from `XiaoMi/ha_xiaomi_home:.../miot_spec.py`
//! and `al-one/hass-xiaomi-miot:.../miot_spec.py`); an unknown URN answers `{"data":{}}`.
//!
//! No real capture of this endpoint is public, so the emulator derives an `en` table from
//! the descriptions of the served spec (the spec's own texts are English): every non-empty
//! service, property, value-list entry, action and event description. Other languages
//! come only from captured payloads put into `--spec-dir DIR/multilang/<urn file name>`
//! (same file naming as specs), which are served verbatim.

use std::collections::HashMap;
use std::path::Path;

use bytes::Bytes;
use mikit_miot::{Instance, LangKey};
use serde_json::{Map, Value, json};

use crate::Error;
use crate::corpus::urn_of_file_name;

/// Captured multiLanguage payloads by URN.
#[derive(Default)]
pub(super) struct Captured(HashMap<String, Bytes>);

impl Captured {
    /// Read every `urn.….json` of `dir` (a missing directory holds nothing).
    pub(super) fn read(dir: &Path) -> Result<Captured, Error> {
        let mut out = HashMap::new();
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Ok(Captured(out));
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(urn) = urn_of_file_name(&name) {
                let path = entry.path();
                let bytes = std::fs::read(&path)
                    .map_err(|e| Error::Io(format!("reading {}: {e}", path.display())))?;
                out.insert(urn, Bytes::from(bytes));
            }
        }
        Ok(Captured(out))
    }

    pub(super) fn get(&self, urn: &str) -> Option<&Bytes> {
        self.0.get(urn)
    }
}

/// The answer for an unknown URN.
pub(super) fn empty() -> Value {
    json!({"data": {}})
}

/// The `en` table derived from a stored spec (an unparsable spec gives the empty answer).
pub(super) fn derive(spec: &[u8]) -> Value {
    let Ok(spec) = Instance::from_slice(spec) else {
        return empty();
    };
    let mut en = Map::new();
    let mut put = |key: LangKey, text: &str| {
        if !text.is_empty() {
            en.insert(key.to_string(), text.into());
        }
    };
    for s in &spec.services {
        put(LangKey::Service(s.iid), &s.description);
        for p in s.properties() {
            put(LangKey::Property(s.iid, p.iid), &p.description);
            for (i, item) in p.value_list().iter().enumerate() {
                if let Ok(i) = u32::try_from(i) {
                    put(LangKey::ValueList(s.iid, p.iid, i), &item.description);
                }
            }
        }
        for a in s.actions() {
            put(LangKey::Action(s.iid, a.iid), &a.description);
        }
        for e in s.events() {
            put(LangKey::Event(s.iid, e.iid), &e.description);
        }
    }
    json!({"data": {"en": en}})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::Corpus;

    /// The skyrc-fed spec of reference §10 (b): value-list keys use the index, not the value
    /// (`value 4` "FoodBlock" is index 3), empty descriptions are left out.
    #[test]
    fn derives_en_with_value_list_indices() {
        let urn = "urn:miot-spec-v2:device:pet-feeder:0000A06C:skyrc-fed:1";
        let v = derive(Corpus::bundled().spec(urn).unwrap());
        let en = &v["data"]["en"];
        assert_eq!(en["service:002"], "Pet Feeder");
        assert_eq!(en["service:002:property:001:valuelist:003"], "FoodBlock");
        assert_eq!(en["service:002:action:001"], "Pet Food Out");
        assert_eq!(en["service:003:event:001"], "grain-yield");
        assert!(en.get("service:003:property:003").is_none());
        assert_eq!(derive(b"not json"), empty());
    }
}
