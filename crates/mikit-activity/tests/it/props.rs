//! Property tests: any workout, with any mix of missing values, is written without a panic;
//! a valid one always gives a FIT file that `fitparser` decodes, a TCX and (with GPS) a GPX
//! that the schemas accept; timestamps agree with `jiff`.

use fitparser::profile::MesgNum;
use mikit_activity::{
    Activity, Error, Lap, LapTrigger, Length, MAX_TIME, MIN_TIME, Pause, Point, Position, Sport,
    Totals, to_fit, to_gpx, to_tcx,
};
use proptest::prelude::*;

use crate::fit::{decode, messages};
use crate::xsd::assert_valid;

/// Room after the start for every offset the strategies add.
const SPAN: i64 = 200_000;

fn opt<T: std::fmt::Debug + Clone + 'static>(
    s: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<Option<T>> {
    proptest::option::of(s).boxed()
}

fn point(start: i64) -> impl Strategy<Value = Point> {
    (
        opt(0..SPAN),
        opt((-90.0..=90.0_f64, -180.0..=180.0_f64)),
        opt(-1000.0..20_000.0_f64),
        opt(any::<u8>()),
        opt(any::<u16>()),
        opt(0.0..1.0e9_f64),
        opt(0.0..1.0e5_f64),
        opt(any::<u16>()),
    )
        .prop_map(move |(dt, pos, alt, hr, cad, dist, speed, power)| Point {
            time: dt.map(|d| start + d),
            position: pos.map(|(lat, lon)| Position { lat, lon }),
            altitude_m: alt,
            heart_rate: hr,
            cadence: cad,
            distance_m: dist,
            speed_mps: speed,
            power_w: power,
        })
}

fn lap(start: i64) -> impl Strategy<Value = Lap> {
    (
        0..SPAN / 2,
        0.0..(SPAN / 2) as f64,
        opt(0.0..1.0e5_f64),
        opt(0.0..1.0e8_f64),
        opt(any::<u32>()),
        (opt(any::<u8>()), opt(any::<u8>()), opt(any::<u16>())),
        (opt(any::<u32>()), opt(any::<u16>())),
        prop_oneof![
            Just(LapTrigger::Manual),
            Just(LapTrigger::Distance),
            Just(LapTrigger::Time),
            Just(LapTrigger::SessionEnd)
        ],
    )
        .prop_map(
            move |(
                dt,
                duration_s,
                moving_s,
                distance_m,
                kcal,
                (avg_hr, max_hr, avg_cadence),
                (strokes, lengths),
                trigger,
            )| Lap {
                start: start + dt,
                duration_s,
                moving_s,
                distance_m,
                kcal,
                avg_hr,
                max_hr,
                avg_cadence,
                strokes,
                lengths,
                trigger,
            },
        )
}

