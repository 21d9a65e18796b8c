//! Integration tests of mikit-huami: the public vectors and fixtures (`decode`, `login`),
//! property tests (`props`), and the HTTP flows (`login`, `client`) against a small axum
//! server (`fake`) that answers as `huami-cloud.md` documents.

mod client;
mod decode;
mod fake;
mod health;
mod login;
mod logs;
mod props;
mod workout;
