//! mikit-miio benchmark: codec cost per packet, sequential round trips over loopback, and
//! server throughput with 4 concurrent clients. Prints a markdown table.
//!
//! `CARGO_TARGET_DIR=... cargo bench -p mikit-miio --bench miio`

#![allow(clippy::print_stdout)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mikit_miio::message::JsonStyle;
use mikit_miio::packet::{self, DataHeader};
use mikit_miio::server::ServerConfig;
use mikit_miio::{
    Cipher, Client, ClientConfig, DeviceError, Handler, Request, Response, Server, Token,
};
use serde_json::{Value, json};

struct Row {
    op: String,
    iters: u64,
    total: Duration,
    note: String,
}

fn fmt_dur(d: Duration) -> String {
    let ns = d.as_nanos();
    if ns < 10_000 {
        format!("{ns} ns")
    } else if ns < 10_000_000 {
        format!("{:.2} µs", ns as f64 / 1e3)
    } else {
        format!("{:.2} ms", ns as f64 / 1e6)
    }
}

/// A device with a handful of MIoT properties.
struct Device;
impl Handler for Device {
    fn handle(&self, method: &str, params: &Value) -> Result<Value, DeviceError> {
        match method {
            "get_properties" => {
                let items = mikit_miio::miot::PropertyItem::parse_list(params)?;
                Ok(Value::Array(
                    items
                        .iter()
                        .map(|it| {
                            mikit_miio::PropertyResult::answer(it, 0, Some(json!(it.piid * 10)))
                                .to_value()
                        })
                        .collect(),
                ))
            }
            other => Err(DeviceError::method_not_found(other)),
        }
    }
}

fn codec_rows(rows: &mut Vec<Row>) {
    let cipher = Cipher::new(&Token::new(*b"0123456789abcdef"));
    // The python-miio get_properties request of the vectors (86-byte plaintext, 128-byte packet).
    let plaintext = Request::new(
        2,
        "get_properties",
        json!([{"did": "x", "siid": 2, "piid": 1}]),
    )
    .to_json(JsonStyle::Python);
    let header = DataHeader {
        unknown: 0,
        did: 0x1234_5678,
        stamp: 1_600_000_000,
    };
    let mut out = Vec::with_capacity(256);
    let n = 200_000u64;
    // Warm-up (caches, CPU frequency).
    for _ in 0..n / 4 {
        out.clear();
        packet::encode_into(header, black_box(&plaintext), &cipher, &mut out).unwrap();
        black_box(packet::decode_in_place(&mut out, &cipher).unwrap());
    }

    let t = Instant::now();
    for _ in 0..n {
        out.clear();
        packet::encode_into(header, black_box(&plaintext), &cipher, &mut out).unwrap();
        black_box(&out);
    }
    rows.push(Row {
        op: "packet encode (86 B JSON → 128 B datagram)".into(),
        iters: n,
        total: t.elapsed(),
        note: String::new(),
    });

    out.clear();
    packet::encode_into(header, &plaintext, &cipher, &mut out).unwrap();
    let datagram = out.clone();
    let mut buf = datagram.clone();
    let t = Instant::now();
    for _ in 0..n {
        buf.copy_from_slice(&datagram);
        let (_, pt) = packet::decode_in_place(black_box(&mut buf), &cipher).unwrap();
        black_box(pt);
    }
    rows.push(Row {
        op: "packet decode (checksum + decrypt, in place)".into(),
        iters: n,
        total: t.elapsed(),
        note: String::new(),
    });

    let t = Instant::now();
    for _ in 0..n {
        out.clear();
        packet::encode_into(header, black_box(&plaintext), &cipher, &mut out).unwrap();
        let (_, pt) = packet::decode_in_place(&mut out, &cipher).unwrap();
        black_box(pt);
    }
    rows.push(Row {
        op: "packet encode + decode".into(),
        iters: n,
        total: t.elapsed(),
        note: "goal ≤ 5 µs".into(),
    });

    let n2 = 100_000u64;
    let req = Request::new(
        2,
        "get_properties",
        json!([{"did": "x", "siid": 2, "piid": 1}]),
    );
    let mut json_buf = Vec::with_capacity(256);
    let t = Instant::now();
    for _ in 0..n2 {
        json_buf.clear();
        req.write_json(JsonStyle::Compact, &mut json_buf);
        out.clear();
        packet::encode_into(header, &json_buf, &cipher, &mut out).unwrap();
        let (_, pt) = packet::decode_in_place(&mut out, &cipher).unwrap();
        black_box(Request::parse(pt).unwrap());
    }
    rows.push(Row {
        op: "request JSON write + encode + decode + JSON parse".into(),
        iters: n2,
        total: t.elapsed(),
        note: String::new(),
    });

    let resp = Response::ok(
        2,
        json!([{"did": "x", "siid": 2, "piid": 1, "code": 0, "value": true}]),
    );
    let t = Instant::now();
    for _ in 0..n2 {
        json_buf.clear();
        resp.write_json(JsonStyle::Compact, &mut json_buf);
        black_box(Response::parse(&json_buf).unwrap());
    }
    rows.push(Row {
        op: "response JSON write + parse".into(),
        iters: n2,
        total: t.elapsed(),
        note: String::new(),
    });
}

