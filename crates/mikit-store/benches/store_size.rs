//! Size of a 10-year store *with* workouts (issue 11, "Storage size"): the emulator's history
//! (band days and every workout with its detail, served in process by
//! `mikit_emulator::in_process`, no sockets) decoded with `mikit-huami` and written through the
//! store's public API, then the database file measured, per table with SQLite's `dbstat`.
//!
//! Run: `cargo bench -p mikit-store --bench store_size [-- DAYS]` (default 3650). Prints a
//! markdown table. With `MIKIT_STORE_SIZE_KEEP=FILE` the database is copied to FILE at the end;
//! `cargo bench -p mikit-store --bench store_size -- --migrate FILE` opens such a copy written
//! by an older schema, which migrates it, and prints the time and the sizes. The workout → row mapping here is a plain one (a point per GPS fix, or per
//! sample time without GPS; the other streams attached from the nearest sample within 5 s),
//! close to what `mikit fit sync` stores; the size depends on the data, not on who maps it.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

use mikit_emulator::in_process::InProcess;
use mikit_emulator::{EmulatorConfig, HuamiAccount};
use mikit_huami::workout::{WorkoutDetail, WorkoutSummary, decode_workout_detail};
use mikit_store::{
    AccountId, Coverage, DayWrite, LapRow, PauseRow, Store, WorkoutData, WorkoutPointRow,
    WorkoutRow,
};

const EMAIL: &str = "bench@mikit.example";
const PASSWORD: &str = "bench-password-1";
const DATA: &str = "/api-mifit-de2.huami.com";

fn get(emu: &InProcess, target: &str, token: &str) -> Vec<u8> {
    let r = emu.handle("GET", target, &[("apptoken", token)], b"");
    assert!(r.status.is_success(), "{target}: {}", r.status);
    r.body.to_vec()
}

fn login(emu: &InProcess) -> String {
    let r = emu.handle(
        "POST",
        &format!("/api-user.huami.com/registrations/{EMAIL}/tokens"),
        &[("content-type", "application/x-www-form-urlencoded")],
        format!("password={PASSWORD}").as_bytes(),
    );
    let location = r
        .headers
        .iter()
        .find(|(n, _)| n.as_str().eq_ignore_ascii_case("location"))
        .and_then(|(_, v)| v.to_str().ok())
        .expect("a redirect with the access code");
    let code = location
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("access="))
        .expect("access code");
    let r = emu.handle(
        "POST",
        "/account.huami.com/v2/client/login",
        &[("content-type", "application/x-www-form-urlencoded")],
        format!("grant_type=access_token&code={code}&app_name=com.huami.webapp").as_bytes(),
    );
    let v: serde_json::Value = serde_json::from_slice(&r.body).expect("login json");
    v["token_info"]["app_token"]
        .as_str()
        .expect("app token")
        .to_owned()
}

/// Band data in 30-day detail requests, oldest first, as `mikit fit sync` asks for it.
fn band_days(
    emu: &InProcess,
    token: &str,
    store: &mut Store,
    a: AccountId,
    first: jiff::civil::Date,
    today: jiff::civil::Date,
) -> u64 {
    let mut from = first;
    let mut minutes = 0;
    while from <= today {
        let to = from
            .checked_add(jiff::Span::new().days(29))
            .unwrap_or(today)
            .min(today);
        let body = get(
            emu,
            &format!(
                "{DATA}/v1/data/band_data.json?query_type=detail&from_date={from}&to_date={to}"
            ),
            token,
        );
        let items = mikit_huami::envelope::decode_band_data(&body).expect("band data");
        let decoded: Vec<_> = items
            .iter()
            .filter_map(|i| Some((i.to_string(), mikit_huami::decode_day(i).ok()?)))
            .collect();
        let writes: Vec<_> = decoded
            .iter()
            .map(|(raw, day)| DayWrite { raw, day })
            .collect();
        let stats = store
            .write_band_days(
                a,
                &writes,
                "band_data",
                Coverage {
                    from,
                    through: to,
                    continues: true,
                },
            )
            .expect("write days");
        minutes += stats.minutes - stats.trimmed;
        from = to.checked_add(jiff::Span::new().days(1)).unwrap_or(to);
        if to == today {
            break;
        }
    }
    minutes
}

/// (time, value) samples sorted by time: the value nearest to `t` within 5 s.
fn nearest<T: Copy>(s: &[(i64, T)], t: i64) -> Option<T> {
    let i = s.partition_point(|&(ts, _)| ts < t);
    [i.checked_sub(1), Some(i)]
        .into_iter()
        .flatten()
        .filter_map(|j| s.get(j))
        .filter(|(ts, _)| ts.abs_diff(t) <= 5)
        .min_by_key(|(ts, _)| ts.abs_diff(t))
        .map(|&(_, v)| v)
}

