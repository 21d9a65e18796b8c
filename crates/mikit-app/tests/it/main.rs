//! Integration tests of the application layer (against the emulator on 127.0.0.1).

mod device;
mod fit;
mod health;
mod shutdown;
mod spec;
mod stats;
mod workout;
