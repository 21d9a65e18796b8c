//! mikit-store against real band-data payloads (see tests/data/PROVENANCE.md).

use jiff::civil::date;
use mikit_store::{DayWrite, Store};

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
    store
        .write_band_days(account, &writes, "band_data", through)
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

#[test]
fn sync_state_only_moves_forward() {
    let mut store = Store::open_in_memory().unwrap();
    let account = store.upsert_account("huami", "1", None).unwrap();
    store
        .write_band_days(account, &[], "band_data", date(2026, 3, 1))
        .unwrap();
    store
        .write_band_days(account, &[], "band_data", date(2026, 2, 1))
        .unwrap();
    let s = store.sync_state(account, "band_data").unwrap().unwrap();
    assert_eq!(s.synced_through, date(2026, 3, 1));
    assert_eq!(s.last_date, None);
}
