//! What changed between two sets of snapshots, judged on the Rust types the generator plans
//! for them: does code written against the old generated types still compile, and read the
//! same JSON the same way?
//!
//! Both sides go through the one pipeline that `generate` uses
//! ([`connector::connectors`]), and their [`ConnectorPlan`]s are compared: per service
//! version the module and marker names, the service environments (their constants, ids and
//! whether they have types of their own), and the types of each set of schemas, starting at
//! `Credentials` and `UserData` and following field types, so a nested type is judged by
//! where it is used and by its shape. Each change has an [`Impact`]:
//!
//! - [`Impact::Breaking`]: code written against the old types no longer compiles, or reads the
//!   same JSON differently. A field removed, renamed, added (a struct literal must set it: the
//!   generated structs are not `#[non_exhaustive]`), or whose Rust type changed (`Option<T>`
//!   becoming `T` when a `default` is added, an enum becoming a `String`, a type list widened
//!   into an enum); an enum value, tag value or scope removed or added (a `match` without a
//!   wildcard arm must handle it: generated enums are not `#[non_exhaustive]` either); a
//!   changed `default` or tag; an environment removed, or one that gained or lost types of its
//!   own (its constant's type changes).
//! - [`Impact::RuntimeBreaking`]: code still compiles and reads JSON the same, but what worked
//!   at run time may now fail: a pattern, length, bound or item count tightened, an allowed
//!   value removed (values that passed `validate()` may now fail), or an environment's id
//!   changed (code built from the old snapshot sends authentications to an id Tray no longer
//!   has; regenerating fixes it).
//! - [`Impact::Compatible`]: neither: a description changed, a check loosened, an environment
//!   or connector added.
//!
//! [`tray_schema::diff`] answers another question, for the run-time preflight, which cannot
//! depend on the generator: whether what compiled code sends still fits what Tray accepts. Both
//! report in the same [`Diff`].
//!
//! ```no_run
//! use tray_codegen::diff;
//! let old = diff::read("schemas".as_ref())?;
//! let new = diff::read("/tmp/new-schemas".as_ref())?;
//! let changes = diff::diff(&old, &new);
//! print!("{changes}");
//! if changes.breaking {
//!     std::process::exit(1);
//! }
//! # Ok::<(), tray_codegen::snapshot::SnapshotError>(())
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::{Debug, Display};

use serde_json::Value;
use tray_schema::diff::pairs;
use tray_schema::pointer::join;
use tray_schema::snapshot::{Snapshot, SnapshotError};

use crate::plan::connector::{self, ConnectorPlan, EnvironmentPlan, ScopeDef, TypeSet};
use crate::plan::{Body, Checks, Field, StructDef, Ty, TypeDef, Variant};
use crate::schema::Constraints;

pub use tray_schema::diff::{read, Change, ConnectorDiff, Diff, Impact};

/// Compares two sets of snapshots by the types the generator plans for them (see the
/// [module](self) docs). Services are paired as [`tray_schema::diff::pairs`] pairs them: a
/// service with one version on each side across versions, otherwise version by version.
///
/// A side that cannot be planned (two snapshots of one service version, a service name that
/// cannot name a file, two services taking one module) gives one breaking change naming why.
pub fn diff(old: &[Snapshot], new: &[Snapshot]) -> Diff {
    let (old_plans, new_plans) = match (plan(old), plan(new)) {
        (Ok(old_plans), Ok(new_plans)) => (old_plans, new_plans),
        (old_plans, new_plans) => {
            return Diff::new(
                [("old", old_plans.err()), ("new", new_plans.err())]
                    .into_iter()
                    .filter_map(|(side, error)| Some(unplannable(side, error?))),
            )
        }
    };
    Diff::new(pairs(old, new).into_iter().map(|pair| {
        let a = pair.old.map(|i| &old_plans[i]);
        let b = pair.new.map(|i| &new_plans[i]);
        let changes = match (a, b) {
            (Some(a), Some(b)) => connector_changes(a, b),
            (Some(a), None) => vec![change(
                Impact::Breaking,
                "",
                format!(
                    "connector removed: its module `{}` (and cargo feature) is gone",
                    a.module
                ),
            )],
            (None, Some(b)) => vec![change(
                Impact::Compatible,
                "",
                format!("connector added: module `{}`", b.module),
            )],
            (None, None) => Vec::new(),
        };
        ConnectorDiff {
            service: pair.service,
            old_version: a.map(|p| p.service_version),
            new_version: b.map(|p| p.service_version),
            changes,
        }
    }))
}

/// Plans the snapshots as `generate` does. A snapshot's file name only matters to
/// `generate` (the file a person edits must be the one that makes the code): here each is
/// planned as if named after what it holds, so that `diff old.json new.json` works.
fn plan(snapshots: &[Snapshot]) -> Result<Vec<ConnectorPlan>, SnapshotError> {
    let named: Vec<Snapshot> = snapshots
        .iter()
        .map(|snapshot| {
            let mut snapshot = snapshot.clone();
            let name = Snapshot::file_name(snapshot.service_name(), snapshot.service_version());
            snapshot.path = snapshot.path.with_file_name(name);
            snapshot
        })
        .collect();
    // Warnings about the schemas are `generate`'s to print; the diff is about the types.
    let mut diagnostics = Vec::new();
    connector::connectors(&named, &mut diagnostics)
}

