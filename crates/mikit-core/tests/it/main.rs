//! Integration tests of mikit-core (one binary; see the modules).

mod http;
