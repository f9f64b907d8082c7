//! The HTTP client for Tray's Platform API (feature `client`, on by default).
//!
//! One [`Client`] per region and master token. It is cheap to clone: clones share one
//! connection pool and one rate limiter, so every task of an import stays within Tray's limits
//! together. [`Client::preflight`] checks, before a typed import's first create, that the
//! compiled connectors still match what Tray serves.
//!
//! ```no_run
//! use tray_auth::client::{Bearer, Client, Region};
//! use tray_auth::{CreateAuthentication, Secret};
//! # use tray_auth::doc_example::{Credentials, PRODUCTION};
//! # async fn run() -> Result<(), tray_auth::client::Error> {
//! let client = Client::builder()
//!     .region(Region::Eu)
//!     .master_token(Secret::from(std::env::var("TRAY_MASTER_TOKEN").unwrap_or_default()))
//!     .build()?;
//! // Authentications made with an end user's token belong to that user.
//! let user = client.create_external_user("Bolo", "bolo-42").await?;
//! let user_token = client.authorize(&user).await?;
//! let payload = CreateAuthentication::new(
//!     "Bolo's Mailchimp",
//!     PRODUCTION,
//!     Credentials { access_token: Secret::from("a22x-us21"), dc: "us21".into() },
//! );
//! match client.create_authentication(Bearer::User(&user_token), &payload).await {
//!     Ok(id) => println!("created {id}"),
//!     // Not retried: Tray may have created it. Look before creating it again.
//!     Err(e) if e.is_unknown_outcome() => eprintln!("{e}"),
//!     Err(e) => return Err(e),
//! }
//! # Ok(()) }
//! ```

mod error;
mod graphql;
mod preflight;
mod rate_limit;
mod region;
mod retry;
#[cfg(test)]
mod tests;

mod types;

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use tracing::Instrument;

pub use error::{Error, Operation};
pub use preflight::{Drift, Preflight, ServiceDrift};
pub use rate_limit::RateLimit;
pub use region::{Region, UnknownRegion};
pub use retry::RetryPolicy;
pub use types::{Authentication, AuthenticationId, FullAuthentication, UserAuthentication, UserId};

use crate::{Connector, CreateAuthentication, Secret};
use rate_limit::RateLimiter;

/// Whose token a call is made with.
#[derive(Debug, Clone, Copy)]
pub enum Bearer<'a> {
    /// The client's master token (admin calls; authentications made with it belong to the
    /// organisation, not to an end user).
    Master,
    /// An end user's token from [`Client::authorize`]: authentications made with it belong to
    /// that user, which is what an import wants.
    User(&'a Secret),
}

/// Sets up a [`Client`]. Start from [`Client::builder`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    rest_base: String,
    graphql_url: Option<String>,
    master_token: Option<Secret>,
    rate_limit: RateLimit,
    retry: RetryPolicy,
    timeout: Duration,
    connect_timeout: Duration,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            rest_base: Region::Us.rest_base().to_owned(),
            graphql_url: None,
            master_token: None,
            rate_limit: RateLimit::default(),
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

impl ClientBuilder {
    /// Calls Tray in `region` (the default is [`Region::Us`]).
    #[must_use]
    pub fn region(mut self, region: Region) -> Self {
        self.rest_base = region.rest_base().to_owned();
        self.graphql_url = Some(region.graphql_url().to_owned());
        self
    }

