//! Workouts, reference §6 and checklist §14 (history paging, detail encodings).

use std::collections::BTreeSet;

use mikit_emulator::EmulatorConfig;
use serde_json::Value;

use crate::*;

async fn history(emu: &mikit_emulator::Emulator, app: &str, appname: &str, query: &str) -> Value {
    let r = client()
        .get(url(
            emu,
            &format!("https://api-mifit-de2.huami.com/v1/sport/run/history.json{query}"),
        ))
        .header("apptoken", app)
        .header("appPlatform", "web")
        .header("appname", appname)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["code"], 1);
    v
}

/// Follow `data.next` with `param` until -1 (ROLANDSZ scraper.py; BAIT stopTrackId).
async fn all_pages(emu: &mikit_emulator::Emulator, app: &str, param: &str) -> (Vec<Value>, usize) {
    let mut out = Vec::new();
    let mut query = String::new();
    let mut pages = 0;
    loop {
        let v = history(emu, app, "com.xiaomi.hm.health", &query).await;
        pages += 1;
        let items = v["data"]["summary"].as_array().unwrap();
        assert!(items.len() <= 200);
        out.extend(items.iter().cloned());
        let next = v["data"]["next"].as_i64().unwrap();
        if next == -1 {
            break;
        }
        query = format!("?{param}={next}");
        assert!(pages < 100);
    }
    (out, pages)
}

