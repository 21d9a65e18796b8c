//! Flags, environment and config file resolved once per process.

use std::path::PathBuf;

use anyhow::Context as _;
use std::time::Duration;

use mikit_core::{
    EndpointMap,
    config::Config,
    http::{Deadline, Http},
    paths::{Paths, Tightened},
};
use mikit_store::Store;

use crate::{cli::Global, output::Printer};

/// Everything a command needs from its environment.
pub struct Ctx {
    /// The global flags.
    pub global: Global,
    /// The parsed config file (empty if none).
    pub config: Config,
    /// Where files live.
    pub paths: Paths,
    /// Real URL → requested URL.
    pub endpoints: EndpointMap,
    /// The output printer.
    pub out: Printer,
    /// How long network requests may take (`--timeout`, `timeout =`; default
    /// [`DEFAULT_TIMEOUT_SECS`]): overall unless [`Ctx::deadline_per_request`] was called.
    pub deadline: Deadline,
}

/// The default of `--timeout`: well under a minute, so a stalled server fails a command fast.
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;

impl Ctx {
    /// Resolve flags > environment > config file > defaults.
    ///
    /// A config file named with `--config` or `MIKIT_CONFIG` must exist (a missing one is a
    /// usage error, exit 2); the default one may be missing.
    pub fn load(global: Global) -> anyhow::Result<Self> {
        let config = match &global.config {
            Some(f) => Config::load_explicit(f)?,
            None => match Paths::resolve(None) {
                Ok(p) => Config::load(&p.config_file)?,
                Err(_) => Config::default(),
            },
        };
        let data_dir: Option<PathBuf> = global.data_dir.clone().or_else(|| config.data_dir.clone());
        let paths = Paths::resolve(data_dir.as_deref())?;
        let endpoint = global.endpoint.clone().or_else(|| config.endpoint.clone());
        let endpoints =
            EndpointMap::new(endpoint.as_deref()).context("reading --endpoint / MIKIT_ENDPOINT")?;
        let out = Printer {
            json: global.json,
            quiet: global.quiet,
        };
        // The state and cache directories hold sessions and device data: keep them private
        // (the data directory is checked when the database is opened). Nothing is created.
        for dir in [&paths.state, &paths.cache] {
            report_tightened(out, mikit_core::paths::make_private(dir)?.as_slice());
        }
        let timeout = match global.timeout.or(config.timeout) {
            Some(0) => {
                anyhow::bail!("`timeout = 0` in the config file: give a number of seconds > 0")
            }
            Some(secs) => secs,
            None => DEFAULT_TIMEOUT_SECS,
        };
        Ok(Self {
            global,
            config,
            paths,
            endpoints,
            out,
            deadline: Deadline::overall(Duration::from_secs(timeout)),
        })
    }

    /// For long commands: the timeout applies to each request (with its retries) instead of
    /// to all requests together.
    pub fn deadline_per_request(&mut self) {
        if let Some(limit) = self.deadline.limit() {
            self.deadline = Deadline::PerRequest(limit);
        }
    }

    /// The HTTP client for this process.
    pub fn http(&self) -> anyhow::Result<Http> {
        Ok(Http::builder()
            .endpoints(self.endpoints.clone())
            .deadline(self.deadline.clone())
            .build()?)
    }

    /// Open the database, creating it on first use: for commands that write to it.
    pub fn open_store(&self) -> anyhow::Result<Store> {
        let path = self.paths.database();
        let store = Store::open(&path)
            .with_context(|| format!("opening the database {}", path.display()))?;
        report_tightened(self.out, store.tightened());
        Ok(store)
    }

    /// Open the database if there is one, creating nothing: for commands that only read.
    pub fn open_existing_store(&self) -> anyhow::Result<Option<Store>> {
        let path = self.paths.database();
        match Store::open_existing(&path) {
            Ok(store) => {
                report_tightened(self.out, store.tightened());
                Ok(Some(store))
            }
            Err(mikit_store::Error::NoDatabase { .. }) => Ok(None),
            Err(e) => Err(e).with_context(|| format!("opening the database {}", path.display())),
        }
    }

    /// The database for a command that only reads synced fitness data (`fit show`, `fit
    /// export`): a missing database is an error that says what to do, never an empty new one.
    pub fn open_fit_store(&self) -> anyhow::Result<Store> {
        self.open_existing_store()?.ok_or_else(|| {
            anyhow::anyhow!(
                "no database at {} yet: run `mikit fit login` and `mikit fit sync` first (or check --data-dir / MIKIT_DATA_DIR / data_dir)",
                self.paths.database().display()
            )
        })
    }

    /// The database for a command that only reads devices or cached specs: a missing database
    /// reads as an empty one (an in-memory store), so the command answers as it would on a
    /// new database without creating one.
    pub fn read_store(&self) -> anyhow::Result<Store> {
        match self.open_existing_store()? {
            Some(store) => Ok(store),
            None => Ok(Store::open_in_memory()?),
        }
    }

    /// The Huami session file.
    pub fn huami_session_path(&self) -> PathBuf {
        self.paths.state.join("huami-session.json")
    }
}

/// Say once (on stderr, unless `--quiet`) which files or directories were made private.
fn report_tightened(out: Printer, changes: &[Tightened]) {
    for t in changes {
        tracing::debug!(change = %t, "made private");
        if !out.quiet {
            crate::output::stderr_line(&format!(
                "note: made {} private to you (mode {:04o}, was {:04o}): it holds tokens, e-mail addresses or health data",
                t.path.display(),
                t.to,
                t.from
            ));
        }
    }
}

impl Ctx {
    /// A copy for a long-running server (`mikit serve`, a long-running command: its deadline
    /// is already per request).
    pub fn for_server(&self) -> Self {
        Self {
            global: self.global.clone(),
            config: self.config.clone(),
            paths: self.paths.clone(),
            endpoints: self.endpoints.clone(),
            out: self.out,
            deadline: self.deadline.clone(),
        }
    }

    /// A context that keeps everything under `dir` and talks to `endpoint` (the demo).
    pub fn redirected(&self, dir: &std::path::Path, endpoint: &str) -> anyhow::Result<Self> {
        Ok(Self {
            global: self.global.clone(),
            config: Config::default(),
            paths: Paths::under(dir),
            endpoints: EndpointMap::new(Some(endpoint))?,
            out: self.out,
            deadline: self.deadline.clone(),
        })
    }
}
