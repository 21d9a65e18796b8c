//! The detail's streams merged into points.
//!
//! A workout with GPS gets one point per index of the point streams (time, position,
//! altitude), and heart rate, cadence, speed and distance are taken from the sample nearest in
//! time, if one lies within [`MAX_GAP_S`]. A workout without GPS gets one point per distinct
//! sample time of its streams, each without a position.

use std::collections::BTreeMap;

use mikit_activity::{Point, Position, Sport};
use mikit_huami::workout::WorkoutDetail;

/// The farthest a sample may lie from a GPS point to be attached to it, seconds. The streams
/// arrive about once a second and GPS fixes every 1–3 s (§9 (b)); a sample farther away
/// belongs to a gap (lost fix, pause) and is not stretched across it.
pub(crate) const MAX_GAP_S: i64 = 5;

/// One stream as (time, value) pairs sorted by time.
struct Stream<T>(Vec<(i64, T)>);

impl<T: Copy> Stream<T> {
    fn new(mut v: Vec<(i64, T)>) -> Self {
        v.sort_by_key(|&(t, _)| t); // stable: equal times keep wire order
        Stream(v)
    }

    /// The value of the sample nearest to `t` (the later one on a tie), within [`MAX_GAP_S`].
    fn nearest(&self, t: i64) -> Option<T> {
        let i = self.0.partition_point(|&(ts, _)| ts < t);
        let after = self.0.get(i);
        let before = i.checked_sub(1).and_then(|j| self.0.get(j));
        let best = match (before, after) {
            (Some(b), Some(a)) => {
                if t.saturating_sub(b.0) < a.0.saturating_sub(t) {
                    b
                } else {
                    a
                }
            }
            (Some(x), None) | (None, Some(x)) => x,
            (None, None) => return None,
        };
        (best.0.abs_diff(t) <= MAX_GAP_S.unsigned_abs()).then_some(best.1)
    }
}

/// The streams of `d` in the units of [`Point`].
struct Streams {
    heart_rate: Stream<u8>,
    cadence: Stream<u16>,
    speed: Stream<f64>,
    distance: Stream<f64>,
}

impl Streams {
    fn of(d: &WorkoutDetail, sport: Sport) -> Self {
        // `gait` cadence is in steps per minute, the unit `Point` wants for foot sports (see
        // `mikit_activity::Totals`); for other sports it would be read as pedal or stroke
        // cadence, so it is left out.
        let cadence = if sport.cadence_in_steps() {
            d.gait
                .iter()
                .filter_map(|g| Some((g.ts, g.cadence?)))
                .collect()
        } else {
            Vec::new()
        };
        Streams {
            heart_rate: Stream::new(d.heart_rate.iter().map(|h| (h.ts, h.bpm)).collect()),
            cadence: Stream::new(cadence),
            speed: Stream::new(d.speed.iter().map(|s| (s.ts, s.m_per_s)).collect()),
            distance: Stream::new(d.distance.iter().map(|s| (s.ts, s.meters)).collect()),
        }
    }
}

/// The points of one workout (empty when the detail has no streams).
pub(crate) fn merge(d: &WorkoutDetail, sport: Sport) -> Vec<Point> {
    let streams = Streams::of(d, sport);
    if d.route().next().is_some() {
        with_gps(d, &streams)
    } else {
        without_gps(d, &streams)
    }
}

fn with_gps(d: &WorkoutDetail, s: &Streams) -> Vec<Point> {
    let altitudes = d.altitudes_backfilled();
    d.points
        .iter()
        .zip(altitudes)
        .map(|(p, altitude_m)| Point {
            time: Some(p.ts),
            position: p.position.map(|ll| Position {
                lat: ll.lat,
                lon: ll.lon,
            }),
            altitude_m,
            heart_rate: s.heart_rate.nearest(p.ts),
            cadence: s.cadence.nearest(p.ts),
            distance_m: s.distance.nearest(p.ts),
            speed_mps: s.speed.nearest(p.ts),
            power_w: None,
        })
        .collect()
}

/// One point per distinct sample time; each stream fills its own field at its own times.
fn without_gps(d: &WorkoutDetail, s: &Streams) -> Vec<Point> {
    let mut by_time: BTreeMap<i64, Point> = BTreeMap::new();
    // Points of the point streams without a fix (e.g. altitude on an indoor workout).
    for (p, alt) in d.points.iter().zip(d.altitudes_backfilled()) {
        if let Some(alt) = alt {
            at(&mut by_time, p.ts).altitude_m = Some(alt);
        }
    }
    for &(t, v) in &s.heart_rate.0 {
        at(&mut by_time, t).heart_rate = Some(v);
    }
    for &(t, v) in &s.cadence.0 {
        at(&mut by_time, t).cadence = Some(v);
    }
    for &(t, v) in &s.speed.0 {
        at(&mut by_time, t).speed_mps = Some(v);
    }
    for &(t, v) in &s.distance.0 {
        at(&mut by_time, t).distance_m = Some(v);
    }
    by_time.into_values().collect()
}

/// The point at time `t`, created empty on first use.
fn at(by_time: &mut BTreeMap<i64, Point>, t: i64) -> &mut Point {
    by_time.entry(t).or_insert_with(|| Point {
        time: Some(t),
        ..Point::default()
    })
}

/// The points of one workout as the store keeps them: the same points as [`merge`] (so a
/// file exported from the workout has as many points as the store), plus the values the
/// activity files have no field for: GPS accuracy (by index of the point streams), stride
/// (the nearest `gait` sample) and pace (from the speed: the detail's own `pace` entries are
/// of disputed unit, see `mikit_huami::workout::DetailPoint::pace`, and stay in the raw
/// payload).
pub(crate) fn rows(d: &WorkoutDetail, sport: Sport) -> Vec<mikit_store::WorkoutPointRow> {
    let merged = merge(d, sport);
    let with_gps = d.route().next().is_some();
    let stride = Stream::new(
        d.gait
            .iter()
            .filter_map(|g| Some((g.ts, g.stride_cm?)))
            .collect(),
    );
    merged
        .iter()
        .enumerate()
        .map(|(i, p)| {
            // With GPS, `merge` yields exactly one point per index of the point streams.
            let wire = if with_gps { d.points.get(i) } else { None };
            mikit_store::WorkoutPointRow {
                time: p.time,
                lat: p.position.map(|x| x.lat),
                lon: p.position.map(|x| x.lon),
                altitude_m: p.altitude_m,
                accuracy_m: wire.and_then(|w| w.accuracy_m),
                heart_rate: p.heart_rate.map(i64::from),
                cadence: p.cadence.map(i64::from),
                stride_cm: p.time.and_then(|t| stride.nearest(t)).map(f64::from),
                speed_mps: p.speed_mps,
                distance_m: p.distance_m,
                pace: p.speed_mps.filter(|&v| v > 0.0).map(|v| 1.0 / v),
                power_w: p.power_w.map(i64::from),
            }
        })
        .collect()
}
