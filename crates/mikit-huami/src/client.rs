//! [`HuamiClient`]: the data plane on the regional `api-mifit*` host, with the app-token
//! refresh of reference `huami-cloud.md` §3.6 (one refresh, shared by concurrent tasks).

use std::sync::atomic::{AtomicBool, Ordering};

use jiff::civil::Date;
use mikit_core::Secret;
use mikit_core::http::Http;
use reqwest::Method;
use serde_json::Value;
use tokio::sync::{Mutex, RwLock};

use crate::account::parse_app_token;
use crate::devices::{Device, decode_devices};
use crate::envelope::{Envelope, items_of, parse_envelope};
use crate::error::Error;
use crate::health::{EventEndpoint, EventStream, HealthEvent};
use crate::session::Session;
use crate::weight::{WeightRecord, decode_weight_page};
use crate::workout::{HistoryPage, parse_history};

/// `app_tokens` endpoint (MIMO `grant_app_token` uses `account-cn.huami.com`; the non-CN
/// account host serves the same path).
pub const APP_TOKENS_URL: &str = "https://account.huami.com/v1/client/app_tokens";
/// `dn` of the app-token mint (MIMO `grant_app_token`).
const APP_TOKENS_DN: &str = "api-user.huami.com,api-mifit.huami.com,app-analytics.huami.com";
/// `appname` of data calls: `com.huami.webapp` returns empty data (JSOLAN, reference §13.2).
const DATA_APPNAME: &str = "com.xiaomi.hm.health";

/// `query_type` of `band_data.json`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QueryType {
    /// Items with `summary` only.
    Summary,
    /// Items with `summary`, `data` and `data_hr`.
    Detail,
}

impl QueryType {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Summary => "summary",
            Self::Detail => "detail",
        }
    }
}

/// The outcome of one data request, before refresh handling.
enum Attempt {
    Done(Result<Value, Error>),
    TokenRejected,
}

/// A client of the Huami data plane for one [`Session`]. Share it (`Arc`) between tasks:
/// every method takes `&self`.
#[derive(Debug)]
pub struct HuamiClient {
    http: Http,
    session: RwLock<Session>,
    refreshing: Mutex<()>,
    changed: AtomicBool,
}

impl HuamiClient {
    /// A client over `http` (whose endpoint map decides real vs emulated hosts).
    pub fn new(http: Http, session: Session) -> Self {
        Self {
            http,
            session: RwLock::new(session),
            refreshing: Mutex::new(()),
            changed: AtomicBool::new(false),
        }
    }

    /// A copy of the current session (with a refreshed app token, if one was minted).
    pub async fn session(&self) -> Session {
        self.session.read().await.clone()
    }

    /// True when the session changed since [`HuamiClient::new`] (persist it then).
    pub fn session_changed(&self) -> bool {
        self.changed.load(Ordering::Acquire)
    }

    /// `GET /v1/data/band_data.json` for the inclusive date range: the raw day items (one per
    /// day with data). Decode them with [`crate::decode_day`]; keep them to decode again later.
    pub async fn band_data(
        &self,
        query_type: QueryType,
        from: Date,
        to: Date,
    ) -> Result<Vec<Value>, Error> {
        if from > to {
            return Err(Error::InvalidInput(format!("from {from} is after to {to}")));
        }
        let (from, to) = (from.to_string(), to.to_string());
        let data = self
            .v1_get(
                "band data",
                "/v1/data/band_data.json",
                &[
                    ("query_type", query_type.as_str()),
                    ("device_type", "android_phone"),
                    ("from_date", from.as_str()),
                    ("to_date", to.as_str()),
                    ("byteLength", "8"),
                ],
            )
            .await?;
        items_of(data).map_err(|reason| Error::BadResponse {
            during: "band data",
            reason,
        })
    }

