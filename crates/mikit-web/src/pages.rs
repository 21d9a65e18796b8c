//! The pages and their JSON twins. Each page handler computes its data with one library call
//! (under `/api/…` the same value is served as JSON) and renders it.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use jiff::ToSpan as _;
use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};
use mikit_app::device::{self as app, Reading, Target, Via};
use mikit_app::stats::{self, Bucket, Metrics};
use mikit_store::Store;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::html::{card, esc, page, para, table};
use crate::svg::{self, Bar, num};
use crate::{AppState, svg::bars};

/// Why a request failed: shown as a page or as `{"error": …}`.
pub(crate) enum Fail {
    /// Nothing to show yet (no account synced).
    NoData(String),
    /// The request is wrong (a bad date, an unknown device).
    Bad(String),
    /// Something broke underneath.
    Internal(String),
}

impl Fail {
    fn status(&self) -> StatusCode {
        match self {
            Self::NoData(_) => StatusCode::NOT_FOUND,
            Self::Bad(_) => StatusCode::BAD_REQUEST,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn text(&self) -> &str {
        match self {
            Self::NoData(t) | Self::Bad(t) | Self::Internal(t) => t,
        }
    }

    fn page(&self, title: &str, active: &str) -> Response {
        let class = if matches!(self, Self::NoData(_)) {
            "muted"
        } else {
            "error"
        };
        let body = format!(r#"<p class="{class}">{}</p>"#, esc(self.text()));
        let status = if matches!(self, Self::NoData(_)) {
            StatusCode::OK
        } else {
            self.status()
        };
        (status, Html(page(title, active, &body))).into_response()
    }

    fn json(&self) -> Response {
        (self.status(), Json(json!({ "error": self.text() }))).into_response()
    }
}

impl From<stats::Error> for Fail {
    fn from(e: stats::Error) -> Self {
        match e {
            stats::Error::NoAccount => Self::NoData(e.to_string()),
            stats::Error::EmptyRange { .. } => Self::Bad(e.to_string()),
            e => Self::Internal(chain(&e)),
        }
    }
}

impl From<mikit_store::Error> for Fail {
    fn from(e: mikit_store::Error) -> Self {
        Self::Internal(chain(&e))
    }
}

/// An error and its causes on one line.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let _ = write!(text, ": {c}");
        cause = c.source();
    }
    text
}

/// Run `f` with the database on a blocking thread.
async fn with_store<T, F>(state: &Arc<AppState>, f: F) -> Result<T, Fail>
where
    T: Send + 'static,
    F: FnOnce(&Store, Date) -> Result<T, Fail> + Send + 'static,
{
    let state = Arc::clone(state);
    tokio::task::spawn_blocking(move || {
        let today = state.today();
        let store = state
            .store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&store, today)
    })
    .await
    .map_err(|e| Fail::Internal(format!("a request failed: {e}")))?
}

fn html_or(title: &str, active: &str, r: Result<String, Fail>) -> Response {
    match r {
        Ok(body) => Html(page(title, active, &body)).into_response(),
        Err(f) => f.page(title, active),
    }
}

fn json_or<T: serde::Serialize>(r: Result<T, Fail>) -> Response {
    match r {
        Ok(v) => Json(v).into_response(),
        Err(f) => f.json(),
    }
}

/// `YYYY-MM-DD` from a query parameter.
fn date_param(q: &HashMap<String, String>, key: &str) -> Result<Option<Date>, Fail> {
    match q.get(key).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| {
            Fail::Bad(format!(
                "{key}={s:?} is not a date: use YYYY-MM-DD, e.g. {key}=2026-03-01"
            ))
        }),
    }
}

fn bucket_param(q: &HashMap<String, String>) -> Result<Option<Bucket>, Fail> {
    match q.get("bucket").map(String::as_str) {
        None | Some("" | "auto") => Ok(None),
        Some("day") => Ok(Some(Bucket::Day)),
        Some("week") => Ok(Some(Bucket::Week)),
        Some("month") => Ok(Some(Bucket::Month)),
        Some(other) => Err(Fail::Bad(format!(
            "bucket={other:?} is not one of day, week, month, auto"
        ))),
    }
}

/// `HH:MM` of `ts` at `offset` seconds east.
fn clock(ts: i64, offset: i32) -> String {
    let tz = Offset::from_seconds(offset).map_or(TimeZone::UTC, TimeZone::fixed);
    jiff::Timestamp::from_second(ts)
        .map(|t| t.to_zoned(tz).strftime("%H:%M").to_string())
        .unwrap_or_else(|_| "?".into())
}

fn hm(minutes: i64) -> String {
    format!("{}h{:02}", minutes / 60, minutes % 60)
}

fn opt(v: Option<f64>, unit: &str) -> String {
    v.map_or_else(|| "—".to_owned(), |v| format!("{}{unit}", num(v)))
}

/// `+12 %` against the usual, or nothing.
fn versus(v: Option<f64>, usual: Option<f64>) -> String {
    match (v, usual) {
        (Some(v), Some(u)) if u > 0.0 => {
            let pct = (v - u) / u * 100.0;
            format!("{:+.0} % vs. the previous 28 days", pct)
        }
        _ => "no earlier data to compare".into(),
    }
}

// ---------------------------------------------------------------- overview

/// `GET /`
pub(crate) async fn overview(State(state): State<Arc<AppState>>) -> Response {
    let r = with_store(&state, |store, today| {
        let account = stats::account(store)?;
        let o = stats::overview(store, account, today)?;
        Ok(render_overview(&o))
    })
    .await;
    html_or("Overview", "/", r)
}

/// `GET /api/overview`
pub(crate) async fn api_overview(State(state): State<Arc<AppState>>) -> Response {
    json_or(
        with_store(&state, |store, today| {
            let account = stats::account(store)?;
            Ok(stats::overview(store, account, today)?)
        })
        .await,
    )
}

