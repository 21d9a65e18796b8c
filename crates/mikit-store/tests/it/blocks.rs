//! Schema 8 (issue 11, "Storage size"): minutes and workout points stored as compressed
//! column blocks, day summaries compressed, and the migration of older databases in place.

use std::path::{Path, PathBuf};

use mikit_store::{AccountId, MinuteRow, Store, WorkoutFilter};

use super::workouts::{T0, raw_summary, run, swim};
use super::{SCHEMA_VERSION, items, write_all};

const MIGRATIONS: &[&str] = &[
    include_str!("../../src/migrations/0001_initial.sql"),
    include_str!("../../src/migrations/0002_spec_cache.sql"),
    include_str!("../../src/migrations/0003_cloud_devices.sql"),
    include_str!("../../src/migrations/0004_manual_devices.sql"),
    include_str!("../../src/migrations/0005_day_minutes_end.sql"),
    include_str!("../../src/migrations/0006_raw_days_zstd.sql"),
    include_str!("../../src/migrations/0007_workouts.sql"),
];

fn fresh_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("mikit-store-blocks-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn unzstd(b: &[u8]) -> String {
    String::from_utf8(zstd::decode_all(b).unwrap()).unwrap()
}

/// Every minute of `account`, read through the public API.
fn all_minutes(store: &Store, account: AccountId, range: (i64, i64), hr: bool) -> Vec<MinuteRow> {
    let mut out = Vec::new();
    store
        .for_each_minute(account, range, hr, |m| {
            out.push(*m);
            Ok::<(), mikit_store::Error>(())
        })
        .unwrap();
    out
}

/// Build at `old` a database at schema `version` (5 or 7) holding what `new` holds, laid out
/// the way that schema stored it (the SQL of migrations 1–7 applied by hand, as those mikit
/// versions did): one row per minute and per workout point, the day summary as text, and at
/// version 5 the raw items as text.
pub(crate) fn legacy_copy(new: &Store, old: &Path, version: i64) {
    assert!(version == 5 || version == 7);
    let c = rusqlite::Connection::open(old).unwrap();
    for sql in &MIGRATIONS[..5] {
        c.execute_batch(sql).unwrap();
    }
    if version == 7 {
        // Migration 6 on an empty table, then 7.
        c.execute_batch(MIGRATIONS[5]).unwrap();
        c.execute_batch("DROP TABLE raw_days; ALTER TABLE raw_days_zstd RENAME TO raw_days;")
            .unwrap();
        c.execute_batch(MIGRATIONS[6]).unwrap();
    }
    c.pragma_update(None, "user_version", version).unwrap();
    c.execute("ATTACH ?1 AS new", [new.path().to_str().unwrap()])
        .unwrap();
    let mut copied = vec![
        "accounts",
        "days",
        "sleep_stages",
        "activity_stages",
        "sync_state",
    ];
    if version == 7 {
        copied.extend([
            "raw_days",
            "workouts",
            "workout_raw",
            "workout_laps",
            "workout_pauses",
        ]);
    }
    for t in copied {
        // By position, as many columns as the old table has: later migrations appended
        // some (e.g. `origin`, 9) and renamed none in place.
        let names = |schema: &str| -> Vec<String> {
            c.prepare(&format!(
                "SELECT name FROM pragma_table_info('{t}', '{schema}')"
            ))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
        };
        let old_cols = names("main");
        let new_cols = names("new");
        let picked = new_cols[..old_cols.len()].join(", ");
        c.execute(&format!("INSERT INTO {t} SELECT {picked} FROM new.{t}"), [])
            .unwrap();
    }
    // The summary column held text.
    let summaries: Vec<(i64, String, Vec<u8>)> = c
        .prepare("SELECT account, date, summary FROM days")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (a, d, z) in summaries {
        c.execute(
            "UPDATE days SET summary = ?3 WHERE account = ?1 AND date = ?2",
            rusqlite::params![a, d, unzstd(&z)],
        )
        .unwrap();
    }
    if version == 5 {
        let items: Vec<(i64, String, Vec<u8>)> = c
            .prepare("SELECT account, date, item_zstd FROM new.raw_days")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for (a, d, z) in items {
            c.execute(
                "INSERT INTO raw_days (account, date, item) VALUES (?1, ?2, ?3)",
                rusqlite::params![a, d, unzstd(&z)],
            )
            .unwrap();
        }
    }
    c.execute("DETACH new", []).unwrap();
    for (account, _, _) in new.accounts("huami").unwrap() {
        for m in all_minutes(new, account, (i64::MIN, i64::MAX), false) {
            c.execute(
                "INSERT INTO minutes (account, ts, kind, intensity, steps, heart_rate) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                rusqlite::params![account.0, m.ts, m.kind, m.intensity, m.steps, m.heart_rate],
            )
            .unwrap();
        }
        if version == 7 {
            for w in new.workouts(account, &WorkoutFilter::default()).unwrap() {
                let detail = new.workout(account, w.row.trackid).unwrap().unwrap();
                for (seq, p) in detail.points.iter().enumerate() {
                    c.execute(
                        "INSERT INTO workout_points VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                        rusqlite::params![
                            account.0, w.row.trackid, seq as i64, p.time, p.lat, p.lon,
                            p.altitude_m, p.accuracy_m, p.heart_rate, p.cadence, p.stride_cm,
                            p.speed_mps, p.distance_m, p.pace, p.power_w
                        ],
                    )
                    .unwrap();
                }
            }
        }
    }
}

