//! The numbers a person looks at, from a store synced from the emulator: they agree with the
//! day rows (what `mikit fit show --json` prints), absent metrics stay absent, long ranges are
//! aggregated, heart-rate curves break at gaps.

use jiff::ToSpan as _;
use jiff::civil::{Date, date};
use mikit_app::shutdown::Shutdown;
use mikit_app::stats::{self, Bucket, HR_GAP_SECS, Metrics};
use mikit_store::Store;

use crate::fit::{TODAY, TempDir, client, emulator, sync};

/// A store with `days` of emulated history.
async fn synced(days: u32, name: &str) -> (TempDir, Store) {
    let emu = emulator(days).await;
    let dir = TempDir::new(name);
    let c = client(&emu).await;
    let (outcome, _) = sync(&c, &dir.db(), &Shutdown::new(), |_| {}).await;
    outcome.unwrap();
    emu.shutdown().await;
    let store = Store::open(&dir.db()).unwrap();
    (dir, store)
}

fn mean(v: &[i64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<i64>() as f64 / v.len() as f64)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overview_agrees_with_the_day_rows() {
    let (_dir, store) = synced(60, "overview").await;
    let account = stats::account(&store).unwrap();
    let o = stats::overview(&store, account, TODAY).unwrap();
    let latest = o.latest.as_ref().expect("a latest day");
    let rows = store.day_rows(account, None, None).unwrap();
    let last = rows.iter().rev().find(|d| d.steps.is_some()).unwrap();
    assert_eq!(latest.date.to_string(), last.date);
    assert_eq!(latest.steps, last.steps);
    // The 7-day mean is the mean over the days that have steps, computed independently.
    let from = latest.date.saturating_sub(6.days()).to_string();
    let week: Vec<i64> = rows
        .iter()
        .filter(|d| d.date >= from && d.date <= last.date)
        .filter_map(|d| d.steps)
        .collect();
    assert_eq!(o.last_7.steps, mean(&week));
    assert_eq!(o.last_7.days_with_steps as usize, week.len());
    assert!(o.previous_28.to.unwrap() < o.last_7.from.unwrap());
    // Last night: stages in time order, inside the night, totals from the day row.
    let night = o.last_night.as_ref().expect("a night");
    assert!(!night.stages.is_empty());
    assert!(night.stages.windows(2).all(|w| w[0].start <= w[1].start));
    let row = rows
        .iter()
        .find(|d| d.date == night.date.to_string())
        .unwrap();
    assert_eq!(night.asleep_min, row.sleep_total());
    assert!(o.resting_hr.iter().all(|(d, _)| *d <= latest.date));
    // Long after the last sync, the overview is still about the latest synced day.
    let later = stats::overview(&store, account, TODAY.saturating_add(400.days())).unwrap();
    assert_eq!(later.latest, o.latest);
    // JSON is what the API serves.
    let json = serde_json::to_value(&o).unwrap();
    assert_eq!(json["latest"]["date"], last.date.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn series_aggregate_long_ranges_and_leave_gaps_absent() {
    let (_dir, store) = synced(800, "series").await;
    let account = stats::account(&store).unwrap();
    let range = (TODAY.saturating_sub(799.days()), TODAY);
    let s = stats::series(&store, account, Metrics::Activity, range, None).unwrap();
    assert_eq!(s.bucket, Bucket::Month);
    assert!(s.points.len() <= 28, "{}", s.points.len());
    // The months' day counts add up to the days with steps.
    let rows = store
        .day_rows(account, Some(range.0), Some(range.1))
        .unwrap();
    let with_steps = rows.iter().filter(|d| d.steps.is_some()).count();
    assert_eq!(
        s.points.iter().map(|p| p.days as usize).sum::<usize>(),
        with_steps
    );
    assert!(s.points.iter().all(|p| p.start.day() == 1));
    // Days: one point per day with data, the value the day row has.
    let d = stats::series(
        &store,
        account,
        Metrics::Activity,
        (TODAY.saturating_sub(9.days()), TODAY),
        None,
    )
    .unwrap();
    assert_eq!(d.bucket, Bucket::Day);
    for p in &d.points {
        let row = rows.iter().find(|r| r.date == p.start.to_string()).unwrap();
        assert_eq!(p.values[0], row.steps.map(|v| v as f64));
    }
    // Weeks start on Monday.
    let w = stats::series(&store, account, Metrics::Sleep, range, Some(Bucket::Week)).unwrap();
    assert!(
        w.points
            .iter()
            .all(|p| p.start.weekday() == jiff::civil::Weekday::Monday)
    );
    // A range before any data: no points, not zeros.
    let empty = stats::series(
        &store,
        account,
        Metrics::Heart,
        (date(2001, 1, 1), date(2001, 3, 1)),
        None,
    )
    .unwrap();
    assert!(empty.points.is_empty());
    assert!(matches!(
        stats::series(
            &store,
            account,
            Metrics::Heart,
            (TODAY, date(2001, 1, 1)),
            None
        ),
        Err(stats::Error::EmptyRange { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heart_rate_days_break_at_gaps_and_coverage_counts_days() {
    let (_dir, store) = synced(30, "heart").await;
    let account = stats::account(&store).unwrap();
    let day: Date = TODAY.saturating_sub(3.days());
    let h = stats::heart_day(&store, account, day).unwrap().unwrap();
    assert!(!h.segments.is_empty());
    let all: Vec<_> = h.segments.iter().flatten().collect();
    assert!(all.windows(2).all(|w| w[0].ts < w[1].ts));
    for seg in &h.segments {
        assert!(seg.windows(2).all(|w| w[1].ts - w[0].ts <= HR_GAP_SECS));
    }
    for pair in h.segments.windows(2) {
        let gap = pair[1][0].ts - pair[0].last().unwrap().ts;
        assert!(gap > HR_GAP_SECS, "segments split only at gaps: {gap}");
    }
    assert_eq!(h.min, all.iter().map(|s| s.bpm).min());
    // Every sample is one of the stored minutes' heart rates.
    let mut stored = 0;
    let start = all[0].ts;
    store
        .for_each_minute::<mikit_store::Error, _>(account, (start, start + 59), true, |m| {
            assert_eq!(m.heart_rate, Some(all[0].bpm));
            stored += 1;
            Ok(())
        })
        .unwrap();
    assert_eq!(stored, 1);
    assert!(
        stats::heart_day(&store, account, date(2001, 1, 1))
            .unwrap()
            .is_none()
    );

    let c = stats::coverage(&store, account).unwrap();
    assert_eq!(c[0].stream, "band_data");
    assert!(!c[0].never_synced);
    assert_eq!(c[0].days_not_fetched, 0);
    let rows = store.day_rows(account, None, None).unwrap();
    assert_eq!(
        c[0].days_with_data as usize,
        rows.iter()
            .filter(|d| d.steps.is_some() || d.minutes > 0)
            .count()
    );
}

#[test]
fn an_empty_store_has_no_account() {
    let dir = TempDir::new("empty");
    let store = Store::open(&dir.db()).unwrap();
    let err = stats::account(&store).unwrap_err();
    assert!(err.to_string().contains("mikit fit sync"), "{err}");
}
