//! The local mikit database (SQLite, WAL, append-only migrations).
