//! How the minute slots of a band day map to instants, DST days included.
//!
//! # Decision (reference `huami-cloud.md` §5.4, §7.3 "DST")
//!
//! A band day (`data`, `data_hr`) has one slot per minute of **local wall-clock time** from
//! local midnight of `date_time`: "DST days still have 1440 slots; convert with a real tz
//! database" (§5.4, sources JSOLAN and WEDDLE). JSOLAN (`J-solan/zepp-dashboard`,
//! `docs/zepp-api.md`, "Timezones — read this first", validated on a live account) says
//! why: "Do the arithmetic with a real timezone library, not a fixed offset: DST days are
//! 23 or 25 hours long and both `data_hr` and `stage[]` will be off by an hour otherwise."
//!
//! So slot `i` is the local time `date_time 00:00 + i minutes` in the band's zone:
//!
//! * on a **spring-forward** day the slots of the skipped hour (02:00–02:59 in Europe) name
//!   no instant: the band's clock never showed them, so they hold no measurement. They are
//!   dropped; should one carry a measurement anyway it is reported as a [`DecodeIssue`]
//!   (it has no instant of its own: giving it one would overwrite a real minute);
//! * on a **fall-back** day the repeated hour has only one set of slots; they are taken as
//!   the *first* occurrence (the earlier instant, as RFC 5545 and jiff's "compatible"
//!   disambiguation do), so the day's minutes stay in order and inside the day;
//! * every other slot maps to exactly one instant, and a day's instants end before the next
//!   day's local midnight, so two consecutive days never claim the same minute.
//!
//! The item itself carries only a fixed offset (`summary.tz`, the offset at local midnight),
//! never a zone name. The zone comes from the caller (mikit uses the system zone, `TZ`); it
//! is used for a day only when its offset at that local midnight equals `summary.tz`. Any
//! other day (no zone, or the band was elsewhere) is mapped with the fixed offset, slot `i`
//! at `midnight + 60 i` (the §5.5 pseudo-code); [`DayClock::end`] is then 1440 minutes after
//! midnight and the store trims a day where the next day's midnight comes earlier.

use jiff::civil::{Date, DateTime};
use jiff::tz::{AmbiguousOffset, TimeZone};

use crate::model::{DecodeIssue, MinuteRecord};

/// Seconds of a 24-hour day.
const DAY: i64 = 86_400;

/// The mapping of one day's slots to UTC epoch seconds.
#[derive(Clone, Debug)]
pub struct DayClock {
    midnight: i64,
    end: i64,
    /// The zone, when it applies to this day and the day is not 24 hours long.
    zone: Option<(TimeZone, DateTime)>,
}

impl DayClock {
    /// The clock of `date` whose local midnight is at offset `tz` seconds east of UTC.
    pub fn new(date: Date, tz: i32, midnight: i64, zone: Option<&TimeZone>) -> Self {
        let fixed = Self {
            midnight,
            end: midnight + 1440 * 60,
            zone: None,
        };
        let Some(zone) = zone else { return fixed };
        let start = date.to_datetime(jiff::civil::Time::midnight());
        let offset_at = |dt: DateTime| -> Option<i32> {
            match zone.to_ambiguous_timestamp(dt).offset() {
                AmbiguousOffset::Unambiguous { offset } => Some(offset.seconds()),
                AmbiguousOffset::Fold { before, .. } => Some(before.seconds()),
                // A zone whose clock skips midnight itself: the day starts after the gap.
                AmbiguousOffset::Gap { after, .. } => Some(after.seconds()),
            }
        };
        if offset_at(start) != Some(tz) {
            return fixed; // the band was in another zone that day
        }
        let Some(next) = date
            .tomorrow()
            .ok()
            .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
            .and_then(|dt| Some(midnight + DAY + i64::from(tz) - i64::from(offset_at(dt)?)))
        else {
            return fixed;
        };
        if next == midnight + DAY {
            // No offset change between the two midnights: slot i is midnight + 60 i.
            return Self {
                midnight,
                end: next,
                zone: None,
            };
        }
        Self {
            midnight,
            end: next,
            zone: Some((zone.clone(), start)),
        }
    }

    /// Local midnight (UTC epoch seconds).
    pub fn midnight(&self) -> i64 {
        self.midnight
    }

    /// The end (exclusive) of the instants this day's slots map to: the next local midnight
    /// when the zone applies, else 1440 minutes after midnight.
    pub fn end(&self) -> i64 {
        self.end
    }

