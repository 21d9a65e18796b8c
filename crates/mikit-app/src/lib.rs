//! The mikit application layer, between the protocol crates and the front ends (the `mikit`
//! command line today; the dashboard, the MQTT bridge and the MCP server next).
//!
//! Everything a front end needs beyond parsing, prompting and rendering lives here, so that
//! every front end calls the same code: the fitness sync engine ([`fit`]), workouts turned
//! into portable activity files ([`workout`]), reaching a device over the LAN or the cloud
//! ([`device`]), the MIoT spec source with its cache policy ([`spec`]), the numbers and series
//! a person looks at (overview, activity, sleep, heart rate, coverage: [`stats`]), and
//! stopping long work cleanly ([`shutdown`]).
//!
//! Like every library crate of mikit, this one never prints, never reads the terminal and never
//! exits: it returns typed errors and reports progress as events.

pub mod device;
pub mod fit;
pub mod health;
pub mod shutdown;
pub mod spec;
pub mod stats;
pub mod workout;