    /// One page of `GET /v1/sport/run/history.json` (newest first): `next` is the `trackid`
    /// of the previous page's `data.next`, `None` for the first page.
    pub async fn workout_history_page(&self, next: Option<i64>) -> Result<HistoryPage, Error> {
        let next = next.map(|n| n.to_string());
        let mut query = vec![("source", "run.mifit.huami.com")];
        if let Some(n) = &next {
            // Reference §13.3: send `trackid` (ROLANDSZ/H3LL) and `stopTrackId` (BAIT/ZB).
            query.push(("trackid", n.as_str()));
            query.push(("stopTrackId", n.as_str()));
        }
        let data = self
            .v1_get("workout history", "/v1/sport/run/history.json", &query)
            .await?;
        parse_history(&data).map_err(|reason| Error::BadResponse {
            during: "workout history",
            reason,
        })
    }

    /// Every workout summary, following `data.next` until `-1` (at most 1000 pages; a
    /// `next` that does not move to older workouts ends the walk): one [`HistoryPage`]
    /// holding all summaries and all entry issues, with `next` = `None`.
    pub async fn workout_history(&self) -> Result<HistoryPage, Error> {
        let mut all = HistoryPage {
            summaries: Vec::new(),
            issues: Vec::new(),
            next: None,
        };
        let mut next = None;
        for _ in 0..1000 {
            let page = self.workout_history_page(next).await?;
            all.summaries.extend(page.summaries);
            all.issues.extend(page.issues);
            match page.next {
                Some(n) if next.is_none_or(|prev| n < prev) => next = Some(n),
                _ => break,
            }
        }
        Ok(all)
    }

    /// `GET /v1/sport/run/detail.json`: the raw `data` of one workout (decode it with
    /// [`crate::workout::decode_workout_detail`]).
    pub async fn workout_detail(&self, trackid: &str, source: &str) -> Result<Value, Error> {
        self.v1_get(
            "workout detail",
            "/v1/sport/run/detail.json",
            &[("trackid", trackid), ("source", source)],
        )
        .await
    }

    /// A GET of a v1 "code" endpoint on the data host, with `userid`, the data headers and
    /// one app-token refresh on 401 / error 0102. Returns the envelope's `data`.
    async fn v1_get(
        &self,
        during: &'static str,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<Value, Error> {
        let mut refreshed = false;
        loop {
            let (host, user_id, token) = {
                let s = self.session.read().await;
                (s.data_host.clone(), s.user_id.clone(), s.app_token.clone())
            };
            let url = format!("https://{host}{path}");
            let resp = self
                .http
                .send(Method::GET, &url, |rb| {
                    rb.query(query)
                        .query(&[("userid", user_id.as_str())])
                        .header("apptoken", token.expose().as_str())
                        .header("appPlatform", "web")
                        .header("appname", DATA_APPNAME)
                })
                .await?;
            match classify(during, resp.status.as_u16(), &resp.body, &host) {
                Attempt::Done(result) => return result,
                Attempt::TokenRejected if refreshed => return Err(Error::SessionExpired),
                Attempt::TokenRejected => {
                    self.refresh_app_token(&token).await?;
                    refreshed = true;
                }
            }
        }
    }

    /// Mint a new app token from the login token, unless another task already replaced
    /// `stale` (single flight).
    async fn refresh_app_token(&self, stale: &Secret) -> Result<(), Error> {
        let _one_at_a_time = self.refreshing.lock().await;
        let (login_token, app_name) = {
            let s = self.session.read().await;
            if s.app_token != *stale {
                return Ok(());
            }
            if s.login_token.is_empty() {
                // A pasted-token session (reference §3.5) has nothing to mint with.
                return Err(Error::SessionExpired);
            }
            (s.login_token.clone(), s.app_name.clone())
        };
        let resp = self
            .http
            .send(Method::GET, APP_TOKENS_URL, |rb| {
                rb.query(&[
                    ("app_name", app_name.as_str()),
                    ("dn", APP_TOKENS_DN),
                    ("login_token", login_token.expose().as_str()),
                ])
            })
            .await?;
        let fresh =
            parse_app_token(resp.status.as_u16(), &resp.body).ok_or(Error::SessionExpired)?;
        self.session.write().await.app_token = fresh;
        self.changed.store(true, Ordering::Release);
        tracing::debug!("huami: app token refreshed");
        Ok(())
    }

    // ---- devices, health events, weight (issue 12; reference §4 DV1/E1–E3/WT1, §7, §8) ----

