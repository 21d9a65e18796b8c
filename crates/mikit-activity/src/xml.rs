//! The little XML writing GPX and TCX need: escaped text, numbers, timestamps.

use std::fmt::Write as _;

/// Appends `text` escaped for element content or a double-quoted attribute. Characters XML 1.0
/// does not allow at all (most C0 controls) are dropped.
pub(crate) fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if u32::from(c) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

/// Appends `<name>value</name>` for a finite number (shortest round-trip form, never an
/// exponent: valid `xsd:decimal` and `xsd:double`).
pub(crate) fn push_num_element(out: &mut String, name: &str, value: f64) {
    // Writing to a String cannot fail.
    let _ = write!(out, "<{name}>{value}</{name}>");
}

/// Appends `<name>value</name>` for an integer.
pub(crate) fn push_int_element(out: &mut String, name: &str, value: impl Into<i64>) {
    let _ = write!(out, "<{name}>{}</{name}>", value.into());
}

/// Appends `<name>time</name>` with an ISO-8601 UTC time.
pub(crate) fn push_time_element(out: &mut String, name: &str, ts: i64) {
    let _ = write!(out, "<{name}>");
    crate::time::push_utc(out, ts);
    let _ = write!(out, "</{name}>");
}

/// A number as `{}` prints it, with `-0` written as `0`.
pub(crate) fn num(value: f64) -> f64 {
    if value == 0.0 { 0.0 } else { value }
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_drops_forbidden_controls() {
        let mut s = String::new();
        super::push_escaped(&mut s, "a<b & \"c\" 'd'\u{0}\u{7}\te");
        assert_eq!(s, "a&lt;b &amp; &quot;c&quot; &apos;d&apos;\te");
    }

    #[test]
    fn numbers_never_use_exponents() {
        let mut s = String::new();
        super::push_num_element(&mut s, "x", 1e-8);
        super::push_num_element(&mut s, "y", 1.5e21);
        assert_eq!(s, "<x>0.00000001</x><y>1500000000000000000000</y>");
    }
}
