//! [`Source`]: spec data from the local cache, else the spec service.
//!
//! Every look-up goes the same way ([`Source::lookup`]): a fresh cached copy is served
//! without a request; offline, a stale copy is served with a [`Notice`] and a missing one is
//! [`Error::NotCached`]; a key that failed less than the failure lifetime ago is not asked
//! for again; otherwise `https://miot-spec.org` is asked, then the mirror
//! `https://spec.miot-spec.com` if the main host cannot be reached (hass-xiaomi-miot's
//! fallback, `reference/miot-spec.md` §1), and when both fail a stale copy is served with a
//! [`Notice`].

use std::future::Future;

use mikit_core::http::Http;
use mikit_miot::{Instance, InstanceList, SpecClient, Status};
use mikit_store::{Cached, Store};

use super::freshness::{Policy, age};
use super::{Error, Notice, StaleBecause, is_network};

type Connect = Box<dyn FnOnce() -> Result<Http, mikit_core::Error> + Send>;
type NoticeSink = Box<dyn FnMut(&Notice) + Send>;

/// The spec cache plus, on demand, the spec service.
pub struct Source {
    store: Store,
    /// Builds the HTTP client on first use (building it loads the TLS roots, which a fully
    /// cached look-up never needs); `None` once used, and always when offline.
    connect: Option<Connect>,
    clients: Option<(SpecClient, SpecClient)>,
    offline: bool,
    now: i64,
    policy: Policy,
    on_notice: NoticeSink,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("offline", &self.offline)
            .field("now", &self.now)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// One cached item a look-up is about.
struct Item<'k> {
    /// Its key in the failure memory.
    key: &'k str,
    /// Its name in notices (`spec`, `instances list (all)`).
    noun: String,
    /// Its name in errors (`the spec urn:…`).
    name: String,
    /// How long it stays fresh.
    lifetime: super::Lifetime,
    /// Whether failures to fetch it are remembered and respected.
    remembers_failures: bool,
    /// Fetch it even when the cached copy is fresh.
    refresh: bool,
}

/// How a look-up was answered.
enum Found {
    /// From the cache (fresh, or stale with a notice).
    Cached(Cached),
    /// From the service, not yet stored.
    Fetched(Vec<u8>),
}

impl Source {
    /// A source that asks the spec service, with an HTTP client built by `connect` on first
    /// use.
    pub fn online(
        store: Store,
        connect: impl FnOnce() -> Result<Http, mikit_core::Error> + Send + 'static,
    ) -> Self {
        Self::new(store, Some(Box::new(connect)))
    }

    /// A source that never asks the spec service and never writes: stale cached data is
    /// served with a notice, missing data is [`Error::NotCached`].
    pub fn offline(store: Store) -> Self {
        Self::new(store, None)
    }

    fn new(store: Store, connect: Option<Connect>) -> Self {
        Self {
            store,
            offline: connect.is_none(),
            connect,
            clients: None,
            now: jiff::Timestamp::now().as_second(),
            policy: Policy::default(),
            on_notice: Box::new(|n| tracing::warn!(notice = ?n, "spec source")),
        }
    }

    /// Treat `now` (UTC epoch seconds) as the current time (default: the time of creation).
    #[must_use]
    pub fn at(mut self, now: i64) -> Self {
        self.now = now;
        self
    }

    /// Use these lifetimes instead of the reference ones.
    #[must_use]
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// Hand every [`Notice`] to `sink` as it happens (default: a `tracing` warning).
    #[must_use]
    pub fn on_notice(mut self, sink: impl FnMut(&Notice) + Send + 'static) -> Self {
        self.on_notice = Box::new(sink);
        self
    }

    /// The time this source treats as "now".
    pub fn now(&self) -> i64 {
        self.now
    }

    /// The lifetimes it applies.
    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// Whether the spec service is never asked.
    pub fn is_offline(&self) -> bool {
        self.offline
    }

    /// The local database.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The local database, for writing.
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// Give the database back.
    pub fn into_store(self) -> Store {
        self.store
    }

