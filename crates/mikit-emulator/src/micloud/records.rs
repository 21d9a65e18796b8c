//! Device records (reference §6), device lists (classic and paged), homes and rooms.
//!
//! A device is listed only by the API host of its region (reference §1, §12: "each device in
//! exactly one region (other regions return an empty `list`)").

use std::sync::Arc;

use serde_json::{Value, json};

use super::MiCloud;
use super::api::{Answer, Caller};
use crate::device::SimDevice;

/// Page size when the request names none, and the largest accepted (the official
/// integration and XGW3 ask for 200; the home list asks for up to 300).
const DEFAULT_LIMIT: usize = 200;
const MAX_LIMIT: usize = 300;

/// A did as a string, whether sent as a string or a number.
pub(crate) fn did_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The devices of the caller's region, in fleet order.
pub(crate) fn regional<'a>(
    cloud: &'a MiCloud,
    caller: &'a Caller,
) -> impl Iterator<Item = &'a Arc<SimDevice>> + 'a {
    cloud
        .fleet
        .devices()
        .iter()
        .filter(move |d| d.info().region == caller.region)
}

/// The caller's device `did`, if it lives in the caller's region.
pub(crate) fn device<'a>(
    cloud: &'a MiCloud,
    caller: &Caller,
    did: &str,
) -> Option<&'a Arc<SimDevice>> {
    cloud
        .fleet
        .by_did(did)
        .filter(|d| d.info().region == caller.region)
}

/// One record with the fields of reference §6 (python-miio's fixture entry 0 and the
/// official integration's extra fields `spec_type`, `local_ip`, `voice_ctrl`, `orderTime`).
pub(crate) fn record(cloud: &MiCloud, caller: &Caller, d: &SimDevice) -> Value {
    let i = d.info();
    let uid: u64 = cloud.accounts[caller.account].user_id.parse().unwrap_or(0);
    let ip = i.ip.to_string();
    let rssi = -40 - i64::from(i.did_u32() % 30);
    json!({
        "did": i.did,
        "token": i.token_hex(),
        "longitude": "0.0",
        "latitude": "0.0",
        "name": i.name,
        "pid": "0",
        "localip": ip,
        "local_ip": ip,
        "mac": i.mac,
        "ssid": "mikit",
        "bssid": "F0:B4:29:00:00:01",
        "parent_id": "",
        "parent_model": "",
        "show_mode": 1,
        "model": i.model,
        "adminFlag": 1,
        "shareFlag": 0,
        "permitLevel": 16,
        "isOnline": d.online(),
        "desc": if d.online() { "" } else { "Device offline " },
        "extra": {
            "isSetPincode": 0,
            "pincodeType": 0,
            "fw_version": i.fw_ver,
            "needVerifyCode": 0,
            "isPasswordEncrypt": 0,
        },
        "prop": {},
        "method": [],
        "uid": uid,
        "pd_id": 0,
        "password": "",
        "p2p_id": "",
        "rssi": rssi,
        "family_id": 0,
        "reset_flag": 0,
        "spec_type": i.urn,
        "voice_ctrl": 0,
        "orderTime": 1_700_000_000,
    })
}

/// The `dids` filter of a request, if non-empty.
fn dids_filter(data: &Value) -> Option<Vec<String>> {
    let dids: Vec<String> = data
        .get("dids")?
        .as_array()?
        .iter()
        .filter_map(|v| did_of(Some(v)))
        .collect();
    (!dids.is_empty()).then_some(dids)
}

fn limit(data: &Value) -> usize {
    data.get("limit")
        .and_then(Value::as_u64)
        .and_then(|l| usize::try_from(l).ok())
        .filter(|l| *l > 0)
        .unwrap_or(DEFAULT_LIMIT)
        .min(MAX_LIMIT)
}

/// `/home/device_list`: `{"list":[…]}` (optionally filtered by `dids`).
pub(crate) fn device_list(cloud: &MiCloud, caller: &Caller, data: &Value) -> Answer {
    let filter = dids_filter(data);
    let list: Vec<Value> = regional(cloud, caller)
        .filter(|d| filter.as_ref().is_none_or(|f| f.contains(&d.info().did)))
        .map(|d| record(cloud, caller, d))
        .collect();
    Answer::Ok(json!({ "list": list }))
}

