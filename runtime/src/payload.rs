use std::fmt;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::registry::Problem;
use crate::validate::{Validate, ValidationErrors, Validator};
use crate::{Connector, CredentialsOf, ScopeOf, ServiceEnvironmentId, UserDataOf};

/// The body of Tray's `POST /authentications`, checked by the compiler.
///
/// The credentials, user data, scopes and service environment must all belong to the same
/// connector `C`, so Slack credentials sent to a Mailchimp environment do not compile.
/// It serializes to exactly Tray's body: `name`, `serviceEnvironmentId`, `credentials`,
/// `userData` and `scopes`.
///
/// [`CreateAuthentication::new`] needs user data that can be left empty (`C::UserData:
/// Default`); a connector whose user data has required fields takes it in
/// [`CreateAuthentication::with_user_data`], so forgetting it does not compile either.
pub struct CreateAuthentication<C: Connector> {
    name: String,
    service_environment_id: ServiceEnvironmentId<C>,
    credentials: C::Credentials,
    user_data: C::UserData,
    scopes: Vec<C::Scope>,
}

impl<C: Connector> CreateAuthentication<C>
where
    C::UserData: Default,
{
    /// A payload with empty user data and no scopes. The credentials must be those of the
    /// environment's module ([`CredentialsOf`]).
    pub fn new(
        name: impl Into<String>,
        service_environment_id: ServiceEnvironmentId<C>,
        credentials: impl CredentialsOf<C>,
    ) -> Self {
        Self::build(
            name.into(),
            service_environment_id,
            credentials.into(),
            C::UserData::default(),
        )
    }
}

impl<C: Connector> CreateAuthentication<C> {
    /// A payload with the given user data and no scopes. The credentials and user data must be
    /// those of the environment's module ([`CredentialsOf`], [`UserDataOf`]).
    pub fn with_user_data(
        name: impl Into<String>,
        service_environment_id: ServiceEnvironmentId<C>,
        credentials: impl CredentialsOf<C>,
        user_data: impl UserDataOf<C>,
    ) -> Self {
        Self::build(
            name.into(),
            service_environment_id,
            credentials.into(),
            user_data.into(),
        )
    }

    fn build(
        name: String,
        service_environment_id: ServiceEnvironmentId<C>,
        credentials: C::Credentials,
        user_data: C::UserData,
    ) -> Self {
        CreateAuthentication {
            name,
            service_environment_id,
            credentials,
            user_data,
            scopes: Vec::new(),
        }
    }

    /// Sets the user data.
    #[must_use]
    pub fn user_data(mut self, user_data: impl UserDataOf<C>) -> Self {
        self.user_data = user_data.into();
        self
    }

    /// Sets the scopes granted to the authentication. Repeated scopes are sent once, since
    /// Tray wants unique strings.
    #[must_use]
    pub fn scopes<S: ScopeOf<C>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes.clear();
        for scope in scopes {
            let scope: C::Scope = scope.into();
            if !self.scopes.contains(&scope) {
                self.scopes.push(scope);
            }
        }
        self
    }

    /// The authentication's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The service environment the authentication is made in.
    pub fn service_environment_id(&self) -> ServiceEnvironmentId<C> {
        self.service_environment_id
    }

    /// The credentials.
    pub fn credentials(&self) -> &C::Credentials {
        &self.credentials
    }

    /// Checks what the types cannot: patterns, lengths and ranges in the credentials and the
    /// user data. Violations are reported by JSON pointer into the body
    /// (`/credentials/dc`), never with the value.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut validator = Validator::new();
        self.credentials
            .validate_with(&mut validator.at("credentials"));
        self.user_data.validate_with(&mut validator.at("userData"));
        validator.finish()
    }

    /// Tray's body for this payload, after [`CreateAuthentication::validate`]: the same checks,
    /// with the same problems, as an untyped row going through
    /// [`ConnectorEntry::build`](crate::registry::ConnectorEntry::build).
    ///
    /// ```
    /// use tray_auth::{CreateAuthentication, Secret};
    /// # use tray_auth::doc_example::{Credentials, PRODUCTION};
    /// let payload = CreateAuthentication::new(
    ///     "Bolo's auth",
    ///     PRODUCTION,
    ///     Credentials { access_token: Secret::from("a22x-us21"), dc: "US-21".into() },
    /// );
    /// let problems = payload.body().unwrap_err();
    /// assert_eq!(problems[0].pointer, "/credentials/dc");
    /// assert!(!problems[0].message.contains("US-21"));
    /// ```
    pub fn body(&self) -> Result<Value, Vec<Problem>> {
        if let Err(errors) = self.validate() {
            return Err(errors
                .violations()
                .iter()
                .map(|v| Problem {
                    pointer: v.pointer().to_owned(),
                    message: v.rule().to_string(),
                })
                .collect());
        }
        serde_json::to_value(self).map_err(|_| {
            // serde's message could quote a value: say only what happened.
            vec![Problem {
                pointer: String::new(),
                message: format!(
                    "the {} payload could not be turned into JSON",
                    C::SERVICE_NAME
                ),
            }]
        })
    }
}

impl<C: Connector> Clone for CreateAuthentication<C> {
    fn clone(&self) -> Self {
        CreateAuthentication {
            name: self.name.clone(),
            service_environment_id: self.service_environment_id,
            credentials: self.credentials.clone(),
            user_data: self.user_data.clone(),
            scopes: self.scopes.clone(),
        }
    }
}

impl<C: Connector> fmt::Debug for CreateAuthentication<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateAuthentication")
            .field("service", &C::SERVICE_NAME)
            .field("name", &self.name)
            .field("service_environment_id", &self.service_environment_id)
            .field("credentials", &self.credentials)
            .field("user_data", &self.user_data)
            .field("scopes", &self.scopes)
            .finish()
    }
}

impl<C: Connector> Serialize for CreateAuthentication<C> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut body = serializer.serialize_struct("CreateAuthentication", 5)?;
        body.serialize_field("name", &self.name)?;
        body.serialize_field("serviceEnvironmentId", &self.service_environment_id)?;
        body.serialize_field("credentials", &self.credentials)?;
        body.serialize_field("userData", &self.user_data)?;
        body.serialize_field("scopes", &self.scopes)?;
        body.end()
    }
}