    /// Calls the REST API at `url` instead of a region's host: a local fake, or a proxy.
    ///
    /// `url` is the REST base, as `http://127.0.0.1:8787/core/v1`; one with no path gets
    /// `/core/v1` added. Unless [`ClientBuilder::graphql_url`] says otherwise, GraphQL is then
    /// called at the same origin's `/graphql`.
    #[must_use]
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.rest_base = url.into();
        self.graphql_url = None;
        self
    }

    /// Calls GraphQL at `url`.
    #[must_use]
    pub fn graphql_url(mut self, url: impl Into<String>) -> Self {
        self.graphql_url = Some(url.into());
        self
    }

    /// The master token, used for [`Bearer::Master`] calls and for GraphQL user admin.
    #[must_use]
    pub fn master_token(mut self, token: Secret) -> Self {
        self.master_token = Some(token);
        self
    }

    /// How fast to call Tray (default: 30 a second, bursts of 50).
    #[must_use]
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = limit;
        self
    }

    /// What to retry, how often, and how long to wait between tries.
    #[must_use]
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How long one try may take in all, answer included (default 30 s). For
    /// `POST /authentications`, running out of time gives [`Error::UnknownOutcome`].
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long making the connection may take (default 10 s).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, Error> {
        if let Some(token) = &self.master_token {
            check_token("master token", token)?;
        }
        let rest_base = parse_url("base URL", &self.rest_base)?;
        let rest_base = if rest_base.path() == "/" {
            rest_base.join("core/v1").map_err(|_| bad_url("base URL"))?
        } else {
            rest_base
        };
        let graphql_url = match &self.graphql_url {
            Some(url) => parse_url("GraphQL URL", url)?,
            None => rest_base
                .join("/graphql")
                .map_err(|_| bad_url("GraphQL URL"))?,
        };
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .user_agent(concat!("tray-auth/", env!("CARGO_PKG_VERSION")))
            // Every retry decision is this client's own (see `send_inner`).
            .retry(reqwest::retry::never())
            .build()
            .map_err(|e| {
                Error::Config(format!(
                    "cannot start the HTTP client: {}",
                    error::describe(&e)
                ))
            })?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                rest_base,
                graphql_url,
                master_token: self.master_token,
                limiter: RateLimiter::new(self.rate_limit),
                retry: self.retry,
                timeout: self.timeout,
            }),
        })
    }
}

/// A token goes in an HTTP header: one with a newline or another control character in it
/// cannot be sent at all (as a token read from a file of two lines would have).
fn check_token(what: &str, token: &Secret) -> Result<(), Error> {
    if reqwest::header::HeaderValue::from_str(&format!("Bearer {}", token.expose())).is_err() {
        return Err(Error::Config(format!(
            "the {what} holds a newline or another character that cannot be sent in an HTTP header; \
             a token is one line of visible characters: check how it was set"
        )));
    }
    Ok(())
}

fn bad_url(what: &str) -> Error {
    Error::Config(format!(
        "the {what} is not an absolute http(s) URL such as `https://api.tray.io/core/v1`"
    ))
}

fn parse_url(what: &str, text: &str) -> Result<Url, Error> {
    let url = Url::parse(text.trim()).map_err(|_| bad_url(what))?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(bad_url(what));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::Config(format!(
            "the {what} has a user name or password in it; the client sends tokens as bearer headers, take them out"
        )));
    }
    Ok(url)
}

/// A client for Tray's Platform API: regions, rate limit, retries and typed errors.
///
/// Cheap to clone; clones share the connection pool and the rate limiter.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    rest_base: Url,
    graphql_url: Url,
    master_token: Option<Secret>,
    limiter: RateLimiter,
    retry: RetryPolicy,
    timeout: Duration,
}

/// One call, ready to be sent (and sent again).
struct Call<'a> {
    operation: Operation,
    method: Method,
    url: Url,
    bearer: Bearer<'a>,
    body: Option<Vec<u8>>,
}

/// Tray's error body.
#[derive(Deserialize)]
struct ErrorBody {
    message: Option<String>,
    code: Option<Value>,
}

#[derive(Deserialize)]
struct Elements {
    elements: Vec<Value>,
}

#[derive(Deserialize)]
struct Created {
    id: AuthenticationId,
}

/// The most bytes of one answer of Tray the client reads: its connectors list and a service's
/// environments with their schemas are far smaller. A larger answer (a broken or hostile
/// server) is an error, and is not held in memory.
pub const MAX_ANSWER_BYTES: usize = 32 << 20;

/// Reads an answer's body, up to [`MAX_ANSWER_BYTES`]; `None` when it is larger.
async fn read_answer(mut response: reqwest::Response) -> Result<Option<Vec<u8>>, reqwest::Error> {
    if response
        .content_length()
        .is_some_and(|length| length > MAX_ANSWER_BYTES as u64)
    {
        return Ok(None);
    }
    let mut answer = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if answer.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Ok(None);
        }
        answer.extend_from_slice(&chunk);
    }
    Ok(Some(answer))
}

impl Client {
    /// Starts setting up a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The REST base the client calls.
    pub fn rest_base(&self) -> &str {
        self.inner.rest_base.as_str()
    }

