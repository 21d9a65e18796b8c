//! # mikit-core
//!
//! Small pieces every other mikit crate shares:
//!
//! - [`endpoint`]: the one function that maps a real service URL
//!   (`https://api-mifit-de2.huami.com/v1/...`) to the URL actually requested, so that the
//!   whole toolkit can be pointed at the emulator (`E/HOST/PATH?QUERY`) without any other code
//!   knowing about it.
//! - [`secret`]: [`Secret`], a wrapper whose `Debug`/`Display` never show the value.
//! - [`http`]: the HTTP client builder (rustls with the `ring` provider, timeouts) and
//!   [`http::Http::send`], which retries with exponential backoff and jitter on 429, 5xx and
//!   connection errors and honours `Retry-After`.
//! - [`paths`] and [`config`]: XDG directories and the TOML config file.
//!
//! ```
//! use mikit_core::endpoint::EndpointMap;
//! let map = EndpointMap::new(Some("http://127.0.0.1:8080")).unwrap();
//! assert_eq!(
//!     map.map("https://api-mifit.huami.com/v1/data/band_data.json?a=1").unwrap(),
//!     "http://127.0.0.1:8080/api-mifit.huami.com/v1/data/band_data.json?a=1"
//! );
//! ```
//!
//! # Layout
//!
//! | module | holds |
//! |---|---|
//! | `endpoint` | [`EndpointMap`] |
//! | `secret` | [`Secret`] |
//! | `http` | [`http::Http`], [`http::RetryPolicy`], [`http::Response`] |
//! | `paths` | [`paths::Paths`] |
//! | `config` | [`config::Config`] |
//! | `error` | [`Error`] |

pub mod config;
pub mod endpoint;
pub mod error;
pub mod http;
pub mod paths;
pub mod secret;

pub use endpoint::EndpointMap;
pub use error::Error;
pub use secret::Secret;
