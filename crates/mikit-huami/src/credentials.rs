//! The credential step of the login, sans-IO: the v1 and v2 request bodies and the parsing
//! of the `303 Location` redirect that carries the access token (reference
//! `huami-cloud.md` §3.1, §3.2).

use aes::Aes128;
use cbc::cipher::{BlockModeEncrypt as _, KeyIvInit as _, block_padding::Pkcs7};
use mikit_core::Secret;

use crate::error::Error;

/// AES-128 key of the v2 body: `xeNtBVqzDc6tuNTh` (HT-new `huami_token/helpers.py`;
/// TonyJiangWJ/mimotion `util/aes_help.py`, which credits hanximeng/Zepp_API `index.php`).
pub const V2_KEY: &[u8; 16] = b"xeNtBVqzDc6tuNTh";
/// AES-128-CBC IV of the v2 body: `MAAAYAAAAAAAAABg` (same sources).
pub const V2_IV: &[u8; 16] = b"MAAAYAAAAAAAAABg";

/// The `redirect_uri` of the v2 form (HT-new, MIMO spell it `amazonaws`).
pub const REDIRECT_URI: &str =
    "https://s3-us-west-2.amazonaws.com/hm-registration/successsignin.html";
/// The `redirect_uri` of the v1 form (sic `amazonws` in MICW `mifit_api.py` and HT-old).
pub const REDIRECT_URI_V1: &str =
    "https://s3-us-west-2.amazonws.com/hm-registration/successsignin.html";

/// `application/x-www-form-urlencoded` of ordered pairs (keys may repeat).
pub fn urlencode(pairs: &[(&str, &str)]) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        ser.append_pair(k, v);
    }
    ser.finish()
}

/// The plaintext v2 form (reference §3.2): field order as HT-new, `token` repeated.
pub fn v2_form(email_or_phone: &str, password: &Secret) -> String {
    urlencode(&[
        ("emailOrPhone", email_or_phone),
        ("state", "REDIRECTION"),
        ("client_id", "HuaMi"),
        ("password", password.expose()),
        ("redirect_uri", REDIRECT_URI),
        ("region", "us-west-2"),
        ("token", "access"),
        ("token", "refresh"),
        ("country_code", "US"),
    ])
}

/// AES-128-CBC + PKCS#7 of `plaintext` with [`V2_KEY`]/[`V2_IV`]: the raw POST body (not
/// base64) of `/v2/registrations/tokens`, sent with `x-hm-ekv: 1`.
pub fn encrypt_v2_body(plaintext: &[u8]) -> Vec<u8> {
    cbc::Encryptor::<Aes128>::new(V2_KEY.into(), V2_IV.into())
        .encrypt_padded_vec::<Pkcs7>(plaintext)
}

/// The v1 form (reference §3.1; MICW `mifit_api.py`, HT-old `huami_token.py`).
pub fn v1_form(password: &Secret) -> String {
    urlencode(&[
        ("state", "REDIRECTION"),
        ("client_id", "HuaMi"),
        ("redirect_uri", REDIRECT_URI_V1),
        ("token", "access"),
        ("password", password.expose()),
    ])
}

/// What a successful credential redirect carries.
#[derive(Clone, Debug)]
pub struct AccessGrant {
    /// The single-use access code for `/v2/client/login`.
    pub access: Secret,
    /// The v2 `refresh` token (no known consumer, reference §3.0).
    pub refresh: Option<Secret>,
    /// `country_code` (or derived from the region, see [`parse_redirect`]).
    pub country_code: Option<String>,
    /// `region` (an AWS region name, e.g. `eu-central-1`).
    pub region: Option<String>,
    /// `expiration`, unix seconds.
    pub expiration: Option<i64>,
}

