//! `POST /graphql`: just enough of Tray's GraphQL API for importing: `createExternalUser`,
//! `authorize` and `viewer { authentications }`. Arguments are read from the query's literals
//! (as Tray's documentation writes them) or from `variables`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::rest::{authenticate, new_id};
use crate::{ExternalUser, Owner, Shared};

/// The most authentications a page may hold.
const MAX_PAGE: u64 = 1000;

pub(crate) async fn handle(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let owner = match authenticate(&shared, &headers) {
        Ok(owner) => owner,
        Err(refused) => return refused.into_response(),
    };
    let request: Value = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(_) => {
            return errors(
                StatusCode::BAD_REQUEST,
                "the body is not JSON: send {\"query\": \"...\"}",
            )
        }
    };
    let Some(query) = request.get("query").and_then(Value::as_str) else {
        return errors(StatusCode::BAD_REQUEST, "the body has no `query` string");
    };
    let variables = request.get("variables").cloned().unwrap_or(Value::Null);
    let arg = |name: &str| argument(query, &variables, name);

    if query.contains("createExternalUser") {
        if owner != Owner::Master {
            return errors(StatusCode::OK, "createExternalUser needs the master token");
        }
        let (Some(Value::String(name)), Some(Value::String(external_user_id))) =
            (arg("name"), arg("externalUserId"))
        else {
            return errors(
                StatusCode::OK,
                "createExternalUser needs `name` and `externalUserId` strings",
            );
        };
        let user_id = new_id();
        shared.store().users.push(ExternalUser {
            user_id: user_id.clone(),
            name,
            external_user_id,
        });
        data(json!({ "createExternalUser": { "userId": user_id } }))
    } else if query.contains("authorize") {
        if owner != Owner::Master {
            return errors(StatusCode::OK, "authorize needs the master token");
        }
        let Some(Value::String(user_id)) = arg("userId") else {
            return errors(StatusCode::OK, "authorize needs a `userId` string");
        };
        let mut store = shared.store();
        if !store.users.iter().any(|user| user.user_id == user_id) {
            return errors(StatusCode::OK, "authorize: no such user");
        }
        let token = format!("fake-user-token-{}", new_id().replace('-', ""));
        store.tokens.insert(token.clone(), user_id);
        data(json!({ "authorize": { "accessToken": token } }))
    } else if query.contains("viewer") {
        let first = arg("first")
            .and_then(|first| first.as_u64())
            .unwrap_or(MAX_PAGE)
            .clamp(1, MAX_PAGE) as usize;
        let after = arg("after").and_then(|after| after.as_str().map(str::to_owned));
        let store = shared.store();
        let mine: Vec<_> = store
            .authentications
            .iter()
            .filter(|auth| auth.owner == owner)
            .collect();
        let start = match &after {
            Some(cursor) => match mine.iter().position(|auth| &auth.id == cursor) {
                Some(at) => at + 1,
                None => {
                    return errors(
                        StatusCode::OK,
                        "viewer.authentications: `after` is not a cursor of this list",
                    )
                }
            },
            None => 0,
        };
        let page: Vec<_> = mine.iter().skip(start).take(first).collect();
        let edges: Vec<Value> = page
            .iter()
            .map(|auth| {
                json!({
                    "cursor": auth.id,
                    "node": { "id": auth.id, "name": auth.name(), "serviceEnvironment": { "id": auth.service_environment_id() } }
                })
            })
            .collect();
        let has_next_page = start + page.len() < mine.len();
        let end_cursor = page
            .last()
            .map(|auth| Value::String(auth.id.clone()))
            .unwrap_or(Value::Null);
        data(json!({
            "viewer": { "authentications": {
                "edges": edges,
                "pageInfo": { "hasNextPage": has_next_page, "endCursor": end_cursor }
            } }
        }))
    } else {
        errors(
            StatusCode::OK,
            "fake Tray knows only createExternalUser, authorize and viewer { authentications }",
        )
    }
}

fn data(data: Value) -> Response {
    Json(json!({ "data": data })).into_response()
}

fn errors(status: StatusCode, message: &str) -> Response {
    (
        status,
        Json(json!({ "data": Value::Null, "errors": [{ "message": message }] })),
    )
        .into_response()
}

/// The value of argument `name` in `query`: a string, number or `null` literal, or a
/// `$variable` looked up in `variables`.
fn argument(query: &str, variables: &Value, name: &str) -> Option<Value> {
    let mut from = 0;
    while let Some(found) = query[from..].find(name) {
        let start = from + found;
        from = start + name.len();
        let before = query[..start].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let Some(rest) = query[from..].trim_start().strip_prefix(':') else {
            continue;
        };
        let rest = rest.trim_start();
        if let Some(variable) = rest.strip_prefix('$') {
            let variable: String = variable
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            return variables.get(&variable).cloned();
        }
        if rest.starts_with('"') {
            return serde_json::Deserializer::from_str(rest)
                .into_iter::<Value>()
                .next()
                .and_then(Result::ok);
        }
        let number: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '-')
            .collect();
        if !number.is_empty() {
            return number.parse::<i64>().ok().map(Value::from);
        }
        return rest.starts_with("null").then_some(Value::Null);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_from_literals_and_variables() {
        let query = r#"mutation { createExternalUser(input: {name: "Bo \"B\"", externalUserId: "x-1"}) { userId } }"#;
        assert_eq!(
            argument(query, &Value::Null, "name"),
            Some(json!("Bo \"B\""))
        );
        assert_eq!(
            argument(query, &Value::Null, "externalUserId"),
            Some(json!("x-1"))
        );
        assert_eq!(
            argument(query, &Value::Null, "userId"),
            None,
            "`userId` in the selection is no argument"
        );
        let query = "query($after: String) { viewer { authentications(first: 2, after: $after) { edges { node { id } } } } }";
        assert_eq!(
            argument(query, &json!({"after": "c"}), "after"),
            Some(json!("c"))
        );
        assert_eq!(argument(query, &Value::Null, "first"), Some(json!(2)));
    }
}