fn unplannable(side: &str, error: SnapshotError) -> ConnectorDiff {
    ConnectorDiff {
        service: format!("({side} snapshots)"),
        old_version: None,
        new_version: None,
        changes: vec![change(
            Impact::Breaking,
            "",
            format!("cannot be planned, so cannot be compared: {error}"),
        )],
    }
}

fn change(impact: Impact, path: &str, message: impl Into<String>) -> Change {
    Change {
        path: path.to_owned(),
        impact,
        message: message.into(),
    }
}

/// The changes from one planned connector to another.
fn connector_changes(a: &ConnectorPlan, b: &ConnectorPlan) -> Vec<Change> {
    let mut changes = Vec::new();
    if a.service_version != b.service_version {
        let message = format!(
            "service version {} → {}",
            a.service_version, b.service_version
        );
        changes.push(change(Impact::Compatible, "", message));
    }
    if a.module != b.module {
        let message = format!("module (and cargo feature) renamed from `{}` to `{}`: paths `tray_connectors::{}::…` must follow", a.module, b.module, a.module);
        changes.push(change(Impact::Breaking, "", message));
    }
    if a.marker != b.marker {
        let message = format!("marker type renamed from `{}` to `{}`", a.marker, b.marker);
        changes.push(change(Impact::Breaking, "", message));
    }
    environments(a, b, &mut changes);
    type_set(&a.types, &b.types, "", &mut changes);
    for own in &a.own_types {
        let Some(other) = b.own_types.iter().find(|o| o.module == own.module) else {
            continue;
        };
        let prefix = join("/environments", &other.title);
        if own.marker != other.marker {
            let message = format!(
                "its marker type `{}::{}` is now `{}::{}`",
                own.module, own.marker, other.module, other.marker
            );
            changes.push(change(Impact::Breaking, &prefix, message));
        }
        type_set(&own.types, &other.types, &prefix, &mut changes);
    }
    changes
}

/// The module of an environment's own types, when it has some.
fn own_module<'p>(plan: &'p ConnectorPlan, env: &EnvironmentPlan) -> Option<&'p str> {
    env.own_types
        .and_then(|i| plan.own_types.get(i))
        .map(|own| own.module.as_str())
}

/// The service environments, by title (their constants are named after it).
fn environments(a: &ConnectorPlan, b: &ConnectorPlan, changes: &mut Vec<Change>) {
    let by_title = |plan: &'_ ConnectorPlan| -> BTreeMap<String, EnvironmentPlan> {
        plan.environments
            .iter()
            .map(|env| (env.title.clone(), env.clone()))
            .collect()
    };
    let (old, new) = (by_title(a), by_title(b));
    for (title, env) in &old {
        let path = join("/environments", title);
        let mut push = |impact, message: String| changes.push(change(impact, &path, message));
        let Some(other) = new.get(title) else {
            push(
                Impact::Breaking,
                format!(
                    "environment removed: its constant `{}` is gone",
                    env.constant
                ),
            );
            continue;
        };
        if env.constant != other.constant {
            let message = format!(
                "its constant renamed from `{}` to `{}`",
                env.constant, other.constant
            );
            push(Impact::Breaking, message);
        }
        if env.id != other.id {
            push(Impact::RuntimeBreaking, format!("environment id changed: code built from the old snapshot creates authentications in an environment Tray no longer has (regenerate; `{}` then points at the new one)", other.constant));
        }
        if env.authentication_type != other.authentication_type {
            let message = format!(
                "authentication type changed from `{}` to `{}`",
                env.authentication_type, other.authentication_type
            );
            push(Impact::Compatible, message);
        }
        match (own_module(a, env), own_module(b, other)) {
            (None, Some(module)) => push(Impact::Breaking, format!("its schemas now differ from the primary environment's: `{}` is typed for `{module}::Credentials`, `{module}::UserData` and `{module}::Scope`, and no longer pairs with the service's", other.constant)),
            (Some(module), None) => push(Impact::Breaking, format!("its own types (module `{module}`) are gone: `{}` now pairs with the service's `Credentials`, `UserData` and `Scope`", other.constant)),
            (Some(m), Some(n)) if m != n => push(Impact::Breaking, format!("the module of its own types renamed from `{m}` to `{n}`")),
            _ => {}
        }
    }
    for (title, env) in new.iter().filter(|(title, _)| !old.contains_key(*title)) {
        let own = own_module(b, env)
            .map(|module| format!(", with types of its own in module `{module}`"))
            .unwrap_or_default();
        let message = format!("environment added: constant `{}`{own}", env.constant);
        changes.push(change(
            Impact::Compatible,
            &join("/environments", title),
            message,
        ));
    }
}

