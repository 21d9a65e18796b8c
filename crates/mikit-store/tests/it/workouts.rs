//! Workout tables (issue 11, "Store"): write / replace / read round trips, absent values,
//! filters, summary hashes, re-decoding from the raw payloads, and the content digest.

use jiff::civil::date;
use mikit_store::{
    AccountId, LapRow, PauseRow, Store, SyncState, WorkoutData, WorkoutFilter, WorkoutPointRow,
    WorkoutRow,
};

/// 2026-03-02 08:00:00 UTC.
pub(crate) const T0: i64 = 1_772_438_400;

pub(crate) fn account(store: &mut Store) -> AccountId {
    store.upsert_account("huami", "7", None).unwrap()
}

pub(crate) fn raw_summary(trackid: i64, sport: i64, title: &str) -> String {
    serde_json::json!({"trackid": trackid.to_string(), "type": sport, "sport_title": title})
        .to_string()
}

/// A run with a GPS track whose first fixes have no position and no altitude, and a
/// heart-rate-only tail: every stream has absent values.
pub(crate) fn run(trackid: i64, points: usize) -> WorkoutData {
    let points = (0..points)
        .map(|i| {
            let i64_i = i as i64;
            let f = i as f64;
            WorkoutPointRow {
                time: Some(trackid + 2 * i64_i),
                lat: (i >= 2).then_some(52.5 + f * 1e-5),
                lon: (i >= 2).then_some(13.35 + f * 1e-5),
                altitude_m: (i >= 3).then_some(34.17),
                accuracy_m: (i % 2 == 0).then_some(4.0),
                heart_rate: Some(120 + i64_i % 30),
                cadence: (i % 5 == 0).then_some(168),
                stride_cm: None,
                speed_mps: Some(2.87),
                distance_m: Some(f * 5.74),
                pace: Some(0.35),
                power_w: None,
            }
        })
        .collect();
    WorkoutData {
        workout: WorkoutRow {
            trackid,
            start: trackid,
            end: Some(trackid + 1800),
            sport: 1,
            source: Some("run.mifit.huami.com".into()),
            title: None,
            time_zone: Some("Europe/Berlin".into()),
            auto_detected: Some(false),
            distance_m: Some(5012.0),
            duration_s: Some(1790),
            pause_s: None,
            kcal: Some(345.0),
            avg_hr: Some(151.5),
            max_hr: Some(178),
            min_hr: None,
            steps: Some(5100),
            avg_pace: Some(0.357),
            ..WorkoutRow::default()
        },
        points,
        laps: vec![
            LapRow {
                kind: "km".into(),
                duration_s: Some(327.0),
                distance_m: Some(1000.0),
                cumulative_s: Some(327.0),
                lat: Some(52.51),
                lon: Some(13.36),
                ..LapRow::default()
            },
            LapRow {
                kind: "km".into(),
                duration_s: Some(322.0),
                cumulative_s: Some(649.0),
                ..LapRow::default()
            },
        ],
        pauses: vec![PauseRow {
            start: Some(trackid + 600),
            end: Some(trackid + 660),
            start_index: Some(100),
            stop_index: Some(123),
            kind: Some(2),
        }],
    }
}

/// A pool swim: no points, lengths as laps, an unknown field set.
pub(crate) fn swim(trackid: i64) -> WorkoutData {
    WorkoutData {
        workout: WorkoutRow {
            trackid,
            start: trackid,
            end: Some(trackid + 1200),
            sport: 14,
            time_zone: None,
            swolf: Some(42),
            strokes: Some(400),
            trips: Some(20),
            pool_length_m: Some(25),
            ..WorkoutRow::default()
        },
        laps: vec![LapRow {
            kind: "length".into(),
            strokes: Some(20),
            swim_style: Some(1),
            ..LapRow::default()
        }],
        ..WorkoutData::default()
    }
}