    /// The arguments that make `tray-codegen fetch` ask the Tray this client calls: `--region
    /// eu` for a region's host, `--base-url URL` for any other (a proxy, a local fake).
    ///
    /// ```
    /// use tray_auth::client::{Client, Region};
    /// let eu = Client::builder().region(Region::Eu).build().unwrap();
    /// assert_eq!(eu.fetch_args(), "--region eu");
    /// let local = Client::builder().base_url("http://127.0.0.1:8787").build().unwrap();
    /// assert_eq!(local.fetch_args(), "--base-url http://127.0.0.1:8787/core/v1");
    /// ```
    pub fn fetch_args(&self) -> String {
        let base = self.rest_base();
        match [Region::Us, Region::Eu, Region::Apac]
            .into_iter()
            .find(|r| r.rest_base() == base)
        {
            Some(region) => format!("--region {region}"),
            None => format!("--base-url {base}"),
        }
    }

    /// `GET /connectors`: every connector's entry, verbatim (key order kept), for snapshots.
    pub async fn list_connectors(&self) -> Result<Vec<Value>, Error> {
        let call = self.call(
            Operation::ListConnectors,
            Method::GET,
            &["connectors"],
            Bearer::Master,
            None,
        );
        let elements: Elements = self.send_json(call).await?;
        Ok(elements.elements)
    }

    /// `GET /services/{service}/versions/{version}/environments`: a service version's
    /// environments, verbatim (key order kept), for snapshots.
    pub async fn list_service_environments(
        &self,
        service_name: &str,
        service_version: u32,
    ) -> Result<Vec<Value>, Error> {
        let version = service_version.to_string();
        let call = self.call(
            Operation::ListServiceEnvironments,
            Method::GET,
            &[
                "services",
                service_name,
                "versions",
                &version,
                "environments",
            ],
            Bearer::Master,
            None,
        );
        let elements: Elements = self.send_json(call).await?;
        Ok(elements.elements)
    }

    /// `POST /authentications` with a typed, compiler-checked payload.
    ///
    /// It is retried only when it surely did not reach Tray (the connection could not be made,
    /// or a 429). When it may have reached Tray but no answer came back (a timeout, a
    /// connection broken after sending, a 502 or 504 from a gateway, a 2xx without an id), the
    /// error is [`Error::UnknownOutcome`]. Call [`CreateAuthentication::validate`] first: the
    /// client sends what it is given.
    pub async fn create_authentication<C: Connector>(
        &self,
        bearer: Bearer<'_>,
        payload: &CreateAuthentication<C>,
    ) -> Result<AuthenticationId, Error> {
        let body = serde_json::to_vec(payload).map_err(|e| {
            Error::Config(format!(
                "the {} payload could not be turned into JSON: {}",
                C::SERVICE_NAME,
                error::describe_json(&e)
            ))
        })?;
        self.create_authentication_body(bearer, body).await
    }

    /// `POST /authentications` with a body built elsewhere (as a bulk importer reading rows
    /// does). The body must be Tray's: `{name, serviceEnvironmentId, credentials?, userData?,
    /// scopes?}`. Retries and errors are as for [`Client::create_authentication`].
    pub async fn create_authentication_raw(
        &self,
        bearer: Bearer<'_>,
        body: &Value,
    ) -> Result<AuthenticationId, Error> {
        let body = serde_json::to_vec(body).map_err(|e| {
            Error::Config(format!(
                "the payload could not be turned into JSON: {}",
                error::describe_json(&e)
            ))
        })?;
        self.create_authentication_body(bearer, body).await
    }

    async fn create_authentication_body(
        &self,
        bearer: Bearer<'_>,
        body: Vec<u8>,
    ) -> Result<AuthenticationId, Error> {
        let call = self.call(
            Operation::PostAuthentications,
            Method::POST,
            &["authentications"],
            bearer,
            Some(body),
        );
        match self.send_json::<Created>(call).await {
            Ok(created) => Ok(created.id),
            // Tray said yes but its answer has no id: the authentication exists, unnamed.
            Err(Error::Decode {
                operation,
                status,
                detail,
            }) => Err(Error::UnknownOutcome {
                operation,
                reason: format!("Tray answered {status} without a readable id: {detail}"),
            }),
            Err(other) => Err(other),
        }
    }

