//! The opt-in check of a build against the live Tray, as sqlx's online mode: builds stay
//! offline and reproducible unless `TRAY_ONLINE=1` asks [`Config::compile`](crate::Config::compile)
//! to fetch the service versions its snapshots hold and fail when Tray serves something else.
//!
//! ```text
//! TRAY_ONLINE=1 TRAY_MASTER_TOKEN=... TRAY_REGION=eu cargo build
//! ```
//!
//! The check never writes a snapshot: it prints the `diff` (services with breaking changes
//! first) and the `tray-codegen fetch` command that refreshes them. It needs tray-codegen's
//! `fetch` feature (the HTTP client); without it, `TRAY_ONLINE=1` fails the build saying so.
//! The variables are read through [`OnlineCheck::from_lookup`], which tests feed a map.

use std::fmt;
use std::path::Path;

use tray_auth::Secret;
use tray_schema::snapshot::Snapshot;

/// The environment variable the master token is read from.
pub const TOKEN_VARIABLE: &str = "TRAY_MASTER_TOKEN";
/// `1` turns the online check on; unset, empty or `0` leaves builds offline.
pub const ONLINE_VARIABLE: &str = "TRAY_ONLINE";
/// The region to check against: `us`, `eu` or `apac`.
pub const REGION_VARIABLE: &str = "TRAY_REGION";
/// A REST base to check against instead of a region's (`http://127.0.0.1:8787/core/v1`).
pub const BASE_URL_VARIABLE: &str = "TRAY_BASE_URL";
/// Every variable the check reads: a build script declares each with
/// `cargo:rerun-if-env-changed`, so that setting or changing one reruns it.
pub const VARIABLES: [&str; 4] = [
    ONLINE_VARIABLE,
    TOKEN_VARIABLE,
    REGION_VARIABLE,
    BASE_URL_VARIABLE,
];

/// Where to check the snapshots, and with which master token.
#[derive(Clone)]
pub struct OnlineCheck {
    // Read settings without the `fetch` feature still fail the build, saying what to turn on.
    #[cfg_attr(not(feature = "fetch"), allow(dead_code))]
    master_token: Secret,
    tray: Tray,
}

/// The Tray to ask: a region's, or a REST base.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tray {
    Region(String),
    BaseUrl(String),
}

impl fmt::Debug for OnlineCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The token never reaches a log, not even through `{:?}` of a `Config`.
        f.debug_struct("OnlineCheck")
            .field("tray", &self.tray)
            .finish_non_exhaustive()
    }
}

/// Why the online check could not run, or what it found.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OnlineError {
    /// `TRAY_ONLINE=1` without what it needs, or with a value that is not understood.
    #[error("{0}")]
    Settings(String),
    /// `TRAY_ONLINE=1`, and tray-codegen was built without its `fetch` feature.
    #[error("{ONLINE_VARIABLE}=1 asks the build to check its snapshots against Tray, but tray-codegen was built without its `fetch` feature (the HTTP client): turn it on in [build-dependencies] (`tray-codegen = {{ ..., features = [\"fetch\"] }}`), or unset {ONLINE_VARIABLE} to build offline")]
    NoFetchFeature,
    /// Tray could not be asked (unreachable, the token refused, a service version it does
    /// not list).
    #[error("checking the snapshots in {folder} against Tray ({ONLINE_VARIABLE}=1): {reason}\nTo build without asking Tray, unset {ONLINE_VARIABLE}.")]
    Tray {
        /// The snapshot folder.
        folder: String,
        /// What went wrong (never the token).
        reason: String,
    },
    /// Tray serves something other than the snapshots: the diff and what to run.
    #[error("{0}")]
    Drift(String),
}

