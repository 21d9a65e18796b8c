//! Options, the account table and the server-side token/ticket state of the Mi cloud.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

use crate::rng::{Rng, label};

/// How the API hosts answer an unknown or expired service token (reference §3.1, §9).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AuthReply {
    /// HTTP 401 with an empty body (the emulator default, reference §9).
    #[default]
    Status401,
    /// HTTP 200 `{"code":3,"message":"auth err"}` (hass-xiaomi-miot `is_token_expired`).
    Code3,
}

/// How the API hosts answer a path they do not serve (reference §12).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UnknownPathReply {
    /// HTTP 200 `{"code":-1,"message":"…"}`.
    #[default]
    CodeMinus1,
    /// HTTP 404 with the same body.
    Status404,
}

/// Options of the Xiaomi account and Mi cloud part.
#[derive(Clone, Debug)]
pub struct MiCloudOptions {
    /// Lifetime of a service token; an older one is answered like an expired one
    /// (mijia-api stores `expireTime` = now + 30 d; default 30 days).
    pub service_token_ttl: Duration,
    /// Accepted distance in minutes between a request nonce's minute and the server clock
    /// (reference §9: unknown; default ±5).
    pub nonce_window_minutes: u64,
    /// Refuse a signed request whose `_nonce` was already accepted (default on, as the real
    /// service does; reference §3.1 calls the check optional). Nonces are remembered only
    /// while their minute is within `nonce_window_minutes`, so memory stays bounded. Turn it
    /// off only to replay fixed captures, e.g. the public vectors of §10, which share a nonce.
    pub reject_replayed_nonces: bool,
    /// Answer for unknown or expired service tokens.
    pub auth_reply: AuthReply,
    /// Answer for unknown API paths.
    pub unknown_path: UnknownPathReply,
    /// Seconds a QR code stays valid; the long poll waits at most this long (the real
    /// service says `"timeout":300`).
    pub qr_timeout_secs: u64,
    /// When set, every QR code is "scanned and confirmed" by the plain account this long
    /// after it was created (so `mikit cloud login --qr` completes against the emulator
    /// without a phone). `None`: only the phone hook (`GET <loginUrl>&user=<email>`) scans.
    pub qr_auto_scan: Option<Duration>,
}

impl Default for MiCloudOptions {
    fn default() -> Self {
        Self {
            service_token_ttl: Duration::from_secs(30 * 86_400),
            nonce_window_minutes: 5,
            reject_replayed_nonces: true,
            auth_reply: AuthReply::Status401,
            unknown_path: UnknownPathReply::CodeMinus1,
            qr_timeout_secs: 300,
            qr_auto_scan: Some(Duration::from_millis(500)),
        }
    }
}

/// How an account logs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Password only.
    Plain,
    /// A captcha before every password check (`87001`).
    Captcha,
    /// A code by SMS after the password (`81003`, identity flag 4).
    Phone,
    /// A code by e-mail after the password (`81003`, identity flag 8).
    Email,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Plain => "password",
            Mode::Captcha => "captcha",
            Mode::Phone => "2fa-phone",
            Mode::Email => "2fa-email",
        }
    }

    /// The identity flag of a two-factor account.
    pub fn flag(self) -> Option<i64> {
        match self {
            Mode::Phone => Some(4),
            Mode::Email => Some(8),
            _ => None,
        }
    }
}

/// One emulated Xiaomi account.
#[derive(Clone, Debug)]
pub(crate) struct Account {
    pub key: &'static str,
    pub email: String,
    pub password: String,
    pub user_id: String,
    pub c_user_id: String,
    pub mode: Mode,
    /// The answer of every captcha this account is shown.
    pub captcha: String,
    /// The two-factor code this account receives.
    pub code: String,
    pub masked_phone: String,
    pub masked_email: String,
}

