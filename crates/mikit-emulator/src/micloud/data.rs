//! Device data, statistics, the BLE beacon key and the app-side endpoints.
//!
//! Shapes from reference §4: `/user/get_user_device_data` and `/v2/user/statistics` answer
//! lists whose `value` fields are JSON **strings** (hass-xiaomi-miot, mijia-api; §12);
//! `/v2/device/blt_get_beaconkey` answers `{"beaconkey":"<hex>"}` (extractor, XGW3). Where the
//! reference has no evidence of a reply shape (the app endpoints), the answer is minimal and
//! says so.

use serde_json::{Value, json};

use super::MiCloud;
use super::api::{Answer, Caller};
use super::records::{device, did_of, regional};
use crate::rng::{Rng, label};

/// Most points one history or statistics call returns.
const MAX_POINTS: u64 = 500;

/// `/v2/device/blt_get_beaconkey` `{"did","pdid"}` → `{"beaconkey"}` (24 hex, as the keys
/// the token extractor prints). The emulated fleet has only Wi-Fi devices; every listed device
/// gets a key derived from the seed so the call can be exercised; another did is not found.
pub(crate) fn beacon_key(cloud: &MiCloud, caller: &Caller, data: &Value) -> Answer {
    let did = did_of(data.get("did")).unwrap_or_default();
    if device(cloud, caller, &did).is_none() {
        return Answer::Error(-704_042_001, "device not found".into());
    }
    let mut r = Rng::stream(&[cloud.seed, label("beaconkey"), label(&did)]);
    Answer::Ok(json!({ "beaconkey": r.hex(24) }))
}

fn i64_field(data: &Value, key: &str) -> Option<i64> {
    data.get(key).and_then(|v| {
        v.as_i64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    })
}

/// `(siid, piid)` of a `"S.P"` key.
fn spec_key(key: &str) -> Option<(u32, u32)> {
    let (s, p) = key.split_once('.')?;
    Some((s.parse().ok()?, p.parse().ok()?))
}

/// `/user/get_user_device_data` `{"did","key","type","time_start","time_end","limit"}`:
/// for a `siid.piid` key of a device of this region, one point per hour from `time_end`
/// back to `time_start` carrying the property's current value (the emulator keeps no
/// history); other keys have no data.
pub(crate) fn device_data(cloud: &MiCloud, caller: &Caller, data: &Value) -> Answer {
    let did = did_of(data.get("did")).unwrap_or_default();
    let Some(d) = device(cloud, caller, &did) else {
        return Answer::Error(-704_042_001, "device not found".into());
    };
    let key = data.get("key").and_then(Value::as_str).unwrap_or_default();
    let kind = data.get("type").and_then(Value::as_str).unwrap_or("prop");
    let end = i64_field(data, "time_end").unwrap_or(0);
    let start = i64_field(data, "time_start").unwrap_or(0);
    let limit = data
        .get("limit")
        .and_then(Value::as_u64)
        .unwrap_or(MAX_POINTS)
        .min(MAX_POINTS);
    let value = spec_key(key).and_then(|(s, p)| d.value(s, p));
    let uid = cloud.accounts[caller.account].user_id.clone();
    let mut points = Vec::new();
    if let Some(v) = value.filter(|_| kind == "prop") {
        let text = Value::Array(vec![v]).to_string();
        let mut t = end - end.rem_euclid(3600);
        while t >= start && (points.len() as u64) < limit {
            points.push(
                json!({"did": did, "key": key, "type": kind, "value": text, "time": t, "uid": uid}),
            );
            let Some(next) = t.checked_sub(3600) else {
                break;
            };
            t = next;
        }
    }
    Answer::Ok(Value::Array(points))
}

