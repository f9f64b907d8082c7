//! Planning one connector (a service version's snapshot): its module and marker names, its
//! service environments and their constants, and the types of each distinct set of schemas.
//!
//! The primary environment (`Production`, else the first) gives the service's own
//! `Credentials`, `UserData` and `Scope`. An environment whose `credentialsSchema`,
//! `userDataSchema` or scopes differ from the primary's gets a module of its own types, named
//! after its title (`custom_oauth_app`), with its own marker type, so that its constant pairs
//! only with its own credentials. Environments with the same schemas share the service's types.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;
use tray_schema::diagnostic::{Diagnostic, Diagnostics};
use tray_schema::snapshot::{self, Snapshot, SnapshotError};

use super::{Planner, TypeDef};
use crate::names::{self, camel, shouty, snake, RESERVED_TYPE_NAMES};
use crate::schema::Reader;

/// Tray's authentication types and the `tray_auth::AuthenticationType` variant of each.
pub const AUTHENTICATION_TYPES: &[(&str, &str)] = &[
    ("token", "Token"),
    ("oauth1", "Oauth1"),
    ("oauth2", "Oauth2"),
    ("oauth2password", "Oauth2password"),
    ("oauth2client_credentials", "Oauth2clientCredentials"),
    ("builtin", "Builtin"),
];

/// One connector, planned: everything the emitter needs to write its module.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectorPlan {
    /// The module (and cargo feature) name: `mailchimp`, or `slack_v4` when several versions
    /// of a service are generated.
    pub module: String,
    /// The marker type's name: `Mailchimp`.
    pub marker: String,
    /// Tray's service name.
    pub service_name: String,
    /// Tray's service version.
    pub service_version: u32,
    /// The connector's title (its service name when it has none).
    pub title: String,
    /// The snapshot it was planned from.
    pub source: PathBuf,
    /// The files its schemas' `$ref`s read (canonical paths), for a macro to track.
    pub ref_files: Vec<PathBuf>,
    /// Doc comment lines for the module.
    pub doc: Vec<String>,
    /// The snapshot as compact JSON, key order kept: `Connector::SNAPSHOT`, which the run-time
    /// preflight compares with what Tray serves now.
    pub snapshot_json: String,
    /// The primary environment's types: the service's `Credentials`, `UserData` and `Scope`.
    pub types: TypeSet,
    /// Every service environment with a usable id, in snapshot order.
    pub environments: Vec<EnvironmentPlan>,
    /// The environments whose schemas or scopes differ from the primary's, each with its
    /// own module of types.
    pub own_types: Vec<EnvironmentTypes>,
}

/// The types of one set of schemas: `Credentials`, `UserData`, what they use, and the scopes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TypeSet {
    /// The planned types, roots (`Credentials`, `UserData`) first.
    pub types: Vec<TypeDef>,
    /// The scopes an authentication may be granted; none gives `tray_auth::NoScopes`.
    pub scopes: Vec<ScopeDef>,
}

/// A scope, as a variant of the `Scope` enum.
#[derive(Debug, Clone, PartialEq)]
pub struct ScopeDef {
    /// The variant's name.
    pub ident: String,
    /// The scope as Tray spells it.
    pub name: String,
    /// Doc comment lines.
    pub doc: Vec<String>,
}

/// A service environment: a constant, and an entry of `Connector::ENVIRONMENTS`.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvironmentPlan {
    /// Its id (a UUID).
    pub id: String,
    /// Its title.
    pub title: String,
    /// Tray's authentication type (`oauth2`, ...).
    pub authentication_type: String,
    /// Its `tray_auth::AuthenticationType` variant ([`AUTHENTICATION_TYPES`]); `None` for a
    /// type Tray did not have when this was written (`AuthenticationType::Other`).
    pub authentication_variant: Option<&'static str>,
    /// The constant's name: `PRODUCTION`.
    pub constant: String,
    /// The constant's doc comment lines.
    pub doc: Vec<String>,
    /// The index in [`ConnectorPlan::own_types`] of its types, when they are not the
    /// service's.
    pub own_types: Option<usize>,
}

