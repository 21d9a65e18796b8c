//! Raw payloads stored as zstd frames (issue 11, "Storage size"), and migration 6 of a database
//! written by the previous schema.

use std::path::{Path, PathBuf};

use mikit_store::Store;

use super::{items, write_all};

const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mikit-store-it-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every (date, raw item) a test writes: the two fixtures' items, compact JSON.
fn raw_items() -> Vec<(String, String)> {
    ["band_data_day.json", "band_data_detail.json"]
        .iter()
        .flat_map(|f| items(f))
        .map(|i| {
            let day = mikit_huami::decode_day(&i).unwrap();
            (day.date.to_string(), i.to_string())
        })
        .collect()
}

fn write_fixtures(store: &mut Store) {
    write_all(store, &items("band_data_day.json"));
    write_all(store, &items("band_data_detail.json"));
}

/// A database at schema version 5 holding the same content as `new` (written by the current
/// mikit), its raw items as TEXT the way version 5 stored them.
fn old_database_like(new: &Path, old: &Path) {
    super::blocks::legacy_copy(&Store::open(new).unwrap(), old, 5);
    // The items exactly as the fixtures give them.
    let c = rusqlite::Connection::open(old).unwrap();
    for (date, item) in raw_items() {
        let stored: String = c
            .query_row("SELECT item FROM raw_days WHERE date = ?1", [&date], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(stored, item);
    }
}

/// (date, stored frame) of every raw item, read with plain SQL.
fn stored_frames(path: &Path) -> Vec<(String, Vec<u8>)> {
    let c = rusqlite::Connection::open(path).unwrap();
    let mut stmt = c
        .prepare("SELECT date, item_zstd FROM raw_days ORDER BY date")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn raw_items_are_stored_compressed_and_read_back_byte_for_byte() {
    let dir = fresh_dir("zstd");
    let path = dir.join("mikit.db");
    let mut store = Store::open(&path).unwrap();
    write_fixtures(&mut store);
    let account = store.find_account("huami", "1000000001").unwrap().unwrap();
    let expected = raw_items();
    let frames = stored_frames(&path);
    assert_eq!(frames.len(), expected.len());
    for ((date, item), (stored_date, frame)) in expected.iter().zip(&frames) {
        assert_eq!(date, stored_date);
        assert_eq!(frame[..4], ZSTD_MAGIC, "{date}: a zstd frame");
        assert!(frame.len() < item.len(), "{date}: compressed");
        let back = store
            .raw_day_item(account, date.parse().unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(
            back.as_bytes(),
            item.as_bytes(),
            "{date}: exactly the bytes written"
        );
    }
    assert!(
        store
            .raw_day_item(account, jiff::civil::date(2001, 1, 1))
            .unwrap()
            .is_none()
    );
    drop(store);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_damaged_frame_is_a_clear_error_not_a_panic() {
    let dir = fresh_dir("damaged");
    let path = dir.join("mikit.db");
    let mut store = Store::open(&path).unwrap();
    write_all(&mut store, &items("band_data_day.json"));
    let account = store.find_account("huami", "1000000001").unwrap().unwrap();
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute("UPDATE raw_days SET item_zstd = x'28b52ffd00ff'", [])
        .unwrap();
    let err = store
        .redecode(account, mikit_huami::decode_day)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("decompressing a stored raw payload failed") && err.contains("sync"),
        "{err}"
    );
    assert!(store.content_digest().is_err());
    drop((store, c));
    std::fs::remove_dir_all(dir).unwrap();
}

// Migration 6 compresses the rows of a database written by the previous schema in place:
// same decompressed bytes, same digest as the same content written by this version, and
// `--redecode` still rebuilds the same tables.
#[test]
fn migrating_a_version_5_database_compresses_its_raw_items() {
    let dir = fresh_dir("migrate");
    let (new, old) = (dir.join("new.db"), dir.join("old.db"));
    let mut fresh = Store::open(&new).unwrap();
    write_fixtures(&mut fresh);
    let digest = fresh.content_digest().unwrap();
    old_database_like(&new, &old);

    let mut migrated = Store::open(&old).unwrap();
    assert_eq!(migrated.schema_version().unwrap(), super::SCHEMA_VERSION);
    assert_eq!(migrated.content_digest().unwrap(), digest);
    let account = migrated
        .find_account("huami", "1000000001")
        .unwrap()
        .unwrap();
    for (date, item) in raw_items() {
        let back = migrated
            .raw_day_item(account, date.parse().unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(back, item, "{date}");
    }
    assert!(
        stored_frames(&old)
            .iter()
            .all(|(_, f)| f[..4] == ZSTD_MAGIC)
    );
    let (stats, failed) = migrated.redecode(account, mikit_huami::decode_day).unwrap();
    assert_eq!((stats.days, failed.len()), (2, 0));
    assert_eq!(migrated.content_digest().unwrap(), digest);
    // The text items' pages stay free until a VACUUM gives them back.
    migrated.vacuum().unwrap();
    assert_eq!(migrated.free_space().unwrap().0, 0);
    assert_eq!(migrated.content_digest().unwrap(), digest);
    drop((fresh, migrated));
    std::fs::remove_dir_all(dir).unwrap();
}

/// Run by `processes_opening_an_old_database_at_once_migrate_it_once` in child processes.
#[test]
fn child_process_opens_the_store() {
    if let Some(path) = std::env::var_os("MIKIT_STORE_IT_OPEN") {
        let s = Store::open(Path::new(&path)).unwrap();
        assert_eq!(s.schema_version().unwrap(), super::SCHEMA_VERSION);
    }
}

#[test]
fn processes_opening_an_old_database_at_once_migrate_it_once() {
    let exe = std::env::current_exe().unwrap();
    let dir = fresh_dir("procs");
    let new = dir.join("new.db");
    let mut fresh = Store::open(&new).unwrap();
    write_fixtures(&mut fresh);
    let digest = fresh.content_digest().unwrap();
    for round in 0..3 {
        let old = dir.join(format!("old-{round}.db"));
        old_database_like(&new, &old);
        let children: Vec<_> = (0..4)
            .map(|_| {
                std::process::Command::new(&exe)
                    .args([
                        "--exact",
                        "compression::child_process_opens_the_store",
                        "--quiet",
                    ])
                    .env("MIKIT_STORE_IT_OPEN", &old)
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
        // Compressed once: every frame decompresses to the item (not to another frame).
        let s = Store::open(&old).unwrap();
        assert_eq!(s.content_digest().unwrap(), digest, "round {round}");
    }
    drop(fresh);
    std::fs::remove_dir_all(dir).unwrap();
}
