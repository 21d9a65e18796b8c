//! The spec-service client (`https://miot-spec.org`, `reference/miot-spec.md` §1–§2).
//!
//! Plain unauthenticated `GET`s returning JSON. Every URL is built with the real host and
//! sent through [`mikit_core::http::Http`], whose endpoint map may redirect it to the
//! emulator; retries on 429/5xx happen there.

use reqwest::Method;

use mikit_core::http::{Http, Response};

use crate::Error;
use crate::catalog::{TypeCatalog, TypeDefinition, TypeKind};
use crate::instances::{InstanceList, Status};
use crate::lang::Translations;
use crate::spec::Instance;

/// The main host of the spec service.
pub const MAIN_HOST: &str = "https://miot-spec.org";
/// The mirror host with the same paths (hass-xiaomi-miot falls back to it,
/// `al-one/hass-xiaomi-miot:custom_components/xiaomi_miot/core/miot_spec.py`).
pub const MIRROR_HOST: &str = "https://spec.miot-spec.com";

/// A client of the MIoT spec service.
#[derive(Clone, Debug)]
pub struct SpecClient {
    http: Http,
    base: String,
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// At most 200 characters of a body, for error messages.
fn snippet(r: &Response) -> String {
    let text = r.text();
    match text.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

impl SpecClient {
    /// A client of the main host, `https://miot-spec.org`.
    pub fn new(http: Http) -> SpecClient {
        SpecClient::with_host(http, MAIN_HOST)
    }

    /// A client of another host with the same paths (e.g. [`MIRROR_HOST`]).
    pub fn with_host(http: Http, host: &str) -> SpecClient {
        SpecClient {
            http,
            base: host.trim_end_matches('/').to_owned(),
        }
    }

    /// The host this client talks to (before the endpoint map).
    pub fn host(&self) -> &str {
        &self.base
    }

    async fn get(
        &self,
        path_and_query: &str,
        not_found: impl FnOnce() -> String,
    ) -> Result<Vec<u8>, Error> {
        let url = format!("{}{}", self.base, path_and_query);
        let resp = self
            .http
            .send(Method::GET, &url, |rb| {
                rb.header(reqwest::header::ACCEPT, "application/json")
            })
            .await?;
        let status = resp.status.as_u16();
        if status != 200 {
            tracing::debug!(
                path = path_and_query.split('?').next(),
                status,
                "spec service"
            );
        }
        match status {
            200 => Ok(resp.body),
            404 => Err(Error::NotFound {
                what: not_found(),
                body: snippet(&resp),
            }),
            status => Err(Error::Status {
                url: url.split('?').next().unwrap_or(&url).to_owned(),
                status,
                body: snippet(&resp),
            }),
        }
    }

    /// `GET /miot-spec-v2/instances?status=<status>`: the model → URN list.
    pub async fn instances(&self, status: &Status) -> Result<InstanceList, Error> {
        InstanceList::from_slice(&self.instances_bytes(status).await?)
    }

    /// `GET /miot-spec-v2/instances?status=<status>`, unparsed (for a cache that stores the
    /// bytes as served).
    pub async fn instances_bytes(&self, status: &Status) -> Result<Vec<u8>, Error> {
        let q = format!("/miot-spec-v2/instances?status={}", encode(status.as_str()));
        self.get(&q, || format!("instances list for status {status}"))
            .await
    }

    /// `GET /miot-spec-v2/instance?type=<urn>`, unparsed (for a cache that stores the bytes
    /// as served).
    pub async fn instance_bytes(&self, urn: &str) -> Result<Vec<u8>, Error> {
        let q = format!("/miot-spec-v2/instance?type={}", encode(urn));
        self.get(&q, || format!("instance {urn}")).await
    }

    /// `GET /miot-spec-v2/instance?type=<urn>`: the full device spec; 404 → [`Error::NotFound`].
    pub async fn instance(&self, urn: &str) -> Result<Instance, Error> {
        Instance::from_slice(&self.instance_bytes(urn).await?)
    }

    /// `GET /miot-spec-v2/spec/<kinds>`: all standard types of a kind.
    pub async fn types(&self, kind: TypeKind) -> Result<TypeCatalog, Error> {
        let q = format!("/miot-spec-v2/spec/{}", kind.plural());
        let body = self.get(&q, || format!("{kind} catalog")).await?;
        serde_json::from_slice(&body).map_err(|e| Error::json("type catalog", &e))
    }

    /// `GET /miot-spec-v2/spec/<kind>?type=<urn>`: one standard type definition.
    pub async fn type_definition(
        &self,
        kind: TypeKind,
        urn: &str,
    ) -> Result<TypeDefinition, Error> {
        let q = format!(
            "/miot-spec-v2/spec/{}?type={}",
            kind.singular(),
            encode(urn)
        );
        let body = self.get(&q, || format!("{kind} type {urn}")).await?;
        serde_json::from_slice(&body).map_err(|e| Error::json("type definition", &e))
    }

    /// `GET /instance/v2/multiLanguage?urn=<urn>`, unparsed (for a cache).
    pub async fn translations_bytes(&self, urn: &str) -> Result<Vec<u8>, Error> {
        let q = format!("/instance/v2/multiLanguage?urn={}", encode(urn));
        self.get(&q, || format!("translations of {urn}")).await
    }

    /// `GET /instance/v2/multiLanguage?urn=<urn>`: per-language descriptions (empty for an
    /// unknown URN).
    pub async fn translations(&self, urn: &str) -> Result<Translations, Error> {
        let body = self.translations_bytes(urn).await?;
        let text = String::from_utf8(body).map_err(|e| Error::Json {
            what: "multiLanguage payload",
            reason: e.to_string(),
        })?;
        Translations::from_json(&text)
    }
}
