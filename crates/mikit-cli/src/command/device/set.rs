//! `mikit device set DEV PROP=VALUE...`: write properties, each value checked against the spec
//! before anything is sent.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use mikit_miot::item::PropWrite;
use serde_json::{Value, json};

use super::profile::{Profile, Target, prepare};
use super::reading::{self, Reading, device_json};
use crate::context::Ctx;

/// Arguments of `mikit device set`.
#[derive(Debug, Args)]
pub struct Cmd {
    #[command(flatten)]
    pub target: Target,
    /// `PROP=VALUE` pairs. PROP as for `get`; VALUE as text: `on`/`off`, a number within the
    /// property's range and step, or a value-list entry by number or description (`Sleep`).
    #[arg(value_name = "PROP=VALUE", required = true)]
    pub assignments: Vec<String>,
}

/// `PROP=VALUE` → (siid, piid, coerced value), or why it cannot be sent.
pub fn parse_assignment(profile: &Profile, text: &str) -> anyhow::Result<(u32, u32, Value)> {
    let (prop, value) = text
        .split_once('=')
        .with_context(|| format!("{text:?} is not PROP=VALUE"))?;
    let (siid, piid, p) = profile.property(prop.trim())?;
    let name =
        (profile.name_of_given(prop.trim())).unwrap_or_else(|| profile.property_name(siid, piid));
    p.require_writable(&name)?;
    let value = p
        .coerce_text(value.trim())
        .with_context(|| format!("{name} cannot be set to {:?}", value.trim()))?;
    Ok((siid, piid, value))
}

/// Run `mikit device set`.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let mut prepared = prepare(ctx, &cmd.target).await?;
    // Every value is checked before the first byte goes to the device.
    let writes: Vec<(u32, u32, Value)> = cmd
        .assignments
        .iter()
        .map(|a| parse_assignment(&prepared.profile, a))
        .collect::<anyhow::Result<_>>()?;
    let mut link = prepared.link(ctx, &cmd.target).await?;
    let items = link
        .set(
            &writes
                .iter()
                .cloned()
                .map(PropWrite::from)
                .collect::<Vec<_>>(),
        )
        .await;
    link.finish();
    let items = items?;
    let ids: Vec<(u32, u32)> = writes.iter().map(|(s, p, _)| (*s, *p)).collect();
    let profile = &prepared.profile;
    let readings: Vec<Reading> = reading::readings(profile, &ids, &items)
        .into_iter()
        .zip(writes.iter().zip(&cmd.assignments))
        .map(|(mut r, ((_, _, v), assignment))| {
            r.value = Some(v.clone());
            // The name of the definition written (a spec may repeat a piid, issue 9).
            if let Some(name) = (assignment.split_once('='))
                .and_then(|(prop, _)| profile.name_of_given(prop.trim()))
            {
                r.name = name;
            }
            r
        })
        .collect();
    if ctx.out.json {
        ctx.out.json_line(&json!({
            "device": device_json(&prepared.device, link.kind()),
            "properties": readings.iter().map(|r| r.to_json(profile)).collect::<Vec<_>>(),
        }))?;
    } else {
        for r in &readings {
            let value = r.value_text(profile).unwrap_or_default();
            let line = match r.error_text() {
                None => format!("{} = {value}: ok", r.name),
                Some(e) => format!("{} = {value}: {e}", r.name),
            };
            ctx.out.line(&line)?;
        }
    }
    super::items_failed(&readings)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    // A small fan spec in the shape of reference miot-spec.md §3: a switch, a ranged, a
    // listed and a read-only property.
    const SPEC: &str = r#"{"type":"urn:miot-spec-v2:device:fan:0000A005:acme-f1:1","description":"Fan",
      "services":[{"iid":2,"type":"urn:miot-spec-v2:service:fan:00007808:acme-f1:1","description":"Fan",
        "properties":[
          {"iid":1,"type":"urn:miot-spec-v2:property:on:00000006:acme-f1:1","description":"Switch Status","format":"bool","access":["read","write","notify"]},
          {"iid":2,"type":"urn:miot-spec-v2:property:fan-level:00000016:acme-f1:1","description":"Fan Level","format":"uint8","access":["read","write"],"value-range":[1,100,1]},
          {"iid":3,"type":"urn:miot-spec-v2:property:mode:00000008:acme-f1:1","description":"Mode","format":"uint8","access":["read","write"],"value-list":[{"value":1,"description":"Straight Wind"},{"value":2,"description":"Natural Wind"}]},
          {"iid":4,"type":"urn:miot-spec-v2:property:fault:00000009:acme-f1:1","description":"Fault","format":"uint8","access":["read"],"value-list":[{"value":0,"description":"No Faults"}]}
        ]}]}"#;

    fn profile() -> Profile {
        let spec = mikit_miot::Instance::from_json(SPEC).unwrap();
        Profile::new("urn:test".into(), spec)
    }

    #[test]
    fn assignments_are_checked_against_the_spec() {
        let p = profile();
        assert_eq!(
            parse_assignment(&p, "fan.on=off").unwrap(),
            (2, 1, json!(false))
        );
        assert_eq!(parse_assignment(&p, "2.2 = 42").unwrap(), (2, 2, json!(42)));
        assert_eq!(
            parse_assignment(&p, "fan.mode=natural wind").unwrap(),
            (2, 3, json!(2))
        );
        let err = |t: &str| format!("{:#}", parse_assignment(&p, t).unwrap_err());
        assert!(
            err("fan.fan-level=101").contains("allowed 1..=100"),
            "{}",
            err("fan.fan-level=101")
        );
        assert!(err("fan.mode=turbo").contains("1 (Straight Wind), 2 (Natural Wind)"));
        assert!(err("fan.fault=0").contains("not writable"));
        assert!(err("fan.fan-levle=3").contains("did you mean \"fan.fan-level\""));
        assert!(err("fan.on").contains("not PROP=VALUE"));
    }
}
