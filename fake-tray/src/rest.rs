//! The REST routes, the fault middleware, and Tray-style error answers.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use crate::faults::Fault;
use crate::serve::DropConnection;
use crate::{graphql, Owner, ReceivedRequest, Shared, StoredAuthentication};

/// The keys `POST /authentications` takes.
const BODY_KEYS: [&str; 6] = [
    "name",
    "serviceEnvironmentId",
    "userData",
    "credentials",
    "scopes",
    "onPremAgentGroupId",
];

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let api = Router::new()
        .route("/core/v1/connectors", get(list_connectors))
        .route(
            "/core/v1/services/{name}/versions/{version}/environments",
            get(list_environments),
        )
        .route("/core/v1/authentications", post(create_authentication))
        .route(
            "/core/v1/authentications/{id}",
            get(get_authentication).delete(delete_authentication),
        )
        .route(
            "/core/v1/authentications/{id}/full",
            get(get_full_authentication),
        )
        .route("/graphql", post(graphql::handle))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(shared.clone(), misbehave));
    Router::new()
        .route("/_fake/authentications", get(debug_authentications))
        .merge(api)
        .with_state(shared)
}

/// Tray's error body: `{"message": ..., "code": null}`.
pub(crate) fn tray_error(status: StatusCode, message: impl Into<String>) -> Response {
    (
        status,
        Json(json!({ "message": message.into(), "code": Value::Null })),
    )
        .into_response()
}

/// A request without a valid bearer token: answered 401.
pub(crate) struct Unauthorized(&'static str);

impl IntoResponse for Unauthorized {
    fn into_response(self) -> Response {
        tray_error(StatusCode::UNAUTHORIZED, self.0)
    }
}

/// The caller's identity from `Authorization: Bearer ...`.
pub(crate) fn authenticate(shared: &Shared, headers: &HeaderMap) -> Result<Owner, Unauthorized> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let Some(token) = token else {
        return Err(Unauthorized(
            "Unauthorized: send `Authorization: Bearer <token>`",
        ));
    };
    shared.owner(token).ok_or(Unauthorized(
        "Unauthorized: the token is not the master token nor a user token",
    ))
}

/// Latency, the rate limit and faults, then the request log.
async fn misbehave(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let is_graphql = path == "/graphql";
    let (latency, admitted, fault) = {
        let mut faults = shared.faults();
        let admitted = faults.admit();
        let fault = if admitted { faults.next() } else { None };
        (faults.faults.latency, admitted, fault)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let response = match fault {
        _ if !admitted => too_many_requests(is_graphql, None),
        Some(Fault::TooManyRequests { retry_after }) => too_many_requests(is_graphql, retry_after),
        Some(Fault::ServerError) => tray_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal server error (a fault injected by fake Tray)",
        ),
        Some(Fault::ServerErrorAfterHandling) => {
            let handled = next.run(request).await;
            tracing::info!(%method, %path, status = handled.status().as_u16(), "handled, then answering 500 (injected fault)");
            tray_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal server error (a fault injected by fake Tray, after handling the request)",
            )
        }
        Some(Fault::DropAfterBody) => {
            let drop_connection = request.extensions().get::<DropConnection>().cloned();
            let response = next.run(request).await;
            if let Some(drop_connection) = drop_connection {
                tracing::info!(%method, %path, status = response.status().as_u16(), "handled, then dropping the connection (injected fault)");
                shared.store().requests.push(ReceivedRequest {
                    method,
                    path,
                    status: None,
                });
                drop_connection.now();
                // The connection is closed from outside this future; nothing is answered.
                return std::future::pending().await;
            }
            response
        }
        None => next.run(request).await,
    };
    tracing::info!(%method, %path, status = response.status().as_u16(), "fake Tray answered");
    shared.store().requests.push(ReceivedRequest {
        method,
        path,
        status: Some(response.status().as_u16()),
    });
    response
}

