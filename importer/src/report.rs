//! The machine-readable report: one JSON object a line, a row each, in row order. It says what
//! became of each row and never holds a credential.
//!
//! ```text
//! {"row":1,"key":"row-1","externalUserId":"u1","name":"Bolo","state":"created","authId":"0490…"}
//! {"row":2,"key":"row-2","externalUserId":"u2","name":"Ann","state":"invalid","problems":[{"pointer":"/credentials/dc","message":"missing field `dc`"}]}
//! {"row":3,"key":"row-3","externalUserId":"u2","name":"Ann","state":"failed","detail":"POST /authentications: Tray answered 500: …"}
//! ```

use std::io::Write;

use serde::Serialize;
use serde_json::Value;

use crate::journal::{Entry, Journal, JournalError, State};

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportLine {
    /// The row's number in its input.
    pub row: u64,
    /// The row's key.
    pub key: String,
    /// The end user's id in your system.
    pub external_user_id: String,
    /// The authentication's name.
    pub name: String,
    /// `created`, `invalid`, `failed`, `unknown` (or `pending`, if a run was stopped).
    pub state: String,
    /// The authentication's id in Tray, once created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_id: Option<String>,
    /// For an invalid row: each problem's JSON pointer and message (never a value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems: Option<Value>,
    /// For a failed or unknown row: what happened, and what to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// A digest of the schemas the row was last checked against (file rows): rows with
    /// different digests were checked against different versions of a schema.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_digest: Option<String>,
}

impl ReportLine {
    /// The line for a journal entry.
    pub fn from_entry(entry: Entry) -> ReportLine {
        let (problems, detail) = match (entry.state, entry.detail) {
            (State::Invalid, Some(detail)) => match serde_json::from_str::<Value>(&detail) {
                Ok(problems @ Value::Array(_)) => (Some(problems), None),
                _ => (None, Some(detail)),
            },
            (State::Failed | State::Unknown | State::Pending, detail) => (None, detail),
            _ => (None, None),
        };
        ReportLine {
            row: entry.row_number,
            key: entry.key,
            external_user_id: entry.external_user_id,
            name: entry.name,
            state: entry.state.as_str().to_owned(),
            auth_id: entry.auth_id,
            problems,
            detail,
            schema_digest: entry.schema_digest,
        }
    }
}

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The journal could not be read.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The report could not be written.
    #[error("cannot write the report: {0}")]
    Io(#[from] std::io::Error),
}

/// Writes every row of `journal` to `out`, one JSON object a line, in row order.
pub fn write_report(journal: &Journal, out: &mut impl Write) -> Result<u64, ReportError> {
    let mut lines = 0;
    journal.for_each_entry(|entry| -> Result<(), std::io::Error> {
        serde_json::to_writer(&mut *out, &ReportLine::from_entry(entry))?;
        out.write_all(b"\n")?;
        lines += 1;
        Ok(())
    })??;
    out.flush()?;
    Ok(lines)
}
