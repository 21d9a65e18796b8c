//! The decoded domain model of Huami band data: days, minutes, sleep and activity stages.
//!
//! These types are the contract between the decoders (`summary`, `detail`) and the store.
//! All instants are UTC epoch seconds; local-day facts carry the day's UTC offset.

use jiff::civil::Date;

/// One decoded `band_data.json` item: one local day of one account.
#[derive(Clone, Debug, PartialEq)]
pub struct BandDay {
    /// The item's `date_time` (local calendar day).
    pub date: Date,
    /// The day's UTC offset in seconds east of UTC (`summary.tz`, e.g. `"+3600"` → 3600).
    pub tz_offset: i32,
    /// UTC epoch seconds of local midnight of `date` (`date 00:00 UTC - tz_offset`).
    pub local_midnight: i64,
    /// End (exclusive, UTC epoch seconds) of the instants the day's minutes may occupy: the
    /// next local midnight when the zone is known (23 or 25 hours on DST days), else 1440
    /// minutes after `local_midnight` (see [`crate::clock`]).
    pub minutes_end: i64,
    /// The item's `source` (device source id), if present.
    pub source: Option<i64>,
    /// The item's `device_id`, if present.
    pub device_id: Option<String>,
    /// Daily totals from the summary (plus REM and awake derived from the stages).
    pub totals: DayTotals,
    /// Per-minute records (empty for `query_type=summary` items).
    pub minutes: Vec<MinuteRecord>,
    /// Sleep stages of the night (and naps, flagged), anchored per reference §13.1.
    pub sleep: Vec<SleepStage>,
    /// Activity stages (`stp.stage`).
    pub activities: Vec<ActivityStage>,
    /// The decoded summary JSON object, every key preserved (unknown ones too).
    pub summary_json: serde_json::Value,
    /// Non-fatal problems met while decoding; non-empty means the day is partial.
    pub issues: Vec<DecodeIssue>,
}

impl BandDay {
    /// True when some part of the item could not be decoded.
    pub fn is_partial(&self) -> bool {
        !self.issues.is_empty()
    }
}

/// Daily totals.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DayTotals {
    /// `stp.ttl`.
    pub steps: Option<u32>,
    /// `stp.dis`, metres.
    pub distance_m: Option<u32>,
    /// `stp.cal`, kcal.
    pub kcal: Option<u32>,
    /// `goal`, steps.
    pub goal: Option<u32>,
    /// `slp.st`, UTC epoch seconds (converted if the server sent ms).
    pub sleep_start: Option<i64>,
    /// `slp.ed`, UTC epoch seconds.
    pub sleep_end: Option<i64>,
    /// `slp.dp`, minutes.
    pub deep_min: Option<u32>,
    /// `slp.lt`, minutes.
    pub light_min: Option<u32>,
    /// Sum of REM stage minutes (modes 8 and 11); no aggregate field exists.
    pub rem_min: Option<u32>,
    /// `slp.wk`, minutes awake.
    pub awake_min: Option<u32>,
    /// `slp.ss`, 0–100.
    pub sleep_score: Option<u32>,
    /// `slp.rhr`, bpm.
    pub resting_hr: Option<u32>,
    /// `hr.maxHr.hr`, bpm.
    pub max_hr: Option<u32>,
    /// `hr.maxHr.ts`, UTC epoch seconds.
    pub max_hr_at: Option<i64>,
}

/// One minute of the per-minute series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MinuteRecord {
    /// UTC epoch seconds of the start of the minute.
    pub ts: i64,
    /// Raw activity kind (device-specific; 126 = no data on legacy bands).
    pub kind: Option<u8>,
    /// Raw intensity.
    pub intensity: Option<u8>,
    /// Steps in that minute.
    pub steps: Option<u8>,
    /// Heart rate in bpm when measured (`data_hr`, else byte 3 of an 8-byte record);
    /// the sentinels 0, 254 and 255 are `None`.
    pub heart_rate: Option<u8>,
}

/// Sleep stage kinds (reference §5.3: 4 light, 5 deep, 7 awake, 8 and 11 REM).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SleepStageKind {
    /// mode 4.
    Light,
    /// mode 5.
    Deep,
    /// mode 7.
    Awake,
    /// mode 8 or 11.
    Rem,
    /// Any other mode, kept raw.
    Unknown(u8),
}

impl SleepStageKind {
    /// Classify a raw `mode`.
    pub fn from_mode(mode: u8) -> Self {
        match mode {
            4 => Self::Light,
            5 => Self::Deep,
            7 => Self::Awake,
            8 | 11 => Self::Rem,
            other => Self::Unknown(other),
        }
    }
    /// Lower-case name (`light`, `deep`, `awake`, `rem`, `unknown`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Light => "light",
            Self::Deep => "deep",
            Self::Awake => "awake",
            Self::Rem => "rem",
            Self::Unknown(_) => "unknown",
        }
    }
}

/// One sleep stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SleepStage {
    /// UTC epoch seconds, inclusive.
    pub start: i64,
    /// UTC epoch seconds, exclusive (`stop` is inclusive on the wire: end = anchor + (stop+1)*60).
    pub end: i64,
    /// Raw mode.
    pub mode: u8,
    /// Classified kind.
    pub kind: SleepStageKind,
    /// True for `odd_stage` entries (naps).
    pub nap: bool,
}

/// One activity stage (`stp.stage[]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActivityStage {
    /// UTC epoch seconds, inclusive.
    pub start: i64,
    /// UTC epoch seconds, exclusive.
    pub end: i64,
    /// Raw mode (1 slow walking, 3 fast walking, 4 running, 7 light activity — disputed, kept raw).
    pub mode: u8,
    /// Steps.
    pub steps: Option<u32>,
    /// Metres.
    pub distance_m: Option<u32>,
    /// kcal.
    pub kcal: Option<u32>,
}

/// A non-fatal decoding problem: the rest of the day was still decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeIssue {
    /// Which field (`summary`, `data`, `data_hr`, `slp.stage[3]`, …).
    pub field: String,
    /// What was wrong, in words.
    pub problem: String,
}