#[tokio::test]
async fn history_pages_newest_first_with_either_cursor() {
    let emu = start(EmulatorConfig {
        days: 3650,
        ..config()
    })
    .await;
    let (app, _, _) = session(&emu, "huami", "com.huami.webapp").await;
    let (items, pages) = all_pages(&emu, &app, "trackid").await;
    // Ten years: several hundred workouts, so paging goes well past 200.
    assert!(items.len() > 700, "{}", items.len());
    assert_eq!(pages, items.len().div_ceil(200));
    let ids: Vec<i64> = items
        .iter()
        .map(|i| i["trackid"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(
        ids.windows(2).all(|w| w[0] > w[1]),
        "newest first, no duplicates"
    );
    // Every workout exactly once, whichever cursor name the client sends (§13.3).
    for cursor in ["stopTrackId", "startTrackId"] {
        let (again, _) = all_pages(&emu, &app, cursor).await;
        assert_eq!(again, items, "{cursor}");
    }
    // The whole mix (§6.2), the unknown code 777 included.
    let types: BTreeSet<i64> = items.iter().map(|i| i["type"].as_i64().unwrap()).collect();
    assert_eq!(
        types,
        BTreeSet::from([1, 6, 8, 9, 10, 14, 15, 22, 52, 777]),
        "sports"
    );
    assert!(
        items
            .iter()
            .any(|i| i["type"] == 6 && i["auto_recognition"] == true)
    );
    // Numbers as strings where §6.1 says so.
    for it in &items {
        for k in [
            "trackid",
            "dis",
            "calorie",
            "end_time",
            "run_time",
            "avg_pace",
            "avg_frequency",
            "avg_heart_rate",
        ] {
            let s = it[k]
                .as_str()
                .unwrap_or_else(|| panic!("{k} must be a string"));
            assert!(s.parse::<f64>().is_ok(), "{k}={s}");
        }
        assert!(it["type"].is_i64(), "type is an int");
        assert!(it["total_step"].is_number());
    }
    // appname com.huami.webapp gets an empty history (JSOLAN).
    let v = history(&emu, &app, "com.huami.webapp", "").await;
    assert_eq!(v["data"]["summary"], serde_json::json!([]));
    assert_eq!(v["data"]["next"], -1);
}

#[tokio::test]
async fn workouts_are_activity_stages_of_the_band_data() {
    let emu = start(config()).await;
    let (app, _, uid) = session(&emu, "huami", "com.huami.webapp").await;
    let (items, _) = all_pages(&emu, &app, "trackid").await;
    assert!(items.len() > 10);
    let r = band_data(&emu, &app, &uid, "summary", "2026-07-01", "2026-11-10").await;
    let v: Value = r.json().await.unwrap();
    // (first minute as unix s, steps) of every band activity stage; wall-clock minutes, so
    // a workout after a DST change that day starts an hour off the naive instant.
    let mut stages = BTreeSet::new();
    for day in v["data"].as_array().unwrap() {
        let s: Value = serde_json::from_slice(&b64(day["summary"].as_str().unwrap())).unwrap();
        let d: jiff::civil::Date = day["date_time"].as_str().unwrap().parse().unwrap();
        let tz: i64 = s["tz"].as_str().unwrap().parse().unwrap();
        let midnight = d
            .to_zoned(jiff::tz::TimeZone::UTC)
            .unwrap()
            .timestamp()
            .as_second()
            - tz;
        for st in s["stp"]["stage"].as_array().unwrap() {
            stages.insert((
                midnight + st["start"].as_i64().unwrap() * 60,
                st["step"].as_u64().unwrap(),
            ));
        }
    }
    for i in &items {
        let id: i64 = i["trackid"].as_str().unwrap().parse().unwrap();
        let steps = i["total_step"].as_u64().unwrap();
        let found = [0, 3600, -3600].iter().any(|off| {
            stages
                .range((id + off, 0)..=(id + off, u64::MAX))
                .any(|(_, s)| steps == 0 || *s == steps)
        });
        assert!(found, "workout {id} is no band activity stage");
    }
}

#[tokio::test]
async fn detail_has_every_key_and_decodes() {
    let emu = start(config()).await;
    let (app, _, _) = session(&emu, "huami", "com.huami.webapp").await;
    let v = history(&emu, &app, "com.xiaomi.hm.health", "").await;
    // The newest outdoor run, ride, open-water swim or hike (a workout with a track).
    let w = v["data"]["summary"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| [1, 9, 15, 22].contains(&w["type"].as_i64().unwrap()))
        .unwrap();
    let trackid = w["trackid"].as_str().unwrap();
    let source = w["source"].as_str().unwrap();
    let r = client()
        .get(url(&emu, &format!("https://api-mifit-de2.huami.com/v1/sport/run/detail.json?trackid={trackid}&source={source}")))
        .header("apptoken", &app)
        .send()
        .await
        .unwrap();
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["code"], 1);
    let data = &d["data"];
    // §6.3 key set; absent ones are "".
    for k in [
        "trackid",
        "source",
        "longitude_latitude",
        "altitude",
        "accuracy",
        "time",
        "gait",
        "pace",
        "pause",
        "spo2",
        "flag",
        "kilo_pace",
        "mile_pace",
        "heart_rate",
        "version",
        "provider",
        "speed",
        "bearing",
        "distance",
        "lap",
        "air_pressure_altitude",
        "course",
        "correct_altitude",
        "stroke_speed",
        "cadence",
        "daily_performance_info",
        "rope_skipping_frequency",
        "weather_info",
        "coaching_segment",
        "golf_swing_rt_data",
        "power_meter",
    ] {
        assert!(!data[k].is_null(), "{k}");
        if let Some(s) = data[k].as_str() {
            assert!(
                s.is_empty() || s.ends_with(';') || k == "trackid" || k == "source",
                "{k}"
            );
        }
    }
    // Decode with the reference's pseudo-code (§6.3): an empty entry is a missing point.
    let mut t: i64 = trackid.parse().unwrap();
    let (mut lat, mut lon) = (0i64, 0i64);
    let list = |k: &str| -> Vec<&str> {
        let s = data[k].as_str().unwrap();
        s.strip_suffix(';').unwrap().split(';').collect()
    };
    let (dts, lls) = (list("time"), list("longitude_latitude"));
    assert_eq!(dts.len(), lls.len());
    assert_eq!(list("altitude").len(), lls.len());
    for (dt, ll) in dts.iter().zip(&lls) {
        t += dt.parse::<i64>().unwrap();
        if ll.is_empty() {
            continue;
        }
        let (a, b) = ll.split_once(',').unwrap();
        lat += a.parse::<i64>().unwrap();
        lon += b.parse::<i64>().unwrap();
        let (la, lo) = (lat as f64 / 1e8, lon as f64 / 1e8);
        // Near home: Berlin before the move, New York after.
        assert!(
            (52.2..52.8).contains(&la) && (13.0..13.8).contains(&lo)
                || (40.5..41.1).contains(&la) && (-74.3..-73.6).contains(&lo),
            "{la},{lo}"
        );
    }
    let end: i64 = w["end_time"].as_str().unwrap().parse().unwrap();
    assert_eq!(t, end, "the last point is at the end");
    let mut hr = 0i64;
    for pair in data["heart_rate"]
        .as_str()
        .unwrap()
        .split(';')
        .filter(|s| !s.is_empty())
    {
        let (_, dhr) = pair.split_once(',').unwrap();
        hr += dhr.parse::<i64>().unwrap();
        assert!((40..=200).contains(&hr), "{hr}");
    }
    let dist: i64 = data["distance"]
        .as_str()
        .unwrap()
        .split(';')
        .filter(|s| !s.is_empty())
        .map(|p| p.split(',').nth(1).unwrap().parse::<i64>().unwrap())
        .sum();
    assert_eq!(
        dist as f64,
        w["dis"].as_str().unwrap().parse::<f64>().unwrap()
    );
}

#[tokio::test]
async fn unknown_trackid_is_code_0_or_404() {
    for strict in [false, true] {
        let mut cfg = config();
        cfg.huami.missing_workout_404 = strict;
        let emu = start(cfg).await;
        let (app, _, _) = session(&emu, "huami", "com.huami.webapp").await;
        let r = client()
            .get(url(&emu, "https://api-mifit.huami.com/v1/sport/run/detail.json?trackid=123&source=run.mifit.huami.com"))
            .header("apptoken", &app)
            .send()
            .await
            .unwrap();
        if strict {
            assert_eq!(r.status(), 404);
        } else {
            assert_eq!(r.status(), 200);
            assert_eq!(r.json::<Value>().await.unwrap()["code"], 0);
        }
    }
}

async fn detail(emu: &mikit_emulator::Emulator, app: &str, item: &Value) -> Value {
    let trackid = item["trackid"].as_str().unwrap();
    let source = item["source"].as_str().unwrap();
    let r = client()
        .get(url(emu, &format!("https://api-mifit-de2.huami.com/v1/sport/run/detail.json?trackid={trackid}&source={source}")))
        .header("apptoken", app)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["code"], 1);
    v["data"].clone()
}

