//! Where `mikit spec` gets its data: the local cache first, the spec service when the cache
//! has nothing fresh, and stale cached data (with a warning) when the service cannot be
//! reached.
//!
//! Lifetimes follow `reference/miot-spec.md` §6: the instances list is fresh for 7 days,
//! specs, translations and type catalogs for 30 days, and a failed download (e.g. a 404
//! for a URN) is remembered for 60 seconds, as hass-xiaomi-miot does. When
//! `https://miot-spec.org` cannot be reached, the mirror `https://spec.miot-spec.com` is
//! tried (hass-xiaomi-miot's fallback, §1).

use std::future::Future;

use anyhow::Context as _;
use mikit_miot::{Instance, InstanceList, SpecClient, Status};
use mikit_store::{Cached, Store};

use crate::{context::Ctx, output};

/// How long a cached instances list is fresh (7 days).
pub const LIST_TTL: i64 = 7 * 86_400;
/// How long a cached spec, translation or type catalog is fresh (30 days).
pub const SPEC_TTL: i64 = 30 * 86_400;
/// How long a failed download is remembered (60 seconds).
pub const FAILURE_TTL: i64 = 60;

/// Nothing usable is cached and the service may not (or could not) be asked.
#[derive(Debug, thiserror::Error)]
#[error("{what} is not in the local cache{why}")]
pub struct NotCached {
    /// What was asked for.
    pub what: String,
    /// Why the service was not asked.
    pub why: &'static str,
}

const OFFLINE_WHY: &str =
    " and --offline forbids asking the spec service; run `mikit spec mirror` while online";

/// True for errors that mean "the service could not be reached or kept failing".
pub fn is_network(e: &mikit_miot::Error) -> bool {
    matches!(
        e,
        mikit_miot::Error::Http(_) | mikit_miot::Error::Status { .. }
    )
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// `3 min`, `9 days`: an age for warnings.
pub fn age_text(seconds: i64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 7_200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h", s / 3_600),
        s => format!("{} days", s / 86_400),
    }
}

/// The cache plus, on demand, the spec service.
pub struct Source<'a> {
    ctx: &'a Ctx,
    /// The local database.
    pub store: Store,
    clients: Option<(SpecClient, SpecClient)>,
    offline: bool,
    now: i64,
}

impl<'a> Source<'a> {
    /// Open the database; with `offline` the spec service is never asked, nothing is
    /// written, and a missing database reads as an empty cache (nothing is created).
    pub fn open(ctx: &'a Ctx, offline: bool) -> anyhow::Result<Self> {
        Ok(Self {
            ctx,
            store: if offline {
                ctx.read_store()?
            } else {
                ctx.open_store()?
            },
            clients: None,
            offline,
            now: now(),
        })
    }

    /// The time this source treats as "now".
    pub fn now(&self) -> i64 {
        self.now
    }

    /// The clients of the main host and of the mirror (built on first use: building the
    /// HTTP client loads the TLS roots, which a fully cached command never needs).
    pub fn clients(&mut self) -> anyhow::Result<(SpecClient, SpecClient)> {
        if let Some(c) = &self.clients {
            return Ok(c.clone());
        }
        let http = self.ctx.http()?;
        let pair = (
            SpecClient::new(http.clone()),
            SpecClient::with_host(http, mikit_miot::client::MIRROR_HOST),
        );
        self.clients = Some(pair.clone());
        Ok(pair)
    }

    /// Run `f` against the main host, then against the mirror if the main host could not
    /// be reached.
    pub async fn fetch<T, F, Fut>(&mut self, f: F) -> anyhow::Result<Result<T, mikit_miot::Error>>
    where
        F: Fn(SpecClient) -> Fut,
        Fut: Future<Output = Result<T, mikit_miot::Error>>,
    {
        let (main, mirror) = self.clients()?;
        Ok(match f(main).await {
            Err(e) if is_network(&e) => {
                tracing::info!(error = %e, "miot-spec.org failed; trying spec.miot-spec.com");
                match f(mirror).await {
                    Ok(v) => Ok(v),
                    // Report the main host's error: it is the one the user knows.
                    Err(_) => Err(e),
                }
            }
            other => other,
        })
    }

    fn warn_stale(&self, what: &str, cached: &Cached, why: &str) {
        output::stderr_line(&format!(
            "warning: {why}; using the {what} cached {} ago",
            age_text(cached.age(self.now))
        ));
    }

    /// Make sure the instances list fetched with `status` is cached and, if possible,
    /// fresh (`refresh` forces a download). Returns the list key for the store.
    pub async fn list(&mut self, status: &Status, refresh: bool) -> anyhow::Result<String> {
        let key = status.as_str().to_owned();
        let cached_at = self.store.spec_list_fetched_at(&key)?;
        let fresh = cached_at.is_some_and(|at| self.now - at < LIST_TTL);
        if fresh && !refresh {
            return Ok(key);
        }
        let stale = |this: &Self, why: &str| {
            let at = cached_at.unwrap_or(this.now);
            this.warn_stale(
                &format!("instances list ({key})"),
                &Cached {
                    fetched_at: at,
                    body: Vec::new(),
                },
                why,
            );
        };
        if self.offline {
            return match cached_at {
                Some(_) => {
                    if !fresh {
                        stale(self, "--offline");
                    }
                    Ok(key)
                }
                None => Err(NotCached {
                    what: format!("the instances list ({key})"),
                    why: OFFLINE_WHY,
                }
                .into()),
            };
        }
        let st = status.clone();
        match self
            .fetch(move |c| {
                let st = st.clone();
                async move { c.instances_bytes(&st).await }
            })
            .await?
        {
            Ok(bytes) => {
                let list = InstanceList::from_slice(&bytes)
                    .context("the spec service sent an instances list that does not parse")?;
                self.store.put_spec_list(&key, self.now, &bytes, &list)?;
                Ok(key)
            }
            Err(e) if is_network(&e) && cached_at.is_some() => {
                stale(self, &format!("the spec service is unreachable ({e})"));
                Ok(key)
            }
            Err(e) => Err(anyhow::Error::new(e).context("fetching the instances list")),
        }
    }

