//! `mikit fit workouts` and `mikit fit workouts show ID`

use std::process::ExitCode;

use clap::{Args, Subcommand};
use jiff::civil::Date;
use mikit_app::workout::export::{self, Selection, is_ride, is_swim, parse_sport, sport_name};
use mikit_store::{AccountId, Store, StoredWorkout};

use super::parse_date;
use crate::context::Ctx;

/// Arguments of `mikit fit workouts`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cmd {
    /// Show one workout instead of the list.
    #[command(subcommand)]
    pub action: Option<Action>,
    /// First day (YYYY-MM-DD, the workout's local start day); default: the first workout.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub from: Option<Date>,
    /// Last day (YYYY-MM-DD, the workout's local start day); default: the last workout.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub to: Option<Date>,
    /// Only this sport: a name (running, walking, treadmill, cycling, indoor-cycling,
    /// pool-swim, open-water-swim, hiking, strength, …) or a Huami sport code (e.g. 777).
    #[arg(long, value_name = "SPORT", value_parser = parse_sports)]
    pub sport: Option<Sports>,
}

/// The Huami sport codes of `--sport`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sports(pub Vec<i64>);

/// Parse `--sport running` or `--sport 777`.
pub fn parse_sports(s: &str) -> Result<Sports, String> {
    parse_sport(s).map(Sports)
}

/// `mikit fit workouts …`
#[derive(Debug, Subcommand)]
pub enum Action {
    /// Show one workout: its totals, its laps or kilometre splits, and its pauses.
    Show {
        /// The workout's id (the first column of `mikit fit workouts`).
        id: i64,
    },
}

/// Run `mikit fit workouts`.
pub fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let store = ctx.open_fit_store()?;
    let Some((account, _, _)) = store.accounts("huami")?.into_iter().next() else {
        anyhow::bail!("no fitness data yet: run `mikit fit login` and `mikit fit sync` first");
    };
    match cmd.action {
        Some(Action::Show { id }) => show(ctx, &store, account, id),
        None => list(ctx, &store, account, &cmd),
    }
}

