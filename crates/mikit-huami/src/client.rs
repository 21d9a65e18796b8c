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
use crate::envelope::{Envelope, items_of, parse_envelope};
use crate::error::Error;
use crate::session::Session;
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

    /// Revoke the login token (reference §3.6).
    pub async fn logout(&self) -> Result<(), Error> {
        let s = self.session().await;
        crate::login::logout(&self.http, &s).await
    }
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
        (429, _) | (_, Ok(Envelope::TooManyRequests)) => err(Error::RateLimited { during }),
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
