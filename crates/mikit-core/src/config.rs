//! The config file (TOML). Every key is optional; flags and environment variables win.
//!
//! ```toml
//! endpoint = "http://127.0.0.1:8080"   # talk to an emulator instead of the real services
//! data_dir = "/srv/mikit"
//! timeout = 30                         # seconds; see `mikit --help` (--timeout)
//!
//! [huami]
//! email = "me@example.com"
//! app_name = "com.huami.webapp"        # the app name posted to /v2/client/login
//!
//! [cloud]
//! user = "me@example.com"
//! region = "de"
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::Error;

/// The parsed config file.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Endpoint override (see [`crate::EndpointMap`]).
    pub endpoint: Option<String>,
    /// Where the database and sessions live.
    pub data_dir: Option<PathBuf>,
    /// Network timeout in seconds (`--timeout`).
    pub timeout: Option<u64>,
    /// Huami / Zepp settings.
    #[serde(default)]
    pub huami: HuamiConfig,
    /// Mi Home cloud settings.
    #[serde(default)]
    pub cloud: CloudConfig,
}

/// `[huami]` section.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct HuamiConfig {
    /// Default login e-mail.
    pub email: Option<String>,
    /// `app_name` posted to `/v2/client/login` (default `com.huami.webapp`, which does not
    /// log the phone app out).
    pub app_name: Option<String>,
    /// Force a data host (`api-mifit-de2.zepp.com`) instead of the one the login returns.
    pub data_host: Option<String>,
}

/// `[cloud]` section.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CloudConfig {
    /// Default Xiaomi account user (e-mail, phone or id).
    pub user: Option<String>,
    /// Default region (`cn`, `de`, `us`, `ru`, `sg`, `i2`).
    pub region: Option<String>,
}

impl Config {
    /// Read `path`; a missing file is an empty config.
    pub fn load(path: &Path) -> Result<Self, Error> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text).map_err(|reason| Error::Config {
                path: path.to_path_buf(),
                reason,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(Error::Io {
                action: "reading",
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// Read a config file the user named explicitly (`--config FILE`, `MIKIT_CONFIG`): unlike
    /// [`Config::load`], a missing file is an error ([`Error::ConfigMissing`]), so that a typo
    /// in the name is not silently replaced by the defaults.
    pub fn load_explicit(path: &Path) -> Result<Self, Error> {
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::ConfigMissing {
                path: path.to_path_buf(),
            }),
            _ => Self::load(path),
        }
    }

    /// Parse TOML text.
    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example() {
        let c = Config::parse(
            "endpoint = \"http://127.0.0.1:8080\"\n[huami]\nemail = \"a@b.c\"\n[cloud]\nregion = \"de\"\n",
        )
        .unwrap();
        assert_eq!(c.endpoint.as_deref(), Some("http://127.0.0.1:8080"));
        assert_eq!(c.huami.email.as_deref(), Some("a@b.c"));
        assert_eq!(c.cloud.region.as_deref(), Some("de"));
    }

    #[test]
    fn unknown_keys_are_errors_and_missing_file_is_empty() {
        assert!(Config::parse("endpont = \"x\"").is_err());
        assert_eq!(
            Config::load(Path::new("/nonexistent/mikit.toml")).unwrap(),
            Config::default()
        );
    }

    #[test]
    fn an_explicit_config_file_must_exist() {
        let missing = Path::new("/nonexistent/mikit.toml");
        let err = Config::load_explicit(missing).unwrap_err();
        assert!(matches!(err, Error::ConfigMissing { .. }), "{err:?}");
        assert!(err.to_string().contains("/nonexistent/mikit.toml"), "{err}");
    }
}
