//! Health events, reference §7 and checklist §14 (filtering by type, ms range, limit).

use serde_json::Value;

use crate::*;

const OCT1: i64 = 1_790_812_800_000; // 2026-10-01T00:00:00Z in ms
const OCT11: i64 = OCT1 + 10 * 86_400_000;

async fn events(
    emu: &mikit_emulator::Emulator,
    app: &str,
    path_and_query: &str,
) -> reqwest::Response {
    client()
        .get(url(
            emu,
            &format!("https://api-mifit-de2.huami.com{path_and_query}"),
        ))
        .header("apptoken", app)
        .send()
        .await
        .unwrap()
}

async fn items(emu: &mikit_emulator::Emulator, app: &str, pq: &str) -> Vec<Value> {
    let r = events(emu, app, pq).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    v["items"].as_array().expect("{items: [...]}").clone()
}

#[tokio::test]
async fn all_day_stress_in_a_ms_range() {
    let emu = start(config()).await;
    let (app, _, uid) = session(&emu, "huami", "com.huami.webapp").await;
    let list = items(&emu, &app, &format!("/users/{uid}/events?eventType=all_day_stress&from={OCT1}&to={OCT11}&timeZone=Europe%2FBerlin&limit=1000")).await;
    assert!(list.len() >= 8 && list.len() <= 11, "{}", list.len());
    let ts: Vec<i64> = list
        .iter()
        .map(|i| i["timestamp"].as_i64().unwrap())
        .collect();
    assert!(ts.windows(2).all(|w| w[0] < w[1]));
    assert!(ts.iter().all(|t| (OCT1..=OCT11).contains(t)));
    for it in &list {
        assert_eq!(it["userId"], uid.as_str());
        assert_eq!(it["subType"], "all_day_stress");
        // EVAN docs/api-reference.md: numbers as strings, `data` a JSON string.
        let num = |k: &str| {
            it[k]
                .as_str()
                .unwrap_or_else(|| panic!("{k} string"))
                .parse::<i64>()
                .unwrap()
        };
        assert!(num("minStress") <= num("avgStress") && num("avgStress") <= num("maxStress"));
        let total = num("relaxProportion")
            + num("normalProportion")
            + num("mediumProportion")
            + num("highProportion");
        assert!((96..=100).contains(&total), "{total}");
        let samples: Vec<Value> = serde_json::from_str(it["data"].as_str().unwrap()).unwrap();
        let t0 = it["timestamp"].as_i64().unwrap();
        for s in &samples {
            let t = s["time"].as_i64().unwrap();
            assert!((t0..t0 + 86_400_000).contains(&t));
            assert!((1..=100).contains(&s["value"].as_i64().unwrap()));
        }
    }
    // limit, then advance `from` past the newest timestamp (BAIT _get_events).
    let first = items(
        &emu,
        &app,
        &format!("/users/{uid}/events?eventType=all_day_stress&from={OCT1}&to={OCT11}&limit=3"),
    )
    .await;
    assert_eq!(first, list[..3]);
    let from = first[2]["timestamp"].as_i64().unwrap() + 1;
    let next = items(
        &emu,
        &app,
        &format!("/users/{uid}/events?eventType=all_day_stress&from={from}&to={OCT11}&limit=3"),
    )
    .await;
    assert_eq!(next, list[3..6]);
}

#[tokio::test]
async fn readiness_v2_and_empty_answers() {
    let emu = start(config()).await;
    let (app, _, uid) = session(&emu, "huami", "com.huami.webapp").await;
    let list = items(&emu, &app, &format!("/v2/users/me/events?eventType=readiness&subType=watch_score&from={OCT1}&to={OCT11}&limit=1000&reverse=1")).await;
    assert!(!list.is_empty());
    let ts: Vec<i64> = list
        .iter()
        .map(|i| i["timestamp"].as_i64().unwrap())
        .collect();
    assert!(
        ts.windows(2).all(|w| w[0] > w[1]),
        "reverse=1 is newest first"
    );
    for it in &list {
        let v = &it["value"];
        for k in [
            "sleepHRV",
            "hrvScore",
            "sleepRHR",
            "skinTempCalibrated",
            "skinTempScore",
            "skinTempBaseLine",
            "deviceSource",
            "timestamp",
        ] {
            assert!(v[k].is_number(), "{k}");
        }
        // value.timestamp = a local midnight (minute-aligned, before the item timestamp).
        let t = v["timestamp"].as_i64().unwrap();
        assert_eq!(t % 60_000, 0);
        assert!(t < it["timestamp"].as_i64().unwrap());
    }
    for pq in [
        format!(
            "/v2/users/me/events?eventType=readiness&subType=watch_score_data&from={OCT1}&to={OCT11}"
        ),
        format!("/users/{uid}/events?eventType=blood_pressure&from={OCT1}&to={OCT11}"),
        format!("/users/{uid}/events?eventType=all_day_stress&from=0&to=1000"),
    ] {
        assert!(items(&emu, &app, &pq).await.is_empty(), "{pq}");
    }
    assert_eq!(
        events(&emu, "nope", "/v2/users/me/events?eventType=readiness")
            .await
            .status(),
        401
    );
}
