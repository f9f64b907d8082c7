//! `tray-codegen fetch`: downloads service environments from Tray into snapshot files.
//!
//! For each service version wanted, it takes the service's entry of `GET /connectors` and the
//! `elements` of `GET /services/{name}/versions/{version}/environments`, and writes them
//! verbatim as a [`Snapshot`] (`schemas/slack-4.json`). The same answers from Tray always give
//! the same bytes, so a re-fetch that changes nothing leaves `git status` clean, and
//! `--check` can tell whether Tray changed a schema since the snapshots were taken.
//!
//! The master token is read from `TRAY_MASTER_TOKEN`, never from a flag (flags end up in
//! shell history and process lists).

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tray_auth::client::{Client, ClientBuilder, Region};
use tray_auth::Secret;

use crate::snapshot::{self, Snapshot, SnapshotError};
use tray_schema::printable::shown;
use tray_schema::snapshot::check_service_name;

pub use crate::online::TOKEN_VARIABLE;

/// Fetch snapshots of Tray service environments.
///
/// With `SERVICE@VERSION`s, fetches those; with `--all`, every service `GET /connectors`
/// lists; with neither, refreshes the snapshots already in `--out`. The master token is read
/// from the `TRAY_MASTER_TOKEN` environment variable.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "\
Examples:
  TRAY_MASTER_TOKEN=... tray-codegen fetch slack@4 mailchimp@1 --region eu
  TRAY_MASTER_TOKEN=... tray-codegen fetch --region us --check
  TRAY_MASTER_TOKEN=tok tray-codegen fetch --all --base-url http://127.0.0.1:8787/core/v1")]
pub struct FetchArgs {
    /// Service versions to fetch, as `slack@4` (the service version, not the connector's).
    #[arg(value_name = "SERVICE@VERSION")]
    pub services: Vec<ServiceVersion>,
    /// Fetch every service version that `GET /connectors` lists.
    #[arg(long, conflicts_with = "services")]
    pub all: bool,
    /// The Tray region to fetch from: us, eu or apac.
    #[arg(
        long,
        value_name = "REGION",
        required_unless_present = "base_url",
        conflicts_with = "base_url"
    )]
    pub region: Option<Region>,
    /// Fetch from this REST base instead of a region's (`http://127.0.0.1:8787/core/v1`).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// The snapshot folder.
    #[arg(long, value_name = "DIR", default_value = "schemas")]
    pub out: PathBuf,
    /// Write nothing; exit with status 1, listing the services that changed, when Tray's
    /// answers differ from the snapshots.
    #[arg(long)]
    pub check: bool,
    /// How many services to fetch at once (all within Tray's rate limit).
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub jobs: usize,
}

/// A service name and service version, written `slack@4`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceVersion {
    /// The service name, as Tray spells it.
    pub name: String,
    /// The service version.
    pub version: u32,
}

impl ServiceVersion {
    /// The snapshot file name: `slack-4.json`.
    pub fn file_name(&self) -> String {
        Snapshot::file_name(&self.name, self.version)
    }
}

impl fmt::Display for ServiceVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.name, self.version)
    }
}

impl FromStr for ServiceVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let hint = "write a service version as SERVICE@VERSION, with the service version an integer: `slack@4`";
        let (name, version) = s.rsplit_once('@').ok_or_else(|| format!("`{s}`: {hint}"))?;
        let version = version
            .parse()
            .map_err(|_| format!("`{s}`: `{version}` is not an integer; {hint}"))?;
        if let Err(why) = check_service_name(name) {
            return Err(format!("{}: {why}; {hint}", shown(s)));
        }
        Ok(ServiceVersion {
            name: name.to_owned(),
            version,
        })
    }
}

/// Which service versions to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// These, each of which must be listed by `GET /connectors`.
    Named(Vec<ServiceVersion>),
    /// Every service version `GET /connectors` lists.
    All,
    /// The ones already in the snapshot folder (one Tray no longer lists is reported, not
    /// deleted).
    Existing,
}

