//! The MIoT spec cache (`reference/miot-spec.md` §6): instances lists with their fetch time,
//! instance specs by URN, other spec-service documents, and briefly remembered failures.
//!
//! The store keeps bodies exactly as served and answers "what is cached, and since when";
//! the freshness policy (lifetimes, refetch, offline use of stale data) is
//! `mikit_app::spec::freshness`, whose bounds the `since` arguments take.

use std::collections::HashSet;

use mikit_miot::{InstanceEntry, InstanceList, Status};
use rusqlite::{OptionalExtension, params};

use crate::{Error, Store};

/// A cached document and when it was fetched (UTC epoch seconds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cached {
    /// When the document was fetched.
    pub fetched_at: i64,
    /// The body as served.
    pub body: Vec<u8>,
}

/// One row of a cached instances list with the description of its spec when that is cached.
#[derive(Clone, Debug, PartialEq)]
pub struct CatalogEntry {
    /// The list entry (without `ts` and unknown keys; the full list is in [`Store::spec_list`]).
    pub entry: InstanceEntry,
    /// The cached spec's top-level description, if the spec is cached.
    pub description: Option<String>,
}

/// A failure remembered for a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// When it failed.
    pub failed_at: i64,
    /// Why (a short message).
    pub reason: String,
}

/// How much the spec cache holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct SpecCacheCounts {
    /// Cached instances lists.
    pub lists: u64,
    /// Entries over all cached lists.
    pub entries: u64,
    /// Cached instance specs.
    pub specs: u64,
    /// Other cached documents (catalogs, definitions, translations).
    pub documents: u64,
    /// Remembered failures.
    pub failures: u64,
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl Store {
    /// Replace the cached list for `status` (the query it was fetched with) by `body`, whose
    /// parsed form is `list`; entries are indexed by model in the same transaction.
    pub fn put_spec_list(
        &mut self,
        status: &str,
        fetched_at: i64,
        body: &[u8],
        list: &InstanceList,
    ) -> Result<(), Error> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM spec_list_entries WHERE list = ?1", [status])?;
        tx.execute(
            "INSERT INTO spec_lists (status, fetched_at, body) VALUES (?1, ?2, ?3)
             ON CONFLICT (status) DO UPDATE SET fetched_at = excluded.fetched_at, body = excluded.body",
            params![status, fetched_at, body],
        )?;
        {
            let mut ins = tx.prepare_cached(
                "INSERT INTO spec_list_entries (list, pos, model, entry_status, version, urn)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for (pos, e) in list.instances.iter().enumerate() {
                ins.execute(params![
                    status,
                    i64::try_from(pos).unwrap_or(i64::MAX),
                    e.model,
                    e.status.as_ref().map(Status::as_str),
                    e.version,
                    e.type_,
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The cached list fetched with `status`.
    pub fn spec_list(&self, status: &str) -> Result<Option<Cached>, Error> {
        Ok(self
            .conn
            .query_row(
                "SELECT fetched_at, body FROM spec_lists WHERE status = ?1",
                [status],
                |r| {
                    Ok(Cached {
                        fetched_at: r.get(0)?,
                        body: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    /// When the list fetched with `status` was cached, without reading its body.
    pub fn spec_list_fetched_at(&self, status: &str) -> Result<Option<i64>, Error> {
        Ok(self
            .conn
            .query_row(
                "SELECT fetched_at FROM spec_lists WHERE status = ?1",
                [status],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The entries of `model` in the cached list `status`, in list order (an
    /// [`InstanceList`] so that `mikit_miot`'s selection rules apply to it).
    pub fn spec_entries_for_model(&self, status: &str, model: &str) -> Result<InstanceList, Error> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT model, entry_status, version, urn FROM spec_list_entries
             WHERE list = ?1 AND model = ?2 ORDER BY pos",
        )?;
        let rows = stmt.query_map(params![status, model], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut instances = Vec::new();
        for row in rows {
            instances.push(entry(row?)?);
        }
        Ok(InstanceList {
            instances,
            extra: Default::default(),
        })
    }

    /// Every entry of the cached list `status`, in list order, with the descriptions of the
    /// specs that are cached.
    pub fn spec_catalog(&self, status: &str) -> Result<Vec<CatalogEntry>, Error> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.model, e.entry_status, e.version, e.urn, i.description
             FROM spec_list_entries e LEFT JOIN spec_instances i ON i.urn = e.urn
             WHERE e.list = ?1 ORDER BY e.pos",
        )?;
        let rows = stmt.query_map([status], |r| {
            Ok((
                (
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                ),
                r.get::<_, Option<String>>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (e, description) = row?;
            out.push(CatalogEntry {
                entry: entry(e)?,
                description,
            });
        }
        Ok(out)
    }

    /// Store (or replace) the spec of `urn`, exactly as served; `description` is its
    /// top-level description (for search).
    pub fn put_spec(
        &mut self,
        urn: &str,
        fetched_at: i64,
        description: &str,
        body: &[u8],
    ) -> Result<(), Error> {
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO spec_instances (urn, fetched_at, description, body) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (urn) DO UPDATE SET fetched_at = excluded.fetched_at,
                 description = excluded.description, body = excluded.body",
        )?;
        stmt.execute(params![urn, fetched_at, description, body])?;
        self.conn
            .prepare_cached("DELETE FROM spec_failures WHERE key = ?1")?
            .execute([urn])?;
        Ok(())
    }

    /// Store many specs in one transaction: `(urn, description, body)`.
    pub fn put_specs<'a>(
        &mut self,
        fetched_at: i64,
        specs: impl IntoIterator<Item = (&'a str, &'a str, &'a [u8])>,
    ) -> Result<usize, Error> {
        let tx = self.conn.transaction()?;
        let mut n = 0;
        {
            let mut ins = tx.prepare_cached(
                "INSERT INTO spec_instances (urn, fetched_at, description, body) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (urn) DO UPDATE SET fetched_at = excluded.fetched_at,
                     description = excluded.description, body = excluded.body",
            )?;
            let mut clear = tx.prepare_cached("DELETE FROM spec_failures WHERE key = ?1")?;
            for (urn, description, body) in specs {
                ins.execute(params![urn, fetched_at, description, body])?;
                clear.execute([urn])?;
                n += 1;
            }
        }
        tx.commit()?;
        Ok(n)
    }

    /// The cached spec of `urn`.
    pub fn spec(&self, urn: &str) -> Result<Option<Cached>, Error> {
        Ok(self
            .conn
            .prepare_cached("SELECT fetched_at, body FROM spec_instances WHERE urn = ?1")?
            .query_row([urn], |r| {
                Ok(Cached {
                    fetched_at: r.get(0)?,
                    body: r.get(1)?,
                })
            })
            .optional()?)
    }

    /// The URNs of the specs cached at or after `since` (pass `i64::MIN` for all).
    pub fn cached_spec_urns(&self, since: i64) -> Result<HashSet<String>, Error> {
        let mut stmt = self
            .conn
            .prepare("SELECT urn FROM spec_instances WHERE fetched_at >= ?1")?;
        let rows = stmt.query_map([since], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Store (or replace) another spec-service document under `key`.
    pub fn put_spec_document(
        &mut self,
        key: &str,
        fetched_at: i64,
        body: &[u8],
    ) -> Result<(), Error> {
        self.conn.execute(
            "INSERT INTO spec_documents (key, fetched_at, body) VALUES (?1, ?2, ?3)
             ON CONFLICT (key) DO UPDATE SET fetched_at = excluded.fetched_at, body = excluded.body",
            params![key, fetched_at, body],
        )?;
        self.conn
            .execute("DELETE FROM spec_failures WHERE key = ?1", [key])?;
        Ok(())
    }

    /// The document cached under `key`.
    pub fn spec_document(&self, key: &str) -> Result<Option<Cached>, Error> {
        Ok(self
            .conn
            .query_row(
                "SELECT fetched_at, body FROM spec_documents WHERE key = ?1",
                [key],
                |r| {
                    Ok(Cached {
                        fetched_at: r.get(0)?,
                        body: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    /// Remember that fetching `key` (a URN or a document key) failed at `at`.
    pub fn record_spec_failure(&mut self, key: &str, at: i64, reason: &str) -> Result<(), Error> {
        self.conn
            .prepare_cached(
                "INSERT INTO spec_failures (key, failed_at, reason) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET failed_at = excluded.failed_at, reason = excluded.reason",
            )?
            .execute(params![key, at, reason])?;
        Ok(())
    }

    /// The failure of `key` if it happened at or after `since`.
    pub fn spec_failure(&self, key: &str, since: i64) -> Result<Option<Failure>, Error> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT failed_at, reason FROM spec_failures WHERE key = ?1 AND failed_at >= ?2",
            )?
            .query_row(params![key, since], |r| {
                Ok(Failure {
                    failed_at: r.get(0)?,
                    reason: r.get(1)?,
                })
            })
            .optional()?)
    }

    /// The keys that failed at or after `since`.
    pub fn recent_spec_failures(&self, since: i64) -> Result<HashSet<String>, Error> {
        let mut stmt = self
            .conn
            .prepare("SELECT key FROM spec_failures WHERE failed_at >= ?1")?;
        let rows = stmt.query_map([since], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How much the spec cache holds.
    pub fn spec_cache_counts(&self) -> Result<SpecCacheCounts, Error> {
        let n = |table: &str| -> Result<u64, Error> {
            let v: i64 =
                self.conn
                    .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
            Ok(count(v))
        };
        Ok(SpecCacheCounts {
            lists: n("spec_lists")?,
            entries: n("spec_list_entries")?,
            specs: n("spec_instances")?,
            documents: n("spec_documents")?,
            failures: n("spec_failures")?,
        })
    }
}

fn entry(
    (model, status, version, urn): (String, Option<String>, i64, String),
) -> Result<InstanceEntry, Error> {
    let version = u32::try_from(version).map_err(|_| Error::Corrupt {
        table: "spec_list_entries",
        column: "version",
        value: version.to_string(),
    })?;
    Ok(InstanceEntry {
        status: status.as_deref().map(Status::parse),
        model,
        version,
        type_: urn,
        ts: None,
        extra: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = r#"{"instances":[
        {"status":"released","model":"zhimi.airpurifier.ma4","version":1,"type":"urn:miot-spec-v2:device:air-purifier:0000A007:zhimi-ma4:1"},
        {"status":"released","model":"zhimi.airpurifier.ma4","version":2,"type":"urn:miot-spec-v2:device:air-purifier:0000A007:zhimi-ma4:2"},
        {"status":"debug","model":"zhimi.airpurifier.ma4","version":3,"type":"urn:miot-spec-v2:device:air-purifier:0000A007:zhimi-ma4:3"},
        {"model":"vendor.plug.x","version":1,"type":"urn:miot-spec-v2:device:outlet:0000A002:vendor-x:1"}]}"#;

    #[test]
    fn lists_round_trip_and_select() {
        let mut s = Store::open_in_memory().unwrap();
        assert!(s.spec_list("all").unwrap().is_none());
        let list = InstanceList::from_json(LIST).unwrap();
        s.put_spec_list("all", 1000, LIST.as_bytes(), &list)
            .unwrap();
        let c = s.spec_list("all").unwrap().unwrap();
        assert_eq!(c.body, LIST.as_bytes());
        assert_eq!(c.fetched_at, 1000);
        assert_eq!(s.spec_list_fetched_at("all").unwrap(), Some(1000));
        // MS4 of the reference: released v2 wins over debug v3.
        let m = s
            .spec_entries_for_model("all", "zhimi.airpurifier.ma4")
            .unwrap();
        assert_eq!(m.instances.len(), 3);
        assert_eq!(m.select("zhimi.airpurifier.ma4").unwrap().version, 2);
        // An entry without status stays without one (treated as released).
        let v = s.spec_entries_for_model("all", "vendor.plug.x").unwrap();
        assert_eq!(v.instances[0].status, None);
        assert!(
            s.spec_entries_for_model("all", "nope")
                .unwrap()
                .instances
                .is_empty()
        );
        // Replacing the list replaces its entries.
        let short = r#"{"instances":[{"status":"released","model":"a.b.c","version":1,"type":"urn:miot-spec-v2:device:light:0000A001:a-c:1"}]}"#;
        s.put_spec_list(
            "all",
            2000,
            short.as_bytes(),
            &InstanceList::from_json(short).unwrap(),
        )
        .unwrap();
        assert_eq!(s.spec_catalog("all").unwrap().len(), 1);
        assert_eq!(s.spec_cache_counts().unwrap().entries, 1);
    }

    #[test]
    fn specs_documents_and_failures() {
        let mut s = Store::open_in_memory().unwrap();
        let urn = "urn:miot-spec-v2:device:outlet:0000A002:vendor-x:1";
        let list = InstanceList::from_json(LIST).unwrap();
        s.put_spec_list("all", 1, LIST.as_bytes(), &list).unwrap();
        s.record_spec_failure(urn, 100, "404").unwrap();
        assert_eq!(s.spec_failure(urn, 50).unwrap().unwrap().reason, "404");
        assert!(s.spec_failure(urn, 101).unwrap().is_none());
        assert_eq!(s.recent_spec_failures(0).unwrap().len(), 1);
        // Bytes exactly as given, including odd spacing.
        let body = br#"{ "type":"x" , "description":"Plug","services":[]}"#;
        s.put_spec(urn, 200, "Plug", body).unwrap();
        assert_eq!(s.spec(urn).unwrap().unwrap().body, body);
        // A success clears the failure.
        assert!(s.spec_failure(urn, 0).unwrap().is_none());
        assert!(s.cached_spec_urns(0).unwrap().contains(urn));
        assert!(s.cached_spec_urns(201).unwrap().is_empty());
        let n = s
            .put_specs(
                300,
                [("urn:a", "A", &b"{}"[..]), ("urn:b", "B", &b"[]"[..])],
            )
            .unwrap();
        assert_eq!(n, 2);
        let cat = s.spec_catalog("all").unwrap();
        let x = cat.iter().find(|c| c.entry.type_ == urn).unwrap();
        assert_eq!(x.description.as_deref(), Some("Plug"));
        assert!(cat[0].description.is_none());
        s.put_spec_document("types:device", 5, b"{\"types\":[]}")
            .unwrap();
        assert_eq!(
            s.spec_document("types:device").unwrap().unwrap().fetched_at,
            5
        );
        assert!(s.spec_document("types:event").unwrap().is_none());
        let counts = s.spec_cache_counts().unwrap();
        assert_eq!(
            (
                counts.lists,
                counts.specs,
                counts.documents,
                counts.failures
            ),
            (1, 3, 1, 0)
        );
    }
}
