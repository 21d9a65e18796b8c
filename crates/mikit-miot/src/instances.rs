//! The instances list (`/miot-spec-v2/instances?status=...`): which URN describes which model.
//!
//! Entry fields (`reference/miot-spec.md` §3): `status` (`released|debug|preview`; absent in
//! some python-miio fixture entries), `model`, `version`, `type` (device URN), `ts` (only in
//! newer responses). Unknown keys are kept so the list round-trips.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::Error;
use crate::spec::{Key, map_visitor};

/// The whole `{"instances": [...]}` document.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct InstanceList {
    /// The entries, in served order (the order breaks selection ties).
    pub instances: Vec<InstanceEntry>,
    /// Keys this model does not know, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One model → URN entry.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct InstanceEntry {
    /// Publication status; `None` when absent (treated as released, §12).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// Device model, e.g. `zhimi.airpurifier.ma4`.
    pub model: String,
    /// Spec version of this model.
    pub version: u32,
    /// The device URN.
    #[serde(rename = "type")]
    pub type_: String,
    /// Timestamp (newer responses only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ts: Option<i64>,
    /// Keys this model does not know, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Publication status of a list entry; also the `status=` query of the endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// `released`
    Released,
    /// `debug`
    Debug,
    /// `preview`
    Preview,
    /// `all` (only meaningful as a query).
    All,
    /// Any other status, kept verbatim.
    Other(String),
}

impl Status {
    /// Parse a status word (never fails).
    pub fn parse(s: &str) -> Status {
        match s {
            "released" => Status::Released,
            "debug" => Status::Debug,
            "preview" => Status::Preview,
            "all" => Status::All,
            other => Status::Other(other.to_owned()),
        }
    }
    /// The word as served.
    pub fn as_str(&self) -> &str {
        match self {
            Status::Released => "released",
            Status::Debug => "debug",
            Status::Preview => "preview",
            Status::All => "all",
            Status::Other(s) => s,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Status {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Status {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Status::parse(&Key::deserialize(d)?.0))
    }
}

impl InstanceEntry {
    /// Whether this entry counts as released (`released`, or no status at all:
    /// `rytilahti/python-miio:miio/tests/fixtures/micloud_miotspec_releases.json` has such entries).
    pub fn is_released(&self) -> bool {
        matches!(self.status, None | Some(Status::Released))
    }
}

impl InstanceList {
    /// Parse the list from JSON bytes.
    pub fn from_slice(json: &[u8]) -> Result<InstanceList, Error> {
        // One up-front UTF-8 check of the whole buffer is cheaper than serde_json's
        // per-string checks on a byte slice.
        let text = std::str::from_utf8(json).map_err(|e| Error::Json {
            what: "instances list",
            reason: e.to_string(),
        })?;
        Self::from_json(text)
    }
    /// Parse the list from JSON text.
    pub fn from_json(json: &str) -> Result<InstanceList, Error> {
        serde_json::from_str(json).map_err(|e| Error::json("instances list", &e))
    }
    /// The list as a JSON value (equal to the parsed one).
    pub fn to_value(&self) -> Value {
        // Cannot fail: string keys and serde_json numbers only.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
    /// All entries for `model`, in list order.
    pub fn entries_for<'a, 'm>(
        &'a self,
        model: &'m str,
    ) -> impl Iterator<Item = &'a InstanceEntry> + use<'a, 'm> {
        self.instances.iter().filter(move |e| e.model == model)
    }
}

map_visitor!(InstanceList, "an instances list object", |map| {
    let mut instances = None;
    let mut extra = Map::new();
    while let Some(k) = map.next_key::<Key<'de>>()? {
        match &*k.0 {
            "instances" => instances = Some(map.next_value()?),
            _ => {
                let v: Value = map.next_value()?;
                extra.insert(k.0.into_owned(), v);
            }
        }
    }
    Ok(InstanceList {
        instances: instances.ok_or_else(|| serde::de::Error::missing_field("instances"))?,
        extra,
    })
});

map_visitor!(InstanceEntry, "an instances list entry", |map| {
    let (mut status, mut model, mut version, mut type_, mut ts) = (None, None, None, None, None);
    let mut extra = Map::new();
    while let Some(k) = map.next_key::<Key<'de>>()? {
        match &*k.0 {
            "status" => status = Some(map.next_value()?),
            "model" => model = Some(map.next_value()?),
            "version" => version = Some(map.next_value()?),
            "type" => type_ = Some(map.next_value()?),
            "ts" => ts = Some(map.next_value()?),
            _ => {
                let v: Value = map.next_value()?;
                extra.insert(k.0.into_owned(), v);
            }
        }
    }
    use serde::de::Error as _;
    Ok(InstanceEntry {
        status,
        model: model.ok_or_else(|| A::Error::missing_field("model"))?,
        version: version.ok_or_else(|| A::Error::missing_field("version"))?,
        type_: type_.ok_or_else(|| A::Error::missing_field("type"))?,
        ts,
        extra,
    })
});
