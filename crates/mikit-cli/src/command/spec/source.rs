//! The spec source of the `mikit` commands: [`mikit_app::spec::Source`] opened on the
//! command's database and HTTP settings, with its notices printed as warnings on stderr.
//! The cache policy itself lives in the library.

use mikit_app::spec::{Notice, StaleBecause, age_text};
use mikit_core::http::Http;

pub use mikit_app::spec::Source;

use crate::{context::Ctx, output};

/// Open the database; with `offline` the spec service is never asked, nothing is written,
/// and a missing database reads as an empty cache (nothing is created).
pub fn open(ctx: &Ctx, offline: bool) -> anyhow::Result<Source> {
    let source = if offline {
        Source::offline(ctx.read_store()?)
    } else {
        // The same client as `Ctx::http`, built only when the service is asked.
        let (endpoints, deadline) = (ctx.endpoints.clone(), ctx.deadline.clone());
        Source::online(ctx.open_store()?, move || {
            Http::builder()
                .endpoints(endpoints)
                .deadline(deadline)
                .build()
        })
    };
    Ok(source.on_notice(|n| output::stderr_line(&notice_text(n))))
}

/// `warning: the spec service is unreachable (…); using the spec cached 9 days ago`.
pub fn notice_text(notice: &Notice) -> String {
    match notice {
        Notice::Stale {
            what, age, because, ..
        } => {
            let why = match because {
                StaleBecause::Offline => "--offline".to_owned(),
                StaleBecause::Unreachable { error } => {
                    format!("the spec service is unreachable ({error})")
                }
                StaleBecause::RecentFailure { reason } => {
                    format!("the last download failed ({reason})")
                }
                other => format!("{other:?}"),
            };
            format!(
                "warning: {why}; using the {what} cached {} ago",
                age_text(*age)
            )
        }
        other => format!("note: {other:?}"),
    }
}