    /// `GET /users/{uid}/devices?enableMultiDevice=true` (DV1): the account's devices with
    /// their auth keys, and the number of items that were not objects.
    pub async fn devices(&self) -> Result<(Vec<Device>, usize), Error> {
        let uid = self.session.read().await.user_id.clone();
        let body = self
            .rest_get(
                "device list",
                &format!("/users/{uid}/devices"),
                &[("enableMultiDevice", "true".to_owned())],
            )
            .await?;
        decode_devices(&body).map_err(|reason| Error::BadResponse {
            during: "device list",
            reason,
        })
    }

    /// Every event of `stream` with a timestamp in `[from_ms, to_ms]` (epoch ms), paging
    /// as reference §7.3 says (`limit` 1000; while a page is full, `from` = the newest
    /// timestamp plus 1; BAIT `_get_events`). `time_zone` is the IANA zone sent as `timeZone` (v1) and
    /// used for the local ISO bounds of `events/dateString`.
    ///
    /// `Ok` means "fetched": an empty [`Fetched`] is "nothing measured in this range" (the
    /// v2 endpoint answers `[]` even for unknown types, so only a successful request may be
    /// recorded as fetched); an `Err` means "not fetched".
    pub async fn events(
        &self,
        stream: EventStream,
        from_ms: i64,
        to_ms: i64,
        time_zone: &str,
    ) -> Result<Fetched<HealthEvent>, Error> {
        const LIMIT: usize = 1000;
        const DURING: &str = "health events";
        if from_ms > to_ms {
            return Err(Error::InvalidInput(format!(
                "from {from_ms} is after to {to_ms}"
            )));
        }
        let tz = jiff::tz::TimeZone::get(time_zone)
            .map_err(|_| Error::InvalidInput(format!("{time_zone:?} is not an IANA time zone")))?;
        let uid = self.session.read().await.user_id.clone();
        let mut out = Fetched::new(stream.name(), from_ms, to_ms);
        let mut seen = std::collections::HashSet::new();
        let mut from = from_ms;
        while out.pages < 10_000 {
            let (path, bounds) = match stream.endpoint() {
                EventEndpoint::V1 => (
                    format!("/users/{uid}/events"),
                    (from.to_string(), to_ms.to_string()),
                ),
                EventEndpoint::V2 => (
                    "/v2/users/me/events".to_owned(),
                    (from.to_string(), to_ms.to_string()),
                ),
                EventEndpoint::V1DateString => (
                    format!("/users/{uid}/events/dateString"),
                    (local_iso(from, &tz)?, local_iso(to_ms, &tz)?),
                ),
            };
            let mut query = vec![
                ("eventType", stream.event_type().to_owned()),
                ("from", bounds.0),
                ("to", bounds.1),
                ("limit", LIMIT.to_string()),
                ("reverse", "0".to_owned()),
            ];
            if let Some(st) = stream.sub_type() {
                query.push(("subType", st.to_owned()));
            }
            if stream.endpoint() != EventEndpoint::V2 {
                query.push(("timeZone", time_zone.to_owned()));
            }
            let body = self.rest_get(DURING, &path, &query).await?;
            out.pages += 1;
            let items = crate::health::into_items(body).map_err(|reason| Error::BadResponse {
                during: DURING,
                reason,
            })?;
            let full = items.len() >= LIMIT;
            let (events, bad) = crate::health::decode_events(&items);
            out.issues
                .extend(bad.into_iter().map(|(i, r)| format!("item {i}: {r}")));
            let newest = events.iter().map(|e| e.timestamp_ms).max();
            for e in events {
                // A page boundary may repeat an item; keep one of each.
                if seen.insert((e.timestamp_ms, e.event_type.clone(), e.sub_type.clone())) {
                    out.items.push(e);
                }
            }
            match newest {
                // The dateString endpoint is bounded by dates: no ms cursor, one page.
                Some(n)
                    if full && n >= from && stream.endpoint() != EventEndpoint::V1DateString =>
                {
                    match n.checked_add(1) {
                        Some(next) if next <= to_ms => from = next,
                        _ => break,
                    }
                }
                _ => break,
            }
        }
        out.items.sort_by_key(|e| e.timestamp_ms);
        Ok(out)
    }

