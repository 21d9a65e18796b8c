//! Simulated Wi-Fi devices: one spec-driven [`SimDevice`] per device, a deterministic
//! [`Fleet`] of them, and their miIO LAN servers.
//!
//! "One device, two ways in": the same [`SimDevice`] (its property state, its MIoT rules)
//! answers the miIO LAN protocol (it implements [`mikit_miio::Handler`]) and the Mi cloud
//! emulator's `/miotspec/*` calls. Behaviour follows reference `miot-spec.md` §7–§9 and §13
//! ("spec-driven fake device") and `miio-lan.md` §8, §9 and §12 ("emulator must").
//!
//! # Layout
//!
//! | module | holds |
//! |---|---|
//! | `info` | [`DeviceInfo`]: identity of a device (did, name, model, token, mac, region, home, room, address) |
//! | `sim` | [`SimDevice`]: property state, `get_properties` / `set_properties` / `action`, `miIO.info`, the LAN [`mikit_miio::Handler`] |
//! | `effect` | what an action whose effect the spec makes clear does: `toggle`, on/off, a step up or down |
//! | `fleet` | [`Fleet`]: devices generated from a seed, models picked from the bundled spec corpus |
//! | `lan` | [`LanServers`]: one miIO UDP server per device, stopped and restarted like a reboot |

mod effect;
mod fleet;
mod info;
mod lan;
mod sim;

pub use fleet::{Fleet, spec_for_model};
pub use info::DeviceInfo;
pub use lan::LanServers;
pub use sim::SimDevice;
