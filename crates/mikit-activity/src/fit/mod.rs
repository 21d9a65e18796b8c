//! FIT activity files, encoded from the public FIT protocol description and profile.
//!
//! Message order follows the FIT SDK cookbook "Encoding Activity Files" (summary messages
//! last): `file_id`, `device_info` (creator), a timer `start` event, the `record`s with a
//! timer `stop_all` / `start` event pair around each pause, a final timer `stop_all`, the
//! `length`s of a pool swim, the `lap`s, one `session` and the `activity` message.
//!
//! Field numbers, base types, scales and offsets are those of the FIT SDK profile
//! (`Profile.xlsx`, "Messages" sheet), e.g. `record.distance` uint32 scale 100 (m),
//! `record.enhanced_speed` uint32 scale 1000 (m/s), `record.enhanced_altitude` uint32 scale 5
//! offset 500 (m), positions sint32 semicircles. A `record` carries only the fields that some
//! point of the workout has; within them, a point's missing value is the base type's invalid
//! value. Nothing is invented: no record is written for a point without a time, and a workout
//! without points has no records at all.

mod crc;
mod writer;

use crate::error::{Error, validate};
use crate::model::{Activity, Lap, LapTrigger, Point, Position, effective_laps, end_of, lap_index};
use crate::sport::cadence_for_export;
use writer::{Base, Field, Message, Writer, date_time, f, scaled, semicircles};

// Global message numbers (FIT profile, type `mesg_num`).
const FILE_ID: u16 = 0;
const SESSION: u16 = 18;
const LAP: u16 = 19;
const RECORD: u16 = 20;
const EVENT: u16 = 21;
const DEVICE_INFO: u16 = 23;
const ACTIVITY: u16 = 34;
const LENGTH: u16 = 101;

// Enum values (FIT profile types `file`, `manufacturer`, `event`, `event_type`, …).
const FILE_ACTIVITY: i64 = 4;
/// `manufacturer` 339 = zepp: the data was recorded by a Zepp/Amazfit/Xiaomi device.
const MANUFACTURER_ZEPP: i64 = 339;
const EVENT_TIMER: i64 = 0;
const EVENT_SESSION: i64 = 8;
const EVENT_LAP: i64 = 9;
const EVENT_ACTIVITY: i64 = 26;
const EVENT_LENGTH: i64 = 28;
const EVENT_TYPE_START: i64 = 0;
const EVENT_TYPE_STOP: i64 = 1;
const EVENT_TYPE_STOP_ALL: i64 = 4;
const SESSION_TRIGGER_ACTIVITY_END: i64 = 0;
const ACTIVITY_TYPE_MANUAL: i64 = 0;
const DISPLAY_MEASURE_METRIC: i64 = 0;

