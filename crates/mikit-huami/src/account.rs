//! The account service, sans-IO: the `/v2/client/login` answer (token_info, regist_info,
//! domains), its error codes, the `app_tokens` answer, and the choice of the regional data
//! host (reference `huami-cloud.md` §1.2, §3.4, §3.6).

use mikit_core::Secret;
use serde_json::Value;

use crate::error::Error;

/// The fallback data host (reference §1.2 decision).
pub const GLOBAL_DATA_HOST: &str = "api-mifit.huami.com";

/// What a successful `/v2/client/login` returns.
#[derive(Clone, Debug)]
pub struct LoginTokens {
    /// `token_info.user_id` (a string on the wire; a number is accepted too).
    pub user_id: String,
    /// `token_info.login_token` (long-lived; mints app tokens).
    pub login_token: Secret,
    /// `token_info.app_token` (the data bearer).
    pub app_token: Secret,
    /// `regist_info.region`, if any.
    pub region: Option<String>,
    /// `regist_info.country_code`, if any.
    pub country_code: Option<String>,
    /// The data host from `domains[].cnames`, if any.
    pub data_host_cname: Option<String>,
}

/// True for a plausible data host: `api-mifit*` under `.huami.com` or `.zepp.com`, a bare host
/// name (ZB `connectors/zepp.rs::validate_region_host`).
pub fn is_data_host(host: &str) -> bool {
    host.starts_with("api-mifit")
        && (host.ends_with(".huami.com") || host.ends_with(".zepp.com"))
        && host
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
}

/// The data host for an AWS region name of the credential redirect (reference §1.2;
/// `cn-northwest-1` is inferred there).
pub fn data_host_for_region(region: &str) -> Option<&'static str> {
    match region {
        "eu-central-1" => Some("api-mifit-de2.zepp.com"),
        "us-west-2" => Some("api-mifit-us2.zepp.com"),
        "cn-northwest-1" => Some("api-mifit-cn.huami.com"),
        _ => None,
    }
}

/// Choose the data host (reference §1.2 decision): a user override; else the first
/// `api-mifit*` cname of the login's `domains`; else the region map; else
/// [`GLOBAL_DATA_HOST`].
pub fn choose_data_host(
    user_override: Option<&str>,
    cname: Option<&str>,
    region: Option<&str>,
) -> String {
    user_override
        .or(cname)
        .or_else(|| region.and_then(data_host_for_region))
        .unwrap_or(GLOBAL_DATA_HOST)
        .to_owned()
}

/// The first valid data-host cname of `domains: [{host, cnames: [..]}]` (MICW: "a mapping
/// for hosts, e.g. api-mifit.huami.com to api-mifit-de.huami.com").
fn domains_cname(v: &Value) -> Option<String> {
    v.get("domains")?
        .as_array()?
        .iter()
        .filter(|d| {
            d.get("host")
                .and_then(Value::as_str)
                .is_some_and(|h| h.starts_with("api-mifit"))
        })
        .filter_map(|d| d.get("cnames").and_then(Value::as_array))
        .flatten()
        .filter_map(Value::as_str)
        .find(|c| is_data_host(c))
        .map(str::to_owned)
}

fn str_field(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Map an account-service `error_code` to its typed error (HT-old `errors.py`, reference §3.4).
pub fn login_error(code: &str, data: Option<&Value>) -> Error {
    match code {
        "0106" => Error::CodeRejected,
        "0113" => Error::LoginWrongRegion,
        "0115" => Error::AccountDisabled,
        // {"error_code":"0117","data":{"wechatPhone":null,"accessToken":"V3_…","refreshToken":"R3_…"}}
        // (huami-token issue #42): the third-party tokens are noted, never kept.
        "0117" => Error::AccountNotRegistered {
            third_party_tokens: data
                .and_then(|d| d.get("accessToken"))
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty()),
        },
        "0121" => Error::AccountFrozen,
        "0125" => Error::LoginRefused0125,
        other => Error::LoginRejected {
            code: other.chars().take(16).collect(),
        },
    }
}

/// Parse a `/v2/client/login` answer (status and body).
pub fn parse_client_login(status: u16, body: &[u8]) -> Result<LoginTokens, Error> {
    const DURING: &str = "token exchange";
    if status == 429 {
        return Err(Error::RateLimited {
            during: DURING,
            retry_after_secs: None,
        });
    }
    let v: Option<Value> = serde_json::from_slice(body).ok();
    if let Some(code) = v.as_ref().and_then(|v| str_field(v, "error_code")) {
        return Err(login_error(&code, v.as_ref().and_then(|v| v.get("data"))));
    }
    if status == 400 {
        return Err(Error::LoginBadRequest);
    }
    if status != 200 {
        return Err(Error::UnexpectedStatus {
            during: DURING,
            status,
        });
    }
    let v = v.ok_or_else(|| Error::BadResponse {
        during: DURING,
        reason: "the body is not JSON".into(),
    })?;
    let bad = |reason: &str| Error::BadResponse {
        during: DURING,
        reason: reason.to_owned(),
    };
    // Clients check `result == "ok"` (MIMO) or the presence of `token_info` (HT-old).
    let ti = v.get("token_info").ok_or_else(|| bad("no token_info"))?;
    let secret = |k: &str| {
        ti.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(|s| Secret::new(s.to_owned()))
            .ok_or_else(|| bad(&format!("token_info has no {k}")))
    };
    let ri = v.get("regist_info");
    Ok(LoginTokens {
        user_id: str_field(ti, "user_id").ok_or_else(|| bad("token_info has no user_id"))?,
        login_token: secret("login_token")?,
        app_token: secret("app_token")?,
        region: ri.and_then(|r| str_field(r, "region")),
        country_code: ri.and_then(|r| str_field(r, "country_code")),
        data_host_cname: domains_cname(&v),
    })
}

