//! Rows from files: JSON Lines or CSV, read one row at a time (memory stays flat whatever the
//! file's size).
//!
//! A row gives `externalUserId`, `connector` (service name, `name@version` where several
//! versions are generated), `name`, and optionally `serviceEnvironment` (title or id;
//! `Production` by default), `credentials`, `userData`, `scopes` and `key`. CSV columns name
//! nested fields with dots (`credentials.access_token`); a CSV `scopes` cell lists scopes
//! separated by spaces or commas.

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

/// One row of input, not yet checked against its connector.
#[derive(Clone, PartialEq)]
pub struct Row {
    /// The row's number in its file (1 for the first row of data).
    pub number: u64,
    /// What identifies the row across runs: the `key` it gives, or `row-<number>`.
    pub key: String,
    /// The end user's id in your system.
    pub external_user_id: String,
    /// The service name.
    pub service: String,
    /// The service version, when the row names one (`slack@4`).
    pub service_version: Option<u32>,
    /// The authentication's name.
    pub name: String,
    /// The service environment's title or id, if given.
    pub service_environment: Option<String>,
    /// The `credentials` object.
    pub credentials: Value,
    /// The `userData` object, if given.
    pub user_data: Option<Value>,
    /// The scopes.
    pub scopes: Vec<String>,
    /// Whether values came from CSV cells (all text), so that numbers and booleans may be
    /// read from text where the connector's types want them.
    pub from_text: bool,
}

impl fmt::Debug for Row {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Credentials and user data may hold secrets: never shown.
        f.debug_struct("Row")
            .field("number", &self.number)
            .field("key", &self.key)
            .field("external_user_id", &self.external_user_id)
            .field("service", &self.service)
            .field("service_version", &self.service_version)
            .field("name", &self.name)
            .field("service_environment", &self.service_environment)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// A row that cannot be read: where, and what. Never a value from the row.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("row {row}: {field}: {message}")]
pub struct RowProblem {
    /// The row's number.
    pub row: u64,
    /// The field (a JSON pointer or a CSV column).
    pub field: String,
    /// What is wrong and what to do.
    pub message: String,
}

/// A file that cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// Opening or reading failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The CSV header is unusable.
    #[error("{path}: {message}")]
    Header {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The format cannot be told from the file name.
    #[error("{0}: give a .jsonl or .csv file (or say --format jsonl|csv)")]
    UnknownFormat(PathBuf),
}

/// The formats rows can come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object a line.
    JsonLines,
    /// A header row, then one row a line; dotted column names for nested fields.
    Csv,
}

