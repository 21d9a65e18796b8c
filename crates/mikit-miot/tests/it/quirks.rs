//! Issue 9: real specs with quirks (about 1 in 1,500 of the public catalog) parse, round-trip,
//! stay usable by name, and draw warnings, never errors. The specs are in
//! `tests/data/quirks/` (constructed from the quirk kinds reported against the public
//! catalog; see `tests/data/PROVENANCE.md`).

use mikit_miot::{Error, Instance, Location, Member, Names, Severity};
use serde_json::{Value, json};

use crate::test_data_dir;

const ACCESS_NULL: &str = "urn.miot-spec-v2.device.outlet.0000A002.quirk-access-null.1.json";
const DUP_PIID: &str = "urn.miot-spec-v2.device.fan.0000A005.quirk-dup-piid.1.json";
const DUP_SIID: &str = "urn.miot-spec-v2.device.light.0000A001.quirk-dup-siid.1.json";
const EMPTY_EVENT: &str = "urn.miot-spec-v2.device.motion-sensor.0000A014.quirk-empty-event.1.json";
const SERVICE_DEVICE: &str = "urn.miot-spec-v2.device.light.0000A001.quirk-service-device.1.json";
const SIX_FIELDS: &str = "urn.miot-spec-v2.device.outlet.0000A002.quirk-six-fields.1.json";
const ALL: &str = "urn.miot-spec-v2.device.fan.0000A005.quirk-all.1.json";

fn text(file: &str) -> String {
    std::fs::read_to_string(test_data_dir().join("quirks").join(file)).expect("quirk spec")
}

