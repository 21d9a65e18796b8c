//! The data plane on `api-mifit*` hosts (§4, §5): token check, `band_data.json` download
//! and upload, the device list with auth keys (§8).

use hyper::{Method, StatusCode};
use jiff::civil::Date;
use serde_json::json;

use super::HuamiCloud;
use super::band::{self, StoredDay};
use super::{events, weight, workout};
use crate::config::{HuamiRegion, InvalidTokenReply};
use crate::server::{Reply, Request};

/// The app token a data request presents: header `apptoken`, else cookie `apptoken` (§2.1).
pub(crate) fn presented_token(req: &Request) -> Option<String> {
    req.header("apptoken")
        .map(str::to_owned)
        .or_else(|| req.cookie("apptoken"))
        .filter(|t| !t.is_empty())
}

/// Region family of a regional data host (`api-mifit-de2.zepp.com` → EU); `None` for the
/// generic hosts, which serve every account (MICW README).
fn host_region(host: &str) -> Option<Result<HuamiRegion, ()>> {
    let label = host.split('.').next().unwrap_or(host);
    let suffix = label.strip_prefix("api-mifit-")?;
    let family = suffix.trim_end_matches(|c: char| c.is_ascii_digit());
    Some(match family {
        "de" => Ok(HuamiRegion::Eu),
        "us" => Ok(HuamiRegion::Us),
        "cn" => Ok(HuamiRegion::Cn),
        _ => Err(()),
    })
}

fn code_error(status: StatusCode, message: &str) -> Reply {
    Reply::json(status, &json!({"code": 0, "message": message}))
}

impl HuamiCloud {
    /// The answer to an unknown, expired or missing token on `path`.
    pub(super) fn invalid_token(&self, path: &str) -> Reply {
        let v1 = path.starts_with("/v1/") || path.starts_with("/huami.health");
        if v1 && self.opts.invalid_token == InvalidTokenReply::Code0102 {
            // Captured on a v1 endpoint (TonyJiangWJ/mimotion issue #13).
            Reply::json(
                StatusCode::OK,
                &json!({"code": 0, "message": "invalid token", "data": {"code": "0102"}}),
            )
        } else {
            Reply::empty(StatusCode::UNAUTHORIZED)
        }
    }

    /// Serve a data-plane request on `api-mifit*`.
    pub(super) fn data_plane(&self, req: &Request) -> Reply {
        enum Route {
            BandGet,
            BandPost,
            Devices(String),
            WorkoutHistory,
            WorkoutDetail,
            Events(Option<String>),
            EventsByDate(String),
            Weight(String, String),
        }
        let segs: Vec<&str> = req.path.trim_matches('/').split('/').collect();
        let route = match (&req.method, segs.as_slice()) {
            (&Method::GET, ["v1", "data", "band_data.json"]) => Route::BandGet,
            (&Method::POST, ["v1", "data", "band_data.json"]) => Route::BandPost,
            (&Method::GET, ["users", uid, "devices"]) => Route::Devices((*uid).to_owned()),
            // `run` returns every sport; the other sport paths answer the same (§4 W1').
            (&Method::GET, ["v1", "sport", _, "history.json"]) => Route::WorkoutHistory,
            (&Method::GET, ["v1", "sport", _, "detail.json"]) => Route::WorkoutDetail,
            (&Method::GET, ["users", uid, "events"]) => Route::Events(Some((*uid).to_owned())),
            (&Method::GET, ["v2", "users", "me", "events"]) => Route::Events(None),
            (&Method::GET, ["users", uid, "events", "dateString"]) => {
                Route::EventsByDate((*uid).to_owned())
            }
            (&Method::GET, ["users", uid, "members", member, "weightRecords"]) => {
                Route::Weight((*uid).to_owned(), (*member).to_owned())
            }
            _ => return Reply::not_found(),
        };
        let Some(account) = presented_token(req).and_then(|t| self.tokens().account_of(&t)) else {
            return self.invalid_token(&req.path);
        };
        let region = self.accounts[account].region;
        if self.opts.strict_region && host_region(&req.host).is_some_and(|r| r != Ok(region)) {
            // Wrong regional host (JSOLAN; rolandsz issues #5/#6).
            return Reply::empty(StatusCode::FORBIDDEN);
        }
        if self.opts.strict_headers
            && (req.header("appplatform").is_none() || req.header("appname").is_none())
        {
            // "Usually missing required headers (appPlatform, appname)" — EVAN.
            return Reply::json(StatusCode::INTERNAL_SERVER_ERROR, &json!({"code": -50000}));
        }
        match route {
            Route::BandGet => self.band_get(req, account),
            Route::BandPost => self.band_post(req, account),
            Route::Devices(uid) => self.devices(account, &uid),
            Route::WorkoutHistory => self.workout_history(req, account),
            Route::WorkoutDetail => self.workout_detail(req, account),
            Route::Events(uid) => self.events(req, account, uid.as_deref()),
            Route::EventsByDate(uid) => self.events_by_date(req, account, &uid),
            Route::Weight(uid, member) => self.weight_records(req, account, &uid, &member),
        }
    }