/// The types and scopes of one set of schemas; `prefix` is `""` for the service's own, or
/// `/environments/<title>` for an environment's.
fn type_set(a: &TypeSet, b: &TypeSet, prefix: &str, changes: &mut Vec<Change>) {
    let mut compare = Compare {
        old: Types::of(&a.types),
        new: Types::of(&b.types),
        seen: HashSet::new(),
        variant: None,
        changes,
    };
    for (root, at) in [("Credentials", "credentials"), ("UserData", "userData")] {
        let root = Ty::Named(root.to_owned());
        compare.ty(&root, &root, &join(prefix, at));
    }
    scopes(&a.scopes, &b.scopes, &join(prefix, "scopes"), changes);
}

/// The `Scope` enum's variants, by scope name.
fn scopes(a: &[ScopeDef], b: &[ScopeDef], at: &str, changes: &mut Vec<Change>) {
    for scope in a {
        let path = join(at, &scope.name);
        match b.iter().find(|s| s.name == scope.name) {
            None => changes.push(change(
                Impact::Breaking,
                &path,
                format!("scope removed: `Scope::{}` is gone", scope.ident),
            )),
            Some(other) if other.ident != scope.ident => changes.push(change(
                Impact::Breaking,
                &path,
                format!(
                    "its variant renamed from `Scope::{}` to `Scope::{}`",
                    scope.ident, other.ident
                ),
            )),
            Some(other) if other.doc != scope.doc => {
                changes.push(change(Impact::Compatible, &path, "description changed"))
            }
            Some(_) => {}
        }
    }
    for scope in b.iter().filter(|s| !a.iter().any(|o| o.name == s.name)) {
        let message = if a.is_empty() {
            format!("scope added: `Scope` was `tray_auth::NoScopes` and is now an enum with `Scope::{}`", scope.ident)
        } else {
            format!("scope added: a `match` over `Scope` without a wildcard arm must handle `Scope::{}` (generated enums are not `#[non_exhaustive]`)", scope.ident)
        };
        changes.push(change(Impact::Breaking, &join(at, &scope.name), message));
    }
}

/// A module's planned types, by name.
struct Types<'a>(HashMap<&'a str, &'a TypeDef>);

impl<'a> Types<'a> {
    fn of(types: &'a [TypeDef]) -> Self {
        Types(types.iter().map(|t| (t.name.as_str(), t)).collect())
    }

    fn get(&self, name: &str) -> Option<&'a TypeDef> {
        self.0.get(name).copied()
    }
}

/// Two planned type sets being compared, from their roots down.
struct Compare<'a> {
    old: Types<'a>,
    new: Types<'a>,
    /// The pairs of types compared already: each pair once, however many fields use it, and a
    /// type that holds itself without end.
    seen: HashSet<(String, String)>,
    /// The variant whose payload is being compared (a field of it is at the enum's path).
    variant: Option<String>,
    changes: &'a mut Vec<Change>,
}

/// A doc's text without its intra-doc links (`[`Server`]`, `[`Auth::Basic`]`): those are the
/// generator's own words naming types, which a renamed type or variant changes (and which was
/// said), not the schema's title or description. Schema text never holds one: it is rendered
/// as text (`doc::as_text` escapes its brackets).
fn without_links(doc: &[String]) -> String {
    let mut text = doc.join("\n");
    while let Some(start) = text.find("[`") {
        let Some(len) = text[start..].find("`]") else {
            break;
        };
        text.replace_range(start..start + len + 2, "");
    }
    text
}

/// What a `match` must now handle, said once for every added enum variant.
const EXHAUSTIVE: &str = "generated enums are not `#[non_exhaustive]`";

