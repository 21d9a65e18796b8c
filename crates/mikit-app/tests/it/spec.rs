//! The spec source and the mirror engine against the emulator's spec service (real spec
//! files from `data/miot-spec/`, NRCHKB/mihome@000ad3c), with the clock as an input.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mikit_app::shutdown::Shutdown;
use mikit_app::spec::{
    Error, Lifetime, MirrorEvent, MirrorOptions, Notice, Source, StaleBecause, mirror,
};
use mikit_core::EndpointMap;
use mikit_core::http::{Deadline, Http, RetryPolicy};
use mikit_emulator::corpus::Corpus;
use mikit_emulator::{Emulator, EmulatorConfig};
use mikit_store::Store;

const SKYRC: &str = "urn:miot-spec-v2:device:pet-feeder:0000A06C:skyrc-fed:1";
const SKYRC_MODEL: &str = "skyrc.feeder.fed";
const UNKNOWN: &str = "urn:miot-spec-v2:device:outlet:0000A002:nobody-x9:1";
/// The tests' "now" (UTC epoch seconds, late 2026).
const T: i64 = 1_795_219_200;
const DAY: i64 = 86_400;

async fn emulator(spec_dir: Option<PathBuf>) -> Emulator {
    Emulator::start(EmulatorConfig {
        seed: 7,
        days: 1,
        spec_dir,
        ..EmulatorConfig::default()
    })
    .await
    .expect("the emulator starts on 127.0.0.1:0")
}

/// An online source on `store` talking to `emu`'s endpoint, at `now`, collecting notices.
fn online(store: Store, endpoint: &str, now: i64) -> (Source, Arc<Mutex<Vec<Notice>>>) {
    let endpoints = EndpointMap::new(Some(endpoint)).unwrap();
    let notices = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&notices);
    let source = Source::online(store, move || {
        Http::builder()
            .endpoints(endpoints)
            // A stopped service fails at once instead of after the retries' backoff.
            .retry(RetryPolicy::none())
            .deadline(Deadline::overall(Duration::from_secs(60)))
            .build()
    })
    .at(now)
    .on_notice(move |n| sink.lock().unwrap().push(n.clone()));
    (source, notices)
}

fn corpus_spec(urn: &str) -> Vec<u8> {
    Corpus::bundled().spec(urn).expect("bundled").to_vec()
}

