//! MIoT through the cloud: `/miotspec/prop/get`, `/miotspec/prop/set`, `/miotspec/action`
//! and `/home/rpc/<did>`, all acting on the same [`crate::device::SimDevice`] as its LAN
//! server (reference §4, §5, §8; `miot-spec.md` §13).
//!
//! Item codes: the device's LAN codes mapped to cloud codes as reference §8 proposes
//! (-4001 → -704030013, -4002 → -704030023, -4003 → -704040003 / -704040005 (action),
//! -4005 → -704220043, -4006 → -704220035); an offline device is `-704042011` per item
//! (hass-xiaomi-miot; `Do1e/mijia-api:mijiaAPI/errors.py`); BLE dids this account may not
//! read are `-704010000` (ha0y/xiaomi_miot_raw#408); another unknown did is `-704042001`
//! (a value in the mijia-api list, "device not found" in the device cloud).
//!
//! `datasource` (miot-plugin-sdk wiki "04 miot_spec"): 1 = cache first, RPC if missing;
//! 2 = always RPC; 3 = cache only. The emulated devices report every change at once, so the
//! cloud's cache of an online device always equals its state; the difference shows for an
//! offline device: 1 and 3 answer the last known value, 2 answers `-704042011`.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use mikit_miio::Handler as _;
use serde_json::{Map, Value, json};

use super::MiCloud;
use super::api::{Answer, Caller};
use super::records::{device, did_of};

/// Device offline (reference §8).
pub(crate) const OFFLINE: i64 = -704_042_011;
/// Not authorized / removed, the per-item code of BLE devices (reference §7, §8).
const UNAUTHORIZED: i64 = -704_010_000;
/// Device not found in the device cloud.
const NOT_FOUND: i64 = -704_042_001;

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The cloud code of a LAN item code (reference §8 mapping).
pub(crate) fn cloud_code(lan: i64, action: bool) -> i64 {
    match lan {
        -4001 => -704_030_013,
        -4002 => -704_030_023,
        -4003 if action => -704_040_005,
        -4003 => -704_040_003,
        -4005 => -704_220_043,
        -4006 => -704_220_035,
        other => other,
    }
}

/// The code for a did that is not (or not here) a reachable device.
fn missing_code(did: &str) -> i64 {
    if did.starts_with("blt.") {
        UNAUTHORIZED
    } else {
        NOT_FOUND
    }
}

fn iid(item: &Value, key: &str) -> Option<u32> {
    item.get(key)
        .and_then(Value::as_u64)
        .and_then(|v| u32::try_from(v).ok())
}

/// An item echoing `did`, `siid` and `piid` of the request.
fn echo(item: &Value) -> Map<String, Value> {
    let mut m = Map::new();
    for key in ["did", "siid", "piid"] {
        if let Some(v) = item.get(key) {
            m.insert(key.to_owned(), v.clone());
        }
    }
    m
}