    fn band_get(&self, req: &Request, account: usize) -> Reply {
        let q = req.query_pairs();
        let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim());
        let detail = match get("query_type") {
            Some("detail") => true,
            Some("summary") | None => false,
            Some(_) => return code_error(StatusCode::BAD_REQUEST, "invalid query_type"),
        };
        let parse = |k: &str| get(k).and_then(|v| v.parse::<Date>().ok());
        let (Some(from), Some(to)) = (parse("from_date"), parse("to_date")) else {
            return code_error(
                StatusCode::BAD_REQUEST,
                "from_date and to_date must be YYYY-MM-DD",
            );
        };
        let acct = &self.accounts[account];
        let (lo, hi) = (from.max(self.history.first()), to.min(self.history.today()));
        // Uploaded days replace generated ones; clone them so no lock is held while generating.
        let stored: Vec<StoredDay> = if from <= to {
            self.uploads()
                .get(&account)
                .map(|m| m.range(from..=to).map(|(_, d)| d.clone()).collect())
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let mut dates: Vec<Date> = stored
            .iter()
            .map(|s| s.date)
            .filter(|d| *d < lo || *d > hi)
            .collect();
        if lo <= hi {
            let mut d = lo;
            loop {
                dates.push(d);
                match d.tomorrow() {
                    Ok(n) if n <= hi => d = n,
                    _ => break,
                }
            }
        }
        dates.sort_unstable();
        let mut out = Vec::with_capacity(64 + dates.len() * if detail { 20_000 } else { 1_500 });
        out.extend_from_slice(br#"{"code":1,"message":"success","data":["#);
        let mut first = true;
        let device = self.device(account);
        for d in dates {
            let before = out.len();
            if !first {
                out.push(b',');
            }
            if let Some(s) = stored.iter().find(|s| s.date == d) {
                s.write(&mut out, &acct.user_id, detail);
            } else if let Some(day) = self.history.day(acct.salt, d) {
                band::write_generated(&mut out, &acct.user_id, &day, &device, detail);
            } else {
                out.truncate(before);
                continue;
            }
            first = false;
        }
        out.extend_from_slice(b"]}");
        Reply::json_bytes(StatusCode::OK, out)
    }

    fn band_post(&self, req: &Request, account: usize) -> Reply {
        let form = req.form();
        let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let Some(data_json) = get("data_json") else {
            return code_error(StatusCode::BAD_REQUEST, "data_json is required");
        };
        match band::convert_upload(data_json, get("last_deviceid")) {
            Ok(days) => {
                let mut uploads = self.uploads();
                let m = uploads.entry(account).or_default();
                for d in days {
                    m.insert(d.date, d);
                }
                // MIMO checks `message == "success"` (§5.6).
                Reply::json(StatusCode::OK, &json!({"code": 1, "message": "success"}))
            }
            Err(e) => code_error(StatusCode::BAD_REQUEST, &e.0),
        }
    }

    /// `GET /v1/sport/run/history.json` (§6.1, §13.3).
    fn workout_history(&self, req: &Request, account: usize) -> Reply {
        let envelope = |next: i64, summary: Vec<serde_json::Value>| {
            Reply::json(
                StatusCode::OK,
                &json!({"code": 1, "message": "success", "data": {"next": next, "summary": summary}}),
            )
        };
        if req.header("appname") == Some("com.huami.webapp") {
            // JSOLAN: data GETs with appname com.huami.webapp return an empty sport history.
            return envelope(-1, Vec::new());
        }
        // The cursor: `trackid` (ROLANDSZ/H3LL) or `stopTrackId`/`startTrackId`
        // (BAIT/GREG/ZB); the page starts at the workout with that trackid, going older.
        let cursor = ["trackid", "stopTrackId", "startTrackId"]
            .iter()
            .filter_map(|k| req.query_param(k))
            .filter_map(|v| v.trim().parse::<i64>().ok())
            .find(|v| *v > 0);
        let all = self.workouts(account);
        let device = self.device(account);
        let edits = self.edits();
        let mut rest = all.iter().filter(|w| cursor.is_none_or(|c| w.trackid <= c));
        let page: Vec<serde_json::Value> = rest
            .by_ref()
            .take(workout::PAGE)
            .map(|w| workout::summary_item(w, &device, edits.get(&(account, w.trackid))))
            .collect();
        let next = rest.next().map_or(-1, |w| w.trackid);
        envelope(next, page)
    }

    /// `GET /v1/sport/run/detail.json?trackid=&source=` (§6.3).
    fn workout_detail(&self, req: &Request, account: usize) -> Reply {
        let id = req
            .query_param("trackid")
            .and_then(|v| v.trim().parse::<i64>().ok());
        let all = self.workouts(account);
        let found = id.and_then(|id| all.iter().find(|w| w.trackid == id));
        let day = found.and_then(|w| self.history.day(self.accounts[account].salt, w.date));
        match (found, day) {
            (Some(w), Some(day)) => Reply::json(
                StatusCode::OK,
                &json!({"code": 1, "message": "success", "data": workout::detail(w, &day, &self.device(account))}),
            ),
            _ if self.opts.missing_workout_404 => Reply::not_found(),
            _ => code_error(StatusCode::OK, "track not found"),
        }
    }

    /// `GET /users/{uid}/events` and `/v2/users/me/events` (§7): `{"items":[…]}` of one
    /// `eventType` (+ `subType`) with `timestamp` in `[from, to]` (epoch ms), at most `limit`.
    fn events(&self, req: &Request, account: usize, uid: Option<&str>) -> Reply {
        let acct = &self.accounts[account];
        if uid.is_some_and(|u| u != acct.user_id && u != "-" && u != "me") {
            return Reply::empty(StatusCode::FORBIDDEN);
        }
        let q = req.query_pairs();
        let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim());
        let num = |k: &str| get(k).and_then(|v| v.parse::<i64>().ok());
        let items = match get("eventType") {
            Some(et) => events::query(
                &self.history,
                acct.salt,
                &acct.user_id,
                &self.device(account).new_sn,
                &events::Query {
                    event_type: et,
                    sub_type: get("subType").filter(|s| !s.is_empty()),
                    from: num("from").unwrap_or(0),
                    to: num("to").unwrap_or(i64::MAX),
                    limit: num("limit").map_or(1000, |l| l.clamp(0, 5000) as usize),
                    reverse: get("reverse") == Some("1") || get("reverse") == Some("true"),
                    by_date: false,
                },
            ),
            None => Vec::new(),
        };
        // No data is `{"items": []}`, not an error (§2.3).
        Reply::json(StatusCode::OK, &json!({ "items": items }))
    }