/// Encodes the workout as a FIT activity file.
///
/// # Errors
/// [`validate`]'s errors for an impossible workout (times outside what FIT's `date_time` can
/// hold, non-finite numbers, …).
pub fn to_fit(a: &Activity) -> Result<Vec<u8>, Error> {
    validate(a)?;
    let laps = effective_laps(a);
    let end = a.end();
    let mut w = Writer::with_capacity(256 + a.points.len() * 32 + laps.len() * 80);

    let file_id = Message {
        global: FILE_ID,
        local: 0,
        fields: vec![f(0, Base::Enum), f(1, Base::U16), f(4, Base::U32)],
    };
    // time_created = the workout's start: the same workout always gives the same bytes.
    w.write(
        &file_id,
        &[
            Some(FILE_ACTIVITY),
            Some(MANUFACTURER_ZEPP),
            date_time(a.start),
        ],
    );
    let device_info = Message {
        global: DEVICE_INFO,
        local: 1,
        // timestamp, device_index (0 = creator), manufacturer
        fields: vec![f(253, Base::U32), f(0, Base::U8), f(2, Base::U16)],
    };
    w.write(
        &device_info,
        &[date_time(a.start), Some(0), Some(MANUFACTURER_ZEPP)],
    );

    let event = Message {
        global: EVENT,
        local: 2,
        // timestamp, event, event_type
        fields: vec![f(253, Base::U32), f(0, Base::Enum), f(1, Base::Enum)],
    };
    let timer = |w: &mut Writer, ts: i64, event_type: i64| {
        w.write(
            &event,
            &[date_time(ts), Some(EVENT_TIMER), Some(event_type)],
        );
    };
    timer(&mut w, a.start, EVENT_TYPE_START);

    let mut pause_events: Vec<(i64, i64)> = a
        .pauses
        .iter()
        .flat_map(|p| [(p.start, EVENT_TYPE_STOP_ALL), (p.end, EVENT_TYPE_START)])
        .collect();
    pause_events.sort_by_key(|&(t, _)| t);
    let mut pending = pause_events.iter().peekable();

    let record = RecordLayout::of(a);
    for p in &a.points {
        let Some(t) = p.time else { continue };
        while let Some(&&(et, kind)) = pending.peek() {
            if et > t {
                break;
            }
            timer(&mut w, et, kind);
            pending.next();
        }
        record.write(&mut w, a, t, p);
    }
    for &(et, kind) in pending {
        timer(&mut w, et, kind);
    }
    timer(&mut w, end, EVENT_TYPE_STOP_ALL);

    write_lengths(&mut w, a);
    let starts: Vec<i64> = laps.iter().map(|l| l.start).collect();
    let lap_positions = lap_positions(a, &starts);
    for (i, (lap, pos)) in laps.iter().zip(&lap_positions).enumerate() {
        write_lap(&mut w, a, i, lap, *pos);
    }
    write_session(&mut w, a, laps.len(), first_position(a));

    let activity = Message {
        global: ACTIVITY,
        local: 6,
        // timestamp, total_timer_time, num_sessions, type, event, event_type, local_timestamp
        fields: vec![
            f(253, Base::U32),
            f(0, Base::U32),
            f(1, Base::U16),
            f(2, Base::Enum),
            f(3, Base::Enum),
            f(4, Base::Enum),
            f(5, Base::U32),
        ],
    };
    w.write(
        &activity,
        &[
            date_time(end),
            scaled(a.moving_s(), 1000.0, 0.0),
            Some(1),
            Some(ACTIVITY_TYPE_MANUAL),
            Some(EVENT_ACTIVITY),
            Some(EVENT_TYPE_STOP),
            // local_date_time: seconds since the FIT epoch in local time.
            date_time(end.saturating_add(i64::from(a.utc_offset_s))),
        ],
    );
    Ok(w.finish())
}

/// Which `record` fields this workout has (a field no point has is not defined at all).
struct RecordLayout {
    message: Message,
    position: bool,
    distance: bool,
    speed: bool,
    altitude: bool,
    power: bool,
    heart_rate: bool,
    cadence: bool,
}

impl RecordLayout {
    fn of(a: &Activity) -> Self {
        let timed = || a.points.iter().filter(|p| p.time.is_some());
        let any = |has: fn(&Point) -> bool| timed().any(has);
        let mut l = RecordLayout {
            message: Message {
                global: RECORD,
                local: 3,
                fields: vec![f(253, Base::U32)],
            },
            position: any(|p| p.position.is_some()),
            distance: any(|p| p.distance_m.is_some()),
            speed: any(|p| p.speed_mps.is_some()),
            altitude: any(|p| p.altitude_m.is_some()),
            power: any(|p| p.power_w.is_some()),
            heart_rate: any(|p| p.heart_rate.is_some_and(|hr| hr > 0)),
            cadence: any(|p| p.cadence.is_some()),
        };
        let fields = &mut l.message.fields;
        let mut add = |on: bool, new: &[Field]| {
            if on {
                fields.extend_from_slice(new);
            }
        };
        add(l.position, &[f(0, Base::S32), f(1, Base::S32)]); // position_lat, position_long
        add(l.distance, &[f(5, Base::U32)]); // distance, scale 100
        add(l.speed, &[f(73, Base::U32)]); // enhanced_speed, scale 1000
        add(l.altitude, &[f(78, Base::U32)]); // enhanced_altitude, scale 5, offset 500
        add(l.power, &[f(7, Base::U16)]); // power, W
        add(l.heart_rate, &[f(3, Base::U8)]); // heart_rate, bpm
        add(l.cadence, &[f(4, Base::U8)]); // cadence, rpm (strides for foot sports)
        l
    }

    fn write(&self, w: &mut Writer, a: &Activity, t: i64, p: &Point) {
        let mut v: [Option<i64>; 9] = [None; 9];
        let mut n = 0;
        let mut push = |on: bool, x: Option<i64>| {
            if on {
                v[n] = x;
                n += 1;
            }
        };
        push(true, date_time(t));
        push(self.position, p.position.and_then(|q| semicircles(q.lat)));
        push(self.position, p.position.and_then(|q| semicircles(q.lon)));
        push(self.distance, scaled(p.distance_m, 100.0, 0.0));
        push(self.speed, scaled(p.speed_mps, 1000.0, 0.0));
        push(self.altitude, scaled(p.altitude_m, 5.0, 500.0));
        push(self.power, p.power_w.map(i64::from));
        push(
            self.heart_rate,
            p.heart_rate.filter(|&hr| hr > 0).map(i64::from),
        );
        push(
            self.cadence,
            p.cadence.map(|c| i64::from(cadence_for_export(a.sport, c))),
        );
        w.write(&self.message, &v[..n]);
    }
}

