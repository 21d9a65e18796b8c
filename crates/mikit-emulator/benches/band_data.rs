//! Cost of generating band data: one detail/summary day item (generation + base64 + JSON),
//! a 10-year sync over HTTP in 30-day detail requests against a live emulator, and the
//! workouts of those 10 years (every history page, then every detail).
//!
//! Run: `cargo bench -p mikit-emulator --bench band_data`. Prints a markdown table.

use std::hint::black_box;
use std::time::{Duration, Instant};

use mikit_emulator::huami::BandHistory;
use mikit_emulator::{Emulator, EmulatorConfig, SleepAnchor};

struct Row {
    op: &'static str,
    iters: u64,
    total: Duration,
    bytes: u64,
}

// A benchmark binary reports on stdout by design.
#[allow(clippy::print_stdout)]
fn print(rows: &[Row]) {
    println!("| operation | iterations | total | per op | throughput |");
    println!("|---|---:|---:|---:|---:|");
    for r in rows {
        let per = r.total / u32::try_from(r.iters).unwrap_or(u32::MAX).max(1);
        let secs = r.total.as_secs_f64().max(1e-9);
        println!(
            "| {} | {} | {:.1?} | {:.1?} | {:.0} ops/s, {:.1} MB/s |",
            r.op,
            r.iters,
            r.total,
            per,
            r.iters as f64 / secs,
            r.bytes as f64 / secs / 1e6
        );
    }
}

fn day_items(detail: bool, op: &'static str) -> Row {
    let today = jiff::civil::date(2026, 11, 10);
    let h = BandHistory::new(
        1,
        "demo@mikit.example",
        today,
        3650,
        1000,
        SleepAnchor::WakeDay,
    );
    let days: Vec<jiff::civil::Date> = (1..3650)
        .filter_map(|i| today.checked_sub(jiff::Span::new().days(i)).ok())
        .collect();
    let start = Instant::now();
    let mut bytes = 0u64;
    let mut iters = 0u64;
    for d in &days {
        if let Some(item) = h.item_json(*d, detail) {
            bytes += item.len() as u64;
            black_box(&item);
        }
        iters += 1;
    }
    Row {
        op,
        iters,
        total: start.elapsed(),
        bytes,
    }
}

/// A 10-year emulator and a logged-in client: (emulator, client, base URL, app token).
async fn ten_years() -> (Emulator, reqwest::Client, String, String) {
    mikit_core::http::install_crypto_provider();
    let today = jiff::civil::date(2026, 11, 10);
    let emu = Emulator::start(EmulatorConfig {
        days: 3650,
        today: Some(today),
        ..Default::default()
    })
    .await
    .expect("emulator");
    let info = emu.info();
    let acct = &info["accounts"]["huami"];
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let base = emu.endpoint().to_owned();
    let email = acct["email"].as_str().unwrap_or_default();
    let r = c
        .post(format!(
            "{base}/api-user.huami.com/registrations/{email}/tokens"
        ))
        .form(&[("password", acct["password"].as_str().unwrap_or_default())])
        .send()
        .await
        .expect("login");
    let loc = r.headers()["location"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    let code = url::Url::parse(&loc)
        .ok()
        .and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "access")
                .map(|(_, v)| v.into_owned())
        })
        .unwrap_or_default();
    let v: serde_json::Value = c
        .post(format!("{base}/account.huami.com/v2/client/login"))
        .form(&[
            ("grant_type", "access_token"),
            ("code", code.as_str()),
            ("app_name", "com.huami.webapp"),
        ])
        .send()
        .await
        .expect("client login")
        .json()
        .await
        .expect("json");
    let app = v["token_info"]["app_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (emu, c, base, app)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn http_sync() -> Row {
    runtime().block_on(async {
        let today = jiff::civil::date(2026, 11, 10);
        let (emu, c, base, app) = ten_years().await;
        let start = Instant::now();
        let mut bytes = 0u64;
        let mut iters = 0u64;
        let mut to = today;
        for _ in 0..122 {
            let from = to.checked_sub(jiff::Span::new().days(29)).unwrap_or(to);
            let body = c
                .get(format!(
                    "{base}/api-mifit-de2.huami.com/v1/data/band_data.json?query_type=detail&from_date={from}&to_date={to}"
                ))
                .header("apptoken", &app)
                .send()
                .await
                .expect("band_data")
                .bytes()
                .await
                .expect("body");
            bytes += body.len() as u64;
            iters += 1;
            to = from.checked_sub(jiff::Span::new().days(1)).unwrap_or(from);
        }
        let total = start.elapsed();
        emu.shutdown().await;
        Row {
            op: "HTTP band_data detail, 30-day request (10-year sync = 122 requests)",
            iters,
            total,
            bytes,
        }
    })
}

/// Every history page (following `next`) and every workout's detail, one request at a time.
fn http_workouts() -> Row {
    runtime().block_on(async {
        let (emu, c, base, app) = ten_years().await;
        let get = |url: String| {
            let c = c.clone();
            let app = app.clone();
            async move {
                c.get(url)
                    .header("apptoken", app)
                    .send()
                    .await
                    .expect("request")
                    .bytes()
                    .await
                    .expect("body")
            }
        };
        let start = Instant::now();
        let (mut bytes, mut iters) = (0u64, 0u64);
        let mut ids = Vec::new();
        let mut query = String::new();
        loop {
            let body = get(format!(
                "{base}/api-mifit-de2.huami.com/v1/sport/run/history.json{query}"
            ))
            .await;
            bytes += body.len() as u64;
            iters += 1;
            let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
            for w in v["data"]["summary"].as_array().into_iter().flatten() {
                ids.push(w["trackid"].as_str().unwrap_or_default().to_owned());
            }
            match v["data"]["next"].as_i64() {
                Some(n) if n > 0 => query = format!("?trackid={n}"),
                _ => break,
            }
        }
        for id in &ids {
            let body = get(format!(
                "{base}/api-mifit-de2.huami.com/v1/sport/run/detail.json?trackid={id}&source=run.mifit.huami.com"
            ))
            .await;
            bytes += body.len() as u64;
            iters += 1;
        }
        let total = start.elapsed();
        emu.shutdown().await;
        Row {
            op: "HTTP workouts: every history page + every detail (10 years)",
            iters,
            total,
            bytes,
        }
    })
}

fn main() {
    let rows = [
        day_items(true, "generate + encode one detail day item"),
        day_items(false, "generate + encode one summary day item"),
        http_sync(),
        http_workouts(),
    ];
    print(&rows);
}
