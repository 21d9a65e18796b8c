//! One entry of the workout history (`data.summary[]`, reference `huami-cloud.md` §6.1 and the
//! verbatim samples §9 (a) and (i)), typed.
//!
//! Field meanings come from ROLANDSZ `src/api.py::WorkoutSummary`, H3LL `SportSummary` and
//! JSOLAN's sanitized `sport_history.json`. Numbers often arrive as strings (`"9960.0"`);
//! "not applicable" arrives as a sentinel (`-1`, `-20000`, `-274`, `-361`) or an empty string
//! (JSOLAN). Every sentinel becomes `None`; so does a zero where zero is what the watch
//! writes for "not measured" (a heart rate, a stride, a pool length, the distance and steps
//! of a strength workout, a training effect). Every field, typed or not, stays in
//! [`WorkoutSummary::raw`].

use serde_json::{Map, Value};

use crate::model::DecodeIssue;
use crate::summary::as_i64;

use Keep::{Any, NonNegative, Positive};

/// The "not applicable" values of numeric summary fields (JSOLAN `docs/zepp-api.md`, fixture
/// `sport_history.json`): −1 (most fields), −20000 (altitudes), −274 (temperatures, below
/// absolute zero), −361 (angles).
const SENTINELS: [f64; 4] = [-1.0, -20_000.0, -274.0, -361.0];

/// One workout of the history, typed where the meaning of a field is known.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkoutSummary {
    /// `trackid`: the workout's id, which is also its start (UTC epoch seconds).
    pub trackid: i64,
    /// `source` (`run.mifit.huami.com`, `run.411.huami.com`): needed to fetch the detail.
    pub source: Option<String>,
    /// `type`: the sport code, kept as the number (§6.2; unknown codes such as 777 survive).
    pub sport: Option<u32>,
    /// `end_time`, UTC epoch seconds.
    pub end_time: Option<i64>,
    /// `run_time`: moving time, seconds.
    pub run_time_s: Option<f64>,
    /// `pause_time`: paused time, seconds.
    pub pause_time_s: Option<f64>,
    /// `dis`: distance, metres.
    pub distance_m: Option<f64>,
    /// `calorie`, kcal.
    pub kcal: Option<f64>,
    /// `avg_pace`, seconds per metre.
    pub avg_pace_s_per_m: Option<f64>,
    /// `max_pace` (the fastest), seconds per metre.
    pub max_pace_s_per_m: Option<f64>,
    /// `min_pace` (the slowest), seconds per metre.
    pub min_pace_s_per_m: Option<f64>,
    /// `avg_heart_rate`, bpm.
    pub avg_hr: Option<f64>,
    /// `max_heart_rate`, bpm.
    pub max_hr: Option<f64>,
    /// `min_heart_rate`, bpm.
    pub min_hr: Option<f64>,
    /// `avg_frequency`: step frequency, steps per minute (both feet).
    pub avg_step_frequency: Option<f64>,
    /// `max_frequency`: step frequency, steps per minute.
    pub max_step_frequency: Option<f64>,
    /// `avg_cadence`: pedalling or stroke cadence, per minute.
    pub avg_cadence: Option<f64>,
    /// `max_cadence`, per minute.
    pub max_cadence: Option<f64>,
    /// `avg_stride_length`, centimetres.
    pub avg_stride_cm: Option<f64>,
    /// `total_step`.
    pub total_steps: Option<u32>,
    /// `altitude_ascend`, metres.
    pub ascent_m: Option<f64>,
    /// `altitude_descend`, metres.
    pub descent_m: Option<f64>,
    /// `max_altitude`, metres.
    pub max_altitude_m: Option<f64>,
    /// `min_altitude`, metres.
    pub min_altitude_m: Option<f64>,
    /// `avg_altitude`, metres.
    pub avg_altitude_m: Option<f64>,
    /// Swim fields (`swim_pool_length`, `total_trips`, `total_strokes`, …).
    pub swim: SwimSummary,
    /// `te` / 10: aerobic training effect (0.0–5.0).
    pub training_effect: Option<f64>,
    /// `anaerobic_te` / 10: anaerobic training effect.
    pub anaerobic_training_effect: Option<f64>,
    /// `exercise_load`.
    pub exercise_load: Option<f64>,
    /// `VO2_max`, ml/kg/min.
    pub vo2_max: Option<f64>,
    /// `avg_temperature`, °C.
    pub avg_temperature_c: Option<f64>,
    /// `auto_recognition`: detected automatically rather than started by the user.
    pub auto_recognition: Option<bool>,
    /// `sport_title`: the user's title.
    pub title: Option<String>,
    /// `syncedTimezone`: the IANA zone the workout was synced in (`Europe/Madrid`).
    pub timezone: Option<String>,
    /// `createTime`, UTC epoch milliseconds.
    pub created_ms: Option<i64>,
    /// `updateTime`, UTC epoch milliseconds (changes when the user edits the workout).
    pub updated_ms: Option<i64>,
    /// `parent_trackid`: the multisport workout this one belongs to.
    pub parent_trackid: Option<i64>,
    /// `child_list`: the trackids of the parts of a multisport workout.
    pub children: Vec<i64>,
    /// `heart_range`: time per heart-rate zone.
    pub heart_zones: Vec<HeartZone>,
    /// `strength_training_group`: the exercises of a strength workout.
    pub strength_groups: Vec<StrengthGroup>,
    /// `sport_mode` (5 = Zepp Coach, GREG).
    pub sport_mode: Option<i64>,
    /// `version` of the record format (15, 16).
    pub version: Option<i64>,
    /// `deviceid`.
    pub device_id: Option<String>,
    /// `app_name` (`com.xiaomi.hm.health`).
    pub app_name: Option<String>,
    /// The whole entry as received: every field, the typed ones and all the others.
    pub raw: Map<String, Value>,
    /// Fields that had a value of the wrong shape (they are `None` above, and kept in `raw`).
    pub issues: Vec<DecodeIssue>,
}

