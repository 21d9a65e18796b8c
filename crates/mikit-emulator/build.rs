//! Embeds the repository's MIoT spec corpus (`data/miot-spec/`) into the emulator, so that
//! `mikit demo` and `mikit emulator` serve real spec files without any file next to the binary.

use std::{env, fmt::Write as _, fs, path::PathBuf};

fn main() {
    let manifest =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let corpus = manifest.join("../../data/miot-spec");
    let devices = corpus.join("devices");
    println!("cargo:rerun-if-changed={}", devices.display());
    println!(
        "cargo:rerun-if-changed={}",
        corpus.join("instances.json").display()
    );
    let mut names: Vec<String> = fs::read_dir(&devices)
        .expect("data/miot-spec/devices exists in the repository")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    let mut out = String::from(
        "/// (file name, contents) of every bundled spec file.\npub static SPEC_FILES: &[(&str, &[u8])] = &[\n",
    );
    for n in &names {
        let path = devices.join(n);
        let _ = writeln!(
            out,
            "    ({n:?}, include_bytes!({:?})),",
            path.display().to_string()
        );
    }
    out.push_str("];\n");
    let _ = writeln!(
        out,
        "/// The bundled instances list (`/miot-spec-v2/instances?status=all`).\npub static INSTANCES: &[u8] = include_bytes!({:?});",
        corpus.join("instances.json").display().to_string()
    );
    let dest =
        PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("corpus_files.rs");
    fs::write(dest, out).expect("OUT_DIR is writable");
}
