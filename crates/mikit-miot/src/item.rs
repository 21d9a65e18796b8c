//! The MIoT items a device is asked for and answers with, whatever carries them: the miIO
//! LAN protocol (`mikit-miio`) and the Mi Home cloud (`mikit-micloud`) each encode these on
//! their own wire and decode their replies into them, so that everything above the protocol
//! crates handles one shape.
//!
//! Codes: 0 success and 1 "accepted, not finished" on both paths; the LAN's item errors are
//! `-4001`…`-4007` (reference `miot-spec.md` §9), the cloud's are `-70xxxyzzz`
//! (`mikit_micloud::miot::CloudCode`).

use serde_json::Value;

/// One property to read: service and property instance ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PropRead {
    /// Service instance id.
    pub siid: u32,
    /// Property instance id.
    pub piid: u32,
}

/// One property to write.
#[derive(Clone, Debug, PartialEq)]
pub struct PropWrite {
    /// Service instance id.
    pub siid: u32,
    /// Property instance id.
    pub piid: u32,
    /// The value to write (already checked against the spec by the caller).
    pub value: Value,
}

/// An action to run, with its bare argument values in the order of the spec's `in` piids.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionCall {
    /// Service instance id.
    pub siid: u32,
    /// Action instance id.
    pub aiid: u32,
    /// Argument values.
    pub args: Vec<Value>,
}

/// The outcome of one property item (read or write).
#[derive(Clone, Debug, PartialEq)]
pub struct PropResult {
    /// Service instance id.
    pub siid: u32,
    /// Property instance id.
    pub piid: u32,
    /// 0 (or 1) on success, else a LAN (`-4001`…) or cloud (`-70xxxyzzz`) code.
    pub code: i64,
    /// The value read (successful reads only).
    pub value: Option<Value>,
}

impl PropResult {
    /// True for the success codes 0 and 1.
    pub fn is_ok(&self) -> bool {
        is_ok(self.code)
    }
}

/// The outcome of an action.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionResult {
    /// 0 (or 1) on success, else an error code as for [`PropResult::code`].
    pub code: i64,
    /// Output values, in the order of the spec's `out` piids.
    pub out: Vec<Value>,
}

impl ActionResult {
    /// True for the success codes 0 and 1.
    pub fn is_ok(&self) -> bool {
        is_ok(self.code)
    }
}

/// True for the item success codes 0 and 1 (1: accepted, not finished yet).
pub fn is_ok(code: i64) -> bool {
    code == 0 || code == 1
}

impl From<(u32, u32)> for PropRead {
    fn from((siid, piid): (u32, u32)) -> Self {
        Self { siid, piid }
    }
}

impl From<(u32, u32, Value)> for PropWrite {
    fn from((siid, piid, value): (u32, u32, Value)) -> Self {
        Self { siid, piid, value }
    }
}
