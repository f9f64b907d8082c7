//! What changed between two sets of snapshots, judged on the schemas as Tray reads them, and
//! the shapes of a diff that both diffs of this workspace report in.
//!
//! Two questions are asked of two snapshots, and each has its own home:
//!
//! - [`diff`] here answers "does what code compiled from the old snapshot sends still fit what
//!   Tray accepts now?". It compares the schemas as the reader reads them ([`crate::read`]),
//!   without the generator, so the runtime can ask it of what Tray serves before it sends
//!   anything (`tray_auth`'s preflight, which cannot depend on the generator): a removed
//!   environment or field, a changed type, a new required field break what was compiled; an
//!   added optional field, enum value or scope, a changed description do not.
//! - `tray_codegen::diff::diff` answers "does code written against the old generated types
//!   still compile, and read the same JSON the same way?". It plans both sides with the
//!   generator and compares the planned Rust types, so that, for example, a `default` added to
//!   an optional property (its `Option<T>` becomes `T`) is breaking there.
//!
//! Both report in [`Diff`], [`ConnectorDiff`], [`Change`] and [`Impact`], pair services with
//! [`pairs`] and read their arguments with [`read`].

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::diagnostic::Diagnostics;
use crate::pointer::join;
use crate::snapshot::{self, Snapshot, SnapshotError};
use crate::{Additional, Document, Kind, Object, Reader, Schema, MAX_DEPTH};

/// Whether a change breaks code written against the old types, and how. Ordered as shown:
/// breaking first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Impact {
    /// Code written against the old types no longer compiles, or reads the same JSON
    /// differently (or, for [`diff`], no longer fits what Tray accepts).
    Breaking,
    /// Code written against the old types still compiles and reads JSON the same, but what
    /// worked at run time may now fail: a value that passed `validate()` (a tightened pattern,
    /// length, bound or item count), or an authentication sent to an environment id that
    /// changed. Only `tray_codegen::diff` tells this apart; [`diff`] does not.
    RuntimeBreaking,
    /// Code written against the old types still compiles and works as before.
    Compatible,
}

impl Impact {
    /// Whether the change breaks something, at compile time or at run time.
    pub fn is_breaking(self) -> bool {
        self != Impact::Compatible
    }
}

impl fmt::Display for Impact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Impact::Breaking => "breaking",
            Impact::RuntimeBreaking => "runtime-breaking",
            Impact::Compatible => "compatible",
        })
    }
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Where: a JSON pointer into Tray's body (`/credentials/dc`), or `/environments/<title>`,
    /// `/scopes/<scope>`; names are escaped as JSON pointer tokens (`a/b` is `a~1b`).
    pub path: String,
    /// Breaking, runtime-breaking or compatible.
    pub impact: Impact,
    /// What changed, for people.
    pub message: String,
}

/// The changes to one connector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConnectorDiff {
    /// The service name.
    pub service: String,
    /// The old service version (`None`: the connector is new).
    pub old_version: Option<u32>,
    /// The new service version (`None`: the connector was removed).
    pub new_version: Option<u32>,
    /// The changes: breaking, then runtime-breaking, then compatible ones, each by path.
    pub changes: Vec<Change>,
}

impl ConnectorDiff {
    /// How many changes have `impact`.
    pub fn count(&self, impact: Impact) -> usize {
        self.changes.iter().filter(|c| c.impact == impact).count()
    }
}

/// Every connector's changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// Connectors with at least one change, by service name.
    pub connectors: Vec<ConnectorDiff>,
    /// Whether any change is breaking, at compile time or at run time
    /// ([`Impact::is_breaking`]).
    pub breaking: bool,
}

