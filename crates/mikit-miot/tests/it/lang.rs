//! Translations by the multiLanguage key grammar (`reference/miot-spec.md` §2.1) on a
//! synthetic payload for the real skyrc-fed spec (tests/data/PROVENANCE.md).

use mikit_miot::{Instance, LangKey, Translations};

use crate::{corpus_file, test_data_dir};

#[test]
fn lookup_by_key_grammar_and_value_index() {
    let text = std::fs::read_to_string(
        test_data_dir()
            .join("multilang/urn.miot-spec-v2.device.pet-feeder.0000A06C.skyrc-fed.1.json"),
    )
    .unwrap();
    let t = Translations::from_json(&text).unwrap();
    assert_eq!(t.languages().collect::<Vec<_>>(), ["de", "en"]);
    assert_eq!(t.skipped(), 0);
    assert_eq!(t.service("de", 2), Some("Futterautomat"));
    assert_eq!(t.property("en", 2, 1), Some("Device Fault"));
    assert_eq!(t.action("de", 2, 1), Some("Futter ausgeben"));
    assert_eq!(t.event("en", 3, 1), Some("Food Dispensed"));
    assert_eq!(
        t.get("de", LangKey::Property(3, 1021)),
        Some("Vierstellige Kennung")
    );
    assert_eq!(t.property("fr", 2, 1), None);
    // "de" lacks 2.2, so the fallback chain reaches "en".
    assert_eq!(
        t.get_first(&["fr", "de", "en"], LangKey::Property(2, 2)),
        Some("Feeding Measure")
    );

    // value-list keys are by index: value 4 is the 4th entry (index 3) of 2.1's list.
    let spec = Instance::from_json(&corpus_file(
        "devices/urn.miot-spec-v2.device.pet-feeder.0000A06C.skyrc-fed.1.json",
    ))
    .unwrap();
    let fault = spec.property(2, 1).unwrap();
    let four = serde_json::Number::from(4);
    assert_eq!(t.value_label("en", 2, fault, &four), Some("Food Blocked"));
    assert_eq!(
        t.value_label("de", 2, fault, &serde_json::Number::from(2)),
        Some("Kein Futter")
    );
    // A value not in the list has no label.
    assert_eq!(
        t.value_label("en", 2, fault, &serde_json::Number::from(3)),
        None
    );
}