/// The types of an environment whose schemas differ from the primary environment's.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvironmentTypes {
    /// The module's name: the environment's title in snake case (`custom_oauth_app`).
    pub module: String,
    /// Its marker type's name: the title in camel case (`CustomOauthApp`).
    pub marker: String,
    /// The environment's title.
    pub title: String,
    /// The module's doc comment lines.
    pub doc: Vec<String>,
    /// Its types.
    pub types: TypeSet,
}

/// Plans the connector of every snapshot, in file-name order. The snapshots must be a
/// folder's ([`snapshot::check_folder`]), and no two services may take one module name
/// (`foo-bar` and `foo_bar`): that is an error naming both files.
pub fn connectors(
    snapshots: &[Snapshot],
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Vec<ConnectorPlan>, SnapshotError> {
    connectors_of(snapshots, &vec![true; snapshots.len()], diagnostics)
}

/// [`connectors`] of the snapshots whose flag in `keep` is set (`Config::only`). Module names
/// are the whole folder's (`slack_v4` when another version of Slack is there), so that code
/// written against a selection compiles against the whole folder too.
pub fn connectors_of(
    snapshots: &[Snapshot],
    keep: &[bool],
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Vec<ConnectorPlan>, SnapshotError> {
    snapshot::check_folder(snapshots)?;
    let mut versions: BTreeMap<&str, usize> = BTreeMap::new();
    for snapshot in snapshots {
        *versions.entry(snapshot.service_name()).or_default() += 1;
    }
    let mut owners: BTreeMap<String, &Snapshot> = BTreeMap::new();
    let mut plans = Vec::with_capacity(snapshots.len());
    for (snapshot, keep) in snapshots.iter().zip(keep) {
        let (name, version) = (snapshot.service_name(), snapshot.service_version());
        let several = versions[name] > 1;
        let module = names::module_name(name, version, several);
        if let Some(first) = owners.insert(module.clone(), snapshot) {
            return Err(SnapshotError::SameModule {
                first: first.path.clone(),
                first_service: first.service_name().to_owned(),
                second: snapshot.path.clone(),
                second_service: name.to_owned(),
                module,
            });
        }
        if !keep {
            continue;
        }
        let marker = names::marker_name(name, version, several);
        plans.push(connector(snapshot, module, marker, diagnostics));
    }
    Ok(plans)
}

/// Plans one snapshot's connector.
pub fn connector(
    snapshot: &Snapshot,
    module: String,
    marker: String,
    all: &mut Vec<Diagnostic>,
) -> ConnectorPlan {
    let mut diagnostics = Diagnostics::new(Some(snapshot.path.clone()));
    let service_name = snapshot.service_name().to_owned();
    let service_version = snapshot.service_version();
    let title = snapshot.connector["title"]
        .as_str()
        .unwrap_or(&service_name)
        .to_owned();
    if snapshot.environments.is_empty() {
        diagnostics.warn("/environments", "no service environments: the credentials and user data have no fields, and there is no environment constant");
    }
    let primary = snapshot
        .environments
        .iter()
        .position(|env| env["title"] == "Production")
        .unwrap_or(0);
    let mut environments = environments(snapshot, &mut diagnostics);
    let mut what = Subject {
        snapshot,
        title: &title,
        ref_files: Vec::new(),
        empty: Value::Object(Default::default()),
    };
    let types = what.type_set(primary, &marker, None, &mut diagnostics, all);
    let mut own_types = Vec::new();
    let mut modules = names::Scope::default();
    let mut markers = names::Scope::with_reserved(RESERVED_TYPE_NAMES);
    for (index, env) in &mut environments {
        if *index == primary || !what.differs(*index, primary) {
            continue;
        }
        let env_title = if env.title.trim().is_empty() {
            "environment"
        } else {
            env.title.as_str()
        };
        let env_marker = markers.take(&camel(env_title));
        let env_types = what.type_set(*index, &env_marker, Some(&env.title), &mut diagnostics, all);
        env.own_types = Some(own_types.len());
        own_types.push(EnvironmentTypes {
            module: modules.take(&environment_module(env_title)),
            marker: env_marker,
            title: env.title.clone(),
            doc: vec![
                format!("The types of {}'s {} service environment ([`{}`]), whose schemas differ from the service's primary environment's.", crate::doc::inline(&title), crate::doc::literal(&env.title), env.constant),
                String::new(),
                format!("Its credentials, user data and scopes pair only with [`{}`], and it with nothing else.", env.constant),
            ],
            types: env_types,
        });
    }
    let ref_files = what.ref_files;
    let doc = module_doc(snapshot, &title);
    all.extend(diagnostics.into_vec());
    ConnectorPlan {
        module,
        marker,
        service_name,
        service_version,
        title,
        source: snapshot.path.clone(),
        ref_files,
        doc,
        snapshot_json: snapshot.to_value().to_string(),
        types,
        environments: environments.into_iter().map(|(_, env)| env).collect(),
        own_types,
    }
}

/// The snapshot being planned and its title, for planning its type sets.
struct Subject<'s> {
    snapshot: &'s Snapshot,
    title: &'s str,
    /// The files the schemas' `$ref`s read so far.
    ref_files: Vec<PathBuf>,
    /// The schema of an environment that has none: `{}`.
    empty: Value,
}

impl Subject<'_> {
    /// Environment `i`'s schema `key` (`{}` when missing).
    fn schema(&self, i: usize, key: &str) -> &Value {
        self.snapshot
            .environments
            .get(i)
            .and_then(|env| env.get(key))
            .unwrap_or(&self.empty)
    }

    /// Environment `i`'s scopes, as Tray spells them.
    fn scope_names(&self, i: usize) -> BTreeSet<&str> {
        listed_scopes(self.snapshot.environments.get(i))
            .map(|(name, _)| name)
            .collect()
    }

    /// Whether environment `i` needs types other than environment `primary`'s.
    fn differs(&self, i: usize, primary: usize) -> bool {
        ["credentialsSchema", "userDataSchema"]
            .iter()
            .any(|key| self.schema(i, key) != self.schema(primary, key))
            || self.scope_names(i) != self.scope_names(primary)
    }

    /// Reads and plans environment `i`'s schemas as `Credentials` and `UserData` (beside a
    /// marker type named `marker`), and lists its scopes. `environment` is the environment's
    /// title when the types are its own rather than the service's.
    fn type_set(
        &mut self,
        i: usize,
        marker: &str,
        environment: Option<&str>,
        diagnostics: &mut Diagnostics,
        all: &mut Vec<Diagnostic>,
    ) -> TypeSet {
        let path = &self.snapshot.path;
        let mut reserved: Vec<&str> = RESERVED_TYPE_NAMES.to_vec();
        reserved.push(marker);
        let mut planner_diagnostics = Diagnostics::new(Some(path.clone()));
        let mut planner = Planner::new(&reserved, &mut planner_diagnostics);
        let mut read_files = Vec::new();
        for (key, root, what) in [
            ("credentialsSchema", "Credentials", "credentials"),
            ("userDataSchema", "UserData", "userData"),
        ] {
            let pointer = format!("/environments/{i}/{key}");
            let value = self.schema(i, key);
            let schema =
                Reader::new(value, &pointer, self.snapshot.ref_folder(), diagnostics).read_root();
            read_files.extend(schema.definitions.iter().filter_map(|d| d.file.clone()));
            let doc = match environment {
                None => format!(
                    "The `{what}` of an authentication for {}: its service environment's `{key}`.",
                    crate::doc::inline(self.title)
                ),
                Some(env) => format!(
                    "The `{what}` of an authentication for {} in its {} service environment: that environment's `{key}`.",
                    crate::doc::inline(self.title),
                    crate::doc::literal(env)
                ),
            };
            planner.plan_root(root, &schema, doc, value);
        }
        let types = planner.finish();
        all.extend(planner_diagnostics.into_vec());
        for file in read_files {
            if !self.ref_files.contains(&file) {
                self.ref_files.push(file);
            }
        }
        TypeSet {
            types,
            scopes: scopes(self.snapshot.environments.get(i)),
        }
    }
}

