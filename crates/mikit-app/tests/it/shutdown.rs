use mikit_app::shutdown::Shutdown;

#[tokio::test]
async fn a_trigger_reaches_every_clone_and_late_waiters() {
    let stop = Shutdown::new();
    let other = stop.clone();
    assert!(!other.requested());
    let waiter = tokio::spawn({
        let s = other.clone();
        async move { s.wait().await }
    });
    stop.trigger();
    waiter.await.unwrap();
    assert!(other.requested());
    // A waiter that arrives after the request returns at once.
    other.wait().await;
}

#[cfg(unix)]
#[tokio::test]
async fn sigterm_requests_a_stop() {
    // The handlers are installed when `on_signals` returns, so the SIGTERM below cannot kill
    // the test process.
    let stop = Shutdown::on_signals();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &std::process::id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    tokio::time::timeout(std::time::Duration::from_secs(30), stop.wait())
        .await
        .expect("SIGTERM was not seen");
    assert!(stop.requested());
}
