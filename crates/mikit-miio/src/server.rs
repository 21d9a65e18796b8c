//! The device side: a UDP loop that answers hellos and encrypted JSON-RPC requests through a
//! [`Handler`], following the "emulator must" list of reference `miio-lan.md` §12:
//!
//! - replies go to the request's source address and port (a new port per request is fine);
//! - only the exact hello gets a 32-byte reply (unknown 0, did, stamp = seconds since simulated
//!   boot, token field per [`HelloToken`]); other 32-byte datagrams are ignored;
//! - payload packets with a bad magic, length, alignment or checksum get **no** reply (a
//!   client then times out, as with a real device and a wrong token);
//! - requests with or without trailing NULs and with python-miio spacing are accepted;
//! - replies carry the same did, the device's current stamp, the echoed id, compact JSON
//!   without NUL (optionally `exe_time`);
//! - already-seen ids are ignored (switchable), as real devices do (python-miio
//!   `device_cache.py`);
//! - stamps older than a small window are ignored; optionally stamps too far ahead too, which
//!   reproduces a rebooted device ignoring a client that still counts from its old stamp
//!   (python-miio PR #13);
//! - fault injection: drop replies, ignore requests, and (through [`Handler::respond`]) silence,
//!   `-9999`, `exe_time` and raw malformed payloads.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::net::UdpSocket;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::crypto::{Cipher, Token};
use crate::error::Result;
use crate::message::{DeviceError, JsonStyle, Request, Response};
use crate::packet::{self, DataHeader, HEADER_LEN, HelloReply, HelloToken};

/// Answers the JSON-RPC requests of a simulated device.
///
/// Synchronous on purpose: handlers are fast in-memory lookups, and calling them inline on the
/// socket task keeps replies ordered and the loop allocation-light. Use interior mutability
/// (`Mutex`) for state.
pub trait Handler: Send + Sync + 'static {
    /// Answer `method` with `params`: the `result`, or an error object.
    fn handle(&self, method: &str, params: &Value) -> Result<Value, DeviceError>;

    /// Full control over the reply (fault injection, `exe_time`, raw payloads). The default
    /// calls [`Handler::handle`].
    fn respond(&self, request: &Request, ctx: &RequestContext) -> Reply {
        let _ = ctx;
        Reply::Result(self.handle(&request.method, &request.params))
    }
}

/// Where a request came from and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestContext {
    /// Sender.
    pub peer: SocketAddr,
    /// Stamp in the request header.
    pub request_stamp: u32,
    /// Device stamp now.
    pub device_stamp: u32,
}

/// What the server sends back for one request.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// `{"id", "result"}` or `{"id", "error"}`.
    Result(Result<Value, DeviceError>),
    /// Same, with `"exe_time": ms` (as many real devices add).
    WithExeTime(Result<Value, DeviceError>, u64),
    /// No reply at all (the client times out).
    Silence,
    /// This exact plaintext, encrypted (malformed-JSON injection, reference §5.3).
    RawPayload(Vec<u8>),
}

/// Server settings.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Checksum field of hello replies (default `ff…ff`: provisioned device).
    pub hello_token: HelloToken,
    /// Device stamp at bind time (seconds since simulated boot); it then advances with time.
    pub boot_stamp: u32,
    /// Ignore requests whose stamp is more than this many seconds behind the device stamp.
    pub stamp_behind: Option<u32>,
    /// Ignore requests whose stamp is more than this many seconds ahead of the device stamp.
    pub stamp_ahead: Option<u32>,
    /// Ignore requests whose id was seen within [`ServerConfig::dedupe_window`].
    pub dedupe_ids: bool,
    /// How long a seen id is remembered.
    pub dedupe_window: Duration,
    /// JSON style of replies.
    pub json_style: JsonStyle,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            hello_token: HelloToken::HiddenFf,
            boot_stamp: 0,
            stamp_behind: Some(60),
            stamp_ahead: None,
            dedupe_ids: true,
            dedupe_window: Duration::from_secs(60),
            json_style: JsonStyle::Compact,
        }
    }
}

