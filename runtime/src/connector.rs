use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

use crate::Validate;

/// A Tray service, as far as importing authentications goes.
///
/// `tray-codegen` implements it for one zero-sized marker type per service
/// (`tray_connectors::slack::Slack`); code never needs to implement it by hand.
pub trait Connector: Sized + Send + Sync + 'static {
    /// The service name, as Tray spells it (`"slack"`).
    const SERVICE_NAME: &'static str;
    /// The service version (an integer; not the connector version).
    const SERVICE_VERSION: u32;
    /// The service environments the snapshot listed.
    const ENVIRONMENTS: &'static [ServiceEnvironment];
    /// The snapshot the types were generated from (`schemas/<service>-<version>.json`) as
    /// compact JSON, key order kept: what Tray served when the snapshot was taken. The
    /// client's preflight (`Client::preflight`, feature `client`) compares it with what Tray
    /// serves now; [`tray_schema::snapshot::Snapshot::from_text`] reads it.
    const SNAPSHOT: &'static str;

    /// The `credentials` object of an authentication.
    type Credentials: Serialize + DeserializeOwned + Validate + fmt::Debug + Clone + Send + Sync;
    /// The `userData` object of an authentication.
    type UserData: Serialize + DeserializeOwned + Validate + fmt::Debug + Clone + Send + Sync;
    /// The scopes an authentication may be granted; [`NoScopes`] where the service lists none.
    type Scope: Serialize + DeserializeOwned + fmt::Debug + Clone + Copy + Eq + Send + Sync;
}

/// One service environment of a connector, as listed in its snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceEnvironment {
    /// The `serviceEnvironmentId`.
    pub id: &'static str,
    /// `"Production"` for the default environment; custom OAuth apps add others.
    pub title: &'static str,
    /// How users of this environment authenticate.
    pub authentication_type: AuthenticationType,
}

/// Tray's `authenticationType` of a service environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthenticationType {
    /// An API key or other token the user pastes in.
    Token,
    /// OAuth 1.0a.
    Oauth1,
    /// OAuth 2 authorization code.
    Oauth2,
    /// OAuth 2 resource-owner password.
    Oauth2password,
    /// OAuth 2 client credentials.
    Oauth2clientCredentials,
    /// Built in to Tray.
    Builtin,
    /// A type Tray added after this crate was written, as Tray spells it.
    Other(&'static str),
}

impl AuthenticationType {
    /// Tray's spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            AuthenticationType::Token => "token",
            AuthenticationType::Oauth1 => "oauth1",
            AuthenticationType::Oauth2 => "oauth2",
            AuthenticationType::Oauth2password => "oauth2password",
            AuthenticationType::Oauth2clientCredentials => "oauth2client_credentials",
            AuthenticationType::Builtin => "builtin",
            AuthenticationType::Other(name) => name,
        }
    }
}

/// Credentials that belong to the service environments of connector `C`: the `Credentials` of
/// `C`'s module, and nothing else. Generated code implements it; it is what makes
/// [`CreateAuthentication`](crate::CreateAuthentication) refuse, at compile time and in Tray's
/// words, credentials given with another service's (or another environment's) constant.
#[diagnostic::on_unimplemented(
    message = "these credentials do not belong to the service environment given, one of `{C}`'s",
    label = "`{Self}` are not credentials of `{C}`'s service environments",
    note = "each service environment constant pairs with the `Credentials` of its own module: `mailchimp::PRODUCTION` with `mailchimp::Credentials`, and an environment with schemas of its own (`fooapp::CUSTOM_OAUTH_APP`) with its module's (`fooapp::custom_oauth_app::Credentials`)"
)]
pub trait CredentialsOf<C: Connector>: Into<C::Credentials> {}

/// User data that belongs to the service environments of connector `C` (see
/// [`CredentialsOf`]).
#[diagnostic::on_unimplemented(
    message = "this user data does not belong to the service environment given, one of `{C}`'s",
    label = "`{Self}` is not user data of `{C}`'s service environments",
    note = "each service environment constant pairs with the `UserData` of its own module: `mailchimp::PRODUCTION` with `mailchimp::UserData`"
)]
pub trait UserDataOf<C: Connector>: Into<C::UserData> {}

