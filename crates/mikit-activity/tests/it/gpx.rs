//! GPX 1.1 output, validated against the GPX 1.1 schema and Garmin's TrackPointExtension v1
//! (tests/data/, provenance in tests/data/PROVENANCE.md).

use mikit_activity::{Error, to_gpx};

use crate::fixtures::{pool_swim, ride, run_with_gaps, strength};
use crate::xsd::{assert_valid, validate};

const GPX_AND_TPX: &str = "gpx-with-trackpointextension.xsd";

#[test]
fn a_ride_with_every_stream_is_valid_gpx_1_1_with_the_extension() {
    let gpx = to_gpx(&ride(600)).unwrap();
    assert_valid(&gpx, "gpx.xsd");
    assert_valid(&gpx, GPX_AND_TPX);
    assert!(gpx.contains("<gpxtpx:hr>120</gpxtpx:hr><gpxtpx:cad>85</gpxtpx:cad>"));
    assert!(gpx.contains("<type>cycling</type>"));
}

#[test]
fn the_schema_check_sees_inside_the_extension() {
    // Proof that the wrapper schema validates extension content: hr 0 is not a
    // BeatsPerMinute_t (TrackPointExtensionv1.xsd), so xmllint must reject it.
    let gpx = to_gpx(&ride(120)).unwrap().replacen(
        "<gpxtpx:hr>120</gpxtpx:hr>",
        "<gpxtpx:hr>0</gpxtpx:hr>",
        1,
    );
    let (ok, text) = validate(&gpx, GPX_AND_TPX);
    assert!(!ok, "xmllint accepted hr 0:\n{text}");
}

#[test]
fn gaps_stay_gaps_and_pauses_split_segments() {
    let a = run_with_gaps();
    let gpx = to_gpx(&a).unwrap();
    assert_valid(&gpx, GPX_AND_TPX);
    let with_position = a.points.iter().filter(|p| p.position.is_some()).count();
    assert_eq!(gpx.matches("<trkpt ").count(), with_position);
    // Heart rate missing for the first 20 s: no hr element there, never a 0.
    let with_hr = a
        .points
        .iter()
        .filter(|p| p.position.is_some() && p.heart_rate.is_some())
        .count();
    assert_eq!(gpx.matches("<gpxtpx:hr>").count(), with_hr);
    assert!(!gpx.contains("<gpxtpx:hr>0<"));
    let with_ele = a
        .points
        .iter()
        .filter(|p| p.position.is_some() && p.altitude_m.is_some())
        .count();
    assert_eq!(gpx.matches("<ele>").count(), with_ele);
    // One pause → two segments; the GPS gap alone does not split.
    assert_eq!(gpx.matches("<trkseg>").count(), 2);
    // Running cadence arrives in steps/min; the extension wants strides/min.
    assert!(gpx.contains("<gpxtpx:cad>85</gpxtpx:cad>"));
    assert!(gpx.contains("<name>Morning run &lt;tunnel &amp; bridge&gt;</name>"));
}

#[test]
fn workouts_without_gps_have_no_gpx() {
    assert_eq!(to_gpx(&strength()), Err(Error::NoTrack));
    assert_eq!(to_gpx(&pool_swim()), Err(Error::NoTrack));
    let mut indoor = ride(120);
    for p in &mut indoor.points {
        p.position = None;
    }
    assert_eq!(to_gpx(&indoor), Err(Error::NoTrack));
}
