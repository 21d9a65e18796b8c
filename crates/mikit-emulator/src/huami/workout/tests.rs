use std::collections::BTreeMap;

use super::detail::{DETAIL_KEYS, build};
use super::*;
use crate::config::SleepAnchor;
use crate::huami::device;

const TODAY: jiff::civil::Date = jiff::civil::date(2026, 11, 10);

fn demo_salt() -> u64 {
    crate::rng::label("demo@mikit.example")
}

fn history(days: u32) -> History {
    History::new(1, TODAY, days, 1000, SleepAnchor::WakeDay)
}

fn entries(s: &str) -> Vec<&str> {
    let mut v: Vec<&str> = s.split(';').collect();
    assert_eq!(
        v.pop(),
        Some(""),
        "a non-empty stream ends with ';': {s:.80}"
    );
    v
}

fn stream<'a>(d: &'a serde_json::Value, k: &str) -> Vec<&'a str> {
    let s = d[k].as_str().unwrap();
    if s.is_empty() { Vec::new() } else { entries(s) }
}

fn col(e: &str, i: usize) -> i64 {
    e.split(',').nth(i).unwrap().parse().unwrap()
}

#[test]
fn ten_years_hold_about_800_workouts_of_every_sport() {
    let all = index(&history(3650), demo_salt());
    let mut by: BTreeMap<i64, usize> = BTreeMap::new();
    for w in &all {
        *by.entry(w.sport.code()).or_default() += 1;
    }
    assert!(
        (700..=950).contains(&all.len()),
        "{} workouts: {by:?}",
        all.len()
    );
    for s in Sport::ALL {
        assert!(
            by.get(&s.code()).copied().unwrap_or(0) > 0,
            "{s:?} missing: {by:?}"
        );
    }
    assert!(all.windows(2).all(|p| p[0].trackid > p[1].trackid));
}

#[test]
fn workouts_are_band_stages_with_the_band_heart_rate() {
    let h = history(400);
    let all = index(&h, demo_salt());
    assert!(all.len() > 50);
    for w in &all {
        let day = h.day(demo_salt(), w.date).unwrap();
        let stage = day
            .activity
            .iter()
            .find(|a| a.start == w.start)
            .expect("the workout's minutes are an activity stage");
        assert_eq!(i64::from(stage.stop - stage.start + 1) * 60, w.elapsed);
        assert_eq!(stage.step, w.steps);
        assert_eq!(stage.mode, w.sport.band_mode());
        let hrs: Vec<u32> = (stage.start..=stage.stop)
            .map(|m| u32::from(day.hr[m as usize]))
            .filter(|h| *h < 254)
            .collect();
        assert_eq!(hrs.iter().sum::<u32>() / hrs.len() as u32, w.avg_hr);
        // The heart rate is that of the sport, well above rest.
        assert!(w.avg_hr > u32::from(day.rhr) + 20, "{w:?}");
        // The instant of the wall-clock minute (an hour off after a DST change that day).
        let naive = day.midnight + i64::from(w.start) * 60;
        assert!([0, 3600, -3600].contains(&(w.trackid - naive)), "{w:?}");
        assert!(w.moving() > 0 && w.moving() <= w.elapsed);
    }
}

