//! Property values: validate and coerce what a user gives, decode what a device sends.
//!
//! Rules (`reference/miot-spec.md` §7):
//! - `value-range [min, max, step]`: valid values are `min + k·step` within `[min, max]`
//!   (floats with a tolerance);
//! - `value-list`: only the listed values are valid; a user may name an entry by its value
//!   or by its description (case-insensitive);
//! - `bool`: JSON `true/false`; devices may send `0/1`, so both are accepted when reading;
//!   from the command line `true/false/on/off/yes/no/1/0`;
//! - integer formats are checked against their width;
//! - `hex` is a string of hex digits (§12); other unknown formats pass through.

use std::fmt;

use serde_json::{Number, Value};

use crate::Error;
use crate::spec::{Format, Property, Service, num_f64, num_i128};

/// Where a value comes from; decides how lenient coercion is.
#[derive(Clone, Copy, Debug)]
enum Input<'a> {
    /// Text typed by a user (`on`, `42`, `Silent`).
    Text(&'a str),
    /// JSON from a user (`true`, `42`, `"Silent"`): descriptions and numeric strings allowed.
    Json(&'a Value),
    /// A value on the wire (`set_properties` on a fake device): exact JSON types only,
    /// except `0/1` for `bool`.
    Wire(&'a Value),
}

impl Input<'_> {
    fn shown(&self) -> String {
        match self {
            Input::Text(s) => (*s).to_owned(),
            Input::Json(v) | Input::Wire(v) => match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            },
        }
    }
}

/// A number as read from input: an integer when it is one.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Num {
    Int(i128),
    Float(f64),
}

impl Num {
    fn from_number(n: &Number) -> Num {
        match num_i128(n) {
            Some(i) => Num::Int(i),
            None => Num::Float(num_f64(n)),
        }
    }
    fn parse(s: &str) -> Option<Num> {
        let t = s.trim();
        if let Ok(i) = t.parse::<i128>() {
            return Some(Num::Int(i));
        }
        let f = t.parse::<f64>().ok().filter(|f| f.is_finite())?;
        Some(Num::Float(f))
    }
    fn as_f64(self) -> f64 {
        match self {
            // Precision loss above 2^53 is irrelevant for range checks of real specs.
            #[allow(clippy::cast_precision_loss)]
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
    /// The integer value, also for a float with no fractional part.
    fn as_int(self) -> Option<i128> {
        match self {
            Num::Int(i) => Some(i),
            #[allow(clippy::cast_possible_truncation)]
            Num::Float(f) if f.fract() == 0.0 && f.abs() < 1.0e38 => Some(f as i128),
            Num::Float(_) => None,
        }
    }
    fn same(self, other: Num) -> bool {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => a == b,
            _ => (self.as_f64() - other.as_f64()).abs() <= 1e-9 * self.as_f64().abs().max(1.0),
        }
    }
}

/// A device value decoded for display.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    /// The value as the device sent it.
    pub value: Value,
    /// The value-list description of the value, if the spec lists it.
    pub label: Option<String>,
    /// The display symbol of the unit (`%`, `°C`), if any.
    pub unit: Option<String>,
}

impl fmt::Display for Decoded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(l) = &self.label {
            return f.write_str(l);
        }
        match &self.value {
            Value::String(s) => f.write_str(s)?,
            other => write!(f, "{other}")?,
        }
        match self.unit.as_deref() {
            Some("%") => f.write_str("%"),
            Some(u) => write!(f, " {u}"),
            None => Ok(()),
        }
    }
}

const BOOL_WORDS: &str = "boolean (true/false/on/off/yes/no/1/0)";

