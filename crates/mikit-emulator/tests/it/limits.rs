//! The listener under hostile or greedy clients (issue 9 point 12), over raw loopback sockets:
//! a slowloris and an idle keep-alive connection are disconnected, connections beyond the cap
//! wait, a too-large body is refused unread, and buffered bodies share one byte budget.
//!
//! The long timeouts here are safety nets so that a broken server fails a test instead of
//! hanging it; no assertion depends on how fast the machine is.

use std::time::Duration;

use mikit_emulator::{Emulator, EmulatorConfig, ServerLimits};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::{config, start};

/// How long a test waits for something that must happen before it calls it a failure.
const SAFETY: Duration = Duration::from_secs(20);

async fn with_limits(tweak: impl FnOnce(&mut ServerLimits)) -> Emulator {
    let mut cfg: EmulatorConfig = config();
    tweak(&mut cfg.limits);
    start(cfg).await
}

async fn connect(emu: &Emulator) -> TcpStream {
    let addr = emu.endpoint().trim_start_matches("http://");
    TcpStream::connect(addr).await.expect("connect")
}

/// A request to a host the emulator does not serve: always a small 404 answer.
const GET: &[u8] = b"GET /nowhere.example/ HTTP/1.1\r\nHost: emu\r\n\r\n";

/// Read one answer: (status, body). `None` when the connection closed first (or nothing came
/// within the safety net).
async fn read_answer(s: &mut TcpStream) -> Option<(u16, Vec<u8>)> {
    tokio::time::timeout(SAFETY, read_answer_now(s))
        .await
        .ok()
        .flatten()
}

async fn read_answer_now(s: &mut TcpStream) -> Option<(u16, Vec<u8>)> {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0u8; 4096];
        let n = s.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let status = head.split(' ').nth(1)?.parse().ok()?;
    let len: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < len {
        let mut chunk = [0u8; 4096];
        let n = s.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some((status, body))
}