/// Why `fetch` failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// No master token in the environment.
    #[error("no master token: set {TOKEN_VARIABLE} to a master token from Tray's Embedded dashboard (Settings, Tokens)")]
    NoToken,
    /// A call to Tray failed.
    #[error("{context}: {source}")]
    Tray {
        /// What was being fetched.
        context: String,
        /// The client's error (it never holds the token).
        source: tray_auth::client::Error,
    },
    /// A named service version is not in `GET /connectors`.
    #[error("{wanted}: Tray lists no such service version{hint}")]
    UnknownService {
        /// The service version asked for.
        wanted: ServiceVersion,
        /// The versions Tray does list for that name, if any.
        hint: String,
    },
    /// Nothing was named, `--all` was not given, and the snapshot folder is empty.
    #[error(
        "nothing to fetch: {0} holds no snapshots; name service versions (`slack@4`) or pass --all"
    )]
    NothingToFetch(PathBuf),
    /// The client could not be set up.
    #[error("{0}")]
    Client(tray_auth::client::Error),
    /// A snapshot in the folder could not be read.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// A file could not be written.
    #[error("{path}: cannot write: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(io::Error),
}

/// What one snapshot's fetch came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The snapshot file is byte for byte what Tray answered.
    Unchanged,
    /// Tray's answer differs from the snapshot (written, unless checking).
    Changed,
    /// There was no snapshot (written, unless checking).
    New,
    /// A snapshot in the folder whose service version Tray no longer lists (left alone).
    NoLongerListed,
}

/// What `fetch` did, service by service (sorted by file name).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchSummary {
    /// Each service version and its outcome.
    pub services: Vec<(ServiceVersion, Outcome)>,
    /// Service versions that were not fetched because their name cannot name a snapshot file.
    pub refused: Vec<Refused>,
    /// Whether this was `--check` (nothing written).
    pub checked: bool,
}

/// A service version whose name cannot safely name a snapshot file (`../../x`, `a/b`, a name
/// holding NUL): it is not fetched, and nothing is written for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The service version, its name as Tray gave it (print it with `Display`, which escapes it).
    pub service: ServiceVersion,
    /// Why.
    pub reason: String,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "service {} version {}: refused, nothing written: {}",
            shown(&self.service.name),
            self.service.version,
            self.reason
        )
    }
}

impl FetchSummary {
    /// The service versions whose snapshot is not Tray's current answer.
    pub fn changed(&self) -> impl Iterator<Item = &(ServiceVersion, Outcome)> {
        self.services
            .iter()
            .filter(|(_, outcome)| *outcome != Outcome::Unchanged)
    }

    /// Success, except when a service was refused, or for `--check` when anything changed
    /// (status 1).
    pub fn exit_code(&self) -> ExitCode {
        if !self.refused.is_empty() || self.checked && self.changed().next().is_some() {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        }
    }
}

