//! The generated workout mix: which sport on which day, when, how long, and what the band
//! records meanwhile (activity mode, steps, heart rate).
//!
//! Codes from reference §6.2 (`1` outdoor run, `6` walk, `8` treadmill, `9` outdoor ride,
//! `10` indoor cycling, `14` pool swim, `15` open-water swim, `22` hiking, `52` strength);
//! `777` is the unknown code of JSOLAN's fixture (§6.2: "unknown codes must be preserved").

use crate::rng::Rng;

/// One sport of the mix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Sport {
    Run,
    Walk,
    Treadmill,
    Ride,
    IndoorCycling,
    PoolSwim,
    OpenWaterSwim,
    Hike,
    Strength,
    Unknown,
}

impl Sport {
    /// Every sport the generator produces.
    #[cfg(test)]
    pub const ALL: [Sport; 10] = [
        Sport::Run,
        Sport::Walk,
        Sport::Treadmill,
        Sport::Ride,
        Sport::IndoorCycling,
        Sport::PoolSwim,
        Sport::OpenWaterSwim,
        Sport::Hike,
        Sport::Strength,
        Sport::Unknown,
    ];

    /// The summary's `type` (§6.2).
    pub fn code(self) -> i64 {
        match self {
            Sport::Run => 1,
            Sport::Walk => 6,
            Sport::Treadmill => 8,
            Sport::Ride => 9,
            Sport::IndoorCycling => 10,
            Sport::PoolSwim => 14,
            Sport::OpenWaterSwim => 15,
            Sport::Hike => 22,
            Sport::Strength => 52,
            Sport::Unknown => 777,
        }
    }

    /// Whether the workout has a GPS track.
    pub fn gps(self) -> bool {
        matches!(
            self,
            Sport::Run | Sport::Ride | Sport::OpenWaterSwim | Sport::Hike
        )
    }

    /// Whether the watch counts steps (and writes `gait`).
    pub fn steps(self) -> bool {
        matches!(
            self,
            Sport::Run | Sport::Walk | Sport::Treadmill | Sport::Hike
        )
    }

    /// Whether it is a swim (laps, strokes, SWOLF).
    pub fn swim(self) -> bool {
        matches!(self, Sport::PoolSwim | Sport::OpenWaterSwim)
    }

    /// The band's activity-stage mode for these minutes (4 run, 3 fast walk, 7 light activity).
    pub fn band_mode(self) -> u8 {
        match self {
            Sport::Run | Sport::Treadmill => 4,
            Sport::Walk | Sport::Hike => 3,
            _ => 7,
        }
    }

    /// Steps per minute the band counts (inclusive bounds).
    pub fn steps_per_minute(self) -> (i64, i64) {
        match self {
            Sport::Run | Sport::Treadmill => (150, 178),
            Sport::Walk => (100, 125),
            Sport::Hike => (90, 112),
            Sport::Strength => (4, 20),
            Sport::Unknown => (30, 80),
            Sport::Ride | Sport::IndoorCycling | Sport::PoolSwim | Sport::OpenWaterSwim => (0, 4),
        }
    }

    /// Heart rate of minute `m` of the workout for a person with resting rate `rest`
    /// (before per-minute noise).
    pub fn heart_rate(self, m: i64, rest: i64) -> i64 {
        let warm = |cap: i64| m.min(cap);
        match self {
            Sport::Run => 128 + warm(30),
            Sport::Treadmill => 126 + warm(25),
            Sport::Ride => 116 + warm(25),
            Sport::IndoorCycling => 120 + warm(25),
            Sport::PoolSwim => 112 + warm(20),
            Sport::OpenWaterSwim => 118 + warm(20),
            Sport::Hike => rest + 42 + warm(15),
            Sport::Walk => rest + 45,
            // Sets and rests alternate every two minutes.
            Sport::Strength => {
                if m % 4 < 2 {
                    rest + 65
                } else {
                    rest + 35
                }
            }
            Sport::Unknown => 118 + warm(20),
        }
    }
}

/// A workout the person does on a day, before it is fitted into the band day.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Plan {
    pub sport: Sport,
    /// First minute (wall clock) of the day.
    pub start: i64,
    /// Minutes.
    pub len: i64,
}

/// The workout (if any) of a day: a weekday or weekend day in month `month` (1..=12), drawn
/// from the day's own stream `r`. About one day in four has one, so ten years hold ≈ 800.
pub(crate) fn plan(r: &mut Rng, weekend: bool, month: i8) -> Option<Plan> {
    if !r.chance(if weekend { 0.33 } else { 0.18 }) {
        return None;
    }
    let summer = (6..=8).contains(&month);
    let x = r.next_u64() % 1000;
    // Per-mille weights; open water only in summer, long rides and hikes on weekends.
    let sport = match x {
        0..300 => Sport::Run,
        300..400 => Sport::Walk,
        400..470 => Sport::Treadmill,
        470..620 => Sport::Ride,
        620..690 => Sport::IndoorCycling,
        690..785 => Sport::PoolSwim,
        785..815 if summer => Sport::OpenWaterSwim,
        785..815 => Sport::PoolSwim,
        815..870 if weekend => Sport::Hike,
        815..870 => Sport::Run,
        870..985 => Sport::Strength,
        _ => Sport::Unknown,
    };
    let (start, len) = match (sport, weekend) {
        (Sport::Walk, _) => (r.range(600, 1000), r.range(20, 50)),
        (Sport::Hike, _) => (r.range(540, 600), r.range(120, 230)),
        (Sport::Ride, true) => (r.range(540, 630), r.range(60, 150)),
        (Sport::OpenWaterSwim, _) => (r.range(540, 660), r.range(20, 45)),
        (Sport::Run, true) => (r.range(540, 660), r.range(30, 90)),
        (_, true) => (r.range(560, 680), r.range(30, 70)),
        (Sport::PoolSwim, false) if r.chance(0.5) => (r.range(720, 745), r.range(30, 50)),
        (Sport::Ride, false) => (r.range(1080, 1140), r.range(40, 80)),
        (_, false) => (r.range(1080, 1170), r.range(25, 60)),
    };
    Some(Plan { sport, start, len })
}
