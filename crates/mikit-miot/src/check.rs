//! Structural checks of a parsed spec beyond what parsing enforces: the conventions of
//! `MiEcosystem/miot-spec-doc:小米IOT设备规范v2.md` @e291957 (§三.1, §九: iids unique per
//! level; URN grammar §二.2) and the value rules of `reference/miot-spec.md` §5.1, §7.
//!
//! Errors make a spec unusable or ambiguous (two properties with one `siid.piid`, a range
//! whose minimum is above its maximum). Warnings are oddities that real served specs have
//! (action arguments naming a missing piid, e.g. `in: [0]` in two specs of the 2022 dump;
//! formats this model does not know), which clients tolerate.

use std::collections::HashSet;
use std::fmt;

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
    fn urn(&mut self, at: &str, urn: &str, kind: UrnKind) {
        match Urn::parse(urn) {
            Err(e) => self.push(Severity::Error, at, e.to_string()),
            Ok(u) if u.kind() != kind => self.push(
                Severity::Error,
                at,
                format!(
                    "URN {urn:?} is of kind {}, expected {}",
                    u.kind().as_str(),
                    kind.as_str()
                ),
            ),
            Ok(_) => {}
        }
    }
    fn unique(&mut self, at: &str, what: &str, ids: impl Iterator<Item = u32>) {
        let mut seen = HashSet::new();
        for id in ids {
            if !seen.insert(id) {
                self.push(
                    Severity::Error,
                    at,
                    format!("{what} iid {id} is used twice"),
                );
            }
        }
    }
}

fn check_property(f: &mut Findings, s: &Service, p: &Property) {
    let at = format!("property {}.{}", s.iid, p.iid);
    f.urn(&at, &p.type_, UrnKind::Property);
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
        f.unique("device", "service", self.services.iter().map(|s| s.iid));
        for s in &self.services {
            let at = format!("service {}", s.iid);
            f.urn(&at, &s.type_, UrnKind::Service);
            f.unique(&at, "property", s.properties().iter().map(|p| p.iid));
            f.unique(&at, "action", s.actions().iter().map(|a| a.iid));
            f.unique(&at, "event", s.events().iter().map(|e| e.iid));
            for p in s.properties() {
                check_property(&mut f, s, p);
            }
            for a in s.actions() {
                let at = format!("action {}.{}", s.iid, a.iid);
                f.urn(&at, &a.type_, UrnKind::Action);
                check_refs(&mut f, s, &at, "in", a.in_.as_slice());
                check_refs(&mut f, s, &at, "out", a.out.as_slice());
            }
            for e in s.events() {
                let at = format!("event {}.{}", s.iid, e.iid);
                f.urn(&at, &e.type_, UrnKind::Event);
                check_refs(&mut f, s, &at, "arguments", e.arguments.as_slice());
            }
        }
        f.0
    }
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
        assert!(
            text.iter()
                .any(|t| t.contains("service iid 2 is used twice")),
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
