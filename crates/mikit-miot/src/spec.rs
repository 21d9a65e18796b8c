//! The instance spec model: `/miot-spec-v2/instance?type=<urn>` exactly as served.
//!
//! Shape and field statistics: `reference/miot-spec.md` §5 (18,345 specs of the 2022
//! `NRCHKB/mihome:src/miot-spec/devices/` dump). What the model keeps so that every spec
//! round-trips to an equal `serde_json::Value`:
//!
//! - `properties` / `actions` / `events` may be absent (kept as `None`, not `[]`);
//! - `access` is a set in any order, possibly empty; the order seen is kept for printing;
//!   `access: null` (served by a few real specs) is read as the empty set and kept as `null`;
//! - `format` knows the documented formats, `hex`, and keeps any other string;
//! - `unit` is a free string (typos such as `arcdegress` are real);
//! - `value-range` / `value-list` numbers keep their integer-or-float form;
//! - action `in` / `out` and event `arguments` distinguish absent, `null` (9 real actions
//!   have `out: null`) and a list;
//! - every unknown key (`source`, `gatt-access`, future ones) is kept in `extra`.
//!
//! Deserialization is written by hand (no `#[serde(flatten)]` on the read side): flatten makes
//! serde buffer every map into an intermediate tree before matching fields. Keys are
//! borrowed from the input, `access` is packed into an integer and common units are static
//! strings, so the hot path allocates only the strings and lists a spec really holds
//! (`benches/spec_parse.rs`).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeSeq, Serializer};
use serde_json::{Map, Number, Value};

use crate::Error;
use crate::names::Location;
use crate::urn::Urn;

/// A full device instance spec (`/miot-spec-v2/instance?type=<urn>`).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Instance {
    /// The device URN, e.g. `urn:miot-spec-v2:device:outlet:0000A002:lfsmt-ls002:1`.
    #[serde(rename = "type")]
    pub type_: String,
    /// Human description (English as served).
    pub description: String,
    /// The services, in spec order.
    pub services: Vec<Service>,
    /// Keys this model does not know, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One service of an instance.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Service {
    /// Service id (`siid`), unique within the instance.
    pub iid: u32,
    /// Service URN (may use a vendor namespace).
    #[serde(rename = "type")]
    pub type_: String,
    /// Human description.
    pub description: String,
    /// Properties; `None` when the key is absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<Vec<Property>>,
    /// Actions; `None` when the key is absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<Action>>,
    /// Events; `None` when the key is absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<Event>>,
    /// Keys this model does not know, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One property of a service.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Property {
    /// Property id (`piid`), unique within the service.
    pub iid: u32,
    /// Property URN.
    #[serde(rename = "type")]
    pub type_: String,
    /// Human description.
    pub description: String,
    /// Value format.
    pub format: Format,
    /// Access rights (a set; the served order is kept).
    pub access: Access,
    /// Unit, a free string (`percentage`, `celsius`, the literal `none`, typos...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<Unit>,
    /// `[min, max, step]`.
    #[serde(rename = "value-range", skip_serializing_if = "Option::is_none")]
    pub value_range: Option<ValueRange>,
    /// The allowed values with descriptions.
    #[serde(rename = "value-list", skip_serializing_if = "Option::is_none")]
    pub value_list: Option<Vec<ValueListItem>>,
    /// Keys this model does not know (`source`, `gatt-access`, ...), kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One action of a service.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Action {
    /// Action id (`aiid`), unique within the service.
    pub iid: u32,
    /// Action URN.
    #[serde(rename = "type")]
    pub type_: String,
    /// Human description.
    pub description: String,
    /// piids (same service) of the input arguments, in order.
    #[serde(rename = "in", skip_serializing_if = "IidList::is_absent")]
    pub in_: IidList,
    /// piids (same service) of the outputs, in order.
    #[serde(skip_serializing_if = "IidList::is_absent")]
    pub out: IidList,
    /// Keys this model does not know, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One event of a service.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Event {
    /// Event id (`eiid`), unique within the service.
    pub iid: u32,
    /// Event URN.
    #[serde(rename = "type")]
    pub type_: String,
    /// Human description.
    pub description: String,
    /// piids (same service) of the arguments, in order.
    #[serde(skip_serializing_if = "IidList::is_absent")]
    pub arguments: IidList,
    /// Keys this model does not know, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A list of piids as served: absent, `null`, or a list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum IidList {
    /// The key was not present.
    #[default]
    Absent,
    /// The key was `null` (9 real actions have `out: null`; treated as empty,
    /// `reference/miot-spec.md` §12).
    Null,
    /// A list of piids.
    List(Vec<u32>),
}

