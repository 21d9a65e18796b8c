//! `mikit miio …`: talk to a Wi-Fi device directly on the LAN with its token (miIO, UDP
//! 54321), find devices, measure them, and simulate one.
//!
//! Exit codes: 3 the device rejects the token, 4 the device cannot be reached, 5 the device
//! answered with an error (an RPC error or a failed MIoT item).

pub mod bench;
pub mod call;
pub mod discover;
pub mod info;
pub mod simulate;

use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use mikit_app::device::{ItemFailure, ItemsFailed};
use mikit_core::Secret;
use mikit_miio::{Client, ClientConfig, Token};
use serde_json::Value;

use crate::context::Ctx;

/// `mikit miio …`
#[derive(Debug, Subcommand)]
pub enum MiioCommand {
    /// Find devices: send the miIO hello to a broadcast or unicast address and list who
    /// answers (device id, uptime stamp, and the token if the device still reveals it).
    Discover(discover::Cmd),
    /// Ask a device who it is (`miIO.info`): model, firmware, hardware, MAC, network.
    Info(info::Cmd),
    /// Call any method of a device and print its result as JSON, e.g. `get_properties`,
    /// `set_properties`, `action` or a legacy method like `get_prop`.
    Call(call::Cmd),
    /// Measure a device like redis-benchmark: requests per second and latency percentiles
    /// for one method, sequentially or from several concurrent clients.
    Bench(bench::Cmd),
    /// Run one simulated device from a MIoT spec (a file, or a model of the bundled corpus)
    /// until Ctrl-C. Prints one JSON line with its address, did, model and token first.
    Simulate(simulate::Cmd),
}

/// Run a `mikit miio` subcommand.
pub async fn run(ctx: &Ctx, cmd: MiioCommand) -> anyhow::Result<std::process::ExitCode> {
    match cmd {
        MiioCommand::Discover(c) => discover::run(ctx, c).await,
        MiioCommand::Info(c) => info::run(ctx, c).await,
        MiioCommand::Call(c) => call::run(ctx, c).await,
        MiioCommand::Bench(c) => bench::run(ctx, c).await,
        MiioCommand::Simulate(c) => simulate::run(ctx, c).await,
    }
}

/// A token as typed: kept secret, checked only when used, so that a malformed token is
/// never echoed back in an error message (clap repeats rejected values).
#[derive(Clone, Debug)]
pub struct TokenArg(Secret<String>);

impl FromStr for TokenArg {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(Secret::new(s.trim().to_owned())))
    }
}

impl TokenArg {
    /// The device token; the error says what is wrong without showing the value.
    pub fn token(&self) -> anyhow::Result<Token> {
        Token::from_str(self.0.expose()).context("reading --token / MIKIT_MIIO_TOKEN")
    }
}

/// `IP` or `IP:PORT` (port 54321 when omitted).
pub fn parse_addr(s: &str) -> Result<SocketAddr, String> {
    mikit_app::device::registry::parse_addr(s)
}

/// Seconds as a duration (`0.5`, `2`).
pub fn parse_seconds(s: &str) -> Result<Duration, String> {
    let secs: f64 = s
        .parse()
        .map_err(|_| format!("`{s}` is not a number of seconds"))?;
    if !(secs > 0.0 && secs <= 3600.0) {
        return Err(format!(
            "`{s}`: give a number of seconds between 0 and 3600"
        ));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// How to reach one device: address, token, patience.
#[derive(Debug, Args, Clone)]
pub struct Target {
    /// The device address, `IP` or `IP:PORT` (the port defaults to 54321).
    #[arg(long, value_name = "IP[:PORT]", value_parser = parse_addr)]
    pub ip: SocketAddr,
    /// The device token: 32 hexadecimal characters (from `mikit cloud devices`, or a token
    /// extractor). The environment variable keeps it out of your shell history.
    #[arg(
        long,
        value_name = "HEX",
        env = "MIKIT_MIIO_TOKEN",
        hide_env_values = true
    )]
    pub token: TokenArg,
    /// Seconds to wait for each answer (and each hello) before trying again.
    #[arg(long, default_value = "2", value_name = "SECONDS", value_parser = parse_seconds)]
    pub timeout: Duration,
    /// How many times to try again after a timeout.
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub retries: u32,
}

impl Target {
    /// Client settings for this target; `last_id` continues the id sequence of earlier runs.
    pub fn config(&self, last_id: u32) -> ClientConfig {
        ClientConfig {
            timeout: self.timeout,
            retries: self.retries,
            handshake_timeout: self.timeout,
            handshake_attempts: self.retries + 1,
            last_id,
            ..ClientConfig::default()
        }
    }

    /// A connected-on-first-call client.
    pub async fn client(&self, ctx: &Ctx) -> anyhow::Result<Client> {
        let token = self.token.token()?;
        let last_id = ids::load(ctx, self.ip);
        Client::with_config(self.ip, &token, self.config(last_id))
            .await
            .context("opening a UDP socket")
    }
}

