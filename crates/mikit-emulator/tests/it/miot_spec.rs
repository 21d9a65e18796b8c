//! The spec service (`reference/miot-spec.md` §13 "Emulator must"), checked with raw HTTP
//! against the documented shapes and with the real client, `mikit_miot::SpecClient`.

use mikit_emulator::corpus::Corpus;
use mikit_miot::{InstanceList, SpecClient, Status, TypeKind};
use serde_json::Value;

use crate::*;

const SKYRC: &str = "urn:miot-spec-v2:device:pet-feeder:0000A06C:skyrc-fed:1";
const HOSTS: [&str; 2] = ["https://miot-spec.org", "https://spec.miot-spec.com"];

async fn get(emu: &mikit_emulator::Emulator, real: &str) -> reqwest::Response {
    client().get(url(emu, real)).send().await.unwrap()
}

fn is_json(r: &reqwest::Response) -> bool {
    r.headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

#[tokio::test]
async fn instances_are_filtered_by_status_in_order() {
    let emu = start(config()).await;
    let all_bytes = Corpus::bundled().instances_json().clone();
    let all = InstanceList::from_slice(&all_bytes).unwrap();
    for host in HOSTS {
        // No status, `all` and an unknown status: the whole list, byte for byte.
        for q in ["", "?status=all", "?status=unknown"] {
            let r = get(&emu, &format!("{host}/miot-spec-v2/instances{q}")).await;
            assert_eq!(r.status(), 200);
            assert!(is_json(&r));
            assert_eq!(r.bytes().await.unwrap(), all_bytes, "{host}{q}");
        }
    }
    // The reference's counts over the 2022 dump (§3): 5,117 released, 14,533 debug, 103 preview.
    let mut total = 0;
    for (status, count) in [("released", 5117), ("debug", 14533), ("preview", 103)] {
        let r = get(
            &emu,
            &format!("https://miot-spec.org/miot-spec-v2/instances?status={status}"),
        )
        .await;
        let list = InstanceList::from_slice(&r.bytes().await.unwrap()).unwrap();
        assert_eq!(list.instances.len(), count, "{status}");
        assert!(
            list.instances
                .iter()
                .all(|e| e.status.as_ref().map(Status::as_str) == Some(status))
        );
        // Same order as the full list.
        let expected: Vec<_> = all
            .instances
            .iter()
            .filter(|e| e.status.as_ref().map(Status::as_str) == Some(status))
            .collect();
        assert_eq!(list.instances.iter().collect::<Vec<_>>(), expected);
        total += count;
    }
    assert_eq!(total, 19_753);
}

#[tokio::test]
async fn instance_is_served_byte_for_byte_raw_or_encoded() {
    let emu = start(config()).await;
    let stored = Corpus::bundled().spec(SKYRC).unwrap().clone();
    let encoded: String = url::form_urlencoded::byte_serialize(SKYRC.as_bytes()).collect();
    assert_ne!(encoded, SKYRC);
    for host in HOSTS {
        for q in [SKYRC, encoded.as_str()] {
            let r = get(&emu, &format!("{host}/miot-spec-v2/instance?type={q}")).await;
            assert_eq!(r.status(), 200, "{host} {q}");
            assert!(is_json(&r));
            assert_eq!(r.bytes().await.unwrap(), stored);
        }
    }
    // Unknown URN → 404, as are a missing `type` and a URN one version off.
    for q in [
        "?type=urn:miot-spec-v2:device:outlet:0000A002:nobody-x1:1",
        "",
        "?type=urn:miot-spec-v2:device:pet-feeder:0000A06C:skyrc-fed:9",
    ] {
        let r = get(
            &emu,
            &format!("https://miot-spec.org/miot-spec-v2/instance{q}"),
        )
        .await;
        assert_eq!(r.status(), 404, "{q}");
        assert!(is_json(&r));
    }
    // Only GET (and HEAD) are answered.
    let r = client()
        .post(url(
            &emu,
            &format!("https://miot-spec.org/miot-spec-v2/instance?type={SKYRC}"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
}

#[tokio::test]
async fn every_bundled_spec_is_served() {
    let emu = start(config()).await;
    let client = SpecClient::new(http_for(&emu));
    for (urn, bytes) in Corpus::bundled().specs() {
        assert_eq!(
            &client.instance_bytes(urn).await.unwrap()[..],
            &bytes[..],
            "{urn}"
        );
    }
}

fn http_for(emu: &mikit_emulator::Emulator) -> mikit_core::http::Http {
    mikit_core::http::install_crypto_provider();
    mikit_core::http::Http::builder()
        .endpoints(EndpointMap::new(Some(emu.endpoint())).unwrap())
        .build()
        .unwrap()
}

#[tokio::test]
async fn type_catalogs_and_definitions() {
    let emu = start(config()).await;
    for kind in TypeKind::ALL {
        let r = get(
            &emu,
            &format!("https://miot-spec.org/miot-spec-v2/spec/{}", kind.plural()),
        )
        .await;
        assert_eq!(r.status(), 200);
        assert!(is_json(&r));
        let v: Value = r.json().await.unwrap();
        let types = v["types"].as_array().unwrap();
        assert!(!types.is_empty(), "{kind}");
        // Every listed type has a definition with that `type` (miot-spec-doc §二, §六).
        let first = types[0].as_str().unwrap();
        let r = get(
            &emu,
            &format!(
                "https://spec.miot-spec.com/miot-spec-v2/spec/{}?type={first}",
                kind.singular()
            ),
        )
        .await;
        assert_eq!(r.status(), 200, "{kind} {first}");
        let def: Value = r.json().await.unwrap();
        assert_eq!(def["type"], first);
        let r = get(
            &emu,
            &format!(
                "https://miot-spec.org/miot-spec-v2/spec/{}?type=urn:miot-spec-v2:{}:nope:00000000",
                kind.singular(),
                kind.singular()
            ),
        )
        .await;
        assert_eq!(r.status(), 404);
    }
    // Shapes per kind, through the client.
    let client = SpecClient::new(http_for(&emu));
    let dev = client
        .type_definition(
            TypeKind::Device,
            "urn:miot-spec-v2:device:air-purifier:0000A007",
        )
        .await
        .unwrap();
    assert!(
        dev.urns("required-services")
            .contains(&"urn:miot-spec-v2:service:device-information:00007801")
    );
    assert!(dev.fields.contains_key("optional-services"));
    let svc = client
        .type_definition(
            TypeKind::Service,
            "urn:miot-spec-v2:service:air-purifier:00007811",
        )
        .await
        .unwrap();
    for k in [
        "required-properties",
        "optional-properties",
        "required-actions",
        "optional-actions",
        "required-events",
        "optional-events",
    ] {
        assert!(svc.fields.contains_key(k), "{k}");
    }
    let prop = client
        .type_definition(
            TypeKind::Property,
            "urn:miot-spec-v2:property:mode:00000008",
        )
        .await
        .unwrap();
    for k in ["description", "format", "access"] {
        assert!(prop.fields.contains_key(k), "{k}");
    }
    let cat = client.types(TypeKind::Event).await.unwrap();
    assert!(
        cat.types
            .iter()
            .all(|t| t.starts_with("urn:miot-spec-v2:event:"))
    );
    assert!(matches!(
        client
            .type_definition(TypeKind::Event, "urn:miot-spec-v2:event:none:00000000")
            .await,
        Err(mikit_miot::Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn multi_language_keys_and_unknown() {
    let emu = start(config()).await;
    let r = get(
        &emu,
        &format!("https://miot-spec.org/instance/v2/multiLanguage?urn={SKYRC}"),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert!(is_json(&r));
    let v: Value = r.json().await.unwrap();
    let en = v["data"]["en"].as_object().unwrap();
    // §2.1 grammar: 3-digit padding, value-list index (value 4 "FoodBlock" is index 3).
    for k in en.keys() {
        k.parse::<mikit_miot::LangKey>()
            .unwrap_or_else(|e| panic!("{k}: {e}"));
    }
    assert_eq!(en["service:002:property:001:valuelist:003"], "FoodBlock");
    let r = get(&emu, "https://miot-spec.org/instance/v2/multiLanguage?urn=urn:miot-spec-v2:device:x:0000A000:none-x:1").await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        serde_json::json!({"data": {}})
    );
    // Through the client.
    let client = SpecClient::new(http_for(&emu));
    let t = client.translations(SKYRC).await.unwrap();
    assert_eq!(t.service("en", 2), Some("Pet Feeder"));
    assert!(client.translations("urn:nothing").await.unwrap().is_empty());
}

#[tokio::test]
async fn spec_dir_adds_specs_lists_and_translations() {
    let dir = std::env::temp_dir().join(format!("mikit-emu-specdir-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("devices")).unwrap();
    std::fs::create_dir_all(dir.join("multilang")).unwrap();
    let urn = "urn:miot-spec-v2:device:pet-feeder:0000A06C:acme-f1:1";
    let spec = String::from_utf8(Corpus::bundled().spec(SKYRC).unwrap().to_vec())
        .unwrap()
        .replace(SKYRC, urn);
    let file = mikit_emulator::corpus::file_name_of_urn(urn);
    std::fs::write(dir.join("devices").join(&file), &spec).unwrap();
    let list = format!(
        r#"{{"instances":[{{"status":"released","model":"acme.feeder.f1","version":1,"type":"{urn}","ts":1}},{{"model":"acme.feeder.f2","version":1,"type":"urn:miot-spec-v2:device:pet-feeder:0000A06C:acme-f2:1"}}]}}"#
    );
    std::fs::write(dir.join("instances.json"), &list).unwrap();
    let lang = r#"{"data":{"de":{"service:002":"Futterautomat"}}}"#;
    std::fs::write(dir.join("multilang").join(&file), lang).unwrap();

    let mut cfg = config();
    cfg.spec_dir = Some(dir.clone());
    let emu = start(cfg).await;
    let client = SpecClient::new(http_for(&emu));
    assert_eq!(client.instance_bytes(urn).await.unwrap(), spec.as_bytes());
    // Bundled specs are still there.
    assert!(client.instance(SKYRC).await.is_ok());
    let all = client.instances(&Status::All).await.unwrap();
    assert_eq!(all.instances.len(), 2);
    // The entry without status counts as released (reference §12).
    let released = client.instances(&Status::Released).await.unwrap();
    assert_eq!(released.instances.len(), 2);
    assert_eq!(released.select("acme.feeder.f1").unwrap().type_, urn);
    // The second model's spec is not there: 404 is faithful.
    assert!(matches!(
        client
            .instance("urn:miot-spec-v2:device:pet-feeder:0000A06C:acme-f2:1")
            .await,
        Err(mikit_miot::Error::NotFound { .. })
    ));
    let t = client.translations(urn).await.unwrap();
    assert_eq!(t.service("de", 2), Some("Futterautomat"));
    emu.shutdown().await;
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn faults_and_latency_are_covered_by_the_client_retries() {
    let mut cfg = config();
    cfg.latency = std::time::Duration::from_millis(5);
    cfg.faults = "429=0.1,500=0.1,reset=0.05,truncate=0.05".parse().unwrap();
    let emu = start(cfg).await;
    let client = SpecClient::new(http_for(&emu));
    let mut n = 0;
    for (urn, bytes) in Corpus::bundled().specs().take(40) {
        assert_eq!(
            &client.instance_bytes(urn).await.unwrap()[..],
            &bytes[..],
            "{urn}"
        );
        n += 1;
    }
    assert_eq!(n, 40);
    assert!(emu.stats().total_faults() > 0);
}
