//! mikit-store against real band-data payloads (see tests/data/PROVENANCE.md).

mod blocks;
mod compression;
mod workouts;

/// The schema version this mikit-store creates and migrates to.
pub const SCHEMA_VERSION: i64 = 9;

use jiff::civil::date;
use mikit_store::{Coverage, DayWrite, Store};

fn items(file: &str) -> Vec<serde_json::Value> {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let body = std::fs::read(path).unwrap();
    mikit_huami::envelope::decode_band_data(&body).unwrap()
}

fn write_all(store: &mut Store, items: &[serde_json::Value]) -> mikit_store::WriteStats {
    let account = store.upsert_account("huami", "1000000001", None).unwrap();
    let decoded: Vec<_> = items
        .iter()
        .map(|i| (i.to_string(), mikit_huami::decode_day(i).unwrap()))
        .collect();
    let writes: Vec<_> = decoded
        .iter()
        .map(|(raw, day)| DayWrite { raw, day })
        .collect();
    let through = decoded.iter().map(|(_, d)| d.date).max().unwrap();
    let from = decoded.iter().map(|(_, d)| d.date).min().unwrap();
    let coverage = Coverage {
        from,
        through,
        continues: true,
    };
    store
        .write_band_days(account, &writes, "band_data", coverage)
        .unwrap()
}

// zepp-dashboard's sanitized Helio Strap day: 1440 8-byte records, 6 sleep stages.
#[test]
fn writes_a_real_day_with_every_derived_table() {
    let mut store = Store::open_in_memory().unwrap();
    let stats = write_all(&mut store, &items("band_data_day.json"));
    assert_eq!(stats.days, 1);
    assert_eq!(stats.minutes, 1440);
    let account = store.find_account("huami", "1000000001").unwrap().unwrap();
    let rows = store.day_rows(account, None, None).unwrap();
    assert_eq!(rows.len(), 1);
    let d = &rows[0];
    assert_eq!(
        (d.steps, d.deep_min, d.light_min, d.rem_min),
        (Some(8272), Some(60), Some(180), Some(30))
    );
    assert_eq!(d.tz_offset, 3600);
    let mut stages = 0;
    store
        .for_each_sleep(account, None, None, |_| {
            stages += 1;
            Ok::<(), mikit_store::Error>(())
        })
        .unwrap();
    assert_eq!(stages, 6);
    let state = store.sync_state(account, "band_data").unwrap().unwrap();
    assert_eq!(state.last_date, Some(d.date.parse().unwrap()));
}

#[test]
fn writing_the_same_days_twice_changes_nothing() {
    let mut store = Store::open_in_memory().unwrap();
    let days = items("band_data_day.json");
    write_all(&mut store, &days);
    let first = store.content_digest().unwrap();
    write_all(&mut store, &days);
    assert_eq!(store.content_digest().unwrap(), first);
    let mut other = Store::open_in_memory().unwrap();
    write_all(&mut other, &items("band_data_detail.json"));
    assert_ne!(
        other.content_digest().unwrap(),
        first,
        "the digest must tell different content apart"
    );
}

#[test]
fn redecode_rebuilds_the_same_tables_from_raw_items() {
    let mut store = Store::open_in_memory().unwrap();
    write_all(&mut store, &items("band_data_day.json"));
    write_all(&mut store, &items("band_data_detail.json"));
    let before = store.content_digest().unwrap();
    let account = store.find_account("huami", "1000000001").unwrap().unwrap();
    let (stats, failed) = store.redecode(account, mikit_huami::decode_day).unwrap();
    assert_eq!((stats.days, failed.len()), (2, 0));
    assert_eq!(store.content_digest().unwrap(), before);
    // A decoder that rejects everything leaves raw items intact and reports each day.
    let (_, failed) = store
        .redecode(account, |_| Err::<mikit_huami::model::BandDay, _>("no"))
        .unwrap();
    assert_eq!(failed.len(), 2);
    assert_eq!(store.table_counts().unwrap()[0], ("raw_days", 2));
}

fn cover(from: jiff::civil::Date, through: jiff::civil::Date, continues: bool) -> Coverage {
    Coverage {
        from,
        through,
        continues,
    }
}

/// A minimal day item for `date` at UTC offset `tz` with `n` minutes of 3-byte records.
fn day_item(date: &str, tz: i32, n: usize) -> serde_json::Value {
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let summary = serde_json::json!({"v": 6, "tz": tz.to_string(), "stp": {"ttl": 1}});
    serde_json::json!({
        "date_time": date,
        "summary": b64(summary.to_string().as_bytes()),
        "data": b64(&vec![1u8; n * 3]),
        "data_hr": b64(&vec![70u8; n]),
    })
}

fn write_days(
    store: &mut Store,
    items: &[serde_json::Value],
    coverage: Coverage,
    zone: Option<&jiff::tz::TimeZone>,
) -> mikit_store::WriteStats {
    let account = store.upsert_account("huami", "1", None).unwrap();
    let decoded: Vec<_> = items
        .iter()
        .map(|i| (i.to_string(), mikit_huami::decode_day_in(i, zone).unwrap()))
        .collect();
    let writes: Vec<_> = decoded
        .iter()
        .map(|(raw, day)| DayWrite { raw, day })
        .collect();
    store
        .write_band_days(account, &writes, "band_data", coverage)
        .unwrap()
}