impl Format {
    /// The format a file name says: `.jsonl`/`.ndjson`/`.json` or `.csv`.
    pub fn of(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" | "json" => Some(Format::JsonLines),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// The rows of a file, one at a time.
pub type Rows = Box<dyn Iterator<Item = Result<Row, RowProblem>> + Send>;

/// Opens a file of rows.
pub fn open(path: &Path, format: Option<Format>) -> Result<Rows, InputError> {
    let format = format
        .or_else(|| Format::of(path))
        .ok_or_else(|| InputError::UnknownFormat(path.to_owned()))?;
    let file = File::open(path).map_err(|source| InputError::Io {
        path: path.to_owned(),
        source,
    })?;
    match format {
        Format::JsonLines => Ok(Box::new(json_lines(BufReader::new(file), path.to_owned()))),
        Format::Csv => csv_rows(file, path),
    }
}

/// Rows from JSON Lines; blank lines are skipped but counted, so row numbers are line numbers.
pub fn json_lines(
    reader: impl BufRead + Send + 'static,
    path: PathBuf,
) -> impl Iterator<Item = Result<Row, RowProblem>> + Send {
    reader.lines().enumerate().filter_map(move |(i, line)| {
        let number = i as u64 + 1;
        let line = match line {
            Ok(line) => line,
            Err(e) => {
                return Some(Err(problem(
                    number,
                    "",
                    format!("cannot read {}: {e}", path.display()),
                )))
            }
        };
        if line.trim().is_empty() {
            return None;
        }
        Some(match serde_json::from_str::<Value>(&line) {
            Ok(Value::Object(map)) => row_from_object(number, map, false),
            Ok(_) => Err(problem(number, "", "a row is a JSON object".into())),
            // serde_json's syntax errors say where, not what the text was.
            Err(e) => Err(problem(number, "", format!("not JSON: {e}"))),
        })
    })
}

fn csv_rows(file: File, path: &Path) -> Result<Rows, InputError> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(file);
    let headers = reader
        .headers()
        .map_err(|e| InputError::Header {
            path: path.to_owned(),
            message: e.to_string(),
        })?
        .clone();
    let columns: Vec<Vec<String>> = headers
        .iter()
        .map(|h| h.trim().split('.').map(str::to_owned).collect())
        .collect();
    if let Some(bad) = columns.iter().find(|c| c.iter().any(String::is_empty)) {
        return Err(InputError::Header {
            path: path.to_owned(),
            message: format!("column `{}` has an empty part", bad.join(".")),
        });
    }
    Ok(Box::new(reader.into_records().enumerate().map(
        move |(i, record)| {
            let number = i as u64 + 1;
            // csv's errors name positions and lengths, never cell text.
            let record = record.map_err(|e| problem(number, "", format!("not a CSV row: {e}")))?;
            let mut object = Map::new();
            for (column, cell) in columns.iter().zip(record.iter()) {
                if cell.is_empty() {
                    continue;
                }
                let value = if column.len() == 1 && column[0] == "scopes" {
                    Value::Array(
                        cell.split([' ', ','])
                            .filter(|s| !s.is_empty())
                            .map(|s| Value::String(s.to_owned()))
                            .collect(),
                    )
                } else {
                    Value::String(cell.to_owned())
                };
                insert(&mut object, column, value)
                    .map_err(|message| problem(number, &column.join("."), message))?;
            }
            row_from_object(number, object, true)
        },
    )))
}

/// Puts `value` at a dotted path; numeric parts index arrays.
fn insert(object: &mut Map<String, Value>, path: &[String], value: Value) -> Result<(), String> {
    let (first, rest) = path.split_first().expect("paths have a part");
    if rest.is_empty() {
        object.insert(first.clone(), value);
        return Ok(());
    }
    let slot = object
        .entry(first.clone())
        .or_insert_with(|| Value::Object(Map::new()));
    match slot {
        Value::Object(inner) => insert(inner, rest, value),
        _ => Err("is both a value and an object: use one column or the other".into()),
    }
}

const KEYS: &[&str] = &[
    "externalUserId",
    "connector",
    "name",
    "serviceEnvironment",
    "credentials",
    "userData",
    "scopes",
    "key",
];

fn row_from_object(
    number: u64,
    mut map: Map<String, Value>,
    from_text: bool,
) -> Result<Row, RowProblem> {
    for key in map.keys() {
        if !KEYS.contains(&key.as_str()) {
            return Err(problem(
                number,
                key,
                format!("unknown field; a row has {}", KEYS.join(", ")),
            ));
        }
    }
    let mut text = |key: &str, required: bool| -> Result<Option<String>, RowProblem> {
        match map.remove(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_owned())),
            None | Some(Value::Null) if !required => Ok(None),
            Some(Value::String(_)) | None | Some(Value::Null) => Err(problem(
                number,
                key,
                "missing: give a non-empty string".into(),
            )),
            Some(_) => Err(problem(number, key, "must be a string".into())),
        }
    };
    let external_user_id = text("externalUserId", true)?.unwrap_or_default();
    let connector = text("connector", true)?.unwrap_or_default();
    let name = text("name", true)?.unwrap_or_default();
    let service_environment = text("serviceEnvironment", false)?;
    let key = text("key", false)?.unwrap_or_else(|| format!("row-{number}"));
    let (service, service_version) = match connector.split_once('@') {
        Some((service, version)) => {
            let version = version.parse::<u32>().map_err(|_| {
                problem(
                    number,
                    "connector",
                    "a version after `@` is a whole number (`slack@4`)".into(),
                )
            })?;
            (service.to_owned(), Some(version))
        }
        None => (connector, None),
    };
    let credentials = match map.remove("credentials") {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(object @ Value::Object(_)) => object,
        Some(_) => return Err(problem(number, "credentials", "must be an object".into())),
    };
    let user_data = match map.remove("userData") {
        None | Some(Value::Null) => None,
        Some(object @ Value::Object(_)) => Some(object),
        Some(_) => return Err(problem(number, "userData", "must be an object".into())),
    };
    let scopes = match map.remove("scopes") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => list
            .into_iter()
            .enumerate()
            .map(|(i, s)| match s {
                Value::String(s) => Ok(s),
                _ => Err(problem(
                    number,
                    &format!("scopes/{i}"),
                    "a scope is a string".into(),
                )),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(problem(
                number,
                "scopes",
                "must be an array of strings".into(),
            ))
        }
    };
    Ok(Row {
        number,
        key,
        external_user_id,
        service,
        service_version,
        name,
        service_environment,
        credentials,
        user_data,
        scopes,
        from_text,
    })
}

