//! `mikit miio …` end to end: the real binary against the emulator's simulated devices and
//! against `mikit miio simulate`, over loopback UDP.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use mikit_emulator::Emulator;
use serde_json::{Value, json};

use crate::harness::{TempDir, emulator, mikit, run, text};

/// No HTTP service is needed by `mikit miio`; the endpoint only satisfies the harness.
const NO_ENDPOINT: &str = "http://127.0.0.1:9";

/// A `mikit` command without any miIO token in the environment.
fn miio(dir: &Path) -> Command {
    let mut c = mikit(dir, NO_ENDPOINT);
    c.env_remove("MIKIT_MIIO_TOKEN");
    c.arg("miio");
    c
}

/// A device address and token.
struct Dev {
    addr: String,
    token: String,
    did: String,
    model: String,
}

fn device(emu: &Emulator, i: usize) -> Dev {
    let d = &emu.info()["devices"][i];
    Dev {
        addr: format!("{}:{}", d["ip"].as_str().unwrap(), d["port"]),
        token: d["token"].as_str().unwrap().to_owned(),
        did: d["did"].as_str().unwrap().to_owned(),
        model: d["model"].as_str().unwrap().to_owned(),
    }
}

/// `mikit --json miio call --ip … --token … METHOD PARAMS`.
async fn call(dir: &Path, dev: &Dev, method: &str, params: &Value) -> Output {
    let mut c = mikit(dir, NO_ENDPOINT);
    c.env_remove("MIKIT_MIIO_TOKEN");
    c.args([
        "--json", "miio", "call", "--ip", &dev.addr, "--token", &dev.token,
    ])
    .args(["--timeout", "0.5", method, &params.to_string()]);
    run(c, None).await
}

fn stdout_json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)))
}

/// A running `mikit miio simulate`, killed on drop.
struct Sim {
    child: Child,
    dev: Dev,
    line: Value,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Spawn `mikit miio simulate ARGS --listen 127.0.0.1:0` and read its JSON line.
async fn simulate(dir: &Path, args: &[&str]) -> Sim {
    let mut c = miio(dir);
    c.arg("simulate")
        .args(args)
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    tokio::task::spawn_blocking(move || {
        let mut child = c.spawn().expect("the mikit binary runs");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let v: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("simulate printed {line:?}: {e}"));
        let dev = Dev {
            addr: format!("{}:{}", v["ip"].as_str().unwrap(), v["port"]),
            token: v["token"].as_str().unwrap().to_owned(),
            did: v["did"].as_str().unwrap().to_owned(),
            model: v["model"].as_str().unwrap().to_owned(),
        };
        Sim {
            child,
            dev,
            line: v,
        }
    })
    .await
    .unwrap()
}

