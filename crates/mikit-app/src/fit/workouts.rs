//! The workouts stream: the whole history (`/v1/sport/run/history.json`, paged with
//! `trackid=<next>` until `next == -1`, reference `huami-cloud.md` §6.1 and §13.3) and one
//! detail per workout (`detail.json`, §6.3), written with `Store::write_workout`, raw
//! payloads included (so [`super::redecode`] can rebuild everything offline).
//!
//! A workout's detail is fetched when the store does not have it, or when the history item
//! changed since it was stored (`StoredSummary::needs_detail`: the app edits a workout by
//! changing its item), or for every workout with `full`. Each workout is committed in its own
//! transaction, oldest first, so a killed sync keeps every workout committed before it and
//! the next run fetches only the rest. The history itself is read again on every sync: it is
//! a few requests (about 200 workouts a page) and the only way to see edits.

use std::{collections::HashSet, sync::Arc};

use mikit_huami::{HuamiClient, workout::WorkoutSummary};
use mikit_store::{AccountId, Store, WorkoutData};

use super::{Error, Rejected, Stream, StreamOutcome, SyncEvent, SyncOptions, pipeline};
use crate::shutdown::Shutdown;

const STREAM: Stream = Stream::Workouts;

/// At most this many history pages are read (200 000 workouts): a server whose `next` never
/// ends cannot keep a sync busy forever.
const MAX_PAGES: u64 = 1000;

/// What the stream did, and whether a shutdown stopped it.
pub(super) struct Done {
    pub outcome: StreamOutcome,
    pub interrupted: bool,
}

/// Read the history of `account`, then fetch and commit the details it needs.
pub(super) async fn sync(
    client: &Arc<HuamiClient>,
    store: Store,
    account: AccountId,
    options: &SyncOptions,
    shutdown: &Shutdown,
    on_event: &mut (impl FnMut(SyncEvent) + Send),
) -> Result<(Done, Store), Error> {
    let mut done = Done {
        outcome: StreamOutcome::new(STREAM),
        interrupted: false,
    };
    let wrap = |e: Error| Error::Workouts {
        source: Box::new(e),
    };
    let Some(summaries) = read_history(client, shutdown, &mut done.outcome, on_event)
        .await
        .map_err(wrap)?
    else {
        done.interrupted = true;
        return Ok((done, store));
    };
    let stored = store
        .workout_summaries(account)
        .map_err(|source| Error::Store {
            action: "reading the stored workouts",
            source,
        })?;
    let mut todo: Vec<Todo> = Vec::new();
    let mut seen = HashSet::new();
    for summary in summaries {
        // A workout listed twice (pages overlapping while the history changed): once.
        if !seen.insert(summary.trackid) {
            continue;
        }
        let raw = serde_json::Value::Object(summary.raw.clone()).to_string();
        let needed = options.full
            || stored
                .get(&summary.trackid)
                .is_none_or(|s| s.needs_detail(&raw));
        if needed {
            todo.push(Todo { summary, raw });
        } else {
            done.outcome.workouts.unchanged += 1;
        }
    }
    // Oldest first, as the band days.
    todo.sort_by_key(|t| t.summary.trackid);
    on_event(SyncEvent::WorkoutsListed {
        pages: done.outcome.workouts.pages,
        workouts: done.outcome.workouts.listed,
        to_fetch: todo.len() as u64,
    });
    tracing::info!(
        workouts = done.outcome.workouts.listed,
        to_fetch = todo.len(),
        "syncing workouts"
    );
    if todo.is_empty() {
        return Ok((done, store));
    }

    let fetch = |t: Todo| {
        let client = Arc::clone(client);
        async move {
            let trackid = t.summary.trackid;
            let source = t
                .summary
                .source
                .clone()
                .unwrap_or_else(|| "run.mifit.huami.com".to_owned());
            let detail = match detail_with_retry(&client, trackid, &source).await {
                Ok(v) => Ok(v),
                Err(e) if unusable_detail(&e) => Err(e.to_string()),
                Err(source) => return Err(Error::WorkoutDetail { trackid, source }),
            };
            // Decoding is CPU work: keep it off the async workers.
            tokio::task::spawn_blocking(move || decode(t, detail))
                .await
                .map_err(|_| Error::Internal("the decoder task failed"))
        }
    };
    let commit = move |store: &mut Store, mut b: Batch| {
        let kept = b.raw_detail.is_none() && keep_stored_detail(store, account, &mut b)?;
        let rejected = b.detail_error.take().map(|reason| Rejected {
            date: format!("workout {}", b.data.workout.trackid),
            reason: if kept {
                format!("no usable detail ({reason}); the detail stored before is kept")
            } else {
                format!("no usable detail ({reason}); the next sync asks again")
            },
        });
        store
            .write_workout(account, &b.raw_summary, b.raw_detail.as_deref(), &b.data)
            .map_err(|source| Error::WriteWorkout {
                trackid: b.data.workout.trackid,
                source,
            })?;
        Ok((b.data.workout.trackid, b.raw_detail.is_some(), rejected))
    };
    let outcome = &mut done.outcome;
    let on_commit = |(trackid, detail, rejected): (i64, bool, Option<Rejected>)| {
        if let Some(item) = rejected {
            outcome.rejected.push(item.clone());
            on_event(SyncEvent::Rejected {
                stream: STREAM,
                item,
            });
        }
        if detail {
            outcome.workouts.fetched += 1;
        } else {
            outcome.workouts.without_detail += 1;
        }
        on_event(SyncEvent::WorkoutCommitted { trackid, detail });
    };
    let (store, end) = pipeline::run(
        store,
        todo,
        options.jobs,
        fetch,
        commit,
        shutdown,
        on_commit,
    )
    .await
    .map_err(wrap)?;
    done.outcome.requests += end.requests;
    done.interrupted = end.interrupted;
    Ok((done, store))
}