/// A scope that the service environments of connector `C` list (see [`CredentialsOf`]).
#[diagnostic::on_unimplemented(
    message = "this scope is not one the service environment given lists, one of `{C}`'s",
    label = "`{Self}` is not a scope of `{C}`'s service environments",
    note = "each service environment constant pairs with the `Scope` of its own module: `slack::PRODUCTION` with `slack::Scope`; a service that lists no scopes takes none"
)]
pub trait ScopeOf<C: Connector>: Into<C::Scope> {}

/// The scope type of a service that lists no scopes: it has no values, so no scope can be
/// given, and `scopes` is always sent as `[]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NoScopes {}

/// A service environment's id, typed by its connector.
///
/// Generated code has a constant per environment in a snapshot (`mailchimp::PRODUCTION`).
/// A custom OAuth app's environment, made after the snapshot, is named with
/// [`ServiceEnvironmentId::new`]:
///
/// ```
/// use tray_auth::ServiceEnvironmentId;
/// # use tray_auth::doc_example::Example;
/// let custom = ServiceEnvironmentId::<Example>::new("474a1b2c-3d4e-4f5a-8b6c-7d8e90088d70").unwrap();
/// assert_eq!(custom.to_string(), "474a1b2c-3d4e-4f5a-8b6c-7d8e90088d70");
/// assert!(ServiceEnvironmentId::<Example>::new("production").is_err());
/// ```
pub struct ServiceEnvironmentId<C> {
    id: Uuid,
    connector: PhantomData<fn() -> C>,
}

/// A string given as a service environment id that is not a UUID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{given}` is not a service environment id: Tray's ids are UUIDs such as `228a0c5e-1f2b-4c3d-9e8f-7a6b5c4d3e21`")]
pub struct InvalidServiceEnvironmentId {
    given: String,
}

impl<C> ServiceEnvironmentId<C> {
    /// Parses an id made after the snapshot was taken (a custom OAuth app's environment).
    pub fn new(id: &str) -> Result<Self, InvalidServiceEnvironmentId> {
        Uuid::try_parse(id.trim())
            .map(Self::from_uuid)
            .map_err(|_| {
                InvalidServiceEnvironmentId {
                    // An id is not a secret, but keep what is echoed short.
                    given: id.chars().take(64).collect(),
                }
            })
    }

    /// For generated constants: the id must be a UUID, which is checked when the constant is
    /// evaluated, so a bad one fails the build.
    #[doc(hidden)]
    pub const fn from_static(id: &'static str) -> Self {
        match Uuid::try_parse(id) {
            Ok(id) => Self::from_uuid(id),
            Err(_) => panic!("a service environment id must be a UUID"),
        }
    }

    /// Wraps a UUID.
    pub const fn from_uuid(id: Uuid) -> Self {
        ServiceEnvironmentId {
            id,
            connector: PhantomData,
        }
    }

    /// The UUID.
    pub const fn uuid(&self) -> Uuid {
        self.id
    }
}

impl<C: Connector> ServiceEnvironmentId<C> {
    /// The environment as listed in the snapshot, if it was listed there.
    pub fn environment(&self) -> Option<&'static ServiceEnvironment> {
        C::ENVIRONMENTS
            .iter()
            .find(|env| Uuid::try_parse(env.id).is_ok_and(|id| id == self.id))
    }
}

// Derives would put bounds on `C`; the marker types need none.
impl<C> Clone for ServiceEnvironmentId<C> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<C> Copy for ServiceEnvironmentId<C> {}
impl<C> PartialEq for ServiceEnvironmentId<C> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}
impl<C> Eq for ServiceEnvironmentId<C> {}
impl<C> std::hash::Hash for ServiceEnvironmentId<C> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

impl<C> fmt::Display for ServiceEnvironmentId<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.id.hyphenated().fmt(f)
    }
}

impl<C> fmt::Debug for ServiceEnvironmentId<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ServiceEnvironmentId({})", self.id.hyphenated())
    }
}

impl<C> FromStr for ServiceEnvironmentId<C> {
    type Err = InvalidServiceEnvironmentId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl<C> Serialize for ServiceEnvironmentId<C> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.id.hyphenated())
    }
}

impl<'de, C> Deserialize<'de> for ServiceEnvironmentId<C> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::new(&s).map_err(serde::de::Error::custom)
    }
}