impl Compare<'_> {
    fn push(&mut self, impact: Impact, path: &str, message: impl Into<String>) {
        let mut message = message.into();
        if let Some(variant) = &self.variant {
            message.push_str(&format!(" (in variant `{variant}`)"));
        }
        self.changes.push(change(impact, path, message));
    }

    fn breaking(&mut self, path: &str, message: impl Into<String>) {
        self.push(Impact::Breaking, path, message);
    }

    /// The type for people: `String`, `the enum `Type``.
    fn shown(types: &Types, ty: &Ty) -> String {
        let Ty::Named(name) = ty else {
            return format!("`{ty}`");
        };
        let kind = match types.get(name).map(|d| &d.body) {
            Some(Body::Struct(_)) => "the struct",
            Some(Body::StringEnum(_) | Body::IntegerEnum(_)) => "the enum",
            Some(Body::Tagged { .. } | Body::Untagged(_)) => "the enum (one of several)",
            None => "the type",
        };
        format!("{kind} `{name}`")
    }

    /// Compares the types of one place (a field, an item, a variant's payload).
    fn ty(&mut self, old: &Ty, new: &Ty, path: &str) {
        match (old, new) {
            (Ty::Option(a), Ty::Option(b)) | (Ty::Box(a), Ty::Box(b)) => self.ty(a, b, path),
            (Ty::Vec(a), Ty::Vec(b)) => self.ty(a, b, &format!("{path}/items")),
            (Ty::Map(a), Ty::Map(b)) => self.ty(a, b, &format!("{path}/additionalProperties")),
            (Ty::Named(a), Ty::Named(b)) => self.named(a, b, path, true),
            (Ty::Option(a), b) => {
                self.breaking(
                    path,
                    format!("may no longer be null: its type `{old}` is now `{new}`"),
                );
                self.ty(a, b, path);
            }
            (a, Ty::Option(b)) => {
                self.breaking(
                    path,
                    format!("may now be null: its type `{old}` is now `{new}`"),
                );
                self.ty(a, b, path);
            }
            (Ty::Box(a), b) => {
                self.breaking(
                    path,
                    format!("no longer held in a `Box`: `{old}` is now `{new}`"),
                );
                self.ty(a, b, path);
            }
            (a, Ty::Box(b)) => {
                self.breaking(
                    path,
                    format!("now held in a `Box` (the type grew large): `{old}` is now `{new}`"),
                );
                self.ty(a, b, path);
            }
            (a, b) if a == b => {}
            (a, b) => {
                let message = self.type_changed(a, b);
                self.breaking(path, message);
            }
        }
    }

    /// Why the type of a place changed, in words.
    fn type_changed(&self, old: &Ty, new: &Ty) -> String {
        let (was, now) = (Self::shown(&self.old, old), Self::shown(&self.new, new));
        let union_of = |types: &Types, ty: &Ty, member: &Ty| match ty {
            Ty::Named(name) => matches!(
                types.get(name).map(|d| &d.body),
                Some(Body::Untagged(variants)) if variants.iter().any(|v| &v.value == member)
            ),
            _ => false,
        };
        let enum_of = |types: &Types, ty: &Ty| match ty {
            Ty::Named(name) => {
                matches!(types.get(name).map(|d| &d.body), Some(Body::StringEnum(_)))
            }
            _ => false,
        };
        match (old, new) {
            (Ty::String, Ty::Secret) => {
                "now a `Secret` (it was a `String`): its value is kept out of `Debug` output"
                    .to_owned()
            }
            (Ty::Secret, Ty::String) => "now a plain `String` (it was a `Secret`)".to_owned(),
            _ if union_of(&self.new, new, old) => format!(
                "type list widened: the value may now be of other types too, so {was} became {now}"
            ),
            _ if union_of(&self.old, old, new) => format!("type list narrowed: {was} became {now}"),
            (_, Ty::String) if enum_of(&self.old, old) => {
                format!("enum became a string: {was} is now `String`")
            }
            (Ty::String, _) if enum_of(&self.new, new) => {
                format!("string became an enum: `String` is now {now}")
            }
            _ => format!("type changed from {was} to {now}"),
        }
    }

    /// Compares two named types reached through the same place; `renamed` says whether a
    /// changed name is worth saying (not for a payload whose enum or variant was renamed).
    fn named(&mut self, a: &str, b: &str, path: &str, renamed: bool) {
        if !self.seen.insert((a.to_owned(), b.to_owned())) {
            return;
        }
        let (Some(old), Some(new)) = (self.old.get(a), self.new.get(b)) else {
            return;
        };
        if renamed && a != b {
            self.breaking(
                path,
                format!("type renamed from `{a}` to `{b}`: code naming it must follow"),
            );
        }
        match (&old.body, &new.body) {
            (Body::Struct(x), Body::Struct(y)) => self.structs(x, y, path, b),
            (Body::StringEnum(x), Body::StringEnum(y)) => self.values(x, y, path, b, "enum value"),
            (Body::IntegerEnum(x), Body::IntegerEnum(y)) => {
                self.values(x, y, path, b, "enum value")
            }
            (Body::Tagged { .. }, Body::Tagged { .. }) => self.tagged(old, new, path),
            (Body::Untagged(x), Body::Untagged(y)) => self.untagged(x, y, path, b),
            (Body::Struct(_), Body::Tagged { .. } | Body::Untagged(_)) => {
                let variants = variant_idents(&new.body).join("`, `");
                self.breaking(path, format!("became one of several variants (`oneOf`): the struct `{a}` is now an enum `{b}` of `{variants}`"));
            }
            (Body::Tagged { .. } | Body::Untagged(_), Body::Struct(_)) => {
                self.breaking(path, format!("is no longer one of several variants (`oneOf`): the enum `{a}` is now the struct `{b}`"));
            }
            _ => {
                let message = self.type_changed(&Ty::Named(a.to_owned()), &Ty::Named(b.to_owned()));
                self.breaking(path, message);
            }
        }
        self.schema_as_written(old, new, path);
    }

    /// The schema a root keeps when its types cannot hold all it says: `validate()` checks
    /// values against it too.
    fn schema_as_written(&mut self, old: &TypeDef, new: &TypeDef, path: &str) {
        match (&old.schema, &new.schema) {
            (None, Some(_)) => self.push(Impact::RuntimeBreaking, path, "`validate()` now also checks values against the schema as written (it says more than the types hold): values that passed may now fail"),
            (Some(_), None) => self.push(Impact::Compatible, path, "`validate()` no longer checks values against the schema as written: the types hold all it says"),
            (Some(a), Some(b)) if rules(a) != rules(b) => self.push(Impact::RuntimeBreaking, path, "the schema as written, which `validate()` also checks values against (it says more than the types hold), changed: values that passed may now fail"),
            _ => {}
        }
    }

    /// A struct's fields, by JSON key; one removed and one added of the same kind of type
    /// is a rename.
    fn structs(&mut self, a: &StructDef, b: &StructDef, path: &str, name: &str) {
        let removed: Vec<&Field> = a
            .fields
            .iter()
            .filter(|f| field(b, &f.json_name).is_none())
            .collect();
        let added: Vec<&Field> = b
            .fields
            .iter()
            .filter(|f| field(a, &f.json_name).is_none())
            .collect();
        let rename = match (removed.as_slice(), added.as_slice()) {
            ([gone], [came]) if same_kind(&gone.ty, &came.ty) => Some((*gone, *came)),
            _ => None,
        };
        if let Some((gone, came)) = rename {
            let at = join(path, &came.json_name);
            self.breaking(&at, format!("field renamed from `{}`", gone.json_name));
            self.field(gone, came, &at);
        } else {
            for gone in removed {
                self.breaking(&join(path, &gone.json_name), "field removed");
            }
            for came in added {
                let message = if came.required
                    || !(matches!(came.ty, Ty::Option(_)) || came.default.is_some())
                {
                    "required field added".to_owned()
                } else {
                    let none = match came.ty {
                        Ty::Option(_) => format!(" (`{}: None`)", came.ident),
                        _ => String::new(),
                    };
                    format!(
                        "optional field added: struct literals of `{name}` must set it too{none}"
                    )
                };
                self.breaking(&join(path, &came.json_name), message);
            }
        }
        for old in &a.fields {
            if let Some(new) = field(b, &old.json_name) {
                self.field(old, new, &join(path, &old.json_name));
            }
        }
        self.unknown_keys(a, b, path);
    }

    /// What happens to keys the struct has no field for.
    fn unknown_keys(&mut self, a: &StructDef, b: &StructDef, path: &str) {
        match (a.deny_unknown, b.deny_unknown) {
            (false, true) => self.breaking(path, "other keys are now refused when read: JSON with keys the struct has no field for no longer deserializes"),
            (true, false) => self.push(Impact::Compatible, path, "other keys are now ignored when read"),
            _ => {}
        }
        let at = format!("{path}/additionalProperties");
        match (&a.extra, &b.extra) {
            (None, Some(ty)) => self.breaking(&at, format!("other keys are now kept in a field `extra` (`BTreeMap<String, {ty}>`), which struct literals must set too")),
            (Some(_), None) => self.breaking(&at, "the field `extra` that kept other keys is gone"),
            (Some(x), Some(y)) => {
                self.ty(x, y, &at);
                self.checks(&a.extra_checks, &b.extra_checks, &at);
            }
            (None, None) => {}
        }
        if a.extra_secret != b.extra_secret {
            let message = if b.extra_secret {
                "other keys' values are now kept out of `Debug` output"
            } else {
                "other keys' values now show in `Debug` output"
            };
            self.push(Impact::Compatible, &at, message);
        }
    }

    /// One field, the same JSON key on both sides.
    fn field(&mut self, a: &Field, b: &Field, path: &str) {
        let before = self.changes.len();
        // A renamed JSON key was said; a renamed Rust name alone is said here.
        if a.ident != b.ident && a.json_name == b.json_name {
            self.breaking(
                path,
                format!(
                    "field renamed in Rust from `{}` to `{}` (its JSON key is the same)",
                    a.ident, b.ident
                ),
            );
        }
        self.optionality(a, b, path);
        if a.secret != b.secret && a.ty == b.ty {
            let message = if b.secret {
                "its value is now kept out of `Debug` output"
            } else {
                "its value now shows in `Debug` output"
            };
            self.push(Impact::Compatible, path, message);
        }
        // The checks of another type (a number's bounds beside a string) mean nothing here.
        if bare(&a.ty) == bare(&b.ty) {
            self.checks(&a.checks, &b.checks, path);
        }
        if self.changes.len() == before && without_links(&a.doc) != without_links(&b.doc) {
            self.push(Impact::Compatible, path, "title or description changed");
        }
    }

    /// A field's type, `Option` first: whether it may be left out (or be null) and what it
    /// then reads as.
    fn optionality(&mut self, a: &Field, b: &Field, path: &str) {
        match (&a.ty, &b.ty) {
            (Ty::Option(x), y) if !matches!(y, Ty::Option(_)) => {
                let why = if b.default.is_some() {
                    format!("has {} now", the_default(b))
                } else if b.required && !a.required {
                    "became required".to_owned()
                } else {
                    "may no longer be null".to_owned()
                };
                let message = format!(
                    "{why}: its type `{}` is no longer an `Option`, it is `{}`",
                    a.ty, b.ty
                );
                self.breaking(path, message);
                self.ty(x, y, path);
            }
            (x, Ty::Option(y)) if !matches!(x, Ty::Option(_)) => {
                let why = if a.default.is_some() && !b.required {
                    format!("{} is gone", the_default(a))
                } else if a.required && !b.required {
                    "became optional".to_owned()
                } else {
                    "may now be null".to_owned()
                };
                self.breaking(
                    path,
                    format!("{why}: its type `{}` becomes `{}`", a.ty, b.ty),
                );
                self.ty(x, y, path);
            }
            (Ty::Option(_), Ty::Option(_)) => {
                self.ty(&a.ty, &b.ty, path);
                if a.required != b.required {
                    let message = if b.required {
                        "must now be present (`None` is sent as `null`); its type stays an `Option`"
                    } else {
                        "may now be left out; its type stays an `Option`"
                    };
                    self.push(Impact::Compatible, path, message);
                }
            }
            _ => {
                self.ty(&a.ty, &b.ty, path);
                self.defaults(a, b, path);
            }
        }
    }

    /// The defaults of a field that is not an `Option` on either side: with a default it may
    /// be left out of JSON, without one it must be there.
    fn defaults(&mut self, a: &Field, b: &Field, path: &str) {
        match (&a.default, &b.default) {
            (Some(x), Some(y)) if x != y => {
                let change = if a.secret || b.secret {
                    String::new()
                } else {
                    format!(" from {} to {}", compact(x), compact(y))
                };
                let message = format!("default changed{change}: JSON without it reads differently");
                self.breaking(path, message);
            }
            (Some(_), None) => {
                let message = format!("became required: JSON without it no longer deserializes ({} no longer applies)", the_default(a));
                self.breaking(path, message);
            }
            (None, Some(_)) => {
                let message = format!(
                    "became optional, with {}: JSON without it now deserializes",
                    the_default(b)
                );
                self.push(Impact::Compatible, path, message);
            }
            _ => {}
        }
    }
}