    /// The list to look models up in: a fresh `all` list, else a fresh `released` one (after
    /// `mikit spec mirror --status released`), else `all` fetched (or stale) now.
    pub async fn lookup_list(&mut self) -> anyhow::Result<String> {
        for key in ["all", "released"] {
            if let Some(at) = self.store.spec_list_fetched_at(key)?
                && self.now - at < LIST_TTL
            {
                return Ok(key.to_owned());
            }
        }
        if self.offline
            && self.store.spec_list_fetched_at("all")?.is_none()
            && self.store.spec_list_fetched_at("released")?.is_some()
        {
            return self.list(&Status::Released, false).await;
        }
        self.list(&Status::All, false).await
    }

    /// `MODEL` or a URN → the device URN (models via the cached list and mikit's rule:
    /// released first, then the highest version).
    pub async fn resolve(&mut self, target: &str) -> anyhow::Result<(Option<String>, String)> {
        if target.starts_with("urn:") {
            mikit_miot::Urn::parse(target)?;
            return Ok((None, target.to_owned()));
        }
        let key = self.lookup_list().await?;
        let entries = self.store.spec_entries_for_model(&key, target)?;
        let entry = entries.select(target)?;
        Ok((Some(target.to_owned()), entry.type_.clone()))
    }

    /// The spec of `urn`, as served (from the cache when fresh).
    pub async fn spec(&mut self, urn: &str) -> anyhow::Result<Vec<u8>> {
        let cached = self.store.spec(urn)?;
        if let Some(c) = &cached
            && c.is_fresh(self.now, SPEC_TTL)
        {
            return Ok(cached.map(|c| c.body).unwrap_or_default());
        }
        if self.offline {
            return match cached {
                Some(c) => {
                    self.warn_stale("spec", &c, "--offline");
                    Ok(c.body)
                }
                None => Err(NotCached {
                    what: format!("the spec {urn}"),
                    why: OFFLINE_WHY,
                }
                .into()),
            };
        }
        if let Some(f) = self.store.spec_failure(urn, self.now - FAILURE_TTL)? {
            if let Some(c) = cached {
                self.warn_stale(
                    "spec",
                    &c,
                    &format!("the last download failed ({})", f.reason),
                );
                return Ok(c.body);
            }
            anyhow::bail!(
                "the spec of {urn} could not be fetched {} ago ({}); mikit waits a minute before asking again",
                age_text(self.now - f.failed_at),
                f.reason
            );
        }
        let u = urn.to_owned();
        let result = self
            .fetch(move |c| {
                let u = u.clone();
                async move { c.instance_bytes(&u).await }
            })
            .await?;
        match result {
            Ok(bytes) => {
                let spec = match Instance::from_slice(&bytes) {
                    Ok(s) => s,
                    Err(e) => {
                        self.store
                            .record_spec_failure(urn, self.now, &e.to_string())?;
                        return Err(anyhow::Error::new(e).context(format!(
                            "the spec service sent a spec for {urn} that does not parse"
                        )));
                    }
                };
                self.store
                    .put_spec(urn, self.now, &spec.description, &bytes)?;
                Ok(bytes)
            }
            Err(e) => {
                if matches!(e, mikit_miot::Error::NotFound { .. }) {
                    self.store
                        .record_spec_failure(urn, self.now, "not found (404)")?;
                }
                match cached {
                    Some(c) if is_network(&e) => {
                        self.warn_stale(
                            "spec",
                            &c,
                            &format!("the spec service is unreachable ({e})"),
                        );
                        Ok(c.body)
                    }
                    _ => Err(anyhow::Error::new(e).context(format!("fetching the spec {urn}"))),
                }
            }
        }
    }

    /// Another document (translations, type catalogs): from the cache when fresh, else
    /// fetched with `fetch`; stale with a warning when the service cannot be reached.
    pub async fn document<F, Fut>(
        &mut self,
        key: &str,
        what: &str,
        fetch: F,
    ) -> anyhow::Result<Vec<u8>>
    where
        F: Fn(SpecClient) -> Fut,
        Fut: Future<Output = Result<Vec<u8>, mikit_miot::Error>>,
    {
        let cached = self.store.spec_document(key)?;
        if let Some(c) = &cached
            && c.is_fresh(self.now, SPEC_TTL)
        {
            return Ok(cached.map(|c| c.body).unwrap_or_default());
        }
        if self.offline {
            return match cached {
                Some(c) => {
                    self.warn_stale(what, &c, "--offline");
                    Ok(c.body)
                }
                None => Err(NotCached {
                    what: what.to_owned(),
                    why: OFFLINE_WHY,
                }
                .into()),
            };
        }
        match self.fetch(fetch).await? {
            Ok(bytes) => {
                self.store.put_spec_document(key, self.now, &bytes)?;
                Ok(bytes)
            }
            Err(e) => match cached {
                Some(c) if is_network(&e) => {
                    self.warn_stale(what, &c, &format!("the spec service is unreachable ({e})"));
                    Ok(c.body)
                }
                _ => Err(anyhow::Error::new(e).context(format!("fetching {what}"))),
            },
        }
    }
}
