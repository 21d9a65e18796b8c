//! The device list, sans-IO: `GET /users/{uid}/devices` (reference `huami-cloud.md` §4 DV1,
//! §8) — model, MAC, firmware, active status and the Bluetooth auth key that Gadgetbridge
//! needs to pair (<https://gadgetbridge.org/basics/pairing/huami-xiaomi-server/>).
//!
//! Item shape (HT-old `huami_token.py`; HT-new's synthetic test fixture
//! `{"items":[{"macAddress":"AA:BB:CC:DD:EE:FF","activeStatus":1,"additionalInfo":"{\"auth_key\": \"deadbeef\"}"}]}`):
//! `macAddress`, `activeStatus` (1/0), `deviceSource`, `firmwareVersion`, and
//! `additionalInfo`, a JSON **string** holding `auth_key` (hex without `0x`),
//! `hardwareVersion`, `productVersion`, …

use mikit_core::Secret;
use serde_json::{Map, Value};

use crate::summary::as_i64;

/// A device's Bluetooth auth key. A secret: `Debug` and `Display` never show it; call
/// [`AuthKey::huami_token_format`] to print it on purpose.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthKey(Secret);

impl AuthKey {
    /// The key as the server sent it, lower-cased, without a `0x` prefix.
    pub fn hex(&self) -> &str {
        self.0.expose()
    }

    /// The key as huami-token prints it: `0x` + the hex digits (HT-old `huami_token.py`
    /// prints `0x` + `auth_key`), e.g. `0x8a1f…` (32 hex digits for the usual 16-byte key).
    pub fn huami_token_format(&self) -> String {
        format!("0x{}", self.0.expose())
    }

    /// True for the usual 16-byte key (32 hex digits).
    pub fn is_standard(&self) -> bool {
        let h = self.0.expose();
        h.len() == 32 && h.bytes().all(|b| b.is_ascii_hexdigit())
    }

    /// A key from text: `None` when empty (a scale has none; HT prints `0x00` then) or when
    /// it is only zeros.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        let t = t
            .strip_prefix("0x")
            .or_else(|| t.strip_prefix("0X"))
            .unwrap_or(t);
        if t.is_empty() || t.bytes().all(|b| b == b'0') {
            return None;
        }
        Some(Self(Secret::new(t.to_ascii_lowercase())))
    }
}

impl std::fmt::Debug for AuthKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuthKey(<redacted>)")
    }
}

/// One device of the account. `Debug` leaves out the auth key and the raw item (which holds
/// it too).
#[derive(Clone)]
pub struct Device {
    /// `deviceId`, if present.
    pub device_id: Option<String>,
    /// `macAddress` (e.g. `AA:BB:CC:DD:EE:FF`).
    pub mac: Option<String>,
    /// A model name when the server gives one (`productName` / `deviceName` / `model` of the
    /// item or of `additionalInfo`), else `None` (the numeric [`Device::device_source`] and
    /// [`Device::product_version`] still identify the model).
    pub model: Option<String>,
    /// `deviceSource`: the numeric model code (e.g. `24` Mi Band, `10289411` Helio Strap).
    pub device_source: Option<i64>,
    /// `deviceType` (`0` = band or watch, DV2 of the reference).
    pub device_type: Option<i64>,
    /// `firmwareVersion`.
    pub firmware: Option<String>,
    /// `additionalInfo.hardwareVersion`.
    pub hardware: Option<String>,
    /// `additionalInfo.productVersion`.
    pub product_version: Option<String>,
    /// `additionalInfo.sn` (serial number), if present.
    pub serial: Option<String>,
    /// `activeStatus == 1`; `None` when absent or not a number.
    pub active: Option<bool>,
    /// `additionalInfo.auth_key`; `None` for a device without one (a scale).
    pub auth_key: Option<AuthKey>,
    /// The item as received (keep it: `additionalInfo` holds the key, so store it as a secret).
    pub raw: Value,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device")
            .field("device_id", &self.device_id)
            .field("mac", &self.mac)
            .field("model", &self.model)
            .field("device_source", &self.device_source)
            .field("device_type", &self.device_type)
            .field("firmware", &self.firmware)
            .field("hardware", &self.hardware)
            .field("product_version", &self.product_version)
            .field("serial", &self.serial)
            .field("active", &self.active)
            .field("auth_key", &self.auth_key)
            .field("raw", &"<redacted>")
            .finish()
    }
}

