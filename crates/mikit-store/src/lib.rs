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
//! | `workout` | workouts ([`WorkoutRow`], [`WorkoutPointRow`], [`LapRow`], [`PauseRow`]): one transaction per workout, listing, streams, summary hashes, re-decoding |
//! | `payload` | raw payloads as stored: one zstd frame each (`*_zstd` columns) |
//! | `block` | the column layout of the series stored as blocks (minutes, workout points), zstd-compressed |
//! | `minutes` | the per-minute series: one block per band day, time-range reads, migration 8 |
//! | `lock` | [`SyncLock`]: one sync at a time per database (an exclusive lock file) |
//! | `query` | reading back: day rows, streaming exports of minutes / sleep / activities |
//! | `spec_cache` | the MIoT spec cache: instances lists with fetch time, specs by URN, documents, recent failures ([`Cached`], [`CatalogEntry`]) |
//! | `manual_devices` | devices added by hand with `mikit device add` ([`ManualDevice`]) |
//! | `error` | [`Error`] |
//! | `migrations/*.sql` | the schema, one file per version, append-only |
//!
//! Synced data is keyed by account, so one database holds many accounts (the hand-added devices
//! of `mikit device add` and the spec cache are shared by all). The per-minute series is
//! logically keyed by (account, UTC minute) and stored as one compressed block per band day;
//! workout points as one block per workout (schema 8, see `block`).

mod band;
mod block;
mod cloud_devices;
mod error;
mod health;
mod lock;
mod manual_devices;
mod minutes;
mod payload;
mod query;
mod spec_cache;
mod workout;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};

pub use band::{Coverage, DayWrite, SyncState, WriteStats};
pub use cloud_devices::CloudDevice;
pub use error::Error;
pub use health::{FetchedRange, HealthEventRow, HealthWriteStats, HuamiDeviceRow, WeightRow};
pub use lock::SyncLock;
pub use manual_devices::ManualDevice;
pub use mikit_core::paths::Tightened;
pub use query::{ActivityRow, DayRow, MinuteRow, SleepRow, TzSpans};
pub use spec_cache::{Cached, CatalogEntry, Failure, SpecCacheCounts};
pub use workout::{
    LapRow, PauseRow, RawWorkout, StoredSummary, StoredWorkout, WorkoutData, WorkoutDetail,
    WorkoutFilter, WorkoutPointRow, WorkoutRow, summary_sha256,
};

