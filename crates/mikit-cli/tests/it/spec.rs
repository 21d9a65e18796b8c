//! `mikit spec …` end to end against the emulator's spec service (real files from
//! `data/miot-spec/`, NRCHKB/mihome@000ad3c), including mirroring with latency and faults and
//! offline use of the cache.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use mikit_emulator::corpus::{Corpus, file_name_of_urn};
use serde_json::Value;

use crate::harness::{TempDir, emulator, mikit, run, text};

const SKYRC: &str = "urn:miot-spec-v2:device:pet-feeder:0000A06C:skyrc-fed:1";

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json_lines(o: &std::process::Output) -> Vec<Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

/// A spec dir whose instances list names `n` bundled specs (by their real models where the
/// 2022 list has them) plus two URNs the service has no file for.
fn spec_dir(dir: &Path, n: usize) -> (PathBuf, Vec<String>) {
    let root = dir.join("specs");
    std::fs::create_dir_all(root.join("multilang")).unwrap();
    let list: Value = serde_json::from_slice(Corpus::bundled().instances_json()).unwrap();
    let mut entries: Vec<Value> = Vec::new();
    let mut urns = Vec::new();
    for (urn, _) in Corpus::bundled().specs().take(n) {
        let real = list["instances"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["type"] == urn)
            .cloned();
        entries.push(real.unwrap_or_else(|| {
            serde_json::json!({"status":"released","model":format!("test.model.{}", urns.len()),"version":1,"type":urn})
        }));
        urns.push(urn.to_owned());
    }
    for i in 0..2 {
        entries.push(
            serde_json::json!({"status":"debug","model":format!("nobody.thing.x{i}"),"version":1,
            "type":format!("urn:miot-spec-v2:device:outlet:0000A002:nobody-x{i}:1")}),
        );
    }
    std::fs::write(
        root.join("instances.json"),
        serde_json::to_vec(&serde_json::json!({ "instances": entries })).unwrap(),
    )
    .unwrap();
    std::fs::write(
        root.join("multilang").join(file_name_of_urn(SKYRC)),
        r#"{"data":{"de":{"service:002":"Futterautomat","service:002:property:001:valuelist:003":"Futter blockiert"}}}"#,
    )
    .unwrap();
    (root, urns)
}