/// A changed workout whose new detail is unusable keeps the detail stored before (a summary
/// edit does not change the recording): decoded again with the new summary, so that no
/// points are lost. Without a stored detail nothing changes.
fn keep_stored_detail(store: &Store, account: AccountId, b: &mut Batch) -> Result<bool, Error> {
    let trackid = b.data.workout.trackid;
    let old = store
        .raw_workout(account, trackid)
        .map_err(|source| Error::WriteWorkout { trackid, source })?
        .and_then(|r| r.detail);
    if let Some(old) = old
        && let Ok(data) = crate::workout::redecode(&b.raw_summary, Some(&old))
    {
        tracing::info!(trackid, "keeping the detail stored before");
        b.data = data;
        b.raw_detail = Some(old);
        return Ok(true);
    }
    Ok(false)
}

/// Every summary of the history, newest first; `None` when `shutdown` came first.
async fn read_history(
    client: &HuamiClient,
    shutdown: &Shutdown,
    outcome: &mut StreamOutcome,
    on_event: &mut (impl FnMut(SyncEvent) + Send),
) -> Result<Option<Vec<WorkoutSummary>>, Error> {
    let mut all = Vec::new();
    let mut next: Option<i64> = None;
    loop {
        let page = outcome.workouts.pages + 1;
        let answer = tokio::select! {
            biased;
            () = shutdown.wait() => return Ok(None),
            a = client.workout_history_page(next) => a,
        };
        // See `detail_with_retry`.
        let answer = match answer {
            Err(mikit_huami::Error::SessionExpired) => {
                tracing::info!(page, "the session was rejected twice: one more attempt");
                client.workout_history_page(next).await
            }
            other => other,
        };
        let answer = answer.map_err(|source| Error::History { page, source })?;
        outcome.requests += 1;
        outcome.workouts.pages = page;
        outcome.workouts.listed += answer.summaries.len() as u64;
        for issue in answer.issues {
            tracing::warn!(page, field = %issue.field, problem = %issue.problem, "skipping an undecodable history entry");
            let item = Rejected {
                date: format!("history page {page}, {}", issue.field),
                reason: issue.problem,
            };
            outcome.rejected.push(item.clone());
            on_event(SyncEvent::Rejected {
                stream: STREAM,
                item,
            });
        }
        all.extend(answer.summaries);
        on_event(SyncEvent::HistoryPage {
            pages: page,
            workouts: outcome.workouts.listed,
        });
        // §6.1: `next` is the trackid of the next (older) page, -1 at the end. A cursor that
        // does not move to older workouts would loop: it ends the walk.
        match answer.next {
            Some(n) if next.is_none_or(|prev| n < prev) && page < MAX_PAGES => next = Some(n),
            Some(n) if page >= MAX_PAGES => {
                tracing::warn!(
                    next = n,
                    "stopping the history walk after {MAX_PAGES} pages"
                );
                break;
            }
            Some(n) => {
                tracing::warn!(
                    next = n,
                    "the history cursor does not move back in time: stopping"
                );
                break;
            }
            None => break,
        }
    }
    Ok(Some(all))
}

