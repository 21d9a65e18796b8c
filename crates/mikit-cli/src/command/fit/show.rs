//! `mikit fit show`

use std::process::ExitCode;

use clap::Args;
use jiff::{ToSpan as _, civil::Date};
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
        print_days(ctx, &user, email.as_deref(), &rows)?;
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
) -> anyhow::Result<()> {
    if ctx.out.json {
        for r in rows {
            let mut v = serde_json::to_value(r)?;
            if let Some(o) = v.as_object_mut() {
                o.insert("user_id".into(), user.into());
                o.insert("sleep_total_min".into(), r.sleep_total().into());
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
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
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
            ]
        })
        .collect();
    ctx.out.table(
        &[
            "date", "steps", "km", "kcal", "sleep", "deep", "light", "rem", "awake", "rest hr",
            "max hr",
        ],
        &table,
    )?;
    if rows.iter().any(|r| r.partial) {
        ctx.out
            .line("* decoded only partly; `mikit fit sync --redecode` retries after an upgrade")?;
    }
    Ok(())
}
