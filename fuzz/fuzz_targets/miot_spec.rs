//! MIoT instance specs (`/miot-spec-v2/instance?type=…`): the typed parser, then everything
//! mikit does with a parsed spec: its problems (`spec validate`), the name table and name
//! resolution, value decoding and validation of each property, action argument checks, and
//! serialising it back. Input: a spec file; seeds are real specs.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mikit_miot::{Instance, Member, Names, Property};
use serde_json::{Value, json};

/// Values a device or a user may send for any property.
fn probes() -> [Value; 8] {
    [
        json!(true),
        json!(0),
        json!(1),
        json!(-1),
        json!(1.5),
        json!(u64::MAX),
        json!("on"),
        Value::Null,
    ]
}

fn property(p: &Property) {
    let _ = (
        p.is_readable(),
        p.is_writable(),
        p.source(),
        p.allowed_values(),
    );
    for v in probes() {
        let _ = p.decode(&v).to_string();
        let _ = p.validate(&v);
        let _ = p.coerce_json(&v);
    }
    for text in ["1", "-1", "0.5", "true", "off", "low", "", "1e309"] {
        let _ = p.coerce_text(text);
    }
    let _ = p.require_readable("p");
    let _ = p.require_writable("p");
}

fuzz_target!(|data: &[u8]| {
    let _ = Property::from_json(&String::from_utf8_lossy(data));
    let Ok(spec) = Instance::from_slice(data) else {
        return;
    };
    for problem in spec.problems() {
        let _ = problem.to_string();
    }
    let _ = spec.urn();
    let _ = spec.to_value();
    let names = Names::new(&spec);
    for member in [Member::Property, Member::Action, Member::Event] {
        for (siid, iid, name) in names.all(member) {
            let _ = names.resolve(member, &name);
            let _ = names.name_of(member, siid, iid);
        }
    }
    let _ = names.resolve_property("1.1");
    let _ = names.resolve_service("1");
    for service in &spec.services {
        let _ = names.service_name(service.iid);
        for p in service.properties() {
            property(p);
        }
        for a in service.actions() {
            let _ = service.coerce_action_in(a.iid, &["1", "on"]);
            let _ = service.validate_action_in(a.iid, &probes()[..2]);
            let _ = service.validate_action_in(a.iid, &[]);
        }
    }
});