impl IidList {
    /// The piids (empty for absent and `null`).
    pub fn as_slice(&self) -> &[u32] {
        match self {
            IidList::List(v) => v,
            IidList::Absent | IidList::Null => &[],
        }
    }
    /// Whether the key was absent.
    pub fn is_absent(&self) -> bool {
        matches!(self, IidList::Absent)
    }
}

impl Serialize for IidList {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            IidList::Absent | IidList::Null => s.serialize_unit(),
            IidList::List(v) => v.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for IidList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Option::<Vec<u32>>::deserialize(d)? {
            None => IidList::Null,
            Some(v) => IidList::List(v),
        })
    }
}

/// The value format of a property.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// `bool`
    Bool,
    /// `uint8`
    Uint8,
    /// `uint16`
    Uint16,
    /// `uint32`
    Uint32,
    /// `int8`
    Int8,
    /// `int16`
    Int16,
    /// `int32`
    Int32,
    /// `int64`
    Int64,
    /// `float`
    Float,
    /// `string`
    String,
    /// `hex`: a string of hex digits (in the docs and newer specs, not in the 2022 dump).
    Hex,
    /// Any other format string, kept verbatim.
    Unknown(String),
}

impl Format {
    /// Parse a format string (never fails: unknown ones are kept).
    pub fn parse(s: &str) -> Format {
        match s {
            "bool" => Format::Bool,
            "uint8" => Format::Uint8,
            "uint16" => Format::Uint16,
            "uint32" => Format::Uint32,
            "int8" => Format::Int8,
            "int16" => Format::Int16,
            "int32" => Format::Int32,
            "int64" => Format::Int64,
            "float" => Format::Float,
            "string" => Format::String,
            "hex" => Format::Hex,
            other => Format::Unknown(other.to_owned()),
        }
    }

    /// The format string as served.
    pub fn as_str(&self) -> &str {
        match self {
            Format::Bool => "bool",
            Format::Uint8 => "uint8",
            Format::Uint16 => "uint16",
            Format::Uint32 => "uint32",
            Format::Int8 => "int8",
            Format::Int16 => "int16",
            Format::Int32 => "int32",
            Format::Int64 => "int64",
            Format::Float => "float",
            Format::String => "string",
            Format::Hex => "hex",
            Format::Unknown(s) => s,
        }
    }

    /// The inclusive bounds of an integer format, `None` for the others.
    pub fn integer_bounds(&self) -> Option<(i128, i128)> {
        Some(match self {
            Format::Uint8 => (0, u8::MAX.into()),
            Format::Uint16 => (0, u16::MAX.into()),
            Format::Uint32 => (0, u32::MAX.into()),
            Format::Int8 => (i8::MIN.into(), i8::MAX.into()),
            Format::Int16 => (i16::MIN.into(), i16::MAX.into()),
            Format::Int32 => (i32::MIN.into(), i32::MAX.into()),
            Format::Int64 => (i64::MIN.into(), i64::MAX.into()),
            _ => return None,
        })
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Format {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Format {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Key::deserialize(d)?;
        Ok(Format::parse(&s.0))
    }
}

/// One documented word of a property's `access`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AccessWord {
    /// `read`: readable with `get_properties`.
    Read,
    /// `write`: settable with `set_properties`.
    Write,
    /// `notify`: changes are pushed (cloud/MQTT).
    Notify,
}

impl AccessWord {
    /// The word as served.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessWord::Read => "read",
            AccessWord::Write => "write",
            AccessWord::Notify => "notify",
        }
    }
    fn code(self) -> u64 {
        match self {
            AccessWord::Read => 1,
            AccessWord::Write => 2,
            AccessWord::Notify => 3,
        }
    }
}