/// The swim fields of a summary (all `None` for other sports).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SwimSummary {
    /// `swim_pool_length`, metres.
    pub pool_length_m: Option<f64>,
    /// `total_trips`: pool lengths swum.
    pub lengths: Option<u32>,
    /// `total_strokes`.
    pub strokes: Option<u32>,
    /// `swolf`: strokes plus seconds per length.
    pub swolf: Option<f64>,
    /// `avg_stroke_speed`, strokes per minute.
    pub avg_stroke_rate: Option<f64>,
    /// `max_stroke_speed`, strokes per minute.
    pub max_stroke_rate: Option<f64>,
    /// `avg_distance_per_stroke`, centimetres (H3LL divides by 100 to get metres).
    pub avg_distance_per_stroke_cm: Option<f64>,
    /// `swim_style` (H3LL: 1 breaststroke, 2 freestyle, 4 mixed).
    pub style: Option<u32>,
}

/// One heart-rate zone of `heart_range` (`"seconds,ceilingBpm;…"`, JSOLAN fixture).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeartZone {
    /// Seconds spent in the zone.
    pub seconds: u32,
    /// Upper bound of the zone, bpm.
    pub ceiling_bpm: u32,
}

/// One exercise of `strength_training_group` (`[{"actionType": 0, "count": 15}, …]`, JSOLAN).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StrengthGroup {
    /// `actionType`: the exercise code (no public name table).
    pub action_type: i64,
    /// `count`: repetitions.
    pub count: i64,
}

/// Reads the fields of one entry, recording fields of the wrong shape.
struct Fields<'a> {
    obj: &'a Map<String, Value>,
    issues: Vec<DecodeIssue>,
}

/// What a decoded number must be to count as a measurement.
#[derive(Clone, Copy)]
enum Keep {
    /// Anything but a sentinel (altitudes, temperatures).
    Any,
    /// ≥ 0 (distances, ascents, times).
    NonNegative,
    /// > 0 (heart rates, strides, pool lengths: 0 is "not measured").
    Positive,
}

