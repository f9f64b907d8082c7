//! What a key stands for, so that a rerun notices when the row under a known key is another
//! row: the end user, the connector, the service environment, the name, and a digest of the
//! credentials, user data and scopes (never the values).
//!
//! Keys default to `row-<number>`: insert a row at the top of a file, and every key names the
//! next row. Without this check the rerun would skip rows that were never created (their keys
//! are `created`) and create others a second time. So a row whose key was sent (or may have
//! been) is compared with what the journal recorded, before anything is sent; any difference
//! stops the import. Rows that were never sent (`invalid`, `failed`) may change freely: fixing
//! them is what a rerun is for.

use std::fmt;

use ring::hmac;
use serde_json::Value;

use crate::journal::{Entry, State};

/// The digest's key: random, one per journal (kept in it), so a digest says nothing outside
/// its journal and cannot be looked up in a table of known values.
pub(crate) const KEY_BYTES: usize = 32;

/// What a row says about itself, as the journal keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    pub(crate) external_user_id: String,
    /// `service@version`, when the row names a connector that was found.
    pub(crate) connector: Option<String>,
    pub(crate) service_environment_id: Option<String>,
    pub(crate) name: String,
    /// HMAC-SHA-256 of the credentials, user data and scopes (hex), when the row is valid.
    pub(crate) digest: Option<String>,
    /// A digest of the schemas the row was checked against (file rows); not part of what
    /// the key stands for: a rerun against changed schemas checks the row again.
    pub(crate) schema_digest: Option<String>,
}

/// Digests of bodies under one journal's key.
pub(crate) struct Digester {
    key: hmac::Key,
}

impl Digester {
    pub(crate) fn new(key: &[u8]) -> Digester {
        Digester {
            key: hmac::Key::new(hmac::HMAC_SHA256, key),
        }
    }

    /// The digest of what a `POST /authentications` body carries besides its name and
    /// environment. Object keys are sorted and scopes too, so that the same content always
    /// gives the same digest, whatever order a file or a type wrote it in.
    pub(crate) fn digest(&self, body: &Value) -> String {
        let mut context = hmac::Context::with_key(&self.key);
        let empty = Value::Object(serde_json::Map::new());
        for part in ["credentials", "userData"] {
            canonical(&mut context, body.get(part).unwrap_or(&empty));
            context.update(b"\n");
        }
        let mut scopes: Vec<String> = body
            .get("scopes")
            .and_then(Value::as_array)
            .map(|list| list.iter().map(Value::to_string).collect())
            .unwrap_or_default();
        scopes.sort();
        context.update(scopes.join(",").as_bytes());
        hex(context.sign().as_ref())
    }
}

/// Writes `value` with object keys in sorted order and no spaces.
fn canonical(context: &mut hmac::Context, value: &Value) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            context.update(b"{");
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    context.update(b",");
                }
                context.update(Value::String(key.clone()).to_string().as_bytes());
                context.update(b":");
                canonical(context, &map[key]);
            }
            context.update(b"}");
        }
        Value::Array(list) => {
            context.update(b"[");
            for (i, item) in list.iter().enumerate() {
                if i > 0 {
                    context.update(b",");
                }
                canonical(context, item);
            }
            context.update(b"]");
        }
        scalar => context.update(scalar.to_string().as_bytes()),
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A row whose key stood for another row in an earlier run.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChangedRow {
    /// The row's number in this input.
    pub row: u64,
    /// Its key.
    pub key: String,
    /// What the journal says the key was: `created`, `pending` or `unknown`.
    pub state: State,
    /// What differs, as `end user `u2` (was `u1`)`; credentials are named, never shown.
    pub differences: Vec<String>,
}

impl fmt::Display for ChangedRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "row {} (key `{}`, {} by an earlier run): {}",
            self.row,
            self.key,
            match self.state {
                State::Created => "created",
                _ => "sent",
            },
            self.differences.join(", ")
        )
    }
}

/// How many changed rows an error describes; the rest are counted.
const DESCRIBED: usize = 20;

/// The rows of an input whose keys stood for other rows: the first ones described, all counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangedRows {
    /// The first rows found (at most 20).
    pub rows: Vec<ChangedRow>,
    /// How many rows differ in all.
    pub total: u64,
}

