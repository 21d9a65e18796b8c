//! Stored workouts written as activity files, one per workout, into a folder.
//!
//! - **Selection**: the workouts of a [`Selection`] (local start days, sports), or one
//!   workout by its id; [`parse_sport`] reads a sport given by name or Huami code.
//! - **Names**: `YYYY-MM-DDTHH-MM-SS_<sport>.<ext>`, the start in the workout's local time
//!   ([`file_name`]); two workouts that would get the same name (a repeated hour when the
//!   clocks go back) are told apart by their id.
//! - **Files**: each written to a hidden temporary file in the folder and renamed to its name
//!   once complete, so a name in the folder always holds a complete file. A later run skips
//!   the names that exist (complete by construction) unless `force` is set.
//! - **Content**: decoded again from the raw payloads the store keeps and converted with
//!   [`super::to_activity`]: the files have the store's points (see [`super::to_store`]).
//!   Workouts without GPS get no GPX file (reported as skipped).

use std::{
    collections::HashSet,
    fs,
    io::Write as _,
    path::{Path, PathBuf},
};

use jiff::civil::Date;
use mikit_activity::{Activity, Sport};
use mikit_store::{AccountId, Store, StoredWorkout, WorkoutFilter};

use crate::shutdown::Shutdown;

/// An activity file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// GPX 1.1 with Garmin's TrackPointExtension (heart rate, cadence): GPS workouts only.
    Gpx,
    /// Garmin Training Center Database v2.
    Tcx,
    /// Garmin FIT activity file.
    Fit,
}

impl Format {
    /// The file name extension.
    #[must_use]
    pub const fn extension(self) -> &'static str {
        match self {
            Self::Gpx => "gpx",
            Self::Tcx => "tcx",
            Self::Fit => "fit",
        }
    }

    /// The file's bytes for `activity`.
    ///
    /// # Errors
    /// The writer's: e.g. [`mikit_activity::Error::NoTrack`] for GPX without GPS.
    pub fn encode(self, activity: &Activity) -> Result<Vec<u8>, mikit_activity::Error> {
        match self {
            Self::Gpx => mikit_activity::to_gpx(activity).map(String::into_bytes),
            Self::Tcx => mikit_activity::to_tcx(activity).map(String::into_bytes),
            Self::Fit => mikit_activity::to_fit(activity),
        }
    }
}

/// What to export, where.
#[derive(Clone, Debug)]
pub struct ExportOptions {
    /// The file format.
    pub format: Format,
    /// The folder the files go to (created when missing).
    pub dir: PathBuf,
    /// Which workouts.
    pub selection: Selection,
    /// Rewrite files that exist already.
    pub force: bool,
}

/// Why a workout got no new file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Skip {
    /// Its file exists (complete: files only get their name once complete).
    Exists,
    /// GPX was asked for and the workout has no GPS position.
    NoTrack,
}

/// Progress of an export.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExportEvent {
    /// The workouts selected.
    Planned {
        /// How many.
        workouts: usize,
    },
    /// One workout's file was written.
    Written {
        /// The workout.
        trackid: i64,
        /// The file.
        path: PathBuf,
    },
    /// One workout got no new file.
    Skipped {
        /// The workout.
        trackid: i64,
        /// Its file name (which may not exist, see `reason`).
        path: PathBuf,
        /// Why.
        reason: Skip,
    },
    /// One workout could not be exported (the others go on).
    Failed {
        /// The workout.
        trackid: i64,
        /// Its file name.
        path: PathBuf,
        /// Why, in words.
        reason: String,
    },
}

/// What an export did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportOutcome {
    /// Workouts selected.
    pub selected: u64,
    /// Files written.
    pub written: u64,
    /// Bytes written.
    pub bytes: u64,
    /// Files that existed and were kept.
    pub existing: u64,
    /// Workouts without GPS (GPX only).
    pub no_track: u64,
    /// Workouts that could not be exported: (trackid, file, reason).
    pub failed: Vec<(i64, PathBuf, String)>,
    /// True when a shutdown stopped the export between two files.
    pub interrupted: bool,
}

/// Why an export could not run at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The output path exists and is not a folder.
    #[error("{0} is not a folder: give a folder for the files (it is created when missing)")]
    NotAFolder(PathBuf),
    /// The folder could not be created or written to.
    #[error("cannot write files in {path}: check that it exists and that you may write there")]
    Folder {
        /// The folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The workout asked for is not in the store.
    #[error(
        "no workout {0} in the database: `mikit fit workouts` lists the ids (run `mikit fit sync` first if it is new)"
    )]
    NoSuchWorkout(i64),
    /// Reading the store failed.
    #[error("reading the workouts from the database")]
    Store(#[from] mikit_store::Error),
}