impl Diff {
    /// The diff of these connectors' changes: connectors without changes are left out, each
    /// one's changes are put in order (breaking first, then by path), and
    /// [`Diff::breaking`] is set.
    pub fn new(connectors: impl IntoIterator<Item = ConnectorDiff>) -> Diff {
        let connectors: Vec<ConnectorDiff> = connectors
            .into_iter()
            .filter(|c| !c.changes.is_empty())
            .map(|mut c| {
                c.changes
                    .sort_by(|x, y| x.impact.cmp(&y.impact).then_with(|| x.path.cmp(&y.path)));
                c
            })
            .collect();
        let breaking = connectors
            .iter()
            .any(|c| c.changes.iter().any(|x| x.impact.is_breaking()));
        Diff {
            connectors,
            breaking,
        }
    }
}

/// A service's snapshot on each side of a diff, by index into the old and new lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    /// The service name.
    pub service: String,
    /// Its snapshot among the old ones (`None`: the service version is new).
    pub old: Option<usize>,
    /// Its snapshot among the new ones (`None`: the service version is gone).
    pub new: Option<usize>,
}

/// Reads a snapshot file or a folder of them.
pub fn read(path: &Path) -> Result<Vec<Snapshot>, SnapshotError> {
    if path.is_dir() {
        snapshot::read_dir(path)
    } else {
        Snapshot::read(path).map(|s| vec![s])
    }
}

/// Pairs the snapshots of each service, by service name. A service with one version on each
/// side is paired across versions (`slack@3` with `slack@4`); otherwise versions are paired
/// exactly, and a version on one side only is paired with nothing.
pub fn pairs(old: &[Snapshot], new: &[Snapshot]) -> Vec<Pair> {
    let by_service = |set: &[Snapshot]| {
        let mut map: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, s) in set.iter().enumerate() {
            map.entry(s.service_name().to_owned()).or_default().push(i);
        }
        map
    };
    let (old_map, new_map) = (by_service(old), by_service(new));
    let services: BTreeSet<&String> = old_map.keys().chain(new_map.keys()).collect();
    let mut pairs = Vec::new();
    for service in services {
        let olds = old_map.get(service).map(Vec::as_slice).unwrap_or_default();
        let news = new_map.get(service).map(Vec::as_slice).unwrap_or_default();
        if olds.len() <= 1 && news.len() <= 1 {
            pairs.push(Pair {
                service: service.clone(),
                old: olds.first().copied(),
                new: news.first().copied(),
            });
            continue;
        }
        let versions: BTreeSet<u32> = olds
            .iter()
            .map(|&i| old[i].service_version())
            .chain(news.iter().map(|&i| new[i].service_version()))
            .collect();
        for v in versions {
            pairs.push(Pair {
                service: service.clone(),
                old: olds
                    .iter()
                    .copied()
                    .find(|&i| old[i].service_version() == v),
                new: news
                    .iter()
                    .copied()
                    .find(|&i| new[i].service_version() == v),
            });
        }
    }
    pairs
}

/// Compares two sets of snapshots as Tray reads their schemas: whether what code compiled
/// from `old` sends still fits what Tray accepts in `new` (see the [module](self) docs).
/// Services are paired by [`pairs`].
pub fn diff(old: &[Snapshot], new: &[Snapshot]) -> Diff {
    Diff::new(pairs(old, new).into_iter().map(|pair| {
        let (a, b) = (pair.old.map(|i| &old[i]), pair.new.map(|i| &new[i]));
        let changes = match (a, b) {
            (Some(a), Some(b)) => connector_changes(a, b),
            (Some(_), None) => vec![Change {
                path: String::new(),
                impact: Impact::Breaking,
                message: "connector removed".into(),
            }],
            (None, Some(_)) => vec![Change {
                path: String::new(),
                impact: Impact::Compatible,
                message: "connector added".into(),
            }],
            (None, None) => Vec::new(),
        };
        ConnectorDiff {
            service: pair.service,
            old_version: a.map(Snapshot::service_version),
            new_version: b.map(Snapshot::service_version),
            changes,
        }
    }))
}