impl OnlineCheck {
    /// The check the variables ask for: `None` when `TRAY_ONLINE` is unset, empty, `0` or
    /// `false` (nothing else is read then, and nothing is fetched); with `TRAY_ONLINE=1` (or
    /// `true`), `TRAY_MASTER_TOKEN` and one of `TRAY_REGION` and `TRAY_BASE_URL` must be
    /// set. `lookup` gives a variable's value: `|name| std::env::var(name).ok()` in a build
    /// script, a map in tests.
    ///
    /// ```
    /// use tray_codegen::online::OnlineCheck;
    /// let offline = OnlineCheck::from_lookup(|_| None).unwrap();
    /// assert!(offline.is_none());
    /// let err = OnlineCheck::from_lookup(|name| (name == "TRAY_ONLINE").then(|| "1".to_owned()))
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("set TRAY_MASTER_TOKEN"));
    /// ```
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<OnlineCheck>, OnlineError> {
        let set = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        match set(ONLINE_VARIABLE).as_deref().map(str::trim) {
            None | Some("0" | "false") => return Ok(None),
            Some("1" | "true") => {}
            Some(_) => {
                return Err(OnlineError::Settings(format!(
                    "{ONLINE_VARIABLE} is set to something other than 1 or 0: set it to 1 to check the snapshots against Tray at build time, or to 0 (or unset it) to build offline"
                )))
            }
        }
        let Some(token) = set(TOKEN_VARIABLE) else {
            return Err(OnlineError::Settings(format!(
                "{ONLINE_VARIABLE}=1 checks the snapshots against Tray at build time: set {TOKEN_VARIABLE} to a master token from Tray's Embedded dashboard (Settings, Tokens), or unset {ONLINE_VARIABLE} to build offline"
            )));
        };
        let tray = match (set(REGION_VARIABLE), set(BASE_URL_VARIABLE)) {
            (Some(region), None) => Tray::Region(region.trim().to_owned()),
            (None, Some(url)) => Tray::BaseUrl(url.trim().to_owned()),
            (None, None) => {
                return Err(OnlineError::Settings(format!(
                    "{ONLINE_VARIABLE}=1 checks the snapshots against Tray at build time: set {REGION_VARIABLE} to your account's region (us, eu or apac), or {BASE_URL_VARIABLE} to a REST base (`http://127.0.0.1:8787/core/v1`)"
                )))
            }
            (Some(_), Some(_)) => {
                return Err(OnlineError::Settings(format!(
                    "both {REGION_VARIABLE} and {BASE_URL_VARIABLE} are set: set only one of them"
                )))
            }
        };
        let check = OnlineCheck {
            master_token: Secret::from(token.trim()),
            tray,
        };
        #[cfg(feature = "fetch")]
        check.region()?;
        Ok(Some(check))
    }

    /// The `--region` or `--base-url` flag that names this Tray to `tray-codegen fetch`.
    #[cfg(feature = "fetch")]
    fn flag(&self) -> String {
        match &self.tray {
            Tray::Region(region) => format!("--region {region}"),
            Tray::BaseUrl(url) => format!("--base-url {url}"),
        }
    }

    /// Fetches what Tray serves for each snapshot's service version, and fails with the diff
    /// and the command to run when anything differs. `folder` is where the snapshots are.
    #[cfg(not(feature = "fetch"))]
    pub(crate) fn run(&self, _snapshots: &[&Snapshot], _folder: &Path) -> Result<(), OnlineError> {
        Err(OnlineError::NoFetchFeature)
    }

    /// Fetches what Tray serves for each snapshot's service version, and fails with the diff
    /// and the command to run when anything differs. `folder` is where the snapshots are.
    #[cfg(feature = "fetch")]
    pub(crate) fn run(&self, snapshots: &[&Snapshot], folder: &Path) -> Result<(), OnlineError> {
        let live = self.fetch(snapshots, folder)?;
        let report = drift(snapshots, &live);
        if report.is_empty() {
            return Ok(());
        }
        let services: Vec<String> = report.iter().map(|(service, _)| service.clone()).collect();
        let mut text = format!(
            "the snapshots in {} differ from what Tray serves now ({ONLINE_VARIABLE}=1 checks them at build time):\n",
            shown_path(folder)
        );
        for (_, lines) in &report {
            text.push_str(lines);
        }
        text.push_str(&format!(
            "Refresh them from Tray (this writes the snapshots), review the change, and commit it:\n  cargo run -p tray-codegen -- fetch {} --out {} {}\nNothing was written. To build without asking Tray, unset {ONLINE_VARIABLE}.",
            self.flag(),
            shell_word(&shown_path(folder)),
            services.join(" ")
        ));
        Err(OnlineError::Drift(text))
    }

    #[cfg(feature = "fetch")]
    fn region(&self) -> Result<Option<tray_auth::client::Region>, OnlineError> {
        match &self.tray {
            Tray::Region(region) => region
                .parse()
                .map(Some)
                .map_err(|e| OnlineError::Settings(format!("{REGION_VARIABLE}: {e}"))),
            Tray::BaseUrl(_) => Ok(None),
        }
    }

    /// What Tray serves now for each snapshot's service version.
    #[cfg(feature = "fetch")]
    fn fetch(&self, snapshots: &[&Snapshot], folder: &Path) -> Result<Vec<Snapshot>, OnlineError> {
        use crate::fetch::{self, Selection, ServiceVersion};
        let failed = |reason: String| OnlineError::Tray {
            folder: shown_path(folder),
            reason,
        };
        let base_url = match &self.tray {
            Tray::BaseUrl(url) => Some(url.as_str()),
            Tray::Region(_) => None,
        };
        // A build waits for few retries: Tray down should fail it in seconds, not minutes.
        let retry = tray_auth::client::RetryPolicy {
            max_retries: 2,
            base_delay: std::time::Duration::from_millis(500),
            max_delay: std::time::Duration::from_secs(2),
        };
        let client = fetch::client_builder(self.master_token.clone(), self.region()?, base_url)
            .retry(retry)
            .build()
            .map_err(|e| failed(e.to_string()))?;
        let wanted = snapshots
            .iter()
            .map(|s| ServiceVersion {
                name: s.service_name().to_owned(),
                version: s.service_version(),
            })
            .collect();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| failed(format!("cannot start the async runtime: {e}")))?;
        let fetched = runtime
            .block_on(fetch::fetch_snapshots(
                &client,
                &Selection::Named(wanted),
                folder,
                8,
            ))
            .map_err(|e| failed(e.to_string()))?;
        if let Some(refused) = fetched.refused.first() {
            return Err(failed(refused.to_string()));
        }
        Ok(fetched.snapshots.into_iter().map(|(_, s)| s).collect())
    }
}

