//! `mikit fit export --what tracks`: one GPX, TCX or FIT file per workout (the work is done by
//! `mikit_app::workout::export`; this renders its progress and outcome).

use std::process::ExitCode;

use clap::ValueEnum as _;
use mikit_app::{
    shutdown::Shutdown,
    workout::export::{ExportError, ExportEvent, ExportOptions, Format, Selection, export_tracks},
};

use super::export::{Cmd, FileFormat};
use crate::{command::code, context::Ctx};

/// Run `mikit fit export --what tracks`.
pub fn run(ctx: &Ctx, cmd: &Cmd) -> anyhow::Result<ExitCode> {
    let format = match cmd.format {
        None | Some(FileFormat::Fit) => Format::Fit,
        Some(FileFormat::Gpx) => Format::Gpx,
        Some(FileFormat::Tcx) => Format::Tcx,
        Some(f @ (FileFormat::Csv | FileFormat::Jsonl)) => {
            crate::output::error_line(&format!(
                "--format {} is for rows; tracks are files: use --format gpx, tcx or fit (or `--what workouts` for one row per workout)",
                f.to_possible_value()
                    .map(|v| v.get_name().to_owned())
                    .unwrap_or_default()
            ));
            return Ok(ExitCode::from(2));
        }
    };
    let Some(dir) = cmd.output.clone().filter(|p| p.as_os_str() != "-") else {
        crate::output::error_line(
            "--what tracks writes one file per workout: give the folder with -o DIR (e.g. `-o workouts`)",
        );
        return Ok(ExitCode::from(2));
    };
    let store = ctx.open_fit_store()?;
    let Some((account, _, _)) = store.accounts("huami")?.into_iter().next() else {
        anyhow::bail!("no fitness data yet: run `mikit fit login` and `mikit fit sync` first");
    };
    let options = ExportOptions {
        format,
        dir: dir.clone(),
        selection: Selection {
            from: cmd.from,
            to: cmd.to,
            sports: Vec::new(),
            workout: cmd.workout,
        },
        force: cmd.force,
    };
    let shutdown = Shutdown::on_signals();
    let mut bar: Option<indicatif::ProgressBar> = None;
    let result = export_tracks(&store, account, &options, &shutdown, |event| match event {
        ExportEvent::Planned { workouts } => {
            bar = Some(crate::output::progress_bar(
                &ctx.out,
                *workouts as u64,
                "{spinner} exporting [{bar:30}] {pos}/{len} workouts  {elapsed} (eta {eta})",
            ));
        }
        ExportEvent::Failed { reason, .. } => {
            let line = format!("not exported: {reason}");
            match &bar {
                Some(b) => b.suspend(|| crate::output::error_line(&line)),
                None => crate::output::error_line(&line),
            }
            if let Some(b) = &bar {
                b.inc(1);
            }
        }
        _ => {
            if let Some(b) = &bar {
                b.inc(1);
            }
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let outcome = match result {
        Ok(o) => o,
        Err(e @ ExportError::NotAFolder(_)) => {
            crate::output::error_line(&e.to_string());
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e.into()),
    };
    let ext = format.extension();
    if ctx.out.json {
        ctx.out.json_line(&serde_json::json!({
            "format": ext, "folder": dir, "selected": outcome.selected,
            "written": outcome.written, "bytes": outcome.bytes, "existing": outcome.existing,
            "no_track": outcome.no_track,
            "failed": outcome.failed.iter().map(|(id, path, reason)| serde_json::json!({"id": id, "file": path, "reason": reason})).collect::<Vec<_>>(),
            "interrupted": outcome.interrupted,
        }))?;
    } else {
        let mut line = format!(
            "Wrote {} to {}",
            crate::output::count(outcome.written, &format!("{} file", ext.to_uppercase())),
            dir.display()
        );
        if outcome.existing > 0 {
            line.push_str(&format!(
                "; kept {} that existed (--force rewrites them)",
                outcome.existing
            ));
        }
        if outcome.no_track > 0 {
            line.push_str(&format!(
                "; skipped {} without GPS (GPX holds only tracks: use --format tcx or fit for them)",
                crate::output::count(outcome.no_track, "workout")
            ));
        }
        if !outcome.failed.is_empty() {
            line.push_str(&format!("; {} failed (see above)", outcome.failed.len()));
        }
        line.push('.');
        ctx.out.line(&line)?;
        if outcome.interrupted {
            ctx.out.line(
                "Interrupted: run the same command again to write the rest (complete files are kept).",
            )?;
        }
    }
    Ok(if outcome.interrupted {
        ExitCode::from(code::INTERRUPTED)
    } else if outcome.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
