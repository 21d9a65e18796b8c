//! The LAN wire encoding of the MIoT items of [`mikit_miot::item`] (the client decodes replies
//! into those shared types) and the device-side shapes.
//!
//! MIoT payload shapes on the LAN (`get_properties`, `set_properties`, `action`) and `miIO.info`,
//! shared by the client (which builds requests and reads replies) and device-side handlers
//! (which read requests and build replies). Shapes from python-miio `miio/miot_device.py` and
//! reference `miio-lan.md` §8.

use mikit_core::Secret;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::message::{DeviceError, code};

fn u32_field(o: &Map<String, Value>, key: &str) -> Result<u32, DeviceError> {
    o.get(key)
        .and_then(Value::as_u64)
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| {
            DeviceError::new(
                code::PARAMS_ERROR,
                format!("\"{key}\" missing or not an integer"),
            )
        })
}

fn object(v: &Value) -> Result<&Map<String, Value>, DeviceError> {
    v.as_object()
        .ok_or_else(|| DeviceError::new(code::PARAMS_ERROR, "expected an object"))
}

/// One item of a `get_properties` / `set_properties` request.
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyItem {
    /// Opaque tag chosen by the client and echoed verbatim (python-miio uses `"S-P"` or a name).
    pub did: Value,
    /// Service id.
    pub siid: u32,
    /// Property id.
    pub piid: u32,
    /// Value to set (`set_properties` only).
    pub value: Option<Value>,
}

impl PropertyItem {
    /// An item tagged `"siid-piid"`.
    pub fn new(siid: u32, piid: u32, value: Option<Value>) -> Self {
        Self {
            did: Value::String(format!("{siid}-{piid}")),
            siid,
            piid,
            value,
        }
    }

    /// The item as request JSON.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("did".into(), self.did.clone());
        m.insert("siid".into(), self.siid.into());
        m.insert("piid".into(), self.piid.into());
        if let Some(v) = &self.value {
            m.insert("value".into(), v.clone());
        }
        Value::Object(m)
    }

    /// Read the `params` list of a `get_properties` / `set_properties` request
    /// (device side). A malformed list is a `-5005` params error.
    pub fn parse_list(params: &Value) -> Result<Vec<Self>, DeviceError> {
        let items = params
            .as_array()
            .ok_or_else(|| DeviceError::new(code::PARAMS_ERROR, "params must be a list"))?;
        items
            .iter()
            .map(|it| {
                let o = object(it)?;
                Ok(Self {
                    did: o.get("did").cloned().unwrap_or(Value::Null),
                    siid: u32_field(o, "siid")?,
                    piid: u32_field(o, "piid")?,
                    value: o.get("value").cloned(),
                })
            })
            .collect()
    }
}

/// One item of a `get_properties` / `set_properties` reply.
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyResult {
    /// Echoed tag.
    pub did: Value,
    /// Service id.
    pub siid: u32,
    /// Property id.
    pub piid: u32,
    /// MIoT code: 0 success, 1 pending, -4001..-4007 errors (see [`code::miot`]).
    pub code: i64,
    /// The value (successful reads only).
    pub value: Option<Value>,
}

impl PropertyResult {
    /// Answer a request item with `code` and an optional value (device side).
    pub fn answer(item: &PropertyItem, code: i64, value: Option<Value>) -> Self {
        Self {
            did: item.did.clone(),
            siid: item.siid,
            piid: item.piid,
            code,
            value,
        }
    }

    /// The item as reply JSON (`did`, `siid`, `piid`, `code`, then `value` when present).
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("did".into(), self.did.clone());
        m.insert("siid".into(), self.siid.into());
        m.insert("piid".into(), self.piid.into());
        m.insert("code".into(), self.code.into());
        if let Some(v) = &self.value {
            m.insert("value".into(), v.clone());
        }
        Value::Object(m)
    }

    /// Read a reply item (client side). A missing `code` counts as 0.
    pub fn from_value(v: &Value) -> Result<Self, DeviceError> {
        let o = object(v)?;
        Ok(Self {
            did: o.get("did").cloned().unwrap_or(Value::Null),
            siid: u32_field(o, "siid")?,
            piid: u32_field(o, "piid")?,
            code: o.get("code").and_then(Value::as_i64).unwrap_or(0),
            value: o.get("value").cloned(),
        })
    }
}

impl From<PropertyResult> for mikit_miot::item::PropResult {
    /// The shared item (the echoed tag only matters on the wire).
    fn from(r: PropertyResult) -> Self {
        Self {
            siid: r.siid,
            piid: r.piid,
            code: r.code,
            value: r.value,
        }
    }
}

/// The params of an `action` request: `{"did", "siid", "aiid", "in": [...]}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionCall {
    /// Opaque tag (python-miio: `"call-S-A"`).
    pub did: Value,
    /// Service id.
    pub siid: u32,
    /// Action id.
    pub aiid: u32,
    /// Input arguments.
    pub ins: Vec<Value>,
}

impl ActionCall {
    /// An action call tagged `"call-siid-aiid"`.
    pub fn new(siid: u32, aiid: u32, ins: Vec<Value>) -> Self {
        Self {
            did: Value::String(format!("call-{siid}-{aiid}")),
            siid,
            aiid,
            ins,
        }
    }

    /// As request params.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("did".into(), self.did.clone());
        m.insert("siid".into(), self.siid.into());
        m.insert("aiid".into(), self.aiid.into());
        m.insert("in".into(), Value::Array(self.ins.clone()));
        Value::Object(m)
    }

    /// Read action params (device side). `in` may be absent (no arguments).
    pub fn parse(params: &Value) -> Result<Self, DeviceError> {
        let o = object(params)?;
        let ins = match o.get("in") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a.clone(),
            Some(_) => {
                return Err(DeviceError::new(
                    code::PARAMS_ERROR,
                    "\"in\" must be a list",
                ));
            }
        };
        Ok(Self {
            did: o.get("did").cloned().unwrap_or(Value::Null),
            siid: u32_field(o, "siid")?,
            aiid: u32_field(o, "aiid")?,
            ins,
        })
    }
}

