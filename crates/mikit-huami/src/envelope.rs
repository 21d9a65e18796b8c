//! The v1 "code" envelope `{"code":1,"message":"success","data":…}` and its error bodies
//! (reference `huami-cloud.md` §2.2, §2.3, §5.2).

use serde_json::Value;

use crate::error::Error;

/// What a v1 envelope says, before it is turned into items or an [`Error`].
#[derive(Clone, Debug, PartialEq)]
pub enum Envelope {
    /// `code == 1`: the `data` payload (`Null` when absent).
    Success(Value),
    /// `{"code":0,"message":"invalid token","data":{"code":"0102"}}` (mimotion issue #13).
    InvalidToken,
    /// `{"code":12,"message":"too many requests"}` (mimotion-for-email issue #9).
    TooManyRequests,
    /// `{"code":-50000}`: missing `appPlatform`/`appname` headers (EVAN `docs/api-reference.md`).
    MissingHeaders,
    /// Any other code.
    Other {
        /// The envelope code.
        code: i64,
        /// The envelope message (empty when absent).
        message: String,
    },
}

/// Parse a v1 envelope body. `Err` when the body is not a JSON object with a numeric `code`.
pub fn parse_envelope(body: &[u8]) -> Result<Envelope, String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
    let obj = v.as_object().ok_or("not a JSON object")?;
    let code = obj
        .get("code")
        .and_then(crate::summary::as_i64)
        .ok_or("no numeric \"code\"")?;
    let message = obj
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let data = obj.get("data").cloned().unwrap_or(Value::Null);
    let inner_code = data.get("code").and_then(|c| match c {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(format!("{n:0>4}")),
        _ => None,
    });
    Ok(match code {
        1 => Envelope::Success(data),
        0 if inner_code.as_deref() == Some("0102") || message == "invalid token" => {
            Envelope::InvalidToken
        }
        12 => Envelope::TooManyRequests,
        -50000 => Envelope::MissingHeaders,
        code => Envelope::Other { code, message },
    })
}

/// The items of a successful envelope's `data`: a list, or (defensively, WEDDLE) an object
/// keyed by date whose values are items — those get the key as `date_time` when they lack one.
pub fn items_of(data: Value) -> Result<Vec<Value>, String> {
    match data {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => Ok(items),
        Value::Object(map) => Ok(map
            .into_iter()
            .map(|(key, mut item)| {
                if let Value::Object(o) = &mut item {
                    o.entry("date_time").or_insert(Value::String(key));
                }
                item
            })
            .collect()),
        other => Err(format!("\"data\" is neither a list nor an object: {other}")
            .chars()
            .take(120)
            .collect()),
    }
}

/// Parse a `band_data.json` answer body into raw day items, mapping the documented error
/// bodies to [`Error`]s.
pub fn decode_band_data(body: &[u8]) -> Result<Vec<Value>, Error> {
    let bad = |reason: String| Error::BadResponse {
        during: "band data",
        reason,
    };
    match parse_envelope(body).map_err(bad)? {
        Envelope::Success(data) => items_of(data).map_err(bad),
        Envelope::InvalidToken => Err(Error::InvalidToken),
        Envelope::TooManyRequests => Err(Error::RateLimited {
            during: "band data",
            retry_after_secs: None,
        }),
        Envelope::MissingHeaders => Err(Error::MissingHeaders),
        Envelope::Other { code, message } => Err(Error::Api { code, message }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_of_the_reference() {
        // §2.3, fixtures/huami/login_responses.json ids v1_data_invalid_token, v1_tokens_rate_limited,
        // data_missing_headers.
        assert_eq!(
            parse_envelope(br#"{"code":0,"message":"invalid token","data":{"code":"0102"}}"#)
                .unwrap(),
            Envelope::InvalidToken
        );
        assert_eq!(
            parse_envelope(br#"{"code":12,"message":"too many requests"}"#).unwrap(),
            Envelope::TooManyRequests
        );
        assert_eq!(
            parse_envelope(br#"{"code": -50000}"#).unwrap(),
            Envelope::MissingHeaders
        );
        assert!(matches!(
            parse_envelope(br#"{"code":7,"message":"x"}"#).unwrap(),
            Envelope::Other { code: 7, .. }
        ));
        assert!(parse_envelope(b"<html>").is_err());
        assert!(parse_envelope(b"[1]").is_err());
    }

    #[test]
    fn data_keyed_by_date() {
        let items = decode_band_data(
            br#"{"code":1,"message":"success","data":{"2026-02-06":{"summary":"e30="}}}"#,
        )
        .unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["date_time"], "2026-02-06");
    }

    #[test]
    fn empty_and_null_data() {
        assert!(
            decode_band_data(br#"{"code":1,"message":"success","data":[]}"#)
                .unwrap()
                .is_empty()
        );
        assert!(
            decode_band_data(br#"{"code":1,"message":"success"}"#)
                .unwrap()
                .is_empty()
        );
        assert!(decode_band_data(br#"{"code":1,"data":5}"#).is_err());
    }
}
