//! Weight records of a body-composition scale (§4 WT1, §7.3, §8): a person weighing in on
//! most mornings of the generated history, served newest first with `toTime` paging.
//!
//! Shape of SSC `pkg/zepp/client.go` `Record`: `dataSource`, `deviceId` (MAC without
//! colons), `deviceSource 102`, `generatedTime` (unix **seconds**), `memberId "-1"`,
//! `userId`, `weightType` (0; 3 = broken values, which clients skip) and `summary` with the
//! body-composition fields. Answer `{"items": […], "next": <toTime of the next page, 0 at the
//! end>}`.

use jiff::civil::Date;
use serde_json::{Value, json};

use super::history::{History, epoch_day};
use crate::rng::{Rng, label};

/// Largest page (`limit ≤ 200`, §7.3).
pub(crate) const MAX_LIMIT: usize = 200;

/// One generated weighing.
struct Weighing {
    time: i64,
    broken: bool,
    weight: f64,
    height: f64,
    fat: f64,
    impedance: i64,
    age: i64,
}

/// The weighing of day `d`, if the person weighed in that morning (~80 % of days).
fn weighing(history: &History, salt: u64, d: Date) -> Option<Weighing> {
    let e = epoch_day(d);
    let mut r = Rng::stream(&[history.seed(), salt, label("weight"), e as u64]);
    if !r.chance(0.8) {
        return None;
    }
    let minute = 390 + r.range(0, 90); // 06:30–08:00 local
    if d == history.today() && minute as usize >= history.cutoff() {
        return None;
    }
    let mut p = Rng::stream(&[history.seed(), salt, label("weight-person")]);
    let height = 160.0 + p.range(0, 30) as f64;
    let base = 21.0 + p.unit() * 6.0; // BMI of the person
    let age = 25 + p.range(0, 35);
    // A slow drift over the years, a yearly swing (winter heavier) and day-to-day noise.
    let drift = ((e as f64) / 900.0).sin() * 2.5;
    let season = ((e as f64) * std::f64::consts::TAU / 365.25).cos() * 0.8;
    let noise = (r.unit() - 0.5) * 0.8;
    let weight = base * (height / 100.0).powi(2) + drift + season + noise;
    let fat = (14.0 + (weight / (height / 100.0).powi(2) - 20.0) * 1.6 + (r.unit() - 0.5))
        .clamp(5.0, 45.0);
    Some(Weighing {
        time: epoch_day(d) * 86_400 - i64::from(history.offset(d)) + minute * 60 + r.range(0, 59),
        broken: r.chance(0.02),
        weight,
        height,
        fat,
        impedance: 420 + r.range(0, 160),
        age,
    })
}

fn round(v: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (v * f).round() / f
}

fn record(w: &Weighing, uid: &str, scale_id: &str) -> Value {
    let h = w.height / 100.0;
    let (weight, fat) = if w.broken {
        // A step on the scale with shoes or a bag: the app stores it as type 3.
        (round(w.weight * 0.31, 2), 0.0)
    } else {
        (round(w.weight, 2), round(w.fat, 1))
    };
    let muscle = round((100.0 - fat) * 0.74, 1);
    json!({
        "dataSource": 1,
        "deviceId": scale_id,
        "deviceSource": 102,
        "generatedTime": w.time,
        "memberId": "-1",
        "userId": uid,
        "weightType": if w.broken { 3 } else { 0 },
        "summary": {
            "weight": weight,
            "height": w.height,
            "bmi": round(weight / (h * h), 1),
            "fatRate": fat,
            "bodyWaterRate": round((100.0 - fat) * 0.72, 1),
            "boneMass": round(weight * 0.042, 2),
            "metabolism": (10.0 * weight + 6.25 * w.height - 5.0 * w.age as f64 + 5.0).round(),
            "muscleRate": muscle,
            "muscleAge": w.age + ((fat - 18.0) / 2.0).round() as i64,
            "proteinRatio": round(muscle * 0.3, 1),
            "standBodyWeight": round(22.0 * h * h, 1),
            "visceralFat": ((fat - 8.0) / 2.5).round().max(1.0),
            "impedance": if w.broken { 0 } else { w.impedance },
            "encryptImpedance": if w.broken { String::new() } else { format!("{:08X}", w.impedance * 7919) },
            "bodyScore": (100.0 - (fat - 15.0).abs() * 1.5).round().clamp(40.0, 100.0),
            "bodyStyle": if fat > 25.0 { 2 } else if fat < 15.0 { 8 } else { 5 },
            "deviceType": 1,
            "source": 1,
        },
    })
}

/// The page of records with `generatedTime <= to_time`, newest first, at most `limit`;
/// `next` = the `toTime` of the next page (one second before the oldest record served), 0
/// when there is none.
pub(crate) fn page(
    history: &History,
    salt: u64,
    uid: &str,
    scale_id: &str,
    to_time: i64,
    limit: usize,
) -> Value {
    let limit = limit.clamp(1, MAX_LIMIT);
    let mut items = Vec::with_capacity(limit);
    let mut more = false;
    // Start one day after the UTC date of `to_time` (local days run up to 14 h later).
    let start = jiff::Timestamp::from_second(to_time)
        .ok()
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
        .and_then(|d| d.tomorrow().ok())
        .map_or(history.today(), |d| d.min(history.today()));
    let mut d = start;
    while d >= history.first() {
        if let Some(w) = weighing(history, salt, d).filter(|w| w.time <= to_time) {
            if items.len() == limit {
                more = true;
                break;
            }
            items.push(w);
        }
        match d.yesterday() {
            Ok(y) => d = y,
            Err(_) => break,
        }
    }
    let next = match (more, items.last()) {
        (true, Some(last)) => last.time - 1,
        _ => 0,
    };
    json!({
        "items": items.iter().map(|w| record(w, uid, scale_id)).collect::<Vec<_>>(),
        "next": next,
    })
}
