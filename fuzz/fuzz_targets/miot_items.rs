//! The MIoT items carried by miIO messages (`mikit-miio`'s `miot` module): a device reads
//! `PropertyItem::parse_list` (get/set_properties) and `ActionCall::parse` (action); a client
//! reads `PropertyResult::from_value`, `ActionResult::from_value` and the `miIO.info` result
//! (`Info`). Input: one JSON value (`params` or `result`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use mikit_miio::miot::{ActionCall, ActionResult, Info, PropertyItem, PropertyResult};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(v) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    if let Ok(items) = PropertyItem::parse_list(&v) {
        // What a device parsed, it can answer and re-serialise.
        for item in &items {
            let answer = PropertyResult::answer(item, 0, item.value.clone());
            assert_eq!(
                PropertyResult::from_value(&answer.to_value()).ok(),
                Some(answer)
            );
        }
    }
    let _ = PropertyResult::from_value(&v);
    if let Some(list) = v.as_array() {
        for item in list {
            let _ = PropertyResult::from_value(item);
        }
    }
    if let Ok(call) = ActionCall::parse(&v) {
        assert_eq!(ActionCall::parse(&call.to_value()).ok(), Some(call));
    }
    let _ = ActionResult::from_value(&v).to_value();
    if let Ok(info) = serde_json::from_value::<Info>(v) {
        // The token it may carry never shows in Debug.
        let _ = format!("{info:?}");
        let _ = serde_json::to_value(&info);
    }
});
