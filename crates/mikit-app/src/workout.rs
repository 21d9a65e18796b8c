//! (being moved here; see the crate documentation.)
