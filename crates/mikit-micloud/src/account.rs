//! Replies of the Xiaomi account server (`account.xiaomi.com`), as pure functions.
//!
//! Every JSON body starts with the literal `&&&START&&&` (reference §2; micloud
//! `micloud/micloud.py`, XGW3 `core/xiaomi_cloud.py`). Codes and their meaning: reference
//! §2.1 table (issues extractor#125/#129, openHAB#18898; hass-xiaomi-miot
//! `docs/superpowers/specs/2026-07-12-cloud-auth-reauth-design.md`).

use mikit_core::Secret;
use reqwest::header::HeaderMap;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::Error;
use crate::device::{opt_secret, opt_string_or_number};
use crate::error::json_reason;

/// The prefix of every account JSON body.
pub const BODY_PREFIX: &str = "&&&START&&&";

/// The account server's base URL.
pub const ACCOUNT_BASE: &str = "https://account.xiaomi.com";

/// The STS callback for `sid=xiaomiio` (micloud, hass-xiaomi-miot; reference §1).
pub const STS_CALLBACK: &str = "https://sts.api.io.mi.com/sts";

/// Strip `&&&START&&&` (and surrounding whitespace) if present.
pub fn strip_prefix(body: &[u8]) -> &[u8] {
    let trimmed = body.trim_ascii();
    trimmed
        .strip_prefix(BODY_PREFIX.as_bytes())
        .unwrap_or(trimmed)
        .trim_ascii()
}

/// An account reply: every field the flows read, all optional.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct AccountReply {
    /// 0 on success.
    #[serde(default)]
    pub code: Option<i64>,
    /// Server description of an error.
    #[serde(default)]
    pub description: Option<String>,
    /// Short description.
    #[serde(default)]
    pub desc: Option<String>,
    /// `_sign`, echoed to `serviceLoginAuth2`.
    #[serde(rename = "_sign", default)]
    pub sign: Option<String>,
    /// `qs`, echoed to `serviceLoginAuth2`.
    #[serde(default)]
    pub qs: Option<String>,
    /// The STS callback.
    #[serde(default)]
    pub callback: Option<String>,
    /// STS location (success) or login page.
    #[serde(default)]
    pub location: Option<String>,
    /// Relative captcha image URL (`87001`).
    #[serde(rename = "captchaUrl", default)]
    pub captcha_url: Option<String>,
    /// Two-factor start URL (`81003`).
    #[serde(rename = "notificationUrl", default)]
    pub notification_url: Option<String>,
    /// Numeric user id.
    #[serde(rename = "userId", default, deserialize_with = "opt_secret")]
    pub user_id: Option<Secret>,
    /// Encoded user id.
    #[serde(rename = "cUserId", default, deserialize_with = "opt_secret")]
    pub c_user_id: Option<Secret>,
    /// The request-signing key.
    #[serde(default, deserialize_with = "opt_secret")]
    pub ssecurity: Option<Secret>,
    /// The long-lived token.
    #[serde(rename = "passToken", default, deserialize_with = "opt_secret")]
    pub pass_token: Option<Secret>,
    /// The STS nonce (a number in real replies).
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub nonce: Option<String>,
    /// Other fields.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The credentials of a successful account step, before STS.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// Numeric user id.
    pub user_id: Secret,
    /// Encoded user id (may be empty).
    pub c_user_id: Secret,
    /// The request-signing key.
    pub ssecurity: Secret,
    /// The long-lived token (may be empty on a refresh reply).
    pub pass_token: Secret,
    /// The STS URL.
    pub location: String,
    /// The STS nonce, if sent.
    pub nonce: Option<String>,
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl AccountReply {
    /// The code, 0 when absent (the QR poll reply has none; reference §2.3).
    pub fn code(&self) -> i64 {
        self.code.unwrap_or(0)
    }

    /// The best error text the server gave.
    pub fn describe(&self) -> String {
        non_empty(&self.description)
            .or(non_empty(&self.desc))
            .unwrap_or("")
            .to_owned()
    }

    /// The STS location, if non-empty.
    pub fn location(&self) -> Option<&str> {
        non_empty(&self.location)
    }

    /// The captcha URL, if non-empty.
    pub fn captcha_url(&self) -> Option<&str> {
        non_empty(&self.captcha_url)
    }

    /// The two-factor URL, if non-empty.
    pub fn notification_url(&self) -> Option<&str> {
        non_empty(&self.notification_url)
    }

    /// Credentials when the reply is a success carrying `ssecurity` and a `location`.
    pub fn credentials(&self) -> Option<Credentials> {
        if self.code() != 0 {
            return None;
        }
        let ssecurity = self.ssecurity.clone().filter(|s| !s.is_empty())?;
        let user_id = self.user_id.clone().filter(|s| !s.is_empty())?;
        let location = self.location()?.to_owned();
        Some(Credentials {
            user_id,
            c_user_id: self.c_user_id.clone().unwrap_or_default(),
            ssecurity,
            pass_token: self.pass_token.clone().unwrap_or_default(),
            location,
            nonce: non_empty(&self.nonce).map(str::to_owned),
        })
    }

    /// The typed error for this reply's code (call only when it is not a success).
    pub fn error(&self) -> Error {
        code_error(self.code(), &self.describe(), self.captcha_url())
    }
}