/// A field's default for a message (`the default "Task"`), never a secret's value.
fn the_default(field: &Field) -> String {
    match &field.default {
        Some(_) if field.secret => "a default".to_owned(),
        Some(value) => format!("the default {}", compact(value)),
        None => "no default".to_owned(),
    }
}

/// A struct's field for a JSON key.
fn field<'s>(s: &'s StructDef, json_name: &str) -> Option<&'s Field> {
    s.fields.iter().find(|f| f.json_name == json_name)
}

/// Whether two types are of one kind (both strings, both named types, ...), `Option` and
/// `Box` aside: what a renamed field keeps.
fn same_kind(a: &Ty, b: &Ty) -> bool {
    std::mem::discriminant(bare(a)) == std::mem::discriminant(bare(b))
}

/// The type without its `Option` and `Box`.
fn bare(ty: &Ty) -> &Ty {
    match ty {
        Ty::Option(inner) | Ty::Box(inner) => bare(inner),
        other => other,
    }
}

/// The variant names of an enum body.
fn variant_idents(body: &Body) -> Vec<String> {
    match body {
        Body::StringEnum(v) | Body::Tagged { variants: v, .. } => {
            v.iter().map(|v| v.ident.clone()).collect()
        }
        Body::IntegerEnum(v) => v.iter().map(|v| v.ident.clone()).collect(),
        Body::Untagged(v) => v.iter().map(|v| v.ident.clone()).collect(),
        Body::Struct(_) => Vec::new(),
    }
}

