//! The JSON-RPC layer carried inside packets: requests, responses, device errors, and the two
//! JSON styles seen on the wire.

use std::io;

use serde::ser::{SerializeMap, Serializer as _};
use serde_json::ser::{CompactFormatter, Formatter, Serializer};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::lenient;

/// Well-known miIO RPC `error.code` values (reference `miio-lan.md` §9).
pub mod code {
    /// Invalid argument (node miio `lib/network.js`).
    pub const INVALID_ARG: i64 = -5001;
    /// Params error (node miio `lib/network.js`).
    pub const PARAMS_ERROR: i64 = -5005;
    /// "user ack timeout": transient, retried (python-miio PR #1363).
    pub const USER_ACK_TIMEOUT: i64 = -9999;
    /// Method not supported (node miio `lib/network.js`).
    pub const METHOD_NOT_FOUND: i64 = -10000;
    /// "resp invalid json": transient, retried (python-miio commit f08b6153, #449).
    pub const RESP_INVALID_JSON: i64 = -30001;

    /// Codes python-miio treats as recoverable: retry with the next id, no re-handshake.
    pub const RECOVERABLE: [i64; 2] = [USER_ACK_TIMEOUT, RESP_INVALID_JSON];

    /// MIoT per-item codes (`he0119/arduino-miio:src/miio/device/typedef/operation_code.h`).
    pub mod miot {
        /// Success.
        pub const OK: i64 = 0;
        /// Request received, operation not finished yet.
        pub const PENDING: i64 = 1;
        /// Property not readable.
        pub const NOT_READABLE: i64 = -4001;
        /// Property not writable.
        pub const NOT_WRITABLE: i64 = -4002;
        /// Property, action or event does not exist.
        pub const NOT_FOUND: i64 = -4003;
        /// Other internal error.
        pub const INTERNAL: i64 = -4004;
        /// Property value error.
        pub const VALUE_ERROR: i64 = -4005;
        /// Action `in` parameter error.
        pub const ACTION_IN_ERROR: i64 = -4006;
        /// Did error.
        pub const DID_ERROR: i64 = -4007;
    }
}

/// An RPC error object `{"code": N, "message": "..."}` as sent by a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceError {
    /// `error.code`.
    pub code: i64,
    /// `error.message`.
    pub message: String,
}

impl DeviceError {
    /// A device error with any code.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// `-10000` method not supported.
    pub fn method_not_found(method: &str) -> Self {
        Self::new(
            code::METHOD_NOT_FOUND,
            format!("method not supported: {method}"),
        )
    }

    /// `-5001` invalid argument.
    pub fn invalid_arg(message: impl Into<String>) -> Self {
        Self::new(code::INVALID_ARG, message)
    }

    /// `-9999` "user ack timeout".
    pub fn user_ack_timeout() -> Self {
        Self::new(code::USER_ACK_TIMEOUT, "user ack timeout")
    }

    /// True for the codes a client retries (-9999, -30001).
    pub fn is_recoverable(&self) -> bool {
        code::RECOVERABLE.contains(&self.code)
    }

    /// Read an `error` value leniently: an object with `code` and `message` (or `error`, as
    /// python-miio's simulators write it), or a bare string.
    fn from_value(v: &Value) -> Self {
        match v {
            Value::Object(o) => {
                let code = o.get("code").and_then(Value::as_i64).unwrap_or(0);
                let message = o
                    .get("message")
                    .or_else(|| o.get("error"))
                    .map(|m| m.as_str().map_or_else(|| m.to_string(), str::to_owned))
                    .unwrap_or_default();
                Self { code, message }
            }
            Value::String(s) => Self {
                code: 0,
                message: s.clone(),
            },
            other => Self {
                code: 0,
                message: other.to_string(),
            },
        }
    }

    fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("code".into(), self.code.into());
        m.insert("message".into(), self.message.clone().into());
        Value::Object(m)
    }
}

impl std::fmt::Display for DeviceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "device error {}: {}", self.code, self.message)
    }
}

impl std::error::Error for DeviceError {}

/// How JSON is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JsonStyle {
    /// Compact JSON without a trailing NUL, like node miio and real devices (default).
    #[default]
    Compact,
    /// python-miio's `json.dumps` output: `", "` and `": "` separators, non-ASCII escaped as
    /// `\uXXXX`, and one trailing `\x00` (`EncryptionAdapter._encode`).
    Python,
}

/// serde_json formatter reproducing Python's `json.dumps` defaults.
struct PythonFormatter;

impl Formatter for PythonFormatter {
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        if fragment.is_ascii() {
            return w.write_all(fragment.as_bytes());
        }
        let mut units = [0u16; 2];
        for ch in fragment.chars() {
            if ch.is_ascii() {
                w.write_all(&[ch as u8])?;
            } else {
                for u in ch.encode_utf16(&mut units) {
                    write!(w, "\\u{u:04x}")?;
                }
            }
        }
        Ok(())
    }
}

