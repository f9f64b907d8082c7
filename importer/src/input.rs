//! Rows from files: JSON Lines or CSV, read one row at a time (memory stays flat whatever the
//! file's size, and whatever its lines' length: a row longer than [`MAX_ROW_BYTES`] is a
//! problem of that row, read through without being held). Only regular files are read.
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

/// The longest row a file may have, in bytes: a line of JSON Lines, a record of CSV. A longer
/// one is a problem of that row, skipped without being held in memory.
pub const MAX_ROW_BYTES: usize = 1 << 20;

/// The most columns a CSV file may have.
pub const MAX_COLUMNS: usize = 1024;

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
    /// Not a regular file: a directory, a device (`/dev/zero`), a pipe.
    #[error(
        "{0}: not a regular file (a directory, a device or a pipe): give a .jsonl or .csv file"
    )]
    NotAFile(PathBuf),
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

/// Opens a file of rows. Only a regular file is read: a directory, a device or a pipe is
/// refused before a byte is read.
pub fn open(path: &Path, format: Option<Format>) -> Result<Rows, InputError> {
    let format = format
        .or_else(|| Format::of(path))
        .ok_or_else(|| InputError::UnknownFormat(path.to_owned()))?;
    let file = BufReader::new(open_regular(path)?);
    match format {
        Format::JsonLines => Ok(Box::new(json_lines(file, path.to_owned()))),
        Format::Csv => csv_rows(file, path),
    }
}

/// How many rows a file has (for a progress bar), reading it as [`open`] does.
pub fn count_rows(path: &Path, format: Option<Format>) -> Result<u64, InputError> {
    let format = format
        .or_else(|| Format::of(path))
        .ok_or_else(|| InputError::UnknownFormat(path.to_owned()))?;
    let file = BufReader::new(open_regular(path)?);
    let error = |source| InputError::Io {
        path: path.to_owned(),
        source,
    };
    let mut rows = 0;
    match format {
        Format::JsonLines => {
            let mut lines = BoundedLines::new(file);
            while let Some(line) = lines.next_line().map_err(error)? {
                rows += u64::from(!matches!(line, Line::Text(text) if is_blank(text)));
            }
        }
        Format::Csv => {
            let mut records = CsvRecords::new(file);
            while records.next_record().map_err(error)?.is_some() {
                rows += 1;
            }
            rows = rows.saturating_sub(1); // the header
        }
    }
    Ok(rows)
}