/// Every detail stream, checked against the summary and decoded by the client's decoder.
fn check_detail(w: &Workout, day: &Day, dev: &crate::huami::Device) {
    let (d, g) = build(w, day, dev);
    for k in DETAIL_KEYS {
        match k {
            "version" => assert!(d[k].is_number()),
            "trackid" | "source" => assert!(!d[k].as_str().unwrap().is_empty()),
            _ => {
                let _ = stream(&d, k); // present, a string, trailing ';'
            }
        }
    }
    let code = w.sport.code();
    let times = stream(&d, "time");
    let ll = stream(&d, "longitude_latitude");
    let alt = stream(&d, "altitude");
    let acc = stream(&d, "accuracy");
    assert_eq!(times.len(), ll.len(), "{code}");
    assert_eq!(alt.len(), ll.len(), "{code}");
    assert_eq!(acc.len(), ll.len(), "{code}");
    assert_eq!(g.entries, ll.len());
    if w.sport.gps() {
        assert!(ll.len() > 100, "{code}");
        let elapsed: i64 = times.iter().map(|t| t.parse::<i64>().unwrap()).sum();
        assert_eq!(elapsed, w.elapsed, "{code}");
        assert_eq!(alt[0], "-2000000", "a leading invalid altitude");
        assert!(alt.iter().any(|a| *a != "-2000000"));
        assert_eq!(ll.iter().filter(|e| e.is_empty()).count(), g.missing);
    } else {
        assert!(ll.is_empty(), "no GPS for {code}");
    }
    let dist: i64 = stream(&d, "distance").iter().map(|e| col(e, 1)).sum();
    if w.sport.gps() || w.sport == Sport::Treadmill {
        assert_eq!(dist, i64::from(w.dis), "{code}");
    }
    if w.sport.steps() {
        let steps: i64 = stream(&d, "gait").iter().map(|e| col(e, 1)).sum();
        assert_eq!(steps, i64::from(w.steps), "{code}");
    }
    // Pauses match gaps of the time stream.
    let mut cum = vec![0i64];
    for t in &times {
        cum.push(cum.last().unwrap() + t.parse::<i64>().unwrap());
    }
    let cum = &cum[1..];
    for p in stream(&d, "pause") {
        let (start, len, a, b, kind) = (col(p, 0), col(p, 1), col(p, 2), col(p, 3), col(p, 4));
        assert!(kind == 2 || kind == 3);
        if w.sport.gps() {
            let (a, b) = (a as usize, b as usize);
            assert!(w.trackid + cum[a] <= start, "{p}");
            assert_eq!(w.trackid + cum[b], start + len, "{p}");
            assert_eq!(b, a + 1, "no point inside a pause");
        }
    }
    if w.sport == Sport::PoolSwim {
        let laps = stream(&d, "lap");
        let metres: u32 = laps.iter().map(|l| col(l, 2) as u32).sum();
        assert_eq!(metres, w.dis);
        assert!(laps.iter().all(|l| l.split(',').count() == 21), "{laps:?}");
        // The client's decoder reads them as sets of lengths, each ending after the last.
        let t = mikit_huami::workout::decode_workout_detail(&d);
        assert_eq!(t.laps.len(), laps.len());
        assert!(
            t.laps
                .windows(2)
                .all(|p| p[1].end_offset_s > p[0].end_offset_s)
        );
        assert!(t.laps.iter().all(|l| l.strokes.is_some_and(|s| s > 0)));
    }
    // The client's decoder agrees on what was generated.
    let t = mikit_huami::workout::decode_workout_detail(&d);
    assert_eq!(t.points.len(), g.entries, "{code}");
    assert_eq!(t.route().count(), g.entries - g.missing, "{code}");
    assert_eq!(t.heart_rate.len(), g.heart_rate, "{code}");
    assert!(g.heart_rate > 0);
    let (lo, hi) = (u16::from(w.min_hr) - 3, u16::from(w.max_hr) + 3);
    assert!(
        t.heart_rate
            .iter()
            .all(|h| (lo..=hi).contains(&u16::from(h.bpm))),
        "{code}"
    );
    assert!(t.heart_rate.last().unwrap().ts < w.end_time());
    // Continuous: no jump faster than the sport allows between two decoded points.
    let max_speed = if w.sport == Sport::Ride { 25.0 } else { 9.0 };
    let route: Vec<_> = t.route().collect();
    for p in route.windows(2) {
        let ((a, pa), (b, pb)) = (p[0], p[1]);
        let dy = (pb.lat - pa.lat) * 111_320.0;
        let dx = (pb.lon - pa.lon) * 111_320.0 * pa.lat.to_radians().cos();
        let dt = (b.ts - a.ts).max(1) as f64;
        assert!(dx.hypot(dy) / dt < max_speed, "{code}: {p:?}");
    }
}

#[test]
fn details_of_every_sport_decode_to_what_was_generated() {
    let h = history(3650);
    let all = index(&h, demo_salt());
    let dev = device(1, demo_salt());
    let mut seen = BTreeMap::new();
    let mut paused = 0;
    let mut missing = 0;
    for w in &all {
        let n = seen.entry(w.sport.code()).or_insert(0);
        if *n >= 6 {
            continue;
        }
        *n += 1;
        paused += usize::from(!w.pauses.is_empty());
        let day = h.day(demo_salt(), w.date).unwrap();
        missing += build(w, &day, &dev).1.missing;
        check_detail(w, &day, &dev);
    }
    assert_eq!(seen.len(), Sport::ALL.len());
    assert!(paused > 3 && missing > 0, "{paused} {missing}");
}

#[test]
fn summaries_use_the_sentinels_of_their_sport() {
    let h = history(3650);
    let all = index(&h, demo_salt());
    let dev = device(1, demo_salt());
    let item = |s: Sport| {
        let w = all.iter().find(|w| w.sport == s).unwrap();
        summary_item(w, &dev, None)
    };
    let strength = item(Sport::Strength);
    assert_eq!(strength["type"], 52);
    assert_eq!(strength["max_altitude"], -20000);
    assert_eq!(strength["avg_temperature"], -274.0);
    assert_eq!(strength["average_angle"], -361);
    assert_eq!(strength["swolf"], -1);
    assert!(
        strength["strength_training_group"]
            .as_str()
            .unwrap()
            .starts_with("[{\"actionType\"")
    );
    let swim = item(Sport::PoolSwim);
    assert!(swim["swolf"].as_i64().unwrap() > 20);
    assert!(swim["total_trips"].as_i64().unwrap() > 10);
    assert_eq!(swim["max_altitude"], -20000);
    let run = item(Sport::Run);
    assert!(run["max_altitude"].as_i64().unwrap() > 0);
    assert_eq!(run["swolf"], -1);
    assert_eq!(item(Sport::Walk)["auto_recognition"], true);
    assert_eq!(run["auto_recognition"], false);
    assert_eq!(item(Sport::Unknown)["type"], 777);
    for k in [
        "trackid",
        "dis",
        "calorie",
        "end_time",
        "run_time",
        "avg_pace",
        "avg_heart_rate",
    ] {
        assert!(run[k].is_string(), "{k}");
    }
    assert_eq!(run.as_object().unwrap().len(), 155);
    assert_eq!(run["createTime"], run["updateTime"]);
}

#[test]
fn output_is_deterministic_for_a_seed() {
    let dev = device(1, demo_salt());
    let detail_of = |seed: u64| {
        let h = History::new(seed, TODAY, 120, 1000, SleepAnchor::WakeDay);
        let all = index(&h, demo_salt());
        let w = all.iter().find(|w| w.sport.gps()).unwrap().clone();
        let day = h.day(demo_salt(), w.date).unwrap();
        (summary_item(&w, &dev, None), build(&w, &day, &dev).0)
    };
    assert_eq!(detail_of(5), detail_of(5));
    assert_ne!(detail_of(5), detail_of(6));
}