    /// Weight records (WT1) newest first, paging with `toTime = next` until `next == 0`
    /// (SSC), stopping early once records are older than `since` (unix s; `None` = all).
    /// `weightType 3` records are skipped and counted. `Ok` with no items = "fetched, no
    /// weighing"; `Err` = "not fetched".
    pub async fn weight_records(&self, since: Option<i64>) -> Result<Fetched<WeightRecord>, Error> {
        const DURING: &str = "weight records";
        let uid = self.session.read().await.user_id.clone();
        let now = jiff::Timestamp::now().as_second();
        let lo = since.unwrap_or(0);
        let mut out = Fetched::new("weight", lo * 1000, now * 1000);
        let mut to_time = now;
        let mut seen = std::collections::HashSet::new();
        while out.pages < 100_000 {
            let body = self
                .rest_get(
                    DURING,
                    &format!("/users/{uid}/members/-1/weightRecords"),
                    &[("limit", "200".to_owned()), ("toTime", to_time.to_string())],
                )
                .await?;
            out.pages += 1;
            let page = decode_weight_page(&body).map_err(|reason| Error::BadResponse {
                during: DURING,
                reason,
            })?;
            out.skipped += page.skipped_broken;
            out.issues.extend(
                page.issues
                    .into_iter()
                    .map(|(i, r)| format!("item {i}: {r}")),
            );
            let oldest = page.records.iter().map(|r| r.time).min();
            for r in page.records {
                if r.time >= lo && seen.insert((r.time, r.device_id.clone())) {
                    out.items.push(r);
                }
            }
            let reached_since = oldest.is_some_and(|o| o < lo);
            // `next` must move to older records; anything else ends the walk.
            if page.next == 0 || page.next >= to_time || reached_since {
                break;
            }
            to_time = page.next;
        }
        out.items.sort_by_key(|r| r.time);
        Ok(out)
    }

    /// A GET of a REST ("items") endpoint on the data host, with `userid`, the data headers
    /// and one app-token refresh on 401. Returns the JSON body.
    async fn rest_get(
        &self,
        during: &'static str,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Value, Error> {
        let mut refreshed = false;
        loop {
            let (host, token) = {
                let s = self.session.read().await;
                (s.data_host.clone(), s.app_token.clone())
            };
            let url = format!("https://{host}{path}");
            let resp = self
                .http
                .send(Method::GET, &url, |rb| {
                    rb.query(query)
                        .header("apptoken", token.expose().as_str())
                        .header("appPlatform", "web")
                        .header("appname", DATA_APPNAME)
                })
                .await?;
            let status = resp.status.as_u16();
            let rejected = status == 401
                || (status == 200
                    && matches!(parse_envelope(&resp.body), Ok(Envelope::InvalidToken)));
            if rejected {
                if refreshed {
                    return Err(Error::SessionExpired);
                }
                self.refresh_app_token(&token).await?;
                refreshed = true;
                continue;
            }
            return match status {
                200 => serde_json::from_slice(&resp.body).map_err(|_| Error::BadResponse {
                    during,
                    reason: "the body is not JSON".into(),
                }),
                403 => Err(Error::WrongRegion { host }),
                429 => Err(crate::login::with_retry_after(
                    Error::RateLimited {
                        during,
                        retry_after_secs: None,
                    },
                    &resp,
                )),
                500 if matches!(parse_envelope(&resp.body), Ok(Envelope::MissingHeaders)) => {
                    Err(Error::MissingHeaders)
                }
                status => Err(Error::UnexpectedStatus { during, status }),
            };
        }
    }

    /// Revoke the login token (reference §3.6).
    pub async fn logout(&self) -> Result<(), Error> {
        let s = self.session().await;
        crate::login::logout(&self.http, &s).await
    }
}

