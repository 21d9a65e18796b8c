//! Nothing mikit-huami (or the HTTP layer under it) logs contains a password, a token or an
//! access code: run failing and refreshing flows under a capturing `tracing` subscriber.

use std::sync::{Arc, Mutex};

use jiff::civil::date;
use mikit_core::Secret;
use mikit_huami::{HuamiClient, LoginRequest, QueryType, login};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

use crate::fake::{EMAIL, Fake, PASSWORD};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<String>>);

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!("{}={value:?} ", field.name()));
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        span.record(&mut Fields(&mut self.0.lock().unwrap()));
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        values.record(&mut Fields(&mut self.0.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut s = self.0.lock().unwrap();
        event.record(&mut Fields(&mut s));
        s.push('\n');
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test]
async fn logs_carry_no_secrets() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let fake = Fake::start().await;

    // A login whose first whole attempt times out (retry logs), then succeeds.
    fake.with(|g| g.knobs.client_login_hangs = 2);
    let session = login(
        &fake.http(),
        &LoginRequest::new(EMAIL, Secret::from(PASSWORD)),
    )
    .await
    .unwrap();
    // A data call that needs a refresh.
    let client = HuamiClient::new(fake.http(), session);
    fake.with(|g| g.expire_app_tokens());
    client
        .band_data(QueryType::Detail, date(2026, 2, 6), date(2026, 2, 6))
        .await
        .unwrap();
    // A failing login with a wrong password.
    let _ = login(
        &fake.http(),
        &LoginRequest::new(EMAIL, Secret::from("hunter2-wrong")),
    )
    .await;

    let logs = capture.0.lock().unwrap().clone();
    assert!(logs.contains("http"), "the capture works: {logs}");
    assert!(logs.contains("refreshed"), "{logs}");
    let session = client.session().await;
    let mut secrets = vec![
        PASSWORD.to_owned(),
        "hunter2".to_owned(),
        session.login_token.expose().clone(),
        session.app_token.expose().clone(),
    ];
    fake.with(|g| {
        for s in &g.seen {
            secrets.extend(s.field("code").map(str::to_owned));
            secrets.extend(
                s.headers
                    .get("apptoken")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
            );
        }
    });
    for s in secrets {
        assert!(!logs.contains(&s), "log leaks {s:?}:\n{logs}");
    }
    // Tokens are minted as `PREFIX-NNNNNNNN-qqqq…`: no such fragment appears either.
    assert!(
        !logs.contains("ACCESS-") && !logs.contains("AT-0") && !logs.contains("LT-0"),
        "{logs}"
    );
}
