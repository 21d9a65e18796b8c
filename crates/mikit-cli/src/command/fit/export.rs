//! `mikit fit export`

use std::{
    io::{BufWriter, Write},
    path::{Path, PathBuf},
    process::ExitCode,
    sync::PoisonError,
};

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use jiff::civil::Date;

use super::parse_date;
use crate::{
    command::code,
    context::Ctx,
    export::{Cell, Format, Pending, PendingSlot, RowWriter, Target},
};

/// What to export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum What {
    /// One row per day: totals of steps, distance, calories, sleep and heart rate.
    Days,
    /// One row per minute: steps, heart rate, raw activity kind and intensity.
    Minutes,
    /// One row per sleep stage (naps flagged).
    Sleep,
    /// One row per activity stage (walks, runs).
    Activities,
    /// One row per minute that has a heart-rate measurement.
    HeartRate,
    /// One row per workout: start, sport, time, distance, pace, heart rate, calories, …
    Workouts,
    /// One file per workout (GPX, TCX or FIT) in the folder given with -o, named
    /// YYYY-MM-DDTHH-MM-SS_<sport>.<ext> after the workout's local start.
    Tracks,
    /// One row per SpO2 measurement: spot readings, nightly summaries (oxygen desaturation
    /// index) and desaturation events, told apart by the `type` column.
    Spo2,
    /// One row per all-day stress sample (about every 5 minutes), with its zone.
    Stress,
    /// One row per day of PAI: the day's PAI, the 7-day total and the minutes per zone.
    Pai,
    /// One row per HRV (RMSSD) sample of the nights.
    Hrv,
    /// One row per readiness score, with its parts and the skin temperature.
    Readiness,
    /// One row per weighing, with every body-composition value the scale gave.
    Weight,
    /// Every stored health record (all the kinds above and respiratory rate) with its
    /// headline value, unit, source and every other field as JSON in `detail`.
    Events,
}

/// Output format of an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FileFormat {
    /// Comma-separated values with a header line (rows).
    Csv,
    /// One JSON object per line (rows).
    Jsonl,
    /// GPX 1.1 with Garmin's TrackPointExtension (tracks; workouts with GPS only).
    Gpx,
    /// Garmin Training Center Database v2 (tracks).
    Tcx,
    /// Garmin FIT activity files (tracks).
    Fit,
}

/// Arguments of `mikit fit export`.
#[derive(Debug, Args)]
pub struct Cmd {
    /// What to export.
    #[arg(long, value_enum)]
    pub what: What,
    /// Output format [default: csv, or jsonl with --json; fit for tracks]. Times are ISO 8601
    /// local times with the UTC offset of their day. Tracks take gpx, tcx or fit; rows take
    /// csv or jsonl.
    #[arg(long, value_enum)]
    pub format: Option<FileFormat>,
    /// First day (YYYY-MM-DD); default: the first stored day.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub from: Option<Date>,
    /// Last day (YYYY-MM-DD); default: the last stored day.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub to: Option<Date>,
    /// Write to this file instead of standard output (`-` is standard output). A file appears
    /// only once complete (written beside it, then renamed over it; a symbolic link is written
    /// through); a device or named pipe is written directly. With --json a one-line summary
    /// goes to standard error. For tracks: the folder the files go to (created when missing).
    #[arg(short, long, value_name = "FILE|DIR")]
    pub output: Option<PathBuf>,
    /// Tracks: export only this workout (its id, shown by `mikit fit workouts`).
    #[arg(long, value_name = "ID")]
    pub workout: Option<i64>,
    /// Tracks: rewrite files that exist already (by default a file that exists is complete
    /// and kept, so an interrupted export continues where it stopped).
    #[arg(long)]
    pub force: bool,
}

/// A usage error: printed, exit code 2.
fn usage(message: &str) -> ExitCode {
    crate::output::error_line(message);
    ExitCode::from(2)
}