/// Opens a regular file, refusing anything else. A pipe is opened without waiting for a
/// writer, so that refusing it cannot hang.
fn open_regular(path: &Path) -> Result<File, InputError> {
    let error = |source| InputError::Io {
        path: path.to_owned(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // No effect on a regular file's reads.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(error)?;
    if !file.metadata().map_err(error)?.is_file() {
        return Err(InputError::NotAFile(path.to_owned()));
    }
    Ok(file)
}

/// Rows from JSON Lines; blank lines are skipped but counted, so row numbers are line numbers.
/// A line longer than [`MAX_ROW_BYTES`] is a problem of its row.
pub fn json_lines(
    reader: impl BufRead + Send + 'static,
    path: PathBuf,
) -> impl Iterator<Item = Result<Row, RowProblem>> + Send {
    let mut lines = BoundedLines::new(reader);
    let mut number = 0u64;
    std::iter::from_fn(move || loop {
        number += 1;
        let line = match lines.next_line() {
            Ok(Some(line)) => line,
            Ok(None) => return None,
            Err(e) => {
                return Some(Err(problem(
                    number,
                    "",
                    format!(
                        "cannot read {} from here on: {e}; rows after it were not read",
                        path.display()
                    ),
                )))
            }
        };
        let text = match line {
            Line::Text(text) if is_blank(text) => continue,
            Line::Text(text) => text,
            Line::TooLong => return Some(Err(too_long(number, "line"))),
        };
        return Some(match serde_json::from_slice::<Value>(text) {
            Ok(Value::Object(map)) => row_from_object(number, map, false),
            Ok(_) => Err(problem(number, "", "a row is a JSON object".into())),
            // serde_json's syntax errors say where, not what the text was.
            Err(e) => Err(problem(number, "", format!("not JSON: {e}"))),
        });
    })
}

fn is_blank(text: &[u8]) -> bool {
    text.iter().all(u8::is_ascii_whitespace)
}

fn too_long(number: u64, what: &str) -> RowProblem {
    problem(
        number,
        "",
        format!(
            "the {what} is longer than {} MiB, so it was skipped: a row is one authentication (is this the right file?)",
            MAX_ROW_BYTES >> 20
        ),
    )
}

/// A line from [`BoundedLines`].
enum Line<'a> {
    /// The line, without its `\n`.
    Text(&'a [u8]),
    /// Longer than [`MAX_ROW_BYTES`]; skipped.
    TooLong,
}

/// Lines of at most [`MAX_ROW_BYTES`]: a longer line is read through to its end, never held.
struct BoundedLines<R> {
    reader: R,
    line: Vec<u8>,
    done: bool,
}

impl<R: BufRead> BoundedLines<R> {
    fn new(reader: R) -> Self {
        BoundedLines {
            reader,
            line: Vec::new(),
            done: false,
        }
    }

    /// The next line; after an error, none.
    fn next_line(&mut self) -> std::io::Result<Option<Line<'_>>> {
        if self.done {
            return Ok(None);
        }
        self.line.clear();
        let (mut read, mut too_long) = (false, false);
        loop {
            let available = match self.reader.fill_buf() {
                Ok(available) => available,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.done = true;
                    return Err(e);
                }
            };
            if available.is_empty() {
                self.done = true;
                break;
            }
            read = true;
            let newline = available.iter().position(|&b| b == b'\n');
            let chunk = &available[..newline.unwrap_or(available.len())];
            if !too_long && self.line.len() + chunk.len() > MAX_ROW_BYTES {
                too_long = true;
                self.line.clear();
            }
            if !too_long {
                self.line.extend_from_slice(chunk);
            }
            let used = newline.map_or(available.len(), |at| at + 1);
            self.reader.consume(used);
            if newline.is_some() {
                break;
            }
        }
        Ok(match (read, too_long) {
            (false, _) => None,
            (true, true) => Some(Line::TooLong),
            (true, false) => Some(Line::Text(&self.line)),
        })
    }
}

/// A record from [`CsvRecords`].
enum Record<'a> {
    /// Its fields: `text[ends[i - 1]..ends[i]]`.
    Fields { text: &'a [u8], ends: &'a [usize] },
    /// Longer than [`MAX_ROW_BYTES`]; skipped.
    TooLong,
    /// More than [`MAX_COLUMNS`] fields; skipped.
    TooManyFields,
}

impl Record<'_> {
    fn fields(&self) -> impl Iterator<Item = &[u8]> {
        let (text, ends): (&[u8], &[usize]) = match self {
            Record::Fields { text, ends } => (text, ends),
            _ => (&[], &[]),
        };
        ends.iter().scan(0, move |start, &end| {
            let field = text.get(*start..end).unwrap_or_default();
            *start = end;
            Some(field)
        })
    }
}

/// CSV records (RFC 4180: commas, double quotes, any line ending; blank lines skipped) into
/// buffers of fixed size, so a record of any length costs no more memory than a long one.
struct CsvRecords<R> {
    reader: R,
    parser: csv_core::Reader,
    text: Vec<u8>,
    ends: Vec<usize>,
    done: bool,
}

impl<R: BufRead> CsvRecords<R> {
    fn new(reader: R) -> Self {
        CsvRecords {
            reader,
            parser: csv_core::Reader::new(),
            text: vec![0; MAX_ROW_BYTES],
            ends: vec![0; MAX_COLUMNS],
            done: false,
        }
    }

