//! [`Session`]: the credentials a finished login yields.

use mikit_core::Secret;
use serde::{Deserialize, Serialize};

/// The credentials of a logged-in Xiaomi account for one service id (`sid`).
///
/// Every credential is a [`Secret`]: `Debug` shows `***`. Serialization writes the values
/// (the CLI stores the session in a 0600 file).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The numeric account id.
    pub user_id: Secret,
    /// The encoded account id (`cUserId`).
    pub c_user_id: Secret,
    /// The long-lived token that renews the service token without a password.
    pub pass_token: Secret,
    /// The base64 key from which every request's signed nonce is derived.
    pub ssecurity: Secret,
    /// The service token (cookie `serviceToken` of the API calls).
    pub service_token: Secret,
    /// The service id the token is for (`xiaomiio`).
    pub sid: String,
    /// The `deviceId` cookie used at login (the passToken is bound to it).
    pub device_id: String,
    /// When the service token was obtained (unix s).
    pub obtained_at: u64,
}

impl Session {
    /// Seconds since the service token was obtained, at `now_unix`.
    pub fn age(&self, now_unix: u64) -> u64 {
        now_unix.saturating_sub(self.obtained_at)
    }
}
