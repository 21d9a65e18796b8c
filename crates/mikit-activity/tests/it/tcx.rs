//! TCX output, validated against TrainingCenterDatabasev2.xsd (tests/data/).

use mikit_activity::to_tcx;

use crate::fixtures::{pool_swim, ride, run_with_gaps, strength};
use crate::xsd::assert_valid;

const TCX: &str = "TrainingCenterDatabasev2.xsd";

#[test]
fn a_ride_is_valid_tcx_with_its_laps_and_trackpoints() {
    let a = ride(3600);
    let tcx = to_tcx(&a).unwrap();
    assert_valid(&tcx, TCX);
    assert!(tcx.contains(r#"<Activity Sport="Biking">"#));
    assert_eq!(tcx.matches("<Lap ").count(), a.laps.len());
    assert_eq!(tcx.matches("<Trackpoint>").count(), a.points.len());
    assert!(tcx.contains("<TriggerMethod>Time</TriggerMethod>"));
    assert!(tcx.contains("<Cadence>85</Cadence>"));
    assert!(tcx.contains("<ns3:Watts>180</ns3:Watts>"));
}

#[test]
fn a_run_with_gaps_keeps_absent_values_absent() {
    let a = run_with_gaps();
    let tcx = to_tcx(&a).unwrap();
    assert_valid(&tcx, TCX);
    assert_eq!(tcx.matches("<Trackpoint>").count(), a.points.len());
    let with_position = a.points.iter().filter(|p| p.position.is_some()).count();
    assert_eq!(tcx.matches("<Position>").count(), with_position);
    let with_hr = a.points.iter().filter(|p| p.heart_rate.is_some()).count();
    assert_eq!(tcx.matches("<HeartRateBpm>").count(), with_hr);
    // Foot sport: cadence in the RunCadence extension, as strides per minute.
    assert!(tcx.contains("<ns3:RunCadence>85</ns3:RunCadence>"));
    assert!(!tcx.contains("<Cadence>"));
    // No laps in the workout: one lap for the whole of it.
    assert_eq!(tcx.matches("<Lap ").count(), 1);
    assert!(tcx.contains("<DistanceMeters>1797</DistanceMeters>"));
}

#[test]
fn a_swim_and_a_strength_session_have_laps_but_no_track() {
    for a in [pool_swim(), strength()] {
        let tcx = to_tcx(&a).unwrap();
        assert_valid(&tcx, TCX);
        assert!(!tcx.contains("<Track>"), "{tcx}");
        assert!(!tcx.contains("<Trackpoint>"));
        assert_eq!(tcx.matches("<Lap ").count(), a.laps.len().max(1));
    }
    let tcx = to_tcx(&strength()).unwrap();
    assert!(tcx.contains("<TotalTimeSeconds>2700</TotalTimeSeconds>"));
    assert!(tcx.contains("<Calories>310</Calories>"));
    assert!(tcx.contains("<AverageHeartRateBpm><Value>112</Value></AverageHeartRateBpm>"));
    assert!(!tcx.contains("<MaximumHeartRateBpm>"));
}