/// Run `mikit fit export`.
pub fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    if cmd.what == What::Tracks {
        return super::tracks::run(ctx, &cmd);
    }
    if cmd.workout.is_some() || cmd.force {
        return Ok(usage(
            "--workout and --force apply to `--what tracks` only (one file per workout)",
        ));
    }
    let format = match cmd.format {
        None if ctx.out.json => Format::Jsonl,
        None | Some(FileFormat::Csv) => Format::Csv,
        Some(FileFormat::Jsonl) => Format::Jsonl,
        Some(f @ (FileFormat::Gpx | FileFormat::Tcx | FileFormat::Fit)) => {
            return Ok(usage(&format!(
                "--format {} makes one file per workout: use it with `--what tracks -o DIR`; rows are exported as csv or jsonl",
                f.to_possible_value()
                    .map(|v| v.get_name().to_owned())
                    .unwrap_or_default()
            )));
        }
    };
    let target = match Target::resolve(cmd.output.as_deref()) {
        Ok(t) => t,
        Err(e) if e.is_usage() => {
            crate::output::error_line(&e.to_string());
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e.into()),
    };
    let store = ctx.open_fit_store()?;
    // One account per export: the first one synced (several would need an account column).
    let Some((account, _, _)) = store.accounts("huami")?.into_iter().next() else {
        anyhow::bail!("no fitness data yet: run `mikit fit login` and `mikit fit sync` first");
    };
    let source = Source {
        store: &store,
        account,
        cmd: &cmd,
        format,
    };
    // From here on an interrupt deletes the temporary file and exits 130.
    let pending = PendingSlot::default();
    let _interrupts = on_interrupt(pending.clone())?;
    let rows = match &target {
        Target::Stdout => {
            let stdout = std::io::stdout().lock();
            source
                .write(BufWriter::with_capacity(1 << 16, stdout))
                .context("writing to standard output")?
        }
        Target::Direct(path) => {
            let file = open_direct(path)?;
            source
                .write(BufWriter::with_capacity(1 << 16, &file))
                .with_context(|| format!("writing {}", path.display()))?
        }
        Target::Replace(path) => {
            let file = Pending::create(path, pending)
                .with_context(|| format!("creating a temporary file beside {}", path.display()))?;
            let rows = source
                .write(BufWriter::with_capacity(1 << 16, file.file()))
                .with_context(|| format!("writing {}", file.path().display()))?;
            file.commit()
                .with_context(|| format!("saving {}", path.display()))?;
            rows
        }
    };
    if !ctx.out.quiet {
        let shown = match &target {
            Target::Stdout => None,
            Target::Direct(_) | Target::Replace(_) => cmd.output.as_deref(),
        };
        if ctx.out.json {
            // On stderr: standard output may be carrying the data itself.
            crate::output::stderr_line(
                &serde_json::json!({
                    "exported": rows,
                    "what": cmd.what.to_possible_value().map(|v| v.get_name().to_owned()),
                    "format": format.to_possible_value().map(|v| v.get_name().to_owned()),
                    "output": shown.map_or_else(|| "-".to_owned(), |p| p.display().to_string()),
                })
                .to_string(),
            );
        } else if let Some(path) = shown {
            let s = if rows == 1 { "" } else { "s" };
            crate::output::stderr_line(&format!("Exported {rows} row{s} to {}.", path.display()));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Open an existing device or FIFO for writing (a FIFO waits for its reader), checking that it
/// did not become a regular file in between (that one would be overwritten in place).
fn open_direct(path: &Path) -> anyhow::Result<std::fs::File> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))?;
    if file.metadata().is_ok_and(|m| m.is_file()) {
        anyhow::bail!(
            "{} changed into a regular file while the export started: run it again",
            path.display()
        );
    }
    Ok(file)
}

/// Until the returned guard is dropped, Ctrl-C, SIGTERM or SIGHUP delete the temporary file
/// recorded in `pending` and end the process with 130.
///
/// The export itself is a blocking loop on this thread, which a signal cannot unwind
/// (it may sit in `write` on a FIFO whose reader paused): the handler runs on a runtime worker
/// and exits directly, holding the slot's lock so that the file cannot be renamed meanwhile.
fn on_interrupt(pending: PendingSlot) -> anyhow::Result<AbortOnDrop> {
    let shutdown = mikit_app::shutdown::Shutdown::on_signals();
    let task = tokio::spawn(async move {
        shutdown.wait().await;
        let held = pending.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(tmp) = held.as_ref() {
            let _ = std::fs::remove_file(tmp);
        }
        crate::output::stderr_line("Interrupted: the export was not completed.");
        std::process::exit(i32::from(code::INTERRUPTED));
    });
    Ok(AbortOnDrop(task))
}

