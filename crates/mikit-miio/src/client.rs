//! The async client: lazy handshake, stamps, message ids, retries, and the MIoT helpers.
//!
//! Rules (reference `miio-lan.md` §4, §6, §7, §11):
//! - handshake lazily, again after a timeout or after 120 s without any message from the
//!   device (node miio `lib/packet.js` `needsHandshake`);
//! - request stamp = last device stamp + whole seconds since it was received + 1;
//! - ids 1..=9998, +1 per request, +100 after a timeout (node miio `lib/network.js`, python-miio
//!   `miioprotocol.py`; devices ignore ids they have already seen, python-miio
//!   `device_cache.py`); retry the transient device errors -9999 and -30001 with the next id
//!   and no re-handshake (python-miio PR #1363);
//! - replies are matched on id; stale replies are dropped;
//! - a reply that fails checksum verification, or silence after a successful hello, means the
//!   token is wrong.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use tokio::net::UdpSocket;

use crate::crypto::{Cipher, Token};
use crate::error::{Error, Result, WrongTokenEvidence};
use crate::message::{JsonStyle, Request, Response};
use mikit_miot::item::{PropRead, PropResult, PropWrite};

use crate::miot::{ActionCall, ActionResult, Info, PropertyItem, PropertyResult};
use crate::packet::{self, DataHeader, HEADER_LEN, HELLO, HelloReply};

/// Default device port.
pub const PORT: u16 = 54321;
/// Ids wrap to 1 at this value (python-miio `_id`, node miio wraps at 10000).
const ID_WRAP: u32 = 9999;
/// Jump of the id counter after a timeout.
const ID_JUMP_AFTER_TIMEOUT: u32 = 100;
/// Receive buffer: the largest datagram the length field allows.
const RECV_BUF: usize = packet::MAX_DATAGRAM;

/// Client settings.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Time to wait for each reply (python-miio: 5 s).
    pub timeout: Duration,
    /// Retries after the first attempt (python-miio `retry_count = 3`: 4 attempts).
    pub retries: u32,
    /// Time to wait for each hello reply (node miio: 2 s).
    pub handshake_timeout: Duration,
    /// Hellos sent before giving up.
    pub handshake_attempts: u32,
    /// Re-handshake when nothing was received for this long (node miio: 120 s).
    pub idle_rehandshake: Duration,
    /// JSON style of requests.
    pub json_style: JsonStyle,
    /// Id of the previous request, e.g. persisted from an earlier run (0 = none yet).
    pub last_id: u32,
    /// Properties per `get_properties` request; larger reads are sliced (python-miio: 15,
    /// "too large udp datagrams, some devices are stricter").
    pub max_properties_per_request: usize,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(5),
            retries: 3,
            handshake_timeout: Duration::from_secs(2),
            handshake_attempts: 3,
            idle_rehandshake: Duration::from_secs(120),
            json_style: JsonStyle::Compact,
            last_id: 0,
            max_properties_per_request: 15,
        }
    }
}

/// Per-call options for [`Client::call_with`].
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    /// Per-attempt timeout for this call instead of [`ClientConfig::timeout`].
    pub timeout: Option<Duration>,
    /// Retries for this call instead of [`ClientConfig::retries`].
    pub retries: Option<u32>,
    /// Extra top-level request keys (e.g. `sid` for a gateway sub-device).
    pub extra: Map<String, Value>,
}

/// What the handshake taught us.
#[derive(Debug, Clone, Copy)]
struct Session {
    did: u32,
    stamp: u32,
    received_at: Instant,
}

/// An async miIO client for one device.
pub struct Client {
    addr: SocketAddr,
    socket: UdpSocket,
    cipher: Cipher,
    config: ClientConfig,
    session: Option<Session>,
    last_id: u32,
    /// A packet that verified with our token arrived during the current call.
    heard_device: bool,
    recv: Vec<u8>,
    send: Vec<u8>,
    json: Vec<u8>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("addr", &self.addr)
            .field("token", &"***")
            .field("did", &self.session.map(|s| s.did))
            .field("last_id", &self.last_id)
            .finish()
    }
}

