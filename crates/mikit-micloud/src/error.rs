//! The error type of `mikit-micloud`.
//!
//! No variant carries a secret: tokens, ssecurity, passwords and signed nonces never reach
//! a message. Server texts that are shown (`description`, `message`) are the account/API
//! server's own short error texts, never a whole body.

use crate::miot::CloudCode;

/// Everything that can go wrong in the Xiaomi account login and the Mi Home cloud API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Transport, endpoint or client errors from the shared HTTP layer.
    #[error(transparent)]
    Core(#[from] mikit_core::Error),

    // ----- signing and encryption -----
    /// A base64 field could not be decoded.
    #[error("field {field} is not valid base64")]
    BadBase64 {
        /// The field name (`_nonce`, `data`, `ssecurity`, ...).
        field: &'static str,
    },
    /// A decrypted field is not UTF-8 text.
    #[error("decrypted field {field} is not UTF-8 text")]
    BadUtf8 {
        /// The field name.
        field: &'static str,
    },
    /// A nonce is too short or too long to carry random bytes and a minute counter.
    #[error("nonce has {len} bytes; expected 9 to 16")]
    BadNonce {
        /// Decoded length in bytes.
        len: usize,
    },
    /// The nonce's minute counter is outside the accepted window.
    #[error("nonce is stale: minute {nonce_minute}, now {now_minute}, window ±{window} min")]
    StaleNonce {
        /// The minute counter inside the nonce.
        nonce_minute: u64,
        /// The server's current minute.
        now_minute: u64,
        /// The accepted distance in minutes.
        window: u64,
    },
    /// An RC4 key has a length the cipher does not accept (1..=256 bytes).
    #[error("RC4 key of {len} bytes is not usable")]
    BadKey {
        /// The key length.
        len: usize,
    },
    /// A signed request lacks a field that its scheme needs.
    #[error("signed request lacks the field {field}")]
    MissingField {
        /// The field name.
        field: &'static str,
    },
    /// The request signature does not match (the server's answer is "invalid signature").
    #[error("invalid signature ({scheme} scheme)")]
    SignatureMismatch {
        /// `rc4` or `legacy`.
        scheme: &'static str,
    },
    /// The RC4 request's `rc4_hash__` does not match its decrypted data.
    #[error("rc4_hash__ does not match the decrypted data")]
    Rc4HashMismatch,

    // ----- account login -----
    /// An account (`account.xiaomi.com`) reply could not be understood.
    #[error("unexpected reply from the Xiaomi account server at {endpoint}: {reason}")]
    AccountReply {
        /// The path asked (no query: queries can carry tokens).
        endpoint: String,
        /// What was wrong.
        reason: String,
    },
    /// Code 70016: user name or password wrong.
    #[error("the Xiaomi account rejected the user name or password (code 70016)")]
    InvalidCredentials,
    /// Code 70002: bad credentials.
    #[error("the Xiaomi account reports bad credentials (code 70002)")]
    BadCredentials,
    /// Code 20003: the user does not exist.
    #[error("the Xiaomi account does not know this user (code 20003)")]
    InvalidUser,
    /// Code 22009: this client package is denied.
    #[error("the Xiaomi account denied this client (code 22009, package denied); try the QR login")]
    PackageDenied,
    /// Code 87001 where no interactive answer is possible.
    #[error("the Xiaomi account asks for a captcha (code 87001); solve the image at {url}")]
    CaptchaRequired {
        /// The absolute captcha image URL.
        url: String,
    },
    /// Code 81003 where no interactive answer is possible.
    #[error("the Xiaomi account asks for two-factor verification (code 81003)")]
    TwoFactorRequired,
    /// Another account code.
    #[error("the Xiaomi account refused the login: code {code} ({description})")]
    LoginRejected {
        /// The numeric code.
        code: i64,
        /// The server's description, if any.
        description: String,
    },
    /// A two-factor step (identity list, sending or checking the code) failed.
    #[error("two-factor verification failed at {step}: code {code} ({description})")]
    TwoFactorFailed {
        /// `identity list`, `send ticket`, `verify ticket`.
        step: &'static str,
        /// The numeric code.
        code: i64,
        /// The server's description, if any.
        description: String,
    },
    /// The stored passToken no longer logs in: a password or QR login is needed.
    #[error("the stored Xiaomi login has expired; log in again")]
    PassTokenExpired,
    /// The QR code was not scanned in time.
    #[error("the QR code was not scanned in time; start again")]
    QrExpired,
    /// The STS step did not hand out a service token.
    #[error("the Xiaomi service-token step failed (HTTP {status}): {reason}")]
    Sts {
        /// The last HTTP status.
        status: u16,
        /// What was missing.
        reason: String,
    },
    /// The login was sent to a URL it must not follow: not `https://`, or not a Xiaomi
    /// account or API host. Nothing was sent there.
    #[error(
        "refusing to continue the login at {url}: {reason}; the Xiaomi login only talks https to Xiaomi account and API hosts (account.xiaomi.com, *.api.io.mi.com). The reply may have been tampered with: check the network (proxy, DNS) and try again"
    )]
    UntrustedUrl {
        /// Scheme and host only (the path and query may carry tickets).
        url: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A `LoginFlow` method was called in a state that does not allow it.
    #[error("login step out of order: {called} needs {needs}")]
    WrongLoginState {
        /// The method called.
        called: &'static str,
        /// The state it requires.
        needs: &'static str,
    },

    // ----- cloud API -----
    /// The service token expired or was rejected (HTTP 401/403, code 2/3, `auth err`).
    #[error("the Mi cloud session expired or was rejected ({detail}); log in again")]
    AuthExpired {
        /// What the server said, e.g. `HTTP 401` or `code 3: auth err`.
        detail: String,
    },
    /// The server answered "invalid signature".
    #[error("the Mi cloud rejected the request signature at {path}")]
    InvalidSignature {
        /// The API path.
        path: String,
    },
    /// The server answered a MIoT cloud error code (`-70xxxyzzz`).
    #[error("{path}: {code}")]
    Miot {
        /// The API path.
        path: String,
        /// The decoded code.
        code: CloudCode,
    },
    /// Another API error envelope.
    #[error("the Mi cloud answered code {code} at {path}: {message}")]
    Api {
        /// The API path.
        path: String,
        /// The numeric code.
        code: i64,
        /// The server's message.
        message: String,
    },
    /// An unexpected HTTP status.
    #[error("the Mi cloud answered HTTP {status} at {path}")]
    HttpStatus {
        /// The API path.
        path: String,
        /// The status code.
        status: u16,
    },
    /// A reply body could not be decoded (not JSON, not decryptable, wrong shape).
    #[error("cannot decode the reply of {path}: {reason}")]
    Decode {
        /// The API path.
        path: String,
        /// What was wrong (never the body itself).
        reason: String,
    },
    /// A caller-supplied argument is invalid (e.g. an unknown region name).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

/// Describe a JSON error without quoting the input (serde messages can quote values,
/// and a login body carries tokens).
pub(crate) fn json_reason(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Io => "I/O error",
        Category::Syntax => "invalid JSON",
        Category::Data => "unexpected JSON shape",
        Category::Eof => "truncated JSON",
    };
    format!("{what} at line {} column {}", e.line(), e.column())
}