fn render_overview(o: &stats::Overview) -> String {
    let Some(latest) = &o.latest else {
        return para("Nothing synced up to today yet: run `mikit fit sync`.");
    };
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<p class="muted">Latest day with data: {}.</p><div class="cards">"#,
        latest.date
    );
    let usual = &o.previous_28;
    out.push_str(&card(
        "Steps on the latest day",
        &latest.steps.map_or("—".into(), |s| num(s as f64)),
        &latest
            .goal
            .map_or(String::new(), |g| format!("goal {}", num(g as f64))),
    ));
    out.push_str(&card(
        "Steps, last 7 days (mean)",
        &opt(o.last_7.steps, ""),
        &versus(o.last_7.steps, usual.steps),
    ));
    out.push_str(&card(
        "Steps, last 30 days (mean)",
        &opt(o.last_30.steps, ""),
        &format!("{} days with data", o.last_30.days_with_steps),
    ));
    out.push_str(&card(
        "Sleep, last 7 nights (mean)",
        &o.last_7
            .sleep_min
            .map_or("—".into(), |m| hm(m.round() as i64)),
        &versus(o.last_7.sleep_min, usual.sleep_min),
    ));
    out.push_str(&card(
        "Resting heart rate, last 7 days",
        &opt(o.last_7.resting_hr, " bpm"),
        &versus(o.last_7.resting_hr, usual.resting_hr),
    ));
    out.push_str("</div>");
    if let Some(n) = &o.last_night {
        out.push_str(&night_block(n, "Last night"));
    }
    out.push_str("<h2>Resting heart rate, last 90 days</h2>");
    if o.resting_hr.is_empty() {
        out.push_str(&para("No resting heart rate was recorded in these days."));
    } else {
        let first = o.resting_hr[0].0;
        let x = |d: Date| f64::from((d - first).get_days());
        let points: Vec<(f64, f64)> = o
            .resting_hr
            .iter()
            .map(|(d, v)| (x(*d), *v as f64))
            .collect();
        // A missing day breaks the line.
        let mut segments: Vec<Vec<(f64, f64)>> = Vec::new();
        for p in points {
            match segments.last_mut() {
                Some(s) if s.last().is_some_and(|l| p.0 - l.0 <= 1.0) => s.push(p),
                _ => segments.push(vec![p]),
            }
        }
        let last = o.resting_hr.last().map_or(first, |l| l.0);
        let ticks = [(0.0, first.to_string()), (x(last), last.to_string())];
        out.push_str(&svg::lines(
            &segments,
            (0.0, x(last).max(1.0)),
            &ticks,
            "bpm",
            &|xv, y| {
                let d = first.saturating_add((xv as i64).days());
                format!("{d}: {} bpm", num(y))
            },
            "Resting heart rate per day",
        ));
    }
    out
}

fn night_block(n: &stats::Night, heading: &str) -> String {
    let mut out = format!("<h2>{} ({})</h2>", esc(heading), n.date);
    let asleep = n.asleep_min.map_or("—".into(), hm);
    let span = match (n.start, n.end) {
        (Some(a), Some(b)) => format!("{}–{}", clock(a, n.tz_offset), clock(b, n.tz_offset)),
        _ => String::new(),
    };
    let _ = write!(
        out,
        r#"<p>Asleep {asleep} {span}; deep {}, light {}, REM {}, awake {}{}.</p>"#,
        n.deep_min.map_or("—".into(), hm),
        n.light_min.map_or("—".into(), hm),
        n.rem_min.map_or("—".into(), hm),
        n.awake_min.map_or("—".into(), hm),
        n.score.map_or(String::new(), |s| format!("; score {s}")),
    );
    if let (Some(first), Some(last)) = (n.stages.first(), n.stages.iter().map(|s| s.end).max()) {
        let stages: Vec<(f64, f64, &str, String)> = n
            .stages
            .iter()
            .map(|s| {
                (
                    s.start as f64,
                    s.end as f64,
                    s.kind.as_str(),
                    format!(
                        "{} {}–{} ({} min)",
                        s.kind,
                        clock(s.start, n.tz_offset),
                        clock(s.end, n.tz_offset),
                        (s.end - s.start) / 60
                    ),
                )
            })
            .collect();
        let ticks: Vec<(f64, String)> = (0..=4)
            .map(|i| {
                let t = first.start + (last - first.start) * i / 4;
                (t as f64, clock(t, n.tz_offset))
            })
            .collect();
        out.push_str(&svg::hypnogram(
            &stages,
            (first.start as f64, last as f64),
            &ticks,
            "Sleep stages of the night",
        ));
        out.push_str(&legend(&[
            ("deep", "k-deep"),
            ("light", "k-light"),
            ("REM", "k-rem"),
            ("awake", "k-awake"),
        ]));
    }
    out
}