/// The file name of `w` in `format`: `YYYY-MM-DDTHH-MM-SS_<sport>.<ext>`, the start in the
/// workout's local time, the sport's short name (`running`, `pool-swim`, `sport-777` for a
/// code outside the reference table).
#[must_use]
pub fn file_name(w: &StoredWorkout, format: Format) -> String {
    let local = jiff::Timestamp::from_second(w.row.start.saturating_add(i64::from(w.tz_offset)))
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(jiff::tz::TimeZone::UTC);
    format!(
        "{}_{}.{}",
        local.strftime("%Y-%m-%dT%H-%M-%S"),
        sport_of(w),
        format.extension()
    )
}

fn sport_of(w: &StoredWorkout) -> Sport {
    Sport(u32::try_from(w.row.sport).unwrap_or(0))
}

/// The activity of one stored workout, decoded again from its raw payloads.
///
/// # Errors
/// A reason in words when the workout is not stored or its payloads cannot be decoded.
pub fn activity(store: &Store, account: AccountId, trackid: i64) -> Result<Activity, String> {
    let raw = store
        .raw_workout(account, trackid)
        .map_err(|e| format!("reading its stored payloads: {e}"))?
        .ok_or_else(|| "its stored payloads are missing".to_owned())?;
    let (summary, detail) = super::decode_raw(&raw.summary, raw.detail.as_deref())?;
    Ok(super::to_activity(&summary, detail.as_ref()))
}

/// Which stored workouts: local start days, sports, or one workout.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// First local start day.
    pub from: Option<Date>,
    /// Last local start day.
    pub to: Option<Date>,
    /// Huami sport codes; empty: every sport.
    pub sports: Vec<i64>,
    /// Only this workout (its id, the trackid); the other fields are then ignored.
    pub workout: Option<i64>,
}

/// The Huami sport codes a user means by `s`: a code (`1`, `777`: any number, known or not)
/// or a short name of the reference table (`running`, `pool-swim`; `walking` is two codes).
///
/// # Errors
/// A message listing the names, for a name that is none of them.
pub fn parse_sport(s: &str) -> Result<Vec<i64>, String> {
    let t = s.trim();
    if let Ok(code) = t.parse::<u32>() {
        return Ok(vec![i64::from(code)]);
    }
    let codes: Vec<i64> = mikit_activity::SPORTS
        .iter()
        .filter(|i| i.name.eq_ignore_ascii_case(t))
        .map(|i| i64::from(i.code))
        .collect();
    if codes.is_empty() {
        let mut names: Vec<&str> = Vec::new();
        for i in mikit_activity::SPORTS {
            if !names.contains(&i.name) {
                names.push(i.name);
            }
        }
        return Err(format!(
            "{s:?} is not a sport: give a Huami sport code (e.g. 1) or one of {}",
            names.join(", ")
        ));
    }
    Ok(codes)
}

/// The name of Huami sport `code` in tables: the reference table's short name, `sport 777`
/// for a code outside it.
#[must_use]
pub fn sport_name(code: i64) -> String {
    match u32::try_from(code).map(Sport) {
        Ok(s) if s.is_known() => s.info().name.to_owned(),
        _ => format!("sport {code}"),
    }
}

/// Whether Huami sport `code` is a ride (speed is shown rather than pace): FIT sport cycling.
#[must_use]
pub fn is_ride(code: i64) -> bool {
    u32::try_from(code).is_ok_and(|c| Sport(c).fit().sport == FIT_CYCLING)
}

/// Whether Huami sport `code` is a swim (pace per 100 m): FIT sport swimming.
#[must_use]
pub fn is_swim(code: i64) -> bool {
    u32::try_from(code).is_ok_and(|c| Sport(c).fit().sport == FIT_SWIMMING)
}

/// FIT profile `sport` values (FIT SDK `Profile.xlsx`, type `sport`: 2 cycling, 5 swimming).
const FIT_CYCLING: u8 = 2;
const FIT_SWIMMING: u8 = 5;

/// The workouts of `selection`, oldest first.
///
/// # Errors
/// [`ExportError::NoSuchWorkout`] for an unknown id; store errors.
pub fn select(
    store: &Store,
    account: AccountId,
    selection: &Selection,
) -> Result<Vec<StoredWorkout>, ExportError> {
    if let Some(id) = selection.workout {
        return Ok(vec![
            store
                .workout(account, id)?
                .ok_or(ExportError::NoSuchWorkout(id))?
                .workout,
        ]);
    }
    let filter = WorkoutFilter {
        from: selection.from,
        to: selection.to,
        sport: match selection.sports.as_slice() {
            [one] => Some(*one),
            _ => None,
        },
    };
    let mut out = store.workouts(account, &filter)?;
    if selection.sports.len() > 1 {
        out.retain(|w| selection.sports.contains(&w.row.sport));
    }
    Ok(out)
}

