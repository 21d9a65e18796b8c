//! [`Session`]: what a login yields and what the CLI stores (mode 0600) between runs.

use mikit_core::Secret;
use serde::{Deserialize, Serialize};

/// A logged-in Huami account. `Debug` shows no token (they are [`Secret`]s).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// `token_info.user_id` (numeric, kept as the server's string).
    pub user_id: String,
    /// The long-lived login token (mints app tokens, logs out).
    pub login_token: Secret,
    /// The data bearer (`apptoken` header), ~30 days.
    pub app_token: Secret,
    /// The regional data host, e.g. `api-mifit-de2.zepp.com` (no scheme, no path).
    pub data_host: String,
    /// The account's country code as posted to `/v2/client/login` (e.g. `DE`).
    pub country_code: String,
    /// The AWS region name of the credential redirect (e.g. `eu-central-1`), if known.
    pub region: Option<String>,
    /// The `app_name` the login was made for (tokens are per app name).
    pub app_name: String,
    /// The email (or phone) the account logged in with.
    pub email: String,
    /// When the tokens were obtained, unix seconds.
    pub obtained_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Session {
        Session {
            user_id: "1234567890".into(),
            login_token: Secret::from("LOGIN-TOKEN-abc"),
            app_token: Secret::from("APP-TOKEN-xyz"),
            data_host: "api-mifit-de2.zepp.com".into(),
            country_code: "DE".into(),
            region: Some("eu-central-1".into()),
            app_name: "com.huami.webapp".into(),
            email: "a@example.org".into(),
            obtained_at: 1_767_000_000,
        }
    }

    #[test]
    fn debug_hides_tokens() {
        let s = format!("{:?}", sample());
        assert!(!s.contains("LOGIN-TOKEN-abc"), "{s}");
        assert!(!s.contains("APP-TOKEN-xyz"), "{s}");
        assert!(s.contains("api-mifit-de2.zepp.com"));
    }

    #[test]
    fn serde_round_trip_keeps_tokens() {
        let json = serde_json::to_string(&sample()).unwrap();
        assert!(json.contains("APP-TOKEN-xyz"));
        let back: Session = serde_json::from_str(&json).unwrap();
        assert_eq!(back, sample());
    }
}