/// `/v2/user/statistics` `{"did","key","data_type","limit","time_start","time_end"}`:
/// deterministic values per period (`stat_hour_v3` … `stat_month_v3`), newest first.
pub(crate) fn statistics(cloud: &MiCloud, caller: &Caller, data: &Value) -> Answer {
    let did = did_of(data.get("did")).unwrap_or_default();
    if device(cloud, caller, &did).is_none() {
        return Answer::Error(-704_042_001, "device not found".into());
    }
    let key = data.get("key").and_then(Value::as_str).unwrap_or_default();
    let step: i64 = match data.get("data_type").and_then(Value::as_str) {
        Some("stat_hour_v3") => 3600,
        Some("stat_day_v3") => 86_400,
        Some("stat_week_v3") => 7 * 86_400,
        Some("stat_month_v3") => 30 * 86_400,
        _ => return Answer::Error(-1, "unknown data_type".into()),
    };
    let end = i64_field(data, "time_end").unwrap_or(0);
    let start = i64_field(data, "time_start").unwrap_or(0);
    let limit = data
        .get("limit")
        .and_then(Value::as_u64)
        .unwrap_or(MAX_POINTS)
        .min(MAX_POINTS);
    let mut points = Vec::new();
    let mut t = end - end.rem_euclid(step);
    while t >= start && (points.len() as u64) < limit {
        let mut r = Rng::stream(&[cloud.seed, label(&did), label(key), t.unsigned_abs()]);
        let v = r.range(0, 1000);
        points.push(json!({"value": format!("[{v}]"), "time": t}));
        let Some(next) = t.checked_sub(step) else {
            break;
        };
        t = next;
    }
    Answer::Ok(Value::Array(points))
}

/// `/service/getappconfig` `{"name","lang","version"}` (unsigned GET). No public reply
/// shape: answered minimally with an empty configuration of that name.
pub(crate) fn app_config(data: &Value) -> Answer {
    Answer::Ok(json!({
        "name": data.get("name").cloned().unwrap_or(Value::Null),
        "lang": data.get("lang").cloned().unwrap_or(Value::Null),
        "version": data.get("version").cloned().unwrap_or(Value::Null),
        "content": "{}",
    }))
}

/// `/version/check_gray`: no public reply shape; minimal "not in a grey release".
pub(crate) fn check_gray(data: &Value) -> Answer {
    Answer::Ok(json!({
        "package_name": data.get("package_name").cloned().unwrap_or(Value::Null),
        "gray": false,
    }))
}

/// `/version/online_version`: no public request or reply shape; minimal empty answer.
pub(crate) fn online_version(_data: &Value) -> Answer {
    Answer::Ok(json!({}))
}

/// `/v2/device/multi_check_device_version` `{"check_reqs":[{"did"}]}`: no public reply
/// shape; minimal: each known device is on its latest firmware.
pub(crate) fn multi_check_device_version(cloud: &MiCloud, caller: &Caller, data: &Value) -> Answer {
    let wanted: Vec<String> = data
        .get("check_reqs")
        .and_then(Value::as_array)
        .map(|reqs| reqs.iter().filter_map(|r| did_of(r.get("did"))).collect())
        .unwrap_or_default();
    let list: Vec<Value> = regional(cloud, caller)
        .filter(|d| wanted.contains(&d.info().did))
        .map(|d| {
            let i = d.info();
            json!({"did": i.did, "isLatest": true, "curr": i.fw_ver, "latest": i.fw_ver, "ota_status": "idle"})
        })
        .collect();
    Answer::Ok(json!({ "list": list }))
}

/// `/plugin/update_plugin`: no public shapes; minimal "nothing to update".
pub(crate) fn update_plugin(_data: &Value) -> Answer {
    Answer::Ok(json!({ "latest_info": [] }))
}

/// `/v2/plugin/fetch_plugin` `{"latest_req":{"plugins":[{"model"}],…}}`: no public reply
/// shape; minimal: no plugin package for any model.
pub(crate) fn fetch_plugin(data: &Value) -> Answer {
    let models: Vec<Value> = data
        .pointer("/latest_req/plugins")
        .and_then(Value::as_array)
        .map(|p| {
            p.iter()
                .filter_map(|m| m.get("model").cloned())
                .map(|model| json!({"model": model, "available": false}))
                .collect()
        })
        .unwrap_or_default();
    Answer::Ok(json!({ "latest_info": models }))
}
