//! Model → URN: picking one entry of the instances list for a device model.
//!
//! Rules of the clients (`reference/miot-spec.md` §3):
//! - python-miio loads `status=released` only and takes the highest `version`
//!   (`rytilahti/python-miio:miio/miot_cloud.py ReleaseList.info_for_model`); NRCHKB/mihome
//!   does the same (`src/device.ts`);
//! - hass-xiaomi-miot loads `status=all` and keeps the `released` entry over non-released
//!   ones, else the highest version (`al-one/hass-xiaomi-miot:core/miot_spec.py`).
//!
//! mikit's decision (§3, §12): keep `released` entries and entries without a `status` over
//! `debug` / `preview`; then the highest `version`; ties go to the last entry in list order.

use std::collections::HashMap;

use crate::Error;
use crate::instances::{InstanceEntry, InstanceList};

/// How to choose among several entries of one model.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Rule {
    /// mikit's rule (also hass-xiaomi-miot's): released (or no status) first, then the
    /// highest version, ties → last in list order; falls back to non-released entries.
    #[default]
    PreferReleased,
    /// python-miio's and NRCHKB's rule: released (or no status) entries only, highest
    /// version; no fallback.
    ReleasedOnly,
}

fn pick<'a>(
    entries: impl Iterator<Item = &'a InstanceEntry>,
    rule: Rule,
) -> Option<&'a InstanceEntry> {
    let mut best_released: Option<&InstanceEntry> = None;
    let mut best_other: Option<&InstanceEntry> = None;
    for e in entries {
        let slot = if e.is_released() {
            &mut best_released
        } else {
            &mut best_other
        };
        // `>=`: a later entry of equal version wins (ties → last in list order).
        if slot.is_none_or(|b| e.version >= b.version) {
            *slot = Some(e);
        }
    }
    match rule {
        Rule::PreferReleased => best_released.or(best_other),
        Rule::ReleasedOnly => best_released,
    }
}

impl InstanceList {
    /// The entry for `model` under mikit's rule ([`Rule::PreferReleased`]).
    pub fn select(&self, model: &str) -> Result<&InstanceEntry, Error> {
        self.select_with(model, Rule::PreferReleased)
    }

    /// The entry for `model` under `rule`.
    pub fn select_with(&self, model: &str, rule: Rule) -> Result<&InstanceEntry, Error> {
        pick(self.entries_for(model), rule).ok_or_else(|| Error::ModelNotFound {
            model: model.to_owned(),
        })
    }

    /// An index for many lookups (the list has ~20,000 entries).
    pub fn index(&self) -> ModelIndex<'_> {
        let mut by_model: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, e) in self.instances.iter().enumerate() {
            by_model.entry(e.model.as_str()).or_default().push(i);
        }
        ModelIndex {
            list: self,
            by_model,
        }
    }
}

/// Model → entries index over an [`InstanceList`].
#[derive(Debug)]
pub struct ModelIndex<'a> {
    list: &'a InstanceList,
    by_model: HashMap<&'a str, Vec<usize>>,
}

impl<'a> ModelIndex<'a> {
    /// The entries of `model`, in list order.
    pub fn entries(&self, model: &str) -> impl Iterator<Item = &'a InstanceEntry> + '_ {
        self.by_model
            .get(model)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.list.instances.get(i))
    }
    /// Number of distinct models.
    pub fn models(&self) -> usize {
        self.by_model.len()
    }
    /// The entry for `model` under `rule`.
    pub fn select_with(&self, model: &str, rule: Rule) -> Result<&'a InstanceEntry, Error> {
        pick(self.entries(model), rule).ok_or_else(|| Error::ModelNotFound {
            model: model.to_owned(),
        })
    }
    /// The entry for `model` under mikit's rule.
    pub fn select(&self, model: &str) -> Result<&'a InstanceEntry, Error> {
        self.select_with(model, Rule::PreferReleased)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instances::Status;

    fn entry(status: Option<Status>, version: u32, tag: &str) -> InstanceEntry {
        InstanceEntry {
            status,
            model: "m".into(),
            version,
            type_: tag.into(),
            ts: None,
            extra: serde_json::Map::new(),
        }
    }

    #[test]
    fn rules() {
        let list = InstanceList {
            instances: vec![
                entry(Some(Status::Debug), 9, "debug9"),
                entry(Some(Status::Released), 1, "rel1a"),
                entry(None, 1, "nostatus1"),
                entry(Some(Status::Preview), 3, "prev3"),
            ],
            extra: serde_json::Map::new(),
        };
        // Released beats a higher debug version; tie 1 vs 1 → the later entry.
        assert_eq!(list.select("m").unwrap().type_, "nostatus1");
        assert_eq!(
            list.select_with("m", Rule::ReleasedOnly).unwrap().type_,
            "nostatus1"
        );
        let only_debug = InstanceList {
            instances: vec![
                entry(Some(Status::Debug), 2, "d2"),
                entry(Some(Status::Preview), 1, "p1"),
            ],
            extra: serde_json::Map::new(),
        };
        assert_eq!(only_debug.select("m").unwrap().type_, "d2");
        assert!(matches!(
            only_debug.select_with("m", Rule::ReleasedOnly),
            Err(Error::ModelNotFound { .. })
        ));
        assert_eq!(only_debug.index().select("m").unwrap().type_, "d2");
    }
}