    /// `GET /authentications/{id}`.
    pub async fn get_authentication(
        &self,
        bearer: Bearer<'_>,
        id: &AuthenticationId,
    ) -> Result<Authentication, Error> {
        let call = self.call(
            Operation::GetAuthentication,
            Method::GET,
            &["authentications", id.as_str()],
            bearer,
            None,
        );
        self.send_json(call).await
    }

    /// `GET /authentications/{id}/full`: with user data and credentials.
    pub async fn get_full_authentication(
        &self,
        bearer: Bearer<'_>,
        id: &AuthenticationId,
    ) -> Result<FullAuthentication, Error> {
        let call = self.call(
            Operation::GetFullAuthentication,
            Method::GET,
            &["authentications", id.as_str(), "full"],
            bearer,
            None,
        );
        self.send_json(call).await
    }

    /// `DELETE /authentications/{id}`.
    pub async fn delete_authentication(
        &self,
        bearer: Bearer<'_>,
        id: &AuthenticationId,
    ) -> Result<(), Error> {
        let call = self.call(
            Operation::DeleteAuthentication,
            Method::DELETE,
            &["authentications", id.as_str()],
            bearer,
            None,
        );
        self.send(call).await.map(drop)
    }

    fn call<'a>(
        &self,
        operation: Operation,
        method: Method,
        segments: &[&str],
        bearer: Bearer<'a>,
        body: Option<Vec<u8>>,
    ) -> Call<'a> {
        let mut url = self.inner.rest_base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            // Segments are percent-encoded here, so a name cannot change the path.
            path.pop_if_empty().extend(segments);
        }
        Call {
            operation,
            method,
            url,
            bearer,
            body,
        }
    }

    async fn send_json<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<T, Error> {
        let operation = call.operation;
        let (status, body) = self.send(call).await?;
        serde_json::from_slice(&body).map_err(|e| Error::Decode {
            operation,
            status: status.as_u16(),
            detail: error::describe_json(&e),
        })
    }

    /// Sends a call within the rate limit, retrying what may be retried.
    async fn send(&self, call: Call<'_>) -> Result<(StatusCode, Vec<u8>), Error> {
        let span = tracing::debug_span!("tray", operation = %call.operation);
        self.send_inner(call).instrument(span).await
    }

    async fn send_inner(&self, call: Call<'_>) -> Result<(StatusCode, Vec<u8>), Error> {
        let Call {
            operation,
            method,
            url,
            bearer,
            body,
        } = call;
        let token = match bearer {
            Bearer::Master => self.inner.master_token.as_ref().ok_or_else(|| {
                Error::Config(format!(
                    "{operation} needs the master token, and the client was built without one"
                ))
            })?,
            Bearer::User(token) => token,
        };
        let policy = self.inner.retry;
        let mut retries = 0;
        loop {
            self.inner.limiter.acquire().await;
            let mut request = self
                .inner
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(token.expose())
                .header(ACCEPT, "application/json");
            if let Some(body) = &body {
                request = request
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.clone());
            }
            let failure = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    let retry_after = retry::retry_after(response.headers());
                    let answer = match read_answer(response).await {
                        Ok(Some(answer)) => answer,
                        Ok(None) => {
                            // A create that answered this may have happened: the caller
                            // turns a 2xx it cannot read into an unknown outcome.
                            return Err(Error::Decode {
                                operation,
                                status: status.as_u16(),
                                detail: format!(
                                    "the answer is larger than {} MiB, and was not read",
                                    MAX_ANSWER_BYTES >> 20
                                ),
                            });
                        }
                        Err(e) => {
                            // The answer started but broke off: the call reached Tray.
                            if operation.is_idempotent() && retries < policy.max_retries {
                                tracing::debug!(
                                    status = status.as_u16(),
                                    "answer broke off; retrying"
                                );
                                self.pause(&mut retries, None).await;
                                continue;
                            }
                            return Err(self.transport_error(operation, &e, true));
                        }
                    };
                    tracing::debug!(status = status.as_u16(), retries, "Tray answered");
                    let rate_limited = status == StatusCode::TOO_MANY_REQUESTS
                        || (status.is_success() && graphql::is_rate_limited(operation, &answer));
                    if status.is_success() && !rate_limited {
                        return Ok((status, answer));
                    }
                    let retryable =
                        rate_limited || (status.is_server_error() && operation.is_idempotent());
                    if retryable && retries < policy.max_retries {
                        tracing::info!(status = status.as_u16(), retry = retries + 1, "retrying");
                        self.pause(&mut retries, retry_after).await;
                        continue;
                    }
                    if status.is_success() {
                        // A GraphQL rate-limit error, out of retries.
                        return Ok((status, answer));
                    }
                    let gateway = matches!(
                        status,
                        StatusCode::BAD_GATEWAY | StatusCode::GATEWAY_TIMEOUT
                    );
                    if gateway && !operation.is_idempotent() {
                        // A proxy in front of Tray gave up waiting: Tray itself may have
                        // carried the request out.
                        return Err(Error::UnknownOutcome {
                            operation,
                            reason: format!("a gateway answered {status} for Tray"),
                        });
                    }
                    return Err(api_error(operation, status, &answer, body.as_deref()));
                }
                Err(e) => e,
            };
            if failure.is_builder() {
                // The request could not be made (a token that cannot be a header): nothing
                // was sent, and trying again cannot help.
                return Err(check_token("user token", token).err().unwrap_or_else(|| {
                    Error::Config(format!(
                        "{operation}: the request could not be made: {}",
                        error::describe(&failure)
                    ))
                }));
            }
            // Nothing was answered. A failed connect never sent the request; otherwise it may
            // have reached Tray.
            let surely_unsent = failure.is_connect();
            if (surely_unsent || operation.is_idempotent()) && retries < policy.max_retries {
                tracing::info!(error = %error::describe(&failure), retry = retries + 1, "no answer; retrying");
                self.pause(&mut retries, None).await;
                continue;
            }
            return Err(self.transport_error(operation, &failure, !surely_unsent));
        }
    }

    async fn pause(&self, retries: &mut u32, retry_after: Option<Duration>) {
        let wait = self.inner.retry.delay(*retries, retry_after);
        *retries += 1;
        tracing::debug!(wait_ms = wait.as_millis() as u64, "backing off");
        tokio::time::sleep(wait).await;
    }

    fn transport_error(
        &self,
        operation: Operation,
        error: &reqwest::Error,
        may_have_arrived: bool,
    ) -> Error {
        let timed_out = error.is_timeout() && !error.is_connect();
        if may_have_arrived && !operation.is_idempotent() {
            let reason = if timed_out {
                format!("no answer within {:.1}s", self.inner.timeout.as_secs_f64())
            } else {
                format!(
                    "the connection broke after the request was sent: {}",
                    error::describe(error)
                )
            };
            tracing::warn!(%reason, "outcome unknown");
            return Error::UnknownOutcome { operation, reason };
        }
        if timed_out {
            Error::Timeout {
                operation,
                timeout_secs: self.inner.timeout.as_secs_f64(),
            }
        } else {
            Error::Network {
                operation,
                detail: error::describe(error),
            }
        }
    }
}

