//! The one HTTP listener: connection handling, routing on the real host name, latency and
//! fault injection.
//!
//! The endpoint map sends `https://HOST/PATH?QUERY` to `E/HOST/PATH?QUERY`, so the first
//! path segment names the real service host. Each emulated service implements [`Service`]
//! and claims the hosts it serves; the server knows nothing about any service.
//!
//! Connections are served with hyper directly (not a router framework) because two faults
//! need control below the request/response level: a reset closes the connection without
//! any answer, a truncation sends the full `Content-Length` and then only part of the body.
//!
//! The listener protects itself as a real server does ([`ServerLimits`]): at most
//! `max_connections` connections are served at once (the others wait in the listen backlog);
//! a failed `accept` (e.g. `EMFILE`, out of file descriptors) pauses the loop for 10–100 ms
//! instead of retrying at once, and is logged once per run of failures; a client must send a
//! request header within `header_timeout` (also the idle limit between keep-alive requests)
//! and its body within `body_timeout` (408); a body larger than `max_body` is answered 413
//! without being read; and all bodies buffered at once share a byte budget.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::header::{
    CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, HeaderName, HeaderValue, LOCATION, RETRY_AFTER,
};
use hyper::{HeaderMap, Method, StatusCode};
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;

use crate::config::ServerLimits;
use crate::faults::{self, Counters, FaultKind, FaultSpec};

/// One request as a service sees it: the real host, path and query, headers, whole body.
#[derive(Debug)]
pub struct Request {
    /// HTTP method.
    pub method: Method,
    /// The real host name (first path segment), lowercase, without port.
    pub host: String,
    /// The real path, starting with `/`.
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// Request headers.
    pub headers: HeaderMap,
    /// The whole request body.
    pub body: Bytes,
}

impl Request {
    /// A header value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The decoded query pairs, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        self.query
            .as_deref()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The first value of query parameter `name`.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query_pairs()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// The body parsed as `application/x-www-form-urlencoded`, in order.
    pub fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(&self.body)
            .into_owned()
            .collect()
    }

    /// The value of cookie `name`, if sent.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(hyper::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_owned())
    }
}

/// A complete answer.
#[derive(Clone, Debug)]
pub struct Reply {
    /// Status code.
    pub status: StatusCode,
    /// Extra headers (Content-Length is added by the server).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Body bytes.
    pub body: Bytes,
}

impl Reply {
    /// An answer with `status` and an empty body.
    pub fn empty(status: StatusCode) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    /// A JSON answer (`application/json;charset=UTF-8`) from already serialised bytes.
    pub fn json_bytes(status: StatusCode, body: impl Into<Bytes>) -> Self {
        Self {
            status,
            headers: vec![(
                CONTENT_TYPE,
                HeaderValue::from_static("application/json;charset=UTF-8"),
            )],
            body: body.into(),
        }
    }

    /// A JSON answer from a serde value.
    pub fn json(status: StatusCode, value: &serde_json::Value) -> Self {
        // Serialising a `Value` cannot fail (all keys are strings).
        Self::json_bytes(status, serde_json::to_vec(value).unwrap_or_default())
    }

    /// A `303 See Other` to `location`.
    pub fn see_other(location: &str) -> Self {
        let mut r = Self::empty(StatusCode::SEE_OTHER);
        if let Ok(v) = HeaderValue::from_str(location) {
            r.headers.push((LOCATION, v));
        }
        r
    }

    /// `404 Not Found` for anything the emulator does not serve.
    pub fn not_found() -> Self {
        Self::json(
            StatusCode::NOT_FOUND,
            &serde_json::json!({"code": 404, "message": "not found"}),
        )
    }
}

/// Which faults a request may receive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultScope {
    /// Every kind.
    All,
    /// Only 429, decided before the request is handled. Used for single-use login steps:
    /// a truncated or reset reply to a step that consumes a credential or a one-time code
    /// cannot be retried by any client, so the emulator never causes one.
    RateLimitOnly,
    /// Never faulted.
    None,
}

