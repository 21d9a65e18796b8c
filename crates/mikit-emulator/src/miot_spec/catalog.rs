//! Standard type catalogs derived from the corpus.
//!
//! The real service answers `/miot-spec-v2/spec/{devices,services,properties,actions,events}`
//! with `{"types":[URN…]}` and `/miot-spec-v2/spec/<kind>?type=URN` with a definition
//! (`MiEcosystem/miot-spec-doc:小米IOT设备规范v2.md` @e291957 §二, §六; shapes summarised
//! in `reference/miot-spec.md` §2). No dump of those answers is public, so the emulator
//! derives them from the instance specs it serves:
//!
//! - the catalogs list every standard type (the first 5 URN fields) used in the
//!   `miot-spec-v2` namespace by any spec, sorted; vendor namespaces are not standard types;
//! - a device definition lists `required-services` (used by every instance of the device
//!   type) and `optional-services` (used by some); a service definition does the same for
//!   its properties, actions and events;
//! - a property definition takes `format`, `access`, `value-range`, `value-list` and `unit`
//!   from the first instance property of that type (specs in URN order);
//! - action `in`/`out` and event `arguments` are the standard types of the referenced
//!   properties (in instances they are piids; in type definitions URNs, §5.1);
//! - descriptions are the most frequent description among the uses (ties → smallest).

use std::collections::{BTreeMap, HashMap};

use mikit_miot::{Instance, Service, TypeKind, Urn};
use serde_json::{Map, Value, json};

use crate::corpus::Corpus;

