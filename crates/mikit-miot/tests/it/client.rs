//! The spec-service client against a small axum server on 127.0.0.1:0 that serves the
//! repository corpus at the real paths (behind the endpoint map's `/HOST/PATH` layout).

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use mikit_core::EndpointMap;
use mikit_core::http::{Http, RetryPolicy};
use mikit_miot::client::{MAIN_HOST, MIRROR_HOST};
use mikit_miot::{Error, Instance, InstanceList, SpecClient, Status, TypeKind, Urn};
use serde_json::{Value, json};

use crate::{corpus_dir, device_specs, test_data_dir};

type Q = Query<HashMap<String, String>>;

struct Corpus {
    dir: PathBuf,
    instances: Value,
    catalogs: HashMap<&'static str, BTreeSet<String>>,
    definitions: HashMap<String, Value>,
}

/// Standard types and their definitions, derived from the corpus specs (the corpus has
/// no catalog dump): the first 5 URN fields of every `miot-spec-v2` type.
fn build_corpus() -> Corpus {
    let dir = corpus_dir();
    let instances =
        serde_json::from_str(&std::fs::read_to_string(dir.join("instances.json")).unwrap())
            .unwrap();
    let mut catalogs: HashMap<&'static str, BTreeSet<String>> = HashMap::new();
    let mut definitions = HashMap::new();
    let mut add = |kind: TypeKind, urn: &str, def: Value| {
        let Ok(u) = Urn::parse(urn) else { return };
        if u.is_vendor() {
            return;
        }
        let std = u.standard_type().to_owned();
        catalogs
            .entry(kind.plural())
            .or_default()
            .insert(std.clone());
        definitions.entry(std.clone()).or_insert_with(|| {
            let mut d = def;
            d["type"] = json!(std);
            d
        });
    };
    for (_, text) in device_specs() {
        let spec = Instance::from_json(&text).unwrap();
        add(
            TypeKind::Device,
            &spec.type_,
            json!({"description": spec.description}),
        );
        for s in &spec.services {
            add(
                TypeKind::Service,
                &s.type_,
                json!({"description": s.description}),
            );
            for p in s.properties() {
                let mut d = serde_json::to_value(p).unwrap();
                let o = d.as_object_mut().unwrap();
                o.remove("iid");
                add(TypeKind::Property, &p.type_, d);
            }
            for a in s.actions() {
                add(
                    TypeKind::Action,
                    &a.type_,
                    json!({"description": a.description}),
                );
            }
            for e in s.events() {
                add(
                    TypeKind::Event,
                    &e.type_,
                    json!({"description": e.description}),
                );
            }
        }
    }
    Corpus {
        dir,
        instances,
        catalogs,
        definitions,
    }
}

fn known_host(host: &str) -> bool {
    format!("https://{host}") == MAIN_HOST || format!("https://{host}") == MIRROR_HOST
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "{\"error\":\"not found\"}").into_response()
}

