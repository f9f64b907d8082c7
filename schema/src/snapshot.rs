//! Snapshot files: one Tray service version's connector entry and service environments, kept
//! verbatim as Tray's API returned them.
//!
//! A snapshot is `schemas/<service-name>-<service-version>.json`:
//!
//! ```json
//! {
//!   "connector": { "name": "slack", "service": { "name": "slack", "version": 4, .. }, .. },
//!   "environments": [ { "id": "..", "title": "Production", "credentialsSchema": {..}, .. } ]
//! }
//! ```
//!
//! `connector` is the service's entry of `GET /connectors`, `environments` the `elements` of
//! `GET /services/{name}/versions/{version}/environments`. Both are stored as Tray sent them,
//! key order included (so a schema's property order survives), pretty-printed with two-space
//! indents and a final newline, so the same answer from Tray always gives the same bytes.
//!
//! A folder of snapshots holds one file per service version, named after what it holds
//! ([`check_folder`]): `slack-4.json` holding anything but Slack version 4 is an error.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::json_file;
use crate::printable::shown;

/// One snapshot file, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// Where it was read from (or is to be written); for one built from a value, a label
    /// naming it in messages.
    pub path: PathBuf,
    /// The connector entry, verbatim.
    pub connector: Value,
    /// The service environments, verbatim.
    pub environments: Vec<Value>,
    /// The folder its schemas' file `$ref`s are read from: the file's own, for a snapshot
    /// read from a file; none for one built from Tray's answers or from a value, so that a
    /// `$ref` in text from elsewhere never reads a file of the current folder.
    ref_folder: Option<PathBuf>,
}

/// A snapshot that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The file or folder could not be read.
    #[error("{}: cannot read: {source}", path_shown(path))]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a regular file of at most [`json_file::MAX_FILE_BYTES`].
    #[error("{}: {source}", path_shown(path))]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: json_file::ReadError,
    },
    /// The file is not JSON.
    #[error("{}: not valid JSON: {source}", path_shown(path))]
    Json {
        /// The file.
        path: PathBuf,
        /// Why.
        source: serde_json::Error,
    },
    /// The JSON is not shaped like a snapshot.
    #[error("{}#{pointer}: {message}", path_shown(path))]
    Shape {
        /// The file.
        path: PathBuf,
        /// Where in it.
        pointer: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// Two snapshots hold the same service version.
    #[error(
        "{} and {} both hold service {} version {version}: remove one",
        path_shown(first),
        path_shown(second),
        shown(service)
    )]
    Duplicate {
        /// The first file, by name.
        first: PathBuf,
        /// The other file.
        second: PathBuf,
        /// The service name they hold.
        service: String,
        /// The service version they hold.
        version: u32,
    },
    /// A snapshot's file name is not the one its content gives.
    #[error("{}: holds service {} version {version}, so its file name must be {}: rename the file, or fix its `connector.service`", path_shown(path), shown(service), shown(&Snapshot::file_name(service, *version)))]
    Misnamed {
        /// The file.
        path: PathBuf,
        /// The service name it holds.
        service: String,
        /// The service version it holds.
        version: u32,
    },
    /// Two services would generate the same module.
    #[error("{} (service {}) and {} (service {}) would both generate the module `{module}`: remove one, or rename a service", path_shown(first), shown(first_service), path_shown(second), shown(second_service))]
    SameModule {
        /// The first file, by name.
        first: PathBuf,
        /// Its service name.
        first_service: String,
        /// The other file.
        second: PathBuf,
        /// Its service name.
        second_service: String,
        /// The module name both would take.
        module: String,
    },
}

/// A path for a message: control characters in a file name (a newline, an escape sequence)
/// are escaped, so that they cannot garble a terminal or forge lines of output.
fn path_shown(path: &Path) -> String {
    crate::printable::without_controls(&path.display().to_string()).into_owned()
}

/// Reads a JSON file (a snapshot, a bare schema): a regular file of at most
/// [`json_file::MAX_FILE_BYTES`], a byte-order mark accepted.
pub fn read_json(path: &Path) -> Result<Value, SnapshotError> {
    parse_json(path, &read_text(path)?)
}

