//! # mikit-huami
//!
//! A client of the Huami / Mi Fit / Zepp Life / Zepp cloud: the credential login (the v1
//! plain form and the v2 AES-encrypted form), the token exchange and app-token refresh, the
//! `band_data.json` and workout data calls, and sans-IO decoders that turn a day item
//! (base64 summary JSON, per-minute `data` records, `data_hr`) into a [`model::BandDay`]
//! and the workout history and details into [`workout::WorkoutSummary`] and
//! [`workout::WorkoutDetail`].
//!
//! The protocol follows `reference/huami-cloud.md` of the mikit design notes (sources cited
//! next to each non-obvious fact).
//!
//! ```
//! use mikit_huami::decode_day;
//! use serde_json::json;
//!
//! // A summary-only item: `summary` is base64 of `{"tz":"3600","stp":{"ttl":1234}}`.
//! let item = json!({
//!     "date_time": "2026-02-06",
//!     "summary": "eyJ0eiI6IjM2MDAiLCJzdHAiOnsidHRsIjoxMjM0fX0=",
//! });
//! let day = decode_day(&item).unwrap();
//! assert_eq!(day.tz_offset, 3600);
//! assert_eq!(day.totals.steps, Some(1234));
//! assert!(!day.is_partial());
//! ```
//!
//! Over HTTP (all URLs are real host names; the [`mikit_core::EndpointMap`] inside the
//! [`mikit_core::http::Http`] decides where they go):
//!
//! ```no_run
//! # async fn run() -> Result<(), mikit_huami::Error> {
//! use mikit_huami::{HuamiClient, LoginRequest, QueryType, login};
//! let http = mikit_core::http::Http::builder().build()?;
//! let session = login(&http, &LoginRequest::new("me@example.org", "password".into())).await?;
//! let client = HuamiClient::new(http, session);
//! let d = jiff::civil::date(2026, 2, 6);
//! for item in client.band_data(QueryType::Detail, d, d).await? {
//!     let day = mikit_huami::decode_day(&item)?;
//!     println!("{} steps", day.totals.steps.unwrap_or(0));
//! }
//! # Ok(()) }
//! ```
//!
//! # Layout
//!
//! | module | holds |
//! |---|---|
//! | [`model`] | the decoded types shared with the store: [`model::BandDay`], [`model::MinuteRecord`], [`model::SleepStage`], … |
//! | [`envelope`] | the v1 `{"code":1,…}` envelope and its documented error bodies |
//! | [`day`] | [`decode_day`] (download shape) and [`decode_upload_day`] (phone upload shape); [`item_date`], [`first_day_with_data`] |
//! | [`summary`] | the summary JSON: totals, activity and sleep stages, the sleep-day anchor rule |
//! | [`detail`] | the per-minute `data` records and `data_hr` bytes |
//! | [`credentials`] | v1/v2 credential bodies (AES-128-CBC), the `303 Location` parser |
//! | [`account`] | the `/v2/client/login` answer, its error codes, the data-host choice |
//! | [`mod@login`] | the login flow over HTTP ([`login()`]) and logout |
//! | [`session`] | [`Session`], what the CLI persists |
//! | [`client`] | [`HuamiClient`]: `band_data`, workout history/detail, single-flight app-token refresh |
//! | [`workout`] | workout history pages with typed summaries, and the detail streams decoder |
//! | [`devices`] | the device list: MAC, model, firmware, the Bluetooth [`AuthKey`] (redacted in `Debug`) |
//! | [`health`] | health events: stress, SpO2, PAI, HRV, readiness (skin temperature), respiratory rate |
//! | [`weight`] | weight and body-composition records |
//! | [`signin`] | the other ways in: Xiaomi OAuth code, pasted app token, renewal without the password |
//! | [`error`] | [`Error`], [`DecodeError`] |

pub mod account;
pub mod client;
pub mod clock;
pub mod credentials;
pub mod day;
pub mod detail;
pub mod devices;
pub mod envelope;
pub mod error;
pub mod health;
pub mod login;
pub mod model;
pub mod session;
pub mod signin;
pub mod summary;
pub mod weight;
pub mod workout;

pub use client::{Fetched, HuamiClient, QueryType};
pub use day::{
    decode_day, decode_day_in, decode_upload_day, first_day_with_data, item_date, item_date_text,
};
pub use devices::{AuthKey, Device};
pub use error::{DecodeError, Error};
pub use health::{EventData, EventStream, HealthEvent};
pub use login::{LoginMethod, LoginRequest, login};
pub use session::Session;
pub use signin::{
    XiaomiApp, XiaomiLogin, login_xiaomi, parse_pasted_code, renew, session_from_token,
    xiaomi_code_from_session,
};
pub use weight::WeightRecord;