fn too_many_requests(is_graphql: bool, retry_after: Option<u32>) -> Response {
    let mut response = if is_graphql {
        // Tray's GraphQL API says so in a 200, as an error.
        Json(json!({
            "data": Value::Null,
            "errors": [{ "message": "Rate limit exceeded", "extensions": { "code": "access_not_allowed" } }]
        }))
        .into_response()
    } else {
        tray_error(
            StatusCode::TOO_MANY_REQUESTS,
            "Rate limit exceeded: at most 30 requests a second, in bursts of 50",
        )
    };
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

async fn not_found() -> Response {
    tray_error(
        StatusCode::NOT_FOUND,
        "Not found: fake Tray has no such route",
    )
}

async fn list_connectors(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Err(refused) = authenticate(&shared, &headers) {
        return refused.into_response();
    }
    Json(json!({ "elements": shared.catalog.connectors() })).into_response()
}

async fn list_environments(
    State(shared): State<Arc<Shared>>,
    Path((name, version)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(refused) = authenticate(&shared, &headers) {
        return refused.into_response();
    }
    match version
        .parse()
        .ok()
        .and_then(|version| shared.catalog.environments(&name, version))
    {
        Some(environments) => Json(json!({ "elements": environments })).into_response(),
        None => tray_error(
            StatusCode::NOT_FOUND,
            format!("Service not found: no service `{name}` at version `{version}`"),
        ),
    }
}

async fn create_authentication(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let owner = match authenticate(&shared, &headers) {
        Ok(owner) => owner,
        Err(refused) => return refused.into_response(),
    };
    let body: Value = match serde_json::from_slice(&body) {
        Ok(body) => body,
        Err(e) => {
            return tray_error(
                StatusCode::BAD_REQUEST,
                format!(
                    "The request body is not valid JSON (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            )
        }
    };
    let Value::Object(fields) = &body else {
        return tray_error(
            StatusCode::BAD_REQUEST,
            "The request body must be a JSON object",
        );
    };
    let mut problems = Vec::new();
    check_body_shape(fields, &mut problems);
    let Some(environment_id) = fields.get("serviceEnvironmentId").and_then(Value::as_str) else {
        return validation_failed(&problems);
    };
    let Some(environment) = shared.catalog.environment(environment_id) else {
        return tray_error(
            StatusCode::NOT_FOUND,
            format!("Service environment not found: `{environment_id}`"),
        );
    };
    if let Some(schemas) = shared.catalog.schemas(environment_id) {
        schemas.check(&body, &mut problems);
    }
    if let Some(Value::Array(scopes)) = fields.get("scopes") {
        let offered: Vec<&str> = environment
            .get("scopes")
            .and_then(Value::as_array)
            .map(|scopes| {
                scopes
                    .iter()
                    .filter_map(|s| s.get("scope").and_then(Value::as_str))
                    .collect()
            })
            .unwrap_or_default();
        for (i, scope) in scopes.iter().enumerate() {
            if let Some(scope) = scope.as_str().filter(|scope| !offered.contains(scope)) {
                problems.push(format!(
                    "#/scopes/{i}: [{scope}] is not a scope of this service environment"
                ));
            }
        }
    }
    if !problems.is_empty() {
        return validation_failed(&problems);
    }
    let id = new_id();
    shared.store().authentications.push(StoredAuthentication {
        id: id.clone(),
        owner,
        body,
    });
    Json(json!({ "id": id })).into_response()
}

/// The top level of `POST /authentications`: `name` and `serviceEnvironmentId` required,
/// `scopes` unique strings, nothing unknown.
fn check_body_shape(fields: &Map<String, Value>, problems: &mut Vec<String>) {
    for key in ["name", "serviceEnvironmentId"] {
        match fields.get(key) {
            None => problems.push(format!("#: required key [{key}] not found")),
            Some(Value::String(_)) => {}
            Some(_) => problems.push(format!("#/{key}: expected type: String")),
        }
    }
    for key in ["userData", "credentials"] {
        if fields.get(key).is_some_and(|value| !value.is_object()) {
            problems.push(format!("#/{key}: expected type: JSONObject"));
        }
    }
    match fields.get("scopes") {
        None => {}
        Some(Value::Array(scopes)) => {
            if scopes.iter().any(|scope| !scope.is_string()) {
                problems.push("#/scopes: expected an array of strings".to_owned());
            }
            if scopes
                .iter()
                .enumerate()
                .any(|(i, scope)| scopes[..i].contains(scope))
            {
                problems.push("#/scopes: array items are not unique".to_owned());
            }
        }
        Some(_) => problems.push("#/scopes: expected type: JSONArray".to_owned()),
    }
    for key in fields
        .keys()
        .filter(|key| !BODY_KEYS.contains(&key.as_str()))
    {
        problems.push(format!("#: extraneous key [{key}] is not permitted"));
    }
}

/// Tray's 400: `Connector input validation failed. Schema validation errors: [ 1 - ..., 2 - ... ]`.
fn validation_failed(problems: &[String]) -> Response {
    let numbered: Vec<String> = problems
        .iter()
        .enumerate()
        .map(|(i, problem)| format!("{} - {problem}", i + 1))
        .collect();
    tray_error(
        StatusCode::BAD_REQUEST,
        format!(
            "Connector input validation failed. Schema validation errors: [ {} ]",
            numbered.join(", ")
        ),
    )
}

/// A random (version 4) UUID.
pub(crate) fn new_id() -> String {
    let mut bytes = [0u8; 16];
    fastrand::fill(&mut bytes);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// The stored authentication `id`, if `owner` may see it (the master token sees all).
fn visible(shared: &Shared, owner: &Owner, id: &str) -> Option<StoredAuthentication> {
    let store = shared.store();
    let found = store.authentications.iter().find(|auth| auth.id == id)?;
    (*owner == Owner::Master || found.owner == *owner).then(|| found.clone())
}

fn summary(auth: &StoredAuthentication) -> Map<String, Value> {
    let field = |key: &str, default: Value| auth.body.get(key).cloned().unwrap_or(default);
    let mut out = Map::new();
    out.insert("id".into(), Value::String(auth.id.clone()));
    out.insert("name".into(), field("name", Value::Null));
    out.insert(
        "serviceEnvironmentId".into(),
        field("serviceEnvironmentId", Value::Null),
    );
    out.insert("scopes".into(), field("scopes", json!([])));
    out.insert(
        "onPremAgentGroupId".into(),
        field("onPremAgentGroupId", Value::Null),
    );
    out
}

async fn get_authentication(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let owner = match authenticate(&shared, &headers) {
        Ok(owner) => owner,
        Err(refused) => return refused.into_response(),
    };
    match visible(&shared, &owner, &id) {
        Some(auth) => Json(Value::Object(summary(&auth))).into_response(),
        None => authentication_not_found(&id),
    }
}

async fn get_full_authentication(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let owner = match authenticate(&shared, &headers) {
        Ok(owner) => owner,
        Err(refused) => return refused.into_response(),
    };
    let Some(auth) = visible(&shared, &owner, &id) else {
        return authentication_not_found(&id);
    };
    let mut full = summary(&auth);
    full.insert(
        "userData".into(),
        auth.body
            .get("userData")
            .cloned()
            .unwrap_or_else(|| json!({})),
    );
    full.insert(
        "credentials".into(),
        auth.body
            .get("credentials")
            .cloned()
            .unwrap_or_else(|| json!({})),
    );
    Json(Value::Object(full)).into_response()
}

async fn delete_authentication(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let owner = match authenticate(&shared, &headers) {
        Ok(owner) => owner,
        Err(refused) => return refused.into_response(),
    };
    if visible(&shared, &owner, &id).is_none() {
        return authentication_not_found(&id);
    }
    shared.store().authentications.retain(|auth| auth.id != id);
    StatusCode::NO_CONTENT.into_response()
}

fn authentication_not_found(id: &str) -> Response {
    tray_error(
        StatusCode::NOT_FOUND,
        format!("Authentication not found: `{id}`"),
    )
}

/// `GET /_fake/authentications` (master token): everything stored, bodies included.
async fn debug_authentications(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    match authenticate(&shared, &headers) {
        Ok(Owner::Master) => {}
        Ok(Owner::User(_)) => {
            return tray_error(
                StatusCode::FORBIDDEN,
                "Forbidden: this needs the master token",
            )
        }
        Err(refused) => return refused.into_response(),
    }
    let elements: Vec<Value> = shared
        .store()
        .authentications
        .iter()
        .map(|auth| {
            let owner = match &auth.owner {
                Owner::Master => json!("master"),
                Owner::User(user_id) => json!({ "userId": user_id }),
            };
            json!({ "id": auth.id, "owner": owner, "body": auth.body })
        })
        .collect();
    Json(json!({ "elements": elements })).into_response()
}
