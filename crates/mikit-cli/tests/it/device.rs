//! `mikit device …` end to end: the emulator's Xiaomi account lists its devices, each device
//! answers on its own loopback address and the real miIO port (as on a LAN, where the cloud
//! gives only the IP), and the same simulated device answers the cloud's MIoT calls.
//!
//! Each test uses its own 127.33.N.0/24 block, so tests run in parallel without sharing a
//! socket (127.0.0.0/8 is loopback on Linux).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use mikit_emulator::Emulator;
use mikit_emulator::device::SimDevice;
use serde_json::{Value, json};

use crate::harness::{TempDir, emulator, mikit, run, text};

/// The fleet order of the emulator (seeded catalogue): purifier, ceiling light, plug, fan.
const PURIFIER: &str = "Living room purifier";
const LIGHT: &str = "Bedroom ceiling light";
const PLUG: &str = "Office desk plug";
const FAN: &str = "Study fan";

/// An emulator with four devices on 127.33.`block`.1..=4, port 54321.
async fn household(block: u8) -> Emulator {
    emulator(1, |c| {
        c.devices = 4;
        c.device_addr = std::net::Ipv4Addr::new(127, 33, block, 1).into();
        c.device_port = 54321;
    })
    .await
}

/// `mikit` with the variables that could leak in from the environment cleared.
fn cmd(dir: &Path, emu: &Emulator) -> Command {
    let mut c = mikit(dir, emu.endpoint());
    for v in ["MIKIT_MI_PASSWORD", "MIKIT_MIIO_TOKEN"] {
        c.env_remove(v);
    }
    c
}

async fn mikit_out(dir: &Path, emu: &Emulator, args: &[&str]) -> Output {
    let mut c = cmd(dir, emu);
    c.args(args);
    run(c, None).await
}

/// Log in to the emulator's Xiaomi account and store its device list.
async fn logged_in(dir: &Path, emu: &Emulator) {
    let a = &emu.info()["accounts"]["xiaomi"];
    let (user, password) = (a["user"].as_str().unwrap(), a["password"].as_str().unwrap());
    let mut c = cmd(dir, emu);
    c.args(["cloud", "login", "--user", user, "--password-stdin"]);
    let o = run(c, Some(format!("{password}\n"))).await;
    assert!(o.status.success(), "{}", text(&o));
    let o = mikit_out(dir, emu, &["device", "list", "--refresh"]).await;
    assert!(o.status.success(), "{}", text(&o));
}

fn sim(emu: &Emulator, name: &str) -> Arc<SimDevice> {
    emu.fleet()
        .devices()
        .iter()
        .find(|d| d.info().name == name)
        .unwrap_or_else(|| panic!("no device {name}"))
        .clone()
}

fn stdout_json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)))
}

/// The `properties` of a `--json` answer by name.
fn by_name<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["properties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {v}"))
}