/// A migration step written in Rust (rewriting rows SQL cannot), run inside the transaction.
type RowStep = fn(&rusqlite::Transaction<'_>) -> Result<(), Error>;

/// One schema version: SQL, then (rarely) a step that rewrites rows in Rust.
struct Migration {
    sql: &'static str,
    /// Runs after `sql`, in the same transaction.
    then: Option<RowStep>,
}

const fn sql(sql: &'static str) -> Migration {
    Migration { sql, then: None }
}

/// The schema migrations, in order. Append only: a released migration is never edited.
const MIGRATIONS: &[Migration] = &[
    sql(include_str!("migrations/0001_initial.sql")),
    sql(include_str!("migrations/0002_spec_cache.sql")),
    sql(include_str!("migrations/0003_cloud_devices.sql")),
    sql(include_str!("migrations/0004_manual_devices.sql")),
    sql(include_str!("migrations/0005_day_minutes_end.sql")),
    Migration {
        sql: include_str!("migrations/0006_raw_days_zstd.sql"),
        then: Some(compress_raw_days),
    },
    sql(include_str!("migrations/0007_workouts.sql")),
    Migration {
        sql: include_str!("migrations/0008_blocks.sql"),
        then: Some(to_blocks),
    },
    sql(include_str!("migrations/0009_health.sql")),
];

/// Migration 8: minutes and workout points into blocks, day summaries compressed (see
/// `0008_blocks.sql`). Old rows are deleted as they are moved, so the file grows little; the
/// pages they leave are given back by the `VACUUM` that [`Store::migrate`] runs afterwards when
/// they are many ([`VACUUM_AFTER`]).
/// The zstd frame of one row's TEXT column (`read` selects it by account and date), its bytes
/// compressed exactly as stored; a value that is not text is [`Error::Corrupt`].
fn compress_text(
    read: &mut rusqlite::Statement<'_>,
    account: &i64,
    date: &str,
    (table, column): (&'static str, &'static str),
) -> Result<Vec<u8>, Error> {
    let frame = read.query_row(params![account, date], |r| {
        Ok(match r.get_ref(0)? {
            rusqlite::types::ValueRef::Text(b) | rusqlite::types::ValueRef::Blob(b) => {
                Some(payload::compress(b))
            }
            _ => None,
        })
    })?;
    frame.ok_or_else(|| Error::Corrupt {
        table,
        column,
        value: format!("{date}: not text"),
    })?
}

fn to_blocks(tx: &rusqlite::Transaction<'_>) -> Result<(), Error> {
    let minutes = minutes::migrate_rows(tx)?;
    let points = workout::migrate_points(tx)?;
    // Days: the same columns, the summary compressed; one row at a time (deleted once copied).
    let keys: Vec<(i64, String)> = tx
        .prepare("SELECT account, date FROM days ORDER BY account, date")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut copy = tx.prepare(
        "INSERT INTO days_zstd SELECT account, date, tz_offset, local_midnight, steps, distance_m,
            kcal, goal, sleep_start, sleep_end, deep_min, light_min, rem_min, awake_min, sleep_score,
            resting_hr, max_hr, max_hr_at, source, device_id, minutes, issues, x'', minutes_end
         FROM days WHERE account = ?1 AND date = ?2",
    )?;
    let mut read = tx.prepare("SELECT summary FROM days WHERE account = ?1 AND date = ?2")?;
    let mut set =
        tx.prepare("UPDATE days_zstd SET summary_zstd = ?3 WHERE account = ?1 AND date = ?2")?;
    let mut delete = tx.prepare("DELETE FROM days WHERE account = ?1 AND date = ?2")?;
    for (account, date) in &keys {
        let frame = compress_text(&mut read, account, date, ("days", "summary"))?;
        copy.execute(params![account, date])?;
        set.execute(params![account, date, frame])?;
        delete.execute(params![account, date])?;
    }
    drop((copy, read, set, delete));
    tx.execute_batch("DROP TABLE days; ALTER TABLE days_zstd RENAME TO days;")?;
    tracing::debug!(
        minutes,
        points,
        days = keys.len(),
        "store: moved minutes and workout points into blocks"
    );
    Ok(())
}

/// After migrations, `VACUUM` when at least this many bytes of the file are free pages and
/// they are at least a quarter of it: migration 8 frees most of a synced store (the per-minute
/// rows were ~70 % of it), and rebuilding the file takes seconds, not minutes. A small store,
/// or one that freed little, keeps its free pages for later writes.
const VACUUM_AFTER: u64 = 8 << 20;

/// The schema version of migration 8.
const BLOCKS_VERSION: i64 = 8;

/// Migration 6: move every text item of `raw_days` into `raw_days_zstd` as a zstd frame, then
/// make that table `raw_days`.
///
/// Each old row is deleted right after its frame is written, so the pages (mostly overflow
/// pages) it frees hold the next frames and the file does not grow by the size of the copy.
/// The file keeps its size until a `VACUUM` ([`Store::vacuum`]).
fn compress_raw_days(tx: &rusqlite::Transaction<'_>) -> Result<(), Error> {
    let keys: Vec<(i64, String)> = {
        let mut stmt = tx.prepare("SELECT account, date FROM raw_days ORDER BY account, date")?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?
    };
    let mut read = tx.prepare("SELECT item FROM raw_days WHERE account = ?1 AND date = ?2")?;
    let mut write =
        tx.prepare("INSERT INTO raw_days_zstd (account, date, item_zstd) VALUES (?1, ?2, ?3)")?;
    let mut delete = tx.prepare("DELETE FROM raw_days WHERE account = ?1 AND date = ?2")?;
    for (account, date) in &keys {
        let frame = compress_text(&mut read, account, date, ("raw_days", "item"))?;
        write.execute(params![account, date, frame])?;
        delete.execute(params![account, date])?;
    }
    drop((read, write, delete));
    tx.execute_batch("DROP TABLE raw_days; ALTER TABLE raw_days_zstd RENAME TO raw_days;")?;
    tracing::debug!(
        items = keys.len(),
        "store: compressed the raw band-day items"
    );
    Ok(())
}

/// An account's row id in this database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(pub i64);

/// The local database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    tightened: Vec<Tightened>,
}