fn codes(result: &Value) -> Vec<i64> {
    result
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_i64().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn info_like_a_real_device_without_printing_the_token() {
    let emu = emulator(1, |c| c.devices = 4).await;
    let dir = TempDir::new("miio-info");
    for i in 0..4 {
        let dev = device(&emu, i);
        // The token from the environment, as documented.
        let mut c = miio(dir.path());
        c.args(["info", "--ip", &dev.addr, "--timeout", "0.5"])
            .env("MIKIT_MIIO_TOKEN", &dev.token);
        let mut json = mikit(dir.path(), NO_ENDPOINT);
        json.args([
            "--json", "miio", "info", "--ip", &dev.addr, "--token", &dev.token,
        ]);
        let (o, oj) = (run(c, None).await, run(json, None).await);
        assert!(o.status.success(), "{}", text(&o));
        assert!(
            String::from_utf8_lossy(&o.stdout).contains(&dev.model),
            "{}",
            text(&o)
        );
        let v = stdout_json(&oj);
        assert_eq!(v["did"], dev.did);
        assert_eq!(v["info"]["model"], dev.model);
        for key in ["fw_ver", "hw_ver", "mac", "ap", "netif", "life"] {
            assert!(v["info"].get(key).is_some(), "{key}: {v}");
        }
        assert_eq!(v["info"]["token"], "***");
        assert!(!text(&o).contains(&dev.token) && !text(&oj).contains(&dev.token));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_set_and_action_with_every_item_code() {
    let emu = emulator(1, |c| c.devices = 2).await;
    let dir = TempDir::new("miio-items");
    // The purifier (zhimi.airpurifier.ma4): 2.2 on (rw bool), 2.4 fan-level (list 1..3),
    // 3.6 pm2.5 (read-only), 10.1 m1-strong (range 300..2300 step 10).
    let purifier = device(&emu, 0);
    assert_eq!(purifier.model, "zhimi.airpurifier.ma4");
    let o = call(
        dir.path(),
        &purifier,
        "get_properties",
        &json!([{"did":"power","siid":2,"piid":2},{"did":"pm","siid":3,"piid":6},{"did":"nope","siid":2,"piid":99}]),
    )
    .await;
    assert_eq!(
        o.status.code(),
        Some(5),
        "a -4003 item is a device error: {}",
        text(&o)
    );
    let r = stdout_json(&o);
    assert_eq!(codes(&r), [0, 0, -4003]);
    assert_eq!(
        r[0],
        json!({"did":"power","siid":2,"piid":2,"code":0,"value":false})
    );
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("2.99: -4003 (property, action or event does not exist)")
    );

    let set = |items: Value| {
        let dir = dir.path().to_owned();
        let purifier = device(&emu, 0);
        async move { call(&dir, &purifier, "set_properties", &items).await }
    };
    let o = set(json!([{"did":"a","siid":2,"piid":2,"value":true},{"did":"b","siid":10,"piid":1,"value":1500}])).await;
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(codes(&stdout_json(&o)), [0, 0]);
    let o = set(json!([
        {"did":"ro","siid":3,"piid":6,"value":10},
        {"did":"step","siid":10,"piid":1,"value":1505},
        {"did":"range","siid":10,"piid":1,"value":2400},
        {"did":"list","siid":2,"piid":4,"value":7},
        {"did":"type","siid":2,"piid":2,"value":"yes"},
        {"did":"unknown","siid":42,"piid":1,"value":1}
    ]))
    .await;
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    assert_eq!(
        codes(&stdout_json(&o)),
        [-4002, -4005, -4005, -4005, -4005, -4003]
    );
    // State persisted: the successful set is read back, the rejected ones changed nothing.
    let o = call(
        dir.path(),
        &purifier,
        "get_properties",
        &json!([{"did":"on","siid":2,"piid":2},{"did":"m1","siid":10,"piid":1}]),
    )
    .await;
    let r = stdout_json(&o);
    assert_eq!(
        (r[0]["value"].clone(), r[1]["value"].clone()),
        (json!(true), json!(1500))
    );

    // The light (yeelink.light.ceile): 4.3 cron-add is write-only → -4001 on read.
    let light = device(&emu, 1);
    let o = call(
        dir.path(),
        &light,
        "get_properties",
        &json!([{"did":"c","siid":4,"piid":3}]),
    )
    .await;
    assert_eq!(o.status.code(), Some(5));
    assert_eq!(codes(&stdout_json(&o)), [-4001]);
    let o = call(
        dir.path(),
        &light,
        "action",
        &json!({"did":"call-2-1","siid":2,"aiid":1,"in":[]}),
    )
    .await;
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(stdout_json(&o), json!({"code":0,"out":[]}));
    let o = call(
        dir.path(),
        &light,
        "action",
        &json!({"did":"call-2-1","siid":2,"aiid":1,"in":[1]}),
    )
    .await;
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    assert_eq!(stdout_json(&o), json!({"code":-4006}));
    let o = call(
        dir.path(),
        &light,
        "action",
        &json!({"siid":2,"aiid":77,"in":[]}),
    )
    .await;
    assert_eq!(stdout_json(&o), json!({"code":-4003}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_token_unreachable_and_device_error_have_their_own_exit_codes() {
    let emu = emulator(1, |c| c.devices = 1).await;
    let dir = TempDir::new("miio-errors");
    let dev = device(&emu, 0);
    let wrong = "0123456789abcdef0123456789abcdef";
    let mut c = miio(dir.path());
    c.args([
        "-vv",
        "info",
        "--ip",
        &dev.addr,
        "--token",
        wrong,
        "--timeout",
        "0.3",
        "--retries",
        "1",
    ]);
    let o = run(c, None).await;
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    let all = text(&o);
    assert!(all.contains("rejects the token"), "{all}");
    assert!(
        !all.contains(wrong) && !all.contains(&dev.token),
        "no token in output: {all}"
    );

    let mut c = miio(dir.path());
    c.args(["info", "--ip", &dev.addr, "--token", "abc123"]);
    let o = run(c, None).await;
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("invalid device token") && !text(&o).contains("abc123"));

    // A port nobody listens on.
    let closed = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut c = miio(dir.path());
    c.args([
        "info",
        "--ip",
        &closed.to_string(),
        "--token",
        &dev.token,
        "--timeout",
        "0.3",
    ]);
    let o = run(c, None).await;
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(
        text(&o).contains("did not answer the hello"),
        "{}",
        text(&o)
    );

    let o = call(dir.path(), &dev, "no_such_method", &json!([])).await;
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    assert!(text(&o).contains("device error -10000"), "{}", text(&o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulate_a_model_from_the_corpus() {
    let dir = TempDir::new("miio-sim-model");
    let sim = simulate(
        dir.path(),
        &["--model", "ijai.vacuum.v1", "--did", "123456789"],
    )
    .await;
    assert_eq!(sim.dev.did, "123456789");
    assert_eq!(sim.dev.model, "ijai.vacuum.v1");
    assert!(sim.line["urn"].as_str().unwrap().contains("ijai-v1"));
    let mut c = miio(dir.path());
    c.args(["info", "--ip", &sim.dev.addr, "--token", &sim.dev.token]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    // 10.7 rename-room: in = [6 map id (uint32, access []), 9 room id (uint8), 10 name
    // (string, access [])], out = [6, 7, 18].
    let o = call(
        dir.path(),
        &sim.dev,
        "action",
        &json!({"did":"call-10-7","siid":10,"aiid":7,"in":[42, 3, "Kitchen"]}),
    )
    .await;
    assert!(o.status.success(), "{}", text(&o));
    let r = stdout_json(&o);
    assert_eq!(r["code"], 0);
    assert_eq!(r["out"].as_array().unwrap().len(), 3);
    assert_eq!(
        r["out"][0], 42,
        "the argument became the state of its property"
    );
    for bad in [
        json!([42, 300, "Kitchen"]),
        json!([42, 3]),
        json!(["42", 3, "Kitchen"]),
    ] {
        let o = call(
            dir.path(),
            &sim.dev,
            "action",
            &json!({"siid":10,"aiid":7,"in":bad}),
        )
        .await;
        assert_eq!(o.status.code(), Some(5), "{}", text(&o));
        assert_eq!(stdout_json(&o), json!({"code":-4006}), "in = {bad}");
    }
    // access [] property: neither readable nor writable directly.
    let o = call(
        dir.path(),
        &sim.dev,
        "get_properties",
        &json!([{"did":"m","siid":10,"piid":6}]),
    )
    .await;
    assert_eq!(codes(&stdout_json(&o)), [-4001]);
    let o = call(
        dir.path(),
        &sim.dev,
        "set_properties",
        &json!([{"did":"m","siid":10,"piid":6,"value":1}]),
    )
    .await;
    assert_eq!(codes(&stdout_json(&o)), [-4002]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulate_a_spec_file_with_pending_sets() {
    let dir = TempDir::new("miio-sim-spec");
    let urn = "urn:miot-spec-v2:device:light:0000A001:yeelink-ceile:1";
    let file = dir.path().join("light.json");
    std::fs::write(
        &file,
        mikit_emulator::corpus::Corpus::bundled().spec(urn).unwrap(),
    )
    .unwrap();
    let token = "00112233445566778899aabbccddeeff";
    let mut c = miio(dir.path());
    c.args(["simulate", "--spec"])
        .arg(&file)
        .args(["--pending-sets", "--listen", "127.0.0.1:0"]);
    c.env("MIKIT_MIIO_TOKEN", token)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = c.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let v: Value = serde_json::from_str(&line).unwrap();
    let sim = Sim {
        child,
        dev: Dev {
            addr: format!("{}:{}", v["ip"].as_str().unwrap(), v["port"]),
            token: v["token"].as_str().unwrap().to_owned(),
            did: v["did"].as_str().unwrap().to_owned(),
            model: v["model"].as_str().unwrap().to_owned(),
        },
        line: v,
    };
    assert_eq!(sim.dev.token, token, "token from MIKIT_MIIO_TOKEN");
    assert_eq!(
        sim.dev.model, "yeelink.light.ceile",
        "model derived from the URN"
    );
    assert_eq!(sim.line["urn"], urn);
    let o = call(
        dir.path(),
        &sim.dev,
        "set_properties",
        &json!([{"did":"b","siid":2,"piid":3,"value":42}]),
    )
    .await;
    assert!(o.status.success(), "code 1 is not an error: {}", text(&o));
    assert_eq!(codes(&stdout_json(&o)), [1]);
    let o = call(
        dir.path(),
        &sim.dev,
        "get_properties",
        &json!([{"did":"b","siid":2,"piid":3}]),
    )
    .await;
    assert_eq!(stdout_json(&o)[0]["value"], 42);
    // Legacy get_prop by spec names.
    let o = call(
        dir.path(),
        &sim.dev,
        "get_prop",
        &json!(["light.brightness", "light.on", "nope"]),
    )
    .await;
    assert_eq!(stdout_json(&o), json!([42, false, null]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discover_the_emulator_devices_by_unicast() {
    let emu = emulator(1, |c| c.devices = 3).await;
    let dir = TempDir::new("miio-discover");
    let mut c = mikit(dir.path(), NO_ENDPOINT);
    c.args(["--json", "miio", "discover", "--timeout", "0.5"]);
    for i in 0..3 {
        c.args(["--addr", &device(&emu, i).addr]);
    }
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let found: Vec<Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut dids: Vec<String> = found
        .iter()
        .map(|f| f["did"].as_str().unwrap().to_owned())
        .collect();
    let mut want: Vec<String> = (0..3).map(|i| device(&emu, i).did).collect();
    dids.sort();
    want.sort();
    assert_eq!(dids, want);
    assert!(
        found.iter().all(|f| f["token"].is_null()),
        "provisioned devices hide the token"
    );
    assert!(
        found.iter().all(|f| f["stamp"].as_u64().unwrap() >= 3600),
        "seeded uptime"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_device_per_loopback_address_on_the_real_port() {
    // 127.0.0.0/8 is loopback on Linux; these two addresses are used by this test only.
    let emu = emulator(1, |c| {
        c.devices = 2;
        c.device_addr = "127.0.0.77".parse().unwrap();
        c.device_port = 54321;
    })
    .await;
    let dir = TempDir::new("miio-realport");
    assert_eq!(device(&emu, 1).addr, "127.0.0.78:54321");
    let mut c = mikit(dir.path(), NO_ENDPOINT);
    c.args([
        "--json",
        "miio",
        "discover",
        "--addr",
        "127.0.0.78",
        "--timeout",
        "0.5",
    ]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (v["did"].as_str().unwrap(), v["port"].as_u64()),
        (device(&emu, 1).did.as_str(), Some(54321))
    );
    let dev = device(&emu, 0);
    let mut c = miio(dir.path());
    c.args(["info", "--ip", "127.0.0.77", "--token", &dev.token]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebooted_device_keeps_working() {
    let emu = emulator(1, |c| c.devices = 2).await;
    let dir = TempDir::new("miio-reboot");
    let dev = device(&emu, 1);
    let info = |dir: &Path| {
        let mut c = mikit(dir, NO_ENDPOINT);
        c.env_remove("MIKIT_MIIO_TOKEN");
        c.args([
            "--json",
            "miio",
            "info",
            "--ip",
            &dev.addr,
            "--token",
            &dev.token,
            "--timeout",
            "0.3",
            "--retries",
            "1",
        ]);
        run(c, None)
    };
    let before = stdout_json(&info(dir.path()).await)["info"]["life"]
        .as_u64()
        .unwrap();
    assert!(before >= 3600);
    assert!(emu.set_device_online(&dev.did, false).await.unwrap());
    assert!(!emu.fleet().by_did(&dev.did).unwrap().online());
    let o = info(dir.path()).await;
    assert_eq!(
        o.status.code(),
        Some(4),
        "an offline device is unreachable: {}",
        text(&o)
    );
    assert!(emu.set_device_online(&dev.did, true).await.unwrap());
    let o = info(dir.path()).await;
    assert!(o.status.success(), "{}", text(&o));
    let after = stdout_json(&o)["info"]["life"].as_u64().unwrap();
    assert!(after < before, "rebooted: uptime {after} < {before}");
    // The set survives the reboot (devices keep their settings).
    let o = call(
        dir.path(),
        &dev,
        "set_properties",
        &json!([{"did":"x","siid":2,"piid":3,"value":77}]),
    )
    .await;
    assert!(o.status.success(), "{}", text(&o));
    emu.set_device_online(&dev.did, false).await.unwrap();
    emu.set_device_online(&dev.did, true).await.unwrap();
    let o = call(
        dir.path(),
        &dev,
        "get_properties",
        &json!([{"did":"x","siid":2,"piid":3}]),
    )
    .await;
    assert_eq!(stdout_json(&o)[0]["value"], 77);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench_reports_throughput_and_percentiles() {
    let dir = TempDir::new("miio-bench");
    let sim = simulate(dir.path(), &["--model", "cuco.plug.cp2d"]).await;
    for k in ["1", "3"] {
        let mut c = mikit(dir.path(), NO_ENDPOINT);
        c.env("MIKIT_MIIO_TOKEN", &sim.dev.token);
        c.args([
            "--json",
            "miio",
            "bench",
            "--ip",
            &sim.dev.addr,
            "--count",
            "300",
            "--concurrency",
            k,
        ])
        .args([
            "--method",
            "get_properties",
            "--params",
            r#"[{"did":"on","siid":2,"piid":1}]"#,
        ]);
        let o = run(c, None).await;
        assert!(o.status.success(), "{}", text(&o));
        let v = stdout_json(&o);
        assert_eq!(
            (v["ok"].as_u64(), v["errors"].as_u64()),
            (Some(300), Some(0)),
            "{v}"
        );
        let l = &v["latency_us"];
        assert!(
            l["p50"].as_f64() <= l["p99"].as_f64() && l["p99"].as_f64() <= l["max"].as_f64(),
            "{v}"
        );
        assert!(v["requests_per_second"].as_f64().unwrap() > 0.0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_command_lists_its_devices() {
    let dir = TempDir::new("miio-emu-cmd");
    let mut c = mikit(dir.path(), NO_ENDPOINT);
    c.args(["emulator", "--days", "1", "--devices", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let (mut child, v) = tokio::task::spawn_blocking(move || {
        let mut child = c.spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        (child, serde_json::from_str::<Value>(&line).unwrap())
    })
    .await
    .unwrap();
    let devices = v["devices"].as_array().unwrap().clone();
    assert_eq!(devices.len(), 2, "{v}");
    let d = &devices[0];
    for key in ["did", "name", "model", "ip", "port", "token", "region"] {
        assert!(d.get(key).is_some(), "{key}: {d}");
    }
    let mut c = miio(dir.path());
    c.args([
        "info",
        "--ip",
        &format!("{}:{}", d["ip"].as_str().unwrap(), d["port"]),
    ])
    .env("MIKIT_MIIO_TOKEN", d["token"].as_str().unwrap());
    let o = run(c, None).await;
    let _ = child.kill();
    let _ = child.wait();
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains(d["model"].as_str().unwrap()));
}
