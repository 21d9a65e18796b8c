//! [`Fleet`]: a household of simulated devices, generated from a seed.
//!
//! Models come from a fixed catalogue of recognisable device kinds (air purifier, lights,
//! plug, fan, vacuum, humidifier, heater); each model's spec is chosen from the bundled
//! instances list with [`mikit_miot::select`]'s rule and read from the bundled corpus, so
//! every device runs a real published spec. Names, rooms, homes and regions follow the
//! catalogue; dids, tokens, MACs, home and room ids and uptimes come from the seed.

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};

use mikit_miot::{Instance, InstanceList};

use super::{DeviceInfo, SimDevice};
use crate::Error;
use crate::corpus::Corpus;
use crate::rng::{Rng, label};

/// One catalogue entry: model, name, home index, room, firmware, hardware.
struct Entry {
    model: &'static str,
    name: &'static str,
    home: usize,
    room: &'static str,
    fw_ver: &'static str,
    hw_ver: &'static str,
}

/// Homes: name and region. Three regions (a family home in China, a flat in Germany, a
/// holiday house in the US), as one Mi account sees them region by region.
const HOMES: [(&str, &str); 3] = [("Home", "cn"), ("Berlin flat", "de"), ("Lake house", "us")];

/// The catalogue, in fleet order. The first device (54 readable properties) is the one
/// benchmarks read in bulk. Every model's selected URN is in the bundled corpus (checked by
/// a test).
const CATALOGUE: &[Entry] = &[
    Entry {
        model: "zhimi.airpurifier.ma4",
        name: "Living room purifier",
        home: 0,
        room: "Living room",
        fw_ver: "2.1.8_0045",
        hw_ver: "esp32",
    },
    Entry {
        model: "yeelink.light.ceile",
        name: "Bedroom ceiling light",
        home: 0,
        room: "Bedroom",
        fw_ver: "2.0.6_0041",
        hw_ver: "esp32",
    },
    Entry {
        model: "cuco.plug.cp2d",
        name: "Office desk plug",
        home: 1,
        room: "Office",
        fw_ver: "1.0.1_0012",
        hw_ver: "esp8266",
    },
    Entry {
        model: "dreame.fan.l2146",
        name: "Study fan",
        home: 2,
        room: "Study",
        fw_ver: "1.1.3_0029",
        hw_ver: "esp32",
    },
    Entry {
        model: "roborock.vacuum.a09",
        name: "Robot vacuum",
        home: 0,
        room: "Hallway",
        fw_ver: "4.3.5_1226",
        hw_ver: "Linux",
    },
    Entry {
        model: "viomi.humidifier.h1",
        name: "Nursery humidifier",
        home: 1,
        room: "Nursery",
        fw_ver: "1.2.0_0020",
        hw_ver: "MW300",
    },
    Entry {
        model: "zhimi.heater.ma4",
        name: "Bathroom heater",
        home: 2,
        room: "Bathroom",
        fw_ver: "2.1.2_0013",
        hw_ver: "esp32",
    },
    Entry {
        model: "yeelink.light.monob",
        name: "Kitchen lamp",
        home: 1,
        room: "Kitchen",
        fw_ver: "2.0.6_0029",
        hw_ver: "esp32",
    },
];

/// A Xiaomi OUI (IEEE registry: 78:11:DC, Xiaomi Communications), the prefix of the MACs.
const OUI: [u8; 3] = [0x78, 0x11, 0xDC];