/// An emulated service (Huami cloud, Mi cloud, spec service …) behind the shared listener.
pub trait Service: Send + Sync + 'static {
    /// Whether this service answers for the real host `host` (lowercase, no port).
    fn serves(&self, host: &str) -> bool;
    /// Which faults this request may receive.
    fn fault_scope(&self, req: &Request) -> FaultScope;
    /// Answer the request.
    fn handle(&self, req: &Request) -> Reply;
    /// Revoke the credentials the request presents and answer as a real expiry would look;
    /// `None` when the request carries no revocable token (no fault is injected then).
    fn expire(&self, req: &Request) -> Option<Reply>;
    /// Accounts to list in `info()["accounts"]`.
    fn accounts(&self) -> serde_json::Map<String, serde_json::Value>;
    /// An answer that has to wait (a long poll, e.g. the Xiaomi QR login); `None` (the
    /// default) answers with [`Service::handle`].
    fn handle_async<'a>(
        &'a self,
        req: &'a Request,
    ) -> Option<Pin<Box<dyn Future<Output = Reply> + Send + 'a>>> {
        let _ = req;
        None
    }
}

/// Everything a connection task needs.
pub(crate) struct Shared {
    pub services: Vec<Arc<dyn Service>>,
    pub faults: FaultSpec,
    pub seed: u64,
    pub latency: Duration,
    pub counters: Counters,
    pub limits: Limits,
}

/// [`ServerLimits`] made consistent, with the semaphores that enforce them.
pub(crate) struct Limits {
    header_timeout: Duration,
    body_timeout: Duration,
    /// At most `u32::MAX` (one semaphore acquisition) and at most the budget.
    max_body: usize,
    /// One permit per connection served at once.
    connections: Arc<Semaphore>,
    /// One permit per request byte buffered.
    body_budget: Arc<Semaphore>,
    /// The budget's size.
    budget: usize,
}

impl Limits {
    pub fn new(l: &ServerLimits) -> Self {
        let budget = l.body_budget.clamp(1, Semaphore::MAX_PERMITS);
        let max_body = l
            .max_body
            .min(usize::try_from(u32::MAX).unwrap_or(usize::MAX))
            .min(budget);
        Self {
            // hyper needs a non-zero header timeout to start its timer.
            header_timeout: l.header_timeout.max(Duration::from_millis(1)),
            body_timeout: l.body_timeout,
            max_body,
            connections: Arc::new(Semaphore::new(
                l.max_connections.clamp(1, Semaphore::MAX_PERMITS),
            )),
            body_budget: Arc::new(Semaphore::new(budget)),
            budget,
        }
    }

    /// Bytes of the body budget in use.
    pub fn body_bytes_held(&self) -> usize {
        self.budget - self.body_budget.available_permits()
    }
}

/// Why a request ends without an answer (hyper then closes the connection).
#[derive(Debug)]
pub(crate) struct ConnectionReset;

impl std::fmt::Display for ConnectionReset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("emulated connection reset")
    }
}

impl std::error::Error for ConnectionReset {}

