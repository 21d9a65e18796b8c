//! The dashboard over real sockets on 127.0.0.1, against a store synced from the emulator and
//! the emulator's devices: every page and API answers, the API carries the library's numbers,
//! foreign hosts and cross-origin writes are refused, and a property set through the page's
//! form reaches the device.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::civil::{Date, date};
use mikit_app::device::{Access, MessageIds};
use mikit_app::shutdown::Shutdown;
use mikit_emulator::{Emulator, EmulatorConfig};
use mikit_store::Store;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TODAY: Date = date(2026, 3, 31);

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let p = std::env::temp_dir().join(format!("mikit-web-it-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        mikit_core::paths::ensure_private_dir(&p).unwrap();
        Self(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn http(emu: &Emulator) -> mikit_core::http::Http {
    mikit_core::http::Http::builder()
        .endpoints(mikit_core::EndpointMap::new(Some(emu.endpoint())).unwrap())
        .build()
        .unwrap()
}

/// Device access for the dashboard: the spec service and the Mi cloud of the emulator.
struct Env {
    db: PathBuf,
    emu_endpoint: String,
    access: Access,
}

impl mikit_web::DeviceEnv for Env {
    fn open(&self) -> Result<(mikit_app::spec::Source, Access), String> {
        let store = Store::open(&self.db).map_err(|e| e.to_string())?;
        let endpoint = self.emu_endpoint.clone();
        let source = mikit_app::spec::Source::online(store, move || {
            mikit_core::http::Http::builder()
                .endpoints(mikit_core::EndpointMap::new(Some(endpoint.as_str())).unwrap())
                .build()
        });
        Ok((source, self.access.clone()))
    }
}

/// A store with 60 days of band data and the emulator's devices; the emulator keeps running.
async fn setup(dir: &Path) -> (Emulator, Arc<Env>) {
    let emu = Emulator::start(EmulatorConfig {
        seed: 3,
        days: 60,
        today: Some(TODAY),
        devices: 4,
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    let db = dir.join("mikit.db");
    let info = emu.info();
    let huami = &info["accounts"]["huami"];
    let session = mikit_huami::login(
        &http(&emu),
        &mikit_huami::LoginRequest::new(
            huami["email"].as_str().unwrap(),
            huami["password"].as_str().unwrap().to_owned().into(),
        ),
    )
    .await
    .unwrap();
    let client = Arc::new(mikit_huami::HuamiClient::new(http(&emu), session));
    mikit_app::fit::sync(
        client,
        Store::open(&db).unwrap(),
        &mikit_app::fit::SyncOptions {
            today: Some(TODAY),
            ..Default::default()
        },
        &Shutdown::new(),
        |_| {},
    )
    .await
    .unwrap();
    let xiaomi = &info["accounts"]["xiaomi"];
    let endpoints = mikit_core::EndpointMap::new(Some(emu.endpoint())).unwrap();
    let mut flow = mikit_micloud::LoginFlow::new(endpoints.clone()).unwrap();
    let mikit_micloud::LoginStep::Done(session) = flow
        .password(
            xiaomi["user"].as_str().unwrap(),
            &xiaomi["password"].as_str().unwrap().to_owned().into(),
        )
        .await
        .unwrap()
    else {
        panic!("the emulated Xiaomi account asked for more than a password")
    };
    let api = mikit_micloud::MiCloud::new(endpoints, session).unwrap();
    let mut store = Store::open(&db).unwrap();
    mikit_app::device::refresh_cloud_devices(&api, &mut store, &mikit_micloud::Region::ALL)
        .await
        .unwrap();
    let env = Arc::new(Env {
        db: db.clone(),
        emu_endpoint: emu.endpoint().to_owned(),
        access: Access {
            cloud: Some(api),
            via_memory: dir.join("via.json"),
            ids: MessageIds::at(dir.join("ids.json")),
        },
    });
    (emu, env)
}

/// One HTTP/1.1 exchange with exactly the headers given: (status, body).
async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() {
        req.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text[9..12].parse().unwrap();
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

async fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let host = addr.to_string();
    request(addr, "GET", path, &[("Host", &host)], "").await
}

/// A chunked body's payload (hyper chunks HTML responses).
fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            return body.to_owned();
        };
        if n == 0 || tail.len() < n {
            break;
        }
        out.push_str(&tail[..n]);
        rest = tail[n..].trim_start_matches("\r\n");
    }
    if out.is_empty() { body.to_owned() } else { out }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_api_guards_and_a_device_write() {
    let dir = TempDir::new("all");
    let (emu, env) = setup(&dir.0).await;
    let db = dir.0.join("mikit.db");
    let shutdown = Shutdown::new();
    let server = mikit_web::start(
        mikit_web::Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            database: db.clone(),
            devices: Some(env.clone() as Arc<dyn mikit_web::DeviceEnv>),
            today: Some(TODAY),
        },
        &shutdown,
    )
    .await
    .unwrap();
    let addr = server.addr;
    assert!(addr.ip().is_loopback());

    // Every page answers with HTML and no error.
    for path in [
        "/",
        "/activity",
        "/activity?from=2025-04-01&to=2026-03-31",
        "/sleep",
        "/heart",
        "/health",
        "/health?from=2016-04-01&to=2026-03-31",
        "/workouts",
        "/devices",
        "/coverage",
    ] {
        let (status, body) = get(addr, path).await;
        let body = dechunk(&body);
        assert_eq!(status, 200, "{path}: {body}");
        assert!(body.contains("<!doctype html>"), "{path}");
        assert!(!body.contains(r#"class="error""#), "{path}: {body}");
    }
    let (status, css) = get(addr, "/assets/style.css").await;
    assert_eq!(status, 200);
    assert!(css.contains("prefers-color-scheme"));

    // The API serves the library's numbers.
    let (status, body) = get(addr, "/api/overview").await;
    assert_eq!(status, 200);
    let body = dechunk(&body);
    let api: Value = serde_json::from_str(&body).unwrap();
    let store = Store::open(&db).unwrap();
    let account = mikit_app::stats::account(&store).unwrap();
    let lib = mikit_app::stats::overview(&store, account, TODAY).unwrap();
    // Byte for byte (a parsed float may differ in its last digit).
    assert_eq!(body, serde_json::to_string(&lib).unwrap());
    let rows = store.day_rows(account, None, None).unwrap();
    let last = rows.iter().rev().find(|d| d.steps.is_some()).unwrap();
    assert_eq!(api["latest"]["steps"], serde_json::json!(last.steps));
    for path in [
        "/api/activity",
        "/api/sleep",
        "/api/heart?date=2026-03-30",
        "/api/coverage",
        "/api/devices",
    ] {
        let (status, body) = get(addr, path).await;
        assert_eq!(status, 200, "{path}");
        let _: Value = serde_json::from_str(&dechunk(&body)).unwrap();
    }
    // The health API serves the store's values, each kind in the range.
    let (status, body) = get(addr, "/api/health?from=2026-02-01&to=2026-03-31").await;
    assert_eq!(status, 200);
    let api: Value = serde_json::from_str(&dechunk(&body)).unwrap();
    let series = api["series"].as_array().unwrap();
    assert_eq!(
        series.len(),
        mikit_app::health::KINDS.len() + 1,
        "every kind and weight"
    );
    let mut stored = std::collections::HashMap::new();
    store
        .for_each_health_event(account, &[], i64::MIN, i64::MAX, |e, _| {
            stored.insert((e.kind.clone(), e.ts), e.value);
            Ok::<(), mikit_store::Error>(())
        })
        .unwrap();
    let mut shown = 0;
    for s in series.iter().filter(|s| s["kind"] != "weight") {
        for p in s["points"].as_array().unwrap() {
            let key = (
                s["kind"].as_str().unwrap().to_owned(),
                p["ts"].as_i64().unwrap(),
            );
            assert_eq!(
                stored.get(&key).copied().flatten(),
                p["value"].as_f64(),
                "{key:?}"
            );
            shown += 1;
        }
    }
    assert!(shown > 100, "{shown}");
    let (status, _) = get(addr, "/api/health?from=2026-03-31&to=2026-03-01").await;
    assert_eq!(status, 400);

    // Bad input is a clear 400.
    let (status, body) = get(addr, "/api/activity?from=yesterday").await;
    assert_eq!(status, 400);
    assert!(body.contains("YYYY-MM-DD"), "{body}");

    // Foreign hosts are refused (DNS rebinding).
    let (status, _) = request(addr, "GET", "/", &[("Host", "evil.example:8787")], "").await;
    assert_eq!(status, 421);

    // The device page, its form token, and writes.
    let names: Vec<String> = emu.info()["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap().to_owned())
        .collect();
    let fan = &names[3];
    let path = format!("/devices/{}", fan.replace(' ', "%20"));
    let (status, page) = get(addr, &path).await;
    let page = dechunk(&page);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("fan.fan-level"), "{page}");
    let token = page
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .and_then(|t| t.split('"').next())
        .unwrap()
        .to_owned();
    let host = addr.to_string();
    let origin = format!("http://{addr}");
    let form = format!("csrf={token}&prop=fan.fan-level&value=3");
    let set = format!("{path}/set");
    // Cross-origin, no origin, wrong token: refused, nothing written.
    for (headers, body) in [
        (
            vec![("Host", host.as_str()), ("Origin", "http://evil.example")],
            form.clone(),
        ),
        (vec![("Host", host.as_str())], form.clone()),
        (
            vec![("Host", host.as_str()), ("Origin", origin.as_str())],
            "csrf=0000&prop=fan.fan-level&value=3".to_owned(),
        ),
    ] {
        let (status, _) = request(addr, "POST", &set, &headers, &body).await;
        assert_eq!(status, 403);
    }
    let level = |page: &str| {
        page.split("fan.fan-level</td><td>")
            .nth(1)
            .and_then(|t| t.split('<').next())
            .map(str::to_owned)
    };
    assert_ne!(level(&page).as_deref(), Some("3"));
    // From the page: written, and the new value is read back.
    let (status, answer) = request(
        addr,
        "POST",
        &set,
        &[("Host", &host), ("Origin", &origin)],
        &form,
    )
    .await;
    let answer = dechunk(&answer);
    assert_eq!(status, 200, "{answer}");
    assert!(answer.contains("fan.fan-level = 3: ok"), "{answer}");
    assert_eq!(level(&answer).as_deref(), Some("3"));
    // A value outside the spec is refused before anything is sent, with the allowed range.
    let (_, answer) = request(
        addr,
        "POST",
        &set,
        &[("Host", &host), ("Origin", &origin)],
        &format!("csrf={token}&prop=fan.fan-level&value=999"),
    )
    .await;
    assert!(dechunk(&answer).contains("cannot be set"), "{answer}");

    // An action without arguments from a device page: run, and the device's answer shown.
    let mut ran = false;
    for name in &names {
        let dev_path = format!("/devices/{}", name.replace(' ', "%20"));
        let (_, page) = get(addr, &dev_path).await;
        let page = dechunk(&page);
        // Forms are `…/action"><input csrf><input type="hidden" name="action" value="X"><button`.
        let Some(action) = page
            .split(r#"name="action" value=""#)
            .skip(1)
            .find_map(|rest| {
                let (value, after) = rest.split_once('"')?;
                after.starts_with("><button").then(|| value.to_owned())
            })
        else {
            continue;
        };
        let (status, answer) = request(
            addr,
            "POST",
            &format!("{dev_path}/action"),
            &[("Host", &host), ("Origin", &origin)],
            &format!("csrf={token}&action={action}"),
        )
        .await;
        let answer = dechunk(&answer);
        assert_eq!(status, 200, "{answer}");
        assert!(
            answer.contains(&format!("{action}: ok")),
            "{action}: {answer}"
        );
        ran = true;
        break;
    }
    assert!(
        ran,
        "no device of the emulator has an action without arguments"
    );

    server.stop().await;
    drop(env);
    emu.shutdown().await;
}
