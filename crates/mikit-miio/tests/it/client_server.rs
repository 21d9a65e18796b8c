//! Client ↔ server over 127.0.0.1 with a small property-map handler.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mikit_miio::message::code;
use mikit_miio::miot::{ActionCall, ActionResult, PropertyItem, PropertyResult};
use mikit_miio::server::{Reply, RequestContext, ServerConfig};
use mikit_miio::{
    Client, ClientConfig, DeviceError, Error, Handler, JsonStyle, Request, Server, Token,
    WrongTokenEvidence,
};
use serde_json::{Value, json};
use tokio::net::UdpSocket;

const TOKEN: &str = "00112233445566778899aabbccddeeff";
const DID: u32 = 0x0404_a850;

/// A device with a map of MIoT properties, one action (2.1: add its inputs), and a few legacy
/// methods for error paths.
#[derive(Default)]
struct Props {
    values: Mutex<BTreeMap<(u32, u32), Value>>,
    calls: AtomicU32,
    /// Answer this many calls of `flaky` with -9999 first.
    flaky: AtomicU32,
}

impl Props {
    fn new() -> Self {
        let p = Self::default();
        {
            let mut v = p.values.lock().unwrap();
            v.insert((2, 1), json!(false));
            v.insert((2, 2), json!(50));
            for piid in 1..=20 {
                v.insert((3, piid), json!(piid * 10));
            }
        }
        p
    }
}

impl Handler for Props {
    fn handle(&self, method: &str, params: &Value) -> Result<Value, DeviceError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let mut values = self.values.lock().unwrap();
        match method {
            "miIO.info" => Ok(json!({
                "model": "mikit.test.v1", "fw_ver": "1.0.0", "hw_ver": "esp32", "mac": "02:00:00:00:00:01",
                "token": TOKEN, "ap": {"ssid": "lan", "bssid": "02:00:00:00:00:02", "rssi": -40},
                "netif": {"localIp": "127.0.0.1", "mask": "255.0.0.0", "gw": "127.0.0.1"}, "life": 42
            })),
            "get_properties" => Ok(Value::Array(
                PropertyItem::parse_list(params)?
                    .iter()
                    .map(|it| match values.get(&(it.siid, it.piid)) {
                        Some(v) => PropertyResult::answer(it, 0, Some(v.clone())),
                        None => PropertyResult::answer(it, code::miot::NOT_FOUND, None),
                    })
                    .map(|r| r.to_value())
                    .collect(),
            )),
            "set_properties" => Ok(Value::Array(
                PropertyItem::parse_list(params)?
                    .iter()
                    .map(|it| match values.get_mut(&(it.siid, it.piid)) {
                        Some(slot) => {
                            *slot = it.value.clone().unwrap_or(Value::Null);
                            PropertyResult::answer(it, 0, None)
                        }
                        None => PropertyResult::answer(it, code::miot::NOT_FOUND, None),
                    })
                    .map(|r| r.to_value())
                    .collect(),
            )),
            "action" => {
                let call = ActionCall::parse(params)?;
                if (call.siid, call.aiid) != (2, 1) {
                    return Ok(ActionResult {
                        code: code::miot::NOT_FOUND,
                        out: vec![],
                    }
                    .to_value());
                }
                let sum: i64 = call.ins.iter().filter_map(Value::as_i64).sum();
                Ok(ActionResult {
                    code: 0,
                    out: vec![json!(sum)],
                }
                .to_value())
            }
            "bad_arg" => Err(DeviceError::invalid_arg("bad argument")),
            "flaky" => {
                if self
                    .flaky
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok()
                {
                    Err(DeviceError::user_ack_timeout())
                } else {
                    Ok(json!(["ok"]))
                }
            }
            other => Err(DeviceError::method_not_found(other)),
        }
    }

    fn respond(&self, request: &Request, ctx: &RequestContext) -> Reply {
        match request.method.as_str() {
            // Firmware quirk (python-miio test_protocol.py): double comma before otu_stat.
            "quirky" => Reply::RawPayload(
                format!("{{\"id\": {},,\"otu_stat\":0}}\0", request.id).into_bytes(),
            ),
            // A reply with someone else's id: the client must drop it.
            "stale" => Reply::RawPayload(
                format!("{{\"id\":{},\"result\":1}}", request.id + 5000).into_bytes(),
            ),
            "timed" => Reply::WithExeTime(Ok(json!(ctx.request_stamp)), 280),
            _ => Reply::Result(self.handle(&request.method, &request.params)),
        }
    }
}