/// A response body: whole, or cut short followed by an error that aborts the connection.
pub(crate) struct ReplyBody {
    data: Option<Bytes>,
    fail_after: bool,
    /// Before failing, wait a moment so that hyper flushes the headers and the partial body
    /// (an error right after the data frame would discard the unflushed buffer).
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Body for ReplyBody {
    type Data = Bytes;
    type Error = ConnectionReset;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, ConnectionReset>>> {
        if let Some(d) = self.data.take() {
            return Poll::Ready(Some(Ok(Frame::data(d))));
        }
        if self.fail_after {
            if let Some(p) = self.pause.as_mut() {
                if p.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                self.pause = None;
            }
            self.fail_after = false;
            return Poll::Ready(Some(Err(ConnectionReset)));
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none() && !self.fail_after
    }

    fn size_hint(&self) -> SizeHint {
        if self.fail_after {
            SizeHint::default()
        } else {
            SizeHint::with_exact(self.data.as_ref().map_or(0, |d| d.len() as u64))
        }
    }
}

fn into_response(reply: Reply, truncate: bool) -> hyper::Response<ReplyBody> {
    let full_len = reply.body.len();
    let (data, fail_after) = if truncate {
        // Half the body (at least one byte short of the whole), then an error.
        (reply.body.slice(..full_len / 2), true)
    } else {
        (reply.body, false)
    };
    let mut resp = hyper::Response::new(ReplyBody {
        data: if data.is_empty() { None } else { Some(data) },
        fail_after,
        pause: fail_after.then(|| Box::pin(tokio::time::sleep(Duration::from_millis(20)))),
    });
    *resp.status_mut() = reply.status;
    let headers = resp.headers_mut();
    for (k, v) in reply.headers {
        headers.append(k, v);
    }
    headers.insert(CONTENT_LENGTH, HeaderValue::from(full_len));
    resp
}

/// Split `/HOST/PATH` into the lowercase host (port removed) and `/PATH`.
pub(crate) fn split_target(path: &str) -> Option<(String, String)> {
    let rest = path.strip_prefix('/')?;
    let (host, tail) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if host.is_empty() {
        return None;
    }
    let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    Some((host, tail.to_owned()))
}

/// An answer that ends the connection (the request body may be unread).
fn closing(status: StatusCode, retry_after: Option<&'static str>) -> Reply {
    let mut r = Reply::json(
        status,
        &serde_json::json!({
            "code": status.as_u16(),
            "message": status.canonical_reason().unwrap_or("error"),
        }),
    );
    r.headers
        .push((CONNECTION, HeaderValue::from_static("close")));
    if let Some(secs) = retry_after {
        r.headers
            .push((RETRY_AFTER, HeaderValue::from_static(secs)));
    }
    r
}

/// The declared `Content-Length` (hyper has already rejected a malformed one).
fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// Read a request body within the limits: the bytes and the share of the byte budget they
/// hold (released when the request is done), or the answer that refuses the body.
async fn read_body(
    limits: &Limits,
    headers: &HeaderMap,
    mut body: Incoming,
) -> Result<(Bytes, Option<OwnedSemaphorePermit>), Reply> {
    let too_large = || closing(StatusCode::PAYLOAD_TOO_LARGE, None);
    let busy = || closing(StatusCode::SERVICE_UNAVAILABLE, Some("1"));
    let declared = content_length(headers);
    let mut held = None;
    if let Some(n) = declared {
        // Refused before a byte of it is read.
        let n = usize::try_from(n).ok().filter(|&n| n <= limits.max_body);
        let n = n.ok_or_else(too_large)?;
        if n > 0 {
            // Bounded by max_body ≤ u32::MAX.
            let permits = u32::try_from(n).map_err(|_| too_large())?;
            let budget = Arc::clone(&limits.body_budget);
            match tokio::time::timeout(limits.body_timeout, budget.acquire_many_owned(permits))
                .await
            {
                Ok(Ok(p)) => held = Some(p),
                // The semaphore is never closed; a timeout means others hold the budget.
                Ok(Err(_)) | Err(_) => return Err(busy()),
            }
        }
    }
    let capacity = declared.and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
    let read = async {
        let mut buf = bytes::BytesMut::with_capacity(capacity);
        while let Some(frame) = body.frame().await {
            // A broken body (client gone, bad chunking): nobody is left to answer.
            let frame = frame.map_err(|_| closing(StatusCode::BAD_REQUEST, None))?;
            let Ok(data) = frame.into_data() else {
                continue;
            };
            if buf.len() + data.len() > limits.max_body {
                return Err(too_large());
            }
            if declared.is_none() && !data.is_empty() {
                // A chunked body reserves as it arrives and never waits (two half-read
                // bodies waiting for each other's room would never finish).
                let permits = u32::try_from(data.len()).map_err(|_| too_large())?;
                let more = Arc::clone(&limits.body_budget)
                    .try_acquire_many_owned(permits)
                    .map_err(|_| busy())?;
                match held.as_mut() {
                    Some(h) => OwnedSemaphorePermit::merge(h, more),
                    None => held = Some(more),
                }
            }
            buf.extend_from_slice(&data);
        }
        Ok(buf.freeze())
    };
    match tokio::time::timeout(limits.body_timeout, read).await {
        Ok(Ok(bytes)) => Ok((bytes, held)),
        Ok(Err(reply)) => Err(reply),
        Err(_) => Err(closing(StatusCode::REQUEST_TIMEOUT, None)),
    }
}

async fn answer(
    shared: Arc<Shared>,
    req: hyper::Request<Incoming>,
) -> Result<hyper::Response<ReplyBody>, ConnectionReset> {
    let n = shared.counters.requests.fetch_add(1, Ordering::Relaxed);
    let (parts, body) = req.into_parts();
    // `_budget` keeps the body's share of the byte budget until the answer is built.
    let (body, _budget) = match read_body(&shared.limits, &parts.headers, body).await {
        Ok(read) => read,
        Err(reply) => return Ok(into_response(reply, false)),
    };
    if !shared.latency.is_zero() {
        tokio::time::sleep(shared.latency).await;
    }
    let Some((host, path)) = split_target(parts.uri.path()) else {
        return Ok(into_response(Reply::not_found(), false));
    };
    let request = Request {
        method: parts.method,
        host,
        path,
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body,
    };
    let Some(service) = shared.services.iter().find(|s| s.serves(&request.host)) else {
        return Ok(into_response(Reply::not_found(), false));
    };
    let scope = service.fault_scope(&request);
    let fault = if scope == FaultScope::None || shared.faults.is_none() {
        None
    } else {
        shared
            .faults
            .pick(faults::draw(shared.seed, n))
            .filter(|k| scope == FaultScope::All || *k == FaultKind::TooManyRequests)
    };
    let mut truncate = false;
    let reply = match fault {
        None => match service.handle_async(&request) {
            Some(waiting) => waiting.await,
            None => service.handle(&request),
        },
        Some(kind) => match kind {
            FaultKind::TooManyRequests => {
                shared.counters.count_fault(kind);
                let mut r = Reply::empty(StatusCode::TOO_MANY_REQUESTS);
                let secs = if n.is_multiple_of(2) { "0" } else { "1" };
                r.headers
                    .push((RETRY_AFTER, HeaderValue::from_static(secs)));
                r
            }
            FaultKind::ServerError => {
                shared.counters.count_fault(kind);
                Reply::empty(StatusCode::INTERNAL_SERVER_ERROR)
            }
            FaultKind::Reset => {
                shared.counters.count_fault(kind);
                tracing::debug!(n, "fault: reset");
                return Err(ConnectionReset);
            }
            FaultKind::Truncate => {
                let r = service.handle(&request);
                if r.body.len() >= 2 {
                    shared.counters.count_fault(kind);
                    truncate = true;
                }
                r
            }
            FaultKind::Expired => match service.expire(&request) {
                Some(r) => {
                    shared.counters.count_fault(kind);
                    r
                }
                None => service.handle(&request),
            },
        },
    };
    Ok(into_response(reply, truncate))
}

/// Pauses of the accept loop after failed accepts: 10 ms after the first failure, doubling up
/// to 100 ms while they last. Without a pause, a listener out of file descriptors (`EMFILE`)
/// gets the same error back at once, forever, at 100 % CPU; the pause lets connections close
/// and free descriptors.
#[derive(Debug, Default)]
pub(crate) struct AcceptBackoff {
    failures: u32,
}

impl AcceptBackoff {
    const FIRST: Duration = Duration::from_millis(10);
    const MAX: Duration = Duration::from_millis(100);

    /// An accept failed: how long to pause, and whether to log it (only the first of a run).
    pub fn failed(&mut self) -> (Duration, bool) {
        let pause = Self::FIRST
            .saturating_mul(1 << self.failures.min(8))
            .min(Self::MAX);
        self.failures = self.failures.saturating_add(1);
        (pause, self.failures == 1)
    }

    /// An accept succeeded: the number of failures before it (0 when there were none).
    pub fn succeeded(&mut self) -> u32 {
        std::mem::take(&mut self.failures)
    }
}

/// Call `accept` until it succeeds, pausing after each failure as `backoff` says.
pub(crate) async fn accept_with_backoff<T, F, Fut>(mut accept: F, backoff: &mut AcceptBackoff) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = std::io::Result<T>>,
{
    loop {
        match accept().await {
            Ok(conn) => {
                let failures = backoff.succeeded();
                if failures > 0 {
                    tracing::info!(failures, "accepting connections again");
                }
                return conn;
            }
            Err(e) => {
                let (pause, log) = backoff.failed();
                if log {
                    tracing::warn!(
                        error = %e,
                        "accepting a connection failed; pausing (if this is \"too many open \
                         files\", raise the limit with `ulimit -n`)"
                    );
                }
                tokio::time::sleep(pause).await;
            }
        }
    }
}

/// Serve one accepted connection, holding its `permit` (one of `max_connections`) until it ends.
async fn serve_connection(
    stream: tokio::net::TcpStream,
    shared: Arc<Shared>,
    permit: OwnedSemaphorePermit,
) {
    let open = shared
        .counters
        .connections_open
        .fetch_add(1, Ordering::Relaxed)
        + 1;
    shared
        .counters
        .connections_peak
        .fetch_max(open, Ordering::Relaxed);
    let io = hyper_util::rt::TokioIo::new(stream);
    let header_timeout = shared.limits.header_timeout;
    let conn_shared = Arc::clone(&shared);
    let svc = hyper::service::service_fn(move |req| answer(Arc::clone(&conn_shared), req));
    // Errors here are the injected resets/truncations, clients hanging up, or a client that
    // did not send its header in time.
    let _ = hyper::server::conn::http1::Builder::new()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(header_timeout)
        .keep_alive(true)
        .serve_connection(io, svc)
        .await;
    shared
        .counters
        .connections_open
        .fetch_sub(1, Ordering::Relaxed);
    drop(permit);
}

/// Accept connections until `stop` flips, then drop every open connection.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    let mut backoff = AcceptBackoff::default();
    loop {
        // A connection slot first, then the connection: beyond the cap, clients wait in the
        // listen backlog. (Both steps are cancel-safe: a lost race drops the permit.)
        let next = async {
            let permit = Arc::clone(&shared.limits.connections)
                .acquire_owned()
                .await
                .ok()?;
            let (stream, _peer) = accept_with_backoff(|| listener.accept(), &mut backoff).await;
            Some((stream, permit))
        };
        tokio::select! {
            _ = stop.changed() => break,
            next = next => {
                // `None` only if the semaphore were closed, which it never is.
                let Some((stream, permit)) = next else { break };
                conns.spawn(serve_connection(stream, Arc::clone(&shared), permit));
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    conns.shutdown().await;
}

/// Merge several services' account maps.
pub(crate) fn all_accounts(
    services: &[Arc<dyn Service>],
) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    for s in services {
        out.extend(s.accounts());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{AcceptBackoff, accept_with_backoff, split_target};
    use std::time::{Duration, Instant};

    #[test]
    fn accept_failures_pause_10_to_100_ms_and_log_once() {
        let mut b = AcceptBackoff::default();
        let pauses: Vec<(Duration, bool)> = (0..6).map(|_| b.failed()).collect();
        let ms: Vec<u128> = pauses.iter().map(|(d, _)| d.as_millis()).collect();
        assert_eq!(ms, [10, 20, 40, 80, 100, 100]);
        assert_eq!(
            pauses.iter().filter(|(_, log)| *log).count(),
            1,
            "only the first failure of a run is logged"
        );
        assert_eq!(b.succeeded(), 6);
        assert_eq!(b.failed(), (Duration::from_millis(10), true), "a new run");
        for _ in 0..100 {
            let (d, _) = b.failed();
            assert!(d <= Duration::from_millis(100));
        }
    }

    /// Issue 9 point 12: an accept that keeps failing (EMFILE) is not retried in a busy loop.
    /// Three failures cost at least 10 + 20 + 40 ms of pauses (a lower bound only: a slow
    /// machine cannot make this fail), and `accept` is called once per pause, not millions of
    /// times.
    #[tokio::test]
    async fn failed_accepts_are_retried_after_a_pause() {
        let mut calls = 0u32;
        let mut backoff = AcceptBackoff::default();
        let start = Instant::now();
        let got = accept_with_backoff(
            || {
                calls += 1;
                let n = calls;
                async move {
                    if n <= 3 {
                        Err(std::io::Error::from_raw_os_error(24)) // EMFILE
                    } else {
                        Ok(n)
                    }
                }
            },
            &mut backoff,
        )
        .await;
        assert_eq!(got, 4);
        assert_eq!(calls, 4);
        assert!(
            start.elapsed() >= Duration::from_millis(70),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(backoff.succeeded(), 0, "reset by the success");
    }

    #[test]
    fn splits_host_and_path() {
        assert_eq!(
            split_target("/API-Mifit.huami.com:443/v1/data/band_data.json"),
            Some((
                "api-mifit.huami.com".into(),
                "/v1/data/band_data.json".into()
            ))
        );
        assert_eq!(
            split_target("/account.huami.com"),
            Some(("account.huami.com".into(), "/".into()))
        );
        assert_eq!(split_target("/"), None);
        assert_eq!(split_target("//x"), None);
    }
}
