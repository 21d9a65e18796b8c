//! Integration tests of mikit-micloud (one binary; see the modules).

mod api;
mod fixtures;
mod login;
mod proptests;
mod renewal;
mod secrets;
mod server;
mod vectors;
