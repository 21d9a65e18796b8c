//! Workout files: turn one workout into GPX 1.1, TCX or FIT bytes that Garmin Connect, Strava,
//! intervals.icu and Golden Cheetah import.
//!
//! Sans-IO: every writer takes an [`Activity`] and returns the whole file in memory; writing
//! it somewhere (atomically) is the caller's job. The model is independent of the store and
//! of the Huami decoders: the caller fills it from whatever it has.
//!
//! Absent values stay absent: a value the watch did not record is left out (GPX, TCX) or
//! written as the FIT "invalid" value of its base type, never as 0 or a sentinel. The one
//! exception is TCX, whose schema makes a lap's distance, time and calories mandatory (see
//! [`to_tcx`]).
//!
//! # Layout
//! - [`model`]: [`Activity`], [`Point`], [`Lap`], [`Length`], [`Pause`], [`Totals`].
//! - [`sport`]: [`Sport`], the Huami sport code, and its mapping to FIT sport/sub-sport and to
//!   TCX, GPX and Strava names, for every code of the reference table.
//! - `gpx`: [`to_gpx`], GPX 1.1 with Garmin's TrackPointExtension v1 (hr, cad).
//! - `tcx`: [`to_tcx`], Training Center Database v2.
//! - `fit`: [`to_fit`], a FIT activity file encoder written from the public FIT protocol
//!   description (header and file CRCs, definition and data messages).
//! - `error`: [`Error`] and [`validate`], the checks every writer runs first.
//!
//! # Example
//! ```
//! use mikit_activity::{Activity, Point, Position, Sport, to_fit, to_gpx, to_tcx};
//!
//! let start = 1_709_274_600; // 2024-03-01T06:30:00Z
//! let mut run = Activity::new(start, Sport(1)); // Huami code 1: outdoor running
//! run.totals.duration_s = Some(2.0);
//! run.totals.distance_m = Some(6.5);
//! for i in 0..3 {
//!     run.points.push(Point {
//!         time: Some(start + i),
//!         position: Some(Position { lat: 52.52 + i as f64 * 1e-5, lon: 13.405 }),
//!         heart_rate: Some(120),
//!         distance_m: Some(i as f64 * 3.25),
//!         ..Point::default()
//!     });
//! }
//! let gpx = to_gpx(&run)?;
//! assert!(gpx.contains("<gpxtpx:hr>120</gpxtpx:hr>"));
//! let tcx = to_tcx(&run)?;
//! assert!(tcx.contains(r#"<Activity Sport="Running">"#));
//! let fit = to_fit(&run)?;
//! assert_eq!(&fit[8..12], b".FIT");
//!
//! // A strength workout has no GPS: no GPX file, but TCX and FIT still describe it.
//! let gym = Activity::new(start, Sport(52));
//! assert_eq!(to_gpx(&gym), Err(mikit_activity::Error::NoTrack));
//! assert!(to_fit(&gym).is_ok());
//! # Ok::<(), mikit_activity::Error>(())
//! ```

mod error;
mod fit;
mod gpx;
pub mod model;
pub mod sport;
mod tcx;
mod time;
mod xml;

pub use error::{Error, MAX_TIME, MIN_TIME, validate};
pub use fit::to_fit;
pub use gpx::to_gpx;
pub use model::{Activity, Lap, LapTrigger, Length, Pause, Point, Position, Totals};
pub use sport::{FitSport, SPORTS, Sport, SportInfo};
pub use tcx::to_tcx;
