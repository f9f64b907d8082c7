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

/// The longest message of Tray's that is redacted and shown; a longer one is not shown at all
/// (Tray's own are short, and redacting costs time that grows with the length).
const MAX_REDACTED: usize = 64 * 1024;

/// Values shorter than this (in bytes) are not looked for by themselves in Tray's messages
/// (`us` would be taken out of every word); [`redact_values`] still takes them out where Tray
/// quotes a value.
const MIN_SCRUBBED: usize = 4;

/// Tray's message, as shown to the user: every string value of the request's `credentials`
/// and `userData` (`sent`, the body as sent) that the message holds is replaced by `…`, then
/// what Tray's wording quotes is redacted by [`redact_values`]. Looking for the values sent
/// catches what the wording alone cannot tell apart (a value that itself reads like Tray's
/// wording); the wording catches short values and values Tray changed on the way.
pub(crate) fn redact_message(message: &str, sent: Option<&[u8]>) -> String {
    if message.len() > MAX_REDACTED {
        return format!(
            "Tray's message is {} bytes long and is not shown (it may quote the values sent)",
            message.len()
        );
    }
    let values = sent.map(sent_values).unwrap_or_default();
    if values.is_empty() {
        return redact_values(message);
    }
    // One pass over the message for all values at once (a row may hold many), the longest
    // where several start at one place.
    let Ok(sent) = aho_corasick::AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .build(&values)
    else {
        return "Tray's message is not shown: the values sent could not be looked for in it"
            .to_owned();
    };
    let mut without_sent = String::with_capacity(message.len());
    sent.replace_all_with(message, &mut without_sent, |_, _, out| {
        out.push('…');
        true
    });
    redact_values(&without_sent)
}

/// The string values (at any depth) of the `credentials` and `userData` of a request body, at
/// least [`MIN_SCRUBBED`] bytes long.
fn sent_values(body: &[u8]) -> Vec<String> {
    // Recursion is bounded: serde_json reads no more than 128 levels.
    fn collect(value: &serde_json::Value, out: &mut Vec<String>) {
        use serde_json::Value;
        match value {
            Value::String(text) if text.len() >= MIN_SCRUBBED => out.push(text.clone()),
            Value::Array(items) => items.iter().for_each(|item| collect(item, out)),
            Value::Object(entries) => entries.values().for_each(|item| collect(item, out)),
            _ => {}
        }
    }
    let Ok(serde_json::Value::Object(body)) = serde_json::from_slice(body) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for key in ["credentials", "userData"] {
        if let Some(value) = body.get(key) {
            collect(value, &mut out);
        }
    }
    out
}

/// Tray's schema validation messages (`Schema validation errors: [ 1 - #/dc: string [hunter2]
/// does not match pattern ^[a-z]{2}[0-9]+$, 2 - ... ]`) may quote the value they reject,
/// which may be a credential. This is the one place Tray's messages are redacted: quoted
/// values become `[…]` or `the value`; key names (`required key [channel] not found`) and the
/// schema's patterns are kept as Tray wrote them.
pub(crate) fn redact_values(message: &str) -> String {
    const PATTERN: &str = "does not match pattern ";
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find(PATTERN) {
        let (before, after) = rest.split_at(at + PATTERN.len());
        out.push_str(&redact_before_pattern(before));
        // The pattern is the schema's, not the row's: kept whole, brackets and all.
        let end = item_end(after);
        out.push_str(&after[..end]);
        rest = &after[end..];
    }
    out.push_str(&redact_brackets_and_values(rest));
    out
}

/// Text ending with `does not match pattern `: the quoted value (`string [value]`) is replaced
/// whatever it holds, from the first `string [` of the text (more is lost, never less).
fn redact_before_pattern(text: &str) -> String {
    const QUOTED: &str = "] does not match pattern ";
    match (text.strip_suffix(QUOTED), text.find("string [")) {
        (Some(_), Some(open)) => {
            let kept = &text[..open];
            format!("{}string […{QUOTED}", redact_brackets_and_values(kept))
        }
        _ => redact_brackets_and_values(text),
    }
}