/// Cadence (per minute) and stride (cm) of one gait sample.
type Gait = (Option<i64>, Option<f64>);

fn sorted<T>(mut v: Vec<(i64, T)>) -> Vec<(i64, T)> {
    v.sort_by_key(|&(t, _)| t);
    v
}

fn to_rows(s: &WorkoutSummary, d: &WorkoutDetail) -> WorkoutData {
    let hr: Vec<(i64, i64)> = sorted(
        d.heart_rate
            .iter()
            .map(|h| (h.ts, i64::from(h.bpm)))
            .collect(),
    );
    let gait: Vec<(i64, Gait)> = sorted(
        d.gait
            .iter()
            .map(|g| (g.ts, (g.cadence.map(i64::from), g.stride_cm.map(f64::from))))
            .collect(),
    );
    let speed: Vec<(i64, f64)> = sorted(d.speed.iter().map(|x| (x.ts, x.m_per_s)).collect());
    let dist: Vec<(i64, f64)> = sorted(d.distance.iter().map(|x| (x.ts, x.meters)).collect());
    let point = |t: i64| {
        let g = nearest(&gait, t);
        WorkoutPointRow {
            time: Some(t),
            heart_rate: nearest(&hr, t),
            cadence: g.and_then(|g| g.0),
            stride_cm: g.and_then(|g| g.1),
            speed_mps: nearest(&speed, t),
            distance_m: nearest(&dist, t),
            ..WorkoutPointRow::default()
        }
    };
    let points: Vec<WorkoutPointRow> = if d.route().next().is_some() {
        d.points
            .iter()
            .map(|p| WorkoutPointRow {
                lat: p.position.map(|x| x.lat),
                lon: p.position.map(|x| x.lon),
                altitude_m: p.altitude_m,
                accuracy_m: p.accuracy_m,
                pace: p.pace,
                ..point(p.ts)
            })
            .collect()
    } else {
        let times: BTreeSet<i64> = hr
            .iter()
            .map(|x| x.0)
            .chain(gait.iter().map(|x| x.0))
            .chain(speed.iter().map(|x| x.0))
            .chain(dist.iter().map(|x| x.0))
            .collect();
        times.into_iter().map(point).collect()
    };
    let laps = d
        .kilo_splits
        .iter()
        .map(|k| LapRow {
            kind: "km".into(),
            duration_s: Some(k.seconds),
            distance_m: Some(1000.0),
            cumulative_s: k.cumulative_s,
            ..LapRow::default()
        })
        .chain(d.laps.iter().map(|l| LapRow {
            kind: "lap".into(),
            duration_s: Some(l.duration_s),
            distance_m: l.distance_m,
            strokes: l.strokes.map(i64::from),
            ..LapRow::default()
        }))
        .collect();
    let pauses = d
        .pauses
        .iter()
        .map(|p| PauseRow {
            start: Some(p.start),
            end: Some(p.end),
            start_index: p.start_index.map(i64::from),
            stop_index: p.stop_index.map(i64::from),
            kind: None,
        })
        .collect();
    WorkoutData {
        workout: WorkoutRow {
            trackid: s.trackid,
            start: s.trackid,
            end: s.end_time,
            sport: s.sport.map_or(-1, i64::from),
            source: s.source.clone(),
            title: s.title.clone(),
            time_zone: s.timezone.clone(),
            auto_detected: s.auto_recognition,
            distance_m: s.distance_m,
            duration_s: s.run_time_s.map(|v| v as i64),
            kcal: s.kcal,
            avg_hr: s.avg_hr,
            max_hr: s.max_hr.map(|v| v as i64),
            avg_pace: s.avg_pace_s_per_m,
            ..WorkoutRow::default()
        },
        points,
        laps,
        pauses,
    }
}

/// Every history page, then every detail; returns (workouts, points).
fn workouts(emu: &InProcess, token: &str, store: &mut Store, a: AccountId) -> (u64, u64) {
    let mut query = String::new();
    let (mut n, mut points) = (0u64, 0u64);
    loop {
        let page: serde_json::Value = serde_json::from_slice(&get(
            emu,
            &format!("{DATA}/v1/sport/run/history.json{query}"),
            token,
        ))
        .expect("history json");
        for item in page["data"]["summary"].as_array().into_iter().flatten() {
            let summary = WorkoutSummary::decode(item).expect("summary");
            let body = get(
                emu,
                &format!(
                    "{DATA}/v1/sport/run/detail.json?trackid={}&source={}",
                    summary.trackid,
                    summary.source.as_deref().unwrap_or("run.mifit.huami.com")
                ),
                token,
            );
            let detail: serde_json::Value = serde_json::from_slice(&body).expect("detail json");
            let data = &detail["data"];
            let rows = to_rows(&summary, &decode_workout_detail(data));
            points += rows.points.len() as u64;
            store
                .write_workout(a, &item.to_string(), Some(&data.to_string()), &rows)
                .expect("write workout");
            n += 1;
        }
        match page["data"]["next"].as_i64() {
            Some(next) if next > 0 => query = format!("?trackid={next}"),
            _ => break,
        }
    }
    (n, points)
}

