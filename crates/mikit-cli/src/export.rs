//! Streaming writers for `mikit fit export`: CSV or JSON lines, constant memory, and the
//! output target they write to.
//!
//! Times are ISO 8601 local times with the day's UTC offset (`2024-03-01T07:15:00+01:00`).
//!
//! # Targets
//!
//! [`Target::resolve`] decides how `-o PATH` is written, so that no export ever loses data:
//!
//! - `-` (or no `-o`): standard output.
//! - a regular file or a new path: a uniquely named hidden temporary file in the same folder
//!   (`.NAME.XXXXXX.partial`), synced and then renamed over the target in one step, so the
//!   target is either the old file or the complete new one. A symbolic link is followed: the
//!   link stays and the file it points to gets the content.
//! - an existing device or FIFO (`/dev/null`, `/dev/stdout`, a named pipe): opened and written
//!   directly, never replaced.
//! - a directory, a block device or a socket: refused (a usage error).

use std::{
    io::Write,
    path::{Path, PathBuf},
    sync::{Arc, Mutex, PoisonError},
};

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Comma-separated values with a header line.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// A cell value.
#[derive(Clone, Copy, Debug)]
pub enum Cell<'a> {
    /// A text cell.
    Str(&'a str),
    /// An integer cell.
    Int(i64),
    /// A missing value (empty in CSV, null in JSON).
    Null,
    /// A boolean.
    Bool(bool),
    /// A time: UTC epoch seconds and the UTC offset to show it in.
    Time(i64, i32),
    /// A decimal number (a non-finite one is written as a missing value).
    Real(f64),
}

impl From<Option<f64>> for Cell<'_> {
    fn from(v: Option<f64>) -> Self {
        v.map_or(Cell::Null, Cell::Real)
    }
}

impl From<Option<i64>> for Cell<'_> {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Cell::Null, Cell::Int)
    }
}

/// Writes rows of a fixed set of columns.
pub struct RowWriter<W: Write> {
    out: W,
    format: Format,
    columns: &'static [&'static str],
    buf: String,
}

impl<W: Write> RowWriter<W> {
    /// Start a writer; CSV writes its header line now.
    pub fn new(
        mut out: W,
        format: Format,
        columns: &'static [&'static str],
    ) -> std::io::Result<Self> {
        if format == Format::Csv {
            out.write_all(columns.join(",").as_bytes())?;
            out.write_all(b"\n")?;
        }
        Ok(Self {
            out,
            format,
            columns,
            buf: String::with_capacity(256),
        })
    }

    /// Write one row (cells in column order).
    pub fn row(&mut self, cells: &[Cell<'_>]) -> std::io::Result<()> {
        use std::fmt::Write as _;
        self.buf.clear();
        let b = &mut self.buf;
        match self.format {
            Format::Csv => {
                for (i, c) in cells.iter().enumerate() {
                    if i > 0 {
                        b.push(',');
                    }
                    match *c {
                        Cell::Str(s) if s.contains([',', '"', '\n', '\r']) => {
                            b.push('"');
                            b.push_str(&s.replace('"', "\"\""));
                            b.push('"');
                        }
                        Cell::Str(s) => b.push_str(s),
                        Cell::Int(v) => {
                            let _ = write!(b, "{v}");
                        }
                        Cell::Null => {}
                        Cell::Real(v) if v.is_finite() => {
                            let _ = write!(b, "{v}");
                        }
                        Cell::Real(_) => {}
                        Cell::Bool(v) => b.push_str(if v { "true" } else { "false" }),
                        Cell::Time(ts, off) => push_iso(b, ts, off),
                    }
                }
            }
            Format::Jsonl => {
                b.push('{');
                for (i, (c, name)) in cells.iter().zip(self.columns).enumerate() {
                    if i > 0 {
                        b.push(',');
                    }
                    b.push('"');
                    b.push_str(name);
                    b.push_str("\":");
                    match *c {
                        Cell::Str(s) => {
                            let _ = write!(b, "{}", serde_json::Value::from(s));
                        }
                        Cell::Int(v) => {
                            let _ = write!(b, "{v}");
                        }
                        Cell::Null => b.push_str("null"),
                        Cell::Real(v) if v.is_finite() => {
                            let _ = write!(b, "{v}");
                        }
                        Cell::Real(_) => b.push_str("null"),
                        Cell::Bool(v) => b.push_str(if v { "true" } else { "false" }),
                        Cell::Time(ts, off) => {
                            b.push('"');
                            push_iso(b, ts, off);
                            b.push('"');
                        }
                    }
                }
                b.push('}');
            }
        }
        b.push('\n');
        self.out.write_all(self.buf.as_bytes())
    }

    /// Flush and return the inner writer.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Where an export is written; see the module documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Standard output.
    Stdout,
    /// A regular file or a new path (symbolic links resolved): written through a temporary
    /// file in the same folder and renamed over it when complete.
    Replace(PathBuf),
    /// An existing device or FIFO: written in place.
    Direct(PathBuf),
}