/// First and last position of each lap's points.
fn lap_positions(a: &Activity, starts: &[i64]) -> Vec<Option<(Position, Position)>> {
    let mut out: Vec<Option<(Position, Position)>> = vec![None; starts.len()];
    for p in &a.points {
        let (Some(t), Some(pos)) = (p.time, p.position) else {
            continue;
        };
        let slot = &mut out[lap_index(starts, t)];
        match slot {
            Some((_, last)) => *last = pos,
            None => *slot = Some((pos, pos)),
        }
    }
    out
}

fn first_position(a: &Activity) -> Option<Position> {
    a.points
        .iter()
        .find(|p| p.time.is_some() && p.position.is_some())
        .and_then(|p| p.position)
}

/// Average speed in m/s from a distance and a time, when both are known and the time is > 0.
fn avg_speed(distance_m: Option<f64>, time_s: Option<f64>) -> Option<f64> {
    let (d, t) = (distance_m?, time_s?);
    (t > 0.0).then(|| d / t)
}

fn lat(p: Option<Position>) -> Option<i64> {
    p.and_then(|p| semicircles(p.lat))
}

fn lon(p: Option<Position>) -> Option<i64> {
    p.and_then(|p| semicircles(p.lon))
}

fn write_lap(w: &mut Writer, a: &Activity, i: usize, lap: &Lap, pos: Option<(Position, Position)>) {
    let m = Message {
        global: LAP,
        local: 4,
        fields: vec![
            f(254, Base::U16), // message_index
            f(253, Base::U32), // timestamp
            f(0, Base::Enum),  // event
            f(1, Base::Enum),  // event_type
            f(2, Base::U32),   // start_time
            f(3, Base::S32),   // start_position_lat
            f(4, Base::S32),   // start_position_long
            f(5, Base::S32),   // end_position_lat
            f(6, Base::S32),   // end_position_long
            f(7, Base::U32),   // total_elapsed_time, scale 1000
            f(8, Base::U32),   // total_timer_time, scale 1000
            f(9, Base::U32),   // total_distance, scale 100
            f(10, Base::U32),  // total_cycles (total_strokes for swims)
            f(11, Base::U16),  // total_calories
            f(13, Base::U16),  // avg_speed, scale 1000
            f(15, Base::U8),   // avg_heart_rate
            f(16, Base::U8),   // max_heart_rate
            f(17, Base::U8),   // avg_cadence
            f(24, Base::Enum), // lap_trigger
            f(25, Base::Enum), // sport
            f(39, Base::Enum), // sub_sport
            f(32, Base::U16),  // num_lengths
        ],
    };
    let fit = a.sport.fit();
    let timer = lap.moving_s.unwrap_or(lap.duration_s);
    // FIT `lap_trigger`: manual 0, time 1, distance 2, session_end 7.
    let trigger = match lap.trigger {
        LapTrigger::Manual => 0,
        LapTrigger::Time => 1,
        LapTrigger::Distance => 2,
        LapTrigger::SessionEnd => 7,
    };
    w.write(
        &m,
        &[
            i64::try_from(i).ok(),
            date_time(end_of(lap.start, lap.duration_s)),
            Some(EVENT_LAP),
            Some(EVENT_TYPE_STOP),
            date_time(lap.start),
            lat(pos.map(|p| p.0)),
            lon(pos.map(|p| p.0)),
            lat(pos.map(|p| p.1)),
            lon(pos.map(|p| p.1)),
            scaled(Some(lap.duration_s), 1000.0, 0.0),
            scaled(Some(timer), 1000.0, 0.0),
            scaled(lap.distance_m, 100.0, 0.0),
            lap.strokes.map(i64::from),
            lap.kcal.map(i64::from),
            scaled(avg_speed(lap.distance_m, Some(timer)), 1000.0, 0.0),
            lap.avg_hr.filter(|&v| v > 0).map(i64::from),
            lap.max_hr.filter(|&v| v > 0).map(i64::from),
            lap.avg_cadence
                .map(|c| i64::from(cadence_for_export(a.sport, c))),
            Some(trigger),
            Some(i64::from(fit.sport)),
            Some(i64::from(fit.sub_sport)),
            lap.lengths.map(i64::from),
        ],
    );
}