async fn instances(
    State(c): State<Arc<Corpus>>,
    Path(host): Path<String>,
    Query(q): Q,
) -> Response {
    if !known_host(&host) {
        return not_found();
    }
    let status = q.get("status").map_or("all", String::as_str);
    if !["all", "released", "debug", "preview"].contains(&status) {
        return (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response();
    }
    let list: Vec<Value> = c.instances["instances"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| status == "all" || e["status"] == status)
        .cloned()
        .collect();
    axum::Json(json!({ "instances": list })).into_response()
}

async fn instance(State(c): State<Arc<Corpus>>, Path(host): Path<String>, Query(q): Q) -> Response {
    let Some(urn) = q.get("type").filter(|_| known_host(&host)) else {
        return not_found();
    };
    if urn.ends_with(":garbage") {
        return (StatusCode::OK, "{\"type\":").into_response();
    }
    if urn.contains('/') || urn.contains("..") {
        return not_found();
    }
    let file = c
        .dir
        .join("devices")
        .join(format!("{}.json", urn.replace(':', ".")));
    match std::fs::read(file) {
        Ok(bytes) => ([("content-type", "application/json")], bytes).into_response(),
        Err(_) => not_found(),
    }
}

async fn spec_types(
    State(c): State<Arc<Corpus>>,
    Path((host, kind)): Path<(String, String)>,
    Query(q): Q,
) -> Response {
    if !known_host(&host) {
        return not_found();
    }
    let Some(k) = TypeKind::parse(&kind) else {
        return not_found();
    };
    if kind == k.plural() {
        let types: Vec<&String> = c.catalogs.get(k.plural()).into_iter().flatten().collect();
        return axum::Json(json!({ "types": types })).into_response();
    }
    match q.get("type").and_then(|t| c.definitions.get(t)) {
        Some(d)
            if d["type"]
                .as_str()
                .is_some_and(|t| t.contains(&format!(":{}:", k.singular()))) =>
        {
            axum::Json(d.clone()).into_response()
        }
        _ => not_found(),
    }
}

async fn multi_language(Path(host): Path<String>, Query(q): Q) -> Response {
    let Some(urn) = q.get("urn").filter(|_| known_host(&host)) else {
        return not_found();
    };
    let file = test_data_dir()
        .join("multilang")
        .join(format!("{}.json", urn.replace(':', ".")));
    match std::fs::read(file) {
        Ok(bytes) if !urn.contains('/') => bytes.into_response(),
        _ => axum::Json(json!({"data": {}})).into_response(),
    }
}

/// Start the server; returns an endpoint base like `http://127.0.0.1:PORT`.
async fn serve() -> String {
    let corpus = Arc::new(build_corpus());
    let app = Router::new()
        .route("/{host}/miot-spec-v2/instances", get(instances))
        .route("/{host}/miot-spec-v2/instance", get(instance))
        .route("/{host}/miot-spec-v2/spec/{kind}", get(spec_types))
        .route("/{host}/instance/v2/multiLanguage", get(multi_language))
        .with_state(corpus);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

fn client(base: &str, host: &str) -> SpecClient {
    let http = Http::builder()
        .endpoints(EndpointMap::new(Some(base)).unwrap())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    SpecClient::with_host(http, host)
}

const SKYRC: &str = "urn:miot-spec-v2:device:pet-feeder:0000A06C:skyrc-fed:1";

#[tokio::test]
async fn instances_list_by_status() {
    let base = serve().await;
    let c = client(&base, MAIN_HOST);
    let all = c.instances(&Status::All).await.unwrap();
    let file = InstanceList::from_json(&crate::corpus_file("instances.json")).unwrap();
    assert_eq!(all, file);
    let released = c.instances(&Status::Released).await.unwrap();
    assert_eq!(released.instances.len(), 5_117);
    assert!(
        released
            .instances
            .iter()
            .all(|e| e.status == Some(Status::Released))
    );
    assert_eq!(
        released.select("zhimi.airpurifier.ma4").unwrap().type_,
        "urn:miot-spec-v2:device:air-purifier:0000A007:zhimi-ma4:2"
    );
    // A 5xx that survives the retries is a typed status error.
    match c.instances(&Status::Other("boom".into())).await {
        Err(Error::Status {
            status: 500, body, ..
        }) => assert_eq!(body, "boom"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn instance_specs_and_not_found() {
    let base = serve().await;
    for host in [MAIN_HOST, MIRROR_HOST] {
        let c = client(&base, host);
        let spec = c.instance(SKYRC).await.unwrap();
        let want = Instance::from_json(&crate::corpus_file(
            "devices/urn.miot-spec-v2.device.pet-feeder.0000A06C.skyrc-fed.1.json",
        ))
        .unwrap();
        assert_eq!(spec, want);
        // An 8-field URN goes through the query encoding intact.
        let urn8 = "urn:miot-spec-v2:device:switch:0000A003:xbyk-xb02sw:1:0000C808";
        assert_eq!(c.instance(urn8).await.unwrap().type_, urn8);
    }
    let c = client(&base, MAIN_HOST);
    let missing = "urn:miot-spec-v2:device:fan:0000A005:nobody-none:1";
    match c.instance(missing).await {
        Err(Error::NotFound { what, .. }) => assert_eq!(what, format!("instance {missing}")),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        c.instance("urn:miot-spec-v2:device:fan:0000A005:x:garbage")
            .await,
        Err(Error::Json { .. })
    ));
    // Bytes as served, for a cache.
    let bytes = c.instance_bytes(SKYRC).await.unwrap();
    assert_eq!(
        bytes,
        std::fs::read(
            corpus_dir()
                .join("devices/urn.miot-spec-v2.device.pet-feeder.0000A06C.skyrc-fed.1.json")
        )
        .unwrap()
    );
}

#[tokio::test]
async fn type_catalogs_and_definitions() {
    let base = serve().await;
    let c = client(&base, MAIN_HOST);
    for kind in TypeKind::ALL {
        let cat = c.types(kind).await.unwrap();
        assert!(!cat.types.is_empty(), "{kind}");
        for t in &cat.types {
            let u = Urn::parse(t).unwrap();
            assert_eq!(u.kind().as_str(), kind.singular());
            assert!(!u.is_instance());
        }
    }
    let on = "urn:miot-spec-v2:property:on:00000006";
    assert!(
        c.types(TypeKind::Property)
            .await
            .unwrap()
            .types
            .iter()
            .any(|t| t == on)
    );
    let def = c.type_definition(TypeKind::Property, on).await.unwrap();
    assert_eq!(def.type_, on);
    assert_eq!(def.fields["format"], json!("bool"));
    assert!(def.description().is_some());
    let dev = c
        .type_definition(
            TypeKind::Device,
            "urn:miot-spec-v2:device:pet-feeder:0000A06C",
        )
        .await
        .unwrap();
    assert_eq!(dev.description(), Some("Pet Feeder"));
    assert!(matches!(
        c.type_definition(TypeKind::Service, on).await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn translations() {
    let base = serve().await;
    let c = client(&base, MAIN_HOST);
    let t = c.translations(SKYRC).await.unwrap();
    assert_eq!(t.service("de", 2), Some("Futterautomat"));
    let none = c
        .translations("urn:miot-spec-v2:device:fan:0000A005:nobody-none:1")
        .await
        .unwrap();
    assert!(none.is_empty());
}

#[tokio::test]
async fn unreachable_service_is_a_transport_error() {
    // Bind then drop a listener: the port is (almost certainly) closed afterwards.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    drop(l);
    let c = client(&base, MAIN_HOST);
    assert!(matches!(c.instance(SKYRC).await, Err(Error::Http(_))));
}
