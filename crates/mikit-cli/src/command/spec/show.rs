//! `mikit spec show MODEL|URN [--lang L]`

use std::process::ExitCode;

use clap::Args;
use mikit_miot::{Instance, Location, Member, Names, Property, Service, Translations};

use super::source;
use crate::context::Ctx;

/// Arguments of `mikit spec show`.
#[derive(Debug, Args)]
pub struct Cmd {
    /// A device model (`zhimi.airpurifier.ma4`) or a full device URN
    /// (`urn:miot-spec-v2:device:air-purifier:0000A007:zhimi-ma4:2`).
    #[arg(value_name = "MODEL|URN")]
    pub target: String,
    /// Show descriptions in this language (`en`, `zh_cn`, `de`, …) where the spec service
    /// has a translation; the spec's own text is used elsewhere.
    #[arg(long, value_name = "L")]
    pub lang: Option<String>,
    /// Never ask the spec service: use only what is cached, even if it is old.
    #[arg(long)]
    pub offline: bool,
}

/// Run `mikit spec show`.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let mut source = source::open(ctx, cmd.offline)?;
    let (model, urn) = source.resolve(&cmd.target).await?;
    let body = source.spec(&urn).await?;
    if ctx.out.json {
        // The spec exactly as served (it is one JSON document; keep it on one line).
        let text = String::from_utf8_lossy(&body);
        ctx.out.line(text.trim_end())?;
        return Ok(ExitCode::SUCCESS);
    }
    let spec = Instance::from_slice(&body)?;
    let translations = match &cmd.lang {
        Some(lang) => {
            let u = urn.clone();
            let bytes = source
                .document(&format!("lang:{urn}"), "translations", move |c| {
                    let u = u.clone();
                    async move { c.translations_bytes(&u).await }
                })
                .await?;
            let t = Translations::from_json(&String::from_utf8_lossy(&bytes))?;
            if !t.languages().any(|l| l == lang) {
                crate::output::stderr_line(&format!(
                    "note: no {lang} translation for this spec (available: {})",
                    list_or_none(t.languages())
                ));
            }
            Some((lang.clone(), t))
        }
        None => None,
    };
    for line in render(
        &spec,
        model.as_deref(),
        translations.as_ref().map(|(l, t)| (l.as_str(), t)),
    ) {
        ctx.out.line(&line)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn list_or_none<'a>(mut it: impl Iterator<Item = &'a str>) -> String {
    let first = it.next();
    match first {
        None => "none".to_owned(),
        Some(f) => std::iter::once(f).chain(it).collect::<Vec<_>>().join(", "),
    }
}

/// At most this many value-list entries are printed per property.
const MAX_VALUES: usize = 8;

/// `format`, access, range or values, unit of a property.
fn describe_values(p: &Property, label: impl Fn(usize, &str) -> String) -> String {
    let unit = p.unit.as_ref().and_then(|u| u.symbol()).unwrap_or("");
    let mut out = String::new();
    if let Some(r) = &p.value_range {
        out.push_str(&format!("{}..{} step {}", r.min, r.max, r.step));
        if !unit.is_empty() {
            out.push(' ');
            out.push_str(unit);
        }
    } else if let Some(list) = &p.value_list {
        let shown: Vec<String> = list
            .iter()
            .take(MAX_VALUES)
            .enumerate()
            .map(|(i, v)| format!("{}={}", v.value, label(i, &v.label())))
            .collect();
        out.push_str(&shown.join(" "));
        if list.len() > MAX_VALUES {
            out.push_str(&format!(" … (+{} more)", list.len() - MAX_VALUES));
        }
    } else if !unit.is_empty() {
        out.push_str(unit);
    }
    out
}

fn access_text(p: &Property) -> String {
    if p.access.is_empty() {
        return "-".to_owned();
    }
    let words: Vec<&str> = p.access.iter().collect();
    words.join(",")
}

