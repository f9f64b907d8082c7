//! Typed Tray credentials: turns Tray service environment schemas into Rust types.
//!
//! Snapshots of Tray's answers (`schemas/*.json`, see [`snapshot`]) go through four stages,
//! one module each: [`schema`] reads a loose JSON Schema into a normalized model with
//! diagnostics, [`plan`] plans Rust types (names, fields, enums, secrets, checks), [`emit`]
//! writes tokens with `quote`, and [`generate`] assembles modules and formats them with
//! `prettyplease`.
//!
//! [`Config`] is the whole public surface for most uses, from the `tray-codegen` binary or
//! from a build script:
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), tray_codegen::Error> {
//!     tray_codegen::Config::new().schemas_dir("schemas").compile()
//! }
//! // src/lib.rs: include!(concat!(env!("OUT_DIR"), "/tray_connectors.rs"));
//! ```

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use quote::quote;
use serde_json::Value;

pub mod diff;
pub mod doc;
pub mod emit;
#[cfg(feature = "fetch")]
pub mod fetch;
pub mod generate;
pub mod names;
pub mod online;
pub mod plan;
pub mod select;
mod write;

use tray_schema::snapshot::SnapshotError;
pub use tray_schema::{self as schema, diagnostic, json_file, snapshot, Diagnostic};

/// What can stop generation. Schemas the generator does not understand never do: they give
/// [`Diagnostic`]s instead.
#[derive(thiserror::Error)]
pub enum Error {
    /// A snapshot could not be read.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A build script ran without `OUT_DIR` and none was given.
    #[error("OUT_DIR is not set: call `Config::out_dir` or run from a build script")]
    NoOutDir,
    /// A bug in the generator: the code it made does not parse. Please report it with the schema.
    #[error("internal error: {0}")]
    Internal(String),
    /// `rustfmt`, which formats the files of the committed crate as `cargo fmt` would, could
    /// not run or failed.
    #[error("{0}")]
    Rustfmt(String),
    /// A [`Config::only`] entry that is malformed or matches no snapshot.
    #[error("{}: `only`: {source}", folder.display())]
    Selection {
        /// The snapshot folder.
        folder: PathBuf,
        /// Which entry, and why.
        source: select::SelectionError,
    },
    /// The online check ([`online`]) could not run, or found that Tray serves something else.
    #[error(transparent)]
    Online(#[from] online::OnlineError),
}

/// `Debug` is the message: a build script's `fn main() -> Result<(), Error>` prints its error
/// with `Debug`, and a person building should read what went wrong and what to do, with its
/// line breaks, not the enum that holds it.
impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// How to generate. Options are builder methods:
///
/// ```no_run
/// let generation = tray_codegen::Config::new().schemas_dir("schemas").generate_crate()?;
/// generation.write("generated")?;
/// # Ok::<(), tray_codegen::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    schemas_dir: PathBuf,
    out_dir: Option<PathBuf>,
    cargo_warnings: bool,
    only: Vec<String>,
    /// `None`: [`Config::compile`] reads the environment ([`online`]).
    online: Option<Option<online::OnlineCheck>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            schemas_dir: PathBuf::from("schemas"),
            out_dir: None,
            cargo_warnings: true,
            only: Vec::new(),
            online: None,
        }
    }
}

/// Every connector of a folder as one token stream, not yet formatted: what
/// [`Config::generate_single_file`] formats and what `tray_macros::connectors!` expands to.
#[derive(Debug, Clone)]
pub struct ConnectorTokens {
    /// A module per connector, then `CONNECTORS`.
    pub tokens: proc_macro2::TokenStream,
    /// What the generator did not fully understand.
    pub diagnostics: Vec<Diagnostic>,
    /// Every file read: each snapshot of the folder, and each file a selected snapshot's
    /// `$ref`s read (for a macro to track, so that editing one rebuilds).
    pub files: Vec<PathBuf>,
}

/// One generated file, not yet written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Where it goes, relative to the output folder.
    pub path: PathBuf,
    /// Its text.
    pub contents: String,
}

/// The result of a generation: files and the diagnostics met on the way.
#[derive(Debug, Clone)]
pub struct Generation {
    /// The files, in a stable order.
    pub files: Vec<GeneratedFile>,
    /// What the generator did not fully understand.
    pub diagnostics: Vec<Diagnostic>,
}

/// A generated file on disk that is not what the snapshots produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// The file.
    pub path: PathBuf,
    /// A unified diff from the file on disk to what it should be.
    pub diff: String,
}

impl Config {
    /// Snapshots from `schemas/`.
    pub fn new() -> Self {
        Self::default()
    }