/// Message ids per device, kept between runs ([`mikit_app::device::MessageIds`] in the
/// state directory).
pub mod ids {
    use std::net::SocketAddr;

    use super::Ctx;
    use crate::command::device::transport::message_ids;

    /// The last id used with `addr` (0 if none).
    pub fn load(ctx: &Ctx, addr: SocketAddr) -> u32 {
        message_ids(ctx).load(addr)
    }

    /// Remember the last id used with `addr` (best effort: a failure only costs a retry).
    pub fn save(ctx: &Ctx, addr: SocketAddr, last_id: u32) {
        message_ids(ctx).save(addr, last_id);
    }
}

/// Check the per-item codes of a `get_properties` / `set_properties` / `action` result.
pub fn check_items(method: &str, result: &Value) -> Result<(), ItemsFailed> {
    let code_of = |v: &Value| v.get("code").and_then(Value::as_i64).unwrap_or(0);
    let failure = |v: &Value, member: &str| {
        let code = code_of(v);
        (code < 0).then(|| {
            let siid = v.get("siid").map_or_else(|| "?".into(), Value::to_string);
            let iid = v.get(member).map_or_else(|| "?".into(), Value::to_string);
            ItemFailure {
                what: format!("{siid}.{iid}"),
                code,
            }
        })
    };
    let (failed, total): (Vec<ItemFailure>, usize) = match (method, result) {
        ("get_properties" | "set_properties", Value::Array(items)) => (
            items.iter().filter_map(|v| failure(v, "piid")).collect(),
            items.len(),
        ),
        ("action", v @ Value::Object(_)) => {
            let code = code_of(v);
            let failed = (code < 0)
                .then(|| ItemFailure {
                    what: "action".into(),
                    code,
                })
                .into_iter()
                .collect();
            (failed, 1)
        }
        _ => (Vec::new(), 0),
    };
    ItemsFailed::check(failed, total)
}

/// Replace a `token` revealed in a `miIO.info` result by `***`: tokens are never printed.
pub fn redact_token(mut result: Value) -> Value {
    if let Some(t) = result.get_mut("token")
        && t.is_string()
    {
        *t = Value::String("***".into());
    }
    result
}

/// The exit code of a miIO error, if the error is one: 3 wrong token, 4 unreachable,
/// 5 device error.
pub fn exit_code(err: &anyhow::Error) -> Option<u8> {
    use mikit_miio::Error as E;

    use crate::command::code;
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<E>() {
            return Some(match e {
                E::WrongToken { .. } | E::InvalidToken { .. } => code::AUTH,
                E::HandshakeTimeout { .. } | E::Timeout { .. } | E::Io(_) => code::NETWORK,
                E::DeviceError { .. } | E::ActionFailed { .. } => code::DEVICE,
                _ => 1,
            });
        }
        if cause.downcast_ref::<ItemsFailed>().is_some() {
            return Some(code::DEVICE);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn addresses_and_seconds() {
        assert_eq!(
            parse_addr("10.0.0.5").unwrap(),
            "10.0.0.5:54321".parse().unwrap()
        );
        assert_eq!(
            parse_addr("127.0.0.1:4000").unwrap(),
            "127.0.0.1:4000".parse().unwrap()
        );
        assert!(parse_addr("device.local").is_err());
        assert_eq!(parse_seconds("0.5").unwrap(), Duration::from_millis(500));
        assert!(parse_seconds("0").is_err());
        assert!(parse_seconds("x").is_err());
    }

    #[test]
    fn bad_token_error_does_not_echo_it() {
        let t: TokenArg = "0123456789abcdef0123456789abcdeZ".parse().unwrap();
        let e = format!("{:#}", t.token().unwrap_err());
        assert!(!e.contains("0123456789abcdef"), "{e}");
        assert!(!format!("{t:?}").contains("0123456789abcdef"));
        let e = anyhow::Error::from(mikit_miio::Error::InvalidToken { reason: "x".into() });
        assert_eq!(exit_code(&e), Some(crate::command::code::AUTH));
    }

    #[test]
    fn item_codes() {
        assert!(check_items("get_properties", &json!([{"siid":2,"piid":1,"code":0}])).is_ok());
        let e = check_items(
            "set_properties",
            &json!([{"siid":2,"piid":1,"code":0},{"siid":2,"piid":5,"code":-4002}]),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the device rejected 1 of 2 item(s): 2.5: -4002 (property not writable)"
        );
        assert!(check_items("action", &json!({"code":-4006})).is_err());
        assert!(check_items("action", &json!({"code":0,"out":[]})).is_ok());
        assert!(check_items("miIO.info", &json!({"code":-1})).is_ok());
        assert_eq!(
            redact_token(json!({"model":"m","token":"00ff"})),
            json!({"model":"m","token":"***"})
        );
    }
}
