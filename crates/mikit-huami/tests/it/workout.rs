//! Workout history against the JSOLAN fixture `sport_history.json` (reference §9 (i); copied
//! from `J-solan/zepp-dashboard:ingest/tests/fixtures/sport_history.json`, see
//! `tests/data/PROVENANCE.md`) and the verbatim H3LL summary of §9 (a).

use mikit_huami::workout::{HeartZone, StrengthGroup, WorkoutSummary, parse_history};
use serde_json::{Value, json};

use crate::decode::data;

fn fixture_page() -> mikit_huami::workout::HistoryPage {
    let v: Value = serde_json::from_str(&data("sport_history.json")).unwrap();
    assert_eq!(v["code"], 1);
    parse_history(&v["data"]).unwrap()
}

#[test]
fn fixture_page_decodes_every_entry() {
    let page = fixture_page();
    assert!(page.issues.is_empty(), "{:?}", page.issues);
    assert_eq!(page.next, None, "next = -1: the last page");
    let sports: Vec<Option<u32>> = page.summaries.iter().map(|s| s.sport).collect();
    let expected = [52, 52, 52, 223, 223, 223, 122, 777].map(Some);
    assert_eq!(sports, expected, "unknown sport 777 kept as its number");
    for s in &page.summaries {
        assert!(s.issues.is_empty(), "{}: {:?}", s.trackid, s.issues);
        assert_eq!(s.raw.len(), 155, "every field preserved");
        assert_eq!(s.timezone.as_deref(), Some("Europe/Madrid"));
        assert_eq!(s.source.as_deref(), Some("run.SYNTHDEV0001.huami.com"));
    }
    let auto: Vec<bool> = page
        .summaries
        .iter()
        .map(|s| s.auto_recognition.unwrap())
        .collect();
    assert_eq!(auto, [false, false, false, true, true, true, false, false]);
}

/// The first entry "uses the sentinel values" (PROVENANCE): none of them becomes a number.
#[test]
fn fixture_sentinels_are_absent() {
    let s = &fixture_page().summaries[0];
    assert_eq!(s.trackid, 1_150_994_263);
    assert_eq!(s.end_time, Some(1_150_996_993));
    assert_eq!(s.elapsed_s(), Some(2730));
    assert_eq!(s.run_time_s, Some(2730.0));
    // "-1.0", -1, -20000, -274.0, "-1", 0 where 0 means "not measured".
    assert_eq!(s.kcal, None);
    assert_eq!((s.avg_hr, s.max_hr, s.min_hr), (None, None, None));
    assert_eq!((s.ascent_m, s.descent_m), (None, None));
    assert_eq!(
        (s.max_altitude_m, s.min_altitude_m, s.avg_altitude_m),
        (None, None, None)
    );
    assert_eq!(s.avg_temperature_c, None);
    assert_eq!(s.pause_time_s, None);
    assert_eq!(s.parent_trackid, None);
    assert_eq!(
        (s.distance_m, s.total_steps, s.avg_pace_s_per_m),
        (None, None, None)
    );
    assert_eq!(
        (s.training_effect, s.anaerobic_training_effect),
        (None, None)
    );
    assert_eq!(s.swim, Default::default());
    assert_eq!(s.vo2_max, None);
    assert!(s.heart_zones.is_empty() && s.strength_groups.is_empty() && s.children.is_empty());
    assert_eq!(s.title, None, "empty sport_title");
    assert_eq!(s.created_ms, Some(1_150_996_993_554));
    assert_eq!(
        s.raw["average_angle"],
        json!(-361),
        "raw keeps the wire value"
    );
}

/// The strength item quoted in §9 (i).
#[test]
fn fixture_strength_item() {
    let s = &fixture_page().summaries[1];
    assert_eq!(s.kcal, Some(280.0));
    assert_eq!(
        (s.avg_hr, s.max_hr, s.min_hr),
        (Some(84.0), Some(134.0), Some(78.0))
    );
    assert_eq!(s.training_effect, Some(3.6), "te ×10");
    assert_eq!(s.anaerobic_training_effect, Some(2.2));
    assert_eq!(s.exercise_load, Some(7.0));
    assert_eq!(
        s.heart_zones,
        [
            HeartZone {
                seconds: 4,
                ceiling_bpm: 78
            },
            HeartZone {
                seconds: 405,
                ceiling_bpm: 106
            },
            HeartZone {
                seconds: 80,
                ceiling_bpm: 134
            }
        ]
    );
    assert_eq!(s.strength_groups.len(), 5);
    assert_eq!(
        s.strength_groups[1],
        StrengthGroup {
            action_type: 61,
            count: 10
        }
    );
}

