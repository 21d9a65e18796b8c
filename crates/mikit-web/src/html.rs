//! HTML building: escaping and the page frame. Pages are plain server-rendered HTML with one
//! embedded stylesheet; forms post with the per-process CSRF token.

use std::fmt::Write as _;

/// Escape text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The pages of the navigation bar: (path, title).
pub const NAV: [(&str, &str); 8] = [
    ("/", "Overview"),
    ("/activity", "Activity"),
    ("/sleep", "Sleep"),
    ("/heart", "Heart rate"),
    ("/health", "Health"),
    ("/workouts", "Workouts"),
    ("/devices", "Devices"),
    ("/coverage", "Data coverage"),
];

/// A whole page: `title`, the navigation with `active` marked, and `body`.
pub fn page(title: &str, active: &str, body: &str) -> String {
    let mut out = String::with_capacity(body.len() + 1500);
    let _ = write!(
        out,
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{} · mikit</title><link rel="stylesheet" href="/assets/style.css"><link rel="icon" href="data:,"></head><body><header><span class="brand">mikit</span><nav>"#,
        esc(title)
    );
    for (path, name) in NAV {
        let current = if path == active {
            r#" aria-current="page""#
        } else {
            ""
        };
        let _ = write!(out, r#"<a href="{path}"{current}>{name}</a>"#);
    }
    let _ = write!(out, "</nav></header><main><h1>{}</h1>", esc(title));
    out.push_str(body);
    out.push_str("</main></body></html>");
    out
}

/// A small card: a label, a big value and a note under it.
pub fn card(label: &str, value: &str, note: &str) -> String {
    format!(
        r#"<div class="card"><div class="label">{}</div><div class="value">{}</div><div class="note">{}</div></div>"#,
        esc(label),
        esc(value),
        esc(note)
    )
}

/// A `<table>` with a header row; cells are already-escaped HTML.
pub fn table(head: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from("<table><thead><tr>");
    for h in head {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for c in row {
            let _ = write!(out, "<td>{c}</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// A paragraph of plain text.
pub fn para(text: &str) -> String {
    format!("<p>{}</p>", esc(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        let p = page("<x>", "/", "");
        assert!(p.contains("&lt;x&gt;"));
        assert!(p.contains(r#"<a href="/" aria-current="page">"#));
    }
}