fn connector_changes(old: &Snapshot, new: &Snapshot) -> Vec<Change> {
    let mut changes = Changes::default();
    if old.service_version() != new.service_version() {
        changes.compatible(
            "",
            format!(
                "service version {} → {}",
                old.service_version(),
                new.service_version()
            ),
        );
    }
    // Environments, by title (their constants are named after it).
    let title = |env: &Value| env["title"].as_str().unwrap_or("").to_owned();
    let old_envs: BTreeMap<String, &Value> =
        old.environments.iter().map(|e| (title(e), e)).collect();
    let new_envs: BTreeMap<String, &Value> =
        new.environments.iter().map(|e| (title(e), e)).collect();
    for (name, env) in &old_envs {
        let path = join("/environments", name);
        match new_envs.get(name) {
            None => changes.breaking(&path, "environment removed: its constant is gone"),
            Some(new_env) if new_env["id"] != env["id"] => changes.breaking(
                &path,
                "environment id changed: its constant points elsewhere",
            ),
            Some(new_env) if new_env["authenticationType"] != env["authenticationType"] => {
                changes.compatible(&path, "authentication type changed")
            }
            Some(_) => {}
        }
    }
    for name in new_envs.keys().filter(|n| !old_envs.contains_key(*n)) {
        changes.compatible(&join("/environments", name), "environment added");
    }
    // Scopes: the union over environments, as generated.
    let scopes = |s: &Snapshot| -> BTreeSet<String> {
        s.environments
            .iter()
            .flat_map(|e| e["scopes"].as_array().cloned().unwrap_or_default())
            .filter_map(|scope| scope["scope"].as_str().map(str::to_owned))
            .collect()
    };
    let (old_scopes, new_scopes) = (scopes(old), scopes(new));
    for scope in old_scopes.difference(&new_scopes) {
        changes.breaking(&join("/scopes", scope), "scope removed");
    }
    for scope in new_scopes.difference(&old_scopes) {
        changes.compatible(&join("/scopes", scope), "scope added");
    }
    // The schemas the types come from: Production's, or the first environment's.
    for (key, at) in [
        ("credentialsSchema", "/credentials"),
        ("userDataSchema", "/userData"),
    ] {
        let (a, b) = (primary_schema(old, key), primary_schema(new, key));
        let mut sides = Sides {
            old: &a,
            new: &b,
            seen: HashSet::new(),
            depth: 0,
        };
        sides.compare(&a.root, &b.root, at, &mut changes);
    }
    changes.0
}

fn primary_schema(snapshot: &Snapshot, key: &str) -> Document {
    let index = snapshot
        .environments
        .iter()
        .position(|e| e["title"] == "Production")
        .unwrap_or(0);
    let empty = Value::Object(Default::default());
    let value = snapshot
        .environments
        .get(index)
        .and_then(|e| e.get(key))
        .unwrap_or(&empty);
    let mut ignored = Diagnostics::new(None);
    Reader::new(value, "", snapshot.ref_folder(), &mut ignored).read_root()
}

#[derive(Default)]
struct Changes(Vec<Change>);

impl Changes {
    fn breaking(&mut self, path: &str, message: impl Into<String>) {
        self.0.push(Change {
            path: path.to_owned(),
            impact: Impact::Breaking,
            message: message.into(),
        });
    }
    fn compatible(&mut self, path: &str, message: impl Into<String>) {
        self.0.push(Change {
            path: path.to_owned(),
            impact: Impact::Compatible,
            message: message.into(),
        });
    }
}

/// The documents compared, and what of them was compared already.
struct Sides<'a> {
    old: &'a Document,
    new: &'a Document,
    /// Pairs of definitions compared: each pair once, however many `$ref`s use them, and a
    /// recursive one without end.
    seen: HashSet<(usize, usize)>,
    /// How deep the comparison is, `$ref`s followed.
    depth: usize,
}