// The client's decoder (mikit-huami) reads every sport's detail: a point per `time` entry, as
// many positioned ones as non-empty `longitude_latitude` entries (none for indoor sports),
// heart rate everywhere.
#[tokio::test]
async fn every_sport_detail_decodes_with_the_client_decoder() {
    let emu = start(EmulatorConfig {
        days: 400,
        ..config()
    })
    .await;
    let (app, _, _) = session(&emu, "huami", "com.huami.webapp").await;
    let (items, _) = all_pages(&emu, &app, "trackid").await;
    let mut seen = BTreeSet::new();
    for item in &items {
        let ty = item["type"].as_i64().unwrap();
        if !seen.insert(ty) {
            continue;
        }
        let d = detail(&emu, &app, item).await;
        let ll = d["longitude_latitude"].as_str().unwrap();
        let fixes = ll.split(';').filter(|e| !e.is_empty()).count();
        let track = mikit_huami::workout::decode_workout_detail(&d);
        assert_eq!(track.route().count(), fixes, "type {ty}");
        let times = d["time"]
            .as_str()
            .unwrap()
            .split(';')
            .filter(|e| !e.is_empty());
        assert_eq!(
            track.points.len(),
            times.count(),
            "type {ty}: one point per entry"
        );
        assert_eq!(
            fixes > 0,
            [1, 9, 15, 22].contains(&ty),
            "type {ty}: GPS or not"
        );
        assert!(!track.heart_rate.is_empty(), "type {ty}");
        if ty == 14 {
            assert!(!d["lap"].as_str().unwrap().is_empty(), "pool lengths");
            assert_eq!(item["max_altitude"], -20000, "no altitude in a pool");
        }
    }
    assert!(seen.len() >= 8, "{seen:?}");
}

// Issue 11: a client re-fetches a detail only when its summary changed. The test hook edits
// one workout's title as the app does: `sport_title` and `updateTime` change, nothing else.
#[tokio::test]
async fn an_edited_workout_changes_its_summary_only() {
    let emu = start(config()).await;
    let (app, _, _) = session(&emu, "huami", "com.huami.webapp").await;
    let (before, _) = all_pages(&emu, &app, "trackid").await;
    let target = &before[3];
    let id: i64 = target["trackid"].as_str().unwrap().parse().unwrap();
    let detail_before = detail(&emu, &app, target).await;
    let updated = emu
        .edit_workout("huami", id, "Sunday loop with Anna")
        .expect("known workout");
    assert!(updated > target["updateTime"].as_i64().unwrap());
    let (after, _) = all_pages(&emu, &app, "trackid").await;
    assert_eq!(after.len(), before.len());
    for (a, b) in after.iter().zip(&before) {
        if a["trackid"] == target["trackid"] {
            assert_eq!(a["sport_title"], "Sunday loop with Anna");
            assert_eq!(a["updateTime"], updated);
            assert_eq!(a["createTime"], b["createTime"]);
            let mut a = a.clone();
            a["sport_title"] = b["sport_title"].clone();
            a["updateTime"] = b["updateTime"].clone();
            assert_eq!(&a, b, "only the title and updateTime change");
        } else {
            assert_eq!(a, b);
        }
    }
    assert_eq!(detail(&emu, &app, target).await, detail_before);
    // A second edit moves updateTime on again; unknown workouts and accounts are refused.
    assert!(emu.edit_workout("huami", id, "x").unwrap() > updated);
    assert_eq!(emu.edit_workout("huami", 123, "x"), None);
    assert_eq!(emu.edit_workout("nobody", id, "x"), None);
}