impl ChangedRows {
    pub(crate) fn push(&mut self, row: ChangedRow) {
        self.total += 1;
        if self.rows.len() < DESCRIBED {
            self.rows.push(row);
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.total == 0
    }
}

impl fmt::Display for ChangedRows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (rows, are, their) = if self.total == 1 {
            ("row", "is", "its key")
        } else {
            ("rows", "are", "their keys")
        };
        writeln!(
            f,
            "{} {rows} {are} not what {their} stood for when an earlier run sent them, so the import stopped before sending them:",
            self.total
        )?;
        for row in &self.rows {
            writeln!(f, "  {row}")?;
        }
        if self.total > self.rows.len() as u64 {
            writeln!(f, "  ... and {} more", self.total - self.rows.len() as u64)?;
        }
        write!(
            f,
            "A row is known across runs by its key, by default `row-<N>` (its row number), so inserting, deleting or \
             reordering rows makes keys name other rows. Put the input back as it was, and add new rows at the end: a key \
             given now to a row created as `row-<N>` would make it a new row, created again. Give every row a stable `key` \
             (its id in your system) from an import's first run on. To import a changed authentication as a new one, give \
             it a new key."
        )
    }
}

/// Compares a row with what the journal recorded under its key, when that row was (or may
/// have been) sent. Fields an old journal or an invalid row does not know are not compared.
pub(crate) fn compare(entry: &Entry, row: u64, now: &Identity) -> Option<ChangedRow> {
    if !matches!(
        entry.state,
        State::Created | State::Pending | State::Unknown
    ) {
        return None;
    }
    let mut differences = Vec::new();
    let mut text = |what: &str, was: &str, is: &str| {
        if was != is {
            differences.push(format!("{what} `{is}` (was `{was}`)"));
        }
    };
    text("end user", &entry.external_user_id, &now.external_user_id);
    if let (Some(was), Some(is)) = (&entry.connector, &now.connector) {
        text("connector", was, is);
    }
    if let (Some(was), Some(is)) = (&entry.service_environment_id, &now.service_environment_id) {
        if !was.eq_ignore_ascii_case(is) {
            text("service environment", was, is);
        }
    }
    text("name", &entry.name, &now.name);
    if let (Some(was), Some(is)) = (&entry.digest, &now.digest) {
        if was != is {
            differences.push("credentials, user data or scopes".to_owned());
        }
    }
    (!differences.is_empty()).then(|| ChangedRow {
        row,
        key: entry.key.clone(),
        state: entry.state,
        differences,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn digests_ignore_order_and_see_every_value() {
        let digester = Digester::new(&[7; KEY_BYTES]);
        let a = json!({"name": "A", "credentials": {"a": 1, "b": {"x": "s", "y": [1, 2]}}, "scopes": ["r", "w"]});
        let reordered = json!({"scopes": ["w", "r"], "credentials": {"b": {"y": [1, 2], "x": "s"}, "a": 1}, "name": "B"});
        assert_eq!(digester.digest(&a), digester.digest(&reordered));
        let edited = [
            json!({"credentials": {"a": 2, "b": {"x": "s", "y": [1, 2]}}, "scopes": ["r", "w"]}),
            json!({"credentials": {"a": 1, "b": {"x": "s", "y": [2, 1]}}, "scopes": ["r", "w"]}),
            json!({"credentials": {"a": 1, "b": {"x": "s", "y": [1, 2]}}, "scopes": ["r"]}),
            json!({"credentials": {"a": 1, "b": {"x": "s", "y": [1, 2]}}, "scopes": ["r", "w"], "userData": {"a": 1}}),
            json!({"userData": {"a": 1, "b": {"x": "s", "y": [1, 2]}}, "scopes": ["r", "w"]}),
        ];
        for body in edited {
            assert_ne!(digester.digest(&a), digester.digest(&body), "{body}");
        }
        // Another journal's key gives another digest for the same content.
        assert_ne!(
            digester.digest(&a),
            Digester::new(&[8; KEY_BYTES]).digest(&a)
        );
    }
}
