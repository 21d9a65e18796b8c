//! MIoT calls through the cloud: the wire shapes of the items of [`mikit_miot::item`] (with
//! the device id each cloud item carries, and the times the cloud adds) and the `-70xxxyzzz`
//! codes. [`crate::MiCloud::read_properties`] and its siblings speak the shared items.
//!
//! Code grammar from `MiEcosystem/miot-spec-doc:小米IOT控制端APIv1.md` @4d8c08e §四
//! (reference §8): `-70` + `xxx` (an HTTP-like status) + `y` (where: 1 open platform,
//! 2 device cloud, 3 device, 4 MIOT-SPEC) + `zzz` (the reason).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Where a cloud MIoT error arose (the `y` digit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// 1: the open platform.
    OpenPlatform,
    /// 2: the device cloud.
    DeviceCloud,
    /// 3: the device itself.
    Device,
    /// 4: the MIoT-spec service.
    Spec,
    /// Any other digit.
    Other(u8),
}

/// What went wrong (the `zzz` digits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// 000 with status 401: not authorized, or the device was removed (BLE devices per item;
    /// `Do1e/mijia-api:mijiaAPI/errors.py`, ha0y/xiaomi_miot_raw#408).
    Unauthorized,
    /// 001
    DeviceNotFound,
    /// 002
    ServiceNotFound,
    /// 003
    PropertyNotFound,
    /// 004
    EventNotFound,
    /// 005
    ActionNotFound,
    /// 006
    NoDeviceDescription,
    /// 007
    NoDeviceCloud,
    /// 008
    InvalidIid,
    /// 009
    Scene,
    /// 011 (hass-xiaomi-miot; `-704042011`)
    DeviceOffline,
    /// 013
    PropertyNotReadable,
    /// 015
    ActionExecError,
    /// 023
    PropertyNotWritable,
    /// 025
    ActionArgumentCount,
    /// 033
    NotSubscribable,
    /// 034
    ActionReturnError,
    /// 035
    ActionArgumentError,
    /// 036
    OperationTimeout,
    /// 043
    ValueError,
    /// 100
    CannotOperateNow,
    /// 101
    IrNotSupported,
    /// 901
    TokenMissingOrExpired,
    /// 902
    TokenInvalid,
    /// 903
    AuthorizationExpired,
    /// 904
    VoiceDeviceUnauthorized,
    /// 905
    DeviceNotBound,
    /// 999
    FeatureNotOnline,
    /// Any other `zzz`.
    Other(u16),
}

impl Reason {
    fn from_digits(status: u16, zzz: u16) -> Self {
        match zzz {
            0 if status == 401 => Reason::Unauthorized,
            1 => Reason::DeviceNotFound,
            2 => Reason::ServiceNotFound,
            3 => Reason::PropertyNotFound,
            4 => Reason::EventNotFound,
            5 => Reason::ActionNotFound,
            6 => Reason::NoDeviceDescription,
            7 => Reason::NoDeviceCloud,
            8 => Reason::InvalidIid,
            9 => Reason::Scene,
            11 => Reason::DeviceOffline,
            13 => Reason::PropertyNotReadable,
            15 => Reason::ActionExecError,
            23 => Reason::PropertyNotWritable,
            25 => Reason::ActionArgumentCount,
            33 => Reason::NotSubscribable,
            34 => Reason::ActionReturnError,
            35 => Reason::ActionArgumentError,
            36 => Reason::OperationTimeout,
            43 => Reason::ValueError,
            100 => Reason::CannotOperateNow,
            101 => Reason::IrNotSupported,
            901 => Reason::TokenMissingOrExpired,
            902 => Reason::TokenInvalid,
            903 => Reason::AuthorizationExpired,
            904 => Reason::VoiceDeviceUnauthorized,
            905 => Reason::DeviceNotBound,
            999 => Reason::FeatureNotOnline,
            other => Reason::Other(other),
        }
    }

    /// A short human description.
    pub fn describe(self) -> &'static str {
        match self {
            Reason::Unauthorized => "not authorized, or the device was removed",
            Reason::DeviceNotFound => "device not found",
            Reason::ServiceNotFound => "service not found",
            Reason::PropertyNotFound => "property not found",
            Reason::EventNotFound => "event not found",
            Reason::ActionNotFound => "action not found",
            Reason::NoDeviceDescription => "no device description",
            Reason::NoDeviceCloud => "no device cloud",
            Reason::InvalidIid => "invalid iid",
            Reason::Scene => "scene error",
            Reason::DeviceOffline => "device offline",
            Reason::PropertyNotReadable => "property not readable",
            Reason::ActionExecError => "action execution error",
            Reason::PropertyNotWritable => "property not writable",
            Reason::ActionArgumentCount => "wrong number of action arguments",
            Reason::NotSubscribable => "not subscribable",
            Reason::ActionReturnError => "action return error",
            Reason::ActionArgumentError => "action argument error",
            Reason::OperationTimeout => "device operation timed out",
            Reason::ValueError => "value error",
            Reason::CannotOperateNow => "cannot operate in the current state",
            Reason::IrNotSupported => "IR not supported",
            Reason::TokenMissingOrExpired => "token missing or expired",
            Reason::TokenInvalid => "token invalid",
            Reason::AuthorizationExpired => "authorization expired",
            Reason::VoiceDeviceUnauthorized => "voice device not authorized",
            Reason::DeviceNotBound => "device not bound",
            Reason::FeatureNotOnline => "feature not online",
            Reason::Other(_) => "unknown error",
        }
    }
}

