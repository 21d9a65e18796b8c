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

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderName, HeaderValue, LOCATION, RETRY_AFTER};
use hyper::{HeaderMap, Method, StatusCode};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::faults::{self, Counters, FaultKind, FaultSpec};

/// Largest request body accepted (an upload of a few hundred days fits easily).
const MAX_BODY: usize = 64 * 1024 * 1024;

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

async fn answer(
    shared: Arc<Shared>,
    req: hyper::Request<Incoming>,
) -> Result<hyper::Response<ReplyBody>, ConnectionReset> {
    let n = shared.counters.requests.fetch_add(1, Ordering::Relaxed);
    let (parts, body) = req.into_parts();
    let body = match http_body_util::Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return Ok(into_response(
                Reply::empty(StatusCode::PAYLOAD_TOO_LARGE),
                false,
            ));
        }
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

/// Accept connections until `stop` flips, then drop every open connection.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            accepted = listener.accept() => {
                let Ok((stream, _peer)) = accepted else { continue };
                let shared = Arc::clone(&shared);
                conns.spawn(async move {
                    let io = hyper_util::rt::TokioIo::new(stream);
                    let svc = hyper::service::service_fn(move |req| answer(Arc::clone(&shared), req));
                    // Errors here are the injected resets/truncations or clients hanging up.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(io, svc)
                        .await;
                });
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
    use super::split_target;

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