/// How long to wait for another connection's lock before "database is locked".
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// `mikit.db` + `-wal` → `mikit.db-wal`: the files SQLite keeps next to a database.
fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Create `path` empty with mode 0600 unless it exists (SQLite itself would create it 0644,
/// and it gives the `-wal` and `-shm` files the mode of the database).
fn create_private(path: &Path) -> Result<(), Error> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path).map(drop).map_err(|source| Error::Io {
        action: "creating the database",
        path: path.to_path_buf(),
        source,
    })
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
    ///
    /// The directory is created with mode 0700 and the database with mode 0600 (SQLite gives
    /// its `-wal` and `-shm` files the mode of the database); existing ones that other users
    /// can read are made private, and [`Store::tightened`] says which. Many processes may open
    /// the same new database at once: the schema is created exactly once.
    pub fn open(path: &Path) -> Result<Self, Error> {
        let mut tightened = Vec::new();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            tightened.extend(mikit_core::paths::ensure_private_dir(dir)?);
        }
        create_private(path)?;
        Self::open_file(path, tightened)
    }

    /// Open the database at `path` only if it exists: for commands that only read, which must
    /// not create a data directory or an empty database. A missing database is
    /// [`Error::NoDatabase`]. An existing database is brought up to date and made private
    /// like with [`Store::open`].
    pub fn open_existing(path: &Path) -> Result<Self, Error> {
        match std::fs::metadata(path) {
            Ok(m) if m.is_file() => {}
            Ok(_) => {
                return Err(Error::Io {
                    action: "opening the database",
                    path: path.to_path_buf(),
                    source: std::io::Error::other("not a regular file"),
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::NoDatabase {
                    path: path.to_path_buf(),
                });
            }
            Err(source) => {
                return Err(Error::Io {
                    action: "opening the database",
                    path: path.to_path_buf(),
                    source,
                });
            }
        }
        let mut tightened = Vec::new();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            tightened.extend(mikit_core::paths::ensure_private_dir(dir)?);
        }
        Self::open_file(path, tightened)
    }

    fn open_file(path: &Path, mut tightened: Vec<Tightened>) -> Result<Self, Error> {
        for file in [
            path.to_path_buf(),
            sidecar(path, "-wal"),
            sidecar(path, "-shm"),
        ] {
            tightened.extend(mikit_core::paths::make_private(&file)?);
        }
        // No SQLITE_OPEN_CREATE: the file exists (created above, or checked by the caller).
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE
            | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX
            | rusqlite::OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags).map_err(|source| Error::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let mut store = Self::init(conn, path.to_path_buf())?;
        store.tightened = tightened;
        Ok(store)
    }

    /// A private in-memory database (tests, examples).
    pub fn open_in_memory() -> Result<Self, Error> {
        let conn = Connection::open_in_memory()?;
        Self::init(conn, PathBuf::from(":memory:"))
    }

    fn init(conn: Connection, path: PathBuf) -> Result<Self, Error> {
        // Other processes (a second command, a first open racing ours) hold locks for at most
        // one transaction: wait for them instead of failing with "database is locked".
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // WAL: readers (the dashboard, an export) never block the sync's writer, and a killed
        // writer loses nothing that was committed. NORMAL is durable across application crashes
        // in WAL mode (only an OS crash may drop the last transactions).
        // Switching a new database to WAL needs an exclusive lock, and SQLite does not call
        // the busy handler for it: when several processes open a new database at once, the
        // losers get SQLITE_BUSY at once. Retry them for as long as the busy timeout.
        let started = std::time::Instant::now();
        loop {
            match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)) {
                Ok(_) => break,
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == rusqlite::ErrorCode::DatabaseBusy
                        && started.elapsed() < BUSY_TIMEOUT =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                Err(e) => return Err(e.into()),
            }
        }
        conn.execute_batch(
            "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;",
        )?;
        let mut store = Self {
            conn,
            path,
            tightened: Vec::new(),
        };
        store.migrate()?;
        Ok(store)
    }

    /// The database file path (`:memory:` for an in-memory store).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The permission changes this open made to keep the database private (an existing data
    /// directory or database that other users could read): empty when nothing needed it, so a
    /// caller that reports them says so once.
    pub fn tightened(&self) -> &[Tightened] {
        &self.tightened
    }

    /// The schema version this database is at.
    pub fn schema_version(&self) -> Result<i64, Error> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Apply the migrations this database lacks, in one `BEGIN IMMEDIATE` transaction.
    ///
    /// IMMEDIATE takes the write lock before anything is read, so of several processes opening
    /// a new database at once one migrates and the others wait (busy timeout), then find the
    /// schema current when they re-read `user_version` inside their own transaction.
    fn migrate(&mut self) -> Result<(), Error> {
        let known = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
        let check = |found: i64, path: &Path| {
            if found > known {
                Err(Error::TooNew {
                    path: path.to_path_buf(),
                    found,
                    known,
                })
            } else {
                Ok(found)
            }
        };
        // The usual case, without taking the write lock: already up to date.
        if check(self.schema_version()?, &self.path)? == known {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let current = check(
            tx.query_row("PRAGMA user_version", [], |r| r.get(0))?,
            &self.path,
        )?;
        for (i, m) in MIGRATIONS
            .iter()
            .enumerate()
            .skip(usize::try_from(current).unwrap_or(0))
        {
            tx.execute_batch(m.sql)?;
            if let Some(then) = m.then {
                then(&tx)?;
            }
            tx.pragma_update(
                None,
                "user_version",
                i64::try_from(i + 1).unwrap_or(i64::MAX),
            )?;
            tracing::debug!(version = i + 1, "store: applied migration");
        }
        tx.commit()?;
        // Only the process that ran migration 8 (the one that frees most) considers a VACUUM.
        if current >= BLOCKS_VERSION {
            return Ok(());
        }
        let (free, page) = self.free_space()?;
        let pages: i64 = self.conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
        let (free, total) = (free * page, u64::try_from(pages).unwrap_or(0) * page);
        if free >= VACUUM_AFTER && free * 4 >= total {
            tracing::info!(
                free,
                total,
                "store: compacting the database after migrating it"
            );
            self.vacuum()?;
        }
        Ok(())
    }

    /// Rebuild the database file without its free pages (SQLite `VACUUM`): after migrations
    /// or deletions that freed much space, the file keeps its size until this runs. It
    /// rewrites the whole file (needs as much free disk space again) and waits for other
    /// connections' writes.
    pub fn vacuum(&mut self) -> Result<(), Error> {
        self.conn.execute_batch("VACUUM")?;
        // In WAL mode the rebuilt pages land in the `-wal` file first: copy them back now, so
        // that the database file itself shrinks (a busy reader may delay part of it).
        let _: (i64, i64, i64) =
            self.conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?;
        Ok(())
    }

    /// How many pages of the file are free (reused by later writes, or removed by
    /// [`Store::vacuum`]), and the page size in bytes.
    pub fn free_space(&self) -> Result<(u64, u64), Error> {
        let free: i64 = self
            .conn
            .query_row("PRAGMA freelist_count", [], |r| r.get(0))?;
        let size: i64 = self.conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
        Ok((
            u64::try_from(free).unwrap_or(0),
            u64::try_from(size).unwrap_or(0),
        ))
    }

    /// Take the lock that lets one sync at a time write to this database, without waiting
    /// ([`Error::SyncBusy`] when another process holds it). See [`SyncLock`].
    pub fn try_sync_lock(&self) -> Result<SyncLock, Error> {
        SyncLock::try_acquire(&self.path)
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
    /// Compressed payloads (`*_zstd` columns) are hashed decompressed, so the digest says what
    /// was received, not how the compressor packed it (and a migrated database that holds the
    /// same items as a new one has the same digest).
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
            ("workouts", "account, trackid"),
            ("workout_raw", "account, trackid"),
            ("workout_points", "account, trackid, seq"),
            ("workout_laps", "account, trackid, seq"),
            ("workout_pauses", "account, trackid, seq"),
            ("huami_devices", "account, device_id"),
            ("health_events", "account, kind, ts"),
            ("health_fetches", "account, stream, from_ts"),
            ("weight_records", "account, ts"),
        ];
        let mut h = std::hash::DefaultHasher::new();
        for (table, order) in TABLES {
            table.hash(&mut h);
            // The series stored as blocks are hashed as the rows they hold, in key order, the
            // way the per-row tables of schema 7 were: the digest is about content, not layout.
            let count = match *table {
                "minutes" => self.digest_minutes(&mut h)?,
                "workout_points" => self.digest_points(&mut h)?,
                _ => self.digest_table(table, order, &mut h)?,
            };
            count.hash(&mut h);
        }
        Ok(format!("{:016x}", h.finish()))
    }

    fn digest_table(
        &self,
        table: &str,
        order: &str,
        h: &mut impl std::hash::Hasher,
    ) -> Result<u64, Error> {
        use std::hash::Hash;
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY {order}"))?;
        let compressed: Vec<bool> = stmt.column_names().map(|c| c.ends_with("_zstd")).collect();
        let mut rows = stmt.query([])?;
        let mut count = 0u64;
        while let Some(row) = rows.next()? {
            count += 1;
            for (i, &zstd) in compressed.iter().enumerate() {
                match row.get_ref(i)? {
                    rusqlite::types::ValueRef::Null => 0u8.hash(h),
                    rusqlite::types::ValueRef::Integer(v) => (1u8, v).hash(h),
                    rusqlite::types::ValueRef::Real(v) => (2u8, v.to_bits()).hash(h),
                    rusqlite::types::ValueRef::Blob(v) if zstd => {
                        (3u8, payload::decompress(v)?).hash(h);
                    }
                    rusqlite::types::ValueRef::Text(v) | rusqlite::types::ValueRef::Blob(v) => {
                        (3u8, v).hash(h);
                    }
                }
            }
        }
        Ok(count)
    }

    /// Hash `(account, ts, kind, intensity, steps, heart_rate)` of every minute, in
    /// (account, ts) order, as the per-minute rows were hashed.
    fn digest_minutes(&self, h: &mut impl std::hash::Hasher) -> Result<u64, Error> {
        use std::hash::Hash;
        let int = |v: Option<i64>, h: &mut dyn std::hash::Hasher| match v {
            None => h.write_u8(0),
            Some(v) => {
                h.write_u8(1);
                h.write_i64(v);
            }
        };
        let accounts: Vec<i64> = self
            .conn
            .prepare("SELECT DISTINCT account FROM minute_blocks ORDER BY account")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut count = 0u64;
        for account in accounts {
            minutes::scan(&self.conn, AccountId(account), (i64::MIN, i64::MAX), |m| {
                count += 1;
                (1u8, account).hash(h);
                (1u8, m.ts).hash(h);
                for v in [m.kind, m.intensity, m.steps, m.heart_rate] {
                    int(v, h);
                }
                Ok::<(), Error>(())
            })?;
        }
        Ok(count)
    }

    /// Hash `(account, trackid, seq, time, lat, …, power_w)` of every workout point, in
    /// (account, trackid, seq) order, as the per-point rows were hashed.
    fn digest_points(&self, h: &mut impl std::hash::Hasher) -> Result<u64, Error> {
        use std::hash::Hash;
        let mut count = 0u64;
        workout::for_each_point_block(&self.conn, |account, trackid, points| {
            for (seq, p) in points.iter().enumerate() {
                count += 1;
                (1u8, account).hash(h);
                (1u8, trackid).hash(h);
                (1u8, i64::try_from(seq).unwrap_or(i64::MAX)).hash(h);
                let int = |v: Option<i64>, h: &mut _| match v {
                    None => 0u8.hash(h),
                    Some(v) => (1u8, v).hash(h),
                };
                let real = |v: Option<f64>, h: &mut _| match v {
                    None => 0u8.hash(h),
                    Some(v) => (2u8, v.to_bits()).hash(h),
                };
                int(p.time, h);
                for v in [p.lat, p.lon, p.altitude_m, p.accuracy_m] {
                    real(v, h);
                }
                int(p.heart_rate, h);
                int(p.cadence, h);
                for v in [p.stride_cm, p.speed_mps, p.distance_m, p.pace] {
                    real(v, h);
                }
                int(p.power_w, h);
            }
            Ok(())
        })?;
        Ok(count)
    }

    /// Row counts per table (for summaries and tests).
    pub fn table_counts(&self) -> Result<Vec<(&'static str, u64)>, Error> {
        let mut out = Vec::new();
        // Minutes and workout points are stored in blocks: their count is of the rows
        // the blocks hold, as if each were still a table row.
        for t in [
            "raw_days",
            "days",
            "minutes",
            "sleep_stages",
            "activity_stages",
            "workouts",
            "workout_points",
            "workout_laps",
            "workout_pauses",
            "huami_devices",
            "health_events",
            "weight_records",
        ] {
            let sql = match t {
                "minutes" => "SELECT COALESCE(SUM(rows), 0) FROM minute_blocks".to_owned(),
                "workout_points" => {
                    "SELECT COALESCE(SUM(rows), 0) FROM workout_point_blocks".to_owned()
                }
                _ => format!("SELECT count(*) FROM {t}"),
            };
            let n: i64 = self.conn.query_row(&sql, [], |r| r.get(0))?;
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

    fn fresh_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mikit-store-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    /// The table names of the schema, to check that each was created once.
    fn tables(s: &Store) -> Vec<String> {
        let mut stmt = s
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    // Issue 9, point 4: three concurrent first opens of a new data dir failed 28 of 30 times
    // ("table accounts already exists", "database is locked").
    #[test]
    fn concurrent_first_opens_all_succeed_and_migrate_once() {
        const THREADS: usize = 8;
        for round in 0..5 {
            let dir = fresh_dir(&format!("race-{round}"));
            let path = dir.join("data/mikit.db");
            let barrier = std::sync::Arc::new(std::sync::Barrier::new(THREADS));
            let opens: Vec<_> = (0..THREADS)
                .map(|_| {
                    let (path, barrier) = (path.clone(), barrier.clone());
                    std::thread::spawn(move || {
                        barrier.wait();
                        let mut s = Store::open(&path)?;
                        s.upsert_account("huami", "42", None)?;
                        s.schema_version()
                    })
                })
                .collect();
            for t in opens {
                let version = t.join().unwrap();
                assert_eq!(version.unwrap(), MIGRATIONS.len() as i64, "round {round}");
            }
            let s = Store::open(&path).unwrap();
            assert_eq!(s.accounts("huami").unwrap().len(), 1);
            let names = tables(&s);
            let mut unique = names.clone();
            unique.dedup();
            assert_eq!(names, unique);
            assert!(names.contains(&"accounts".to_owned()));
            drop(s);
            std::fs::remove_dir_all(dir).unwrap();
        }
    }

    /// Run by `concurrent_first_opens_from_processes` in child processes; a no-op otherwise.
    #[test]
    fn child_process_opens_the_store() {
        if let Some(path) = std::env::var_os("MIKIT_STORE_TEST_OPEN") {
            let mut s = Store::open(Path::new(&path)).unwrap();
            s.upsert_account("huami", "42", None).unwrap();
        }
    }

    #[test]
    fn concurrent_first_opens_from_processes() {
        let exe = std::env::current_exe().unwrap();
        for round in 0..3 {
            let dir = fresh_dir(&format!("procs-{round}"));
            let path = dir.join("mikit.db");
            let children: Vec<_> = (0..4)
                .map(|_| {
                    std::process::Command::new(&exe)
                        .args(["--exact", "tests::child_process_opens_the_store", "--quiet"])
                        .env("MIKIT_STORE_TEST_OPEN", &path)
                        .stdout(std::process::Stdio::piped())
                        .stderr(std::process::Stdio::piped())
                        .spawn()
                        .unwrap()
                })
                .collect();
            for c in children {
                let o = c.wait_with_output().unwrap();
                assert!(
                    o.status.success(),
                    "round {round}: {}{}",
                    String::from_utf8_lossy(&o.stdout),
                    String::from_utf8_lossy(&o.stderr)
                );
            }
            let s = Store::open(&path).unwrap();
            assert_eq!(s.schema_version().unwrap(), MIGRATIONS.len() as i64);
            assert_eq!(s.accounts("huami").unwrap().len(), 1);
            drop(s);
            std::fs::remove_dir_all(dir).unwrap();
        }
    }

    // Issue 9, point 6: a command that only reads must not create the directory or a database.
    #[test]
    fn open_existing_creates_nothing() {
        let dir = fresh_dir("existing");
        let path = dir.join("sub/mikit.db");
        match Store::open_existing(&path) {
            Err(Error::NoDatabase { path: p }) => assert_eq!(p, path),
            other => panic!("expected NoDatabase, got {other:?}"),
        }
        assert!(!dir.exists(), "nothing may be created");
        let msg = Store::open_existing(&path).unwrap_err().to_string();
        assert!(
            msg.contains("no database at") && msg.contains("sub/mikit.db"),
            "{msg}"
        );
        drop(Store::open(&path).unwrap());
        let s = Store::open_existing(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), MIGRATIONS.len() as i64);
        drop(s);
        std::fs::remove_dir_all(dir).unwrap();
    }

    // Issue 9, point 7: the database and its directory were 0644 / 0755.
    #[cfg(unix)]
    #[test]
    fn the_database_and_its_directory_are_private_and_loose_ones_are_tightened_once() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let dir = fresh_dir("modes");
        let path = dir.join("data/mikit.db");
        let mut s = Store::open(&path).unwrap();
        assert!(s.tightened().is_empty());
        s.upsert_account("huami", "42", Some("a@b.c")).unwrap();
        let lock = s.try_sync_lock().unwrap();
        let files = [
            path.clone(),
            sidecar(&path, "-wal"),
            sidecar(&path, "-shm"),
            SyncLock::path_for(&path),
        ];
        for f in &files {
            assert_eq!(mode(f), 0o600, "{}", f.display());
        }
        assert_eq!(mode(&dir.join("data")), 0o700);
        drop(lock);

        // A database made by an older mikit: loosen everything, then open it again (with the
        // first connection still open, so that SQLite keeps its -wal and -shm files).
        for f in &files {
            std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        std::fs::set_permissions(dir.join("data"), std::fs::Permissions::from_mode(0o755)).unwrap();
        let s2 = Store::open_existing(&path).unwrap();
        let changed: Vec<&Path> = s2.tightened().iter().map(|t| t.path.as_path()).collect();
        assert_eq!(
            changed,
            [dir.join("data").as_path(), &files[0], &files[1], &files[2]],
            "{:?}",
            s2.tightened()
        );
        drop(s2.try_sync_lock().unwrap());
        for f in &files {
            assert_eq!(mode(f), 0o600, "{}", f.display());
        }
        assert_eq!(mode(&dir.join("data")), 0o700);
        drop((s, s2));
        assert!(
            Store::open(&path).unwrap().tightened().is_empty(),
            "said once"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
