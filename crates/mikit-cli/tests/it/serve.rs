//! `mikit serve` in a real headless Chromium (Debian's `chromium`, driven over the DevTools
//! protocol): every page loads without a console error against a store synced from the
//! emulator, the overview shows what `mikit fit show --json` prints, a property set from the
//! device page is what `mikit device get` reads, and a cross-origin form post is refused.
//!
//! With `MIKIT_SCREENSHOTS=DIR`, a 1280×800 screenshot of every page is written to DIR (how
//! `docs/screenshots/` is made).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};

use serde_json::Value;

use crate::cdp::Browser;
use crate::harness::{TempDir, emulator, login, mikit, run, text};

const FAN: &str = "Study fan";

/// A running `mikit serve` and its URL (without the trailing slash).
struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(dir: &Path, endpoint: &str) -> Server {
    let mut c = mikit(dir, endpoint);
    c.args(["--json", "serve", "--listen", "127.0.0.1:0"]);
    c.stdout(Stdio::piped()).stderr(Stdio::null());
    let mut child = c.spawn().expect("mikit serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    let url = v["url"].as_str().unwrap().trim_end_matches('/').to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    Server { child, url }
}

async fn ok(dir: &Path, endpoint: &str, args: &[&str], stdin: Option<String>) -> String {
    let mut c = mikit(dir, endpoint);
    c.args(args);
    let o = run(c, stdin).await;
    assert!(o.status.success(), "{args:?}: {}", text(&o));
    String::from_utf8(o.stdout).unwrap()
}

/// The fan level `mikit device get` reads.
async fn fan_level(dir: &Path, endpoint: &str) -> Value {
    let out = ok(
        dir,
        endpoint,
        &["--json", "device", "get", FAN, "fan.fan-level"],
        None,
    )
    .await;
    let v: Value = serde_json::from_str(&out).unwrap();
    v["properties"][0]["value"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_in_a_real_browser() {
    let emu = emulator(60, |c| {
        c.devices = 4;
        c.device_addr = std::net::Ipv4Addr::new(127, 33, 40, 1).into();
        c.device_port = 54321;
    })
    .await;
    let ep = emu.endpoint().to_owned();
    let dir = TempDir::new("serve");
    let d = dir.path();
    login(d, &emu).await;
    ok(d, &ep, &["fit", "sync"], None).await;
    let a = &emu.info()["accounts"]["xiaomi"];
    let (user, password) = (a["user"].as_str().unwrap(), a["password"].as_str().unwrap());
    ok(
        d,
        &ep,
        &["cloud", "login", "--user", user, "--password-stdin"],
        Some(format!("{password}\n")),
    )
    .await;
    ok(d, &ep, &["device", "list", "--refresh"], None).await;

    // A workout with a track, for its page.
    let list = ok(d, &ep, &["--json", "fit", "workouts"], None).await;
    let list: Vec<Value> = list
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let with_track = list
        .iter()
        .find(|w| w["sport"] == 1)
        .unwrap_or_else(|| panic!("an outdoor run in {list:?}"));
    let workout = format!("/workouts/{}", with_track["trackid"]);

    let server = serve(d, &ep);
    let mut b = Browser::launch(1280, 800).await;
    let shots = std::env::var_os("MIKIT_SCREENSHOTS").map(std::path::PathBuf::from);
    let fan = format!("/devices/{}", FAN.replace(' ', "%20"));
    for (path, name) in [
        ("/", "overview"),
        ("/activity", "activity"),
        ("/activity?from=2025-04-01&to=2026-03-31", "activity-year"),
        ("/sleep", "sleep"),
        ("/heart", "heart"),
        ("/health?from=2025-12-01&to=2026-03-31", "health"),
        ("/workouts", "workouts"),
        (workout.as_str(), "workout"),
        ("/devices", "devices"),
        (fan.as_str(), "device"),
        ("/coverage", "coverage"),
    ] {
        b.goto(&format!("{}{path}", server.url)).await;
        assert!(b.errors.is_empty(), "{path}: {:?}", b.errors);
        let h1 = b.eval("document.querySelector('h1').textContent").await;
        assert_ne!(h1, "Not found", "{path}");
        let errors = b.eval("document.querySelectorAll('.error').length").await;
        assert_eq!(errors, 0, "{path}: an error is shown");
        if let Some(dir) = &shots {
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(dir.join(format!("{name}.png")), b.screenshot().await).unwrap();
        }
    }

    // The health page draws one chart per kind with data in its range, as its API twin says.
    let health = "health?from=2025-12-01&to=2026-03-31";
    b.goto(&format!("{}/{health}", server.url)).await;
    let charts = b
        .eval("document.querySelectorAll('main svg.chart').length")
        .await;
    let api: serde_json::Value = serde_json::from_str(
        b.eval(&format!("fetch('/api/{health}').then(r => r.text())"))
            .await
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let with_data = api["series"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| !s["points"].as_array().unwrap().is_empty())
        .count();
    assert!(with_data >= 6, "{api}");
    assert_eq!(charts.as_u64().unwrap(), with_data as u64);

    // The workout page draws its track.
    b.goto(&format!("{}{workout}", server.url)).await;
    let lines = b
        .eval("document.querySelectorAll('svg polyline.route').length")
        .await;
    assert!(lines.as_u64().unwrap() >= 1, "{lines}");

    // The overview's latest day is what `mikit fit show --json` prints for it.
    b.goto(&format!("{}/", server.url)).await;
    let latest = b
        .eval("document.querySelector('main p.muted').textContent")
        .await;
    let date = latest
        .as_str()
        .unwrap()
        .trim_end_matches('.')
        .rsplit(' ')
        .next()
        .unwrap()
        .to_owned();
    let shown = b
        .eval("document.querySelector('.card .value').textContent")
        .await;
    let shown: String = shown
        .as_str()
        .unwrap()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let day = ok(
        d,
        &ep,
        &["--json", "fit", "show", "--from", &date, "--to", &date],
        None,
    )
    .await;
    let day: Value = serde_json::from_str(day.lines().next().unwrap()).unwrap();
    assert_eq!(shown, day["steps"].to_string(), "{date}");

    // A property set from the device page is what `mikit device get` reads.
    b.goto(&format!("{}{fan}", server.url)).await;
    let before = fan_level(d, &ep).await;
    let target = if before == 3 { 4 } else { 3 };
    b.eval_and_wait(&format!(
        "(() => {{ const f = document.querySelector('form[action$=\"/set\"] input[name=prop][value=\"fan.fan-level\"]').form; \
           f.querySelector('[name=value]').value = '{target}'; f.submit(); }})()"
    ))
    .await;
    let answer = b
        .eval("(document.getElementById('answer') || document.body).innerText")
        .await;
    assert_eq!(
        answer.as_str().unwrap(),
        format!("fan.fan-level = {target}: ok")
    );
    assert!(b.errors.is_empty(), "{:?}", b.errors);
    assert_eq!(fan_level(d, &ep).await, target);

    // A form on another origin posting to the dashboard is refused, even with the token.
    let token = b
        .eval("document.querySelector('input[name=csrf]').value")
        .await;
    let evil = format!(
        "data:text/html,<form id=f method=post action=\"{}{fan}/set\"><input name=csrf value={}><input name=prop value=fan.fan-level><input name=value value=7></form>",
        server.url,
        token.as_str().unwrap()
    );
    b.goto(&evil).await;
    b.eval_and_wait("document.getElementById('f').submit()")
        .await;
    let body = b.eval("document.body.innerText").await;
    assert!(
        body.as_str()
            .unwrap()
            .contains("writes are accepted only from the dashboard's own pages"),
        "{body}"
    );
    assert_eq!(fan_level(d, &ep).await, target, "nothing was written");
    drop(b);
    drop(server);
    emu.shutdown().await;
}