impl Sides<'_> {
    fn compare(&mut self, old: &Schema, new: &Schema, path: &str, changes: &mut Changes) {
        let definitions = (self.old.definition_of(old), self.new.definition_of(new));
        if let (Some(a), Some(b)) = definitions {
            if !self.seen.insert((a, b)) {
                return;
            }
        }
        if self.depth >= MAX_DEPTH {
            return;
        }
        self.depth += 1;
        self.compare_views(old, new, path, changes);
        self.depth -= 1;
    }

    fn compare_views(&mut self, old: &Schema, new: &Schema, path: &str, changes: &mut Changes) {
        let (old, old_kind) = (self.old.view(old), &self.old.target(old).kind);
        let (new, new_kind) = (self.new.view(new), &self.new.target(new).kind);
        if old.title != new.title || old.description != new.description {
            changes.compatible(path, "title or description changed");
        }
        if old.secret != new.secret {
            let now = if new.secret { "a Secret" } else { "plain text" };
            changes.breaking(path, format!("type changed: the value is now {now}"));
        }
        if old.nullable != new.nullable {
            changes.breaking(
                path,
                if new.nullable {
                    "may now be null: its type becomes an Option"
                } else {
                    "may no longer be null"
                },
            );
        }
        if old.default != new.default {
            changes.compatible(path, "default changed");
        }
        if old.constraints != new.constraints {
            changes.compatible(
                path,
                "pattern, length or range changed: validate() may judge values differently",
            );
        }
        match (old_kind, new_kind) {
            (Kind::Object(a), Kind::Object(b)) => self.compare_objects(a, b, path, changes),
            (Kind::Array(Some(a)), Kind::Array(Some(b))) => {
                self.compare(a, b, &format!("{path}/items"), changes)
            }
            (Kind::Enum(a), Kind::Enum(b)) => {
                for value in a.iter().filter(|v| !b.contains(v)) {
                    changes.breaking(path, format!("enum value {value} removed"));
                }
                for value in b.iter().filter(|v| !a.contains(v)) {
                    changes.compatible(path, format!("enum value {value} added"));
                }
            }
            // The generated types treat `oneOf` and `anyOf` alike.
            (Kind::OneOf(a) | Kind::AnyOf(a), Kind::OneOf(b) | Kind::AnyOf(b)) => {
                for (i, (x, y)) in a.iter().zip(b).enumerate() {
                    self.compare(x, y, &format!("{path}/oneOf/{i}"), changes);
                }
                if a.len() > b.len() {
                    changes.breaking(path, "a `oneOf` variant removed");
                } else if a.len() < b.len() {
                    changes.breaking(
                        path,
                        "a `oneOf` variant added: matches over the enum must handle it",
                    );
                }
            }
            (a, b) if kind_name(a) != kind_name(b) => {
                changes.breaking(
                    path,
                    format!("type changed from {} to {}", kind_name(a), kind_name(b)),
                );
            }
            _ => {}
        }
    }

    fn compare_objects(&mut self, old: &Object, new: &Object, path: &str, changes: &mut Changes) {
        let removed: Vec<_> = old
            .properties
            .iter()
            .filter(|p| !new.properties.iter().any(|q| q.name == p.name))
            .collect();
        let added: Vec<_> = new
            .properties
            .iter()
            .filter(|p| !old.properties.iter().any(|q| q.name == p.name))
            .collect();
        // One property out and one in, of the same kind: a rename.
        if let ([gone], [came]) = (removed.as_slice(), added.as_slice()) {
            if kind_name(&self.old.target(&gone.schema).kind)
                == kind_name(&self.new.target(&came.schema).kind)
            {
                changes.breaking(
                    &join(path, &came.name),
                    format!("field renamed from `{}`", gone.name),
                );
                return self.compare_common(old, new, path, changes);
            }
        }
        for property in removed {
            changes.breaking(&join(path, &property.name), "field removed");
        }
        for property in added {
            if property.required {
                changes.breaking(&join(path, &property.name), "required field added");
            } else {
                changes.compatible(&join(path, &property.name), "optional field added");
            }
        }
        self.compare_common(old, new, path, changes);
    }

    fn compare_common(&mut self, old: &Object, new: &Object, path: &str, changes: &mut Changes) {
        for a in &old.properties {
            let Some(b) = new.properties.iter().find(|p| p.name == a.name) else {
                continue;
            };
            let at = join(path, &a.name);
            match (a.required, b.required) {
                (false, true) => changes.breaking(&at, "became required"),
                (true, false) => {
                    changes.breaking(&at, "became optional: its type becomes an Option")
                }
                _ => {}
            }
            self.compare(&a.schema, &b.schema, &at, changes);
        }
        match (&old.additional, &new.additional) {
            (Additional::Denied, Additional::Allowed) => {
                changes.compatible(path, "unknown keys now accepted")
            }
            (Additional::Allowed, Additional::Denied) => {
                changes.compatible(path, "unknown keys now rejected when read")
            }
            _ => {}
        }
    }
}