/// One workout's detail, asked for a second time when the first attempt ends in
/// `SessionExpired`.
///
/// The details are fetched several at a time and share the app token. When the server
/// revokes it, each request in flight refreshes it once (single flight) and retries; if the
/// fresh token is revoked too before a retry lands, that request sees two rejections although
/// the session is fine. One more attempt tells the cases apart: with a dead login token its
/// refresh fails again and the error stands (then `mikit fit login` is needed).
async fn detail_with_retry(
    client: &HuamiClient,
    trackid: i64,
    source: &str,
) -> Result<serde_json::Value, mikit_huami::Error> {
    let id = trackid.to_string();
    match client.workout_detail(&id, source).await {
        Err(mikit_huami::Error::SessionExpired) => {
            tracing::info!(trackid, "the session was rejected twice: one more attempt");
            client.workout_detail(&id, source).await
        }
        other => other,
    }
}

/// True for answers saying that this workout has no usable detail (an unknown trackid, a
/// 404, a body that is not a detail), as opposed to the network or the session failing:
/// the summary is then stored alone and the next sync asks again.
fn unusable_detail(e: &mikit_huami::Error) -> bool {
    use mikit_huami::Error as E;
    match e {
        E::Api { .. } | E::BadResponse { .. } => true,
        E::UnexpectedStatus { status, .. } => *status == 404 || *status == 410,
        _ => false,
    }
}

/// A workout whose detail is to be fetched.
struct Todo {
    summary: WorkoutSummary,
    /// The history item as stored (compact JSON).
    raw: String,
}

/// A workout fetched and decoded, ready to be committed.
struct Batch {
    raw_summary: String,
    raw_detail: Option<String>,
    data: WorkoutData,
    /// Why the detail could not be used, when it could not.
    detail_error: Option<String>,
}

fn decode(t: Todo, detail: Result<serde_json::Value, String>) -> Batch {
    let trackid = t.summary.trackid;
    match detail {
        Ok(value) => {
            let decoded = mikit_huami::workout::decode_workout_detail(&value);
            for issue in &decoded.issues {
                tracing::debug!(trackid, field = %issue.field, problem = %issue.problem, "detail entry skipped");
            }
            Batch {
                raw_summary: t.raw,
                raw_detail: Some(value.to_string()),
                data: crate::workout::to_store(&t.summary, Some(&decoded)),
                detail_error: None,
            }
        }
        Err(reason) => {
            tracing::warn!(trackid, %reason, "no usable detail: storing the summary alone");
            Batch {
                raw_summary: t.raw,
                raw_detail: None,
                data: crate::workout::to_store(&t.summary, None),
                detail_error: Some(reason),
            }
        }
    }
}
