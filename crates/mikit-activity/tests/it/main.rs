//! Integration tests of mikit-activity: each format against its independent arbiter — the
//! GPX 1.1 / TrackPointExtension v1 and TCX v2 schemas with `xmllint` (`gpx`, `tcx`), the
//! `fitparser` crate for FIT (`fit`) — the sport table (`sport`), and property tests that any
//! workout, missing values included, is written without a panic and decodes (`props`).

mod fit;
mod fixtures;
mod gpx;
mod props;
mod sport;
mod tcx;
mod xsd;