#[test]
fn a_workout_round_trips_with_absent_values_absent() {
    let mut store = Store::open_in_memory().unwrap();
    let a = account(&mut store);
    let data = run(T0, 50);
    let summary = raw_summary(T0, 1, "");
    let detail = r#"{"trackid":"1772438400","time":"0;2;2;"}"#;
    store
        .write_workout(a, &summary, Some(detail), &data)
        .unwrap();

    let got = store.workout(a, T0).unwrap().unwrap();
    assert_eq!(got.workout.row, data.workout);
    assert_eq!(got.points, data.points);
    assert_eq!(got.laps, data.laps);
    assert_eq!(got.pauses, data.pauses);
    assert_eq!(got.points[0].lat, None, "absent stays absent, not 0");
    assert_eq!(got.points[0].altitude_m, None);
    assert_eq!(got.workout.row.min_hr, None);
    assert_eq!(got.workout.points, 50);
    assert!(got.workout.has_track && got.workout.has_detail);
    // 08:00 UTC is 09:00 in Berlin (CET).
    assert_eq!(
        (got.workout.date, got.workout.tz_offset),
        (date(2026, 3, 2), 3600)
    );

    let mut streamed = Vec::new();
    store
        .for_each_workout_point(a, T0, |p| {
            streamed.push(*p);
            Ok::<(), mikit_store::Error>(())
        })
        .unwrap();
    assert_eq!(streamed, data.points);

    let raw = store.raw_workout(a, T0).unwrap().unwrap();
    assert_eq!(
        (raw.summary.as_str(), raw.detail.as_deref()),
        (summary.as_str(), Some(detail))
    );
    assert!(store.workout(a, T0 + 1).unwrap().is_none());
    assert!(store.raw_workout(a, T0 + 1).unwrap().is_none());
}

#[test]
fn writing_a_workout_again_replaces_every_row() {
    let mut store = Store::open_in_memory().unwrap();
    let a = account(&mut store);
    let summary = raw_summary(T0, 1, "");
    store
        .write_workout(a, &summary, Some("{}"), &run(T0, 80))
        .unwrap();
    let mut shorter = run(T0, 10);
    shorter.laps.truncate(1);
    shorter.pauses.clear();
    shorter.workout.title = Some("evening run".into());
    let summary2 = raw_summary(T0, 1, "evening run");
    store
        .write_workout(a, &summary2, Some("{\"x\":1}"), &shorter)
        .unwrap();
    let got = store.workout(a, T0).unwrap().unwrap();
    assert_eq!(
        (got.points.len(), got.laps.len(), got.pauses.len()),
        (10, 1, 0)
    );
    assert_eq!(got.workout.row.title.as_deref(), Some("evening run"));
    // Same content as writing only the second version.
    let mut other = Store::open_in_memory().unwrap();
    let b = account(&mut other);
    other
        .write_workout(b, &summary2, Some("{\"x\":1}"), &shorter)
        .unwrap();
    assert_eq!(
        other.content_digest().unwrap(),
        store.content_digest().unwrap()
    );
    let counts = store.table_counts().unwrap();
    assert!(counts.contains(&("workouts", 1)) && counts.contains(&("workout_points", 10)));
}

#[test]
fn lists_filter_by_local_day_and_sport() {
    let mut store = Store::open_in_memory().unwrap();
    let a = account(&mut store);
    // 23:30 UTC on 03-01 is already 03-02 in Berlin.
    let late = T0 - 8 * 3600 - 1800;
    for (t, data) in [
        (late, run(late, 3)),
        (T0, run(T0, 3)),
        (T0 + 86_400, swim(T0 + 86_400)),
    ] {
        store
            .write_workout(a, &raw_summary(t, data.workout.sport, ""), None, &data)
            .unwrap();
    }
    let all = store.workouts(a, &WorkoutFilter::default()).unwrap();
    let ids: Vec<i64> = all.iter().map(|w| w.row.trackid).collect();
    assert_eq!(ids, [late, T0, T0 + 86_400], "oldest first");
    assert_eq!(all[0].date, date(2026, 3, 2));
    // No zone and no band day: UTC.
    assert_eq!((all[2].tz_offset, all[2].date), (0, date(2026, 3, 3)));
    assert!(!all[2].has_track && all[2].points == 0);
    let day = WorkoutFilter {
        from: Some(date(2026, 3, 2)),
        to: Some(date(2026, 3, 2)),
        sport: None,
    };
    assert_eq!(store.workouts(a, &day).unwrap().len(), 2);
    let swims = WorkoutFilter {
        sport: Some(14),
        ..WorkoutFilter::default()
    };
    let got = store.workouts(a, &swims).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].row.trips, Some(20));
    let unknown = WorkoutFilter {
        sport: Some(777),
        ..WorkoutFilter::default()
    };
    assert!(store.workouts(a, &unknown).unwrap().is_empty());
    let json = serde_json::to_value(&got[0]).unwrap();
    assert_eq!(json["date"], "2026-03-03");
    assert_eq!(json["sport"], 14);
    assert!(json["distance_m"].is_null());
}

