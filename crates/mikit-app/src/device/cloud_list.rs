//! The devices of the Xiaomi account, listed by the cloud in every region asked and stored for
//! the [`super::registry`] (what `mikit cloud devices` and `mikit device list --refresh` do).

use std::collections::HashMap;

use mikit_micloud::device::RegionalDevice;
use mikit_micloud::{MiCloud, Region};
use mikit_store::{CloudDevice, Store};

use super::Error;

/// The outcome of [`refresh_cloud_devices`].
#[derive(Debug)]
pub struct CloudList {
    /// The devices stored, merged by did.
    pub rows: Vec<CloudDevice>,
    /// The regions that answered (their stored lists were replaced).
    pub listed: Vec<Region>,
    /// The regions that could not be listed, and why (their stored lists were kept).
    pub failed: Vec<(Region, mikit_micloud::Error)>,
}

/// (home id, room id, room name) of each did, from the homes of `regions`.
async fn rooms(api: &MiCloud, regions: &[Region]) -> HashMap<String, (String, String, String)> {
    let mut out = HashMap::new();
    for &region in regions {
        // Rooms are a nicety: a region whose homes cannot be read still lists its devices.
        let Ok(homes) = api.homes(region).await else {
            continue;
        };
        for home in homes.homelist.iter().chain(&homes.share_home_list) {
            for room in &home.roomlist {
                for did in &room.dids {
                    out.insert(
                        did.clone(),
                        (home.id.clone(), room.id.clone(), room.name.clone()),
                    );
                }
            }
        }
    }
    out
}

/// List the devices of the account in `regions` (with their rooms) and store the list of
/// every region that answered. Not one region answering is an error, not an empty list.
pub async fn refresh_cloud_devices(
    api: &MiCloud,
    store: &mut Store,
    regions: &[Region],
) -> Result<CloudList, Error> {
    let during = "listing the devices of the Xiaomi account";
    let (devices, mut failed) = api
        .devices_in(regions)
        .await
        .map_err(|source| Error::Cloud {
            during: during.into(),
            source,
        })?;
    if !failed.is_empty() && failed.len() == regions.len() {
        let (region, source) = failed.remove(0);
        return Err(Error::Cloud {
            during: format!("{during} (region {region} and every other region failed)"),
            source,
        });
    }
    let listed: Vec<Region> = regions
        .iter()
        .copied()
        .filter(|r| !failed.iter().any(|(f, _)| f == r))
        .collect();
    let with_devices: Vec<Region> = listed
        .iter()
        .copied()
        .filter(|r| devices.iter().any(|d| d.region == *r))
        .collect();
    let rooms = rooms(api, &with_devices).await;
    let now = jiff::Timestamp::now().as_second();
    let rows: Vec<CloudDevice> = devices.iter().map(|d| to_row(d, &rooms, now)).collect();

    let user_id = api.session().user_id.expose().clone();
    let store_err = |source| Error::Store {
        during: "storing the cloud device list",
        source,
    };
    let account = store
        .upsert_account("xiaomi", &user_id, None)
        .map_err(store_err)?;
    let names: Vec<&str> = listed.iter().map(|r| r.as_str()).collect();
    store
        .replace_cloud_devices(account, &names, &rows)
        .map_err(store_err)?;
    Ok(CloudList {
        rows,
        listed,
        failed,
    })
}

/// One stored row: the cloud record without its token (kept in its own column).
fn to_row(
    d: &RegionalDevice,
    rooms: &HashMap<String, (String, String, String)>,
    now: i64,
) -> CloudDevice {
    let dev = &d.device;
    let mut record = dev.clone();
    record.token = None;
    let room = rooms.get(&dev.did);
    CloudDevice {
        did: dev.did.clone(),
        region: d.region.as_str().to_owned(),
        name: dev.name.clone(),
        model: dev.model.clone(),
        urn: dev.spec_type.clone(),
        ip: dev.localip.clone().filter(|s| !s.is_empty()),
        mac: dev.mac.clone(),
        token: dev
            .token
            .as_ref()
            .map(|t| t.expose().clone())
            .filter(|t| !t.is_empty()),
        online: dev.is_online,
        home_id: room.map(|r| r.0.clone()),
        room_id: room.map(|r| r.1.clone()),
        room: room.map(|r| r.2.clone()),
        record: serde_json::to_string(&record).unwrap_or_default(),
        listed_at: now,
    }
}
