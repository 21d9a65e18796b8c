//! The endpoint map: how every client reaches a real or an emulated service.
//!
//! All clients build URLs with the real host names. [`EndpointMap::map`] turns such a URL
//! into the URL actually requested:
//!
//! - without an override, unchanged;
//! - with an override `E`, `https://HOST/PATH?QUERY` becomes `E/HOST/PATH?QUERY`.
//!
//! The emulator serves every service from one listener and routes on that first path
//! segment. Regional hosts returned by a login, STS `location` URLs and redirect targets go
//! through the same function, so no other code knows whether it talks to the emulator.

use crate::Error;

/// Maps real service URLs to requested URLs. Cheap to clone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EndpointMap {
    /// The override base without a trailing slash, e.g. `http://127.0.0.1:8080`.
    base: Option<String>,
}

impl EndpointMap {
    /// A map with an optional override base URL (`http://` or `https://`, any path prefix).
    pub fn new(override_base: Option<&str>) -> Result<Self, Error> {
        let Some(given) = override_base.map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(Self { base: None });
        };
        let parsed = url::Url::parse(given).map_err(|e| Error::BadEndpoint {
            given: given.to_owned(),
            reason: e.to_string(),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::BadEndpoint {
                given: given.to_owned(),
                reason: "the scheme must be http or https".into(),
            });
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(Error::BadEndpoint {
                given: given.to_owned(),
                reason: "the endpoint must not carry a query or fragment".into(),
            });
        }
        Ok(Self {
            base: Some(given.trim_end_matches('/').to_owned()),
        })
    }

    /// The map that leaves every URL unchanged (talks to the real services).
    pub fn direct() -> Self {
        Self { base: None }
    }

    /// The override base, if any.
    pub fn base(&self) -> Option<&str> {
        self.base.as_deref()
    }

    /// Map a real URL (`https://HOST/PATH?QUERY`) to the URL to request.
    pub fn map(&self, real: &str) -> Result<String, Error> {
        let Some(base) = &self.base else {
            return Ok(real.to_owned());
        };
        let parsed = url::Url::parse(real).map_err(|e| Error::BadUrl {
            url: real.to_owned(),
            reason: e.to_string(),
        })?;
        let host = parsed.host_str().ok_or_else(|| Error::BadUrl {
            url: real.to_owned(),
            reason: "no host".into(),
        })?;
        let mut out = String::with_capacity(base.len() + real.len());
        out.push_str(base);
        out.push('/');
        out.push_str(host);
        if let Some(port) = parsed.port() {
            out.push(':');
            out.push_str(&port.to_string());
        }
        out.push_str(parsed.path());
        if let Some(q) = parsed.query() {
            out.push('?');
            out.push_str(q);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::EndpointMap;

    #[test]
    fn direct_is_identity() {
        let m = EndpointMap::new(None).unwrap();
        let u = "https://de.api.io.mi.com/app/home/device_list?x=1";
        assert_eq!(m.map(u).unwrap(), u);
        assert_eq!(EndpointMap::new(Some("  ")).unwrap(), EndpointMap::direct());
    }

    #[test]
    fn override_prefixes_host_path_and_query() {
        let m = EndpointMap::new(Some("http://127.0.0.1:9/")).unwrap();
        assert_eq!(
            m.map("https://miot-spec.org/miot-spec-v2/instance?type=urn:miot-spec-v2:device:fan:0000A005:x:1")
                .unwrap(),
            "http://127.0.0.1:9/miot-spec.org/miot-spec-v2/instance?type=urn:miot-spec-v2:device:fan:0000A005:x:1"
        );
        assert_eq!(
            m.map("https://api-user.huami.com/registrations/a%40b.c/tokens")
                .unwrap(),
            "http://127.0.0.1:9/api-user.huami.com/registrations/a%40b.c/tokens"
        );
    }

    #[test]
    fn override_with_path_prefix() {
        let m = EndpointMap::new(Some("http://127.0.0.1:9/emu")).unwrap();
        assert_eq!(
            m.map("https://a.b/c").unwrap(),
            "http://127.0.0.1:9/emu/a.b/c"
        );
    }

    #[test]
    fn rejects_bad_overrides() {
        assert!(EndpointMap::new(Some("ftp://x")).is_err());
        assert!(EndpointMap::new(Some("not a url")).is_err());
        assert!(EndpointMap::new(Some("http://x/?q=1")).is_err());
    }
}
