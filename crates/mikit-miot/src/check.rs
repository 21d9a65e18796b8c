//! Structural checks of a parsed spec beyond what parsing enforces: the conventions of
//! `MiEcosystem/miot-spec-doc:小米IOT设备规范v2.md` @e291957 (§三.1, §九: iids unique per
//! level; URN grammar §二.2) and the value rules of `reference/miot-spec.md` §5.1, §7.
//!
//! Errors make a spec unusable (a device type that is not a device instance URN, a range
//! whose minimum is above its maximum). Warnings are oddities that real served specs have,
//! which clients tolerate and mikit reads; each says how mikit reads it:
//!
//! - action arguments naming a missing piid (`in: [0]` in two specs of the 2022 dump),
//!   formats this model does not know;
//! - the quirks of issue 9, found in about 1 in 1,500 specs of today's catalog: `access:
//!   null` (read as `[]`), a repeated siid or piid (both definitions keep their own name, see
//!   [`crate::names`]), a member whose `type` is `""` or not a URN (named from its
//!   description), a service whose `type` is a device URN, and URNs of 6 fields (no version,
//!   see [`crate::urn`]).

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::names::{Member, Names};
use crate::spec::{Format, Instance, Property, Service};
use crate::urn::{Urn, UrnKind};

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Tolerated by clients; reported.
    Warning,
    /// The spec is invalid.
    Error,
}

/// One finding, with where it is (`2.1` = siid.piid, `2.a1` = action, `2.e1` = event).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// Where: `device`, `service 2`, `property 2.1`, `action 2.1`, `event 2.1`.
    pub at: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{word}: {}: {}", self.at, self.message)
    }
}

struct Findings(Vec<Problem>);

impl Findings {
    fn push(&mut self, severity: Severity, at: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem {
            severity,
            at: at.into(),
            message: message.into(),
        });
    }
    /// The URN of a service or member: every oddity is a warning, as the item stays usable
    /// (`name` is what mikit calls it).
    fn member_urn(&mut self, at: &str, urn: &str, kind: UrnKind, name: &str) {
        let warn = |f: &mut Self, m: String| f.push(Severity::Warning, at, m);
        if urn.is_empty() {
            return warn(
                self,
                format!("its type is \"\" (not a URN); mikit names it {name}"),
            );
        }
        match Urn::parse(urn) {
            Err(e) => warn(self, format!("{e}; mikit names it {name}")),
            Ok(u) if u.kind() != kind => warn(
                self,
                format!(
                    "its type {urn:?} is a {} URN, not a {} URN; read as a {} named {name}",
                    u.kind().as_str(),
                    kind.as_str(),
                    kind.as_str()
                ),
            ),
            Ok(u) if !u.is_complete() => warn(
                self,
                format!(
                    "its type {urn:?} has 6 fields: a vendor-product but no version (read by position)"
                ),
            ),
            Ok(_) => {}
        }
    }
    /// Ids used by more than one definition of one kind: `(iid, names)`; `names` are the full
    /// names of the definitions, in spec order.
    fn repeated(
        &mut self,
        at: &str,
        what: &str,
        numbers: impl Fn(u32) -> String,
        items: impl Iterator<Item = (u32, String)>,
    ) {
        let mut by_iid: Vec<(u32, Vec<String>)> = Vec::new();
        let mut pos: HashMap<u32, usize> = HashMap::new();
        for (iid, name) in items {
            match pos.get(&iid) {
                Some(&i) => by_iid[i].1.push(name),
                None => {
                    pos.insert(iid, by_iid.len());
                    by_iid.push((iid, vec![name]));
                }
            }
        }
        for (iid, names) in by_iid.into_iter().filter(|(_, n)| n.len() > 1) {
            self.push(
                Severity::Warning,
                at,
                format!(
                    "{what} iid {iid} is used {} times ({}); `{}` means the first, the names tell them apart",
                    names.len(),
                    names.join(", "),
                    numbers(iid),
                ),
            );
        }
    }
}

fn check_property(f: &mut Findings, s: &Service, p: &Property, name: &str) {
    let at = format!("property {}.{}", s.iid, p.iid);
    f.member_urn(&at, &p.type_, UrnKind::Property, name);
    if p.access.is_null() {
        f.push(
            Severity::Warning,
            &at,
            "access is null; read as [] (usable only as an action or event argument)",
        );
    }
    if let Format::Unknown(name) = &p.format {
        f.push(Severity::Warning, &at, format!("unknown format {name:?}"));
    }
    if let Some(r) = &p.value_range {
        let (min, max, step) = r.as_f64();
        if !(min.is_finite() && max.is_finite() && step.is_finite()) {
            f.push(
                Severity::Error,
                &at,
                "value-range holds a number that is not finite",
            );
        } else if min > max {
            f.push(
                Severity::Error,
                &at,
                format!("value-range minimum {min} is above maximum {max}"),
            );
        } else if step < 0.0 {
            f.push(
                Severity::Error,
                &at,
                format!("value-range step {step} is negative"),
            );
        } else if step == 0.0 {
            f.push(Severity::Warning, &at, "value-range step is 0");
        }
        if let (Some((lo, hi)), Some((a, b, _))) = (p.format.integer_bounds(), r.as_i128())
            && (a < lo || b > hi)
        {
            f.push(
                Severity::Warning,
                &at,
                format!(
                    "value-range [{a}, {b}] exceeds format {} ({lo}..={hi})",
                    p.format.as_str()
                ),
            );
        }
    }
    if let Some(list) = &p.value_list {
        if list.is_empty() {
            f.push(Severity::Warning, &at, "value-list is empty");
        }
        let mut seen = HashSet::new();
        for item in list {
            if !seen.insert(item.value.to_string()) {
                f.push(
                    Severity::Warning,
                    &at,
                    format!("value-list repeats the value {}", item.value),
                );
            }
        }
    }
}