/// The answer of one stream over one range: fetched (this value exists) and what it held.
/// An empty `items` is "fetched, nothing measured", as opposed to an `Err` ("not fetched").
#[derive(Clone, Debug)]
pub struct Fetched<T> {
    /// The stream's name ([`EventStream::name`], or `weight`).
    pub stream: &'static str,
    /// The requested range, epoch ms (inclusive).
    pub from_ms: i64,
    /// The requested range's end, epoch ms (inclusive).
    pub to_ms: i64,
    /// The decoded items, oldest first, raw payloads inside.
    pub items: Vec<T>,
    /// Items that could not be decoded (index within their page and reason).
    pub issues: Vec<String>,
    /// Items skipped on purpose (weight: `weightType 3`).
    pub skipped: usize,
    /// Requests made.
    pub pages: u32,
}

impl<T> Fetched<T> {
    fn new(stream: &'static str, from_ms: i64, to_ms: i64) -> Self {
        Self {
            stream,
            from_ms,
            to_ms,
            items: Vec::new(),
            issues: Vec::new(),
            skipped: 0,
            pages: 0,
        }
    }

    /// True for "fetched, nothing measured in the range".
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// An epoch-ms instant as a local ISO date-time (`2026-10-01T00:00:00`) in `tz`, the form
/// the `events/dateString` endpoint takes with `timeZone` (GREG `events_user_date_string`).
fn local_iso(ms: i64, tz: &jiff::tz::TimeZone) -> Result<String, Error> {
    let t = jiff::Timestamp::from_millisecond(ms)
        .map_err(|_| Error::InvalidInput(format!("{ms} ms is out of range")))?;
    Ok(t.to_zoned(tz.clone())
        .datetime()
        .strftime("%Y-%m-%dT%H:%M:%S")
        .to_string())
}

/// Map a v1 answer to its `data`, an error, or "the token was rejected".
fn classify(during: &'static str, status: u16, body: &[u8], host: &str) -> Attempt {
    let err = |e| Attempt::Done(Err(e));
    let envelope = parse_envelope(body);
    match (status, envelope) {
        (401, _) | (_, Ok(Envelope::InvalidToken)) => Attempt::TokenRejected,
        (403, _) => err(Error::WrongRegion {
            host: host.to_owned(),
        }),
        (429, _) | (_, Ok(Envelope::TooManyRequests)) => err(Error::RateLimited {
            during,
            retry_after_secs: None,
        }),
        (_, Ok(Envelope::MissingHeaders)) => err(Error::MissingHeaders),
        (200, Ok(Envelope::Success(data))) => Attempt::Done(Ok(data)),
        (200, Ok(Envelope::Other { code, message })) => err(Error::Api { code, message }),
        (200, Err(reason)) => err(Error::BadResponse { during, reason }),
        (status, _) => err(Error::UnexpectedStatus { during, status }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(status: u16, body: &[u8]) -> Result<Value, Error> {
        match classify("band data", status, body, "api-mifit.huami.com") {
            Attempt::Done(r) => r,
            Attempt::TokenRejected => Err(Error::InvalidToken),
        }
    }

    #[test]
    fn documented_answers_are_classified() {
        // Reference §2.3.
        assert!(matches!(
            outcome(500, br#"{"code":-50000}"#),
            Err(Error::MissingHeaders)
        ));
        assert!(matches!(outcome(401, b""), Err(Error::InvalidToken)));
        assert!(matches!(
            outcome(
                200,
                br#"{"code":0,"message":"invalid token","data":{"code":"0102"}}"#
            ),
            Err(Error::InvalidToken)
        ));
        assert!(matches!(outcome(403, b""), Err(Error::WrongRegion { .. })));
        assert!(matches!(outcome(429, b""), Err(Error::RateLimited { .. })));
        assert!(matches!(
            outcome(200, br#"{"code":12,"message":"too many requests"}"#),
            Err(Error::RateLimited { .. })
        ));
        assert!(matches!(
            outcome(502, b"<html>"),
            Err(Error::UnexpectedStatus { status: 502, .. })
        ));
        assert!(matches!(
            outcome(200, b"<html>"),
            Err(Error::BadResponse { .. })
        ));
        assert!(matches!(
            outcome(200, br#"{"code":3,"message":"x"}"#),
            Err(Error::Api { code: 3, .. })
        ));
        assert_eq!(
            outcome(200, br#"{"code":1,"data":[]}"#).unwrap(),
            Value::Array(vec![])
        );
    }
}
