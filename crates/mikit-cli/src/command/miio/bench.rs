//! `mikit miio bench`: requests per second and latency percentiles against one device.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Args;
use serde_json::{Value, json};

use super::{Target, ids};
use crate::context::Ctx;

/// Arguments of `mikit miio bench`.
#[derive(Debug, Args)]
pub struct Cmd {
    #[command(flatten)]
    pub target: Target,
    /// Total number of requests.
    #[arg(long, short = 'n', default_value_t = 10_000, value_name = "N")]
    pub count: usize,
    /// Concurrent clients, each with its own socket and session, sharing the requests.
    #[arg(long, short = 'c', default_value_t = 1, value_name = "K")]
    pub concurrency: usize,
    /// The method to call.
    #[arg(long, default_value = "miIO.info", value_name = "METHOD")]
    pub method: String,
    /// The method's params as JSON.
    #[arg(long, default_value = "[]", value_name = "JSON")]
    pub params: String,
}

/// What one client measured.
struct Run {
    latencies: Vec<Duration>,
    errors: usize,
    last_id: u32,
}

/// The `p`-th percentile (0–100) of sorted latencies, nearest rank.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    // Nearest rank: ceil(p/100 · n), 1-based; the cast is exact for any realistic n.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Run `mikit miio bench`.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let params: Value = serde_json::from_str(&cmd.params).context("--params is not valid JSON")?;
    let k = cmd.concurrency.clamp(1, 256);
    let base_id = ids::load(ctx, cmd.target.ip);
    // Clients share the device's id space (a device ignores ids it answered recently), so
    // each starts in its own part of the 1..9998 cycle.
    let spacing = u32::try_from(9_998 / k).unwrap_or(1);
    let mut clients = Vec::with_capacity(k);
    for i in 0..k {
        let offset = u32::try_from(i).unwrap_or(0) * spacing;
        let token = cmd.target.token.token()?;
        let mut c = mikit_miio::Client::with_config(
            cmd.target.ip,
            &token,
            cmd.target.config((base_id + offset) % 9_998),
        )
        .await
        .context("opening a UDP socket")?;
        // One untimed call per client: handshake, and fail fast on a wrong token or address.
        c.call(&cmd.method, params.clone())
            .await
            .with_context(|| format!("calling {} on {}", cmd.method, cmd.target.ip))?;
        clients.push(c);
    }
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(k);
    for (i, mut c) in clients.into_iter().enumerate() {
        let n = cmd.count / k + usize::from(i < cmd.count % k);
        let method = cmd.method.clone();
        let params = params.clone();
        tasks.push(tokio::spawn(async move {
            let mut run = Run {
                latencies: Vec::with_capacity(n),
                errors: 0,
                last_id: 0,
            };
            for _ in 0..n {
                let t = Instant::now();
                match c.call(&method, params.clone()).await {
                    Ok(_) => run.latencies.push(t.elapsed()),
                    Err(e) => {
                        tracing::debug!(error = %e, "bench request failed");
                        run.errors += 1;
                    }
                }
            }
            run.last_id = c.last_id();
            run
        }));
    }
    let mut latencies = Vec::with_capacity(cmd.count);
    let mut errors = 0;
    let mut last_id = base_id;
    for (i, t) in tasks.into_iter().enumerate() {
        let run = t.await.context("a benchmark client stopped")?;
        latencies.extend(run.latencies);
        errors += run.errors;
        if i == 0 {
            last_id = run.last_id;
        }
    }
    let total = started.elapsed();
    ids::save(ctx, cmd.target.ip, last_id);
    latencies.sort_unstable();
    let ok = latencies.len();
    #[allow(clippy::cast_precision_loss)]
    let rps = ok as f64 / total.as_secs_f64().max(1e-9);
    let p = |q: f64| micros(percentile(&latencies, q));
    let max = micros(latencies.last().copied().unwrap_or_default());
    if ctx.out.json {
        ctx.out.json_line(&json!({
            "method": cmd.method,
            "requests": cmd.count,
            "concurrency": k,
            "ok": ok,
            "errors": errors,
            "seconds": total.as_secs_f64(),
            "requests_per_second": rps,
            "latency_us": {"p50": p(50.0), "p90": p(90.0), "p99": p(99.0), "max": max},
        }))?;
    } else {
        ctx.out.line(&format!(
            "{} requests of {} to {} from {k} client(s) in {:.2} s ({errors} errors)",
            cmd.count,
            cmd.method,
            cmd.target.ip,
            total.as_secs_f64()
        ))?;
        let rows = vec![vec![
            format!("{rps:.0}"),
            format!("{:.0}", p(50.0)),
            format!("{:.0}", p(90.0)),
            format!("{:.0}", p(99.0)),
            format!("{max:.0}"),
        ]];
        ctx.out.table(
            &["requests/s", "p50 µs", "p90 µs", "p99 µs", "max µs"],
            &rows,
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<Duration> = (1..=100).map(Duration::from_micros).collect();
        assert_eq!(percentile(&v, 50.0), Duration::from_micros(50));
        assert_eq!(percentile(&v, 99.0), Duration::from_micros(99));
        assert_eq!(percentile(&v, 100.0), Duration::from_micros(100));
        assert_eq!(percentile(&v[..1], 50.0), Duration::from_micros(1));
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
    }
}