/// The bundled instances list, parsed once.
fn instances() -> Result<&'static InstanceList, Error> {
    static LIST: OnceLock<Result<InstanceList, String>> = OnceLock::new();
    LIST.get_or_init(|| {
        InstanceList::from_slice(Corpus::bundled().instances_json()).map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(|e| Error::BadConfig(format!("bundled instances list: {e}")))
}

/// The spec of `model` from `corpus`: the instances-list entry chosen by mikit's rule
/// ([`mikit_miot::Rule::PreferReleased`]) and its spec file. Returns the URN and the spec.
pub fn spec_for_model(corpus: &Corpus, model: &str) -> Result<(String, Instance), Error> {
    let list;
    let list_ref = if std::ptr::eq(corpus, Corpus::bundled()) {
        instances()?
    } else {
        list = InstanceList::from_slice(corpus.instances_json())
            .map_err(|e| Error::BadConfig(format!("instances list: {e}")))?;
        &list
    };
    let entry = list_ref
        .select(model)
        .map_err(|e| Error::BadConfig(e.to_string()))?;
    let bytes = corpus.spec(&entry.type_).ok_or_else(|| {
        Error::BadConfig(format!(
            "model {model}: its spec {} is not in the spec corpus",
            entry.type_
        ))
    })?;
    let spec = Instance::from_slice(bytes)
        .map_err(|e| Error::BadConfig(format!("spec {}: {e}", entry.type_)))?;
    Ok((entry.type_.clone(), spec))
}

/// `addr + n` (wrapping inside the address family).
fn nth_addr(addr: IpAddr, n: usize) -> IpAddr {
    match addr {
        IpAddr::V4(v4) => IpAddr::V4(
            u32::from(v4)
                .wrapping_add(u32::try_from(n).unwrap_or(u32::MAX))
                .into(),
        ),
        IpAddr::V6(v6) => IpAddr::V6(u128::from(v6).wrapping_add(n as u128).into()),
    }
}

/// A set of simulated devices.
#[derive(Debug)]
pub struct Fleet {
    devices: Vec<Arc<SimDevice>>,
}

impl Fleet {
    /// `count` devices from `seed`. With `port` 54321 (or any non-zero port) device `i`
    /// listens on `addr + i` (one real-looking device per loopback address); with port 0
    /// every device is on `addr` and its port is filled in when its server binds (see
    /// [`Fleet::generate_at`]).
    pub fn generate(seed: u64, count: usize, addr: IpAddr, port: u16) -> Result<Fleet, Error> {
        let addrs: Vec<SocketAddr> = (0..count)
            .map(|i| {
                let ip = if port == 0 { addr } else { nth_addr(addr, i) };
                SocketAddr::new(ip, port)
            })
            .collect();
        Self::generate_at(seed, &addrs)
    }

    /// One device per address in `addrs` (already bound ports, typically).
    pub fn generate_at(seed: u64, addrs: &[SocketAddr]) -> Result<Fleet, Error> {
        let corpus = Corpus::bundled();
        let mut rng = Rng::stream(&[seed, label("fleet")]);
        let homes: Vec<String> = HOMES
            .iter()
            .map(|_| rng.range(100_000_000, 999_999_999).to_string())
            .collect();
        let mut rooms: Vec<(usize, &str, String)> = Vec::new();
        let mut dids = HashSet::new();
        let mut devices = Vec::with_capacity(addrs.len());
        for (i, addr) in addrs.iter().enumerate() {
            let entry = &CATALOGUE[i % CATALOGUE.len()];
            let round = i / CATALOGUE.len();
            let (urn, spec) = spec_for_model(corpus, entry.model)?;
            let did = loop {
                let d = rng.range(100_000_000, 999_999_999);
                if dids.insert(d) {
                    break d;
                }
            };
            let mut token = [0u8; 16];
            for chunk in token.chunks_mut(8) {
                let bytes = rng.next_u64().to_be_bytes();
                chunk.copy_from_slice(&bytes[..chunk.len()]);
            }
            let tail = rng.next_u64().to_be_bytes();
            let mac = [OUI[0], OUI[1], OUI[2], tail[0], tail[1], tail[2]]
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect::<Vec<_>>()
                .join(":");
            let room_id = match rooms
                .iter()
                .find(|(h, r, _)| *h == entry.home && *r == entry.room)
            {
                Some((_, _, id)) => id.clone(),
                None => {
                    let id = rng.range(100_000_000, 999_999_999).to_string();
                    rooms.push((entry.home, entry.room, id.clone()));
                    id
                }
            };
            let uptime = u64::try_from(rng.range(3_600, 30 * 86_400)).unwrap_or(3_600);
            let (home, region) = HOMES[entry.home];
            let name = if round == 0 {
                entry.name.to_owned()
            } else {
                format!("{} {}", entry.name, round + 1)
            };
            let info = DeviceInfo {
                did: did.to_string(),
                name,
                model: entry.model.to_owned(),
                urn,
                token,
                mac,
                region: region.to_owned(),
                home_id: homes[entry.home].clone(),
                home: home.to_owned(),
                room_id,
                room: entry.room.to_owned(),
                ip: addr.ip(),
                port: addr.port(),
                fw_ver: entry.fw_ver.to_owned(),
                hw_ver: entry.hw_ver.to_owned(),
            };
            devices.push(Arc::new(SimDevice::new(spec, info).with_uptime(uptime)));
        }
        Ok(Fleet { devices })
    }

    /// The devices, in fleet order.
    pub fn devices(&self) -> &[Arc<SimDevice>] {
        &self.devices
    }

    /// The device with this did.
    pub fn by_did(&self, did: &str) -> Option<&Arc<SimDevice>> {
        self.devices.iter().find(|d| d.info().did == did)
    }

    /// `[{"did","name","model","ip","port","token","region"}]` (what `mikit emulator` prints).
    pub fn summary(&self) -> serde_json::Value {
        self.devices
            .iter()
            .map(|d| {
                let i = d.info();
                serde_json::json!({
                    "did": i.did,
                    "name": i.name,
                    "model": i.model,
                    "ip": i.ip.to_string(),
                    "port": i.port,
                    "token": i.token_hex(),
                    "region": i.region,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const LO: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    #[test]
    fn every_catalogue_model_has_a_bundled_spec() {
        for e in CATALOGUE {
            let (urn, spec) = spec_for_model(Corpus::bundled(), e.model).unwrap();
            assert_eq!(
                spec.type_.split(':').nth(3),
                urn.split(':').nth(3),
                "{}",
                e.model
            );
        }
        assert!(matches!(
            spec_for_model(Corpus::bundled(), "no.such.model"),
            Err(Error::BadConfig(_))
        ));
    }

    #[test]
    fn deterministic_and_varied() {
        let a = Fleet::generate(7, 12, LO, 0).unwrap();
        let b = Fleet::generate(7, 12, LO, 0).unwrap();
        let c = Fleet::generate(8, 12, LO, 0).unwrap();
        assert_eq!(a.summary(), b.summary());
        assert_ne!(a.summary(), c.summary());
        let infos: Vec<&DeviceInfo> = a.devices().iter().map(|d| d.info()).collect();
        let regions: HashSet<&str> = infos.iter().map(|i| i.region.as_str()).collect();
        assert!(regions.len() >= 3, "{regions:?}");
        let homes: HashSet<&str> = infos.iter().map(|i| i.home_id.as_str()).collect();
        assert!(homes.len() >= 2);
        let dids: HashSet<&str> = infos.iter().map(|i| i.did.as_str()).collect();
        assert_eq!(dids.len(), 12);
        let tokens: HashSet<[u8; 16]> = infos.iter().map(|i| i.token).collect();
        assert_eq!(tokens.len(), 12);
        for i in &infos {
            assert!(
                i.did.parse::<u32>().is_ok(),
                "did fits the miIO header: {}",
                i.did
            );
            assert_eq!(i.mac.len(), 17);
            assert!(i.mac.starts_with("78:11:DC:"));
        }
        assert_eq!(infos[0].name, "Living room purifier");
        assert_eq!(infos[8].name, "Living room purifier 2");
        // Same room of the same home → same room id.
        assert_eq!(infos[0].room_id, infos[8].room_id);
        assert_ne!(infos[0].room_id, infos[1].room_id);
        assert!(a.by_did(&infos[3].did).is_some());
        assert!(a.by_did("1").is_none());
    }

    #[test]
    fn first_regions_and_bulk_device() {
        let f = Fleet::generate(1, 4, LO, 0).unwrap();
        let regions: HashSet<&str> = f
            .devices()
            .iter()
            .map(|d| d.info().region.as_str())
            .collect();
        assert_eq!(regions.len(), 3, "the default four devices span cn, de, us");
        let readable = f.devices()[0]
            .spec()
            .services
            .iter()
            .flat_map(|s| s.properties())
            .filter(|p| p.is_readable())
            .count();
        assert!(readable >= 40, "{readable}");
    }

    #[test]
    fn addresses() {
        let f = Fleet::generate(1, 3, IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)), 54321).unwrap();
        let addrs: Vec<String> = f
            .devices()
            .iter()
            .map(|d| d.info().socket_addr().to_string())
            .collect();
        assert_eq!(
            addrs,
            ["127.0.0.2:54321", "127.0.0.3:54321", "127.0.0.4:54321"]
        );
        let f = Fleet::generate(1, 2, LO, 0).unwrap();
        assert!(f.devices().iter().all(|d| d.info().ip == LO));
    }
}