/// Band days (the two fixtures: a detail day of 1440 minutes and a second item) and three
/// workouts (a run with a track, a pool swim without points, a short run).
fn fill(store: &mut Store) -> AccountId {
    write_all(store, &items("band_data_day.json"));
    write_all(store, &items("band_data_detail.json"));
    let a = store.find_account("huami", "1000000001").unwrap().unwrap();
    store
        .write_workout(a, &raw_summary(T0, 1, ""), Some("{\"d\":1}"), &run(T0, 700))
        .unwrap();
    store
        .write_workout(a, &raw_summary(T0 + 9000, 14, ""), None, &swim(T0 + 9000))
        .unwrap();
    store
        .write_workout(
            a,
            &raw_summary(T0 + 20000, 1, "x"),
            Some("{}"),
            &run(T0 + 20000, 3),
        )
        .unwrap();
    a
}

/// What the public read API returns for `account`.
fn everything(store: &Store, a: AccountId) -> String {
    let mut out = format!("{:?}\n", store.day_rows(a, None, None).unwrap());
    let ms = all_minutes(store, a, (i64::MIN, i64::MAX), false);
    out += &format!("{} minutes {:?}\n", ms.len(), ms);
    // A few ranges, with and without the heart-rate filter.
    if let (Some(first), Some(last)) = (ms.first(), ms.last()) {
        for (lo, hi) in [
            (first.ts + 3600, first.ts + 7200),
            (last.ts - 600, last.ts + 1),
        ] {
            out += &format!("{:?}\n", all_minutes(store, a, (lo, hi), true));
        }
    }
    for w in store.workouts(a, &WorkoutFilter::default()).unwrap() {
        out += &format!("{:?}\n", store.workout(a, w.row.trackid).unwrap());
    }
    out += &format!("{:?}\n", store.table_counts().unwrap());
    out
}

