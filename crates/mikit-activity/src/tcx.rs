//! TCX: Garmin's Training Center Database v2.
//!
//! Element order and types follow TrainingCenterDatabasev2.xsd (shipped in `tests/data/`,
//! checked with `xmllint --schema`). Per-point speed, run cadence and power and the lap's
//! average run cadence go into Garmin's ActivityExtension v2 (`TPX`, `LX`), as Garmin devices
//! write them.
//!
//! The schema makes a lap's `TotalTimeSeconds`, `DistanceMeters` and `Calories` mandatory and
//! has no way to say "unknown": when the workout does not know them, 0 is written there (the
//! only place any writer of this crate writes a value it was not given). Everything optional
//! in the schema is simply left out when absent. Points without a time are skipped (a
//! trackpoint's `Time` is mandatory); a lap without timed points has no `Track`.

use std::fmt::Write as _;

use crate::error::{Error, validate};
use crate::model::{Activity, Lap, LapTrigger, Point, effective_laps, lap_index};
use crate::sport::cadence_for_export;
use crate::xml::{num, push_escaped, push_int_element, push_num_element, push_time_element};

const HEADER: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8"?>"#,
    "\n",
    r#"<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2""#,
    r#" xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2""#,
    r#" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance""#,
    r#" xsi:schemaLocation="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2 http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd">"#,
    "\n<Activities>\n"
);

/// Writes the workout as a TCX document: one activity, its laps (one for the whole workout
/// when it has none) with their trackpoints, and the totals.
///
/// # Errors
/// [`validate`]'s errors for an impossible workout.
pub fn to_tcx(a: &Activity) -> Result<String, Error> {
    validate(a)?;
    let laps = effective_laps(a);
    let starts: Vec<i64> = laps.iter().map(|l| l.start).collect();
    // Timed points, grouped by the lap they fall in (order within a lap kept).
    let mut per_lap: Vec<Vec<&Point>> = vec![Vec::new(); laps.len()];
    for p in &a.points {
        if let Some(t) = p.time {
            per_lap[lap_index(&starts, t)].push(p);
        }
    }

    let mut out = String::with_capacity(1024 + a.points.len() * 260);
    out.push_str(HEADER);
    let _ = writeln!(out, "<Activity Sport=\"{}\">", a.sport.tcx());
    push_time_element(&mut out, "Id", a.start);
    out.push('\n');
    for (lap, points) in laps.iter().zip(&per_lap) {
        push_lap(&mut out, a, lap, points);
    }
    if let Some(name) = &a.name {
        out.push_str("<Notes>");
        push_escaped(&mut out, name);
        out.push_str("</Notes>\n");
    }
    out.push_str("</Activity>\n</Activities>\n</TrainingCenterDatabase>\n");
    Ok(out)
}

fn push_lap(out: &mut String, a: &Activity, lap: &Lap, points: &[&Point]) {
    out.push_str("<Lap StartTime=\"");
    crate::time::push_utc(out, lap.start);
    out.push_str("\">");
    let time = lap.moving_s.unwrap_or(lap.duration_s);
    push_num_element(out, "TotalTimeSeconds", num(time));
    // Mandatory in the schema: 0 when unknown (see the module docs).
    let distance = lap
        .distance_m
        .or_else(|| lap_distance_from_points(points))
        .unwrap_or(0.0);
    push_num_element(out, "DistanceMeters", num(distance));
    let kcal = lap.kcal.map_or(0, |k| u16::try_from(k).unwrap_or(u16::MAX));
    push_int_element(out, "Calories", kcal);
    if let Some(hr) = lap.avg_hr.filter(|&v| v >= 1) {
        let _ = write!(
            out,
            "<AverageHeartRateBpm><Value>{hr}</Value></AverageHeartRateBpm>"
        );
    }
    if let Some(hr) = lap.max_hr.filter(|&v| v >= 1) {
        let _ = write!(
            out,
            "<MaximumHeartRateBpm><Value>{hr}</Value></MaximumHeartRateBpm>"
        );
    }
    out.push_str("<Intensity>Active</Intensity>");
    let foot = a.sport.cadence_in_steps();
    let lap_cadence = lap
        .avg_cadence
        .map(|c| cadence_for_export(a.sport, c))
        .filter(|&c| c <= 254);
    if !foot && let Some(c) = lap_cadence {
        push_int_element(out, "Cadence", c);
    }
    out.push_str("<TriggerMethod>");
    out.push_str(match lap.trigger {
        LapTrigger::Distance => "Distance",
        LapTrigger::Time => "Time",
        LapTrigger::Manual | LapTrigger::SessionEnd => "Manual",
    });
    out.push_str("</TriggerMethod>\n");
    if !points.is_empty() {
        out.push_str("<Track>\n");
        for p in points {
            push_trackpoint(out, a, p);
        }
        out.push_str("</Track>\n");
    }
    if foot && let Some(c) = lap_cadence {
        let _ = write!(
            out,
            "<Extensions><ns3:LX><ns3:AvgRunCadence>{c}</ns3:AvgRunCadence></ns3:LX></Extensions>"
        );
    }
    out.push_str("</Lap>\n");
}

/// The distance covered within a lap from its points' cumulative distances, if they have any.
fn lap_distance_from_points(points: &[&Point]) -> Option<f64> {
    let mut d = points.iter().filter_map(|p| p.distance_m);
    let first = d.next()?;
    let last = d.next_back().unwrap_or(first);
    Some((last - first).max(0.0))
}

fn push_trackpoint(out: &mut String, a: &Activity, p: &Point) {
    out.push_str("<Trackpoint>");
    // Only timed points reach here.
    push_time_element(out, "Time", p.time.unwrap_or(a.start));
    if let Some(pos) = p.position {
        let _ = write!(
            out,
            "<Position><LatitudeDegrees>{}</LatitudeDegrees><LongitudeDegrees>{}</LongitudeDegrees></Position>",
            num(pos.lat),
            num(pos.lon)
        );
    }
    if let Some(alt) = p.altitude_m {
        push_num_element(out, "AltitudeMeters", num(alt));
    }
    if let Some(d) = p.distance_m {
        push_num_element(out, "DistanceMeters", num(d));
    }
    if let Some(hr) = p.heart_rate.filter(|&v| v >= 1) {
        let _ = write!(out, "<HeartRateBpm><Value>{hr}</Value></HeartRateBpm>");
    }
    let foot = a.sport.cadence_in_steps();
    let cadence = p
        .cadence
        .map(|c| cadence_for_export(a.sport, c))
        .filter(|&c| c <= 254);
    if !foot && let Some(c) = cadence {
        push_int_element(out, "Cadence", c);
    }
    let run_cadence = cadence.filter(|_| foot);
    if p.speed_mps.is_some() || run_cadence.is_some() || p.power_w.is_some() {
        out.push_str("<Extensions><ns3:TPX>");
        if let Some(v) = p.speed_mps {
            push_num_element(out, "ns3:Speed", num(v));
        }
        if let Some(c) = run_cadence {
            push_int_element(out, "ns3:RunCadence", c);
        }
        if let Some(w) = p.power_w {
            push_int_element(out, "ns3:Watts", w);
        }
        out.push_str("</ns3:TPX></Extensions>");
    }
    out.push_str("</Trackpoint>\n");
}