fn activity() -> impl Strategy<Value = Activity> {
    (MIN_TIME..MAX_TIME - 2 * SPAN).prop_flat_map(|start| {
        (
            (any::<u32>(), -50_400..=50_400_i32, opt(".{0,12}")),
            (
                opt(0.0..1.0e5_f64),
                opt(0.0..1.0e5_f64),
                opt(0.0..1.0e9_f64),
                opt(any::<u32>()),
                opt(any::<u8>()),
                opt(any::<u8>()),
                opt(any::<u16>()),
                opt(0.0..1.0e5_f64),
                opt(0.0..1.0e5_f64),
                opt(any::<u32>()),
            ),
            proptest::collection::vec(point(start), 0..60),
            proptest::collection::vec(lap(start), 0..4),
            proptest::collection::vec(
                (
                    0..SPAN / 2,
                    0.0..600.0_f64,
                    opt(any::<u16>()),
                    any::<bool>(),
                ),
                0..4,
            ),
            proptest::collection::vec((0..SPAN / 2, 0..3600_i64), 0..4),
            opt(10.0..60.0_f64),
        )
            .prop_map(
                move |((sport, utc_offset_s, name), t, points, laps, lengths, pauses, pool)| {
                    Activity {
                        start,
                        utc_offset_s,
                        sport: Sport(sport % 260),
                        name,
                        totals: Totals {
                            duration_s: t.0,
                            moving_s: t.1,
                            distance_m: t.2,
                            kcal: t.3,
                            avg_hr: t.4,
                            max_hr: t.5,
                            avg_cadence: t.6,
                            ascent_m: t.7,
                            descent_m: t.8,
                            strokes: t.9,
                        },
                        points,
                        laps,
                        lengths: lengths
                            .into_iter()
                            .map(|(dt, duration_s, strokes, active)| Length {
                                start: start + dt,
                                duration_s,
                                strokes,
                                active,
                            })
                            .collect(),
                        pauses: pauses
                            .into_iter()
                            .map(|(dt, len)| Pause {
                                start: start + dt,
                                end: start + dt + len,
                            })
                            .collect(),
                        pool_length_m: pool,
                    }
                },
            )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn any_valid_workout_gives_a_fit_file_fitparser_decodes(a in activity()) {
        let bytes = to_fit(&a).unwrap();
        let recs = decode(&bytes);
        let timed = a.points.iter().filter(|p| p.time.is_some()).count();
        prop_assert_eq!(messages(&recs, MesgNum::Record).len(), timed);
        prop_assert_eq!(messages(&recs, MesgNum::Lap).len(), a.laps.len().max(1));
        prop_assert_eq!(messages(&recs, MesgNum::Session).len(), 1);
        prop_assert_eq!(messages(&recs, MesgNum::Length).len(), a.lengths.len());
    }

    #[test]
    fn gpx_exists_exactly_when_there_is_a_position(a in activity()) {
        match to_gpx(&a) {
            Ok(gpx) => {
                prop_assert!(a.has_track());
                let positioned = a.points.iter().filter(|p| p.position.is_some()).count();
                prop_assert_eq!(gpx.matches("<trkpt ").count(), positioned);
            }
            Err(e) => {
                prop_assert_eq!(e, Error::NoTrack);
                prop_assert!(!a.has_track());
            }
        }
        let tcx = to_tcx(&a).unwrap();
        let timed = a.points.iter().filter(|p| p.time.is_some()).count();
        prop_assert_eq!(tcx.matches("<Trackpoint>").count(), timed);
    }

    #[test]
    fn nothing_panics_on_any_numbers(
        start in any::<i64>(),
        time in opt(any::<i64>()),
        lat in any::<f64>(),
        lon in any::<f64>(),
        alt in opt(any::<f64>()),
        dist in opt(any::<f64>()),
        duration in opt(any::<f64>()),
        lap_duration in any::<f64>(),
        pause in (any::<i64>(), any::<i64>()),
    ) {
        let mut a = Activity::new(start, Sport(1));
        a.totals.duration_s = duration;
        a.points.push(Point {
            time,
            position: Some(Position { lat, lon }),
            altitude_m: alt,
            distance_m: dist,
            ..Point::default()
        });
        a.laps.push(Lap { start, duration_s: lap_duration, ..Lap::default() });
        a.pauses.push(Pause { start: pause.0, end: pause.1 });
        let fit = to_fit(&a);
        let _ = to_tcx(&a);
        let _ = to_gpx(&a);
        if let Ok(bytes) = fit {
            decode(&bytes);
        }
    }

    #[test]
    fn gpx_times_agree_with_jiff(t in MIN_TIME..=MAX_TIME) {
        let mut a = Activity::new(t, Sport(1));
        a.points.push(Point {
            time: Some(t),
            position: Some(Position { lat: 0.0, lon: 0.0 }),
            ..Point::default()
        });
        let gpx = to_gpx(&a).unwrap();
        let expected = jiff::Timestamp::from_second(t).unwrap().to_string();
        prop_assert!(gpx.contains(&format!("<time>{expected}</time>")), "{} not in {}", expected, gpx);
    }
}

proptest! {
    // Fewer cases: each runs xmllint twice.
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn any_valid_workout_passes_the_schemas(a in activity()) {
        if let Ok(gpx) = to_gpx(&a) {
            assert_valid(&gpx, "gpx-with-trackpointextension.xsd");
        }
        assert_valid(&to_tcx(&a).unwrap(), "TrainingCenterDatabasev2.xsd");
    }
}
