//! `mikit device watch DEV [PROP...]`: poll and print what changes, until Ctrl-C.

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use serde_json::{Value, json};

use mikit_app::device::reading::{self, Reading};

use super::target::{Target, prepare};
use crate::command::miio::parse_seconds;
use crate::context::Ctx;
use crate::output;

/// Arguments of `mikit device watch`.
#[derive(Debug, Args)]
pub struct Cmd {
    #[command(flatten)]
    pub target: Target,
    /// The properties to watch (as for `get`); all readable properties when none are given.
    #[arg(value_name = "PROP")]
    pub props: Vec<String>,
    /// Seconds between two reads.
    #[arg(long, default_value = "5", value_name = "SECONDS", value_parser = parse_seconds)]
    pub interval: Duration,
    /// Stop after this many reads (default: until Ctrl-C).
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
}

/// What one poll saw of one property: its value, or its error code.
#[derive(Clone, Debug, PartialEq)]
enum Seen {
    Value(Value),
    Failed(Option<i64>),
}

fn seen(r: &Reading) -> Seen {
    match (&r.value, r.ok()) {
        (Some(v), true) => Seen::Value(v.clone()),
        _ => Seen::Failed(r.code),
    }
}

/// Run `mikit device watch`.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let mut session = prepare(ctx, &cmd.target).await?;
    let props: Vec<(u32, u32)> = if cmd.props.is_empty() {
        session.prepared.profile.readable()
    } else {
        (session.prepared.profile.readable_given(&cmd.props)?)
            .into_iter()
            .map(|(siid, piid, _)| (siid, piid))
            .collect()
    };
    let reads = reading::reads(&props);
    let mut link = session.link(ctx).await?;
    let prepared = &session.prepared;
    let profile = &prepared.profile;
    if !ctx.out.json {
        output::stderr_line(&format!(
            "Watching {} property(ies) of {} via {} every {} s; Ctrl-C stops.",
            props.len(),
            prepared.device.name,
            link.kind(),
            cmd.interval.as_secs_f64()
        ));
    }
    let mut last: HashMap<(u32, u32), Seen> = HashMap::new();
    let mut polls = 0u64;
    // One listener for the whole loop, so that a Ctrl-C between two reads is not missed.
    let shutdown = mikit_app::shutdown::Shutdown::on_signals();
    let interrupted = loop {
        let read = tokio::select! {
            () = shutdown.wait() => break true,
            r = link.get(&reads) => r,
        };
        polls += 1;
        let now = jiff::Zoned::now();
        match read {
            Ok(items) => {
                for r in reading::readings(profile, &props, &items) {
                    let s = seen(&r);
                    if last.get(&(r.siid, r.piid)) == Some(&s) {
                        continue;
                    }
                    last.insert((r.siid, r.piid), s);
                    if ctx.out.json {
                        let mut v = r.to_json(profile);
                        v["time"] = json!(now.timestamp().to_string());
                        ctx.out.json_line(&v)?;
                    } else {
                        let text = r
                            .error_text()
                            .or_else(|| r.value_text(profile).map(|v| format!("= {v}")))
                            .unwrap_or_default();
                        ctx.out
                            .line(&format!("{} {} {text}", now.strftime("%H:%M:%S"), r.name))?;
                    }
                }
            }
            // A missed poll (the device rebooting, a Wi-Fi hiccup) is reported and watching
            // goes on.
            Err(e) => output::stderr_line(&format!("warning: {e:#}")),
        }
        if cmd.count.is_some_and(|n| polls >= n) {
            break false;
        }
        tokio::select! {
            () = shutdown.wait() => break true,
            () = tokio::time::sleep(cmd.interval) => {}
        }
    };
    link.finish();
    if interrupted && !ctx.out.json {
        output::stderr_line(&format!("Stopped after {polls} read(s)."));
    }
    Ok(ExitCode::SUCCESS)
}