/// Code of an undocumented word (the next entry of `Access::others`).
const OTHER_CODE: u64 = 4;
/// Bits per word in `Access::codes`.
const CODE_BITS: u32 = 3;
/// Most words an access list may hold (21 × 3 bits fit a u64; real lists have ≤ 3).
const MAX_WORDS: usize = 21;

/// A property's `access`: a set of words (any order; `[]` = action-argument only).
///
/// Equality is set equality; the served order is kept (packed in an integer, so that the
/// common case allocates nothing) only so that a spec prints back as it came.
///
/// A few real specs serve `access: null`. That means no access word, like `[]` (the property
/// can only be an action or event argument), and is kept so that the spec serialises back
/// to `null`; [`Access::is_null`] tells it apart.
#[derive(Clone, Debug, Default)]
pub struct Access {
    /// 3-bit codes in served order, first word in the lowest bits.
    codes: u64,
    len: u8,
    /// Served as `null` rather than a list (then `len` is 0).
    null: bool,
    /// Undocumented words, in served order.
    others: Vec<String>,
}

impl Access {
    /// An access set from documented words.
    pub fn new(words: impl IntoIterator<Item = AccessWord>) -> Self {
        let mut a = Access::default();
        for w in words.into_iter().take(MAX_WORDS) {
            a.push_code(w.code());
        }
        a
    }
    fn push_code(&mut self, code: u64) {
        self.codes |= code << (u32::from(self.len) * CODE_BITS);
        self.len += 1;
    }
    fn push(&mut self, word: &str) -> bool {
        if usize::from(self.len) >= MAX_WORDS {
            return false;
        }
        match word {
            "read" => self.push_code(AccessWord::Read.code()),
            "write" => self.push_code(AccessWord::Write.code()),
            "notify" => self.push_code(AccessWord::Notify.code()),
            other => {
                self.others.push(other.to_owned());
                self.push_code(OTHER_CODE);
            }
        }
        true
    }
    /// The words in served order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let mut others = self.others.iter();
        (0..u32::from(self.len)).map(move |i| match (self.codes >> (i * CODE_BITS)) & 0b111 {
            1 => "read",
            2 => "write",
            3 => "notify",
            // Invariant: every OTHER_CODE was pushed together with one entry of `others`.
            _ => others.next().map_or("", String::as_str),
        })
    }
    /// Undocumented words (neither read, write nor notify), in served order.
    pub fn others(&self) -> &[String] {
        &self.others
    }
    /// Number of words.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }
    /// Whether `word` is in the set.
    pub fn contains(&self, word: AccessWord) -> bool {
        (0..u32::from(self.len)).any(|i| (self.codes >> (i * CODE_BITS)) & 0b111 == word.code())
    }
    /// `read` is in the set.
    pub fn readable(&self) -> bool {
        self.contains(AccessWord::Read)
    }
    /// `write` is in the set.
    pub fn writable(&self) -> bool {
        self.contains(AccessWord::Write)
    }
    /// `notify` is in the set.
    pub fn notifies(&self) -> bool {
        self.contains(AccessWord::Notify)
    }
    /// The set is empty (the property is only an action/event argument); true for `null`.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// The access was served as `null` instead of a list (read as the empty set).
    pub fn is_null(&self) -> bool {
        self.null
    }
    /// The `null` access of some real specs: no word, serialised back as `null`.
    pub fn null() -> Self {
        Access {
            null: true,
            ..Access::default()
        }
    }
}

impl PartialEq for Access {
    fn eq(&self, other: &Self) -> bool {
        self.iter().all(|w| other.iter().any(|o| o == w))
            && other.iter().all(|w| self.iter().any(|o| o == w))
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.null {
            return f.write_str("null");
        }
        f.write_str("[")?;
        for (i, w) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(w)?;
        }
        f.write_str("]")
    }
}