/// The derived catalogs and definitions.
pub(super) struct Catalogs {
    lists: HashMap<&'static str, Value>,
    defs: HashMap<(&'static str, String), Value>,
}

/// Occurrence counts of members (by standard type) over the uses of a container type.
#[derive(Default)]
struct Members {
    uses: usize,
    descriptions: BTreeMap<String, usize>,
    /// kind word (`services`, `properties`, …) → member type → number of uses holding it.
    counts: BTreeMap<&'static str, BTreeMap<String, usize>>,
}

impl Members {
    fn add_use(&mut self, description: &str, members: &[(&'static str, String)]) {
        self.uses += 1;
        *self.descriptions.entry(description.to_owned()).or_default() += 1;
        let mut seen: Vec<&(&'static str, String)> = Vec::new();
        for m in members {
            if !seen.contains(&m) {
                seen.push(m);
                *self
                    .counts
                    .entry(m.0)
                    .or_default()
                    .entry(m.1.clone())
                    .or_default() += 1;
            }
        }
    }
}

/// Leaf definitions (property, action, event) by (kind, type) with the count of each
/// description seen.
type Leaves = BTreeMap<(&'static str, String), (Value, BTreeMap<String, usize>)>;

fn most_frequent(d: &BTreeMap<String, usize>) -> String {
    // max_by_key keeps the last maximum; iterate in reverse so ties go to the smallest text.
    d.iter()
        .rev()
        .max_by_key(|(_, n)| **n)
        .map(|(s, _)| s.clone())
        .unwrap_or_default()
}

/// The standard type of a `miot-spec-v2` URN; `None` for vendor namespaces and bad URNs.
fn standard(urn: &str) -> Option<String> {
    let u = Urn::parse(urn).ok()?;
    (u.namespace() == "miot-spec-v2").then(|| u.standard_type().to_owned())
}

fn property_types(service: &Service, piids: &[u32]) -> Vec<String> {
    piids
        .iter()
        .filter_map(|p| service.property(*p))
        .filter_map(|p| standard(&p.type_))
        .collect()
}

impl Catalogs {
    pub(super) fn derive(corpus: &Corpus) -> Catalogs {
        let mut devices: BTreeMap<String, Members> = BTreeMap::new();
        let mut services: BTreeMap<String, Members> = BTreeMap::new();
        let mut leaves: Leaves = BTreeMap::new();
        for (urn, bytes) in corpus.specs() {
            let Ok(spec) = Instance::from_slice(bytes) else {
                tracing::debug!(urn, "spec does not parse; left out of the type catalogs");
                continue;
            };
            let Some(device) = standard(&spec.type_) else {
                continue;
            };
            let mut device_members = Vec::new();
            for s in &spec.services {
                let Some(st) = standard(&s.type_) else {
                    continue;
                };
                device_members.push(("services", st.clone()));
                let mut members = Vec::new();
                for p in s.properties() {
                    let Some(pt) = standard(&p.type_) else {
                        continue;
                    };
                    members.push(("properties", pt.clone()));
                    let mut def = Map::new();
                    def.insert("type".into(), pt.clone().into());
                    def.insert("description".into(), Value::Null);
                    def.insert("format".into(), p.format.as_str().into());
                    def.insert("access".into(), json!(p.access.iter().collect::<Vec<_>>()));
                    if let Some(r) = &p.value_range {
                        def.insert("value-range".into(), json!(r));
                    }
                    if let Some(l) = &p.value_list {
                        def.insert("value-list".into(), json!(l));
                    }
                    if let Some(u) = &p.unit {
                        def.insert("unit".into(), u.as_str().into());
                    }
                    let slot = leaves
                        .entry(("property", pt))
                        .or_insert_with(|| (Value::Object(def), BTreeMap::new()));
                    *slot.1.entry(p.description.clone()).or_default() += 1;
                }
                for a in s.actions() {
                    let Some(at) = standard(&a.type_) else {
                        continue;
                    };
                    members.push(("actions", at.clone()));
                    let def = json!({"type": at, "description": null,
                        "in": property_types(s, a.in_.as_slice()),
                        "out": property_types(s, a.out.as_slice())});
                    let slot = leaves
                        .entry(("action", at))
                        .or_insert_with(|| (def, BTreeMap::new()));
                    *slot.1.entry(a.description.clone()).or_default() += 1;
                }
                for e in s.events() {
                    let Some(et) = standard(&e.type_) else {
                        continue;
                    };
                    members.push(("events", et.clone()));
                    let def = json!({"type": et, "description": null,
                        "arguments": property_types(s, e.arguments.as_slice())});
                    let slot = leaves
                        .entry(("event", et))
                        .or_insert_with(|| (def, BTreeMap::new()));
                    *slot.1.entry(e.description.clone()).or_default() += 1;
                }
                services
                    .entry(st)
                    .or_default()
                    .add_use(&s.description, &members);
            }
            devices
                .entry(device)
                .or_default()
                .add_use(&spec.description, &device_members);
        }

        let mut defs = HashMap::new();
        let mut lists: HashMap<&'static str, Vec<String>> = HashMap::new();
        for (kind, table, words) in [
            ("device", &devices, &["services"][..]),
            (
                "service",
                &services,
                &["properties", "actions", "events"][..],
            ),
        ] {
            for (urn, m) in table {
                let mut def = Map::new();
                def.insert("type".into(), urn.clone().into());
                def.insert("description".into(), most_frequent(&m.descriptions).into());
                for word in words {
                    let counts = m.counts.get(word);
                    let pick = |required: bool| -> Vec<&String> {
                        counts
                            .into_iter()
                            .flatten()
                            .filter(|(_, n)| (**n == m.uses) == required)
                            .map(|(u, _)| u)
                            .collect()
                    };
                    def.insert(format!("required-{word}"), json!(pick(true)));
                    def.insert(format!("optional-{word}"), json!(pick(false)));
                }
                lists.entry(kind).or_default().push(urn.clone());
                defs.insert((kind, urn.clone()), Value::Object(def));
            }
        }
        for ((kind, urn), (mut def, descriptions)) in leaves {
            if let Some(o) = def.as_object_mut() {
                o.insert("description".into(), most_frequent(&descriptions).into());
            }
            lists.entry(kind).or_default().push(urn.clone());
            defs.insert((kind, urn), def);
        }
        let lists = TypeKind::ALL
            .into_iter()
            .map(|k| {
                let mut types = lists.remove(k.singular()).unwrap_or_default();
                types.sort();
                (k.singular(), json!({ "types": types }))
            })
            .collect();
        Catalogs { lists, defs }
    }

    /// `{"types":[…]}` of `kind`.
    pub(super) fn list(&self, kind: TypeKind) -> Value {
        self.lists
            .get(kind.singular())
            .cloned()
            .unwrap_or_else(|| json!({"types": []}))
    }

    /// The definition of `urn` (a standard type of `kind`).
    pub(super) fn definition(&self, kind: TypeKind, urn: &str) -> Option<&Value> {
        self.defs.get(&(kind.singular(), urn.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_from_the_bundled_corpus() {
        let c = Catalogs::derive(Corpus::bundled());
        let devices = c.list(TypeKind::Device);
        let types = devices["types"].as_array().unwrap();
        assert!(types.contains(&json!("urn:miot-spec-v2:device:air-purifier:0000A007")));
        let def = c
            .definition(
                TypeKind::Device,
                "urn:miot-spec-v2:device:air-purifier:0000A007",
            )
            .unwrap();
        // Every device of the corpus starts with device-information (miot-spec-doc §三.1).
        let required = def["required-services"].as_array().unwrap();
        assert!(required.contains(&json!(
            "urn:miot-spec-v2:service:device-information:00007801"
        )));
        let on = c
            .definition(TypeKind::Property, "urn:miot-spec-v2:property:on:00000006")
            .unwrap();
        assert_eq!(on["format"], "bool");
        assert!(
            c.definition(
                TypeKind::Property,
                "urn:miot-spec-v2:property:nope:00000000"
            )
            .is_none()
        );
        // Vendor namespaces are not standard types.
        for k in TypeKind::ALL {
            for t in c.list(k)["types"].as_array().unwrap() {
                assert!(t.as_str().unwrap().starts_with("urn:miot-spec-v2:"), "{t}");
                assert_eq!(t.as_str().unwrap().split(':').count(), 5, "{t}");
            }
        }
        // The skyrc feeder's action takes feeding-measure (reference §10 b).
        let a = c
            .definition(
                TypeKind::Action,
                "urn:miot-spec-v2:action:pet-food-out:0000282B",
            )
            .unwrap();
        assert_eq!(
            a["in"],
            json!(["urn:miot-spec-v2:property:feeding-measure:00000080"])
        );
    }
}
