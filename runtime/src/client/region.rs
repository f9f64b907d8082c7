//! Where Tray's API lives. Every host the client knows is written here and nowhere else, so a
//! correction to `API.md`'s host table is a one-line change.

use std::fmt;
use std::str::FromStr;

/// A Tray region: each has its own REST and GraphQL hosts, and its own tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Region {
    /// `api.tray.io` (Tray's default).
    #[default]
    Us,
    /// `api.eu1.tray.io`.
    Eu,
    /// `api.ap1.tray.io`.
    Apac,
}

impl Region {
    /// The REST base of the Platform API, ending in `/core/v1`.
    pub const fn rest_base(self) -> &'static str {
        match self {
            Region::Us => "https://api.tray.io/core/v1",
            Region::Eu => "https://api.eu1.tray.io/core/v1",
            Region::Apac => "https://api.ap1.tray.io/core/v1",
        }
    }

    /// The GraphQL endpoint (users, user tokens, listing a user's authentications).
    pub const fn graphql_url(self) -> &'static str {
        match self {
            Region::Us => "https://tray.io/graphql",
            Region::Eu => "https://eu1.tray.io/graphql",
            Region::Apac => "https://ap1.tray.io/graphql",
        }
    }

    /// The name used on command lines: `us`, `eu` or `apac`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Region::Us => "us",
            Region::Eu => "eu",
            Region::Apac => "apac",
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A region name that is not `us`, `eu` or `apac`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a Tray region: use `us`, `eu` or `apac`")]
pub struct UnknownRegion(String);

impl FromStr for Region {
    type Err = UnknownRegion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "us" => Ok(Region::Us),
            "eu" | "eu1" => Ok(Region::Eu),
            "apac" | "ap1" => Ok(Region::Apac),
            _ => Err(UnknownRegion(s.chars().take(32).collect())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_match_the_api_facts() {
        assert_eq!(Region::Eu.rest_base(), "https://api.eu1.tray.io/core/v1");
        assert_eq!(Region::Apac.graphql_url(), "https://ap1.tray.io/graphql");
        assert_eq!("APAC".parse::<Region>().unwrap(), Region::Apac);
        assert!("mars"
            .parse::<Region>()
            .unwrap_err()
            .to_string()
            .contains("use `us`, `eu` or `apac`"));
    }
}