/// Parse the answer of a credential POST (v1 or v2) given its status, `Location` header and
/// body.
///
/// - 303 with `access` → [`AccessGrant`]; `country_code` missing → the region's first two
///   letters upper-cased (HT-old: "Sometimes for no reason server does not return
///   country_code");
/// - 303 with `error=401` → [`Error::WrongPassword`] (huami-token issues #57, #42);
/// - 303 without `access` → [`Error::NoAccessToken`] (huami-token issue #76);
/// - 429 or a `{"code":12}` body → [`Error::RateLimited`] (mimotion-for-email issue #9);
/// - anything else → [`Error::NoRedirect`] with the status.
pub fn parse_redirect(
    status: u16,
    location: Option<&str>,
    body: &[u8],
) -> Result<AccessGrant, Error> {
    if status == 429 || is_code_12(body) {
        return Err(Error::RateLimited {
            during: "credential login",
            retry_after_secs: None,
        });
    }
    if !(300..400).contains(&status) {
        return Err(Error::NoRedirect { status });
    }
    let Some(location) = location else {
        return Err(Error::NoAccessToken { error: None });
    };
    // Parse the query ourselves: the Location may be relative or odd; only the query matters.
    let query = location.split_once('?').map_or("", |(_, q)| q);
    let query = query.split('#').next().unwrap_or(query);
    let mut access = None;
    let mut refresh = None;
    let mut country_code = None;
    let mut region = None;
    let mut expiration = None;
    let mut error = None;
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        let v = v.into_owned();
        match k.as_ref() {
            "access" if !v.is_empty() => access = Some(Secret::new(v)),
            "refresh" if !v.is_empty() => refresh = Some(Secret::new(v)),
            "country_code" if !v.is_empty() => country_code = Some(v),
            "region" if !v.is_empty() => region = Some(v),
            "expiration" => expiration = v.trim().parse::<i64>().ok(),
            "error" => error = Some(v.chars().take(20).collect::<String>()),
            _ => {}
        }
    }
    if error.as_deref() == Some("401") {
        return Err(Error::WrongPassword { region });
    }
    let Some(access) = access else {
        return Err(Error::NoAccessToken { error });
    };
    let country_code = country_code.or_else(|| {
        region
            .as_deref()
            .and_then(|r| r.get(..2))
            .map(str::to_ascii_uppercase)
    });
    Ok(AccessGrant {
        access,
        refresh,
        country_code,
        region,
        expiration,
    })
}

fn is_code_12(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("code").and_then(crate::summary::as_i64))
        == Some(12)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v2_location_of_issue_72() {
        // fixtures/huami/login_responses.json id v2_tokens_success_redirect
        // (https://github.com/argrento/huami-token/issues/72).
        let loc = "https://s3-us-west-2.amazonaws.com/hm-registration/successsignin.html?appname=com.huami.midong&state=REDIRECTION&region=eu-central-1&refresh=Dzzz&access=xxxx&country_code=DE&expiration=1767532236";
        let g = parse_redirect(303, Some(loc), b"").unwrap();
        assert_eq!(g.access.expose(), "xxxx");
        assert_eq!(g.refresh.unwrap().expose(), "Dzzz");
        assert_eq!(g.country_code.as_deref(), Some("DE"));
        assert_eq!(g.region.as_deref(), Some("eu-central-1"));
        assert_eq!(g.expiration, Some(1_767_532_236));
    }

    #[test]
    fn missing_country_code_is_derived_from_region() {
        let g = parse_redirect(303, Some("x?access=a&region=us-west-2"), b"").unwrap();
        assert_eq!(g.country_code.as_deref(), Some("US"));
    }

    #[test]
    fn wrong_password_and_failures() {
        // huami-token issue #57: error=401&state=REDIRECTION&region=eu-central-1
        let e = parse_redirect(
            303,
            Some("x?error=401&state=REDIRECTION&region=eu-central-1"),
            b"",
        )
        .unwrap_err();
        assert!(matches!(e, Error::WrongPassword { region: Some(ref r) } if r == "eu-central-1"));
        assert!(matches!(
            parse_redirect(303, Some("x?state=REDIRECTION"), b""),
            Err(Error::NoAccessToken { error: None })
        ));
        assert!(matches!(
            parse_redirect(303, None, b""),
            Err(Error::NoAccessToken { .. })
        ));
        assert!(matches!(
            parse_redirect(200, None, b"{}"),
            Err(Error::NoRedirect { status: 200 })
        ));
        assert!(matches!(
            parse_redirect(400, None, b""),
            Err(Error::NoRedirect { status: 400 })
        ));
        assert!(matches!(
            parse_redirect(429, None, b""),
            Err(Error::RateLimited { .. })
        ));
        assert!(matches!(
            parse_redirect(200, None, br#"{"code":12,"message":"too many requests"}"#),
            Err(Error::RateLimited { .. })
        ));
    }

    #[test]
    fn v1_form_shape() {
        let f = v1_form(&Secret::from("p@ss word"));
        assert_eq!(
            f,
            "state=REDIRECTION&client_id=HuaMi&redirect_uri=https%3A%2F%2Fs3-us-west-2.amazonws.com%2Fhm-registration%2Fsuccesssignin.html&token=access&password=p%40ss+word"
        );
    }
}
