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
//!
//! # Repeated iids
//!
//! A few real specs repeat an iid: two services with one `siid`, or two properties with one
//! `piid` in a service. A device has one item per address, so both definitions are read and
//! written at the same `siid.piid`; the names above still tell the definitions apart (each
//! keeps its own name, suffixed as above when the names repeat too), and [`Names::locate`]
//! says which definition a name means ([`Location`], read with
//! [`Instance::property_at`](crate::Instance::property_at)). The numbers `siid.piid` mean the
//! first definition in spec order, as [`Instance::property`] does. A repeated name is
//! ambiguous only when its definitions have different addresses: when a spec lists the same
//! property twice at one address, the plain name means the first.

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

/// Where a name points: the ids used on the wire, and the position of the definition in
/// the spec (which tells apart two definitions that share their ids, see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    /// Service id.
    pub siid: u32,
    /// Member id (`piid`, `aiid` or `eiid`).
    pub iid: u32,
    /// Position of the service in [`Instance::services`].
    pub service: usize,
    /// Position of the member in the service's list of its kind (`properties`, ...).
    pub index: usize,
}

#[derive(Clone, Debug)]
struct ServiceNames {
    /// Position in `Instance::services`.
    index: usize,
    siid: u32,
    name: String,
    base: String,
    members: HashMap<Member, Vec<(u32, String, String)>>,
}