#[tokio::test]
async fn show_search_types_and_translations() {
    let dir = TempDir::new("spec-show");
    let emu = emulator(1, |_| {}).await;
    let e = emu.endpoint().to_owned();

    // Search ranks the exact model first, then the models that start with it.
    let mut c = mikit(dir.path(), &e);
    c.args(["--json", "spec", "search", "zhimi.airpurifier.ma4"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let hits = json_lines(&o);
    assert_eq!(hits[0]["model"], "zhimi.airpurifier.ma4");
    assert_eq!(hits[0]["rank"], "exact-model");
    // MS4: released v2 over released v1 and debug v3.
    assert_eq!(
        hits[0]["urn"],
        "urn:miot-spec-v2:device:air-purifier:0000A007:zhimi-ma4:2"
    );
    assert!(hits.iter().skip(1).all(|h| h["rank"] != "exact-model"));

    let mut c = mikit(dir.path(), &e);
    c.args(["spec", "search", "pet feeder", "--limit", "3"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let out = stdout(&o);
    assert!(out.starts_with("MODEL"), "{out}");
    assert!(out.contains("pet-feeder"), "{out}");
    assert!(out.contains("matching models shown"), "{out}");

    // Show: the tree of reference §10 (b).
    let mut c = mikit(dir.path(), &e);
    c.args(["spec", "show", "skyrc.feeder.fed"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let out = stdout(&o);
    for want in [
        "skyrc.feeder.fed: Pet Feeder",
        SKYRC,
        "2 pet-feeder: Pet Feeder",
        "2.1  fault",
        "0=Normal 1=Lack 2=NoFood 4=FoodBlock",
        "2.2  feeding-measure",
        "1..112 step 1",
        "in: feeding-measure",
        "3 feeder-function: feeder-function",
        "arguments: result",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
    // --json prints the spec exactly as served.
    let mut c = mikit(dir.path(), &e);
    c.args(["--json", "spec", "show", SKYRC]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        stdout(&o).trim_end().as_bytes(),
        &Corpus::bundled().spec(SKYRC).unwrap()[..]
    );

    // --lang uses the multiLanguage answer (derived `en` in the emulator).
    let mut c = mikit(dir.path(), &e);
    c.args(["spec", "show", "skyrc.feeder.fed", "--lang", "en"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    assert!(stdout(&o).contains("2 pet-feeder: Pet Feeder"));

    // Unknown model → exit 1 with the model named.
    let mut c = mikit(dir.path(), &e);
    c.args(["spec", "show", "nobody.has.this"]);
    let o = run(c, None).await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nobody.has.this"));

    // Types: the catalog and one definition by name.
    let mut c = mikit(dir.path(), &e);
    c.args(["--json", "spec", "types", "properties"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let types = json_lines(&o);
    assert!(
        types
            .iter()
            .any(|t| t["type"] == "urn:miot-spec-v2:property:on:00000006")
    );
    assert!(types.iter().all(|t| {
        t["type"]
            .as_str()
            .unwrap()
            .starts_with("urn:miot-spec-v2:property:")
    }));
    let mut c = mikit(dir.path(), &e);
    c.args(["spec", "types", "property", "on"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("urn:miot-spec-v2:property:on:00000006"),
        "{out}"
    );
    assert!(out.contains("format: bool"), "{out}");
    let mut c = mikit(dir.path(), &e);
    c.args(["spec", "types", "widgets"]);
    let o = run(c, None).await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[tokio::test]
async fn translations_from_the_spec_dir() {
    let dir = TempDir::new("spec-lang");
    let (specs, _) = spec_dir(dir.path(), 5);
    let emu = emulator(1, |c| c.spec_dir = Some(specs.clone())).await;
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["spec", "show", SKYRC, "--lang", "de"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let out = stdout(&o);
    assert!(out.contains("2 pet-feeder: Futterautomat"), "{out}");
    assert!(out.contains("4=Futter blockiert"), "{out}");
    // Untranslated items keep the spec's text.
    assert!(
        out.contains("1 device-information: Device Information"),
        "{out}"
    );
}

#[tokio::test]
async fn validate_reports_each_file_and_exits_1() {
    let dir = TempDir::new("spec-validate");
    let devices = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/miot-spec/devices");
    // Every corpus spec is valid (no network: validate reads files only).
    let mut c = mikit(dir.path(), "http://127.0.0.1:9");
    c.args(["spec", "validate"]).arg(&devices);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        stdout(&o).ends_with("300 files: 300 valid, 0 invalid\n"),
        "{}",
        text(&o)
    );

    let bad_json = dir.path().join("truncated.json");
    std::fs::write(&bad_json, r#"{"type":"urn:miot-spec-v2:device:outlet"#).unwrap();
    let bad_urn = dir.path().join("bad-urn.json");
    std::fs::write(
        &bad_urn,
        r#"{"type":"urn:miot-spec-v2:service:outlet:0000A002","description":"x","services":[]}"#,
    )
    .unwrap();
    let dup = dir.path().join("dup.json");
    std::fs::write(
        &dup,
        r#"{"type":"urn:miot-spec-v2:device:outlet:0000A002:a-b:1","description":"x","services":[
        {"iid":1,"type":"urn:miot-spec-v2:service:switch:0000780C:a-b:1","description":"s"},
        {"iid":1,"type":"urn:miot-spec-v2:service:switch:0000780C:a-b:1","description":"s"}]}"#,
    )
    .unwrap();
    let good = devices.join(file_name_of_urn(SKYRC));
    let list = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/miot-spec/instances.json");
    let mut c = mikit(dir.path(), "http://127.0.0.1:9");
    c.args(["--json", "spec", "validate"])
        .args([&bad_json, &bad_urn, &dup, &good, &list]);
    let o = run(c, None).await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v = json_lines(&o);
    assert_eq!(v.len(), 5);
    assert_eq!(v[0]["valid"], false);
    assert!(v[0]["errors"][0].as_str().unwrap().starts_with("not JSON"));
    assert_eq!(v[1]["valid"], false);
    assert!(
        v[1]["errors"][0]
            .as_str()
            .unwrap()
            .contains("not a device instance URN"),
        "{}",
        v[1]
    );
    // A repeated siid is a quirk of real specs (issue 9): valid, with a warning.
    assert_eq!(v[2]["valid"], true, "{}", v[2]);
    assert!(
        v[2]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("service iid 1 is used 2 times (switch-1, switch-2)"),
        "{}",
        v[2]
    );
    assert_eq!(v[3]["valid"], true);
    assert_eq!(
        v[3]["summary"],
        "3 services, 11 properties, 1 action, 1 event"
    );
    assert_eq!(
        (v[4]["kind"].as_str(), v[4]["valid"].as_bool()),
        (Some("instances"), Some(true))
    );
    // Plain output: one line per file with the reason.
    let mut c = mikit(dir.path(), "http://127.0.0.1:9");
    c.args(["spec", "validate"]).arg(&bad_urn);
    let o = run(c, None).await;
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).starts_with(&format!("invalid  {}: device:", bad_urn.display())),
        "{}",
        text(&o)
    );
}

/// The quirky specs of issue 9 (mikit-miot's `tests/data/quirks/`, constructed from the quirk
/// kinds reported against the public catalog; provenance in that crate's
/// `tests/data/PROVENANCE.md`).
fn quirks_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../mikit-miot/tests/data/quirks")
}

const QUIRK_ALL: &str = "urn:miot-spec-v2:device:fan:0000A005:quirk-all:1";

/// Issue 9: real specs with `access: null`, repeated piids or siids, an event typed `""`, a
/// service typed with a device URN or a 6-field vendor URN validate with one remark per
/// quirk and exit 0; a file that is not JSON, or JSON that is not a spec, still exits 1.
#[tokio::test]
async fn validate_accepts_real_quirks_with_remarks() {
    let dir = TempDir::new("spec-validate-quirks");
    let mut c = mikit(dir.path(), "http://127.0.0.1:9");
    c.args(["--json", "spec", "validate"]).arg(quirks_dir());
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let v = json_lines(&o);
    assert_eq!(v.len(), 7);
    let by_file = |part: &str| -> &Value {
        v.iter()
            .find(|f| f["path"].as_str().unwrap().contains(part))
            .unwrap_or_else(|| panic!("no {part}"))
    };
    for (file, remark) in [
        (
            "quirk-access-null",
            "property 2.2: access is null; read as []",
        ),
        (
            "quirk-dup-piid",
            "service 2: property iid 2 is used 2 times (fan.fan-level, fan.mode)",
        ),
        (
            "quirk-dup-siid",
            "device: service iid 2 is used 2 times (light, ambient-light)",
        ),
        (
            "quirk-empty-event",
            "event 2.2: its type is \"\" (not a URN); mikit names it motion-sensor.no-motion",
        ),
        (
            "quirk-service-device",
            "service 2: its type \"urn:miot-spec-v2:device:light:0000A001:quirk-service-device:1\" is a device URN, not a service URN",
        ),
        (
            "quirk-six-fields",
            "property 3.1: its type \"urn:xiaomi-spec:property:night-mode:00000001:quirk-six-fields\" has 6 fields",
        ),
    ] {
        let f = by_file(file);
        assert_eq!(
            (f["kind"].as_str(), f["valid"].as_bool()),
            (Some("spec"), Some(true)),
            "{f}"
        );
        assert_eq!(f["errors"], serde_json::json!([]), "{f}");
        assert!(
            f["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w.as_str().unwrap().starts_with(remark)),
            "{file}: no remark {remark:?} in {f}"
        );
    }
    assert_eq!(
        by_file("quirk-all")["warnings"].as_array().unwrap().len(),
        7
    );

    // Plain output: ok lines, one warning line per remark, exit 0.
    let mut c = mikit(dir.path(), "http://127.0.0.1:9");
    c.args(["spec", "validate"]).arg(quirks_dir());
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let out = stdout(&o);
    assert!(out.ends_with("7 files: 7 valid, 0 invalid\n"), "{out}");
    assert_eq!(out.matches("         warning: ").count(), 14, "{out}");

    // Not JSON, and JSON that is not a spec instance: exit 1.
    for (name, body) in [
        ("not-json.json", "access: null\n"),
        ("not-a-spec.json", r#"{"hello":"world"}"#),
        ("a-list.json", "[1,2]"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        let mut c = mikit(dir.path(), "http://127.0.0.1:9");
        c.args(["spec", "validate"]).arg(&path);
        let o = run(c, None).await;
        assert_eq!(o.status.code(), Some(1), "{name}: {}", text(&o));
        assert!(stdout(&o).starts_with("invalid  "), "{name}: {}", text(&o));
    }
}

/// Issue 9: a spec with every quirk can be shown, and a simulated device of it is read and
/// written by the names that tell its repeated piids and siids apart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quirky_spec_shown_and_used_by_name() {
    let dir = TempDir::new("spec-quirks-device");
    let specs = dir.path().join("specs");
    std::fs::create_dir_all(specs.join("devices")).unwrap();
    let file = quirks_dir().join(file_name_of_urn(QUIRK_ALL));
    std::fs::copy(
        &file,
        specs.join("devices").join(file_name_of_urn(QUIRK_ALL)),
    )
    .unwrap();
    std::fs::write(
        specs.join("instances.json"),
        serde_json::to_vec(&serde_json::json!({"instances":[
            {"status":"released","model":"quirk.fan.all","version":1,"type":QUIRK_ALL}]}))
        .unwrap(),
    )
    .unwrap();
    let emu = emulator(1, |c| c.spec_dir = Some(specs.clone())).await;
    let e = emu.endpoint().to_owned();

    let mut c = mikit(dir.path(), &e);
    c.args(["spec", "show", "quirk.fan.all"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let out = stdout(&o);
    for want in [
        "2 fan: Fan",
        "2 light: Indicator Light",
        "2.1  on-1",
        "2.1  on-2",
        "2.2  fan-level",
        "2.2  mode",
        "2.4  night-mode",
        "2.1  fan-stopped",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
    let mut c = mikit(dir.path(), &e);
    c.args(["--json", "spec", "show", QUIRK_ALL]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let served: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(
        json_lines(&o)[0],
        served,
        "shown exactly as served (access null, type \"\")"
    );

    // A simulated device of this spec, added by hand.
    let token = "00112233445566778899aabbccddeeff";
    let mut c = mikit(dir.path(), &e);
    c.args(["miio", "simulate", "--spec"])
        .arg(&file)
        .args(["--listen", "127.0.0.1:0"])
        .env("MIKIT_MIIO_TOKEN", token)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = c.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _sim = Killed(child);
    let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
    let addr = format!("{}:{}", v["ip"].as_str().unwrap(), v["port"]);
    let mut c = mikit(dir.path(), &e);
    c.env_remove("MIKIT_MIIO_TOKEN");
    c.args([
        "device",
        "add",
        "Quirky fan",
        "--ip",
        &addr,
        "--token",
        token,
    ])
    .args(["--model", "quirk.fan.all"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));

    let device = |args: &[&str]| {
        let mut c = mikit(dir.path(), &e);
        c.env_remove("MIKIT_MIIO_TOKEN");
        c.args(["device"]).args(args).args(["--via", "lan"]);
        run(c, None)
    };
    // piid 2 is fan-level and mode at once: each name reads it with its own definition.
    let o = device(&[
        "get",
        "quirky",
        "fan.mode",
        "fan.fan-level",
        "fan.on-2",
        "light.night-mode",
    ])
    .await;
    assert!(o.status.success(), "{}", text(&o));
    let out = stdout(&o);
    for want in [
        "fan.mode         = 1 (Sleep)",
        "fan.fan-level    = 1 (Level1)",
        "fan.on-2         = false",
        "light.night-mode = false",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
    // light.on and fan.on share 2.1: a write through one name is read through the other
    // (`fan.on` means the first of its two copies, shown by its full name `fan.on-1`).
    let o = device(&["set", "quirky", "light.on=on", "fan.fan-level=3"]).await;
    assert!(o.status.success(), "{}", text(&o));
    let mut c = mikit(dir.path(), &e);
    c.env_remove("MIKIT_MIIO_TOKEN");
    c.args([
        "--json",
        "device",
        "get",
        "quirky",
        "fan.fan-level",
        "fan.on",
        "2.4",
    ])
    .args(["--via", "lan"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let v = json_lines(&o);
    let props = v[0]["properties"].as_array().unwrap();
    assert_eq!(props[0]["name"], "fan.fan-level");
    assert_eq!(
        (props[0]["value"].as_i64(), props[0]["description"].as_str()),
        (Some(3), Some("Level3"))
    );
    assert_eq!(
        (props[1]["name"].as_str(), props[1]["value"].as_bool()),
        (Some("fan.on-1"), Some(true))
    );
    assert_eq!(
        (props[2]["name"].as_str(), props[2]["value"].as_bool()),
        (Some("light.night-mode"), Some(false))
    );
    // `access: null` is not readable: refused before anything is sent.
    let o = device(&["get", "quirky", "fan.countdown-time"]).await;
    assert_ne!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("not readable (access: null)"),
        "{}",
        text(&o)
    );
}

/// Start `mikit emulator` as a process (the way the benchmark and users run it) and read
/// its endpoint from the JSON line.
fn emulator_process(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mikit"))
        .arg("emulator")
        .args(["--devices", "0"])
        .args(args)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("mikit emulator starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{line}: {e}"));
    (child, info["endpoint"].as_str().unwrap().to_owned())
}

struct Killed(Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn mirror_with_latency_and_faults_completes_then_fetches_nothing_new() {
    let dir = TempDir::new("spec-mirror");
    let (specs, urns) = spec_dir(dir.path(), 60);
    let (child, endpoint) = emulator_process(&[
        "--spec-dir",
        specs.to_str().unwrap(),
        "--latency-ms",
        "20",
        "--faults",
        "429=0.05,500=0.05,reset=0.03,truncate=0.03",
    ]);
    let _child = Killed(child);

    let mut c = mikit(dir.path(), &endpoint);
    c.args(["-vv", "--json", "spec", "mirror", "--jobs", "8"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    // Faults were injected (the fault draw is deterministic from the seed) and retried.
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("http: retrying"),
        "{}",
        text(&o)
    );
    let s = &json_lines(&o)[0];
    assert_eq!(s["entries"], 62, "{s}");
    assert_eq!(s["fetched"], 60, "{s}");
    assert_eq!(s["missing"], 2, "{s}");
    assert_eq!(s["failed"], 0, "{s}");

    // Second run: the list is fresh, every spec cached, the two 404s remembered.
    let mut c = mikit(dir.path(), &endpoint);
    c.args(["--json", "spec", "mirror"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let s = &json_lines(&o)[0];
    assert_eq!(s["fetched"], 0, "{s}");
    assert_eq!(s["cached"], 60, "{s}");
    assert_eq!(s["recently_failed"], 2, "{s}");

    // The cache holds every spec byte for byte, and works with the service gone.
    drop(_child);
    let store = mikit_store::Store::open(&dir.path().join("mikit.db")).unwrap();
    for urn in &urns {
        assert_eq!(
            store.spec(urn).unwrap().expect("cached").body,
            &Corpus::bundled().spec(urn).unwrap()[..],
            "{urn}"
        );
    }
    drop(store);
    let mut c = mikit(dir.path(), &endpoint);
    c.args(["--json", "spec", "show", &urns[3]]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        stdout(&o).trim_end().as_bytes(),
        &Corpus::bundled().spec(&urns[3]).unwrap()[..]
    );
}

#[tokio::test]
async fn offline_use_of_the_cache() {
    let dir = TempDir::new("spec-offline");
    let emu = emulator(1, |_| {}).await;
    let e = emu.endpoint().to_owned();
    // Nothing cached and --offline: exit 4, nothing asked.
    let mut c = mikit(dir.path(), &e);
    c.args(["spec", "show", "skyrc.feeder.fed", "--offline"]);
    let o = run(c, None).await;
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert_eq!(emu.stats().requests, 0);

    // Fill the cache with one show, then the same answers come without the service.
    let mut c = mikit(dir.path(), &e);
    c.args(["spec", "show", "skyrc.feeder.fed"]);
    let online = run(c, None).await;
    assert!(online.status.success(), "{}", text(&online));
    let requests = emu.stats().requests;
    let mut c = mikit(dir.path(), &e);
    c.args(["spec", "show", "skyrc.feeder.fed"]);
    let cached = run(c, None).await;
    assert_eq!(stdout(&cached), stdout(&online));
    assert_eq!(emu.stats().requests, requests, "a fresh cache asks nothing");

    // A 404 is remembered for a minute: the second attempt does not ask again.
    let unknown = "urn:miot-spec-v2:device:outlet:0000A002:nobody-x9:1";
    for expected_requests in [requests + 1, requests + 1] {
        let mut c = mikit(dir.path(), &e);
        c.args(["spec", "show", unknown]);
        let o = run(c, None).await;
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        assert_eq!(emu.stats().requests, expected_requests);
    }
    emu.shutdown().await;

    // Service gone, cache fresh: works.
    let mut c = mikit(dir.path(), &e);
    c.args(["spec", "search", "skyrc.feeder.fed"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    assert!(stdout(&o).contains("skyrc.feeder.fed"));

    // Service gone, list 8 days old: stale list used with a warning.
    {
        let mut store = mikit_store::Store::open(&dir.path().join("mikit.db")).unwrap();
        let old = store.spec_list("all").unwrap().unwrap();
        let list = mikit_miot::InstanceList::from_slice(&old.body).unwrap();
        store
            .put_spec_list("all", old.fetched_at - 8 * 86_400, &old.body, &list)
            .unwrap();
    }
    let mut c = mikit(dir.path(), &e);
    c.args(["spec", "show", "skyrc.feeder.fed"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(stdout(&o), stdout(&online));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("warning: the spec service is unreachable"),
        "{err}"
    );
    assert!(
        err.contains("instances list (all) cached 8 days ago"),
        "{err}"
    );

    // Service gone, spec never cached: exit 4 (network).
    let mut c = mikit(dir.path(), &e);
    c.args(["spec", "show", "zhimi.airpurifier.ma4"]);
    let o = run(c, None).await;
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
}