/// Fault switches of a running server; shared through [`Server::faults`].
#[derive(Debug, Default)]
pub struct Faults {
    drop_replies: AtomicU32,
    ignore_requests: AtomicU32,
}

impl Faults {
    /// Handle the next `n` requests but do not send their replies (a lost reply datagram).
    pub fn drop_replies(&self, n: u32) {
        self.drop_replies.store(n, Ordering::SeqCst);
    }

    /// Ignore the next `n` requests entirely (a lost request datagram).
    pub fn ignore_requests(&self, n: u32) {
        self.ignore_requests.store(n, Ordering::SeqCst);
    }

    fn take(counter: &AtomicU32) -> bool {
        counter
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }
}

/// A running device-side server on the current tokio runtime. Dropping it stops the loop.
pub struct Server {
    local_addr: SocketAddr,
    faults: Arc<Faults>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("local_addr", &self.local_addr)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Bind `addr` and serve device `did` with `token` and default settings.
    pub async fn bind(
        addr: SocketAddr,
        token: Token,
        did: u32,
        handler: impl Handler,
    ) -> Result<Self> {
        Self::bind_with(addr, token, did, Arc::new(handler), ServerConfig::default()).await
    }

    /// Bind with explicit settings and a shared handler.
    pub async fn bind_with(
        addr: SocketAddr,
        token: Token,
        did: u32,
        handler: Arc<dyn Handler>,
        config: ServerConfig,
    ) -> Result<Self> {
        let socket = UdpSocket::bind(addr).await?;
        Self::from_socket(socket, token, did, handler, config)
    }