/// Stops the interrupt handler when the export is over.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// What is exported, from where, in which format.
struct Source<'a> {
    store: &'a mikit_store::Store,
    account: mikit_store::AccountId,
    cmd: &'a Cmd,
    format: Format,
}

impl Source<'_> {
    /// Write every row to `out`; the number of rows written.
    fn write<W: Write>(&self, out: W) -> anyhow::Result<u64> {
        write_export(self.store, self.account, self.cmd, self.format, out)
    }
}

fn write_export<W: Write>(
    store: &mikit_store::Store,
    account: mikit_store::AccountId,
    cmd: &Cmd,
    format: Format,
    out: W,
) -> anyhow::Result<u64> {
    let mut rows = 0u64;
    match cmd.what {
        What::Days => {
            let mut w = RowWriter::new(out, format, DAY_COLUMNS)?;
            store.for_each_day(account, cmd.from, cmd.to, |d| -> anyhow::Result<()> {
                rows += 1;
                let off = d.tz_offset;
                let t = |v: Option<i64>| v.map_or(Cell::Null, |ts| Cell::Time(ts, off));
                w.row(&[
                    Cell::Str(&d.date),
                    Cell::Int(i64::from(d.tz_offset)),
                    d.steps.into(),
                    d.distance_m.into(),
                    d.kcal.into(),
                    d.goal.into(),
                    t(d.sleep_start),
                    t(d.sleep_end),
                    d.sleep_total().into(),
                    d.deep_min.into(),
                    d.light_min.into(),
                    d.rem_min.into(),
                    d.awake_min.into(),
                    d.sleep_score.into(),
                    d.resting_hr.into(),
                    d.max_hr.into(),
                    Cell::Bool(d.partial),
                ])?;
                Ok(())
            })?;
            w.finish()?;
        }
        What::Minutes | What::HeartRate => {
            let hr_only = cmd.what == What::HeartRate;
            let spans = store.tz_spans(account)?;
            let range = store.day_span(account, cmd.from, cmd.to)?;
            let columns = if hr_only { HR_COLUMNS } else { MINUTE_COLUMNS };
            let mut w = RowWriter::new(out, format, columns)?;
            store.for_each_minute(account, range, hr_only, |m| -> anyhow::Result<()> {
                rows += 1;
                let time = Cell::Time(m.ts, spans.offset_at(m.ts));
                if hr_only {
                    w.row(&[time, Cell::Int(m.ts), m.heart_rate.into()])?;
                } else {
                    w.row(&[
                        time,
                        Cell::Int(m.ts),
                        m.steps.into(),
                        m.heart_rate.into(),
                        m.kind.into(),
                        m.intensity.into(),
                    ])?;
                }
                Ok(())
            })?;
            w.finish()?;
        }
        What::Sleep => {
            let spans = store.tz_spans(account)?;
            let mut w = RowWriter::new(out, format, SLEEP_COLUMNS)?;
            store.for_each_sleep(account, cmd.from, cmd.to, |s| -> anyhow::Result<()> {
                rows += 1;
                let off = spans.offset_at(s.start);
                w.row(&[
                    Cell::Str(&s.date),
                    Cell::Time(s.start, off),
                    Cell::Time(s.end, off),
                    Cell::Int((s.end - s.start) / 60),
                    Cell::Str(&s.kind),
                    Cell::Int(s.mode),
                    Cell::Bool(s.nap),
                ])?;
                Ok(())
            })?;
            w.finish()?;
        }
        What::Activities => {
            let spans = store.tz_spans(account)?;
            let mut w = RowWriter::new(out, format, ACTIVITY_COLUMNS)?;
            store.for_each_activity(account, cmd.from, cmd.to, |a| -> anyhow::Result<()> {
                rows += 1;
                let off = spans.offset_at(a.start);
                w.row(&[
                    Cell::Str(&a.date),
                    Cell::Time(a.start, off),
                    Cell::Time(a.end, off),
                    Cell::Int((a.end - a.start) / 60),
                    Cell::Int(a.mode),
                    a.steps.into(),
                    a.distance_m.into(),
                    a.kcal.into(),
                ])?;
                Ok(())
            })?;
            w.finish()?;
        }
        What::Workouts => {
            let filter = mikit_store::WorkoutFilter {
                from: cmd.from,
                to: cmd.to,
                sport: None,
            };
            let mut w = RowWriter::new(out, format, WORKOUT_COLUMNS)?;
            store.for_each_workout(account, &filter, |s| -> anyhow::Result<()> {
                rows += 1;
                let r = &s.row;
                let off = s.tz_offset;
                let name = mikit_app::workout::export::sport_name(r.sport);
                let date = s.date.to_string();
                w.row(&[
                    Cell::Int(r.trackid),
                    Cell::Str(&date),
                    Cell::Time(r.start, off),
                    r.end.map_or(Cell::Null, |e| Cell::Time(e, off)),
                    Cell::Int(i64::from(off)),
                    Cell::Int(r.sport),
                    Cell::Str(&name),
                    r.title.as_deref().map_or(Cell::Null, Cell::Str),
                    r.auto_detected.map_or(Cell::Null, Cell::Bool),
                    r.duration_s.into(),
                    r.pause_s.into(),
                    r.distance_m.into(),
                    r.avg_pace.into(),
                    r.kcal.into(),
                    r.avg_hr.into(),
                    r.max_hr.into(),
                    r.min_hr.into(),
                    r.avg_cadence.into(),
                    r.steps.into(),
                    r.avg_stride_cm.into(),
                    r.ascent_m.into(),
                    r.descent_m.into(),
                    r.min_altitude_m.into(),
                    r.max_altitude_m.into(),
                    r.pool_length_m.into(),
                    r.trips.into(),
                    r.strokes.into(),
                    r.swolf.into(),
                    r.training_effect.into(),
                    r.anaerobic_training_effect.into(),
                    Cell::Int(i64::try_from(s.points).unwrap_or(i64::MAX)),
                    Cell::Bool(s.has_track),
                    Cell::Bool(s.has_detail),
                ])?;
                Ok(())
            })?;
            w.finish()?;
        }
        What::Tracks => anyhow::bail!("tracks are files, not rows (this is a mikit bug)"),
        What::Weight => {
            let spans = store.tz_spans(account)?;
            let (from, to) = health_span(&spans, cmd.from, cmd.to);
            let mut w = RowWriter::new(out, format, WEIGHT_COLUMNS)?;
            store.for_each_weight(account, from, to, |r, origin| -> anyhow::Result<()> {
                rows += 1;
                w.row(&[
                    Cell::Time(r.ts, spans.offset_at(r.ts)),
                    Cell::Int(r.ts),
                    r.weight_kg.into(),
                    r.bmi.into(),
                    r.fat_rate.into(),
                    r.body_water_rate.into(),
                    r.bone_mass.into(),
                    r.muscle_rate.into(),
                    r.metabolism.into(),
                    r.visceral_fat.into(),
                    r.impedance.into(),
                    r.body_score.into(),
                    r.height_cm.into(),
                    r.device_id.as_deref().map_or(Cell::Null, Cell::Str),
                    Cell::Str(origin.unwrap_or("sync")),
                ])?;
                Ok(())
            })?;
            w.finish()?;
        }
        What::Spo2 | What::Stress | What::Pai | What::Hrv | What::Readiness | What::Events => {
            rows = write_health(store, account, cmd, format, out)?;
        }
    }
    Ok(rows)
}