/// Parse a `/v1/client/app_tokens` answer: `{"result":"ok","token_info":{"app_token":…}}`
/// (MIMO `grant_app_token`); `None` for anything else.
pub fn parse_app_token(status: u16, body: &[u8]) -> Option<Secret> {
    if status != 200 {
        return None;
    }
    let v: Value = serde_json::from_slice(body).ok()?;
    if v.get("error_code").is_some() {
        return None;
    }
    v.get("token_info")?
        .get("app_token")?
        .as_str()
        .filter(|s| !s.is_empty())
        .map(|s| Secret::new(s.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn full_login_answer_of_the_reference() {
        // Reference §3.4 success JSON (field set from SSC `pkg/zepp/auth.go`).
        let body = json!({
          "token_info": {"login_token": "LT", "app_token": "AT", "user_id": "1234567890", "ttl": 0, "app_ttl": 0},
          "regist_info": {"is_new_user": 0, "regist_date": 0, "region": "eu-central-1", "country_code": "DE", "countryState": "x"},
          "thirdparty_info": {"nickname": "n"},
          "result": "ok",
          "domain": {"id-dns": "x"},
          "domains": [{"host": "api-user.huami.com", "cnames": ["api-user-de.huami.com"]},
                      {"host": "api-mifit.huami.com", "cnames": ["api-mifit-de2.huami.com"]}]
        });
        let t = parse_client_login(200, body.to_string().as_bytes()).unwrap();
        assert_eq!(t.user_id, "1234567890");
        assert_eq!(t.login_token.expose(), "LT");
        assert_eq!(t.app_token.expose(), "AT");
        assert_eq!(
            t.data_host_cname.as_deref(),
            Some("api-mifit-de2.huami.com")
        );
        assert_eq!(t.country_code.as_deref(), Some("DE"));
    }

    #[test]
    fn minimal_mock_of_ht_new() {
        // fixtures/huami/login_responses.json id client_login_success_mock.
        let t = parse_client_login(
            200,
            br#"{"token_info": {"login_token": "lt_abc", "app_token": "at_xyz", "user_id": "12345"}}"#,
        )
        .unwrap();
        assert_eq!(t.user_id, "12345");
        assert_eq!(t.data_host_cname, None);
    }

    #[test]
    fn error_codes_are_distinct() {
        let e = |c: &str| {
            parse_client_login(200, format!(r#"{{"error_code":"{c}"}}"#).as_bytes()).unwrap_err()
        };
        assert!(matches!(e("0106"), Error::CodeRejected));
        assert!(matches!(e("0113"), Error::LoginWrongRegion));
        assert!(matches!(e("0115"), Error::AccountDisabled));
        assert!(matches!(
            e("0117"),
            Error::AccountNotRegistered {
                third_party_tokens: false
            }
        ));
        assert!(matches!(e("0121"), Error::AccountFrozen));
        assert!(matches!(e("0125"), Error::LoginRefused0125));
        assert!(matches!(e("0999"), Error::LoginRejected { ref code } if code == "0999"));
        assert!(matches!(
            parse_client_login(429, b""),
            Err(Error::RateLimited { .. })
        ));
        assert!(matches!(
            parse_client_login(400, b"<html>"),
            Err(Error::LoginBadRequest)
        ));
        assert!(matches!(
            parse_client_login(502, b""),
            Err(Error::UnexpectedStatus { status: 502, .. })
        ));
        assert!(matches!(
            parse_client_login(200, b"{}"),
            Err(Error::BadResponse { .. })
        ));
    }

    #[test]
    fn error_0117_with_xiaomi_data_hides_the_tokens() {
        // huami-token issue #42 (fixtures/huami/login_responses.json id client_login_0117_not_registered).
        let body = br#"{"error_code":"0117","data":{"wechatPhone":null,"accessToken":"V3_xxxxxxxxxxxxxxxxx","refreshToken":"R3_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}}"#;
        let e = parse_client_login(200, body).unwrap_err();
        assert!(matches!(
            e,
            Error::AccountNotRegistered {
                third_party_tokens: true
            }
        ));
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("V3_") && !shown.contains("R3_"), "{shown}");
    }

    #[test]
    fn data_host_choice() {
        assert_eq!(
            choose_data_host(Some("api-mifit-x.zepp.com"), Some("c"), None),
            "api-mifit-x.zepp.com"
        );
        assert_eq!(
            choose_data_host(None, Some("api-mifit-de2.huami.com"), Some("us-west-2")),
            "api-mifit-de2.huami.com"
        );
        assert_eq!(
            choose_data_host(None, None, Some("eu-central-1")),
            "api-mifit-de2.zepp.com"
        );
        assert_eq!(
            choose_data_host(None, None, Some("us-west-2")),
            "api-mifit-us2.zepp.com"
        );
        assert_eq!(
            choose_data_host(None, None, Some("cn-northwest-1")),
            "api-mifit-cn.huami.com"
        );
        assert_eq!(choose_data_host(None, None, Some("ap-x")), GLOBAL_DATA_HOST);
        assert!(is_data_host("api-mifit-de2.zepp.com"));
        assert!(!is_data_host("evil.com"));
        assert!(!is_data_host("api-mifit.huami.com.evil.com"));
        assert!(!is_data_host("api-mifit.huami.com/x?.zepp.com"));
    }

    #[test]
    fn app_token_answer() {
        assert_eq!(
            parse_app_token(200, br#"{"result":"ok","token_info":{"app_token":"N"}}"#)
                .unwrap()
                .expose(),
            "N"
        );
        assert!(parse_app_token(200, br#"{"error_code":"0106"}"#).is_none());
        assert!(parse_app_token(401, b"").is_none());
    }
}
