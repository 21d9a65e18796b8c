//! # mikit-store
//!
//! The local database that holds a user's synced data: SQLite (bundled) in WAL mode, with
//! append-only migrations. Library code is synchronous; async callers run it on a dedicated
//! thread or `spawn_blocking`.
//!
//! ```
//! use mikit_store::Store;
//! let mut store = Store::open_in_memory().unwrap();
//! let account = store.upsert_account("huami", "1234567890", Some("me@example.com")).unwrap();
//! assert!(store.sync_state(account, "band_data").unwrap().is_none());
//! ```
//!
//! # Layout
//!
//! | module | holds |
//! |---|---|
//! | `lib.rs` | [`Store`]: opening, pragmas, migrations, accounts, content digest |
//! | `band` | writing decoded band-data days ([`DayWrite`]), sync state, re-decoding from raw items |
//! | `query` | reading back: day rows, streaming exports of minutes / sleep / activities |
//! | `spec_cache` | the MIoT spec cache: instances lists with fetch time, specs by URN, documents, recent failures ([`Cached`], [`CatalogEntry`]) |
//! | `manual_devices` | devices added by hand with `mikit device add` ([`ManualDevice`]) |
//! | `error` | [`Error`] |
//! | `migrations/*.sql` | the schema, one file per version, append-only |
//!
//! Synced data is keyed by account, so one database holds many accounts (the hand-added devices
//! of `mikit device add` and the spec cache are shared by all). Per-minute series are
//! `WITHOUT ROWID` tables keyed by (account, UTC minute).

mod band;
mod cloud_devices;
mod error;
mod manual_devices;
mod query;
mod spec_cache;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};

pub use band::{Coverage, DayWrite, SyncState, WriteStats};
pub use cloud_devices::CloudDevice;
pub use error::Error;
pub use manual_devices::ManualDevice;
pub use query::{ActivityRow, DayRow, MinuteRow, SleepRow, TzSpans};
pub use spec_cache::{Cached, CatalogEntry, Failure, SpecCacheCounts};

/// The schema migrations, in order. Append only: a released migration is never edited.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_spec_cache.sql"),
    include_str!("migrations/0003_cloud_devices.sql"),
    include_str!("migrations/0004_manual_devices.sql"),
    include_str!("migrations/0005_day_minutes_end.sql"),
];

/// An account's row id in this database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(pub i64);

