//! The one HTTP client of mikit: rustls (ring), timeouts, and retries.
//!
//! [`Http::send`] takes the *real* URL of a service, maps it through the
//! [`EndpointMap`](crate::EndpointMap), and retries with exponential backoff plus jitter when
//! the request fails to connect, times out, loses its body half-way, or the server answers
//! 429 or 5xx. A `Retry-After` header (seconds) is honoured, capped by the policy. When the
//! retries run out on a 429/5xx the last response is returned as is, so the caller can read
//! a documented error body (e.g. Huami's `{"code":-50000}`).

use std::time::Duration;

use reqwest::{Method, RequestBuilder, StatusCode, header::HeaderMap};

use crate::{EndpointMap, Error};

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
    /// Keep a cookie jar (needed by the Xiaomi account login).
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
}

impl Http {
    /// A builder with defaults: direct endpoints, [`RetryPolicy::default`], 10 s connect and
    /// 60 s request timeouts, no cookies.
    pub fn builder() -> HttpBuilder {
        HttpBuilder {
            endpoints: EndpointMap::direct(),
            retry: RetryPolicy::default(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
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
        // Log host and path only: queries may carry tokens.
        let shown = real_url.split('?').next().unwrap_or(real_url);
        let max = policy.max_attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = self.attempt(&method, &url, &build).await;
            let retry_after = match &result {
                Ok(r) if is_retryable_status(r.status) => {
                    Some(parse_retry_after(&r.headers).map(|d| d.min(policy.max_delay)))
                }
                Ok(_) => None,
                Err(_) => Some(None),
            };
            match (result, retry_after) {
                (Ok(resp), None) => {
                    tracing::debug!(%method, url = shown, status = resp.status.as_u16(), attempt, "http");
                    return Ok(resp);
                }
                (Ok(resp), Some(_)) if attempt >= max => {
                    tracing::debug!(%method, url = shown, status = resp.status.as_u16(), attempt, "http: giving up");
                    return Ok(resp);
                }
                (Err(reason), _) if attempt >= max => {
                    return Err(Error::Transport {
                        url: shown.to_owned(),
                        attempts: attempt,
                        reason,
                    });
                }
                (outcome, hint) => {
                    let delay = hint
                        .flatten()
                        .unwrap_or_else(|| policy.delay(attempt - 1, jitter()));
                    match outcome {
                        Ok(r) => {
                            tracing::debug!(%method, url = shown, status = r.status.as_u16(), attempt, ?delay, "http: retrying")
                        }
                        Err(e) => {
                            tracing::debug!(%method, url = shown, error = %e, attempt, ?delay, "http: retrying")
                        }
                    }
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    async fn attempt<F>(&self, method: &Method, url: &str, build: &F) -> Result<Response, String>
    where
        F: Fn(RequestBuilder) -> RequestBuilder,
    {
        let req = build(self.client.request(method.clone(), url));
        let resp = req.send().await.map_err(describe)?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp
            .bytes()
            .await
            .map_err(|e| format!("reading the body: {}", describe(e)))?;
        Ok(Response {
            status,
            headers,
            body: body.to_vec(),
        })
    }
}

fn is_retryable_status(s: StatusCode) -> bool {
    s == StatusCode::TOO_MANY_REQUESTS || matches!(s.as_u16(), 500 | 502 | 503 | 504)
}

fn parse_retry_after(h: &HeaderMap) -> Option<Duration> {
    let v = h.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// An error message without the URL (which may carry a token in its query).
fn describe(e: reqwest::Error) -> String {
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
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(&e);
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