fn bool_word(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "on" | "yes" | "1" => Some(true),
        "false" | "off" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// Lowercase letters and digits only: `"Low-Speed"` and `"low speed"` compare equal.
fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl Property {
    /// Coerce text typed by a user into the JSON value to send.
    pub fn coerce_text(&self, text: &str) -> Result<Value, Error> {
        self.coerce(Input::Text(text))
    }

    /// Coerce a JSON value given by a user into the JSON value to send (value-list
    /// descriptions and numeric strings are accepted).
    pub fn coerce_json(&self, value: &Value) -> Result<Value, Error> {
        self.coerce(Input::Json(value))
    }

    /// Check a value received on the wire (e.g. by a fake device in `set_properties`):
    /// exact JSON types, except `0/1` for `bool`.
    pub fn validate(&self, value: &Value) -> Result<(), Error> {
        self.coerce(Input::Wire(value)).map(|_| ())
    }

    /// `Ok` if the property may be read; `name` is how the caller calls it.
    pub fn require_readable(&self, name: &str) -> Result<(), Error> {
        if self.is_readable() {
            Ok(())
        } else {
            Err(Error::NotReadable {
                name: name.to_owned(),
                access: self.access.to_string(),
            })
        }
    }

    /// `Ok` if the property may be written; `name` is how the caller calls it.
    pub fn require_writable(&self, name: &str) -> Result<(), Error> {
        if self.is_writable() {
            Ok(())
        } else {
            Err(Error::NotWritable {
                name: name.to_owned(),
                access: self.access.to_string(),
            })
        }
    }

    /// Decode a value sent by a device for display: value-list description, unit symbol.
    pub fn decode(&self, value: &Value) -> Decoded {
        let value = match (&self.format, value) {
            // Devices may send 0/1 for bool (reference §7).
            (Format::Bool, Value::Number(n)) if n.as_u64() == Some(0) => Value::Bool(false),
            (Format::Bool, Value::Number(n)) if n.as_u64() == Some(1) => Value::Bool(true),
            _ => value.clone(),
        };
        let label = match &value {
            Value::Number(n) => {
                let got = Num::from_number(n);
                self.value_list()
                    .iter()
                    .find(|item| Num::from_number(&item.value).same(got))
                    .map(|item| item.label().into_owned())
            }
            _ => None,
        };
        let unit = match (&value, &self.unit) {
            (Value::Number(_), Some(u)) if label.is_none() => u.symbol().map(str::to_owned),
            _ => None,
        };
        Decoded { value, label, unit }
    }

    /// The value-list entries as `value (description)`, for error messages.
    pub fn allowed_values(&self) -> Vec<String> {
        self.value_list()
            .iter()
            .map(|i| format!("{} ({})", i.value, i.label()))
            .collect()
    }

    fn coerce(&self, input: Input<'_>) -> Result<Value, Error> {
        let list = self.value_list();
        if !list.is_empty() && !matches!(self.format, Format::Bool | Format::String) {
            return self.coerce_listed(input);
        }
        match &self.format {
            Format::Bool => coerce_bool(input),
            Format::Float => self.coerce_float(input),
            Format::String => match input {
                Input::Text(s) => Ok(Value::String(s.to_owned())),
                Input::Json(Value::String(s)) | Input::Wire(Value::String(s)) => {
                    Ok(Value::String(s.clone()))
                }
                _ => Err(wrong(input, "string")),
            },
            Format::Hex => {
                let s = match input {
                    Input::Text(s) => s,
                    Input::Json(Value::String(s)) | Input::Wire(Value::String(s)) => s,
                    _ => return Err(wrong(input, "hex string")),
                };
                if s.is_empty() || !s.bytes().all(|c| c.is_ascii_hexdigit()) {
                    return Err(wrong(input, "hex string"));
                }
                Ok(Value::String(s.to_owned()))
            }
            Format::Unknown(_) => Ok(match input {
                Input::Text(s) => Value::String(s.to_owned()),
                Input::Json(v) | Input::Wire(v) => v.clone(),
            }),
            int => {
                // Invariant: every remaining format is an integer format.
                let (lo, hi) = int.integer_bounds().unwrap_or((i128::MIN, i128::MAX));
                self.coerce_int(input, lo, hi)
            }
        }
    }

    fn coerce_listed(&self, input: Input<'_>) -> Result<Value, Error> {
        let list = self.value_list();
        let num = match input {
            Input::Text(s) => Num::parse(s),
            Input::Json(Value::String(s)) => Num::parse(s),
            Input::Json(Value::Number(n)) | Input::Wire(Value::Number(n)) => {
                Some(Num::from_number(n))
            }
            _ => None,
        };
        if let Some(n) = num
            && let Some(item) = list.iter().find(|i| Num::from_number(&i.value).same(n))
        {
            return Ok(Value::Number(item.value.clone()));
        }
        let text = match input {
            Input::Text(s) => Some(s.trim()),
            Input::Json(Value::String(s)) => Some(s.trim()),
            _ => None,
        };
        if let Some(t) = text.filter(|t| !t.is_empty()) {
            let exact = list.iter().find(|i| i.label().eq_ignore_ascii_case(t));
            let loose = || {
                let n = normalise(t);
                list.iter()
                    .find(|i| !n.is_empty() && normalise(&i.label()) == n)
            };
            if let Some(item) = exact.or_else(loose) {
                return Ok(Value::Number(item.value.clone()));
            }
        }
        Err(Error::NotInList {
            value: input.shown(),
            allowed: self.allowed_values(),
        })
    }

    fn number_of(input: Input<'_>) -> Option<Num> {
        match input {
            Input::Text(s) => Num::parse(s),
            Input::Json(Value::String(s)) => Num::parse(s),
            Input::Json(Value::Number(n)) | Input::Wire(Value::Number(n)) => {
                Some(Num::from_number(n))
            }
            _ => None,
        }
    }

    fn coerce_int(&self, input: Input<'_>, lo: i128, hi: i128) -> Result<Value, Error> {
        let v = Self::number_of(input)
            .and_then(Num::as_int)
            .ok_or_else(|| wrong(input, "integer"))?;
        if v < lo || v > hi {
            return Err(Error::OutOfFormat {
                value: input.shown(),
                format: self.format.to_string(),
                min: lo,
                max: hi,
            });
        }
        if let Some(r) = &self.value_range {
            match r.as_i128() {
                Some((min, max, step)) => {
                    if v < min || v > max {
                        return Err(self.range_error(input, false));
                    }
                    if step != 0 && (v - min) % step.abs() != 0 {
                        return Err(self.range_error(input, true));
                    }
                }
                None => self.check_float_range(input, Num::Int(v).as_f64())?,
            }
        }
        // Invariant: v is within the format's bounds, all of which fit i64 or u64.
        let n = i64::try_from(v)
            .map(Number::from)
            .or_else(|_| u64::try_from(v).map(Number::from))
            .map_err(|_| wrong(input, "integer"))?;
        Ok(Value::Number(n))
    }

    fn coerce_float(&self, input: Input<'_>) -> Result<Value, Error> {
        let v = Self::number_of(input)
            .map(Num::as_f64)
            .filter(|f| f.is_finite())
            .ok_or_else(|| wrong(input, "number"))?;
        self.check_float_range(input, v)?;
        let n = Number::from_f64(v).ok_or_else(|| wrong(input, "number"))?;
        Ok(Value::Number(n))
    }

    fn check_float_range(&self, input: Input<'_>, v: f64) -> Result<(), Error> {
        let Some(r) = &self.value_range else {
            return Ok(());
        };
        let (min, max, step) = r.as_f64();
        let eps = 1e-9 * min.abs().max(max.abs()).max(1.0);
        if !(v >= min - eps && v <= max + eps) {
            return Err(self.range_error(input, false));
        }
        let step = step.abs();
        if step > 0.0 {
            let k = (v - min) / step;
            if (k - k.round()).abs() > 1e-6 {
                return Err(self.range_error(input, true));
            }
        }
        Ok(())
    }

    fn range_error(&self, input: Input<'_>, step_only: bool) -> Error {
        let (min, max, step) = self
            .value_range
            .as_ref()
            .map_or((f64::NAN, f64::NAN, f64::NAN), |r| r.as_f64());
        let value = input.shown();
        if step_only {
            Error::NotOnStep {
                value,
                min,
                max,
                step,
            }
        } else {
            Error::OutOfRange {
                value,
                min,
                max,
                step,
            }
        }
    }
}

impl Service {
    /// The properties named by action `aiid`'s `in` list, in order (`in` holds piids of
    /// this same service, `reference/miot-spec.md` §5.1).
    fn action_inputs(&self, aiid: u32) -> Result<(String, Vec<&Property>), Error> {
        let action = self.action(aiid).ok_or(Error::UnknownIid {
            kind: "action",
            siid: self.iid,
            iid: Some(aiid),
        })?;
        let props = action
            .in_
            .as_slice()
            .iter()
            .map(|&piid| {
                self.property(piid).ok_or(Error::UnknownIid {
                    kind: "property",
                    siid: self.iid,
                    iid: Some(piid),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok((format!("{}.{}", self.iid, aiid), props))
    }

    fn check_args<T>(
        &self,
        aiid: u32,
        given: &[T],
        mut each: impl FnMut(&Property, &T) -> Result<Value, Error>,
    ) -> Result<Vec<Value>, Error> {
        let (action, props) = self.action_inputs(aiid)?;
        if props.len() != given.len() {
            return Err(Error::ArgumentCount {
                action,
                expected: props.len(),
                got: given.len(),
                arguments: props.iter().map(|p| p.description.clone()).collect(),
            });
        }
        props
            .iter()
            .zip(given)
            .enumerate()
            .map(|(i, (p, g))| {
                each(p, g).map_err(|e| Error::Argument {
                    action: action.clone(),
                    position: i + 1,
                    property: format!("{}.{}", self.iid, p.iid),
                    source: Box::new(e),
                })
            })
            .collect()
    }

    /// Coerce user texts into the `in` values of action `aiid`. Argument properties need no
    /// access rights (`access: []` is the norm for them).
    pub fn coerce_action_in(&self, aiid: u32, texts: &[&str]) -> Result<Vec<Value>, Error> {
        self.check_args(aiid, texts, |p, t| p.coerce_text(t))
    }

    /// Check wire `in` values of action `aiid` (a fake device answers `-4006` on error):
    /// their number, then each against its property's rules.
    pub fn validate_action_in(&self, aiid: u32, values: &[Value]) -> Result<(), Error> {
        self.check_args(aiid, values, |p, v| p.validate(v).map(|()| Value::Null))
            .map(|_| ())
    }
}

fn coerce_bool(input: Input<'_>) -> Result<Value, Error> {
    let b = match input {
        Input::Text(s) => bool_word(s),
        Input::Json(Value::String(s)) => bool_word(s),
        Input::Json(Value::Bool(b)) | Input::Wire(Value::Bool(b)) => Some(*b),
        Input::Json(Value::Number(n)) | Input::Wire(Value::Number(n)) => match n.as_u64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        _ => None,
    };
    b.map(Value::Bool).ok_or_else(|| wrong(input, BOOL_WORDS))
}

fn wrong(input: Input<'_>, expected: &'static str) -> Error {
    Error::WrongType {
        value: input.shown(),
        expected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // python-miio fixtures miio/tests/fixtures/miot/{boolean,enum,ranged}_property.json
    const BOOL: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/miot-spec/python-miio/miot/boolean_property.json"
    ));
    const ENUM: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/miot-spec/python-miio/miot/enum_property.json"
    ));
    const RANGED: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/miot-spec/python-miio/miot/ranged_property.json"
    ));

    fn prop(j: &str) -> Property {
        Property::from_json(j).unwrap()
    }

    #[test]
    fn bool_words() {
        let p = prop(BOOL);
        for (w, b) in [
            ("on", true),
            ("OFF", false),
            ("Yes", true),
            ("no", false),
            ("1", true),
            ("0", false),
            ("true", true),
            (" false ", false),
        ] {
            assert_eq!(p.coerce_text(w).unwrap(), json!(b), "{w}");
        }
        assert!(matches!(
            p.coerce_text("maybe"),
            Err(Error::WrongType { .. })
        ));
        assert_eq!(p.coerce_json(&json!(1)).unwrap(), json!(true));
        assert!(p.validate(&json!(0)).is_ok());
        assert!(p.validate(&json!("on")).is_err());
        assert_eq!(p.decode(&json!(1)).to_string(), "true");
    }

    #[test]
    fn enum_by_value_or_description() {
        let p = prop(ENUM);
        assert_eq!(p.coerce_text("2").unwrap(), json!(2));
        assert_eq!(p.coerce_text("strong").unwrap(), json!(3));
        assert_eq!(p.coerce_json(&json!("SILENT")).unwrap(), json!(1));
        assert_eq!(p.coerce_json(&json!(3)).unwrap(), json!(3));
        match p.coerce_text("turbo") {
            Err(Error::NotInList { value, allowed }) => {
                assert_eq!(value, "turbo");
                assert_eq!(allowed, ["1 (Silent)", "2 (Basic)", "3 (Strong)"]);
            }
            other => panic!("{other:?}"),
        }
        assert!(p.coerce_text("4").is_err());
        // On the wire a description is not a value.
        assert!(p.validate(&json!("Silent")).is_err());
        assert!(p.validate(&json!(2)).is_ok());
        let d = p.decode(&json!(2));
        assert_eq!(d.label.as_deref(), Some("Basic"));
        assert_eq!(d.to_string(), "Basic");
        assert_eq!(p.decode(&json!(9)).to_string(), "9");
    }

    #[test]
    fn ranged_integer() {
        let p = prop(RANGED); // uint8, [1, 100, 1], percentage
        assert_eq!(p.coerce_text("100").unwrap(), json!(100));
        assert_eq!(p.coerce_text("50.0").unwrap(), json!(50));
        match p.coerce_text("0") {
            Err(Error::OutOfRange { min, max, step, .. }) => {
                assert_eq!((min, max, step), (1.0, 100.0, 1.0))
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            p.coerce_text("300"),
            Err(Error::OutOfFormat { max: 255, .. })
        ));
        assert!(matches!(
            p.coerce_text("-1"),
            Err(Error::OutOfFormat { min: 0, .. })
        ));
        assert!(matches!(p.coerce_text("5.5"), Err(Error::WrongType { .. })));
        assert!(p.validate(&json!("5")).is_err());
        assert_eq!(p.decode(&json!(42)).to_string(), "42%");
        let msg = p.coerce_text("0").unwrap_err().to_string();
        assert_eq!(msg, "0 is out of range: allowed 1..=100 (step 1)");
    }

    #[test]
    fn steps_and_floats() {
        let p = prop(
            r#"{"iid":1,"type":"t","description":"d","format":"float","access":["write"],
                "unit":"celsius","value-range":[16,30.5,0.5]}"#,
        );
        assert_eq!(p.coerce_text("16.5").unwrap(), json!(16.5));
        assert_eq!(p.coerce_text("30.5").unwrap(), json!(30.5));
        assert!(matches!(
            p.coerce_text("16.2"),
            Err(Error::NotOnStep { .. })
        ));
        assert!(matches!(p.coerce_text("31"), Err(Error::OutOfRange { .. })));
        assert!(p.coerce_text("NaN").is_err());
        assert!(p.coerce_text("inf").is_err());
        assert_eq!(p.decode(&json!(21.5)).to_string(), "21.5 °C");
        let q = prop(
            r#"{"iid":1,"type":"t","description":"d","format":"uint16","access":["write"],
                "value-range":[10,100,5]}"#,
        );
        assert_eq!(q.coerce_text("15").unwrap(), json!(15));
        assert!(matches!(q.coerce_text("17"), Err(Error::NotOnStep { .. })));
    }

    #[test]
    fn strings_and_hex() {
        let s = prop(r#"{"iid":1,"type":"t","description":"d","format":"string","access":[]}"#);
        assert_eq!(s.coerce_text("hello").unwrap(), json!("hello"));
        assert!(s.coerce_json(&json!(1)).is_err());
        let h = prop(r#"{"iid":1,"type":"t","description":"d","format":"hex","access":[]}"#);
        assert_eq!(h.coerce_text("00ff").unwrap(), json!("00ff"));
        assert!(h.coerce_text("zz").is_err());
        assert!(h.coerce_text("").is_err());
        let u = prop(r#"{"iid":1,"type":"t","description":"d","format":"vec3","access":[]}"#);
        assert_eq!(u.coerce_json(&json!([1, 2])).unwrap(), json!([1, 2]));
    }

    #[test]
    fn access_errors() {
        let p = prop(r#"{"iid":2,"type":"t","description":"d","format":"uint8","access":[]}"#);
        let e = p
            .require_readable("pet-feeder.feeding-measure")
            .unwrap_err();
        assert!(matches!(e, Error::NotReadable { .. }));
        assert_eq!(
            e.to_string(),
            "property pet-feeder.feeding-measure is not readable (access: [])"
        );
        assert!(matches!(
            p.require_writable("x"),
            Err(Error::NotWritable { .. })
        ));
        assert!(prop(BOOL).require_writable("x").is_ok());
    }

    #[test]
    fn empty_description_label() {
        let p = prop(
            r#"{"iid":1,"type":"t","description":"d","format":"uint8","access":["read"],
                "value-list":[{"value":0,"description":""},{"value":1,"description":"Low Speed"}]}"#,
        );
        assert_eq!(p.decode(&json!(0)).to_string(), "0");
        assert_eq!(p.coerce_text("low-speed").unwrap(), json!(1));
        assert_eq!(p.coerce_text("LOW SPEED").unwrap(), json!(1));
    }
}