/// A legend: (name, CSS class of its colour swatch).
fn legend(items: &[(&str, &str)]) -> String {
    let mut out = String::from(r#"<p class="legend">"#);
    for (name, colour) in items {
        let _ = write!(out, r#"<span><i class="{colour}"></i>{}</span>"#, esc(name));
    }
    out.push_str("</p>");
    out
}

// ---------------------------------------------------------------- activity, sleep, heart

/// The range of a series page: `from`/`to`, default the 30 days up to today.
fn range(
    q: &HashMap<String, String>,
    today: Date,
    default_days: i64,
) -> Result<(Date, Date), Fail> {
    let to = date_param(q, "to")?.unwrap_or(today);
    let from =
        date_param(q, "from")?.unwrap_or_else(|| to.saturating_sub((default_days - 1).days()));
    Ok((from, to))
}

fn range_links(path: &str, today: Date) -> String {
    let mut out = String::from(r#"<p class="ranges">"#);
    for (label, days) in [
        ("7 days", 7),
        ("30 days", 30),
        ("1 year", 365),
        ("10 years", 3650),
    ] {
        let _ = write!(
            out,
            r#"<a href="{path}?from={}&amp;to={today}">{label}</a>"#,
            today.saturating_sub((days - 1).days())
        );
    }
    out.push_str("</p>");
    out
}

fn bucket_label(b: Bucket, d: Date) -> String {
    match b {
        Bucket::Day => d.strftime("%d %b").to_string(),
        Bucket::Week => format!("wk {}", d.strftime("%d %b")),
        Bucket::Month => d.strftime("%b %Y").to_string(),
    }
}

/// Label every n-th bar so that about 12 labels show.
fn sparse_label(i: usize, n: usize, text: String) -> Option<String> {
    let every = n.div_ceil(12).max(1);
    i.is_multiple_of(every).then_some(text)
}

/// The first day of the bucket after the one starting at `d`.
fn next_bucket(b: Bucket, d: Date) -> Date {
    match b {
        Bucket::Day => d.saturating_add(1.day()),
        Bucket::Week => d.saturating_add(7.days()),
        Bucket::Month => d.first_of_month().saturating_add(1.month()),
    }
}

/// One bar per bucket of the whole range (an empty bucket is a gap, so the x axis is time),
/// showing the metrics at `pick`.
fn series_bars(s: &stats::Series, pick: &[usize], unit: &str, names: &[&str]) -> Vec<Bar> {
    let by_start: HashMap<Date, &stats::Point> = s.points.iter().map(|p| (p.start, p)).collect();
    let mut starts = Vec::new();
    let mut d = s.bucket.start_of(s.from);
    while d <= s.to && starts.len() < 5_000 {
        starts.push(d);
        d = next_bucket(s.bucket, d);
    }
    let n = starts.len();
    starts
        .into_iter()
        .enumerate()
        .map(|(i, start)| {
            let label = sparse_label(i, n, bucket_label(s.bucket, start));
            let Some(p) = by_start.get(&start) else {
                return Bar {
                    values: vec![None; pick.len()],
                    label,
                    title: format!("{}: no data", bucket_label(s.bucket, start)),
                };
            };
            let values: Vec<Option<f64>> = pick.iter().map(|&k| p.values[k]).collect();
            let mut title = bucket_label(s.bucket, p.start);
            for (name, v) in names.iter().zip(&values) {
                let _ = write!(title, " · {name} {}", opt(*v, unit));
            }
            if s.bucket != Bucket::Day {
                let _ = write!(title, " (mean of {} days)", p.days);
            }
            Bar {
                values,
                label,
                title,
            }
        })
        .collect()
}

fn bucket_name(b: Bucket) -> &'static str {
    match b {
        Bucket::Day => "day",
        Bucket::Week => "week",
        Bucket::Month => "month",
    }
}

/// `GET /activity?from&to&bucket`
pub(crate) async fn activity(
    State(state): State<Arc<AppState>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let r = with_store(&state, move |store, today| {
        let s = activity_view(store, today, &q)?;
        let r = (s.from, s.to);
        let mut out = range_links("/activity", today);
        let _ = write!(
            out,
            r#"<p class="muted">{} to {}, one bar per {} (a mean per day with data when a bar stands for several days).</p>"#,
            r.0,
            r.1,
            bucket_name(s.bucket)
        );
        if s.points.is_empty() {
            out.push_str(&para("No activity data in this range."));
            return Ok(out);
        }
        out.push_str("<h2>Steps</h2>");
        out.push_str(&bars(&series_bars(&s, &[0], "", &["steps"]), "steps", None, "Steps"));
        out.push_str("<h2>Distance</h2>");
        let km: Vec<Bar> = series_bars(&s, &[1], " m", &["distance"]);
        out.push_str(&bars(&km, "metres", None, "Distance"));
        out.push_str("<h2>Energy</h2>");
        out.push_str(&bars(&series_bars(&s, &[2], " kcal", &["energy"]), "kcal", None, "Energy"));
        Ok(out)
    })
    .await;
    html_or("Activity", "/activity", r)
}

/// `GET /api/activity?from&to&bucket`
pub(crate) async fn api_activity(
    State(state): State<Arc<AppState>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    json_or(with_store(&state, move |store, today| activity_view(store, today, &q)).await)
}

/// What the activity page shows (and `/api/activity` serves).
fn activity_view(
    store: &Store,
    today: Date,
    q: &HashMap<String, String>,
) -> Result<stats::Series, Fail> {
    let account = stats::account(store)?;
    let r = range(q, today, 30)?;
    Ok(stats::series(
        store,
        account,
        Metrics::Activity,
        r,
        bucket_param(q)?,
    )?)
}

/// What the sleep page shows (and `/api/sleep` serves): the series, and one night — the one
/// asked for, else the latest in a daily range.
#[derive(serde::Serialize)]
struct SleepView {
    series: stats::Series,
    night_date: Option<Date>,
    night: Option<stats::Night>,
}

fn sleep_view(store: &Store, today: Date, q: &HashMap<String, String>) -> Result<SleepView, Fail> {
    let account = stats::account(store)?;
    let r = range(q, today, 30)?;
    let series = stats::series(store, account, Metrics::Sleep, r, bucket_param(q)?)?;
    let night_date = match date_param(q, "night")? {
        Some(d) => Some(d),
        None => series
            .points
            .iter()
            .rev()
            .find(|p| series.bucket == Bucket::Day && p.values[0].is_some())
            .map(|p| p.start),
    };
    let night = match night_date {
        Some(d) => stats::night_of(store, account, d)?,
        None => None,
    };
    Ok(SleepView {
        series,
        night_date,
        night,
    })
}

/// `GET /sleep?from&to&bucket&night`
pub(crate) async fn sleep(
    State(state): State<Arc<AppState>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let r = with_store(&state, move |store, today| {
        let v = sleep_view(store, today, &q)?;
        let mut out = range_links("/sleep", today);
        if v.series.points.is_empty() {
            out.push_str(&para("No sleep data in this range."));
        } else {
            out.push_str("<h2>Time asleep by stage</h2>");
            out.push_str(&bars(
                &series_bars(
                    &v.series,
                    &[0, 1, 2, 3],
                    " min",
                    &["deep", "light", "REM", "awake"],
                ),
                "minutes",
                None,
                "Sleep by stage",
            ));
            out.push_str(&legend(&[
                ("deep", "k-deep"),
                ("light", "k-light"),
                ("REM", "k-rem"),
                ("awake", "k-awake"),
            ]));
        }
        match (&v.night, v.night_date) {
            (Some(n), _) => out.push_str(&night_block(n, "One night")),
            (None, Some(d)) => {
                out.push_str(&para(&format!("No sleep recorded for the night of {d}.")))
            }
            (None, None) => {}
        }
        Ok(out)
    })
    .await;
    html_or("Sleep", "/sleep", r)
}

/// `GET /api/sleep?from&to&bucket&night`
pub(crate) async fn api_sleep(
    State(state): State<Arc<AppState>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    json_or(with_store(&state, move |store, today| sleep_view(store, today, &q)).await)
}

/// What the heart-rate page shows (and `/api/heart` serves): one day's minutes — the day
/// asked for, else the latest with data — and the 90 days of daily values up to it.
#[derive(serde::Serialize)]
struct HeartView {
    date: Date,
    day: Option<stats::HeartDay>,
    daily: stats::Series,
}

fn heart_view(store: &Store, today: Date, q: &HashMap<String, String>) -> Result<HeartView, Fail> {
    let account = stats::account(store)?;
    let date = match date_param(q, "date")? {
        Some(d) => d,
        None => stats::latest_day(store, account, today)?.unwrap_or(today),
    };
    Ok(HeartView {
        date,
        day: stats::heart_day(store, account, date)?,
        daily: stats::series(
            store,
            account,
            Metrics::Heart,
            (date.saturating_sub(89.days()), date),
            Some(Bucket::Day),
        )?,
    })
}

/// `GET /heart?date`
pub(crate) async fn heart(
    State(state): State<Arc<AppState>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let r = with_store(&state, move |store, today| {
        let v = heart_view(store, today, &q)?;
        let date = v.date;
        let mut out = String::new();
        let _ = write!(
            out,
            r#"<form class="inline" method="get" action="/heart"><label>Day <input type="date" name="date" value="{date}"></label><button type="submit">Show</button></form>"#
        );
        match &v.day {
            None => out.push_str(&para(&format!("{date} is not in the database."))),
            Some(h) if h.segments.is_empty() => {
                out.push_str(&para(&format!("No heart rate was recorded on {date}.")));
            }
            Some(h) => out.push_str(&heart_block(h)),
        }
        if !v.daily.points.is_empty() {
            out.push_str("<h2>Resting heart rate, 90 days</h2>");
            out.push_str(&bars(
                &series_bars(&v.daily, &[0], " bpm", &["resting"]),
                "bpm",
                None,
                "Resting heart rate",
            ));
        }
        Ok(out)
    })
    .await;
    html_or("Heart rate", "/heart", r)
}

/// One day's curve, its segments drawn apart.
fn heart_block(h: &stats::HeartDay) -> String {
    let date = h.date;
    let first = h.segments[0][0].ts;
    let midnight = first - (first + i64::from(h.tz_offset)).rem_euclid(86_400);
    let mut out = format!(
        "<h2>{date}</h2><p>Lowest {} bpm, highest {} bpm{}. Gaps over 15 minutes (band not worn) are left open.</p>",
        h.min.unwrap_or_default(),
        h.max.unwrap_or_default(),
        h.resting_hr
            .map_or(String::new(), |r| format!(", resting {r} bpm"))
    );
    let segments: Vec<Vec<(f64, f64)>> = h
        .segments
        .iter()
        .map(|s| {
            s.iter()
                .map(|p| ((p.ts - midnight) as f64, p.bpm as f64))
                .collect()
        })
        .collect();
    let ticks: Vec<(f64, String)> = (0..=8)
        .map(|i| ((i * 3 * 3600) as f64, format!("{:02}:00", i * 3)))
        .collect();
    let offset = h.tz_offset;
    out.push_str(&svg::lines(
        &segments,
        (0.0, 86_400.0),
        &ticks,
        "bpm",
        &move |x, y| format!("{} {} bpm", clock(midnight + x as i64, offset), num(y)),
        "Heart rate over the day",
    ));
    out
}

/// `GET /api/heart?date`
pub(crate) async fn api_heart(
    State(state): State<Arc<AppState>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    json_or(with_store(&state, move |store, today| heart_view(store, today, &q)).await)
}

// ---------------------------------------------------------------- workouts

fn sport_name(code: i64) -> String {
    u32::try_from(code)
        .map(mikit_activity::Sport)
        .ok()
        .filter(|s| s.is_known())
        .map_or_else(|| format!("sport {code}"), |s| s.info().name.to_owned())
}

/// `GET /workouts`
pub(crate) async fn workouts(State(state): State<Arc<AppState>>) -> Response {
    let r = with_store(&state, |store, _| {
        let account = stats::account(store)?;
        let list = store.workouts(account, &mikit_store::WorkoutFilter::default())?;
        if list.is_empty() {
            return Ok(para("No workouts synced yet."));
        }
        let rows: Vec<Vec<String>> = list
            .iter()
            .rev()
            .take(500)
            .map(|w| {
                vec![
                    format!(
                        r#"<a href="/workouts/{}">{}</a>"#,
                        w.row.trackid,
                        esc(&format!("{} {}", w.date, clock(w.row.start, w.tz_offset)))
                    ),
                    esc(&sport_name(w.row.sport)),
                    w.row.duration_s.map_or("—".into(), |s| hm(s / 60)),
                    w.row
                        .distance_m
                        .map_or("—".into(), |m| format!("{} km", num(m / 1000.0))),
                    w.row
                        .avg_hr
                        .map_or("—".into(), |h| format!("{} bpm", num(h))),
                    w.row
                        .kcal
                        .map_or("—".into(), |k| format!("{} kcal", num(k))),
                ]
            })
            .collect();
        let mut out = format!(
            r#"<p class="muted">{} workouts; the latest {} shown.</p>"#,
            list.len(),
            rows.len()
        );
        out.push_str(&table(
            &["Start", "Sport", "Duration", "Distance", "Avg HR", "Energy"],
            &rows,
        ));
        Ok(out)
    })
    .await;
    html_or("Workouts", "/workouts", r)
}

/// `GET /api/workouts`
pub(crate) async fn api_workouts(State(state): State<Arc<AppState>>) -> Response {
    json_or(
        with_store(&state, |store, _| {
            let account = stats::account(store)?;
            Ok(store.workouts(account, &mikit_store::WorkoutFilter::default())?)
        })
        .await,
    )
}

/// `GET /workouts/{trackid}`: the summary, the track drawn from its points, heart rate over
/// time, and the laps.
pub(crate) async fn workout(
    State(state): State<Arc<AppState>>,
    Path(trackid): Path<i64>,
) -> Response {
    let r = with_store(&state, move |store, _| {
        let account = stats::account(store)?;
        let Some(d) = store.workout(account, trackid)? else {
            return Err(Fail::Bad(format!("there is no workout {trackid}")));
        };
        Ok(render_workout(&d))
    })
    .await;
    html_or("Workout", "/workouts", r)
}

/// `GET /api/workouts/{trackid}`
pub(crate) async fn api_workout(
    State(state): State<Arc<AppState>>,
    Path(trackid): Path<i64>,
) -> Response {
    json_or(
        with_store(&state, move |store, _| {
            let account = stats::account(store)?;
            let Some(d) = store.workout(account, trackid)? else {
                return Err(Fail::Bad(format!("there is no workout {trackid}")));
            };
            Ok(json!({
                "workout": d.workout,
                "points": d.points.len(),
                "laps": d.laps.len(),
                "pauses": d.pauses.len(),
            }))
        })
        .await,
    )
}

fn render_workout(d: &mikit_store::WorkoutDetail) -> String {
    let w = &d.workout;
    let r = &w.row;
    let mut out = format!(
        r#"<p class="muted">{} · {} {}{}</p><div class="cards">"#,
        esc(&sport_name(r.sport)),
        w.date,
        clock(r.start, w.tz_offset),
        r.title
            .as_deref()
            .map_or(String::new(), |t| format!(" · {}", esc(t)))
    );
    out.push_str(&card(
        "Duration (moving)",
        &r.duration_s.map_or("—".into(), |s| hm(s / 60)),
        &r.pause_s
            .filter(|p| *p > 0)
            .map_or(String::new(), |p| format!("{} min paused", p / 60)),
    ));
    out.push_str(&card(
        "Distance",
        &r.distance_m
            .filter(|m| *m > 0.0)
            .map_or("—".into(), |m| format!("{} km", num(m / 1000.0))),
        "",
    ));
    let pace = match (r.distance_m, r.duration_s) {
        (Some(m), Some(s)) if m > 0.0 && s > 0 => {
            let per_km = s as f64 / (m / 1000.0);
            format!(
                "{}:{:02} /km",
                (per_km / 60.0) as i64,
                (per_km % 60.0) as i64
            )
        }
        _ => "—".into(),
    };
    out.push_str(&card("Pace", &pace, ""));
    out.push_str(&card(
        "Heart rate",
        &r.avg_hr.map_or("—".into(), |h| format!("{} bpm", num(h))),
        &r.max_hr.map_or(String::new(), |m| format!("max {m} bpm")),
    ));
    out.push_str(&card(
        "Energy",
        &r.kcal.map_or("—".into(), |k| format!("{} kcal", num(k))),
        "",
    ));
    out.push_str("</div>");
    // The track: runs of positioned points.
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut open_run = false;
    for p in &d.points {
        match (p.lat, p.lon) {
            (Some(lat), Some(lon)) => {
                if open_run {
                    if let Some(run) = runs.last_mut() {
                        run.push((lat, lon));
                    }
                } else {
                    runs.push(vec![(lat, lon)]);
                    open_run = true;
                }
            }
            _ => open_run = false,
        }
    }
    if runs.is_empty() {
        out.push_str(&para(
            "No GPS track: an indoor workout, a pool swim, or the watch had no fix.",
        ));
    } else {
        out.push_str("<h2>Track</h2>");
        out.push_str(&svg::track(&runs, "The workout's track"));
    }
    // Heart rate over the workout, broken where samples are more than a minute apart.
    let mut segments: Vec<Vec<(f64, f64)>> = Vec::new();
    for p in &d.points {
        let (Some(t), Some(h)) = (p.time, p.heart_rate) else {
            continue;
        };
        let x = (t - r.start) as f64;
        match segments.last_mut() {
            Some(s) if s.last().is_some_and(|l| x - l.0 <= 60.0) => s.push((x, h as f64)),
            _ => segments.push(vec![(x, h as f64)]),
        }
    }
    if !segments.is_empty() {
        let end = segments.iter().flatten().map(|p| p.0).fold(1.0, f64::max);
        let ticks: Vec<(f64, String)> = (0..=4)
            .map(|i| {
                let x = end * f64::from(i) / 4.0;
                (x, format!("{} min", (x / 60.0).round()))
            })
            .collect();
        out.push_str("<h2>Heart rate</h2>");
        out.push_str(&svg::lines(
            &segments,
            (0.0, end),
            &ticks,
            "bpm",
            &|x, y| format!("{} min: {} bpm", num(x / 60.0), num(y)),
            "Heart rate during the workout",
        ));
    }
    if !d.laps.is_empty() {
        let rows: Vec<Vec<String>> = d
            .laps
            .iter()
            .map(|l| {
                vec![
                    esc(&l.kind),
                    l.distance_m.map_or("—".into(), |m| format!("{} m", num(m))),
                    l.duration_s.map_or("—".into(), |s| {
                        format!("{}:{:02}", (s / 60.0) as i64, (s % 60.0) as i64)
                    }),
                    l.avg_hr.map_or("—".into(), |h| format!("{} bpm", num(h))),
                    l.strokes.map_or("—".into(), |s| s.to_string()),
                ]
            })
            .collect();
        out.push_str("<h2>Laps and splits</h2>");
        out.push_str(&table(
            &["Kind", "Distance", "Time", "Avg HR", "Strokes"],
            &rows,
        ));
    }
    out
}

// ---------------------------------------------------------------- health

/// What the health page shows (and `/api/health` serves): each kind's values in the range.
#[derive(serde::Serialize)]
struct HealthView {
    from: Date,
    to: Date,
    /// Per kind (`spo2`, …, `weight`): its label, unit and points.
    series: Vec<HealthSeries>,
}

#[derive(serde::Serialize)]
struct HealthSeries {
    kind: &'static str,
    label: &'static str,
    unit: &'static str,
    points: Vec<mikit_app::health::HealthPoint>,
}

fn health_view(
    store: &Store,
    today: Date,
    q: &HashMap<String, String>,
) -> Result<HealthView, Fail> {
    let account = stats::account(store)?;
    let (from, to) = range(q, today, 90)?;
    if to < from {
        return Err(Fail::Bad(format!(
            "the range {from} to {to} is empty: the end is before the start"
        )));
    }
    let utc = |d: Date| {
        d.to_zoned(TimeZone::UTC)
            .map_or(0, |z| z.timestamp().as_second())
    };
    // A day of margin either side: the local days' instants differ from UTC by at most 14 h.
    let (a, b) = (utc(from) - 50_400, utc(to.saturating_add(1.day())) + 50_400);
    let mut series = Vec::new();
    let weight = mikit_app::health::Kind {
        name: "weight",
        label: "weight",
        unit: "kg",
    };
    for k in mikit_app::health::KINDS
        .iter()
        .chain(std::iter::once(&weight))
    {
        let mut points = mikit_app::health::series(store, account, k.name, a, b)?;
        // Only the local days of the range (a record's own offset, else UTC).
        points.retain(|p| {
            let local = p.ts + i64::from(p.tz_offset.unwrap_or(0));
            local >= utc(from) && local < utc(to.saturating_add(1.day()))
        });
        series.push(HealthSeries {
            kind: k.name,
            label: k.label,
            unit: k.unit,
            points,
        });
    }
    Ok(HealthView { from, to, series })
}

/// `GET /health?from&to`
pub(crate) async fn health(
    State(state): State<Arc<AppState>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let r = with_store(&state, move |store, today| {
        let v = health_view(store, today, &q)?;
        let mut out = range_links("/health", today);
        let _ = write!(
            out,
            r#"<p class="muted">{} to {}. Gaps of more than three days (nothing measured, or not synced) are left open.</p>"#,
            v.from, v.to
        );
        let utc = |d: Date| d.to_zoned(TimeZone::UTC).map_or(0, |z| z.timestamp().as_second());
        let (x0, x1) = (utc(v.from) as f64, utc(v.to.saturating_add(1.day())) as f64);
        let days = (v.to - v.from).get_days().max(1);
        let step = (days / 6).max(1);
        let ticks: Vec<(f64, String)> = (0..=6)
            .map(|i| v.from.saturating_add((i * step).days()))
            .filter(|d| *d <= v.to)
            .map(|d| (utc(d) as f64, d.strftime("%d %b %y").to_string()))
            .collect();
        let mut any = false;
        for s in &v.series {
            if s.points.is_empty() {
                continue;
            }
            any = true;
            let mut segments: Vec<Vec<(f64, f64)>> = Vec::new();
            let mut last: Option<i64> = None;
            for p in &s.points {
                if last.is_none_or(|l| p.ts - l > 3 * 86_400) {
                    segments.push(Vec::new());
                }
                if let Some(seg) = segments.last_mut() {
                    seg.push((p.ts as f64, p.value));
                }
                last = Some(p.ts);
            }
            let unit = s.unit;
            let _ = write!(out, "<h2>{}</h2>", esc(&capitalise(s.label)));
            out.push_str(&svg::lines(
                &segments,
                (x0, x1),
                &ticks,
                unit,
                &move |x, y| {
                    let day = jiff::Timestamp::from_second(x as i64)
                        .map(|t| t.to_zoned(TimeZone::UTC).date().to_string())
                        .unwrap_or_default();
                    format!("{day}: {} {unit}", num(y))
                },
                s.label,
            ));
        }
        if !any {
            out.push_str(&para("No health data in this range: `mikit fit sync` downloads SpO2, stress, PAI, HRV, readiness and weight; `mikit fit import` reads an export archive."));
        }
        Ok(out)
    })
    .await;
    html_or("Health", "/health", r)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

/// `GET /api/health?from&to`
pub(crate) async fn api_health(
    State(state): State<Arc<AppState>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    json_or(with_store(&state, move |store, today| health_view(store, today, &q)).await)
}

// ---------------------------------------------------------------- coverage

/// `GET /coverage`
pub(crate) async fn coverage(State(state): State<Arc<AppState>>) -> Response {
    let r = with_store(&state, |store, _| {
        let account = stats::account(store)?;
        let c = stats::coverage(store, account)?;
        let rows: Vec<Vec<String>> = c
            .iter()
            .map(|c| {
                let d = |d: Option<Date>| d.map_or("—".into(), |d| d.to_string());
                vec![
                    esc(&c.stream),
                    if c.never_synced {
                        "never synced".into()
                    } else {
                        format!("{} to {}", d(c.first), d(c.last))
                    },
                    d(c.synced_through),
                    c.days_with_data.to_string(),
                    c.days_empty.to_string(),
                    c.days_not_fetched.to_string(),
                ]
            })
            .collect();
        let mut out = para("Which days each data stream holds: synced with data, empty on the server (fetched, nothing measured), or not fetched yet.");
        out.push_str(&table(
            &["Stream", "Server has", "Synced through", "Days with data", "Empty on the server", "Not fetched yet"],
            &rows,
        ));
        out.push_str("<h2>Health data</h2>");
        let health = mikit_app::health::coverage(store, account)?;
        let rows: Vec<Vec<String>> = health
            .iter()
            .map(|h| {
                let day = |ts: i64| {
                    jiff::Timestamp::from_second(ts)
                        .map(|t| t.to_zoned(TimeZone::UTC).date().to_string())
                        .unwrap_or_else(|_| "?".into())
                };
                vec![
                    esc(&h.stream),
                    if h.fetched.is_empty() {
                        "not fetched".into()
                    } else {
                        h.fetched
                            .iter()
                            .map(|(a, b)| {
                                if *a <= 0 {
                                    format!("everything up to {}", day(*b))
                                } else {
                                    format!("{} to {}", day(*a), day(*b))
                                }
                            })
                            .collect::<Vec<_>>()
                            .join(", ")
                    },
                    h.records.to_string(),
                ]
            })
            .collect();
        out.push_str(&para("A fetched range without records means nothing was measured then; a range not listed was never fetched."));
        out.push_str(&table(&["Stream", "Fetched", "Records"], &rows));
        let w = stats::workout_coverage(store, account)?;
        out.push_str("<h2>Workouts</h2>");
        out.push_str(&table(
            &["Workouts", "First", "Last", "With detail", "Summary only"],
            &[vec![
                w.workouts.to_string(),
                w.first.map_or("—".into(), |d| d.to_string()),
                w.last.map_or("—".into(), |d| d.to_string()),
                w.with_detail.to_string(),
                w.summary_only.to_string(),
            ]],
        ));
        Ok(out)
    })
    .await;
    html_or("Data coverage", "/coverage", r)
}

/// `GET /api/coverage`
pub(crate) async fn api_coverage(State(state): State<Arc<AppState>>) -> Response {
    json_or(
        with_store(&state, |store, _| {
            let account = stats::account(store)?;
            Ok(json!({
                "streams": stats::coverage(store, account)?,
                "health": mikit_app::health::coverage(store, account)?,
                "workouts": stats::workout_coverage(store, account)?,
            }))
        })
        .await,
    )
}

// ---------------------------------------------------------------- devices

/// `GET /devices`
pub(crate) async fn devices(State(state): State<Arc<AppState>>) -> Response {
    let r = with_store(&state, |store, _| {
        let list = app::registry::known(store).map_err(|e| Fail::Internal(chain(&e)))?;
        if list.is_empty() {
            return Ok(para("No devices yet: `mikit cloud login` then `mikit device list --refresh`, or `mikit device add`."));
        }
        let rows: Vec<Vec<String>> = list
            .iter()
            .map(|d| {
                vec![
                    format!(
                        r#"<a href="/devices/{}">{}</a>"#,
                        esc(&percent(&d.name)),
                        esc(&d.name)
                    ),
                    esc(d.model.as_deref().unwrap_or("?")),
                    esc(d.addr.map_or("—".into(), |a| a.ip().to_string()).as_str()),
                    match d.online {
                        Some(true) => "yes".into(),
                        Some(false) => "no".into(),
                        None => "?".into(),
                    },
                    esc(d.origin.as_str()),
                ]
            })
            .collect();
        Ok(table(&["Name", "Model", "IP", "Online", "Source"], &rows))
    })
    .await;
    html_or("Devices", "/devices", r)
}

/// `GET /api/devices`
pub(crate) async fn api_devices(State(state): State<Arc<AppState>>) -> Response {
    json_or(
        with_store(&state, |store, _| {
            let list = app::registry::known(store).map_err(|e| Fail::Internal(chain(&e)))?;
            Ok(list
                .iter()
                .map(|d| {
                    json!({
                        "name": d.name, "model": d.model, "did": d.did,
                        "ip": d.addr.map(|a| a.ip().to_string()),
                        "online": d.online, "source": d.origin.as_str(),
                    })
                })
                .collect::<Vec<Value>>())
        })
        .await,
    )
}

/// Percent-encode a path segment.
fn percent(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A device's status: the readings, and the spec for the forms.
struct Status {
    prepared: app::Prepared,
    via: &'static str,
    readings: Vec<Reading>,
}

/// The device `dev`: resolved, its spec loaded, and the way to reach it.
async fn open_device(
    state: &Arc<AppState>,
    dev: &str,
) -> Result<(app::Prepared, mikit_app::device::Access, Target), Fail> {
    let env = state
        .devices
        .as_ref()
        .ok_or_else(|| Fail::Bad("this dashboard was started without device access".into()))?;
    let (mut source, access) = env.open().map_err(Fail::Internal)?;
    let target = Target::named(dev, Via::Auto);
    let prepared = app::prepare(&mut source, &access, &target)
        .await
        .map_err(|e| Fail::Bad(chain(&e)))?;
    Ok((prepared, access, target))
}

/// Prepare `dev` and read every readable property.
async fn status(state: &Arc<AppState>, dev: &str) -> Result<Status, Fail> {
    let (mut prepared, access, target) = open_device(state, dev).await?;
    let (mut link, _) = prepared
        .link(&access, &target)
        .await
        .map_err(|e| Fail::Bad(chain(&e)))?;
    let props = prepared.profile.readable();
    let read = app::read(&mut link, &prepared.profile, &props).await;
    link.finish();
    let readings = read.map_err(|e| Fail::Bad(chain(&e)))?;
    Ok(Status {
        prepared,
        via: link.kind(),
        readings,
    })
}

/// The device page after a write or an action, with `result` (HTML) as the answer.
async fn answer_page(state: &Arc<AppState>, dev: &str, result: Result<String, Fail>) -> Response {
    let title = format!("Device: {dev}");
    let answer = match result {
        Ok(a) => a,
        Err(f) => format!(r#"<span class="error">{}</span>"#, esc(f.text())),
    };
    match status(state, dev).await {
        Ok(s) => Html(page(
            &title,
            "/devices",
            &render_device(state, &s, Some(answer)),
        ))
        .into_response(),
        Err(f) => f.page(&title, "/devices"),
    }
}

/// The refusal of a form whose token is not this process's.
fn bad_token() -> Response {
    (
        StatusCode::FORBIDDEN,
        "the form's token is not this dashboard's: reload the page\n",
    )
        .into_response()
}

fn readings_json(s: &Status) -> Value {
    json!({
        "device": {
            "name": s.prepared.device.name, "model": s.prepared.device.model,
            "did": s.prepared.device.did, "via": s.via,
        },
        "properties": s.readings.iter().map(|r| r.to_json(&s.prepared.profile)).collect::<Vec<_>>(),
    })
}

/// The input for writing property `siid.piid`, constrained by its spec.
fn input_for(p: &mikit_miot::Property, current: Option<&Value>) -> String {
    if let Some(list) = p.value_list.as_ref().filter(|l| !l.is_empty()) {
        let mut out = String::from(r#"<select name="value">"#);
        for item in list {
            let selected = if current == Some(&Value::Number(item.value.clone())) {
                " selected"
            } else {
                ""
            };
            let _ = write!(
                out,
                r#"<option value="{}"{selected}>{} ({})</option>"#,
                esc(&item.value.to_string()),
                esc(&item.value.to_string()),
                esc(&item.description)
            );
        }
        out.push_str("</select>");
        return out;
    }
    if p.format == mikit_miot::Format::Bool {
        return r#"<select name="value"><option value="on">on</option><option value="off">off</option></select>"#.into();
    }
    if let Some(r) = &p.value_range {
        return format!(
            r#"<input type="number" name="value" min="{}" max="{}" step="{}" value="{}" required>"#,
            r.min,
            r.max,
            r.step,
            current.map_or(String::new(), |v| esc(&v.to_string()))
        );
    }
    format!(
        r#"<input type="text" name="value" value="{}" required>"#,
        current.map_or(String::new(), |v| esc(v.as_str().unwrap_or(&v.to_string())))
    )
}

fn render_device(state: &AppState, s: &Status, answer: Option<String>) -> String {
    let profile = &s.prepared.profile;
    let dev = percent(&s.prepared.device.name);
    let token = state.guard.token();
    let mut out = format!(
        r#"<p class="muted">{} · {} · via {}</p>"#,
        esc(s.prepared.device.model.as_deref().unwrap_or("?")),
        esc(&profile.urn),
        s.via
    );
    if let Some(a) = answer {
        let _ = write!(out, r#"<div class="answer" id="answer">{a}</div>"#);
    }
    let rows: Vec<Vec<String>> = s
        .readings
        .iter()
        .map(|r| {
            let value = r
                .error_text()
                .or_else(|| r.value_text(profile))
                .unwrap_or_default();
            let writable = profile
                .definition(r.siid, r.piid, &r.name)
                .filter(|p| p.is_writable());
            let form = writable.map_or(String::new(), |p| {
                format!(
                    r#"<form class="inline" method="post" action="/devices/{dev}/set"><input type="hidden" name="csrf" value="{token}"><input type="hidden" name="prop" value="{}">{}<button type="submit">Set</button></form>"#,
                    esc(&r.name),
                    input_for(p, r.value.as_ref())
                )
            });
            vec![esc(&r.name), esc(&value), form]
        })
        .collect();
    out.push_str("<h2>Properties</h2>");
    out.push_str(&table(&["Property", "Value", "Change"], &rows));
    let mut actions = Vec::new();
    for service in &profile.spec.services {
        for a in service.actions() {
            let name = profile
                .names
                .name_of(mikit_miot::Member::Action, service.iid, a.iid)
                .unwrap_or_else(|| format!("{}.{}", service.iid, a.iid));
            let mut inputs = String::new();
            for (i, piid) in a.in_.as_slice().iter().enumerate() {
                let label = profile.property_name(service.iid, *piid);
                let _ = write!(
                    inputs,
                    r#"<input type="text" name="arg{i}" placeholder="{}" required>"#,
                    esc(&label)
                );
            }
            actions.push(vec![
                esc(&name),
                format!(
                    r#"<form class="inline" method="post" action="/devices/{dev}/action"><input type="hidden" name="csrf" value="{token}"><input type="hidden" name="action" value="{}">{inputs}<button type="submit">Run</button></form>"#,
                    esc(&name)
                ),
            ]);
        }
    }
    if !actions.is_empty() {
        out.push_str("<h2>Actions</h2>");
        out.push_str(&table(&["Action", ""], &actions));
    }
    out
}

/// `GET /devices/{dev}`
pub(crate) async fn device(
    State(state): State<Arc<AppState>>,
    Path(dev): Path<String>,
) -> Response {
    let title = format!("Device: {dev}");
    match status(&state, &dev).await {
        Ok(s) => Html(page(&title, "/devices", &render_device(&state, &s, None))).into_response(),
        Err(f) => f.page(&title, "/devices"),
    }
}

/// `GET /api/devices/{dev}`
pub(crate) async fn api_device(
    State(state): State<Arc<AppState>>,
    Path(dev): Path<String>,
) -> Response {
    json_or(status(&state, &dev).await.map(|s| readings_json(&s)))
}

/// The fields of a write form.
#[derive(Deserialize)]
pub(crate) struct SetForm {
    csrf: String,
    prop: String,
    value: String,
}

/// `POST /devices/{dev}/set`: check against the spec, write, show the answer and the new
/// status.
pub(crate) async fn device_set(
    State(state): State<Arc<AppState>>,
    Path(dev): Path<String>,
    Form(form): Form<SetForm>,
) -> Response {
    if !state.guard.token_ok(&form.csrf) {
        return bad_token();
    }
    let result = async {
        let (mut prepared, access, target) = open_device(&state, &dev).await?;
        let write = prepared
            .profile
            .assignment(&format!("{}={}", form.prop, form.value))
            .map_err(|e| Fail::Bad(chain(&e)))?;
        let (mut link, _) = prepared
            .link(&access, &target)
            .await
            .map_err(|e| Fail::Bad(chain(&e)))?;
        let written = app::write(&mut link, &prepared.profile, &[write]).await;
        link.finish();
        let written = written.map_err(|e| Fail::Bad(chain(&e)))?;
        Ok::<_, Fail>(
            written
                .iter()
                .map(|r| {
                    let value = r.value_text(&prepared.profile).unwrap_or_default();
                    match r.error_text() {
                        None => format!("{} = {}: ok", esc(&r.name), esc(&value)),
                        Some(e) => format!(
                            r#"<span class="error">{} = {}: {}</span>"#,
                            esc(&r.name),
                            esc(&value),
                            esc(&e)
                        ),
                    }
                })
                .collect::<Vec<_>>()
                .join("<br>"),
        )
    }
    .await;
    answer_page(&state, &dev, result).await
}

/// `POST /devices/{dev}/action`: fields `csrf`, `action`, `arg0`…
pub(crate) async fn device_action(
    State(state): State<Arc<AppState>>,
    Path(dev): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !form.get("csrf").is_some_and(|t| state.guard.token_ok(t)) {
        return bad_token();
    }
    let action = form.get("action").cloned().unwrap_or_default();
    let args: Vec<String> = (0..16)
        .map_while(|i| form.get(&format!("arg{i}")).cloned())
        .collect();
    let result = async {
        let (mut prepared, access, target) = open_device(&state, &dev).await?;
        let plan = prepared
            .profile
            .action_call(&action, &args)
            .map_err(|e| Fail::Bad(chain(&e)))?;
        let (mut link, _) = prepared
            .link(&access, &target)
            .await
            .map_err(|e| Fail::Bad(chain(&e)))?;
        let outcome = app::act(&mut link, &prepared.profile, &plan).await;
        link.finish();
        let outcome = outcome.map_err(|e| Fail::Bad(chain(&e)))?;
        let mut text = if outcome.ok() {
            format!("{}: ok", esc(&plan.name))
        } else {
            format!(
                r#"<span class="error">{}: error {} ({})</span>"#,
                esc(&plan.name),
                outcome.code,
                esc(&app::reading::meaning(outcome.code))
            )
        };
        for r in &outcome.outputs {
            let _ = write!(
                text,
                "<br>{} = {}",
                esc(&r.name),
                esc(&r.value_text(&prepared.profile).unwrap_or_default())
            );
        }
        Ok::<_, Fail>(text)
    }
    .await;
    answer_page(&state, &dev, result).await
}

// ---------------------------------------------------------------- assets, 404

/// `GET /assets/style.css`
pub(crate) async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("assets/style.css"),
    )
        .into_response()
}

/// Anything else.
pub(crate) async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(page("Not found", "", &para("There is no such page."))),
    )
        .into_response()
}