impl Serialize for Access {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.null {
            return s.serialize_none();
        }
        let mut seq = s.serialize_seq(Some(self.len()))?;
        for w in self.iter() {
            seq.serialize_element(w)?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for Access {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        /// `null` or the list (serde_json peeks one byte for `null`, then reads the list).
        struct Nullable;
        impl<'de> Visitor<'de> for Nullable {
            type Value = Access;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("null or a list of at most 21 access words")
            }
            fn visit_none<E: de::Error>(self) -> Result<Access, E> {
                Ok(Access::null())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Access, E> {
                Ok(Access::null())
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Access, D::Error> {
                d.deserialize_seq(V)
            }
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Access;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of at most 21 access words")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Access, A::Error> {
                let mut access = Access::default();
                while let Some(k) = seq.next_element::<Key<'de>>()? {
                    if !access.push(&k.0) {
                        return Err(de::Error::invalid_length(MAX_WORDS + 1, &self));
                    }
                }
                Ok(access)
            }
        }
        d.deserialize_option(Nullable)
    }
}

/// A property's unit: a free string as served.
///
/// The common units are held without allocating; anything else (typos included) is kept.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Unit(Cow<'static, str>);

/// Units seen in the 2022 dump (`reference/miot-spec.md` §5.1), held as static strings.
const KNOWN_UNITS: &[&str] = &[
    "none",
    "percentage",
    "celsius",
    "minutes",
    "seconds",
    "hours",
    "days",
    "kelvin",
    "rgb",
    "mg/m3",
    "pascal",
    "ppm",
    "watt",
    "lux",
    "arcdegrees",
    "L",
    "μg/m3",
    "metre",
];

impl Unit {
    /// A unit from its served text.
    pub fn new(s: &str) -> Unit {
        match KNOWN_UNITS.iter().find(|k| **k == s) {
            Some(k) => Unit(Cow::Borrowed(k)),
            None => Unit(Cow::Owned(s.to_owned())),
        }
    }
    /// The unit as served.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// A short symbol for display (`%`, `°C`, `min`...), `None` for `none` and the empty
    /// string; unknown units are shown as served.
    pub fn symbol(&self) -> Option<&str> {
        Some(match self.as_str() {
            "none" | "" => return None,
            "percentage" => "%",
            "celsius" => "°C",
            "kelvin" => "K",
            "seconds" => "s",
            "minutes" => "min",
            "hours" | "hour" => "h",
            "days" => "d",
            "pascal" => "Pa",
            "kilopascal" => "kPa",
            "megapascal" => "MPa",
            "arcdegrees" | "arcdegress" => "°",
            "watt" | "w" | "W" => "W",
            "lux" => "lx",
            "metre" | "meter" => "m",
            "liter" | "litre" | "L" => "L",
            "kilogram" => "kg",
            other => other,
        })
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Unit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Unit {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let k = Key::deserialize(d)?;
        Ok(match k.0 {
            Cow::Borrowed(s) => Unit::new(s),
            Cow::Owned(s) => match KNOWN_UNITS.iter().find(|k| **k == s) {
                Some(k) => Unit(Cow::Borrowed(k)),
                None => Unit(Cow::Owned(s)),
            },
        })
    }
}

/// A property's `value-range`: `[min, max, step]`; the numbers keep their JSON form.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueRange {
    /// Smallest allowed value.
    pub min: Number,
    /// Largest allowed value.
    pub max: Number,
    /// Step between allowed values (`min + k·step`).
    pub step: Number,
}

impl ValueRange {
    /// `(min, max, step)` as `f64`.
    pub fn as_f64(&self) -> (f64, f64, f64) {
        (num_f64(&self.min), num_f64(&self.max), num_f64(&self.step))
    }
    /// `(min, max, step)` as integers, if all three are integers.
    pub fn as_i128(&self) -> Option<(i128, i128, i128)> {
        Some((
            num_i128(&self.min)?,
            num_i128(&self.max)?,
            num_i128(&self.step)?,
        ))
    }
}

pub(crate) fn num_f64(n: &Number) -> f64 {
    // Every serde_json Number converts to f64 (possibly rounded).
    n.as_f64().unwrap_or(f64::NAN)
}

pub(crate) fn num_i128(n: &Number) -> Option<i128> {
    if let Some(i) = n.as_i64() {
        Some(i.into())
    } else {
        n.as_u64().map(i128::from)
    }
}

impl Serialize for ValueRange {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        [&self.min, &self.max, &self.step].serialize(s)
    }
}

impl<'de> Deserialize<'de> for ValueRange {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ValueRange;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("[min, max, step]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ValueRange, A::Error> {
                let min = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let max = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(1, &self))?;
                let step = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(2, &self))?;
                if seq.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::invalid_length(4, &self));
                }
                Ok(ValueRange { min, max, step })
            }
        }
        d.deserialize_seq(V)
    }
}

