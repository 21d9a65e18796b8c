//! The instances list and model → URN selection (vectors MS1–MS6 of
//! `reference/miot-spec.md` §11).

use mikit_miot::{Error, InstanceList, Rule, Status, Urn};
use serde_json::Value;

use crate::corpus_file;

fn releases() -> InstanceList {
    // rytilahti/python-miio:miio/tests/fixtures/micloud_miotspec_releases.json
    InstanceList::from_json(&corpus_file("python-miio/micloud_miotspec_releases.json")).unwrap()
}

/// The 2022 `status=all` dump, NRCHKB/mihome:src/miot-spec/instances.json @000ad3c.
fn dump() -> (InstanceList, String) {
    let text = corpus_file("instances.json");
    (InstanceList::from_json(&text).unwrap(), text)
}

#[test]
fn python_miio_fixture_round_trips_and_tolerates_missing_status() {
    let text = corpus_file("python-miio/micloud_miotspec_releases.json");
    let list = InstanceList::from_json(&text).unwrap();
    assert_eq!(
        list.to_value(),
        serde_json::from_str::<Value>(&text).unwrap()
    );
    assert_eq!(list.instances.len(), 3);
    assert_eq!(list.instances[0].ts, Some(1234));
    assert_eq!(list.instances[1].status, None);
    assert!(list.instances[1].is_released());
}

/// MS1–MS3 (rytilahti/python-miio:miio/tests/test_miot_cloud.py).
#[test]
fn ms1_to_ms3() {
    let list = releases();
    for rule in [Rule::PreferReleased, Rule::ReleasedOnly] {
        assert_eq!(
            list.select_with("vendor.plug.single_release", rule)
                .unwrap()
                .type_,
            "urn:miot-spec-v2:device:outlet:0000xxxx:vendor-single-release:1"
        );
        // "newest version gets picked" (two entries without status).
        let two = list.select_with("vendor.plug.two_releases", rule).unwrap();
        assert_eq!(two.version, 2);
        assert_eq!(
            two.type_,
            "urn:miot-spec-v2:device:outlet:0000xxxx:vendor-two-releases:2"
        );
        assert!(matches!(
            list.select_with("foo.bar", rule),
            Err(Error::ModelNotFound { model }) if model == "foo.bar"
        ));
    }
}

/// MS4, MS5 on the real 2022 list, under both client rules, with and without the index.
#[test]
fn ms4_ms5_on_the_dump() {
    let (list, _) = dump();
    let index = list.index();
    for rule in [Rule::PreferReleased, Rule::ReleasedOnly] {
        // zhimi.airpurifier.ma4: v1 released, v2 released, v3 debug -> v2.
        let ma4 = list.select_with("zhimi.airpurifier.ma4", rule).unwrap();
        assert_eq!(
            ma4.type_,
            "urn:miot-spec-v2:device:air-purifier:0000A007:zhimi-ma4:2"
        );
        assert_eq!(
            index.select_with("zhimi.airpurifier.ma4", rule).unwrap(),
            ma4
        );
        // skyrc.feeder.fed: v1 released, v2 debug -> v1.
        let fed = index.select_with("skyrc.feeder.fed", rule).unwrap();
        assert_eq!(
            fed.type_,
            "urn:miot-spec-v2:device:pet-feeder:0000A06C:skyrc-fed:1"
        );
    }
    let ma4_versions: Vec<(u32, Status)> = index
        .entries("zhimi.airpurifier.ma4")
        .map(|e| (e.version, e.status.clone().unwrap()))
        .collect();
    assert!(ma4_versions.contains(&(3, Status::Debug)));
    // A debug-only model: mikit falls back to it, python-miio's rule finds nothing.
    let debug_only = "opple.light.drop"; // reference §10 a, entry 6 (status debug)
    assert_eq!(
        index.select(debug_only).unwrap().type_,
        "urn:miot-spec-v2:device:light:0000A001:opple-drop:1"
    );
    assert!(index.select_with(debug_only, Rule::ReleasedOnly).is_err());
}

/// Counts of reference §3 and MS6: every device URN of the dump parses.
#[test]
fn dump_counts_and_urns() {
    let (list, text) = dump();
    assert_eq!(
        list.to_value(),
        serde_json::from_str::<Value>(&text).unwrap()
    );
    assert_eq!(list.instances.len(), 19_753);
    assert_eq!(list.index().models(), 19_178);
    let count = |s: Status| {
        list.instances
            .iter()
            .filter(|e| e.status == Some(s.clone()))
            .count()
    };
    assert_eq!(count(Status::Debug), 14_533);
    assert_eq!(count(Status::Released), 5_117);
    assert_eq!(count(Status::Preview), 103);
    let (mut seven, mut eight) = (0, 0);
    // The list's `version` and the URN's version field usually agree, but not always: two
    // debug entries carry a version-1 URN under versions 2 and 4. Never derive one from
    // the other.
    let mut version_differs = Vec::new();
    for e in &list.instances {
        let u = Urn::parse(&e.type_).unwrap_or_else(|err| panic!("{}: {err}", e.type_));
        assert_eq!(u.namespace(), "miot-spec-v2");
        assert_eq!(u.to_string(), e.type_);
        if u.version() != Some(e.version) {
            version_differs.push(e.model.as_str());
        }
        match u.template() {
            None => seven += 1,
            Some(_) => eight += 1,
        }
    }
    assert_eq!((seven, eight), (17_403, 2_350));
    assert_eq!(version_differs, ["miot.plug.custom", "miot.switch.533"]);
    // MS6
    let ms6 = list
        .instances
        .iter()
        .find(|e| e.model == "miot.light.testmo")
        .unwrap();
    assert_eq!(
        ms6.type_,
        "urn:miot-spec-v2:device:light:0000A001:miot-testmo:1:0000C802"
    );
}