fn token() -> Token {
    TOKEN.parse().unwrap()
}

fn fast() -> ClientConfig {
    ClientConfig {
        timeout: Duration::from_millis(500),
        handshake_timeout: Duration::from_millis(500),
        ..Default::default()
    }
}

async fn start(handler: Arc<Props>, config: ServerConfig) -> Server {
    Server::bind_with(
        "127.0.0.1:0".parse().unwrap(),
        token(),
        DID,
        handler,
        config,
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn info_learns_did_and_hides_token() {
    let server = start(Arc::new(Props::new()), ServerConfig::default()).await;
    let mut c = Client::with_config(server.local_addr(), &token(), fast())
        .await
        .unwrap();
    let info = c.info().await.unwrap();
    assert_eq!(info.model, "mikit.test.v1");
    assert_eq!(info.life, Some(42));
    assert_eq!(info.token.as_ref().unwrap().expose(), TOKEN);
    assert!(!format!("{info:?}").contains(TOKEN));
    assert!(!format!("{c:?}").contains(TOKEN));
    assert_eq!(c.device_id(), Some(DID));
    assert_eq!(c.last_id(), 1);
    server.shutdown().await;
}

#[tokio::test]
async fn get_set_action() {
    let props = Arc::new(Props::new());
    let server = start(props.clone(), ServerConfig::default()).await;
    let mut c = Client::with_config(server.local_addr(), &token(), fast())
        .await
        .unwrap();

    let got = c.get_properties(&[(2, 1), (2, 2), (9, 9)]).await.unwrap();
    assert_eq!(got.len(), 3);
    assert_eq!(
        (got[0].siid, got[0].piid, got[0].code, got[0].value.clone()),
        (2, 1, 0, Some(json!(false)))
    );
    // The client's items drop the wire tag; the device echoes it.
    let raw = c
        .call(
            "get_properties",
            json!([{"did": "2-1", "siid": 2, "piid": 1}]),
        )
        .await
        .unwrap();
    assert_eq!(raw[0]["did"], json!("2-1"), "the did tag is echoed");
    assert_eq!(
        (got[2].code, got[2].value.clone()),
        (code::miot::NOT_FOUND, None)
    );

    let set = c
        .set_properties(&[(2, 1, json!(true)), (7, 7, json!(1))])
        .await
        .unwrap();
    assert_eq!(
        set.iter().map(|r| r.code).collect::<Vec<_>>(),
        [0, code::miot::NOT_FOUND]
    );
    assert_eq!(
        c.get_properties(&[(2, 1)]).await.unwrap()[0].value,
        Some(json!(true))
    );

    assert_eq!(
        c.action(2, 1, vec![json!(2), json!(40)]).await.unwrap(),
        [json!(42)]
    );
    match c.action(5, 5, vec![]).await {
        Err(Error::ActionFailed {
            siid: 5,
            aiid: 5,
            code,
        }) => assert_eq!(code, code::miot::NOT_FOUND),
        r => panic!("{r:?}"),
    }
    assert_eq!(
        c.call("timed", json!([]))
            .await
            .unwrap()
            .as_u64()
            .map(|s| s > 0),
        Some(true)
    );
    server.shutdown().await;
}

#[tokio::test]
async fn large_reads_are_sliced() {
    let props = Arc::new(Props::new());
    let server = start(props.clone(), ServerConfig::default()).await;
    let mut c = Client::with_config(server.local_addr(), &token(), fast())
        .await
        .unwrap();
    let ids: Vec<(u32, u32)> = (1..=20).map(|p| (3, p)).collect();
    let got = c.get_properties(&ids).await.unwrap();
    assert_eq!(got.len(), 20);
    assert_eq!(got[19].value, Some(json!(200)));
    assert_eq!(props.calls.load(Ordering::SeqCst), 2, "15 + 5");
    server.shutdown().await;
}

#[tokio::test]
async fn device_errors_are_typed() {
    let server = start(Arc::new(Props::new()), ServerConfig::default()).await;
    let mut c = Client::with_config(server.local_addr(), &token(), fast())
        .await
        .unwrap();
    match c.call("bad_arg", json!([])).await {
        Err(Error::DeviceError { code, message }) => {
            assert_eq!((code, message.as_str()), (-5001, "bad argument"))
        }
        r => panic!("{r:?}"),
    }
    match c.call("no_such_method", json!([])).await {
        Err(Error::DeviceError { code, .. }) => assert_eq!(code, code::METHOD_NOT_FOUND),
        r => panic!("{r:?}"),
    }
    server.shutdown().await;
}

#[tokio::test]
async fn transient_device_error_is_retried_with_next_id() {
    // python-miio PR #1363: -9999 / -30001 are retried with id + 1, no +100 jump.
    let props = Arc::new(Props::new());
    props.flaky.store(2, Ordering::SeqCst);
    let server = start(props.clone(), ServerConfig::default()).await;
    let mut c = Client::with_config(server.local_addr(), &token(), fast())
        .await
        .unwrap();
    assert_eq!(c.call("flaky", json!([])).await.unwrap(), json!(["ok"]));
    assert_eq!(c.last_id(), 3);
    // Out of retries: the error surfaces.
    props.flaky.store(10, Ordering::SeqCst);
    let opts = mikit_miio::CallOptions {
        retries: Some(1),
        ..Default::default()
    };
    match c.call_with("flaky", json!([]), &opts).await {
        Err(Error::DeviceError { code, .. }) => assert_eq!(code, code::USER_ACK_TIMEOUT),
        r => panic!("{r:?}"),
    }
    server.shutdown().await;
}

#[tokio::test]
async fn wrong_token_is_reported_as_such() {
    // Real devices drop packets that fail the checksum; the hello still works.
    let server = start(Arc::new(Props::new()), ServerConfig::default()).await;
    let wrong: Token = "ffeeddccbbaa99887766554433221100".parse().unwrap();
    let config = ClientConfig {
        retries: 1,
        timeout: Duration::from_millis(150),
        ..fast()
    };
    let mut c = Client::with_config(server.local_addr(), &wrong, config)
        .await
        .unwrap();
    let err = c.info().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::WrongToken {
                evidence: WrongTokenEvidence::SilentAfterHello,
                ..
            }
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("check the token"), "{text}");
    assert!(!text.contains("ffeeddcc") && !format!("{err:?}").contains("ffeeddcc"));
    assert_eq!(c.last_id(), 101, "ids 1 then 101 after the timeout");
    server.shutdown().await;
}

/// A fake device that answers the hello and then replies with a packet sealed under another
/// token: the client reports a checksum failure as a wrong token at once.
#[tokio::test]
async fn reply_failing_checksum_means_wrong_token() {
    let dev = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = dev.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let mut buf = [0u8; 1024];
        let (_, peer) = dev.recv_from(&mut buf).await.unwrap();
        let hello = mikit_miio::HelloReply::new(DID, 10, &mikit_miio::HelloToken::HiddenFf);
        dev.send_to(&hello.to_bytes(), peer).await.unwrap();
        let (_, peer) = dev.recv_from(&mut buf).await.unwrap();
        let other = mikit_miio::Cipher::new(&Token::new([9; 16]));
        let p = mikit_miio::Packet {
            unknown: 0,
            did: DID,
            stamp: 11,
            payload: b"{\"id\":1,\"result\":0}".to_vec(),
        };
        dev.send_to(&p.encode(&other).unwrap(), peer).await.unwrap();
    });
    let mut c = Client::with_config(addr, &token(), fast()).await.unwrap();
    match c.call("x", json!([])).await {
        Err(Error::WrongToken {
            evidence: WrongTokenEvidence::ChecksumMismatch,
            addr: a,
        }) => assert_eq!(a, addr),
        r => panic!("{r:?}"),
    }
    task.await.unwrap();
}

