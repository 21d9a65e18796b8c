//! Flags, environment and config file resolved once per process.

use std::path::PathBuf;

use anyhow::Context as _;
use std::time::Duration;

use mikit_core::{
    EndpointMap,
    config::Config,
    http::{Deadline, Http},
    paths::Paths,
};

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
    pub fn load(global: Global) -> anyhow::Result<Self> {
        let default_paths = Paths::resolve(None).ok();
        let config_file = global
            .config
            .clone()
            .or_else(|| default_paths.as_ref().map(|p| p.config_file.clone()));
        let config = match &config_file {
            Some(f) => Config::load(f)?,
            None => Config::default(),
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

    /// Open the database (creating it on first use).
    pub fn open_store(&self) -> anyhow::Result<mikit_store::Store> {
        let path = self.paths.database();
        mikit_store::Store::open(&path)
            .with_context(|| format!("opening the database {}", path.display()))
    }

    /// The Huami session file.
    pub fn huami_session_path(&self) -> PathBuf {
        self.paths.state.join("huami-session.json")
    }
}

impl Ctx {
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