/// Read until the server closes the connection; what it sent before.
async fn read_until_closed(s: &mut TcpStream) -> Vec<u8> {
    let mut all = Vec::new();
    let done = tokio::time::timeout(SAFETY, async {
        let mut chunk = [0u8; 4096];
        loop {
            match s.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => all.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await;
    assert!(done.is_ok(), "the server kept the connection open");
    all
}

/// Wait until `f(stats)` holds (the server's own gauges are the signal).
async fn until(emu: &Emulator, what: &str, f: impl Fn(&mikit_emulator::Stats) -> bool) {
    let ok = tokio::time::timeout(SAFETY, async {
        while !f(&emu.stats()) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    assert!(ok.is_ok(), "never: {what}: {:?}", emu.stats());
}

#[tokio::test]
async fn a_slowloris_and_an_idle_keep_alive_connection_are_disconnected() {
    let emu = with_limits(|l| l.header_timeout = Duration::from_millis(300)).await;
    // Half a header, then silence.
    let mut slow = connect(&emu).await;
    slow.write_all(b"GET /nowhere.example/ HTTP/1.1\r\nHost: em")
        .await
        .unwrap();
    let said = read_until_closed(&mut slow).await;
    let said = String::from_utf8_lossy(&said);
    assert!(
        said.is_empty() || said.starts_with("HTTP/1.1 408"),
        "{said}"
    );
    // A served keep-alive connection that then stays silent.
    let mut idle = connect(&emu).await;
    idle.write_all(GET).await.unwrap();
    let (status, _) = read_answer(&mut idle).await.expect("an answer");
    assert_eq!(status, 404);
    read_until_closed(&mut idle).await;
    until(&emu, "both connections gone", |s| s.connections_open == 0).await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_cap_wait_for_a_free_slot() {
    let emu = with_limits(|l| l.max_connections = 2).await;
    // Two keep-alive connections, served and left open.
    let mut a = connect(&emu).await;
    let mut b = connect(&emu).await;
    for s in [&mut a, &mut b] {
        s.write_all(GET).await.unwrap();
        assert_eq!(read_answer(s).await.map(|r| r.0), Some(404));
    }
    assert_eq!(emu.stats().connections_open, 2);
    // A third connection is not served while both are open …
    let mut c = connect(&emu).await;
    c.write_all(GET).await.unwrap();
    let early = tokio::time::timeout(Duration::from_millis(300), read_answer(&mut c)).await;
    assert!(early.is_err(), "served beyond the cap: {early:?}");
    assert_eq!(emu.stats().connections_open, 2);
    // … and is, as soon as one of them closes.
    drop(a);
    let late = tokio::time::timeout(SAFETY, read_answer(&mut c)).await;
    assert_eq!(late.ok().flatten().map(|r| r.0), Some(404));
    let stats = emu.stats();
    assert_eq!(stats.connections_peak, 2, "{stats:?}");
    drop(b);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_too_large_body_gets_413_without_being_read() {
    let emu = with_limits(|l| l.max_body = 1024).await;
    // 100 MB announced, 10 bytes sent: the answer can only come before the body.
    let mut s = connect(&emu).await;
    s.write_all(
        b"POST /api-mifit.huami.com/v1/data/band_data.json HTTP/1.1\r\nHost: emu\r\n\
          Content-Length: 100000000\r\n\r\n0123456789",
    )
    .await
    .unwrap();
    let (status, body) = read_answer(&mut s).await.expect("an answer");
    assert_eq!(status, 413, "{}", String::from_utf8_lossy(&body));
    read_until_closed(&mut s).await;
    // A chunked body is cut off as soon as it passes the limit.
    let mut s = connect(&emu).await;
    s.write_all(
        b"POST /nowhere.example/ HTTP/1.1\r\nHost: emu\r\nTransfer-Encoding: chunked\r\n\r\n",
    )
    .await
    .unwrap();
    let chunk = format!("200\r\n{}\r\n", "x".repeat(0x200));
    for _ in 0..3 {
        // The server may already have answered and closed: later writes may fail.
        let _ = s.write_all(chunk.as_bytes()).await;
    }
    let (status, _) = read_answer(&mut s).await.expect("an answer");
    assert_eq!(status, 413);
    // A body at the limit is fine.
    let mut s = connect(&emu).await;
    let mut req =
        b"POST /nowhere.example/ HTTP/1.1\r\nHost: emu\r\nContent-Length: 1024\r\n\r\n".to_vec();
    req.extend_from_slice(&[b'y'; 1024]);
    s.write_all(&req).await.unwrap();
    assert_eq!(read_answer(&mut s).await.map(|r| r.0), Some(404));
    until(&emu, "the budget is free", |s| s.body_bytes_held == 0).await;
    emu.shutdown().await;
}

#[tokio::test]
async fn buffered_bodies_share_one_byte_budget() {
    let emu = with_limits(|l| {
        l.max_body = 1000;
        l.body_budget = 1000;
    })
    .await;
    // A slow upload reserves its announced 1000 bytes, the whole budget.
    let mut a = connect(&emu).await;
    a.write_all(
        b"POST /nowhere.example/ HTTP/1.1\r\nHost: emu\r\nContent-Length: 1000\r\n\r\n0123456789",
    )
    .await
    .unwrap();
    until(&emu, "the upload holds the budget", |s| {
        s.body_bytes_held == 1000
    })
    .await;
    // A chunked body finds no room: 503, try again later.
    let chunked = format!(
        "POST /nowhere.example/ HTTP/1.1\r\nHost: emu\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n{}\r\n0\r\n\r\n",
        "z".repeat(100)
    );
    let mut c = connect(&emu).await;
    c.write_all(chunked.as_bytes()).await.unwrap();
    let answer = read_answer(&mut c).await.expect("an answer");
    assert_eq!(answer.0, 503, "{}", String::from_utf8_lossy(&answer.1));
    // The upload completes; its bytes are released; the chunked body now gets through.
    a.write_all(&[b'a'; 990]).await.unwrap();
    assert_eq!(read_answer(&mut a).await.map(|r| r.0), Some(404));
    until(&emu, "the budget is free", |s| s.body_bytes_held == 0).await;
    let mut c = connect(&emu).await;
    c.write_all(chunked.as_bytes()).await.unwrap();
    assert_eq!(read_answer(&mut c).await.map(|r| r.0), Some(404));
    emu.shutdown().await;
}