enum Wait {
    Reply(Response),
    TimedOut,
}

impl Client {
    /// A client for the device at `addr` with default settings. Binds a local UDP socket;
    /// nothing is sent until the first call.
    pub async fn new(addr: SocketAddr, token: &Token) -> Result<Self> {
        Self::with_config(addr, token, ClientConfig::default()).await
    }

    /// A client with explicit settings.
    pub async fn with_config(
        addr: SocketAddr,
        token: &Token,
        config: ClientConfig,
    ) -> Result<Self> {
        let local: SocketAddr = if addr.is_ipv4() {
            (Ipv4Addr::UNSPECIFIED, 0).into()
        } else {
            (Ipv6Addr::UNSPECIFIED, 0).into()
        };
        let socket = UdpSocket::bind(local).await?;
        Ok(Self {
            addr,
            socket,
            cipher: Cipher::new(token),
            last_id: config.last_id % ID_WRAP,
            config,
            session: None,
            heard_device: false,
            recv: vec![0; RECV_BUF],
            send: Vec::with_capacity(1024),
            json: Vec::with_capacity(1024),
        })
    }

    /// The device address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The device id learnt from the last handshake.
    pub fn device_id(&self) -> Option<u32> {
        self.session.map(|s| s.did)
    }

    /// Id of the last request sent; persist it per device to avoid id reuse across runs.
    pub fn last_id(&self) -> u32 {
        self.last_id
    }

    /// Advance the id counter by `by`, wrapping within 1..=9998.
    fn advance_id(&mut self, by: u32) -> u32 {
        let mut id = self.last_id + by;
        if id >= ID_WRAP {
            id = id - ID_WRAP + 1;
        }
        self.last_id = id;
        id
    }

    /// Forget the session: the next call starts with a hello.
    pub fn reset_session(&mut self) {
        self.session = None;
    }

    /// Send hellos until the device answers; learn its did and stamp.
    pub async fn handshake(&mut self) -> Result<HelloReply> {
        let attempts = self.config.handshake_attempts.max(1);
        for _ in 0..attempts {
            self.socket.send_to(&HELLO, self.addr).await?;
            let deadline = tokio::time::Instant::now() + self.config.handshake_timeout;
            loop {
                let got =
                    tokio::time::timeout_at(deadline, self.socket.recv_from(&mut self.recv)).await;
                let Ok(got) = got else { break };
                let (n, src) = match got {
                    Ok(x) => x,
                    Err(e) if transient(&e) => continue,
                    Err(e) => return Err(e.into()),
                };
                if src != self.addr || n != HEADER_LEN {
                    continue;
                }
                match HelloReply::parse(&self.recv[..n]) {
                    Ok(reply) => {
                        self.session = Some(Session {
                            did: reply.did,
                            stamp: reply.stamp,
                            received_at: Instant::now(),
                        });
                        return Ok(reply);
                    }
                    Err(e) => tracing::debug!(%src, error = %e, "ignoring non-hello datagram"),
                }
            }
        }
        Err(Error::HandshakeTimeout {
            addr: self.addr,
            attempts,
        })
    }

    fn session_is_fresh(&self) -> bool {
        self.session
            .is_some_and(|s| s.received_at.elapsed() < self.config.idle_rehandshake)
    }

    /// Call `method` with `params` and return the `result`.
    pub async fn call(&mut self, method: &str, params: Value) -> Result<Value> {
        self.call_with(method, params, &CallOptions::default())
            .await
    }