/// (table or index name, bytes) from `dbstat`, largest first.
fn table_sizes(path: &Path) -> Vec<(String, u64)> {
    let c = rusqlite::Connection::open(path).expect("open");
    let mut stmt = c
        .prepare("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")
        .expect("dbstat (SQLITE_ENABLE_DBSTAT_VTAB)");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))
        .expect("dbstat")
        .collect::<Result<_, _>>()
        .expect("dbstat rows")
}

/// The database's size in bytes (pages × page size, including what is still in the WAL).
fn db_bytes(path: &Path) -> u64 {
    let c = rusqlite::Connection::open(path).expect("open");
    let n: i64 = c
        .query_row(
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
            [],
            |r| r.get(0),
        )
        .expect("page count");
    n as u64
}

fn mb(b: u64) -> String {
    format!("{:.1} MB", b as f64 / 1e6)
}

/// `--migrate FILE`: open (and so migrate) an older store, timed.
#[allow(clippy::print_stdout)]
fn migrate(path: &Path) {
    let before = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let t = Instant::now();
    let store = Store::open(path).expect("open");
    let took = t.elapsed();
    let after = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    println!("| step | value |");
    println!("|---|---:|");
    println!("| file before | {} |", mb(before));
    println!(
        "| open = migrate to schema {} (+ VACUUM) | {took:.2?} |",
        store.schema_version().unwrap_or(0)
    );
    println!("| file after | {} |", mb(after));
}

// A benchmark binary reports on stdout by design.
#[allow(clippy::print_stdout)]
fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--migrate") {
        migrate(Path::new(args.get(i + 1).expect("--migrate FILE")));
        return;
    }
    let days: u32 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(3650);
    let today = jiff::civil::date(2026, 11, 10);
    let mut cfg = EmulatorConfig {
        days,
        today: Some(today),
        ..EmulatorConfig::default()
    };
    cfg.huami.accounts.push(HuamiAccount::new(EMAIL, PASSWORD));
    let emu = InProcess::new(&cfg).expect("emulator");
    let token = login(&emu);
    let dir = std::env::temp_dir().join(format!("mikit-store-size-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("mikit.db");
    let mut store = Store::open(&path).expect("store");
    let a = store
        .upsert_account("huami", "1000000042", None)
        .expect("account");
    let first = today
        .checked_sub(jiff::Span::new().days(i64::from(days)))
        .unwrap_or(today);

    let t = Instant::now();
    let minutes = band_days(&emu, &token, &mut store, a, first, today);
    let band_s = t.elapsed();
    let band_size = db_bytes(&path);
    let t = Instant::now();
    let (n, points) = workouts(&emu, &token, &mut store, a);
    let workout_s = t.elapsed();
    store.vacuum().expect("vacuum");
    let size = db_bytes(&path);
    let t = Instant::now();
    let mut seen = 0u64;
    store
        .for_each_minute(a, (i64::MIN, i64::MAX), false, |_| {
            seen += 1;
            Ok::<(), mikit_store::Error>(())
        })
        .expect("minutes");
    let scan_s = t.elapsed();

    println!(
        "schema {}, {days} days: {minutes} minutes, {n} workouts with {points} points\n",
        store.schema_version().unwrap_or(0)
    );
    println!("| measure | value |");
    println!("|---|---:|");
    println!("| write band days (decode + store) | {band_s:.2?} |");
    println!(
        "| mikit.db after the band days (before VACUUM) | {} |",
        mb(band_size)
    );
    println!("| write workouts (decode + map + store) | {workout_s:.2?} |");
    println!("| mikit.db with workouts, after VACUUM | {} |", mb(size));
    println!("| read every minute (`for_each_minute`, {seen} rows) | {scan_s:.2?} |");
    println!();
    println!("| table / index | bytes |");
    println!("|---|---:|");
    for (name, bytes) in table_sizes(&path)
        .into_iter()
        .filter(|(_, b)| *b >= 100_000)
    {
        println!("| {name} | {} |", mb(bytes));
    }
    drop(store);
    if let Some(keep) = std::env::var_os("MIKIT_STORE_SIZE_KEEP") {
        std::fs::copy(&path, keep).expect("keep the database");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
