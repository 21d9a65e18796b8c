//! Human names for services, properties, actions and events: `service.property`.
//!
//! A name is the `name` field of the item's URN (`urn:miot-spec-v2:property:on:...` → `on`),
//! so `switch.on` or `air-purifier.fan-level`. When a spec repeats a name (two `switch`
//! services, or the same property type twice in one service, as in
//! `al-one/hass-xiaomi-miot:tests/fixtures/cnhdm.airrtc.wkq01.json`), every copy gets a
//! numeric suffix in spec order (`switch-1`, `switch-2`) and the bare name is reported as
//! ambiguous. An item whose URN does not parse is named from its description, else
//! `<kind>-<iid>`.
//!
//! Input is matched case-insensitively with `_` and spaces read as `-`; `siid.piid` numbers
//! work everywhere a name does, and a bare member name (`on`) is accepted when only one
//! service has it. Unknown names come back with a did-you-mean suggestion.

use std::collections::{HashMap, HashSet};

use crate::Error;
use crate::spec::Instance;
use crate::urn::Urn;

/// Which kind of service member a name refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Member {
    /// A property (`piid`).
    Property,
    /// An action (`aiid`).
    Action,
    /// An event (`eiid`).
    Event,
}

impl Member {
    fn word(self) -> &'static str {
        match self {
            Member::Property => "property",
            Member::Action => "action",
            Member::Event => "event",
        }
    }
}

#[derive(Clone, Debug)]
struct ServiceNames {
    siid: u32,
    name: String,
    base: String,
    members: HashMap<Member, Vec<(u32, String, String)>>,
}

/// The name table of one instance spec.
#[derive(Clone, Debug)]
pub struct Names {
    services: Vec<ServiceNames>,
}