/// The module name of an environment's own types: its title in snake case, with `_environment`
/// when that would shadow a crate the generated code names (`serde`, `tray_auth`, `std`, ...)
/// inside the service's module.
fn environment_module(title: &str) -> String {
    let module = snake(title);
    if names::RESERVED_MODULE_NAMES.contains(&module.as_str()) {
        format!("{}_environment", module.trim_end_matches('_'))
    } else {
        module
    }
}

/// The scopes an environment lists, as (name, description), each name once.
fn listed_scopes(env: Option<&Value>) -> impl Iterator<Item = (&str, Option<&str>)> {
    let mut seen = BTreeSet::new();
    env.and_then(|env| env["scopes"].as_array())
        .into_iter()
        .flatten()
        .filter_map(|scope| Some((scope["scope"].as_str()?, scope["description"].as_str())))
        .filter(move |(name, _)| seen.insert(*name))
}

/// The `Scope` variants of an environment's scopes.
fn scopes(env: Option<&Value>) -> Vec<ScopeDef> {
    let mut taken = names::Scope::default();
    listed_scopes(env)
        .map(|(name, description)| {
            let doc = match description {
                Some(d) if !d.trim().is_empty() => format!(
                    "{} ({}).",
                    crate::doc::inline(d).trim_end_matches('.'),
                    crate::doc::literal(name)
                ),
                _ => format!("The {} scope.", crate::doc::literal(name)),
            };
            ScopeDef {
                ident: taken.take(&camel(name)),
                name: name.to_owned(),
                doc: vec![doc],
            }
        })
        .collect()
}