fn kind_name(kind: &Kind) -> &'static str {
    kind.json_type().unwrap_or(match kind {
        Kind::Enum(_) => "enum",
        Kind::Const(_) => "constant",
        Kind::OneOf(_) | Kind::AnyOf(_) => "one of several",
        Kind::Union(_) => "several types",
        _ => "any value",
    })
}

impl fmt::Display for Diff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Service names, paths and messages come from snapshots: no escape sequences or forged
        // lines reach the terminal.
        use crate::printable::without_controls as safe;
        if self.connectors.is_empty() {
            return writeln!(f, "no changes");
        }
        for connector in &self.connectors {
            let version = |v: Option<u32>| v.map_or("-".to_owned(), |v| v.to_string());
            write!(
                f,
                "{} ({} → {}): {} breaking",
                safe(&connector.service),
                version(connector.old_version),
                version(connector.new_version),
                connector.count(Impact::Breaking),
            )?;
            // Only the planned-types diff tells run-time breakage apart: said when there is some.
            let runtime = connector.count(Impact::RuntimeBreaking);
            if runtime > 0 {
                write!(f, ", {runtime} runtime-breaking")?;
            }
            writeln!(f, ", {} compatible", connector.count(Impact::Compatible))?;
            for change in &connector.changes {
                let path = if change.path.is_empty() {
                    "(connector)"
                } else {
                    &change.path
                };
                writeln!(
                    f,
                    "  {:<16}  {}: {}",
                    change.impact.to_string(),
                    safe(path),
                    safe(&change.message)
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn snapshot(environments: Value) -> Snapshot {
        let value = json!({
            "connector": {"service": {"name": "svc", "version": 1}},
            "environments": environments,
        });
        Snapshot::from_value("svc-1.json", value).unwrap()
    }

    fn paths(old: &Snapshot, new: &Snapshot) -> Vec<(Impact, String)> {
        diff(std::slice::from_ref(old), std::slice::from_ref(new)).connectors[0]
            .changes
            .iter()
            .map(|c| (c.impact, c.path.clone()))
            .collect()
    }

    #[test]
    fn names_in_paths_are_pointer_tokens() {
        let old = snapshot(json!([{
            "id": "a", "title": "EU/Prod",
            "credentialsSchema": {"properties": {"a/b": {"type": "string"}, "x": {"type": "string"}}},
        }]));
        let new = snapshot(json!([{
            "id": "b", "title": "EU/Prod",
            "credentialsSchema": {"properties": {"x": {"type": "integer"}, "c~d": {"type": "boolean"}}},
        }]));
        assert_eq!(
            paths(&old, &new),
            [
                (Impact::Breaking, "/credentials/a~1b".to_owned()),
                (Impact::Breaking, "/credentials/x".to_owned()),
                (Impact::Breaking, "/environments/EU~1Prod".to_owned()),
                (Impact::Compatible, "/credentials/c~0d".to_owned()),
            ]
        );
    }
}