/// The UTC instants of the local days `from..=to` (either open), each end placed with the
/// offset of the stored day nearest it (UTC before any day is stored).
fn health_span(spans: &mikit_store::TzSpans, from: Option<Date>, to: Option<Date>) -> (i64, i64) {
    let at = |d: Date| {
        let utc = d
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map_or(0, |z| z.timestamp().as_second());
        utc - i64::from(spans.offset_at(utc))
    };
    (
        from.map_or(i64::MIN, at),
        to.map_or(i64::MAX, |t| at(t.saturating_add(jiff::ToSpan::day(1)))),
    )
}

/// The health exports: rows of one or several kinds, some expanded into their samples.
fn write_health<W: Write>(
    store: &mikit_store::Store,
    account: mikit_store::AccountId,
    cmd: &Cmd,
    format: Format,
    out: W,
) -> anyhow::Result<u64> {
    use serde_json::Value;
    let spans = store.tz_spans(account)?;
    let (from, to) = health_span(&spans, cmd.from, cmd.to);
    let (kinds, columns): (&[&str], &[&str]) = match cmd.what {
        What::Spo2 => (&["spo2", "spo2_nightly", "spo2_apnea"], SPO2_COLUMNS),
        What::Stress => (&["stress"], STRESS_COLUMNS),
        What::Pai => (&["pai"], PAI_COLUMNS),
        What::Hrv => (&["hrv"], HRV_COLUMNS),
        What::Readiness => (&["readiness"], READINESS_COLUMNS),
        _ => (&[], EVENT_COLUMNS),
    };
    let mut rows = 0u64;
    let mut w = RowWriter::new(out, format, columns)?;
    let int = |d: &serde_json::Map<String, Value>, k: &str| -> Cell<'static> {
        d.get(k).and_then(Value::as_i64).into()
    };
    let real = |d: &serde_json::Map<String, Value>, k: &str| -> Cell<'static> {
        d.get(k).and_then(Value::as_f64).into()
    };
    let nth = |d: &serde_json::Map<String, Value>, k: &str, i: usize| -> Cell<'static> {
        d.get(k)
            .and_then(|v| v.get(i))
            .and_then(Value::as_f64)
            .into()
    };
    store.for_each_health_event(
        account,
        kinds,
        from,
        to,
        |e, origin| -> anyhow::Result<()> {
            let off = e.tz_offset.unwrap_or_else(|| spans.offset_at(e.ts));
            let d = &e.detail;
            let samples = || {
                d.get("samples")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|p| Some((p.get(0)?.as_i64()?, p.get(1)?.as_f64()?)))
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default()
            };
            match cmd.what {
                What::Spo2 => {
                    rows += 1;
                    let kind = match e.kind.as_str() {
                        "spo2" => "reading",
                        "spo2_nightly" => "nightly",
                        _ => "desaturation",
                    };
                    let (spo2, odi, drop) = match kind {
                        "reading" => (e.value, None, None),
                        "nightly" => (None, e.value, None),
                        _ => (None, None, e.value),
                    };
                    w.row(&[
                        Cell::Time(e.ts, off),
                        Cell::Int(e.ts),
                        Cell::Str(kind),
                        spo2.into(),
                        odi.into(),
                        int(d, "events"),
                        drop.into(),
                        d.get("auto")
                            .and_then(Value::as_bool)
                            .map_or(Cell::Null, Cell::Bool),
                        d.get("valid")
                            .and_then(Value::as_bool)
                            .map_or(Cell::Null, Cell::Bool),
                        int(d, "score"),
                    ])?;
                }
                What::Stress | What::Hrv => {
                    for (ts, v) in samples() {
                        rows += 1;
                        let off = spans_or(e.tz_offset, &spans, ts);
                        if cmd.what == What::Stress {
                            let zone = match v as i64 {
                                ..=25 => "relaxed",
                                26..=50 => "normal",
                                51..=75 => "medium",
                                _ => "high",
                            };
                            w.row(&[
                                Cell::Time(ts, off),
                                Cell::Int(ts),
                                Cell::Real(v),
                                Cell::Str(zone),
                            ])?;
                        } else {
                            w.row(&[Cell::Time(ts, off), Cell::Int(ts), Cell::Real(v)])?;
                        }
                    }
                }
                What::Pai => {
                    rows += 1;
                    w.row(&[
                        Cell::Time(e.ts, off),
                        Cell::Int(e.ts),
                        real(d, "daily"),
                        e.value.into(),
                        int(d, "rest_hr"),
                        int(d, "max_hr"),
                        nth(d, "zone_minutes", 0),
                        nth(d, "zone_minutes", 1),
                        nth(d, "zone_minutes", 2),
                    ])?;
                }
                What::Readiness => {
                    rows += 1;
                    w.row(&[
                        Cell::Time(e.ts, off),
                        Cell::Int(e.ts),
                        e.value.into(),
                        int(d, "physical_score"),
                        int(d, "mental_score"),
                        int(d, "sleep_hrv_ms"),
                        int(d, "hrv_score"),
                        int(d, "sleep_rhr_bpm"),
                        int(d, "rhr_score"),
                        int(d, "skin_temp"),
                        int(d, "skin_temp_score"),
                    ])?;
                }
                _ => {
                    rows += 1;
                    let unit = mikit_app::health::kind(&e.kind).map_or("", |k| k.unit);
                    let detail = serde_json::to_string(d)?;
                    w.row(&[
                        Cell::Time(e.ts, off),
                        Cell::Int(e.ts),
                        Cell::Str(&e.kind),
                        e.value.into(),
                        Cell::Str(unit),
                        Cell::Str(origin.unwrap_or("sync")),
                        Cell::Str(&detail),
                    ])?;
                }
            }
            Ok(())
        },
    )?;
    w.finish()?;
    Ok(rows)
}

