//! Cost of serving issue 12's streams over HTTP: every health-event stream of 10 years and
//! all weight records of 10 years, fetched by the real `mikit-huami` client (its paging:
//! events `limit` 1000 with `from` advanced past the newest item, weight `toTime = next`),
//! against a live emulator on loopback.
//!
//! Run: `cargo bench -p mikit-emulator --bench health`. Prints a markdown table.

use std::time::{Duration, Instant};

use mikit_core::http::Http;
use mikit_core::{EndpointMap, Secret};
use mikit_emulator::{Emulator, EmulatorConfig};
use mikit_huami::{EventStream, HuamiClient, LoginRequest, login};

struct Row {
    op: String,
    requests: u32,
    items: usize,
    total: Duration,
}

// A benchmark binary reports on stdout by design.
#[allow(clippy::print_stdout)]
fn print(rows: &[Row]) {
    println!("| stream (10 years) | requests | items | total | per request |");
    println!("|---|---:|---:|---:|---:|");
    let mut sum = Duration::ZERO;
    let mut reqs = 0;
    for r in rows {
        let per = r.total / r.requests.max(1);
        let counted = !r.op.starts_with("raw");
        println!(
            "| {} | {} | {} | {:.1?} | {:.1?} |",
            r.op, r.requests, r.items, r.total, per
        );
        if counted {
            sum += r.total;
            reqs += r.requests;
        }
    }
    println!("| **all client rows** | {reqs} | | {sum:.1?} | |");
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let rows = rt.block_on(async {
        mikit_core::http::install_crypto_provider();
        let today = jiff::civil::date(2026, 11, 10);
        let emu = Emulator::start(EmulatorConfig {
            days: 3650,
            today: Some(today),
            ..Default::default()
        })
        .await
        .expect("emulator");
        let http = Http::builder()
            .endpoints(EndpointMap::new(Some(emu.endpoint())).expect("endpoint"))
            .timeout(Duration::from_secs(120))
            .build()
            .expect("http");
        let info = emu.info();
        let a = &info["accounts"]["huami"];
        let session = login(
            &http,
            &LoginRequest::new(
                a["email"].as_str().unwrap_or_default(),
                Secret::new(a["password"].as_str().unwrap_or_default().to_owned()),
            ),
        )
        .await
        .expect("login");
        let client = HuamiClient::new(http, session);
        let to = today
            .to_zoned(jiff::tz::TimeZone::UTC)
            .expect("date")
            .timestamp()
            .as_millisecond()
            + 86_400_000;
        let from = to - 3651 * 86_400_000;
        let mut rows = Vec::new();
        for stream in EventStream::ALL {
            let start = Instant::now();
            let f = client
                .events(stream, from, to, "Europe/Berlin")
                .await
                .expect("events");
            rows.push(Row {
                op: format!("events: {}", stream.name()),
                requests: f.pages,
                items: f.items.len(),
                total: start.elapsed(),
            });
        }
        let start = Instant::now();
        let w = client.weight_records(None).await.expect("weight");
        rows.push(Row {
            op: "weight records".into(),
            requests: w.pages,
            items: w.items.len(),
            total: start.elapsed(),
        });
        // The server alone: the same ranges in one raw request each, body read, not decoded.
        let s = client.session().await;
        let raw = reqwest::Client::new();
        for (name, path) in [
            (
                "raw HTTP, no decode: stress",
                format!("/users/{}/events?eventType=all_day_stress", s.user_id),
            ),
            (
                "raw HTTP, no decode: hrv",
                "/v2/users/me/events?eventType=HRVRMSSD&subType=real_data".to_owned(),
            ),
        ] {
            let start = Instant::now();
            let body = raw
                .get(format!(
                    "{}/{}{path}&from={from}&to={to}&limit=5000",
                    emu.endpoint(),
                    s.data_host
                ))
                .header("apptoken", s.app_token.expose().as_str())
                .send()
                .await
                .expect("raw")
                .bytes()
                .await
                .expect("body");
            rows.push(Row {
                op: format!("{name} ({:.1} MB)", body.len() as f64 / 1e6),
                requests: 1,
                items: 0,
                total: start.elapsed(),
            });
        }
        emu.shutdown().await;
        rows
    });
    print(&rows);
}
