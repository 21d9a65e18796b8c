//! Discovery: send the hello to a broadcast or unicast address and collect the replies.
//!
//! python-miio sends the hello to `<broadcast>` when no address is given and sends it three
//! times back-to-back (`miioprotocol.py discover`); replies are 32-byte headers with the
//! device's did and stamp, and the token only for unprovisioned devices (reference
//! `miio-lan.md` §4). Datagrams that are not hello replies (#1805: "expected 8497 but parsed 0")
//! are skipped.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use tokio::net::UdpSocket;

use crate::client::PORT;
use crate::crypto::Token;
use crate::error::Result;
use crate::packet::{HELLO, HelloReply};

/// The IPv4 limited broadcast address on the miIO port.
pub const BROADCAST: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::BROADCAST), PORT);

/// Hellos sent per discovery (python-miio sends 3; the repeats only guard against loss).
const HELLOS: usize = 3;

/// A device that answered the hello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovered {
    /// Address the reply came from.
    pub addr: SocketAddr,
    /// Device id.
    pub did: u32,
    /// Device stamp at reply time.
    pub stamp: u32,
    /// The token, when the device reveals it (unprovisioned); `None` for the `ff…`/`00…` markers.
    pub token: Option<Token>,
}

/// Send the hello to `target` (a broadcast or unicast address) and collect one entry per
/// replying address until `wait` has elapsed.
pub async fn discover(target: SocketAddr, wait: Duration) -> Result<Vec<Discovered>> {
    let local: SocketAddr = if target.is_ipv4() {
        (Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let socket = UdpSocket::bind(local).await?;
    if target.is_ipv4() {
        socket.set_broadcast(true)?;
    }
    for _ in 0..HELLOS {
        socket.send_to(&HELLO, target).await?;
    }
    let deadline = tokio::time::Instant::now() + wait;
    let mut found: Vec<Discovered> = Vec::new();
    let mut buf = [0u8; 2048];
    while let Ok(got) = tokio::time::timeout_at(deadline, socket.recv_from(&mut buf)).await {
        let (n, src) = match got {
            Ok(x) => x,
            Err(e) => {
                tracing::debug!(error = %e, "discovery receive error");
                continue;
            }
        };
        let reply = match HelloReply::parse(&buf[..n]) {
            Ok(r) => r,
            Err(e) => {
                tracing::debug!(%src, error = %e, "ignoring non-hello datagram");
                continue;
            }
        };
        if found.iter().any(|d| d.addr == src) {
            continue;
        }
        found.push(Discovered {
            addr: src,
            did: reply.did,
            stamp: reply.stamp,
            token: reply.token(),
        });
    }
    Ok(found)
}