/// The typed error of an account code.
pub fn code_error(code: i64, description: &str, captcha_url: Option<&str>) -> Error {
    match code {
        70016 => Error::InvalidCredentials,
        70002 => Error::BadCredentials,
        20003 => Error::InvalidUser,
        22009 => Error::PackageDenied,
        87001 => Error::CaptchaRequired {
            url: absolute_account_url(captcha_url.unwrap_or("/pass/getCode?icodeType=login")),
        },
        81003 => Error::TwoFactorRequired,
        _ => Error::LoginRejected {
            code,
            description: description.chars().take(200).collect(),
        },
    }
}

/// Parse an account body (prefix optional).
pub fn parse_reply(endpoint: &str, body: &[u8]) -> Result<AccountReply, Error> {
    serde_json::from_slice(strip_prefix(body)).map_err(|e| Error::AccountReply {
        endpoint: endpoint.to_owned(),
        reason: json_reason(&e),
    })
}

/// Make an account-relative URL (`/pass/getCode?...`) absolute.
pub fn absolute_account_url(url: &str) -> String {
    if url.starts_with("http://") || url.starts_with("https://") {
        url.to_owned()
    } else if url.starts_with('/') {
        format!("{ACCOUNT_BASE}{url}")
    } else {
        format!("{ACCOUNT_BASE}/{url}")
    }
}

/// The `name=value` pairs of every `Set-Cookie` header.
pub fn set_cookies(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| {
            let pair = v.split(';').next()?.trim();
            let (name, value) = pair.split_once('=')?;
            let name = name.trim();
            (!name.is_empty()).then(|| (name.to_owned(), value.trim().trim_matches('"').to_owned()))
        })
        .collect()
}

/// `ssecurity` from an `extension-pragma: {"ssecurity":"..."}` header (XGW3
/// `_get_credentials`; openHAB `MiCloudConnectorTest`).
pub fn extension_pragma_ssecurity(headers: &HeaderMap) -> Option<Secret> {
    let v = headers.get("extension-pragma")?.to_str().ok()?;
    let json: Value = serde_json::from_str(v).ok()?;
    json.get("ssecurity")?
        .as_str()
        .filter(|s| !s.is_empty())
        .map(Secret::from)
}

/// The `context` query parameter of a two-factor `notificationUrl`.
pub fn notification_context(notification_url: &str) -> Option<String> {
    let absolute = absolute_account_url(notification_url);
    let url = url::Url::parse(&absolute).ok()?;
    url.query_pairs()
        .find(|(k, _)| k == "context")
        .map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_is_stripped() {
        assert_eq!(strip_prefix(b"&&&START&&&{\"a\":1}"), b"{\"a\":1}");
        assert_eq!(strip_prefix(b" {\"a\":1}\n"), b"{\"a\":1}");
    }

    #[test]
    fn codes_map_to_distinct_errors() {
        assert!(matches!(
            code_error(70016, "", None),
            Error::InvalidCredentials
        ));
        assert!(matches!(code_error(70002, "", None), Error::BadCredentials));
        assert!(matches!(code_error(20003, "", None), Error::InvalidUser));
        assert!(matches!(code_error(22009, "", None), Error::PackageDenied));
        assert!(matches!(
            code_error(81003, "", None),
            Error::TwoFactorRequired
        ));
        match code_error(87001, "", Some("/pass/getCode?icodeType=login&0.5")) {
            Error::CaptchaRequired { url } => {
                assert_eq!(
                    url,
                    "https://account.xiaomi.com/pass/getCode?icodeType=login&0.5"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            code_error(12345, "x", None),
            Error::LoginRejected { code: 12345, .. }
        ));
    }

    #[test]
    fn numeric_ids_and_nonce_are_read() {
        let r = parse_reply(
            "/x",
            br#"&&&START&&&{"code":0,"userId":123,"ssecurity":"c2VjcmV0","passToken":"p","location":"https://sts.api.io.mi.com/sts?a=1","nonce":987}"#,
        )
        .unwrap();
        let c = r.credentials().unwrap();
        assert_eq!(c.user_id.expose(), "123");
        assert_eq!(c.nonce.as_deref(), Some("987"));
        assert!(c.c_user_id.is_empty());
    }

    #[test]
    fn cookies_and_pragma_are_read() {
        let mut h = HeaderMap::new();
        h.append(
            "set-cookie",
            "serviceToken=abc/def==; Path=/; HttpOnly".parse().unwrap(),
        );
        h.append("set-cookie", "userId=42".parse().unwrap());
        h.append("set-cookie", "broken".parse().unwrap());
        h.append("set-cookie", "=novalue".parse().unwrap());
        assert_eq!(
            set_cookies(&h),
            vec![
                ("serviceToken".into(), "abc/def==".into()),
                ("userId".into(), "42".into())
            ]
        );
        h.insert(
            "extension-pragma",
            r#"{"ssecurity":"c2VjcmV0"}"#.parse().unwrap(),
        );
        assert_eq!(extension_pragma_ssecurity(&h).unwrap().expose(), "c2VjcmV0");
        h.insert("extension-pragma", "not json".parse().unwrap());
        assert!(extension_pragma_ssecurity(&h).is_none());
    }

    #[test]
    fn context_is_extracted() {
        assert_eq!(
            notification_context("/fe/service/identity/authStart?sid=xiaomiio&context=abc%3D")
                .as_deref(),
            Some("abc=")
        );
        assert_eq!(notification_context("https://account.xiaomi.com/x"), None);
    }
}