fn write_session(w: &mut Writer, a: &Activity, num_laps: usize, start: Option<Position>) {
    let m = Message {
        global: SESSION,
        local: 5,
        fields: vec![
            f(254, Base::U16), // message_index
            f(253, Base::U32), // timestamp
            f(0, Base::Enum),  // event
            f(1, Base::Enum),  // event_type
            f(2, Base::U32),   // start_time
            f(3, Base::S32),   // start_position_lat
            f(4, Base::S32),   // start_position_long
            f(5, Base::Enum),  // sport
            f(6, Base::Enum),  // sub_sport
            f(7, Base::U32),   // total_elapsed_time, scale 1000
            f(8, Base::U32),   // total_timer_time, scale 1000
            f(9, Base::U32),   // total_distance, scale 100
            f(10, Base::U32),  // total_cycles (total_strokes for swims)
            f(11, Base::U16),  // total_calories
            f(14, Base::U16),  // avg_speed, scale 1000
            f(16, Base::U8),   // avg_heart_rate
            f(17, Base::U8),   // max_heart_rate
            f(18, Base::U8),   // avg_cadence
            f(22, Base::U16),  // total_ascent, m
            f(23, Base::U16),  // total_descent, m
            f(25, Base::U16),  // first_lap_index
            f(26, Base::U16),  // num_laps
            f(28, Base::Enum), // trigger
            f(33, Base::U16),  // num_lengths
            f(44, Base::U16),  // pool_length, scale 100
            f(46, Base::Enum), // pool_length_unit
        ],
    };
    let t = &a.totals;
    let fit = a.sport.fit();
    let moving = a.moving_s();
    let lengths = (!a.lengths.is_empty()).then_some(a.lengths.len());
    w.write(
        &m,
        &[
            Some(0),
            date_time(a.end()),
            Some(EVENT_SESSION),
            Some(EVENT_TYPE_STOP),
            date_time(a.start),
            lat(start),
            lon(start),
            Some(i64::from(fit.sport)),
            Some(i64::from(fit.sub_sport)),
            scaled(a.elapsed_s(), 1000.0, 0.0),
            scaled(moving, 1000.0, 0.0),
            scaled(t.distance_m, 100.0, 0.0),
            t.strokes.map(i64::from),
            t.kcal.map(i64::from),
            scaled(avg_speed(t.distance_m, moving), 1000.0, 0.0),
            t.avg_hr.filter(|&v| v > 0).map(i64::from),
            t.max_hr.filter(|&v| v > 0).map(i64::from),
            t.avg_cadence
                .map(|c| i64::from(cadence_for_export(a.sport, c))),
            scaled(t.ascent_m, 1.0, 0.0),
            scaled(t.descent_m, 1.0, 0.0),
            Some(0),
            i64::try_from(num_laps).ok(),
            Some(SESSION_TRIGGER_ACTIVITY_END),
            lengths.and_then(|n| i64::try_from(n).ok()),
            scaled(a.pool_length_m, 100.0, 0.0),
            a.pool_length_m.map(|_| DISPLAY_MEASURE_METRIC),
        ],
    );
}

fn write_lengths(w: &mut Writer, a: &Activity) {
    let m = Message {
        global: LENGTH,
        local: 7,
        fields: vec![
            f(254, Base::U16), // message_index
            f(253, Base::U32), // timestamp
            f(0, Base::Enum),  // event
            f(1, Base::Enum),  // event_type
            f(2, Base::U32),   // start_time
            f(3, Base::U32),   // total_elapsed_time, scale 1000
            f(4, Base::U32),   // total_timer_time, scale 1000
            f(5, Base::U16),   // total_strokes
            f(6, Base::U16),   // avg_speed, scale 1000
            f(12, Base::Enum), // length_type: idle 0, active 1
        ],
    };
    for (i, l) in a.lengths.iter().enumerate() {
        let speed = if l.active {
            avg_speed(a.pool_length_m, Some(l.duration_s))
        } else {
            None
        };
        w.write(
            &m,
            &[
                i64::try_from(i).ok(),
                date_time(end_of(l.start, l.duration_s)),
                Some(EVENT_LENGTH),
                Some(EVENT_TYPE_STOP),
                date_time(l.start),
                scaled(Some(l.duration_s), 1000.0, 0.0),
                scaled(Some(l.duration_s), 1000.0, 0.0),
                l.strokes.map(i64::from),
                scaled(speed, 1000.0, 0.0),
                Some(i64::from(l.active)),
            ],
        );
    }
}
