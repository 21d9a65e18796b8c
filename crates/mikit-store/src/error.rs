//! The error type of `mikit-store`.

use std::path::PathBuf;

/// Everything that can go wrong with the local database.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// SQLite reported an error.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database file could not be opened.
    #[error("cannot open the database {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    /// There is no database at this path yet (a command that only reads never creates one).
    #[error("no database at {path} yet")]
    NoDatabase { path: PathBuf },
    /// Another process holds the sync lock of this database.
    #[error("another sync{} is writing to the database {database}", holder.map(|p| format!(" (pid {p})")).unwrap_or_default())]
    SyncBusy {
        /// The database.
        database: PathBuf,
        /// The process id of the holder, when it could be read.
        holder: Option<u32>,
    },
    /// A file next to the database could not be created, read or changed.
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Creating or securing the data directory failed.
    #[error(transparent)]
    Files(#[from] mikit_core::Error),
    /// The database was written by a newer mikit.
    #[error(
        "the database {path} has schema version {found}, newer than this mikit knows ({known}); upgrade mikit"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    /// A stored value does not have the expected shape (e.g. a date column that is not a date).
    #[error("corrupt value in {table}.{column}: {value:?}")]
    Corrupt {
        table: &'static str,
        column: &'static str,
        value: String,
    },
    /// A stored raw payload (a zstd frame) could not be compressed or decompressed.
    #[error(
        "{what} a stored raw payload failed: {reason}; the database may be damaged: sync the affected days again (`--from`/`--to`) or restore a backup"
    )]
    Payload {
        /// "compressing" or "decompressing".
        what: &'static str,
        /// What zstd (or the UTF-8 check) reported.
        reason: String,
    },
    /// A stored block of a series (a day's minutes, a workout's points) does not decode.
    #[error(
        "the stored {what} of {key} are damaged ({reason}); rebuild them from the raw payloads with `mikit fit sync --redecode`, or restore a backup"
    )]
    Block {
        /// "minutes" or "workout points".
        what: &'static str,
        /// Which block (account and day, or account and workout).
        key: String,
        /// What the decoder found.
        reason: String,
    },
    /// A workout to write has a value the store cannot hold.
    #[error("workout {trackid} cannot be stored: {reason}")]
    InvalidWorkout { trackid: i64, reason: String },
    /// A caller-supplied callback failed (e.g. the export writer).
    #[error("{0}")]
    Callback(String),
}
