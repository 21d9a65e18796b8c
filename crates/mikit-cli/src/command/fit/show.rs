//! `mikit fit show`

use std::process::ExitCode;

use clap::Args;
use jiff::{ToSpan as _, civil::Date};
use mikit_app::health::DayHealth;
use mikit_store::DayRow;

use super::parse_date;
use crate::context::Ctx;

/// Arguments of `mikit fit show`.
#[derive(Debug, Args)]
pub struct Cmd {
    /// First day to show (YYYY-MM-DD). Default: two weeks before the last day.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub from: Option<Date>,
    /// Last day to show (YYYY-MM-DD). Default: the last synced day.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub to: Option<Date>,
}

/// Run `mikit fit show`.
pub fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let store = ctx.open_fit_store()?;
    let accounts = store.accounts("huami")?;
    if accounts.is_empty() {
        ctx.out
            .line("No fitness data yet: run `mikit fit login` and `mikit fit sync` first.")?;
        return Ok(ExitCode::SUCCESS);
    }
    for (account, user, email) in accounts {
        let state = store.sync_state(account, mikit_app::fit::Stream::BandData.name())?;
        let to = cmd
            .to
            .or(state.and_then(|s| s.last_date))
            .unwrap_or_else(mikit_app::fit::today);
        let from = cmd.from.unwrap_or_else(|| to.saturating_sub(13.days()));
        let rows = store.day_rows(account, Some(from), Some(to))?;
        let health = mikit_app::health::day_health(&store, account, &rows)?;
        print_days(ctx, &user, email.as_deref(), &rows, &health)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn hm(min: Option<i64>) -> String {
    min.map_or_else(|| "-".to_owned(), |m| format!("{}:{:02}", m / 60, m % 60))
}

fn num(v: Option<i64>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

/// Print day rows as a table (or JSON lines with `--json`).
pub fn print_days(
    ctx: &Ctx,
    user: &str,
    email: Option<&str>,
    rows: &[DayRow],
    health: &[DayHealth],
) -> anyhow::Result<()> {
    let none = DayHealth::default();
    let health_of = |i: usize| health.get(i).unwrap_or(&none);
    if ctx.out.json {
        for (i, r) in rows.iter().enumerate() {
            let mut v = serde_json::to_value(r)?;
            if let Some(o) = v.as_object_mut() {
                o.insert("user_id".into(), user.into());
                o.insert("sleep_total_min".into(), r.sleep_total().into());
                let h = health_of(i);
                o.insert("spo2_pct".into(), h.spo2.into());
                o.insert("stress".into(), h.stress.into());
                o.insert("pai".into(), h.pai.into());
                o.insert("readiness".into(), h.readiness.into());
                o.insert("weight_kg".into(), h.weight_kg.into());
            }
            ctx.out.json_line(&v)?;
        }
        return Ok(());
    }
    ctx.out.line(&format!(
        "{} (user {user}): {}",
        email.unwrap_or("Huami account"),
        crate::output::count(rows.len() as u64, "day")
    ))?;
    // Health columns only where some shown day has a value.
    type Pick = fn(&DayHealth) -> Option<f64>;
    let extra: Vec<(&str, Pick, usize)> = [
        ("spo2 %", (|h: &DayHealth| h.spo2) as Pick, 0),
        ("stress", |h: &DayHealth| h.stress, 0),
        ("pai", |h: &DayHealth| h.pai, 0),
        ("weight", |h: &DayHealth| h.weight_kg, 1),
    ]
    .into_iter()
    .filter(|(_, pick, _)| (0..rows.len()).any(|i| pick(health_of(i)).is_some()))
    .collect();
    let table: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut cells = vec![
                format!("{}{}", r.date, if r.partial { "*" } else { "" }),
                num(r.steps),
                r.distance_m
                    .map_or_else(|| "-".to_owned(), |m| format!("{:.2}", m as f64 / 1000.0)),
                num(r.kcal),
                hm(r.sleep_total()),
                hm(r.deep_min),
                hm(r.light_min),
                hm(r.rem_min),
                hm(r.awake_min),
                num(r.resting_hr),
                num(r.max_hr),
            ];
            for (_, pick, decimals) in &extra {
                cells.push(
                    pick(health_of(i))
                        .map_or_else(|| "-".to_owned(), |v| format!("{v:.*}", *decimals)),
                );
            }
            cells
        })
        .collect();
    let mut headers = vec![
        "date", "steps", "km", "kcal", "sleep", "deep", "light", "rem", "awake", "rest hr",
        "max hr",
    ];
    headers.extend(extra.iter().map(|(h, _, _)| *h));
    ctx.out.table(&headers, &table)?;
    if rows.iter().any(|r| r.partial) {
        ctx.out
            .line("* decoded only partly; `mikit fit sync --redecode` retries after an upgrade")?;
    }
    Ok(())
}
