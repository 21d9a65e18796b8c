//! The sport mapping covers every code of `huami-cloud.md` §6.2, checked through the FIT files
//! an independent decoder reads back (`fitparser`'s names come from the FIT SDK profile).

use fitparser::profile::MesgNum;
use mikit_activity::{Activity, SPORTS, Sport, to_fit, to_tcx};

use crate::fit::{decode, messages, text};
use crate::fixtures::START;

/// Every code of the reference table (huami-cloud.md §6.2) with the FIT sport / sub-sport and
/// Strava type it must become.
const TABLE: &[(u32, &str, &str, &str)] = &[
    (1, "running", "generic", "Run"),
    (6, "walking", "generic", "Walk"),
    (8, "running", "treadmill", "Run"),
    (9, "cycling", "generic", "Ride"),
    (10, "cycling", "indoor_cycling", "Ride"),
    (13, "walking", "generic", "Walk"),
    (14, "swimming", "lap_swimming", "Swim"),
    (15, "swimming", "open_water", "Swim"),
    (16, "generic", "generic", "Workout"),
    (22, "hiking", "generic", "Hike"),
    (23, "rowing", "indoor_rowing", "Rowing"),
    (52, "training", "strength_training", "WeightTraining"),
    (92, "racket", "badminton", "Badminton"),
    (105, "alpine_skiing", "generic", "AlpineSki"),
    (122, "volleyball", "generic", "Workout"),
    (130, "training", "cardio_training", "Workout"),
    (192, "running", "generic", "Run"),
    (196, "diving", "apnea_diving", "Workout"),
    (207, "e_biking", "e_bike_mountain", "EMountainBikeRide"),
    (208, "cycling", "gravel_cycling", "GravelRide"),
    (223, "generic", "generic", "Workout"),
    (224, "hiking", "generic", "Hike"),
];

#[test]
fn every_reference_code_is_mapped_and_decodes_as_its_fit_sport() {
    assert_eq!(
        SPORTS.len(),
        TABLE.len(),
        "the crate's table and the reference differ"
    );
    for &(code, sport, sub_sport, strava) in TABLE {
        let s = Sport(code);
        assert!(s.is_known(), "code {code} missing");
        assert_eq!(s.strava(), strava, "code {code}");
        let mut a = Activity::new(START, s);
        a.totals.duration_s = Some(60.0);
        let recs = decode(&to_fit(&a).unwrap());
        let session = messages(&recs, MesgNum::Session)[0];
        assert_eq!(
            text(session, "sport").as_deref(),
            Some(sport),
            "code {code}"
        );
        assert_eq!(
            text(session, "sub_sport").as_deref(),
            Some(sub_sport),
            "code {code}"
        );
        let lap = messages(&recs, MesgNum::Lap)[0];
        assert_eq!(text(lap, "sport").as_deref(), Some(sport), "code {code}");
        assert!(["Running", "Biking", "Other"].contains(&s.tcx()));
    }
}

#[test]
fn unknown_codes_keep_their_number_and_export_as_generic() {
    let s = Sport(777); // JSOLAN's fixture contains 777 (huami-cloud.md §6.2)
    assert!(!s.is_known());
    assert_eq!(s.to_string(), "sport-777");
    assert_eq!(s.strava(), "Workout");
    let mut a = Activity::new(START, s);
    a.totals.duration_s = Some(60.0);
    let recs = decode(&to_fit(&a).unwrap());
    let session = messages(&recs, MesgNum::Session)[0];
    assert_eq!(text(session, "sport").as_deref(), Some("generic"));
    assert!(to_tcx(&a).unwrap().contains(r#"<Activity Sport="Other">"#));
}

#[test]
fn names_are_file_name_safe() {
    for s in SPORTS {
        assert!(
            s.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{}",
            s.name
        );
    }
}