/// Builds [`Error::Api`] from Tray's `{message, code}` (or whatever came instead). `sent` is
/// the request's body: Tray's message may quote any value in it, and the message is redacted
/// before it is cut to length (a cut could take away what marks a quoted value).
fn api_error(
    operation: Operation,
    status: StatusCode,
    answer: &[u8],
    sent: Option<&[u8]>,
) -> Error {
    const MAX: usize = 4000;
    let (message, code) = match serde_json::from_slice::<ErrorBody>(answer) {
        Ok(ErrorBody {
            message: Some(message),
            code,
        }) => {
            let code = match code {
                Some(Value::String(code)) => Some(code),
                Some(Value::Null) | None => None,
                Some(other) => Some(other.to_string()),
            };
            (message, code)
        }
        _ => (
            format!(
                "{} (the answer was not Tray's `{{message, code}}`)",
                status.canonical_reason().unwrap_or("error")
            ),
            None,
        ),
    };
    let message = error::redact_message(&message, sent);
    let message = if message.len() > MAX {
        let cut = (0..=MAX)
            .rev()
            .find(|&i| message.is_char_boundary(i))
            .unwrap_or(0);
        format!("{}…", &message[..cut])
    } else {
        message
    };
    Error::Api {
        operation,
        status: status.as_u16(),
        message,
        code,
    }
}
