//! End-to-end tests of the `mikit` binary against the emulator on 127.0.0.1.
//!
//! Each test starts its own emulator in-process (real sockets, the real Huami protocol as the
//! reference documents it) and runs the real binary with `--endpoint` pointing at it.

mod cdp;
mod cloud;
mod device;
mod export;
mod fit;
mod harness;
mod health;
mod miio;
mod net;
mod polish;
mod serve;
mod spec;
mod store;
mod sync;
mod terminal;
mod workouts;