#[tokio::test]
async fn dropped_reply_is_retried_with_id_jump() {
    let props = Arc::new(Props::new());
    let server = start(props.clone(), ServerConfig::default()).await;
    let mut c = Client::with_config(server.local_addr(), &token(), fast())
        .await
        .unwrap();
    server.faults().drop_replies(1);
    assert_eq!(
        c.get_properties(&[(2, 2)]).await.unwrap()[0].value,
        Some(json!(50))
    );
    assert_eq!(
        props.calls.load(Ordering::SeqCst),
        2,
        "the device handled both attempts"
    );
    assert_eq!(
        c.last_id(),
        101,
        "+100 after the timeout, so the device's id de-duplication does not bite"
    );
    // A lost request works the same way.
    server.faults().ignore_requests(1);
    assert_eq!(
        c.get_properties(&[(2, 2)]).await.unwrap()[0].value,
        Some(json!(50))
    );
    assert_eq!(c.last_id(), 202);
    server.shutdown().await;
}

#[tokio::test]
async fn device_restart_is_recovered_by_rehandshake() {
    // A rebooted device's stamp starts again near 0; one that still sees the old, far-ahead
    // client stamp ignores the request (python-miio PR #13). The client times out,
    // re-handshakes and learns the new stamp.
    let props = Arc::new(Props::new());
    let before = ServerConfig {
        boot_stamp: 500_000,
        stamp_ahead: Some(600),
        ..Default::default()
    };
    let server = start(props.clone(), before).await;
    let addr: SocketAddr = server.local_addr();
    let mut c = Client::with_config(addr, &token(), fast()).await.unwrap();
    assert_eq!(
        c.call("timed", json!([]))
            .await
            .unwrap()
            .as_u64()
            .map(|s| s >= 500_000),
        Some(true)
    );
    server.shutdown().await;

    let after = ServerConfig {
        boot_stamp: 0,
        stamp_ahead: Some(600),
        ..Default::default()
    };
    let server = Server::bind_with(addr, token(), DID, props.clone(), after)
        .await
        .unwrap();
    let stamp = c.call("timed", json!([])).await.unwrap();
    assert!(
        stamp.as_u64().unwrap() < 600,
        "request stamp follows the new device stamp: {stamp}"
    );
    assert!(
        c.last_id() > 100,
        "one timeout before the recovery: {}",
        c.last_id()
    );
    server.shutdown().await;
}