/// §9 (a): the H3LL run summary (numbers as strings, floats, sentinels mixed).
#[test]
fn h3ll_run_summary() {
    let v = json!({"trackid": "1698569116", "source": "run.411.huami.com", "dis": "9960.0",
        "calorie": "722.0", "end_time": "1698572273", "run_time": "3157", "avg_pace": "0.3170577",
        "avg_frequency": "170.0", "avg_heart_rate": "168.0", "type": 1, "forefoot_ratio": "-1",
        "max_pace": 0.20300446, "min_pace": -1.0, "version": 15, "altitude_ascend": 28,
        "altitude_descend": 27, "total_step": 8996, "avg_stride_length": 106, "max_frequency": 189,
        "max_altitude": 46, "min_altitude": 27, "lap_distance": -1, "max_cadence": -1,
        "avg_cadence": -1, "child_list": "[]", "parent_trackid": 0, "max_heart_rate": 184,
        "min_heart_rate": 81, "swolf": 0, "total_strokes": 0, "total_trips": 0,
        "avg_stroke_speed": 0.0, "swim_pool_length": 0, "te": 50, "swim_style": 0,
        "pb": "{\"run_3_km\":944,\"run_5_km\":1610}", "anaerobic_te": -1, "avg_altitude": 32.66,
        "auto_recognition": false, "app_name": "com.xiaomi.hm.health", "pause_time": "-1"});
    let s = WorkoutSummary::decode(&v).unwrap();
    assert!(s.issues.is_empty(), "{:?}", s.issues);
    assert_eq!(s.sport, Some(1));
    assert_eq!((s.distance_m, s.kcal), (Some(9960.0), Some(722.0)));
    assert_eq!(s.run_time_s, Some(3157.0));
    assert_eq!(s.elapsed_s(), Some(3157));
    assert_eq!(s.avg_pace_s_per_m, Some(0.317_057_7));
    assert_eq!(
        (s.max_pace_s_per_m, s.min_pace_s_per_m),
        (Some(0.203_004_46), None)
    );
    assert_eq!(s.avg_step_frequency, Some(170.0));
    assert_eq!((s.avg_cadence, s.max_cadence), (None, None));
    assert_eq!(s.total_steps, Some(8996));
    assert_eq!((s.ascent_m, s.descent_m), (Some(28.0), Some(27.0)));
    assert_eq!(s.avg_altitude_m, Some(32.66));
    assert_eq!(
        (s.max_hr, s.min_hr, s.avg_hr),
        (Some(184.0), Some(81.0), Some(168.0))
    );
    assert_eq!(s.training_effect, Some(5.0));
    assert_eq!(s.anaerobic_training_effect, None);
    assert_eq!(s.swim, Default::default(), "zeros of a run's swim fields");
    assert_eq!(s.parent_trackid, None);
    assert!(s.children.is_empty());
    assert_eq!(s.raw["pb"], json!("{\"run_3_km\":944,\"run_5_km\":1610}"));
}

/// Fields of the wrong shape become issues of their entry, never a panic or a rejected page.
#[test]
fn wrong_shapes_are_issues() {
    let s = WorkoutSummary::decode(&json!({"trackid": 1_700_000_000, "dis": "far",
        "type": "x", "child_list": "[1700000100, \"1700000200\"]", "heart_range": "1,2;x",
        "strength_training_group": "{", "auto_recognition": "yes", "sport_title": 5,
        "total_step": 1e20}))
    .unwrap();
    assert_eq!(s.children, [1_700_000_100, 1_700_000_200]);
    let fields: Vec<&str> = s.issues.iter().map(|i| i.field.as_str()).collect();
    for f in [
        "dis",
        "type",
        "heart_range",
        "strength_training_group",
        "auto_recognition",
        "sport_title",
        "total_step",
    ] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
    assert_eq!((s.distance_m, s.sport, s.title), (None, None, None));
}