#[tokio::test]
async fn a_fresh_cache_is_served_without_a_request() {
    let emu = emulator(None).await;
    let (mut source, notices) = online(Store::open_in_memory().unwrap(), emu.endpoint(), T);
    let (model, urn) = source.resolve(SKYRC_MODEL).await.unwrap();
    assert_eq!((model.as_deref(), urn.as_str()), (Some(SKYRC_MODEL), SKYRC));
    assert_eq!(source.spec(&urn).await.unwrap(), corpus_spec(SKYRC));
    let asked = emu.stats().requests;
    assert_eq!(asked, 2, "the list and the spec");

    // One second before the end of both lifetimes: still fresh, nothing asked.
    let store = source.into_store();
    let (mut source, _) = online(store, emu.endpoint(), T + Lifetime::LIST.as_seconds() - 1);
    let (_, urn) = source.resolve(SKYRC_MODEL).await.unwrap();
    assert_eq!(source.spec(&urn).await.unwrap(), corpus_spec(SKYRC));
    assert_eq!(emu.stats().requests, asked);
    assert!(notices.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_stale_copy_is_refreshed() {
    let emu = emulator(None).await;
    let mut store = Store::open_in_memory().unwrap();
    // Exactly one lifetime old: stale (the same rule as the mirror's, below).
    store
        .put_spec(
            SKYRC,
            T - Lifetime::SPEC.as_seconds(),
            "old",
            b"{\"old\":1}",
        )
        .unwrap();
    let (mut source, notices) = online(store, emu.endpoint(), T);
    assert_eq!(source.spec(SKYRC).await.unwrap(), corpus_spec(SKYRC));
    assert_eq!(emu.stats().requests, 1);
    let cached = source.store().spec(SKYRC).unwrap().unwrap();
    assert_eq!((cached.fetched_at, cached.body), (T, corpus_spec(SKYRC)));
    assert!(notices.lock().unwrap().is_empty());
}

#[tokio::test]
async fn the_service_down_serves_the_stale_copy_with_a_notice() {
    let emu = emulator(None).await;
    let endpoint = emu.endpoint().to_owned();
    // Cache the list and the spec, then let both age and stop the service.
    let (mut source, _) = online(Store::open_in_memory().unwrap(), &endpoint, T);
    source.resolve(SKYRC_MODEL).await.unwrap();
    source.spec(SKYRC).await.unwrap();
    emu.shutdown().await;

    let later = T + 31 * DAY;
    let (mut source, notices) = online(source.into_store(), &endpoint, later);
    let (_, urn) = source.resolve(SKYRC_MODEL).await.unwrap();
    assert_eq!(source.spec(&urn).await.unwrap(), corpus_spec(SKYRC));
    let notices = notices.lock().unwrap().clone();
    assert_eq!(notices.len(), 2, "{notices:?}");
    for (n, what) in notices.iter().zip(["instances list (all)", "spec"]) {
        let Notice::Stale {
            what: w,
            fetched_at,
            age,
            because,
        } = n
        else {
            panic!("{n:?}")
        };
        assert_eq!(
            (w.as_str(), *fetched_at, *age),
            (what, T, 31 * DAY),
            "{n:?}"
        );
        assert!(matches!(because, StaleBecause::Unreachable { .. }), "{n:?}");
    }
    // Not cached at all: a network failure (the CLI's exit 4).
    let err = source
        .spec("urn:miot-spec-v2:device:fan:0000A005:dmaker-p5:1")
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Service { .. }) && err.is_unavailable(),
        "{err:?}"
    );
}

#[tokio::test]
async fn offline_serves_the_cache_only() {
    let emu = emulator(None).await;
    let mut store = Store::open_in_memory().unwrap();
    store
        .put_spec(SKYRC, T - 40 * DAY, "Pet Feeder", &corpus_spec(SKYRC))
        .unwrap();
    let notices = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&notices);
    let mut source = Source::offline(store)
        .at(T)
        .on_notice(move |n| sink.lock().unwrap().push(n.clone()));
    assert!(source.is_offline());
    assert_eq!(source.spec(SKYRC).await.unwrap(), corpus_spec(SKYRC));
    assert_eq!(
        notices.lock().unwrap().as_slice(),
        [Notice::Stale {
            what: "spec".into(),
            fetched_at: T - 40 * DAY,
            age: 40 * DAY,
            because: StaleBecause::Offline
        }]
    );
    for err in [
        source.spec(UNKNOWN).await.unwrap_err(),
        source.resolve(SKYRC_MODEL).await.unwrap_err(),
    ] {
        assert!(
            matches!(err, Error::NotCached { .. }) && err.is_unavailable(),
            "{err:?}"
        );
        assert!(err.to_string().contains("not in the local cache"), "{err}");
    }
    assert_eq!(emu.stats().requests, 0, "offline asks nothing");
}

#[tokio::test]
async fn a_recent_failure_is_not_retried_within_its_lifetime() {
    let emu = emulator(None).await;
    let (mut source, _) = online(Store::open_in_memory().unwrap(), emu.endpoint(), T);
    let err = source.spec(UNKNOWN).await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Service {
                source: mikit_miot::Error::NotFound { .. },
                ..
            }
        ) && !err.is_unavailable(),
        "{err:?}"
    );
    assert_eq!(
        emu.stats().requests,
        1,
        "a 404 is not retried on the mirror"
    );

    let mut store = source.into_store();
    let last = Lifetime::FAILURE.as_seconds() - 1;
    for now in [T, T + last] {
        let (mut source, _) = online(store, emu.endpoint(), now);
        let err = source.spec(UNKNOWN).await.unwrap_err();
        let Error::RecentFailure { ago, reason, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!((*ago, reason.as_str()), (now - T, "not found (404)"));
        assert_eq!(emu.stats().requests, 1, "not asked again at {now}");
        store = source.into_store();
    }
    // Once the failure is one lifetime old, the service is asked again.
    let (mut source, _) = online(store, emu.endpoint(), T + last + 1);
    assert!(matches!(
        source.spec(UNKNOWN).await,
        Err(Error::Service { .. })
    ));
    assert_eq!(emu.stats().requests, 2);
}

