//! Fault injection: which requests fail, and how.
//!
//! A [`FaultSpec`] gives a probability per [`FaultKind`]. Requests are numbered in arrival
//! order; request `n` draws one uniform number from the seed and `n`, so a given seed
//! always faults the same request numbers with the same kinds.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::Error;
use crate::rng;

/// One way a request can fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FaultKind {
    /// HTTP 429 with `Retry-After`.
    TooManyRequests,
    /// HTTP 500.
    ServerError,
    /// The connection is closed without any response.
    Reset,
    /// Headers with the full `Content-Length`, then only part of the body, then close.
    Truncate,
    /// The presented app token is revoked and the request answers like an expired token.
    Expired,
}

impl FaultKind {
    /// All kinds, in the order a spread spec (`"0.1"`) uses.
    pub const ALL: [FaultKind; 5] = [
        FaultKind::TooManyRequests,
        FaultKind::ServerError,
        FaultKind::Reset,
        FaultKind::Truncate,
        FaultKind::Expired,
    ];

    /// The name used in a spec string.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::TooManyRequests => "429",
            FaultKind::ServerError => "500",
            FaultKind::Reset => "reset",
            FaultKind::Truncate => "truncate",
            FaultKind::Expired => "expired",
        }
    }

    fn index(self) -> usize {
        match self {
            FaultKind::TooManyRequests => 0,
            FaultKind::ServerError => 1,
            FaultKind::Reset => 2,
            FaultKind::Truncate => 3,
            FaultKind::Expired => 4,
        }
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Probability of each fault kind per request (sum ≤ 1). Default: no faults.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultSpec {
    rates: [f64; 5],
}

impl FaultSpec {
    /// No faults at all.
    pub fn none() -> Self {
        Self::default()
    }

    /// A spec with one kind at probability `p` (clamped to `0..=1`).
    pub fn only(kind: FaultKind, p: f64) -> Self {
        let mut rates = [0.0; 5];
        rates[kind.index()] = p.clamp(0.0, 1.0);
        Self { rates }
    }

    /// The probability of `kind`.
    pub fn rate(&self, kind: FaultKind) -> f64 {
        self.rates[kind.index()]
    }

    /// Whether any fault can happen.
    pub fn is_none(&self) -> bool {
        self.rates.iter().all(|r| *r == 0.0)
    }

    /// The kind a uniform draw `u` in `[0, 1)` selects, if any.
    pub fn pick(&self, u: f64) -> Option<FaultKind> {
        let mut acc = 0.0;
        for kind in FaultKind::ALL {
            acc += self.rates[kind.index()];
            if u < acc {
                return Some(kind);
            }
        }
        None
    }
}

fn bad(spec: &str, reason: impl Into<String>) -> Error {
    Error::BadFaultSpec {
        spec: spec.to_owned(),
        reason: reason.into(),
    }
}

fn parse_rate(spec: &str, text: &str) -> Result<f64, Error> {
    let p: f64 = text
        .trim()
        .parse()
        .map_err(|_| bad(spec, format!("`{text}` is not a number")))?;
    if !(0.0..=1.0).contains(&p) {
        return Err(bad(spec, format!("rate {p} is outside 0..=1")));
    }
    Ok(p)
}

impl FromStr for FaultSpec {
    type Err = Error;

    /// `"0.1"` spreads 10 % evenly over all kinds; `"429=0.03,reset=0.02"` sets kinds one
    /// by one (kinds: `429`, `500`, `reset`, `truncate`, `expired`).
    fn from_str(s: &str) -> Result<Self, Error> {
        let spec = s.trim();
        if spec.is_empty() {
            return Ok(Self::none());
        }
        if !spec.contains('=') {
            if let Some(k) = FaultKind::ALL
                .into_iter()
                .find(|k| k.name().eq_ignore_ascii_case(spec))
            {
                return Err(bad(spec, format!("the kind needs a rate, e.g. `{k}=0.05`")));
            }
            let p = parse_rate(spec, spec)?;
            return Ok(Self {
                rates: [p / 5.0; 5],
            });
        }
        let mut rates = [0.0; 5];
        let mut seen = [false; 5];
        for part in spec.split(',') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| bad(spec, format!("`{part}` is not KIND=RATE")))?;
            let name = name.trim();
            let kind = FaultKind::ALL
                .into_iter()
                .find(|k| k.name().eq_ignore_ascii_case(name))
                .ok_or_else(|| {
                    bad(
                        spec,
                        format!(
                            "unknown fault kind `{name}` (use 429, 500, reset, truncate, expired)"
                        ),
                    )
                })?;
            if seen[kind.index()] {
                return Err(bad(spec, format!("fault kind `{name}` given twice")));
            }
            seen[kind.index()] = true;
            rates[kind.index()] = parse_rate(spec, value)?;
        }
        let total: f64 = rates.iter().sum();
        if total > 1.0 + 1e-9 {
            return Err(bad(
                spec,
                format!("the rates add up to {total}, more than 1"),
            ));
        }
        Ok(Self { rates })
    }
}

