//! The one cache-freshness rule of the spec source.
//!
//! Every cached thing (an instances list, a spec, a translation or type catalog, a
//! remembered failure) carries the time it was written, and is *fresh* while it is younger
//! than its [`Lifetime`]: `now - written < lifetime`. Look-ups of single items
//! ([`Lifetime::is_fresh`]) and the store queries of the mirror ("every spec fetched since",
//! [`Lifetime::oldest_fresh`]) both use it, so an item exactly one lifetime old is stale
//! everywhere.
//!
//! The lifetimes follow `reference/miot-spec.md` §6, which takes them from hass-xiaomi-miot
//! (`al-one/hass-xiaomi-miot:custom_components/xiaomi_miot/core/miot_spec.py`): the instances
//! list is fresh for 7 days, specs, translations and type catalogs for 30 days, and a failed
//! download (e.g. a 404 for a URN) is remembered for 60 seconds.

/// How long something cached stays fresh, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Lifetime(i64);

impl Lifetime {
    /// The instances list: 7 days.
    pub const LIST: Lifetime = Lifetime(7 * 86_400);
    /// A spec, a translation, a type catalog or definition: 30 days.
    pub const SPEC: Lifetime = Lifetime(30 * 86_400);
    /// A failed download: 60 seconds.
    pub const FAILURE: Lifetime = Lifetime(60);

    /// A lifetime of `seconds` (0 or less: nothing is ever fresh).
    pub const fn seconds(seconds: i64) -> Lifetime {
        Lifetime(seconds)
    }

    /// The lifetime in seconds.
    pub const fn as_seconds(self) -> i64 {
        self.0
    }

    /// Whether something written at `written` is still fresh at `now`. A time in the future
    /// (the clock went back) counts as age 0.
    pub fn is_fresh(self, written: i64, now: i64) -> bool {
        age(written, now) < self.0
    }

    /// The oldest write time that is still fresh at `now`: things written at or after it are
    /// fresh (the bound of "written since" store queries).
    pub fn oldest_fresh(self, now: i64) -> i64 {
        now.saturating_sub(self.0).saturating_add(1)
    }
}

/// The age at `now` of something written at `written`, in seconds (0 when the clock went
/// back).
pub fn age(written: i64, now: i64) -> i64 {
    now.saturating_sub(written).max(0)
}

/// The lifetimes a [`crate::spec::Source`] applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Of an instances list.
    pub list: Lifetime,
    /// Of a spec and of the other documents (translations, type catalogs and definitions).
    pub spec: Lifetime,
    /// Of a remembered failure: a URN that failed is not asked for again before it ends.
    pub failure: Lifetime,
}

impl Default for Policy {
    /// The reference lifetimes ([`Lifetime::LIST`], [`Lifetime::SPEC`], [`Lifetime::FAILURE`]).
    fn default() -> Self {
        Policy {
            list: Lifetime::LIST,
            spec: Lifetime::SPEC,
            failure: Lifetime::FAILURE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rule_for_items_and_since_queries() {
        let now = 1_000_000;
        for l in [Lifetime::LIST, Lifetime::SPEC, Lifetime::FAILURE] {
            let ttl = l.as_seconds();
            for written in [now - ttl - 1, now - ttl, now - ttl + 1, now, now + 5] {
                // A store query "written at or after oldest_fresh" agrees with is_fresh.
                assert_eq!(
                    written >= l.oldest_fresh(now),
                    l.is_fresh(written, now),
                    "{l:?} written {written}"
                );
            }
            // Exactly one lifetime old is stale; one second less is fresh.
            assert!(!l.is_fresh(now - ttl, now));
            assert!(l.is_fresh(now - ttl + 1, now));
        }
        assert!(!Lifetime::seconds(0).is_fresh(now, now));
        assert_eq!(age(now + 10, now), 0);
        assert_eq!(Lifetime::FAILURE.oldest_fresh(i64::MIN), i64::MIN + 1);
    }
}