/// Parse, check the exact round-trip, and return the spec with its warnings as text.
fn load(file: &str) -> (Instance, Vec<String>) {
    let text = text(file);
    let spec = Instance::from_json(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    assert_eq!(
        spec.to_value(),
        serde_json::from_str::<Value>(&text).unwrap(),
        "{file} round-trips"
    );
    let again = Instance::from_json(&serde_json::to_string(&spec).unwrap()).unwrap();
    assert_eq!(
        again.to_value(),
        spec.to_value(),
        "{file} through text again"
    );
    let problems = spec.problems();
    for p in &problems {
        assert_eq!(p.severity, Severity::Warning, "{file}: {p}");
    }
    (spec, problems.iter().map(ToString::to_string).collect())
}

fn has(warnings: &[String], want: &str) {
    assert!(
        warnings.iter().any(|w| w.contains(want)),
        "no warning with {want:?} in {warnings:#?}"
    );
}

#[test]
fn access_null() {
    let (spec, warnings) = load(ACCESS_NULL);
    assert_eq!(
        warnings,
        [
            "warning: property 2.2: access is null; read as [] (usable only as an action or event argument)"
        ]
    );
    let names = Names::new(&spec);
    let (siid, piid) = names.resolve_property("switch.countdown-time").unwrap();
    let p = spec.property(siid, piid).unwrap();
    assert!(p.access.is_null() && !p.is_readable() && !p.is_writable());
    assert!(matches!(
        p.require_readable("switch.countdown-time"),
        Err(Error::NotReadable { access, .. }) if access == "null"
    ));
    // Still a valid action argument.
    let (siid, aiid) = names.resolve_action("switch.delay-off").unwrap();
    let service = spec.service(siid).unwrap();
    assert_eq!(
        service.coerce_action_in(aiid, &["30"]).unwrap(),
        [json!(30)]
    );
    assert_eq!(
        spec.to_value()["services"][1]["properties"][1]["access"],
        Value::Null
    );
}

#[test]
fn repeated_piids() {
    let (spec, warnings) = load(DUP_PIID);
    has(
        &warnings,
        "service 2: property iid 1 is used 2 times (fan.on-1, fan.on-2); `2.1` means the first",
    );
    has(
        &warnings,
        "service 2: property iid 2 is used 2 times (fan.fan-level, fan.mode); `2.2` means the first",
    );
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
    let names = Names::new(&spec);
    // The same property listed twice at one address: the plain name means the first.
    assert_eq!(names.resolve_property("fan.on").unwrap(), (2, 1));
    assert_eq!(names.resolve_property("on").unwrap(), (2, 1));
    let second = names.locate_property("fan.on-2").unwrap();
    assert_eq!(
        second,
        Location {
            siid: 2,
            iid: 1,
            service: 1,
            index: 1
        }
    );
    // Two properties at one address keep their own names and definitions.
    let level = names.locate_property("fan.fan-level").unwrap();
    let mode = names.locate_property("fan.mode").unwrap();
    assert_eq!((level.siid, level.iid), (2, 2));
    assert_eq!((mode.siid, mode.iid), (2, 2));
    assert_eq!(mode.index, 3);
    let mode_def = spec.property_at(&mode).unwrap();
    assert_eq!(mode_def.coerce_text("sleep").unwrap(), json!(1));
    assert!(
        spec.property_at(&level)
            .unwrap()
            .coerce_text("sleep")
            .is_err()
    );
    assert_eq!(
        names.name_at(Member::Property, &mode).as_deref(),
        Some("fan.mode")
    );
    // Numbers mean the first definition, as Instance::property does.
    assert_eq!(names.locate_property("2.2").unwrap(), level);
    assert_eq!(spec.property(2, 2), spec.property_at(&level));
    assert_eq!(
        names.name_of(Member::Property, 2, 2).as_deref(),
        Some("fan.fan-level")
    );
    assert_eq!(names.all(Member::Property).len(), 7);
}

#[test]
fn repeated_siids() {
    let (spec, warnings) = load(DUP_SIID);
    assert_eq!(
        warnings,
        [
            "warning: device: service iid 2 is used 2 times (light, ambient-light); `2.N` means the first, the names tell them apart"
        ]
    );
    let names = Names::new(&spec);
    assert_eq!(names.resolve_service("2").unwrap(), 2);
    assert_eq!(names.resolve_service("ambient-light").unwrap(), 2);
    assert_eq!(names.resolve_property("light.brightness").unwrap(), (2, 2));
    let ct = names
        .locate_property("ambient-light.color-temperature")
        .unwrap();
    assert_eq!((ct.siid, ct.iid, ct.service), (2, 3, 2));
    assert_eq!(
        spec.property_at(&ct).unwrap().coerce_text("2700").unwrap(),
        json!(2700)
    );
    // Numbers look through every service with that siid, the first definition first.
    assert_eq!(names.locate_property("2.3").unwrap(), ct);
    let first_on = names.locate_property("2.1").unwrap();
    assert_eq!(first_on.service, 1);
    let ambient_on = names.locate_property("ambient-light.on").unwrap();
    assert_eq!(
        (ambient_on.siid, ambient_on.iid, ambient_on.service),
        (2, 1, 2)
    );
    // `on` exists in both, at one address: the first.
    assert_eq!(names.locate_property("on").unwrap(), first_on);
    assert!(matches!(
        names.resolve_property("2.9"),
        Err(Error::UnknownIid {
            siid: 2,
            iid: Some(9),
            ..
        })
    ));
    assert_eq!(names.resolve_action("light.toggle").unwrap(), (2, 1));
    // Lookups by ids see every service with the siid, the first definition first.
    assert_eq!(spec.property(2, 3), spec.property_at(&ct));
    assert_eq!(spec.property(2, 1), spec.property_at(&first_on));
    assert!(spec.property(2, 4).is_none());
}

#[test]
fn empty_event_type() {
    let (spec, warnings) = load(EMPTY_EVENT);
    assert_eq!(
        warnings,
        [
            "warning: event 2.2: its type is \"\" (not a URN); mikit names it motion-sensor.no-motion"
        ]
    );
    let names = Names::new(&spec);
    assert_eq!(
        names.resolve_event("motion-sensor.no-motion").unwrap(),
        (2, 2)
    );
    assert_eq!(spec.event(2, 2).unwrap().type_, "");
    assert_eq!(spec.to_value()["services"][1]["events"][1]["type"], "");
}

#[test]
fn service_typed_as_a_device() {
    let (spec, warnings) = load(SERVICE_DEVICE);
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    has(
        &warnings,
        "warning: service 2: its type \"urn:miot-spec-v2:device:light:0000A001:quirk-service-device:1\" is a device URN, not a service URN; read as a service named light",
    );
    let names = Names::new(&spec);
    assert_eq!(names.resolve_property("light.on").unwrap(), (2, 1));
    assert_eq!(names.resolve_action("light.toggle").unwrap(), (2, 1));
}

#[test]
fn six_field_vendor_urn() {
    let (spec, warnings) = load(SIX_FIELDS);
    assert_eq!(
        warnings,
        [
            "warning: property 3.1: its type \"urn:xiaomi-spec:property:night-mode:00000001:quirk-six-fields\" has 6 fields: a vendor-product but no version (read by position)"
        ]
    );
    let names = Names::new(&spec);
    assert_eq!(names.resolve_property("custom.night-mode").unwrap(), (3, 1));
    assert_eq!(names.resolve_property("night-mode").unwrap(), (3, 1));
}

#[test]
fn every_quirk_in_one_spec() {
    let (spec, warnings) = load(ALL);
    for want in [
        "device: service iid 2 is used 2 times (fan, light)",
        "service 2: property iid 1 is used 2 times (fan.on-1, fan.on-2)",
        "service 2: property iid 2 is used 2 times (fan.fan-level, fan.mode)",
        "property 2.3: access is null",
        "event 2.1: its type is \"\" (not a URN); mikit names it fan.fan-stopped",
        "service 2: its type \"urn:miot-spec-v2:device:light:0000A001:quirk-all:1\" is a device URN",
        "property 2.4: its type \"urn:xiaomi-spec:property:night-mode:00000001:quirk-all\" has 6 fields",
    ] {
        has(&warnings, want);
    }
    assert_eq!(warnings.len(), 7, "{warnings:#?}");
    let names = Names::new(&spec);
    for (name, want) in [
        ("fan.on", (2, 1)),
        ("fan.mode", (2, 2)),
        ("fan.countdown-time", (2, 3)),
        ("light.on", (2, 1)),
        ("light.night-mode", (2, 4)),
        ("2.4", (2, 4)),
    ] {
        assert_eq!(names.resolve_property(name).unwrap(), want, "{name}");
    }
    assert_eq!(names.resolve_event("fan.fan-stopped").unwrap(), (2, 1));
    assert_eq!(names.resolve_action("fan.delay-off").unwrap(), (2, 2));
}

/// A file that is not a spec instance is still an error, not a warning.
#[test]
fn non_instances_are_errors() {
    assert!(Instance::from_json(r#"{"instances":[]}"#).is_err());
    assert!(Instance::from_json("not json").is_err());
    let service_urn =
        r#"{"type":"urn:miot-spec-v2:service:switch:0000780C","description":"x","services":[]}"#;
    let p = Instance::from_json(service_urn).unwrap().problems();
    assert!(p.iter().any(|p| p.severity == Severity::Error), "{p:?}");
    // A device type with 6 fields is no instance URN either.
    let six = r#"{"type":"urn:miot-spec-v2:device:light:0000A001:quirk-x","description":"x","services":[]}"#;
    let p = Instance::from_json(six).unwrap().problems();
    assert!(p.iter().any(|p| p.severity == Severity::Error), "{p:?}");
}
