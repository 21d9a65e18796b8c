//! The date arguments of `fit sync`, `fit show` and `fit export`, parsed in one place.

use jiff::civil::Date;

/// Parse a `YYYY-MM-DD` flag value: a calendar date, nothing more.
///
/// A date-time (`2026-11-20T10:00`) is refused rather than cut to its date, and a date that
/// has the right form but does not exist (`2026-02-30`) is called what it is.
pub fn parse_date(s: &str) -> Result<Date, String> {
    let t = s.trim();
    let b = t.as_bytes();
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        if t.len() > 10 && t.get(..10).is_some_and(|d| d.parse::<Date>().is_ok()) {
            return Err(format!(
                "{s:?} has a time of day; give a calendar date only, e.g. {}",
                &t[..10]
            ));
        }
        return Err(format!(
            "{s:?} is not a date of the form YYYY-MM-DD (e.g. 2026-03-01)"
        ));
    }
    let num = |r: std::ops::Range<usize>| t[r].parse::<i16>().unwrap_or(0);
    let (y, m, d) = (num(0..4), num(5..7), num(8..10));
    Date::new(
        y,
        i8::try_from(m).unwrap_or(0),
        i8::try_from(d).unwrap_or(0),
    )
    .map_err(|_| {
        if (1..=12).contains(&m) {
            format!("{s:?}: no such date (month {m} of {y} has no day {d})")
        } else {
            format!("{s:?}: no such date (there is no month {m})")
        }
    })
}

/// A `--from`/`--to` pair must not be reversed.
pub fn check_range(from: Option<Date>, to: Option<Date>) -> Result<(), String> {
    match (from, to) {
        (Some(f), Some(t)) if f > t => Err(format!(
            "--from {f} is after --to {t}; give the earlier day as --from"
        )),
        _ => Ok(()),
    }
}

/// Check the date ranges of the `fit` commands right after parsing, so that a reversed range
/// is a usage error (exit 2) like any other bad argument.
pub fn check_cli(cli: &crate::cli::Cli) -> Result<(), clap::Error> {
    use crate::cli::{Command, FitCommand};
    let (from, to) = match &cli.command {
        Command::Fit(FitCommand::Sync(c)) => (c.from, c.to),
        Command::Fit(FitCommand::Show(c)) => (c.from, c.to),
        Command::Fit(FitCommand::Export(c)) => (c.from, c.to),
        Command::Fit(FitCommand::Workouts(c)) => (c.from, c.to),
        _ => return Ok(()),
    };
    check_range(from, to).map_err(|msg| {
        use clap::CommandFactory as _;
        crate::cli::Cli::command().error(clap::error::ErrorKind::ArgumentConflict, msg)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_their_errors() {
        assert_eq!(
            parse_date("2026-02-28").unwrap(),
            jiff::civil::date(2026, 2, 28)
        );
        let e = parse_date("2026-02-30").unwrap_err();
        assert!(e.contains("no such date"), "{e}");
        assert!(
            parse_date("2026-13-01")
                .unwrap_err()
                .contains("no such date")
        );
        let e = parse_date("2026-11-20T10:00").unwrap_err();
        assert!(e.contains("time of day"), "{e}");
        assert!(
            parse_date("2026-11-20 10:00")
                .unwrap_err()
                .contains("time of day")
        );
        assert!(parse_date("20261120").unwrap_err().contains("YYYY-MM-DD"));
        assert!(parse_date("2026-1-2").unwrap_err().contains("YYYY-MM-DD"));
        assert!(parse_date("").unwrap_err().contains("YYYY-MM-DD"));
        assert!(parse_date("２０２６-01-01").is_err());
    }

    #[test]
    fn reversed_ranges_are_refused() {
        let d = |s| parse_date(s).unwrap();
        assert!(check_range(Some(d("2026-03-02")), Some(d("2026-03-01"))).is_err());
        assert!(check_range(Some(d("2026-03-01")), Some(d("2026-03-01"))).is_ok());
        assert!(check_range(None, Some(d("2026-03-01"))).is_ok());
    }
}