impl Fields<'_> {
    fn bad(&mut self, key: &str, problem: &str) {
        self.issues.push(DecodeIssue {
            field: key.to_owned(),
            problem: problem.to_owned(),
        });
    }

    /// A number sent as a JSON number or as a string; `""` and `null` are absent.
    fn number(&mut self, key: &str, keep: Keep) -> Option<f64> {
        let v = match self.obj.get(key)? {
            Value::Null => return None,
            Value::Number(n) => n.as_f64(),
            Value::String(s) if s.trim().is_empty() => return None,
            Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        let Some(v) = v.filter(|v| v.is_finite()) else {
            self.bad(key, "not a number");
            return None;
        };
        if SENTINELS.contains(&v) {
            return None;
        }
        match keep {
            Keep::Any => Some(v),
            Keep::NonNegative => (v >= 0.0).then_some(v),
            Keep::Positive => (v > 0.0).then_some(v),
        }
    }

    /// A whole number (`"1698572273"`, `8996`, `8996.0`).
    fn integer(&mut self, key: &str, keep: Keep) -> Option<i64> {
        let v = self.number(key, keep)?;
        if v.fract() != 0.0 || v.abs() > 9.0e15 {
            self.bad(key, "not a whole number");
            return None;
        }
        Some(v as i64) // exact: whole and within ±2^53
    }

    fn count(&mut self, key: &str) -> Option<u32> {
        let v = self.integer(key, Keep::NonNegative)?;
        u32::try_from(v).ok().or_else(|| {
            self.bad(key, "too large");
            None
        })
    }

    /// A ×10 value (`te: 36` → 3.6).
    fn tenths(&mut self, key: &str) -> Option<f64> {
        self.number(key, Keep::Positive).map(|v| v / 10.0)
    }

    fn text(&mut self, key: &str) -> Option<String> {
        match self.obj.get(key)? {
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            _ => {
                self.bad(key, "not a string");
                None
            }
        }
    }

    fn flag(&mut self, key: &str) -> Option<bool> {
        match self.obj.get(key)? {
            Value::Bool(b) => Some(*b),
            Value::Null => None,
            Value::Number(n) if n.as_i64() == Some(0) => Some(false),
            Value::Number(n) if n.as_i64() == Some(1) => Some(true),
            _ => {
                self.bad(key, "not a boolean");
                None
            }
        }
    }

    /// A JSON document embedded as a string (`"[{\"actionType\": 0, …}]"`); `""` is absent.
    fn embedded_json(&mut self, key: &str) -> Option<Value> {
        match self.obj.get(key)? {
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) => serde_json::from_str(s).ok().or_else(|| {
                self.bad(key, "not valid JSON text");
                None
            }),
            Value::Null => None,
            v @ (Value::Array(_) | Value::Object(_)) => Some(v.clone()),
            _ => {
                self.bad(key, "not JSON text");
                None
            }
        }
    }

    fn children(&mut self) -> Vec<i64> {
        let Some(v) = self.embedded_json("child_list") else {
            return Vec::new();
        };
        let ids: Option<Vec<i64>> = v.as_array().and_then(|a| {
            a.iter()
                .map(|c| as_i64(c).or_else(|| c.get("trackid").and_then(as_i64)))
                .collect()
        });
        ids.unwrap_or_else(|| {
            self.bad("child_list", "not a list of trackids");
            Vec::new()
        })
    }

    fn heart_zones(&mut self) -> Vec<HeartZone> {
        let Some(text) = self.text("heart_range") else {
            return Vec::new();
        };
        let zones: Option<Vec<HeartZone>> = text
            .split(';')
            .filter(|e| !e.trim().is_empty())
            .map(|e| {
                let (s, bpm) = e.split_once(',')?;
                Some(HeartZone {
                    seconds: s.trim().parse().ok()?,
                    ceiling_bpm: bpm.trim().parse().ok()?,
                })
            })
            .collect();
        zones.unwrap_or_else(|| {
            self.bad("heart_range", "not \"seconds,bpm;…\"");
            Vec::new()
        })
    }

    fn strength_groups(&mut self) -> Vec<StrengthGroup> {
        let Some(v) = self.embedded_json("strength_training_group") else {
            return Vec::new();
        };
        let groups: Option<Vec<StrengthGroup>> = v.as_array().and_then(|a| {
            a.iter()
                .map(|g| {
                    Some(StrengthGroup {
                        action_type: g.get("actionType").and_then(as_i64)?,
                        count: g.get("count").and_then(as_i64)?,
                    })
                })
                .collect()
        });
        groups.unwrap_or_else(|| {
            self.bad(
                "strength_training_group",
                "not a list of {actionType, count}",
            );
            Vec::new()
        })
    }
}

