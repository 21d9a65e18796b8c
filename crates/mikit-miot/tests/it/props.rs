//! Property tests: URN round trip, value coercion laws, no panic on arbitrary input.

use mikit_miot::{Instance, InstanceList, LangKey, Names, Property, Translations, Urn};
use proptest::prelude::*;
use serde_json::{Value, json};

fn word() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,7}(-[a-z0-9]{1,6}){0,2}"
}

fn urn_text() -> impl Strategy<Value = String> {
    let kind = prop::sample::select(vec![
        "device",
        "service",
        "property",
        "action",
        "event",
        "template",
        "device-template",
    ]);
    (
        prop_oneof![
            Just("miot-spec-v2".to_owned()),
            Just("bluetooth-spec".to_owned()),
            word().prop_map(|w| format!("{w}-spec"))
        ],
        kind,
        word(),
        "[0-9A-F]{8}",
        prop::option::of((
            word(),
            0u32..100_000,
            prop::option::of("[0-9A-F]{8}"),
            prop::collection::vec("[A-Za-z0-9]{1,5}", 0..3),
        )),
    )
        .prop_map(|(ns, kind, name, value, inst)| {
            let mut s = format!("urn:{ns}:{kind}:{name}:{value}");
            if let Some((vp, ver, tpl, extra)) = inst {
                s.push_str(&format!(":{vp}:{ver}"));
                if let Some(t) = tpl {
                    s.push(':');
                    s.push_str(&t);
                    for e in extra {
                        s.push(':');
                        s.push_str(&e);
                    }
                }
            }
            s
        })
}

fn ranged(format: &str, min: Value, max: Value, step: Value) -> Property {
    Property::from_json(
        &json!({"iid":1,"type":"urn:miot-spec-v2:property:p:00000001:t-t:1","description":"p",
                "format":format,"access":["read","write"],"value-range":[min,max,step]})
        .to_string(),
    )
    .unwrap()
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|i| json!(i)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        prop::sample::select(vec![
            "iid",
            "type",
            "description",
            "format",
            "access",
            "read",
            "uint8",
            "hex",
            "services",
            "properties",
            "value-range",
            "value-list",
            "in",
            "out",
            "arguments",
            "instances",
            "data",
            "service:002",
            "urn:miot-spec-v2:device:x:0000A001:a-b:1",
        ])
        .prop_map(|s| Value::String(s.to_owned())),
        ".{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let keys = prop::sample::select(vec![
            "iid",
            "type",
            "description",
            "format",
            "access",
            "unit",
            "services",
            "properties",
            "actions",
            "events",
            "value-range",
            "value-list",
            "value",
            "in",
            "out",
            "arguments",
            "instances",
            "model",
            "version",
            "status",
            "data",
            "en",
            "service:001",
            "x",
        ]);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((keys, inner), 0..8).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    })
}

const SKYRC: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/miot-spec/devices/urn.miot-spec-v2.device.pet-feeder.0000A06C.skyrc-fed.1.json"
));

