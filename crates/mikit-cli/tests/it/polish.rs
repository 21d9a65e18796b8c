//! Output details users hit (issue 9, "Polish that users hit"): colours, help texts.

use crate::harness::{TempDir, emulator, login, mikit, run, text};

/// Log lines written to a pipe carry no ANSI escape sequences (before the fix, `-vv` through a
/// pipe printed `\x1b[2m...` around every level and timestamp).
#[tokio::test(flavor = "multi_thread")]
async fn logs_to_a_pipe_have_no_colours() {
    let emu = emulator(5, |_| {}).await;
    let dir = TempDir::new("nocolour");
    login(dir.path(), &emu).await;
    let mut c = mikit(dir.path(), emu.endpoint());
    c.env_remove("NO_COLOR").args(["-vv", "fit", "sync"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("DEBUG") || err.contains("INFO"),
        "{}",
        text(&o)
    );
    assert!(
        !err.contains('\x1b'),
        "escape sequences in piped logs: {}",
        text(&o)
    );
}

/// The top-level help introduces both halves of mikit, not only fitness.
#[tokio::test(flavor = "multi_thread")]
async fn top_level_help_mentions_devices() {
    let dir = TempDir::new("help");
    let mut c = mikit(dir.path(), "http://127.0.0.1:9");
    c.arg("--help");
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let help = String::from_utf8_lossy(&o.stdout);
    let intro: String = help
        .lines()
        .take_while(|l| !l.starts_with("Usage"))
        .collect();
    for word in ["Mi Band", "Mi Home", "LAN", "mikit device"] {
        assert!(intro.contains(word), "the intro lacks {word:?}:\n{help}");
    }
}

/// Counts agree with their noun: one day is "1 day", one request "1 request" (before the fix:
/// "Synced 1 days with data (… minutes) … (1 requests)").
#[tokio::test(flavor = "multi_thread")]
async fn a_one_day_sync_says_one_day_and_one_request() {
    let emu = emulator(5, |_| {}).await;
    let dir = TempDir::new("plural");
    login(dir.path(), &emu).await;
    let mut c = mikit(dir.path(), emu.endpoint());
    c.args(["fit", "sync", "--from", "2026-03-30", "--to", "2026-03-30"]);
    let o = run(c, None).await;
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("Synced 1 day with data"), "{}", text(&o));
    assert!(out.contains("(1 request)"), "{}", text(&o));
}
