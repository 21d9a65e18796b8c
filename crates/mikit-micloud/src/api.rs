//! Typed calls of the Mi Home cloud API (`https://<region>.api.io.mi.com/app/...`).
//!
//! Every call is `POST <base>/app<path>` with a form signed per [`crate::sign`] and the
//! cookies `userId`, `serviceToken`, `yetAnotherServiceToken`, `locale`, `timezone`, ...
//! (reference §3 "Cookies" and "Request headers"). The reply goes through
//! [`crate::envelope::decode_response`]. Request shapes: reference §4 endpoint table.
//!
//! # Session renewal
//!
//! The service token expires (mijia-api stores `expireTime` = now + 30 d; reference §2.2)
//! while the passToken lives on. When a call is refused with [`Error::AuthExpired`], the
//! client renews the service token with the passToken ([`crate::LoginFlow::refresh`]), hands
//! the new session to its [`SessionSink`] (the CLI saves it in its 0600 file) and retries the
//! call once. Concurrent calls that hit the expiry share one renewal (single flight), as the
//! Huami client does with its app token.

use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use mikit_core::http::{Http, RetryPolicy};
use mikit_core::{EndpointMap, Secret};
use mikit_miot::item;
use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, COOKIE, USER_AGENT};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::Error;
use crate::device::{Device, DeviceList, HomeList, RegionalDevice, merge_by_did};
use crate::envelope::decode_response;
use crate::error::json_reason;
use crate::miot::{ActionCall, ActionResult, DataSource, PropGet, PropResult, PropSet};
use crate::region::Region;
use crate::session::Session;
use crate::sign::{Nonce, Scheme, SignedRequest, sign_legacy, sign_rc4};

/// The `/home/device_list` request most clients send (python-miio, hass-xiaomi-miot; §4).
const DEVICE_LIST_DATA: &str = r#"{"getVirtualModel":true,"getHuamiDevices":1,"get_split_device":false,"support_smart_home":true}"#;

/// Page size of `/v2/home/device_list_page` (official integration and XGW3 use 200).
const PAGE_LIMIT: u32 = 200;

/// Upper bound of pages followed, so a server that always says `has_more` cannot loop us.
const MAX_PAGES: usize = 500;

/// Where a renewed session goes: the caller keeps it (a file, a keyring, a database) so that
/// the next process starts with the fresh service token.
///
/// Called once per renewal, after the new session is in use. Implementations must not fail
/// the call that triggered the renewal: a session that cannot be kept only costs another
/// renewal next time, so report such a failure yourself (the CLI prints a warning).
pub trait SessionSink: Send + Sync {
    /// The service token was renewed: `session` replaces the one the client started with.
    fn session_renewed(&self, session: &Session);
}

/// A client of the Mi Home cloud for one logged-in session. Clones share the session (and its
/// renewals).
#[derive(Clone)]
pub struct MiCloud {
    http: Http,
    session: Arc<RwLock<Session>>,
    renewing: Arc<tokio::sync::Mutex<()>>,
    sink: Option<Arc<dyn SessionSink>>,
    scheme: Scheme,
    locale: String,
    user_agent: String,
}

impl std::fmt::Debug for MiCloud {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MiCloud")
            .field("session", &self.session())
            .field("sink", &self.sink.is_some())
            .field("scheme", &self.scheme)
            .field("locale", &self.locale)
            .finish_non_exhaustive()
    }
}

impl MiCloud {
    /// A client over a new HTTP client for `endpoints`, RC4 scheme.
    pub fn new(endpoints: EndpointMap, session: Session) -> Result<Self, Error> {
        let http = Http::builder().endpoints(endpoints).build()?;
        Ok(Self::with_http(http, session))
    }

    /// A client over an existing HTTP client.
    pub fn with_http(http: Http, session: Session) -> Self {
        Self {
            http,
            session: Arc::new(RwLock::new(session)),
            renewing: Arc::new(tokio::sync::Mutex::new(())),
            sink: None,
            scheme: Scheme::Rc4,
            locale: "en_GB".to_owned(),
            user_agent: crate::login::user_agent(),
        }
    }

