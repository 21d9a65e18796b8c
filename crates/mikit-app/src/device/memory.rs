//! Small files that make the next command faster: the transport `--via auto` chose per device
//! (`{"<did>": {"via": "cloud", "at": 1700000000}}`) and the last miIO message id per address.
//! Both are best effort: a missing or damaged file only costs a probe or a retry.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::link::REMEMBER_SECS;

#[derive(Debug, Serialize, Deserialize)]
struct Choice {
    via: String,
    at: i64,
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

fn read_json<T: serde::de::DeserializeOwned + Default>(path: &Path) -> T {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), String> {
    let bytes = serde_json::to_vec_pretty(value).map_err(|e| e.to_string())?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    mikit_core::paths::write_private(path, &bytes).map_err(|e| e.to_string())
}

/// Seconds since `via` was chosen for `key`, if that was less than [`REMEMBER_SECS`] ago.
pub(crate) fn recent(path: &Path, key: &str, via: &str) -> Option<i64> {
    let all: BTreeMap<String, Choice> = read_json(path);
    let age = all
        .get(key)
        .filter(|c| c.via == via)
        .map(|c| now() - c.at)?;
    (0..REMEMBER_SECS).contains(&age).then_some(age)
}

/// Remember `via` for `key`, dropping expired entries.
pub(crate) fn remember(path: &Path, key: &str, via: &str) {
    let now = now();
    let mut all: BTreeMap<String, Choice> = read_json(path);
    all.retain(|_, c| now - c.at < REMEMBER_SECS);
    all.insert(
        key.to_owned(),
        Choice {
            via: via.to_owned(),
            at: now,
        },
    );
    if let Err(e) = write_json(path, &all) {
        tracing::debug!(error = %e, "cannot remember the transport choice");
    }
}

/// Message ids per device address, kept between runs: devices ignore an id they answered
/// recently (python-miio `device_cache.py` persists them for the same reason, #2063).
#[derive(Clone, Debug)]
pub struct MessageIds {
    path: PathBuf,
}

impl MessageIds {
    /// The ids kept in the file at `path` (created on the first save).
    pub fn at(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The last id used with `addr` (0 if none).
    pub fn load(&self, addr: SocketAddr) -> u32 {
        let all: BTreeMap<String, u32> = read_json(&self.path);
        all.get(&addr.to_string()).copied().unwrap_or(0)
    }

    /// Remember the last id used with `addr` (best effort: a failure only costs a retry).
    pub fn save(&self, addr: SocketAddr, last_id: u32) {
        let mut all: BTreeMap<String, u32> = read_json(&self.path);
        all.insert(addr.to_string(), last_id);
        if let Err(e) = write_json(&self.path, &all) {
            tracing::debug!(error = %e, "cannot remember miIO message ids");
        }
    }
}
