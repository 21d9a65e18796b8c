//! Device access against the emulator: the same items over the LAN and through the cloud, the
//! `auto` fallback and its memory, and service-token renewal handed to the caller.

use std::sync::{Arc, Mutex};

use mikit_app::device::{Access, Device, Link, MessageIds, Origin, Route, Via, open};
use mikit_core::{EndpointMap, Secret};
use mikit_emulator::{Emulator, EmulatorConfig};
use mikit_micloud::{LoginFlow, LoginStep, MiCloud, Session, SessionSink};
use mikit_miot::item::{PropRead, PropWrite};

#[derive(Default)]
struct Kept(Mutex<Vec<Session>>);

impl SessionSink for Kept {
    fn session_renewed(&self, session: &Session) {
        self.0.lock().unwrap().push(session.clone());
    }
}

struct Setup {
    emu: Emulator,
    dir: std::path::PathBuf,
    kept: Arc<Kept>,
    access: Access,
}

async fn setup(name: &str) -> Setup {
    mikit_core::http::install_crypto_provider();
    let emu = Emulator::start(EmulatorConfig {
        devices: 2,
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    let a = &emu.info()["accounts"]["xiaomi"];
    let endpoints = EndpointMap::new(Some(emu.endpoint())).unwrap();
    let mut flow = LoginFlow::new(endpoints.clone()).unwrap();
    let password = Secret::new(a["password"].as_str().unwrap().to_owned());
    let LoginStep::Done(session) = flow
        .password(a["user"].as_str().unwrap(), &password)
        .await
        .unwrap()
    else {
        panic!("more than a password")
    };
    let kept = Arc::new(Kept::default());
    let api = MiCloud::new(endpoints, session)
        .unwrap()
        .on_renewal(kept.clone());
    let dir = std::env::temp_dir().join(format!("mikit-app-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let access = Access {
        cloud: Some(api),
        via_memory: dir.join("device-via.json"),
        ids: MessageIds::at(dir.join("miio-ids.json")),
    };
    Setup {
        emu,
        dir,
        kept,
        access,
    }
}

/// The record the registry would hold for emulated device `i` (as the cloud lists it).
fn device(emu: &Emulator, i: usize) -> Device {
    let info = emu.fleet().devices()[i].info().clone();
    Device {
        name: info.name.clone(),
        origin: Origin::Cloud,
        did: Some(info.did.clone()),
        model: Some(info.model.clone()),
        urn: Some(info.urn.clone()),
        addr: Some(info.socket_addr()),
        token: Some(Secret::new(info.token_hex())),
        region: Some(info.region.clone()),
        online: Some(true),
    }
}

/// A readable and writable bool property and an action without arguments of device `i`.
fn members(emu: &Emulator, i: usize) -> ((u32, u32), Option<(u32, u32)>) {
    let fleet = emu.fleet();
    let spec = fleet.devices()[i].spec();
    let prop = spec
        .services
        .iter()
        .flat_map(|s| s.properties().iter().map(move |p| (s.iid, p)))
        .find(|(_, p)| {
            p.is_readable() && p.is_writable() && matches!(p.format, mikit_miot::Format::Bool)
        })
        .map(|(s, p)| (s, p.iid))
        .expect("a writable bool");
    let action = spec
        .services
        .iter()
        .flat_map(|s| s.actions().iter().map(move |a| (s.iid, a)))
        .find(|(_, a)| a.in_.as_slice().is_empty())
        .map(|(s, a)| (s, a.iid));
    (prop, action)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lan_and_cloud_give_the_same_items() {
    let s = setup("same").await;
    let dev = device(&s.emu, 0);
    let ((siid, piid), action) = members(&s.emu, 0);
    let (mut lan, _) = open(&s.access, &dev, Via::Lan, None).await.unwrap();
    let (mut cloud, _) = open(&s.access, &dev, Via::Cloud, None).await.unwrap();
    assert!(matches!(lan, Link::Lan { .. }) && matches!(cloud, Link::Cloud { .. }));
    let read = [PropRead { siid, piid }];
    let before = lan.get(&read).await.unwrap();
    assert_eq!(cloud.get(&read).await.unwrap(), before);
    let flipped = serde_json::json!(!before[0].value.as_ref().unwrap().as_bool().unwrap());
    let write = [PropWrite {
        siid,
        piid,
        value: flipped.clone(),
    }];
    let by_cloud = cloud.set(&write).await.unwrap();
    assert!(by_cloud[0].is_ok(), "{by_cloud:?}");
    let after = lan.get(&read).await.unwrap();
    assert_eq!(after[0].value.as_ref(), Some(&flipped));
    assert_eq!(cloud.get(&read).await.unwrap(), after);
    let by_lan = lan.set(&write).await.unwrap();
    assert_eq!(
        (by_lan[0].siid, by_lan[0].piid, by_lan[0].is_ok()),
        (by_cloud[0].siid, by_cloud[0].piid, true)
    );
    if let Some((siid, aiid)) = action {
        let call = mikit_miot::item::ActionCall {
            siid,
            aiid,
            args: Vec::new(),
        };
        let l = lan.action(&call).await.unwrap();
        let c = cloud.action(&call).await.unwrap();
        assert!(l.is_ok() && c.is_ok(), "{l:?} {c:?}");
        assert_eq!(l.out, c.out);
    }
    lan.finish();
    assert!(s.dir.join("miio-ids.json").exists(), "message ids are kept");
    s.emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_falls_back_to_the_cloud_and_remembers_it() {
    let s = setup("auto").await;
    let dev = device(&s.emu, 1);
    let (link, route) = open(&s.access, &dev, Via::Auto, None).await.unwrap();
    assert_eq!((link.kind(), route), ("lan", Route::LanAnswered));
    assert!(
        s.emu
            .set_device_online(dev.did.as_deref().unwrap(), false)
            .await
            .unwrap()
    );
    let (mut link, route) = open(&s.access, &dev, Via::Auto, None).await.unwrap();
    assert_eq!(link.kind(), "cloud");
    match route {
        Route::LanSilent { reason } => assert!(reason.contains("did not answer"), "{reason}"),
        other => panic!("{other:?}"),
    }
    // The next open does not probe: the choice is remembered.
    let (_, route) = open(&s.access, &dev, Via::Auto, None).await.unwrap();
    assert!(matches!(route, Route::Remembered { .. }), "{route:?}");
    // The cloud says the device is offline, per item.
    let ((siid, piid), _) = members(&s.emu, 1);
    let items = link.get(&[PropRead { siid, piid }]).await.unwrap();
    assert!(!items[0].is_ok(), "{items:?}");
    // Without a session the fallback is an error naming both.
    let no_cloud = Access {
        cloud: None,
        via_memory: s.dir.join("other-via.json"),
        ..s.access.clone()
    };
    let e = open(&no_cloud, &dev, Via::Auto, None).await.unwrap_err();
    assert!(
        e.to_string().contains("and the cloud cannot be used"),
        "{e}"
    );
    s.emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_service_token_is_renewed_and_handed_to_the_caller() {
    let s = setup("renew").await;
    let dev = device(&s.emu, 0);
    let ((siid, piid), _) = members(&s.emu, 0);
    let (mut cloud, _) = open(&s.access, &dev, Via::Cloud, None).await.unwrap();
    let before = s.access.cloud.as_ref().unwrap().session();
    s.emu.micloud().expire_service_tokens();
    let items = cloud.get(&[PropRead { siid, piid }]).await.unwrap();
    assert!(items[0].is_ok(), "{items:?}");
    let kept = s.kept.0.lock().unwrap().clone();
    assert_eq!(kept.len(), 1, "renewed once");
    assert_ne!(kept[0].service_token, before.service_token);
    s.emu.shutdown().await;
}