/// Where the error item that `text` is the end of stops: at the next `, N - ` of Tray's
/// numbered list, or before the list's closing ` ]`, or at the end.
fn item_end(text: &str) -> usize {
    let mut from = 0;
    while let Some(at) = text[from..].find(", ").map(|i| from + i) {
        let after = &text[at + 2..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && after[digits..].starts_with(" - ") {
            return at;
        }
        from = at + 2;
    }
    let trimmed = text.trim_end();
    trimmed.strip_suffix(" ]").map_or(text.len(), str::len)
}

/// Replaces what brackets quote (innermost first; Tray wraps its whole list in brackets too)
/// unless they name keys, and the values Tray quotes without brackets (`moon is not a valid
/// enum value`, `70000 is not less or equal to 65535`).
fn redact_brackets_and_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(close) = rest.find(']') {
        match rest[..close].rfind('[') {
            Some(open) => {
                let before = &rest[..open];
                out.push_str(before);
                if before.ends_with("key ") || before.ends_with("keys ") {
                    out.push_str(&rest[open..=close]);
                } else {
                    out.push_str("[…]");
                }
            }
            None => out.push_str(&rest[..=close]),
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    for phrase in [
        " is not a valid enum value",
        " is not greater or equal to ",
        " is not less or equal to ",
        " is not greater than ",
        " is not less than ",
        " is not a multiple of ",
    ] {
        out = redact_value_before(&out, phrase);
    }
    out
}

/// Replaces the value between an item's `#/pointer: ` and `phrase` with `the value`.
fn redact_value_before(message: &str, phrase: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find(phrase) {
        let start = rest[..at].rfind(": ").map_or(0, |i| i + 2);
        out.push_str(&rest[..start]);
        out.push_str("the value");
        out.push_str(phrase);
        rest = &rest[at + phrase.len()..];
    }
    out.push_str(rest);
    out
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

    #[test]
    fn quoted_values_are_redacted_and_keys_kept() {
        let tray = "Connector input validation failed. Schema validation errors: [ 1 - #: required key [channel] not found ]";
        assert_eq!(redact_values(tray), tray);
        assert_eq!(
            redact_values("errors: [ 1 - #/dc: string [hunter2] does not match pattern ^a$, 2 - #/region: moon is not a valid enum value ]"),
            "errors: [ 1 - #/dc: string […] does not match pattern ^a$, 2 - #/region: the value is not a valid enum value ]"
        );
    }

    #[test]
    fn patterns_are_kept_whole_and_values_before_them_are_not() {
        let tray = "Connector input validation failed. Schema validation errors: [ 1 - #/credentials: required key [channel] not found, \
                    2 - #/credentials/dc: string [s3cr[e]t, 3 - x] does not match pattern ^[a-z]{2}[0-9]+$, \
                    3 - #/credentials/code: string [x] does not match pattern ^[ ]$ ]";
        assert_eq!(
            redact_values(tray),
            "Connector input validation failed. Schema validation errors: [ 1 - #/credentials: required key [channel] not found, \
             2 - #/credentials/dc: string […] does not match pattern ^[a-z]{2}[0-9]+$, \
             3 - #/credentials/code: string […] does not match pattern ^[ ]$ ]"
        );
        // The fake's (and our checker's) wording quotes no value: the pattern is kept too.
        let ours = "errors: [ 1 - #/credentials/dc: string does not match pattern ^[a-z]+[0-9]+$ ]";
        assert_eq!(redact_values(ours), ours);
    }

    #[test]
    fn every_value_sent_is_taken_out_of_the_message_in_one_pass() {
        let mut credentials = serde_json::Map::new();
        for i in 0..10_000 {
            credentials.insert(format!("k{i}"), format!("value-{i:05}").into());
        }
        credentials.insert("token".into(), "tok-secret-long".into());
        credentials.insert("prefix".into(), "tok-secret".into());
        credentials.insert("pin".into(), "123".into());
        let body = serde_json::json!({"name": "Bolo", "credentials": credentials}).to_string();
        let message =
            "#/credentials/k7: value-00007 and tok-secret-long, tok-secret! and 123 for Bolo";
        assert_eq!(
            redact_message(message, Some(body.as_bytes())),
            // The longest value where several start at one place; values under 4 bytes and the
            // name (not a credential) are left to the wording rules.
            "#/credentials/k7: … and …, …! and 123 for Bolo"
        );
        assert_eq!(redact_message(message, None), message);
    }

    #[test]
    fn numbers_and_formats_tray_quotes_are_redacted() {
        assert_eq!(
            redact_values("[ 1 - #/pin: 4711 is not less or equal to 999, 2 - #/mail: [me@x.io] is not a valid email address ]"),
            "[ 1 - #/pin: the value is not less or equal to 999, 2 - #/mail: […] is not a valid email address ]"
        );
    }
}
