//! Where mikit keeps its files (XDG base directories, or one `--data-dir`).

use std::path::{Path, PathBuf};

use etcetera::BaseStrategy;

use crate::Error;

/// The directories mikit uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    /// The database and exports (`$XDG_DATA_HOME/mikit`).
    pub data: PathBuf,
    /// Sessions and tokens, mode 0700 dir / 0600 files (`$XDG_STATE_HOME/mikit`).
    pub state: PathBuf,
    /// Re-downloadable caches (`$XDG_CACHE_HOME/mikit`).
    pub cache: PathBuf,
    /// The default config file (`$XDG_CONFIG_HOME/mikit/config.toml`).
    pub config_file: PathBuf,
}

impl Paths {
    /// The XDG locations, or everything under `data_dir` when one is given
    /// (`DIR`, `DIR/state`, `DIR/cache`, `DIR/config.toml`).
    pub fn resolve(data_dir: Option<&Path>) -> Result<Self, Error> {
        if let Some(dir) = data_dir {
            return Ok(Self::under(dir));
        }
        let s = etcetera::choose_base_strategy().map_err(|_| Error::NoHome)?;
        let state = s.state_dir().unwrap_or_else(|| s.data_dir());
        Ok(Self {
            data: s.data_dir().join("mikit"),
            state: state.join("mikit"),
            cache: s.cache_dir().join("mikit"),
            config_file: s.config_dir().join("mikit").join("config.toml"),
        })
    }

    /// Everything under one directory.
    pub fn under(dir: &Path) -> Self {
        Self {
            data: dir.to_path_buf(),
            state: dir.join("state"),
            cache: dir.join("cache"),
            config_file: dir.join("config.toml"),
        }
    }

    /// The SQLite database file.
    pub fn database(&self) -> PathBuf {
        self.data.join("mikit.db")
    }
}

/// Create `dir` (and parents) if missing.
pub fn ensure_dir(dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        action: "creating",
        path: dir.to_path_buf(),
        source,
    })
}

/// Write `bytes` to `path` atomically (temp file + rename) with mode 0600 on Unix.
///
/// Used for session files: a crash leaves either the old or the new file, never half of one,
/// and the file is never readable by other users, not even for an instant.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    ensure_dir(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
    let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
    let io = |action, source| Error::Io {
        action,
        path: tmp.clone(),
        source,
    };
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(&tmp).map_err(|e| io("creating", e))?;
    f.write_all(bytes).map_err(|e| io("writing", e))?;
    f.sync_all().map_err(|e| io("syncing", e))?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(|source| Error::Io {
        action: "renaming",
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_dir_puts_everything_under_it() {
        let p = Paths::resolve(Some(Path::new("/x"))).unwrap();
        assert_eq!(p.database(), PathBuf::from("/x/mikit.db"));
        assert_eq!(p.state, PathBuf::from("/x/state"));
    }

    #[cfg(unix)]
    #[test]
    fn private_files_are_0600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("mikit-core-test-{}", std::process::id()));
        let f = dir.join("s/session.json");
        write_private(&f, b"{}").unwrap();
        write_private(&f, b"{\"a\":1}").unwrap();
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(std::fs::read(&f).unwrap(), b"{\"a\":1}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
