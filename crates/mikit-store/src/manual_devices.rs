//! Devices added by hand with `mikit device add` (migration 4): a name, a LAN address and
//! token, and the model and did when known.
//!
//! They belong to this machine rather than to an account. Names are unique ignoring case.

use rusqlite::{OptionalExtension, params};

use crate::{Error, Store};

/// One hand-added device.
#[derive(Clone, PartialEq, Eq)]
pub struct ManualDevice {
    /// The name the user gave it (unique ignoring case).
    pub name: String,
    /// LAN address.
    pub ip: String,
    /// UDP port (54321 for real devices).
    pub port: u16,
    /// The miIO LAN token (32 hex). Hidden from `Debug`.
    pub token: String,
    /// Model, if given or learned from `miIO.info`.
    pub model: Option<String>,
    /// Device id, if learned from the device.
    pub did: Option<String>,
    /// When it was added (unix s).
    pub added_at: i64,
}

impl std::fmt::Debug for ManualDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManualDevice")
            .field("name", &self.name)
            .field("ip", &self.ip)
            .field("port", &self.port)
            .field("token", &"***")
            .field("model", &self.model)
            .field("did", &self.did)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str = "name, ip, port, token, model, did, added_at";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ManualDevice> {
    Ok(ManualDevice {
        name: r.get(0)?,
        ip: r.get(1)?,
        // A port outside u16 can only come from a hand-edited database; 0 makes it unusable
        // (and visible) instead of failing every read.
        port: u16::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
        token: r.get(3)?,
        model: r.get(4)?,
        did: r.get(5)?,
        added_at: r.get(6)?,
    })
}

impl Store {
    /// Add a device; `false` (and nothing written) if a device of that name, ignoring case,
    /// already exists.
    pub fn add_manual_device(&mut self, device: &ManualDevice) -> Result<bool, Error> {
        let n = self.conn.execute(
            &format!(
                "INSERT OR IGNORE INTO manual_devices ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
            ),
            params![
                device.name,
                device.ip,
                i64::from(device.port),
                device.token,
                device.model,
                device.did,
                device.added_at
            ],
        )?;
        Ok(n == 1)
    }

    /// Every hand-added device, by name.
    pub fn manual_devices(&self) -> Result<Vec<ManualDevice>, Error> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM manual_devices ORDER BY name"
        ))?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The hand-added device with this name (ignoring case).
    pub fn manual_device(&self, name: &str) -> Result<Option<ManualDevice>, Error> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM manual_devices WHERE name = ?1"),
                [name],
                from_row,
            )
            .optional()?)
    }

    /// Remove the hand-added device with this name (ignoring case); `false` if there was none.
    pub fn remove_manual_device(&mut self, name: &str) -> Result<bool, Error> {
        let n = self
            .conn
            .execute("DELETE FROM manual_devices WHERE name = ?1", [name])?;
        Ok(n > 0)
    }

    /// Every stored cloud device of every Xiaomi account (the `mikit device` view of the
    /// cloud lists), by region then name.
    pub fn all_cloud_devices(&self) -> Result<Vec<crate::CloudDevice>, Error> {
        let mut out = Vec::new();
        for (account, _, _) in self.accounts("xiaomi")? {
            out.extend(self.cloud_devices(account)?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(name: &str) -> ManualDevice {
        ManualDevice {
            name: name.into(),
            ip: "192.168.1.20".into(),
            port: 54321,
            token: "00112233445566778899aabbccddeeff".into(),
            model: Some("yeelink.light.color1".into()),
            did: None,
            added_at: 1_700_000_000,
        }
    }

    #[test]
    fn add_list_find_remove() {
        let mut s = Store::open_in_memory().unwrap();
        assert!(s.add_manual_device(&device("Desk lamp")).unwrap());
        assert!(s.add_manual_device(&device("Attic fan")).unwrap());
        // Names are unique ignoring case; the first one stays.
        let mut other = device("DESK LAMP");
        other.ip = "10.0.0.1".into();
        assert!(!s.add_manual_device(&other).unwrap());
        let names: Vec<String> = s
            .manual_devices()
            .unwrap()
            .into_iter()
            .map(|d| d.name)
            .collect();
        assert_eq!(names, ["Attic fan", "Desk lamp"]);
        let found = s.manual_device("desk lamp").unwrap().unwrap();
        assert_eq!(found, device("Desk lamp"));
        assert!(s.remove_manual_device("DESK lamp").unwrap());
        assert!(!s.remove_manual_device("Desk lamp").unwrap());
        assert!(s.manual_device("Desk lamp").unwrap().is_none());
    }

    #[test]
    fn cloud_devices_of_every_account() {
        let mut s = Store::open_in_memory().unwrap();
        assert!(s.all_cloud_devices().unwrap().is_empty());
        let row = |did: &str| crate::CloudDevice {
            did: did.into(),
            region: "de".into(),
            name: format!("Lamp {did}"),
            model: "m".into(),
            urn: None,
            ip: None,
            mac: None,
            token: None,
            online: None,
            home_id: None,
            room_id: None,
            room: None,
            record: "{}".into(),
            listed_at: 0,
        };
        let a = s.upsert_account("xiaomi", "1", None).unwrap();
        let b = s.upsert_account("xiaomi", "2", None).unwrap();
        s.replace_cloud_devices(a, &["de"], &[row("10")]).unwrap();
        s.replace_cloud_devices(b, &["de"], &[row("20")]).unwrap();
        assert_eq!(s.all_cloud_devices().unwrap().len(), 2);
    }

    #[test]
    fn debug_hides_the_token() {
        let s = format!("{:?}", device("x"));
        assert!(!s.contains("00112233"), "{s}");
    }
}