fn text(obj: &Map<String, Value>, key: &str) -> Option<String> {
    match obj.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `additionalInfo`: a JSON string (HT-old, HT-new); an object is accepted too.
fn additional_info(obj: &Map<String, Value>) -> Map<String, Value> {
    match obj.get("additionalInfo") {
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        },
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    }
}

/// Decode one device item; `None` if it is not a JSON object.
pub fn decode_device(item: &Value) -> Option<Device> {
    let obj = item.as_object()?;
    let info = additional_info(obj);
    let model = ["productName", "deviceName", "model"]
        .iter()
        .find_map(|k| text(obj, k).or_else(|| text(&info, k)));
    Some(Device {
        device_id: text(obj, "deviceId"),
        mac: text(obj, "macAddress"),
        model,
        device_source: obj.get("deviceSource").and_then(as_i64),
        device_type: obj.get("deviceType").and_then(as_i64),
        firmware: text(obj, "firmwareVersion"),
        hardware: text(&info, "hardwareVersion"),
        product_version: text(&info, "productVersion"),
        serial: text(&info, "sn"),
        active: obj.get("activeStatus").and_then(as_i64).map(|a| a == 1),
        auth_key: info
            .get("auth_key")
            .and_then(Value::as_str)
            .and_then(AuthKey::parse),
        raw: item.clone(),
    })
}

/// Decode a `{"items":[…]}` answer. Items that are not objects are counted in the second
/// value (never silently dropped).
pub fn decode_devices(body: &Value) -> Result<(Vec<Device>, usize), String> {
    let items = body
        .get("items")
        .and_then(Value::as_array)
        .ok_or_else(|| "the answer has no items array".to_owned())?;
    let devices: Vec<Device> = items.iter().filter_map(decode_device).collect();
    let skipped = items.len() - devices.len();
    Ok((devices, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ht_new_fixture() {
        // HT-new tests (synthetic), reference §8.
        let body = json!({"items":[{"macAddress":"AA:BB:CC:DD:EE:FF","activeStatus":1,"additionalInfo":"{\"auth_key\": \"deadbeef\"}"}]});
        let (d, skipped) = decode_devices(&body).unwrap();
        assert_eq!(skipped, 0);
        assert_eq!(d[0].mac.as_deref(), Some("AA:BB:CC:DD:EE:FF"));
        assert_eq!(d[0].active, Some(true));
        let key = d[0].auth_key.as_ref().unwrap();
        assert_eq!(key.huami_token_format(), "0xdeadbeef");
        assert!(!key.is_standard());
        assert!(!format!("{:?}", d[0]).contains("deadbeef"));
    }

    #[test]
    fn keyless_and_odd_devices() {
        let body = json!({"items":[
            {"macAddress":"11:22:33:44:55:66","activeStatus":0,"additionalInfo":"{\"hardwareVersion\":\"1\"}"},
            {"macAddress":"x","additionalInfo":"{\"auth_key\":\"\"}"},
            {"macAddress":"y","additionalInfo":"{\"auth_key\":\"0x00\"}"},
            {"macAddress":"z","additionalInfo":"not json"},
            7
        ]});
        let (d, skipped) = decode_devices(&body).unwrap();
        assert_eq!(skipped, 1);
        assert_eq!(d.len(), 4);
        assert!(d.iter().all(|d| d.auth_key.is_none()));
        assert_eq!(d[0].active, Some(false));
        assert_eq!(d[0].hardware.as_deref(), Some("1"));
        assert!(decode_devices(&json!({})).is_err());
    }

    #[test]
    fn standard_key_is_normalised() {
        let k = AuthKey::parse("0x8A1F00112233445566778899AABBCCDD").unwrap();
        assert!(k.is_standard());
        assert_eq!(k.huami_token_format(), "0x8a1f00112233445566778899aabbccdd");
    }
}