impl ServiceNames {
    /// The members of one kind: `(iid, final name, base name)` in spec order.
    fn list(&self, member: Member) -> &[(u32, String, String)] {
        self.members.get(&member).map_or(&[], Vec::as_slice)
    }
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
            .enumerate()
            .map(|(index, ((s, base), name))| {
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
                    index,
                    siid: s.iid,
                    name,
                    base,
                    members,
                }
            })
            .collect();
        Names { services }
    }

    /// The name of service `siid` (of its first definition when the spec repeats the siid).
    pub fn service_name(&self, siid: u32) -> Option<&str> {
        self.services
            .iter()
            .find(|s| s.siid == siid)
            .map(|s| s.name.as_str())
    }

    /// The name of the service at this position of [`Instance::services`].
    pub fn service_name_at(&self, index: usize) -> Option<&str> {
        self.services
            .iter()
            .find(|s| s.index == index)
            .map(|s| s.name.as_str())
    }

    /// The full name `service.member` of `siid.iid` (of the first definition when the spec
    /// repeats these ids; [`Names::name_at`] names a given definition).
    pub fn name_of(&self, member: Member, siid: u32, iid: u32) -> Option<String> {
        self.services
            .iter()
            .filter(|s| s.siid == siid)
            .find_map(|s| {
                let (_, name, _) = s.members.get(&member)?.iter().find(|m| m.0 == iid)?;
                Some(format!("{}.{}", s.name, name))
            })
    }

    /// The full name of the definition at `at` (as returned by [`Names::locate`]).
    pub fn name_at(&self, member: Member, at: &Location) -> Option<String> {
        self.name_at_position(member, at.service, at.index)
    }

    /// The full name of member `index` of the service at position `service`.
    pub(crate) fn name_at_position(
        &self,
        member: Member,
        service: usize,
        index: usize,
    ) -> Option<String> {
        let s = self.services.iter().find(|s| s.index == service)?;
        let (_, name, _) = s.list(member).get(index)?;
        Some(format!("{}.{}", s.name, name))
    }

    /// All full names of one member kind with their ids, in spec order (a repeated iid
    /// appears once per definition, each with its own name).
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

    /// The service definitions a service name or number means: one for a unique name, every
    /// definition of a repeated siid for a number, or for a repeated name whose definitions
    /// all share one siid. `g` is normalised.
    fn services_named(&self, g: &str, given: &str) -> Result<Vec<&ServiceNames>, Error> {
        if let Ok(n) = g.parse::<u32>() {
            let hits: Vec<_> = self.services.iter().filter(|s| s.siid == n).collect();
            if hits.is_empty() {
                return Err(Error::UnknownIid {
                    kind: "service",
                    siid: n,
                    iid: None,
                });
            }
            return Ok(hits);
        }
        if let Some(s) = self.services.iter().find(|s| s.name == g) {
            return Ok(vec![s]);
        }
        let same: Vec<&ServiceNames> = self.services.iter().filter(|s| s.base == g).collect();
        if let Some(first) = same.first() {
            if same.iter().all(|s| s.siid == first.siid) {
                return Ok(same);
            }
            return Err(Error::AmbiguousName {
                kind: "service",
                given: given.to_owned(),
                candidates: same.iter().map(|s| s.name.clone()).collect(),
            });
        }
        Err(Error::UnknownName {
            kind: "service",
            given: given.to_owned(),
            suggestion: suggest(g, self.services.iter().map(|s| s.name.as_str())),
        })
    }

    /// Resolve a service name (or number) to its `siid`.
    pub fn resolve_service(&self, given: &str) -> Result<u32, Error> {
        let g = normalise(given);
        // Invariant: services_named never returns an empty list.
        self.services_named(&g, given)
            .map(|v| v.first().map_or(0, |s| s.siid))
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
        self.locate(member, given).map(|l| (l.siid, l.iid))
    }

    /// Resolve a property name to the definition it means (see [`Names::locate`]).
    pub fn locate_property(&self, given: &str) -> Result<Location, Error> {
        self.locate(Member::Property, given)
    }

    /// Resolve a member name of the given kind to its ids and to the definition it means,
    /// which differs from the first definition at those ids only in a spec that repeats an
    /// iid (module docs).
    pub fn locate(&self, member: Member, given: &str) -> Result<Location, Error> {
        let g = normalise(given);
        let kind = member.word();
        let unknown = || {
            let names = self.all(member);
            Error::UnknownName {
                kind,
                given: given.to_owned(),
                suggestion: suggest(&g, names.iter().map(|(_, _, n)| n.as_str())),
            }
        };
        let at = |s: &ServiceNames, index: usize, iid: u32| Location {
            siid: s.siid,
            iid,
            service: s.index,
            index,
        };

        let (entries, item, bare): (Vec<&ServiceNames>, &str, bool) = match g.split_once('.') {
            // A bare member name: accept it when exactly one address has it.
            None => (self.services.iter().collect(), g.as_str(), true),
            Some((svc, item)) => match self.services_named(svc, given) {
                Ok(v) => (v, item, false),
                Err(Error::UnknownName { .. }) => return Err(unknown()),
                Err(e) => return Err(e),
            },
        };

        if !bare && let Ok(n) = item.parse::<u32>() {
            // Numbers mean the first definition with these ids.
            return entries
                .iter()
                .find_map(|s| {
                    let (i, _) = s.list(member).iter().enumerate().find(|(_, m)| m.0 == n)?;
                    Some(at(s, i, n))
                })
                .ok_or(Error::UnknownIid {
                    kind,
                    siid: entries.first().map_or(0, |s| s.siid),
                    iid: Some(n),
                });
        }
        if !bare {
            // An exact (possibly suffixed) name first.
            for s in &entries {
                if let Some((i, m)) = s.list(member).iter().enumerate().find(|(_, m)| m.1 == item) {
                    return Ok(at(s, i, m.0));
                }
            }
        }
        let mut hits: Vec<(Location, String)> = Vec::new();
        for s in &entries {
            for (i, (iid, n, b)) in s.list(member).iter().enumerate() {
                if b == item || (bare && n == item) {
                    hits.push((at(s, i, *iid), format!("{}.{}", s.name, n)));
                }
            }
        }
        match hits.first() {
            None => Err(unknown()),
            Some((first, _))
                if hits
                    .iter()
                    .all(|(l, _)| (l.siid, l.iid) == (first.siid, first.iid)) =>
            {
                // One address (the spec repeats a definition): the first one.
                Ok(*first)
            }
            Some(_) => Err(Error::AmbiguousName {
                kind,
                given: given.to_owned(),
                candidates: hits.into_iter().map(|h| h.1).collect(),
            }),
        }
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