/// The text of a snapshot or schema file, read as [`json_file::read_bytes`] reads.
fn read_text(path: &Path) -> Result<String, SnapshotError> {
    let bytes = json_file::read_bytes(path, json_file::MAX_FILE_BYTES).map_err(|source| {
        SnapshotError::File {
            path: path.to_owned(),
            source,
        }
    })?;
    String::from_utf8(bytes).map_err(|e| SnapshotError::Io {
        path: path.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
    })
}

/// Parses JSON text read from `path`, a byte-order mark accepted.
fn parse_json(path: &Path, text: &str) -> Result<Value, SnapshotError> {
    serde_json::from_str(json_file::strip_bom(text)).map_err(|source| {
        // Valid JSON, only deeper than `serde_json` reads: say so rather than "not valid JSON".
        if source.to_string().starts_with("recursion limit exceeded") {
            return SnapshotError::Shape {
                path: path.to_owned(),
                pointer: String::new(),
                message: format!("nested more than 128 levels deep (near line {}), deeper than JSON is read here; the generator reads schemas {} levels deep at most", source.line(), crate::MAX_DEPTH),
            };
        }
        SnapshotError::Json {
            path: path.to_owned(),
            source,
        }
    })
}

impl Snapshot {
    /// Builds a snapshot from Tray's answers. Its schemas' file `$ref`s read no file.
    pub fn new(path: PathBuf, connector: Value, environments: Vec<Value>) -> Self {
        Snapshot {
            path,
            connector,
            environments,
            ref_folder: None,
        }
    }

    /// Builds a snapshot from a snapshot file's JSON held in memory (as generated code holds
    /// its connector's, `tray_auth::Connector::SNAPSHOT`), checked as [`Snapshot::read`]
    /// checks a file. `label` names it in errors (a file name, or `mailchimp@1 (compiled)`);
    /// it is no path: its schemas' file `$ref`s read no file.
    ///
    /// ```
    /// use tray_schema::snapshot::Snapshot;
    /// let value = serde_json::json!({
    ///     "connector": {"service": {"name": "mailchimp", "version": 1}},
    ///     "environments": [{"id": "474a5f3e-1c2d-4b6a-9e8f-0a1b90088d70", "title": "Production"}],
    /// });
    /// let snapshot = Snapshot::from_value("mailchimp@1", value).unwrap();
    /// assert_eq!(snapshot.service_version(), 1);
    /// let err = Snapshot::from_value("x", serde_json::json!({"connector": {}})).unwrap_err();
    /// assert!(err.to_string().starts_with("x#/connector/service/name: missing"));
    /// ```
    pub fn from_value(label: impl Into<PathBuf>, value: Value) -> Result<Snapshot, SnapshotError> {
        Self::checked(label.into(), value, None)
    }

    /// Builds a snapshot from a snapshot file's text held in memory, as
    /// [`Snapshot::from_value`] does from its JSON.
    pub fn from_text(label: impl Into<PathBuf>, text: &str) -> Result<Snapshot, SnapshotError> {
        let label = label.into();
        let value = parse_json(&label, text)?;
        Self::checked(label, value, None)
    }

    /// The folder its schemas' file `$ref`s are read from: the one holding the file it was
    /// read from, or `None` (no file is read) for a snapshot built from answers or a value.
    pub fn ref_folder(&self) -> Option<&Path> {
        self.ref_folder.as_deref()
    }

    /// The service name (`connector.service.name`).
    pub fn service_name(&self) -> &str {
        self.connector["service"]["name"]
            .as_str()
            .unwrap_or_default()
    }

    /// The service version (`connector.service.version`).
    pub fn service_version(&self) -> u32 {
        self.connector["service"]["version"]
            .as_u64()
            .map_or(0, |v| v as u32)
    }

    /// The file name Tray's service name and version give: `slack-4.json`.
    pub fn file_name(service_name: &str, service_version: u32) -> String {
        format!("{service_name}-{service_version}.json")
    }

    /// Reads and checks one snapshot file.
    pub fn read(path: &Path) -> Result<Snapshot, SnapshotError> {
        Self::parse(path, &read_text(path)?)
    }

    /// Parses a snapshot's text, read from the file `path` (named in errors; its folder is
    /// where file `$ref`s are read from).
    pub fn parse(path: &Path, text: &str) -> Result<Snapshot, SnapshotError> {
        let value = parse_json(path, text)?;
        // A file right in the current folder has `""` as its parent: that folder.
        let folder = path.parent().map(Path::to_owned);
        Self::checked(path.to_owned(), value, folder)
    }