    /// The folder of snapshot files.
    #[must_use]
    pub fn schemas_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.schemas_dir = dir.into();
        self
    }

    /// Where [`Config::compile`] writes (default: `OUT_DIR`).
    #[must_use]
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Whether [`Config::compile`] passes diagnostics on as `cargo:warning` lines (default:
    /// yes).
    #[must_use]
    pub fn cargo_warnings(mut self, yes: bool) -> Self {
        self.cargo_warnings = yes;
        self
    }

    /// Only these snapshots of the folder (default: all of them): each entry a service name
    /// (`"mailchimp"`: every version of it there) or a service version (`"slack@4"`). An
    /// entry that matches no snapshot is an error listing what the folder holds. Module names
    /// stay those of the whole folder (`slack_v4` when `slack-3.json` is there too).
    ///
    /// ```no_run
    /// tray_codegen::Config::new().only(["mailchimp", "slack@4"]).compile()?;
    /// # Ok::<(), tray_codegen::Error>(())
    /// ```
    #[must_use]
    pub fn only<I, S>(mut self, entries: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.only = entries.into_iter().map(Into::into).collect();
        self
    }

    /// Whether [`Config::compile`] checks the snapshots against the live Tray: `Some(check)`
    /// does, `None` never does. Without this, [`Config::compile`] reads `TRAY_ONLINE` and the
    /// rest from the environment ([`online::OnlineCheck::from_lookup`]).
    #[must_use]
    pub fn online(mut self, check: Option<online::OnlineCheck>) -> Self {
        self.online = Some(check);
        self
    }

    /// The folder's snapshots, and which of them [`Config::only`] selects.
    fn snapshots(&self) -> Result<(Vec<snapshot::Snapshot>, Vec<bool>), Error> {
        let snapshots = snapshot::read_dir(&self.schemas_dir)?;
        let keep = select::selected(&self.only, &snapshots).map_err(|source| Error::Selection {
            folder: self.schemas_dir.clone(),
            source,
        })?;
        Ok((snapshots, keep))
    }

    fn modules(&self) -> Result<(Vec<generate::ConnectorModule>, Vec<Diagnostic>), Error> {
        let (snapshots, keep) = self.snapshots()?;
        self.modules_of(&snapshots, &keep)
    }

    /// The pipeline every output shares: plans each selected connector of the folder's
    /// snapshots, and emits its module.
    fn modules_of(
        &self,
        snapshots: &[snapshot::Snapshot],
        keep: &[bool],
    ) -> Result<(Vec<generate::ConnectorModule>, Vec<Diagnostic>), Error> {
        let mut diagnostics = Vec::new();
        let plans = plan::connector::connectors_of(snapshots, keep, &mut diagnostics)?;
        let modules = plans
            .into_iter()
            .map(generate::ConnectorModule::new)
            .collect();
        Ok((modules, diagnostics))
    }

    /// Every selected connector as inline modules, then `CONNECTORS`, unformatted, with the
    /// diagnostics met and the files read: the one pipeline behind
    /// [`Config::generate_single_file`] and `tray_macros::connectors!`.
    pub fn connector_tokens(&self) -> Result<ConnectorTokens, Error> {
        let (snapshots, keep) = self.snapshots()?;
        self.tokens_of(&snapshots, &keep)
    }

    fn tokens_of(
        &self,
        snapshots: &[snapshot::Snapshot],
        keep: &[bool],
    ) -> Result<ConnectorTokens, Error> {
        let (modules, diagnostics) = self.modules_of(snapshots, keep)?;
        let tokens = generate::inline_modules(&modules);
        let mut files: Vec<PathBuf> = snapshots.iter().map(|s| s.path.clone()).collect();
        for module in &modules {
            for file in &module.plan.ref_files {
                if !files.contains(file) {
                    files.push(file.clone());
                }
            }
        }
        Ok(ConnectorTokens {
            tokens,
            diagnostics,
            files,
        })
    }

    /// [`Config::generate_single_file`] of tokens made.
    fn single_file(&self, tokens: ConnectorTokens) -> Result<Generation, Error> {
        let folder = self
            .schemas_dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy();
        let files = vec![GeneratedFile {
            path: PathBuf::from("tray_connectors.rs"),
            contents: generate::single_file(tokens.tokens, &folder)?,
        }];
        Ok(Generation {
            files,
            diagnostics: tokens.diagnostics,
        })
    }

    /// The files of the `tray-connectors` crate: `Cargo.toml`, `src/lib.rs` and a module per
    /// snapshot, relative to the crate's folder.
    pub fn generate_crate(&self) -> Result<Generation, Error> {
        let (modules, diagnostics) = self.modules()?;
        let mut files = vec![
            GeneratedFile {
                path: PathBuf::from("Cargo.toml"),
                contents: generate::cargo_toml(&modules),
            },
            GeneratedFile {
                path: PathBuf::from("src/lib.rs"),
                contents: generate::lib_rs(&modules)?,
            },
        ];
        for module in &modules {
            files.push(GeneratedFile {
                path: PathBuf::from(format!("src/{}.rs", module.plan.module)),
                contents: generate::module_file(module)?,
            });
        }
        Ok(Generation { files, diagnostics })
    }

    /// One file holding every connector as an inline module, for `include!`.
    pub fn generate_single_file(&self) -> Result<Generation, Error> {
        self.single_file(self.connector_tokens()?)
    }

    /// For build scripts: writes `tray_connectors.rs` to `OUT_DIR` (or [`Config::out_dir`]),
    /// asks cargo to rerun when a snapshot changes, and passes diagnostics on as cargo warnings.
    ///
    /// With `TRAY_ONLINE=1` (see [`online`]; or [`Config::online`]), it first asks Tray for
    /// the service versions its snapshots hold, and fails with the diff and the command that
    /// refreshes them when Tray serves something else; it never writes a snapshot. Otherwise
    /// it contacts nothing.
    pub fn compile(&self) -> Result<(), Error> {
        let out_dir = match &self.out_dir {
            Some(dir) => dir.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or(Error::NoOutDir)?,
        };
        println!("cargo:rerun-if-changed={}", self.schemas_dir.display());
        for variable in online::VARIABLES {
            println!("cargo:rerun-if-env-changed={variable}");
        }
        let online = match &self.online {
            Some(check) => check.clone(),
            None => online::OnlineCheck::from_lookup(|name| std::env::var(name).ok())?,
        };
        let (snapshots, keep) = self.snapshots()?;
        let tokens = self.tokens_of(&snapshots, &keep)?;
        if let Some(check) = online {
            let selected: Vec<&snapshot::Snapshot> = (snapshots.iter().zip(&keep))
                .filter_map(|(s, keep)| keep.then_some(s))
                .collect();
            let folder = std::path::absolute(&self.schemas_dir).map_err(|source| Error::Io {
                path: self.schemas_dir.clone(),
                source,
            })?;
            check.run(&selected, &folder)?;
        }
        let generation = self.single_file(tokens)?;
        if self.cargo_warnings {
            for diagnostic in &generation.diagnostics {
                println!(
                    "cargo:warning={}",
                    diagnostic.to_string().replace('\n', " ")
                );
            }
        }
        generation.write(out_dir)
    }
}