/// One entry of a property's `value-list`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ValueListItem {
    /// The value sent on the wire.
    pub value: Number,
    /// Human description (may be empty).
    pub description: String,
    /// Keys this model does not know, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ValueListItem {
    /// The description, or the value as text when the description is empty (as python-miio does).
    pub fn label(&self) -> Cow<'_, str> {
        if self.description.is_empty() {
            Cow::Owned(self.value.to_string())
        } else {
            Cow::Borrowed(&self.description)
        }
    }
}

// ---------------------------------------------------------------------------------------
// Lookups

impl Instance {
    /// Parse an instance spec from JSON bytes.
    pub fn from_slice(json: &[u8]) -> Result<Instance, Error> {
        // One up-front UTF-8 check of the whole buffer is cheaper than serde_json's
        // per-string checks on a byte slice.
        let text = std::str::from_utf8(json).map_err(|e| Error::Json {
            what: "instance spec",
            reason: e.to_string(),
        })?;
        Self::from_json(text)
    }
    /// Parse an instance spec from JSON text.
    pub fn from_json(json: &str) -> Result<Instance, Error> {
        serde_json::from_str(json).map_err(|e| Error::json("instance spec", &e))
    }
    /// The spec as a JSON value (equal to the parsed one).
    pub fn to_value(&self) -> Value {
        // Serializing this model into a Value cannot fail: all map keys are strings and
        // all numbers are finite serde_json Numbers.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
    /// The device URN, parsed.
    pub fn urn(&self) -> Result<Urn, Error> {
        self.type_.parse()
    }
    /// The service with this `siid`.
    pub fn service(&self, siid: u32) -> Option<&Service> {
        self.services.iter().find(|s| s.iid == siid)
    }
    /// Every service with this `siid`: one, except in the few real specs that repeat a siid.
    fn services_with(&self, siid: u32) -> impl Iterator<Item = &Service> {
        self.services.iter().filter(move |s| s.iid == siid)
    }
    /// The property `siid.piid`: its first definition, looked up in every service with this
    /// `siid` (a few real specs repeat a siid or piid; [`crate::names`] tells them apart).
    pub fn property(&self, siid: u32, piid: u32) -> Option<&Property> {
        self.services_with(siid).find_map(|s| s.property(piid))
    }
    /// The action `siid.aiid` (first definition, as for [`Instance::property`]).
    pub fn action(&self, siid: u32, aiid: u32) -> Option<&Action> {
        self.services_with(siid).find_map(|s| s.action(aiid))
    }
    /// The event `siid.eiid` (first definition, as for [`Instance::property`]).
    pub fn event(&self, siid: u32, eiid: u32) -> Option<&Event> {
        self.services_with(siid).find_map(|s| s.event(eiid))
    }
    /// The property definition a name was resolved to ([`Names::locate`](crate::Names::locate));
    /// differs from [`Instance::property`] only in a spec that repeats an iid.
    pub fn property_at(&self, at: &Location) -> Option<&Property> {
        self.services.get(at.service)?.properties().get(at.index)
    }
    /// The action definition a name was resolved to (see [`Instance::property_at`]).
    pub fn action_at(&self, at: &Location) -> Option<&Action> {
        self.services.get(at.service)?.actions().get(at.index)
    }
    /// The event definition a name was resolved to (see [`Instance::property_at`]).
    pub fn event_at(&self, at: &Location) -> Option<&Event> {
        self.services.get(at.service)?.events().get(at.index)
    }
}

impl Service {
    /// The properties (empty when absent).
    pub fn properties(&self) -> &[Property] {
        self.properties.as_deref().unwrap_or(&[])
    }
    /// The actions (empty when absent).
    pub fn actions(&self) -> &[Action] {
        self.actions.as_deref().unwrap_or(&[])
    }
    /// The events (empty when absent).
    pub fn events(&self) -> &[Event] {
        self.events.as_deref().unwrap_or(&[])
    }
    /// The property with this `piid`.
    pub fn property(&self, piid: u32) -> Option<&Property> {
        self.properties().iter().find(|p| p.iid == piid)
    }
    /// The action with this `aiid`.
    pub fn action(&self, aiid: u32) -> Option<&Action> {
        self.actions().iter().find(|a| a.iid == aiid)
    }
    /// The event with this `eiid`.
    pub fn event(&self, eiid: u32) -> Option<&Event> {
        self.events().iter().find(|e| e.iid == eiid)
    }
}

impl Property {
    /// Parse a single property object from JSON text.
    pub fn from_json(json: &str) -> Result<Property, Error> {
        serde_json::from_str(json).map_err(|e| Error::json("property spec", &e))
    }
    /// `read` is in `access`.
    pub fn is_readable(&self) -> bool {
        self.access.readable()
    }
    /// `write` is in `access`.
    pub fn is_writable(&self) -> bool {
        self.access.writable()
    }
    /// The value-list (empty when absent).
    pub fn value_list(&self) -> &[ValueListItem] {
        self.value_list.as_deref().unwrap_or(&[])
    }
    /// The `source` key (1–4 in 336 real properties), if present and an integer.
    pub fn source(&self) -> Option<u64> {
        self.extra.get("source").and_then(Value::as_u64)
    }
}

// ---------------------------------------------------------------------------------------
// Deserialization

/// A map key or short string, borrowed from the input when possible.
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

impl Key<'_> {
    fn into_string(self) -> String {
        self.0.into_owned()
    }
}