fn minute_count(store: &Store) -> u64 {
    store
        .table_counts()
        .unwrap()
        .into_iter()
        .find(|(t, _)| *t == "minutes")
        .unwrap()
        .1
}

// Issue 9, point 2: `--to` past the server's today recorded `synced_through` in the future,
// so later syncs never fetched the days in between.
#[test]
fn sync_state_never_passes_the_newest_day_with_data() {
    let mut store = Store::open_in_memory().unwrap();
    let items = [
        day_item("2026-03-30", 3600, 10),
        day_item("2026-03-31", 3600, 10),
    ];
    write_days(
        &mut store,
        &items,
        cover(date(2026, 3, 1), date(2026, 4, 15), true),
        None,
    );
    let account = store.find_account("huami", "1").unwrap().unwrap();
    let s = store.sync_state(account, "band_data").unwrap().unwrap();
    assert_eq!(s.synced_through, date(2026, 3, 31));
    // An empty later range does not move it either, and it never moves back.
    write_days(
        &mut store,
        &[],
        cover(date(2026, 4, 1), date(2026, 4, 30), true),
        None,
    );
    write_days(
        &mut store,
        &[],
        cover(date(2026, 1, 1), date(2026, 2, 1), true),
        None,
    );
    let s = store.sync_state(account, "band_data").unwrap().unwrap();
    assert_eq!(s.synced_through, date(2026, 3, 31));
}

#[test]
fn a_range_after_a_hole_records_no_progress() {
    let mut store = Store::open_in_memory().unwrap();
    let items = [day_item("2026-03-10", 3600, 10)];
    write_days(
        &mut store,
        &items,
        cover(date(2026, 3, 1), date(2026, 3, 10), true),
        None,
    );
    let later = [day_item("2026-03-25", 3600, 10)];
    write_days(
        &mut store,
        &later,
        cover(date(2026, 3, 20), date(2026, 3, 25), false),
        None,
    );
    let account = store.find_account("huami", "1").unwrap().unwrap();
    let s = store.sync_state(account, "band_data").unwrap().unwrap();
    assert_eq!(s.synced_through, date(2026, 3, 10));
    assert_eq!(s.last_date, Some(date(2026, 3, 25)));
    // A first sync of an explicit range in the middle covers nothing yet.
    let mut fresh = Store::open_in_memory().unwrap();
    write_days(
        &mut fresh,
        &later,
        cover(date(2026, 3, 20), date(2026, 3, 25), false),
        None,
    );
    let s = fresh.sync_state(account, "band_data").unwrap().unwrap();
    assert!(s.synced_through < s.first_date.unwrap());
}

// Issue 9, point 3: on a spring-forward day the next day overwrote the day's last hour, and
// the sync reported 60 minutes more than the table held.
#[test]
fn a_spring_forward_day_keeps_its_last_hour_and_the_count_is_exact() {
    let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    // 2026-03-29: 02:00 CET became 03:00 CEST; 1440 wall-clock slots, 60 of them skipped.
    let items = [
        day_item("2026-03-28", 3600, 1440),
        day_item("2026-03-29", 3600, 1440),
        day_item("2026-03-30", 7200, 1440),
    ];
    for split in [false, true] {
        let mut store = Store::open_in_memory().unwrap();
        let c = cover(date(2026, 3, 28), date(2026, 3, 30), true);
        let stats = if split {
            // Written one day per transaction: the next day is unknown when a day is written.
            let mut s = mikit_store::WriteStats::default();
            for i in &items {
                s += write_days(&mut store, std::slice::from_ref(i), c, Some(&berlin));
            }
            s
        } else {
            write_days(&mut store, &items, c, Some(&berlin))
        };
        assert_eq!(stats.minutes - stats.trimmed, minute_count(&store));
        assert_eq!(minute_count(&store), 1440 + 1380 + 1440);
        // The last minute of 03-29 (23:59 CEST) is there and still that day's.
        let account = store.find_account("huami", "1").unwrap().unwrap();
        let last = jiff::civil::date(2026, 3, 29)
            .at(23, 59, 0, 0)
            .to_zoned(berlin.clone())
            .unwrap()
            .timestamp()
            .as_second();
        let mut seen = Vec::new();
        store
            .for_each_minute(
                account,
                (i64::MIN, i64::MAX),
                false,
                |m| -> Result<(), mikit_store::Error> {
                    seen.push(m.ts);
                    Ok(())
                },
            )
            .unwrap();
        assert!(seen.contains(&last));
        assert!(seen.windows(2).all(|w| w[0] < w[1]));
    }
    // Without the zone (fixed offsets) the surplus hour is trimmed, and still counted right.
    let mut store = Store::open_in_memory().unwrap();
    let mut s = mikit_store::WriteStats::default();
    for i in &items {
        s += write_days(
            &mut store,
            std::slice::from_ref(i),
            cover(date(2026, 3, 28), date(2026, 3, 30), true),
            None,
        );
    }
    assert_eq!(s.minutes - s.trimmed, minute_count(&store));
}