    /// Call with per-call options (timeout, retries, extra keys).
    pub async fn call_with(
        &mut self,
        method: &str,
        params: Value,
        opts: &CallOptions,
    ) -> Result<Value> {
        let timeout = opts.timeout.unwrap_or(self.config.timeout);
        let attempts = opts.retries.unwrap_or(self.config.retries) + 1;
        let mut request = Request {
            id: 0,
            method: method.to_owned(),
            params,
            extra: opts.extra.clone(),
        };
        let mut hello_answered = false;
        self.heard_device = false;
        let mut id = self.advance_id(1);
        for attempt in 1..=attempts {
            if !self.session_is_fresh() {
                self.handshake().await?;
                hello_answered = true;
            }
            request.id = u64::from(id);
            self.send_request(&request).await?;
            match self.wait_reply(request.id, timeout).await? {
                Wait::Reply(resp) => match resp.outcome {
                    Ok(v) => return Ok(v),
                    Err(e) if e.is_recoverable() && attempt < attempts => {
                        tracing::debug!(code = e.code, id, "transient device error, retrying");
                        id = self.advance_id(1);
                    }
                    Err(e) => return Err(e.into()),
                },
                Wait::TimedOut => {
                    tracing::debug!(id, attempt, "request timed out");
                    self.session = None;
                    if attempt < attempts {
                        id = self.advance_id(ID_JUMP_AFTER_TIMEOUT);
                    }
                }
            }
        }
        if hello_answered && !self.heard_device {
            Err(Error::WrongToken {
                addr: self.addr,
                evidence: WrongTokenEvidence::SilentAfterHello,
            })
        } else {
            Err(Error::Timeout {
                addr: self.addr,
                method: method.to_owned(),
                attempts,
            })
        }
    }

    async fn send_request(&mut self, request: &Request) -> Result<()> {
        let Some(s) = self.session else {
            return Err(Error::HandshakeTimeout {
                addr: self.addr,
                attempts: 0,
            });
        };
        let elapsed = u32::try_from(s.received_at.elapsed().as_secs()).unwrap_or(u32::MAX);
        let stamp = s.stamp.wrapping_add(elapsed).wrapping_add(1);
        self.json.clear();
        request.write_json(self.config.json_style, &mut self.json);
        self.send.clear();
        packet::encode_into(
            DataHeader {
                unknown: 0,
                did: s.did,
                stamp,
            },
            &self.json,
            &self.cipher,
            &mut self.send,
        )?;
        self.socket.send_to(&self.send, self.addr).await?;
        Ok(())
    }

