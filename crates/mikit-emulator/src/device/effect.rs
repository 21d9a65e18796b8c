//! What a simulated device does when it carries out an action whose effect the spec makes
//! clear.
//!
//! A MIoT action carries no machine-readable effect: only its URN names it (reference
//! `miot-spec.md` §4: `urn:<ns>:action:<name>:…`, `name` = lowercase words joined by `-`), and
//! its `in`/`out` lists name the properties of the same service it takes and returns (§5).
//! Real devices of every vendor use a few names whose meaning is unambiguous, decided here from
//! the action's URN name, its `in` list and the service's properties (never from a model):
//!
//! | action name | condition | effect |
//! |---|---|---|
//! | `toggle` | the service has a `bool` property named `on` | `on` flips |
//! | `turn-on`, `on`, `power-on` | same | `on` = `true` |
//! | `turn-off`, `off`, `power-off` | same | `on` = `false` |
//! | `X-increase`, `increase-X`, `X-up` | the service has a numeric property named `X` with a `value-range` or `value-list` | one step up (the range's step, or the next listed value), clamped at the top |
//! | `X-decrease`, `decrease-X`, `X-down` | same | one step down, clamped at the bottom |
//!
//! Only actions without `in` arguments have an implied effect (an action with arguments sets
//! those, see [`super::SimDevice::action`]). Any other action is accepted and changes nothing.

use mikit_miot::{Action, Format, Property, Service};
use serde_json::{Number, Value};

/// The `name` field of a URN (`urn:miot-spec-v2:action:toggle:…` → `toggle`).
fn urn_name(urn: &str) -> Option<&str> {
    urn.split(':').nth(3)
}

/// The property of `service` whose URN name is `name`.
fn named<'a>(service: &'a Service, name: &str) -> Option<&'a Property> {
    service
        .properties()
        .iter()
        .find(|p| urn_name(&p.type_) == Some(name))
}

/// What `action` of `service` changes: `(piid, new value)`, given the current value of a
/// property by piid. `None` when the action has arguments or no clear effect.
pub(crate) fn implied_change(
    service: &Service,
    action: &Action,
    current: impl Fn(u32) -> Option<Value>,
) -> Option<(u32, Value)> {
    if !action.in_.as_slice().is_empty() {
        return None;
    }
    let name = urn_name(&action.type_)?;
    let switch = || named(service, "on").filter(|p| matches!(p.format, Format::Bool));
    match name {
        "toggle" => {
            let on = switch()?;
            let now = current(on.iid).and_then(|v| v.as_bool()).unwrap_or(false);
            return Some((on.iid, Value::Bool(!now)));
        }
        "turn-on" | "on" | "power-on" => return Some((switch()?.iid, Value::Bool(true))),
        "turn-off" | "off" | "power-off" => return Some((switch()?.iid, Value::Bool(false))),
        _ => {}
    }
    let (base, up) = step_target(name)?;
    let p = named(service, base)?;
    let now = current(p.iid)?;
    Some((p.iid, stepped(p, &now, up)?))
}

/// `brightness-increase` / `increase-brightness` / `brightness-up` → `("brightness", true)`.
fn step_target(name: &str) -> Option<(&str, bool)> {
    for (suffix, up) in [
        ("-increase", true),
        ("-up", true),
        ("-decrease", false),
        ("-down", false),
    ] {
        if let Some(base) = name.strip_suffix(suffix) {
            return Some((base, up));
        }
    }
    for (prefix, up) in [("increase-", true), ("decrease-", false)] {
        if let Some(base) = name.strip_prefix(prefix) {
            return Some((base, up));
        }
    }
    None
}