/// Store an unknown key in `extra`.
fn keep<'de, A: MapAccess<'de>>(
    map: &mut A,
    extra: &mut Map<String, Value>,
    key: Key<'de>,
) -> Result<(), A::Error> {
    let v: Value = map.next_value()?;
    extra.insert(key.into_string(), v);
    Ok(())
}

fn need<T, E: de::Error>(v: Option<T>, field: &'static str) -> Result<T, E> {
    v.ok_or_else(|| E::missing_field(field))
}

macro_rules! map_visitor {
    ($ty:ident, $expecting:literal, |$map:ident| $body:block) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut $map: A) -> Result<$ty, A::Error> {
                        $body
                    }
                }
                d.deserialize_map(V)
            }
        }
    };
}

map_visitor!(Instance, "an instance spec object", |map| {
    let (mut type_, mut description, mut services) = (None, None, None);
    let mut extra = Map::new();
    while let Some(k) = map.next_key::<Key<'de>>()? {
        match &*k.0 {
            "type" => type_ = Some(map.next_value()?),
            "description" => description = Some(map.next_value()?),
            "services" => services = Some(map.next_value()?),
            _ => keep(&mut map, &mut extra, k)?,
        }
    }
    Ok(Instance {
        type_: need(type_, "type")?,
        description: need(description, "description")?,
        services: need(services, "services")?,
        extra,
    })
});

map_visitor!(Service, "a service object", |map| {
    let (mut iid, mut type_, mut description) = (None, None, None);
    let (mut properties, mut actions, mut events) = (None, None, None);
    let mut extra = Map::new();
    while let Some(k) = map.next_key::<Key<'de>>()? {
        match &*k.0 {
            "iid" => iid = Some(map.next_value()?),
            "type" => type_ = Some(map.next_value()?),
            "description" => description = Some(map.next_value()?),
            "properties" => properties = Some(map.next_value()?),
            "actions" => actions = Some(map.next_value()?),
            "events" => events = Some(map.next_value()?),
            _ => keep(&mut map, &mut extra, k)?,
        }
    }
    Ok(Service {
        iid: need(iid, "iid")?,
        type_: need(type_, "type")?,
        description: need(description, "description")?,
        properties,
        actions,
        events,
        extra,
    })
});

map_visitor!(Property, "a property object", |map| {
    let (mut iid, mut type_, mut description, mut format, mut access) =
        (None, None, None, None, None);
    let (mut unit, mut value_range, mut value_list) = (None, None, None);
    let mut extra = Map::new();
    while let Some(k) = map.next_key::<Key<'de>>()? {
        match &*k.0 {
            "iid" => iid = Some(map.next_value()?),
            "type" => type_ = Some(map.next_value()?),
            "description" => description = Some(map.next_value()?),
            "format" => format = Some(map.next_value()?),
            "access" => access = Some(map.next_value()?),
            "unit" => unit = Some(map.next_value()?),
            "value-range" => value_range = Some(map.next_value()?),
            "value-list" => value_list = Some(map.next_value()?),
            _ => keep(&mut map, &mut extra, k)?,
        }
    }
    Ok(Property {
        iid: need(iid, "iid")?,
        type_: need(type_, "type")?,
        description: need(description, "description")?,
        format: need(format, "format")?,
        access: need(access, "access")?,
        unit,
        value_range,
        value_list,
        extra,
    })
});

