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
        days: 1200,
        ..config()
    })
    .await;
    let (app, _, _) = session(&emu, "huami", "com.huami.webapp").await;
    let (items, pages) = all_pages(&emu, &app, "trackid").await;
    assert!(items.len() > 200, "{}", items.len());
    assert!(pages >= 2);
    let ids: Vec<i64> = items
        .iter()
        .map(|i| i["trackid"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(
        ids.windows(2).all(|w| w[0] > w[1]),
        "newest first, no duplicates"
    );
    let (again, _) = all_pages(&emu, &app, "stopTrackId").await;
    assert_eq!(again, items);
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
        assert_eq!(it["type"], 1);
        assert!(it["total_step"].is_number());
    }
    // appname com.huami.webapp gets an empty history (JSOLAN).
    let v = history(&emu, &app, "com.huami.webapp", "").await;
    assert_eq!(v["data"]["summary"], serde_json::json!([]));
    assert_eq!(v["data"]["next"], -1);
}

#[tokio::test]
async fn workouts_are_the_runs_of_the_band_data() {
    let emu = start(config()).await;
    let (app, _, uid) = session(&emu, "huami", "com.huami.webapp").await;
    let (items, _) = all_pages(&emu, &app, "trackid").await;
    assert!(items.len() > 10);
    let r = band_data(&emu, &app, &uid, "summary", "2026-07-01", "2026-11-10").await;
    let v: Value = r.json().await.unwrap();
    let mut runs = BTreeSet::new();
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
            if st["mode"] == 4 {
                runs.insert((
                    midnight + st["start"].as_i64().unwrap() * 60,
                    st["step"].as_u64().unwrap(),
                    st["dis"].as_u64().unwrap(),
                ));
            }
        }
    }
    let from_history: BTreeSet<(i64, u64, u64)> = items
        .iter()
        .map(|i| {
            (
                i["trackid"].as_str().unwrap().parse().unwrap(),
                i["total_step"].as_u64().unwrap(),
                i["dis"].as_str().unwrap().parse::<f64>().unwrap() as u64,
            )
        })
        .collect();
    assert_eq!(from_history, runs);
}

#[tokio::test]
async fn detail_has_every_key_and_decodes() {
    let emu = start(config()).await;
    let (app, _, _) = session(&emu, "huami", "com.huami.webapp").await;
    let v = history(&emu, &app, "com.xiaomi.hm.health", "").await;
    let w = &v["data"]["summary"][0];
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
    // Decode with the reference's pseudo-code (§6.3).
    let mut t: i64 = trackid.parse().unwrap();
    let (mut lat, mut lon) = (0i64, 0i64);
    let dts: Vec<&str> = data["time"]
        .as_str()
        .unwrap()
        .split(';')
        .filter(|s| !s.is_empty())
        .collect();
    let lls: Vec<&str> = data["longitude_latitude"]
        .as_str()
        .unwrap()
        .split(';')
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(dts.len(), lls.len());
    for (dt, ll) in dts.iter().zip(&lls) {
        t += dt.parse::<i64>().unwrap();
        let (a, b) = ll.split_once(',').unwrap();
        lat += a.parse::<i64>().unwrap();
        lon += b.parse::<i64>().unwrap();
        let (la, lo) = (lat as f64 / 1e8, lon as f64 / 1e8);
        // Berlin before the move, New York after (either way a plausible city park).
        assert!(
            (52.4..52.6).contains(&la) && (13.3..13.5).contains(&lo)
                || (40.7..40.9).contains(&la) && (-74.0..-73.9).contains(&lo),
            "{la},{lo}"
        );
    }
    let end: i64 = w["end_time"].as_str().unwrap().parse().unwrap();
    assert!(t <= end && t > end - 5);
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
