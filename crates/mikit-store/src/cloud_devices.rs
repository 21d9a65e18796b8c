//! Mi Home cloud devices as `mikit cloud devices` last listed them (migration 3).
//!
//! `mikit device` resolves a name or did to a model, an address and a LAN token from here.

use rusqlite::{OptionalExtension, params};

use crate::{AccountId, Error, Store};

/// One device row.
#[derive(Clone, PartialEq, Eq)]
pub struct CloudDevice {
    /// Device id.
    pub did: String,
    /// The region whose API host listed it.
    pub region: String,
    /// User-given name.
    pub name: String,
    /// Model, e.g. `zhimi.airpurifier.ma2`.
    pub model: String,
    /// The MIoT URN (`spec_type`), if sent.
    pub urn: Option<String>,
    /// LAN address.
    pub ip: Option<String>,
    /// MAC address.
    pub mac: Option<String>,
    /// The miIO LAN token (32 hex). Hidden from `Debug`.
    pub token: Option<String>,
    /// Online as the cloud saw it.
    pub online: Option<bool>,
    /// Home id.
    pub home_id: Option<String>,
    /// Room id.
    pub room_id: Option<String>,
    /// Room name.
    pub room: Option<String>,
    /// The record as received, without its token (compact JSON).
    pub record: String,
    /// When it was listed (unix s).
    pub listed_at: i64,
}

impl std::fmt::Debug for CloudDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudDevice")
            .field("did", &self.did)
            .field("region", &self.region)
            .field("name", &self.name)
            .field("model", &self.model)
            .field("ip", &self.ip)
            .field("token", &self.token.as_ref().map(|_| "***"))
            .field("online", &self.online)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str = "did, region, name, model, urn, ip, mac, token, online, home_id, room_id, room, record, listed_at";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CloudDevice> {
    Ok(CloudDevice {
        did: r.get(0)?,
        region: r.get(1)?,
        name: r.get(2)?,
        model: r.get(3)?,
        urn: r.get(4)?,
        ip: r.get(5)?,
        mac: r.get(6)?,
        token: r.get(7)?,
        online: r.get::<_, Option<i64>>(8)?.map(|v| v != 0),
        home_id: r.get(9)?,
        room_id: r.get(10)?,
        room: r.get(11)?,
        record: r.get(12)?,
        listed_at: r.get(13)?,
    })
}

impl Store {
    /// Replace the stored devices of `account` in `regions` with `devices` (one transaction).
    ///
    /// Devices of other regions stay: `mikit cloud devices --region de` only refreshes `de`.
    pub fn replace_cloud_devices(
        &mut self,
        account: AccountId,
        regions: &[&str],
        devices: &[CloudDevice],
    ) -> Result<(), Error> {
        let tx = self.conn.transaction()?;
        {
            let mut del =
                tx.prepare_cached("DELETE FROM cloud_devices WHERE account = ?1 AND region = ?2")?;
            for r in regions {
                del.execute(params![account.0, r])?;
            }
            let mut ins = tx.prepare_cached(&format!(
                "INSERT OR REPLACE INTO cloud_devices (account, {COLUMNS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
            ))?;
            for d in devices {
                ins.execute(params![
                    account.0,
                    d.did,
                    d.region,
                    d.name,
                    d.model,
                    d.urn,
                    d.ip,
                    d.mac,
                    d.token,
                    d.online.map(i64::from),
                    d.home_id,
                    d.room_id,
                    d.room,
                    d.record,
                    d.listed_at
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The stored devices of `account`, by region then name.
    pub fn cloud_devices(&self, account: AccountId) -> Result<Vec<CloudDevice>, Error> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM cloud_devices WHERE account = ?1 ORDER BY region, name, did"
        ))?;
        let rows = stmt.query_map([account.0], from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A stored device of any account by did or exact name (did first).
    pub fn find_cloud_device(&self, did_or_name: &str) -> Result<Option<CloudDevice>, Error> {
        let by_did = self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM cloud_devices WHERE did = ?1 LIMIT 1"),
                [did_or_name],
                from_row,
            )
            .optional()?;
        if by_did.is_some() {
            return Ok(by_did);
        }
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM cloud_devices WHERE name = ?1 ORDER BY did LIMIT 1"
                ),
                [did_or_name],
                from_row,
            )
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(did: &str, region: &str, name: &str) -> CloudDevice {
        CloudDevice {
            did: did.into(),
            region: region.into(),
            name: name.into(),
            model: "zhimi.airpurifier.ma2".into(),
            urn: None,
            ip: Some("127.0.0.1".into()),
            mac: None,
            token: Some("00112233445566778899aabbccddeeff".into()),
            online: Some(true),
            home_id: None,
            room_id: None,
            room: Some("Kitchen".into()),
            record: "{}".into(),
            listed_at: 1_700_000_000,
        }
    }

    #[test]
    fn replace_by_region_and_find() {
        let mut s = Store::open_in_memory().unwrap();
        let a = s.upsert_account("xiaomi", "42", None).unwrap();
        s.replace_cloud_devices(
            a,
            &["cn", "de"],
            &[device("1", "cn", "Lamp"), device("2", "de", "Fan")],
        )
        .unwrap();
        assert_eq!(s.cloud_devices(a).unwrap().len(), 2);
        // Refreshing only `de` keeps `cn`.
        s.replace_cloud_devices(a, &["de"], &[device("3", "de", "Heater")])
            .unwrap();
        let dids: Vec<String> = s
            .cloud_devices(a)
            .unwrap()
            .into_iter()
            .map(|d| d.did)
            .collect();
        assert_eq!(dids, ["1", "3"]);
        assert_eq!(s.find_cloud_device("Heater").unwrap().unwrap().did, "3");
        assert_eq!(s.find_cloud_device("1").unwrap().unwrap().name, "Lamp");
        assert!(s.find_cloud_device("nope").unwrap().is_none());
    }

    #[test]
    fn debug_hides_the_token() {
        let d = device("1", "cn", "Lamp");
        let s = format!("{d:?}");
        assert!(!s.contains("00112233"), "{s}");
    }
}