/// A spec dir whose instances list names `n` bundled specs plus two URNs the service has no
/// file for.
fn spec_dir(dir: &Path, n: usize) -> Vec<String> {
    let root = dir.join("specs");
    std::fs::create_dir_all(&root).unwrap();
    let mut entries = Vec::new();
    let mut urns = Vec::new();
    for (i, (urn, _)) in Corpus::bundled().specs().take(n).enumerate() {
        entries.push(serde_json::json!({"status":"released","model":format!("test.model.{i}"),"version":1,"type":urn}));
        urns.push(urn.to_owned());
    }
    for i in 0..2 {
        entries.push(
            serde_json::json!({"status":"debug","model":format!("nobody.thing.x{i}"),"version":1,
            "type":format!("urn:miot-spec-v2:device:outlet:0000A002:nobody-x{i}:1")}),
        );
    }
    std::fs::write(
        root.join("instances.json"),
        serde_json::to_vec(&serde_json::json!({ "instances": entries })).unwrap(),
    )
    .unwrap();
    urns
}

struct TempDir(PathBuf);
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn the_mirror_resumes_after_a_shutdown() {
    let dir =
        TempDir(std::env::temp_dir().join(format!("mikit-app-it-{}-mirror", std::process::id())));
    let urns = spec_dir(&dir.0, 20);
    let emu = emulator(Some(dir.0.join("specs"))).await;
    let options = MirrorOptions {
        jobs: 2,
        ..MirrorOptions::default()
    };

    // First run: stopped as soon as one spec arrived.
    let (mut source, _) = online(Store::open_in_memory().unwrap(), emu.endpoint(), T);
    let stop = Shutdown::new();
    let mut events = Vec::new();
    let first = mirror(&mut source, &options, &stop, |e| {
        if matches!(e, MirrorEvent::Fetched { .. }) {
            stop.trigger();
        }
        events.push(e.clone());
    })
    .await
    .unwrap();
    assert_eq!(events[0], MirrorEvent::Planned { todo: 22 });
    assert!(first.interrupted, "{first:?}");
    assert_eq!(
        (first.entries, first.urns, first.fetched),
        (22, 22, 1),
        "{first:?}"
    );
    assert_eq!(
        events.len(),
        1 + first.fetched + first.missing,
        "{events:?}"
    );
    let committed = source.store().cached_spec_urns(i64::MIN).unwrap();
    assert_eq!(committed.len(), 1, "the fetched spec was committed");

    // Second run, same clock: only what is left is fetched.
    let stop = Shutdown::new();
    let second = mirror(&mut source, &options, &stop, |_| {}).await.unwrap();
    assert!(!second.interrupted, "{second:?}");
    assert_eq!(second.cached, 1, "{second:?}");
    assert_eq!(second.recently_failed, first.missing, "{second:?}");
    assert_eq!(second.fetched, 19, "{second:?}");
    assert_eq!(second.missing + first.missing, 2, "{second:?}");
    assert_eq!(second.failed, 0, "{second:?}");
    for urn in &urns {
        assert_eq!(
            source.store().spec(urn).unwrap().expect("cached").body,
            corpus_spec(urn),
            "{urn}"
        );
    }

    // One spec lifetime later every spec is exactly one lifetime old: stale for the mirror
    // as for a single look-up, so all are fetched again.
    let store = source.into_store();
    let (mut source, _) = online(store, emu.endpoint(), T + Lifetime::SPEC.as_seconds());
    let third = mirror(&mut source, &options, &Shutdown::new(), |_| {})
        .await
        .unwrap();
    assert_eq!(
        (third.cached, third.fetched, third.missing),
        (0, 20, 2),
        "{third:?}"
    );
}
