//! [`SimDevice`]: one device driven by its MIoT spec.
//!
//! Rules (reference `miot-spec.md` §13 "spec-driven fake device", codes of §9):
//! - the property table comes from the spec; initial values are `value-list[0]`, the
//!   `value-range` minimum, `false` or `""`;
//! - `get_properties`: each item echoes `did`/`siid`/`piid`; `-4003` unknown, `-4001` when
//!   `read` is not in `access`, else `code 0` and `value`;
//! - `set_properties`: `-4003` unknown, `-4002` when `write` is not in `access`, `-4005` when
//!   the value violates format / range / step / list, else `code 0` (or `1`, "accepted,
//!   pending", when configured) and the state changes;
//! - `action`: `-4003` unknown, `-4006` when the number or format of `in` values does not match
//!   the spec's `in` piids, else `{"code":0,"out":[values of the out piids]}`; the `in` values
//!   become the state of their properties, and an action whose effect the spec makes clear
//!   (`toggle`, `turn-on`/`turn-off`, `X-increase`/`X-decrease`, see [`super::effect`]) carries
//!   it out; any other action changes nothing;
//! - `access: []` properties are neither readable nor writable but valid action arguments.
//!
//! On the LAN (`miio-lan.md` §8, §12): `miIO.info` answers like a real device, legacy
//! `get_prop` answers positionally, and an unknown method is the `-10000` device error.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use mikit_miio::message::code::{self, miot};
use mikit_miio::{DeviceError, Handler};
use mikit_miot::{Format, Instance, Names, Property};
use serde_json::{Map, Value, json};

use super::{DeviceInfo, effect};

/// Mutable part of a device.
#[derive(Debug)]
struct State {
    /// Current value of every property, by `(siid, piid)`.
    values: HashMap<(u32, u32), Value>,
    /// When the device (last) booted.
    booted: Instant,
    /// Seconds of uptime already behind it at `booted` (a device that was on before the
    /// emulator started).
    uptime_base: u64,
}

/// One simulated device: identity, spec, property state and MIoT semantics.
#[derive(Debug)]
pub struct SimDevice {
    info: DeviceInfo,
    spec: Instance,
    names: Names,
    state: Mutex<State>,
    online: AtomicBool,
    pending_sets: AtomicBool,
}

/// The value a property starts with (§13): `value-list[0]`, the range minimum, `false`, `""`.
fn initial_value(p: &Property) -> Value {
    match &p.format {
        Format::Bool => return Value::Bool(false),
        Format::String | Format::Hex | Format::Unknown(_) => return Value::String(String::new()),
        _ => {}
    }
    if let Some(first) = p.value_list().first() {
        return Value::Number(first.value.clone());
    }
    if let Some(r) = &p.value_range {
        return Value::Number(r.min.clone());
    }
    match p.format {
        Format::Float => json!(0.0),
        _ => json!(0),
    }
}

/// The `name` field of a URN (`urn:miot-spec-v2:service:device-information:…` → `device-information`).
fn urn_name(urn: &str) -> Option<&str> {
    urn.split(':').nth(3)
}

/// What a real device reports in its `device-information` service (manufacturer, model,
/// serial number, firmware revision) instead of the empty-string default: a device knows who
/// it is. Other string properties keep the §13 default.
fn identity_value(p: &Property, info: &DeviceInfo) -> Option<Value> {
    if !matches!(p.format, Format::String) {
        return None;
    }
    let text = match urn_name(&p.type_)? {
        "manufacturer" => info.model.split('.').next().unwrap_or_default().to_owned(),
        "model" => info.model.clone(),
        "serial-number" | "serial-no" => format!(
            "{}{}",
            info.model.split('.').next().unwrap_or("sn"),
            info.did
        ),
        "firmware-revision" => info.fw_ver.clone(),
        _ => return None,
    };
    Some(Value::String(text))
}

/// `siid`/`piid`/`aiid` of a request item, if present and a 32-bit integer.
fn iid(o: &Map<String, Value>, key: &str) -> Option<u32> {
    o.get(key)
        .and_then(Value::as_u64)
        .and_then(|v| u32::try_from(v).ok())
}

