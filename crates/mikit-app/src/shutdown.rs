//! One way for every long command to stop cleanly: [`Shutdown`].
//!
//! A sync, a mirror, a watch, a simulated device, the emulator and (next) the dashboard all
//! run until they finish or the user asks them to stop. They take a [`Shutdown`] and `select!`
//! on [`Shutdown::wait`] between units of work, so each one commits what it has and returns
//! normally instead of being killed mid-write. Front ends create it from the process signals
//! ([`Shutdown::on_signals`]); tests and embedding code trigger it themselves.

use tokio::sync::watch;

/// A cloneable stop request. All clones see the same request.
#[derive(Clone, Debug)]
pub struct Shutdown {
    tx: watch::Sender<bool>,
    rx: watch::Receiver<bool>,
}

impl Default for Shutdown {
    fn default() -> Self {
        Self::new()
    }
}

impl Shutdown {
    /// A request that only [`Shutdown::trigger`] sets.
    pub fn new() -> Self {
        let (tx, rx) = watch::channel(false);
        Self { tx, rx }
    }

    /// A request set by Ctrl-C (SIGINT) or, on Unix, SIGTERM and SIGHUP. Must be called inside a Tokio
    /// runtime; the handlers are installed before this returns (so a signal sent right after
    /// is never missed), and the listening task ends with the runtime.
    pub fn on_signals() -> Self {
        let this = Self::new();
        let tx = this.tx.clone();
        let signals = Signals::install();
        tokio::spawn(async move {
            signals.recv().await;
            let _ = tx.send(true);
        });
        this
    }

    /// Ask every holder to stop.
    pub fn trigger(&self) {
        let _ = self.tx.send(true);
    }

    /// True once a stop was asked for.
    pub fn requested(&self) -> bool {
        *self.rx.borrow()
    }

    /// Resolves once a stop is asked for (at once if it already was).
    pub async fn wait(&self) {
        let mut rx = self.rx.clone();
        // `wait_for` only fails when every sender is gone; `self.tx` lives as long as `self`.
        let _ = rx.wait_for(|stop| *stop).await;
    }
}

/// The installed signal handlers: SIGINT, SIGTERM, and SIGHUP (the terminal went away: stop
/// cleanly rather than die mid-write).
#[cfg(unix)]
struct Signals(Option<[tokio::signal::unix::Signal; 3]>);

#[cfg(unix)]
impl Signals {
    fn install() -> Self {
        use tokio::signal::unix::{SignalKind, signal};
        let kinds = [
            SignalKind::interrupt(),
            SignalKind::terminate(),
            SignalKind::hangup(),
        ];
        let mut installed = Vec::with_capacity(3);
        for kind in kinds {
            match signal(kind) {
                Ok(s) => installed.push(s),
                Err(_) => return Self(None),
            }
        }
        Self(installed.try_into().ok())
    }

    async fn recv(self) {
        match self.0 {
            Some([mut int, mut term, mut hup]) => {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                    _ = hup.recv() => {}
                }
            }
            // Handlers could not be installed: fall back to the portable Ctrl-C future.
            None => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn install() -> Self {
        Self
    }

    async fn recv(self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}