/// Every device token the emulator knows: none may ever be printed.
fn assert_no_token(emu: &Emulator, o: &Output) {
    let all = text(o);
    for d in emu.fleet().devices() {
        assert!(
            !all.contains(&d.info().token_hex()),
            "a token leaked: {all}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_shows_the_cloud_devices_and_their_spec_status() {
    let emu = household(1).await;
    let dir = TempDir::new("device-list");
    logged_in(dir.path(), &emu).await;
    let o = mikit_out(dir.path(), &emu, &["--json", "device", "list"]).await;
    assert!(o.status.success(), "{}", text(&o));
    assert_no_token(&emu, &o);
    let list = stdout_json(&o);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 4, "{list:?}");
    for d in emu.fleet().devices() {
        let i = d.info();
        let row = list.iter().find(|r| r["did"] == i.did.as_str()).unwrap();
        assert_eq!(row["name"], i.name.as_str());
        assert_eq!(row["model"], i.model.as_str());
        assert_eq!(row["ip"], i.ip.to_string());
        assert_eq!(row["online"], true);
        assert_eq!(row["source"], "cloud");
        assert_eq!(row["spec"], "not cached");
    }
    // Reading a device caches its spec.
    let o = mikit_out(
        dir.path(),
        &emu,
        &["device", "get", "bedroom c", "light.on"],
    )
    .await;
    assert!(o.status.success(), "{}", text(&o));
    let o = mikit_out(dir.path(), &emu, &["device", "list"]).await;
    let table = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(table.starts_with("NAME"), "{table}");
    let light = table.lines().find(|l| l.starts_with(LIGHT)).unwrap();
    assert!(
        light.ends_with("cached") && !light.ends_with("not cached"),
        "{table}"
    );
    let plug = table.lines().find(|l| l.starts_with(PLUG)).unwrap();
    assert!(plug.ends_with("not cached"), "{table}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_get_set_and_action_over_the_lan() {
    let emu = household(2).await;
    let dir = TempDir::new("device-lan");
    logged_in(dir.path(), &emu).await;
    let purifier = sim(&emu, PURIFIER);

    // status: every readable property (54 for this spec), by name, with units and labels.
    let o = mikit_out(
        dir.path(),
        &emu,
        &["-v", "device", "status", "living room purifier"],
    )
    .await;
    assert!(o.status.success(), "{}", text(&o));
    assert_no_token(&emu, &o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("via LAN (127.33.2.1:54321)"), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.lines().count() >= 50, "{out}");
    let mode = purifier.value(2, 5).unwrap();
    let label = ["Auto", "Sleep", "Favorite", "None"][mode.as_u64().unwrap() as usize];
    assert!(
        out.lines()
            .any(|l| l.starts_with("air-purifier.mode")
                && l.ends_with(&format!("= {mode} ({label})"))),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("environment.relative-humidity") && l.ends_with('%')),
        "{out}"
    );

    // set by names (a value-list entry by its description, a bool word), then get by numbers.
    let o = mikit_out(
        dir.path(),
        &emu,
        &[
            "device",
            "set",
            PURIFIER,
            "air-purifier.mode=favorite",
            "alarm.alarm=off",
        ],
    )
    .await;
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(purifier.value(2, 5), Some(json!(2)));
    assert_eq!(purifier.value(5, 1), Some(json!(false)));
    let o = mikit_out(
        dir.path(),
        &emu,
        &["--json", "device", "get", PURIFIER, "2.5", "alarm"],
    )
    .await;
    assert!(o.status.success(), "{}", text(&o));
    let v = stdout_json(&o);
    assert_eq!(v["device"]["via"], "lan");
    assert_eq!(by_name(&v, "air-purifier.mode")["value"], 2);
    assert_eq!(by_name(&v, "air-purifier.mode")["description"], "Favorite");
    assert_eq!(by_name(&v, "alarm.alarm")["value"], false);

    // An action, and one given an argument it does not take (refused before sending).
    let light = sim(&emu, LIGHT);
    let o = mikit_out(
        dir.path(),
        &emu,
        &["device", "action", LIGHT, "light.toggle"],
    )
    .await;
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("light.toggle: ok"),
        "{}",
        text(&o)
    );
    // Issue 9 (polish): the device carried it out: the light, off at start, is now on.
    let o = mikit_out(
        dir.path(),
        &emu,
        &["--json", "device", "get", LIGHT, "light.on"],
    )
    .await;
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(by_name(&stdout_json(&o), "light.on")["value"], true);
    let o = mikit_out(
        dir.path(),
        &emu,
        &["device", "action", LIGHT, "light.toggle", "1"],
    )
    .await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("takes 0 argument"),
        "{}",
        text(&o)
    );

    // A did works as DEV; so does an address with --token.
    let i = light.info().clone();
    let o = mikit_out(
        dir.path(),
        &emu,
        &["device", "get", &i.did, "light.brightness"],
    )
    .await;
    assert!(o.status.success(), "{}", text(&o));
    let mut c = cmd(dir.path(), &emu);
    c.args(["device", "get", "127.33.2.250", "light.brightness"]);
    let o = run(c, None).await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let addr = format!("{}:{}", i.ip, i.port);
    let mut c = cmd(dir.path(), &emu);
    c.env("MIKIT_MIIO_TOKEN", i.token_hex());
    c.args(["device", "get", &addr, "light.brightness"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    assert_no_token(&emu, &o);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cloud_takes_over_when_the_lan_is_down() {
    let emu = household(3).await;
    let dir = TempDir::new("device-cloud");
    logged_in(dir.path(), &emu).await;
    let fan = sim(&emu, FAN);
    let did = fan.info().did.clone();
    // The LAN server stops; the device stays online for the cloud (the user is away from home).
    assert!(emu.set_device_online(&did, false).await.unwrap());
    fan.set_online(true);

    let o = mikit_out(
        dir.path(),
        &emu,
        &["device", "get", FAN, "fan.on", "--via", "lan"],
    )
    .await;
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("did not answer on the LAN"),
        "{}",
        text(&o)
    );

    let o = mikit_out(dir.path(), &emu, &["-v", "device", "status", FAN]).await;
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("via cloud"),
        "{}",
        text(&o)
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.starts_with("Study fan (dreame.fan.l2146, via cloud):"),
        "{out}"
    );
    assert!(out.lines().any(|l| l.starts_with("fan.fan-level")), "{out}");

    // Remembered: the next command goes straight to the cloud and says so.
    let o = mikit_out(
        dir.path(),
        &emu,
        &[
            "-v",
            "device",
            "set",
            FAN,
            "fan.fan-level=42",
            "fan.mode=Smart",
        ],
    )
    .await;
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("remembered"),
        "{}",
        text(&o)
    );
    assert_eq!(fan.value(2, 2), Some(json!(42)));
    assert_eq!(fan.value(2, 18), Some(json!(3)));
    let o = mikit_out(
        dir.path(),
        &emu,
        &["--json", "device", "get", FAN, "fan.fan-level", "fan.mode"],
    )
    .await;
    assert!(o.status.success(), "{}", text(&o));
    let v = stdout_json(&o);
    assert_eq!(v["device"]["via"], "cloud");
    assert_eq!(by_name(&v, "fan.fan-level")["value"], 42);
    assert_eq!(by_name(&v, "fan.mode")["description"], "Smart");

    // Actions go through the cloud too, and act: the light (off at start) is toggled on.
    let o = mikit_out(
        dir.path(),
        &emu,
        &["device", "action", LIGHT, "light.toggle", "--via", "cloud"],
    )
    .await;
    assert!(o.status.success(), "{}", text(&o));
    let o = mikit_out(
        dir.path(),
        &emu,
        &[
            "--json", "device", "get", LIGHT, "light.on", "--via", "cloud",
        ],
    )
    .await;
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(by_name(&stdout_json(&o), "light.on")["value"], true);

    // Fully offline: the cloud answers "device offline" per item, exit 5.
    fan.set_online(false);
    let o = mikit_out(dir.path(), &emu, &["device", "get", FAN, "fan.on"]).await;
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("-704042011 (device offline)"),
        "{}",
        text(&o)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_values_and_names_are_refused_before_anything_is_sent() {
    let emu = household(4).await;
    let dir = TempDir::new("device-refuse");
    logged_in(dir.path(), &emu).await;
    let fan = sim(&emu, FAN);
    let before = fan.value(2, 2).unwrap();

    let o = mikit_out(
        dir.path(),
        &emu,
        &["device", "set", FAN, "fan.on=on", "fan.fan-level=150"],
    )
    .await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("150 is out of range: allowed 1..=100"),
        "{err}"
    );
    let o = mikit_out(dir.path(), &emu, &["device", "set", FAN, "fan.mode=turbo"]).await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("one of: 1 (Straight Wind)") && err.contains("5 (Purification)"),
        "{err}"
    );
    let o = mikit_out(
        dir.path(),
        &emu,
        &["device", "set", FAN, "environment.temperature=20"],
    )
    .await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("not writable"),
        "{}",
        text(&o)
    );
    // Nothing reached the device: its state is as before, and no LAN message ids were used.
    assert_eq!(fan.value(2, 2).unwrap(), before);
    assert!(!dir.path().join("state/miio-ids.json").exists());

    let o = mikit_out(dir.path(), &emu, &["device", "get", FAN, "fan.fan-levle"]).await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("did you mean \"fan.fan-level\"?"), "{err}");
    let o = mikit_out(dir.path(), &emu, &["device", "get", "Study fna", "fan.on"]).await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("did you mean \"Study fan\"?"),
        "{}",
        text(&o)
    );
    // No transport was ever opened: neither a LAN message id nor a transport choice was kept.
    assert!(!dir.path().join("state/miio-ids.json").exists());
    assert!(!dir.path().join("state/device-via.json").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_added_by_hand() {
    let emu = household(5).await;
    let dir = TempDir::new("device-add");
    let plug = sim(&emu, PLUG);
    let i = plug.info().clone();
    let addr = format!("{}:{}", i.ip, i.port);

    // No model given: the device is asked (miIO.info) for its model and did.
    let mut c = cmd(dir.path(), &emu);
    c.env("MIKIT_MIIO_TOKEN", i.token_hex());
    c.args(["device", "add", "Desk plug", "--ip", &addr]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    assert_no_token(&emu, &o);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains(&format!("cuco.plug.cp2d, did {}", i.did)),
        "{}",
        text(&o)
    );

    let o = mikit_out(dir.path(), &emu, &["--json", "device", "list"]).await;
    assert_no_token(&emu, &o);
    let list = stdout_json(&o);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["source"], "manual");
    assert_eq!(list[0]["did"], i.did.as_str());

    // It works like any device, on the LAN (the cloud does not know it here).
    let o = mikit_out(
        dir.path(),
        &emu,
        &["device", "set", "desk PLUG", "switch.on=off"],
    )
    .await;
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(plug.value(2, 1), Some(json!(false)));
    let o = mikit_out(dir.path(), &emu, &["device", "get", "desk", "switch.on"]).await;
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("switch.on = false"),
        "{}",
        text(&o)
    );
    let o = mikit_out(
        dir.path(),
        &emu,
        &["device", "get", "desk", "switch.on", "--via", "cloud"],
    )
    .await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("only be reached on the LAN"),
        "{}",
        text(&o)
    );

    // A second device of the same name is refused; a wrong token never reaches the store.
    let mut c = cmd(dir.path(), &emu);
    c.args([
        "device",
        "add",
        "DESK PLUG",
        "--ip",
        &addr,
        "--token",
        &i.token_hex(),
        "--model",
        "cuco.plug.cp2d",
    ]);
    let o = run(c, None).await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let mut c = cmd(dir.path(), &emu);
    c.args([
        "device",
        "add",
        "Other",
        "--ip",
        &addr,
        "--token",
        "not-a-token",
    ]);
    let o = run(c, None).await;
    assert_ne!(o.status.code(), Some(0), "{}", text(&o));
    assert!(!text(&o).contains("not-a-token"), "{}", text(&o));

    let o = mikit_out(dir.path(), &emu, &["device", "remove", "Desk Plug"]).await;
    assert!(o.status.success(), "{}", text(&o));
    let o = mikit_out(dir.path(), &emu, &["device", "remove", "Desk Plug"]).await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = mikit_out(dir.path(), &emu, &["--json", "device", "list"]).await;
    assert_eq!(stdout_json(&o), json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_prints_changes_as_json_lines_until_interrupted() {
    let emu = household(6).await;
    let dir = TempDir::new("device-watch");
    logged_in(dir.path(), &emu).await;
    let light = sim(&emu, LIGHT);
    let mut c = cmd(dir.path(), &emu);
    c.args([
        "--json",
        "device",
        "watch",
        LIGHT,
        "light.brightness",
        "light.on",
        "--interval",
        "0.2",
    ]);
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let next = async |rx: &mut tokio::sync::mpsc::UnboundedReceiver<String>| -> Value {
        let line = tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv())
            .await
            .expect("a line within 10 s")
            .expect("the watcher is still running");
        serde_json::from_str(&line).unwrap()
    };
    // First read: both properties.
    let a = next(&mut rx).await;
    let b = next(&mut rx).await;
    let mut names = [a["name"].as_str().unwrap(), b["name"].as_str().unwrap()];
    names.sort_unstable();
    assert_eq!(names, ["light.brightness", "light.on"]);
    assert!(a["time"].is_string());
    // Then only what changes.
    let current = light.value(2, 3).unwrap().as_u64().unwrap();
    let new = if current == 77 { 78 } else { 77 };
    let r = light.set_properties(&[json!({"did":"t","siid":2,"piid":3,"value":new})]);
    assert_eq!(r[0]["code"], 0, "{r:?}");
    let c = next(&mut rx).await;
    assert_eq!(c["name"], "light.brightness");
    assert_eq!(c["value"], new);
    assert_eq!(c["unit"], "%");

    // Ctrl-C stops it cleanly.
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    reader.join().unwrap();
}