/// A sample's offset: its record's when known, else the stored day's.
fn spans_or(offset: Option<i32>, spans: &mikit_store::TzSpans, ts: i64) -> i32 {
    offset.unwrap_or_else(|| spans.offset_at(ts))
}

const WEIGHT_COLUMNS: &[&str] = &[
    "time",
    "ts",
    "weight_kg",
    "bmi",
    "fat_pct",
    "water_pct",
    "bone_kg",
    "muscle",
    "basal_kcal",
    "visceral_fat",
    "impedance_ohm",
    "body_score",
    "height_cm",
    "device",
    "source",
];
const SPO2_COLUMNS: &[&str] = &[
    "time",
    "ts",
    "type",
    "spo2_pct",
    "odi_per_hour",
    "odi_events",
    "drop_points",
    "auto",
    "valid",
    "score",
];
const STRESS_COLUMNS: &[&str] = &["time", "ts", "stress", "zone"];
const HRV_COLUMNS: &[&str] = &["time", "ts", "rmssd_ms"];
const PAI_COLUMNS: &[&str] = &[
    "day",
    "ts",
    "daily_pai",
    "total_pai",
    "rest_hr",
    "max_hr",
    "low_zone_min",
    "medium_zone_min",
    "high_zone_min",
];
const READINESS_COLUMNS: &[&str] = &[
    "day",
    "ts",
    "readiness",
    "physical",
    "mental",
    "sleep_hrv_ms",
    "hrv_score",
    "sleep_rhr_bpm",
    "rhr_score",
    "skin_temp",
    "skin_temp_score",
];
const EVENT_COLUMNS: &[&str] = &["time", "ts", "kind", "value", "unit", "source", "detail"];