/// A decoded cloud MIoT code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CloudCode {
    /// The raw code, e.g. `-704042011`.
    pub code: i64,
    /// The `xxx` digits (an HTTP-like status), e.g. 404.
    pub status: u16,
    /// The `y` digit.
    pub origin: Origin,
    /// The `zzz` digits.
    pub reason: Reason,
}

impl CloudCode {
    /// Decode a `-70xxxyzzz` code; `None` for any other number.
    pub fn decode(code: i64) -> Option<Self> {
        if !(-709_999_999..=-700_000_000).contains(&code) {
            return None;
        }
        let digits = code.unsigned_abs() % 10_000_000; // drop the leading "70"
        let status = u16::try_from(digits / 10_000).ok()?;
        let y = u8::try_from((digits / 1000) % 10).ok()?;
        let zzz = u16::try_from(digits % 1000).ok()?;
        let origin = match y {
            1 => Origin::OpenPlatform,
            2 => Origin::DeviceCloud,
            3 => Origin::Device,
            4 => Origin::Spec,
            other => Origin::Other(other),
        };
        Some(Self {
            code,
            status,
            origin,
            reason: Reason::from_digits(status, zzz),
        })
    }
}

impl std::fmt::Display for CloudCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (code {})", self.reason.describe(), self.code)
    }
}

/// The outcome of one item code: 0 and 1 are success (1 = accepted, not finished).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemStatus {
    /// 0 or 1.
    Ok,
    /// A decoded `-70xxxyzzz` code.
    Cloud(CloudCode),
    /// Any other code (e.g. a LAN-style `-4001` forwarded as is).
    Other(i64),
}

impl ItemStatus {
    /// Classify an item code.
    pub fn from_code(code: i64) -> Self {
        if code == 0 || code == 1 {
            ItemStatus::Ok
        } else if let Some(c) = CloudCode::decode(code) {
            ItemStatus::Cloud(c)
        } else {
            ItemStatus::Other(code)
        }
    }
    /// True for 0 and 1.
    pub fn is_ok(self) -> bool {
        self == ItemStatus::Ok
    }
}

/// Where `/miotspec/prop/get` reads from (`miot-plugin-sdk` wiki "04 miot_spec"; reference §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DataSource {
    /// 1: the cloud cache, else an RPC to the device (the default).
    #[default]
    CacheFirst,
    /// 2: always an RPC to the device.
    Device,
    /// 3: the cloud cache only.
    CacheOnly,
}

impl DataSource {
    /// The number sent as `datasource`.
    pub fn code(self) -> u8 {
        match self {
            DataSource::CacheFirst => 1,
            DataSource::Device => 2,
            DataSource::CacheOnly => 3,
        }
    }
}

/// One property to read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropGet {
    /// Device id.
    pub did: String,
    /// Service instance id.
    pub siid: u32,
    /// Property instance id.
    pub piid: u32,
}

/// One property to write.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PropSet {
    /// Device id.
    pub did: String,
    /// Service instance id.
    pub siid: u32,
    /// Property instance id.
    pub piid: u32,
    /// The new value.
    pub value: Value,
}

/// One item of a `/miotspec/prop/get` or `/prop/set` reply.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PropResult {
    /// Device id.
    #[serde(deserialize_with = "crate::device::string_or_number")]
    pub did: String,
    /// Service instance id.
    pub siid: u32,
    /// Property instance id.
    pub piid: u32,
    /// Item code (0/1 ok).
    #[serde(default)]
    pub code: i64,
    /// The value (absent on failed items and on set replies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// When the cloud last saw the value (unix s).
    #[serde(
        rename = "updateTime",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub update_time: Option<i64>,
    /// Execution time in ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exe_time: Option<i64>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl PropResult {
    /// The item's status.
    pub fn status(&self) -> ItemStatus {
        ItemStatus::from_code(self.code)
    }
}

impl From<PropResult> for mikit_miot::item::PropResult {
    /// The shared item (the cloud's `did`, times and extra fields only matter on the wire).
    fn from(r: PropResult) -> Self {
        Self {
            siid: r.siid,
            piid: r.piid,
            code: r.code,
            value: r.value,
        }
    }
}

