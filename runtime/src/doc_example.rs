//! A connector written the way `tray-codegen` writes them, for this crate's doc examples.

use crate::validate::{Pattern, Validator};
use crate::{
    AuthenticationType, Connector, CredentialsOf, NoScopes, ScopeOf, Secret, ServiceEnvironment,
    ServiceEnvironmentId, UserDataOf, Validate,
};

/// The example service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Example;

impl Connector for Example {
    const SERVICE_NAME: &'static str = "example";
    const SERVICE_VERSION: u32 = 1;
    const ENVIRONMENTS: &'static [ServiceEnvironment] = &[ServiceEnvironment {
        id: "474a1b2c-3d4e-4f5a-8b6c-7d8e90088d70",
        title: "Production",
        authentication_type: AuthenticationType::Oauth2,
    }];
    const SNAPSHOT: &'static str = r#"{"connector":{"name":"example","title":"Example","service":{"name":"example","version":1}},"environments":[{"id":"474a1b2c-3d4e-4f5a-8b6c-7d8e90088d70","title":"Production","authenticationType":"oauth2","credentialsSchema":{"type":"object","properties":{"access_token":{"type":"string"},"dc":{"type":"string","pattern":"^[a-z]+[0-9]+$"}},"required":["access_token","dc"]},"userDataSchema":{"type":"object","properties":{}}}]}"#;
    type Credentials = Credentials;
    type UserData = UserData;
    type Scope = NoScopes;
}

impl CredentialsOf<Example> for Credentials {}
impl UserDataOf<Example> for UserData {}
impl ScopeOf<Example> for NoScopes {}

/// The `Production` environment.
pub const PRODUCTION: ServiceEnvironmentId<Example> =
    ServiceEnvironmentId::from_static("474a1b2c-3d4e-4f5a-8b6c-7d8e90088d70");

/// Credentials.
#[derive(Debug, Clone, PartialEq)]
pub struct Credentials {
    /// Access token.
    pub access_token: Secret,
    /// Data center.
    pub dc: String,
}

impl serde::Serialize for Credentials {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        crate::json::serialize_object(
            serializer,
            &[
                crate::json::Property::new("access_token", &self.access_token),
                crate::json::Property::new("dc", &self.dc),
            ],
        )
    }
}

impl crate::json::FromJson for Credentials {
    fn from_json(value: serde_json::Value) -> Result<Self, crate::json::Error> {
        let mut object = crate::json::Object::new(value, &["access_token", "dc"], false)?;
        Ok(Credentials {
            access_token: object.field("access_token")?,
            dc: object.field("dc")?,
        })
    }
}

impl<'de> serde::Deserialize<'de> for Credentials {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::json::deserialize(deserializer)
    }
}

impl Validate for Credentials {
    fn validate_with(&self, validator: &mut Validator) {
        static DC: Pattern = Pattern::new("^[a-z]+[0-9]+$");
        validator.at("dc").pattern(&self.dc, &DC);
    }
}

/// User data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserData {}

impl serde::Serialize for UserData {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        crate::json::serialize_object(serializer, &[])
    }
}

impl crate::json::FromJson for UserData {
    fn from_json(value: serde_json::Value) -> Result<Self, crate::json::Error> {
        crate::json::Object::new(value, &[], false)?;
        Ok(UserData {})
    }
}

impl<'de> serde::Deserialize<'de> for UserData {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::json::deserialize(deserializer)
    }
}

crate::nothing_to_check!(UserData);
