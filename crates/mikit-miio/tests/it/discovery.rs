//! Discovery over unicast 127.0.0.1 against the server loop.

use std::time::Duration;

use mikit_miio::server::ServerConfig;
use mikit_miio::{DeviceError, Handler, HelloToken, Server, Token, discover};
use serde_json::Value;
use tokio::net::UdpSocket;

struct Nothing;
impl Handler for Nothing {
    fn handle(&self, method: &str, _: &Value) -> Result<Value, DeviceError> {
        Err(DeviceError::method_not_found(method))
    }
}

#[tokio::test]
async fn unicast_discovery_reports_did_stamp_and_token_policy() {
    let token = Token::new([0x5d; 16]);
    for (policy, revealed) in [
        (HelloToken::HiddenFf, None),
        (HelloToken::HiddenZero, None),
        (HelloToken::Revealed(token.clone()), Some(token.clone())),
    ] {
        let config = ServerConfig {
            hello_token: policy,
            boot_stamp: 3_037_299,
            ..Default::default()
        };
        let server = Server::bind_with(
            "127.0.0.1:0".parse().unwrap(),
            token.clone(),
            0x0404_a850,
            std::sync::Arc::new(Nothing),
            config,
        )
        .await
        .unwrap();
        let found = discover(server.local_addr(), Duration::from_millis(300))
            .await
            .unwrap();
        assert_eq!(found.len(), 1, "three hellos, one entry per address");
        let d = &found[0];
        assert_eq!((d.addr, d.did), (server.local_addr(), 0x0404_a850));
        assert!((3_037_299..3_037_310).contains(&d.stamp));
        assert_eq!(d.token, revealed);
        server.shutdown().await;
    }
}

#[tokio::test]
async fn discovery_skips_non_miio_datagrams_and_silence() {
    // python-miio #1805: a non-miIO datagram on 54321 ("expected 8497 but parsed 0") must not
    // break discovery.
    let noisy = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = noisy.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let mut buf = [0u8; 64];
        let (_, peer) = noisy.recv_from(&mut buf).await.unwrap();
        noisy.send_to(b"not miio at all", peer).await.unwrap();
        noisy.send_to(&mikit_miio::HELLO, peer).await.unwrap();
    });
    let found = discover(addr, Duration::from_millis(200)).await.unwrap();
    assert!(found.is_empty());
    task.await.unwrap();
}