/// A reply item: `did`, `siid`, `piid` echoed verbatim from the request, then `code` and
/// the optional `value`.
fn answer(item: &Value, code: i64, value: Option<Value>) -> Value {
    let mut m = Map::new();
    let o = item.as_object();
    for key in ["did", "siid", "piid"] {
        if let Some(v) = o.and_then(|o| o.get(key)) {
            m.insert(key.to_owned(), v.clone());
        }
    }
    m.insert("code".to_owned(), code.into());
    if let Some(v) = value {
        m.insert("value".to_owned(), v);
    }
    Value::Object(m)
}

impl SimDevice {
    /// A device of `spec` with identity `info`, all properties at their initial values.
    pub fn new(spec: Instance, info: DeviceInfo) -> Self {
        let mut values = HashMap::new();
        for s in &spec.services {
            let identity = urn_name(&s.type_) == Some("device-information");
            for p in s.properties() {
                let value = identity
                    .then(|| identity_value(p, &info))
                    .flatten()
                    .unwrap_or_else(|| initial_value(p));
                // A spec may repeat a siid or piid (issue 9): the first definition owns the
                // address, as `Instance::property` says.
                values.entry((s.iid, p.iid)).or_insert(value);
            }
        }
        Self {
            names: Names::new(&spec),
            info,
            spec,
            state: Mutex::new(State {
                values,
                booted: Instant::now(),
                uptime_base: 0,
            }),
            online: AtomicBool::new(true),
            pending_sets: AtomicBool::new(false),
        }
    }

    /// The same device, already up for `seconds` when created (`miIO.info` `life`, LAN stamp).
    pub fn with_uptime(self, seconds: u64) -> Self {
        self.lock().uptime_base = seconds;
        self
    }

    /// Identity.
    pub fn info(&self) -> &DeviceInfo {
        &self.info
    }

    /// The MIoT spec it follows.
    pub fn spec(&self) -> &Instance {
        &self.spec
    }

    /// `service.property` names of its spec.
    pub fn names(&self) -> &Names {
        &self.names
    }

    /// False while its LAN server is stopped (device unplugged).
    pub fn online(&self) -> bool {
        self.online.load(Ordering::SeqCst)
    }

    /// Mark the device on- or offline. Coming back online is a reboot: uptime restarts at 0
    /// (property state is kept, as devices keep their settings).
    pub fn set_online(&self, online: bool) {
        let was = self.online.swap(online, Ordering::SeqCst);
        if online && !was {
            let mut st = self.lock();
            st.booted = Instant::now();
            st.uptime_base = 0;
        }
    }

    /// Answer successful `set_properties` items with code `1` ("accepted, not finished",
    /// §9) instead of `0`, as gateway sub-devices do (homebridge-miot #355).
    pub fn set_pending_sets(&self, pending: bool) {
        self.pending_sets.store(pending, Ordering::SeqCst);
    }

    /// Seconds since (simulated) boot.
    pub fn uptime(&self) -> u64 {
        let st = self.lock();
        st.uptime_base + st.booted.elapsed().as_secs()
    }

