//! Schema validation with `xmllint --schema` (Debian package `libxml2-utils`).
//!
//! A test that needs xmllint fails when it is missing: a skipped schema check would look like a
//! passed one. `.ci/run` installs it.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Validates `doc` against `schema` (a file in `tests/data/`); returns xmllint's verdict and
/// output.
pub fn validate(doc: &str, schema: &str) -> (bool, String) {
    static N: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "mikit-activity-{}-{}.xml",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, doc).expect("write the document to a temporary file");
    let run = Command::new("xmllint")
        .arg("--noout")
        .arg("--nonet")
        .arg("--schema")
        .arg(data(schema))
        .arg(&path)
        .output();
    let _ = std::fs::remove_file(&path);
    let out = run.unwrap_or_else(|e| {
        panic!(
            "cannot run xmllint ({e}): install it (Debian/Ubuntu: apt-get install libxml2-utils)"
        )
    });
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.success(), text)
}

/// Panics with xmllint's complaints unless `doc` is valid against `schema`.
pub fn assert_valid(doc: &str, schema: &str) {
    let (ok, text) = validate(doc, schema);
    assert!(ok, "not valid against {schema}:\n{text}");
}
