//! [`LanServers`]: the miIO UDP server of every device of a [`Fleet`].
//!
//! Each device gets its own `mikit_miio::Server` on its own address and port, like real
//! devices on a LAN. Taking a device offline closes its socket; bringing it back binds the
//! same address and port again with a fresh stamp (uptime 0), which is what a client sees
//! when a real device reboots.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use mikit_miio::{Server, ServerConfig, Token};
use tokio::net::UdpSocket;
use tokio::sync::Mutex;

use super::{Fleet, SimDevice};
use crate::Error;

/// The running LAN servers of a fleet.
#[derive(Debug)]
pub struct LanServers {
    fleet: Arc<Fleet>,
    servers: Mutex<Vec<Option<Server>>>,
}

async fn bind(addr: SocketAddr) -> Result<UdpSocket, Error> {
    UdpSocket::bind(addr)
        .await
        .map_err(|source| Error::Bind { addr, source })
}

fn serve(device: &Arc<SimDevice>, socket: UdpSocket) -> Result<Server, Error> {
    let info = device.info();
    let addr = info.socket_addr();
    let config = ServerConfig {
        // The LAN stamp is the device's uptime (reference miio-lan.md §12).
        boot_stamp: u32::try_from(device.uptime()).unwrap_or(u32::MAX),
        ..ServerConfig::default()
    };
    let handler: Arc<dyn mikit_miio::Handler> = device.clone();
    Server::from_socket(
        socket,
        Token::new(info.token),
        info.did_u32(),
        handler,
        config,
    )
    .map_err(|e| Error::Bind {
        addr,
        source: std::io::Error::other(e.to_string()),
    })
}

impl LanServers {
    /// Generate `count` devices from `seed` and start their servers on the current tokio
    /// runtime. Port 0: every device on an ephemeral port of `addr`. Another port (54321):
    /// device `i` on `addr + i` (all of 127.0.0.0/8 is loopback on Linux).
    pub async fn start(
        seed: u64,
        count: usize,
        addr: IpAddr,
        port: u16,
    ) -> Result<(Arc<Fleet>, LanServers), Error> {
        let planned = Fleet::generate(seed, count, addr, port)?;
        let mut sockets = Vec::with_capacity(count);
        let mut bound = Vec::with_capacity(count);
        for d in planned.devices() {
            let socket = bind(d.info().socket_addr()).await?;
            let local = socket.local_addr().map_err(|source| Error::Bind {
                addr: d.info().socket_addr(),
                source,
            })?;
            bound.push(local);
            sockets.push(socket);
        }
        // Same seed, now with the real ports.
        let fleet = Arc::new(Fleet::generate_at(seed, &bound)?);
        let mut servers = Vec::with_capacity(count);
        for (d, socket) in fleet.devices().iter().zip(sockets) {
            servers.push(Some(serve(d, socket)?));
        }
        Ok((
            fleet.clone(),
            LanServers {
                fleet,
                servers: Mutex::new(servers),
            },
        ))
    }

    /// The fleet served.
    pub fn fleet(&self) -> &Arc<Fleet> {
        &self.fleet
    }

    /// Stop (`false`) or restart (`true`) the server of device `did` and flip its `online`
    /// flag. Returns `false` if no device has this did.
    pub async fn set_online(&self, did: &str, online: bool) -> Result<bool, Error> {
        let Some(index) = self
            .fleet
            .devices()
            .iter()
            .position(|d| d.info().did == did)
        else {
            return Ok(false);
        };
        let device = &self.fleet.devices()[index];
        let mut servers = self.servers.lock().await;
        let Some(slot) = servers.get_mut(index) else {
            return Ok(false);
        };
        if online {
            if slot.is_none() {
                // Reboot: uptime (and so the LAN stamp) restarts at 0.
                device.set_online(true);
                let socket = bind(device.info().socket_addr()).await?;
                *slot = Some(serve(device, socket)?);
            }
        } else {
            device.set_online(false);
            if let Some(server) = slot.take() {
                server.shutdown().await;
            }
        }
        Ok(true)
    }

    /// Stop every server.
    pub async fn shutdown(&self) {
        let mut servers = self.servers.lock().await;
        for server in servers.iter_mut().filter_map(Option::take) {
            server.shutdown().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use mikit_miio::{Client, ClientConfig, Error as MiioError};
    use serde_json::json;

    use super::*;

    fn quick() -> ClientConfig {
        ClientConfig {
            timeout: Duration::from_millis(300),
            retries: 1,
            handshake_timeout: Duration::from_millis(300),
            handshake_attempts: 2,
            ..ClientConfig::default()
        }
    }

    #[tokio::test]
    async fn devices_answer_and_survive_a_reboot() {
        let addr: IpAddr = "127.0.0.3".parse().unwrap();
        let (fleet, lan) = LanServers::start(3, 2, addr, 0).await.unwrap();
        let d = fleet.devices()[1].clone();
        let info = d.info().clone();
        assert_eq!(info.ip, addr);
        assert_ne!(info.port, 0, "real port filled in");
        assert_ne!(fleet.devices()[0].info().port, info.port);

        let mut c = Client::with_config(info.socket_addr(), &Token::new(info.token), quick())
            .await
            .unwrap();
        let got = c.info().await.unwrap();
        assert_eq!(got.model, info.model);
        assert_eq!(c.device_id(), Some(info.did_u32()));
        let stamp_before = c.handshake().await.unwrap().stamp;
        assert!(stamp_before >= 3_600, "seeded uptime");

        let r = c
            .call("get_properties", json!([{"did":"x","siid":2,"piid":1}]))
            .await
            .unwrap();
        assert_eq!(r[0]["did"], "x");

        assert!(lan.set_online(&info.did, false).await.unwrap());
        assert!(!d.online());
        assert!(matches!(
            c.info().await,
            Err(MiioError::HandshakeTimeout { .. } | MiioError::Timeout { .. })
        ));
        assert!(lan.set_online(&info.did, true).await.unwrap());
        assert!(d.online());
        // Same address and port, fresh stamp; the same client carries on.
        assert_eq!(c.info().await.unwrap().model, info.model);
        let stamp_after = c.handshake().await.unwrap().stamp;
        assert!(stamp_after < stamp_before, "{stamp_after} < {stamp_before}");
        assert!(!lan.set_online("1", true).await.unwrap());
        lan.shutdown().await;
    }
}
