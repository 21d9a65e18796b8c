//! The emulator's services without a socket: one request in, one [`Reply`] out. Used by the
//! fuzz target `emulator_request` (`fuzz/`), which drives every handler with arbitrary
//! methods, paths, queries, headers and bodies. Not a public API.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use bytes::Bytes;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{HeaderMap, Method, StatusCode, Uri};

use crate::server::{Reply, Request, Service, split_target};
use crate::{EmulatorConfig, Error, build_services, device, huami_service, micloud};

/// Every service of an emulator built from a config, routed as the listener routes.
pub struct InProcess {
    services: Vec<Arc<dyn Service>>,
    micloud: Arc<micloud::MiCloud>,
}

impl std::fmt::Debug for InProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcess")
            .field("services", &self.services.len())
            .finish_non_exhaustive()
    }
}

impl InProcess {
    /// The services of `cfg`. `cfg.devices` simulated devices exist (for the Mi cloud) but
    /// no LAN server is started; `listen` and the fault and latency settings are unused.
    pub fn new(cfg: &EmulatorConfig) -> Result<InProcess, Error> {
        let huami = Arc::new(huami_service(cfg)?);
        let fleet = Arc::new(device::Fleet::generate(
            cfg.seed,
            cfg.devices,
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            0,
        )?);
        let (services, micloud) = build_services(cfg, huami, fleet)?;
        Ok(InProcess { services, micloud })
    }

    /// The Mi cloud service (its test hooks, e.g. `register_session`).
    pub fn micloud(&self) -> &micloud::MiCloud {
        &self.micloud
    }

    /// Answer one request as the listener would without faults or latency. `target` is the
    /// request target `/HOST/PATH?QUERY`. What hyper itself rejects before any handler runs
    /// (a bad method, target or header) is answered 400; an unknown host 404. Long-poll
    /// answers are not awaited: they get the immediate answer of [`Service::handle`].
    pub fn handle(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        let bad = || Reply::empty(StatusCode::BAD_REQUEST);
        let Ok(method) = Method::from_bytes(method.as_bytes()) else {
            return bad();
        };
        let Ok(uri) = target.parse::<Uri>() else {
            return bad();
        };
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) else {
                return bad();
            };
            map.append(name, value);
        }
        let Some((host, path)) = split_target(uri.path()) else {
            return Reply::not_found();
        };
        let request = Request {
            method,
            host,
            path,
            query: uri.query().map(str::to_owned),
            headers: map,
            body: Bytes::copy_from_slice(body),
        };
        match self.services.iter().find(|s| s.serves(&request.host)) {
            Some(service) => service.handle(&request),
            None => Reply::not_found(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emu() -> InProcess {
        let cfg = EmulatorConfig {
            today: Some(jiff::civil::date(2026, 2, 6)),
            days: 3,
            ..EmulatorConfig::default()
        };
        InProcess::new(&cfg).unwrap()
    }

    #[test]
    fn routes_like_the_listener() {
        let emu = emu();
        let r = emu.handle(
            "GET",
            "/miot-spec.org/miot-spec-v2/instances?status=all",
            &[],
            b"",
        );
        assert_eq!(r.status, StatusCode::OK);
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert!(v["instances"].is_array());
        // Unknown host, no host, what hyper would reject.
        assert_eq!(
            emu.handle("GET", "/example.org/", &[], b"").status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            emu.handle("GET", "/", &[], b"").status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            emu.handle("G T", "/miot-spec.org/", &[], b"").status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            emu.handle("GET", "/a b", &[], b"").status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            emu.handle("GET", "/miot-spec.org/", &[("a\n", "b")], b"")
                .status,
            StatusCode::BAD_REQUEST
        );
    }
}