/// The four accounts, deterministic from `seed`.
pub(crate) fn generate(seed: u64) -> Vec<Account> {
    [
        ("xiaomi", "mi-user", Mode::Plain),
        ("xiaomi_captcha", "mi-captcha", Mode::Captcha),
        ("xiaomi_2fa_phone", "mi-phone", Mode::Phone),
        ("xiaomi_2fa_email", "mi-email", Mode::Email),
    ]
    .into_iter()
    .map(|(key, local, mode)| {
        let mut r = Rng::stream(&[seed, label("micloud-account"), label(key)]);
        let user_id = r.range(1_000_000_000, 2_999_999_999).to_string();
        let password = format!("Mi-{}", r.hex(10));
        let c_user_id = r.token(27);
        let captcha: String = (0..5)
            .map(|_| char::from(b'a' + u8::try_from(r.range(0, 25)).unwrap_or(0)))
            .collect();
        let code = format!("{:06}", r.range(0, 999_999));
        let digits = format!("{:04}", r.range(0, 9999));
        Account {
            key,
            email: format!("{local}@mikit.example"),
            password,
            user_id,
            c_user_id,
            mode,
            captcha,
            code,
            masked_phone: format!("+49*******{digits}"),
            masked_email: format!("{}***@mikit.example", &local[..1]),
        }
    })
    .collect()
}

/// A service token handed out by STS.
#[derive(Clone, Debug)]
pub(crate) struct ServiceToken {
    pub account: usize,
    pub ssecurity: String,
    pub issued: SystemTime,
}

/// A pending STS visit: the `auth` ticket of a `location`.
#[derive(Clone, Debug)]
pub(crate) struct StsTicket {
    pub account: usize,
    pub ssecurity: String,
    pub nonce: String,
}

/// A started two-factor verification.
#[derive(Clone, Debug)]
pub(crate) struct Identity {
    pub account: usize,
    pub sent: bool,
}

/// A QR login in progress.
#[derive(Clone, Debug)]
pub(crate) struct QrTicket {
    pub created: Instant,
    pub scanned_by: Option<usize>,
}

/// Everything that changes while serving.
#[derive(Debug)]
pub(crate) struct State {
    rng: Rng,
    /// passToken → account.
    pub pass_tokens: HashMap<String, usize>,
    /// serviceToken → its session.
    pub service_tokens: HashMap<String, ServiceToken>,
    /// STS `auth` ticket → pending visit.
    pub sts: HashMap<String, StsTicket>,
    /// `ick` cookies of captcha images handed out.
    pub icks: HashSet<String>,
    /// Two-factor `context` → account (from the `notificationUrl`).
    pub contexts: HashMap<String, usize>,
    /// `identity_session` cookie → verification.
    pub identities: HashMap<String, Identity>,
    /// Two-factor result tickets (`/identity/result/check?cid=`) → account.
    pub checks: HashMap<String, usize>,
    /// QR tickets.
    pub qr: HashMap<String, QrTicket>,
    /// Nonces of accepted signed requests (only with `reject_replayed_nonces`).
    pub nonces: super::nonces::NonceLedger,
    /// The cloud's last known property values: (did, siid, piid) → (value, unix s).
    pub props: HashMap<(String, u32, u32), (Value, i64)>,
}

impl State {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: Rng::stream(&[seed, label("micloud-state")]),
            pass_tokens: HashMap::new(),
            service_tokens: HashMap::new(),
            sts: HashMap::new(),
            icks: HashSet::new(),
            contexts: HashMap::new(),
            identities: HashMap::new(),
            checks: HashMap::new(),
            qr: HashMap::new(),
            nonces: super::nonces::NonceLedger::default(),
            props: HashMap::new(),
        }
    }

    /// A fresh cookie-safe token of `n` characters.
    pub fn token(&mut self, n: usize) -> String {
        self.rng.token(n)
    }

    /// A fresh base64 `ssecurity` (16 bytes, as real ones decode to; reference §2.1).
    pub fn ssecurity(&mut self) -> String {
        let mut key = [0u8; 16];
        for chunk in key.chunks_mut(8) {
            chunk.copy_from_slice(&self.rng.next_u64().to_be_bytes());
        }
        mikit_micloud::crypto::b64(&key)
    }

    /// A fresh numeric STS nonce (real replies carry a number).
    pub fn nonce(&mut self) -> String {
        self.rng.range(1_000_000_000, 9_999_999_999).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_deterministic_and_distinct() {
        let a = generate(3);
        let b = generate(3);
        assert_eq!(a.len(), 4);
        assert_eq!(a[0].password, b[0].password);
        assert_eq!(a[2].code, b[2].code);
        assert_ne!(a[0].user_id, a[1].user_id);
        assert_ne!(generate(4)[0].password, a[0].password);
        assert!(a.iter().all(|x| x.code.len() == 6 && x.captcha.len() == 5));
    }
}
