//! Integration tests of mikit-miio: public vectors, property tests, and client ↔ server over
//! 127.0.0.1.

mod client_server;
mod discovery;
mod proptests;
mod vectors;