/// The local database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Open (creating if needed) the database at `path` and bring its schema up to date.
    pub fn open(path: &Path) -> Result<Self, Error> {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let conn = Connection::open(path).map_err(|source| Error::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Self::init(conn, path.to_path_buf())
    }

    /// A private in-memory database (tests, examples).
    pub fn open_in_memory() -> Result<Self, Error> {
        let conn = Connection::open_in_memory()?;
        Self::init(conn, PathBuf::from(":memory:"))
    }

    fn init(conn: Connection, path: PathBuf) -> Result<Self, Error> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // WAL: readers (the dashboard, an export) never block the sync's writer, and a killed
        // writer loses nothing that was committed. NORMAL is durable across application crashes
        // in WAL mode (only an OS crash may drop the last transactions).
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        conn.execute_batch(
            "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;",
        )?;
        let mut store = Self { conn, path };
        store.migrate()?;
        Ok(store)
    }

    /// The database file path (`:memory:` for an in-memory store).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version this database is at.
    pub fn schema_version(&self) -> Result<i64, Error> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    fn migrate(&mut self) -> Result<(), Error> {
        let current = self.schema_version()?;
        let known = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
        if current > known {
            return Err(Error::TooNew {
                path: self.path.clone(),
                found: current,
                known,
            });
        }
        for (i, sql) in MIGRATIONS
            .iter()
            .enumerate()
            .skip(usize::try_from(current).unwrap_or(0))
        {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(
                None,
                "user_version",
                i64::try_from(i + 1).unwrap_or(i64::MAX),
            )?;
            tx.commit()?;
            tracing::debug!(version = i + 1, "store: applied migration");
        }
        Ok(())
    }

    /// Find or create the account (`provider`, `user_id`), updating its e-mail if given.
    pub fn upsert_account(
        &mut self,
        provider: &str,
        user_id: &str,
        email: Option<&str>,
    ) -> Result<AccountId, Error> {
        self.conn.execute(
            "INSERT INTO accounts (provider, user_id, email) VALUES (?1, ?2, ?3)
             ON CONFLICT (provider, user_id) DO UPDATE SET email = COALESCE(excluded.email, accounts.email)",
            params![provider, user_id, email],
        )?;
        let id = self.conn.query_row(
            "SELECT id FROM accounts WHERE provider = ?1 AND user_id = ?2",
            params![provider, user_id],
            |r| r.get(0),
        )?;
        Ok(AccountId(id))
    }

    /// The account with this provider and user id, if known.
    pub fn find_account(&self, provider: &str, user_id: &str) -> Result<Option<AccountId>, Error> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM accounts WHERE provider = ?1 AND user_id = ?2",
                params![provider, user_id],
                |r| r.get(0),
            )
            .optional()?
            .map(AccountId))
    }

    /// All accounts of a provider: (id, user id, e-mail).
    pub fn accounts(
        &self,
        provider: &str,
    ) -> Result<Vec<(AccountId, String, Option<String>)>, Error> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, user_id, email FROM accounts WHERE provider = ?1 ORDER BY id")?;
        let rows = stmt.query_map([provider], |r| {
            Ok((AccountId(r.get(0)?), r.get(1)?, r.get(2)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A digest of the whole content (every table, in key order).
    ///
    /// Two databases with the same digest hold the same data; tests use it to show that a sync
    /// with injected faults, or a killed and resumed sync, ends exactly like a clean one.
    pub fn content_digest(&self) -> Result<String, Error> {
        use std::hash::{Hash, Hasher};
        const TABLES: &[(&str, &str)] = &[
            ("accounts", "provider, user_id"),
            ("raw_days", "account, date"),
            ("days", "account, date"),
            ("minutes", "account, ts"),
            ("sleep_stages", "account, date, nap, start"),
            ("activity_stages", "account, date, start"),
            ("sync_state", "account, stream"),
        ];
        let mut h = std::hash::DefaultHasher::new();
        for (table, order) in TABLES {
            table.hash(&mut h);
            let mut stmt = self
                .conn
                .prepare(&format!("SELECT * FROM {table} ORDER BY {order}"))?;
            let n = stmt.column_count();
            let mut rows = stmt.query([])?;
            let mut count = 0u64;
            while let Some(row) = rows.next()? {
                count += 1;
                for i in 0..n {
                    match row.get_ref(i)? {
                        rusqlite::types::ValueRef::Null => 0u8.hash(&mut h),
                        rusqlite::types::ValueRef::Integer(v) => (1u8, v).hash(&mut h),
                        rusqlite::types::ValueRef::Real(v) => (2u8, v.to_bits()).hash(&mut h),
                        rusqlite::types::ValueRef::Text(v) | rusqlite::types::ValueRef::Blob(v) => {
                            (3u8, v).hash(&mut h)
                        }
                    }
                }
            }
            count.hash(&mut h);
        }
        Ok(format!("{:016x}", h.finish()))
    }

    /// Row counts per table (for summaries and tests).
    pub fn table_counts(&self) -> Result<Vec<(&'static str, u64)>, Error> {
        let mut out = Vec::new();
        for t in [
            "raw_days",
            "days",
            "minutes",
            "sleep_stages",
            "activity_stages",
        ] {
            let n: i64 = self
                .conn
                .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))?;
            out.push((t, u64::try_from(n).unwrap_or(0)));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_and_reopens() {
        let dir = std::env::temp_dir().join(format!("mikit-store-{}", std::process::id()));
        let path = dir.join("t.db");
        {
            let mut s = Store::open(&path).unwrap();
            assert_eq!(s.schema_version().unwrap(), MIGRATIONS.len() as i64);
            let a = s.upsert_account("huami", "42", Some("a@b.c")).unwrap();
            assert_eq!(s.upsert_account("huami", "42", None).unwrap(), a);
        }
        let s = Store::open(&path).unwrap();
        assert_eq!(
            s.accounts("huami").unwrap(),
            vec![(AccountId(1), "42".into(), Some("a@b.c".into()))]
        );
        drop(s);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn refuses_a_newer_schema() {
        let dir = std::env::temp_dir().join(format!("mikit-store-new-{}", std::process::id()));
        let path = dir.join("t.db");
        drop(Store::open(&path).unwrap());
        let c = Connection::open(&path).unwrap();
        c.pragma_update(None, "user_version", 99).unwrap();
        drop(c);
        assert!(matches!(
            Store::open(&path),
            Err(Error::TooNew { found: 99, .. })
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