    /// Serve on a socket that is already bound (e.g. bound early to learn an ephemeral port
    /// before the device is built). Must be called inside a tokio runtime.
    pub fn from_socket(
        socket: UdpSocket,
        token: Token,
        did: u32,
        handler: Arc<dyn Handler>,
        config: ServerConfig,
    ) -> Result<Self> {
        let local_addr = socket.local_addr()?;
        let faults = Arc::new(Faults::default());
        let (stop, stopped) = oneshot::channel();
        let device = Device {
            cipher: Cipher::new(&token),
            did,
            booted: Instant::now(),
            config,
            handler,
            faults: faults.clone(),
            seen: VecDeque::new(),
            json: Vec::with_capacity(1024),
        };
        let task = tokio::spawn(run(socket, device, stopped));
        Ok(Self {
            local_addr,
            faults,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The bound address (with the real port when bound to port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Fault switches.
    pub fn faults(&self) -> &Arc<Faults> {
        &self.faults
    }

    /// Stop the loop and wait until the socket is closed (the port can then be bound again).
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// The device state owned by the loop.
struct Device {
    cipher: Cipher,
    did: u32,
    booted: Instant,
    config: ServerConfig,
    handler: Arc<dyn Handler>,
    faults: Arc<Faults>,
    seen: VecDeque<(u64, Instant)>,
    json: Vec<u8>,
}

/// Most ids remembered for de-duplication.
const SEEN_MAX: usize = 256;

impl Device {
    fn stamp(&self) -> u32 {
        let up = u32::try_from(self.booted.elapsed().as_secs()).unwrap_or(u32::MAX);
        self.config.boot_stamp.wrapping_add(up)
    }

    fn stamp_acceptable(&self, request: u32, device: u32) -> bool {
        // Signed distance on the 32-bit circle: positive when the request is ahead.
        let ahead = request.wrapping_sub(device) as i32;
        let too_old = self
            .config
            .stamp_behind
            .is_some_and(|b| i64::from(ahead) < -i64::from(b));
        let too_new = self
            .config
            .stamp_ahead
            .is_some_and(|a| i64::from(ahead) > i64::from(a));
        !too_old && !too_new
    }

    /// True when `id` was seen recently; records it otherwise.
    fn duplicate(&mut self, id: u64) -> bool {
        let now = Instant::now();
        while self
            .seen
            .front()
            .is_some_and(|(_, t)| now.duration_since(*t) > self.config.dedupe_window)
        {
            self.seen.pop_front();
        }
        if self.seen.iter().any(|(i, _)| *i == id) {
            return true;
        }
        if self.seen.len() == SEEN_MAX {
            self.seen.pop_front();
        }
        self.seen.push_back((id, now));
        false
    }

    /// Process one datagram; the reply (if any) is written to `out`.
    fn process(&mut self, datagram: &mut [u8], peer: SocketAddr, out: &mut Vec<u8>) -> bool {
        out.clear();
        let now_stamp = self.stamp();
        if datagram.len() == HEADER_LEN {
            if packet::is_hello(datagram) {
                out.extend_from_slice(
                    &HelloReply::new(self.did, now_stamp, &self.config.hello_token).to_bytes(),
                );
                return true;
            }
            return false;
        }
        let (header, plaintext) = match packet::decode_in_place(datagram, &self.cipher) {
            Ok(x) => x,
            Err(e) => {
                tracing::debug!(%peer, error = %e, "dropping packet");
                return false;
            }
        };
        if !self.stamp_acceptable(header.stamp, now_stamp) {
            tracing::debug!(%peer, stamp = header.stamp, device = now_stamp, "dropping request: stamp out of window");
            return false;
        }
        let request = match Request::parse(plaintext) {
            Ok(r) => r,
            Err(e) => {
                tracing::debug!(%peer, error = %e, "dropping request: not a JSON-RPC request");
                return false;
            }
        };
        if self.config.dedupe_ids && self.duplicate(request.id) {
            tracing::debug!(%peer, id = request.id, "dropping request: id already seen");
            return false;
        }
        if Faults::take(&self.faults.ignore_requests) {
            return false;
        }
        let ctx = RequestContext {
            peer,
            request_stamp: header.stamp,
            device_stamp: now_stamp,
        };
        self.json.clear();
        match self.handler.respond(&request, &ctx) {
            Reply::Silence => return false,
            Reply::Result(outcome) => Response {
                id: request.id,
                outcome,
                exe_time: None,
                extra: Default::default(),
            }
            .write_json(self.config.json_style, &mut self.json),
            Reply::WithExeTime(outcome, ms) => {
                Response {
                    id: request.id,
                    outcome,
                    exe_time: Some(ms),
                    extra: Default::default(),
                }
                .write_json(self.config.json_style, &mut self.json);
            }
            Reply::RawPayload(raw) => self.json.extend_from_slice(&raw),
        }
        if Faults::take(&self.faults.drop_replies) {
            return false;
        }
        let header = DataHeader {
            unknown: 0,
            did: self.did,
            stamp: self.stamp(),
        };
        match packet::encode_into(header, &self.json, &self.cipher, out) {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(error = %e, "reply does not fit a packet");
                false
            }
        }
    }
}

async fn run(socket: UdpSocket, mut device: Device, mut stopped: oneshot::Receiver<()>) {
    let mut buf = vec![0u8; packet::MAX_DATAGRAM];
    let mut out = Vec::with_capacity(2048);
    loop {
        let got = tokio::select! {
            _ = &mut stopped => return,
            got = socket.recv_from(&mut buf) => got,
        };
        let (n, peer) = match got {
            Ok(x) => x,
            Err(e) => {
                // ICMP errors for earlier replies (the client went away) and the like.
                tracing::debug!(error = %e, "receive error");
                continue;
            }
        };
        if device.process(&mut buf[..n], peer, &mut out)
            && let Err(e) = socket.send_to(&out, peer).await
        {
            tracing::debug!(%peer, error = %e, "send failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Echo;
    impl Handler for Echo {
        fn handle(&self, method: &str, params: &Value) -> Result<Value, DeviceError> {
            Ok(serde_json::json!([method, params]))
        }
    }

    fn device(config: ServerConfig) -> Device {
        Device {
            cipher: Cipher::new(&Token::new([1; 16])),
            did: 0x1234,
            booted: Instant::now(),
            config,
            handler: Arc::new(Echo),
            faults: Arc::new(Faults::default()),
            seen: VecDeque::new(),
            json: Vec::new(),
        }
    }

    fn request(d: &Device, id: u64, stamp: u32) -> Vec<u8> {
        let json = Request::new(id, "m", Value::Array(vec![])).to_json(JsonStyle::Python);
        let mut out = Vec::new();
        packet::encode_into(
            DataHeader {
                unknown: 0,
                did: d.did,
                stamp,
            },
            &json,
            &d.cipher,
            &mut out,
        )
        .unwrap();
        out
    }

    #[test]
    fn stamp_window_and_dedupe() {
        let peer: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let mut d = device(ServerConfig {
            boot_stamp: 1000,
            stamp_ahead: Some(10),
            ..Default::default()
        });
        let mut out = Vec::new();
        assert!(
            d.process(&mut request(&d, 1, 1000), peer, &mut out),
            "equal stamp accepted"
        );
        assert!(
            !d.process(&mut request(&d, 1, 1000), peer, &mut out),
            "duplicate id ignored"
        );
        assert!(
            d.process(&mut request(&d, 2, 950), peer, &mut out),
            "slightly behind accepted"
        );
        assert!(
            !d.process(&mut request(&d, 3, 900), peer, &mut out),
            "far behind ignored"
        );
        assert!(
            !d.process(&mut request(&d, 4, 2000), peer, &mut out),
            "far ahead ignored"
        );
        d.config.dedupe_ids = false;
        assert!(d.process(&mut request(&d, 2, 1001), peer, &mut out));
        assert!(d.process(&mut request(&d, 2, 1001), peer, &mut out));
    }

    #[test]
    fn malformed_packets_get_no_reply() {
        let peer: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let mut d = device(ServerConfig::default());
        let mut out = Vec::new();
        let good = request(&d, 1, 0);
        let mut bad_sum = good.clone();
        bad_sum[20] ^= 1;
        let mut bad_len = good.clone();
        bad_len.push(0);
        let mut bad_magic = good.clone();
        bad_magic[1] = 0;
        let other_token = {
            let c = Cipher::new(&Token::new([2; 16]));
            let mut o = Vec::new();
            let json = Request::new(9, "m", Value::Null).to_json(JsonStyle::Compact);
            packet::encode_into(
                DataHeader {
                    unknown: 0,
                    did: d.did,
                    stamp: 0,
                },
                &json,
                &c,
                &mut o,
            )
            .unwrap();
            o
        };
        for mut p in [
            bad_sum,
            bad_len,
            bad_magic,
            other_token,
            good[..40].to_vec(),
        ] {
            assert!(!d.process(&mut p, peer, &mut out));
        }
        let mut not_json = Vec::new();
        packet::encode_into(
            DataHeader {
                unknown: 0,
                did: d.did,
                stamp: 0,
            },
            b"{oops",
            &d.cipher,
            &mut not_json,
        )
        .unwrap();
        assert!(!d.process(&mut not_json, peer, &mut out));
        // The good packet still works, and the reply echoes its id under the device's did.
        assert!(d.process(&mut good.clone(), peer, &mut out));
        let reply = crate::Packet::decode(&out, &d.cipher).unwrap();
        assert_eq!(reply.did, d.did);
        assert_eq!(Response::parse(&reply.payload).unwrap().id, 1);
    }

    #[test]
    fn hello_only_for_exact_bytes() {
        let peer: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let mut d = device(ServerConfig::default());
        let mut out = Vec::new();
        assert!(d.process(&mut packet::HELLO.clone(), peer, &mut out));
        let r = HelloReply::parse(&out).unwrap();
        assert_eq!((r.did, r.token()), (0x1234, None));
        let mut other = packet::HELLO;
        other[31] = 0;
        assert!(!d.process(&mut other, peer, &mut out));
        assert!(!d.process(&mut [0u8; 5], peer, &mut out));
    }
}
