//! The login's cookie store, scoped as a browser scopes cookies.
//!
//! Cookies are stored and chosen by the *real* URL of each request (`https://HOST/PATH`),
//! not by the URL actually requested: behind the endpoint map every service shares one
//! emulator host, and a jar keyed by that host would send the account's `passToken` to the
//! STS host and everywhere else. The store is reqwest's [`Jar`] (the `cookie_store` crate:
//! RFC 6265 domain, path, `Secure` and expiry rules); the flow adds the `Cookie` header
//! itself.
//!
//! Separately, the latest value of every cookie a reply set is remembered by name, so the
//! flow can read what the login produced (`serviceToken`, `cUserId`, a `passToken` set by a
//! two-factor redirect). Those values are never sent from there.

use std::collections::BTreeMap;

use mikit_core::Secret;
use reqwest::cookie::{CookieStore as _, Jar};
use reqwest::header::{HeaderMap, SET_COOKIE};
use url::Url;

use crate::account::set_cookies;

/// The cookies of one login flow.
#[derive(Default)]
pub struct LoginCookies {
    jar: Jar,
    produced: BTreeMap<String, Secret>,
}

impl std::fmt::Debug for LoginCookies {
    /// Names only: the values are tokens.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginCookies")
            .field("produced", &self.produced.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl LoginCookies {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Take the `Set-Cookie` headers of a reply to the real URL `url`.
    pub fn absorb(&mut self, headers: &HeaderMap, url: &Url) {
        self.jar
            .set_cookies(&mut headers.get_all(SET_COOKIE).iter(), url);
        for (name, value) in set_cookies(headers) {
            if value.is_empty() || value == "EXPIRED" {
                continue;
            }
            self.produced.insert(name, Secret::new(value));
        }
    }

    /// Put a cookie for the real URL `url` as the server would have set it: host-only,
    /// `Path=/`, `Secure`.
    pub fn set(&mut self, url: &Url, name: &str, value: &Secret) {
        self.jar
            .add_cookie_str(&format!("{name}={}; Path=/; Secure", value.expose()), url);
    }

    /// The `name=value; …` pairs to send with a request to the real URL `url`.
    pub fn header_for(&self, url: &Url) -> Option<String> {
        self.jar
            .cookies(url)
            .and_then(|v| v.to_str().ok().map(str::to_owned))
    }

    /// The latest non-empty value a reply set for `name` (whatever its scope).
    pub fn produced(&self, name: &str) -> Option<Secret> {
        self.produced.get(name).filter(|v| !v.is_empty()).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn headers(cookies: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for c in cookies {
            h.append(SET_COOKIE, c.parse().unwrap());
        }
        h
    }

    fn names(c: &LoginCookies, u: &str) -> Vec<String> {
        c.header_for(&url(u))
            .unwrap_or_default()
            .split("; ")
            .filter(|p| !p.is_empty())
            .map(|p| p.split('=').next().unwrap().to_owned())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    #[test]
    fn host_only_cookies_stay_on_their_host() {
        let mut c = LoginCookies::new();
        c.absorb(
            &headers(&["passToken=p1; Path=/; HttpOnly", "userId=7; Path=/"]),
            &url("https://account.xiaomi.com/pass/serviceLogin"),
        );
        assert_eq!(
            names(&c, "https://account.xiaomi.com/pass/x"),
            ["passToken", "userId"]
        );
        assert!(names(&c, "https://sts.api.io.mi.com/sts").is_empty());
        assert!(names(&c, "https://eu.account.xiaomi.com/x").is_empty());
        assert_eq!(c.produced("passToken").unwrap().expose(), "p1");
    }

    #[test]
    fn domain_path_and_secure_are_honoured() {
        let mut c = LoginCookies::new();
        let account = url("https://account.xiaomi.com/identity/list");
        c.absorb(
            &headers(&[
                "wide=1; Domain=xiaomi.com; Path=/",
                "narrow=1; Path=/identity",
                // A host may not set a cookie for a domain it does not belong to.
                "foreign=1; Domain=mi.com; Path=/",
            ]),
            &account,
        );
        assert_eq!(names(&c, "https://eu.account.xiaomi.com/"), ["wide"]);
        assert!(names(&c, "https://sts.api.io.mi.com/sts").is_empty());
        assert_eq!(
            names(&c, "https://account.xiaomi.com/identity/auth"),
            ["narrow", "wide"]
        );
        assert_eq!(names(&c, "https://account.xiaomi.com/pass"), ["wide"]);

        c.set(&account, "passToken", &Secret::from("p"));
        assert_eq!(names(&c, "http://account.xiaomi.com/"), ["wide"], "Secure");
        assert!(names(&c, "https://account.xiaomi.com/").contains(&"passToken".to_owned()));
    }

    #[test]
    fn expired_values_are_not_results_and_debug_hides_values() {
        let mut c = LoginCookies::new();
        c.absorb(
            &headers(&[
                "serviceToken=tok-SECRET; Path=/",
                "passToken=EXPIRED; Path=/",
            ]),
            &url("https://sts.api.io.mi.com/sts"),
        );
        assert!(c.produced("passToken").is_none());
        assert_eq!(c.produced("serviceToken").unwrap().expose(), "tok-SECRET");
        let debug = format!("{c:?}");
        assert!(!debug.contains("tok-SECRET"), "{debug}");
    }
}
