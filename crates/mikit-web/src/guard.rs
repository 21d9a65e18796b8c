//! Who may talk to the dashboard.
//!
//! - **Host**: only the authority the server was opened at (`127.0.0.1:8787`, and
//!   `localhost:8787` for a loopback listener). A page of another site that rebinds its DNS
//!   name to 127.0.0.1 sends its own name as `Host` and is refused (DNS-rebinding defence).
//! - **Writes** (every `POST`): the `Origin` header, which browsers send on every cross-site
//!   and same-site POST, must be this server's own origin; a missing one is refused too, so a
//!   write always comes from a page this server served. The form must also carry the
//!   per-process CSRF token ([`Guard::token`]), checked by the handlers.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use std::sync::Arc;

/// The allowed authorities and the CSRF token of one server.
#[derive(Clone, Debug)]
pub struct Guard {
    hosts: Vec<String>,
    token: String,
}

impl Guard {
    /// For a server listening at `addr`.
    pub fn new(addr: std::net::SocketAddr) -> Result<Self, getrandom::Error> {
        let mut hosts = vec![addr.to_string()];
        if addr.ip().is_loopback() {
            hosts.push(format!("localhost:{}", addr.port()));
        }
        let mut bytes = [0u8; 24];
        getrandom::getrandom(&mut bytes)?;
        let token = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Ok(Self { hosts, token })
    }

    /// The CSRF token forms carry.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// True when `given` is this process's token (compared in constant time).
    pub fn token_ok(&self, given: &str) -> bool {
        let (a, b) = (self.token.as_bytes(), given.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    fn host_ok(&self, headers: &HeaderMap) -> bool {
        headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .is_some_and(|h| self.hosts.iter().any(|a| a.eq_ignore_ascii_case(h)))
    }

    fn origin_ok(&self, headers: &HeaderMap) -> bool {
        headers
            .get(header::ORIGIN)
            .and_then(|h| h.to_str().ok())
            .and_then(|o| o.strip_prefix("http://"))
            .is_some_and(|o| self.hosts.iter().any(|a| a.eq_ignore_ascii_case(o)))
    }
}

/// The middleware: refuse foreign hosts, and writes from elsewhere.
pub async fn check(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let guard = &state.guard;
    if !guard.host_ok(req.headers()) {
        return (
            StatusCode::MISDIRECTED_REQUEST,
            "this dashboard answers only at the address it was opened at\n",
        )
            .into_response();
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        if req.method() != Method::POST {
            return StatusCode::METHOD_NOT_ALLOWED.into_response();
        }
        if !guard.origin_ok(req.headers()) {
            return (
                StatusCode::FORBIDDEN,
                "writes are accepted only from the dashboard's own pages\n",
            )
                .into_response();
        }
    }
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    // No framing by other sites, no sniffing, no referrer leaving the machine. (Not
    // `no-referrer`: with it, browsers send `Origin: null` on the dashboard's own form posts,
    // and the origin check above would refuse them — Fetch standard, "serializing a request
    // origin".)
    h.insert(
        header::X_FRAME_OPTIONS,
        header::HeaderValue::from_static("DENY"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(k.clone(), v.parse().unwrap());
        }
        h
    }

    #[test]
    fn only_our_host_and_origin() {
        let g = Guard::new("127.0.0.1:8787".parse().unwrap()).unwrap();
        assert!(g.host_ok(&headers(&[(header::HOST, "127.0.0.1:8787")])));
        assert!(g.host_ok(&headers(&[(header::HOST, "localhost:8787")])));
        assert!(!g.host_ok(&headers(&[(header::HOST, "evil.example:8787")])));
        assert!(!g.host_ok(&headers(&[])));
        assert!(g.origin_ok(&headers(&[(header::ORIGIN, "http://127.0.0.1:8787")])));
        assert!(!g.origin_ok(&headers(&[(header::ORIGIN, "http://evil.example")])));
        assert!(!g.origin_ok(&headers(&[(header::ORIGIN, "null")])));
        assert!(!g.origin_ok(&headers(&[])));
        assert_eq!(g.token().len(), 48);
        assert!(g.token_ok(g.token()));
        assert!(!g.token_ok("x"));
        let other = Guard::new("127.0.0.1:8787".parse().unwrap()).unwrap();
        assert_ne!(g.token(), other.token());
    }
}
