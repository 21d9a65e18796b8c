//! How device answers look on the terminal and in `--json`.

use mikit_app::device::{Device, Prepared, Profile, Reading};
use serde_json::{Value, json};

use crate::context::Ctx;

/// Print readings as aligned `name = value` lines (errors as `name: error …`).
pub fn print_lines(ctx: &Ctx, profile: &Profile, readings: &[Reading]) -> std::io::Result<()> {
    let width = readings
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(0);
    for r in readings {
        let line = match (r.error_text(), r.value_text(profile)) {
            (Some(e), _) => format!("{:<width$}   {e}", r.name),
            (None, Some(v)) => format!("{:<width$} = {v}", r.name),
            (None, None) => format!("{:<width$}   ok", r.name),
        };
        ctx.out.line(&line)?;
    }
    Ok(())
}

/// Print written values as `name = value: ok` (or the device's error).
pub fn print_writes(ctx: &Ctx, profile: &Profile, readings: &[Reading]) -> std::io::Result<()> {
    for r in readings {
        let value = r.value_text(profile).unwrap_or_default();
        let line = match r.error_text() {
            None => format!("{} = {value}: ok", r.name),
            Some(e) => format!("{} = {value}: {e}", r.name),
        };
        ctx.out.line(&line)?;
    }
    Ok(())
}

/// The `device` part of a JSON answer.
pub fn device_json(device: &Device, via: &str) -> Value {
    json!({
        "name": device.name,
        "did": device.did,
        "model": device.model,
        "via": via,
    })
}

/// `{"device": …, "properties": […]}`.
pub fn properties_json(
    device: &Device,
    via: &str,
    profile: &Profile,
    readings: &[Reading],
) -> Value {
    json!({
        "device": device_json(device, via),
        "properties": readings.iter().map(|r| r.to_json(profile)).collect::<Vec<_>>(),
    })
}

/// The answer to a read or a write: JSON with `--json`, else the lines `print` makes.
pub fn answer(
    ctx: &Ctx,
    prepared: &Prepared,
    via: &str,
    readings: &[Reading],
    print: fn(&Ctx, &Profile, &[Reading]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    if ctx.out.json {
        ctx.out.json_line(&properties_json(
            &prepared.device,
            via,
            &prepared.profile,
            readings,
        ))
    } else {
        print(ctx, &prepared.profile, readings)
    }
}

/// A device's status: `Name (model, via lan):` then its readings (JSON with `--json`).
pub fn status(
    ctx: &Ctx,
    prepared: &Prepared,
    via: &str,
    readings: &[Reading],
) -> std::io::Result<()> {
    let (profile, device) = (&prepared.profile, &prepared.device);
    if ctx.out.json {
        return ctx
            .out
            .json_line(&properties_json(device, via, profile, readings));
    }
    ctx.out.line(&format!(
        "{} ({}, via {via}):",
        device.name,
        device.model.as_deref().unwrap_or("?"),
    ))?;
    print_lines(ctx, profile, readings)
}