/// Serialise `fields` (an ordered list of top-level keys) in `style` into `out`.
fn write_object(
    out: &mut Vec<u8>,
    style: JsonStyle,
    fields: &[(&str, &Value)],
    extra: &Map<String, Value>,
) {
    fn emit<F: Formatter>(
        ser: &mut Serializer<&mut Vec<u8>, F>,
        fields: &[(&str, &Value)],
        extra: &Map<String, Value>,
    ) -> serde_json::Result<()> {
        let mut map = ser.serialize_map(Some(fields.len() + extra.len()))?;
        for (k, v) in fields {
            map.serialize_entry(k, v)?;
        }
        for (k, v) in extra {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
    // Invariant: serialising a serde_json::Value into a Vec<u8> cannot fail (no I/O errors, and
    // every map key is a string), so the result is ignored.
    let _ = match style {
        JsonStyle::Compact => emit(
            &mut Serializer::with_formatter(&mut *out, CompactFormatter),
            fields,
            extra,
        ),
        JsonStyle::Python => emit(
            &mut Serializer::with_formatter(&mut *out, PythonFormatter),
            fields,
            extra,
        ),
    };
    if style == JsonStyle::Python {
        out.push(0);
    }
}

fn id_of(o: &Map<String, Value>) -> Result<u64> {
    match o.get("id") {
        Some(v) => v.as_u64().ok_or_else(|| Error::UnexpectedMessage {
            reason: format!("\"id\" is not a non-negative integer: {v}"),
        }),
        None => Err(Error::UnexpectedMessage {
            reason: "no \"id\"".into(),
        }),
    }
}

fn into_object(v: Value) -> Result<Map<String, Value>> {
    match v {
        Value::Object(o) => Ok(o),
        other => Err(Error::UnexpectedMessage {
            reason: format!("expected a JSON object, got {}", kind(&other)),
        }),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A JSON-RPC request `{"id", "method", "params", ...extra}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Message id; devices echo it.
    pub id: u64,
    /// Method name (`miIO.info`, `get_properties`, ...).
    pub method: String,
    /// Parameters: a list or an object (`[]` when absent).
    pub params: Value,
    /// Extra top-level keys (`sid` for gateway sub-devices, python-miio `extra_parameters`).
    pub extra: Map<String, Value>,
}

impl Request {
    /// A request without extra keys.
    pub fn new(id: u64, method: impl Into<String>, params: Value) -> Self {
        Self {
            id,
            method: method.into(),
            params,
            extra: Map::new(),
        }
    }

    /// Append the JSON of this request to `out` (keys in the order id, method, params, extra).
    pub fn write_json(&self, style: JsonStyle, out: &mut Vec<u8>) {
        let id = Value::from(self.id);
        let method = Value::String(self.method.clone());
        write_object(
            out,
            style,
            &[("id", &id), ("method", &method), ("params", &self.params)],
            &self.extra,
        );
    }

    /// The JSON of this request.
    pub fn to_json(&self, style: JsonStyle) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        self.write_json(style, &mut out);
        out
    }

    /// Parse a decrypted request payload (lenient: trailing NULs and firmware quirks).
    pub fn parse(payload: &[u8]) -> Result<Self> {
        let mut o = into_object(lenient::decode(payload)?)?;
        let id = id_of(&o)?;
        o.remove("id");
        let method = match o.remove("method") {
            Some(Value::String(m)) => m,
            Some(v) => {
                return Err(Error::UnexpectedMessage {
                    reason: format!("\"method\" is {}", kind(&v)),
                });
            }
            None => {
                return Err(Error::UnexpectedMessage {
                    reason: "no \"method\"".into(),
                });
            }
        };
        let params = o
            .remove("params")
            .unwrap_or_else(|| Value::Array(Vec::new()));
        Ok(Self {
            id,
            method,
            params,
            extra: o,
        })
    }
}

/// A JSON-RPC response: `{"id", "result"}` or `{"id", "error": {"code", "message"}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// Echoed request id.
    pub id: u64,
    /// The result, or the device's error object. A reply with neither carries the whole
    /// payload as its result, as python-miio (`miioprotocol.py send`) returns it.
    pub outcome: std::result::Result<Value, DeviceError>,
    /// `exe_time` in milliseconds, which many real devices add.
    pub exe_time: Option<u64>,
    /// Other top-level keys.
    pub extra: Map<String, Value>,
}

impl Response {
    /// A success response.
    pub fn ok(id: u64, result: Value) -> Self {
        Self {
            id,
            outcome: Ok(result),
            exe_time: None,
            extra: Map::new(),
        }
    }

    /// An error response.
    pub fn error(id: u64, error: DeviceError) -> Self {
        Self {
            id,
            outcome: Err(error),
            exe_time: None,
            extra: Map::new(),
        }
    }

    /// Append the JSON of this response to `out` (id first, then result or error, exe_time).
    pub fn write_json(&self, style: JsonStyle, out: &mut Vec<u8>) {
        let id = Value::from(self.id);
        let err;
        let exe;
        let mut fields: Vec<(&str, &Value)> = Vec::with_capacity(3);
        fields.push(("id", &id));
        match &self.outcome {
            Ok(v) => fields.push(("result", v)),
            Err(e) => {
                err = e.to_value();
                fields.push(("error", &err));
            }
        }
        if let Some(t) = self.exe_time {
            exe = Value::from(t);
            fields.push(("exe_time", &exe));
        }
        write_object(out, style, &fields, &self.extra);
    }

    /// The JSON of this response.
    pub fn to_json(&self, style: JsonStyle) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        self.write_json(style, &mut out);
        out
    }

    /// Parse a decrypted response payload (lenient: trailing NULs and firmware quirks).
    pub fn parse(payload: &[u8]) -> Result<Self> {
        let mut o = into_object(lenient::decode(payload)?)?;
        let id = id_of(&o)?;
        let exe_time = o.get("exe_time").and_then(Value::as_u64);
        let outcome = if let Some(e) = o.get("error") {
            Err(DeviceError::from_value(e))
        } else if let Some(r) = o.remove("result") {
            Ok(r)
        } else {
            return Ok(Self {
                id,
                outcome: Ok(Value::Object(o)),
                exe_time,
                extra: Map::new(),
            });
        };
        o.remove("id");
        o.remove("error");
        o.remove("exe_time");
        Ok(Self {
            id,
            outcome,
            exe_time,
            extra: o,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn python_style_matches_json_dumps() {
        // python-miio Message.build plaintext, reference miio-lan.md §10.3
        let r = Request::new(1, "miIO.info", json!([]));
        assert_eq!(
            r.to_json(JsonStyle::Python),
            b"{\"id\": 1, \"method\": \"miIO.info\", \"params\": []}\0"
        );
        assert_eq!(
            r.to_json(JsonStyle::Compact),
            b"{\"id\":1,\"method\":\"miIO.info\",\"params\":[]}"
        );
        let r = Request::new(2, "x", json!(["é😀"]));
        assert_eq!(
            String::from_utf8(r.to_json(JsonStyle::Python)).unwrap(),
            "{\"id\": 2, \"method\": \"x\", \"params\": [\"\\u00e9\\ud83d\\ude00\"]}\0"
        );
    }

    #[test]
    fn request_parse_keeps_extra_and_defaults_params() {
        let r = Request::parse(b"{\"id\":5,\"method\":\"m\",\"sid\":\"lumi.1\"}\0").unwrap();
        assert_eq!(r.params, json!([]));
        assert_eq!(r.extra["sid"], json!("lumi.1"));
        let again = Request::parse(&r.to_json(JsonStyle::Compact)).unwrap();
        assert_eq!(again, r);
        assert!(matches!(
            Request::parse(b"{\"method\":\"m\"}"),
            Err(Error::UnexpectedMessage { .. })
        ));
        assert!(matches!(
            Request::parse(b"[1]"),
            Err(Error::UnexpectedMessage { .. })
        ));
        assert!(matches!(
            Request::parse(b"{\"id\":-1,\"method\":\"m\"}"),
            Err(Error::UnexpectedMessage { .. })
        ));
    }

    #[test]
    fn response_shapes() {
        // skysilver-lab/php-miio #12 error sample with exe_time
        let r = Response::parse(b"{\"id\":15,\"error\":{\"code\":-9999,\"message\":\"user ack timeout\"},\"exe_time\":4002}")
            .unwrap();
        assert_eq!(r.id, 15);
        assert_eq!(r.exe_time, Some(4002));
        let e = r.outcome.unwrap_err();
        assert!(e.is_recoverable());
        assert_eq!(e, DeviceError::user_ack_timeout());
        // python-miio simulator error shape: {"code", "error"}
        let r = Response::parse(b"{\"id\":1,\"error\":{\"code\":-2,\"error\":\"unsupported\"}}")
            .unwrap();
        assert_eq!(r.outcome.unwrap_err().message, "unsupported");
        // neither result nor error: the whole payload
        let r = Response::parse(b"{\"id\":2,\"exe_time\":0}").unwrap();
        assert_eq!(r.outcome.unwrap(), json!({"id":2,"exe_time":0}));
        // round trip
        let mut r = Response::ok(7, json!(["ok"]));
        r.exe_time = Some(3);
        assert_eq!(
            r.to_json(JsonStyle::Compact),
            b"{\"id\":7,\"result\":[\"ok\"],\"exe_time\":3}"
        );
        assert_eq!(Response::parse(&r.to_json(JsonStyle::Python)).unwrap(), r);
        let e = Response::error(8, DeviceError::method_not_found("foo"));
        assert_eq!(Response::parse(&e.to_json(JsonStyle::Compact)).unwrap(), e);
    }
}