    async fn wait_reply(&mut self, id: u64, timeout: Duration) -> Result<Wait> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let got =
                tokio::time::timeout_at(deadline, self.socket.recv_from(&mut self.recv)).await;
            let Ok(got) = got else {
                return Ok(Wait::TimedOut);
            };
            let (n, src) = match got {
                Ok(x) => x,
                Err(e) if transient(&e) => continue,
                Err(e) => return Err(e.into()),
            };
            if src != self.addr || n == HEADER_LEN {
                // Another host, or a late hello reply.
                continue;
            }
            let (header, plaintext) =
                match packet::decode_in_place(&mut self.recv[..n], &self.cipher) {
                    Ok(x) => x,
                    Err(Error::ChecksumMismatch { .. }) => {
                        return Err(Error::WrongToken {
                            addr: self.addr,
                            evidence: WrongTokenEvidence::ChecksumMismatch,
                        });
                    }
                    Err(e) => {
                        tracing::debug!(%src, error = %e, "ignoring malformed datagram");
                        continue;
                    }
                };
            self.heard_device = true;
            // python-miio overwrites the device stamp from every response header.
            if let Some(s) = &mut self.session {
                s.stamp = header.stamp;
                s.received_at = Instant::now();
            }
            let resp = Response::parse(plaintext)?;
            if resp.id != id {
                tracing::debug!(got = resp.id, want = id, "dropping stale reply");
                continue;
            }
            return Ok(Wait::Reply(resp));
        }
    }

    /// `miIO.info`.
    pub async fn info(&mut self) -> Result<Info> {
        let v = self.call("miIO.info", Value::Array(Vec::new())).await?;
        serde_json::from_value(v).map_err(|e| Error::UnexpectedMessage {
            reason: format!("miIO.info result: {e}"),
        })
    }

    /// MIoT `get_properties` for `(siid, piid)` pairs (or [`PropRead`]s), sliced into
    /// requests of at most [`ClientConfig::max_properties_per_request`]. Per-item failures
    /// come back as non-zero [`PropResult::code`].
    pub async fn get_properties<P>(&mut self, props: &[P]) -> Result<Vec<PropResult>>
    where
        P: Copy + Into<PropRead>,
    {
        let items: Vec<PropertyItem> = props
            .iter()
            .map(|&p| {
                let p = p.into();
                PropertyItem::new(p.siid, p.piid, None)
            })
            .collect();
        self.property_call("get_properties", &items).await
    }

    /// MIoT `set_properties` for `(siid, piid, value)` triples (or [`PropWrite`]s), sliced
    /// like reads; per-item codes in the result.
    pub async fn set_properties<P>(&mut self, props: &[P]) -> Result<Vec<PropResult>>
    where
        P: Clone + Into<PropWrite>,
    {
        let items: Vec<PropertyItem> = props
            .iter()
            .map(|p| {
                let p = p.clone().into();
                PropertyItem::new(p.siid, p.piid, Some(p.value))
            })
            .collect();
        self.property_call("set_properties", &items).await
    }

    async fn property_call(
        &mut self,
        method: &str,
        items: &[PropertyItem],
    ) -> Result<Vec<PropResult>> {
        let mut out = Vec::with_capacity(items.len());
        for chunk in items.chunks(self.config.max_properties_per_request.max(1)) {
            let params = Value::Array(chunk.iter().map(PropertyItem::to_value).collect());
            let v = self.call(method, params).await?;
            let list = v.as_array().ok_or_else(|| Error::UnexpectedMessage {
                reason: format!("{method} result is not a list"),
            })?;
            for item in list {
                let r = PropertyResult::from_value(item).map_err(|e| Error::UnexpectedMessage {
                    reason: format!("{method} result item: {}", e.message),
                })?;
                out.push(r.into());
            }
        }
        Ok(out)
    }

    /// MIoT `action`; returns `out`. A negative code is [`Error::ActionFailed`].
    pub async fn action(&mut self, siid: u32, aiid: u32, args: Vec<Value>) -> Result<Vec<Value>> {
        let r = self
            .run_action(&mikit_miot::item::ActionCall { siid, aiid, args })
            .await?;
        if r.code < 0 {
            return Err(Error::ActionFailed {
                siid,
                aiid,
                code: r.code,
            });
        }
        Ok(r.out)
    }

    /// MIoT `action` with the device's code in the result (a failed action is not an error
    /// here: the caller shows its code).
    pub async fn run_action(
        &mut self,
        call: &mikit_miot::item::ActionCall,
    ) -> Result<mikit_miot::item::ActionResult> {
        let wire = ActionCall::new(call.siid, call.aiid, call.args.clone());
        let v = self.call("action", wire.to_value()).await?;
        Ok(ActionResult::from_value(&v).into())
    }
}

/// Errors a UDP receive can report for an earlier send (ICMP port unreachable on some
/// platforms); they say nothing about the current request.
fn transient(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::Interrupted
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn ids_wrap_and_jump() {
        let t = Token::new([0; 16]);
        let mut c = Client::new("127.0.0.1:9".parse().unwrap(), &t)
            .await
            .unwrap();
        assert_eq!(c.advance_id(1), 1);
        assert_eq!(c.advance_id(100), 101);
        c.last_id = 9997;
        assert_eq!(c.advance_id(1), 9998);
        assert_eq!(c.advance_id(1), 1);
        c.last_id = 9950;
        assert_eq!(c.advance_id(100), 52);
        assert!(!format!("{c:?}").contains("0000000000"));
    }
}
