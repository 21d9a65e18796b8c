//! Workouts the tests write: a ride with every stream, a run with GPS gaps and pauses, a pool
//! swim and a strength session. Deterministic (no randomness), realistic values.

use mikit_activity::{Activity, Lap, LapTrigger, Length, Pause, Point, Position, Sport, Totals};

/// 2024-03-01T06:30:00Z.
pub const START: i64 = 1_709_274_600;

/// An outdoor ride (Huami code 9) of `secs` seconds, one point per second with position,
/// altitude, heart rate, cadence, distance, speed and power; a pause of 60 s at the middle and
/// a lap every 1200 s. `secs` ≥ 120.
pub fn ride(secs: i64) -> Activity {
    assert!(
        secs >= 120,
        "a ride of at least 2 minutes (it has a 1-minute pause)"
    );
    let mut a = Activity::new(START, Sport(9));
    let pause = Pause {
        start: START + secs / 2,
        end: START + secs / 2 + 60,
    };
    let mut dist = 0.0;
    for i in 0..secs {
        let t = START + i;
        if t > pause.start && t < pause.end {
            continue;
        }
        let speed = 7.5 + (i as f64 / 300.0).sin() * 1.5;
        dist += speed;
        a.points.push(Point {
            time: Some(t),
            position: Some(Position {
                lat: 48.137_154 + (i as f64) * 2.0e-5,
                lon: 11.576_124 + (i as f64 / 50.0).sin() * 1.0e-3,
            }),
            altitude_m: Some(520.0 + (i as f64 / 120.0).sin() * 30.0),
            heart_rate: Some(120 + (i % 40) as u8),
            cadence: Some(85 + (i % 10) as u16),
            distance_m: Some(dist),
            speed_mps: Some(speed),
            power_w: Some(180 + (i % 50) as u16),
        });
    }
    a.pauses.push(pause);
    let mut lap_start = START;
    while lap_start < START + secs {
        let dur = (START + secs - lap_start).min(1200);
        a.laps.push(Lap {
            start: lap_start,
            duration_s: dur as f64,
            trigger: LapTrigger::Time,
            ..Lap::default()
        });
        lap_start += dur;
    }
    a.totals = Totals {
        duration_s: Some(secs as f64),
        moving_s: Some((secs - 60) as f64),
        distance_m: Some(dist),
        kcal: Some(1450),
        avg_hr: Some(139),
        max_hr: Some(159),
        avg_cadence: Some(89),
        ascent_m: Some(412.0),
        descent_m: Some(405.0),
        strokes: None,
    };
    a
}

/// An outdoor run (Huami code 1), 600 s: GPS missing for points 100..130 (tunnel), heart rate
/// missing for the first 20 s, no altitude after 500 s, a 30 s pause at 300 s, no laps.
pub fn run_with_gaps() -> Activity {
    let mut a = Activity::new(START, Sport(1));
    a.utc_offset_s = 3600;
    a.name = Some("Morning run <tunnel & bridge>".to_owned());
    for i in 0..600_i64 {
        if (301..330).contains(&i) {
            continue;
        }
        a.points.push(Point {
            time: Some(START + i),
            position: (!(100..130).contains(&i)).then(|| Position {
                lat: -33.856_784 + i as f64 * 1.0e-5,
                lon: 151.215_297,
            }),
            altitude_m: (i < 500).then_some(12.5),
            heart_rate: (i >= 20).then_some(150),
            cadence: Some(170),
            distance_m: Some(i as f64 * 3.0),
            ..Point::default()
        });
    }
    a.pauses.push(Pause {
        start: START + 300,
        end: START + 330,
    });
    a.totals.duration_s = Some(600.0);
    a.totals.distance_m = Some(1797.0);
    a
}

/// A 25 m pool swim (Huami code 14): no points, 2 laps of 4 lengths with a rest between.
pub fn pool_swim() -> Activity {
    let mut a = Activity::new(START, Sport(14));
    a.pool_length_m = Some(25.0);
    let mut t = START;
    for lap in 0..2 {
        let lap_start = t;
        for _ in 0..4 {
            a.lengths.push(Length {
                start: t,
                duration_s: 30.0,
                strokes: Some(18),
                active: true,
            });
            t += 30;
        }
        a.laps.push(Lap {
            start: lap_start,
            duration_s: 120.0,
            distance_m: Some(100.0),
            kcal: Some(25),
            strokes: Some(72),
            lengths: Some(4),
            ..Lap::default()
        });
        if lap == 0 {
            a.lengths.push(Length {
                start: t,
                duration_s: 60.0,
                strokes: None,
                active: false,
            });
            a.laps.push(Lap {
                start: t,
                duration_s: 60.0,
                ..Lap::default()
            });
            t += 60;
        }
    }
    a.totals = Totals {
        duration_s: Some((t - START) as f64),
        distance_m: Some(200.0),
        kcal: Some(50),
        strokes: Some(144),
        ..Totals::default()
    };
    a
}

/// A strength session (Huami code 52): totals only, no points, no laps.
pub fn strength() -> Activity {
    let mut a = Activity::new(START, Sport(52));
    a.totals.duration_s = Some(2700.0);
    a.totals.kcal = Some(310);
    a.totals.avg_hr = Some(112);
    a
}
