//! Credential login: v1 plaintext form (§3.1) and v2 AES body (§3.2).

use aes::Aes128;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, KeyIvInit};
use hyper::StatusCode;

use super::HuamiCloud;
use crate::server::{Reply, Request};

/// AES-128 key of the v2 body: MIMO `util/aes_help.py` (credited to hanximeng/Zepp_API
/// `index.php`), HT-new `huami_token/helpers.py`; reference §3.2.
pub(crate) const V2_KEY: &[u8; 16] = b"xeNtBVqzDc6tuNTh";
/// CBC IV of the v2 body (same sources).
pub(crate) const V2_IV: &[u8; 16] = b"MAAAYAAAAAAAAABg";

/// The redirect target the apps send (§3.1/§3.2).
const DEFAULT_REDIRECT: &str =
    "https://s3-us-west-2.amazonaws.com/hm-registration/successsignin.html";

/// Access codes live about ten days (`expiration` of huami-token issue #72).
const ACCESS_TTL_SECS: i64 = 10 * 86_400;

/// Decrypt a v2 login body (AES-128-CBC, PKCS#7). `None` if it is not valid ciphertext.
pub(crate) fn decrypt_v2(body: &[u8]) -> Option<Vec<u8>> {
    cbc::Decryptor::<Aes128>::new(V2_KEY.into(), V2_IV.into())
        .decrypt_padded_vec::<Pkcs7>(body)
        .ok()
}

/// Percent-decode a path segment (no `+` → space, unlike forms). `None` on bad escapes or
/// non-UTF-8 results.
pub(crate) fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn first<'a>(form: &'a [(String, String)], key: &str) -> Option<&'a str> {
    form.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// `redirect_uri?k=v&…` with form encoding of the values.
fn location(redirect: &str, pairs: &[(&str, &str)]) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        ser.append_pair(k, v);
    }
    let sep = if redirect.contains('?') { '&' } else { '?' };
    format!("{redirect}{sep}{}", ser.finish())
}

fn now_secs() -> i64 {
    jiff::Timestamp::now().as_second()
}

impl HuamiCloud {
    /// Find the account whose credentials match.
    fn check_credentials(
        &self,
        user: &str,
        password: Option<&str>,
    ) -> Result<usize, Option<usize>> {
        let idx = self
            .accounts
            .iter()
            .position(|a| a.email.eq_ignore_ascii_case(user.trim()));
        match (idx, password) {
            // An account without a password (created by a Xiaomi sign-in) never matches.
            (Some(i), Some(p)) if !p.is_empty() && self.accounts[i].password.expose() == p => Ok(i),
            (i, _) => Err(i),
        }
    }

    /// The region shown in a failed login's redirect: the account's, else the one posted.
    fn failed_region<'a>(&'a self, known: Option<usize>, posted: Option<&'a str>) -> &'a str {
        known
            .map(|i| self.accounts[i].region.aws())
            .or(posted)
            .unwrap_or("us-west-2")
    }

    /// `POST /registrations/{email}/tokens` on `api-user.huami.com` (§3.1).
    pub(super) fn login_v1(&self, req: &Request, email_segment: &str) -> Reply {
        if self.rate_limited() {
            // Captured body of a rate-limited v1 login (mimotion-for-email issue #9); the
            // HTTP status was not reported, 200 is assumed.
            return Reply::json(
                StatusCode::OK,
                &serde_json::json!({"code": 12, "message": "too many requests"}),
            );
        }
        let Some(email) = percent_decode(email_segment) else {
            return Reply::empty(StatusCode::BAD_REQUEST);
        };
        let form = req.form();
        let redirect = first(&form, "redirect_uri").unwrap_or(DEFAULT_REDIRECT);
        match self.check_credentials(&email, first(&form, "password")) {
            Ok(i) => {
                let access = self.tokens().issue_access(i);
                let a = &self.accounts[i];
                let exp = (now_secs() + ACCESS_TTL_SECS).to_string();
                // Success shape of §3.1 / §14 (+ `expiration`, huami-token issue #27).
                Reply::see_other(&location(
                    redirect,
                    &[
                        ("state", "REDIRECTION"),
                        ("region", a.region.aws()),
                        ("access", &access),
                        ("country_code", a.region.country()),
                        ("expiration", &exp),
                    ],
                ))
            }
            Err(known) => {
                // Wrong password: still a 303 (huami-token issues #57, #42).
                let region = self.failed_region(known, first(&form, "region"));
                Reply::see_other(&location(
                    redirect,
                    &[
                        ("error", "401"),
                        ("state", "REDIRECTION"),
                        ("region", region),
                    ],
                ))
            }
        }
    }

