//! `mikit spec validate PATH...`

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use mikit_miot::{Instance, InstanceList, Severity};
use serde_json::Value;

use crate::context::Ctx;

/// Arguments of `mikit spec validate`.
#[derive(Debug, Args)]
pub struct Cmd {
    /// Spec files (as served by `/miot-spec-v2/instance`), instances lists, or directories
    /// (every `*.json` file directly inside is checked).
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
}

/// The verdict on one file.
#[derive(Debug, serde::Serialize)]
pub struct Verdict {
    /// The file.
    pub path: String,
    /// `spec`, `instances` or `unknown`.
    pub kind: &'static str,
    /// No errors.
    pub valid: bool,
    /// Why it is invalid.
    pub errors: Vec<String>,
    /// Oddities that clients tolerate.
    pub warnings: Vec<String>,
    /// A short summary of a valid file (`3 services, 12 properties, 1 action, 0 events`).
    pub summary: Option<String>,
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Check one document.
pub fn check(path: &Path, bytes: &[u8]) -> Verdict {
    let mut v = Verdict {
        path: path.display().to_string(),
        kind: "unknown",
        valid: false,
        errors: Vec::new(),
        warnings: Vec::new(),
        summary: None,
    };
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(value) => value,
        Err(e) => {
            v.errors.push(format!("not JSON: {e}"));
            return v;
        }
    };
    if value.get("instances").is_some() {
        v.kind = "instances";
        match InstanceList::from_slice(bytes) {
            Ok(list) => {
                if list.to_value() != value {
                    v.errors
                        .push("does not round-trip to an equal JSON value".into());
                }
                for (i, e) in list.instances.iter().enumerate() {
                    if let Err(err) = mikit_miot::Urn::parse(&e.type_) {
                        v.errors.push(format!("entry {i} ({}): {err}", e.model));
                    }
                }
                v.summary = Some(format!(
                    "{}, {} models",
                    plural(list.instances.len(), "entry").replace("entrys", "entries"),
                    list.index().models()
                ));
            }
            Err(e) => v.errors.push(e.to_string()),
        }
    } else {
        v.kind = "spec";
        match Instance::from_slice(bytes) {
            Ok(spec) => {
                if spec.to_value() != value {
                    v.errors
                        .push("does not round-trip to an equal JSON value".into());
                }
                for p in spec.problems() {
                    let text = format!("{}: {}", p.at, p.message);
                    match p.severity {
                        Severity::Error => v.errors.push(text),
                        Severity::Warning => v.warnings.push(text),
                    }
                }
                let count = |f: fn(&mikit_miot::Service) -> usize| -> usize {
                    spec.services.iter().map(f).sum()
                };
                v.summary = Some(format!(
                    "{}, {}, {}, {}",
                    plural(spec.services.len(), "service"),
                    plural(count(|s| s.properties().len()), "property")
                        .replace("propertys", "properties"),
                    plural(count(|s| s.actions().len()), "action"),
                    plural(count(|s| s.events().len()), "event"),
                ));
            }
            Err(e) => v.errors.push(e.to_string()),
        }
    }
    v.valid = v.errors.is_empty();
    v
}

fn files(paths: &[PathBuf]) -> Vec<(PathBuf, std::io::Result<Vec<u8>>)> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut inside: Vec<PathBuf> = match std::fs::read_dir(p) {
                Ok(rd) => rd
                    .flatten()
                    .map(|e| e.path())
                    .filter(|f| f.is_file() && f.extension().is_some_and(|x| x == "json"))
                    .collect(),
                Err(e) => {
                    out.push((p.clone(), Err(e)));
                    continue;
                }
            };
            inside.sort();
            for f in inside {
                let bytes = std::fs::read(&f);
                out.push((f, bytes));
            }
        } else {
            out.push((p.clone(), std::fs::read(p)));
        }
    }
    out
}

/// Run `mikit spec validate`.
pub fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let mut invalid = 0usize;
    let mut total = 0usize;
    for (path, bytes) in files(&cmd.paths) {
        total += 1;
        let verdict = match bytes {
            Ok(b) => check(&path, &b),
            Err(e) => Verdict {
                path: path.display().to_string(),
                kind: "unknown",
                valid: false,
                errors: vec![format!("cannot read: {e}")],
                warnings: Vec::new(),
                summary: None,
            },
        };
        if !verdict.valid {
            invalid += 1;
        }
        if ctx.out.json {
            ctx.out.json_line(&serde_json::to_value(&verdict)?)?;
            continue;
        }
        if verdict.valid {
            ctx.out.line(&format!(
                "ok       {}: {}",
                verdict.path,
                verdict.summary.as_deref().unwrap_or("")
            ))?;
        } else {
            ctx.out.line(&format!(
                "invalid  {}: {}",
                verdict.path,
                verdict.errors.join("; ")
            ))?;
        }
        for w in &verdict.warnings {
            ctx.out.line(&format!("         warning: {w}"))?;
        }
    }
    if !ctx.out.json {
        ctx.out.line(&format!(
            "{}: {} valid, {invalid} invalid",
            plural(total, "file"),
            total - invalid
        ))?;
    }
    Ok(if invalid == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
