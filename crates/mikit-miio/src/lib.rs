//! # mikit-miio
//!
//! The miIO LAN protocol spoken by Wi-Fi Xiaomi / Mi Home devices on UDP port 54321: a sans-IO
//! codec (32-byte header, MD5 checksum, AES-128-CBC keyed from the device token, the hello
//! handshake, JSON-RPC messages with lenient decoding of firmware quirks), and on top of it an
//! async client, discovery, and a device-side server loop that answers through a [`Handler`].
//! The protocol is described in our reference `miio-lan.md`; comments cite its public sources.
//!
//! ```
//! use mikit_miio::{Client, DeviceError, Handler, Server, Token};
//! use serde_json::{Value, json};
//!
//! struct Lamp;
//! impl Handler for Lamp {
//!     fn handle(&self, method: &str, _params: &Value) -> Result<Value, DeviceError> {
//!         match method {
//!             "miIO.info" => Ok(json!({"model": "yeelink.light.color1"})),
//!             other => Err(DeviceError::method_not_found(other)),
//!         }
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), mikit_miio::Error> {
//! let token: Token = "00112233445566778899aabbccddeeff".parse()?;
//! let server = Server::bind("127.0.0.1:0".parse().unwrap(), token.clone(), 0x0404_a850, Lamp).await?;
//! let mut client = Client::new(server.local_addr(), &token).await?;
//! assert_eq!(client.info().await?.model, "yeelink.light.color1");
//! assert_eq!(client.device_id(), Some(0x0404_a850));
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! # Layout
//!
//! | module | holds |
//! |---|---|
//! | [`packet`] | header, [`HELLO`], [`HelloReply`], [`Packet`] encode/decode (strict, in place) |
//! | [`checksum`] | MD5 over the datagram with the token in the checksum slot; constant-time compare |
//! | [`crypto`] | [`Token`] (32 hex chars, secret), [`Cipher`]: key = MD5(token), IV = MD5(key ‖ token), AES-128-CBC |
//! | [`message`] | JSON-RPC [`Request`], [`Response`], [`DeviceError`], error codes, [`JsonStyle`] |
//! | [`lenient`] | JSON decoding that repairs the firmware bugs seen in the wild |
//! | [`miot`] | `get_properties` / `set_properties` / `action` shapes and `miIO.info` ([`Info`]) |
//! | [`client`] | [`Client`]: handshake, stamps, ids, retries, MIoT helpers |
//! | [`discovery`] | [`discover`]: hello to a broadcast/unicast address, collect replies |
//! | [`server`] | [`Server`] and the [`Handler`] trait: a device on a UDP socket |
//! | `error` | [`Error`] |

pub mod checksum;
pub mod client;
pub mod crypto;
pub mod discovery;
mod error;
pub mod lenient;
pub mod message;
pub mod miot;
pub mod packet;
pub mod server;

pub use client::{CallOptions, Client, ClientConfig, PORT};
pub use crypto::{Cipher, Token};
pub use discovery::{Discovered, discover};
pub use error::{Error, Result, WrongTokenEvidence};
pub use message::{DeviceError, JsonStyle, Request, Response};
pub use miot::{Info, PropertyResult};
pub use packet::{HELLO, HelloReply, HelloToken, Packet};
pub use server::{Handler, Reply, Server, ServerConfig};