    /// The next record; after an error, none.
    fn next_record(&mut self) -> std::io::Result<Option<Record<'_>>> {
        use csv_core::ReadRecordResult;
        let (mut text_len, mut ends_len) = (0, 0);
        let mut overflow = None;
        let mut empty_reads = 0;
        while !self.done {
            let input = match self.reader.fill_buf() {
                Ok(input) => input,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.done = true;
                    return Err(e);
                }
            };
            let at_end = input.is_empty();
            let (result, read, written, ended) = self.parser.read_record(
                input,
                &mut self.text[text_len..],
                &mut self.ends[ends_len..],
            );
            self.reader.consume(read);
            text_len += written;
            ends_len += ended;
            match result {
                ReadRecordResult::InputEmpty => {
                    // csv_core ends on empty input; this only guards against a loop.
                    empty_reads += usize::from(at_end);
                    self.done = empty_reads > 2;
                }
                // Keep parsing the record into the same buffers, to find its end.
                ReadRecordResult::OutputFull => {
                    overflow.get_or_insert(Record::TooLong);
                    text_len = 0;
                }
                ReadRecordResult::OutputEndsFull => {
                    overflow.get_or_insert(Record::TooManyFields);
                    ends_len = 0;
                }
                ReadRecordResult::Record => {
                    return Ok(Some(overflow.unwrap_or(Record::Fields {
                        text: &self.text[..text_len],
                        ends: &self.ends[..ends_len],
                    })))
                }
                ReadRecordResult::End => self.done = true,
            }
        }
        Ok(None)
    }
}

fn csv_rows(reader: impl BufRead + Send + 'static, path: &Path) -> Result<Rows, InputError> {
    let mut records = CsvRecords::new(reader);
    let header_error = |message: String| InputError::Header {
        path: path.to_owned(),
        message,
    };
    let columns = match records.next_record() {
        Err(source) => {
            return Err(InputError::Io {
                path: path.to_owned(),
                source,
            })
        }
        Ok(None) => Vec::new(),
        Ok(Some(Record::TooLong)) => {
            return Err(header_error(format!(
                "the header is longer than {} MiB",
                MAX_ROW_BYTES >> 20
            )))
        }
        Ok(Some(Record::TooManyFields)) => {
            return Err(header_error(format!(
                "the header has more than {MAX_COLUMNS} columns"
            )))
        }
        Ok(Some(header)) => columns(&header).map_err(header_error)?,
    };
    let path = path.to_owned();
    let mut number = 0u64;
    Ok(Box::new(std::iter::from_fn(move || {
        number += 1;
        let record = match records.next_record() {
            Ok(Some(record)) => record,
            Ok(None) => return None,
            Err(e) => {
                return Some(Err(problem(
                    number,
                    "",
                    format!(
                        "cannot read {} from here on: {e}; rows after it were not read",
                        path.display()
                    ),
                )))
            }
        };
        Some(csv_row(number, &columns, &record))
    })))
}

/// The header's columns, each split at its dots. A column given twice would leave only one of
/// its cells, and one with an empty part names nothing: both are errors.
fn columns(header: &Record<'_>) -> Result<Vec<Vec<String>>, String> {
    let mut columns: Vec<Vec<String>> = Vec::new();
    for (i, field) in header.fields().enumerate() {
        let name = std::str::from_utf8(field)
            .map_err(|_| format!("column {} of the header is not UTF-8 text", i + 1))?;
        // A byte order mark is not part of the first name.
        let name = name.trim_start_matches('\u{feff}').trim();
        let column: Vec<String> = name.split('.').map(str::to_owned).collect();
        if column.iter().any(String::is_empty) {
            return Err(format!(
                "column {} (`{name}`) has an empty part: name it as `credentials.access_token`",
                i + 1
            ));
        }
        if let Some(first) = columns.iter().position(|c| *c == column) {
            return Err(format!(
                "column `{name}` is given twice (columns {} and {}): keep one",
                first + 1,
                i + 1
            ));
        }
        columns.push(column);
    }
    Ok(columns)
}

/// One CSV record as a row, its cells put at their columns' paths.
fn csv_row(number: u64, columns: &[Vec<String>], record: &Record<'_>) -> Result<Row, RowProblem> {
    match record {
        Record::TooLong => return Err(too_long(number, "row")),
        Record::TooManyFields => {
            return Err(problem(
                number,
                "",
                format!("has more than {MAX_COLUMNS} fields, so it was skipped: check its commas and quotes"),
            ))
        }
        Record::Fields { ends, .. } if ends.len() != columns.len() => {
            return Err(problem(
                number,
                "",
                format!(
                    "has {} fields and the header {}: check the row's commas and quotes",
                    ends.len(),
                    columns.len()
                ),
            ))
        }
        Record::Fields { .. } => {}
    }
    let mut object = Map::new();
    for (column, cell) in columns.iter().zip(record.fields()) {
        if cell.is_empty() {
            continue;
        }
        let field = column.join(".");
        let cell = std::str::from_utf8(cell)
            .map_err(|_| problem(number, &field, "is not UTF-8 text".into()))?;
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
        insert(&mut object, column, value).map_err(|message| problem(number, &field, message))?;
    }
    row_from_object(number, object, true)
}

