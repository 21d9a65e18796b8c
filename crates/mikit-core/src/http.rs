//! The one HTTP client of mikit: rustls (ring), timeouts, deadlines, bounded bodies, retries.
//!
//! [`Http::send`] takes the *real* URL of a service, maps it through the
//! [`EndpointMap`](crate::EndpointMap), and retries with exponential backoff plus jitter when
//! a retry can succeed: the request failed to connect, timed out, lost its body half-way, or
//! the server answered 408, 429 or 5xx. It never retries a TLS failure (a bad certificate or
//! a server that does not speak TLS stays so) nor any other 4xx. A `Retry-After` header
//! (seconds) is honoured, capped by the policy. When the retries run out on a 408/429/5xx the
//! last response is returned as is, so the caller can read a documented error body (e.g.
//! Huami's `{"code":-50000}`).
//!
//! Every request runs under a [`Deadline`]: one per request (its retries included), or one
//! for the whole command shared by every request. Bodies are read in chunks and refused once
//! they pass a limit ([`DEFAULT_MAX_BODY`] unless set per client or per endpoint with
//! [`Http::with_max_body`]); a `Content-Length` above it is refused before reading.
//!
//! Errors name the URL actually requested (without its query, which may carry tokens): the
//! real host without an endpoint override, the override URL with one.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use reqwest::{Method, RequestBuilder, StatusCode, header::HeaderMap};

use crate::{EndpointMap, Error};

/// The default limit of a response body: 64 MiB (the largest real payloads, a spec catalog
/// or a 30-day band-data range, are a few MiB).
pub const DEFAULT_MAX_BODY: u64 = 64 * 1024 * 1024;

/// How long requests may take, retries included.
#[derive(Clone, Debug, Default)]
pub enum Deadline {
    /// No limit beyond the per-attempt timeout and the retry policy.
    #[default]
    None,
    /// Each request (one call of [`Http::send`], with its retries) must finish within this.
    PerRequest(Duration),
    /// All requests together must finish within `limit`, counted from the first one.
    Overall(OverallDeadline),
}

impl Deadline {
    /// A deadline shared by every request of a command (clones share the clock).
    pub fn overall(limit: Duration) -> Self {
        Deadline::Overall(OverallDeadline {
            limit,
            start: Arc::new(OnceLock::new()),
        })
    }

    /// The instant a request starting now must end by, and the limit to name in errors.
    fn until(&self) -> Option<(Instant, Duration)> {
        match self {
            Deadline::None => None,
            Deadline::PerRequest(limit) => Some((Instant::now() + *limit, *limit)),
            Deadline::Overall(o) => Some((*o.start.get_or_init(Instant::now) + o.limit, o.limit)),
        }
    }

    /// The limit, if any.
    pub fn limit(&self) -> Option<Duration> {
        match self {
            Deadline::None => None,
            Deadline::PerRequest(limit) => Some(*limit),
            Deadline::Overall(o) => Some(o.limit),
        }
    }
}

/// The clock of a [`Deadline::Overall`]: it starts with the first request.
#[derive(Clone, Debug)]
pub struct OverallDeadline {
    limit: Duration,
    start: Arc<OnceLock<Instant>>,
}

/// How often and how patiently to retry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts, including the first (1 = no retry).
    pub max_attempts: u32,
    /// Delay before the first retry; doubles each time.
    pub base_delay: Duration,
    /// Upper bound of one delay, also of an honoured `Retry-After`.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 6,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(20),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The delay before retry number `retry` (0-based), with "equal jitter":
    /// half the exponential delay plus a random part of the other half.
    pub fn delay(&self, retry: u32, jitter: u64) -> Duration {
        let exp = self.base_delay.saturating_mul(1u32 << retry.min(20));
        let capped = exp.min(self.max_delay);
        let half = capped / 2;
        let half_ms = u64::try_from(half.as_millis()).unwrap_or(u64::MAX).max(1);
        half + Duration::from_millis(jitter % half_ms)
    }
}

