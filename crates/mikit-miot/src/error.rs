//! The error type of `mikit-miot`.

use std::fmt::Write as _;

/// Everything that can go wrong while reading, using or fetching MIoT specifications.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text does not start with `urn:`.
    #[error("{urn:?} is not a URN: it must start with \"urn:\"")]
    UrnPrefix { urn: String },
    /// The URN has fewer than 5 fields (a standard type has 5, an instance type 7 or more).
    #[error(
        "URN {urn:?} has {got} fields; at least 5 are needed (urn:namespace:kind:name:value), 7 in a device instance"
    )]
    UrnFieldCount { urn: String, got: usize },
    /// A URN field is empty.
    #[error("URN {urn:?} has an empty {field} field")]
    UrnEmptyField { urn: String, field: &'static str },
    /// The URN's kind is not one of the documented kinds.
    #[error(
        "URN {urn:?} has the unknown kind {kind:?} (expected device, service, property, action, event, template or device-template)"
    )]
    UrnKind { urn: String, kind: String },
    /// The URN's version field is not a decimal number.
    #[error("URN {urn:?} has the version {version:?}, which is not a number")]
    UrnVersion { urn: String, version: String },

    /// A JSON document (spec, instances list, catalog, translations) is not of the expected shape.
    #[error("invalid {what}: {reason}")]
    Json { what: &'static str, reason: String },

    /// The property cannot be read (`read` is not in its `access`).
    #[error("property {name} is not readable (access: {access})")]
    NotReadable { name: String, access: String },
    /// The property cannot be written (`write` is not in its `access`).
    #[error("property {name} is not writable (access: {access})")]
    NotWritable { name: String, access: String },
    /// The value lies outside the property's `value-range`.
    #[error("{value} is out of range: allowed {min}..={max} (step {step})")]
    OutOfRange {
        value: String,
        min: f64,
        max: f64,
        step: f64,
    },
    /// The value lies inside the range but not on a step (`min + k·step`).
    #[error("{value} is not on a step: allowed {min}..={max} in steps of {step}")]
    NotOnStep {
        value: String,
        min: f64,
        max: f64,
        step: f64,
    },
    /// The value does not fit the property's integer format.
    #[error("{value} does not fit the format {format} ({min}..={max})")]
    OutOfFormat {
        value: String,
        format: String,
        min: i128,
        max: i128,
    },
    /// The value is not one of the property's `value-list` entries.
    #[error("{value:?} is not allowed; one of: {}", .allowed.join(", "))]
    NotInList { value: String, allowed: Vec<String> },
    /// The value has the wrong type for the property's format.
    #[error("{value:?} is not a valid {expected}")]
    WrongType {
        value: String,
        expected: &'static str,
    },

    /// An action got a different number of arguments than its `in` list names.
    #[error("action {action} takes {expected} argument(s) ({names}), got {got}", names = .arguments.join(", "))]
    ArgumentCount {
        action: String,
        expected: usize,
        got: usize,
        arguments: Vec<String>,
    },
    /// An action argument failed its property's rules.
    #[error("argument {position} ({property}) of action {action}: {source}")]
    Argument {
        action: String,
        position: usize,
        property: String,
        #[source]
        source: Box<Error>,
    },

    /// No service/property/action/event has this name.
    #[error("unknown {kind} {given:?}{}", did_you_mean(.suggestion.as_deref()))]
    UnknownName {
        kind: &'static str,
        given: String,
        suggestion: Option<String>,
    },
    /// The name matches several entries (the spec repeats it); the candidates carry suffixes.
    #[error("{kind} name {given:?} is ambiguous; use one of: {}", .candidates.join(", "))]
    AmbiguousName {
        kind: &'static str,
        given: String,
        candidates: Vec<String>,
    },
    /// No service/property/action/event has these ids.
    #[error("no {kind} {}", iid_text(*.siid, *.iid))]
    UnknownIid {
        kind: &'static str,
        siid: u32,
        iid: Option<u32>,
    },

    /// A multiLanguage key does not follow `service:SSS[:property:PPP[:valuelist:VVV]]` etc.
    #[error("invalid multiLanguage key {key:?}")]
    LangKey { key: String },

    /// The instances list has no entry for this model.
    #[error("no spec is listed for model {model:?}")]
    ModelNotFound { model: String },

    /// The HTTP request failed (transport, retries exhausted, bad endpoint).
    #[error(transparent)]
    Http(#[from] mikit_core::Error),
    /// The spec service answered 404 for this item.
    #[error("the spec service has no {what}")]
    NotFound { what: String, body: String },
    /// The spec service answered an unexpected HTTP status.
    #[error("{url} answered HTTP {status}: {body}")]
    Status {
        url: String,
        status: u16,
        body: String,
    },
}

fn did_you_mean(suggestion: Option<&str>) -> String {
    match suggestion {
        Some(s) => format!("; did you mean {s:?}?"),
        None => String::new(),
    }
}

fn iid_text(siid: u32, iid: Option<u32>) -> String {
    let mut s = format!("{siid}");
    if let Some(i) = iid {
        let _ = write!(s, ".{i}");
    }
    s
}

impl Error {
    /// A [`Error::Json`] from a serde_json error.
    pub(crate) fn json(what: &'static str, e: &serde_json::Error) -> Self {
        Error::Json {
            what,
            reason: e.to_string(),
        }
    }
}