/// Why `-o PATH` cannot be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// The path names a directory.
    #[error(
        "-o {0} is a directory: give a file name, e.g. `-o {1}`, or `-o -` for standard output"
    )]
    Directory(String, String),
    /// The path is empty or has no file name.
    #[error("-o {0:?} names no file: give a file name, or `-o -` for standard output")]
    NoFileName(String),
    /// A block device or a socket.
    #[error("-o {0} is a {1}: refusing to write an export there; give a file name")]
    Special(String, &'static str),
    /// The folder of a new file does not exist.
    #[error("the folder {0} does not exist: create it first, or give another path")]
    NoFolder(String),
    /// Symbolic links that never end.
    #[error("-o {0}: too many levels of symbolic links")]
    LinkLoop(String),
    /// The file system refused to say what the path is.
    #[error("cannot inspect {path}")]
    Inspect {
        /// The path.
        path: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
}

impl TargetError {
    /// True when the command line asked for something impossible (exit code 2).
    pub fn is_usage(&self) -> bool {
        !matches!(self, Self::Inspect { .. })
    }
}

impl Target {
    /// Decide how to write `output` (`None` or `-` is standard output).
    pub fn resolve(output: Option<&Path>) -> Result<Self, TargetError> {
        use std::os::unix::fs::FileTypeExt as _;
        let Some(given) = output else {
            return Ok(Self::Stdout);
        };
        if given == Path::new("-") {
            return Ok(Self::Stdout);
        }
        let shown = given.display().to_string();
        let inspect = |source| TargetError::Inspect {
            path: shown.clone(),
            source,
        };
        // `-o new/` or `-o ""`: a folder name or no name at all.
        if shown.ends_with(std::path::MAIN_SEPARATOR) || given.file_name().is_none() {
            return match std::fs::metadata(given) {
                Ok(m) if m.is_dir() => Err(directory(given)),
                _ => Err(TargetError::NoFileName(shown)),
            };
        }
        let path = follow_links(given).map_err(|e| match e {
            LinkError::Loop => TargetError::LinkLoop(shown.clone()),
            LinkError::Io(e) => inspect(e),
        })?;
        match std::fs::symlink_metadata(&path) {
            Ok(m) => {
                let t = m.file_type();
                if t.is_file() {
                    Ok(Self::Replace(path))
                } else if t.is_dir() {
                    Err(directory(given))
                } else if t.is_block_device() {
                    Err(TargetError::Special(shown, "block device"))
                } else if t.is_socket() {
                    Err(TargetError::Special(shown, "socket"))
                } else {
                    Ok(Self::Direct(path))
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let folder = folder_of(&path);
                match std::fs::metadata(folder) {
                    Ok(m) if m.is_dir() => Ok(Self::Replace(path)),
                    Ok(_) => Err(TargetError::NoFolder(folder.display().to_string())),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        Err(TargetError::NoFolder(folder.display().to_string()))
                    }
                    Err(e) => Err(inspect(e)),
                }
            }
            Err(e) => Err(inspect(e)),
        }
    }
}

fn directory(given: &Path) -> TargetError {
    TargetError::Directory(
        given.display().to_string(),
        given.join("export.csv").display().to_string(),
    )
}

/// The folder a file is in (`.` for a bare name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

enum LinkError {
    Loop,
    Io(std::io::Error),
}

/// Follow symbolic links at the last component until a non-link or a missing path (a
/// dangling link names the file to create). 40 links at most, as Linux allows.
fn follow_links(path: &Path) -> Result<PathBuf, LinkError> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&p).map_err(LinkError::Io)?;
                p = if to.is_absolute() {
                    to
                } else {
                    folder_of(&p).join(to)
                };
            }
            Ok(_) => return Ok(p),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(p),
            Err(e) => return Err(LinkError::Io(e)),
        }
    }
    Err(LinkError::Loop)
}

/// The temporary file being written, shared with the signal handler that deletes it.
pub type PendingSlot = Arc<Mutex<Option<PathBuf>>>;

/// A complete-or-nothing file: a uniquely named temporary file next to its target, deleted on
/// drop unless [`Pending::commit`] renamed it over the target.
pub struct Pending {
    // Declared first: dropped (the temporary file deleted) before `registered` forgets it.
    file: tempfile::NamedTempFile,
    target: PathBuf,
    registered: Registered,
}

