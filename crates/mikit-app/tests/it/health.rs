//! The devices, health-event and weight streams against the emulator (real sockets on
//! 127.0.0.1; the emulator serves them as `huami-cloud.md` §4, §7, §8 describe).

use std::sync::Arc;

use jiff::civil::date;
use mikit_app::{
    fit::{self, Stream, SyncEvent, SyncOptions},
    shutdown::Shutdown,
};
use mikit_huami::{EventStream, HuamiClient};
use mikit_store::{AccountId, Store};
use serde_json::Value;

use crate::fit::{TODAY, TempDir, client, emulator};

fn options(streams: &[Stream]) -> SyncOptions {
    SyncOptions {
        today: Some(TODAY),
        streams: streams.to_vec(),
        zone: Some(jiff::tz::TimeZone::get("Europe/Berlin").unwrap()),
        ..SyncOptions::default()
    }
}

async fn run(
    client: &Arc<HuamiClient>,
    db: &std::path::Path,
    options: &SyncOptions,
    shutdown: &Shutdown,
    mut on_event: impl FnMut(&SyncEvent) + Send,
) -> fit::SyncOutcome {
    fit::sync(
        Arc::clone(client),
        Store::open(db).unwrap(),
        options,
        shutdown,
        |e| on_event(&e),
    )
    .await
    .unwrap()
}

fn account(store: &Store) -> AccountId {
    store.accounts(fit::PROVIDER).unwrap()[0].0
}

/// A GET of the emulator's REST endpoint as any client would send it, the body as JSON.
async fn raw_get(
    emu: &mikit_emulator::Emulator,
    client: &HuamiClient,
    path: &str,
    query: &[(&str, String)],
) -> Value {
    let s = client.session().await;
    let http = mikit_core::http::Http::builder()
        .endpoints(mikit_core::EndpointMap::new(Some(emu.endpoint())).unwrap())
        .build()
        .unwrap();
    let token = s.app_token.expose().to_owned();
    let resp = http
        .send(
            reqwest::Method::GET,
            &format!("https://{}{path}", s.data_host),
            |rb| rb.query(query).header("apptoken", token.as_str()),
        )
        .await
        .unwrap();
    assert_eq!(resp.status.as_u16(), 200);
    serde_json::from_slice(&resp.body).unwrap()
}

#[tokio::test]
async fn devices_are_kept_with_the_keys_the_service_serves() {
    let emu = emulator(30).await;
    let client = client(&emu).await;
    let dir = TempDir::new("devices");
    let out = run(
        &client,
        &dir.db(),
        &options(&[Stream::Devices]),
        &Shutdown::new(),
        |_| {},
    )
    .await;
    let o = out.stream(Stream::Devices).unwrap();
    let store = Store::open(&dir.db()).unwrap();
    let stored = store.huami_devices(account(&store)).unwrap();
    assert_eq!(o.health.written, stored.len() as u64);

    let uid = client.session().await.user_id;
    let body = raw_get(
        &emu,
        &client,
        &format!("/users/{uid}/devices"),
        &[("enableMultiDevice", "true".to_owned())],
    )
    .await;
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), stored.len());
    let mut with_key = 0;
    for item in items {
        let mac = item["macAddress"].as_str().unwrap();
        let info: Value = serde_json::from_str(item["additionalInfo"].as_str().unwrap()).unwrap();
        let served = info["auth_key"].as_str().filter(|k| !k.is_empty());
        let row = stored
            .iter()
            .find(|d| d.mac.as_deref() == Some(mac))
            .unwrap_or_else(|| panic!("device {mac} stored"));
        assert_eq!(row.auth_key.as_deref(), served, "{mac}");
        with_key += usize::from(served.is_some());
    }
    assert_eq!(o.health.keys, with_key as u64);
    assert!(
        with_key >= 1 && with_key < items.len(),
        "a band with a key, a scale without"
    );
}