    /// Checks that `value` is shaped like a snapshot, and takes it apart.
    fn checked(
        path: PathBuf,
        value: Value,
        ref_folder: Option<PathBuf>,
    ) -> Result<Snapshot, SnapshotError> {
        let shape = |pointer: &str, message: &str| SnapshotError::Shape {
            path: path.clone(),
            pointer: pointer.to_owned(),
            message: message.to_owned(),
        };
        let Value::Object(mut root) = value else {
            return Err(shape(
                "",
                "a snapshot is an object with `connector` and `environments`",
            ));
        };
        let connector = root.remove("connector").ok_or_else(|| {
            shape(
                "/connector",
                "missing: the connector's entry from `GET /connectors`",
            )
        })?;
        if connector
            .pointer("/service/name")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            return Err(shape(
                "/connector/service/name",
                "missing: the service name is a non-empty string",
            ));
        }
        if connector
            .pointer("/service/version")
            .and_then(Value::as_u64)
            .and_then(|v| u32::try_from(v).ok())
            .is_none()
        {
            return Err(shape(
                "/connector/service/version",
                "missing: the service version is an integer (at most 4294967295)",
            ));
        }
        let Some(Value::Array(environments)) = root.remove("environments") else {
            return Err(shape(
                "/environments",
                "missing: the `elements` of `GET /services/{name}/versions/{version}/environments`",
            ));
        };
        for (i, env) in environments.iter().enumerate() {
            if env.get("id").and_then(Value::as_str).is_none() {
                return Err(shape(
                    &format!("/environments/{i}/id"),
                    "missing: each environment has a string `id`",
                ));
            }
        }
        Ok(Snapshot {
            path,
            connector,
            environments,
            ref_folder,
        })
    }

    /// The file's JSON: `{"connector": .., "environments": [..]}`, key order kept.
    pub fn to_value(&self) -> Value {
        let mut root = Map::new();
        root.insert("connector".into(), self.connector.clone());
        root.insert(
            "environments".into(),
            Value::Array(self.environments.clone()),
        );
        Value::Object(root)
    }

    /// The file's exact text: verbatim JSON, two-space indents, final newline.
    pub fn to_text(&self) -> String {
        let mut text =
            serde_json::to_string_pretty(&self.to_value()).expect("a JSON value always serializes");
        text.push('\n');
        text
    }
}

/// The service name and service version of an entry of `GET /connectors`
/// (`service.name`, `service.version`), when it has both.
///
/// ```
/// let entry = serde_json::json!({"name": "slack", "service": {"name": "slack", "version": 4}});
/// assert_eq!(tray_schema::snapshot::listed_service(&entry), Some(("slack", 4)));
/// ```
pub fn listed_service(entry: &Value) -> Option<(&str, u32)> {
    let name = entry.pointer("/service/name").and_then(Value::as_str)?;
    let version = entry
        .pointer("/service/version")
        .and_then(Value::as_u64)
        .and_then(|v| u32::try_from(v).ok())?;
    Some((name, version))
}

/// Reads every `*.json` snapshot in a folder, sorted by file name.
pub fn read_dir(dir: &Path) -> Result<Vec<Snapshot>, SnapshotError> {
    let io = |source| SnapshotError::Io {
        path: dir.to_owned(),
        source,
    };
    let mut paths = Vec::new();
    for entry in fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.extension().is_some_and(|ext| ext == "json") {
            paths.push(path);
        }
    }
    paths.sort();
    paths.iter().map(|path| Snapshot::read(path)).collect()
}

