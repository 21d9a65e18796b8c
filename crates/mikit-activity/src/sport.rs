//! Sports: the Huami sport code and what it becomes in FIT, TCX, GPX and Strava.
//!
//! The codes and their meanings are the table of `huami-cloud.md` §6.2 (collected from
//! rolandsz/Mi-Fit-and-Zepp-workout-exporter, the H3LL Zepp exporter, GREG's
//! `docs/zepp_sport_types.md`, ZeppBridge and JSOLAN's fixtures; no server-side name mapping
//! exists). The FIT numbers are the `sport` and `sub_sport` enums of the Garmin FIT SDK profile
//! (`Profile.xlsx`, "Types" sheet). TCX only knows `Running`, `Biking` and `Other`
//! (`Sport_t` in TrainingCenterDatabasev2.xsd). The Strava names are its upload `sport_type`
//! values. An unknown code keeps its number and maps to FIT `generic`.

use std::fmt;

/// A workout's sport, as the Huami `type` code (kept as a number: unknown codes survive).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sport(pub u32);

/// FIT `sport` / `sub_sport` enum values (Garmin FIT SDK profile).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FitSport {
    /// The FIT `sport` value (0 = generic, 1 = running, 2 = cycling, …).
    pub sport: u8,
    /// The FIT `sub_sport` value (0 = generic, 1 = treadmill, …).
    pub sub_sport: u8,
}

/// What one Huami sport code maps to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SportInfo {
    /// The Huami code.
    pub code: u32,
    /// A short lowercase name for file names and tables (`running`, `pool-swim`).
    pub name: &'static str,
    /// FIT sport and sub-sport.
    pub fit: FitSport,
    /// TCX `Activity/@Sport`: `Running`, `Biking` or `Other`.
    pub tcx: &'static str,
    /// Strava `sport_type`.
    pub strava: &'static str,
    /// Cadence arrives in steps per minute (both feet): a foot sport.
    pub cadence_in_steps: bool,
}

// FIT `sport` values (FIT SDK profile, type `sport`).
const GENERIC: u8 = 0;
const RUNNING: u8 = 1;
const CYCLING: u8 = 2;
const SWIMMING: u8 = 5;
const TRAINING: u8 = 10;
const WALKING: u8 = 11;
const ALPINE_SKIING: u8 = 13;
const ROWING: u8 = 15;
const HIKING: u8 = 17;
const E_BIKING: u8 = 21;
const DIVING: u8 = 53;
const RACKET: u8 = 64;
const VOLLEYBALL: u8 = 75;

// FIT `sub_sport` values (FIT SDK profile, type `sub_sport`).
const SUB_GENERIC: u8 = 0;
const TREADMILL: u8 = 1;
const INDOOR_CYCLING: u8 = 6;
const INDOOR_ROWING: u8 = 14;
const LAP_SWIMMING: u8 = 17;
const OPEN_WATER: u8 = 18;
const STRENGTH_TRAINING: u8 = 20;
const CARDIO_TRAINING: u8 = 26;
const GRAVEL_CYCLING: u8 = 46;
const E_BIKE_MOUNTAIN: u8 = 47;
const APNEA_DIVING: u8 = 56;
const BADMINTON: u8 = 95;

const fn info(
    code: u32,
    name: &'static str,
    (sport, sub_sport): (u8, u8),
    tcx: &'static str,
    strava: &'static str,
    cadence_in_steps: bool,
) -> SportInfo {
    SportInfo {
        code,
        name,
        fit: FitSport { sport, sub_sport },
        tcx,
        strava,
        cadence_in_steps,
    }
}

