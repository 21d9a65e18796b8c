//! The daily `summary` JSON of a `band_data.json` item: totals, activity stages, sleep
//! stages and the sleep-day anchor (reference `huami-cloud.md` §5.3, §13.1, §13.2).
//!
//! Pure functions over an already decoded JSON object; base64 handling lives in
//! [`crate::day`].

use serde_json::{Map, Value};

use crate::model::{ActivityStage, DayTotals, DecodeIssue, SleepStage, SleepStageKind};

/// Seconds per day.
const DAY: i64 = 86_400;
/// `slp.st` above this is in milliseconds (reference §13.2: WEDDLE says ms, captures say s).
const MS_THRESHOLD: i64 = 100_000_000_000;
/// The widest UTC offset accepted (±18 h, the ISO 8601 / tz database range).
const MAX_TZ: i64 = 18 * 3600;

/// A JSON value as an integer: integers, integral floats and numeric strings (with an optional
/// leading `+`, reference §13.2 "`"+3600"`").
pub(crate) fn as_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            let f = n.as_f64()?;
            // Only integral floats in i64 range (`8272.0`); the bound check keeps `as` exact.
            (f.fract() == 0.0 && f.abs() < 9.0e18).then_some(f as i64)
        }),
        Value::String(s) => {
            let s = s.trim();
            let s = s.strip_prefix('+').unwrap_or(s);
            s.parse::<i64>().ok()
        }
        _ => None,
    }
}

/// A non-negative integer field that fits in `u32`.
fn get_u32(obj: &Map<String, Value>, key: &str) -> Option<u32> {
    obj.get(key)
        .and_then(as_i64)
        .and_then(|n| u32::try_from(n).ok())
}

/// A sleep instant field (`slp.st` / `slp.ed`) in seconds; `0`/absent = unknown; ms converted.
fn get_instant(obj: &Map<String, Value>, key: &str) -> Option<i64> {
    let n = obj.get(key).and_then(as_i64)?;
    let s = if n > MS_THRESHOLD { n / 1000 } else { n };
    (s > 0).then_some(s)
}

fn issue(field: impl Into<String>, problem: impl Into<String>) -> DecodeIssue {
    DecodeIssue {
        field: field.into(),
        problem: problem.into(),
    }
}

/// Parse `summary.tz` (seconds east of UTC, a string or a number, optional leading `+`).
///
/// Returns `None` when absent or out of the ±18 h range.
pub fn parse_tz(v: &Value) -> Option<i32> {
    let n = as_i64(v)?;
    if n.abs() > MAX_TZ {
        return None;
    }
    i32::try_from(n).ok()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// UTC epoch seconds of local midnight of `date` for a UTC offset of `tz` seconds.
pub fn local_midnight(date: jiff::civil::Date, tz: i32) -> i64 {
    let days = days_from_civil(
        i64::from(date.year()),
        i64::from(date.month()),
        i64::from(date.day()),
    );
    days * DAY - i64::from(tz)
}

/// One raw stage (`{start, stop, mode}`), minutes from an anchor midnight, `stop` inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawStage {
    /// First minute.
    pub start: i64,
    /// Last minute (inclusive).
    pub stop: i64,
    /// Raw mode.
    pub mode: u8,
}

impl RawStage {
    /// Length in minutes (`stop - start + 1`).
    pub fn minutes(&self) -> i64 {
        self.stop - self.start + 1
    }
}

/// Read a stage list, reporting (and skipping) malformed entries; each good stage comes with
/// its index in the list.
fn raw_stages_indexed(
    v: Option<&Value>,
    field: &str,
    issues: &mut Vec<DecodeIssue>,
) -> Vec<(usize, RawStage)> {
    let Some(v) = v else { return Vec::new() };
    let Some(list) = v.as_array() else {
        if !v.is_null() {
            issues.push(issue(field, "not a list"));
        }
        return Vec::new();
    };
    let mut out = Vec::with_capacity(list.len());
    for (i, s) in list.iter().enumerate() {
        let get = |k: &str| s.get(k).and_then(as_i64);
        match (get("start"), get("stop"), get("mode")) {
            (Some(start), Some(stop), Some(mode)) => {
                // Minutes beyond ±10 days from the anchor are nonsense and would overflow
                // nothing, but they are not a stage either.
                let sane = |m: i64| (-14_400..=14_400).contains(&m);
                match u8::try_from(mode) {
                    Ok(mode) if stop >= start && sane(start) && sane(stop) => {
                        out.push((i, RawStage { start, stop, mode }))
                    }
                    Ok(_) => issues.push(issue(
                        format!("{field}[{i}]"),
                        format!("invalid minute range {start}..={stop}"),
                    )),
                    Err(_) => issues.push(issue(
                        format!("{field}[{i}]"),
                        format!("mode {mode} out of range"),
                    )),
                }
            }
            _ => issues.push(issue(
                format!("{field}[{i}]"),
                "missing or non-integer start/stop/mode",
            )),
        }
    }
    out
}

