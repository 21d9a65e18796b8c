//! The shape every stream's sync has: fetch requests (date ranges, workouts) with bounded
//! concurrency (the answers may arrive in any order, `buffered` hands them back in request
//! order), commit them strictly in that order on a dedicated database thread, one at a time.
//!
//! Only one batch is with the database thread at any moment and the next one is handed over
//! only if no shutdown was requested, so a stop takes effect right after the commit in
//! progress: the ranges committed are exactly the ones reported committed.

use std::{collections::VecDeque, future::Future};

use futures_util::StreamExt as _;
use mikit_store::Store;

use super::Error;
use crate::shutdown::Shutdown;

/// How a pipeline ended (the error, if any, is returned next to it).
pub(super) struct End {
    /// Requests answered.
    pub requests: u64,
    /// A shutdown stopped it.
    pub interrupted: bool,
}

/// Fetch every request of `ranges` with `fetch` (at most `jobs` at once and at most `jobs`
/// fetched batches waiting), commit each with `commit` on the database thread in range order,
/// and report each commit's result to `on_commit` as it lands.
///
/// A failed fetch stops further fetching; the batches fetched before it are still committed,
/// then the error is returned. A failed commit stops everything. The store comes back when
/// all went well (also when interrupted).
pub(super) async fn run<R, B, C, Fut>(
    store: Store,
    ranges: Vec<R>,
    jobs: usize,
    fetch: impl FnMut(R) -> Fut,
    mut commit: impl FnMut(&mut Store, B) -> Result<C, Error> + Send + 'static,
    shutdown: &Shutdown,
    mut on_commit: impl FnMut(C),
) -> Result<(Store, End), Error>
where
    Fut: Future<Output = Result<B, Error>>,
    B: Send + 'static,
    C: Send + 'static,
{
    let jobs = jobs.max(1);
    let (to_db, mut batches) = tokio::sync::mpsc::unbounded_channel::<B>();
    let (done_tx, mut done) = tokio::sync::mpsc::unbounded_channel::<Result<C, Error>>();
    let writer = std::thread::Builder::new()
        .name("mikit-db".into())
        .spawn(move || {
            let mut store = store;
            while let Some(batch) = batches.blocking_recv() {
                let result = commit(&mut store, batch);
                let failed = result.is_err();
                if done_tx.send(result).is_err() || failed {
                    break;
                }
            }
            store
        });
    let writer = writer.map_err(|_| Error::Internal("the database thread could not start"))?;

    let mut end = End {
        requests: 0,
        interrupted: false,
    };
    let mut fetches = futures_util::stream::iter(ranges).map(fetch).buffered(jobs);
    let mut fetched: VecDeque<B> = VecDeque::new();
    let mut fetching = true;
    let mut committing = false;
    let mut error = None;
    loop {
        if !committing
            && !shutdown.requested()
            && let Some(batch) = fetched.pop_front()
        {
            if to_db.send(batch).is_err() {
                error.get_or_insert(Error::Internal("the database thread stopped"));
                break;
            }
            committing = true;
        }
        if !committing && !fetching && fetched.is_empty() {
            break;
        }
        tokio::select! {
            biased;
            () = shutdown.wait() => {
                end.interrupted = true;
                break;
            }
            result = done.recv(), if committing => {
                committing = false;
                match result {
                    Some(Ok(c)) => on_commit(c),
                    Some(Err(e)) => {
                        error = Some(e);
                        break;
                    }
                    None => {
                        error = Some(Error::Internal("the database thread stopped"));
                        break;
                    }
                }
            }
            next = fetches.next(), if fetching && fetched.len() < jobs => match next {
                Some(Ok(batch)) => {
                    end.requests += 1;
                    fetched.push_back(batch);
                }
                Some(Err(e)) => {
                    error = Some(e);
                    fetching = false;
                }
                None => fetching = false,
            },
        }
    }
    drop(fetches);
    drop(to_db);
    // The commit in progress (if any) finishes; report it.
    let joined = tokio::task::spawn_blocking(move || writer.join()).await;
    while let Ok(result) = done.try_recv() {
        match result {
            Ok(c) => on_commit(c),
            Err(e) => {
                error.get_or_insert(e);
            }
        }
    }
    let store = joined
        .ok()
        .and_then(Result::ok)
        .ok_or(Error::Internal("the database thread panicked"))?;
    match error {
        Some(e) => Err(e),
        None => Ok((store, end)),
    }
}