    /// Hand every renewed session to `sink` (see [`SessionSink`]).
    pub fn on_renewal(mut self, sink: Arc<dyn SessionSink>) -> Self {
        self.sink = Some(sink);
        self
    }

    /// Choose the signing scheme (RC4 by default; reference §9).
    pub fn scheme(mut self, scheme: Scheme) -> Self {
        self.scheme = scheme;
        self
    }

    /// The `locale` cookie (default `en_GB`).
    pub fn locale(mut self, locale: impl Into<String>) -> Self {
        self.locale = locale.into();
        self
    }

    /// A copy of the session in use (the renewed one after a renewal).
    pub fn session(&self) -> Session {
        self.read_session().clone()
    }

    /// Replace the session (e.g. after a new login).
    pub fn set_session(&self, session: Session) {
        *self
            .session
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = session;
    }

    fn read_session(&self) -> std::sync::RwLockReadGuard<'_, Session> {
        // A panic while holding the lock leaves a whole session behind; keep using it.
        self.session
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Renew the service token with the passToken, unless another call already replaced
    /// `stale` (single flight), and hand the new session to the sink.
    async fn renew(&self, stale: &Secret) -> Result<(), Error> {
        let _one_at_a_time = self.renewing.lock().await;
        let current = self.session();
        if current.service_token != *stale {
            return Ok(());
        }
        tracing::info!("the Mi cloud service token expired; renewing it with the stored passToken");
        let renewed = crate::login::LoginFlow::with_http(self.http.clone())
            .refresh(&current)
            .await?;
        self.set_session(renewed.clone());
        if let Some(sink) = &self.sink {
            sink.session_renewed(&renewed);
        }
        Ok(())
    }

    fn cookie_header(&self, session: &Session) -> String {
        let token = session.service_token.expose();
        format!(
            "userId={}; serviceToken={token}; yetAnotherServiceToken={token}; locale={}; \
             timezone=GMT+00:00; is_daylight=0; dst_offset=0; channel=MI_APP_STORE",
            session.user_id.expose(),
            self.locale
        )
    }

    /// Sign `data` for `path` (without `/app`) with this client's scheme and a fresh nonce.
    pub fn sign(&self, method: &str, path: &str, data: &str) -> Result<SignedRequest, Error> {
        self.sign_with(&self.read_session().ssecurity, method, path, data)
    }

    fn sign_with(
        &self,
        ssecurity: &Secret,
        method: &str,
        path: &str,
        data: &str,
    ) -> Result<SignedRequest, Error> {
        let nonce = Nonce::generate(SystemTime::now());
        match self.scheme {
            Scheme::Rc4 => sign_rc4(method, path, data, ssecurity, &nonce, false),
            Scheme::Legacy => sign_legacy(path, data, ssecurity, &nonce),
        }
    }

    /// Call any path (`/home/device_list`, with or without the `/app` prefix) with a raw
    /// JSON `data` string; returns the envelope's `result`. An expired service token is
    /// renewed once (see the module documentation).
    pub async fn call_raw(&self, region: Region, path: &str, data: &str) -> Result<Value, Error> {
        let path = normalize_path(path)?;
        let session = self.session();
        match self.call_once(&session, region, &path, data).await {
            Err(Error::AuthExpired { .. }) if !session.pass_token.expose().is_empty() => {
                self.renew(&session.service_token).await?;
                self.call_once(&self.session(), region, &path, data).await
            }
            other => other,
        }
    }

    /// One signed request with `session`.
    async fn call_once(
        &self,
        session: &Session,
        region: Region,
        path: &str,
        data: &str,
    ) -> Result<Value, Error> {
        let signed = self.sign_with(&session.ssecurity, "POST", path, data)?;
        let url = format!("{}{path}", region.api_base());
        let cookie = self.cookie_header(session);
        let pairs = signed.pairs();
        let rc4 = signed.scheme == Scheme::Rc4;
        // Signed requests are not retried: the nonce must not be replayed.
        let resp = self
            .http
            .send_with(RetryPolicy::none(), Method::POST, &url, |rb| {
                let rb = rb
                    .header(USER_AGENT, self.user_agent.as_str())
                    .header(COOKIE, cookie.as_str())
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header("x-xiaomi-protocal-flag-cli", "PROTOCAL-HTTP2")
                    .header("Accept-Encoding", "identity");
                let rb = if rc4 {
                    rb.header("MIOT-ENCRYPT-ALGORITHM", "ENCRYPT-RC4")
                } else {
                    rb
                };
                rb.form(&pairs)
            })
            .await?;
        let key = rc4.then_some(&signed.signed_nonce);
        decode_response(path, resp.status.as_u16(), &resp.body, key)
    }

