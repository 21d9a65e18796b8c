//! The API reply envelope `{"code":0,"message":"ok","result":...}` and its error mapping.
//!
//! Pure functions over (status, body): the HTTP layer in [`crate::api`] only fetches.
//! Token expiry shows as HTTP 401/403 or `{"code":2|3,"message":"auth err"|"SERVICETOKEN_EXPIRED"}`
//! (hass-xiaomi-miot `is_token_expired`; openHAB clears the token on 4xx; reference §3.1, §9).

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::Error;
use crate::error::json_reason;
use crate::miot::CloudCode;
use crate::sign::{SignedNonce, decode_reply};

/// A decoded envelope.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Envelope {
    /// 0 on success.
    #[serde(default)]
    pub code: i64,
    /// `ok`, or the error text.
    #[serde(default)]
    pub message: Option<String>,
    /// The payload.
    #[serde(default)]
    pub result: Value,
    /// Other fields.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// Map an HTTP status and a (plaintext or RC4) body to the `result` or a typed error.
///
/// `signed_nonce` is the request's key when it was sent with the RC4 scheme.
pub fn decode_response(
    path: &str,
    status: u16,
    body: &[u8],
    signed_nonce: Option<&SignedNonce>,
) -> Result<Value, Error> {
    if status == 401 || status == 403 {
        return Err(Error::AuthExpired {
            detail: format!("HTTP {status}"),
        });
    }
    let plain = match signed_nonce {
        Some(sn) if status < 400 => decode_reply(body, sn).map_err(|e| Error::Decode {
            path: path.to_owned(),
            reason: e.to_string(),
        })?,
        _ => body.trim_ascii().to_vec(),
    };
    let envelope: Envelope = match serde_json::from_slice(&plain) {
        Ok(e) => e,
        Err(_) if !(200..300).contains(&status) => {
            return Err(Error::HttpStatus {
                path: path.to_owned(),
                status,
            });
        }
        Err(e) => {
            return Err(Error::Decode {
                path: path.to_owned(),
                reason: json_reason(&e),
            });
        }
    };
    check_envelope(path, envelope)
}

/// Map a parsed envelope to its `result` or a typed error.
pub fn check_envelope(path: &str, envelope: Envelope) -> Result<Value, Error> {
    let message = envelope.message.clone().unwrap_or_default();
    let lower = message.to_ascii_lowercase();
    if envelope.code == 0 {
        return Ok(envelope.result);
    }
    if envelope.code == 2
        || envelope.code == 3
        || lower == "auth err"
        || message == "SERVICETOKEN_EXPIRED"
    {
        return Err(Error::AuthExpired {
            detail: format!("code {}: {}", envelope.code, short(&message)),
        });
    }
    if lower.contains("invalid signature") {
        return Err(Error::InvalidSignature {
            path: path.to_owned(),
        });
    }
    if let Some(code) = CloudCode::decode(envelope.code) {
        return Err(Error::Miot {
            path: path.to_owned(),
            code,
        });
    }
    Err(Error::Api {
        path: path.to_owned(),
        code: envelope.code,
        message: short(&message),
    })
}

/// A server message cut to a readable length.
fn short(message: &str) -> String {
    const MAX: usize = 200;
    if message.chars().count() <= MAX {
        message.to_owned()
    } else {
        let mut s: String = message.chars().take(MAX).collect();
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_returns_result() {
        let v = decode_response(
            "/x",
            200,
            br#"{"code":0,"message":"ok","result":{"a":1}}"#,
            None,
        )
        .unwrap();
        assert_eq!(v["a"], 1);
    }

    #[test]
    fn auth_errors() {
        for body in [
            r#"{"code":3,"message":"auth err"}"#,
            r#"{"code":2,"message":"SERVICETOKEN_EXPIRED"}"#,
            r#"{"code":-8,"message":"auth err"}"#,
        ] {
            assert!(
                matches!(
                    decode_response("/x", 200, body.as_bytes(), None),
                    Err(Error::AuthExpired { .. })
                ),
                "{body}"
            );
        }
        assert!(matches!(
            decode_response("/x", 401, b"", None),
            Err(Error::AuthExpired { .. })
        ));
        assert!(matches!(
            decode_response("/x", 403, b"<html>", None),
            Err(Error::AuthExpired { .. })
        ));
    }

    #[test]
    fn other_errors() {
        assert!(matches!(
            decode_response(
                "/x",
                200,
                br#"{"code":-1,"message":"invalid signature"}"#,
                None
            ),
            Err(Error::InvalidSignature { .. })
        ));
        match decode_response(
            "/x",
            200,
            br#"{"code":-704042011,"message":"offline"}"#,
            None,
        ) {
            Err(Error::Miot { code, .. }) => {
                assert_eq!(code.reason, crate::miot::Reason::DeviceOffline)
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            decode_response("/x", 200, br#"{"code":-1,"message":"unknown path"}"#, None),
            Err(Error::Api { code: -1, .. })
        ));
        assert!(matches!(
            decode_response("/x", 404, b"not found", None),
            Err(Error::HttpStatus { status: 404, .. })
        ));
        assert!(matches!(
            decode_response("/x", 200, b"{", None),
            Err(Error::Decode { .. })
        ));
        // An error envelope on a 500 is still read as an envelope.
        assert!(matches!(
            decode_response("/x", 500, br#"{"code":-1,"message":"boom"}"#, None),
            Err(Error::Api { .. })
        ));
    }
}