impl Generation {
    /// Writes every file under `root`, creating folders as needed; files whose text is
    /// unchanged are not touched, so cargo does not rebuild for nothing.
    pub fn write(&self, root: impl AsRef<Path>) -> Result<(), Error> {
        for file in &self.files {
            // Module names are checked where they are made; this makes sure nothing else slips.
            let inside = file
                .path
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
            if !inside {
                return Err(Error::Internal(format!(
                    "{} would be written outside {}",
                    file.path.display(),
                    root.as_ref().display()
                )));
            }
            let path = root.as_ref().join(&file.path);
            if fs::read_to_string(&path).is_ok_and(|old| old == file.contents) {
                continue;
            }
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|source| Error::Io {
                    path: parent.to_owned(),
                    source,
                })?;
            }
            write::atomically(&path, file.contents.as_bytes()).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
        }
        Ok(())
    }

    /// Removes `*.rs` files under `root/src` that this generation does not produce (modules of
    /// snapshots that were deleted).
    pub fn remove_leftovers(&self, root: impl AsRef<Path>) -> Result<Vec<PathBuf>, Error> {
        let mut removed = Vec::new();
        for path in self.leftovers(root.as_ref())? {
            fs::remove_file(&path).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            removed.push(path);
        }
        Ok(removed)
    }

    fn leftovers(&self, root: &Path) -> Result<Vec<PathBuf>, Error> {
        let src = root.join("src");
        let Ok(entries) = fs::read_dir(&src) else {
            return Ok(Vec::new());
        };
        let mut leftovers = Vec::new();
        for entry in entries {
            let path = entry
                .map_err(|source| Error::Io {
                    path: src.clone(),
                    source,
                })?
                .path();
            let relative = path.strip_prefix(root).unwrap_or(&path).to_owned();
            if path.extension().is_some_and(|e| e == "rs")
                && !self.files.iter().any(|f| f.path == relative)
            {
                leftovers.push(path);
            }
        }
        leftovers.sort();
        Ok(leftovers)
    }

    /// The files under `root` that differ from this generation, each with a diff; empty when
    /// everything is up to date.
    pub fn check(&self, root: impl AsRef<Path>) -> Result<Vec<Stale>, Error> {
        let root = root.as_ref();
        let mut stale = Vec::new();
        for file in &self.files {
            let path = root.join(&file.path);
            let on_disk = fs::read_to_string(&path).unwrap_or_default();
            if on_disk != file.contents {
                let diff = similar::TextDiff::from_lines(&on_disk, &file.contents)
                    .unified_diff()
                    .context_radius(3)
                    .header(
                        &format!("{} (on disk)", path.display()),
                        &format!("{} (from schemas/)", path.display()),
                    )
                    .to_string();
                stale.push(Stale { path, diff });
            }
        }
        for path in self.leftovers(root)? {
            let mut diff = String::new();
            let _ = writeln!(
                diff,
                "{} is not generated from any snapshot: delete it, or run `generate`",
                path.display()
            );
            stale.push(Stale { path, diff });
        }
        Ok(stale)
    }
}

