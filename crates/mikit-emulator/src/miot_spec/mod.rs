//! The MIoT spec service (`miot-spec.org` and its mirror `spec.miot-spec.com`), served from
//! the [`Corpus`] of real spec files (`reference/miot-spec.md` §1, §2, §13).
//!
//! | path | answer |
//! |---|---|
//! | `GET /miot-spec-v2/instances?status=S` | the instances list filtered by `status` (`instances`) |
//! | `GET /miot-spec-v2/instance?type=URN` | the stored spec byte for byte, or 404 |
//! | `GET /miot-spec-v2/spec/{devices,services,…}` | `{"types":[…]}` (`catalog`) |
//! | `GET /miot-spec-v2/spec/{device,service,…}?type=URN` | one standard type definition, or 404 |
//! | `GET /instance/v2/multiLanguage?urn=URN` | per-language texts (`lang`); unknown → `{"data":{}}` |
//!
//! The service is unauthenticated and read-only: only `GET` (and `HEAD`) are answered, every
//! answer is `application/json`. No public dump of the standard type catalogs exists, so the
//! catalogs and type definitions are *derived* from the instance specs of the corpus
//! (`catalog`); the multiLanguage answers are derived from the spec descriptions unless a
//! captured payload is supplied (`lang`).

mod catalog;
mod instances;
mod lang;

use std::path::Path;
use std::sync::OnceLock;

use hyper::{Method, StatusCode};
use mikit_miot::TypeKind;

use crate::Error;
use crate::corpus::Corpus;
use crate::server::{FaultScope, Reply, Request, Service};

/// The hosts this service answers for (`reference/miot-spec.md` §1).
pub const HOSTS: [&str; 2] = ["miot-spec.org", "spec.miot-spec.com"];

/// The emulated spec service.
pub struct SpecService {
    corpus: Corpus,
    lists: instances::Lists,
    catalogs: OnceLock<catalog::Catalogs>,
    langs: lang::Captured,
}

impl std::fmt::Debug for SpecService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpecService")
            .field("specs", &self.corpus.len())
            .finish_non_exhaustive()
    }
}

impl SpecService {
    /// Serve `corpus`; captured multiLanguage payloads are read from `spec_dir/multilang/`
    /// when a spec directory is given.
    pub fn new(corpus: Corpus, spec_dir: Option<&Path>) -> Result<SpecService, Error> {
        let langs = match spec_dir {
            Some(dir) => lang::Captured::read(&dir.join("multilang"))?,
            None => lang::Captured::default(),
        };
        Ok(SpecService {
            lists: instances::Lists::new(corpus.instances_json().clone()),
            corpus,
            catalogs: OnceLock::new(),
            langs,
        })
    }

    /// The corpus served.
    pub fn corpus(&self) -> &Corpus {
        &self.corpus
    }

    fn catalogs(&self) -> &catalog::Catalogs {
        self.catalogs
            .get_or_init(|| catalog::Catalogs::derive(&self.corpus))
    }

    fn instance(&self, req: &Request) -> Reply {
        // `query_param` decodes percent-escapes, so a raw `urn:a:b` and an encoded
        // `urn%3Aa%3Ab` name the same spec (both are used by clients, §2).
        let Some(urn) = req.query_param("type") else {
            return not_found();
        };
        match self.corpus.spec(urn.trim()) {
            Some(bytes) => Reply::json_bytes(StatusCode::OK, bytes.clone()),
            None => not_found(),
        }
    }

    fn catalog(&self, word: &str, req: &Request) -> Reply {
        let Some(kind) = TypeKind::parse(word) else {
            return not_found();
        };
        let catalogs = self.catalogs();
        if word == kind.plural() {
            return Reply::json(StatusCode::OK, &catalogs.list(kind));
        }
        match req
            .query_param("type")
            .and_then(|t| catalogs.definition(kind, t.trim()))
        {
            Some(def) => Reply::json(StatusCode::OK, def),
            None => not_found(),
        }
    }

    fn multi_language(&self, req: &Request) -> Reply {
        let urn = req.query_param("urn").unwrap_or_default();
        let urn = urn.trim();
        if let Some(bytes) = self.langs.get(urn) {
            return Reply::json_bytes(StatusCode::OK, bytes.clone());
        }
        let value = match self.corpus.spec(urn) {
            Some(bytes) => lang::derive(bytes),
            None => lang::empty(),
        };
        Reply::json(StatusCode::OK, &value)
    }
}

/// The answer for an unknown URN or path. The reference documents the status (404) but not
/// the body of the real service [inferred]; clients only look at the status.
fn not_found() -> Reply {
    Reply::not_found()
}

impl Service for SpecService {
    fn serves(&self, host: &str) -> bool {
        HOSTS.contains(&host)
    }

    fn fault_scope(&self, _req: &Request) -> FaultScope {
        // Every request is a plain idempotent GET: any fault can be retried by a client.
        FaultScope::All
    }

    fn handle(&self, req: &Request) -> Reply {
        if req.method != Method::GET && req.method != Method::HEAD {
            return Reply::json(
                StatusCode::METHOD_NOT_ALLOWED,
                &serde_json::json!({"code": 405, "message": "method not allowed"}),
            );
        }
        let path = req.path.trim_end_matches('/');
        match path {
            "/miot-spec-v2/instances" => self.lists.answer(req.query_param("status").as_deref()),
            "/miot-spec-v2/instance" => self.instance(req),
            "/instance/v2/multiLanguage" => self.multi_language(req),
            _ => match path.strip_prefix("/miot-spec-v2/spec/") {
                Some(word) if !word.contains('/') => self.catalog(word, req),
                _ => not_found(),
            },
        }
    }

    fn expire(&self, _req: &Request) -> Option<Reply> {
        // No credentials to expire: the service is public.
        None
    }

    fn accounts(&self) -> serde_json::Map<String, serde_json::Value> {
        serde_json::Map::new()
    }
}
