//! The hosts the Xiaomi login may talk to.
//!
//! The login follows URLs the server hands out (the STS `location`, redirect targets, the
//! two-factor `location`, the QR long-poll URL, an absolute captcha URL) and sends the
//! account's cookies with them. A forged or tampered reply must not send those anywhere
//! else, nor over plain HTTP: every URL is checked against this list *as the real URL*,
//! before the endpoint map rewrites it (so the check is the same behind an emulator).
//!
//! Hosts from reference `mi-cloud.md` §1: the account server `account.xiaomi.com` (and its
//! regional names such as `eu.account.xiaomi.com` in QR URLs, python-miio PR #2089), the API
//! and STS hosts under `api.io.mi.com` (`sts.api.io.mi.com`, `<cc>.api.io.mi.com`; micloud,
//! hass-xiaomi-miot), the `micoapi` STS `api2.mina.mi.com` (hass-xiaomi-miot) and the newer
//! app domain `api.mijia.tech` (`Do1e/mijia-api:mijiaAPI/apis.py`).

use url::Url;

use crate::Error;

/// Host names (and their sub-domains) the login may request.
pub const LOGIN_HOSTS: [&str; 4] = [
    "account.xiaomi.com",
    "api.io.mi.com",
    "api2.mina.mi.com",
    "api.mijia.tech",
];

/// True when `host` is one of [`LOGIN_HOSTS`] or a sub-domain of one.
pub fn is_login_host(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    LOGIN_HOSTS.iter().any(|allowed| {
        host == *allowed
            || host
                .strip_suffix(allowed)
                .is_some_and(|prefix| prefix.ends_with('.') && prefix.len() > 1)
    })
}

/// Parse `url` and accept it only as `https://` on a login host, without user info.
///
/// The error names only the scheme and host: the path and query may carry tickets.
pub fn check_login_url(url: &str) -> Result<Url, Error> {
    let parsed = Url::parse(url).map_err(|_| Error::UntrustedUrl {
        url: "(not a URL)".into(),
        reason: "the server sent a location that is not a URL",
    })?;
    let host = parsed.host_str().unwrap_or_default().to_owned();
    let shown = format!("{}://{host}", parsed.scheme());
    if parsed.scheme() != "https" {
        return Err(Error::UntrustedUrl {
            url: shown,
            reason: "not https",
        });
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Error::UntrustedUrl {
            url: shown,
            reason: "the URL carries a user name or password",
        });
    }
    if !is_login_host(&host) {
        return Err(Error::UntrustedUrl {
            url: shown,
            reason: "not a Xiaomi account or API host",
        });
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_hosts_are_accepted() {
        for h in [
            "account.xiaomi.com",
            "eu.account.xiaomi.com",
            "sts.api.io.mi.com",
            "api.io.mi.com",
            "de.api.io.mi.com",
            "api2.mina.mi.com",
            "api.mijia.tech",
            "ACCOUNT.xiaomi.com.",
        ] {
            assert!(is_login_host(h), "{h}");
        }
    }

    #[test]
    fn lookalikes_are_refused() {
        for h in [
            "evil.example",
            "account.xiaomi.com.evil.example",
            "evilaccount.xiaomi.com",
            "xiaomi.com",
            "mi.com",
            "io.mi.com",
            "sts.api.io.mi.com.evil",
            "xapi.io.mi.com",
            "",
        ] {
            assert!(!is_login_host(h), "{h}");
        }
    }

    #[test]
    fn only_https_urls_on_login_hosts_pass() {
        assert!(check_login_url("https://sts.api.io.mi.com/sts?d=1").is_ok());
        for (url, reason) in [
            ("http://sts.api.io.mi.com/sts?d=1", "not https"),
            (
                "https://evil.example/sts",
                "not a Xiaomi account or API host",
            ),
            (
                "https://account.xiaomi.com@evil.example/x",
                "the URL carries a user name or password",
            ),
            ("ftp://account.xiaomi.com/", "not https"),
        ] {
            match check_login_url(url) {
                Err(Error::UntrustedUrl {
                    reason: r,
                    url: shown,
                }) => {
                    assert_eq!(r, reason, "{url}");
                    assert!(!shown.contains('?') && !shown.contains("/x"), "{shown}");
                }
                other => panic!("{url}: {other:?}"),
            }
        }
        assert!(check_login_url("not a url").is_err());
    }
}
