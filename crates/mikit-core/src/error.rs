//! The error type of `mikit-core`.

/// Everything that can go wrong in the shared pieces.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The endpoint override is not an `http://` or `https://` URL.
    #[error("endpoint override {given:?} is not a valid http(s) URL: {reason}")]
    BadEndpoint { given: String, reason: String },
    /// A URL built by a client could not be parsed (a bug, or a bad host from a server).
    #[error("invalid URL {url:?}: {reason}")]
    BadUrl { url: String, reason: String },
    /// The request could not be sent or its body not read, after all retries.
    #[error("request to {url} failed after {attempts} attempt(s): {reason}")]
    Transport {
        url: String,
        attempts: u32,
        reason: String,
    },
    /// The deadline passed before the server answered (the command's overall deadline, or
    /// the per-request one of long commands).
    #[error(
        "no answer from {url} within the {limit_secs} s deadline ({attempts} attempt(s)); check the network and the service, or allow more time with --timeout SECS"
    )]
    TimedOut {
        url: String,
        attempts: u32,
        limit_secs: f64,
    },
    /// The TLS handshake failed (bad certificate, or the server does not speak TLS). Never
    /// retried: it would fail the same way.
    #[error(
        "secure connection to {url} failed: {reason} (not retried; check the URL, the system's CA certificates and the clock)"
    )]
    Tls { url: String, reason: String },
    /// The server sent (or announced) a body larger than the limit of this request.
    #[error("{url} sent a response larger than the {limit}-byte limit{}; refusing it (is the endpoint right?)", declared.map(|n| format!(" (Content-Length {n})")).unwrap_or_default())]
    BodyTooLarge {
        url: String,
        limit: u64,
        declared: Option<u64>,
    },
    /// The HTTP client could not be built.
    #[error("could not build the HTTP client: {0}")]
    Client(String),
    /// Reading or writing a file failed.
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The config file is not valid TOML of the expected shape.
    #[error("config file {path} is invalid: {reason}")]
    Config {
        path: std::path::PathBuf,
        reason: String,
    },
    /// A config file named explicitly (`--config`, `MIKIT_CONFIG`) does not exist.
    #[error(
        "the config file {path} does not exist; check the path given with --config or MIKIT_CONFIG, or leave both unset to use the default"
    )]
    ConfigMissing { path: std::path::PathBuf },
    /// No home directory could be found to place the XDG directories.
    #[error("cannot find the home directory; pass --data-dir")]
    NoHome,
}

impl Error {
    /// True when the service could not be reached, did not answer in time, or answered
    /// something unusable on the wire (the CLI's exit code 4).
    pub fn is_network(&self) -> bool {
        matches!(
            self,
            Error::Transport { .. }
                | Error::TimedOut { .. }
                | Error::Tls { .. }
                | Error::BodyTooLarge { .. }
        )
    }
}
