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

/// A permission change made to keep a file or directory private to its owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tightened {
    /// The file or directory.
    pub path: PathBuf,
    /// Its permission bits before (e.g. `0o755`).
    pub from: u32,
    /// Its permission bits after (e.g. `0o700`).
    pub to: u32,
}

impl std::fmt::Display for Tightened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {:04o} -> {:04o}",
            self.path.display(),
            self.from,
            self.to
        )
    }
}

/// Create `dir` (and missing parents) with mode 0700 on Unix, or make an existing one private
/// by removing every group and other permission bit.
///
/// mikit's directories hold device LAN tokens, e-mail addresses and health data. Returns the
/// change made to an existing directory, if any, so that the caller can say so. A directory
/// with the sticky bit (a shared one such as `/tmp`) and the root directory are left alone.
pub fn ensure_private_dir(dir: &Path) -> Result<Option<Tightened>, Error> {
    let io = |action, source| Error::Io {
        action,
        path: dir.to_path_buf(),
        source,
    };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        // The mode applies to every directory created here, parents included, whatever the
        // umask lets through on top (a umask only removes bits).
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|e| io("creating", e))?;
    make_private(dir)
}

/// Remove the group and other permission bits of `path` if it exists (0600 for a file that
/// was 0644, 0700 for a directory that was 0755); a missing path is no change. Returns the
/// change made, if any. Directories with the sticky bit and the root directory are left alone.
pub fn make_private(path: &Path) -> Result<Option<Tightened>, Error> {
    tighten(path).map_err(|source| Error::Io {
        action: "restricting the permissions of",
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(unix)]
fn tighten(path: &Path) -> std::io::Result<Option<Tightened>> {
    use std::os::unix::fs::PermissionsExt;
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mode = meta.permissions().mode() & 0o7777;
    let shared = meta.is_dir() && (mode & 0o1000 != 0 || path.parent().is_none());
    if mode & 0o077 == 0 || shared {
        return Ok(None);
    }
    let to = mode & !0o077;
    match std::fs::set_permissions(path, std::fs::Permissions::from_mode(to)) {
        Ok(()) => {}
        // Someone else's file (a shared data directory): keep working, but say it.
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            tracing::warn!(path = %path.display(), mode = format!("{mode:04o}"), "cannot make this private: {e}");
            return Ok(None);
        }
        Err(e) => return Err(e),
    }
    Ok(Some(Tightened {
        path: path.to_path_buf(),
        from: mode,
        to,
    }))
}

#[cfg(not(unix))]
fn tighten(_path: &Path) -> std::io::Result<Option<Tightened>> {
    Ok(None)
}

/// Write `bytes` to `path` atomically (temp file + rename) with mode 0600 on Unix, in a
/// directory made private with [`ensure_private_dir`].
///
/// Used for session files: a crash leaves either the old or the new file, never half of one,
/// and the file is never readable by other users, not even for an instant.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    if let Some(t) = ensure_private_dir(dir)? {
        tracing::info!(change = %t, "made the directory private");
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

    #[cfg(unix)]
    #[test]
    fn private_dirs_are_created_0700_and_loose_ones_tightened_once() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
        let root = std::env::temp_dir().join(format!("mikit-core-dirs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let dir = root.join("a/b");
        assert_eq!(
            ensure_private_dir(&dir).unwrap(),
            None,
            "a new dir is no change"
        );
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(
            mode(&root.join("a")),
            0o700,
            "created parents are private too"
        );

        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let t = ensure_private_dir(&dir).unwrap().unwrap();
        assert_eq!((t.from, t.to), (0o755, 0o700));
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(ensure_private_dir(&dir).unwrap(), None, "said once");

        let f = dir.join("f");
        std::fs::write(&f, b"x").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(make_private(&f).unwrap().map(|t| t.to), Some(0o600));
        assert_eq!(mode(&f), 0o600);
        assert_eq!(make_private(&dir.join("missing")).unwrap(), None);

        // A shared directory such as /tmp (sticky bit) is never changed.
        let shared = root.join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
        assert_eq!(ensure_private_dir(&shared).unwrap(), None);
        assert_eq!(mode(&shared), 0o1777);
        std::fs::remove_dir_all(root).unwrap();
    }
}
