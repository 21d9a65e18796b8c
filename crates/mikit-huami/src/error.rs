//! The error types of `mikit-huami`: [`Error`] for the client and login, [`DecodeError`] for
//! a band-data item that cannot be decoded at all.
//!
//! No variant carries a password, a token or an access code: only status codes, server
//! error codes, host names and our own words.

/// Everything that can go wrong talking to the Huami / Zepp cloud.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be sent or its answer not read (after the HTTP retries).
    #[error(transparent)]
    Http(#[from] mikit_core::Error),

    /// The credential login answered with a redirect carrying `error=401`.
    #[error(
        "wrong email/phone or password (the Huami server answered error=401{}); check them and try again",
        region.as_deref().map(|r| format!(", region {r}")).unwrap_or_default()
    )]
    WrongPassword {
        /// The `region` of the redirect, if any.
        region: Option<String>,
    },

    /// The credential login did not redirect (HTTP 303) as it does on success.
    #[error(
        "the credential login answered HTTP {status} instead of a redirect: the credentials are wrong, \
         or the account signs in through Xiaomi/Google/Apple or uses two-factor authentication, \
         which this login cannot do"
    )]
    NoRedirect {
        /// The HTTP status received.
        status: u16,
    },

    /// The credential login redirected but the redirect carried no access token.
    #[error(
        "the credential login redirected without an access token{}; the account may need to sign in \
         once in the Zepp app, or use another login method",
        error.as_deref().map(|e| format!(" (error={e})")).unwrap_or_default()
    )]
    NoAccessToken {
        /// The `error` query value of the redirect, if any.
        error: Option<String>,
    },

    /// The server rate-limited us (HTTP 429 or the `{"code":12}` body). On a login step this
    /// is the service's limit of logins per network address (reference §2.3, §7.3): the
    /// caller must not retry in a loop.
    #[error("{}", rate_limit_message(during, *retry_after_secs))]
    RateLimited {
        /// What was being done (`credential login`, `token exchange`, `band data`).
        during: &'static str,
        /// The server's `Retry-After` in seconds, when it sent one.
        retry_after_secs: Option<u64>,
    },

    /// `/v2/client/login` error 0106: the single-use access code is invalid or was already used.
    #[error(
        "the login code was rejected as invalid or already used (error 0106); run the login again \
         from the start"
    )]
    CodeRejected,

    /// `/v2/client/login` error 0113: wrong region.
    #[error(
        "the account belongs to another region (error 0113); try the login again, or set the data host \
         of your region explicitly"
    )]
    LoginWrongRegion,

    /// `/v2/client/login` error 0115: the account is disabled.
    #[error("the Huami account is disabled (error 0115); contact Zepp support")]
    AccountDisabled,

    /// `/v2/client/login` error 0117: the account is not registered with Huami.
    #[error(
        "the account is not registered with Huami/Zepp (error 0117){}; sign in once in the Zepp / Zepp Life \
         app with this account (and pair a device), then try again",
        if *third_party_tokens { ", although the third-party sign-in itself succeeded" } else { "" }
    )]
    AccountNotRegistered {
        /// True when the error `data` carried third-party (Xiaomi) tokens, i.e. the Xiaomi
        /// side accepted the account but Huami does not know it. The tokens are not kept.
        third_party_tokens: bool,
    },

    /// `/v2/client/login` error 0121: the account is frozen.
    #[error(
        "the Huami account is frozen (error 0121); contact Zepp support or unfreeze it in the app"
    )]
    AccountFrozen,

    /// `/v2/client/login` error 0125 (seen with Xiaomi-account logins; meaning unknown).
    #[error(
        "the token exchange was refused with error 0125 (meaning not publicly known; seen with \
         Xiaomi-account logins); sign in once in the Zepp app and try again later"
    )]
    LoginRefused0125,

    /// `/v2/client/login` answered another `error_code`.
    #[error("the token exchange was refused with error {code}; try again later")]
    LoginRejected {
        /// The server's `error_code`.
        code: String,
    },

    /// `/v2/client/login` answered HTTP 400.
    #[error(
        "the token exchange answered HTTP 400 (bad request), usually a region/country mismatch; \
         try the login again, or another login method"
    )]
    LoginBadRequest,

    /// A data call answered 403: the data host does not serve this account's region.
    #[error(
        "the data host {host} refused the request (HTTP 403): it is probably not your account's region; \
         log in again, or set the regional data host explicitly (e.g. api-mifit-de2.zepp.com for Europe, \
         api-mifit-us2.zepp.com for the Americas)"
    )]
    WrongRegion {
        /// The data host used.
        host: String,
    },

    /// A pasted app token was not accepted (HTTP 401 / error 0102).
    #[error(
        "the pasted app token was not accepted by {host}: it is expired, incomplete or from another \
         account; sign in to the web app again and copy a fresh apptoken"
    )]
    TokenRejected {
        /// The data host that refused it.
        host: String,
    },

    /// `account.xiaomi.com` did not accept the Xiaomi session cookies (it answered with its
    /// sign-in page instead of a code).
    #[error(
        "the Xiaomi account did not accept the session (signed out or expired), so it gave no \
         sign-in code; sign in to the Xiaomi account again, or open the authorize address in a \
         browser and paste the code"
    )]
    XiaomiSessionRejected,

    /// The app token was rejected and could not be renewed with the login token.
    #[error("the Huami session has expired; run `mikit fit login` again")]
    SessionExpired,

    /// A v1 endpoint answered `{"code":0,"data":{"code":"0102"}}` or 401 (used internally to
    /// trigger a token refresh; surfaces only if refreshing is impossible).
    #[error(
        "the app token was rejected as invalid (error 0102 / HTTP 401); run `mikit fit login` again"
    )]
    InvalidToken,

    /// A data call answered `{"code":-50000}`: the server wants headers it did not get.
    #[error(
        "the Huami server rejected the request as incomplete (code -50000, missing headers); this is a mikit bug"
    )]
    MissingHeaders,

    /// A v1 envelope with a `code` other than 1.
    #[error("the Huami server answered code {code}: {message}")]
    Api {
        /// The envelope `code`.
        code: i64,
        /// The envelope `message`.
        message: String,
    },

    /// An HTTP status the call does not expect.
    #[error("{during} answered HTTP {status}")]
    UnexpectedStatus {
        /// What was being done.
        during: &'static str,
        /// The HTTP status.
        status: u16,
    },

    /// A body that does not have the documented shape.
    #[error("{during}: unexpected answer: {reason}")]
    BadResponse {
        /// What was being done.
        during: &'static str,
        /// What was wrong, in words (never the body itself, which may carry tokens).
        reason: String,
    },

    /// An invalid argument (e.g. `from` after `to`, an invalid data host).
    #[error("invalid input: {0}")]
    InvalidInput(String),

    /// A band-data item could not be decoded.
    #[error(transparent)]
    Decode(#[from] DecodeError),
}