const WORKOUT_COLUMNS: &[&str] = &[
    "id",
    "date",
    "start",
    "end",
    "tz_offset_s",
    "sport",
    "sport_name",
    "title",
    "auto_detected",
    "moving_s",
    "paused_s",
    "distance_m",
    "avg_pace_s_per_m",
    "kcal",
    "avg_hr",
    "max_hr",
    "min_hr",
    "avg_cadence",
    "steps",
    "avg_stride_cm",
    "ascent_m",
    "descent_m",
    "min_altitude_m",
    "max_altitude_m",
    "pool_length_m",
    "lengths",
    "strokes",
    "swolf",
    "training_effect",
    "anaerobic_training_effect",
    "points",
    "track",
    "detail",
];

const DAY_COLUMNS: &[&str] = &[
    "date",
    "tz_offset_s",
    "steps",
    "distance_m",
    "kcal",
    "goal",
    "sleep_start",
    "sleep_end",
    "sleep_total_min",
    "deep_min",
    "light_min",
    "rem_min",
    "awake_min",
    "sleep_score",
    "resting_hr",
    "max_hr",
    "partial",
];
const MINUTE_COLUMNS: &[&str] = &["time", "ts", "steps", "heart_rate", "kind", "intensity"];
const HR_COLUMNS: &[&str] = &["time", "ts", "heart_rate"];
const SLEEP_COLUMNS: &[&str] = &[
    "date",
    "start",
    "end",
    "duration_min",
    "stage",
    "mode",
    "nap",
];
const ACTIVITY_COLUMNS: &[&str] = &[
    "date",
    "start",
    "end",
    "duration_min",
    "mode",
    "steps",
    "distance_m",
    "kcal",
];