    /// `GET /users/{uid}/members/{member}/weightRecords?limit=&toTime=` (WT1, §7.3):
    /// `{items, next}` newest first; `toTime` (unix s) defaults to now. The owner is member
    /// `-1`; other members have no records.
    fn weight_records(&self, req: &Request, account: usize, uid: &str, member: &str) -> Reply {
        let acct = &self.accounts[account];
        if uid != acct.user_id && uid != "-" && uid != "me" {
            return Reply::empty(StatusCode::FORBIDDEN);
        }
        let num = |k: &str| {
            req.query_param(k)
                .and_then(|v| v.trim().parse::<i64>().ok())
        };
        if member != "-1" {
            return Reply::json(StatusCode::OK, &json!({"items": [], "next": 0}));
        }
        let to_time = num("toTime")
            .filter(|t| *t > 0)
            .unwrap_or_else(|| jiff::Timestamp::now().as_second());
        let limit = num("limit").map_or(weight::MAX_LIMIT, |l| l.clamp(1, 200) as usize);
        let scale = self.device(account).scale_mac.replace(':', "");
        Reply::json(
            StatusCode::OK,
            &weight::page(
                &self.history,
                acct.salt,
                &acct.user_id,
                &scale,
                to_time,
                limit,
            ),
        )
    }

