//! GPX 1.1 with the Garmin `TrackPointExtension` v1 (heart rate, cadence).
//!
//! Structure and element order follow the GPX 1.1 schema (topografix.com/GPX/1/1/gpx.xsd) and
//! Garmin's TrackPointExtensionv1.xsd, both shipped in `tests/data/` and checked with
//! `xmllint --schema` by the tests. One `<trk>`; a new `<trkseg>` after each pause ("start a new
//! Track Segment for each continuous span of track data", gpx.xsd on `trkseg`). Only points
//! with a position are written; a workout without any has no GPX ([`Error::NoTrack`]).

use std::fmt::Write as _;

use crate::error::{Error, validate};
use crate::model::{Activity, Pause, Point};
use crate::sport::cadence_for_export;
use crate::xml::{num, push_escaped, push_int_element, push_num_element, push_time_element};

const HEADER: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8"?>"#,
    "\n",
    r#"<gpx version="1.1" creator="mikit" xmlns="http://www.topografix.com/GPX/1/1""#,
    r#" xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1""#,
    r#" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance""#,
    r#" xsi:schemaLocation="http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd"#,
    r#" http://www.garmin.com/xmlschemas/TrackPointExtension/v1 http://www.garmin.com/xmlschemas/TrackPointExtensionv1.xsd">"#,
    "\n"
);

/// Writes the workout as a GPX 1.1 document.
///
/// # Errors
/// [`Error::NoTrack`] when no point has a position (write no file and count it as skipped);
/// [`validate`]'s errors for an impossible workout.
pub fn to_gpx(a: &Activity) -> Result<String, Error> {
    validate(a)?;
    if !a.has_track() {
        return Err(Error::NoTrack);
    }
    let mut pauses = a.pauses.clone();
    pauses.sort_by_key(|p| p.start);

    let mut out = String::with_capacity(512 + a.points.len() * 200);
    out.push_str(HEADER);
    out.push_str("<metadata>");
    if let Some(name) = &a.name {
        out.push_str("<name>");
        push_escaped(&mut out, name);
        out.push_str("</name>");
    }
    push_time_element(&mut out, "time", a.start);
    out.push_str("</metadata>\n<trk>");
    if let Some(name) = &a.name {
        out.push_str("<name>");
        push_escaped(&mut out, name);
        out.push_str("</name>");
    }
    // `type` is free text in GPX; the sport's short name, as Garmin writes `running`.
    let _ = write!(out, "<type>{}</type>\n<trkseg>\n", a.sport);

    let mut last_time: Option<i64> = None;
    for p in &a.points {
        let Some(pos) = p.position else { continue };
        if let (Some(prev), Some(t)) = (last_time, p.time)
            && paused_between(&pauses, prev, t)
        {
            out.push_str("</trkseg>\n<trkseg>\n");
        }
        last_time = p.time.or(last_time);
        // Writing to a String cannot fail.
        let _ = write!(
            out,
            "<trkpt lat=\"{}\" lon=\"{}\">",
            num(pos.lat),
            num(pos.lon)
        );
        if let Some(ele) = p.altitude_m {
            push_num_element(&mut out, "ele", num(ele));
        }
        if let Some(t) = p.time {
            push_time_element(&mut out, "time", t);
        }
        push_extension(&mut out, a, p);
        out.push_str("</trkpt>\n");
    }
    out.push_str("</trkseg>\n</trk>\n</gpx>\n");
    Ok(out)
}

/// Whether a pause lies between two consecutive points (`prev` ≤ pause start, pause end ≤ `t`).
fn paused_between(sorted: &[Pause], prev: i64, t: i64) -> bool {
    let first = sorted.partition_point(|p| p.start < prev);
    sorted[first..]
        .iter()
        .take_while(|p| p.start <= t)
        .any(|p| p.end <= t)
}

/// `<extensions><gpxtpx:TrackPointExtension>` with `hr` then `cad` (the schema's order),
/// only when one of them is known. `hr` must be ≥ 1 and `cad` ≤ 254 (TrackPointExtensionv1.xsd
/// `BeatsPerMinute_t`, `CadenceValue_t`); other values are left out.
fn push_extension(out: &mut String, a: &Activity, p: &Point) {
    let hr = p.heart_rate.filter(|&hr| hr >= 1);
    let cad = p
        .cadence
        .map(|c| cadence_for_export(a.sport, c))
        .filter(|&c| c <= 254);
    if hr.is_none() && cad.is_none() {
        return;
    }
    out.push_str("<extensions><gpxtpx:TrackPointExtension>");
    if let Some(hr) = hr {
        push_int_element(out, "gpxtpx:hr", hr);
    }
    if let Some(cad) = cad {
        push_int_element(out, "gpxtpx:cad", cad);
    }
    out.push_str("</gpxtpx:TrackPointExtension></extensions>");
}