/// Every code of `huami-cloud.md` §6.2, in the table's order.
pub const SPORTS: &[SportInfo] = &[
    info(1, "running", (RUNNING, SUB_GENERIC), "Running", "Run", true),
    info(6, "walking", (WALKING, SUB_GENERIC), "Other", "Walk", true),
    info(8, "treadmill", (RUNNING, TREADMILL), "Running", "Run", true),
    info(
        9,
        "cycling",
        (CYCLING, SUB_GENERIC),
        "Biking",
        "Ride",
        false,
    ),
    info(
        10,
        "indoor-cycling",
        (CYCLING, INDOOR_CYCLING),
        "Biking",
        "Ride",
        false,
    ),
    info(13, "walking", (WALKING, SUB_GENERIC), "Other", "Walk", true),
    info(
        14,
        "pool-swim",
        (SWIMMING, LAP_SWIMMING),
        "Other",
        "Swim",
        false,
    ),
    info(
        15,
        "open-water-swim",
        (SWIMMING, OPEN_WATER),
        "Other",
        "Swim",
        false,
    ),
    info(
        16,
        "other",
        (GENERIC, SUB_GENERIC),
        "Other",
        "Workout",
        false,
    ),
    info(22, "hiking", (HIKING, SUB_GENERIC), "Other", "Hike", true),
    info(
        23,
        "indoor-rowing",
        (ROWING, INDOOR_ROWING),
        "Other",
        "Rowing",
        false,
    ),
    info(
        52,
        "strength",
        (TRAINING, STRENGTH_TRAINING),
        "Other",
        "WeightTraining",
        false,
    ),
    info(
        92,
        "badminton",
        (RACKET, BADMINTON),
        "Other",
        "Badminton",
        false,
    ),
    info(
        105,
        "skiing",
        (ALPINE_SKIING, SUB_GENERIC),
        "Other",
        "AlpineSki",
        false,
    ),
    info(
        122,
        "beach-volleyball",
        (VOLLEYBALL, SUB_GENERIC),
        "Other",
        "Workout",
        false,
    ),
    info(
        130,
        "cross-training",
        (TRAINING, CARDIO_TRAINING),
        "Other",
        "Workout",
        false,
    ),
    info(
        192,
        "running",
        (RUNNING, SUB_GENERIC),
        "Running",
        "Run",
        true,
    ),
    info(
        196,
        "free-diving",
        (DIVING, APNEA_DIVING),
        "Other",
        "Workout",
        false,
    ),
    info(
        207,
        "e-mtb",
        (E_BIKING, E_BIKE_MOUNTAIN),
        "Biking",
        "EMountainBikeRide",
        false,
    ),
    info(
        208,
        "gravel-cycling",
        (CYCLING, GRAVEL_CYCLING),
        "Biking",
        "GravelRide",
        false,
    ),
    info(
        223,
        "auto-detected",
        (GENERIC, SUB_GENERIC),
        "Other",
        "Workout",
        false,
    ),
    info(
        224,
        "mountain-hiking",
        (HIKING, SUB_GENERIC),
        "Other",
        "Hike",
        true,
    ),
];

/// What an unknown code maps to (its name is `other`; [`Sport`]'s `Display` adds the number).
const UNKNOWN: SportInfo = info(
    0,
    "other",
    (GENERIC, SUB_GENERIC),
    "Other",
    "Workout",
    false,
);

impl Sport {
    /// The mapping of this code; the generic one for a code not in the table.
    #[must_use]
    pub fn info(self) -> &'static SportInfo {
        SPORTS.iter().find(|s| s.code == self.0).unwrap_or(&UNKNOWN)
    }

    /// Whether the code is in the reference table.
    #[must_use]
    pub fn is_known(self) -> bool {
        SPORTS.iter().any(|s| s.code == self.0)
    }

    /// FIT sport and sub-sport.
    #[must_use]
    pub fn fit(self) -> FitSport {
        self.info().fit
    }

    /// TCX `Activity/@Sport`.
    #[must_use]
    pub fn tcx(self) -> &'static str {
        self.info().tcx
    }

    /// Strava `sport_type`.
    #[must_use]
    pub fn strava(self) -> &'static str {
        self.info().strava
    }

    /// Whether cadence for this sport arrives in steps per minute (both feet). FIT, TCX
    /// (`RunCadence`) and the Garmin GPX extension want strides per minute (one foot), so the
    /// writers halve it.
    #[must_use]
    pub fn cadence_in_steps(self) -> bool {
        self.info().cadence_in_steps
    }
}

/// The short name (`running`, `pool-swim`); `sport-777` for an unknown code.
impl fmt::Display for Sport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_known() {
            f.write_str(self.info().name)
        } else {
            write!(f, "sport-{}", self.0)
        }
    }
}

/// Converts a cadence in the watch's unit to the one FIT/TCX/GPX expect (see
/// [`Sport::cadence_in_steps`]), rounding half up.
pub(crate) fn cadence_for_export(sport: Sport, cadence: u16) -> u16 {
    if sport.cadence_in_steps() {
        cadence.div_ceil(2)
    } else {
        cadence
    }
}