/// A value for a message: short, on one line.
fn compact(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

/// A schema's text without what only documents it (titles, descriptions, examples,
/// defaults, labels): what `validate()` checks against.
fn rules(text: &str) -> Option<Value> {
    fn strip(value: &mut Value, keys_are_names: bool) {
        match value {
            Value::Object(map) => {
                if !keys_are_names {
                    for key in [
                        "title",
                        "description",
                        "examples",
                        "example",
                        "default",
                        "$comment",
                        "enumLabels",
                    ] {
                        map.shift_remove(key);
                    }
                }
                for (key, inner) in map.iter_mut() {
                    let names = !keys_are_names
                        && matches!(
                            key.as_str(),
                            "properties" | "patternProperties" | "definitions" | "$defs"
                        );
                    strip(inner, names);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|item| strip(item, false)),
            _ => {}
        }
    }
    let mut value: Value = serde_json::from_str(text).ok()?;
    strip(&mut value, false);
    Some(value)
}

impl Compare<'_> {
    /// The variants of two string or integer enums, by JSON value; one removed and one added
    /// is a renamed value.
    fn values<T: PartialEq + Debug>(
        &mut self,
        a: &[Variant<T>],
        b: &[Variant<T>],
        path: &str,
        name: &str,
        what: &str,
    ) {
        let removed: Vec<&Variant<T>> = a
            .iter()
            .filter(|v| !b.iter().any(|w| w.value == v.value))
            .collect();
        let added: Vec<&Variant<T>> = b
            .iter()
            .filter(|v| !a.iter().any(|w| w.value == v.value))
            .collect();
        if let ([gone], [came]) = (removed.as_slice(), added.as_slice()) {
            self.breaking(path, format!("{what} renamed from {:?} to {:?}: JSON with {:?} no longer deserializes, and `{name}::{}` is now `{name}::{}`", gone.value, came.value, gone.value, gone.ident, came.ident));
        } else {
            for gone in removed {
                self.breaking(
                    path,
                    format!(
                        "{what} {:?} removed: `{name}::{}` is gone",
                        gone.value, gone.ident
                    ),
                );
            }
            for came in added {
                self.breaking(path, format!("{what} {:?} added: a `match` over `{name}` without a wildcard arm must handle `{name}::{}` ({EXHAUSTIVE})", came.value, came.ident));
            }
        }
        for old in a {
            if let Some(new) = b.iter().find(|v| v.value == old.value) {
                if new.ident != old.ident {
                    self.breaking(
                        path,
                        format!(
                            "the variant for {:?} renamed from `{name}::{}` to `{name}::{}`",
                            old.value, old.ident, new.ident
                        ),
                    );
                }
            }
        }
    }

    /// Two enums of objects told apart by a tag property: the tag, the tag values (as
    /// [`Compare::values`]), and each variant's payload.
    fn tagged(&mut self, old: &TypeDef, new: &TypeDef, path: &str) {
        let (
            Body::Tagged {
                tag: ta,
                variants: va,
                payloads: pa,
                boxed: xa,
            },
            Body::Tagged {
                tag: tb,
                variants: vb,
                payloads: pb,
                boxed: xb,
            },
        ) = (&old.body, &new.body)
        else {
            return;
        };
        if ta != tb {
            self.breaking(path, format!("its variants are now told apart by `{tb}`, not `{ta}`: JSON is read differently"));
        }
        self.values(va, vb, path, &new.name, "tag value");
        let mut matched: Vec<(usize, usize)> = va
            .iter()
            .enumerate()
            .filter_map(|(i, v)| vb.iter().position(|w| w.value == v.value).map(|j| (i, j)))
            .collect();
        let removed: Vec<usize> = (0..va.len())
            .filter(|i| !matched.iter().any(|m| m.0 == *i))
            .collect();
        let added: Vec<usize> = (0..vb.len())
            .filter(|j| !matched.iter().any(|m| m.1 == *j))
            .collect();
        if let ([i], [j]) = (removed.as_slice(), added.as_slice()) {
            matched.push((*i, *j));
        }
        let outer = self.variant.take();
        for (i, j) in matched {
            // A payload is named after its enum and variant: a rename of either was said.
            let renamed = old.name == new.name && va[i].ident == vb[j].ident;
            let (was_boxed, is_boxed) = (xa.get(i) == Some(&true), xb.get(j) == Some(&true));
            if was_boxed != is_boxed {
                let (now, before) = if is_boxed {
                    ("a `Box`", "inline")
                } else {
                    ("inline", "a `Box`")
                };
                self.breaking(path, format!("the payload of `{}::{}` is now held in {now}, not {before}: code that builds or matches it must change", new.name, vb[j].ident));
            }
            self.variant = Some(format!("{}::{}", new.name, vb[j].ident));
            self.named(&pa[i], &pb[j], path, renamed);
        }
        self.variant = outer;
    }

    /// Two enums whose variants are tried in turn, by variant name.
    fn untagged(&mut self, a: &[Variant<Ty>], b: &[Variant<Ty>], path: &str, name: &str) {
        for gone in a.iter().filter(|v| !b.iter().any(|w| w.ident == v.ident)) {
            self.breaking(
                path,
                format!(
                    "variant `{name}::{}` removed: values it read no longer read as it",
                    gone.ident
                ),
            );
        }
        for came in b.iter().filter(|v| !a.iter().any(|w| w.ident == v.ident)) {
            self.breaking(path, format!("variant `{name}::{}` added: a `match` over `{name}` without a wildcard arm must handle it ({EXHAUSTIVE}), and a value that fits it may now read as it", came.ident));
        }
        let order = |x: &[Variant<Ty>], y: &[Variant<Ty>]| -> Vec<String> {
            x.iter()
                .filter(|v| y.iter().any(|w| w.ident == v.ident))
                .map(|v| v.ident.clone())
                .collect()
        };
        if order(a, b) != order(b, a) {
            self.breaking(path, format!("the variants of `{name}` are tried in another order: a value that fits several may now read as another one"));
        }
        let outer = self.variant.take();
        for old in a {
            let Some(new) = b.iter().find(|w| w.ident == old.ident) else {
                continue;
            };
            self.variant = Some(format!("{name}::{}", new.ident));
            self.ty(&old.value, &new.value, path);
            self.checks(&old.checks, &new.checks, path);
        }
        self.variant = outer;
    }

    /// What `validate()` checks: tighter is runtime-breaking, looser compatible.
    fn checks(&mut self, a: &Checks, b: &Checks, path: &str) {
        self.constraints(&a.constraints, &b.constraints, path);
        self.allowed(a.allowed.as_deref(), b.allowed.as_deref(), path);
        let nested = |c: &Option<Box<Checks>>| c.as_deref().cloned().unwrap_or_default();
        if a.items.is_some() || b.items.is_some() {
            let at = format!("{path}/items");
            self.checks(&nested(&a.items), &nested(&b.items), &at);
        }
        if a.values.is_some() || b.values.is_some() {
            let at = format!("{path}/additionalProperties");
            self.checks(&nested(&a.values), &nested(&b.values), &at);
        }
    }

    /// A value's pattern, lengths, bounds and item rules.
    fn constraints(&mut self, x: &Constraints, y: &Constraints, path: &str) {
        let (tighter, looser) = (Impact::RuntimeBreaking, Impact::Compatible);
        let fail = "values that passed `validate()` may now fail";
        match (&x.pattern, &y.pattern) {
            (None, Some(_)) => self.push(tighter, path, format!("pattern added: {fail}")),
            (Some(_), None) => {
                self.push(looser, path, "pattern removed: `validate()` accepts more")
            }
            (Some(p), Some(q)) if p != q => {
                self.push(tighter, path, format!("pattern changed: {fail}"))
            }
            _ => {}
        }
        // Lower bounds: an absent length or item count is 0; other bounds: absent is none.
        self.bound(
            path,
            "minLength",
            (x.min_length, y.min_length),
            Some(Some(0)),
        );
        self.bound(path, "maxLength", (x.max_length, y.max_length), None);
        self.bound(path, "minimum", (x.minimum, y.minimum), Some(None));
        self.bound(
            path,
            "exclusiveMinimum",
            (x.exclusive_minimum, y.exclusive_minimum),
            Some(None),
        );
        self.bound(path, "maximum", (x.maximum, y.maximum), None);
        self.bound(
            path,
            "exclusiveMaximum",
            (x.exclusive_maximum, y.exclusive_maximum),
            None,
        );
        self.bound(path, "minItems", (x.min_items, y.min_items), Some(Some(0)));
        self.bound(path, "maxItems", (x.max_items, y.max_items), None);
        match (x.unique_items, y.unique_items) {
            (false, true) => self.push(tighter, path, format!("items must now be unique: {fail}")),
            (true, false) => self.push(looser, path, "items no longer need to be unique"),
            _ => {}
        }
    }

    /// A bound going from `old` to `new`. `lower` is `Some` for a lower bound (a value below
    /// it fails), holding the value an absent one stands for, if any; `None` for an upper one.
    fn bound<T: PartialOrd + Display + Copy>(
        &mut self,
        path: &str,
        name: &str,
        (old, new): (Option<T>, Option<T>),
        lower: Option<Option<T>>,
    ) {
        let tighter = match (old, new) {
            (Some(o), Some(n)) if o == n => return,
            (None, None) => return,
            (None, Some(n)) => lower.is_none_or(|floor| floor.is_none_or(|f| n > f)),
            (Some(_), None) => false,
            (Some(o), Some(n)) => {
                if lower.is_some() {
                    n > o
                } else {
                    n < o
                }
            }
        };
        let what = match (old, new) {
            (None, Some(n)) => format!("{name} {n} added"),
            (Some(o), None) => format!("{name} {o} removed"),
            (Some(o), Some(n)) if n > o => format!("{name} raised from {o} to {n}"),
            (Some(o), Some(n)) => format!("{name} lowered from {o} to {n}"),
            (None, None) => return,
        };
        if tighter {
            let message = format!("{what}: values that passed `validate()` may now fail");
            self.push(Impact::RuntimeBreaking, path, message);
        } else {
            let message = format!("{what}: `validate()` accepts more");
            self.push(Impact::Compatible, path, message);
        }
    }

    /// The values an `enum` or `const` allows when the type cannot hold them one by one.
    fn allowed(&mut self, a: Option<&[Value]>, b: Option<&[Value]>, path: &str) {
        match (a, b) {
            (None, Some(_)) => self.push(Impact::RuntimeBreaking, path, "only some values are allowed now (`enum` or `const`): values that passed `validate()` may now fail"),
            (Some(_), None) => self.push(Impact::Compatible, path, "any value of its type is allowed now"),
            (Some(a), Some(b)) => {
                for gone in a.iter().filter(|v| !b.contains(v)) {
                    self.push(Impact::RuntimeBreaking, path, format!("allowed value {} removed: values that passed `validate()` may now fail", compact(gone)));
                }
                for came in b.iter().filter(|v| !a.contains(v)) {
                    self.push(Impact::Compatible, path, format!("allowed value {} added", compact(came)));
                }
            }
            (None, None) => {}
        }
    }
}