/// The text of [`Error::RateLimited`].
fn rate_limit_message(during: &str, retry_after_secs: Option<u64>) -> String {
    let when = match retry_after_secs {
        Some(secs) => {
            let at = jiff::Timestamp::now()
                .checked_add(jiff::SignedDuration::from_secs(
                    i64::try_from(secs).unwrap_or(i64::MAX / 2),
                ))
                .map(|t| format!(" (at {} UTC)", t.strftime("%Y-%m-%d %H:%M")))
                .unwrap_or_default();
            format!("try again after {secs} seconds{at}")
        }
        None => {
            "try again after a while (the server did not say how long; an hour is usually enough), \
                 or from another network"
                .to_owned()
        }
    };
    if during.contains("login") || during == "token exchange" {
        format!(
            "login rate-limited: the Huami service limits logins per network address and is \
             rate-limiting this {during} (too many requests); {when}. A stored session is renewed \
             without logging in again"
        )
    } else {
        format!("the Huami server is rate-limiting {during} (too many requests); {when}")
    }
}

impl Error {
    /// True for failures of the transport (connect, timeout, cut-off body): worth retrying.
    pub fn is_transport(&self) -> bool {
        matches!(self, Self::Http(mikit_core::Error::Transport { .. }))
    }
}

/// A band-data item that cannot be decoded at all (no usable day). Smaller problems are
/// reported as [`crate::model::DecodeIssue`]s inside a partial [`crate::model::BandDay`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The item is not a JSON object.
    #[error("the band-data item is not a JSON object (found {found})")]
    NotAnObject {
        /// The JSON type found.
        found: &'static str,
    },
    /// The item has no `date_time` (download) / `date` (upload).
    #[error("the band-data item has no {field}")]
    MissingDate {
        /// The key looked for.
        field: &'static str,
    },
    /// The date is not a `YYYY-MM-DD` calendar date.
    #[error("the band-data item's date {value:?} is not a YYYY-MM-DD date")]
    BadDate {
        /// The value found (truncated to 40 characters).
        value: String,
    },
    /// The body is not JSON.
    #[error("the body is not JSON: {reason}")]
    NotJson {
        /// The parser's message.
        reason: String,
    },
}
