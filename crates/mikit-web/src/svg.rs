//! Charts as inline SVG, drawn on the server: no script, no web font, no tile server, so every
//! page works offline and prints. Hover values are SVG `<title>` elements (the browser's own
//! tooltip); colours come from the stylesheet (`--c1`…: the Okabe–Ito palette, readable with
//! every common colour-vision deficiency) so that light and dark themes need no second chart.
//!
//! A value that is absent is not drawn: a bar is missing, a line breaks. Nothing is drawn as 0
//! that was never measured.

use std::fmt::Write as _;

use crate::html::esc;

/// Plot area geometry, in SVG user units.
const W: f64 = 960.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 26.0;
const BOTTOM: f64 = 28.0;

/// A "nice" axis maximum and tick step for values up to `max`.
fn nice(max: f64) -> (f64, f64) {
    if !(max.is_finite() && max > 0.0) {
        return (1.0, 0.25);
    }
    let raw = max / 4.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| s * 4.0 >= max)
        .unwrap_or(10.0 * mag);
    ((max / step).ceil() * step, step)
}

/// A number for an axis or a tooltip: thousands separated, one decimal below 100, none above.
pub fn num(v: f64) -> String {
    let rounded = if v.abs() >= 100.0 {
        v.round()
    } else {
        (v * 10.0).round() / 10.0
    };
    let int = rounded.trunc() as i64;
    let frac = (rounded.fract().abs() * 10.0).round() as i64;
    let digits = int.unsigned_abs().to_string();
    let mut out = String::new();
    if rounded < 0.0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(ch);
    }
    if frac != 0 {
        let _ = write!(out, ".{frac}");
    }
    out
}

fn open(out: &mut String, height: f64, label: &str) {
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {W} {height}" role="img" aria-label="{}">"#,
        esc(label)
    );
}

/// The y axis: gridlines and labels from `lo` to `hi` with `unit`.
fn y_axis(out: &mut String, height: f64, (lo, hi, step): (f64, f64, f64), unit: &str) {
    let plot_h = height - TOP - BOTTOM;
    let mut v = lo;
    while v <= hi + step / 2.0 {
        let y = TOP + plot_h * (1.0 - (v - lo) / (hi - lo));
        let _ = write!(
            out,
            r#"<line class="grid" x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}"/><text class="tick" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            W - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            num(v)
        );
        v += step;
    }
    let _ = write!(
        out,
        r#"<text class="unit" x="4" y="12">{}</text>"#,
        esc(unit)
    );
}

/// X labels at the given (x fraction 0..1, text) positions.
fn x_labels(out: &mut String, height: f64, labels: &[(f64, String)]) {
    let plot_w = W - LEFT - RIGHT;
    for (f, text) in labels {
        // Labels at the very edges are anchored inwards so that they are not cut off.
        let anchor = if *f <= 0.02 {
            "start"
        } else if *f >= 0.98 {
            "end"
        } else {
            "middle"
        };
        let _ = write!(
            out,
            r#"<text class="tick" x="{:.1}" y="{}" text-anchor="{anchor}">{}</text>"#,
            LEFT + plot_w * f,
            height - 8.0,
            esc(text)
        );
    }
}

/// One bar of a bar chart: its stacked values (absent ones not drawn), the label under it
/// (or none) and its tooltip.
pub struct Bar {
    /// Stacked values, bottom first; each is drawn in the palette colour of its index.
    pub values: Vec<Option<f64>>,
    /// Label under the bar.
    pub label: Option<String>,
    /// Hover text.
    pub title: String,
}