/// Clears the [`PendingSlot`] when dropped.
struct Registered(PendingSlot);

impl Drop for Registered {
    fn drop(&mut self) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }
}

impl Pending {
    /// Create the temporary file for `target` (a path of [`Target::Replace`]) and record its
    /// name in `slot`, in one step under the slot's lock, so that a signal handler taking the
    /// lock always knows the file to delete.
    pub fn create(target: &Path, slot: PendingSlot) -> std::io::Result<Self> {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut held = slot.lock().unwrap_or_else(PoisonError::into_inner);
        let file = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".partial")
            .rand_bytes(8)
            .tempfile_in(folder_of(target))?;
        *held = Some(file.path().to_path_buf());
        drop(held);
        Ok(Self {
            file,
            target: target.to_path_buf(),
            registered: Registered(slot),
        })
    }

    /// The open temporary file.
    pub fn file(&self) -> &std::fs::File {
        self.file.as_file()
    }

    /// The temporary file's path.
    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// Sync the content to disk, keep the permissions of the file it replaces (a new file
    /// stays 0600: exports hold health data), and rename it over the target.
    pub fn commit(self) -> std::io::Result<()> {
        let Self {
            file,
            target,
            registered,
        } = self;
        file.as_file().sync_all()?;
        if let Ok(old) = std::fs::metadata(&target) {
            file.as_file().set_permissions(old.permissions())?;
        }
        let mut held = registered.0.lock().unwrap_or_else(PoisonError::into_inner);
        // On error the temporary file comes back inside the error and is deleted on drop.
        file.persist(&target).map_err(|e| e.error)?;
        *held = None;
        Ok(())
    }
}

/// Append `ts` shown at UTC offset `offset` (seconds) as `YYYY-MM-DDTHH:MM:SS±HH:MM`.
///
/// Hand-written because it runs once per exported minute (millions of times); checked against
/// jiff in the tests.
pub fn push_iso(b: &mut String, ts: i64, offset: i32) {
    use std::fmt::Write as _;
    let local = ts + i64::from(offset);
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let _ = write!(
        b,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    if offset == 0 {
        b.push_str("+00:00");
    } else {
        let sign = if offset < 0 { '-' } else { '+' };
        let a = offset.unsigned_abs();
        let _ = write!(b, "{sign}{:02}:{:02}", a / 3600, a / 60 % 60);
    }
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let m = u32::try_from(m).unwrap_or(1);
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(ts: i64, off: i32) -> String {
        let mut s = String::new();
        push_iso(&mut s, ts, off);
        s
    }

    #[test]
    fn iso_matches_jiff() {
        for &(ts, off) in &[
            (0i64, 0i32),
            (1_709_277_300, 3600),
            (951_782_400, -18_000),
            (4_102_444_799, 19_800),
            (-86_400, 0),
        ] {
            let zdt =
                jiff::Timestamp::from_second(ts)
                    .unwrap()
                    .to_zoned(jiff::tz::TimeZone::fixed(
                        jiff::tz::Offset::from_seconds(off).unwrap(),
                    ));
            let expected = zdt.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
            assert_eq!(iso(ts, off), expected, "ts={ts} off={off}");
        }
        // Leap day and far years, exhaustively across 30 years of days.
        let mut ts = 946_684_800i64;
        while ts < 1_893_456_000 {
            let expected = jiff::Timestamp::from_second(ts)
                .unwrap()
                .strftime("%Y-%m-%dT%H:%M:%S+00:00")
                .to_string();
            assert_eq!(iso(ts, 0), expected);
            ts += 86_399;
        }
    }

    #[test]
    fn csv_quotes_and_jsonl_nulls() {
        let mut w = RowWriter::new(Vec::new(), Format::Csv, &["a", "b", "c"]).unwrap();
        w.row(&[Cell::Str("x,y"), Cell::Null, Cell::Int(-3)])
            .unwrap();
        assert_eq!(
            String::from_utf8(w.finish().unwrap()).unwrap(),
            "a,b,c\n\"x,y\",,-3\n"
        );
        let mut w = RowWriter::new(Vec::new(), Format::Jsonl, &["a", "b", "t"]).unwrap();
        w.row(&[Cell::Str("q\""), Cell::Null, Cell::Time(0, 3600)])
            .unwrap();
        let line = String::from_utf8(w.finish().unwrap()).unwrap();
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"a": "q\"", "b": null, "t": "1970-01-01T01:00:00+01:00"})
        );
    }
}
