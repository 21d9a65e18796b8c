//! # mikit-micloud
//!
//! The Xiaomi account login (password with captcha and two-factor, QR, passToken renewal)
//! and the signed Mi Home cloud API (`https://<region>.api.io.mi.com/app/...`): device
//! lists, homes, MIoT property get/set and actions, `/home/rpc`, history and any path.
//!
//! The protocol core is pure and sans-IO: [`sign`] holds both request-signing schemes
//! (legacy HMAC-SHA256 and RC4) for the client *and* the server side (the emulator
//! verifies with the same functions), [`envelope`] maps reply bodies to typed errors,
//! [`account`] parses account replies. [`login`] and [`api`] are thin async layers over
//! [`mikit_core::http::Http`], so every URL goes through the endpoint map.
//!
//! ```
//! use mikit_core::Secret;
//! use mikit_micloud::sign::{Nonce, sign_rc4, verify_request};
//!
//! // vectors.json set 2: ssecurity "0123456789abcdef" (base64), nonce 0011223344556677 ‖ 01ba8140.
//! let ssecurity = Secret::from("MDEyMzQ1Njc4OWFiY2RlZg==");
//! let nonce = Nonce::from_parts([0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77], 0x01ba_8140);
//! let data = r#"{"params":[{"did":"123456789","siid":2,"piid":1}],"datasource":1}"#;
//! let req = sign_rc4("POST", "/miotspec/prop/get", data, &ssecurity, &nonce, false).unwrap();
//! assert_eq!(req.field("signature"), Some("QBYsNW6/U5/CzTkQBZD4cMWG/dw="));
//!
//! // The server side accepts it and recovers the plaintext.
//! let form: Vec<(String, String)> =
//!     req.pairs().into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
//! let verified = verify_request("POST", "/miotspec/prop/get", &form, &ssecurity).unwrap();
//! assert_eq!(verified.data, data);
//! ```
//!
//! # Layout
//!
//! | module | holds |
//! |---|---|
//! | [`crypto`] | RC4-drop-1024, SHA-1/SHA-256/HMAC, base64, the password hash |
//! | [`sign`] | [`sign::Nonce`], [`sign::SignedNonce`], `sign_rc4`, `sign_legacy`, `decode_reply`, `client_sign`; server side `verify_request`, `check_nonce_fresh`, `encrypt_reply` |
//! | [`envelope`] | `{"code","message","result"}` → result or typed [`Error`] |
//! | [`account`] | `&&&START&&&` bodies, account codes → errors, cookies, 2FA context |
//! | [`hosts`] | the https hosts the login may talk to (checked on the real URL) |
//! | [`cookies`] | [`cookies::LoginCookies`]: the login's cookie store, scoped by real URL |
//! | [`login`] | [`login::LoginFlow`] state machine → [`login::LoginStep`] |
//! | [`session`] | [`Session`] (all credentials as `Secret`s, serde) |
//! | [`api`] | [`api::MiCloud`]: typed calls and a generic signed call, service-token renewal handed to a [`SessionSink`] |
//! | [`device`] | [`device::Device`], homes, rooms, merge by did |
//! | [`miot`] | the cloud wire shapes of the MIoT items (converted to and from [`mikit_miot::item`]), `-70xxxyzzz` [`miot::CloudCode`] |
//! | [`region`] | [`Region`] and API hosts |
//! | [`error`] | [`Error`] |

pub mod account;
pub mod api;
pub mod cookies;
pub mod crypto;
pub mod device;
pub mod envelope;
pub mod error;
pub mod hosts;
pub mod login;
pub mod miot;
pub mod region;
pub mod session;
pub mod sign;

pub use api::{MiCloud, SessionSink};
pub use error::Error;
pub use login::{LoginFlow, LoginStep};
pub use region::Region;
pub use session::Session;