fn tables(path: &Path) -> Vec<String> {
    let c = rusqlite::Connection::open(path).unwrap();
    c.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn a_version_7_store_with_minutes_and_workouts_opens_at_8_with_the_same_answers() {
    let dir = fresh_dir("v7");
    let (new, old) = (dir.join("new.db"), dir.join("old.db"));
    let mut fresh = Store::open(&new).unwrap();
    let a = fill(&mut fresh);
    let expected = everything(&fresh, a);
    assert!(
        expected.contains("minutes") && expected.contains("1440"),
        "{expected}"
    );
    let digest = fresh.content_digest().unwrap();
    legacy_copy(&fresh, &old, 7);
    assert!(tables(&old).contains(&"workout_points".to_owned()));

    let migrated = Store::open(&old).unwrap();
    assert_eq!(migrated.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(everything(&migrated, a), expected);
    assert_eq!(migrated.content_digest().unwrap(), digest);
    let names = tables(&old);
    for gone in ["minutes", "workout_points", "days_zstd"] {
        assert!(!names.contains(&gone.to_owned()), "{gone} in {names:?}");
    }
    for kept in ["minute_blocks", "workout_point_blocks", "days"] {
        assert!(names.contains(&kept.to_owned()), "{kept} in {names:?}");
    }
    // The stored rows are blocks: one per day with minutes, one per workout with points.
    let c = rusqlite::Connection::open(&old).unwrap();
    let n: i64 = c
        .query_row("SELECT count(*) FROM minute_blocks", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 2);
    let n: i64 = c
        .query_row("SELECT count(*) FROM workout_point_blocks", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(n, 2, "the swim has no points and no block");
    drop((fresh, migrated, c));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn day_summaries_are_stored_compressed() {
    let dir = fresh_dir("summary");
    let path = dir.join("mikit.db");
    let mut store = Store::open(&path).unwrap();
    fill(&mut store);
    let c = rusqlite::Connection::open(&path).unwrap();
    let frames: Vec<Vec<u8>> = c
        .prepare("SELECT summary_zstd FROM days ORDER BY date")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(frames.len(), 2);
    for (frame, item) in frames.iter().zip(
        items("band_data_day.json")
            .iter()
            .chain(&items("band_data_detail.json")),
    ) {
        let day = mikit_huami::decode_day(item).unwrap();
        assert_eq!(unzstd(frame), day.summary_json.to_string());
    }
    drop((store, c));
    std::fs::remove_dir_all(dir).unwrap();
}

/// Three synthetic days of 1440 minutes each (3-byte records, heart rate in every other
/// minute) at UTC+1.
fn three_days(store: &mut Store) -> AccountId {
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let items: Vec<serde_json::Value> = ["2026-03-10", "2026-03-11", "2026-03-12"]
        .iter()
        .enumerate()
        .map(|(d, date)| {
            let summary = serde_json::json!({"v": 6, "tz": "3600", "stp": {"ttl": 1}});
            let data: Vec<u8> = (0..1440usize)
                .flat_map(|i| [1u8, (i % 50) as u8, ((i + d) % 30) as u8])
                .collect();
            let hr: Vec<u8> = (0..1440usize)
                .map(|i| if i % 2 == 0 { 60 + (i % 40) as u8 } else { 255 })
                .collect();
            serde_json::json!({
                "date_time": date,
                "summary": b64(summary.to_string().as_bytes()),
                "data": b64(&data),
                "data_hr": b64(&hr),
            })
        })
        .collect();
    let decoded: Vec<_> = items
        .iter()
        .map(|i| (i.to_string(), mikit_huami::decode_day(i).unwrap()))
        .collect();
    let writes: Vec<_> = decoded
        .iter()
        .map(|(raw, day)| mikit_store::DayWrite { raw, day })
        .collect();
    let a = store.upsert_account("huami", "3", None).unwrap();
    let coverage = mikit_store::Coverage {
        from: jiff::civil::date(2026, 3, 10),
        through: jiff::civil::date(2026, 3, 12),
        continues: true,
    };
    store
        .write_band_days(a, &writes, "band_data", coverage)
        .unwrap();
    a
}

#[test]
fn minute_ranges_read_exactly_the_minutes_in_them() {
    let mut store = Store::open_in_memory().unwrap();
    let a = three_days(&mut store);
    let all = all_minutes(&store, a, (i64::MIN, i64::MAX), false);
    assert_eq!(all.len(), 3 * 1440);
    assert!(all.windows(2).all(|w| w[0].ts < w[1].ts));
    assert_eq!(
        all_minutes(&store, a, (i64::MIN, i64::MAX), true).len(),
        3 * 720
    );
    let t0 = all[0].ts;
    // Ranges inside a day, across midnights, at the edges, empty and reversed.
    for (lo, hi) in [
        (t0, t0 + 60),
        (t0 + 1439 * 60, t0 + 1441 * 60),
        (t0 + 100 * 60 + 30, t0 + 2900 * 60),
        (t0 - 86_400, t0 + 5 * 86_400),
        (t0 + 3 * 1440 * 60, i64::MAX),
        (t0 + 60, t0 + 60),
        (t0 + 120, t0 + 60),
    ] {
        for hr in [false, true] {
            let want: Vec<MinuteRow> = all
                .iter()
                .filter(|m| (lo..hi).contains(&m.ts) && (!hr || m.heart_rate.is_some()))
                .copied()
                .collect();
            assert_eq!(
                all_minutes(&store, a, (lo, hi), hr),
                want,
                "{lo}..{hi} hr={hr}"
            );
        }
    }
    // Another account's minutes are not read.
    let b = store.upsert_account("huami", "4", None).unwrap();
    assert!(all_minutes(&store, b, (i64::MIN, i64::MAX), false).is_empty());
}

#[test]
fn damaged_blocks_are_clear_errors_not_panics() {
    let dir = fresh_dir("damaged");
    let path = dir.join("mikit.db");
    let mut store = Store::open(&path).unwrap();
    let a = fill(&mut store);
    let c = rusqlite::Connection::open(&path).unwrap();
    // A valid zstd frame of a truncated block, and bytes that are no zstd frame at all.
    let good: Vec<u8> = c
        .query_row("SELECT block_zstd FROM minute_blocks LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    let raw = zstd::decode_all(good.as_slice()).unwrap();
    let truncated = zstd::encode_all(&raw[..raw.len() / 2], 3).unwrap();
    for bad in [truncated, b"garbage".to_vec()] {
        c.execute("UPDATE minute_blocks SET block_zstd = ?1", [&bad])
            .unwrap();
        let err = store
            .for_each_minute(a, (i64::MIN, i64::MAX), false, |_| {
                Ok::<(), mikit_store::Error>(())
            })
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("stored minutes of account") && err.contains("--redecode"),
            "{err}"
        );
        assert!(store.content_digest().is_err());
    }
    c.execute(
        "UPDATE workout_point_blocks SET block_zstd = x'28b52ffd00'",
        [],
    )
    .unwrap();
    let err = store.workout(a, T0).unwrap_err().to_string();
    assert!(
        err.contains("workout points of account") && err.contains(&T0.to_string()),
        "{err}"
    );
    // The raw items are intact: re-decoding rebuilds the minutes.
    let (stats, failed) = store.redecode(a, mikit_huami::decode_day).unwrap();
    assert_eq!((stats.days, failed.len()), (2, 0));
    assert_eq!(
        all_minutes(&store, a, (i64::MIN, i64::MAX), false).len() as u64,
        stats.minutes - stats.trimmed
    );
    drop((store, c));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_store_of_many_days_is_compacted_after_migrating() {
    // ~400 days × 1440 minutes: the per-minute rows take well over VACUUM_AFTER (8 MiB).
    let dir = fresh_dir("vacuum");
    let (new, old) = (dir.join("new.db"), dir.join("old.db"));
    let mut fresh = Store::open(&new).unwrap();
    let a = fresh.upsert_account("huami", "5", None).unwrap();
    let c = rusqlite::Connection::open(&old).unwrap();
    drop(c);
    legacy_copy(&fresh, &old, 7);
    let c = rusqlite::Connection::open(&old).unwrap();
    let t0 = 1_700_000_000i64 - 1_700_000_000 % 86_400;
    c.execute_batch("BEGIN").unwrap();
    for d in 0..400i64 {
        let midnight = t0 + d * 86_400;
        let date = jiff::Timestamp::from_second(midnight)
            .unwrap()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date()
            .to_string();
        c.execute(
            "INSERT INTO days (account, date, tz_offset, local_midnight, minutes, summary, minutes_end)
             VALUES (?1, ?2, 0, ?3, 1440, '{}', ?4)",
            rusqlite::params![a.0, date, midnight, midnight + 86_400],
        )
        .unwrap();
        for i in 0..1440i64 {
            c.execute(
                "INSERT INTO minutes VALUES (?1, ?2, 1, ?3, ?4, ?5)",
                rusqlite::params![a.0, midnight + i * 60, i % 50, i % 7, 60 + i % 40],
            )
            .unwrap();
        }
    }
    c.execute_batch("COMMIT").unwrap();
    drop(c);
    let before = std::fs::metadata(&old).unwrap().len();
    let migrated = Store::open(&old).unwrap();
    let after = std::fs::metadata(&old).unwrap().len();
    assert_eq!(migrated.free_space().unwrap().0, 0, "vacuumed");
    assert!(after * 4 < before, "{before} -> {after} bytes");
    assert_eq!(
        all_minutes(&migrated, a, (i64::MIN, i64::MAX), false).len(),
        400 * 1440
    );
    drop((fresh, migrated));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn workout_payloads_are_stored_compressed_and_read_back_byte_for_byte() {
    let dir = fresh_dir("workout-raw");
    let path = dir.join("mikit.db");
    let mut store = Store::open(&path).unwrap();
    let a = store.upsert_account("huami", "9", None).unwrap();
    let summary = raw_summary(T0, 1, "Morgenlauf ü");
    // A detail as the service sends it: long `;`-separated streams.
    let detail = serde_json::json!({
        "trackid": T0,
        "time": "0;1;1;".repeat(500),
        "heart_rate": "0,80;1,1;1,-1;".repeat(500),
    })
    .to_string();
    store
        .write_workout(a, &summary, Some(&detail), &run(T0, 10))
        .unwrap();
    let c = rusqlite::Connection::open(&path).unwrap();
    let (s, d): (Vec<u8>, Vec<u8>) = c
        .query_row(
            "SELECT summary_zstd, detail_zstd FROM workout_raw",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    for frame in [&s, &d] {
        assert_eq!(frame[..4], [0x28, 0xb5, 0x2f, 0xfd], "a zstd frame");
    }
    assert!(
        d.len() * 10 < detail.len(),
        "{} of {}",
        d.len(),
        detail.len()
    );
    assert_eq!(unzstd(&s).as_bytes(), summary.as_bytes());
    assert_eq!(unzstd(&d).as_bytes(), detail.as_bytes());
    let raw = store.raw_workout(a, T0).unwrap().unwrap();
    assert_eq!((raw.summary, raw.detail), (summary, Some(detail)));
    drop((store, c));
    std::fs::remove_dir_all(dir).unwrap();
}