    /// The instant of slot `i`, or `None` for a slot that names no instant (the hour a
    /// spring-forward change skips).
    pub fn slot(&self, i: i64) -> Option<i64> {
        let Some((zone, start)) = &self.zone else {
            return Some(self.midnight + 60 * i);
        };
        let local = start.checked_add(jiff::Span::new().minutes(i)).ok()?;
        // Seconds of the local time read as if it were UTC; minus the offset gives the instant.
        let naive = local.to_zoned(TimeZone::UTC).ok()?.timestamp().as_second();
        match zone.to_ambiguous_timestamp(local).offset() {
            AmbiguousOffset::Unambiguous { offset } => Some(naive - i64::from(offset.seconds())),
            // The repeated hour: its first occurrence (the offset before the change).
            AmbiguousOffset::Fold { before, .. } => Some(naive - i64::from(before.seconds())),
            AmbiguousOffset::Gap { .. } => None,
        }
    }

    /// Re-time `minutes`, decoded at `midnight + 60 i`, by [`DayClock::slot`]: slots without an
    /// instant are dropped (an issue when one held a measurement).
    pub fn apply(
        &self,
        minutes: Vec<MinuteRecord>,
        issues: &mut Vec<DecodeIssue>,
    ) -> Vec<MinuteRecord> {
        if self.zone.is_none() {
            return minutes;
        }
        let mut dropped = 0usize;
        let out: Vec<MinuteRecord> = minutes
            .into_iter()
            .filter_map(|mut m| {
                let i = (m.ts - self.midnight).div_euclid(60);
                match self.slot(i) {
                    Some(ts) => {
                        m.ts = ts;
                        Some(m)
                    }
                    None => {
                        if m.heart_rate.is_some() || m.steps.is_some_and(|s| s > 0) {
                            dropped += 1;
                        }
                        None
                    }
                }
            })
            .collect();
        if dropped > 0 {
            issues.push(DecodeIssue {
                field: "data".into(),
                problem: format!(
                    "{dropped} measured minutes fall in the hour the DST change skips; they name no instant and were dropped"
                ),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::local_midnight;
    use jiff::civil::date;

    fn berlin() -> TimeZone {
        TimeZone::get("Europe/Berlin").unwrap()
    }

    #[test]
    fn spring_forward_day_skips_the_missing_hour() {
        let d = date(2026, 3, 29);
        let c = DayClock::new(d, 3600, local_midnight(d, 3600), Some(&berlin()));
        assert_eq!(c.end() - c.midnight(), 23 * 3600);
        assert_eq!(c.slot(119), Some(c.midnight() + 119 * 60)); // 01:59 CET
        assert_eq!(c.slot(120), None); // 02:00 does not exist
        assert_eq!(c.slot(179), None);
        assert_eq!(c.slot(180), Some(c.midnight() + 120 * 60)); // 03:00 CEST
        assert_eq!(c.slot(1439), Some(c.end() - 60)); // 23:59 CEST
        let next = date(2026, 3, 30);
        assert_eq!(c.end(), local_midnight(next, 7200));
    }

    #[test]
    fn fall_back_day_takes_the_first_occurrence() {
        let d = date(2026, 10, 25);
        let c = DayClock::new(d, 7200, local_midnight(d, 7200), Some(&berlin()));
        assert_eq!(c.end() - c.midnight(), 25 * 3600);
        assert_eq!(c.slot(120), Some(c.midnight() + 120 * 60)); // 02:00 CEST
        assert_eq!(c.slot(179), Some(c.midnight() + 179 * 60));
        assert_eq!(c.slot(180), Some(c.midnight() + 240 * 60)); // 03:00 CET
        assert_eq!(c.slot(1439), Some(c.end() - 60));
    }

    #[test]
    fn a_zone_that_disagrees_with_the_item_is_not_used() {
        let d = date(2026, 3, 29);
        let c = DayClock::new(d, -18_000, local_midnight(d, -18_000), Some(&berlin()));
        assert_eq!(c.end() - c.midnight(), 1440 * 60);
        assert_eq!(c.slot(150), Some(c.midnight() + 150 * 60));
        let none = DayClock::new(d, 3600, local_midnight(d, 3600), None);
        assert_eq!(none.slot(150), Some(none.midnight() + 150 * 60));
    }

    #[test]
    fn measured_minutes_in_the_gap_are_an_issue() {
        let d = date(2026, 3, 29);
        let c = DayClock::new(d, 3600, local_midnight(d, 3600), Some(&berlin()));
        let m = |i: i64, hr| MinuteRecord {
            ts: c.midnight() + 60 * i,
            kind: Some(1),
            intensity: Some(0),
            steps: Some(0),
            heart_rate: hr,
        };
        let mut issues = Vec::new();
        let out = c.apply(
            vec![
                m(119, Some(60)),
                m(120, None),
                m(121, Some(61)),
                m(180, None),
            ],
            &mut issues,
        );
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].ts, c.midnight() + 120 * 60);
        assert_eq!(issues.len(), 1);
    }
}
