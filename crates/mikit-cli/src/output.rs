//! The one printer: tables on a terminal, JSON with `--json`, and error reporting.
//!
//! Every human-readable path here ([`Printer::line`], [`Printer::table`], [`stderr_line`],
//! [`error_line`], [`report_error`]) passes its text through [`escape`], so a string that came
//! from a server, a device, a file or the user can never drive the terminal (change its title,
//! clear the screen, reorder text). Call sites need not remember it. `--json` output
//! ([`Printer::json_line`]) is left to serde, which escapes control characters itself.

use std::{
    borrow::Cow,
    io::{IsTerminal, Write},
};

/// Make `s` safe to show on a terminal: C0 control characters (ESC included), DEL, the C1
/// controls U+0080–U+009F and the Unicode bidirectional controls become visible escapes:
/// `\n`, `\r`, `\t`, else `\uXXXX` (`\u001b`, `\u202e`). Everything else, including
/// non-ASCII text, is unchanged, and a string with nothing to escape is not copied.
///
/// The escapes are spelled as in JSON, so escaping a line of JSON text keeps it valid JSON
/// with the same meaning (a raw U+202E inside a JSON string becomes the JSON escape of it).
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                use std::fmt::Write as _;
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Control characters and the characters that reorder text (Unicode bidi controls: ALM,
/// LRM/RLM, the embeddings and overrides U+202A–U+202E, the isolates U+2066–U+2069; the
/// "Trojan Source" set, CVE-2021-42574).
fn needs_escape(c: char) -> bool {
    c.is_control() // C0, DEL and C1 (U+0000–U+001F, U+007F–U+009F)
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// [`escape`] each line of a multi-line text, keeping its line breaks.
fn escape_lines(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && needs_escape(c)) {
        return Cow::Borrowed(text);
    }
    let lines: Vec<Cow<'_, str>> = text.split('\n').map(escape).collect();
    Cow::Owned(lines.join("\n"))
}

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
        writeln!(out, "{}", escape_lines(text))
    }

    /// Print a table with right-aligned numeric-looking columns.
    /// Every cell is shown through [`escape`] (a cell is one line: a line break shows as `\n`).
    pub fn table(&self, headers: &[&str], rows: &[Vec<String>]) -> std::io::Result<()> {
        let headers: Vec<Cow<'_, str>> = headers.iter().map(|h| escape(h)).collect();
        let rows: Vec<Vec<Cow<'_, str>>> = rows
            .iter()
            .map(|r| r.iter().map(|c| escape(c)).collect())
            .collect();
        let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
        for r in &rows {
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
        writeln!(out, "{}", fmt_row(&mut headers.iter().map(|h| &**h)))?;
        for r in &rows {
            writeln!(out, "{}", fmt_row(&mut r.iter().map(|c| &**c)))?;
        }
        out.flush()
    }
}

/// `1 day`, `2 days`: a count with its noun in the right number (`noun` is the singular; the
/// plural adds an `s`).
pub fn count(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// True when stderr is a terminal (progress bars, prompts).
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// Print one error line to stderr.
pub fn error_line(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "error: {}", escape_lines(text));
}

/// Print an error with its chain of causes (messages often quote what a server or device
/// sent: they are escaped).
pub fn report_error(err: &anyhow::Error) {
    let mut e = std::io::stderr().lock();
    let _ = writeln!(e, "error: {}", escape_lines(&err.to_string()));
    for cause in err.chain().skip(1) {
        let _ = writeln!(e, "  caused by: {}", escape_lines(&cause.to_string()));
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
    let _ = writeln!(std::io::stderr().lock(), "{}", escape_lines(text));
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

#[cfg(test)]
mod tests {
    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(super::count(1u64, "day"), "1 day");
        assert_eq!(super::count(0u64, "day"), "0 days");
        assert_eq!(super::count(13u64, "request"), "13 requests");
    }

    use super::*;

    #[test]
    fn terminal_controls_become_visible() {
        // An OSC title change and a screen clear, as a hostile spec or device would send them.
        assert_eq!(
            escape("\u{1b}]0;pwned\u{7}model\u{1b}[2J"),
            "\\u001b]0;pwned\\u0007model\\u001b[2J"
        );
        assert_eq!(escape("a\u{7f}b\u{0}c"), "a\\u007fb\\u0000c");
        // C1 controls: U+009B is CSI on terminals that honour 8-bit controls.
        assert_eq!(escape("x\u{9b}31mx\u{85}"), "x\\u009b31mx\\u0085");
        assert_eq!(escape("1\n2\r3\t4"), "1\\n2\\r3\\t4");
    }

    #[test]
    fn bidi_controls_become_visible() {
        assert_eq!(escape("abc\u{202e}fed"), "abc\\u202efed");
        for c in [
            '\u{061c}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}',
            '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
        ] {
            assert_eq!(escape(&c.to_string()), format!("\\u{:04x}", u32::from(c)));
        }
    }

    #[test]
    fn ordinary_text_is_unchanged_and_not_copied() {
        for s in [
            "",
            "Air Purifier 3H",
            "空气净化器",
            "Température °C, 50 % — ok",
            "emoji 🙂 and a backslash \\x1b stay",
            "\u{a0}non-breaking\u{a0}space",
        ] {
            assert!(matches!(escape(s), Cow::Borrowed(_)), "{s:?}");
        }
    }

    #[test]
    fn escaping_json_text_keeps_it_the_same_json() {
        let v = serde_json::json!({"model": "x\u{9b}y\u{202e}z\u{7f}", "n": [1, 2]});
        let text = serde_json::to_string(&v).unwrap();
        let escaped = escape(&text);
        assert!(!escaped.chars().any(needs_escape), "{escaped}");
        let back: serde_json::Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn lines_keep_their_breaks() {
        assert_eq!(escape_lines("a\u{1b}\nb"), "a\\u001b\nb");
        assert_eq!(escape_lines("a\nb"), "a\nb");
        assert!(matches!(escape_lines("a\nb"), Cow::Borrowed(_)));
    }
}
