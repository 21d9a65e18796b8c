//! The history item of a workout (§6.1): the full field set of a real item, with the
//! values of this workout and the "not applicable" sentinels (`-1`, `-20000`, `-274`,
//! `-361`) where a value does not apply to its sport.
//!
//! `summary_template.json` is the first item of `ingest/tests/fixtures/sport_history.json` in
//! J-solan/zepp-dashboard (commit 04ae66ae, MIT; "real field set of a history page, template
//! copied from a real workout, synthetic values"): 155 keys in the server's order, the
//! sentinels of a strength workout without heart rate.

use std::fmt::Write as _;
use std::sync::OnceLock;

use serde_json::{Map, Value, json};

use super::sport::Sport;
use super::{Edit, Workout};
use crate::huami::Device;

/// The field set, parsed once.
fn template() -> &'static Map<String, Value> {
    static T: OnceLock<Map<String, Value>> = OnceLock::new();
    T.get_or_init(|| {
        // The file is part of the crate; a parse failure would be caught by every test.
        serde_json::from_str(include_str!("summary_template.json")).unwrap_or_default()
    })
}

/// The `source` of workouts tracked by the phone (Mi Band era; a literal seen in captures).
const PHONE_SOURCE: &str = "run.mifit.huami.com";

/// The `source` of a workout (`run.<device>.huami.com` for the newer band, §6.1).
pub(crate) fn source(w: &Workout, device: &Device) -> String {
    if w.legacy {
        PHONE_SOURCE.to_owned()
    } else {
        format!("run.{}.huami.com", device.new_id)
    }
}

/// The history item of `w` (recorded with `device`), with the user's edit if any.
pub(crate) fn summary_item(w: &Workout, device: &Device, edit: Option<&Edit>) -> Value {
    let mut o = template().clone();
    let mut set = |k: &str, v: Value| {
        o.insert(k.to_owned(), v);
    };
    let sport = w.sport;
    let moving = w.moving();
    let dis = f64::from(w.dis);
    let pace = if dis > 0.0 { moving as f64 / dis } else { 0.0 };
    let cadence = if sport.steps() && moving > 0 {
        (f64::from(w.steps) * 60.0 / moving as f64).round()
    } else {
        0.0
    };
    let stride = if sport.steps() && w.steps > 0 {
        (dis * 100.0 / f64::from(w.steps)).round() as i64
    } else {
        0
    };
    let mut r = w.stream(0x5711);
    set("trackid", json!(w.trackid.to_string()));
    set("source", json!(source(w, device)));
    set("dis", json!(format!("{dis:.1}")));
    set("calorie", json!(format!("{:.1}", f64::from(w.cal))));
    set("end_time", json!(w.end_time().to_string()));
    set("run_time", json!(moving.to_string()));
    set("avg_pace", json!(format!("{pace:.7}")));
    set("avg_frequency", json!(format!("{cadence:.1}")));
    let hr_known = w.avg_hr > 0;
    set(
        "avg_heart_rate",
        json!(if hr_known {
            format!("{:.1}", f64::from(w.avg_hr))
        } else {
            "-1.0".to_owned()
        }),
    );
    set("type", json!(sport.code()));
    set(
        "bind_device",
        json!(if w.legacy {
            format!("0:MI_BAND:{}:2.4.0.32", device.legacy_id)
        } else {
            format!("0:HUAMI_BAND:{}:3.18.2.1", device.new_id)
        }),
    );
    let id = if w.legacy {
        &device.legacy_id
    } else {
        &device.new_id
    };
    for k in ["devicesource", "deviceid"] {
        set(k, json!(id));
    }
    set(
        "sn",
        json!(if w.legacy { "" } else { device.new_sn.as_str() }),
    );
    set("version", json!(if w.legacy { 15 } else { 16 }));
    if dis > 0.0 {
        set("max_pace", json!(((pace * 0.82) * 1e6).round() / 1e6));
        set("min_pace", json!(((pace * 1.25) * 1e6).round() / 1e6));
        set("highPrecisionDistance", json!(dis));
    }
    if sport.steps() {
        set("total_step", json!(w.steps));
        set("avg_stride_length", json!(stride));
        set("max_frequency", json!(cadence as i64 + r.range(6, 18)));
    } else {
        set("max_frequency", json!(-1));
    }
    if sport.gps() {
        let (ascend, descend) = (r.range(5, 60), r.range(5, 60));
        set("altitude_ascend", json!(ascend));
        set("altitude_descend", json!(descend));
        set("distance_ascend", json!(w.dis / 20));
        set("max_altitude", json!(30 + ascend));
        set("min_altitude", json!(30));
        set("avg_altitude", json!(f64::from(30 + ascend as i32 / 2)));
        set("add_info", json!("{\"upload_gps_permission\":\"allow\"}"));
    } else {
        set("add_info", json!(""));
    }
    if hr_known {
        set("max_heart_rate", json!(w.max_hr));
        set("min_heart_rate", json!(w.min_hr));
        let mid = (u16::from(w.max_hr) + u16::from(w.min_hr)) / 2;
        set(
            "heart_range",
            json!(format!(
                "{},{};{},{mid};{},{}",
                w.hr_zones[0], w.min_hr, w.hr_zones[1], w.hr_zones[2], w.max_hr
            )),
        );
        let load = (w.avg_hr.saturating_sub(90) * (w.elapsed as u32 / 60)) / 30;
        set("te", json!(10 + (load % 35)));
        set("anaerobic_te", json!(r.range(0, 25)));
        set("exercise_load", json!(load));
        set("heartrate_setting_type", json!(0));
    }
    if sport.swim() {
        swim_fields(w, &mut set);
    }
    if sport == Sport::Strength {
        let groups = r.range(3, 6);
        let mut g = String::from("[");
        let mut scores = String::from("[");
        for i in 0..groups {
            let sep = if i > 0 { ", " } else { "" };
            let _ = write!(
                g,
                "{sep}{{\"actionType\": {}, \"count\": {}}}",
                [0, 12, 61][r.range(0, 2) as usize],
                r.range(6, 20)
            );
            let _ = write!(scores, "{sep}{:.1}", 60.0 + r.unit() * 35.0);
        }
        set("strength_training_group", json!(g + "]"));
        set("strengthScores", json!(scores + "]"));
        set("total_group", json!(groups));
    }
    set("auto_recognition", json!(sport == Sport::Walk));
    let paused = w.paused();
    set(
        "pause_time",
        json!(if paused > 0 {
            paused.to_string()
        } else {
            "-1".to_owned()
        }),
    );
    let created = w.end_time() * 1000 + r.range(0, 999);
    set("createTime", json!(created));
    set("updateTime", json!(created));
    set("syncedTimezone", json!(w.zone));
    if let Some(e) = edit {
        set("sport_title", json!(e.title));
        set("updateTime", json!(e.update_ms));
    }
    Value::Object(o)
}