#[tokio::test]
async fn events_record_what_was_fetched_and_resume_after_a_stop() {
    let emu = emulator(400).await;
    let client = client(&emu).await;
    let dir = TempDir::new("events");
    let opts = options(&[Stream::Health]);

    // Stop after the first committed range, then continue: the same database as one run.
    let stop = Shutdown::new();
    let trigger = stop.clone();
    let first = run(&client, &dir.db(), &opts, &stop, |e| {
        if matches!(e, SyncEvent::HealthRangeCommitted { .. }) {
            trigger.trigger();
        }
    })
    .await;
    assert!(first.interrupted);
    let second = run(&client, &dir.db(), &opts, &Shutdown::new(), |_| {}).await;
    assert!(!second.interrupted);
    let resumed = Store::open(&dir.db()).unwrap().content_digest().unwrap();

    let whole = TempDir::new("events-whole");
    let out = run(&client, &whole.db(), &opts, &Shutdown::new(), |_| {}).await;
    let store = Store::open(&whole.db()).unwrap();
    assert_eq!(store.content_digest().unwrap(), resumed);
    let a = account(&store);

    // Every stream has rows, and each stream's fetched range is one span from the first
    // day to the last: nothing in between is "not fetched".
    let counts: std::collections::HashMap<String, u64> =
        store.health_counts(a).unwrap().into_iter().collect();
    for kind in [
        "stress",
        "spo2",
        "spo2_nightly",
        "pai",
        "hrv",
        "readiness",
        "respiratory_rate",
    ] {
        assert!(
            counts.get(kind).copied().unwrap_or(0) > 0,
            "{kind}: {counts:?}"
        );
    }
    let h = out.stream(Stream::Health).unwrap();
    assert_eq!(h.health.written, counts.values().sum::<u64>());
    for s in EventStream::ALL {
        let fetched = store.health_fetched(a, s.name()).unwrap();
        assert_eq!(fetched.len(), 1, "{}: {fetched:?}", s.name());
    }

    // Fetched and empty versus not fetched: a range before the history holds nothing but is
    // recorded; a stream never asked for has no range at all.
    let dir2 = TempDir::new("events-old");
    let old = SyncOptions {
        from: Some(date(2020, 1, 1)),
        to: Some(date(2020, 1, 31)),
        ..opts.clone()
    };
    let out = run(&client, &dir2.db(), &old, &Shutdown::new(), |_| {}).await;
    let h = out.stream(Stream::Health).unwrap();
    assert_eq!(h.health.written, 0);
    assert_eq!(h.health.ranges, EventStream::ALL.len() as u64);
    assert_eq!(h.health.empty_ranges, h.health.ranges);
    let store2 = Store::open(&dir2.db()).unwrap();
    let a2 = account(&store2);
    let pai = store2.health_fetched(a2, "pai").unwrap();
    assert_eq!(pai.len(), 1, "fetched");
    assert!(
        store2.health_counts(a2).unwrap().is_empty(),
        "nothing measured"
    );
    assert!(
        store2.health_fetched(a2, "weight").unwrap().is_empty(),
        "not fetched"
    );

    // An incremental sync asks again only for the last two days of each stream.
    let again = run(&client, &whole.db(), &opts, &Shutdown::new(), |_| {}).await;
    let h = again.stream(Stream::Health).unwrap();
    assert_eq!(h.health.ranges, EventStream::ALL.len() as u64);
    assert_eq!(
        h.range.unwrap().0,
        TODAY.saturating_add(jiff::ToSpan::days(1)) - jiff::ToSpan::days(2)
    );
    assert_eq!(
        Store::open(&whole.db()).unwrap().content_digest().unwrap(),
        resumed
    );
}

#[tokio::test]
async fn weight_records_are_paged_to_the_end_and_broken_ones_skipped() {
    let emu = emulator(400).await;
    let client = client(&emu).await;
    let dir = TempDir::new("weight");
    let out = run(
        &client,
        &dir.db(),
        &options(&[Stream::Weight]),
        &Shutdown::new(),
        |_| {},
    )
    .await;
    let w = out.stream(Stream::Weight).unwrap();

    // What the service holds, walked by hand with `toTime = next` until 0 (reference §8).
    let uid = client.session().await.user_id;
    let mut to_time = jiff::Timestamp::now().as_second();
    let (mut good, mut broken, mut pages) = (0u64, 0u64, 0u64);
    loop {
        let body = raw_get(
            &emu,
            &client,
            &format!("/users/{uid}/members/-1/weightRecords"),
            &[("limit", "200".to_owned()), ("toTime", to_time.to_string())],
        )
        .await;
        pages += 1;
        for item in body["items"].as_array().unwrap() {
            if item["weightType"].as_i64() == Some(3) {
                broken += 1;
            } else {
                good += 1;
            }
        }
        match body["next"].as_i64() {
            Some(n) if n != 0 => to_time = n,
            _ => break,
        }
    }
    assert!(pages >= 2, "the emulator's history needs paging");
    assert!(broken > 0);
    assert_eq!(w.health.written, good);
    assert_eq!(w.health.skipped, broken);
    assert_eq!(w.requests, pages);
    let store = Store::open(&dir.db()).unwrap();
    let mut n = 0;
    store
        .for_each_weight(account(&store), 0, i64::MAX, |r, origin| {
            assert!(origin.is_none());
            assert!(
                r.weight_kg.is_some_and(|kg| kg > 20.0 && kg < 300.0),
                "{r:?}"
            );
            assert!(r.raw.is_some());
            n += 1;
            Ok::<(), mikit_store::Error>(())
        })
        .unwrap();
    assert_eq!(n, good);
}
