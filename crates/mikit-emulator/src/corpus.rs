//! The MIoT spec corpus the emulator serves: real spec files bundled at build time from the
//! repository's `data/miot-spec/` (see its PROVENANCE.md), plus any directory given with
//! `--spec-dir` (same layout: `instances.json` and `devices/*.json`).
//!
//! Spec files are named after the URN requested from the spec service, `:` replaced by `.`,
//! plus `.json` (the NRCHKB layout, reference miot-spec.md §13). The name, not the file's
//! `type`, is the key: one real served file carries an older version in its `type`.

use std::{collections::BTreeMap, path::Path, sync::OnceLock};

use bytes::Bytes;

use crate::Error;

mod bundled {
    include!(concat!(env!("OUT_DIR"), "/corpus_files.rs"));
}

/// Spec files by URN, and the instances list.
#[derive(Clone, Debug, Default)]
pub struct Corpus {
    instances: Bytes,
    specs: BTreeMap<String, Bytes>,
}

/// The URN a spec file name stands for (`urn.miot-spec-v2.device.fan.0000A005.x-y.1.json`).
pub fn urn_of_file_name(name: &str) -> Option<String> {
    let stem = name.strip_suffix(".json")?;
    stem.starts_with("urn.").then(|| stem.replace('.', ":"))
}

/// The file name that stores the spec of `urn`.
pub fn file_name_of_urn(urn: &str) -> String {
    format!("{}.json", urn.replace(':', "."))
}

impl Corpus {
    /// The corpus compiled into the binary (300 real specs and the 2022 instances list).
    pub fn bundled() -> &'static Corpus {
        static CORPUS: OnceLock<Corpus> = OnceLock::new();
        CORPUS.get_or_init(|| Corpus {
            instances: Bytes::from_static(bundled::INSTANCES),
            specs: bundled::SPEC_FILES
                .iter()
                .filter_map(|(name, bytes)| {
                    Some((urn_of_file_name(name)?, Bytes::from_static(bytes)))
                })
                .collect(),
        })
    }

    /// The bundled corpus extended (and overridden) by the files of `dir`: `dir/instances.json`
    /// replaces the list when present; `dir/devices/*.json` and `dir/*.json` add specs.
    pub fn with_dir(dir: &Path) -> Result<Corpus, Error> {
        let mut corpus = Self::bundled().clone();
        let io = |e: std::io::Error, p: &Path| Error::Io(format!("reading {}: {e}", p.display()));
        let list = dir.join("instances.json");
        if list.exists() {
            corpus.instances = Bytes::from(std::fs::read(&list).map_err(|e| io(e, &list))?);
        }
        for sub in [dir.to_path_buf(), dir.join("devices")] {
            let Ok(entries) = std::fs::read_dir(&sub) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if let Some(urn) = urn_of_file_name(&name) {
                    let path = entry.path();
                    corpus.specs.insert(
                        urn,
                        Bytes::from(std::fs::read(&path).map_err(|e| io(e, &path))?),
                    );
                }
            }
        }
        Ok(corpus)
    }

    /// The instances list JSON (`{"instances":[…]}`) exactly as stored.
    pub fn instances_json(&self) -> &Bytes {
        &self.instances
    }

    /// The stored spec of `urn`, byte for byte.
    pub fn spec(&self, urn: &str) -> Option<&Bytes> {
        self.specs.get(urn)
    }

    /// Every stored spec, by URN.
    pub fn specs(&self) -> impl Iterator<Item = (&str, &Bytes)> {
        self.specs.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of stored specs.
    pub fn len(&self) -> usize {
        self.specs.len()
    }

    /// True when no spec is stored.
    pub fn is_empty(&self) -> bool {
        self.specs.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_corpus_has_every_fixture_spec() {
        let c = Corpus::bundled();
        assert_eq!(c.len(), 300);
        assert!(c.instances_json().starts_with(b"{"));
        let urn = "urn:miot-spec-v2:device:fan:0000A005:dreame-l2146:1";
        let spec: serde_json::Value = serde_json::from_slice(c.spec(urn).unwrap()).unwrap();
        assert_eq!(spec["type"], urn);
        assert_eq!(
            file_name_of_urn(urn),
            "urn.miot-spec-v2.device.fan.0000A005.dreame-l2146.1.json"
        );
        assert_eq!(
            urn_of_file_name(&file_name_of_urn(urn)).as_deref(),
            Some(urn)
        );
    }
}
