//! Service-token renewal inside the client, against the emulator in process (which can expire
//! every service token while keeping the passTokens, as the real account server does).

use std::sync::{Arc, Mutex};

use mikit_core::{EndpointMap, Secret};
use mikit_emulator::{Emulator, EmulatorConfig};
use mikit_micloud::{Error, LoginFlow, LoginStep, MiCloud, Region, Session, SessionSink};

#[derive(Default)]
struct Kept(Mutex<Vec<Session>>);

impl SessionSink for Kept {
    fn session_renewed(&self, session: &Session) {
        self.0.lock().unwrap().push(session.clone());
    }
}

async fn logged_in(emu: &Emulator) -> Session {
    let a = &emu.info()["accounts"]["xiaomi"];
    let mut flow = LoginFlow::new(EndpointMap::new(Some(emu.endpoint())).unwrap()).unwrap();
    let password = Secret::new(a["password"].as_str().unwrap().to_owned());
    match flow
        .password(a["user"].as_str().unwrap(), &password)
        .await
        .unwrap()
    {
        LoginStep::Done(s) => s,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_expired_service_token_is_renewed_once_and_handed_to_the_sink() {
    mikit_core::http::install_crypto_provider();
    let emu = Emulator::start(EmulatorConfig {
        devices: 2,
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    let session = logged_in(&emu).await;
    let kept = Arc::new(Kept::default());
    let api = MiCloud::new(
        EndpointMap::new(Some(emu.endpoint())).unwrap(),
        session.clone(),
    )
    .unwrap()
    .on_renewal(kept.clone());
    let region: Region = emu.fleet().devices()[0].info().region.parse().unwrap();
    assert!(!api.device_list(region).await.unwrap().is_empty());
    assert!(kept.0.lock().unwrap().is_empty(), "no renewal while valid");

    emu.micloud().expire_service_tokens();
    // Two calls at once share one renewal (single flight).
    let (a, b) = tokio::join!(api.device_list(region), api.homes(region));
    assert!(!a.unwrap().is_empty());
    b.unwrap();
    let renewed = kept.0.lock().unwrap().clone();
    assert_eq!(renewed.len(), 1, "one renewal for both calls");
    assert_ne!(renewed[0].service_token, session.service_token);
    assert_eq!(renewed[0].pass_token, session.pass_token);
    assert_eq!(
        api.session(),
        renewed[0],
        "the client uses the renewed session"
    );

    // A passToken the account no longer knows: the error says to log in again.
    let mut revoked = api.session();
    revoked.pass_token = Secret::from("V1:revoked");
    api.set_session(revoked);
    emu.micloud().expire_service_tokens();
    let e = api.device_list(region).await.unwrap_err();
    assert!(matches!(e, Error::PassTokenExpired), "{e:?}");
    assert_eq!(kept.0.lock().unwrap().len(), 1);
    emu.shutdown().await;
}
