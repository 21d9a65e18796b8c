//! The account's devices, health events, weight records, and which event ranges were fetched.
//!
//! Rows are the store's own plain shapes; mapping the service's decoded items (or an archive's
//! rows) into them is the caller's job. Every row records where it came from (`origin`: `None`
//! = the cloud sync, `Some(kind)` = an imported archive). The first source of a row wins: a
//! write never replaces a row of another origin, and replaces its own origin's rows, so that
//! running the same sync or import twice changes nothing.

use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::{Map, Value};

use crate::query::stream;
use crate::{AccountId, Error, Store, payload};

/// One of the account's devices, as the last sync saw it.
#[derive(Clone, PartialEq, Eq)]
pub struct HuamiDeviceRow {
    /// `deviceId` (the MAC when the item has none).
    pub device_id: String,
    /// MAC address as given.
    pub mac: Option<String>,
    /// Model / product name as given.
    pub model: Option<String>,
    /// `deviceSource`.
    pub device_source: Option<i64>,
    /// `deviceType`.
    pub device_type: Option<i64>,
    /// Firmware version.
    pub firmware: Option<String>,
    /// Hardware version.
    pub hardware: Option<String>,
    /// Serial number.
    pub serial: Option<String>,
    /// Bound (true) or unbound (false), when said.
    pub active: Option<bool>,
    /// The Bluetooth auth key, 32 hex digits without a prefix. A secret: not in `Debug`.
    pub auth_key: Option<String>,
    /// The item as received (compact JSON).
    pub raw: String,
}

impl std::fmt::Debug for HuamiDeviceRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HuamiDeviceRow")
            .field("device_id", &self.device_id)
            .field("model", &self.model)
            .field("active", &self.active)
            .field("auth_key", &self.auth_key.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

/// One health reading.
#[derive(Clone, Debug, PartialEq)]
pub struct HealthEventRow {
    /// What the row holds: `stress`, `spo2`, `spo2_apnea`, `spo2_nightly`, `pai`, `hrv`,
    /// `readiness`, `respiratory_rate` (see migration 9 for the unit of each `value`).
    pub kind: String,
    /// UTC epoch seconds.
    pub ts: i64,
    /// UTC offset at `ts`, seconds east, when known.
    pub tz_offset: Option<i32>,
    /// The headline number.
    pub value: Option<f64>,
    /// The other decoded fields and series.
    pub detail: Map<String, Value>,
    /// The item as received (compact JSON); `None` for imported rows.
    pub raw: Option<String>,
}

/// A weight / body-composition record. Units are in the field names; NULL where the scale
/// measured nothing.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct WeightRow {
    /// UTC epoch seconds.
    pub ts: i64,
    /// The scale's id (its MAC without colons).
    pub device_id: Option<String>,
    /// Family member (`-1` = the account holder).
    pub member_id: Option<String>,
    /// kg.
    pub weight_kg: Option<f64>,
    /// cm.
    pub height_cm: Option<f64>,
    /// Body-mass index.
    pub bmi: Option<f64>,
    /// Body fat, %.
    pub fat_rate: Option<f64>,
    /// Body water, %.
    pub body_water_rate: Option<f64>,
    /// kg.
    pub bone_mass: Option<f64>,
    /// Basal metabolism, kcal.
    pub metabolism: Option<f64>,
    /// Muscle, as the scale reports it.
    pub muscle_rate: Option<f64>,
    /// Visceral fat rating.
    pub visceral_fat: Option<f64>,
    /// Impedance, Ω.
    pub impedance: Option<f64>,
    /// Body score.
    pub body_score: Option<f64>,
    /// Every other field of the record.
    #[serde(skip)]
    pub summary: Map<String, Value>,
    /// The record as received (compact JSON); `None` for imported rows.
    #[serde(skip)]
    pub raw: Option<String>,
}

/// A range of an event stream that was fetched successfully (even if empty).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FetchedRange<'a> {
    /// The request's stream (`stress`, `spo2`, …, `weight`).
    pub stream: &'a str,
    /// UTC epoch seconds, inclusive.
    pub from_ts: i64,
    /// UTC epoch seconds, inclusive.
    pub to_ts: i64,
}

/// What a write did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HealthWriteStats {
    /// Rows inserted or replaced.
    pub written: u64,
    /// Rows left as they were because another source wrote them first.
    pub kept: u64,
}