/// Puts `value` at a dotted path. Every part names an object key, digits too
/// (`headers.0.name` makes `{"headers": {"0": {..}}}`): CSV cannot give arrays (a field that
/// wants a list is a row problem; such rows belong in JSON Lines).
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

    fn csv(text: &[u8]) -> Result<Vec<Result<Row, RowProblem>>, InputError> {
        Ok(csv_rows(Cursor::new(text.to_vec()), Path::new("in.csv"))?.collect())
    }

    #[test]
    fn csv_quotes_line_endings_and_bad_rows() {
        let rows = csv(b"\xef\xbb\xbfexternalUserId,connector,name\r\n\
                         u1,slack,\"Team, \"\"one\"\"\nline two\"\r\n\
                         \r\n\
                         u2,slack\n\
                         u3,slack,\xff\n\
                         u4,slack,x,extra\n\
                         u5,slack,last")
        .unwrap();
        let first = rows[0].as_ref().unwrap();
        assert_eq!(first.name, "Team, \"one\"\nline two");
        assert_eq!(
            first.external_user_id, "u1",
            "the byte order mark is not in the name"
        );
        // The blank line is skipped; rows are counted as records.
        assert_eq!(
            rows[1].as_ref().unwrap_err().to_string(),
            "row 2: : has 2 fields and the header 3: check the row's commas and quotes"
        );
        assert_eq!(
            rows[2].as_ref().unwrap_err().to_string(),
            "row 3: name: is not UTF-8 text"
        );
        assert!(rows[3].is_err());
        assert_eq!(rows[4].as_ref().unwrap().name, "last");
        assert_eq!(rows.len(), 5);
    }

    #[test]
    fn csv_headers_that_lose_cells_are_refused() {
        for (header, expected) in [
            (
                &b"a,b,a\n"[..],
                "column `a` is given twice (columns 1 and 3): keep one",
            ),
            (
                b"name, name\n",
                "column `name` is given twice (columns 1 and 2)",
            ),
            (
                b"credentials.x,credentials.x\n",
                "column `credentials.x` is given twice",
            ),
            (b"a,.b\n", "column 2 (`.b`) has an empty part"),
            (b"a,\xff\n", "column 2 of the header is not UTF-8 text"),
        ] {
            let err = csv(header).unwrap_err().to_string();
            assert!(err.starts_with("in.csv: "), "{err}");
            assert!(err.contains(expected), "{expected}: {err}");
        }
        let long = format!("a,\"{}\"\n", "b".repeat(MAX_ROW_BYTES));
        assert!(csv(long.as_bytes())
            .unwrap_err()
            .to_string()
            .contains("header is longer than 1 MiB"));
        let wide = vec!["c"; MAX_COLUMNS + 1].join(",");
        assert!(csv(wide.as_bytes())
            .unwrap_err()
            .to_string()
            .contains("more than 1024 columns"));
        assert!(csv(b"").unwrap().is_empty());
    }

    #[test]
    fn overlong_lines_are_skipped_not_held() {
        let long = "x".repeat(MAX_ROW_BYTES + 1);
        let exact = format!("{{\"k\":\"{}\"}}", "y".repeat(MAX_ROW_BYTES - 8));
        assert_eq!(exact.len(), MAX_ROW_BYTES);
        let text = format!("{long}\n{exact}\n\n{long}");
        let mut lines = BoundedLines::new(Cursor::new(text.into_bytes()));
        let mut kinds = Vec::new();
        while let Some(line) = lines.next_line().unwrap() {
            kinds.push(match line {
                Line::Text(text) => text.len(),
                Line::TooLong => usize::MAX,
            });
            assert!(lines.line.capacity() <= 2 * MAX_ROW_BYTES);
        }
        assert_eq!(kinds, [usize::MAX, MAX_ROW_BYTES, 0, usize::MAX]);
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
