//! `mikit fit export`

use std::{io::Write, path::PathBuf, process::ExitCode};

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use jiff::civil::Date;

use super::parse_date;
use crate::{
    context::Ctx,
    export::{Cell, Format, RowWriter},
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
}

/// Arguments of `mikit fit export`.
#[derive(Debug, Args)]
pub struct Cmd {
    /// What to export.
    #[arg(long, value_enum)]
    pub what: What,
    /// Output format. Times are ISO 8601 local times with the UTC offset of their day.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
    /// First day (YYYY-MM-DD); default: the first stored day.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub from: Option<Date>,
    /// Last day (YYYY-MM-DD); default: the last stored day.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub to: Option<Date>,
    /// Write to this file instead of standard output. The file appears only once complete.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Run `mikit fit export`.
pub fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let store = ctx.open_fit_store()?;
    match &cmd.output {
        None => {
            let stdout = std::io::stdout().lock();
            write_export(
                &store,
                &cmd,
                std::io::BufWriter::with_capacity(1 << 16, stdout),
            )?;
        }
        Some(path) => {
            let tmp = path.with_extension("partial");
            let file = std::fs::File::create(&tmp)
                .with_context(|| format!("creating {}", tmp.display()))?;
            let rows = write_export(
                &store,
                &cmd,
                std::io::BufWriter::with_capacity(1 << 16, file),
            )
            .with_context(|| format!("writing {}", tmp.display()));
            let rows = match rows {
                Ok(r) => r,
                Err(e) => {
                    let _ = std::fs::remove_file(&tmp);
                    return Err(e);
                }
            };
            std::fs::rename(&tmp, path)
                .with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))?;
            if !ctx.out.json {
                crate::output::stderr_line(&format!("Exported {rows} rows to {}.", path.display()));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn write_export<W: Write>(store: &mikit_store::Store, cmd: &Cmd, out: W) -> anyhow::Result<u64> {
    // One account per export: the first one synced (several would need an account column).
    let Some((account, _, _)) = store.accounts("huami")?.into_iter().next() else {
        anyhow::bail!("no fitness data yet: run `mikit fit login` and `mikit fit sync` first");
    };
    let mut rows = 0u64;
    match cmd.what {
        What::Days => {
            let mut w = RowWriter::new(out, cmd.format, DAY_COLUMNS)?;
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
            let mut w = RowWriter::new(out, cmd.format, columns)?;
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
            let mut w = RowWriter::new(out, cmd.format, SLEEP_COLUMNS)?;
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
            let mut w = RowWriter::new(out, cmd.format, ACTIVITY_COLUMNS)?;
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
    }
    Ok(rows)
}

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