#[tokio::test]
async fn device_down_gives_handshake_timeout() {
    let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = sock.local_addr().unwrap();
    drop(sock);
    let config = ClientConfig {
        handshake_attempts: 2,
        handshake_timeout: Duration::from_millis(100),
        ..fast()
    };
    let mut c = Client::with_config(addr, &token(), config).await.unwrap();
    match c.info().await {
        Err(Error::HandshakeTimeout {
            attempts: 2,
            addr: a,
        }) => assert_eq!(a, addr),
        r => panic!("{r:?}"),
    }
}

#[tokio::test]
async fn quirky_and_stale_replies() {
    let server = start(Arc::new(Props::new()), ServerConfig::default()).await;
    let mut c = Client::with_config(server.local_addr(), &token(), fast())
        .await
        .unwrap();
    // No "result": the repaired payload itself is returned, as python-miio does.
    let v = c.call("quirky", json!([])).await.unwrap();
    assert_eq!(v["otu_stat"], json!(0));
    // Replies with a foreign id are dropped; the device was heard, so this is a timeout, not a
    // token problem.
    let opts = mikit_miio::CallOptions {
        retries: Some(1),
        timeout: Some(Duration::from_millis(100)),
        ..Default::default()
    };
    match c.call_with("stale", json!([]), &opts).await {
        Err(Error::Timeout {
            attempts: 2,
            ref method,
            ..
        }) => assert_eq!(method, "stale"),
        r => panic!("{r:?}"),
    }
    server.shutdown().await;
}

#[tokio::test]
async fn python_style_client_and_replies() {
    let config = ServerConfig {
        json_style: JsonStyle::Python,
        ..Default::default()
    };
    let server = start(Arc::new(Props::new()), config).await;
    let mut c = Client::with_config(
        server.local_addr(),
        &token(),
        ClientConfig {
            json_style: JsonStyle::Python,
            ..fast()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        c.get_properties(&[(2, 2)]).await.unwrap()[0].value,
        Some(json!(50))
    );
    server.shutdown().await;
}

#[tokio::test]
async fn persisted_last_id_continues() {
    let server = start(Arc::new(Props::new()), ServerConfig::default()).await;
    let mut c = Client::with_config(
        server.local_addr(),
        &token(),
        ClientConfig {
            last_id: 9998,
            ..fast()
        },
    )
    .await
    .unwrap();
    c.info().await.unwrap();
    assert_eq!(c.last_id(), 1, "wraps from 9998 to 1");
    server.shutdown().await;
}

#[tokio::test]
async fn new_source_port_per_request_and_triple_hello() {
    // python-miio opens a new socket per request and sends three hellos back to back.
    let server = start(Arc::new(Props::new()), ServerConfig::default()).await;
    for _ in 0..3 {
        let mut c = Client::with_config(server.local_addr(), &token(), fast())
            .await
            .unwrap();
        c.call("miIO.info", json!([])).await.unwrap();
    }
    let s = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    for _ in 0..3 {
        s.send_to(&mikit_miio::HELLO, server.local_addr())
            .await
            .unwrap();
    }
    let mut buf = [0u8; 64];
    for _ in 0..3 {
        let (n, _) = tokio::time::timeout(Duration::from_secs(2), s.recv_from(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(mikit_miio::HelloReply::parse(&buf[..n]).unwrap().did, DID);
    }
    server.shutdown().await;
}