/// A (stacked) bar chart with a y axis in `unit`; `reference` draws a dashed line (a goal,
/// an average).
pub fn bars(bars: &[Bar], unit: &str, reference: Option<(f64, &str)>, aria: &str) -> String {
    let height = 260.0;
    let mut out = String::new();
    open(&mut out, height, aria);
    let max = bars
        .iter()
        .map(|b| b.values.iter().flatten().sum::<f64>())
        .fold(reference.map_or(0.0, |r| r.0), f64::max);
    let (hi, step) = nice(max);
    y_axis(&mut out, height, (0.0, hi, step), unit);
    let plot_w = W - LEFT - RIGHT;
    let plot_h = height - TOP - BOTTOM;
    let slot = plot_w / bars.len().max(1) as f64;
    let width = (slot * 0.8).max(1.0);
    let mut labels = Vec::new();
    for (i, b) in bars.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - width) / 2.0;
        let mut base = 0.0;
        let _ = write!(out, "<g><title>{}</title>", esc(&b.title));
        for (k, v) in b.values.iter().enumerate() {
            let Some(v) = v.filter(|v| *v > 0.0) else {
                continue;
            };
            let y0 = TOP + plot_h * (1.0 - base / hi);
            let y1 = TOP + plot_h * (1.0 - (base + v) / hi);
            let _ = write!(
                out,
                r#"<rect class="s{}" x="{x:.1}" y="{y1:.1}" width="{width:.1}" height="{:.1}"/>"#,
                k % 6 + 1,
                (y0 - y1).max(0.5)
            );
            base += v;
        }
        out.push_str("</g>");
        if let Some(l) = &b.label {
            labels.push(((i as f64 + 0.5) / bars.len() as f64, l.clone()));
        }
    }
    if let Some((v, text)) = reference {
        let y = TOP + plot_h * (1.0 - v / hi);
        let _ = write!(
            out,
            r#"<g><title>{}</title><line class="ref" x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}"/></g>"#,
            esc(text),
            W - RIGHT
        );
    }
    x_labels(&mut out, height, &labels);
    out.push_str("</svg>");
    out
}

