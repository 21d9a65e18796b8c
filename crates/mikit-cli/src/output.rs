//! The one printer: tables on a terminal, JSON with `--json`, and error reporting.

use std::io::{IsTerminal, Write};

/// Writes command results to stdout.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    /// `--json` was given.
    pub json: bool,
    /// `--quiet` was given.
    pub quiet: bool,
}

impl Printer {
    /// Print a JSON value on one line.
    pub fn json_line(&self, value: &serde_json::Value) -> std::io::Result<()> {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer(&mut out, value)?;
        out.write_all(b"\n")?;
        out.flush()
    }

    /// Print a line of text (suppressed by `--quiet`).
    pub fn line(&self, text: &str) -> std::io::Result<()> {
        if self.quiet {
            return Ok(());
        }
        let mut out = std::io::stdout().lock();
        writeln!(out, "{text}")
    }

    /// Print a table with right-aligned numeric-looking columns.
    pub fn table(&self, headers: &[&str], rows: &[Vec<String>]) -> std::io::Result<()> {
        let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
        for r in rows {
            for (i, c) in r.iter().enumerate() {
                if let Some(w) = widths.get_mut(i) {
                    *w = (*w).max(c.chars().count());
                }
            }
        }
        let mut out = std::io::stdout().lock();
        let fmt_row = |cells: &mut dyn Iterator<Item = &str>| -> String {
            let mut line = String::new();
            for (i, c) in cells.enumerate() {
                let w = widths.get(i).copied().unwrap_or(0);
                if i > 0 {
                    line.push_str("  ");
                }
                let numeric = c
                    .chars()
                    .next()
                    .is_some_and(|ch| ch.is_ascii_digit() || ch == '-')
                    && i > 0;
                if numeric {
                    line.push_str(&format!("{c:>w$}"));
                } else {
                    line.push_str(&format!("{c:<w$}"));
                }
            }
            line.trim_end().to_owned()
        };
        writeln!(out, "{}", fmt_row(&mut headers.iter().copied()))?;
        for r in rows {
            writeln!(out, "{}", fmt_row(&mut r.iter().map(String::as_str)))?;
        }
        out.flush()
    }
}

/// True when stderr is a terminal (progress bars, prompts).
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// Print one error line to stderr.
pub fn error_line(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "error: {text}");
}

/// Print an error with its chain of causes.
pub fn report_error(err: &anyhow::Error) {
    let mut e = std::io::stderr().lock();
    let _ = writeln!(e, "error: {err}");
    for cause in err.chain().skip(1) {
        let _ = writeln!(e, "  caused by: {cause}");
    }
}

/// True when the error is a closed stdout (`mikit fit export | head`): not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<csv::Error>()
                .is_some_and(|ce| match ce.kind() {
                    csv::ErrorKind::Io(io) => io.kind() == std::io::ErrorKind::BrokenPipe,
                    _ => false,
                })
    })
}

/// Print an informational line to stderr (keeps stdout clean for data).
pub fn stderr_line(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// A progress bar on stderr for `len` steps with an indicatif `template`; hidden when stderr is
/// not a terminal, with `--quiet`, or with `--json`.
pub fn progress_bar(out: &Printer, len: u64, template: &str) -> indicatif::ProgressBar {
    if out.quiet || out.json || !stderr_is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}
