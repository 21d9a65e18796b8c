//! The API client against the in-test fake (`server.rs`), which verifies every request with
//! this crate's server-side functions: RC4 and legacy signing, cookies, reply decryption.

use mikit_core::{EndpointMap, Secret};
use mikit_micloud::api::{DataQuery, StatisticsQuery};
use mikit_micloud::login::{LoginFlow, LoginStep};
use mikit_micloud::miot::{ActionCall, DataSource, ItemStatus, PropGet, PropSet, Reason};
use mikit_micloud::sign::Scheme;
use mikit_micloud::{Error, MiCloud, Region, Session};
use serde_json::json;

use crate::server::{self, Mode};

async fn logged_in(fake: &server::Fake) -> Session {
    let mut f = LoginFlow::new(EndpointMap::new(Some(&fake.endpoint)).unwrap()).unwrap();
    match f
        .password(server::USER, &Secret::from(server::PASSWORD))
        .await
        .unwrap()
    {
        LoginStep::Done(s) => s,
        other => panic!("{other:?}"),
    }
}

fn client(fake: &server::Fake, session: Session) -> MiCloud {
    MiCloud::new(EndpointMap::new(Some(&fake.endpoint)).unwrap(), session).unwrap()
}

#[tokio::test]
async fn device_list_with_both_schemes() {
    let fake = server::start(Mode::Plain).await;
    let session = logged_in(&fake).await;
    for scheme in [Scheme::Rc4, Scheme::Legacy] {
        let cloud = client(&fake, session.clone()).scheme(scheme);
        let devices = cloud.device_list(Region::De).await.unwrap();
        assert_eq!(devices.len(), 3, "{scheme:?}");
        assert_eq!(devices[0].token.as_ref().unwrap().expose(), "token1");
        assert!(cloud.device_list(Region::Cn).await.unwrap().is_empty());
    }
    assert!(fake.seen(|s| {
        s.api_paths
            .contains(&"de.api.io.mi.com/home/device_list".to_owned())
    }));
    assert!(fake.seen(|s| {
        s.api_paths
            .contains(&"api.io.mi.com/home/device_list".to_owned())
    }));
}

#[tokio::test]
async fn devices_merge_across_regions() {
    let fake = server::start(Mode::Plain).await;
    let cloud = client(&fake, logged_in(&fake).await);
    let (devices, failed) = cloud
        .devices_in(&[Region::Cn, Region::De, Region::Us])
        .await
        .unwrap();
    assert!(failed.is_empty());
    let dids: Vec<(&str, Region)> = devices
        .iter()
        .map(|d| (d.device.did.as_str(), d.region))
        .collect();
    assert_eq!(
        dids,
        vec![
            ("1234", Region::De),
            ("4321", Region::De),
            ("lumi.12341234", Region::De),
            ("9999", Region::Us)
        ]
    );
}

#[tokio::test]
async fn miot_calls_decode_items_and_codes() {
    let fake = server::start(Mode::Plain).await;
    let cloud = client(&fake, logged_in(&fake).await);
    let props = [
        PropGet {
            did: "1234".into(),
            siid: 2,
            piid: 1,
        },
        PropGet {
            did: "offline".into(),
            siid: 2,
            piid: 1,
        },
    ];
    let items = cloud
        .get_properties(Region::De, &props, DataSource::Device)
        .await
        .unwrap();
    assert_eq!(items[0].status(), ItemStatus::Ok);
    assert_eq!(items[0].value, Some(json!(true)));
    assert_eq!(items[0].update_time, Some(1_700_000_000));
    match items[1].status() {
        ItemStatus::Cloud(c) => assert_eq!(c.reason, Reason::DeviceOffline),
        other => panic!("{other:?}"),
    }

    let set = [
        PropSet {
            did: "1234".into(),
            siid: 2,
            piid: 1,
            value: json!(false),
        },
        PropSet {
            did: "1234".into(),
            siid: 2,
            piid: 9,
            value: json!(1),
        },
    ];
    let items = cloud.set_properties(Region::De, &set).await.unwrap();
    assert!(items[0].status().is_ok());
    assert!(
        matches!(items[1].status(), ItemStatus::Cloud(c) if c.reason == Reason::PropertyNotWritable)
    );

    let call = ActionCall {
        did: "1234".into(),
        siid: 5,
        aiid: 1,
        args: vec![json!("hello"), json!(3)],
    };
    let out = cloud.action(Region::De, &call).await.unwrap();
    assert!(out.status().is_ok());
    assert_eq!(out.out, vec![json!("hello"), json!(3)]);

    let rpc = cloud
        .rpc(Region::De, "1234", "get_prop", &json!(["power"]))
        .await
        .unwrap();
    assert_eq!(rpc["result"], json!(["on", 42]));
    assert!(matches!(
        cloud.rpc(Region::De, "../x", "m", &json!([])).await,
        Err(Error::InvalidArgument(_))
    ));

    let key = cloud.ble_beacon_key(Region::De, "blt.3.abc").await.unwrap();
    assert_eq!(key.expose(), "00112233445566778899aabbccddeeff");
    assert_eq!(format!("{key:?}"), "***");

    let homes = cloud.homes(Region::De).await.unwrap();
    assert_eq!(homes.homelist[0].id, "111");
    assert_eq!(homes.homelist[0].roomlist[0].name, "Kitchen");
    assert!(homes.share_home_list.is_empty());

    let q = StatisticsQuery {
        did: "1234".into(),
        key: "7.1".into(),
        data_type: "stat_day_v3".into(),
        limit: 10,
        time_start: 0,
        time_end: 1,
    };
    let points = cloud.statistics(Region::De, &q).await.unwrap();
    assert_eq!(points[0].parsed_value(), json!([123]));
}