/// Swim fields: lengths, strokes, SWOLF (seconds + strokes per length), stroke rate.
fn swim_fields(w: &Workout, set: &mut impl FnMut(&str, Value)) {
    let lengths = w.lengths();
    set("swim_style", json!(1));
    set("swim_pool_length", json!(w.pool));
    if lengths.is_empty() {
        // Open water: no lengths; strokes from the time.
        let strokes = w.moving() * 28 / 60;
        set("total_strokes", json!(strokes));
        set("totalStrokes", json!(strokes));
        set("avg_stroke_speed", json!(28.0));
        set("max_stroke_speed", json!(33.0));
        if strokes > 0 {
            let per = (f64::from(w.dis) / strokes as f64 * 100.0).round() / 100.0;
            set("avg_distance_per_stroke", json!(per));
        }
        return;
    }
    let n = lengths.len() as i64;
    let strokes: i64 = lengths.iter().map(|l| l.strokes).sum();
    let secs: i64 = lengths.iter().map(|l| l.secs).sum();
    let rate = |l: &super::Length| l.strokes as f64 * 60.0 / l.secs.max(1) as f64;
    let max_rate = lengths.iter().map(rate).fold(0.0, f64::max);
    set("total_trips", json!(n));
    set("total_strokes", json!(strokes));
    set("totalStrokes", json!(strokes));
    set("swolf", json!((secs + strokes) / n));
    set(
        "avg_stroke_speed",
        json!((strokes as f64 * 60.0 / secs.max(1) as f64 * 10.0).round() / 10.0),
    );
    set("max_stroke_speed", json!((max_rate * 10.0).round() / 10.0));
    set(
        "avg_distance_per_stroke",
        json!((f64::from(w.dis) / strokes.max(1) as f64 * 100.0).round() / 100.0),
    );
    set("freestyle_length", json!(n));
}