/// A line chart of `segments` (each drawn as one polyline; a gap between segments stays a
/// gap) over x in `x_range`, with `x_ticks` labels; every `mark_every`-th point carries a
/// hover mark with its `(x, y)` text from `title`.
pub fn lines(
    segments: &[Vec<(f64, f64)>],
    x_range: (f64, f64),
    x_ticks: &[(f64, String)],
    unit: &str,
    title: &dyn Fn(f64, f64) -> String,
    aria: &str,
) -> String {
    let height = 280.0;
    let mut out = String::new();
    open(&mut out, height, aria);
    let all = segments.iter().flatten();
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
        (lo.min(p.1), hi.max(p.1))
    });
    let (lo, hi, step) = if lo.is_finite() {
        let (span, step) = nice((hi - lo).max(10.0) * 1.1);
        let lo = ((lo - (span - (hi - lo)) / 2.0) / step).floor() * step;
        (lo.max(0.0), lo.max(0.0) + span, step)
    } else {
        (0.0, 1.0, 0.25)
    };
    y_axis(&mut out, height, (lo, hi, step), unit);
    let plot_w = W - LEFT - RIGHT;
    let plot_h = height - TOP - BOTTOM;
    let span_x = (x_range.1 - x_range.0).max(1.0);
    let px = |x: f64| LEFT + plot_w * (x - x_range.0) / span_x;
    let py = |y: f64| TOP + plot_h * (1.0 - (y - lo) / (hi - lo));
    for seg in segments {
        if seg.len() == 1 {
            let (x, y) = seg[0];
            let _ = write!(
                out,
                r#"<circle class="dot" cx="{:.1}" cy="{:.1}" r="2"><title>{}</title></circle>"#,
                px(x),
                py(y),
                esc(&title(x, y))
            );
            continue;
        }
        out.push_str(r#"<polyline class="line" points=""#);
        for &(x, y) in seg {
            let _ = write!(out, "{:.1},{:.1} ", px(x), py(y));
        }
        out.push_str(r#""/>"#);
    }
    // Hover marks: about one per 8 px of width.
    let n: usize = segments.iter().map(Vec::len).sum();
    let every = (n / 120).max(1);
    for (i, &(x, y)) in segments.iter().flatten().enumerate() {
        if i % every == 0 {
            let _ = write!(
                out,
                r#"<circle class="hover" cx="{:.1}" cy="{:.1}" r="4"><title>{}</title></circle>"#,
                px(x),
                py(y),
                esc(&title(x, y))
            );
        }
    }
    let ticks: Vec<(f64, String)> = x_ticks
        .iter()
        .map(|(x, t)| ((x - x_range.0) / span_x, t.clone()))
        .collect();
    x_labels(&mut out, height, &ticks);
    out.push_str("</svg>");
    out
}

/// A hypnogram: one row per stage kind, each stage a bar on its row over `x_range` (epoch
/// seconds), with its kind and times as hover text.
pub fn hypnogram(
    stages: &[(f64, f64, &str, String)],
    x_range: (f64, f64),
    x_ticks: &[(f64, String)],
    aria: &str,
) -> String {
    const ROWS: [&str; 4] = ["awake", "rem", "light", "deep"];
    let height = 180.0;
    let mut out = String::new();
    open(&mut out, height, aria);
    let plot_w = W - LEFT - RIGHT;
    let row_h = (height - TOP - BOTTOM) / ROWS.len() as f64;
    for (i, name) in ROWS.iter().enumerate() {
        let y = TOP + row_h * i as f64;
        let _ = write!(
            out,
            r#"<line class="grid" x1="{LEFT}" x2="{}" y1="{:.1}" y2="{:.1}"/><text class="tick" x="{}" y="{:.1}" text-anchor="end">{name}</text>"#,
            W - RIGHT,
            y + row_h,
            y + row_h,
            LEFT - 6.0,
            y + row_h / 2.0 + 4.0
        );
    }
    let span = (x_range.1 - x_range.0).max(1.0);
    for (start, end, kind, title) in stages {
        let row = ROWS.iter().position(|r| r == kind).unwrap_or(0);
        let x0 = LEFT + plot_w * (start - x_range.0) / span;
        let x1 = LEFT + plot_w * (end - x_range.0) / span;
        let _ = write!(
            out,
            r#"<rect class="k-{kind}" x="{x0:.1}" y="{:.1}" width="{:.1}" height="{:.1}"><title>{}</title></rect>"#,
            TOP + row_h * row as f64 + 2.0,
            (x1 - x0).max(0.8),
            row_h - 4.0,
            esc(title)
        );
    }
    let ticks: Vec<(f64, String)> = x_ticks
        .iter()
        .map(|(x, t)| ((x - x_range.0) / span, t.clone()))
        .collect();
    x_labels(&mut out, height, &ticks);
    out.push_str("</svg>");
    out
}

/// A GPS track drawn from its points (degrees), north up, equal scale in both directions
/// (longitude shrunk by cos(latitude)); each run of positioned points is one line, so a lost
/// fix leaves a gap. Start and end are marked.
pub fn track(runs: &[Vec<(f64, f64)>], aria: &str) -> String {
    let (w, h, pad) = (W, 420.0, 16.0);
    let all: Vec<(f64, f64)> = runs.iter().flatten().copied().collect();
    let mut out = String::new();
    open(&mut out, h, aria);
    let Some(&(lat0, _)) = all.first() else {
        out.push_str("</svg>");
        return out;
    };
    let k = lat0.to_radians().cos().max(0.01);
    let xs = all.iter().map(|p| p.1 * k);
    let ys = all.iter().map(|p| p.0);
    let (x_lo, x_hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    });
    let (y_lo, y_hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| {
        (a.min(y), b.max(y))
    });
    let span = (x_hi - x_lo).max(y_hi - y_lo).max(1e-6);
    let scale = ((w - 2.0 * pad) / (x_hi - x_lo).max(1e-9))
        .min((h - 2.0 * pad) / (y_hi - y_lo).max(1e-9))
        .min((h - 2.0 * pad) / span * 4.0);
    let (cx, cy) = ((x_lo + x_hi) / 2.0, (y_lo + y_hi) / 2.0);
    let px = |lat: f64, lon: f64| {
        (
            w / 2.0 + (lon * k - cx) * scale,
            h / 2.0 - (lat - cy) * scale,
        )
    };
    for run in runs {
        out.push_str(r#"<polyline class="route" points=""#);
        for &(lat, lon) in run {
            let (x, y) = px(lat, lon);
            let _ = write!(out, "{x:.1},{y:.1} ");
        }
        out.push_str(r#""/>"#);
    }
    let (sx, sy) = px(all[0].0, all[0].1);
    let last = all[all.len() - 1];
    let (ex, ey) = px(last.0, last.1);
    let _ = write!(
        out,
        r#"<circle class="start" cx="{sx:.1}" cy="{sy:.1}" r="6"><title>start</title></circle><circle class="end" cx="{ex:.1}" cy="{ey:.1}" r="6"><title>end</title></circle>"#
    );
    // A scale bar: 1 km, or 100 m on short tracks.
    let metres_per_unit = 111_320.0 / scale;
    let bar_m = if metres_per_unit * 200.0 > 1000.0 {
        1000.0
    } else {
        100.0
    };
    let bar_px = bar_m / metres_per_unit;
    let _ = write!(
        out,
        r#"<line class="ref" x1="{pad}" x2="{:.1}" y1="{}" y2="{}"/><text class="tick" x="{pad}" y="{}">{}</text>"#,
        pad + bar_px,
        h - pad,
        h - pad,
        h - pad - 6.0,
        if bar_m >= 1000.0 { "1 km" } else { "100 m" }
    );
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_axes_cover_the_data() {
        for max in [0.3, 1.0, 7.0, 99.0, 12_345.0, 9_999_999.0] {
            let (hi, step) = nice(max);
            assert!(hi >= max && hi <= max * 2.6 + step, "{max}: {hi} {step}");
            assert!((hi / step - (hi / step).round()).abs() < 1e-9);
        }
        assert_eq!(nice(0.0), (1.0, 0.25));
        assert_eq!(nice(f64::NAN), (1.0, 0.25));
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(num(12_345.0), "12\u{202f}345");
        assert_eq!(num(61.25), "61.3");
        assert_eq!(num(5_381.9), "5\u{202f}382");
        assert_eq!(num(-3.0), "-3");
        assert_eq!(num(0.0), "0");
    }

    #[test]
    fn absent_values_are_not_drawn() {
        let svg = bars(
            &[
                Bar {
                    values: vec![Some(10.0)],
                    label: Some("a".into()),
                    title: "a: 10".into(),
                },
                Bar {
                    values: vec![None],
                    label: Some("b".into()),
                    title: "b: no data".into(),
                },
            ],
            "steps",
            None,
            "test",
        );
        assert_eq!(svg.matches("<rect").count(), 1);
        assert!(svg.contains("<title>b: no data</title>"));
    }

    #[test]
    fn a_track_keeps_its_gaps_and_marks_its_ends() {
        let svg = track(
            &[
                vec![(52.5, 13.35), (52.51, 13.36)],
                vec![(52.52, 13.37), (52.53, 13.38)],
            ],
            "track",
        );
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains(r#"class="start""#) && svg.contains(r#"class="end""#));
        assert!(track(&[], "none").ends_with("</svg>"));
    }

    #[test]
    fn segments_are_separate_lines() {
        let svg = lines(
            &[
                vec![(0.0, 60.0), (60.0, 62.0)],
                vec![(4000.0, 70.0), (4060.0, 71.0)],
            ],
            (0.0, 86_400.0),
            &[(0.0, "00:00".into())],
            "bpm",
            &|_, y| format!("{y} bpm"),
            "hr",
        );
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains("62 bpm"));
    }
}