map_visitor!(Action, "an action object", |map| {
    let (mut iid, mut type_, mut description) = (None, None, None);
    let (mut in_, mut out) = (IidList::Absent, IidList::Absent);
    let mut extra = Map::new();
    while let Some(k) = map.next_key::<Key<'de>>()? {
        match &*k.0 {
            "iid" => iid = Some(map.next_value()?),
            "type" => type_ = Some(map.next_value()?),
            "description" => description = Some(map.next_value()?),
            "in" => in_ = map.next_value()?,
            "out" => out = map.next_value()?,
            _ => keep(&mut map, &mut extra, k)?,
        }
    }
    Ok(Action {
        iid: need(iid, "iid")?,
        type_: need(type_, "type")?,
        description: need(description, "description")?,
        in_,
        out,
        extra,
    })
});

map_visitor!(Event, "an event object", |map| {
    let (mut iid, mut type_, mut description) = (None, None, None);
    let mut arguments = IidList::Absent;
    let mut extra = Map::new();
    while let Some(k) = map.next_key::<Key<'de>>()? {
        match &*k.0 {
            "iid" => iid = Some(map.next_value()?),
            "type" => type_ = Some(map.next_value()?),
            "description" => description = Some(map.next_value()?),
            "arguments" => arguments = map.next_value()?,
            _ => keep(&mut map, &mut extra, k)?,
        }
    }
    Ok(Event {
        iid: need(iid, "iid")?,
        type_: need(type_, "type")?,
        description: need(description, "description")?,
        arguments,
        extra,
    })
});

map_visitor!(ValueListItem, "a value-list item", |map| {
    let (mut value, mut description) = (None, None);
    let mut extra = Map::new();
    while let Some(k) = map.next_key::<Key<'de>>()? {
        match &*k.0 {
            "value" => value = Some(map.next_value()?),
            "description" => description = Some(map.next_value()?),
            _ => keep(&mut map, &mut extra, k)?,
        }
    }
    Ok(ValueListItem {
        value: need(value, "value")?,
        description: need(description, "description")?,
        extra,
    })
});

pub(crate) use map_visitor;

#[cfg(test)]
mod tests {
    use super::*;

