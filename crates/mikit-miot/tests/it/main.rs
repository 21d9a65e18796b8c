//! Integration tests of mikit-miot. Fixtures come from the repository's spec corpus
//! `data/miot-spec/` (provenance in `data/miot-spec/PROVENANCE.md`) and from `tests/data/`
//! (provenance in `tests/data/PROVENANCE.md`).

mod client;
mod corpus;
mod instances;
mod lang;
mod names;
mod props;
mod quirks;

use std::path::PathBuf;

/// The repository's spec corpus.
pub fn corpus_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/miot-spec"))
}

/// This crate's own test data.
pub fn test_data_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data"))
}

/// Every device spec file of the corpus: (file name, text), sorted by name.
pub fn device_specs() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(corpus_dir().join("devices")).expect("corpus devices dir") {
        let path = entry.expect("dir entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            out.push((name, std::fs::read_to_string(&path).expect("read spec")));
        }
    }
    out.sort();
    out
}

/// Read a corpus file as text.
pub fn corpus_file(rel: &str) -> String {
    std::fs::read_to_string(corpus_dir().join(rel)).expect("corpus file")
}
