//! Faithful offline emulator of the Huami cloud, Xiaomi account and Mi cloud, MIoT spec service and miIO devices.