proptest! {
    #[test]
    fn urn_parse_print_round_trip(s in urn_text()) {
        let u = Urn::parse(&s).unwrap();
        prop_assert_eq!(u.to_string(), s.clone());
        let again: Urn = u.to_string().parse().unwrap();
        prop_assert_eq!(&again, &u);
        let fields: Vec<&str> = s.split(':').collect();
        prop_assert_eq!(u.namespace(), fields[1]);
        prop_assert_eq!(u.kind().as_str(), fields[2]);
        prop_assert_eq!(u.name(), fields[3]);
        prop_assert_eq!(u.value(), fields[4]);
        prop_assert_eq!(u.vendor_product(), fields.get(5).copied());
        prop_assert_eq!(u.version().map(|v| v.to_string()), fields.get(6).map(|v| (*v).to_owned()));
        prop_assert_eq!(u.template(), fields.get(7).copied());
        prop_assert_eq!(u.extra_fields().count(), fields.len().saturating_sub(8));
    }

    #[test]
    fn urn_parse_never_panics(s in ".{0,80}", t in "(urn:)?[a-z:0-9-]{0,40}") {
        let _ = Urn::parse(&s);
        if let Ok(u) = Urn::parse(&t) {
            prop_assert_eq!(u.to_string(), t);
        }
    }

    #[test]
    fn integer_in_range_on_step_validates(min in -10_000i64..10_000, step in 1i64..50, n in 0i64..200, k in 0i64..200) {
        let k = k.min(n);
        let max = min + step * n;
        let p = ranged("int32", json!(min), json!(max), json!(step));
        let v = min + step * k;
        prop_assert_eq!(p.coerce_text(&v.to_string()).unwrap(), json!(v));
        prop_assert!(p.validate(&json!(v)).is_ok());
    }

    #[test]
    fn integer_outside_never_validates(min in -10_000i64..10_000, step in 1i64..50, n in 0i64..200, off in 1i64..1000) {
        let max = min + step * n;
        let p = ranged("int32", json!(min), json!(max), json!(step));
        prop_assert!(p.validate(&json!(max + off)).is_err());
        prop_assert!(p.validate(&json!(min - off)).is_err());
        if step > 1 && n > 0 {
            // Strictly between two steps.
            let between = min + (off % (step - 1)) + 1;
            let on_step = matches!(p.validate(&json!(between)), Err(mikit_miot::Error::NotOnStep { .. }));
            prop_assert!(on_step, "{} accepted", between);
        }
    }

    #[test]
    fn float_in_range_on_step_validates(min10 in -1000i64..1000, step_i in 0usize..4, n in 0i64..300, k in 0i64..300, off in 1i64..100) {
        let step = [0.1, 0.5, 1.0, 2.5][step_i];
        let min = min10 as f64 / 10.0;
        let max = min + step * n as f64;
        let p = ranged("float", json!(min), json!(max), json!(step));
        let v = min + step * k.min(n) as f64;
        prop_assert!(p.coerce_text(&v.to_string()).is_ok(), "{} in {}..{} step {}", v, min, max, step);
        let above = max + step * off as f64;
        prop_assert!(p.validate(&json!(above)).is_err());
        let below = min - step * off as f64;
        prop_assert!(p.validate(&json!(below)).is_err());
    }

    #[test]
    fn value_list_coercion_then_display_round_trips(
        descs in prop::collection::btree_set("[A-Z][a-z]{2,8}( [A-Z][a-z]{1,6})?", 1..8),
        base in 0u32..200,
        pick in any::<prop::sample::Index>(),
    ) {
        let descs: Vec<String> = descs.into_iter().collect();
        // Keep descriptions unique after normalisation too (spaces/case ignored).
        let mut seen = std::collections::HashSet::new();
        let descs: Vec<String> = descs.into_iter().filter(|d| seen.insert(d.replace(' ', "").to_lowercase())).collect();
        let list: Vec<Value> = descs.iter().enumerate()
            .map(|(i, d)| json!({"value": base + 2 * i as u32, "description": d}))
            .collect();
        let p = Property::from_json(&json!({"iid":1,"type":"t","description":"d","format":"uint16",
            "access":["read","write"],"value-list":list}).to_string()).unwrap();
        let i = pick.index(descs.len());
        let d = &descs[i];
        let v = p.coerce_text(d).unwrap();
        prop_assert_eq!(&v, &json!(base + 2 * i as u32));
        prop_assert_eq!(p.decode(&v).to_string(), d.clone());
        prop_assert_eq!(p.coerce_text(&d.to_uppercase()).unwrap(), v.clone());
        prop_assert_eq!(p.coerce_text(&v.to_string()).unwrap(), v.clone());
        // A value between two listed ones is never accepted.
        prop_assert!(p.validate(&json!(base + 2 * i as u32 + 1)).is_err());
    }

    #[test]
    fn spec_parsers_never_panic_on_arbitrary_json(v in arb_json()) {
        let text = v.to_string();
        if let Ok(spec) = Instance::from_json(&text) {
            // Whatever parses also round-trips and can be named.
            prop_assert_eq!(spec.to_value(), v.clone());
            let _ = Names::new(&spec);
        }
        let _ = Property::from_json(&text);
        let _ = InstanceList::from_json(&text);
        let _ = Translations::from_json(&text);
    }

    #[test]
    fn spec_parser_never_panics_on_damaged_specs(cut in 0usize..2700, pos in 0usize..2700, byte in any::<u8>()) {
        let mut bytes = SKYRC.as_bytes().to_vec();
        if let Some(b) = bytes.get_mut(pos) {
            *b = byte;
        }
        bytes.truncate(cut);
        let _ = Instance::from_slice(&bytes);
        let _ = Instance::from_slice(&SKYRC.as_bytes()[..cut.min(SKYRC.len())]);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = Instance::from_slice(&bytes);
        let _ = InstanceList::from_slice(&bytes);
    }

    #[test]
    fn coercion_never_panics(text in ".{0,24}", fmt in prop::sample::select(vec!["bool","uint8","int64","float","string","hex","odd"])) {
        let p = ranged(fmt, json!(-5), json!(250), json!(5));
        let _ = p.coerce_text(&text);
        let _ = p.coerce_json(&Value::String(text.clone()));
        let _ = p.decode(&Value::String(text));
    }

    #[test]
    fn lang_key_round_trip(s in 0u32..5000, p in 0u32..5000, v in 0u32..5000, which in 0u8..5) {
        let k = match which {
            0 => LangKey::Service(s),
            1 => LangKey::Property(s, p),
            2 => LangKey::ValueList(s, p, v),
            3 => LangKey::Action(s, p),
            _ => LangKey::Event(s, p),
        };
        prop_assert_eq!(k.to_string().parse::<LangKey>().unwrap(), k);
    }
}