impl std::ops::AddAssign for HealthWriteStats {
    fn add_assign(&mut self, o: Self) {
        self.written += o.written;
        self.kept += o.kept;
    }
}

/// A stored row's origin, read back: `None` = no row; `Some(None)` = synced.
fn existing_origin(
    tx: &Transaction<'_>,
    sql: &str,
    key: impl rusqlite::Params,
) -> Result<Option<Option<String>>, Error> {
    Ok(tx
        .prepare_cached(sql)?
        .query_row(key, |r| r.get::<_, Option<String>>(0))
        .optional()?)
}

fn json_text(m: &Map<String, Value>) -> Result<Vec<u8>, Error> {
    payload::compress(
        serde_json::to_string(m)
            .map_err(|e| Error::Payload {
                what: "encoding",
                reason: e.to_string(),
            })?
            .as_bytes(),
    )
}

fn json_map(frame: &[u8], column: &'static str) -> Result<Map<String, Value>, Error> {
    let text = payload::decompress_text(frame)?;
    serde_json::from_str(&text).map_err(|_| Error::Corrupt {
        table: "health",
        column,
        value: text.chars().take(80).collect(),
    })
}

/// Record that `f` was fetched, merged with the stream's ranges it touches or overlaps.
fn record_fetch(
    tx: &Transaction<'_>,
    account: AccountId,
    f: &FetchedRange<'_>,
) -> Result<(), Error> {
    let (mut lo, mut hi) = (f.from_ts.min(f.to_ts), f.from_ts.max(f.to_ts));
    let touching: Vec<(i64, i64)> = tx
        .prepare_cached(
            "SELECT from_ts, to_ts FROM health_fetches
             WHERE account = ?1 AND stream = ?2 AND from_ts <= ?4 + 1 AND to_ts + 1 >= ?3",
        )?
        .query_map(params![account.0, f.stream, lo, hi], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    for (a, b) in touching {
        lo = lo.min(a);
        hi = hi.max(b);
        tx.prepare_cached(
            "DELETE FROM health_fetches WHERE account = ?1 AND stream = ?2 AND from_ts = ?3",
        )?
        .execute(params![account.0, f.stream, a])?;
    }
    tx.prepare_cached(
        "INSERT INTO health_fetches (account, stream, from_ts, to_ts) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![account.0, f.stream, lo, hi])?;
    Ok(())
}

impl Store {
    /// Replace the account's device list with `devices` (the last sync's view).
    pub fn write_huami_devices(
        &mut self,
        account: AccountId,
        devices: &[HuamiDeviceRow],
    ) -> Result<(), Error> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM huami_devices WHERE account = ?1", [account.0])?;
        for d in devices {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO huami_devices (account, device_id, mac, model, device_source, device_type,
                   firmware, hardware, serial, active, auth_key, raw_zstd)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?
            .execute(params![
                account.0,
                d.device_id,
                d.mac,
                d.model,
                d.device_source,
                d.device_type,
                d.firmware,
                d.hardware,
                d.serial,
                d.active,
                d.auth_key,
                payload::compress(d.raw.as_bytes())?
            ])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The account's devices as last synced, by device id.
    pub fn huami_devices(&self, account: AccountId) -> Result<Vec<HuamiDeviceRow>, Error> {
        let mut stmt = self.conn.prepare(
            "SELECT device_id, mac, model, device_source, device_type, firmware, hardware, serial, active,
                    auth_key, raw_zstd
             FROM huami_devices WHERE account = ?1 ORDER BY device_id",
        )?;
        let rows = stmt.query_map([account.0], |r| {
            Ok((
                HuamiDeviceRow {
                    device_id: r.get(0)?,
                    mac: r.get(1)?,
                    model: r.get(2)?,
                    device_source: r.get(3)?,
                    device_type: r.get(4)?,
                    firmware: r.get(5)?,
                    hardware: r.get(6)?,
                    serial: r.get(7)?,
                    active: r.get(8)?,
                    auth_key: r.get(9)?,
                    raw: String::new(),
                },
                r.get::<_, Vec<u8>>(10)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (mut d, frame) = row?;
            d.raw = payload::decompress_text(&frame)?;
            out.push(d);
        }
        Ok(out)
    }

    /// Write health events from `origin` (`None` = the sync) in one transaction, and record
    /// `fetched` (the request's range) in the same transaction, so that a killed sync leaves
    /// the range either unrecorded or complete.
    pub fn write_health_events(
        &mut self,
        account: AccountId,
        origin: Option<&str>,
        rows: &[HealthEventRow],
        fetched: Option<&FetchedRange<'_>>,
    ) -> Result<HealthWriteStats, Error> {
        let tx = self.conn.transaction()?;
        let mut stats = HealthWriteStats::default();
        for e in rows {
            let old = existing_origin(
                &tx,
                "SELECT origin FROM health_events WHERE account = ?1 AND kind = ?2 AND ts = ?3",
                params![account.0, e.kind, e.ts],
            )?;
            if matches!(&old, Some(o) if o.as_deref() != origin) {
                stats.kept += 1;
                continue;
            }
            let raw = e
                .raw
                .as_deref()
                .map(|r| payload::compress(r.as_bytes()))
                .transpose()?;
            tx.prepare_cached(
                "INSERT OR REPLACE INTO health_events (account, kind, ts, tz_offset, value, detail_zstd, raw_zstd, origin)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                account.0,
                e.kind,
                e.ts,
                e.tz_offset,
                e.value,
                json_text(&e.detail)?,
                raw,
                origin
            ])?;
            stats.written += 1;
        }
        if let Some(f) = fetched {
            record_fetch(&tx, account, f)?;
        }
        tx.commit()?;
        Ok(stats)
    }

    /// Health events of the given kinds (all when empty) with `from_ts <= ts < to_ts`, by time,
    /// streamed.
    pub fn for_each_health_event<E, F>(
        &self,
        account: AccountId,
        kinds: &[&str],
        from_ts: i64,
        to_ts: i64,
        mut f: F,
    ) -> Result<(), E>
    where
        E: From<Error>,
        F: FnMut(&HealthEventRow, Option<&str>) -> Result<(), E>,
    {
        let kinds_json = serde_json::to_string(kinds).unwrap_or_else(|_| "[]".to_owned());
        stream(
            &self.conn,
            "SELECT kind, ts, tz_offset, value, detail_zstd, raw_zstd, origin FROM health_events
             WHERE account = ?1 AND ts >= ?2 AND ts < ?3
               AND (json_array_length(?4) = 0 OR kind IN (SELECT value FROM json_each(?4)))
             ORDER BY ts, kind",
            params![account.0, from_ts, to_ts, kinds_json],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Option<i32>>(2)?,
                    r.get::<_, Option<f64>>(3)?,
                    r.get::<_, Vec<u8>>(4)?,
                    r.get::<_, Option<Vec<u8>>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                ))
            },
            |(kind, ts, tz, value, detail, raw, origin)| {
                let row = HealthEventRow {
                    kind: kind.clone(),
                    ts: *ts,
                    tz_offset: *tz,
                    value: *value,
                    detail: json_map(detail, "detail_zstd")?,
                    raw: raw.as_deref().map(payload::decompress_text).transpose()?,
                };
                f(&row, origin.as_deref())
            },
        )
    }

    /// The fetched ranges of `stream`, oldest first, as `(from_ts, to_ts)` (inclusive, merged
    /// where they touch). A time outside every range was never fetched; inside one without
    /// rows, nothing was measured.
    pub fn health_fetched(
        &self,
        account: AccountId,
        stream_name: &str,
    ) -> Result<Vec<(i64, i64)>, Error> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT from_ts, to_ts FROM health_fetches WHERE account = ?1 AND stream = ?2 ORDER BY from_ts",
        )?;
        let rows = stmt.query_map(params![account.0, stream_name], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every stream with a fetched range, and the account's count of rows per kind.
    pub fn health_counts(&self, account: AccountId) -> Result<Vec<(String, u64)>, Error> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, count(*) FROM health_events WHERE account = ?1 GROUP BY kind ORDER BY kind",
        )?;
        let rows = stmt.query_map([account.0], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        let mut out = Vec::new();
        for r in rows {
            let (k, n) = r?;
            out.push((k, u64::try_from(n).unwrap_or(0)));
        }
        Ok(out)
    }

    /// Write weight records from `origin` (`None` = the sync), and record `fetched`, in one
    /// transaction.
    pub fn write_weights(
        &mut self,
        account: AccountId,
        origin: Option<&str>,
        rows: &[WeightRow],
        fetched: Option<&FetchedRange<'_>>,
    ) -> Result<HealthWriteStats, Error> {
        let tx = self.conn.transaction()?;
        let mut stats = HealthWriteStats::default();
        for w in rows {
            let old = existing_origin(
                &tx,
                "SELECT origin FROM weight_records WHERE account = ?1 AND ts = ?2",
                params![account.0, w.ts],
            )?;
            if matches!(&old, Some(o) if o.as_deref() != origin) {
                stats.kept += 1;
                continue;
            }
            let raw = w
                .raw
                .as_deref()
                .map(|r| payload::compress(r.as_bytes()))
                .transpose()?;
            tx.prepare_cached(
                "INSERT OR REPLACE INTO weight_records (account, ts, device_id, member_id, weight_kg, height_cm, bmi,
                   fat_rate, body_water_rate, bone_mass, metabolism, muscle_rate, visceral_fat, impedance,
                   body_score, summary_zstd, raw_zstd, origin)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
            )?
            .execute(params![
                account.0,
                w.ts,
                w.device_id,
                w.member_id,
                w.weight_kg,
                w.height_cm,
                w.bmi,
                w.fat_rate,
                w.body_water_rate,
                w.bone_mass,
                w.metabolism,
                w.muscle_rate,
                w.visceral_fat,
                w.impedance,
                w.body_score,
                json_text(&w.summary)?,
                raw,
                origin
            ])?;
            stats.written += 1;
        }
        if let Some(f) = fetched {
            record_fetch(&tx, account, f)?;
        }
        tx.commit()?;
        Ok(stats)
    }

    /// Weight records with `from_ts <= ts < to_ts`, oldest first, streamed with their origin.
    pub fn for_each_weight<E, F>(
        &self,
        account: AccountId,
        from_ts: i64,
        to_ts: i64,
        mut f: F,
    ) -> Result<(), E>
    where
        E: From<Error>,
        F: FnMut(&WeightRow, Option<&str>) -> Result<(), E>,
    {
        stream(
            &self.conn,
            "SELECT ts, device_id, member_id, weight_kg, height_cm, bmi, fat_rate, body_water_rate, bone_mass,
                    metabolism, muscle_rate, visceral_fat, impedance, body_score, summary_zstd, raw_zstd, origin
             FROM weight_records WHERE account = ?1 AND ts >= ?2 AND ts < ?3 ORDER BY ts",
            params![account.0, from_ts, to_ts],
            |r| {
                Ok((
                    WeightRow {
                        ts: r.get(0)?,
                        device_id: r.get(1)?,
                        member_id: r.get(2)?,
                        weight_kg: r.get(3)?,
                        height_cm: r.get(4)?,
                        bmi: r.get(5)?,
                        fat_rate: r.get(6)?,
                        body_water_rate: r.get(7)?,
                        bone_mass: r.get(8)?,
                        metabolism: r.get(9)?,
                        muscle_rate: r.get(10)?,
                        visceral_fat: r.get(11)?,
                        impedance: r.get(12)?,
                        body_score: r.get(13)?,
                        summary: Map::new(),
                        raw: None,
                    },
                    r.get::<_, Vec<u8>>(14)?,
                    r.get::<_, Option<Vec<u8>>>(15)?,
                    r.get::<_, Option<String>>(16)?,
                ))
            },
            |(w, summary, raw, origin)| {
                let mut w = w.clone();
                w.summary = json_map(summary, "summary_zstd")?;
                w.raw = raw.as_deref().map(payload::decompress_text).transpose()?;
                f(&w, origin.as_deref())
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, ts: i64, value: f64) -> HealthEventRow {
        let mut detail = Map::new();
        detail.insert("v".into(), Value::from(value));
        HealthEventRow {
            kind: kind.into(),
            ts,
            tz_offset: Some(3600),
            value: Some(value),
            detail,
            raw: Some(format!("{{\"t\":{ts}}}")),
        }
    }

    fn all_events(
        s: &Store,
        a: AccountId,
        kinds: &[&str],
    ) -> Vec<(HealthEventRow, Option<String>)> {
        let mut out = Vec::new();
        s.for_each_health_event(a, kinds, i64::MIN, i64::MAX, |e, o| {
            out.push((e.clone(), o.map(str::to_owned)));
            Ok::<(), Error>(())
        })
        .unwrap();
        out
    }

    #[test]
    fn events_round_trip_and_the_first_source_wins() {
        let mut s = Store::open_in_memory().unwrap();
        let a = s.upsert_account("huami", "1", None).unwrap();
        let imported = [event("stress", 100, 40.0), event("spo2", 200, 97.0)];
        let st = s
            .write_health_events(a, Some("zepp-export"), &imported, None)
            .unwrap();
        assert_eq!(
            st,
            HealthWriteStats {
                written: 2,
                kept: 0
            }
        );
        // A sync with the same key keeps the imported row, adds the new one.
        let synced = [event("stress", 100, 99.0), event("stress", 300, 50.0)];
        let f = FetchedRange {
            stream: "stress",
            from_ts: 0,
            to_ts: 400,
        };
        let st = s.write_health_events(a, None, &synced, Some(&f)).unwrap();
        assert_eq!(
            st,
            HealthWriteStats {
                written: 1,
                kept: 1
            }
        );
        let rows = all_events(&s, a, &["stress"]);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0.value, Some(40.0));
        assert_eq!(rows[0].1.as_deref(), Some("zepp-export"));
        assert_eq!(rows[1].0, synced[1]);
        assert_eq!(rows[1].1, None);
        // Re-importing changes nothing; the same origin replaces its own rows.
        let before = s.content_digest().unwrap();
        s.write_health_events(a, Some("zepp-export"), &imported, None)
            .unwrap();
        assert_eq!(s.content_digest().unwrap(), before);
        assert_eq!(all_events(&s, a, &[]).len(), 3);
    }

    #[test]
    fn fetched_ranges_merge_and_tell_empty_from_missing() {
        let mut s = Store::open_in_memory().unwrap();
        let a = s.upsert_account("huami", "1", None).unwrap();
        let fetch = |s: &mut Store, from_ts: i64, to_ts: i64| {
            let f = FetchedRange {
                stream: "pai",
                from_ts,
                to_ts,
            };
            s.write_health_events(a, None, &[], Some(&f)).unwrap();
        };
        for (from, to) in [(300, 399), (0, 99), (100, 199), (50, 120)] {
            fetch(&mut s, from, to);
        }
        assert_eq!(
            s.health_fetched(a, "pai").unwrap(),
            vec![(0, 199), (300, 399)]
        );
        fetch(&mut s, 150, 350);
        assert_eq!(s.health_fetched(a, "pai").unwrap(), vec![(0, 399)]);
        assert!(s.health_fetched(a, "hrv").unwrap().is_empty());
    }

    #[test]
    fn weights_round_trip_and_devices_replace_and_hide_the_key() {
        let mut s = Store::open_in_memory().unwrap();
        let a = s.upsert_account("huami", "1", None).unwrap();
        let mut summary = Map::new();
        summary.insert("muscleAge".into(), Value::from(30));
        let w = WeightRow {
            ts: 1_700_000_000,
            weight_kg: Some(70.5),
            fat_rate: Some(20.1),
            summary,
            raw: Some("{}".into()),
            ..WeightRow::default()
        };
        s.write_weights(a, None, std::slice::from_ref(&w), None)
            .unwrap();
        let mut back = Vec::new();
        s.for_each_weight(a, 0, i64::MAX, |r, o| {
            back.push((r.clone(), o.map(str::to_owned)));
            Ok::<(), Error>(())
        })
        .unwrap();
        assert_eq!(back, vec![(w, None)]);

        let dev = |id: &str, key: Option<&str>| HuamiDeviceRow {
            device_id: id.into(),
            mac: Some("AA:BB".into()),
            model: Some("band".into()),
            device_source: Some(24),
            device_type: Some(0),
            firmware: None,
            hardware: None,
            serial: None,
            active: Some(true),
            auth_key: key.map(str::to_owned),
            raw: "{\"x\":1}".into(),
        };
        s.write_huami_devices(
            a,
            &[
                dev("a", Some("00112233445566778899aabbccddeeff")),
                dev("b", None),
            ],
        )
        .unwrap();
        s.write_huami_devices(a, &[dev("b", None)]).unwrap();
        let got = s.huami_devices(a).unwrap();
        assert_eq!(got, vec![dev("b", None)]);
        let shown = format!("{:?}", dev("a", Some("00112233445566778899aabbccddeeff")));
        assert!(!shown.contains("0011"), "{shown}");
    }
}
