//! The spec service's other answers: translations (`/instance/v2/multiLanguage`), the
//! instance list (`/miot-spec-v2/instances`) with model selection, and the standard type
//! catalog and definitions. Input: one answer body, tried as each.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mikit_miot::{InstanceList, LangKey, Rule, Translations, TypeCatalog, TypeDefinition};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(t) = Translations::from_json(&text) {
        let langs: Vec<String> = t.languages().map(str::to_owned).collect();
        let _ = (t.is_empty(), t.skipped());
        for lang in &langs {
            let _ = t.get(lang, LangKey::Service(2));
            let _ = t.property(lang, 2, 1);
            let _ = t.action(lang, 2, 1);
            let _ = t.event(lang, 2, 1);
        }
        let _ = t.get_first(&["zh_cn", "en"], LangKey::ValueList(2, 1, 0));
    }
    let _ = text.parse::<LangKey>();
    if let Ok(list) = InstanceList::from_slice(data) {
        let _ = list.to_value();
        let index = list.index();
        for entry in &list.instances {
            let model = entry.model.clone();
            for rule in [Rule::PreferReleased, Rule::ReleasedOnly] {
                let _ = index.select_with(&model, rule);
                let _ = list.select_with(&model, rule);
            }
        }
    }
    if let Ok(catalog) = TypeCatalog::from_json(&text) {
        let _ = format!("{catalog:?}");
    }
    if let Ok(def) = TypeDefinition::from_json(&text) {
        let _ = def.description();
        let _ = def.urns("required-properties");
    }
});
