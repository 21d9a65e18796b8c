//! The HTTP client against raw TCP servers on 127.0.0.1 that misbehave on purpose: a server
//! that never answers, one that does not speak TLS, bodies beyond the limit, statuses that
//! are or are not worth a retry (issue 9, points 9 and 10).

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use mikit_core::http::{Deadline, Http, RetryPolicy};
use mikit_core::{EndpointMap, Error};
use reqwest::Method;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A real URL with a token in its query, which no error may show.
const REAL: &str = "https://api-mifit.huami.com/v1/data/band_data.json?apptoken=TOKEN-SECRET";

/// A server on 127.0.0.1:0 running `serve` on each connection; returns the endpoint and a
/// counter of accepted connections.
async fn server<F, Fut>(serve: F) -> (String, Arc<AtomicU32>)
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicU32::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(serve(stream));
        }
    });
    (format!("http://{addr}"), accepted)
}

/// Read the request head (up to the blank line).
async fn read_head(stream: &mut TcpStream) {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte).await {
            Ok(1) => buf.push(byte[0]),
            _ => return,
        }
    }
}

/// Answer every request on the connection with `head` + `body`.
fn answer(
    head: &'static str,
    body: Vec<u8>,
) -> impl Fn(TcpStream) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>
+ Send
+ Sync
+ 'static {
    let body = Arc::new(body);
    move |mut stream| {
        let body = body.clone();
        Box::pin(async move {
            read_head(&mut stream).await;
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(&body).await;
            let _ = stream.shutdown().await;
        })
    }
}

fn client(endpoint: &str) -> mikit_core::http::HttpBuilder {
    Http::builder().endpoints(EndpointMap::new(Some(endpoint)).unwrap())
}

fn fast_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(2),
    }
}

