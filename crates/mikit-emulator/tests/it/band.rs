//! `band_data.json`, reference §5 and checklist §14 "Data plane".

use std::collections::BTreeSet;

use mikit_emulator::{EmulatorConfig, SleepAnchor};
use serde_json::Value;

use crate::*;

struct Fetched {
    items: Vec<Value>,
}

async fn fetch(emu: &mikit_emulator::Emulator, qt: &str, from: &str, to: &str) -> Fetched {
    let (app, _, uid) = session(emu, "huami", "com.huami.webapp").await;
    let r = band_data(emu, &app, &uid, qt, from, to).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    // Envelope §5.2.
    assert_eq!(v["code"], 1);
    assert_eq!(v["message"], "success");
    Fetched {
        items: v["data"].as_array().unwrap().clone(),
    }
}

fn summary(item: &Value) -> Value {
    let raw = b64(item["summary"].as_str().unwrap());
    serde_json::from_slice(&raw).expect("summary is base64 of JSON")
}

fn tz(s: &Value) -> i64 {
    s["tz"].as_str().expect("tz is a string").parse().unwrap()
}

fn local_midnight(item: &Value, s: &Value) -> i64 {
    let d: jiff::civil::Date = item["date_time"].as_str().unwrap().parse().unwrap();
    d.to_zoned(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp()
        .as_second()
        - tz(s)
}

#[tokio::test]
async fn range_is_inclusive_absent_days_are_missing_and_summary_has_no_blobs() {
    let emu = start(config()).await;
    let all = fetch(&emu, "summary", "2026-07-01", "2026-11-30").await;
    let dates: Vec<String> = all
        .items
        .iter()
        .map(|i| i["date_time"].as_str().unwrap().to_owned())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(dates, sorted, "one item per day, in date order");
    // 120 days of history end at 2026-11-10: nothing before 2026-07-14 or after today.
    assert!(dates.first().unwrap().as_str() >= "2026-07-14");
    assert!(dates.last().unwrap().as_str() <= "2026-11-10");
    // Some days have no data and are absent (not empty items).
    assert!(dates.len() < 120 && dates.len() > 100, "{}", dates.len());
    for it in &all.items {
        assert!(it.get("data").is_none() && it.get("data_hr").is_none());
        assert!(it["uid"].is_string());
        for k in ["data_type", "source", "date_time", "device_id", "uuid"] {
            assert!(!it[k].is_null(), "{k}");
        }
    }
    // Inclusive bounds: a one-day range returns that day; the bounds of a range are included.
    let a = &dates[10];
    let b = &dates[12];
    let one = fetch(&emu, "summary", a, a).await;
    assert_eq!(one.items.len(), 1);
    assert_eq!(one.items[0]["date_time"], a.as_str());
    let three = fetch(&emu, "detail", a, b).await;
    let got: Vec<&str> = three
        .items
        .iter()
        .map(|i| i["date_time"].as_str().unwrap())
        .collect();
    assert_eq!(got.first(), Some(&a.as_str()));
    assert_eq!(got.last(), Some(&b.as_str()));
    for it in &three.items {
        assert!(it["data"].is_string() && it["data_hr"].is_string());
    }
    // A reversed range is empty, not an error.
    assert!(fetch(&emu, "summary", b, a).await.items.is_empty());
}

#[tokio::test]
async fn detail_blobs_stages_and_totals_are_consistent() {
    let emu = start(config()).await;
    let all = fetch(&emu, "detail", "2026-07-14", "2026-11-09").await;
    let (mut legacy, mut newer, mut sentinel254, mut sentinel255) = (0, 0, 0, 0);
    for it in &all.items {
        let s = summary(it);
        let date = it["date_time"].as_str().unwrap();
        let hr = b64(it["data_hr"].as_str().unwrap());
        let data = b64(it["data"].as_str().unwrap());
        // Full past days: 1440 minutes (DST days too, §5.4).
        assert_eq!(hr.len(), 1440, "{date}");
        let n = match s.get("byteLength") {
            Some(b) => {
                newer += 1;
                b.as_u64().unwrap() as usize
            }
            None => {
                legacy += 1;
                3
            }
        };
        assert_eq!(data.len(), 1440 * n, "{date}");
        sentinel254 += hr.iter().filter(|v| **v == 254).count();
        sentinel255 += hr.iter().filter(|v| **v == 255).count();
        // Steps: ttl = Σ minute steps = Σ stage steps; dis/cal = Σ stage dis/cal.
        let minute_steps: u64 = data.chunks(n).map(|r| u64::from(r[2])).sum();
        let stp = &s["stp"];
        let stages = stp["stage"].as_array().unwrap();
        let sum = |k: &str| -> u64 { stages.iter().map(|x| x[k].as_u64().unwrap()).sum() };
        assert_eq!(stp["ttl"].as_u64().unwrap(), minute_steps, "{date}");
        assert_eq!(sum("step"), minute_steps);
        assert_eq!(stp["dis"].as_u64().unwrap(), sum("dis"));
        assert_eq!(stp["cal"].as_u64().unwrap(), sum("cal"));
        for st in stages {
            assert!([1, 3, 4, 7].contains(&st["mode"].as_u64().unwrap()));
            // Inclusive start/stop within the day; steps only inside stages.
            let (a, b) = (
                st["start"].as_u64().unwrap() as usize,
                st["stop"].as_u64().unwrap() as usize,
            );
            assert!(a <= b && b < 1440);
            let inside: u64 = data[a * n..(b + 1) * n]
                .chunks(n)
                .map(|r| u64::from(r[2]))
                .sum();
            assert_eq!(inside, st["step"].as_u64().unwrap());
        }
        // Sleep: dp/lt/wk are the stage sums (stop inclusive).
        let slp = &s["slp"];
        let mins = |modes: &[u64]| -> i64 {
            slp["stage"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|x| modes.contains(&x["mode"].as_u64().unwrap()))
                .map(|x| x["stop"].as_i64().unwrap() - x["start"].as_i64().unwrap() + 1)
                .sum()
        };
        assert_eq!(slp["dp"].as_i64().unwrap(), mins(&[5]), "{date}");
        assert_eq!(slp["lt"].as_i64().unwrap(), mins(&[4]), "{date}");
        assert_eq!(slp["wk"].as_i64().unwrap(), mins(&[7]), "{date}");
        let rem_mode = if n == 3 { 8 } else { 11 };
        let wrong_rem = if n == 3 { 11 } else { 8 };
        assert_eq!(mins(&[wrong_rem]), 0, "{date}: REM mode");
        if slp["stage"].as_array().unwrap().len() > 3 {
            assert!(mins(&[rem_mode]) > 0);
            assert!(slp["rhr"].as_u64().unwrap() > 40 && slp["ss"].as_u64().unwrap() > 0);
        }
        // Heart rate: 254 not worn, 255 not measured; maxHr matches the minute series.
        if let Some(max) = s.get("hr") {
            let best = hr
                .iter()
                .copied()
                .filter(|v| *v > 0 && *v < 254)
                .max()
                .unwrap();
            assert_eq!(max["maxHr"]["hr"].as_u64().unwrap(), u64::from(best));
            let idx = (max["maxHr"]["ts"].as_i64().unwrap() - local_midnight(it, &s)) / 60;
            // Slots are wall-clock minutes (reference §5.4): after a DST change the slot of an
            // instant is an hour away from its fixed-offset index.
            assert!(
                [idx, idx - 60, idx + 60]
                    .iter()
                    .any(|&i| usize::try_from(i).ok().and_then(|i| hr.get(i)) == Some(&best)),
                "{date}: maxHr ts"
            );
        }
        for (i, h) in hr.iter().enumerate() {
            if *h == 254 {
                assert_eq!(data[i * n + 2], 0, "no steps while not worn");
            } else if n == 8 {
                assert_eq!(data[i * n + 3], *h, "8-byte record carries the HR");
            }
        }
    }
    assert!(
        legacy > 20 && newer > 20,
        "{legacy} legacy / {newer} newer days"
    );
    assert!(sentinel254 > 0 && sentinel255 > 0);
    assert!(
        all.items.iter().any(|it| !summary(it)["slp"]["odd_stage"]
            .as_array()
            .unwrap()
            .is_empty()),
        "some naps"
    );
}

/// §13.1: choose the anchor whose stages overlap [st, ed] most (tie → previous day).
fn client_anchor(item: &Value, s: &Value) -> Option<i64> {
    let slp = &s["slp"];
    let stages = slp["stage"].as_array()?;
    if stages.is_empty() {
        return None;
    }
    let (st, ed) = (slp["st"].as_i64()?, slp["ed"].as_i64()?);
    let same = local_midnight(item, s);
    let overlap = |anchor: i64| -> i64 {
        stages
            .iter()
            .map(|x| {
                let a = anchor + x["start"].as_i64().unwrap() * 60;
                let b = anchor + (x["stop"].as_i64().unwrap() + 1) * 60;
                (b.min(ed) - a.max(st)).max(0)
            })
            .sum()
    };
    Some(if overlap(same) > overlap(same - 86_400) {
        same
    } else {
        same - 86_400
    })
}

async fn check_anchor(anchor: SleepAnchor) {
    let emu = start(EmulatorConfig {
        huami: mikit_emulator::HuamiOptions {
            sleep_anchor: anchor,
            ..Default::default()
        },
        ..config()
    })
    .await;
    let all = fetch(&emu, "summary", "2026-07-14", "2026-11-10").await;
    let mut nights = 0;
    for it in &all.items {
        let s = summary(it);
        let slp = &s["slp"];
        let stages = slp["stage"].as_array().unwrap();
        let Some(first) = stages.first() else {
            continue;
        };
        nights += 1;
        let same = local_midnight(it, &s);
        let want = match anchor {
            SleepAnchor::WakeDay => same - 86_400,
            SleepAnchor::FellAsleepDay => same,
        };
        let start = first["start"].as_i64().unwrap();
        let stop = stages.last().unwrap()["stop"].as_i64().unwrap();
        assert_eq!(
            slp["st"].as_i64().unwrap(),
            want + start * 60,
            "{}",
            it["date_time"]
        );
        assert_eq!(slp["ed"].as_i64().unwrap(), want + (stop + 1) * 60);
        // The night crosses midnight: it ends after minute 1440 of the anchor day and, filed
        // under the wake day, starts before it (the fell-asleep day shifts by the offset
        // difference on the day of the move).
        assert!(stop > 1440, "{start}..{stop}");
        if anchor == SleepAnchor::WakeDay {
            assert!(start < 1440 + 60, "{start}..{stop}");
        }
        // A client following the reference's overlap rule finds the same anchor.
        assert_eq!(client_anchor(it, &s), Some(want));
    }
    assert!(nights > 90, "{nights}");
}

#[tokio::test]
async fn sleep_anchor_wake_day() {
    check_anchor(SleepAnchor::WakeDay).await;
}

#[tokio::test]
async fn sleep_anchor_fell_asleep_day() {
    check_anchor(SleepAnchor::FellAsleepDay).await;
}

#[tokio::test]
async fn same_seed_gives_identical_bytes() {
    let bytes = |seed: u64| async move {
        let emu = start(EmulatorConfig { seed, ..config() }).await;
        let (app, _, uid) = session(&emu, "huami", "com.huami.webapp").await;
        let body = band_data(&emu, &app, &uid, "detail", "2026-09-01", "2026-10-15")
            .await
            .bytes()
            .await
            .unwrap();
        emu.shutdown().await;
        body
    };
    let a = bytes(5).await;
    let b = bytes(5).await;
    let c = bytes(6).await;
    assert!(a.len() > 100_000);
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[tokio::test]
async fn time_zone_change_and_dst_days() {
    let emu = start(config()).await;
    let all = fetch(&emu, "detail", "2026-10-10", "2026-11-09").await;
    let tzs: BTreeSet<i64> = all.items.iter().map(|it| tz(&summary(it))).collect();
    // Europe/Berlin (CEST) before the move, America/New_York EDT and, after the DST end on
    // 2026-11-01, EST.
    assert_eq!(tzs, BTreeSet::from([7200, -14400, -18000]), "{tzs:?}");
    let by_date = |d: &str| all.items.iter().find(|it| it["date_time"] == d);
    // The DST day keeps 1440 slots and the offset in force at its midnight.
    let dst = by_date("2026-11-01").expect("DST day present");
    assert_eq!(tz(&summary(dst)), -14400);
    assert_eq!(b64(dst["data_hr"].as_str().unwrap()).len(), 1440);
    let after = by_date("2026-11-02").expect("day after DST present");
    assert_eq!(tz(&summary(after)), -18000);
}

#[tokio::test]
async fn today_is_partial_and_the_future_is_empty() {
    let emu = start(config()).await;
    let items = fetch(&emu, "detail", "2026-11-10", "2026-12-31")
        .await
        .items;
    assert!(items.len() <= 1);
    if let Some(it) = items.first() {
        assert_eq!(it["date_time"], "2026-11-10");
        let hr = b64(it["data_hr"].as_str().unwrap());
        assert!(hr.len() < 1440 && !hr.is_empty());
    }
}

#[tokio::test]
async fn summary_keys_are_those_of_a_real_day() {
    // The decoded summary of a real 2026 day (J-solan/zepp-dashboard fixture, tests/data/band_data_day.json):
    // every top-level, stp and slp key we send must exist there or in the legacy upload (MIMO).
    let real: Value = serde_json::from_str(&data_file("band_data_day.json")).unwrap();
    let real_summary = summary(&real["data"][0]);
    let upload: Value = serde_json::from_str(&data_file("mimotion_upload_day.json")).unwrap();
    let legacy: Value = serde_json::from_str(upload[0]["summary"].as_str().unwrap()).unwrap();
    let known = |path: &[&str]| -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for src in [&real_summary, &legacy] {
            let mut v = src;
            for p in path {
                v = &v[*p];
            }
            if let Some(o) = v.as_object() {
                out.extend(o.keys().cloned());
            }
        }
        out
    };
    let emu = start(config()).await;
    for it in fetch(&emu, "summary", "2026-07-14", "2026-11-10")
        .await
        .items
    {
        let s = summary(&it);
        for (path, extra) in [
            (&[][..], &["hr"][..]),
            (&["stp"][..], &[][..]),
            (&["slp"][..], &["odd_stage"][..]),
        ] {
            let known = known(path);
            let mut v = &s;
            for p in path {
                v = &v[*p];
            }
            for k in v.as_object().unwrap().keys() {
                assert!(
                    known.contains(k) || extra.contains(&k.as_str()),
                    "unexpected key {path:?}.{k}"
                );
            }
        }
    }
}

#[tokio::test]
async fn upload_round_trip_with_the_real_mimotion_day() {
    // TonyJiangWJ/mimotion util/zepp_helper.py post_fake_brand_data (tests/data/mimotion_upload_day.json).
    let upload: Value = serde_json::from_str(&data_file("mimotion_upload_day.json")).unwrap();
    let emu = start(config()).await;
    let (app, _, uid) = session(&emu, "huami", "com.xiaomi.hm.health").await;
    let data_json = serde_json::to_string(&upload).unwrap();
    let r = client()
        .post(url(
            &emu,
            "https://api-mifit-de2.huami.com/v1/data/band_data.json?&t=1628300000000&r=5e1f",
        ))
        .header("apptoken", &app)
        .form(&[
            ("userid", uid.as_str()),
            ("last_sync_data_time", "1597306380"),
            ("device_type", "0"),
            ("last_deviceid", "DA932FFFFE8816E7"),
            ("data_json", data_json.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["message"], "success");
    assert_eq!(v["code"], 1);

    let items = fetch(&emu, "detail", "2021-08-07", "2021-08-07")
        .await
        .items;
    assert_eq!(items.len(), 1);
    let it = &items[0];
    let up = &upload[0];
    assert_eq!(it["uid"], uid.as_str());
    assert_eq!(it["source"], 24);
    assert_eq!(it["device_id"], "DA932FFFFE8816E7");
    // data = the segment's records from local midnight; data_hr unchanged.
    assert_eq!(
        b64(it["data"].as_str().unwrap()),
        b64(up["data"][0]["value"].as_str().unwrap())
    );
    assert_eq!(it["data_hr"], up["data_hr"]);
    // HV9: 1440 HR bytes with 783 × 254 and 425 × 255.
    let hr = b64(it["data_hr"].as_str().unwrap());
    assert_eq!(hr.len(), 1440);
    assert_eq!(hr.iter().filter(|v| **v == 254).count(), 783);
    assert_eq!(hr.iter().filter(|v| **v == 255).count(), 425);
    // summary: base64 JSON, tz as a string in seconds (HV10: segment 32 quarter-hours = "28800").
    let s = summary(it);
    assert_eq!(s["tz"], "28800");
    let mut original: Value = serde_json::from_str(up["summary"].as_str().unwrap()).unwrap();
    original["tz"] = Value::String("28800".into());
    assert_eq!(s, original);
    // The summary query of the same day carries no blobs.
    let sum = fetch(&emu, "summary", "2021-08-06", "2021-08-08")
        .await
        .items;
    assert_eq!(sum.len(), 1);
    assert!(sum[0].get("data").is_none());
}

#[tokio::test]
async fn bad_uploads_and_parameters_are_refused() {
    let emu = start(config()).await;
    let (app, _, uid) = session(&emu, "huami", "com.xiaomi.hm.health").await;
    let c = client();
    let r = c
        .post(url(
            &emu,
            "https://api-mifit-de2.huami.com/v1/data/band_data.json",
        ))
        .header("apptoken", &app)
        .form(&[("data_json", "[{\"date\":\"not a date\"}]")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = band_data(&emu, &app, &uid, "summary", "2026-13-01", "2026-11-01").await;
    assert_eq!(r.status(), 400);
}