fn check_refs(f: &mut Findings, s: &Service, at: &str, what: &str, piids: &[u32]) {
    for piid in piids {
        if s.property(*piid).is_none() {
            f.push(
                Severity::Warning,
                at,
                format!(
                    "{what} names property {}.{piid}, which does not exist",
                    s.iid
                ),
            );
        }
    }
}

impl Instance {
    /// Structural problems of this spec (empty when it is clean); see the module docs.
    pub fn problems(&self) -> Vec<Problem> {
        let mut f = Findings(Vec::new());
        match Urn::parse(&self.type_) {
            Err(e) => f.push(Severity::Error, "device", e.to_string()),
            Ok(u) if u.kind() != UrnKind::Device || !u.is_instance() => f.push(
                Severity::Error,
                "device",
                format!(
                    "{:?} is not a device instance URN (7 or more fields, kind device)",
                    self.type_
                ),
            ),
            Ok(_) => {}
        }
        let names = Names::new(self);
        let full = |m: Member, index: usize, service: usize| {
            names
                .name_at_position(m, service, index)
                .unwrap_or_default()
        };
        f.repeated(
            "device",
            "service",
            |siid| format!("{siid}.N"),
            self.services
                .iter()
                .enumerate()
                .map(|(i, s)| (s.iid, full_service(&names, i))),
        );
        for (si, s) in self.services.iter().enumerate() {
            let at = format!("service {}", s.iid);
            f.member_urn(&at, &s.type_, UrnKind::Service, &full_service(&names, si));
            let siid = s.iid;
            let members = |m: Member, iids: Vec<u32>| {
                iids.into_iter()
                    .enumerate()
                    .map(move |(i, iid)| (iid, full(m, i, si)))
                    .collect::<Vec<_>>()
            };
            let ids = |iid| format!("{siid}.{iid}");
            let props = members(
                Member::Property,
                s.properties().iter().map(|p| p.iid).collect(),
            );
            let actions = members(Member::Action, s.actions().iter().map(|a| a.iid).collect());
            let events = members(Member::Event, s.events().iter().map(|e| e.iid).collect());
            f.repeated(&at, "property", ids, props.iter().cloned());
            f.repeated(&at, "action", ids, actions.iter().cloned());
            f.repeated(&at, "event", ids, events.iter().cloned());
            for (p, (_, name)) in s.properties().iter().zip(&props) {
                check_property(&mut f, s, p, name);
            }
            for (a, (_, name)) in s.actions().iter().zip(&actions) {
                let at = format!("action {}.{}", s.iid, a.iid);
                f.member_urn(&at, &a.type_, UrnKind::Action, name);
                check_refs(&mut f, s, &at, "in", a.in_.as_slice());
                check_refs(&mut f, s, &at, "out", a.out.as_slice());
            }
            for (e, (_, name)) in s.events().iter().zip(&events) {
                let at = format!("event {}.{}", s.iid, e.iid);
                f.member_urn(&at, &e.type_, UrnKind::Event, name);
                check_refs(&mut f, s, &at, "arguments", e.arguments.as_slice());
            }
        }
        f.0
    }
}

/// The name of the service at position `index`.
fn full_service(names: &Names, index: usize) -> String {
    names.service_name_at(index).unwrap_or_default().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"type":"urn:miot-spec-v2:device:outlet:0000A002:acme-p1:1","description":"Outlet",
      "services":[{"iid":2,"type":"urn:miot-spec-v2:service:switch:0000780C:acme-p1:1","description":"Switch",
      "properties":[{"iid":1,"type":"urn:miot-spec-v2:property:on:00000006:acme-p1:1","description":"On",
      "format":"bool","access":["read","write"]}],
      "actions":[{"iid":1,"type":"urn:miot-spec-v2:action:toggle:00002811:acme-p1:1","description":"Toggle","in":[],"out":[]}]}]}"#;

    #[test]
    fn clean_spec_has_no_problems() {
        assert!(Instance::from_json(GOOD).unwrap().problems().is_empty());
    }

    #[test]
    fn finds_errors_and_warnings() {
        let bad = GOOD
            .replace(
                "device:outlet:0000A002:acme-p1:1\"",
                "service:outlet:0000A002\"",
            )
            .replace("\"access\"", "\"value-range\":[10,1,1],\"access\"")
            .replace("\"in\":[]", "\"in\":[0]");
        let mut spec = Instance::from_json(&bad).unwrap();
        spec.services.push(spec.services[0].clone());
        let problems = spec.problems();
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(
            text.iter().any(|t| t.starts_with("error: device:")),
            "{text:?}"
        );
        // A repeated siid is a quirk of real specs: a warning (issue 9).
        assert!(
            text.iter().any(|t| t.starts_with(
                "warning: device: service iid 2 is used 2 times (switch-1, switch-2)"
            )),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.contains("minimum 10 is above maximum 1")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("warning: action 2.1: in names property 2.0")),
            "{text:?}"
        );
    }
}
