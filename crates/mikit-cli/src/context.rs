//! Flags, environment and config file resolved once per process.

use std::path::PathBuf;

use anyhow::Context as _;
use mikit_core::{EndpointMap, config::Config, http::Http, paths::Paths};

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
}

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
        Ok(Self {
            global,
            config,
            paths,
            endpoints,
            out,
        })
    }

    /// The HTTP client for this process.
    pub fn http(&self) -> anyhow::Result<Http> {
        Ok(Http::builder().endpoints(self.endpoints.clone()).build()?)
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
        })
    }
}
