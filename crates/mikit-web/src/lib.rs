//! `mikit serve`: a local dashboard of your health data and your devices.
//!
//! Every page is server-rendered HTML with inline SVG charts and one embedded stylesheet: no
//! script, no CDN, no web font, no map tiles, so it works offline and from the binary alone.
//! Every page's data is also served as JSON under `/api/…`, computed by the same library code
//! ([`mikit_app::stats`], [`mikit_app::device`]) that the command line and the other front ends
//! call.
//!
//! Safety of a local server: it listens on loopback unless told otherwise; it answers only at
//! the address it was opened at (DNS-rebinding defence) and takes writes only from its own
//! pages with a per-process CSRF token ([`guard`]); it caps connections, request bodies and
//! idle peers; it only reads the database, and device writes go through the same checks
//! against the spec as `mikit device set`.

mod guard;
mod html;
mod pages;
mod svg;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use jiff::civil::Date;
use mikit_app::shutdown::Shutdown;
use mikit_store::Store;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

pub use guard::Guard;

/// Connections served at once; more wait in the listen backlog.
pub const MAX_CONNECTIONS: usize = 64;
/// A peer that sends no request header for this long is dropped (idle keep-alive included).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(15);
/// Request bodies (forms) larger than this are refused.
pub const MAX_BODY: usize = 16 * 1024;

/// What the device pages need for one request: a spec source and the way to devices. The
/// front end provides it (it knows where the session files and the spec cache live).
pub trait DeviceEnv: Send + Sync + 'static {
    /// Open the spec source and the device access.
    fn open(&self) -> Result<(mikit_app::spec::Source, mikit_app::device::Access), String>;
}

/// How to run the dashboard.
pub struct Config {
    /// Where to listen (`127.0.0.1:8787` by default in the CLI).
    pub listen: SocketAddr,
    /// The mikit database.
    pub database: PathBuf,
    /// Device access, when the front end offers it.
    pub devices: Option<Arc<dyn DeviceEnv>>,
    /// The day the overview is about (default: today in the system time zone).
    pub today: Option<Date>,
}

/// Why the dashboard could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The address could not be bound.
    #[error(
        "cannot listen on {addr}: is another `mikit serve` running? (`--listen` picks another address)"
    )]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The database could not be opened.
    #[error("opening the database")]
    Store(#[from] mikit_store::Error),
    /// No randomness for the CSRF token.
    #[error("the system has no randomness for the CSRF token: {0}")]
    Random(getrandom::Error),
}

/// Shared by every request.
pub(crate) struct AppState {
    pub(crate) store: Mutex<Store>,
    pub(crate) guard: Guard,
    pub(crate) devices: Option<Arc<dyn DeviceEnv>>,
    pub(crate) today: Option<Date>,
}

impl AppState {
    /// The overview's "today".
    pub(crate) fn today(&self) -> Date {
        self.today.unwrap_or_else(|| jiff::Zoned::now().date())
    }
}

/// A running dashboard.
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Shutdown,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// The URL to open.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Stop accepting, close every connection and wait for the server task.
    pub async fn stop(self) {
        self.stop.trigger();
        let _ = self.task.await;
    }
}

/// The router of a dashboard: every page, its JSON twin, the guard and the body limit.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(pages::overview))
        .route("/activity", get(pages::activity))
        .route("/sleep", get(pages::sleep))
        .route("/heart", get(pages::heart))
        .route("/health", get(pages::health))
        .route("/workouts", get(pages::workouts))
        .route("/workouts/{trackid}", get(pages::workout))
        .route("/devices", get(pages::devices))
        .route("/devices/{dev}", get(pages::device))
        .route("/devices/{dev}/set", post(pages::device_set))
        .route("/devices/{dev}/action", post(pages::device_action))
        .route("/coverage", get(pages::coverage))
        .route("/assets/style.css", get(pages::style))
        .route("/api/overview", get(pages::api_overview))
        .route("/api/activity", get(pages::api_activity))
        .route("/api/sleep", get(pages::api_sleep))
        .route("/api/heart", get(pages::api_heart))
        .route("/api/health", get(pages::api_health))
        .route("/api/workouts", get(pages::api_workouts))
        .route("/api/workouts/{trackid}", get(pages::api_workout))
        .route("/api/devices", get(pages::api_devices))
        .route("/api/devices/{dev}", get(pages::api_device))
        .route("/api/coverage", get(pages::api_coverage))
        .fallback(pages::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            guard::check,
        ))
        .with_state(state)
}

/// Bind `config.listen`, open the database, and serve until `shutdown` (or [`Running::stop`]).
pub async fn start(config: Config, shutdown: &Shutdown) -> Result<Running, Error> {
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| Error::Bind {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| Error::Bind {
        addr: config.listen,
        source,
    })?;
    let store = Store::open(&config.database)?;
    let state = Arc::new(AppState {
        store: Mutex::new(store),
        guard: Guard::new(addr).map_err(Error::Random)?,
        devices: config.devices,
        today: config.today,
    });
    let app = router(state);
    let stop = Shutdown::new();
    let (outer, inner) = (shutdown.clone(), stop.clone());
    let task = tokio::spawn(async move {
        tokio::select! {
            () = serve(listener, app) => {}
            () = outer.wait() => {}
            () = inner.wait() => {}
        }
    });
    Ok(Running { addr, stop, task })
}

/// Accept connections (at most [`MAX_CONNECTIONS`] at once) and serve each with the header
/// timeout; dropping this future closes them all.
async fn serve(listener: TcpListener, app: Router) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut conns = JoinSet::new();
    loop {
        let Ok(permit) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        let stream = loop {
            match listener.accept().await {
                Ok((s, _)) => break s,
                Err(e) => {
                    // Out of file descriptors and the like: pause instead of spinning.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        };
        while conns.try_join_next().is_some() {}
        let app = app.clone();
        conns.spawn(async move {
            let svc = hyper::service::service_fn(move |req| {
                let mut app = app.clone();
                tower_service::Service::call(&mut app, req)
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                .await;
            drop(permit);
        });
    }
}
