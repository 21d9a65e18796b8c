//! `GET /miot-spec-v2/instances?status=…` (`reference/miot-spec.md` §2, §3, §13).
//!
//! `status=all`, a missing or an unknown status answer the whole list as stored. `released`,
//! `debug` and `preview` answer the entries with that status, in stored order, each entry
//! byte for byte (kept as raw JSON). Entries without a `status` (python-miio's fixture
//! `miio/tests/fixtures/micloud_miotspec_releases.json` has such entries in a
//! `status=released` answer) count as released (§12).

use std::sync::OnceLock;

use bytes::Bytes;
use hyper::StatusCode;
use serde_json::value::RawValue;

use crate::server::Reply;

/// The statuses a list can be filtered by.
const FILTERS: [&str; 3] = ["released", "debug", "preview"];

/// The stored list and its filtered views, computed on first use.
pub(super) struct Lists {
    all: Bytes,
    filtered: [OnceLock<Result<Bytes, String>>; 3],
}

#[derive(serde::Deserialize)]
struct Document<'a> {
    #[serde(borrow)]
    instances: Vec<&'a RawValue>,
}

#[derive(serde::Deserialize)]
struct EntryStatus {
    status: Option<String>,
}

/// The entries of `all` whose status is `status` (released also takes entries without one).
fn filter(all: &[u8], status: &str) -> Result<Bytes, String> {
    let doc: Document<'_> = serde_json::from_slice(all).map_err(|e| e.to_string())?;
    let mut out = Vec::with_capacity(all.len() / 2);
    out.extend_from_slice(b"{\"instances\":[");
    let mut first = true;
    for raw in doc.instances {
        let entry: EntryStatus = serde_json::from_str(raw.get()).map_err(|e| e.to_string())?;
        let keep = match entry.status.as_deref() {
            Some(s) => s == status,
            None => status == "released",
        };
        if keep {
            if !first {
                out.push(b',');
            }
            first = false;
            out.extend_from_slice(raw.get().as_bytes());
        }
    }
    out.extend_from_slice(b"]}");
    Ok(Bytes::from(out))
}

impl Lists {
    pub(super) fn new(all: Bytes) -> Lists {
        Lists {
            all,
            filtered: Default::default(),
        }
    }

    /// The body for `?status=<status>`.
    pub(super) fn body(&self, status: Option<&str>) -> Result<Bytes, String> {
        let Some(i) = status.and_then(|s| FILTERS.iter().position(|f| *f == s)) else {
            return Ok(self.all.clone());
        };
        self.filtered[i]
            .get_or_init(|| filter(&self.all, FILTERS[i]))
            .clone()
    }

    pub(super) fn answer(&self, status: Option<&str>) -> Reply {
        match self.body(status) {
            Ok(body) => Reply::json_bytes(StatusCode::OK, body),
            Err(reason) => {
                // Only a broken --spec-dir instances.json gets here.
                tracing::warn!(%reason, "the stored instances list is not valid JSON");
                Reply::json(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &serde_json::json!({"code": 500, "message": "bad instances list"}),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_keep_order_and_bytes() {
        let all = Bytes::from_static(
            br#"{"instances":[{"status":"released","model":"a","version":1,"type":"u:a"},
            {"model":"b","version":2,"type":"u:b","ts":5},{"status":"debug","model":"c","version":1,"type":"u:c"},
            {"status":"released","model":"d","version":3,"type":"u:d"}]}"#,
        );
        let l = Lists::new(all.clone());
        assert_eq!(l.body(None).unwrap(), all);
        assert_eq!(l.body(Some("all")).unwrap(), all);
        assert_eq!(l.body(Some("bogus")).unwrap(), all);
        assert_eq!(
            &l.body(Some("released")).unwrap()[..],
            br#"{"instances":[{"status":"released","model":"a","version":1,"type":"u:a"},{"model":"b","version":2,"type":"u:b","ts":5},{"status":"released","model":"d","version":3,"type":"u:d"}]}"#
        );
        assert_eq!(
            &l.body(Some("debug")).unwrap()[..],
            br#"{"instances":[{"status":"debug","model":"c","version":1,"type":"u:c"}]}"#
        );
        assert_eq!(
            &l.body(Some("preview")).unwrap()[..],
            br#"{"instances":[]}"#
        );
        assert!(
            Lists::new(Bytes::from_static(b"{"))
                .body(Some("debug"))
                .is_err()
        );
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A broken `--spec-dir` list or spec never panics the service: arbitrary bytes give
        /// an error answer (list) or the empty multiLanguage answer (spec).
        #[test]
        fn arbitrary_bytes_do_not_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256),
                                        status in "[a-z]{0,8}") {
            let lists = Lists::new(Bytes::from(bytes.clone()));
            let _ = lists.body(Some(&status));
            let _ = lists.answer(Some("released"));
            let _ = super::super::lang::derive(&bytes);
        }

        /// Filtering a well-formed list keeps exactly the entries of that status, in order.
        #[test]
        fn filter_keeps_matching_entries(statuses in proptest::collection::vec(0usize..4, 0..40)) {
            let words = ["released", "debug", "preview", ""];
            let entries: Vec<String> = statuses.iter().enumerate().map(|(i, s)| {
                let st = if words[*s].is_empty() { String::new() } else { format!("\"status\":\"{}\",", words[*s]) };
                format!("{{{st}\"model\":\"m{i}\",\"version\":1,\"type\":\"urn:x:{i}\"}}")
            }).collect();
            let all = format!("{{\"instances\":[{}]}}", entries.join(","));
            let lists = Lists::new(Bytes::from(all));
            for (k, word) in words.iter().take(3).enumerate() {
                let want: Vec<&String> = entries.iter().zip(&statuses)
                    .filter(|(_, s)| **s == k || (k == 0 && **s == 3))
                    .map(|(e, _)| e).collect();
                let want = format!("{{\"instances\":[{}]}}", want.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(","));
                prop_assert_eq!(&lists.body(Some(word)).unwrap()[..], want.as_bytes());
            }
        }
    }
}
