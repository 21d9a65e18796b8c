//! Xiaomi account login and the signed Mi Home cloud API.