    /// Call any path with a JSON value as `data`.
    pub async fn call(&self, region: Region, path: &str, data: &Value) -> Result<Value, Error> {
        self.call_raw(region, path, &data.to_string()).await
    }

    /// Call and decode the `result` into `T`.
    pub async fn call_typed<T: DeserializeOwned>(
        &self,
        region: Region,
        path: &str,
        data: &Value,
    ) -> Result<T, Error> {
        let result = self.call(region, path, data).await?;
        decode_result(path, result)
    }

    // ---------------------------------------------------------------- devices and homes

    /// `/home/device_list` (the classic form) in one region.
    pub async fn device_list(&self, region: Region) -> Result<Vec<Device>, Error> {
        let result = self
            .call_raw(region, "/home/device_list", DEVICE_LIST_DATA)
            .await?;
        Ok(decode_result::<DeviceList>("/home/device_list", result)?.list)
    }

    /// `/v2/home/device_list_page` (the paged form), all pages, in one region.
    pub async fn device_list_paged(&self, region: Region) -> Result<Vec<Device>, Error> {
        let mut devices = Vec::new();
        let mut start_did = String::new();
        for _ in 0..MAX_PAGES {
            let data = json!({
                "limit": PAGE_LIMIT,
                "get_split_device": true,
                "get_third_device": true,
                "getVirtualModel": true,
                "getHuamiDevices": 1,
                "support_smart_home": true,
                "dids": [],
                "start_did": start_did,
            });
            let page: DeviceList = self
                .call_typed(region, "/v2/home/device_list_page", &data)
                .await?;
            devices.extend(page.list);
            match (page.has_more, page.next_start_did) {
                (Some(true), Some(next)) if !next.is_empty() && next != start_did => {
                    start_did = next
                }
                _ => return Ok(devices),
            }
        }
        Ok(devices)
    }

    /// Devices of several regions (classic form), merged by did; a region that fails
    /// with anything but an expired session is skipped and reported in the second list.
    pub async fn devices_in(
        &self,
        regions: &[Region],
    ) -> Result<(Vec<RegionalDevice>, Vec<(Region, Error)>), Error> {
        let mut found = Vec::new();
        let mut failed = Vec::new();
        for &region in regions {
            match self.device_list(region).await {
                Ok(list) => found.extend(
                    list.into_iter()
                        .map(|device| RegionalDevice { region, device }),
                ),
                Err(e @ Error::AuthExpired { .. }) if region == regions[0] => return Err(e),
                Err(e) => failed.push((region, e)),
            }
        }
        Ok((merge_by_did(found), failed))
    }

    /// Homes and rooms (`/v2/homeroom/gethome`).
    pub async fn homes(&self, region: Region) -> Result<HomeList, Error> {
        let data = json!({
            "fg": true,
            "fetch_share": true,
            "fetch_share_dev": true,
            "limit": 300,
            "app_ver": 7,
            "plat_form": 0,
        });
        self.call_typed(region, "/v2/homeroom/gethome", &data).await
    }

    /// Devices of one home (`/v2/home/home_device_list`), one page.
    pub async fn home_devices(
        &self,
        region: Region,
        home_owner: &str,
        home_id: &str,
    ) -> Result<Vec<Device>, Error> {
        let data = json!({
            "home_owner": number_or_string(home_owner),
            "home_id": number_or_string(home_id),
            "limit": 300,
            "start_did": "",
            "get_split_device": true,
            "support_smart_home": true,
            "get_cariot_device": true,
            "get_third_device": true,
        });
        let result = self
            .call(region, "/v2/home/home_device_list", &data)
            .await?;
        #[derive(Deserialize)]
        struct Page {
            #[serde(default)]
            device_info: Option<Vec<Device>>,
        }
        Ok(decode_result::<Page>("/v2/home/home_device_list", result)?
            .device_info
            .unwrap_or_default())
    }

