//! Test harness: a temp dir, an emulator, and a way to run the binary.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
};

use mikit_emulator::{Emulator, EmulatorConfig};

/// The fixed last day of the emulated history, so that every run sees the same data.
pub const TODAY: jiff::civil::Date = jiff::civil::date(2026, 3, 31);

/// A temporary directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("mikit-it-{}-{name}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        // Private, as mikit makes its data directory (a looser one gets a note on stderr).
        mikit_core::paths::ensure_private_dir(&p).unwrap();
        Self(p)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Start an emulator with `days` of history ending at [`TODAY`].
pub async fn emulator(days: u32, tweak: impl FnOnce(&mut EmulatorConfig)) -> Emulator {
    let mut cfg = EmulatorConfig {
        seed: 7,
        days,
        today: Some(TODAY),
        ..EmulatorConfig::default()
    };
    tweak(&mut cfg);
    Emulator::start(cfg)
        .await
        .expect("the emulator starts on 127.0.0.1:0")
}

/// The emulator's main Huami account (email, password).
pub fn huami_account(emu: &Emulator) -> (String, String) {
    let info = emu.info();
    let a = &info["accounts"]["huami"];
    (
        a["email"].as_str().unwrap().to_owned(),
        a["password"].as_str().unwrap().to_owned(),
    )
}

/// A `mikit` command with `--data-dir` and `--endpoint` set and a clean environment.
pub fn mikit(dir: &Path, endpoint: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mikit"));
    c.arg("--data-dir").arg(dir).arg("--endpoint").arg(endpoint);
    c.env_remove("MIKIT_HUAMI_PASSWORD")
        .env_remove("MIKIT_ENDPOINT")
        .env_remove("RUST_LOG");
    // An explicit config file must exist; an empty one keeps the user's own config out.
    c.env("MIKIT_CONFIG", empty_config());
    c.stdin(Stdio::null());
    c
}

/// An empty config file shared by every test of this run (created once).
pub fn empty_config() -> &'static Path {
    static FILE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    FILE.get_or_init(|| {
        let p = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mikit-it-empty-config.toml");
        std::fs::write(&p, b"").unwrap();
        p
    })
}

/// Run a command to completion off the async runtime, feeding `stdin`.
pub async fn run(mut cmd: Command, stdin: Option<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        use std::io::Write;
        if stdin.is_some() {
            cmd.stdin(Stdio::piped());
        }
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("the mikit binary runs");
        if let Some(input) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .unwrap();
        }
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap()
}

/// stdout + stderr as text, for assertion messages.
pub fn text(o: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Log in with the emulator's account (password on stdin); panics on failure.
pub async fn login(dir: &Path, emu: &Emulator) {
    let (email, password) = huami_account(emu);
    let mut c = mikit(dir, emu.endpoint());
    c.args(["fit", "login", "--email", &email, "--password-stdin"]);
    let o = run(c, Some(format!("{password}\n"))).await;
    assert!(o.status.success(), "login failed: {}", text(&o));
}

/// The content digest of the database in `dir`.
pub fn digest(dir: &Path) -> String {
    mikit_store::Store::open(&dir.join("mikit.db"))
        .unwrap()
        .content_digest()
        .unwrap()
}