/// The value one step above (`up`) or below `now`, clamped to what the property allows;
/// `None` when the property has no range or list to step through.
fn stepped(p: &Property, now: &Value, up: bool) -> Option<Value> {
    if let Some(list) = p.value_list.as_deref().filter(|l| !l.is_empty()) {
        let now = now.as_f64()?;
        // The position of the current value (or of the first one above it).
        let at = list
            .iter()
            .position(|i| i.value.as_f64().is_some_and(|v| v >= now))
            .unwrap_or(list.len() - 1);
        let next = if up {
            (at + 1).min(list.len() - 1)
        } else {
            at.saturating_sub(1)
        };
        return Some(Value::Number(list[next].value.clone()));
    }
    let range = p.value_range.as_ref()?;
    if let (Some((min, max, step)), Some(_)) = (range.as_i128(), p.format.integer_bounds()) {
        if step <= 0 || max < min {
            return None;
        }
        let now = now
            .as_i64()
            .map(i128::from)
            .or_else(|| now.as_u64().map(i128::from))?;
        // Stay on the grid `min + k·step`: k of the current value, one more or less, clamped
        // to the grid's last point at or below `max`.
        let top = (max - min) / step;
        let k = (now - min).div_euclid(step).clamp(0, top);
        let k = if up { (k + 1).min(top) } else { (k - 1).max(0) };
        let v = min + k * step;
        return i64::try_from(v)
            .map(Number::from)
            .or_else(|_| u64::try_from(v).map(Number::from))
            .ok()
            .map(Value::Number);
    }
    let (min, max, step) = range.as_f64();
    if !(step > 0.0 && min <= max && min.is_finite() && max.is_finite()) {
        return None;
    }
    let now = now.as_f64()?;
    let top = ((max - min) / step + 1e-9).floor();
    let k = ((now - min) / step).round().clamp(0.0, top);
    let k = if up {
        (k + 1.0).min(top)
    } else {
        (k - 1.0).max(0.0)
    };
    // Round away the binary noise of `k·step` (steps are decimal, e.g. 0.1).
    let v = ((min + k * step) * 1e6).round() / 1e6;
    Number::from_f64(v).map(Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mikit_miot::Instance;
    use serde_json::json;
    use std::collections::HashMap;

    /// A light with the action names real specs use (counts in the bundled corpus: `toggle`
    /// 198, `turn-on` 21, `turn-off` 18, `brightness-up`/`-down` 3/4, `ct-increase` 1), a
    /// float range, a value list and a service without an `on` property.
    const SPEC: &str = r#"{"type":"urn:miot-spec-v2:device:light:0000A001:test-l1:1","description":"Light","services":[
      {"iid":2,"type":"urn:miot-spec-v2:service:light:00007802:test-l1:1","description":"Light",
       "properties":[
        {"iid":1,"type":"urn:miot-spec-v2:property:on:00000006:test-l1:1","description":"Switch","format":"bool","access":["read","write"]},
        {"iid":2,"type":"urn:miot-spec-v2:property:brightness:0000000D:test-l1:1","description":"Brightness","format":"uint8","access":["read","write"],"value-range":[1,100,10]},
        {"iid":3,"type":"urn:miot-spec-v2:property:target-temperature:00000021:test-l1:1","description":"T","format":"float","access":["read","write"],"value-range":[16,30,0.1]},
        {"iid":4,"type":"urn:miot-spec-v2:property:fan-level:00000016:test-l1:1","description":"Fan","format":"uint8","access":["read","write"],"value-list":[{"value":1,"description":"Low"},{"value":3,"description":"Mid"},{"value":5,"description":"High"}]},
        {"iid":5,"type":"urn:miot-spec-v2:property:mode:00000008:test-l1:1","description":"Mode","format":"string","access":["read","write"]}],
       "actions":[
        {"iid":1,"type":"urn:miot-spec-v2:action:toggle:00002811:test-l1:1","description":"Toggle","in":[],"out":[]},
        {"iid":2,"type":"urn:miot-spec-v2:action:turn-on:00002812:test-l1:1","description":"On","in":[],"out":[]},
        {"iid":3,"type":"urn:miot-spec-v2:action:turn-off:00002813:test-l1:1","description":"Off","in":[],"out":[]},
        {"iid":4,"type":"urn:miot-spec-v2:action:brightness-up:00002814:test-l1:1","description":"Up","in":[],"out":[]},
        {"iid":5,"type":"urn:miot-spec-v2:action:brightness-decrease:00002815:test-l1:1","description":"Down","in":[],"out":[]},
        {"iid":6,"type":"urn:miot-spec-v2:action:increase-target-temperature:00002816:test-l1:1","description":"T+","in":[],"out":[]},
        {"iid":7,"type":"urn:miot-spec-v2:action:fan-level-down:00002817:test-l1:1","description":"F-","in":[],"out":[]},
        {"iid":8,"type":"urn:miot-spec-v2:action:toggle:00002811:test-l1:1","description":"Toggle with in","in":[1],"out":[]},
        {"iid":9,"type":"urn:miot-spec-v2:action:mode-up:00002818:test-l1:1","description":"string","in":[],"out":[]},
        {"iid":10,"type":"urn:miot-spec-v2:action:reset-filter-life:00002819:test-l1:1","description":"other","in":[],"out":[]}]},
      {"iid":3,"type":"urn:miot-spec-v2:service:ir-tv-control:0000780A:test-l1:1","description":"IR",
       "actions":[{"iid":1,"type":"urn:miot-spec-v2:action:turn-on:00002812:test-l1:1","description":"On","in":[],"out":[]},
                  {"iid":2,"type":"urn:miot-spec-v2:action:volume-up:0000281A:test-l1:1","description":"V+","in":[],"out":[]}]}]}"#;

    fn change(state: &HashMap<u32, Value>, siid: u32, aiid: u32) -> Option<(u32, Value)> {
        let spec = Instance::from_json(SPEC).unwrap();
        let s = spec.service(siid).unwrap();
        implied_change(s, s.action(aiid).unwrap(), |piid| state.get(&piid).cloned())
    }

    #[test]
    fn switches() {
        let mut st = HashMap::from([(1, json!(false))]);
        assert_eq!(change(&st, 2, 1), Some((1, json!(true))), "toggle flips");
        st.insert(1, json!(true));
        assert_eq!(change(&st, 2, 1), Some((1, json!(false))));
        assert_eq!(change(&st, 2, 2), Some((1, json!(true))), "turn-on");
        assert_eq!(change(&st, 2, 3), Some((1, json!(false))), "turn-off");
        assert_eq!(
            change(&st, 2, 8),
            None,
            "an action with in sets its arguments"
        );
        assert_eq!(change(&st, 3, 1), None, "no `on` in the service");
    }

    #[test]
    fn steps_are_clamped_and_stay_on_the_grid() {
        let mut st = HashMap::from([(2, json!(1)), (3, json!(16)), (4, json!(3))]);
        assert_eq!(change(&st, 2, 4), Some((2, json!(11))), "+ step 10");
        assert_eq!(change(&st, 2, 5), Some((2, json!(1))), "clamped at min");
        st.insert(2, json!(91));
        assert_eq!(
            change(&st, 2, 4),
            Some((2, json!(91))),
            "91 is the last grid point ≤ 100"
        );
        assert_eq!(change(&st, 2, 6), Some((3, json!(16.1))), "float step 0.1");
        st.insert(3, json!(30.0));
        assert_eq!(change(&st, 2, 6), Some((3, json!(30.0))), "clamped at max");
        assert_eq!(
            change(&st, 2, 7),
            Some((4, json!(1))),
            "previous listed value"
        );
        st.insert(4, json!(1));
        assert_eq!(
            change(&st, 2, 7),
            Some((4, json!(1))),
            "clamped at the first"
        );
        assert_eq!(change(&st, 2, 9), None, "a string has no step");
        assert_eq!(change(&st, 2, 10), None, "other actions change nothing");
        assert_eq!(change(&st, 3, 2), None, "no volume property");
    }

    #[test]
    fn names() {
        assert_eq!(step_target("brightness-up"), Some(("brightness", true)));
        assert_eq!(step_target("ct-decrease"), Some(("ct", false)));
        assert_eq!(step_target("increase-volume"), Some(("volume", true)));
        assert_eq!(step_target("toggle"), None);
    }
}
