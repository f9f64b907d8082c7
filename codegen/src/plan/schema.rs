//! Planning one bare JSON Schema (the `schema` command, [`crate::schema_to_rust`]): a root type
//! named by the caller and everything it uses.

use std::path::Path;

use serde_json::Value;
use tray_schema::diagnostic::{Diagnostic, Diagnostics};

use super::{Planner, Samples, Ty, TypeDef};
use crate::names;
use crate::schema::{Kind, Reader};

/// A bare schema, planned.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaPlan {
    /// The planned types, the root's first.
    pub types: Vec<TypeDef>,
    /// `pub type Root = ..;` when the root is not a type of its own.
    pub alias: Option<Alias>,
    /// The `default`s and `examples` met, for tests of the generated types.
    pub samples: Vec<Samples>,
    /// What the reader and the planner did not fully understand.
    pub diagnostics: Vec<Diagnostic>,
}

/// A root planned as a type alias (`pub type Credentials = i64;`).
#[derive(Debug, Clone, PartialEq)]
pub struct Alias {
    /// The root's name.
    pub name: String,
    /// The type it stands for.
    pub ty: Ty,
    /// Doc comment lines.
    pub doc: Vec<String>,
}

/// Reads and plans `schema` (from `file`, whose folder holds its `$ref` files) as the type
/// `name`.
///
/// A root that is not an object schema (`{"type": "integer"}`, `true`, an array) gives a type
/// alias, with a warning. A `name` that generated code uses for a prelude item (`String`,
/// `Option`, ...) is given a `Type` suffix (`StringType`), with a warning.
pub fn schema(schema: &Value, name: &str, file: Option<&Path>) -> SchemaPlan {
    let mut diagnostics = Diagnostics::new(file.map(Path::to_owned));
    let read = Reader::new(schema, "", file.and_then(Path::parent), &mut diagnostics).read_root();
    let mut plan_diagnostics = Diagnostics::new(file.map(Path::to_owned));
    let root = root_name(name, &mut plan_diagnostics);
    let (types, samples, alias) = if matches!(read.target(&read.root).kind, Kind::Object(_)) {
        let mut reserved = names::RESERVED_TYPE_NAMES.to_vec();
        reserved.push(root.as_str());
        let mut planner = Planner::new(&reserved, &mut plan_diagnostics);
        let doc = "The type of the schema's root, which has no title or description.".to_owned();
        planner.plan_root(&root, &read, doc, schema);
        let (types, samples) = planner.finish_with_samples();
        (types, samples, None)
    } else {
        let reserved: Vec<&str> = names::RESERVED_TYPE_NAMES
            .iter()
            .copied()
            .filter(|n| *n != root)
            .collect();
        let mut planner = Planner::new(&reserved, &mut plan_diagnostics);
        let ty = planner.plan_named(&root, &read);
        let (types, samples) = planner.finish_with_samples();
        let alias = (ty != Ty::Named(root.clone())).then(|| {
            let target = read.target(&read.root);
            alias(root.clone(), ty, target, &mut plan_diagnostics)
        });
        (types, samples, alias)
    };
    let mut all = diagnostics.into_vec();
    all.extend(plan_diagnostics.into_vec());
    SchemaPlan {
        types,
        alias,
        samples,
        diagnostics: all,
    }
}

/// The root type's name: `name` in upper camel case, with `Type` added when generated code uses
/// that name for a prelude item (a `struct String` would make every `String` field that struct).
fn root_name(name: &str, diagnostics: &mut Diagnostics) -> String {
    let root = names::camel(name);
    if !names::is_prelude_name(&root) {
        return root;
    }
    let renamed = format!("{root}Type");
    diagnostics.warn(
        "",
        format!("`{root}` is the name of a Rust prelude item that generated code uses; the root type is named `{renamed}` instead"),
    );
    renamed
}

/// The alias for a root that is not an object, enum or union schema, with a warning saying so
/// (otherwise the output would define nothing named `root`, silently).
fn alias(
    root: String,
    ty: Ty,
    read: &crate::schema::Schema,
    diagnostics: &mut Diagnostics,
) -> Alias {
    let detail = read
        .kind
        .json_type()
        .map(|json| format!(" (its type is `{json}`)"))
        .unwrap_or_default();
    diagnostics.warn(
        &read.pointer,
        format!("the root is not an object schema{detail}: `{root}` is generated as a type alias (`pub type {root} = ...;`), not a struct"),
    );
    let mut doc = Vec::new();
    for text in [&read.title, &read.description].into_iter().flatten() {
        if !doc.is_empty() {
            doc.push(String::new());
        }
        doc.push(text.clone());
    }
    if doc.is_empty() {
        doc.push(
            "The schema's root, which is not an object schema and has no title or description."
                .to_owned(),
        );
    }
    Alias {
        name: root,
        ty,
        doc,
    }
}