/// Each environment with a usable id (a UUID), by its index in the snapshot; the others are
/// left out with a warning.
fn environments(
    snapshot: &Snapshot,
    diagnostics: &mut Diagnostics,
) -> Vec<(usize, EnvironmentPlan)> {
    let mut planned = Vec::new();
    let mut taken = names::Scope::default();
    for (i, env) in snapshot.environments.iter().enumerate() {
        let id = env["id"].as_str().unwrap_or_default();
        let title = env["title"].as_str().unwrap_or("");
        let auth_type = env["authenticationType"].as_str().unwrap_or("");
        if uuid::Uuid::try_parse(id).is_err() {
            diagnostics.warn(
                &format!("/environments/{i}/id"),
                "not a UUID; the environment is left out of the generated code",
            );
            continue;
        }
        let authentication_variant = AUTHENTICATION_TYPES
            .iter()
            .find(|(tray, _)| *tray == auth_type)
            .map(|(_, variant)| *variant);
        if authentication_variant.is_none() {
            diagnostics.warn(
                &format!("/environments/{i}/authenticationType"),
                format!("unknown authentication type `{auth_type}`; kept as `AuthenticationType::Other`"),
            );
        }
        let constant = taken.take(&shouty(if title.is_empty() {
            "environment"
        } else {
            title
        }));
        planned.push((
            i,
            EnvironmentPlan {
                id: id.to_owned(),
                title: title.to_owned(),
                authentication_type: auth_type.to_owned(),
                authentication_variant,
                constant,
                doc: vec![format!(
                    "The {} service environment ({}).",
                    crate::doc::literal(title),
                    crate::doc::inline(auth_type)
                )],
                own_types: None,
            },
        ));
    }
    planned
}

/// The module's doc: title, service and version, the connector's description, and its file.
fn module_doc(snapshot: &Snapshot, title: &str) -> Vec<String> {
    let mut doc = vec![format!(
        "{}: Tray service `{}`, version {}.",
        crate::doc::inline(title),
        snapshot.service_name(),
        snapshot.service_version()
    )];
    let description = crate::doc::schema_text(
        snapshot.connector["description"]
            .as_str()
            .unwrap_or_default(),
    );
    if !description.is_empty() {
        doc.push(String::new());
        doc.extend(description);
    }
    doc.push(String::new());
    doc.push(format!("Generated from `{}`.", file_name(&snapshot.path)));
    doc
}

/// A path's file name, for messages and docs.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