#[tokio::test]
async fn api_errors_are_typed() {
    let fake = server::start(Mode::Plain).await;
    let session = logged_in(&fake).await;
    let cloud = client(&fake, session.clone());
    match cloud
        .call(Region::De, "/app/some/unknown", &json!({}))
        .await
    {
        Err(Error::Api { code: -1, path, .. }) => assert_eq!(path, "/some/unknown"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        cloud.call(Region::De, "/offline", &json!({})).await,
        Err(Error::Miot { code, .. }) if code.reason == Reason::DeviceOffline
    ));

    let mut expired = session.clone();
    expired.service_token = Secret::from("service-token-SECRET-expired");
    // Without a passToken the client cannot renew: the expiry reaches the caller
    // (renewal itself: `renewal.rs`).
    expired.pass_token = Secret::from("");
    let err = client(&fake, expired)
        .device_list(Region::De)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AuthExpired { .. }), "{err:?}");
    assert!(!err.to_string().contains("SECRET"));

    let mut wrong_key = session;
    wrong_key.ssecurity = Secret::from("d3Jvbmcta2V5LVNFQ1JFVA==");
    let err = client(&fake, wrong_key)
        .device_list(Region::De)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidSignature { .. }), "{err:?}");
    assert!(!err.to_string().contains("d3Jvbmcta2V5"));
}

#[tokio::test]
async fn paged_device_list_follows_every_page() {
    let fake = server::start(Mode::Plain).await;
    let cloud = client(&fake, logged_in(&fake).await);
    let devices = cloud.device_list_paged(Region::Sg).await.unwrap();
    let dids: Vec<&str> = devices.iter().map(|d| d.did.as_str()).collect();
    assert_eq!(dids, ["a1", "a2", "a3", "a4", "a5"]);
    assert_eq!(fake.seen(|s| s.api_paths.len()), 3);
}

#[tokio::test]
async fn history_and_app_endpoints_send_their_documented_shapes() {
    let fake = server::start(Mode::Plain).await;
    let cloud = client(&fake, logged_in(&fake).await);
    let q = DataQuery {
        did: "1234".into(),
        key: "power".into(),
        kind: "prop".into(),
        time_start: 0,
        time_end: 1,
        limit: 5,
    };
    let points = cloud.device_data(Region::De, &q).await.unwrap();
    assert_eq!(points[0].parsed_value(), json!(["on"]));
    assert_eq!(points[0].other["key"], "power");

    let r = cloud
        .fetch_plugin(Region::De, &["a.b.c"], 10_075)
        .await
        .unwrap();
    assert_eq!(
        r["echo"]["latest_req"]["plugins"],
        json!([{"model": "a.b.c"}])
    );
    assert_eq!(r["echo"]["latest_req"]["region"], "DE");
    let r = cloud
        .multi_check_device_version(Region::De, &["1234"], 10_075, "android")
        .await
        .unwrap();
    assert_eq!(
        r["echo"],
        json!({"app_level": 10_075, "platform": "android", "check_reqs": [{"did": "1234"}]})
    );
    let r = cloud
        .check_gray(Region::De, "com.xiaomi.smarthome", "9.0.0", 900)
        .await
        .unwrap();
    assert_eq!(r["echo"]["api_level"], 2);
    for (path, r) in [
        (
            "/v2/miotspec/devicelist",
            cloud
                .miotspec_devicelist(Region::De, &json!({"k": 1}))
                .await
                .unwrap(),
        ),
        (
            "/version/online_version",
            cloud
                .online_version(Region::De, &json!({"k": 1}))
                .await
                .unwrap(),
        ),
        (
            "/plugin/update_plugin",
            cloud
                .update_plugin(Region::De, &json!({"k": 1}))
                .await
                .unwrap(),
        ),
    ] {
        assert_eq!(r["echo"], json!({"k": 1}), "{path}");
    }
    let r = cloud
        .app_config(Region::Cn, "card_control_config", "zh_CN", "11")
        .await
        .unwrap();
    assert_eq!(
        r["echo"],
        json!({"name": "card_control_config", "lang": "zh_CN", "version": "11"})
    );
}
