//! [`DeviceInfo`]: who a simulated device is.

use std::net::IpAddr;

/// Identity of one simulated device, as the Mi cloud lists it and the LAN reveals it.
///
/// `Debug` never shows the token.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    /// Device id as a decimal string, e.g. `"381205710"` (fits the 32-bit miIO header field).
    pub did: String,
    /// Human name, e.g. `"Living room purifier"`.
    pub name: String,
    /// Model, e.g. `"zhimi.airpurifier.ma4"`.
    pub model: String,
    /// URN of the model's spec, as selected from the instances list.
    pub urn: String,
    /// The 16-byte device token (LAN key material).
    pub token: [u8; 16],
    /// MAC address, `AA:BB:CC:DD:EE:FF`.
    pub mac: String,
    /// Mi cloud region: `"cn"`, `"de"`, `"us"`, `"ru"`, `"sg"`, `"i2"`.
    pub region: String,
    /// Home id (decimal string).
    pub home_id: String,
    /// Home name.
    pub home: String,
    /// Room id (decimal string).
    pub room_id: String,
    /// Room name.
    pub room: String,
    /// LAN address of the device's miIO server.
    pub ip: IpAddr,
    /// UDP port of the device's miIO server (54321 on a real device).
    pub port: u16,
    /// Firmware version, e.g. `"2.1.8_0045"`.
    pub fw_ver: String,
    /// Hardware platform, e.g. `"esp32"`.
    pub hw_ver: String,
}

impl DeviceInfo {
    /// The did as the 32-bit number carried in miIO headers (0 if it does not parse).
    pub fn did_u32(&self) -> u32 {
        self.did.parse().unwrap_or(0)
    }

    /// The token as 32 lowercase hex characters.
    pub fn token_hex(&self) -> String {
        hex::encode(self.token)
    }

    /// The LAN socket address.
    pub fn socket_addr(&self) -> std::net::SocketAddr {
        std::net::SocketAddr::new(self.ip, self.port)
    }
}

impl std::fmt::Debug for DeviceInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceInfo")
            .field("did", &self.did)
            .field("name", &self.name)
            .field("model", &self.model)
            .field("urn", &self.urn)
            .field("token", &"***")
            .field("mac", &self.mac)
            .field("region", &self.region)
            .field("home", &self.home)
            .field("room", &self.room)
            .field("ip", &self.ip)
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}