    // ---------------------------------------------------------------- MIoT

    /// `/miotspec/prop/get` with a `datasource`.
    pub async fn get_properties(
        &self,
        region: Region,
        props: &[PropGet],
        source: DataSource,
    ) -> Result<Vec<PropResult>, Error> {
        let data = json!({ "params": props, "datasource": source.code() });
        self.call_typed(region, "/miotspec/prop/get", &data).await
    }

    /// `/miotspec/prop/set`.
    pub async fn set_properties(
        &self,
        region: Region,
        props: &[PropSet],
    ) -> Result<Vec<PropResult>, Error> {
        let data = json!({ "params": props });
        self.call_typed(region, "/miotspec/prop/set", &data).await
    }

    /// `/miotspec/action` (a single object as `params`; reference §4).
    pub async fn action(&self, region: Region, call: &ActionCall) -> Result<ActionResult, Error> {
        let data = json!({ "params": call });
        self.call_typed(region, "/miotspec/action", &data).await
    }

    /// Read properties of device `did` (in one request: the caller slices), decoded into the
    /// shared items of [`mikit_miot::item`].
    pub async fn read_properties(
        &self,
        region: Region,
        did: &str,
        props: &[item::PropRead],
        source: DataSource,
    ) -> Result<Vec<item::PropResult>, Error> {
        let req: Vec<PropGet> = props
            .iter()
            .map(|p| PropGet {
                did: did.to_owned(),
                siid: p.siid,
                piid: p.piid,
            })
            .collect();
        let results = self.get_properties(region, &req, source).await?;
        Ok(results.into_iter().map(item::PropResult::from).collect())
    }

    /// Write properties of device `did` (in one request), per-item codes in the result.
    pub async fn write_properties(
        &self,
        region: Region,
        did: &str,
        props: &[item::PropWrite],
    ) -> Result<Vec<item::PropResult>, Error> {
        let req: Vec<PropSet> = props
            .iter()
            .map(|p| PropSet {
                did: did.to_owned(),
                siid: p.siid,
                piid: p.piid,
                value: p.value.clone(),
            })
            .collect();
        let results = self.set_properties(region, &req).await?;
        Ok(results.into_iter().map(item::PropResult::from).collect())
    }

    /// Run an action of device `did`; the device's code is in the result.
    pub async fn run_action(
        &self,
        region: Region,
        did: &str,
        call: &item::ActionCall,
    ) -> Result<item::ActionResult, Error> {
        let wire = ActionCall {
            did: did.to_owned(),
            siid: call.siid,
            aiid: call.aiid,
            args: call.args.clone(),
        };
        Ok(self.action(region, &wire).await?.into())
    }

    /// `/home/rpc/<did>`: a miIO JSON-RPC call forwarded to the device. Returns the
    /// `result` (the device's `{"id":..,"result":..}` or its bare result).
    pub async fn rpc(
        &self,
        region: Region,
        did: &str,
        method: &str,
        params: &Value,
    ) -> Result<Value, Error> {
        if did.is_empty() || did.contains(['/', '?', '#']) {
            return Err(Error::InvalidArgument(format!(
                "device id {did:?} cannot be used in a path"
            )));
        }
        let data = json!({ "id": 1, "method": method, "params": params });
        self.call(region, &format!("/home/rpc/{did}"), &data).await
    }

    /// The BLE beacon key of a Bluetooth device (`/v2/device/blt_get_beaconkey`).
    pub async fn ble_beacon_key(&self, region: Region, did: &str) -> Result<Secret, Error> {
        let data = json!({ "did": did, "pdid": 1 });
        let result = self
            .call(region, "/v2/device/blt_get_beaconkey", &data)
            .await?;
        result
            .get("beaconkey")
            .and_then(Value::as_str)
            .map(Secret::from)
            .ok_or_else(|| Error::Decode {
                path: "/v2/device/blt_get_beaconkey".into(),
                reason: "no beaconkey in the result".into(),
            })
    }