fn list(ctx: &Ctx, store: &Store, account: AccountId, cmd: &Cmd) -> anyhow::Result<ExitCode> {
    let selection = Selection {
        from: cmd.from,
        to: cmd.to,
        sports: cmd.sport.clone().map(|s| s.0).unwrap_or_default(),
        workout: None,
    };
    let workouts = export::select(store, account, &selection)?;
    if ctx.out.json {
        for w in &workouts {
            ctx.out.json_line(&json(w)?)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if workouts.is_empty() {
        ctx.out
            .line("No workouts stored for this selection (`mikit fit sync` downloads them).")?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = workouts.iter().map(row).collect();
    ctx.out.table(
        &[
            "id", "start", "sport", "time", "km", "pace", "avg hr", "max hr", "kcal", "track",
        ],
        &rows,
    )?;
    ctx.out.line(&format!(
        "{}; `mikit fit workouts show ID` shows one.",
        crate::output::count(workouts.len() as u64, "workout")
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// One workout as a JSON object: the stored columns plus the sport's name and the local start.
fn json(w: &StoredWorkout) -> anyhow::Result<serde_json::Value> {
    let mut v = serde_json::to_value(w)?;
    if let Some(o) = v.as_object_mut() {
        o.insert("sport_name".into(), sport_name(w.row.sport).into());
        o.insert(
            "local_start".into(),
            local_time(w.row.start, w.tz_offset, true).into(),
        );
    }
    Ok(v)
}

fn row(w: &StoredWorkout) -> Vec<String> {
    let r = &w.row;
    vec![
        r.trackid.to_string(),
        local_time(r.start, w.tz_offset, false),
        sport_name(r.sport),
        duration(moving_s(w)),
        r.distance_m
            .filter(|&m| m > 0.0)
            .map_or_else(dash, |m| format!("{:.2}", m / 1000.0)),
        pace(w),
        opt(r.avg_hr.map(|v| v.round() as i64)),
        opt(r.max_hr),
        opt(r.kcal.map(|v| v.round() as i64)),
        if w.has_track { "yes" } else { "no" }.to_owned(),
    ]
}

/// Moving time, seconds: `run_time`, else the span from start to end.
fn moving_s(w: &StoredWorkout) -> Option<i64> {
    w.row
        .duration_s
        .or_else(|| w.row.end.map(|e| e - w.row.start))
        .filter(|&s| s > 0)
}

/// Pace per km (per 100 m for swims), or speed in km/h for rides; `-` without distance.
fn pace(w: &StoredWorkout) -> String {
    let (Some(m), Some(s)) = (w.row.distance_m.filter(|&m| m > 0.0), moving_s(w)) else {
        return dash();
    };
    let s = s as f64;
    if is_ride(w.row.sport) {
        format!("{:.1} km/h", m / s * 3.6)
    } else if is_swim(w.row.sport) {
        format!("{}/100m", min_sec(s / m * 100.0))
    } else {
        format!("{}/km", min_sec(s / m * 1000.0))
    }
}

fn min_sec(s: f64) -> String {
    let s = s.round() as i64;
    format!("{}:{:02}", s / 60, s % 60)
}

fn duration(s: Option<i64>) -> String {
    s.map_or_else(dash, |s| {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    })
}

fn opt(v: Option<i64>) -> String {
    v.map_or_else(dash, |v| v.to_string())
}

fn dash() -> String {
    "-".to_owned()
}

/// `ts` at UTC offset `offset`: `2026-03-01 07:15` (or ISO 8601 with the offset and seconds).
fn local_time(ts: i64, offset: i32, iso: bool) -> String {
    let mut s = String::new();
    crate::export::push_iso(&mut s, ts, offset);
    if iso {
        s
    } else {
        // `YYYY-MM-DDTHH:MM:SS+HH:MM` → `YYYY-MM-DD HH:MM`
        s.get(..16).map_or(s.clone(), |t| t.replacen('T', " ", 1))
    }
}

fn show(ctx: &Ctx, store: &Store, account: AccountId, id: i64) -> anyhow::Result<ExitCode> {
    let Some(d) = store.workout(account, id)? else {
        anyhow::bail!(
            "no workout {id} in the database: `mikit fit workouts` lists the ids (run `mikit fit sync` first if it is new)"
        );
    };
    let w = &d.workout;
    let off = w.tz_offset;
    if ctx.out.json {
        let mut v = json(w)?;
        if let Some(o) = v.as_object_mut() {
            o.insert("laps".into(), serde_json::to_value(&d.laps)?);
            o.insert("pauses".into(), serde_json::to_value(&d.pauses)?);
        }
        ctx.out.json_line(&v)?;
        return Ok(ExitCode::SUCCESS);
    }
    let r = &w.row;
    let mut facts: Vec<(&str, String)> = vec![
        ("id", r.trackid.to_string()),
        (
            "sport",
            format!("{} (code {})", sport_name(r.sport), r.sport),
        ),
        ("start", local_time(r.start, off, true)),
        ("end", r.end.map_or_else(dash, |e| local_time(e, off, true))),
        ("moving time", duration(moving_s(w))),
        ("paused", duration(r.pause_s.filter(|&p| p > 0))),
        (
            "distance",
            r.distance_m
                .map_or_else(dash, |m| format!("{:.2} km", m / 1000.0)),
        ),
        (if is_ride(r.sport) { "speed" } else { "pace" }, pace(w)),
        (
            "heart rate",
            format!(
                "avg {}, max {}, min {}",
                opt(r.avg_hr.map(|v| v.round() as i64)),
                opt(r.max_hr),
                opt(r.min_hr)
            ),
        ),
        ("kcal", opt(r.kcal.map(|v| v.round() as i64))),
        ("steps", opt(r.steps)),
        (
            "ascent / descent",
            format!(
                "{} / {} m",
                opt(r.ascent_m.map(|v| v.round() as i64)),
                opt(r.descent_m.map(|v| v.round() as i64))
            ),
        ),
        (
            "points",
            format!(
                "{} ({})",
                w.points,
                if w.has_track {
                    "with a GPS track"
                } else {
                    "no GPS"
                }
            ),
        ),
    ];
    if let Some(t) = &r.title {
        facts.insert(1, ("title", t.clone()));
    }
    if let Some(z) = &r.time_zone {
        facts.push(("time zone", z.clone()));
    }
    if is_swim(r.sport) {
        facts.push((
            "swim",
            format!(
                "pool {} m, {} lengths, {} strokes, SWOLF {}",
                opt(r.pool_length_m),
                opt(r.trips),
                opt(r.strokes),
                opt(r.swolf)
            ),
        ));
    }
    if !w.has_detail {
        facts.push((
            "detail",
            "not downloaded (the server had none); `mikit fit sync` asks again".to_owned(),
        ));
    }
    let width = facts.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in &facts {
        ctx.out.line(&format!("{k:<width$}  {v}"))?;
    }
    if !d.laps.is_empty() {
        let title = match d.laps[0].kind.as_str() {
            "km" => "Kilometre splits:",
            "mile" => "Mile splits:",
            _ => "Laps:",
        };
        ctx.out.line("")?;
        ctx.out.line(title)?;
        let rows: Vec<Vec<String>> = d
            .laps
            .iter()
            .enumerate()
            .map(|(i, l)| {
                vec![
                    (i + 1).to_string(),
                    l.start.map_or_else(dash, |s| local_time(s, off, false)),
                    duration(l.duration_s.map(|s| s.round() as i64)),
                    l.distance_m.map_or_else(dash, |m| format!("{m:.0}")),
                    l.avg_pace.map_or_else(dash, |p| {
                        if is_swim(r.sport) {
                            format!("{}/100m", min_sec(p * 100.0))
                        } else {
                            format!("{}/km", min_sec(p * 1000.0))
                        }
                    }),
                    opt(l.avg_hr.map(|v| v.round() as i64)),
                    opt(l.strokes),
                ]
            })
            .collect();
        ctx.out.table(
            &["#", "start", "time", "m", "pace", "avg hr", "strokes"],
            &rows,
        )?;
    }
    if !d.pauses.is_empty() {
        ctx.out.line("")?;
        ctx.out.line("Pauses:")?;
        let rows: Vec<Vec<String>> = d
            .pauses
            .iter()
            .map(|p| {
                vec![
                    p.start.map_or_else(dash, |s| local_time(s, off, true)),
                    duration(p.start.zip(p.end).map(|(a, b)| b - a)),
                    match p.kind {
                        Some(2) => "manual".to_owned(),
                        Some(3) => "automatic".to_owned(),
                        k => opt(k),
                    },
                ]
            })
            .collect();
        ctx.out.table(&["start", "length", "kind"], &rows)?;
    }
    Ok(ExitCode::SUCCESS)
}