fn piid_names(names: &Names, s: &Service, piids: &[u32]) -> String {
    if piids.is_empty() {
        return "-".to_owned();
    }
    piids
        .iter()
        .map(|p| match names.name_of(Member::Property, s.iid, *p) {
            Some(n) => n.rsplit_once('.').map_or(n.clone(), |(_, m)| m.to_owned()),
            None => format!("?{p}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Pad the columns of `rows` (all but the last column) and indent them.
fn columns(rows: &[Vec<String>], indent: &str) -> Vec<String> {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; n];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    rows.iter()
        .map(|r| {
            let mut line = String::from(indent);
            for (i, c) in r.iter().enumerate() {
                if i + 1 == r.len() {
                    line.push_str(c);
                } else {
                    let pad = widths[i] - c.chars().count();
                    line.push_str(c);
                    line.push_str(&" ".repeat(pad + 2));
                }
            }
            line.trim_end().to_owned()
        })
        .collect()
}

/// The readable tree of a spec.
pub fn render(
    spec: &Instance,
    model: Option<&str>,
    lang: Option<(&str, &Translations)>,
) -> Vec<String> {
    use mikit_miot::LangKey;
    let names = Names::new(spec);
    let text = |key: LangKey, own: &str| -> String {
        lang.and_then(|(l, t)| t.get(l, key))
            .map_or_else(|| own.to_owned(), str::to_owned)
    };
    let mut out = Vec::new();
    let title = match model {
        Some(m) => format!("{m}: {}", spec.description),
        None => spec.description.clone(),
    };
    out.push(title);
    out.push(spec.type_.clone());
    for (si, s) in spec.services.iter().enumerate() {
        out.push(String::new());
        // By position: a spec may repeat a siid or piid (issue 9); each definition keeps its name.
        let sname = names.service_name_at(si).unwrap_or("?");
        let at = |index: usize, iid: u32| Location {
            siid: s.iid,
            iid,
            service: si,
            index,
        };
        out.push(format!(
            "{} {sname}: {}",
            s.iid,
            text(LangKey::Service(s.iid), &s.description)
        ));
        let props = s.properties();
        if !props.is_empty() {
            out.push("  properties".to_owned());
            let rows: Vec<Vec<String>> = props
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let short = member_name(&names, Member::Property, &at(i, p.iid));
                    let values = describe_values(p, |i, own| {
                        let key =
                            LangKey::ValueList(s.iid, p.iid, u32::try_from(i).unwrap_or(u32::MAX));
                        text(key, own)
                    });
                    vec![
                        format!("{}.{}", s.iid, p.iid),
                        short,
                        p.format.as_str().to_owned(),
                        access_text(p),
                        values,
                        text(LangKey::Property(s.iid, p.iid), &p.description),
                    ]
                })
                .collect();
            out.extend(columns(&rows, "    "));
        }
        let actions = s.actions();
        if !actions.is_empty() {
            out.push("  actions".to_owned());
            let rows: Vec<Vec<String>> = actions
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let short = member_name(&names, Member::Action, &at(i, a.iid));
                    vec![
                        format!("{}.{}", s.iid, a.iid),
                        short,
                        format!("in: {}", piid_names(&names, s, a.in_.as_slice())),
                        format!("out: {}", piid_names(&names, s, a.out.as_slice())),
                        text(LangKey::Action(s.iid, a.iid), &a.description),
                    ]
                })
                .collect();
            out.extend(columns(&rows, "    "));
        }
        let events = s.events();
        if !events.is_empty() {
            out.push("  events".to_owned());
            let rows: Vec<Vec<String>> = events
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    let short = member_name(&names, Member::Event, &at(i, e.iid));
                    vec![
                        format!("{}.{}", s.iid, e.iid),
                        short,
                        format!(
                            "arguments: {}",
                            piid_names(&names, s, e.arguments.as_slice())
                        ),
                        text(LangKey::Event(s.iid, e.iid), &e.description),
                    ]
                })
                .collect();
            out.extend(columns(&rows, "    "));
        }
    }
    out
}

/// The member part of a `service.member` name (`on` for `switch.on`); empty if unnamed.
fn member_name(names: &Names, member: Member, at: &Location) -> String {
    let full = names.name_at(member, at).unwrap_or_default();
    full.rsplit_once('.')
        .map_or(full.as_str(), |(_, m)| m)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The skyrc-fed spec of reference §10 (b) (NRCHKB/mihome@000ad3c).
    #[test]
    fn renders_the_reference_example() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../data/miot-spec/devices/urn.miot-spec-v2.device.pet-feeder.0000A06C.skyrc-fed.1.json"
        ))
        .unwrap();
        let spec = Instance::from_json(&text).unwrap();
        let lines = render(&spec, Some("skyrc.feeder.fed"), None);
        let all = lines.join("\n");
        assert_eq!(lines[0], "skyrc.feeder.fed: Pet Feeder");
        assert!(all.contains("2 pet-feeder: Pet Feeder"), "{all}");
        assert!(
            all.contains("0=Normal 1=Lack 2=NoFood 4=FoodBlock"),
            "{all}"
        );
        assert!(all.contains("1..112 step 1"), "{all}");
        assert!(all.contains("in: feeding-measure"), "{all}");
        assert!(all.contains("arguments: result"), "{all}");
        let t =
            Translations::from_json(r#"{"data":{"de":{"service:002":"Futterautomat"}}}"#).unwrap();
        let de = render(&spec, None, Some(("de", &t))).join("\n");
        assert!(de.contains("2 pet-feeder: Futterautomat"), "{de}");
    }
}