/// Normalise user input: trim, lowercase, `_` and spaces → `-`.
fn normalise(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| match c {
            '_' | ' ' => '-',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// The base name of an item: URN name, else a slug of the description, else `kind-iid`.
fn base_name(type_: &str, description: &str, kind: &str, iid: u32) -> String {
    let name = match Urn::parse(type_) {
        // '.' separates service and member, so it cannot appear inside a name.
        Ok(u) => normalise(u.name()).replace('.', "-"),
        Err(_) => slug(description),
    };
    if name.is_empty() {
        format!("{kind}-{iid}")
    } else if name.bytes().all(|c| c.is_ascii_digit()) {
        // A numeric name would read as an iid.
        format!("{kind}-{name}")
    } else {
        name
    }
}

/// Lowercase alphanumeric words of a description joined by `-`.
fn slug(description: &str) -> String {
    description
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

/// Give every base name a unique final name: repeated ones get `-1`, `-2`... in order,
/// skipping suffixed names that already exist as base names.
fn uniquify(bases: &[String]) -> Vec<String> {
    let mut count: HashMap<&str, usize> = HashMap::new();
    for b in bases {
        *count.entry(b).or_default() += 1;
    }
    // Indexing `count` below cannot panic: every base was inserted just above.
    let mut used: HashSet<String> = bases
        .iter()
        .filter(|b| count[b.as_str()] == 1)
        .cloned()
        .collect();
    let mut next: HashMap<&str, usize> = HashMap::new();
    bases
        .iter()
        .map(|b| {
            if count[b.as_str()] == 1 {
                return b.clone();
            }
            let k = next.entry(b).or_insert(0);
            loop {
                *k += 1;
                let candidate = format!("{b}-{k}");
                if used.insert(candidate.clone()) {
                    return candidate;
                }
            }
        })
        .collect()
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest candidate within a distance of `max(2, len/3)`.
fn suggest<'a>(given: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    if given.chars().count() > 200 {
        return None;
    }
    let limit = (given.chars().count() / 3).max(2);
    candidates
        .map(|c| (edit_distance(given, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_owned())
}

impl Names {
    /// Build the name table of a spec.
    pub fn new(spec: &Instance) -> Names {
        let bases: Vec<String> = spec
            .services
            .iter()
            .map(|s| base_name(&s.type_, &s.description, "service", s.iid))
            .collect();
        let finals = uniquify(&bases);
        let services = spec
            .services
            .iter()
            .zip(bases)
            .zip(finals)
            .map(|((s, base), name)| {
                let mut members = HashMap::new();
                let mut add = |m: Member, items: Vec<(u32, String)>| {
                    let bases: Vec<String> = items.iter().map(|(_, b)| b.clone()).collect();
                    let finals = uniquify(&bases);
                    let list = items
                        .into_iter()
                        .zip(finals)
                        .map(|((iid, base), name)| (iid, name, base))
                        .collect();
                    members.insert(m, list);
                };
                add(
                    Member::Property,
                    s.properties()
                        .iter()
                        .map(|p| {
                            (
                                p.iid,
                                base_name(&p.type_, &p.description, "property", p.iid),
                            )
                        })
                        .collect(),
                );
                add(
                    Member::Action,
                    s.actions()
                        .iter()
                        .map(|a| (a.iid, base_name(&a.type_, &a.description, "action", a.iid)))
                        .collect(),
                );
                add(
                    Member::Event,
                    s.events()
                        .iter()
                        .map(|e| (e.iid, base_name(&e.type_, &e.description, "event", e.iid)))
                        .collect(),
                );
                ServiceNames {
                    siid: s.iid,
                    name,
                    base,
                    members,
                }
            })
            .collect();
        Names { services }
    }

    /// The name of service `siid`.
    pub fn service_name(&self, siid: u32) -> Option<&str> {
        self.services
            .iter()
            .find(|s| s.siid == siid)
            .map(|s| s.name.as_str())
    }

    /// The full name `service.member` of `siid.iid`.
    pub fn name_of(&self, member: Member, siid: u32, iid: u32) -> Option<String> {
        let s = self.services.iter().find(|s| s.siid == siid)?;
        let (_, name, _) = s.members.get(&member)?.iter().find(|m| m.0 == iid)?;
        Some(format!("{}.{}", s.name, name))
    }

    /// All full names of one member kind with their ids, in spec order.
    pub fn all(&self, member: Member) -> Vec<(u32, u32, String)> {
        self.services
            .iter()
            .flat_map(|s| {
                s.members
                    .get(&member)
                    .into_iter()
                    .flatten()
                    .map(move |(iid, n, _)| (s.siid, *iid, format!("{}.{}", s.name, n)))
            })
            .collect()
    }

    /// Resolve a service name (or number) to its `siid`.
    pub fn resolve_service(&self, given: &str) -> Result<u32, Error> {
        let g = normalise(given);
        if let Ok(n) = g.parse::<u32>() {
            return self
                .services
                .iter()
                .find(|s| s.siid == n)
                .map(|s| s.siid)
                .ok_or(Error::UnknownIid {
                    kind: "service",
                    siid: n,
                    iid: None,
                });
        }
        if let Some(s) = self.services.iter().find(|s| s.name == g) {
            return Ok(s.siid);
        }
        let same: Vec<String> = self
            .services
            .iter()
            .filter(|s| s.base == g)
            .map(|s| s.name.clone())
            .collect();
        if !same.is_empty() {
            return Err(Error::AmbiguousName {
                kind: "service",
                given: given.to_owned(),
                candidates: same,
            });
        }
        Err(Error::UnknownName {
            kind: "service",
            given: given.to_owned(),
            suggestion: suggest(&g, self.services.iter().map(|s| s.name.as_str())),
        })
    }

    /// Resolve `service.property`, `siid.piid` or a unique bare property name.
    pub fn resolve_property(&self, given: &str) -> Result<(u32, u32), Error> {
        self.resolve(Member::Property, given)
    }

    /// Resolve `service.action`, `siid.aiid` or a unique bare action name.
    pub fn resolve_action(&self, given: &str) -> Result<(u32, u32), Error> {
        self.resolve(Member::Action, given)
    }

    /// Resolve `service.event`, `siid.eiid` or a unique bare event name.
    pub fn resolve_event(&self, given: &str) -> Result<(u32, u32), Error> {
        self.resolve(Member::Event, given)
    }

    /// Resolve a member name of the given kind to `(siid, iid)`.
    pub fn resolve(&self, member: Member, given: &str) -> Result<(u32, u32), Error> {
        let g = normalise(given);
        let kind = member.word();
        let unknown = |candidates: Vec<String>| Error::UnknownName {
            kind,
            given: given.to_owned(),
            suggestion: suggest(&g, candidates.iter().map(String::as_str)),
        };
        let full_names = || self.all(member).into_iter().map(|(_, _, n)| n).collect();

        let Some((svc, item)) = g.split_once('.') else {
            // A bare member name: accept it when exactly one service has it.
            let mut hits = Vec::new();
            for s in &self.services {
                for (iid, n, base) in s.members.get(&member).into_iter().flatten() {
                    if *n == g || *base == g {
                        hits.push((s.siid, *iid, format!("{}.{}", s.name, n)));
                    }
                }
            }
            return match hits.len() {
                1 => Ok((hits[0].0, hits[0].1)),
                0 => Err(unknown(full_names())),
                _ => Err(Error::AmbiguousName {
                    kind,
                    given: given.to_owned(),
                    candidates: hits.into_iter().map(|h| h.2).collect(),
                }),
            };
        };

        let siid = match self.resolve_service(svc) {
            Ok(siid) => siid,
            Err(Error::UnknownName { .. }) => return Err(unknown(full_names())),
            Err(e) => return Err(e),
        };
        // Invariant: resolve_service only returns siids present in self.services.
        let Some(s) = self.services.iter().find(|s| s.siid == siid) else {
            return Err(Error::UnknownIid {
                kind: "service",
                siid,
                iid: None,
            });
        };
        let members: &[(u32, String, String)] = s.members.get(&member).map_or(&[], Vec::as_slice);
        if let Ok(n) = item.parse::<u32>() {
            return members
                .iter()
                .find(|m| m.0 == n)
                .map(|m| (siid, m.0))
                .ok_or(Error::UnknownIid {
                    kind,
                    siid,
                    iid: Some(n),
                });
        }
        if let Some(m) = members.iter().find(|m| m.1 == item) {
            return Ok((siid, m.0));
        }
        let same: Vec<String> = members
            .iter()
            .filter(|m| m.2 == item)
            .map(|m| format!("{}.{}", s.name, m.1))
            .collect();
        if !same.is_empty() {
            return Err(Error::AmbiguousName {
                kind,
                given: given.to_owned(),
                candidates: same,
            });
        }
        Err(unknown(full_names()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn uniquify_repeats_and_collisions() {
        let b: Vec<String> = ["switch", "switch", "switch-1", "light"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(uniquify(&b), ["switch-2", "switch-3", "switch-1", "light"]);
    }

    #[test]
    fn names_from_urn_or_description() {
        assert_eq!(
            base_name("urn:a-spec:property:fan-level:1:x-y:1", "", "property", 1),
            "fan-level"
        );
        assert_eq!(
            base_name("bogus", "Target Temp.", "property", 4),
            "target-temp"
        );
        assert_eq!(base_name("bogus", "", "event", 4), "event-4");
        assert_eq!(
            base_name("urn:v-spec:property:a.b:1:x-y:1", "", "property", 1),
            "a-b"
        );
        assert_eq!(
            base_name("urn:v-spec:property:42:1:x-y:1", "", "property", 1),
            "property-42"
        );
        assert_eq!(
            base_name("urn:v-spec:property:Fan_Level:1:x-y:1", "", "property", 1),
            "fan-level"
        );
    }
}