    /// `POST /v2/registrations/tokens` on `api-user*.zepp.com` (§3.2).
    pub(super) fn login_v2(&self, req: &Request) -> Reply {
        if req.header("x-hm-ekv").map(str::trim) != Some("1") {
            return Reply::empty(StatusCode::BAD_REQUEST);
        }
        let Some(plain) = decrypt_v2(&req.body) else {
            return Reply::empty(StatusCode::BAD_REQUEST);
        };
        if self.rate_limited() {
            return Reply::empty(StatusCode::TOO_MANY_REQUESTS);
        }
        let form: Vec<(String, String)> =
            url::form_urlencoded::parse(&plain).into_owned().collect();
        let Some(user) = first(&form, "emailOrPhone") else {
            return Reply::empty(StatusCode::BAD_REQUEST);
        };
        let redirect = first(&form, "redirect_uri").unwrap_or(DEFAULT_REDIRECT);
        match self.check_credentials(user, first(&form, "password")) {
            Ok(i) => {
                let (access, refresh) = {
                    let mut t = self.tokens();
                    let access = t.issue_access(i);
                    (access, t.token(60))
                };
                let a = &self.accounts[i];
                let app = req
                    .header("app_name")
                    .or_else(|| req.header("appname"))
                    .unwrap_or("com.huami.midong");
                let exp = (now_secs() + ACCESS_TTL_SECS).to_string();
                // Key order of the captured redirect (huami-token issue #72).
                Reply::see_other(&location(
                    redirect,
                    &[
                        ("appname", app),
                        ("state", "REDIRECTION"),
                        ("region", a.region.aws()),
                        ("refresh", &refresh),
                        ("access", &access),
                        ("country_code", a.region.country()),
                        ("expiration", &exp),
                    ],
                ))
            }
            Err(known) => {
                let region = self.failed_region(known, first(&form, "region"));
                Reply::see_other(&location(
                    redirect,
                    &[
                        ("error", "401"),
                        ("state", "REDIRECTION"),
                        ("region", region),
                    ],
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decrypts_the_hv1_vector_to_its_plaintext() {
        // HV1: huami-token 0.8.0 tests/test_encrypt.py `captured_data` (tests/data/login_v2_vector.json).
        use base64::Engine as _;
        let v: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/data/login_v2_vector.json")).unwrap();
        let ct = base64::engine::general_purpose::STANDARD
            .decode(v["ciphertext_b64"].as_str().unwrap())
            .unwrap();
        let hex: String = ct.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, v["ciphertext_hex"].as_str().unwrap());
        let plain = decrypt_v2(&ct).unwrap();
        assert_eq!(plain, v["plaintext"].as_str().unwrap().as_bytes());
        assert_eq!(plain.len(), 220);
        assert_eq!(decrypt_v2(&ct[..223]), None);
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%40a.com").as_deref(), Some("a@a.com"));
        assert_eq!(
            percent_decode("+8613800000000").as_deref(),
            Some("+8613800000000")
        );
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%ff"), None);
    }

    #[test]
    fn location_appends_query() {
        assert_eq!(
            location("https://x/y", &[("a", "1"), ("b", "c d")]),
            "https://x/y?a=1&b=c+d"
        );
        assert_eq!(
            location("https://x/y?z=0", &[("a", "1")]),
            "https://x/y?z=0&a=1"
        );
    }

    proptest! {
        #[test]
        fn decrypt_never_panics(body in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = decrypt_v2(&body);
        }

        #[test]
        fn percent_decode_never_panics(s in ".{0,64}") {
            let _ = percent_decode(&s);
        }
    }
}