impl WorkoutSummary {
    /// Decodes one history entry. Only a missing or unusable `trackid` rejects the entry (no
    /// workout can be named without it); any other field of the wrong shape becomes `None`
    /// and an entry of [`WorkoutSummary::issues`].
    ///
    /// # Errors
    /// A [`DecodeIssue`] on field `trackid` (or the whole entry when it is not an object).
    pub fn decode(entry: &Value) -> Result<Self, DecodeIssue> {
        let Some(obj) = entry.as_object() else {
            return Err(DecodeIssue {
                field: "summary".into(),
                problem: "a history entry that is not a JSON object".into(),
            });
        };
        let trackid = obj
            .get("trackid")
            .and_then(as_i64)
            .filter(|&t| t > 0)
            .ok_or_else(|| DecodeIssue {
                field: "trackid".into(),
                problem: "missing or not a positive integer: the entry cannot be named".into(),
            })?;
        let mut f = Fields {
            obj,
            issues: Vec::new(),
        };
        let swim = SwimSummary {
            pool_length_m: f.number("swim_pool_length", Positive),
            lengths: f.count("total_trips").filter(|&n| n > 0),
            strokes: f.count("total_strokes").filter(|&n| n > 0),
            swolf: f.number("swolf", Positive),
            avg_stroke_rate: f.number("avg_stroke_speed", Positive),
            max_stroke_rate: f.number("max_stroke_speed", Positive),
            avg_distance_per_stroke_cm: f.number("avg_distance_per_stroke", Positive),
            style: f.count("swim_style").filter(|&n| n > 0),
        };
        let sport = match f.integer("type", NonNegative) {
            Some(t) => u32::try_from(t).ok(),
            None => None,
        };
        Ok(WorkoutSummary {
            trackid,
            source: f.text("source"),
            sport,
            end_time: f.integer("end_time", Positive),
            run_time_s: f.number("run_time", Positive),
            pause_time_s: f.number("pause_time", NonNegative),
            distance_m: f.number("dis", Positive),
            kcal: f.number("calorie", Positive),
            avg_pace_s_per_m: f.number("avg_pace", Positive),
            max_pace_s_per_m: f.number("max_pace", Positive),
            min_pace_s_per_m: f.number("min_pace", Positive),
            avg_hr: f.number("avg_heart_rate", Positive),
            max_hr: f.number("max_heart_rate", Positive),
            min_hr: f.number("min_heart_rate", Positive),
            avg_step_frequency: f.number("avg_frequency", Positive),
            max_step_frequency: f.number("max_frequency", Positive),
            avg_cadence: f.number("avg_cadence", Positive),
            max_cadence: f.number("max_cadence", Positive),
            avg_stride_cm: f.number("avg_stride_length", Positive),
            total_steps: f.count("total_step").filter(|&n| n > 0),
            ascent_m: f.number("altitude_ascend", NonNegative),
            descent_m: f.number("altitude_descend", NonNegative),
            max_altitude_m: f.number("max_altitude", Any),
            min_altitude_m: f.number("min_altitude", Any),
            avg_altitude_m: f.number("avg_altitude", Any),
            swim,
            training_effect: f.tenths("te"),
            anaerobic_training_effect: f.tenths("anaerobic_te"),
            exercise_load: f.number("exercise_load", NonNegative),
            vo2_max: f.number("VO2_max", Positive),
            avg_temperature_c: f.number("avg_temperature", Any),
            auto_recognition: f.flag("auto_recognition"),
            title: f.text("sport_title"),
            timezone: f.text("syncedTimezone"),
            created_ms: f.integer("createTime", Positive),
            updated_ms: f.integer("updateTime", Positive),
            parent_trackid: f.integer("parent_trackid", Positive),
            children: f.children(),
            heart_zones: f.heart_zones(),
            strength_groups: f.strength_groups(),
            sport_mode: f.integer("sport_mode", NonNegative),
            version: f.integer("version", NonNegative),
            device_id: f.text("deviceid"),
            app_name: f.text("app_name"),
            raw: obj.clone(),
            issues: f.issues,
        })
    }

    /// Elapsed time from start to `end_time`, seconds (pauses included).
    #[must_use]
    pub fn elapsed_s(&self) -> Option<i64> {
        self.end_time
            .map(|e| e.saturating_sub(self.trackid))
            .filter(|&d| d >= 0)
    }
}