/// Write one file per selected workout into `options.dir`, reporting each to `on_event`.
///
/// A workout that cannot be exported (undecodable payloads, a name in the folder that is a
/// symbolic link or a folder, a failed write) is reported and counted in
/// [`ExportOutcome::failed`]; the others go on. A `shutdown` stops between two files (the
/// files being written are finished).
///
/// This thread reads the store; converting, encoding and writing (each file is synced before
/// its rename) run on a few worker threads, so the events of written files may arrive out of
/// the workouts' order.
///
/// # Errors
/// When nothing can be written: the folder is unusable, the workout asked for does not
/// exist, the store cannot be read.
pub fn export_tracks(
    store: &Store,
    account: AccountId,
    options: &ExportOptions,
    shutdown: &Shutdown,
    mut on_event: impl FnMut(&ExportEvent),
) -> Result<ExportOutcome, ExportError> {
    let workouts = select(store, account, &options.selection)?;
    prepare_dir(&options.dir)?;
    // Absolute once: a relative folder would be resolved again for every temporary file.
    let dir = std::path::absolute(&options.dir).map_err(|source| ExportError::Folder {
        path: options.dir.clone(),
        source,
    })?;
    let mut outcome = ExportOutcome {
        selected: workouts.len() as u64,
        ..ExportOutcome::default()
    };
    on_event(&ExportEvent::Planned {
        workouts: workouts.len(),
    });
    // At least two, so that one file's sync to disk overlaps the next file's encoding.
    let workers = std::thread::available_parallelism()
        .map_or(2, std::num::NonZeroUsize::get)
        .clamp(2, 8);
    let (to_workers, jobs) = std::sync::mpsc::sync_channel::<Job>(workers * 2);
    let jobs = std::sync::Mutex::new(jobs);
    let (to_main, results) = std::sync::mpsc::channel::<(i64, PathBuf, Done)>();
    let format = options.format;
    let replace = options.force;
    let interrupted = std::thread::scope(|scope| {
        for _ in 0..workers {
            let to_main = to_main.clone();
            let jobs = &jobs;
            scope.spawn(move || {
                loop {
                    let job = jobs
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .recv();
                    let Ok(job) = job else { break };
                    let done = write_job(&job, format, replace);
                    if to_main.send((job.trackid, job.path, done)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(to_main);
        let mut report = |(trackid, path, done): (i64, PathBuf, Done)| {
            on_event(&record(&mut outcome, trackid, path, done));
        };
        let mut names = HashSet::new();
        let mut interrupted = false;
        for w in &workouts {
            if shutdown.requested() {
                interrupted = true;
                break;
            }
            while let Ok(r) = results.try_recv() {
                report(r);
            }
            let trackid = w.row.trackid;
            let path = dir.join(unique_name(&mut names, w, format));
            let job = match prepare_job(store, account, w, options, &path) {
                Ok(Some(job)) => job,
                Ok(None) if format == Format::Gpx && !w.has_track => {
                    report((trackid, path, Done::NoTrack));
                    continue;
                }
                Ok(None) => {
                    report((trackid, path, Done::Exists));
                    continue;
                }
                Err(reason) => {
                    report((trackid, path, Done::Failed(reason)));
                    continue;
                }
            };
            if to_workers.send(job).is_err() {
                break;
            }
        }
        drop(to_workers);
        // The workers finish the files handed to them, then hang up.
        for r in results.iter() {
            report(r);
        }
        interrupted
    });
    outcome.interrupted = interrupted;
    outcome.failed.sort_by_key(|f| f.0);
    Ok(outcome)
}

/// One file for a worker: the workout's raw payloads and where its file goes.
struct Job {
    trackid: i64,
    path: PathBuf,
    summary: String,
    detail: Option<String>,
}

/// What became of one workout.
enum Done {
    Written(u64),
    Exists,
    NoTrack,
    Failed(String),
}

/// Count `done` in `outcome`; the event that reports it.
fn record(outcome: &mut ExportOutcome, trackid: i64, path: PathBuf, done: Done) -> ExportEvent {
    match done {
        Done::Written(bytes) => {
            outcome.written += 1;
            outcome.bytes += bytes;
            ExportEvent::Written { trackid, path }
        }
        Done::Exists => {
            outcome.existing += 1;
            ExportEvent::Skipped {
                trackid,
                path,
                reason: Skip::Exists,
            }
        }
        Done::NoTrack => {
            outcome.no_track += 1;
            ExportEvent::Skipped {
                trackid,
                path,
                reason: Skip::NoTrack,
            }
        }
        Done::Failed(reason) => {
            outcome.failed.push((trackid, path.clone(), reason.clone()));
            ExportEvent::Failed {
                trackid,
                path,
                reason,
            }
        }
    }
}

/// The file name of `w`, told apart by its id when another workout of this export has it
/// already (the same local start twice: the clocks went back).
fn unique_name(names: &mut HashSet<String>, w: &StoredWorkout, format: Format) -> String {
    let name = file_name(w, format);
    if names.insert(name.clone()) {
        return name;
    }
    let ext = format.extension();
    let stem = name.strip_suffix(&format!(".{ext}")).unwrap_or(&name);
    let name = format!("{stem}_{}.{ext}", w.row.trackid);
    names.insert(name.clone());
    name
}

/// Check the target of one workout and read its payloads: `None` when it gets no file (GPX
/// without a track, or the file exists and `force` is not set).
fn prepare_job(
    store: &Store,
    account: AccountId,
    w: &StoredWorkout,
    options: &ExportOptions,
    path: &Path,
) -> Result<Option<Job>, String> {
    if options.format == Format::Gpx && !w.has_track {
        return Ok(None);
    }
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            return Err(format!(
                "{} is a symbolic link: not writing through it; remove it or export to another folder",
                path.display()
            ));
        }
        Ok(m) if !m.is_file() => {
            return Err(format!(
                "{} exists and is not a regular file; remove it or export to another folder",
                path.display()
            ));
        }
        Ok(_) if !options.force => return Ok(None),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("cannot inspect {}: {e}", path.display())),
    }
    let raw = store
        .raw_workout(account, w.row.trackid)
        .map_err(|e| format!("reading its stored payloads: {e}"))?
        .ok_or_else(|| "its stored payloads are missing".to_owned())?;
    Ok(Some(Job {
        trackid: w.row.trackid,
        path: path.to_path_buf(),
        summary: raw.summary,
        detail: raw.detail,
    }))
}

/// Convert, encode and write one workout's file.
fn write_job(job: &Job, format: Format, replace: bool) -> Done {
    let (summary, detail) = match super::decode_raw(&job.summary, job.detail.as_deref()) {
        Ok(x) => x,
        Err(reason) => return Done::Failed(reason),
    };
    let activity = super::to_activity(&summary, detail.as_ref());
    let bytes = match format.encode(&activity) {
        Ok(b) => b,
        Err(mikit_activity::Error::NoTrack) => return Done::NoTrack,
        Err(e) => {
            return Done::Failed(format!(
                "the {} writer refused workout {}: {e}",
                format.extension(),
                job.trackid
            ));
        }
    };
    match write_atomically(&job.path, &bytes, replace) {
        Ok(()) => Done::Written(bytes.len() as u64),
        // Another export created it in between: it is complete.
        Err(e) if !replace && e.kind() == std::io::ErrorKind::AlreadyExists => Done::Exists,
        Err(e) => Done::Failed(format!("writing {}: {e}", job.path.display())),
    }
}

/// Write `bytes` to a hidden temporary file beside `path`, sync it, and rename it to `path`
/// (over an existing file only with `replace`). The temporary file is removed on any error.
pub fn write_atomically(path: &Path, bytes: &[u8], replace: bool) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut file = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".partial")
        .rand_bytes(6)
        .tempfile_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    if replace {
        file.persist(path).map_err(|e| e.error)?;
    } else {
        file.persist_noclobber(path).map_err(|e| e.error)?;
    }
    Ok(())
}

/// Create `dir` when missing and check that files can be created in it.
fn prepare_dir(dir: &Path) -> Result<(), ExportError> {
    match fs::metadata(dir) {
        Ok(m) if !m.is_dir() => return Err(ExportError::NotAFolder(dir.to_path_buf())),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::create_dir_all(dir).map_err(|source| ExportError::Folder {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        Err(source) => {
            return Err(ExportError::Folder {
                path: dir.to_path_buf(),
                source,
            });
        }
    }
    // A probe file: a read-only folder fails here, before any work.
    tempfile::Builder::new()
        .prefix(".mikit-probe.")
        .tempfile_in(dir)
        .map(drop)
        .map_err(|source| ExportError::Folder {
            path: dir.to_path_buf(),
            source,
        })
}