/// [`raw_stages_indexed`] without the indices.
fn raw_stages(v: Option<&Value>, field: &str, issues: &mut Vec<DecodeIssue>) -> Vec<RawStage> {
    raw_stages_indexed(v, field, issues)
        .into_iter()
        .map(|(_, s)| s)
        .collect()
}

/// Seconds of overlap of `stages` anchored at `anchor` with `[st, ed]`.
fn overlap(stages: &[RawStage], anchor: i64, st: i64, ed: i64) -> i64 {
    stages
        .iter()
        .map(|s| {
            let a = anchor + s.start * 60;
            let b = anchor + (s.stop + 1) * 60;
            (b.min(ed) - a.max(st)).max(0)
        })
        .sum()
}

/// The sleep-day anchor of reference §13.1: the candidate midnight (same local day or the
/// previous one) whose stages overlap `[st, ed]` most; on a tie (also no overlap at all) or
/// without `st`/`ed`, the previous-day midnight.
///
/// Why: captures disagree on whether `date_time` is the fell-asleep day (EVAN, MICW) or the
/// wake-up day (ZB, JSOLAN); `st`/`ed` are absolute, so they decide.
pub fn sleep_anchor(
    stages: &[RawStage],
    local_midnight: i64,
    st: Option<i64>,
    ed: Option<i64>,
) -> i64 {
    let same = local_midnight;
    let prev = local_midnight - DAY;
    match (st, ed) {
        (Some(st), Some(ed)) => {
            if overlap(stages, same, st, ed) > overlap(stages, prev, st, ed) {
                same
            } else {
                prev
            }
        }
        _ => prev,
    }
}

/// Everything taken from the summary object.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SummaryParts {
    /// Daily totals.
    pub totals: DayTotals,
    /// Sleep stages (night, then naps), absolute.
    pub sleep: Vec<SleepStage>,
    /// Activity stages, absolute.
    pub activities: Vec<ActivityStage>,
    /// `byteLength`, if present.
    pub byte_length: Option<i64>,
}

/// Decode a summary object anchored at `local_midnight`, pushing problems to `issues`.
pub fn decode_summary(
    summary: &Map<String, Value>,
    local_midnight: i64,
    issues: &mut Vec<DecodeIssue>,
) -> SummaryParts {
    let empty = Map::new();
    let object = |key: &str, issues: &mut Vec<DecodeIssue>| -> Option<&Map<String, Value>> {
        match summary.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Object(o)) => Some(o),
            Some(_) => {
                issues.push(issue(key, "not an object"));
                None
            }
        }
    };
    let stp = object("stp", issues).unwrap_or(&empty);
    let slp = object("slp", issues).unwrap_or(&empty);

    // Activity stages: minutes of the same local day.
    let activities = raw_activity(stp, local_midnight, issues);

    // Sleep.
    let st = get_instant(slp, "st");
    let ed = get_instant(slp, "ed");
    let night = raw_stages(slp.get("stage"), "slp.stage", issues);
    let naps = raw_stages(slp.get("odd_stage"), "slp.odd_stage", issues);
    let mut sleep = Vec::with_capacity(night.len() + naps.len());
    for (stages, nap) in [(&night, false), (&naps, true)] {
        // §13.1: naps are anchored with the same rule, independently of the night.
        let anchor = sleep_anchor(stages, local_midnight, st, ed);
        sleep.extend(stages.iter().map(|s| SleepStage {
            start: anchor + s.start * 60,
            end: anchor + (s.stop + 1) * 60,
            mode: s.mode,
            kind: SleepStageKind::from_mode(s.mode),
            nap,
        }));
    }
    let stage_sum = |pred: fn(SleepStageKind) -> bool| -> Option<u32> {
        if night.is_empty() {
            return None;
        }
        let m: i64 = night
            .iter()
            .filter(|s| pred(SleepStageKind::from_mode(s.mode)))
            .map(RawStage::minutes)
            .sum();
        u32::try_from(m).ok()
    };

    // A day without a night is filed with `st == ed` (the local midnight), no stages, zero
    // minutes and score 0 — the placeholder that the vendors' own exports write too
    // (design reference `exports.md` §1: "a night without sleep has start == stop and
    // zeros"). Nothing was measured: keep every night field absent, never 0 or 00:00.
    let no_night = night.is_empty()
        && st == ed
        && get_u32(slp, "dp").unwrap_or(0) == 0
        && get_u32(slp, "lt").unwrap_or(0) == 0;
    let night_field = |v: Option<u32>| v.filter(|_| !no_night);

    let max_hr = summary
        .get("hr")
        .and_then(|h| h.get("maxHr"))
        .and_then(Value::as_object);
    let totals = DayTotals {
        steps: get_u32(stp, "ttl"),
        distance_m: get_u32(stp, "dis"),
        kcal: get_u32(stp, "cal"),
        goal: get_u32(summary, "goal"),
        sleep_start: st.filter(|_| !no_night),
        sleep_end: ed.filter(|_| !no_night),
        deep_min: night_field(get_u32(slp, "dp")),
        light_min: night_field(get_u32(slp, "lt")),
        // No aggregate field exists for REM: sum the mode 8/11 stages (reference §5.3).
        rem_min: stage_sum(|k| k == SleepStageKind::Rem),
        awake_min: night_field(
            get_u32(slp, "wk").or_else(|| stage_sum(|k| k == SleepStageKind::Awake)),
        ),
        sleep_score: night_field(get_u32(slp, "ss")),
        // 0 bpm is no measurement (the placeholder day of `mimotion_upload_day.json`).
        resting_hr: get_u32(slp, "rhr").filter(|&bpm| bpm > 0),
        max_hr: max_hr.and_then(|m| get_u32(m, "hr")),
        max_hr_at: max_hr
            .and_then(|m| m.get("ts"))
            .and_then(as_i64)
            .map(|t| if t > MS_THRESHOLD { t / 1000 } else { t }),
    };
    SummaryParts {
        totals,
        sleep,
        activities,
        byte_length: summary.get("byteLength").and_then(as_i64),
    }
}

