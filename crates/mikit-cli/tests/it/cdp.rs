//! A small Chrome DevTools Protocol client for the dashboard tests: it starts Debian's
//! `chromium` headless with a DevTools port on 127.0.0.1, opens one page, and navigates,
//! evaluates script and takes screenshots through the protocol (JSON messages over a
//! WebSocket; https://chromedevtools.github.io/devtools-protocol/). Console errors, uncaught
//! exceptions and error log entries of the page are collected.
//!
//! A missing browser is a test failure with the install hint, never a skip.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A headless Chromium with one page.
pub struct Browser {
    child: Child,
    ws: Ws,
    session: String,
    next_id: u64,
    /// Console errors, exceptions and error log entries seen so far.
    pub errors: Vec<String>,
    _profile: crate::harness::TempDir,
}

/// The browser executable: `$MIKIT_CHROMIUM`, else `chromium` on the PATH.
fn executable() -> String {
    std::env::var("MIKIT_CHROMIUM").unwrap_or_else(|_| "chromium".into())
}

impl Browser {
    /// Start the browser and open a blank page of `width`×`height`.
    pub async fn launch(width: u32, height: u32) -> Self {
        let profile = crate::harness::TempDir::new("chromium-profile");
        let exe = executable();
        let mut child = Command::new(&exe)
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                &format!("--window-size={width},{height}"),
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "the dashboard tests need a real browser: cannot start {exe:?} ({e}); install Debian's `chromium` package (`.ci/run` does) or set MIKIT_CHROMIUM"
                )
            });
        let stderr = child.stderr.take().unwrap();
        let url = tokio::task::spawn_blocking(move || {
            for line in BufReader::new(stderr).lines() {
                let line = line.ok()?;
                if let Some(rest) = line.split("DevTools listening on ").nth(1) {
                    return Some(rest.trim().to_owned());
                }
            }
            None
        });
        let url = tokio::time::timeout(Duration::from_secs(60), url)
            .await
            .expect("chromium printed its DevTools address within a minute")
            .unwrap()
            .expect("chromium printed its DevTools address");
        let (ws, _) = tokio_tungstenite::connect_async(url.as_str())
            .await
            .expect("connecting to chromium's DevTools socket");
        let mut b = Self {
            child,
            ws,
            session: String::new(),
            next_id: 0,
            errors: Vec::new(),
            _profile: profile,
        };
        let target = b
            .call(None, "Target.createTarget", json!({ "url": "about:blank" }))
            .await;
        let attached = b
            .call(
                None,
                "Target.attachToTarget",
                json!({ "targetId": target["targetId"], "flatten": true }),
            )
            .await;
        b.session = attached["sessionId"].as_str().unwrap().to_owned();
        for domain in ["Page.enable", "Runtime.enable", "Log.enable"] {
            b.page(domain, json!({})).await;
        }
        b.page(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": false }),
        )
        .await;
        b
    }

    /// Send `method` (to the page when `session` is set) and wait for its result; events
    /// arriving meanwhile are recorded.
    async fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        self.ws
            .send(Message::Text(msg.to_string().into()))
            .await
            .expect("sending to chromium");
        loop {
            let v = self.next_message().await;
            if v["id"] == id {
                if let Some(e) = v.get("error") {
                    panic!("{method} failed: {e}");
                }
                return v["result"].clone();
            }
            self.record(&v);
        }
    }

    async fn page(&mut self, method: &str, params: Value) -> Value {
        let s = self.session.clone();
        self.call(Some(&s), method, params).await
    }

    async fn next_message(&mut self) -> Value {
        loop {
            let m = tokio::time::timeout(Duration::from_secs(60), self.ws.next())
                .await
                .expect("chromium answered within a minute")
                .expect("chromium's DevTools socket is open")
                .expect("reading from chromium");
            if let Message::Text(t) = m {
                return serde_json::from_str(&t).expect("DevTools messages are JSON");
            }
        }
    }

    /// Keep what counts as a page error.
    fn record(&mut self, v: &Value) {
        let p = &v["params"];
        match v["method"].as_str() {
            Some("Runtime.exceptionThrown") => {
                self.errors
                    .push(format!("exception: {}", p["exceptionDetails"]));
            }
            Some("Runtime.consoleAPICalled") if p["type"] == "error" => {
                self.errors.push(format!("console.error: {}", p["args"]));
            }
            Some("Log.entryAdded") if p["entry"]["level"] == "error" => {
                self.errors.push(format!(
                    "{}: {}",
                    p["entry"]["url"].as_str().unwrap_or(""),
                    p["entry"]["text"]
                ));
            }
            _ => {}
        }
    }

    /// Wait for the page's next load event.
    async fn loaded(&mut self) {
        loop {
            let v = self.next_message().await;
            if v["method"] == "Page.loadEventFired" {
                return;
            }
            self.record(&v);
        }
    }

    /// Open `url` and wait until it has loaded.
    pub async fn goto(&mut self, url: &str) {
        let r = self.page("Page.navigate", json!({ "url": url })).await;
        assert!(r.get("errorText").is_none(), "navigating to {url}: {r}");
        self.loaded().await;
    }

    /// Evaluate `expr` in the page and return its value.
    pub async fn eval(&mut self, expr: &str) -> Value {
        let r = self
            .page(
                "Runtime.evaluate",
                json!({ "expression": expr, "returnByValue": true, "awaitPromise": true }),
            )
            .await;
        if let Some(e) = r.get("exceptionDetails") {
            panic!("evaluating {expr}: {e}");
        }
        r["result"]["value"].clone()
    }

    /// Evaluate `expr`, which submits a form or follows a link, and wait for the new page.
    pub async fn eval_and_wait(&mut self, expr: &str) {
        self.eval(expr).await;
        self.loaded().await;
    }

    /// A PNG of the viewport.
    pub async fn screenshot(&mut self) -> Vec<u8> {
        use base64::Engine as _;
        let r = self
            .page("Page.captureScreenshot", json!({ "format": "png" }))
            .await;
        base64::engine::general_purpose::STANDARD
            .decode(r["data"].as_str().unwrap())
            .unwrap()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