    /// Stored device data (`/user/get_user_device_data`).
    pub async fn device_data(
        &self,
        region: Region,
        query: &DataQuery,
    ) -> Result<Vec<DataPoint>, Error> {
        self.call_typed(
            region,
            "/user/get_user_device_data",
            &serde_json::to_value(query).unwrap_or_default(),
        )
        .await
    }

    /// Aggregated statistics (`/v2/user/statistics`).
    pub async fn statistics(
        &self,
        region: Region,
        query: &StatisticsQuery,
    ) -> Result<Vec<DataPoint>, Error> {
        self.call_typed(
            region,
            "/v2/user/statistics",
            &serde_json::to_value(query).unwrap_or_default(),
        )
        .await
    }

    // ---------------------------------------------------------------- app-side endpoints

    /// `/v2/miotspec/devicelist`. No public client shows its request (reference §4), so
    /// the caller gives `data`; the result is returned as is.
    pub async fn miotspec_devicelist(&self, region: Region, data: &Value) -> Result<Value, Error> {
        self.call(region, "/v2/miotspec/devicelist", data).await
    }

    /// `/service/getappconfig` with `{"name","lang","version"}` (the Mi Home plugin SDK's
    /// `getAppConfig` parameters; the app sends it as `GET ...?data=<json>`, unsigned).
    pub async fn app_config(
        &self,
        region: Region,
        name: &str,
        lang: &str,
        version: &str,
    ) -> Result<Value, Error> {
        let data = json!({ "name": name, "lang": lang, "version": version });
        let mut url = url::Url::parse(&format!("{}/service/getappconfig", region.api_base()))
            .map_err(|e| Error::InvalidArgument(e.to_string()))?;
        url.query_pairs_mut().append_pair("data", &data.to_string());
        let resp = self
            .http
            .send(Method::GET, url.as_str(), |rb| {
                rb.header(USER_AGENT, self.user_agent.as_str())
            })
            .await?;
        decode_response(
            "/service/getappconfig",
            resp.status.as_u16(),
            &resp.body,
            None,
        )
    }

    /// `/version/check_gray` (`{"package_name","version_name","version_code","api_level":2}`,
    /// as the Android app sends it).
    pub async fn check_gray(
        &self,
        region: Region,
        package_name: &str,
        version_name: &str,
        version_code: u64,
    ) -> Result<Value, Error> {
        let data = json!({
            "package_name": package_name,
            "version_name": version_name,
            "version_code": version_code,
            "api_level": 2,
        });
        self.call(region, "/version/check_gray", &data).await
    }

    /// `/version/online_version`; request shape not documented publicly: the caller gives `data`.
    pub async fn online_version(&self, region: Region, data: &Value) -> Result<Value, Error> {
        self.call(region, "/version/online_version", data).await
    }

    /// `/v2/device/multi_check_device_version` for `dids`
    /// (`{"app_level","platform","check_reqs":[{"did"}]}` per the Mi Home plugin SDK).
    pub async fn multi_check_device_version(
        &self,
        region: Region,
        dids: &[&str],
        app_level: u64,
        platform: &str,
    ) -> Result<Value, Error> {
        let reqs: Vec<Value> = dids.iter().map(|d| json!({ "did": d })).collect();
        let data = json!({ "app_level": app_level, "platform": platform, "check_reqs": reqs });
        self.call(region, "/v2/device/multi_check_device_version", &data)
            .await
    }

    /// `/plugin/update_plugin`; request shape not documented publicly: the caller gives `data`.
    pub async fn update_plugin(&self, region: Region, data: &Value) -> Result<Value, Error> {
        self.call(region, "/plugin/update_plugin", data).await
    }

