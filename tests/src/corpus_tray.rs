//! The real connector schemas of `../shared/corpus`, wrapped as Tray services: one snapshot
//! file (`<service>-1.json`) per schema, in the exact format `tray-codegen fetch` writes, so
//! that fake-tray can serve them and tests can import rows for hundreds of services that no
//! generated module knows.
//!
//! Each schema becomes the `credentialsSchema` of a `Production` environment, verbatim. Schemas
//! that look like OAuth ([`looks_like_oauth`]) make OAuth services, shaped as Tray's import
//! guide describes them (`../shared/tray/API.md`, "OAuth services"): `Production` uses Tray's
//! own OAuth app, and an import normally targets a custom environment made by the account's
//! own OAuth app. Most OAuth services get one custom environment, a few two (so a row must
//! name one), a few none (so a row must name `Production`): see [`oauth_shape`].
//!
//! Everything is deterministic (sorted files, ids derived from names), so wrapping twice gives
//! the same bytes.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use tray_schema::snapshot::{check_service_name, Snapshot};

/// The service version every wrapped service has.
pub const SERVICE_VERSION: u32 = 1;

/// The title of the first custom environment of an OAuth service.
pub const CUSTOM_TITLE: &str = "My OAuth app";

/// The title of the second custom environment, for services that have two.
pub const SECOND_CUSTOM_TITLE: &str = "My second OAuth app";

/// The corpus folder beside the repository.
pub fn corpus_dir() -> PathBuf {
    crate::repo_root().join("../shared/corpus")
}

/// How a wrapped service authenticates, as its environments show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// `authenticationType` `token`: `Production` only.
    Token,
    /// `oauth2`, with this many custom environments besides `Production` (0, 1 or 2).
    OAuth {
        /// How many custom environments it has.
        custom: usize,
    },
}

/// One service environment of a wrapped service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    /// Its id (a UUID derived from the service name and the title).
    pub id: String,
    /// Its title: `Production`, or a custom one.
    pub title: String,
}

/// A corpus schema wrapped as a Tray service.
#[derive(Debug, Clone)]
pub struct CorpusService {
    /// The corpus file, for messages.
    pub file: PathBuf,
    /// The service name Tray would list (lowercase, `-`), unique in the corpus.
    pub name: String,
    /// Token or OAuth.
    pub auth: Auth,
    /// `Production` first, then any custom environments.
    pub environments: Vec<Environment>,
    /// The corpus schema, verbatim: every environment's `credentialsSchema`.
    pub schema: Value,
}

impl CorpusService {
    /// `Production`.
    pub fn production(&self) -> &Environment {
        &self.environments[0]
    }

    /// The custom environments (none for a token service).
    pub fn custom(&self) -> &[Environment] {
        &self.environments[1..]
    }

    /// The environment an import row that names none goes to: `Production` for a token
    /// service, the one custom environment for an OAuth service that has exactly one; `None`
    /// when the row must name one.
    pub fn default_environment(&self) -> Option<&Environment> {
        match self.auth {
            Auth::Token => Some(self.production()),
            Auth::OAuth { custom: 1 } => self.custom().first(),
            Auth::OAuth { .. } => None,
        }
    }

    /// The snapshot file of this service, as `tray-codegen fetch` writes it into `dir`.
    pub fn snapshot(&self, dir: &Path) -> Snapshot {
        let connector = json!({
            "name": self.name,
            "title": title_of(&self.schema, &self.name),
            "description": format!("The corpus schema {}, wrapped as a Tray service for tests.", corpus_relative(&self.file)),
            "service": {
                "id": derived_uuid(&format!("service {}", self.name)),
                "name": self.name,
                "version": SERVICE_VERSION,
            },
            "version": "1.0",
        });
        let authentication_type = match self.auth {
            Auth::Token => "token",
            Auth::OAuth { .. } => "oauth2",
        };
        let environments = self
            .environments
            .iter()
            .map(|env| {
                json!({
                    "id": env.id,
                    "title": env.title,
                    "authenticationType": authentication_type,
                    "userDataSchema": {},
                    "credentialsSchema": self.schema,
                    "scopes": [],
                })
            })
            .collect();
        Snapshot::new(
            dir.join(Snapshot::file_name(&self.name, SERVICE_VERSION)),
            connector,
            environments,
        )
    }
}