    /// The clients of the main host and of the mirror, built on first use.
    pub(crate) fn clients(&mut self) -> Result<(SpecClient, SpecClient), Error> {
        if let Some(c) = &self.clients {
            return Ok(c.clone());
        }
        let connect = self.connect.take().ok_or_else(|| Error::NotCached {
            what: "data from the spec service".to_owned(),
        })?;
        let http = connect().map_err(Error::Http)?;
        let pair = (
            SpecClient::new(http.clone()),
            SpecClient::with_host(http, mikit_miot::client::MIRROR_HOST),
        );
        self.clients = Some(pair.clone());
        Ok(pair)
    }

    /// Run `f` against the main host, then against the mirror if the main host could not
    /// be reached. The outer error is the source's own (no client); the inner one the
    /// service's, of the main host (the one the user knows) when both failed.
    async fn fetch<T, F, Fut>(&mut self, f: F) -> Result<Result<T, mikit_miot::Error>, Error>
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
                    Err(_) => Err(e),
                }
            }
            other => other,
        })
    }

    fn stale(&mut self, item: &Item<'_>, fetched_at: i64, because: StaleBecause) {
        let notice = Notice::Stale {
            what: item.noun.clone(),
            fetched_at,
            age: age(fetched_at, self.now),
            because,
        };
        (self.on_notice)(&notice);
    }

    /// The one look-up rule (see the module documentation), for an item whose cached copy
    /// is `cached`; `fetch` downloads it.
    async fn lookup<F, Fut>(
        &mut self,
        item: &Item<'_>,
        cached: Option<Cached>,
        fetch: F,
    ) -> Result<Found, Error>
    where
        F: Fn(SpecClient) -> Fut,
        Fut: Future<Output = Result<Vec<u8>, mikit_miot::Error>>,
    {
        let fresh = cached
            .as_ref()
            .is_some_and(|c| item.lifetime.is_fresh(c.fetched_at, self.now));
        let cached = match cached {
            Some(c) if fresh && !item.refresh => return Ok(Found::Cached(c)),
            other => other,
        };
        if self.offline {
            return match cached {
                Some(c) => {
                    if !fresh {
                        self.stale(item, c.fetched_at, StaleBecause::Offline);
                    }
                    Ok(Found::Cached(c))
                }
                None => Err(Error::NotCached {
                    what: item.name.clone(),
                }),
            };
        }
        if item.remembers_failures
            && let Some(f) = self
                .store
                .spec_failure(item.key, self.policy.failure.oldest_fresh(self.now))?
        {
            return match cached {
                Some(c) => {
                    self.stale(
                        item,
                        c.fetched_at,
                        StaleBecause::RecentFailure { reason: f.reason },
                    );
                    Ok(Found::Cached(c))
                }
                None => Err(Error::RecentFailure {
                    what: item.name.clone(),
                    ago: age(f.failed_at, self.now),
                    reason: f.reason,
                    retry_after: self.policy.failure.as_seconds(),
                }),
            };
        }
        match self.fetch(fetch).await? {
            Ok(bytes) => Ok(Found::Fetched(bytes)),
            Err(e) => {
                if item.remembers_failures && matches!(e, mikit_miot::Error::NotFound { .. }) {
                    self.store
                        .record_spec_failure(item.key, self.now, "not found (404)")?;
                }
                match cached {
                    Some(c) if is_network(&e) => {
                        self.stale(
                            item,
                            c.fetched_at,
                            StaleBecause::Unreachable {
                                error: e.to_string(),
                            },
                        );
                        Ok(Found::Cached(c))
                    }
                    _ => Err(Error::Service {
                        what: item.name.clone(),
                        source: e,
                    }),
                }
            }
        }
    }

    /// Make sure the instances list fetched with `status` is cached and, if possible, fresh
    /// (`refresh` forces a download). Returns the list's key in the store.
    pub async fn list(&mut self, status: &Status, refresh: bool) -> Result<String, Error> {
        let key = status.as_str().to_owned();
        // Only the fetch time is read: the entries are queried from the store by model.
        let cached = self
            .store
            .spec_list_fetched_at(&key)?
            .map(|fetched_at| Cached {
                fetched_at,
                body: Vec::new(),
            });
        let item = Item {
            key: &key,
            noun: format!("instances list ({key})"),
            name: format!("the instances list ({key})"),
            lifetime: self.policy.list,
            remembers_failures: false,
            refresh,
        };
        let st = status.clone();
        let found = self
            .lookup(&item, cached, move |c| {
                let st = st.clone();
                async move { c.instances_bytes(&st).await }
            })
            .await?;
        if let Found::Fetched(bytes) = found {
            let list = InstanceList::from_slice(&bytes).map_err(|source| Error::Invalid {
                what: "an instances list".to_owned(),
                source,
            })?;
            self.store.put_spec_list(&key, self.now, &bytes, &list)?;
        }
        Ok(key)
    }

    /// The list to look models up in: a fresh `all` list, else a fresh `released` one
    /// (after a mirror of the released list), else `all` fetched (or stale) now; offline
    /// with only a `released` list, that one.
    pub async fn lookup_list(&mut self) -> Result<String, Error> {
        for key in ["all", "released"] {
            if let Some(at) = self.store.spec_list_fetched_at(key)?
                && self.policy.list.is_fresh(at, self.now)
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

    /// `MODEL` or a URN → (the model if one was given, the device URN). Models are looked
    /// up in the cached instances list with mikit's rule: released first, then the highest
    /// version.
    pub async fn resolve(&mut self, target: &str) -> Result<(Option<String>, String), Error> {
        if target.starts_with("urn:") {
            mikit_miot::Urn::parse(target)?;
            return Ok((None, target.to_owned()));
        }
        let key = self.lookup_list().await?;
        let entries = self.store.spec_entries_for_model(&key, target)?;
        let entry = entries.select(target)?;
        Ok((Some(target.to_owned()), entry.type_.clone()))
    }

    /// The spec of `urn`, exactly as served (from the cache when fresh). A 404 or a spec
    /// that does not parse is remembered for the failure lifetime.
    pub async fn spec(&mut self, urn: &str) -> Result<Vec<u8>, Error> {
        let cached = self.store.spec(urn)?;
        let item = Item {
            key: urn,
            noun: "spec".to_owned(),
            name: format!("the spec {urn}"),
            lifetime: self.policy.spec,
            remembers_failures: true,
            refresh: false,
        };
        let u = urn.to_owned();
        let found = self
            .lookup(&item, cached, move |c| {
                let u = u.clone();
                async move { c.instance_bytes(&u).await }
            })
            .await?;
        let bytes = match found {
            Found::Cached(c) => return Ok(c.body),
            Found::Fetched(bytes) => bytes,
        };
        match Instance::from_slice(&bytes) {
            Ok(spec) => {
                self.store
                    .put_spec(urn, self.now, &spec.description, &bytes)?;
                Ok(bytes)
            }
            Err(source) => {
                self.store
                    .record_spec_failure(urn, self.now, &source.to_string())?;
                Err(Error::Invalid {
                    what: format!("a spec for {urn}"),
                    source,
                })
            }
        }
    }

    /// Another document (translations, type catalogs and definitions) cached under `key`:
    /// from the cache when fresh, else downloaded with `fetch` and cached as returned.
    /// `what` names it in notices and errors (`translations`, `the device catalog`).
    pub async fn document<F, Fut>(
        &mut self,
        key: &str,
        what: &str,
        fetch: F,
    ) -> Result<Vec<u8>, Error>
    where
        F: Fn(SpecClient) -> Fut,
        Fut: Future<Output = Result<Vec<u8>, mikit_miot::Error>>,
    {
        let cached = self.store.spec_document(key)?;
        let item = Item {
            key,
            noun: what.to_owned(),
            name: what.to_owned(),
            lifetime: self.policy.spec,
            remembers_failures: false,
            refresh: false,
        };
        match self.lookup(&item, cached, fetch).await? {
            Found::Cached(c) => Ok(c.body),
            Found::Fetched(bytes) => {
                self.store.put_spec_document(key, self.now, &bytes)?;
                Ok(bytes)
            }
        }
    }
}
