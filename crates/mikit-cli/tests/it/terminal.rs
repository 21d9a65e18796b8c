//! Strings from servers and devices cannot drive the terminal (issue 9, point 11): a spec
//! served with an OSC title change, a screen clear, a C1 CSI and a bidi override in its model
//! and descriptions shows them as visible escapes in text output, and unchanged in `--json`.

use serde_json::{Value, json};

use crate::harness::{TempDir, emulator, mikit, run, text};

const URN: &str = "urn:miot-spec-v2:device:light:0000A001:evil-x1:1";
const TITLE: &str = "\u{1b}]0;pwned\u{7}";
const CLEAR: &str = "\u{1b}[2J";

/// True when `s` holds a character a terminal would act on.
fn has_controls(s: &str) -> bool {
    s.chars()
        .any(|c| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c))
}

fn hostile_spec() -> Value {
    json!({
        "type": URN,
        "description": format!("Evil Lamp{TITLE}"),
        "services": [{
            "iid": 1,
            "type": "urn:miot-spec-v2:service:light:00007802:evil-x1:1",
            "description": format!("Light{CLEAR}"),
            "properties": [{
                "iid": 1,
                "type": "urn:miot-spec-v2:property:mode:00000008:evil-x1:1",
                "description": "Mode \u{202e}edoM",
                "format": "uint8",
                "access": ["read", "write"],
                "value-list": [{"value": 0, "description": "Day\u{9b}31m"}]
            }]
        }]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_spec_strings_are_escaped_in_text_and_intact_in_json() {
    let dir = TempDir::new("term-spec");
    let specs = dir.path().join("specs");
    std::fs::create_dir_all(specs.join("devices")).unwrap();
    let spec = hostile_spec();
    std::fs::write(
        specs
            .join("devices")
            .join(mikit_emulator::corpus::file_name_of_urn(URN)),
        serde_json::to_vec(&spec).unwrap(),
    )
    .unwrap();
    let model = format!("evil.light.x1{CLEAR}");
    std::fs::write(
        specs.join("instances.json"),
        serde_json::to_vec(&json!({"instances": [
            {"status": "released", "model": model, "version": 1, "type": URN}
        ]}))
        .unwrap(),
    )
    .unwrap();
    let emu = emulator(1, |c| c.spec_dir = Some(specs.clone())).await;

    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["spec", "show", URN]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        !has_controls(&out),
        "raw control characters reached the terminal: {out:?}"
    );
    for shown in [
        "Evil Lamp\\u001b]0;pwned\\u0007",
        "Light\\u001b[2J",
        "Mode \\u202eedoM",
        "Day\\u009b31m",
    ] {
        assert!(out.contains(shown), "{shown} not in {out}");
    }

    // A table: the model column of `spec search`.
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["spec", "search", "evil"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(!has_controls(&out), "{out:?}");
    assert!(out.contains("evil.light.x1\\u001b[2J"), "{out}");

    // --json: the same strings, exactly (decoded from JSON escapes).
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["--json", "spec", "show", URN]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(!has_controls(&out), "{out:?}");
    let got: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(got, spec);
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["--json", "spec", "search", "evil"]);
    let o = run(c, None).await;
    let hit: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(hit["model"], model.as_str(), "{}", text(&o));
}