    /// `/v2/plugin/fetch_plugin` for `models`
    /// (`{"latest_req":{"plugins":[{"model"}],"app_platform","api_version","package_type","region"}}`).
    pub async fn fetch_plugin(
        &self,
        region: Region,
        models: &[&str],
        api_version: u64,
    ) -> Result<Value, Error> {
        let plugins: Vec<Value> = models.iter().map(|m| json!({ "model": m })).collect();
        let data = json!({
            "latest_req": {
                "plugins": plugins,
                "app_platform": "Android",
                "api_version": api_version,
                "package_type": "",
                "region": region.as_str().to_ascii_uppercase(),
            }
        });
        self.call(region, "/v2/plugin/fetch_plugin", &data).await
    }
}

/// A query of `/user/get_user_device_data` (hass-xiaomi-miot; reference §4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataQuery {
    /// Device id.
    pub did: String,
    /// Key, e.g. `power` or `motion`.
    pub key: String,
    /// `prop` or `event`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Start (unix s).
    pub time_start: i64,
    /// End (unix s).
    pub time_end: i64,
    /// Maximum items.
    pub limit: u32,
}

/// A query of `/v2/user/statistics` (hass-xiaomi-miot, mijia-api; reference §4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatisticsQuery {
    /// Device id.
    pub did: String,
    /// Key, e.g. `7.1` (siid.piid) or `powerCost`.
    pub key: String,
    /// `stat_hour_v3`, `stat_day_v3`, `stat_week_v3` or `stat_month_v3`.
    pub data_type: String,
    /// Maximum items.
    pub limit: u32,
    /// Start (unix s).
    pub time_start: i64,
    /// End (unix s).
    pub time_end: i64,
}

/// One history or statistics point. `value` is a JSON *string* on the wire
/// (e.g. `"[123]"`); [`DataPoint::parsed_value`] decodes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataPoint {
    /// The raw value string.
    #[serde(default)]
    pub value: Value,
    /// Time (unix s).
    #[serde(default)]
    pub time: i64,
    /// Other fields (`did`, `key`, `type`, `uid`, ...).
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl DataPoint {
    /// The value decoded from its JSON string (the raw value if it is not a JSON string).
    pub fn parsed_value(&self) -> Value {
        match &self.value {
            Value::String(s) => serde_json::from_str(s).unwrap_or_else(|_| self.value.clone()),
            other => other.clone(),
        }
    }
}

/// `/app/home/x` → `/home/x`; `home/x` → `/home/x`; rejects queries and `..`.
fn normalize_path(path: &str) -> Result<String, Error> {
    let trimmed = path.trim();
    let with_slash = if trimmed.starts_with('/') {
        trimmed.to_owned()
    } else {
        format!("/{trimmed}")
    };
    let stripped = with_slash
        .strip_prefix("/app/")
        .map(|rest| format!("/{rest}"))
        .unwrap_or(with_slash);
    if stripped.len() < 2 || stripped.contains(['?', '#', ' ']) || stripped.contains("..") {
        return Err(Error::InvalidArgument(format!(
            "{path:?} is not an API path"
        )));
    }
    Ok(stripped)
}

fn number_or_string(s: &str) -> Value {
    s.parse::<u64>()
        .map(Value::from)
        .unwrap_or_else(|_| Value::from(s))
}

fn decode_result<T: DeserializeOwned>(path: &str, result: Value) -> Result<T, Error> {
    serde_json::from_value(result).map_err(|e| Error::Decode {
        path: path.to_owned(),
        reason: json_reason(&e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalized() {
        assert_eq!(
            normalize_path("/app/home/device_list").unwrap(),
            "/home/device_list"
        );
        assert_eq!(
            normalize_path("home/device_list").unwrap(),
            "/home/device_list"
        );
        assert_eq!(
            normalize_path("/v2/homeroom/gethome").unwrap(),
            "/v2/homeroom/gethome"
        );
        assert!(normalize_path("/").is_err());
        assert!(normalize_path("/a?b=1").is_err());
        assert!(normalize_path("/../x").is_err());
    }

    #[test]
    fn data_point_value_is_a_json_string() {
        let p: DataPoint =
            serde_json::from_str(r#"{"value":"[123]","time":1700000000,"did":"1"}"#).unwrap();
        assert_eq!(p.parsed_value(), json!([123]));
        assert_eq!(p.other["did"], "1");
    }
}