/// The Rust types for one bare JSON Schema: a root struct `name` (or whatever type the schema
/// is) and everything it uses, formatted, with the diagnostics met.
///
/// A root that is not an object schema (`{"type": "integer"}`, `true`, an array) gives a type
/// alias (`pub type Credentials = i64;`), with a warning. A `name` that generated code uses
/// for a prelude item (`String`, `Option`, `Vec`, ...) is given a `Type` suffix
/// (`StringType`), with a warning, so that the code compiles.
///
/// ```
/// let schema = serde_json::json!({
///     "type": "object",
///     "properties": { "apiKey": { "type": "string", "title": "API key" } },
///     "required": ["apiKey"]
/// });
/// let (code, diagnostics) = tray_codegen::schema_to_rust(&schema, "Credentials", None).unwrap();
/// assert!(code.contains("pub api_key: tray_auth::Secret,"));
/// assert!(diagnostics.is_empty());
/// ```
pub fn schema_to_rust(
    schema: &Value,
    name: &str,
    file: Option<&Path>,
) -> Result<(String, Vec<Diagnostic>), Error> {
    let planned = plan::schema::schema(schema, name, file);
    let code = generate::format(emit::schema(&planned), name)?;
    Ok((code, planned.diagnostics))
}

/// For tests of the generator on real schemas: [`schema_to_rust`], plus one probe struct per
/// property that gives a `default` or `examples`, and the values to feed it.
#[doc(hidden)]
pub fn schema_to_rust_with_probes(
    schema: &Value,
    name: &str,
    file: Option<&Path>,
) -> Result<ProbedCode, Error> {
    let planned = plan::schema::schema(schema, name, file);
    let taken: Vec<&str> = planned.types.iter().map(|t| t.name.as_str()).collect();
    let mut probes = Vec::new();
    let mut defs = Vec::new();
    for (i, samples) in planned.samples.iter().enumerate() {
        let mut probe_name = format!("Probe{i}");
        while taken.contains(&probe_name.as_str()) {
            probe_name.insert_str(0, "Sample");
        }
        let field = plan::Field {
            ident: "value".to_owned(),
            json_name: "value".to_owned(),
            doc: vec![format!("A sample value of `{}`.", samples.pointer)],
            required: true,
            default: None,
            ..samples.field.clone()
        };
        defs.push(plan::TypeDef {
            name: probe_name.clone(),
            doc: vec![format!("Holds a sample value of `{}`.", samples.pointer)],
            body: plan::Body::Struct(Box::new(plan::StructDef {
                fields: vec![field],
                deny_unknown: false,
                extra: None,
                extra_checks: plan::Checks::default(),
                extra_doc: Vec::new(),
                extra_secret: false,
                tag: None,
            })),
            schema: None,
        });
        probes.push(Probe {
            type_name: probe_name,
            values: samples.values.clone(),
        });
    }
    let tokens = emit::schema(&planned);
    let probe_tokens = emit::types_in(&defs, &planned.types);
    let code = generate::format(quote!(#tokens #probe_tokens), name)?;
    Ok(ProbedCode {
        code,
        diagnostics: planned.diagnostics,
        probes,
    })
}

/// What [`schema_to_rust_with_probes`] returns.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct ProbedCode {
    /// The code, probes included.
    pub code: String,
    /// The diagnostics.
    pub diagnostics: Vec<Diagnostic>,
    /// The probes.
    pub probes: Vec<Probe>,
}

/// A probe struct (`{ "value": .. }`) and the sample values of its property.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct Probe {
    /// The struct's name.
    pub type_name: String,
    /// Each sample's pointer and value.
    pub values: Vec<(String, Value)>,
}
