//! Property values and item codes as a person reads them:
//! `service.property = value unit (description)`, or the code and what it means; the same
//! readings as JSON for the front ends that answer in JSON.

use std::collections::HashMap;

use serde_json::{Value, json};

use mikit_miot::item::PropResult as Item;

use super::profile::Profile;
use super::{ItemFailure, ItemsFailed};

/// What a code means: the cloud's `-70xxxyzzz` grammar, else the LAN's MIoT item codes
/// (reference miot-spec.md §9).
pub fn meaning(code: i64) -> String {
    super::code_meaning(code).to_owned()
}

/// `(siid, piid)` pairs as the items to read.
pub fn reads(props: &[(u32, u32)]) -> Vec<mikit_miot::item::PropRead> {
    props.iter().map(|&p| p.into()).collect()
}

/// True for the success codes 0 and 1 (1: accepted, not finished yet).
pub fn is_ok(code: i64) -> bool {
    code == 0 || code == 1
}

/// One property as read (or written).
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    /// `service.property`.
    pub name: String,
    /// Service id.
    pub siid: u32,
    /// Property id.
    pub piid: u32,
    /// The item code; `None` when the device left the item out of its answer.
    pub code: Option<i64>,
    /// The value (reads), or the value sent (writes).
    pub value: Option<Value>,
}

impl Reading {
    /// True when the item succeeded.
    pub fn ok(&self) -> bool {
        self.code.is_some_and(is_ok)
    }

    /// `22.5 °C`, `1 (Sleep)`, `true`: the value with its unit and value-list description.
    pub fn value_text(&self, profile: &Profile) -> Option<String> {
        let value = self.value.as_ref()?;
        let Some(p) = profile.definition(self.siid, self.piid, &self.name) else {
            return Some(plain(value));
        };
        let d = p.decode(value);
        let mut text = plain(&d.value);
        match d.unit.as_deref() {
            Some("%") => text.push('%'),
            Some(u) => {
                text.push(' ');
                text.push_str(u);
            }
            None => {}
        }
        if let Some(label) = d.label
            && label != text
        {
            text.push_str(&format!(" ({label})"));
        }
        Some(text)
    }

    /// `-4001 (property not readable)`, or why there is no value.
    pub fn error_text(&self) -> Option<String> {
        match self.code {
            Some(c) if is_ok(c) => None,
            Some(c) => Some(format!("error {c} ({})", meaning(c))),
            None => Some("no answer for this item".into()),
        }
    }

    /// The reading as JSON.
    pub fn to_json(&self, profile: &Profile) -> Value {
        let mut v = json!({
            "name": self.name,
            "siid": self.siid,
            "piid": self.piid,
            "code": self.code,
        });
        if let Some(value) = &self.value {
            v["value"] = value.clone();
            if let Some(p) = profile.definition(self.siid, self.piid, &self.name) {
                let d = p.decode(value);
                v["value"] = d.value;
                if let Some(u) = d.unit {
                    v["unit"] = json!(u);
                }
                if let Some(l) = d.label {
                    v["description"] = json!(l);
                }
            }
        }
        if let Some(c) = self.code.filter(|c| !is_ok(*c)) {
            v["error"] = json!(meaning(c));
        }
        v
    }
}

/// A string value unquoted (an empty one as `""`), anything else as JSON.
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) if s.is_empty() => "\"\"".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The failures among `readings`, as the error front ends report (the CLI's exit code 5).
pub fn items_failed(readings: &[Reading]) -> Result<(), ItemsFailed> {
    let failed = readings
        .iter()
        .filter(|r| !r.ok())
        .map(|r| ItemFailure {
            what: r.name.clone(),
            code: r.code.unwrap_or(-4004),
        })
        .collect();
    ItemsFailed::check(failed, readings.len())
}

/// Pair the requested properties with the device's answer (which may come in another order
/// or leave items out).
pub fn readings(profile: &Profile, requested: &[(u32, u32)], items: &[Item]) -> Vec<Reading> {
    let by_id: HashMap<(u32, u32), &Item> = items.iter().map(|i| ((i.siid, i.piid), i)).collect();
    requested
        .iter()
        .map(|&(siid, piid)| {
            let item = by_id.get(&(siid, piid));
            Reading {
                name: profile.property_name(siid, piid),
                siid,
                piid,
                code: item.map(|i| i.code),
                value: item.and_then(|i| i.value.clone()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_meanings() {
        assert_eq!(meaning(-704_042_011), "device offline");
        assert_eq!(meaning(-4002), "property not writable");
        assert_eq!(meaning(-704_220_043), "value error");
        assert!(is_ok(0) && is_ok(1) && !is_ok(-4001));
    }
}
