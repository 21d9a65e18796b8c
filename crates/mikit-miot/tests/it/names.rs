//! Name resolution and value rules on real specs.

use mikit_miot::{Error, Instance, Member, Names};
use serde_json::json;

use crate::corpus_file;

fn spec(file: &str) -> Instance {
    Instance::from_json(&corpus_file(file)).unwrap()
}

const SKYRC: &str = "devices/urn.miot-spec-v2.device.pet-feeder.0000A06C.skyrc-fed.1.json";

/// MS7 (`reference/miot-spec.md` §11, spec verbatim in §10 b): the action's `in:[2]` is
/// property 2.2 `feeding-measure` with `access: []` and range [1,112,1]; service 3 uses
/// the vendor namespace `skyrc-spec`.
#[test]
fn ms7_skyrc_feeder() {
    let spec = spec(SKYRC);
    let names = Names::new(&spec);
    assert_eq!(
        names.resolve_action("pet-feeder.pet-food-out").unwrap(),
        (2, 1)
    );
    let action = spec.action(2, 1).unwrap();
    assert_eq!(action.in_.as_slice(), &[2]);
    let (siid, piid) = names
        .resolve_property("pet-feeder.feeding-measure")
        .unwrap();
    assert_eq!((siid, piid), (2, 2));
    let arg = spec.property(siid, piid).unwrap();
    assert!(arg.access.is_empty());
    // Not readable or writable directly (a fake device answers -4001 / -4002) ...
    assert!(matches!(
        arg.require_readable("pet-feeder.feeding-measure"),
        Err(Error::NotReadable { .. })
    ));
    assert!(matches!(
        arg.require_writable("pet-feeder.feeding-measure"),
        Err(Error::NotWritable { .. })
    ));
    // ... but valid as an action argument; 113 is outside the range (a device says -4006).
    assert_eq!(arg.coerce_text("112").unwrap(), json!(112));
    match arg.validate(&json!(113)) {
        Err(Error::OutOfRange { min, max, step, .. }) => {
            assert_eq!((min, max, step), (1.0, 112.0, 1.0))
        }
        other => panic!("{other:?}"),
    }
    // The same through the action helpers: count first, then each argument's rules.
    let service = spec.service(2).unwrap();
    assert_eq!(service.coerce_action_in(1, &["56"]).unwrap(), [json!(56)]);
    assert!(service.validate_action_in(1, &[json!(1)]).is_ok());
    match service.validate_action_in(1, &[json!(113)]) {
        Err(Error::Argument {
            position: 1,
            source,
            ..
        }) => {
            assert!(matches!(*source, Error::OutOfRange { .. }));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        service.validate_action_in(1, &[]),
        Err(Error::ArgumentCount {
            expected: 1,
            got: 0,
            ..
        })
    ));
    assert!(matches!(
        service.coerce_action_in(9, &[]),
        Err(Error::UnknownIid {
            kind: "action",
            siid: 2,
            iid: Some(9)
        })
    ));
    // Vendor namespace service, and the same property name in two services.
    assert_eq!(names.service_name(3), Some("feeder-function"));
    assert_eq!(
        names.resolve_property("feeder-function.beep").unwrap(),
        (3, 5)
    );
    assert!(matches!(
        names.resolve_property("feeding-measure"),
        Err(Error::AmbiguousName { candidates, .. })
            if candidates == ["pet-feeder.feeding-measure", "feeder-function.feeding-measure"]
    ));
    assert_eq!(names.resolve_event("grain-yield").unwrap(), (3, 1));
    assert_eq!(
        names.name_of(Member::Property, 2, 1).as_deref(),
        Some("pet-feeder.fault")
    );
    let fault = spec.property(2, 1).unwrap();
    assert_eq!(fault.coerce_text("nofood").unwrap(), json!(2));
    assert_eq!(fault.decode(&json!(4)).to_string(), "FoodBlock");
}