    /// The current value of `siid.piid` regardless of access rights (for tests and the cloud's
    /// cache view); `None` if the spec has no such property.
    pub fn value(&self, siid: u32, piid: u32) -> Option<Value> {
        self.lock().values.get(&(siid, piid)).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A poisoned lock only means another thread panicked mid-update of plain values;
        // the map is still consistent, so keep serving.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `get_properties`: one reply item per request item (shapes of §8, `did` echoed).
    pub fn get_properties(&self, items: &[Value]) -> Vec<Value> {
        let st = self.lock();
        items
            .iter()
            .map(|item| {
                let Some(o) = item.as_object() else {
                    return answer(item, miot::NOT_FOUND, None);
                };
                let (Some(siid), Some(piid)) = (iid(o, "siid"), iid(o, "piid")) else {
                    return answer(item, miot::NOT_FOUND, None);
                };
                match self.spec.property(siid, piid) {
                    None => answer(item, miot::NOT_FOUND, None),
                    Some(p) if !p.is_readable() => answer(item, miot::NOT_READABLE, None),
                    Some(_) => answer(item, miot::OK, st.values.get(&(siid, piid)).cloned()),
                }
            })
            .collect()
    }

    /// `set_properties`: per-item codes; valid values change the state.
    pub fn set_properties(&self, items: &[Value]) -> Vec<Value> {
        let ok = if self.pending_sets.load(Ordering::SeqCst) {
            miot::PENDING
        } else {
            miot::OK
        };
        let mut st = self.lock();
        items
            .iter()
            .map(|item| {
                let Some(o) = item.as_object() else {
                    return answer(item, miot::NOT_FOUND, None);
                };
                let (Some(siid), Some(piid)) = (iid(o, "siid"), iid(o, "piid")) else {
                    return answer(item, miot::NOT_FOUND, None);
                };
                let Some(p) = self.spec.property(siid, piid) else {
                    return answer(item, miot::NOT_FOUND, None);
                };
                if !p.is_writable() {
                    return answer(item, miot::NOT_WRITABLE, None);
                }
                let Some(value) = o.get("value") else {
                    return answer(item, miot::VALUE_ERROR, None);
                };
                if p.validate(value).is_err() {
                    return answer(item, miot::VALUE_ERROR, None);
                }
                // Store the wire value normalised to the spec's type (0/1 → bool).
                let stored = p.coerce_json(value).unwrap_or_else(|_| value.clone());
                st.values.insert((siid, piid), stored);
                answer(item, ok, None)
            })
            .collect()
    }

    /// `action` with params `{"did","siid","aiid","in":[…]}`: `{"code":0,"out":[…]}`, or
    /// `{"code":-4003}` / `{"code":-4006}`.
    pub fn action(&self, params: &Value) -> Value {
        let failed = |c: i64| json!({ "code": c });
        let Some(o) = params.as_object() else {
            return failed(miot::NOT_FOUND);
        };
        let (Some(siid), Some(aiid)) = (iid(o, "siid"), iid(o, "aiid")) else {
            return failed(miot::NOT_FOUND);
        };
        let Some(service) = self.spec.service(siid) else {
            return failed(miot::NOT_FOUND);
        };
        let Some(action) = service.action(aiid) else {
            return failed(miot::NOT_FOUND);
        };
        let ins: &[Value] = match o.get("in") {
            None | Some(Value::Null) => &[],
            Some(Value::Array(a)) => a,
            Some(_) => return failed(miot::ACTION_IN_ERROR),
        };
        if service.validate_action_in(aiid, ins).is_err() {
            return failed(miot::ACTION_IN_ERROR);
        }
        let mut st = self.lock();
        // The arguments become the state of their properties (e.g. a "set-brightness" action).
        for (&piid, v) in action.in_.as_slice().iter().zip(ins) {
            let stored = service
                .property(piid)
                .and_then(|p| p.coerce_json(v).ok())
                .unwrap_or_else(|| v.clone());
            st.values.insert((siid, piid), stored);
        }
        // An action whose effect the spec makes clear (toggle, on/off, a step) carries it out.
        if let Some((piid, value)) = effect::implied_change(service, action, |piid| {
            st.values.get(&(siid, piid)).cloned()
        }) {
            st.values.insert((siid, piid), value);
        }
        let out: Vec<Value> = action
            .out
            .as_slice()
            .iter()
            .map(|&piid| st.values.get(&(siid, piid)).cloned().unwrap_or(Value::Null))
            .collect();
        json!({ "code": miot::OK, "out": out })
    }

    /// Legacy `get_prop ["name", …]`: positional values, `null` for names it does not know
    /// or cannot read. Names are `service.property` of the spec (or a unique bare name).
    pub fn get_prop(&self, names: &[Value]) -> Vec<Value> {
        let st = self.lock();
        names
            .iter()
            .map(|n| {
                n.as_str()
                    .and_then(|n| self.names.resolve_property(n).ok())
                    .filter(|&(s, p)| self.spec.property(s, p).is_some_and(Property::is_readable))
                    .and_then(|k| st.values.get(&k).cloned())
                    .unwrap_or(Value::Null)
            })
            .collect()
    }

    /// The `result` of `miIO.info`, field set of python-miio
    /// `devtools/simulators/common.py create_info_response` (reference `miio-lan.md` §8, §12).
    /// Its `token` is the device token: `miIO.info` only answers a client that already
    /// holds it (the reply is encrypted with it); the hello reply hides it.
    pub fn miio_info(&self) -> Value {
        let info = &self.info;
        let ip = info.ip.to_string();
        let gw = match info.ip {
            std::net::IpAddr::V4(v4) => {
                let o = v4.octets();
                format!("{}.{}.{}.1", o[0], o[1], o[2])
            }
            std::net::IpAddr::V6(_) => String::from("::1"),
        };
        let life = self.uptime();
        json!({
            "life": life,
            "cfg_time": 0,
            "token": info.token_hex(),
            "mac": info.mac,
            "fw_ver": info.fw_ver,
            "hw_ver": info.hw_ver,
            "uid": 1_000_000_000u64 + u64::from(info.did_u32() % 1_000_000),
            "model": info.model,
            "mcu_fw_ver": "0001",
            "wifi_fw_ver": "1.0.0",
            "ap": {"rssi": -45, "ssid": "mikit", "bssid": "F0:B4:29:00:00:01"},
            "netif": {"localIp": ip, "mask": "255.255.255.0", "gw": gw},
            "mmfree": 102_648,
            "ot": "otu",
            "otu_stat": [101, 74, 5343, 0, 5327, 407],
            "ott_stat": [0, 0, 0, 0],
        })
    }
}

impl Handler for SimDevice {
    fn handle(&self, method: &str, params: &Value) -> Result<Value, DeviceError> {
        let list = || {
            params
                .as_array()
                .ok_or_else(|| DeviceError::new(code::PARAMS_ERROR, "params must be a list"))
        };
        match method {
            "miIO.info" => Ok(self.miio_info()),
            "get_properties" => Ok(Value::Array(self.get_properties(list()?))),
            "set_properties" => Ok(Value::Array(self.set_properties(list()?))),
            "action" => Ok(self.action(params)),
            "get_prop" => Ok(Value::Array(self.get_prop(list()?))),
            other => Err(DeviceError::method_not_found(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{IpAddr, Ipv4Addr};

    /// A spec exercising every rule: a bool, a ranged int with step, a listed int, a float
    /// range, a string, a read-only property, a write-only property, an `access: []`
    /// argument property and actions with and without `in` / `out`.
    const SPEC: &str = r#"{"type":"urn:miot-spec-v2:device:air-purifier:0000A007:test-p1:1",
      "description":"Air Purifier","services":[
      {"iid":1,"type":"urn:miot-spec-v2:service:device-information:00007801:test-p1:1","description":"Device Information",
       "properties":[{"iid":1,"type":"urn:miot-spec-v2:property:manufacturer:00000001:test-p1:1","description":"Device Manufacturer","format":"string","access":["read"]},
        {"iid":9,"type":"urn:miot-spec-v2:property:nickname:0000000F:test-p1:1","description":"Nickname","format":"string","access":["read"]}]},
      {"iid":2,"type":"urn:miot-spec-v2:service:air-purifier:00007811:test-p1:1","description":"Air Purifier",
       "properties":[
        {"iid":1,"type":"urn:miot-spec-v2:property:on:00000006:test-p1:1","description":"Switch Status","format":"bool","access":["read","write","notify"]},
        {"iid":2,"type":"urn:miot-spec-v2:property:fan-level:00000016:test-p1:1","description":"Fan Level","format":"uint8","access":["read","write"],
         "value-list":[{"value":1,"description":"Level1"},{"value":2,"description":"Level2"},{"value":3,"description":"Level3"}]},
        {"iid":3,"type":"urn:miot-spec-v2:property:brightness:0000000D:test-p1:1","description":"Brightness","format":"uint8","access":["read","write"],
         "value-range":[10,100,5]},
        {"iid":4,"type":"urn:miot-spec-v2:property:target-temperature:00000021:test-p1:1","description":"Target","format":"float","access":["read","write"],
         "value-range":[16,30,0.5]},
        {"iid":5,"type":"urn:miot-spec-v2:property:pm2.5-density:00000034:test-p1:1","description":"PM2.5","format":"float","access":["read","notify"],
         "value-range":[0,600,1]},
        {"iid":6,"type":"urn:miot-spec-v2:property:mode:00000008:test-p1:1","description":"Secret","format":"uint8","access":["write"],
         "value-range":[0,10,1]},
        {"iid":7,"type":"urn:miot-spec-v2:property:duration:00000040:test-p1:1","description":"Duration","format":"int32","access":[],
         "value-range":[-60,60,1]},
        {"iid":8,"type":"urn:miot-spec-v2:property:name:00000001:test-p1:1","description":"Name","format":"string","access":["read","write"]}],
       "actions":[
        {"iid":1,"type":"urn:miot-spec-v2:action:toggle:00002811:test-p1:1","description":"Toggle","in":[],"out":[]},
        {"iid":2,"type":"urn:miot-spec-v2:action:set-duration:00002803:test-p1:1","description":"Set","in":[7,2],"out":[7,3]}]}]}"#;

    fn device() -> SimDevice {
        let info = DeviceInfo {
            did: "381205710".into(),
            name: "Living room purifier".into(),
            model: "test.airpurifier.p1".into(),
            urn: "urn:miot-spec-v2:device:air-purifier:0000A007:test-p1:1".into(),
            token: [0x5a; 16],
            mac: "78:11:DC:00:00:01".into(),
            region: "cn".into(),
            home_id: "1".into(),
            home: "Home".into(),
            room_id: "2".into(),
            room: "Living room".into(),
            ip: IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)),
            port: 54321,
            fw_ver: "2.1.8_0045".into(),
            hw_ver: "esp32".into(),
        };
        SimDevice::new(Instance::from_json(SPEC).unwrap(), info)
    }

    fn get(d: &SimDevice, siid: u32, piid: u32) -> Value {
        d.get_properties(&[json!({"did": "t", "siid": siid, "piid": piid})])
            .remove(0)
    }

    fn set(d: &SimDevice, siid: u32, piid: u32, value: Value) -> i64 {
        d.set_properties(&[json!({"did": "t", "siid": siid, "piid": piid, "value": value})])[0]
            ["code"]
            .as_i64()
            .unwrap()
    }

    #[test]
    fn initial_values_follow_the_spec() {
        let d = device();
        assert_eq!(d.value(1, 9), Some(json!("")), "string → \"\"");
        // A device knows who it is: its device-information strings are filled in.
        assert_eq!(
            d.value(1, 1),
            Some(json!("test")),
            "manufacturer = the model's vendor"
        );
        assert_eq!(d.value(2, 1), Some(json!(false)), "bool → false");
        assert_eq!(d.value(2, 2), Some(json!(1)), "value-list[0]");
        assert_eq!(d.value(2, 3), Some(json!(10)), "range min");
        assert_eq!(d.value(2, 4), Some(json!(16)), "float range min");
        assert_eq!(d.value(2, 7), Some(json!(-60)), "access [] still has state");
        assert_eq!(d.value(9, 9), None);
    }

    #[test]
    fn get_properties_codes_and_verbatim_did() {
        let d = device();
        let items = [
            json!({"did": "power", "siid": 2, "piid": 1}),
            json!({"did": {"any": ["json"]}, "siid": 2, "piid": 2}),
            json!({"did": "x", "siid": 2, "piid": 6}),
            json!({"did": "y", "siid": 2, "piid": 7}),
            json!({"did": "z", "siid": 2, "piid": 99}),
            json!({"did": "w", "siid": 42, "piid": 1}),
            json!({"siid": 2}),
            json!("garbage"),
        ];
        let r = d.get_properties(&items);
        assert_eq!(r.len(), items.len());
        assert_eq!(
            r[0],
            json!({"did":"power","siid":2,"piid":1,"code":0,"value":false})
        );
        assert_eq!(r[1]["did"], json!({"any": ["json"]}), "did echoed verbatim");
        assert_eq!(r[1]["value"], json!(1));
        assert_eq!(
            r[2],
            json!({"did":"x","siid":2,"piid":6,"code":-4001}),
            "write-only"
        );
        assert_eq!(r[3]["code"], -4001, "access [] is not readable");
        assert!(r[3].get("value").is_none());
        assert_eq!(r[4]["code"], -4003);
        assert_eq!(r[5]["code"], -4003);
        assert_eq!(r[6], json!({"siid":2,"code":-4003}));
        assert_eq!(r[7], json!({"code":-4003}));
    }

    #[test]
    fn set_properties_codes_and_state() {
        let d = device();
        assert_eq!(set(&d, 2, 1, json!(true)), 0);
        assert_eq!(get(&d, 2, 1)["value"], json!(true));
        assert_eq!(set(&d, 2, 1, json!(0)), 0, "bool accepts 0/1 on the wire");
        assert_eq!(d.value(2, 1), Some(json!(false)), "stored as bool");
        assert_eq!(set(&d, 2, 1, json!("on")), -4005, "bool format");
        // value-list
        assert_eq!(set(&d, 2, 2, json!(3)), 0);
        assert_eq!(set(&d, 2, 2, json!(4)), -4005, "not in list");
        assert_eq!(d.value(2, 2), Some(json!(3)), "failed set keeps state");
        // value-range with step
        assert_eq!(set(&d, 2, 3, json!(55)), 0);
        assert_eq!(set(&d, 2, 3, json!(57)), -4005, "off step");
        assert_eq!(set(&d, 2, 3, json!(5)), -4005, "below min");
        assert_eq!(set(&d, 2, 3, json!(105)), -4005, "above max");
        assert_eq!(set(&d, 2, 3, json!(300)), -4005, "outside uint8");
        assert_eq!(set(&d, 2, 3, json!("55")), -4005, "wrong JSON type");
        // float range with step 0.5
        assert_eq!(set(&d, 2, 4, json!(22.5)), 0);
        assert_eq!(set(&d, 2, 4, json!(22.3)), -4005);
        assert_eq!(set(&d, 2, 8, json!("kitchen")), 0);
        assert_eq!(set(&d, 2, 8, json!(5)), -4005, "string format");
        // access
        assert_eq!(set(&d, 2, 5, json!(10)), -4002, "read-only");
        assert_eq!(set(&d, 2, 7, json!(10)), -4002, "access [] is not writable");
        assert_eq!(set(&d, 2, 6, json!(3)), 0, "write-only is writable");
        assert_eq!(get(&d, 2, 6)["code"], -4001);
        // unknown and malformed
        assert_eq!(set(&d, 2, 99, json!(1)), -4003);
        assert_eq!(set(&d, 7, 1, json!(1)), -4003);
        let r = d.set_properties(&[json!({"did": "novalue", "siid": 2, "piid": 1})]);
        assert_eq!(
            r[0],
            json!({"did":"novalue","siid":2,"piid":1,"code":-4005})
        );
        // pending when configured
        d.set_pending_sets(true);
        assert_eq!(set(&d, 2, 3, json!(60)), 1);
        assert_eq!(d.value(2, 3), Some(json!(60)), "pending still applies");
        assert_eq!(set(&d, 2, 3, json!(61)), -4005, "errors stay errors");
    }

    #[test]
    fn actions_check_in_and_return_out() {
        let d = device();
        assert_eq!(
            d.action(&json!({"did":"call-2-1","siid":2,"aiid":1,"in":[]})),
            json!({"code":0,"out":[]})
        );
        assert_eq!(
            d.action(&json!({"did":"call-2-1","siid":2,"aiid":1})),
            json!({"code":0,"out":[]}),
            "missing in = no arguments"
        );
        // `in` uses the `access: []` property 7 and the listed property 2.
        assert_eq!(
            d.action(&json!({"siid":2,"aiid":2,"in":[-30, 2]})),
            json!({"code":0,"out":[-30, 10]})
        );
        assert_eq!(d.value(2, 7), Some(json!(-30)));
        assert_eq!(d.value(2, 2), Some(json!(2)));
        for bad_in in [
            json!([-30]),
            json!([-30, 2, 1]),
            json!([-61, 2]),
            json!([-30, 9]),
            json!(["x", 2]),
            json!({"a": 1}),
        ] {
            assert_eq!(
                d.action(&json!({"siid":2,"aiid":2,"in": bad_in})),
                json!({"code":-4006}),
                "in = {bad_in}"
            );
        }
        assert_eq!(d.action(&json!({"siid":2,"aiid":3,"in":[]}))["code"], -4003);
        assert_eq!(d.action(&json!({"siid":5,"aiid":1,"in":[]}))["code"], -4003);
        assert_eq!(d.action(&json!([1, 2]))["code"], -4003);
    }

    #[test]
    fn lan_methods() {
        let d = device();
        let info = d.handle("miIO.info", &json!([])).unwrap();
        assert_eq!(info["model"], "test.airpurifier.p1");
        assert_eq!(info["fw_ver"], "2.1.8_0045");
        assert_eq!(info["hw_ver"], "esp32");
        assert_eq!(info["mac"], "78:11:DC:00:00:01");
        assert_eq!(info["token"], "5a".repeat(16));
        assert_eq!(info["netif"]["localIp"], "127.0.0.2");
        for key in ["ap", "life"] {
            assert!(info.get(key).is_some(), "{key}");
        }
        let parsed: mikit_miio::Info = serde_json::from_value(info).unwrap();
        assert_eq!(parsed.model, "test.airpurifier.p1");

        let e = d.handle("no_such_method", &json!([])).unwrap_err();
        assert_eq!(e.code, -10000);
        assert_eq!(
            d.handle("get_properties", &json!({})).unwrap_err().code,
            -5005
        );
        let r = d
            .handle("get_properties", &json!([{"did":"a","siid":2,"piid":3}]))
            .unwrap();
        assert_eq!(
            r,
            json!([{"did":"a","siid":2,"piid":3,"code":0,"value":10}])
        );
        assert_eq!(
            d.handle(
                "get_prop",
                &json!(["air-purifier.on", "fan-level", "nope", 5])
            )
            .unwrap(),
            json!([false, 1, null, null])
        );
        assert_eq!(
            d.handle("action", &json!({"siid":2,"aiid":1,"in":[]}))
                .unwrap(),
            json!({"code":0,"out":[]})
        );
    }

    fn any_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            (0u64..20).prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            "[a-z0-9.-]{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                proptest::collection::vec(
                    (
                        prop_oneof![
                            Just("did".to_owned()),
                            Just("siid".to_owned()),
                            Just("piid".to_owned()),
                            Just("aiid".to_owned()),
                            Just("in".to_owned()),
                            Just("value".to_owned()),
                        ],
                        inner
                    ),
                    0..6
                )
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        /// Whatever a client sends, the device answers without panicking, and a property
        /// list always gets one reply item per request item.
        #[test]
        fn arbitrary_params_never_panic(params in any_json()) {
            let d = device();
            for m in ["miIO.info", "get_properties", "set_properties", "action", "get_prop", "x"] {
                let r = d.handle(m, &params);
                if let (Ok(Value::Array(out)), Value::Array(inp)) = (&r, &params) {
                    proptest::prop_assert_eq!(out.len(), inp.len());
                }
            }
        }
    }

    #[test]
    fn reboot_resets_uptime_and_debug_hides_token() {
        let d = device().with_uptime(5000);
        assert!(d.uptime() >= 5000);
        d.set_online(false);
        assert!(!d.online());
        d.set_online(true);
        assert!(d.online());
        assert!(d.uptime() < 5000);
        let shown = format!("{d:?}");
        assert!(!shown.contains(&"5a".repeat(16)), "{shown}");
        assert!(!shown.contains("90, 90, 90"), "{shown}");
    }
}
