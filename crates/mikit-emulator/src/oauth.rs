//! Xiaomi OAuth codes shared by the Xiaomi account host (which issues them on
//! `/oauth2/authorize`) and the Huami account service (which accepts them once at
//! `/v2/client/login` with `grant_type=request_token`), reference `huami-cloud.md` §3.3.
//!
//! A code is self-verifying (a keyed check value derived from the emulator seed), so the two
//! services need no shared state; single use is enforced by the consumer.

use crate::rng::{label, mix};

/// The prefix of real codes (`code=ALSG_CLOUDSRV_…`, HT-old `huami_token.py`).
pub(crate) const PREFIX: &str = "ALSG_CLOUDSRV_";

/// The Zepp app's Xiaomi OAuth client (HT-old `urls.py`).
pub(crate) const CLIENT_ZEPP: &str = "2882303761517383915";
/// The Mi Fit / Zepp Life Xiaomi OAuth client (MICW `mifit_code_to_apptoken.py`, SSC).
pub(crate) const CLIENT_MIFIT: &str = "428135909242707968";

fn check(seed: u64, body: &str) -> u64 {
    mix(seed ^ label("xiaomi-oauth") ^ label(body))
}

/// A code for the Xiaomi user `user_id` and the OAuth `client_id`; `nonce` makes it unique.
pub(crate) fn issue(seed: u64, user_id: &str, client_id: &str, nonce: u64) -> String {
    let body = format!("{user_id}_{client_id}_{nonce:016X}");
    format!("{PREFIX}{body}_{:016X}", check(seed, &body))
}

/// The (Xiaomi user id, client id) of a code this emulator issued.
pub(crate) fn verify(seed: u64, code: &str) -> Option<(String, String)> {
    let rest = code.strip_prefix(PREFIX)?;
    let (body, mac) = rest.rsplit_once('_')?;
    if u64::from_str_radix(mac, 16).ok()? != check(seed, body) || mac.len() != 16 {
        return None;
    }
    let mut parts = body.splitn(3, '_');
    let (user, client) = (parts.next()?, parts.next()?);
    Some((user.to_owned(), client.to_owned()))
}

/// The `third_name` that goes with a client id (reference §3.3 table).
pub(crate) fn third_name(client_id: &str) -> Option<&'static str> {
    match client_id {
        CLIENT_ZEPP => Some("mi-watch"),
        CLIENT_MIFIT => Some("xiaomi-hm-mifit"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_verify_only_with_their_seed() {
        let c = issue(7, "1234567890", CLIENT_MIFIT, 3);
        assert!(c.starts_with(PREFIX));
        assert_eq!(
            verify(7, &c),
            Some(("1234567890".into(), CLIENT_MIFIT.into()))
        );
        assert_eq!(verify(8, &c), None);
        assert_eq!(verify(7, &c.replace("1234567890", "1234567891")), None);
        assert_eq!(verify(7, "ALSG_CLOUDSRV_x"), None);
    }
}
