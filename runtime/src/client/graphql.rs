//! Tray's GraphQL calls: end users, their tokens, and their authentications.
//!
//! Arguments are written into the query as literals, as Tray's own documentation does, rather
//! than as variables whose GraphQL types Tray does not document. A JSON string is a valid
//! GraphQL string literal, so `serde_json` does the escaping.

use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::{describe_json, Operation};
use super::{AuthenticationId, Bearer, Call, Client, Error, UserAuthentication, UserId};
use crate::Secret;

/// How many authentications to ask for a page.
const PAGE_SIZE: u32 = 100;
/// A bound on paging, in case a server keeps saying there is more.
const MAX_PAGES: usize = 10_000;

#[derive(Deserialize)]
struct Response {
    data: Option<Value>,
    #[serde(default)]
    errors: Vec<GraphQlError>,
}

#[derive(Deserialize)]
struct GraphQlError {
    #[serde(default)]
    message: String,
    #[serde(default)]
    extensions: Option<Extensions>,
}

#[derive(Deserialize)]
struct Extensions {
    code: Option<String>,
}

/// Whether a GraphQL answer is Tray's rate-limit error (which comes with status 200).
pub(super) fn is_rate_limited(operation: Operation, body: &[u8]) -> bool {
    if !matches!(
        operation,
        Operation::CreateExternalUser | Operation::Authorize | Operation::ListUserAuthentications
    ) {
        return false;
    }
    let Ok(response) = serde_json::from_slice::<Response>(body) else {
        return false;
    };
    response.errors.iter().any(|e| {
        e.message.to_ascii_lowercase().contains("rate limit")
            || e.extensions.as_ref().and_then(|x| x.code.as_deref()) == Some("access_not_allowed")
                && e.message.to_ascii_lowercase().contains("rate")
    })
}

fn literal(text: &str) -> String {
    Value::String(text.to_owned()).to_string()
}

impl Client {
    /// GraphQL `createExternalUser` (master token): makes an end user, returns its `userId`.
    ///
    /// Not retried after the request may have reached Tray (it would make a second user).
    pub async fn create_external_user(
        &self,
        name: &str,
        external_user_id: &str,
    ) -> Result<UserId, Error> {
        let query = format!(
            "mutation {{ createExternalUser(input: {{name: {}, externalUserId: {}}}) {{ userId }} }}",
            literal(name),
            literal(external_user_id)
        );
        let data = self
            .graphql(Operation::CreateExternalUser, Bearer::Master, query)
            .await?;
        let id = data
            .pointer("/createExternalUser/userId")
            .and_then(Value::as_str);
        id.map(UserId::new)
            .ok_or_else(|| missing(Operation::CreateExternalUser, "createExternalUser.userId"))
    }

    /// GraphQL `authorize` (master token): a token for `user`, valid for two days.
    pub async fn authorize(&self, user: &UserId) -> Result<Secret, Error> {
        let query = format!(
            "mutation {{ authorize(input: {{userId: {}}}) {{ accessToken }} }}",
            literal(user.as_str())
        );
        let mut data = self
            .graphql(Operation::Authorize, Bearer::Master, query)
            .await?;
        match data.pointer_mut("/authorize/accessToken").map(Value::take) {
            Some(Value::String(token)) => Ok(Secret::from(token)),
            _ => Err(missing(Operation::Authorize, "authorize.accessToken")),
        }
    }

    /// GraphQL `viewer { authentications }` with an end user's token: every authentication
    /// that user owns, following Tray's pages to the end.
    pub async fn list_user_authentications(
        &self,
        user_token: &Secret,
    ) -> Result<Vec<UserAuthentication>, Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Page {
            edges: Vec<Edge>,
            page_info: PageInfo,
        }
        #[derive(Deserialize)]
        struct Edge {
            node: Node,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Node {
            id: AuthenticationId,
            #[serde(default)]
            name: String,
            service_environment: Option<IdOnly>,
        }
        #[derive(Deserialize)]
        struct IdOnly {
            id: String,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct PageInfo {
            has_next_page: bool,
            end_cursor: Option<String>,
        }

        let operation = Operation::ListUserAuthentications;
        let mut all = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let after_arg = after
                .as_deref()
                .map(|cursor| format!(", after: {}", literal(cursor)))
                .unwrap_or_default();
            let query = format!(
                "query {{ viewer {{ authentications(first: {PAGE_SIZE}{after_arg}) {{ edges {{ node {{ id name serviceEnvironment {{ id }} }} }} pageInfo {{ hasNextPage endCursor }} }} }} }}"
            );
            let mut data = self
                .graphql(operation, Bearer::User(user_token), query)
                .await?;
            let page = data
                .pointer_mut("/viewer/authentications")
                .map(Value::take)
                .unwrap_or(Value::Null);
            let page: Page = serde_json::from_value(page).map_err(|e| Error::Decode {
                operation,
                status: 200,
                detail: format!("viewer.authentications: {}", describe_json(&e)),
            })?;
            let next = page
                .page_info
                .has_next_page
                .then_some(page.page_info.end_cursor)
                .flatten();
            all.extend(page.edges.into_iter().map(|edge| {
                UserAuthentication {
                    id: edge.node.id,
                    name: edge.node.name,
                    service_environment_id: edge
                        .node
                        .service_environment
                        .map(|env| env.id)
                        .unwrap_or_default(),
                }
            }));
            match next {
                Some(cursor) if after.as_deref() != Some(cursor.as_str()) => after = Some(cursor),
                _ => return Ok(all),
            }
        }
        tracing::warn!(pages = MAX_PAGES, "stopped paging: too many pages");
        Ok(all)
    }

    /// Posts a GraphQL query; returns its `data`, or its `errors` as [`Error::GraphQl`].
    async fn graphql(
        &self,
        operation: Operation,
        bearer: Bearer<'_>,
        query: String,
    ) -> Result<Value, Error> {
        let body = serde_json::to_vec(&json!({ "query": query }))
            .map_err(|e| Error::Config(describe_json(&e)))?;
        let call = Call {
            operation,
            method: Method::POST,
            url: self.inner.graphql_url.clone(),
            bearer,
            body: Some(body),
        };
        let (status, answer) = self.send(call).await?;
        let response: Response = serde_json::from_slice(&answer).map_err(|e| Error::Decode {
            operation,
            status: status.as_u16(),
            detail: describe_json(&e),
        })?;
        if !response.errors.is_empty() {
            let code = response
                .errors
                .iter()
                .find_map(|e| e.extensions.as_ref().and_then(|x| x.code.clone()));
            return Err(Error::GraphQl {
                operation,
                messages: response.errors.into_iter().map(|e| e.message).collect(),
                code,
            });
        }
        response
            .data
            .filter(|data| !data.is_null())
            .ok_or_else(|| missing(operation, "data"))
    }
}

fn missing(operation: Operation, what: &str) -> Error {
    Error::Decode {
        operation,
        status: 200,
        detail: format!("`{what}` is missing"),
    }
}