#[test]
fn without_a_zone_the_band_day_gives_the_local_day() {
    let mut store = Store::open_in_memory().unwrap();
    super::write_all(&mut store, &super::items("band_data_day.json"));
    let a = store.find_account("huami", "1000000001").unwrap().unwrap();
    let day = store.day_rows(a, None, None).unwrap().remove(0);
    // 00:30 local time on that day: the day before in UTC.
    let t = day.local_midnight + 1800;
    let mut data = swim(t);
    data.workout.time_zone = Some("Not/AZone".into());
    store.write_workout(a, "{}", None, &data).unwrap();
    let w = &store.workouts(a, &WorkoutFilter::default()).unwrap()[0];
    assert_eq!((w.tz_offset, w.date.to_string()), (day.tz_offset, day.date));
}

#[test]
fn the_summary_hash_says_when_to_fetch_the_detail() {
    let mut store = Store::open_in_memory().unwrap();
    let a = account(&mut store);
    let s1 = raw_summary(T0, 1, "");
    store.write_workout(a, &s1, None, &run(T0, 0)).unwrap();
    let stored = store.workout_summary(a, T0).unwrap().unwrap();
    assert_eq!(stored.sha256, mikit_store::summary_sha256(&s1));
    assert!(stored.needs_detail(&s1), "no detail yet");
    store
        .write_workout(a, &s1, Some("{}"), &run(T0, 5))
        .unwrap();
    let stored = store.workout_summaries(a).unwrap()[&T0];
    assert!(!stored.needs_detail(&s1));
    assert!(stored.needs_detail(&raw_summary(T0, 1, "renamed")));
    assert!(store.workout_summary(a, 1).unwrap().is_none());
}

#[test]
fn redecode_rebuilds_workouts_from_the_raw_payloads() {
    let mut store = Store::open_in_memory().unwrap();
    let a = account(&mut store);
    let (s1, s2) = (raw_summary(T0, 1, ""), raw_summary(T0 + 99, 14, ""));
    store
        .write_workout(a, &s1, Some("d1"), &run(T0, 20))
        .unwrap();
    store.write_workout(a, &s2, None, &swim(T0 + 99)).unwrap();
    let before = store.content_digest().unwrap();
    let decode = |summary: &str, detail: Option<&str>| -> Result<WorkoutData, String> {
        match (summary, detail) {
            (s, Some("d1")) if s == s1 => Ok(run(T0, 20)),
            (s, None) if s == s2 => Ok(swim(T0 + 99)),
            other => Err(format!("unexpected {other:?}")),
        }
    };
    assert_eq!(store.redecode_workouts(a, decode).unwrap(), (2, vec![]));
    assert_eq!(store.content_digest().unwrap(), before);
    let (n, failed) = store
        .redecode_workouts(a, |_, _| Err::<WorkoutData, _>("bad"))
        .unwrap();
    assert_eq!((n, failed.len()), (0, 2));
    assert!(
        store
            .workouts(a, &WorkoutFilter::default())
            .unwrap()
            .is_empty()
    );
    assert!(
        store.workout_summary(a, T0).unwrap().is_none(),
        "fetched again"
    );
    assert!(
        store.raw_workout(a, T0).unwrap().is_some(),
        "raw payloads stay"
    );
    store.redecode_workouts(a, decode).unwrap();
    assert_eq!(store.content_digest().unwrap(), before);
}

#[test]
fn the_digest_covers_workouts_and_the_workouts_sync_state() {
    let mut store = Store::open_in_memory().unwrap();
    let a = account(&mut store);
    let empty = store.content_digest().unwrap();
    store
        .write_workout(a, &raw_summary(T0, 1, ""), Some("{}"), &run(T0, 5))
        .unwrap();
    let one = store.content_digest().unwrap();
    assert_ne!(one, empty);
    let mut changed = run(T0, 5);
    changed.points[4].heart_rate = None;
    store
        .write_workout(a, &raw_summary(T0, 1, ""), Some("{}"), &changed)
        .unwrap();
    assert_ne!(store.content_digest().unwrap(), one, "one point's value");
    let state = SyncState {
        first_date: Some(date(2016, 1, 1)),
        last_date: Some(date(2026, 3, 2)),
        synced_through: date(2026, 3, 2),
    };
    store.set_sync_state(a, "workouts", &state).unwrap();
    assert_eq!(store.sync_state(a, "workouts").unwrap(), Some(state));
    assert!(store.sync_state(a, "band_data").unwrap().is_none());
}