/// For each committed snapshot that is not what Tray serves: `name@version` and the lines
/// that say what changed (as `tray-codegen diff` says it); services whose worst change is the
/// worst first (breaking, then breaking at run time, then compatible), then by name.
#[cfg(feature = "fetch")]
fn drift(committed: &[&Snapshot], live: &[Snapshot]) -> Vec<(String, String)> {
    use crate::diff::{self, Impact};
    let mut report: Vec<(Impact, String, String)> = Vec::new();
    for old in committed {
        let key = (old.service_name(), old.service_version());
        let Some(new) = live
            .iter()
            .find(|s| (s.service_name(), s.service_version()) == key)
        else {
            continue;
        };
        // Key order aside (it is kept, but is not a change): the same JSON is the same answer.
        if old.to_value() == new.to_value() {
            continue;
        }
        let found = diff::diff(std::slice::from_ref(*old), std::slice::from_ref(new));
        let worst = (found.connectors.iter())
            .flat_map(|c| c.changes.iter().map(|change| change.impact))
            .min()
            .unwrap_or(Impact::Compatible);
        let lines = if found.connectors.is_empty() {
            format!(
                "{}@{}: Tray's answer differs from {} in text only (titles, descriptions, or keys the types do not use): the types are the same, their docs and the compiled snapshot are not\n",
                tray_schema::printable::without_controls(key.0),
                key.1,
                shown_path(&old.path)
            )
        } else {
            found.to_string()
        };
        report.push((worst, format!("{}@{}", key.0, key.1), lines));
    }
    report.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    report.into_iter().map(|(_, s, l)| (s, l)).collect()
}

/// A path for a message, its control characters escaped.
#[cfg(feature = "fetch")]
fn shown_path(path: &Path) -> String {
    tray_schema::printable::without_controls(&path.display().to_string()).into_owned()
}

/// `word` as one shell word: as it is when it holds only characters no shell reads specially,
/// single-quoted otherwise.
#[cfg(feature = "fetch")]
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+:@=,".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}