fn ms_since(start: Instant) -> u64 {
    u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// `/miotspec/prop/get` `{"params":[{"did","siid","piid"}],"datasource":1}`.
pub(crate) fn prop_get(cloud: &MiCloud, caller: &Caller, data: &Value) -> Answer {
    let Some(items) = data.get("params").and_then(Value::as_array) else {
        return Answer::Error(-1, "params must be a list".into());
    };
    let source = data.get("datasource").and_then(Value::as_u64).unwrap_or(1);
    let out: Vec<Value> = items
        .iter()
        .map(|item| {
            let start = Instant::now();
            let mut m = echo(item);
            let did = did_of(item.get("did")).unwrap_or_default();
            let key = (
                did.clone(),
                iid(item, "siid").unwrap_or(0),
                iid(item, "piid").unwrap_or(0),
            );
            let (code, value, updated) = match device(cloud, caller, &did) {
                None => (missing_code(&did), None, now_unix()),
                Some(d) if !d.online() => match (source, cloud.lock().props.get(&key)) {
                    (1 | 3, Some((v, t))) => (0, Some(v.clone()), *t),
                    _ => (OFFLINE, None, now_unix()),
                },
                Some(d) => {
                    let r = d.get_properties(std::slice::from_ref(item));
                    let r = r.first().cloned().unwrap_or(Value::Null);
                    let code = r.get("code").and_then(Value::as_i64).unwrap_or(-4003);
                    let value = r.get("value").cloned();
                    let now = now_unix();
                    if let (0, Some(v)) = (code, &value) {
                        cloud.lock().props.insert(key, (v.clone(), now));
                    }
                    (cloud_code(code, false), value, now)
                }
            };
            if let Some(v) = value {
                m.insert("value".into(), v);
            }
            m.insert("code".into(), code.into());
            m.insert("updateTime".into(), updated.into());
            m.insert("exe_time".into(), ms_since(start).into());
            Value::Object(m)
        })
        .collect();
    Answer::Ok(Value::Array(out))
}

/// `/miotspec/prop/set` `{"params":[{"did","siid","piid","value"}]}` → `[{…,"code"}]`.
pub(crate) fn prop_set(cloud: &MiCloud, caller: &Caller, data: &Value) -> Answer {
    let Some(items) = data.get("params").and_then(Value::as_array) else {
        return Answer::Error(-1, "params must be a list".into());
    };
    let out: Vec<Value> = items
        .iter()
        .map(|item| {
            let start = Instant::now();
            let mut m = echo(item);
            let did = did_of(item.get("did")).unwrap_or_default();
            let code = match device(cloud, caller, &did) {
                None => missing_code(&did),
                Some(d) if !d.online() => OFFLINE,
                Some(d) => {
                    let r = d.set_properties(std::slice::from_ref(item));
                    let code = r
                        .first()
                        .and_then(|r| r.get("code"))
                        .and_then(Value::as_i64)
                        .unwrap_or(-4003);
                    if code == 0 || code == 1 {
                        let (siid, piid) = (
                            iid(item, "siid").unwrap_or(0),
                            iid(item, "piid").unwrap_or(0),
                        );
                        if let Some(v) = d.value(siid, piid) {
                            cloud
                                .lock()
                                .props
                                .insert((did.clone(), siid, piid), (v, now_unix()));
                        }
                    }
                    cloud_code(code, false)
                }
            };
            m.insert("code".into(), code.into());
            m.insert("exe_time".into(), ms_since(start).into());
            Value::Object(m)
        })
        .collect();
    Answer::Ok(Value::Array(out))
}

/// `/miotspec/action` `{"params":{"did","siid","aiid","in":[…]}}` (a single object) →
/// `{"did","siid","aiid","code","out":[…]}`.
pub(crate) fn action(cloud: &MiCloud, caller: &Caller, data: &Value) -> Answer {
    let Some(params) = data.get("params").filter(|p| p.is_object()) else {
        return Answer::Error(-1, "params must be an object".into());
    };
    let start = Instant::now();
    let did = did_of(params.get("did")).unwrap_or_default();
    let mut m = Map::new();
    for key in ["did", "siid", "aiid"] {
        if let Some(v) = params.get(key) {
            m.insert(key.to_owned(), v.clone());
        }
    }
    let (code, out) = match device(cloud, caller, &did) {
        None => (missing_code(&did), None),
        Some(d) if !d.online() => (OFFLINE, None),
        Some(d) => {
            let r = d.action(params);
            let code = r.get("code").and_then(Value::as_i64).unwrap_or(-4003);
            (cloud_code(code, true), r.get("out").cloned())
        }
    };
    m.insert("code".into(), code.into());
    m.insert("out".into(), out.unwrap_or_else(|| json!([])));
    m.insert("exe_time".into(), ms_since(start).into());
    Answer::Ok(Value::Object(m))
}

/// `/home/rpc/<did>` `{"id","method","params"}`: the miIO method through the device's LAN
/// handler; the result is the device's `{"id","result"}` (or `{"id","error"}`) (reference
/// §4: MiService, openHAB `sendRPCCommand`).
pub(crate) fn rpc(cloud: &MiCloud, caller: &Caller, did: &str, data: &Value) -> Answer {
    let Some(d) = device(cloud, caller, did) else {
        return Answer::Error(missing_code(did), "device not found".into());
    };
    if !d.online() {
        // [inferred] the legacy RPC's offline answer is not public; the MIoT code is used.
        return Answer::Error(OFFLINE, "device offline".into());
    }
    let id = data.get("id").cloned().unwrap_or_else(|| json!(1));
    let Some(method) = data.get("method").and_then(Value::as_str) else {
        return Answer::Error(-1, "method missing".into());
    };
    let params = data.get("params").cloned().unwrap_or_else(|| json!([]));
    match d.handle(method, &params) {
        Ok(result) => Answer::Ok(json!({"id": id, "result": result})),
        Err(e) => Answer::Ok(json!({"id": id, "error": {"code": e.code, "message": e.message}})),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lan_codes_map_to_cloud_codes() {
        assert_eq!(cloud_code(-4001, false), -704_030_013);
        assert_eq!(cloud_code(-4002, false), -704_030_023);
        assert_eq!(cloud_code(-4003, false), -704_040_003);
        assert_eq!(cloud_code(-4003, true), -704_040_005);
        assert_eq!(cloud_code(-4005, false), -704_220_043);
        assert_eq!(cloud_code(-4006, true), -704_220_035);
        assert_eq!(cloud_code(0, false), 0);
        assert_eq!(cloud_code(1, false), 1);
        assert_eq!(missing_code("blt.3.abc"), UNAUTHORIZED);
        assert_eq!(missing_code("123"), NOT_FOUND);
        for c in [OFFLINE, UNAUTHORIZED, NOT_FOUND] {
            assert!(mikit_micloud::miot::CloudCode::decode(c).is_some());
        }
    }
}