fn problem(row: u64, field: &str, message: String) -> RowProblem {
    RowProblem {
        row,
        field: field.to_owned(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    #[test]
    fn json_lines_rows_and_problems() {
        let text = "{\"externalUserId\":\"u1\",\"connector\":\"slack@4\",\"name\":\"n\",\"scopes\":[\"chat:write\"]}\n\n\
                    {\"externalUserId\":\"u2\",\"connector\":\"mailchimp\",\"name\":\"n\",\"credentials\":{\"access_token\":\"hunter2\"},\"tokn\":1}\n\
                    {\"externalUserId\":\"u2\",\"name\":\"x\"}\n\
                    not json hunter2\n";
        let rows: Vec<_> =
            json_lines(Cursor::new(text.as_bytes().to_vec()), "in.jsonl".into()).collect();
        let first = rows[0].as_ref().unwrap();
        assert_eq!(
            (
                first.number,
                first.key.as_str(),
                first.service.as_str(),
                first.service_version
            ),
            (1, "row-1", "slack", Some(4))
        );
        assert_eq!(first.scopes, ["chat:write"]);
        assert_eq!(rows[1].as_ref().unwrap_err().to_string(), "row 3: tokn: unknown field; a row has externalUserId, connector, name, serviceEnvironment, credentials, userData, scopes, key");
        assert_eq!(
            rows[2].as_ref().unwrap_err().to_string(),
            "row 4: connector: missing: give a non-empty string"
        );
        let bad = rows[3].as_ref().unwrap_err().to_string();
        assert!(bad.starts_with("row 5: : not JSON"), "{bad}");
        assert!(!bad.contains("hunter2"));
    }

    #[test]
    fn csv_dotted_columns_nest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows.csv");
        std::fs::write(
            &path,
            "externalUserId,connector,name,credentials.access_token,credentials.dc,credentials.expires_in,scopes,key\n\
             u1,mailchimp,Bolo,tok,us21,3600,,k1\n\
             u2,slack,Team,,,,\"chat:write channels:read\",\n",
        )
        .unwrap();
        let rows: Vec<Row> = open(&path, None).unwrap().map(Result::unwrap).collect();
        assert_eq!(
            rows[0].credentials,
            serde_json::json!({"access_token": "tok", "dc": "us21", "expires_in": "3600"})
        );
        assert_eq!(rows[0].key, "k1");
        assert!(rows[0].from_text);
        assert_eq!(rows[1].scopes, ["chat:write", "channels:read"]);
        assert_eq!(rows[1].credentials, serde_json::json!({}));
        assert!(!format!("{:?}", rows[0]).contains("tok\""));
    }
}
