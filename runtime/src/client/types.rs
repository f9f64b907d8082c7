//! What Tray's authentication calls answer with.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An authentication's id (a UUID Tray assigns).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AuthenticationId(String);

impl AuthenticationId {
    /// Wraps an id, as read from a log or a database.
    pub fn new(id: impl Into<String>) -> Self {
        AuthenticationId(id.into())
    }

    /// The id as Tray spells it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AuthenticationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An end user's id in Tray (`createExternalUser`'s `userId`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(String);

impl UserId {
    /// Wraps an id.
    pub fn new(id: impl Into<String>) -> Self {
        UserId(id.into())
    }

    /// The id as Tray spells it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `GET /authentications/{id}`: an authentication without its credentials.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Authentication {
    /// Its id.
    pub id: AuthenticationId,
    /// Its name.
    pub name: String,
    /// The service environment it was made in.
    pub service_environment_id: String,
    /// The scopes granted.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// The on-prem agent group, if any.
    #[serde(default)]
    pub on_prem_agent_group_id: Option<String>,
}

/// `GET /authentications/{id}/full`: an authentication with its user data and credentials.
///
/// Both are kept as JSON (they are whatever the service environment's schemas allow) and are
/// left out of `Debug`, since they hold secrets.
#[derive(Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FullAuthentication {
    /// The authentication.
    #[serde(flatten)]
    pub authentication: Authentication,
    /// The `userData` object.
    #[serde(default)]
    pub user_data: Value,
    /// The `credentials` object.
    #[serde(default)]
    pub credentials: Value,
}

impl fmt::Debug for FullAuthentication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FullAuthentication")
            .field("authentication", &self.authentication)
            .field("user_data", &"[redacted]")
            .field("credentials", &"[redacted]")
            .finish()
    }
}

/// One of an end user's authentications, as GraphQL `viewer { authentications }` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserAuthentication {
    /// Its id.
    pub id: AuthenticationId,
    /// Its name.
    pub name: String,
    /// The service environment it was made in.
    pub service_environment_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_authentication_debug_hides_credentials() {
        let full: FullAuthentication = serde_json::from_value(serde_json::json!({
            "id": "a", "name": "n", "serviceEnvironmentId": "e", "scopes": [],
            "userData": {"signing_secret": "s3cr3t"}, "credentials": {"access_token": "t0ken"}
        }))
        .unwrap();
        let debug = format!("{full:?}");
        assert!(
            !debug.contains("s3cr3t") && !debug.contains("t0ken"),
            "{debug}"
        );
        assert_eq!(full.credentials["access_token"], "t0ken");
    }
}
