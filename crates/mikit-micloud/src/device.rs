//! Device records, homes and rooms as the cloud returns them (reference §4, §6).
//!
//! Known fields are typed; every other field is kept in `other` so that a record
//! round-trips. Numbers the server sends sometimes as strings and sometimes as numbers
//! (`did`, ids) are read leniently as strings.

use mikit_core::Secret;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::region::Region;

/// Read a string or a number as a string (`did`, `userId`, home ids).
pub(crate) fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        Value::Null => Ok(String::new()),
        _ => Err(serde::de::Error::custom("expected a string or a number")),
    }
}

pub(crate) fn opt_string_or_number<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(Some(s)),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Null => Ok(None),
        _ => Err(serde::de::Error::custom("expected a string or a number")),
    }
}

pub(crate) fn opt_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
    Ok(opt_string_or_number(d)?.map(Secret::new))
}

fn strings_or_numbers<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                Value::Number(n) => Ok(n.to_string()),
                _ => Err(serde::de::Error::custom("expected strings or numbers")),
            })
            .collect(),
        _ => Err(serde::de::Error::custom("expected a list")),
    }
}

/// Lenient boolean: `true`/`false`, 0/1.
fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Value::deserialize(d)? {
        Value::Bool(b) => Ok(Some(b)),
        Value::Number(n) => Ok(Some(n.as_i64().unwrap_or(0) != 0)),
        Value::Null => Ok(None),
        _ => Err(serde::de::Error::custom("expected a boolean")),
    }
}

/// One device record (`list[]` of `/home/device_list`, `device_info[]` of home lists).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Device {
    /// Device id: `"1234"` (Wi-Fi), `blt.3.xxx` (BLE), `lumi.158d...` (Zigbee), `<did>.s1`.
    #[serde(deserialize_with = "string_or_number")]
    pub did: String,
    /// The miIO LAN token (32 hex; empty for children). A secret.
    #[serde(
        default,
        deserialize_with = "opt_secret",
        skip_serializing_if = "Option::is_none"
    )]
    pub token: Option<Secret>,
    /// User-given name.
    #[serde(default)]
    pub name: String,
    /// Model, e.g. `zhimi.airpurifier.ma2`.
    #[serde(default)]
    pub model: String,
    /// LAN IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub localip: Option<String>,
    /// MAC address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
    /// Whether the cloud sees the device online.
    #[serde(
        rename = "isOnline",
        default,
        deserialize_with = "opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_online: Option<bool>,
    /// Parent (gateway) did for sub-devices.
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub parent_id: Option<String>,
    /// Parent model for sub-devices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_model: Option<String>,
    /// Connect type as a string: `"0"` Wi-Fi, `"3"` Zigbee child, `"6"` BLE, `"21"` split.
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub pid: Option<String>,
    /// Wi-Fi signal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rssi: Option<i64>,
    /// Wi-Fi network name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssid: Option<String>,
    /// The device's MIoT URN (official integration field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_type: Option<String>,
    /// Owner of a shared device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// Every other field, kept for round trips (`extra`, `prop`, `method`, `uid`, ...).
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl Device {
    /// The firmware version from `extra.fw_version`, if sent.
    pub fn firmware_version(&self) -> Option<&str> {
        self.other.get("extra")?.get("fw_version")?.as_str()
    }
    /// True for a non-empty token.
    pub fn has_token(&self) -> bool {
        self.token.as_ref().is_some_and(|t| !t.is_empty())
    }
}

/// The owner of a shared device.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Owner {
    /// Owner's user id.
    #[serde(default, deserialize_with = "string_or_number")]
    pub userid: String,
    /// Owner's nickname.
    #[serde(default)]
    pub nickname: String,
    /// Other fields.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A device together with the region that listed it.
#[derive(Clone, Debug, PartialEq)]
pub struct RegionalDevice {
    /// The region whose API host returned the record.
    pub region: Region,
    /// The record.
    pub device: Device,
}

/// The reply of `/home/device_list` (and one page of `/v2/home/device_list_page`).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct DeviceList {
    /// The devices.
    #[serde(default, deserialize_with = "null_as_default")]
    pub list: Vec<Device>,
    /// More pages follow (paged form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_more: Option<bool>,
    /// Where the next page starts (paged form).
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_start_did: Option<String>,
    /// Other fields.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A room inside a home.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Room {
    /// Room id.
    #[serde(deserialize_with = "string_or_number")]
    pub id: String,
    /// Room name.
    #[serde(default)]
    pub name: String,
    /// Devices in the room.
    #[serde(default, deserialize_with = "strings_or_numbers")]
    pub dids: Vec<String>,
    /// Other fields.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A home (`homelist[]` of `/v2/homeroom/gethome`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Home {
    /// Home id.
    #[serde(deserialize_with = "string_or_number")]
    pub id: String,
    /// Home name.
    #[serde(default)]
    pub name: String,
    /// Owner's user id.
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub uid: Option<String>,
    /// Devices not in a room.
    #[serde(default, deserialize_with = "strings_or_numbers")]
    pub dids: Vec<String>,
    /// Rooms.
    #[serde(default, deserialize_with = "null_as_default")]
    pub roomlist: Vec<Room>,
    /// Other fields (`city_id`, `longitude`, `latitude`, `address`, ...).
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The reply of `/v2/homeroom/gethome`.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct HomeList {
    /// Own homes.
    #[serde(default, deserialize_with = "null_as_default")]
    pub homelist: Vec<Home>,
    /// Homes shared with the user.
    #[serde(default, deserialize_with = "null_as_default")]
    pub share_home_list: Vec<Home>,
    /// More follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_more: Option<bool>,
    /// Other fields.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// Merge devices found in several regions by did (first region wins), keeping order.
///
/// python-miio `CloudInterface.get_devices` keys by did and locale; a device lives in one
/// region (reference §1), so a did seen twice is the same device.
pub fn merge_by_did(found: impl IntoIterator<Item = RegionalDevice>) -> Vec<RegionalDevice> {
    let mut seen = std::collections::HashSet::new();
    found
        .into_iter()
        .filter(|d| seen.insert(d.device.did.clone()))
        .collect()
}