    /// `GET /users/{uid}/events/dateString` (§4 E3): the same timeline addressed by local
    /// ISO date-times (`from`/`to`, `YYYY-MM-DDTHH:MM:SS` or a date) in `timeZone` (IANA,
    /// default UTC); the only way to the nightly SpO2 `odi` summary (GREG).
    fn events_by_date(&self, req: &Request, account: usize, uid: &str) -> Reply {
        let acct = &self.accounts[account];
        if uid != acct.user_id && uid != "-" && uid != "me" {
            return Reply::empty(StatusCode::FORBIDDEN);
        }
        let q = req.query_pairs();
        let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim());
        let tz = get("timeZone")
            .or_else(|| get("timezone"))
            .and_then(|z| jiff::tz::TimeZone::get(z).ok())
            .unwrap_or(jiff::tz::TimeZone::UTC);
        let bound = |k: &str, end: bool| -> Option<i64> {
            let v = get(k)?;
            let dt = v.parse::<jiff::civil::DateTime>().ok().or_else(|| {
                let d = v.parse::<Date>().ok()?;
                Some(if end {
                    d.at(23, 59, 59, 999_000_000)
                } else {
                    d.at(0, 0, 0, 0)
                })
            })?;
            dt.to_zoned(tz.clone())
                .ok()
                .map(|z| z.timestamp().as_millisecond())
        };
        let (Some(from), Some(to)) = (bound("from", false), bound("to", true)) else {
            return code_error(
                StatusCode::BAD_REQUEST,
                "from and to must be ISO date-times (YYYY-MM-DDTHH:MM:SS)",
            );
        };
        let num = |k: &str| get(k).and_then(|v| v.parse::<i64>().ok());
        let items = match get("eventType") {
            Some(et) => events::query(
                &self.history,
                acct.salt,
                &acct.user_id,
                &self.device(account).new_sn,
                &events::Query {
                    event_type: et,
                    sub_type: get("subType").filter(|s| !s.is_empty()),
                    from,
                    to,
                    limit: num("limit").map_or(1000, |l| l.clamp(0, 5000) as usize),
                    reverse: get("reverse") == Some("1") || get("reverse") == Some("true"),
                    by_date: true,
                },
            ),
            None => Vec::new(),
        };
        Reply::json(StatusCode::OK, &json!({ "items": items }))
    }

    /// `GET /users/{uid}/devices` (DV1, §8): the account's two bands and a watch with their
    /// auth keys, and a body-composition scale without one (HT prints `0x00` for it).
    fn devices(&self, account: usize, uid: &str) -> Reply {
        let acct = &self.accounts[account];
        if uid != acct.user_id && uid != "-" && uid != "me" {
            return Reply::empty(StatusCode::FORBIDDEN);
        }
        let d = self.device(account);
        let info = |key: &str, hw: &str, product: &str, sn: &str| {
            // `additionalInfo` is a JSON *string* (HT-old; huami-token tests).
            json!({"auth_key": key, "hardwareVersion": hw, "productVersion": product, "sn": sn})
                .to_string()
        };
        Reply::json(
            StatusCode::OK,
            &json!({"items": [
                {
                    "deviceType": 0,
                    "deviceSource": 24,
                    "deviceId": d.legacy_id,
                    "macAddress": d.legacy_mac,
                    "activeStatus": 0,
                    "firmwareVersion": "V2.4.0.32",
                    "additionalInfo": info(&d.legacy_key, "V0.18.3.4", "256", ""),
                },
                {
                    "deviceType": 0,
                    "deviceSource": 10_289_411,
                    "deviceId": d.new_id,
                    "macAddress": d.new_mac,
                    "activeStatus": 1,
                    "firmwareVersion": "V3.18.2.1",
                    "additionalInfo": info(&d.new_key, "V1.0.2.2", "290", &d.new_sn),
                },
                {
                    // deviceSource 256: the Bip 3 Pro watch of BTASKER's capture (§5.2).
                    "deviceType": 0,
                    "deviceSource": 256,
                    "deviceId": d.watch_id,
                    "macAddress": d.watch_mac,
                    "activeStatus": 1,
                    "firmwareVersion": "V2.7.6.8",
                    "additionalInfo": info(&d.watch_key, "V0.75.19.2", "256", &d.watch_sn),
                },
                {
                    // The scale of the weight records: `deviceSource 102`, `deviceType 1`,
                    // `deviceId` = MAC without colons (SSC `Record`, §8). No auth key.
                    "deviceType": 1,
                    "deviceSource": 102,
                    "deviceId": d.scale_mac.replace(':', ""),
                    "macAddress": d.scale_mac,
                    "activeStatus": 1,
                    "firmwareVersion": "V1.0.3",
                    "additionalInfo": json!({"hardwareVersion": "V0.0.4", "productVersion": "102"}).to_string(),
                },
            ]}),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_regions() {
        assert_eq!(host_region("api-mifit.huami.com"), None);
        assert_eq!(
            host_region("api-mifit-de2.zepp.com"),
            Some(Ok(HuamiRegion::Eu))
        );
        assert_eq!(
            host_region("api-mifit-us.huami.com"),
            Some(Ok(HuamiRegion::Us))
        );
        assert_eq!(
            host_region("api-mifit-cn3.zepp.com"),
            Some(Ok(HuamiRegion::Cn))
        );
        assert_eq!(host_region("api-mifit-sg.huami.com"), Some(Err(())));
    }
}