/// `/v2/home/device_list_page`: devices ordered by did, pages of `limit` starting at
/// `start_did` (inclusive), with `has_more` and `next_start_did`.
pub(crate) fn device_list_page(cloud: &MiCloud, caller: &Caller, data: &Value) -> Answer {
    let filter = dids_filter(data);
    let mut devices: Vec<&Arc<SimDevice>> = regional(cloud, caller)
        .filter(|d| filter.as_ref().is_none_or(|f| f.contains(&d.info().did)))
        .collect();
    devices.sort_by(|a, b| did_order(&a.info().did, &b.info().did));
    let start = did_of(data.get("start_did")).unwrap_or_default();
    let from = if start.is_empty() {
        0
    } else {
        devices
            .iter()
            .position(|d| did_order(&d.info().did, &start).is_ge())
            .unwrap_or(devices.len())
    };
    let n = limit(data);
    let page: Vec<Value> = devices[from..]
        .iter()
        .take(n)
        .map(|d| record(cloud, caller, d))
        .collect();
    let next = devices.get(from + n).map(|d| d.info().did.clone());
    Answer::Ok(json!({
        "list": page,
        "has_more": next.is_some(),
        "next_start_did": next.unwrap_or_default(),
    }))
}

/// Numeric dids in numeric order, others after them in text order.
fn did_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        _ => a.cmp(b),
    }
}

/// `/v2/homeroom/gethome`: the homes with devices in this region, their rooms and dids.
pub(crate) fn homes(cloud: &MiCloud, caller: &Caller) -> Answer {
    let uid = cloud.accounts[caller.account].user_id.clone();
    // (home id, home name, [(room id, room name, dids)])
    type Room = (String, String, Vec<String>);
    let mut homes: Vec<(String, String, Vec<Room>)> = Vec::new();
    for d in regional(cloud, caller) {
        let i = d.info();
        let home = match homes.iter_mut().position(|h| h.0 == i.home_id) {
            Some(ix) => &mut homes[ix],
            None => {
                homes.push((i.home_id.clone(), i.home.clone(), Vec::new()));
                let last = homes.len() - 1;
                &mut homes[last]
            }
        };
        match home.2.iter_mut().find(|r| r.0 == i.room_id) {
            Some(room) => room.2.push(i.did.clone()),
            None => home
                .2
                .push((i.room_id.clone(), i.room.clone(), vec![i.did.clone()])),
        }
    }
    let max_id = homes.iter().map(|h| h.0.clone()).max().unwrap_or_default();
    let homelist: Vec<Value> = homes
        .into_iter()
        .map(|(id, name, rooms)| {
            let roomlist: Vec<Value> = rooms
                .into_iter()
                .map(|(rid, rname, dids)| {
                    json!({"id": rid, "name": rname, "dids": dids, "parentid": id.clone(), "icon": "", "shareflag": 0})
                })
                .collect();
            json!({
                "id": id,
                "name": name,
                "uid": uid.parse::<u64>().unwrap_or(0),
                "dids": [],
                "roomlist": roomlist,
                "city_id": 0,
                "longitude": 0.0,
                "latitude": 0.0,
                "address": "",
                "shareflag": 0,
                "permit_level": 16,
                "status": 0,
            })
        })
        .collect();
    Answer::Ok(json!({
        "homelist": homelist,
        "share_home_list": [],
        "has_more": false,
        "max_id": max_id,
    }))
}

/// `/v2/home/home_device_list`: the devices of `home_id` as `device_info`.
pub(crate) fn home_device_list(cloud: &MiCloud, caller: &Caller, data: &Value) -> Answer {
    let home = did_of(data.get("home_id")).unwrap_or_default();
    let list: Vec<Value> = regional(cloud, caller)
        .filter(|d| d.info().home_id == home)
        .map(|d| record(cloud, caller, d))
        .collect();
    Answer::Ok(json!({ "device_info": list, "has_more": false, "max_did": "" }))
}

/// `/v2/miotspec/devicelist`: no public client shows this endpoint (reference §4); the
/// emulator answers minimally with did → model → spec URN, the mapping the issue names.
pub(crate) fn miotspec_devicelist(cloud: &MiCloud, caller: &Caller) -> Answer {
    let list: Vec<Value> = regional(cloud, caller)
        .map(|d| {
            let i = d.info();
            json!({"did": i.did, "model": i.model, "spec_type": i.urn})
        })
        .collect();
    Answer::Ok(json!({ "list": list }))
}