/// A fully read HTTP response.
#[derive(Debug)]
pub struct Response {
    /// The status code.
    pub status: StatusCode,
    /// The response headers (incl. `Location` of an unfollowed redirect).
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Vec<u8>,
}

impl Response {
    /// The value of a header as text, if present and valid UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// The body as (lossy) UTF-8 text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Builder for [`Http`].
#[derive(Debug, Clone)]
pub struct HttpBuilder {
    endpoints: EndpointMap,
    retry: RetryPolicy,
    connect_timeout: Duration,
    timeout: Duration,
    deadline: Deadline,
    max_body: u64,
    cookies: bool,
    user_agent: String,
}

impl HttpBuilder {
    /// Use this endpoint map (default: direct).
    pub fn endpoints(mut self, endpoints: EndpointMap) -> Self {
        self.endpoints = endpoints;
        self
    }
    /// Use this retry policy.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }
    /// Overall timeout of one attempt (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
    /// Connect timeout of one attempt (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }
    /// The deadline of requests, retries included (default: none).
    pub fn deadline(mut self, deadline: Deadline) -> Self {
        self.deadline = deadline;
        self
    }
    /// The largest response body accepted, in bytes (default [`DEFAULT_MAX_BODY`]).
    pub fn max_body(mut self, bytes: u64) -> Self {
        self.max_body = bytes;
        self
    }
    /// Keep reqwest's cookie jar, keyed by the *requested* URL. Behind an endpoint override
    /// every service shares one host, so a flow that must scope cookies per real host (the
    /// Xiaomi login) keeps its own store instead.
    pub fn cookies(mut self, on: bool) -> Self {
        self.cookies = on;
        self
    }
    /// The `User-Agent` header sent by default.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }
    /// Build the client. Installs the rustls `ring` provider if none is installed yet.
    pub fn build(self) -> Result<Http, Error> {
        install_crypto_provider();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .cookie_store(self.cookies)
            .user_agent(self.user_agent)
            .pool_max_idle_per_host(16)
            .build()
            .map_err(|e| Error::Client(e.to_string()))?;
        Ok(Http {
            client,
            endpoints: self.endpoints,
            retry: self.retry,
            deadline: self.deadline,
            max_body: self.max_body,
        })
    }
}

/// Install rustls' `ring` crypto provider as the process default (idempotent).
///
/// reqwest is built with `rustls-no-provider` to avoid aws-lc-rs; without a provider its
/// client construction panics, so every binary and test calls this (via [`HttpBuilder::build`]).
pub fn install_crypto_provider() {
    // A second install returns Err(the already installed provider): nothing to do then.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The shared HTTP client. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Http {
    client: reqwest::Client,
    endpoints: EndpointMap,
    retry: RetryPolicy,
    deadline: Deadline,
    max_body: u64,
}

/// Why one attempt failed.
enum Failure {
    /// Worth another attempt (connect error, timeout, cut-off body).
    Retry(String),
    /// Final: retrying cannot help.
    Fatal(Error),
}

impl Http {
    /// A builder with defaults: direct endpoints, [`RetryPolicy::default`], 10 s connect and
    /// 60 s attempt timeouts, no deadline, [`DEFAULT_MAX_BODY`], no cookies.
    pub fn builder() -> HttpBuilder {
        HttpBuilder {
            endpoints: EndpointMap::direct(),
            retry: RetryPolicy::default(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            deadline: Deadline::None,
            max_body: DEFAULT_MAX_BODY,
            cookies: false,
            user_agent: concat!("mikit/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }

    /// The endpoint map in use.
    pub fn endpoints(&self) -> &EndpointMap {
        &self.endpoints
    }

    /// The underlying reqwest client (for the rare call that needs it directly).
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// The retry policy in use.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    /// The deadline in use.
    pub fn deadline(&self) -> &Deadline {
        &self.deadline
    }

    /// The same client (same connections) with another deadline, e.g. a long poll.
    #[must_use]
    pub fn with_deadline(&self, deadline: Deadline) -> Self {
        Self {
            deadline,
            ..self.clone()
        }
    }

    /// The same client with another body limit, for an endpoint known to send more or less.
    #[must_use]
    pub fn with_max_body(&self, bytes: u64) -> Self {
        Self {
            max_body: bytes,
            ..self.clone()
        }
    }

    /// Send a request to the real URL `real_url` with the default retry policy.
    ///
    /// `build` adds headers, query and body; it is called again for every attempt.
    pub async fn send<F>(&self, method: Method, real_url: &str, build: F) -> Result<Response, Error>
    where
        F: Fn(RequestBuilder) -> RequestBuilder,
    {
        self.send_with(self.retry, method, real_url, build).await
    }

    /// [`Http::send`] with an explicit retry policy (e.g. [`RetryPolicy::none`] for a
    /// single-use login code).
    pub async fn send_with<F>(
        &self,
        policy: RetryPolicy,
        method: Method,
        real_url: &str,
        build: F,
    ) -> Result<Response, Error>
    where
        F: Fn(RequestBuilder) -> RequestBuilder,
    {
        let url = self.endpoints.map(real_url)?;
        // Name the URL actually requested, without its query (queries may carry tokens).
        let shown = url.split('?').next().unwrap_or(&url).to_owned();
        let until = self.deadline.until();
        let max = policy.max_attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let timed_out = |attempts| match until {
                Some((_, limit)) => Error::TimedOut {
                    url: shown.clone(),
                    attempts,
                    limit_secs: limit.as_secs_f64(),
                },
                None => Error::Transport {
                    url: shown.clone(),
                    attempts,
                    reason: "timed out".into(),
                },
            };
            let result = match until {
                Some((at, _)) => {
                    if Instant::now() >= at {
                        return Err(timed_out(attempt - 1));
                    }
                    tokio::time::timeout_at(at.into(), self.attempt(&method, &url, &shown, &build))
                        .await
                        .map_err(|_| Failure::Fatal(timed_out(attempt)))
                        .and_then(|r| r)
                }
                None => self.attempt(&method, &url, &shown, &build).await,
            };
            let retry_after = match &result {
                Ok(r) if is_retryable_status(r.status) => {
                    Some(parse_retry_after(&r.headers).map(|d| d.min(policy.max_delay)))
                }
                Ok(_) => None,
                Err(Failure::Retry(_)) => Some(None),
                Err(Failure::Fatal(_)) => None,
            };
            let delay =
                retry_after.map(|hint| hint.unwrap_or_else(|| policy.delay(attempt - 1, jitter())));
            // No further attempt when the policy is exhausted or the deadline would pass
            // during the wait.
            let last = attempt >= max
                || matches!((until, delay), (Some((at, _)), Some(d)) if Instant::now() + d >= at);
            match (result, delay) {
                (Err(Failure::Fatal(e)), _) => {
                    tracing::debug!(%method, url = %shown, error = %e, attempt, "http: failed");
                    return Err(e);
                }
                (Ok(resp), None) => {
                    tracing::debug!(%method, url = %shown, status = resp.status.as_u16(), attempt, "http");
                    return Ok(resp);
                }
                (Ok(resp), Some(_)) if last => {
                    tracing::debug!(%method, url = %shown, status = resp.status.as_u16(), attempt, "http: giving up");
                    return Ok(resp);
                }
                (Err(Failure::Retry(reason)), _) if last => {
                    return Err(Error::Transport {
                        url: shown,
                        attempts: attempt,
                        reason,
                    });
                }
                (outcome, delay) => {
                    let delay = delay.unwrap_or_default();
                    match outcome {
                        Ok(r) => {
                            tracing::debug!(%method, url = %shown, status = r.status.as_u16(), attempt, ?delay, "http: retrying")
                        }
                        Err(Failure::Retry(e)) => {
                            tracing::debug!(%method, url = %shown, error = %e, attempt, ?delay, "http: retrying")
                        }
                        Err(Failure::Fatal(_)) => {}
                    }
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    async fn attempt<F>(
        &self,
        method: &Method,
        url: &str,
        shown: &str,
        build: &F,
    ) -> Result<Response, Failure>
    where
        F: Fn(RequestBuilder) -> RequestBuilder,
    {
        let req = build(self.client.request(method.clone(), url));
        let mut resp = req.send().await.map_err(|e| classify(e, shown))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let too_large = |declared| {
            Failure::Fatal(Error::BodyTooLarge {
                url: shown.to_owned(),
                limit: self.max_body,
                declared,
            })
        };
        if let Some(declared) = resp.content_length().filter(|n| *n > self.max_body) {
            return Err(too_large(Some(declared)));
        }
        let mut body = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() as u64 + chunk.len() as u64 > self.max_body {
                        return Err(too_large(None));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    return Err(match classify(e, shown) {
                        Failure::Retry(reason) => {
                            Failure::Retry(format!("reading the body: {reason}"))
                        }
                        fatal => fatal,
                    });
                }
            }
        }
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

/// Statuses a retry can cure: 408 (request timeout), 429 (rate limited) and the transient
/// 5xx. Other 4xx mean the request itself is wrong and would fail again.
fn is_retryable_status(s: StatusCode) -> bool {
    matches!(s.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

fn parse_retry_after(h: &HeaderMap) -> Option<Duration> {
    let v = h.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Sort a reqwest error into "retry" or "fatal" (TLS failures, requests that cannot be built).
fn classify(e: reqwest::Error, shown: &str) -> Failure {
    if let Some(tls) = tls_error(&e) {
        return Failure::Fatal(Error::Tls {
            url: shown.to_owned(),
            reason: tls.to_string(),
        });
    }
    if e.is_builder() {
        return Failure::Fatal(Error::BadUrl {
            url: shown.to_owned(),
            reason: describe(&e),
        });
    }
    Failure::Retry(describe(&e))
}

/// The rustls error somewhere in the chain of `e`, if any. rustls errors reach reqwest inside
/// `io::Error`s (tokio-rustls, then hyper-util's connector wraps that once more), whose
/// `source()` skips the wrapped error: look inside each of them.
fn tls_error(e: &reqwest::Error) -> Option<&rustls::Error> {
    let mut src: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = src {
        let mut inner = s;
        // Bounded: a chain of wrapped io::Errors is short; never loop on a strange one.
        for _ in 0..8 {
            if let Some(t) = inner.downcast_ref::<rustls::Error>() {
                return Some(t);
            }
            match inner
                .downcast_ref::<std::io::Error>()
                .and_then(std::io::Error::get_ref)
            {
                Some(wrapped) => inner = wrapped,
                None => break,
            }
        }
        src = s.source();
    }
    None
}

/// An error message without the URL (which may carry a token in its query).
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the body was cut off"
    } else if e.is_request() {
        "the request failed"
    } else {
        "transport error"
    };
    let mut msg = kind.to_owned();
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    msg
}

/// A cheap pseudo-random number for jitter (no crypto needed).
fn jitter() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static STATE: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let mut x = STATE.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed) ^ u64::from(nanos);
    // splitmix64 finaliser
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_grows_and_is_capped() {
        let p = RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        assert_eq!(p.delay(0, 0), Duration::from_millis(50));
        assert!(p.delay(0, 49) < Duration::from_millis(100));
        assert_eq!(p.delay(3, 0), Duration::from_millis(400));
        assert_eq!(p.delay(10, 0), Duration::from_millis(500));
        assert!(p.delay(30, u64::MAX) <= Duration::from_secs(1));
    }

    #[test]
    fn retry_after_seconds() {
        let mut h = HeaderMap::new();
        h.insert(reqwest::header::RETRY_AFTER, "3".parse().unwrap());
        assert_eq!(parse_retry_after(&h), Some(Duration::from_secs(3)));
        h.insert(
            reqwest::header::RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(parse_retry_after(&h), None);
    }
}
