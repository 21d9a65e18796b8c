//! Mi cloud regions and their API hosts (reference §1).

use serde::{Deserialize, Serialize};

use crate::Error;

/// A Mi Home cloud region. A device lives in exactly one region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Region {
    /// Mainland China (`api.io.mi.com`, no prefix).
    Cn,
    /// Europe.
    De,
    /// Americas.
    Us,
    /// Singapore / South-East Asia.
    Sg,
    /// Russia.
    Ru,
    /// India (`i2`).
    I2,
    /// Taiwan.
    Tw,
    /// India (`in`, tried by the token extractor only).
    In,
}

impl Region {
    /// Every region, in the order the token extractor tries them
    /// (`PiotrMachowski/Xiaomi-cloud-tokens-extractor`: cn,de,us,ru,tw,sg,in,i2).
    pub const ALL: [Region; 8] = [
        Region::Cn,
        Region::De,
        Region::Us,
        Region::Ru,
        Region::Tw,
        Region::Sg,
        Region::In,
        Region::I2,
    ];

    /// The short name (`cn`, `de`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Region::Cn => "cn",
            Region::De => "de",
            Region::Us => "us",
            Region::Sg => "sg",
            Region::Ru => "ru",
            Region::I2 => "i2",
            Region::Tw => "tw",
            Region::In => "in",
        }
    }

    /// The API host: `api.io.mi.com` for cn, `<cc>.api.io.mi.com` otherwise.
    pub fn api_host(self) -> String {
        match self {
            Region::Cn => "api.io.mi.com".to_owned(),
            other => format!("{}.api.io.mi.com", other.as_str()),
        }
    }

    /// The API base URL including `/app`.
    pub fn api_base(self) -> String {
        format!("https://{}/app", self.api_host())
    }
}

impl std::fmt::Display for Region {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Region {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let lower = s.trim().to_ascii_lowercase();
        Region::ALL
            .into_iter()
            .find(|r| r.as_str() == lower)
            .ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "unknown region {s:?}; expected one of cn, de, us, sg, ru, i2, tw, in"
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(Region::Cn.api_base(), "https://api.io.mi.com/app");
        assert_eq!(Region::De.api_base(), "https://de.api.io.mi.com/app");
        assert_eq!("I2".parse::<Region>().unwrap(), Region::I2);
        assert!("xx".parse::<Region>().is_err());
    }
}