#[tokio::test]
async fn a_stalled_server_fails_within_the_deadline_naming_the_requested_url() {
    // Accepts and never answers (the connection is kept open).
    let (endpoint, accepted) = server(|stream| async move {
        let _keep = stream;
        std::future::pending::<()>().await;
    })
    .await;
    let http = client(&endpoint)
        .deadline(Deadline::overall(Duration::from_secs(1)))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = http.send(Method::GET, REAL, |rb| rb).await.unwrap_err();
    // Generous bound: before the fix this took 6 attempts of 60 s.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    let msg = err.to_string();
    match &err {
        Error::TimedOut { url, attempts, .. } => {
            assert_eq!(
                url,
                &format!("{endpoint}/api-mifit.huami.com/v1/data/band_data.json")
            );
            assert_eq!(*attempts, 1);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        msg.contains(&endpoint) && msg.contains("--timeout"),
        "{msg}"
    );
    assert!(!msg.contains("TOKEN-SECRET"), "{msg}");
    assert!(err.is_network());
    assert_eq!(accepted.load(Ordering::SeqCst), 1);

    // The overall deadline is shared: a later request fails at once, without connecting.
    let err = http.send(Method::GET, REAL, |rb| rb).await.unwrap_err();
    assert!(
        matches!(err, Error::TimedOut { attempts: 0, .. }),
        "{err:?}"
    );
    assert_eq!(accepted.load(Ordering::SeqCst), 1);

    // A per-request deadline gives each request its own time.
    let http = http.with_deadline(Deadline::PerRequest(Duration::from_millis(300)));
    for _ in 0..2 {
        let err = http.send(Method::GET, REAL, |rb| rb).await.unwrap_err();
        assert!(
            matches!(err, Error::TimedOut { attempts: 1, .. }),
            "{err:?}"
        );
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn without_an_override_the_error_names_the_real_host() {
    // Nothing listens on this port once the listener is dropped.
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap().port()
    };
    let http = Http::builder().retry(fast_retries(2)).build().unwrap();
    let url = format!("http://127.0.0.1:{port}/v1/x?token=TOKEN-SECRET");
    let err = http.send(Method::GET, &url, |rb| rb).await.unwrap_err();
    match &err {
        Error::Transport { url, attempts, .. } => {
            assert_eq!(url, &format!("http://127.0.0.1:{port}/v1/x"));
            assert_eq!(*attempts, 2, "connection refused is retried");
        }
        other => panic!("{other:?}"),
    }
    assert!(!err.to_string().contains("TOKEN-SECRET"));
}

#[tokio::test]
async fn a_tls_failure_is_not_retried() {
    // An https URL to a server that answers plain HTTP at once (to the ClientHello): the
    // handshake fails on a record that is not TLS.
    let (endpoint, accepted) = server(|mut stream: TcpStream| async move {
        let mut hello = [0u8; 64];
        let _ = stream.read(&mut hello).await;
        let _ = stream
            .write_all(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            )
            .await;
        let _ = stream.shutdown().await;
    })
    .await;
    let endpoint = endpoint.replace("http://", "https://");
    let http = client(&endpoint).retry(fast_retries(6)).build().unwrap();
    let err = http.send(Method::GET, REAL, |rb| rb).await.unwrap_err();
    assert!(matches!(err, Error::Tls { .. }), "{err:?}");
    assert!(err.to_string().contains(&endpoint), "{err}");
    assert!(err.is_network());
    assert_eq!(accepted.load(Ordering::SeqCst), 1, "one attempt only");
}

#[tokio::test]
async fn client_errors_are_not_retried_but_408_and_503_are() {
    for (head, attempts) in [
        (
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            1,
        ),
        (
            "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            1,
        ),
        (
            "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            3,
        ),
        (
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            3,
        ),
    ] {
        let (endpoint, accepted) = server(answer(head, Vec::new())).await;
        let http = client(&endpoint).retry(fast_retries(3)).build().unwrap();
        let resp = http.send(Method::GET, REAL, |rb| rb).await.unwrap();
        assert_eq!(resp.status.as_str(), &head[9..12]);
        assert_eq!(accepted.load(Ordering::SeqCst), attempts, "{head}");
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_naming_the_host() {
    const LIMIT: u64 = 64 * 1024;
    // Announced by Content-Length: refused before reading.
    let big = vec![b'x'; 200 * 1024];
    let (endpoint, accepted) = server(answer(
        "HTTP/1.1 200 OK\r\nContent-Length: 204800\r\nConnection: close\r\n\r\n",
        big,
    ))
    .await;
    let http = client(&endpoint).max_body(LIMIT).build().unwrap();
    let err = http.send(Method::GET, REAL, |rb| rb).await.unwrap_err();
    match &err {
        Error::BodyTooLarge {
            url,
            limit,
            declared,
        } => {
            assert!(
                url.starts_with(&format!("{endpoint}/api-mifit.huami.com/")),
                "{url}"
            );
            assert_eq!((*limit, *declared), (LIMIT, Some(204_800)));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("api-mifit.huami.com"), "{err}");
    assert_eq!(accepted.load(Ordering::SeqCst), 1, "not retried");

    // Chunked, no length: refused once the limit is passed while streaming (the server
    // would send 64 MiB).
    let (endpoint, accepted) = server(|mut stream: TcpStream| async move {
        read_head(&mut stream).await;
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            .await;
        let chunk = vec![b'y'; 16 * 1024];
        for _ in 0..4096 {
            let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
            frame.extend_from_slice(&chunk);
            frame.extend_from_slice(b"\r\n");
            if stream.write_all(&frame).await.is_err() {
                return;
            }
        }
        let _ = stream.write_all(b"0\r\n\r\n").await;
    })
    .await;
    let http = client(&endpoint).max_body(LIMIT).build().unwrap();
    let err = http.send(Method::GET, REAL, |rb| rb).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::BodyTooLarge {
                declared: None,
                limit: LIMIT,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(accepted.load(Ordering::SeqCst), 1);

    // Within the limit (also per request with `with_max_body`): read whole.
    let (endpoint, _) = server(answer(
        "HTTP/1.1 200 OK\r\nContent-Length: 204800\r\nConnection: close\r\n\r\n",
        vec![b'z'; 200 * 1024],
    ))
    .await;
    let http = client(&endpoint).max_body(LIMIT).build().unwrap();
    let resp = http
        .with_max_body(300 * 1024)
        .send(Method::GET, REAL, |rb| rb)
        .await
        .unwrap();
    assert_eq!(resp.body.len(), 200 * 1024);
}