/// Every schema file of the corpus (`corpus/*/*.json`), sorted by path; files that are not
/// JSON (`LICENSE`, `SOURCES.tsv`, the README) are skipped.
pub fn schema_files(corpus: &Path) -> Result<Vec<PathBuf>, String> {
    let read =
        |dir: &Path| fs::read_dir(dir).map_err(|e| format!("{}: cannot read: {e}", dir.display()));
    let mut files = Vec::new();
    for folder in read(corpus)? {
        let folder = folder.map_err(|e| e.to_string())?.path();
        if !folder.is_dir() {
            continue;
        }
        for file in read(&folder)? {
            let path = file.map_err(|e| e.to_string())?.path();
            if path.extension().is_some_and(|ext| ext == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Reads the corpus and wraps each schema as a service, in file order.
pub fn corpus_services(corpus: &Path) -> Result<Vec<CorpusService>, String> {
    let mut taken = BTreeSet::new();
    let mut oauth_seen = 0;
    let mut services = Vec::new();
    for file in schema_files(corpus)? {
        let text = fs::read_to_string(&file)
            .map_err(|e| format!("{}: cannot read: {e}", file.display()))?;
        let schema: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not JSON: {e}", file.display()))?;
        let name = unique_name(&file, &mut taken)?;
        let auth = if looks_like_oauth(&schema) {
            oauth_seen += 1;
            Auth::OAuth {
                custom: oauth_shape(oauth_seen - 1),
            }
        } else {
            Auth::Token
        };
        let environments = environments(&name, auth);
        services.push(CorpusService {
            file,
            name,
            auth,
            environments,
            schema,
        });
    }
    Ok(services)
}

/// Wraps the corpus into `out` (created if need be): one snapshot file per schema. Returns the
/// services written.
pub fn write_snapshots(corpus: &Path, out: &Path) -> Result<Vec<CorpusService>, String> {
    let services = corpus_services(corpus)?;
    fs::create_dir_all(out).map_err(|e| format!("{}: cannot create: {e}", out.display()))?;
    for service in &services {
        let snapshot = service.snapshot(out);
        fs::write(&snapshot.path, snapshot.to_text())
            .map_err(|e| format!("{}: cannot write: {e}", snapshot.path.display()))?;
    }
    Ok(services)
}

/// Whether a schema looks like an OAuth service's credentials: somewhere in it, an object's
/// properties hold `client_id` beside `client_secret` or `refresh_token` (61 of the 395
/// corpus schemas, most of them as one choice of a `oneOf` of auth methods).
pub fn looks_like_oauth(schema: &Value) -> bool {
    match schema {
        Value::Object(map) => {
            let oauth_properties = map
                .get("properties")
                .and_then(Value::as_object)
                .is_some_and(|properties| {
                    let has = |key: &str| properties.keys().any(|k| k.eq_ignore_ascii_case(key));
                    has("client_id") && (has("client_secret") || has("refresh_token"))
                });
            oauth_properties || map.values().any(looks_like_oauth)
        }
        Value::Array(items) => items.iter().any(looks_like_oauth),
        _ => false,
    }
}

/// How many custom environments the `index`-th OAuth service (in file order) has: every 20th
/// from the first has two (a row must name one), every 20th from the 11th has none (a row must
/// name `Production`), the others one (a row may name none).
pub fn oauth_shape(index: usize) -> usize {
    match index % 20 {
        0 => 2,
        10 => 0,
        _ => 1,
    }
}

fn environments(service: &str, auth: Auth) -> Vec<Environment> {
    let custom = match auth {
        Auth::Token => 0,
        Auth::OAuth { custom } => custom,
    };
    ["Production", CUSTOM_TITLE, SECOND_CUSTOM_TITLE][..=custom]
        .iter()
        .map(|title| Environment {
            id: derived_uuid(&format!("environment {service} {title}")),
            title: (*title).to_owned(),
        })
        .collect()
}

/// A Tray-like service name from a file's stem (lowercase ASCII letters and digits, words
/// joined by `-`), made unique among `taken` by its folder's name, then a number.
fn unique_name(file: &Path, taken: &mut BTreeSet<String>) -> Result<String, String> {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy())
        .unwrap_or_default();
    let folder = file
        .parent()
        .and_then(Path::file_name)
        .map(|s| s.to_string_lossy())
        .unwrap_or_default();
    let base = slug(&stem);
    let mut name = base.clone();
    if taken.contains(&name) {
        name = format!("{base}-{}", slug(&folder));
    }
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base}-{}-{n}", slug(&folder));
        n += 1;
    }
    check_service_name(&name).map_err(|why| format!("{}: {why}", file.display()))?;
    taken.insert(name.clone());
    Ok(name)
}

/// Lowercase ASCII letters and digits; anything else separates words with one `-`.
fn slug(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "service".to_owned()
    } else {
        slug.to_owned()
    }
}

/// The connector's title: the schema's own `title` when it has one, else the name.
fn title_of(schema: &Value, name: &str) -> String {
    schema
        .get("title")
        .and_then(Value::as_str)
        .map_or_else(|| name.to_owned(), str::to_owned)
}

/// `folder/file.json` of a corpus file.
fn corpus_relative(file: &Path) -> String {
    let mut parts: Vec<String> = file
        .iter()
        .rev()
        .take(2)
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    parts.reverse();
    parts.join("/")
}

/// A UUID (version 8, "custom") derived from `text`: the same text always gives the same id,
/// so wrapping twice gives the same bytes. Two 64-bit FNV-1a hashes with different offsets
/// make its 128 bits; collisions among a few hundred names are not a concern.
pub fn derived_uuid(text: &str) -> String {
    let fnv = |offset: u64| {
        text.bytes().fold(offset, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&fnv(0xcbf2_9ce4_8422_2325).to_be_bytes());
    bytes[8..].copy_from_slice(&fnv(0x6c62_272e_07bb_0142).to_be_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x80; // version 8
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
    let mut id = String::with_capacity(36);
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            id.push('-');
        }
        let _ = write!(id, "{byte:02x}");
    }
    id
}