/// Counters shared by the server (requests served, faults injected by kind, connections).
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub requests: AtomicU64,
    faults: [AtomicU64; 5],
    /// Connections being served now.
    pub connections_open: AtomicU64,
    /// The most connections served at once.
    pub connections_peak: AtomicU64,
}

impl Counters {
    pub fn count_fault(&self, kind: FaultKind) {
        self.faults[kind.index()].fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> Stats {
        let f = |k: FaultKind| self.faults[k.index()].load(Ordering::Relaxed);
        Stats {
            requests: self.requests.load(Ordering::Relaxed),
            too_many_requests: f(FaultKind::TooManyRequests),
            server_errors: f(FaultKind::ServerError),
            resets: f(FaultKind::Reset),
            truncated: f(FaultKind::Truncate),
            expired: f(FaultKind::Expired),
            connections_open: self.connections_open.load(Ordering::Relaxed),
            connections_peak: self.connections_peak.load(Ordering::Relaxed),
            body_bytes_held: 0,
        }
    }
}

/// What the emulator has done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Requests received (including faulted ones).
    pub requests: u64,
    /// 429 answers injected.
    pub too_many_requests: u64,
    /// 500 answers injected.
    pub server_errors: u64,
    /// Connections reset without an answer.
    pub resets: u64,
    /// Bodies truncated.
    pub truncated: u64,
    /// Tokens expired.
    pub expired: u64,
    /// Connections being served now.
    pub connections_open: u64,
    /// The most connections served at once (at most `ServerLimits::max_connections`).
    pub connections_peak: u64,
    /// Request body bytes buffered (or reserved for bodies being read) now.
    pub body_bytes_held: u64,
}

impl Stats {
    /// The number of injected faults of `kind`.
    pub fn faults(&self, kind: FaultKind) -> u64 {
        match kind {
            FaultKind::TooManyRequests => self.too_many_requests,
            FaultKind::ServerError => self.server_errors,
            FaultKind::Reset => self.resets,
            FaultKind::Truncate => self.truncated,
            FaultKind::Expired => self.expired,
        }
    }

    /// All injected faults.
    pub fn total_faults(&self) -> u64 {
        FaultKind::ALL.iter().map(|k| self.faults(*k)).sum()
    }
}

/// The uniform draw of request number `n` for `seed`.
pub(crate) fn draw(seed: u64, n: u64) -> f64 {
    let bits = rng::mix(rng::mix(seed ^ 0x6661_756c_7473) ^ n);
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_spread_and_list() {
        let s: FaultSpec = "0.1".parse().unwrap();
        for k in FaultKind::ALL {
            assert!((s.rate(k) - 0.02).abs() < 1e-12);
        }
        let s: FaultSpec = "429=0.03,500=0.03,reset=0.02,truncate=0.01,expired=0.01"
            .parse()
            .unwrap();
        assert_eq!(s.rate(FaultKind::Reset), 0.02);
        assert_eq!(s.rate(FaultKind::Expired), 0.01);
        assert!("".parse::<FaultSpec>().unwrap().is_none());
    }

    #[test]
    fn rejects_bad_specs_with_a_reason() {
        for (spec, needle) in [
            ("1.5", "outside"),
            ("x", "not a number"),
            ("teapot=0.1", "unknown fault kind"),
            ("429=0.1,429=0.2", "twice"),
            ("429=0.6,500=0.6", "more than 1"),
            ("429", "needs a rate"),
            ("reset=-1", "outside"),
        ] {
            let err = spec.parse::<FaultSpec>().unwrap_err().to_string();
            assert!(err.contains(needle), "{spec}: {err}");
        }
    }

    #[test]
    fn pick_respects_rates() {
        let s = FaultSpec::only(FaultKind::Truncate, 1.0);
        assert_eq!(s.pick(0.999), Some(FaultKind::Truncate));
        assert_eq!(FaultSpec::none().pick(0.0), None);
        let spread: FaultSpec = "0.5".parse().unwrap();
        let n = 20_000;
        let hits = (0..n)
            .filter(|i| spread.pick(draw(9, *i)).is_some())
            .count();
        let frac = hits as f64 / n as f64;
        assert!((0.47..0.53).contains(&frac), "{frac}");
    }
}
