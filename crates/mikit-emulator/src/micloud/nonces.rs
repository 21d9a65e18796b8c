//! Replay protection: the `_nonce` values of accepted signed requests, kept only as long as
//! their minute could still pass the freshness check.
//!
//! A nonce is 8 random bytes followed by the client's unix minute (reference `mi-cloud.md` §3).
//! The verifier already refuses a nonce whose minute is more than `window` minutes from the
//! server's (§3.1), so a nonce only has to be remembered while its minute is within
//! `now - window ..= now + window`: an older copy is refused as stale anyway. Memory is
//! therefore bounded by the requests of `2 × window + 1` minutes.

use std::collections::{BTreeMap, HashSet};

/// The nonces seen, grouped by their minute.
#[derive(Debug, Default)]
pub(crate) struct NonceLedger {
    by_minute: BTreeMap<u64, HashSet<Vec<u8>>>,
}

impl NonceLedger {
    /// Record `nonce` (its raw bytes, whose minute is `minute`) seen at `now_minute`;
    /// `false` when it was seen before (a replay). First forgets every nonce whose minute is
    /// older than `now_minute - window` (those fail the freshness check by themselves).
    pub fn admit(&mut self, nonce: &[u8], minute: u64, now_minute: u64, window: u64) -> bool {
        self.expire(now_minute.saturating_sub(window));
        self.by_minute
            .entry(minute)
            .or_default()
            .insert(nonce.to_vec())
    }

    /// Forget the nonces of minutes before `oldest`.
    fn expire(&mut self, oldest: u64) {
        self.by_minute = self.by_minute.split_off(&oldest);
    }

    /// Nonces remembered (for tests).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.by_minute.values().map(HashSet::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::NonceLedger;

    #[test]
    fn a_nonce_is_admitted_once() {
        let mut l = NonceLedger::default();
        assert!(l.admit(b"aaaaaaaa\x01", 1000, 1000, 5));
        assert!(!l.admit(b"aaaaaaaa\x01", 1000, 1000, 5), "replay");
        assert!(l.admit(b"bbbbbbbb\x01", 1000, 1000, 5));
        // Same random part, another minute: another nonce.
        assert!(l.admit(b"aaaaaaaa\x02", 1001, 1001, 5));
        assert_eq!(l.len(), 3);
    }

    #[test]
    fn nonces_outside_the_window_are_forgotten() {
        let mut l = NonceLedger::default();
        for m in 0..100u64 {
            assert!(l.admit(&m.to_be_bytes(), m, m, 5));
        }
        // Only minutes 94..=99 are still within ±5 of 99.
        assert_eq!(l.len(), 6);
        // A future nonce (client clock ahead) is kept until it falls out of the window.
        assert!(l.admit(b"future", 104, 99, 5));
        assert!(!l.admit(b"future", 104, 103, 5));
        assert!(!l.admit(b"future", 104, 109, 5), "still within the window");
        assert!(l.admit(b"x", 110, 110, 5));
        assert_eq!(l.len(), 1, "only 110 remains at minute 110");
    }

    #[test]
    fn a_huge_window_does_not_overflow() {
        let mut l = NonceLedger::default();
        assert!(l.admit(b"n", 0, 3, u64::MAX));
        assert!(!l.admit(b"n", 0, u64::MAX, u64::MAX));
        assert!(l.admit(b"m", u64::MAX, 0, u64::MAX / 2));
    }
}