/// The `tray-codegen fetch` subcommand, whole: runs [`run`], prints any error as
/// `error: ...`, and returns the process status (1 on an error, or for `--check` when a
/// snapshot differs from Tray).
///
/// ```no_run
/// # use tray_codegen::fetch::{self, FetchArgs};
/// # fn wire(args: FetchArgs) -> std::process::ExitCode {
/// // in main.rs: Command::Fetch(args) => fetch::command(&args)
/// fetch::command(&args)
/// # }
/// ```
pub fn command(args: &FetchArgs) -> ExitCode {
    match run(args) {
        Ok(summary) => summary.exit_code(),
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `tray-codegen fetch`: reads the token from `TRAY_MASTER_TOKEN`, fetches, writes (or
/// checks), and prints what changed. Call [`FetchSummary::exit_code`] on the result for the
/// process status.
pub fn run(args: &FetchArgs) -> Result<FetchSummary, FetchError> {
    let token = std::env::var(TOKEN_VARIABLE)
        .ok()
        .filter(|token| !token.trim().is_empty())
        .ok_or(FetchError::NoToken)?;
    run_with_token(args, Secret::from(token.trim()))
}

/// [`run`], with the master token given rather than read from the environment.
pub fn run_with_token(args: &FetchArgs, master_token: Secret) -> Result<FetchSummary, FetchError> {
    let client = client_builder(master_token, args.region, args.base_url.as_deref())
        .build()
        .map_err(FetchError::Client)?;
    let selection = if args.all {
        Selection::All
    } else if args.services.is_empty() {
        Selection::Existing
    } else {
        Selection::Named(args.services.clone())
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(FetchError::Runtime)?;
    let summary = runtime.block_on(fetch(&client, &selection, &args.out, args.check, args.jobs))?;
    print_summary(&summary, &args.out);
    Ok(summary)
}

/// A client for Tray at the REST base `base_url` (a fake, a proxy) or else in `region` (the
/// US by default), as `fetch --base-url` and `--region` name it.
pub fn client_builder(
    master_token: Secret,
    region: Option<Region>,
    base_url: Option<&str>,
) -> ClientBuilder {
    let builder = Client::builder().master_token(master_token);
    match base_url {
        Some(url) => builder.base_url(url),
        None => builder.region(region.unwrap_or_default()),
    }
}

fn print_summary(summary: &FetchSummary, out: &Path) {
    for refused in &summary.refused {
        eprintln!("error: {refused}");
    }
    for (service, outcome) in &summary.services {
        let file = out.join(service.file_name());
        let line = match (outcome, summary.checked) {
            (Outcome::Unchanged, _) => continue,
            (Outcome::Changed, true) => format!(
                "{service}: changed: Tray's answer differs from {}",
                file.display()
            ),
            (Outcome::New, true) => {
                format!("{service}: new: {} does not exist yet", file.display())
            }
            (Outcome::Changed, false) => format!("{service}: updated {}", file.display()),
            (Outcome::New, false) => format!("{service}: wrote {}", file.display()),
            (Outcome::NoLongerListed, _) => {
                format!(
                    "{service}: Tray no longer lists it; {} was left alone",
                    file.display()
                )
            }
        };
        eprintln!("{line}");
    }
    let changed = summary.changed().count();
    let total = summary.services.len();
    match (summary.checked, changed) {
        (true, 0) => eprintln!("fetch --check: all {total} snapshots match Tray"),
        (true, n) => eprintln!("fetch --check: {n} of {total} snapshots differ from Tray; run `tray-codegen fetch` to update them"),
        (false, n) => eprintln!("fetch: {total} service versions fetched, {n} snapshots written or changed"),
    }
    if !summary.refused.is_empty() {
        eprintln!(
            "fetch: {} service versions refused: their names cannot name a file in {}",
            summary.refused.len(),
            out.display()
        );
    }
}

/// Fetches the selected service versions and writes their snapshots into `out` (or, with
/// `check`, only compares). Fetches up to `jobs` at once, all within the client's rate limit.
pub async fn fetch(
    client: &Client,
    selection: &Selection,
    out: &Path,
    check: bool,
    jobs: usize,
) -> Result<FetchSummary, FetchError> {
    let fetched = fetch_snapshots(client, selection, out, jobs).await?;
    let mut summary = FetchSummary {
        services: (fetched.not_listed.into_iter())
            .map(|service| (service, Outcome::NoLongerListed))
            .collect(),
        refused: fetched.refused,
        checked: check,
    };
    if !check && !fetched.snapshots.is_empty() {
        fs::create_dir_all(out).map_err(|source| FetchError::Write {
            path: out.to_owned(),
            source,
        })?;
    }
    for (service, snapshot) in fetched.snapshots {
        let text = snapshot.to_text();
        // What is there now may be anything (a device, a huge file): read as input is.
        let existing =
            crate::json_file::read_bytes(&snapshot.path, crate::json_file::MAX_FILE_BYTES);
        let outcome = match existing {
            Ok(existing) if existing == text.as_bytes() => Outcome::Unchanged,
            Ok(_) => Outcome::Changed,
            Err(_) => Outcome::New,
        };
        if !check && outcome != Outcome::Unchanged {
            crate::write::atomically(&snapshot.path, text.as_bytes()).map_err(|source| {
                FetchError::Write {
                    path: snapshot.path.clone(),
                    source,
                }
            })?;
        }
        tracing::debug!(%service, ?outcome, "snapshot");
        summary.services.push((service, outcome));
    }
    summary
        .services
        .sort_by_key(|(service, _)| service.file_name());
    Ok(summary)
}

/// What [`fetch_snapshots`] brought back from Tray; nothing is written.
#[derive(Debug, Clone, Default)]
pub struct Fetched {
    /// Each service version fetched, with its snapshot as Tray serves it now (its `path` is
    /// where it goes in `out`), in no particular order.
    pub snapshots: Vec<(ServiceVersion, Snapshot)>,
    /// Snapshots in `out` whose service version Tray no longer lists
    /// ([`Selection::Existing`]).
    pub not_listed: Vec<ServiceVersion>,
    /// Service versions not fetched, because their name cannot name a snapshot file.
    pub refused: Vec<Refused>,
}

/// Fetches the selected service versions from Tray, up to `jobs` at once (all within the
/// client's rate limit), and writes nothing: [`fetch`] writes or compares what this returns,
/// and a build script's online check ([`crate::online`]) diffs it against its snapshots.
pub async fn fetch_snapshots(
    client: &Client,
    selection: &Selection,
    out: &Path,
    jobs: usize,
) -> Result<Fetched, FetchError> {
    let connectors = client
        .list_connectors()
        .await
        .map_err(|source| FetchError::Tray {
            context: "listing connectors".into(),
            source,
        })?;
    let listed = index_connectors(connectors);
    let candidates = candidates(selection, &listed, out)?;
    let mut fetched = Fetched::default();
    let wanted = snapshot_paths(candidates, out, &mut fetched.refused);

    let progress = if wanted.len() >= 10 {
        ProgressBar::new(wanted.len() as u64)
    } else {
        ProgressBar::hidden()
    };
    if let Ok(style) =
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} service versions")
    {
        progress.set_style(style.progress_chars("=> "));
    }
    progress.set_message("fetching");

    let permits = Arc::new(Semaphore::new(jobs.max(1)));
    let mut tasks = JoinSet::new();
    for (path, (service, connector)) in wanted {
        let Some(connector) = connector else {
            fetched.not_listed.push(service);
            progress.inc(1);
            continue;
        };
        let client = client.clone();
        let permits = permits.clone();
        tasks.spawn(async move {
            // The semaphore is never closed, so acquiring only fails if it were.
            let _permit = permits.acquire_owned().await.ok();
            let environments = client
                .list_service_environments(&service.name, service.version)
                .await;
            (service, path, connector, environments)
        });
    }
    while let Some(joined) = tasks.join_next().await {
        let Ok((service, path, connector, environments)) = joined else {
            // A task only ends without a value if it panicked; the client does not panic.
            continue;
        };
        progress.inc(1);
        let environments = environments.map_err(|source| FetchError::Tray {
            context: format!("fetching the environments of {service}"),
            source,
        })?;
        let snapshot = Snapshot::new(path, connector, environments);
        fetched.snapshots.push((service, snapshot));
    }
    progress.finish_and_clear();
    Ok(fetched)
}

/// The service versions a selection names, each with its entry of `GET /connectors` (`None`:
/// a snapshot in `out` whose service version Tray no longer lists).
fn candidates(
    selection: &Selection,
    listed: &BTreeMap<ServiceVersion, Value>,
    out: &Path,
) -> Result<Vec<(ServiceVersion, Option<Value>)>, FetchError> {
    let mut candidates = Vec::new();
    match selection {
        Selection::All => {
            for (service, connector) in listed {
                candidates.push((service.clone(), Some(connector.clone())));
            }
        }
        Selection::Named(services) => {
            for service in services {
                let connector = listed
                    .get(service)
                    .cloned()
                    .ok_or_else(|| unknown_service(service, listed))?;
                candidates.push((service.clone(), Some(connector)));
            }
        }
        Selection::Existing => {
            let existing = if out.is_dir() {
                snapshot::read_dir(out)?
            } else {
                Vec::new()
            };
            if existing.is_empty() {
                return Err(FetchError::NothingToFetch(out.to_owned()));
            }
            for snapshot in existing {
                let service = ServiceVersion {
                    name: snapshot.service_name().to_owned(),
                    version: snapshot.service_version(),
                };
                let connector = listed.get(&service).cloned();
                candidates.push((service, connector));
            }
        }
    }
    Ok(candidates)
}

/// Where each service version's snapshot goes, by path. A service whose name cannot name a
/// file in `out` (see [`check_service_name`]), or whose file name differs only in case from
/// another's (one file, on macOS and Windows), is refused instead: it is never fetched, and
/// nothing is written for it.
fn snapshot_paths(
    candidates: Vec<(ServiceVersion, Option<Value>)>,
    out: &Path,
    refused: &mut Vec<Refused>,
) -> BTreeMap<PathBuf, (ServiceVersion, Option<Value>)> {
    let mut wanted = BTreeMap::new();
    let mut folded: BTreeMap<String, String> = BTreeMap::new();
    for (service, connector) in candidates {
        let file_name = service.file_name();
        let path = out.join(&file_name);
        // Checked name or not, the path must be a file right inside `out`.
        let why = check_service_name(&service.name).err().or_else(|| {
            (path.parent() != Some(out) || path.file_name() != Some(file_name.as_ref()))
                .then(|| "the file would not be inside the snapshot folder".to_owned())
        });
        let why = why.or_else(|| {
            let first = folded
                .entry(file_name.to_lowercase())
                .or_insert_with(|| file_name.clone());
            (*first != file_name).then(|| format!("its file name differs only in case from `{first}`, and would be the same file on some systems"))
        });
        match why {
            Some(reason) => refused.push(Refused { service, reason }),
            None => {
                wanted.insert(path, (service, connector));
            }
        }
    }
    wanted
}

/// `GET /connectors`' entries by service version. Entries without a service name and version
/// are skipped; of two entries for one service version, the first is kept.
fn index_connectors(connectors: Vec<Value>) -> BTreeMap<ServiceVersion, Value> {
    let mut listed = BTreeMap::new();
    let mut seen = HashSet::new();
    for connector in connectors {
        // An empty name is kept, to be refused by name like any other that makes no file name.
        let Some((name, version)) = snapshot::listed_service(&connector) else {
            tracing::warn!("skipping a connector entry without a service name and version");
            continue;
        };
        let service = ServiceVersion {
            name: name.to_owned(),
            version,
        };
        if seen.insert(service.clone()) {
            listed.insert(service, connector);
        }
    }
    listed
}

fn unknown_service(
    wanted: &ServiceVersion,
    listed: &BTreeMap<ServiceVersion, Value>,
) -> FetchError {
    let versions: Vec<String> = listed
        .keys()
        .filter(|s| s.name == wanted.name)
        .map(ToString::to_string)
        .collect();
    let hint = if versions.is_empty() {
        "; check the service name (GET /connectors lists them, or fetch --all)".to_owned()
    } else {
        format!("; Tray lists {}", versions.join(", "))
    };
    FetchError::UnknownService {
        wanted: wanted.clone(),
        hint,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_versions_parse_and_explain() {
        assert_eq!(
            "http-client@5".parse(),
            Ok(ServiceVersion {
                name: "http-client".into(),
                version: 5
            })
        );
        assert!("slack"
            .parse::<ServiceVersion>()
            .unwrap_err()
            .contains("SERVICE@VERSION"));
        assert!("slack@9.0"
            .parse::<ServiceVersion>()
            .unwrap_err()
            .contains("`9.0` is not an integer"));
        assert!("../x@1".parse::<ServiceVersion>().is_err());
    }

    #[test]
    fn unknown_services_name_the_versions_tray_has() {
        let listed = index_connectors(vec![
            serde_json::json!({"service": {"name": "slack", "version": 4}}),
        ]);
        let err = unknown_service(&"slack@3".parse().unwrap(), &listed);
        assert_eq!(
            err.to_string(),
            "slack@3: Tray lists no such service version; Tray lists slack@4"
        );
    }

    #[test]
    fn names_that_make_no_file_name_in_out_are_refused() {
        let listed = index_connectors(
            ["good", "", "../x", "Good", "x\0y", "good", "goOD"]
                .iter()
                .map(|name| serde_json::json!({"service": {"name": name, "version": 1}}))
                .collect(),
        );
        let candidates = listed.into_iter().map(|(s, c)| (s, Some(c))).collect();
        let mut refused = Vec::new();
        let wanted = snapshot_paths(candidates, Path::new("out"), &mut refused);
        assert_eq!(
            wanted.keys().collect::<Vec<_>>(),
            [Path::new("out/Good-1.json")]
        );
        let refused: Vec<String> = refused.iter().map(ToString::to_string).collect();
        assert_eq!(refused.len(), 5, "{refused:?}");
        assert!(refused[0].starts_with("service \"\" version 1: refused, nothing written: a service name must not be empty"), "{refused:?}");
        assert!(
            refused[1].starts_with("service \"../x\" version 1: refused"),
            "{refused:?}"
        );
        assert!(
            refused[2].starts_with("service \"goOD\" version 1: refused")
                && refused[2].contains("differs only in case from `Good-1.json`"),
            "{refused:?}"
        );
        assert!(
            refused[3].starts_with("service \"good\" version 1: refused")
                && refused[3].contains("differs only in case from `Good-1.json`"),
            "{refused:?}"
        );
        assert!(
            refused[4].starts_with(r#"service "x\0y" version 1: refused"#),
            "{refused:?}"
        );
    }

    #[test]
    fn args_need_a_region_or_a_base_url() {
        use clap::Parser;
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            fetch: FetchArgs,
        }
        assert!(Cli::try_parse_from(["x", "slack@4"]).is_err());
        assert!(
            Cli::try_parse_from(["x", "--region", "eu", "--base-url", "http://127.0.0.1:1"])
                .is_err()
        );
        let cli = Cli::try_parse_from(["x", "slack@4", "--region", "eu", "--check"]).unwrap();
        assert_eq!(cli.fetch.region, Some(Region::Eu));
        assert!(cli.fetch.check);
        assert!(Cli::try_parse_from(["x", "--region", "mars"]).is_err());
    }
}
