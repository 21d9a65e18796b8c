//! The emulator's error type.

/// Everything that can go wrong when configuring or starting the emulator.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// A fault spec string could not be parsed.
    #[error("bad fault spec `{spec}`: {reason}")]
    BadFaultSpec {
        /// The spec as given.
        spec: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The configuration is inconsistent (e.g. two accounts with one email).
    #[error("bad emulator configuration: {0}")]
    BadConfig(String),
    /// A file the emulator was asked to serve could not be read.
    #[error("{0}")]
    Io(String),
}