#[test]
fn did_you_mean() {
    let names = Names::new(&spec(SKYRC));
    let e = names
        .resolve_property("pet-feeder.feeding-mesure")
        .unwrap_err();
    match &e {
        Error::UnknownName {
            kind, suggestion, ..
        } => {
            assert_eq!(*kind, "property");
            assert_eq!(suggestion.as_deref(), Some("pet-feeder.feeding-measure"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        e.to_string(),
        "unknown property \"pet-feeder.feeding-mesure\"; did you mean \"pet-feeder.feeding-measure\"?"
    );
    // A typo in the service part, and in a service alone.
    assert!(matches!(
        names.resolve_property("pet-feedr.fault"),
        Err(Error::UnknownName { suggestion: Some(s), .. }) if s == "pet-feeder.fault"
    ));
    assert!(matches!(
        names.resolve_service("device-informaton"),
        Err(Error::UnknownName { suggestion: Some(s), .. }) if s == "device-information"
    ));
    // Nothing close: no suggestion.
    assert!(matches!(
        names.resolve_property("zzzzzzzzzzzz.qqqqqqq"),
        Err(Error::UnknownName {
            suggestion: None,
            ..
        })
    ));
    // Unknown numbers are typed too.
    assert!(matches!(
        names.resolve_property("2.9"),
        Err(Error::UnknownIid {
            siid: 2,
            iid: Some(9),
            ..
        })
    ));
    assert!(matches!(
        names.resolve_property("7.1"),
        Err(Error::UnknownIid {
            siid: 7,
            iid: None,
            ..
        })
    ));
    // Case, '_' and spaces are forgiven.
    assert_eq!(
        names
            .resolve_property("Pet_Feeder.Feeding Measure")
            .unwrap(),
        (2, 2)
    );
}

/// Four `switch` services (siid 2..5) in one real spec get `switch-1`..`switch-4`.
#[test]
fn repeated_services_get_suffixes() {
    let spec = spec("devices/urn.miot-spec-v2.device.switch.0000A003.090615-sk4k.1.0000C810.json");
    let names = Names::new(&spec);
    for (k, siid) in [(1, 2), (2, 3), (3, 4), (4, 5)] {
        assert_eq!(
            names.service_name(siid),
            Some(format!("switch-{k}").as_str())
        );
        assert_eq!(names.resolve_service(&format!("switch-{k}")).unwrap(), siid);
    }
    match names.resolve_service("switch") {
        Err(Error::AmbiguousName { candidates, .. }) => {
            assert_eq!(candidates, ["switch-1", "switch-2", "switch-3", "switch-4"]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(names.resolve_service("switch-sensor").unwrap(), 6);
    let (siid, _) = names.resolve_property("switch-3.on").unwrap();
    assert_eq!(siid, 4);
}

/// Duplicated property types inside one service
/// (al-one/hass-xiaomi-miot:tests/fixtures/cnhdm.airrtc.wkq01.json: fan-level at piid 2 and 7).
#[test]
fn repeated_properties_get_suffixes() {
    let spec = spec("hass-xiaomi-miot/cnhdm.airrtc.wkq01.json");
    let names = Names::new(&spec);
    assert_eq!(
        names.resolve_property("thermostat.fan-level-1").unwrap(),
        (2, 2)
    );
    assert_eq!(
        names.resolve_property("thermostat.fan-level-2").unwrap(),
        (2, 7)
    );
    assert!(matches!(
        names.resolve_property("thermostat.fan-level"),
        Err(Error::AmbiguousName { .. })
    ));
    assert_eq!(names.resolve_property("thermostat.mode").unwrap(), (2, 1));
    let mode = spec.property(2, 1).unwrap();
    assert_eq!(mode.coerce_text("heat").unwrap(), json!(1));
    assert_eq!(mode.decode(&json!(2)).to_string(), "Ventilation");
    let temp = spec.property(2, 5).unwrap();
    assert_eq!(temp.decode(&json!(21)).to_string(), "21 °C");
    assert!(matches!(
        temp.coerce_text("33"),
        Err(Error::OutOfRange { .. })
    ));
}