/// Checks a folder's snapshots (as [`read_dir`] returns them): no two hold the same service
/// version, each service name can name a file ([`check_service_name`]), and each
/// file is named after what it holds (`slack-4.json`), so that the file a person edits is the
/// one that makes the code.
pub fn check_folder(snapshots: &[Snapshot]) -> Result<(), SnapshotError> {
    let mut seen: BTreeMap<(&str, u32), &Path> = BTreeMap::new();
    for snapshot in snapshots {
        let key = (snapshot.service_name(), snapshot.service_version());
        if let Some(first) = seen.insert(key, &snapshot.path) {
            return Err(SnapshotError::Duplicate {
                first: first.to_owned(),
                second: snapshot.path.clone(),
                service: key.0.to_owned(),
                version: key.1,
            });
        }
    }
    for snapshot in snapshots {
        let (service, version) = (snapshot.service_name(), snapshot.service_version());
        if let Err(why) = check_service_name(service) {
            return Err(SnapshotError::Shape {
                path: snapshot.path.clone(),
                pointer: "/connector/service/name".to_owned(),
                message: format!("{} cannot name a snapshot file: {why}", shown(service)),
            });
        }
        let named = snapshot.path.file_name().and_then(|n| n.to_str());
        if named != Some(Snapshot::file_name(service, version).as_str()) {
            return Err(SnapshotError::Misnamed {
                path: snapshot.path.clone(),
                service: service.to_owned(),
                version,
            });
        }
    }
    Ok(())
}

/// The longest service name that is made into a file name.
pub const MAX_SERVICE_NAME_LEN: usize = 100;

/// Checks that a service name from Tray can name a snapshot file (`<name>-<version>.json`)
/// in the snapshot folder and nowhere else: 1 to [`MAX_SERVICE_NAME_LEN`] ASCII letters,
/// digits, `-`, `_` and `.`, neither starting with `.` or `-` nor holding `..`. The error
/// says why, for a message that names the service with [`shown`].
///
/// ```
/// use tray_schema::snapshot::check_service_name;
/// assert!(check_service_name("http-client").is_ok());
/// assert!(check_service_name("../../x").is_err());
/// assert!(check_service_name("a/b").is_err());
/// ```
pub fn check_service_name(name: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if name.is_empty() {
        return Err("a service name must not be empty".to_owned());
    }
    if name.len() > MAX_SERVICE_NAME_LEN {
        return Err(format!(
            "a service name longer than {MAX_SERVICE_NAME_LEN} bytes does not make a file name"
        ));
    }
    if let Some(c) = name.chars().find(|c| !allowed(*c)) {
        return Err(format!(
            "{} cannot be in a file name (a service name is ASCII letters, digits, `-`, `_` and `.`)",
            shown(&c.to_string())
        ));
    }
    if name.starts_with(['.', '-']) || name.contains("..") {
        return Err("a service name must not start with `.` or `-`, nor hold `..`".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips_byte_for_byte() {
        let text = "{\n  \"connector\": {\n    \"service\": {\n      \"name\": \"x\",\n      \"version\": 2\n    },\n    \"name\": \"x\"\n  },\n  \"environments\": [\n    {\n      \"id\": \"a\",\n      \"zeta\": 1,\n      \"alpha\": 2\n    }\n  ]\n}\n";
        let snapshot = Snapshot::parse(Path::new("x-2.json"), text).unwrap();
        assert_eq!(snapshot.service_name(), "x");
        assert_eq!(snapshot.service_version(), 2);
        assert_eq!(snapshot.to_text(), text);
    }

    #[test]
    fn only_a_snapshot_read_from_a_file_reads_ref_files() {
        let text = r#"{"connector": {"service": {"name": "x", "version": 2}}, "environments": []}"#;
        let read = Snapshot::parse(Path::new("schemas/x-2.json"), text).unwrap();
        assert_eq!(read.ref_folder(), Some(Path::new("schemas")));
        let value: Value = serde_json::from_str(text).unwrap();
        let built = Snapshot::from_value("schemas/x-2.json", value.clone()).unwrap();
        assert_eq!(built.ref_folder(), None);
        assert_eq!(built.to_value(), value);
        let answered = Snapshot::new("x-2.json".into(), value["connector"].clone(), Vec::new());
        assert_eq!(answered.ref_folder(), None);
    }

    #[test]
    fn shape_errors_name_the_pointer() {
        let err = Snapshot::parse(
            Path::new("s.json"),
            r#"{"connector": {"service": {"name": "s"}}, "environments": []}"#,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "s.json#/connector/service/version: missing: the service version is an integer (at most 4294967295)"
        );
        let err = Snapshot::parse(Path::new("s.json"), "[1]").unwrap_err();
        assert!(err
            .to_string()
            .starts_with("s.json#: a snapshot is an object"));
    }
}
