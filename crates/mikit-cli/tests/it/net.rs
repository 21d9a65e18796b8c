//! Network limits end to end (issue 9, point 10): a server that accepts and never answers
//! makes a command fail within `--timeout` (or `timeout =` in the config), exit 4, naming the
//! URL actually requested.

use std::time::{Duration, Instant};

use tokio::net::TcpListener;

use crate::harness::{TempDir, mikit, run, text};

/// A listener on 127.0.0.1 that accepts connections and never answers; its endpoint.
async fn stalled_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            open.push(stream);
        }
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_server_fails_the_command_within_the_timeout() {
    let endpoint = stalled_server().await;
    let dir = TempDir::new("net-stalled");
    let started = Instant::now();
    let mut c = mikit(dir.path(), &endpoint);
    c.args([
        "--timeout",
        "1",
        "fit",
        "login",
        "--email",
        "a@b.example",
        "--password-stdin",
    ]);
    let o = run(c, Some("pw\n".into())).await;
    // Generous: without a deadline this took minutes (60 s per attempt, 6 attempts).
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    let stderr = String::from_utf8_lossy(&o.stderr);
    // The URL actually requested (the override), not the real Huami host alone.
    assert!(stderr.contains(&format!("{endpoint}/")), "{}", text(&o));
    assert!(stderr.contains("--timeout"), "{}", text(&o));

    // The same from the config file.
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "timeout = 1\n").unwrap();
    let mut c = mikit(dir.path(), &endpoint);
    c.env("MIKIT_CONFIG", &config);
    c.args(["fit", "login", "--email", "a@b.example", "--password-stdin"]);
    let o = run(c, Some("pw\n".into())).await;
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("within the 1 s deadline"),
        "{}",
        text(&o)
    );

    // 0 is a usage error.
    let mut c = mikit(dir.path(), &endpoint);
    c.args(["--timeout", "0", "fit", "show"]);
    assert_eq!(run(c, None).await.status.code(), Some(2));
}
