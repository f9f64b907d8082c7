//! What can go wrong talking to Tray, typed so callers can tell "Tray said no" from "the
//! network failed" from "it may or may not have happened".
//!
//! No variant holds a token, a credential value, a request body or a URL: `Display` and
//! `Debug` are safe to log.

use std::fmt;

/// An error from the Tray client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Tray answered with an error status: its `{message, code}`.
    #[error("{operation}: Tray answered {status}: {message}{code}{hint}",
        code = code_suffix(code.as_deref()), hint = status_hint(*status))]
    Api {
        /// The call, as in `POST /authentications`.
        operation: Operation,
        /// The HTTP status.
        status: u16,
        /// Tray's `message` (for a 400, the schema validation errors).
        message: String,
        /// Tray's `code`, when it gave one.
        code: Option<String>,
    },
    /// Tray's GraphQL endpoint answered with `errors`.
    #[error("{operation}: Tray's GraphQL API answered: {}{code}", messages.join("; "), code = code_suffix(code.as_deref()))]
    GraphQl {
        /// The call, as in `GraphQL authorize`.
        operation: Operation,
        /// Each error's `message`.
        messages: Vec<String>,
        /// The first error's `extensions.code`.
        code: Option<String>,
    },
    /// The request did not reach Tray, or its answer did not come back, and the call can
    /// safely be made again (it never changes anything, or it surely was not sent).
    #[error("{operation}: could not reach Tray: {detail}. Check the network and the region or base URL, then run again")]
    Network {
        /// The call.
        operation: Operation,
        /// What failed, without the URL.
        detail: String,
    },
    /// No answer within the client's timeout, for a call that changes nothing.
    #[error("{operation}: Tray did not answer within {timeout_secs:.1}s; run again, or raise the client's timeout")]
    Timeout {
        /// The call.
        operation: Operation,
        /// The timeout, in seconds.
        timeout_secs: f64,
    },
    /// `POST /authentications` was sent (or may have been) but no answer came back: Tray may
    /// or may not have created the authentication. It is not retried, since there are no
    /// idempotency keys and a retry could create a duplicate. Look it up (for an end user,
    /// [`Client::list_user_authentications`](crate::client::Client::list_user_authentications))
    /// before creating it again.
    #[error("{operation}: outcome unknown, Tray may or may not have created it ({reason}). \
             It was not retried, to avoid a duplicate: check the user's authentications before creating it again")]
    UnknownOutcome {
        /// The call.
        operation: Operation,
        /// Why the outcome is unknown (timeout, connection dropped), without any value.
        reason: String,
    },
    /// Tray's answer was not the JSON expected.
    #[error(
        "{operation}: Tray's answer (status {status}) is not what this client expects: {detail}"
    )]
    Decode {
        /// The call.
        operation: Operation,
        /// The HTTP status of the answer.
        status: u16,
        /// What did not fit: a position and a kind of problem, never the values.
        detail: String,
    },
    /// The client was set up wrongly.
    #[error("Tray client: {0}")]
    Config(String),
}

impl Error {
    /// The HTTP status Tray answered with, for [`Error::Api`] and [`Error::Decode`].
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } | Error::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether the call may have had its effect although it returned an error.
    pub fn is_unknown_outcome(&self) -> bool {
        matches!(self, Error::UnknownOutcome { .. })
    }
}

fn code_suffix(code: Option<&str>) -> String {
    code.map(|code| format!(" (code `{code}`)"))
        .unwrap_or_default()
}

fn status_hint(status: u16) -> &'static str {
    match status {
        400 => " [the body does not fit the service environment's schema: fix the fields named]",
        401 => " [the token was refused: check TRAY_MASTER_TOKEN or the user token, and the region]",
        403 => " [the token may not do this: admin calls need the master token]",
        404 => " [not found: check the service name and version, the service environment id or the authentication id]",
        429 => " [rate limited and out of retries: lower the client's rate limit]",
        500..=599 => " [Tray failed: run again later]",
        _ => "",
    }
}

/// A Tray API call, named for errors and logs: `GET /connectors`, `GraphQL authorize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Operation {
    /// `GET /connectors`.
    ListConnectors,
    /// `GET /services/{name}/versions/{version}/environments`.
    ListServiceEnvironments,
    /// `POST /authentications`: creates an authentication. (Named after the call: sharing the
    /// payload type's name `CreateAuthentication` would make rustc print longer paths in
    /// users' compile errors.)
    PostAuthentications,
    /// `GET /authentications/{id}`.
    GetAuthentication,
    /// `GET /authentications/{id}/full`.
    GetFullAuthentication,
    /// `DELETE /authentications/{id}`.
    DeleteAuthentication,
    /// GraphQL `createExternalUser`.
    CreateExternalUser,
    /// GraphQL `authorize`.
    Authorize,
    /// GraphQL `viewer { authentications }`.
    ListUserAuthentications,
}

impl Operation {
    /// Whether making the call twice has the same effect as once (so it may be retried after
    /// any failure).
    pub const fn is_idempotent(self) -> bool {
        !matches!(
            self,
            Operation::PostAuthentications | Operation::CreateExternalUser
        )
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Operation::ListConnectors => "GET /connectors",
            Operation::ListServiceEnvironments => {
                "GET /services/{name}/versions/{version}/environments"
            }
            Operation::PostAuthentications => "POST /authentications",
            Operation::GetAuthentication => "GET /authentications/{id}",
            Operation::GetFullAuthentication => "GET /authentications/{id}/full",
            Operation::DeleteAuthentication => "DELETE /authentications/{id}",
            Operation::CreateExternalUser => "GraphQL createExternalUser",
            Operation::Authorize => "GraphQL authorize",
            Operation::ListUserAuthentications => "GraphQL viewer.authentications",
        })
    }
}

/// Describes a `reqwest` error without its URL, following its causes.
pub(crate) fn describe(error: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut text = error.to_string();
    // `without_url` is not available on a borrowed error; reqwest puts the URL only in its
    // own top-level message, as "... for url (...)", so cut that out.
    if let Some(at) = text.find(" for url (") {
        text.truncate(at);
    }
    let mut source = error.source();
    while let Some(cause) = source {
        let said = cause.to_string();
        if !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        source = cause.source();
    }
    text
}

/// Describes a JSON decoding error by position and kind only: serde's own message can quote
/// the value it choked on, which may be a credential.
pub(crate) fn describe_json(error: &serde_json::Error) -> String {
    let kind = match error.classify() {
        serde_json::error::Category::Io => "could not be read",
        serde_json::error::Category::Syntax => "is not valid JSON",
        serde_json::error::Category::Data => "has a missing field or a value of the wrong type",
        serde_json::error::Category::Eof => "ends too early",
    };
    format!(
        "the body {kind} (line {}, column {})",
        error.line(),
        error.column()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_errors_say_what_to_do() {
        let err = Error::Api {
            operation: Operation::PostAuthentications,
            status: 400,
            message: "Connector input validation failed. Schema validation errors: [ 1 - #: required key [channel] not found ]".into(),
            code: None,
        };
        let text = err.to_string();
        assert!(text.starts_with(
            "POST /authentications: Tray answered 400: Connector input validation failed."
        ));
        assert!(text.contains("required key [channel] not found"));
        assert!(text.contains("fix the fields named"));
    }

    #[test]
    fn json_errors_never_quote_values() {
        let err = serde_json::from_str::<u32>("\"hunter2\"").unwrap_err();
        assert!(
            err.to_string().contains("hunter2"),
            "serde would have leaked it"
        );
        assert!(!describe_json(&err).contains("hunter2"));
    }
}