fn raw_activity(
    stp: &Map<String, Value>,
    local_midnight: i64,
    issues: &mut Vec<DecodeIssue>,
) -> Vec<ActivityStage> {
    let list = stp.get("stage");
    raw_stages_indexed(list, "stp.stage", issues)
        .into_iter()
        .map(|(i, r)| {
            let src = list.and_then(|l| l.get(i)).and_then(Value::as_object);
            let field = |k: &str| src.and_then(|o| get_u32(o, k));
            ActivityStage {
                start: local_midnight + r.start * 60,
                end: local_midnight + (r.stop + 1) * 60,
                mode: r.mode,
                steps: field("step"),
                distance_m: field("dis"),
                kcal: field("cal"),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tz_accepts_plus_strings_and_numbers() {
        assert_eq!(parse_tz(&json!("+3600")), Some(3600));
        assert_eq!(parse_tz(&json!("-21600")), Some(-21600));
        assert_eq!(parse_tz(&json!(28800)), Some(28800));
        assert_eq!(parse_tz(&json!("abc")), None);
        assert_eq!(parse_tz(&json!("99999999")), None);
    }

    #[test]
    fn days_from_civil_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        // 2006-07-26 00:00 UTC = 1153872000
        assert_eq!(days_from_civil(2006, 7, 26) * DAY, 1_153_872_000);
    }

    #[test]
    fn ms_sleep_start_is_converted() {
        let slp = json!({"st": 1_700_000_000_000_i64, "ed": 1_700_000_600});
        let o = slp.as_object().unwrap();
        assert_eq!(get_instant(o, "st"), Some(1_700_000_000));
        assert_eq!(get_instant(o, "ed"), Some(1_700_000_600));
    }

    #[test]
    fn a_day_without_a_night_has_no_sleep_fields() {
        // The placeholder of a day without sleep: start = end = local midnight, zeros.
        let midnight = 1_774_911_600; // 2026-03-31 00:00 +01:00
        let summary = json!({"slp": {"st": midnight, "ed": midnight, "dp": 0, "lt": 0, "wk": 0,
            "ss": 0, "rhr": 58, "stage": [], "odd_stage": []}, "stp": {"ttl": 4000}});
        let mut issues = Vec::new();
        let t = decode_summary(summary.as_object().unwrap(), midnight, &mut issues).totals;
        assert_eq!(
            (t.sleep_start, t.sleep_end, t.deep_min, t.light_min),
            (None, None, None, None)
        );
        assert_eq!((t.rem_min, t.awake_min, t.sleep_score), (None, None, None));
        // What was measured stays.
        assert_eq!((t.resting_hr, t.steps), (Some(58), Some(4000)));
        assert!(issues.is_empty());

        // A real night keeps its fields, zeros included.
        let summary = json!({"slp": {"st": midnight - 3600, "ed": midnight + 21_600, "dp": 90,
            "lt": 200, "wk": 0, "ss": 80, "stage": [{"start": 1380, "stop": 1739, "mode": 4}]}});
        let t = decode_summary(summary.as_object().unwrap(), midnight, &mut issues).totals;
        assert_eq!(t.sleep_start, Some(midnight - 3600));
        assert_eq!(
            (t.deep_min, t.awake_min, t.sleep_score),
            (Some(90), Some(0), Some(80))
        );
    }

    #[test]
    fn bad_stage_entries_become_issues() {
        let mut issues = Vec::new();
        let v = json!([{"start":1,"stop":2,"mode":4},{"start":"x"},{"start":5,"stop":1,"mode":4},{"start":1,"stop":2,"mode":300}]);
        let s = raw_stages(Some(&v), "slp.stage", &mut issues);
        assert_eq!(s.len(), 1);
        assert_eq!(issues.len(), 3);
        assert_eq!(issues[0].field, "slp.stage[1]");
    }
}