fn client_config() -> ClientConfig {
    ClientConfig {
        timeout: Duration::from_secs(2),
        ..Default::default()
    }
}

async fn sequential(rows: &mut Vec<Row>) {
    let token = Token::new([7; 16]);
    let server = Server::bind("127.0.0.1:0".parse().unwrap(), token.clone(), 42, Device)
        .await
        .unwrap();
    let mut c = Client::with_config(server.local_addr(), &token, client_config())
        .await
        .unwrap();
    for _ in 0..1_000 {
        c.get_properties(&[(2, 1)]).await.unwrap();
    }
    let n = 20_000u64;
    let mut lat = Vec::with_capacity(n as usize);
    let t = Instant::now();
    for _ in 0..n {
        let s = Instant::now();
        black_box(c.get_properties(&[(2, 1)]).await.unwrap());
        lat.push(s.elapsed());
    }
    let total = t.elapsed();
    lat.sort();
    let p50 = lat[lat.len() / 2];
    let p99 = lat[lat.len() * 99 / 100];
    rows.push(Row {
        op: "sequential get_properties round trip (1 client)".into(),
        iters: n,
        total,
        note: format!(
            "p50 {}, p99 {}; goal ≥ 15,000/s",
            fmt_dur(p50),
            fmt_dur(p99)
        ),
    });
    server.shutdown().await;
}

async fn concurrent(rows: &mut Vec<Row>) {
    let token = Token::new([7; 16]);
    // Four clients share one device; their id sequences overlap, so the device-side id
    // de-duplication (which a real device applies per device, not per client) is switched off.
    let config = ServerConfig {
        dedupe_ids: false,
        ..Default::default()
    };
    let server = Server::bind_with(
        "127.0.0.1:0".parse().unwrap(),
        token.clone(),
        42,
        Arc::new(Device),
        config,
    )
    .await
    .unwrap();
    let addr = server.local_addr();
    let per = 10_000u64;
    let clients = 4u64;
    let t = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            let mut c = Client::with_config(addr, &token, client_config())
                .await
                .unwrap();
            for _ in 0..per {
                black_box(c.get_properties(&[(2, 1)]).await.unwrap());
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    rows.push(Row {
        op: "server throughput, 4 concurrent clients".into(),
        iters: per * clients,
        total: t.elapsed(),
        note: "goal ≥ 30,000 req/s".into(),
    });
    server.shutdown().await;
}

fn main() {
    let mut rows = Vec::new();
    codec_rows(&mut rows);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(sequential(&mut rows));
    rt.block_on(concurrent(&mut rows));

    println!("| operation | iterations | total | per-op | throughput | notes |");
    println!("|---|---:|---:|---:|---:|---|");
    for r in rows {
        let per = r.total / u32::try_from(r.iters).unwrap();
        let tput = r.iters as f64 / r.total.as_secs_f64();
        println!(
            "| {} | {} | {} | {} | {:.0}/s | {} |",
            r.op,
            r.iters,
            fmt_dur(r.total),
            fmt_dur(per),
            tput,
            r.note
        );
    }
}