/// An action to run (`/miotspec/action` sends a single object).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionCall {
    /// Device id.
    pub did: String,
    /// Service instance id.
    pub siid: u32,
    /// Action instance id.
    pub aiid: u32,
    /// Bare argument values in the order of the spec's `in` piids.
    #[serde(rename = "in")]
    pub args: Vec<Value>,
}

/// The reply of `/miotspec/action`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionResult {
    /// Device id.
    #[serde(default, deserialize_with = "crate::device::string_or_number")]
    pub did: String,
    /// Service instance id.
    #[serde(default)]
    pub siid: u32,
    /// Action instance id.
    #[serde(default)]
    pub aiid: u32,
    /// Code (0/1 ok).
    #[serde(default)]
    pub code: i64,
    /// Output values.
    #[serde(default)]
    pub out: Vec<Value>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl From<ActionResult> for mikit_miot::item::ActionResult {
    fn from(r: ActionResult) -> Self {
        Self {
            code: r.code,
            out: r.out,
        }
    }
}

impl ActionResult {
    /// The action's status.
    pub fn status(&self) -> ItemStatus {
        ItemStatus::from_code(self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_documented_codes() {
        // Values from Do1e/mijia-api:mijiaAPI/errors.py ERROR_CODE (reference §8).
        let off = CloudCode::decode(-704_042_011).unwrap();
        assert_eq!(
            (off.status, off.origin, off.reason),
            (404, Origin::DeviceCloud, Reason::DeviceOffline)
        );
        assert_eq!(off.to_string(), "device offline (code -704042011)");
        let unauth = CloudCode::decode(-704_010_000).unwrap();
        assert_eq!((unauth.status, unauth.reason), (401, Reason::Unauthorized));
        assert_eq!(
            CloudCode::decode(-704_030_013).unwrap().reason,
            Reason::PropertyNotReadable
        );
        assert_eq!(
            CloudCode::decode(-704_030_023).unwrap().reason,
            Reason::PropertyNotWritable
        );
        assert_eq!(
            CloudCode::decode(-704_030_033).unwrap().reason,
            Reason::NotSubscribable
        );
        let nf = CloudCode::decode(-704_040_003).unwrap();
        assert_eq!(
            (nf.status, nf.origin, nf.reason),
            (404, Origin::Other(0), Reason::PropertyNotFound)
        );
        assert_eq!(
            CloudCode::decode(-704_040_005).unwrap().reason,
            Reason::ActionNotFound
        );
        assert_eq!(
            CloudCode::decode(-704_040_999).unwrap().reason,
            Reason::FeatureNotOnline
        );
        assert_eq!(
            CloudCode::decode(-704_220_043).unwrap().reason,
            Reason::ValueError
        );
        assert_eq!(
            CloudCode::decode(-704_220_035).unwrap().reason,
            Reason::ActionArgumentError
        );
        assert_eq!(
            CloudCode::decode(-704_220_025).unwrap().reason,
            Reason::ActionArgumentCount
        );
        assert_eq!(
            CloudCode::decode(-704_222_034).unwrap().reason,
            Reason::ActionReturnError
        );
        assert_eq!(
            CloudCode::decode(-704_053_036).unwrap().reason,
            Reason::OperationTimeout
        );
        assert_eq!(
            CloudCode::decode(-704_053_100).unwrap().reason,
            Reason::CannotOperateNow
        );
        assert_eq!(
            CloudCode::decode(-704_090_001).unwrap().reason,
            Reason::DeviceNotFound
        );
        assert_eq!(
            CloudCode::decode(-704_220_008).unwrap().reason,
            Reason::InvalidIid
        );
        assert_eq!(
            CloudCode::decode(-706_012_015).unwrap().origin,
            Origin::DeviceCloud
        );
        assert_eq!(
            CloudCode::decode(-705_201_013).unwrap().origin,
            Origin::OpenPlatform
        );
        let spec = CloudCode::decode(-704_014_006).unwrap();
        assert_eq!(
            (spec.status, spec.origin, spec.reason),
            (401, Origin::Spec, Reason::NoDeviceDescription)
        );
        assert_eq!(
            CloudCode::decode(-704_000_000).unwrap().reason,
            Reason::Other(0)
        );
    }

    #[test]
    fn other_numbers_are_not_cloud_codes() {
        assert_eq!(CloudCode::decode(0), None);
        assert_eq!(CloudCode::decode(-4001), None);
        assert_eq!(CloudCode::decode(-10_000), None);
        assert_eq!(CloudCode::decode(704_042_011), None);
        assert_eq!(CloudCode::decode(i64::MIN), None);
        assert_eq!(ItemStatus::from_code(1), ItemStatus::Ok);
        assert_eq!(ItemStatus::from_code(-4001), ItemStatus::Other(-4001));
    }
}
