//! One sync at a time per database: an exclusive lock on a file next to it.
//!
//! SQLite keeps two syncs from corrupting each other, but not from both doing all the work.
//! The lock is an advisory `flock` on `<database>.sync.lock` (mode 0600), which holds the
//! holder's process id for the message of the one that finds it taken. The kernel releases a
//! `flock` when its process ends, however it ends (`kill -9` included), so a crashed sync never
//! blocks the next one and there is no stale lease to expire. The file itself stays: deleting
//! a lock file while others may have it open lets two processes lock two different files.

use std::{
    fs::{File, TryLockError},
    io::{Read as _, Seek as _, Write as _},
    path::{Path, PathBuf},
};

use crate::Error;

/// The sync lock of a database, held until dropped.
#[derive(Debug)]
pub struct SyncLock {
    file: Option<File>,
    path: PathBuf,
}

impl SyncLock {
    /// The lock file of `database`: `mikit.db` → `mikit.db.sync.lock`.
    pub fn path_for(database: &Path) -> PathBuf {
        crate::sidecar(database, ".sync.lock")
    }

    /// Take the lock of `database` without waiting; [`Error::SyncBusy`] (with the holder's
    /// process id when known) if another process holds it. An in-memory database needs no
    /// lock: the guard is then empty.
    pub fn try_acquire(database: &Path) -> Result<Self, Error> {
        let Some((mut file, path)) = open(database)? else {
            return Ok(Self::none(database));
        };
        match file.try_lock() {
            Ok(()) => Self::held(file, path),
            Err(TryLockError::WouldBlock) => Err(Error::SyncBusy {
                database: database.to_path_buf(),
                holder: holder(&mut file),
            }),
            Err(TryLockError::Error(source)) => Err(Error::Io {
                action: "locking",
                path,
                source,
            }),
        }
    }

    /// Take the lock of `database`, waiting as long as another process holds it. This blocks
    /// the thread: async callers run it with `spawn_blocking`.
    pub fn acquire(database: &Path) -> Result<Self, Error> {
        let Some((file, path)) = open(database)? else {
            return Ok(Self::none(database));
        };
        match file.lock() {
            Ok(()) => Self::held(file, path),
            Err(source) => Err(Error::Io {
                action: "locking",
                path,
                source,
            }),
        }
    }

    /// The lock file (`:memory:.sync.lock`, never created, for an in-memory database).
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn none(database: &Path) -> Self {
        Self {
            file: None,
            path: Self::path_for(database),
        }
    }

    /// Record our process id in the file we now hold (best effort: it only improves the
    /// message of a sync that finds the lock taken).
    fn held(mut file: File, path: PathBuf) -> Result<Self, Error> {
        let pid = std::process::id().to_string();
        let written = file
            .set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(pid.as_bytes()));
        if let Err(e) = written {
            tracing::debug!(error = %e, path = %path.display(), "cannot record the pid in the sync lock");
        }
        Ok(Self {
            file: Some(file),
            path,
        })
    }
}

impl Drop for SyncLock {
    fn drop(&mut self) {
        if let Some(file) = &self.file {
            // Leave no pid behind; closing the file releases the lock.
            let _ = file.set_len(0);
        }
    }
}

/// Open (creating with mode 0600) the lock file of `database`; `None` for `:memory:`.
fn open(database: &Path) -> Result<Option<(File, PathBuf)>, Error> {
    if database.as_os_str() == ":memory:" {
        return Ok(None);
    }
    let path = SyncLock::path_for(database);
    let mut opts = std::fs::OpenOptions::new();
    // Never truncate on open: the file holds the current holder's pid.
    opts.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let file = opts.open(&path).map_err(|source| Error::Io {
        action: "opening the sync lock",
        path: path.clone(),
        source,
    })?;
    mikit_core::paths::make_private(&path)?;
    Ok(Some((file, path)))
}

/// The holder's pid as written in the lock file, if readable.
fn holder(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.take(32).read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_with_the_holder_pid_until_the_first_is_dropped() {
        let dir = std::env::temp_dir().join(format!("mikit-store-lock-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("mikit.db");
        let first = SyncLock::try_acquire(&db).unwrap();
        assert_eq!(first.path(), dir.join("mikit.db.sync.lock"));
        // flock locks belong to the open file description: a second open in the same
        // process conflicts like another process would.
        match SyncLock::try_acquire(&db) {
            Err(Error::SyncBusy { holder, database }) => {
                assert_eq!(holder, Some(std::process::id()));
                assert_eq!(database, db);
            }
            other => panic!("expected SyncBusy, got {other:?}"),
        }
        let msg = SyncLock::try_acquire(&db).unwrap_err().to_string();
        assert!(
            msg.contains(&format!("pid {}", std::process::id())),
            "{msg}"
        );
        drop(first);
        let again = SyncLock::try_acquire(&db).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(again.path())
                .unwrap()
                .permissions()
                .mode()
                & 0o777;
            assert_eq!(mode, 0o600);
        }
        drop(again);
        // A blocking acquire of a free lock returns at once.
        drop(SyncLock::acquire(&db).unwrap());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_waiting_acquire_gets_the_lock_when_the_holder_lets_go() {
        let dir = std::env::temp_dir().join(format!("mikit-store-lockwait-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("mikit.db");
        let first = SyncLock::try_acquire(&db).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = {
            let db = db.clone();
            std::thread::spawn(move || {
                let lock = SyncLock::acquire(&db).unwrap();
                tx.send(()).unwrap();
                lock
            })
        };
        // The waiter cannot have the lock while we hold it.
        assert!(rx.try_recv().is_err());
        drop(first);
        rx.recv().unwrap();
        drop(waiter.join().unwrap());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn an_in_memory_database_needs_no_lock() {
        let a = SyncLock::try_acquire(Path::new(":memory:")).unwrap();
        let b = SyncLock::try_acquire(Path::new(":memory:")).unwrap();
        drop((a, b));
    }
}