    /// The verbatim spec of `skyrc.feeder.fed` (`reference/miot-spec.md` §10 b,
    /// `NRCHKB/mihome:src/miot-spec/devices/urn.miot-spec-v2.device.pet-feeder.0000A06C.skyrc-fed.1.json`).
    const SKYRC: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/miot-spec/devices/urn.miot-spec-v2.device.pet-feeder.0000A06C.skyrc-fed.1.json"
    ));

    #[test]
    fn skyrc_fields() {
        let i = Instance::from_json(SKYRC).unwrap();
        assert_eq!(i.services.len(), 3);
        let p = i.property(2, 2).unwrap();
        assert!(p.access.is_empty());
        assert_eq!(p.format, Format::Uint8);
        assert_eq!(p.value_range.as_ref().unwrap().as_i128(), Some((1, 112, 1)));
        assert_eq!(i.action(2, 1).unwrap().in_.as_slice(), &[2]);
        assert_eq!(i.event(3, 1).unwrap().arguments.as_slice(), &[2]);
        let access = &i.property(3, 2).unwrap().access;
        assert_eq!(access.iter().collect::<Vec<_>>(), ["notify", "read"]);
        assert_eq!(*access, Access::new([AccessWord::Read, AccessWord::Notify]));
        assert_ne!(*access, Access::new([AccessWord::Read]));
        assert!(access.notifies() && access.readable() && !access.writable());
        assert_eq!(i.to_value(), serde_json::from_str::<Value>(SKYRC).unwrap());
    }

    #[test]
    fn unknown_format_and_keys_kept() {
        let j = r#"{"iid":1,"type":"urn:x-spec:property:p:00000001:v-1:1","description":"",
            "format":"hex","access":["read","gatt"],"unit":"arcdegress","gatt-access":["r"],"source":3}"#;
        let p = Property::from_json(j).unwrap();
        assert_eq!(p.format, Format::Hex);
        assert_eq!(p.access.iter().collect::<Vec<_>>(), ["read", "gatt"]);
        assert_eq!(p.access.others(), ["gatt"]);
        assert!(p.access.readable() && !p.access.writable());
        assert_eq!(p.unit.as_ref().unwrap().as_str(), "arcdegress");
        assert_eq!(p.source(), Some(3));
        assert!(p.extra.contains_key("gatt-access"));
        let back = serde_json::to_value(&p).unwrap();
        assert_eq!(back, serde_json::from_str::<Value>(j).unwrap());
        let j2 = j.replace("\"hex\"", "\"vector3\"");
        let p2 = Property::from_json(&j2).unwrap();
        assert_eq!(p2.format, Format::Unknown("vector3".into()));
    }

    #[test]
    fn access_order_and_limits() {
        let words = |n: usize| {
            let list: Vec<&str> = ["x", "write", "y", "read"]
                .iter()
                .copied()
                .cycle()
                .take(n)
                .collect();
            serde_json::to_string(&list).unwrap()
        };
        let a: Access = serde_json::from_str(&words(21)).unwrap();
        assert_eq!(a.len(), 21);
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            words(21),
            "unknown and known words keep their interleaved order"
        );
        assert!(serde_json::from_str::<Access>(&words(22)).is_err());
        let empty: Access = serde_json::from_str("[]").unwrap();
        assert!(empty.is_empty() && !empty.readable());
    }

    /// Issue 9: `access: null` (a few real specs) reads as the empty set and serialises back
    /// to `null`; a wrong type is still an error.
    #[test]
    fn access_null_round_trips() {
        let j = r#"{"iid":1,"type":"urn:x-spec:property:p:00000001:v-1:1","description":"",
            "format":"uint8","access":null}"#;
        let p = Property::from_json(j).unwrap();
        assert!(p.access.is_null() && p.access.is_empty());
        assert!(!p.is_readable() && !p.is_writable());
        assert_eq!(p.access.to_string(), "null");
        assert_eq!(p.access, Access::new([]), "null is the empty set");
        let back = serde_json::to_value(&p).unwrap();
        assert_eq!(back, serde_json::from_str::<Value>(j).unwrap());
        assert_eq!(back["access"], Value::Null);
        let empty = Property::from_json(&j.replace("null", "[]")).unwrap();
        assert!(!empty.access.is_null());
        assert_eq!(
            serde_json::to_value(&empty).unwrap()["access"],
            serde_json::json!([])
        );
        for bad in ["\"read\"", "1", "{}"] {
            assert!(
                Property::from_json(&j.replace("null", bad)).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn out_null_and_absent() {
        let j = r#"{"iid":1,"type":"t","description":"d","in":[1,2],"out":null}"#;
        let a: Action = serde_json::from_str(j).unwrap();
        assert_eq!(a.out, IidList::Null);
        assert!(a.out.as_slice().is_empty());
        assert_eq!(
            serde_json::to_value(&a).unwrap(),
            serde_json::from_str::<Value>(j).unwrap()
        );
        let b: Action = serde_json::from_str(r#"{"iid":1,"type":"t","description":"d"}"#).unwrap();
        assert!(b.in_.is_absent() && b.out.is_absent());
        let v = serde_json::to_value(&b).unwrap();
        assert!(v.get("in").is_none());
    }

    #[test]
    fn garbage_is_an_error() {
        for bad in [
            "",
            "{",
            "[]",
            r#"{"type":"x","description":"d"}"#,
            r#"{"type":"x","description":"d","services":[{"iid":-1}]}"#,
            r#"{"type":"x","description":"d","services":[{"iid":1,"type":"t","description":"","properties":[{"iid":1,"type":"t","description":"","format":"uint8","access":[],"value-range":[1,2]}]}]}"#,
        ] {
            assert!(matches!(Instance::from_json(bad), Err(Error::Json { .. })));
        }
    }
}