/// The result of an `action`: `{"code": 0, "out": [...]}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionResult {
    /// MIoT code.
    pub code: i64,
    /// Output values.
    pub out: Vec<Value>,
}

impl ActionResult {
    /// As reply JSON.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("code".into(), self.code.into());
        m.insert("out".into(), Value::Array(self.out.clone()));
        Value::Object(m)
    }

    /// Read an action result leniently (missing `code` = 0, missing `out` = empty).
    pub fn from_value(v: &Value) -> Self {
        Self {
            code: v.get("code").and_then(Value::as_i64).unwrap_or(0),
            out: v
                .get("out")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
        }
    }
}

impl From<ActionResult> for mikit_miot::item::ActionResult {
    fn from(r: ActionResult) -> Self {
        Self {
            code: r.code,
            out: r.out,
        }
    }
}

/// Wi-Fi access point block of `miIO.info`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct AccessPoint {
    /// SSID.
    #[serde(default)]
    pub ssid: Option<String>,
    /// BSSID.
    #[serde(default)]
    pub bssid: Option<String>,
    /// Signal strength.
    #[serde(default)]
    pub rssi: Option<i64>,
    /// Other keys.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Network interface block of `miIO.info`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct NetIf {
    /// Device IP.
    #[serde(default, rename = "localIp")]
    pub local_ip: Option<String>,
    /// Netmask.
    #[serde(default)]
    pub mask: Option<String>,
    /// Gateway.
    #[serde(default)]
    pub gw: Option<String>,
    /// Other keys.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `miIO.info` result (field set of python-miio `devtools/simulators/common.py`
/// `create_info_response`). The `token` it may carry is a [`Secret`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Info {
    /// Model, e.g. `zhimi.humidifier.v1`.
    pub model: String,
    /// Firmware version.
    #[serde(default)]
    pub fw_ver: Option<String>,
    /// Hardware platform.
    #[serde(default)]
    pub hw_ver: Option<String>,
    /// MAC address.
    #[serde(default)]
    pub mac: Option<String>,
    /// Device token as hex (some firmware reveals it here).
    #[serde(default)]
    pub token: Option<Secret<String>>,
    /// Access point.
    #[serde(default)]
    pub ap: Option<AccessPoint>,
    /// Network interface.
    #[serde(default)]
    pub netif: Option<NetIf>,
    /// Uptime in seconds.
    #[serde(default)]
    pub life: Option<u64>,
    /// Other keys (`mmfree`, `ot`, `otu_stat`, `cfg_time`, `wifi_fw_ver`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn property_items_round_trip() {
        let items = vec![
            PropertyItem::new(2, 1, None),
            PropertyItem::new(2, 2, Some(json!(true))),
        ];
        let params = Value::Array(items.iter().map(PropertyItem::to_value).collect());
        assert_eq!(params[0], json!({"did":"2-1","siid":2,"piid":1}));
        assert_eq!(PropertyItem::parse_list(&params).unwrap(), items);
        assert_eq!(
            PropertyItem::parse_list(&json!({})).unwrap_err().code,
            code::PARAMS_ERROR
        );
        assert!(PropertyItem::parse_list(&json!([{"siid": 1}])).is_err());
        assert!(PropertyItem::parse_list(&json!([{"siid": 1, "piid": 5000000000u64}])).is_err());
    }

    #[test]
    fn property_result_reads_real_failure_item() {
        // real device dump quoted in python-miio miio/integrations/dmaker/fan/fan_miot.py
        let r =
            PropertyResult::from_value(&json!({"did":"set_move","siid":2,"piid":9,"code":-4003}))
                .unwrap();
        assert_eq!((r.code, r.value), (code::miot::NOT_FOUND, None));
        // gateway sub-device pending reply with extra keys (merdok/homebridge-miot #355)
        let r = PropertyResult::from_value(
            &json!({"did":"xxx","siid":2,"piid":1,"code":1,"ts":1665230823,"ret":0}),
        )
        .unwrap();
        assert_eq!(r.code, code::miot::PENDING);
    }

    #[test]
    fn action_shapes() {
        let a = ActionCall::new(3, 1, vec![json!(5)]);
        assert_eq!(
            a.to_value(),
            json!({"did":"call-3-1","siid":3,"aiid":1,"in":[5]})
        );
        assert_eq!(ActionCall::parse(&a.to_value()).unwrap(), a);
        assert_eq!(
            ActionResult::from_value(&json!({"code":0,"out":[]})),
            ActionResult {
                code: 0,
                out: vec![]
            }
        );
    }

    #[test]
    fn info_hides_token_in_debug() {
        let v = json!({"model":"zhimi.humidifier.v1","token":"5d3a2f018c90097a850558c35c953b77",
            "ap":{"ssid":"home","bssid":"aa","rssi":-50},"netif":{"localIp":"10.0.0.2","mask":"255.0.0.0","gw":"10.0.0.1"},
            "life":3037299,"otu_stat":[1,2]});
        let info: Info = serde_json::from_value(v).unwrap();
        assert_eq!(
            info.netif.as_ref().unwrap().local_ip.as_deref(),
            Some("10.0.0.2")
        );
        assert!(info.extra.contains_key("otu_stat"));
        assert!(!format!("{info:?}").contains("5d3a2f01"));
    }
}
