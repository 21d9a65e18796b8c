//! Which days a stream fetches: pure decisions over the options and the sync state.

use jiff::{ToSpan as _, civil::Date};
use mikit_store::SyncState;

use super::Error;

/// Split `from..=to` into ranges of at most `chunk_days` days (at least 1).
pub fn chunks(from: Date, to: Date, chunk_days: i32) -> Vec<(Date, Date)> {
    let mut out = Vec::new();
    let mut start = from;
    while start <= to {
        let end = start.saturating_add((chunk_days.max(1) - 1).days()).min(to);
        out.push((start, end));
        match end.tomorrow() {
            Ok(next) => start = next,
            Err(_) => break,
        }
    }
    out
}

/// Days in `from..=to` (0 when reversed).
pub(super) fn span_days(from: Date, to: Date) -> u64 {
    u64::try_from((to - from).get_days() + 1).unwrap_or(0)
}

/// The last day to fetch: `requested`, capped at the day after `today` (returned second when
/// capped). The band's days are local days; "today" on a machine west of the band may be a
/// day behind, so one more day is asked for. Later days cannot have data yet: asking for them
/// would only make the range look covered.
pub(super) fn last_day(requested: Option<Date>, today: Date) -> (Date, Option<Date>) {
    let tomorrow = today.saturating_add(1.day());
    match requested {
        Some(t) if t > tomorrow => (tomorrow, Some(t)),
        Some(t) => (t, None),
        None => (tomorrow, None),
    }
}

/// Where a stream's range starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Start {
    /// At `from`; `continues`: the range continues the covered range (see
    /// `mikit_store::Coverage::continues`).
    At { from: Date, continues: bool },
    /// At the first day with data, still to be found (a first sync).
    FirstDayWithData,
}

/// The start of a stream's range ending at `to`, from the first day asked for and the
/// stream's sync state (`None` with `full`, or never synced).
pub(super) fn start(
    from: Option<Date>,
    to: Date,
    state: Option<SyncState>,
) -> Result<Start, Error> {
    // A state whose covered range is empty (only explicit ranges with a hole before them
    // were synced) is no state: the next plain sync starts from the first day with data.
    let state = state.filter(|s| s.first_date.is_none_or(|f| s.synced_through >= f));
    Ok(match (from, state) {
        (Some(from), _) if from > to => return Err(Error::FromAfterTo { from, to }),
        (Some(from), s) => Start::At {
            from,
            continues: s.is_some_and(|s| from <= s.synced_through.saturating_add(1.day())),
        },
        // Re-fetch the last two covered days: the newest ones were partial when fetched.
        // `synced_through` never passes the newest day with data; `last_date` bounds it too
        // for databases written before that rule (whose state could lie in the future).
        (None, Some(s)) => {
            let through = s
                .last_date
                .map_or(s.synced_through, |l| l.min(s.synced_through));
            Start::At {
                from: through.saturating_sub(1.day()),
                continues: true,
            }
        }
        (None, None) => Start::FirstDayWithData,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn chunks_cover_the_range_exactly() {
        let c = chunks(date(2024, 1, 1), date(2024, 3, 1), 30);
        assert_eq!(c.first().unwrap().0, date(2024, 1, 1));
        assert_eq!(c.last().unwrap().1, date(2024, 3, 1));
        for w in c.windows(2) {
            assert_eq!(w[0].1.tomorrow().unwrap(), w[1].0);
        }
        assert_eq!(c[0].1, date(2024, 1, 30));
        assert!(chunks(date(2024, 1, 2), date(2024, 1, 1), 30).is_empty());
        assert_eq!(chunks(date(2024, 1, 1), date(2024, 1, 3), 0).len(), 3);
    }

    #[test]
    fn the_last_day_is_at_most_tomorrow() {
        let today = date(2026, 3, 31);
        assert_eq!(last_day(None, today), (date(2026, 4, 1), None));
        assert_eq!(
            last_day(Some(date(2100, 1, 1)), today),
            (date(2026, 4, 1), Some(date(2100, 1, 1)))
        );
        assert_eq!(
            last_day(Some(date(2026, 1, 1)), today),
            (date(2026, 1, 1), None)
        );
    }

    #[test]
    fn the_start_follows_the_sync_state() {
        let to = date(2026, 4, 1);
        let state = |first, through| SyncState {
            first_date: Some(first),
            last_date: Some(date(2026, 3, 31)),
            synced_through: through,
        };
        assert_eq!(start(None, to, None).unwrap(), Start::FirstDayWithData);
        // Continue two days before the covered end.
        assert_eq!(
            start(None, to, Some(state(date(2025, 1, 1), date(2026, 3, 31)))).unwrap(),
            Start::At {
                from: date(2026, 3, 30),
                continues: true
            }
        );
        // An empty covered range is no state.
        assert_eq!(
            start(None, to, Some(state(date(2025, 1, 1), date(2024, 12, 31)))).unwrap(),
            Start::FirstDayWithData
        );
        // An explicit start joins the covered range only without a hole.
        let s = Some(state(date(2025, 1, 1), date(2025, 6, 1)));
        assert_eq!(
            start(Some(date(2025, 6, 2)), to, s).unwrap(),
            Start::At {
                from: date(2025, 6, 2),
                continues: true
            }
        );
        assert_eq!(
            start(Some(date(2025, 6, 3)), to, s).unwrap(),
            Start::At {
                from: date(2025, 6, 3),
                continues: false
            }
        );
        assert!(matches!(
            start(Some(date(2026, 4, 2)), to, s),
            Err(Error::FromAfterTo { .. })
        ));
    }
}
