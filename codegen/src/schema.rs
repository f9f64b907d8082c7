//! Stage 1: read a loose JSON Schema into a normalized model.
//!
//! Tray's schemas mix dialects (draft-03 `"required": true` on a property, draft-04 `required`
//! arrays, Tray's own keys), and real ones carry typos. Reading never fails: whatever is not
//! understood becomes a [`Diagnostic`](crate::Diagnostic) with its JSON pointer, and the schema
//! falls back to "any JSON value".

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::diagnostic::{join, Diagnostics};

/// One schema, normalized.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    /// Where it stands in its file.
    pub pointer: String,
    /// `title`.
    pub title: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `default`.
    pub default: Option<Value>,
    /// `examples` (and, first, a single `example`).
    pub examples: Vec<Value>,
    /// Whether `examples` starts with a single `example`.
    pub has_example: bool,
    /// `format`.
    pub format: Option<String>,
    /// Tray's `enumLabels`: a label per `enum` value, for people.
    pub enum_labels: Vec<String>,
    /// Marked secret by the schema: `format: "password"`, `airbyte_secret`, `writeOnly`.
    pub secret: bool,
    /// `null` is allowed besides the kind (`"type": ["string", "null"]`).
    pub nullable: bool,
    /// What kind of value it is.
    pub kind: Kind,
    /// Rules that types cannot express.
    pub constraints: Constraints,
}

/// The kind of value a schema describes.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// Anything: no `type`, or one the generator does not understand.
    Any,
    /// `"type": "null"` alone.
    Null,
    /// `boolean`.
    Boolean,
    /// `integer`.
    Integer,
    /// `number`.
    Number,
    /// `string`.
    String,
    /// `array`, with the schema of its items when it gives one.
    Array(Option<Box<Schema>>),
    /// `object`.
    Object(Object),
    /// `enum` of strings or of integers (mixed enums are read as [`Kind::Any`]).
    Enum(Vec<Value>),
    /// `const`.
    Const(Value),
    /// `oneOf` (or `anyOf`): one of several schemas.
    OneOf(Vec<Schema>),
    /// Several types at once (`"type": ["string", "integer"]`).
    Union(Vec<Schema>),
}

/// An object schema.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Object {
    /// `properties`, in schema order.
    pub properties: Vec<Property>,
    /// What other keys may hold.
    pub additional: Additional,
}

/// `additionalProperties` (and `patternProperties`).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Additional {
    /// Not said: other keys are allowed and ignored.
    #[default]
    Allowed,
    /// `false`: other keys are an error.
    Denied,
    /// A schema: other keys hold values of it (a map).
    Schema(Box<Schema>),
}

/// A property of an object schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    /// Its key in JSON.
    pub name: String,
    /// Listed in `required` (or draft-03 `"required": true`).
    pub required: bool,
    /// Its schema.
    pub schema: Schema,
}

/// Rules a value must keep beyond its type.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Constraints {
    /// `pattern` (ECMAScript regular expression, not anchored).
    pub pattern: Option<String>,
    /// `minLength`.
    pub min_length: Option<u64>,
    /// `maxLength`.
    pub max_length: Option<u64>,
    /// `minimum`.
    pub minimum: Option<f64>,
    /// `maximum`.
    pub maximum: Option<f64>,
    /// `exclusiveMinimum` as a number.
    pub exclusive_minimum: Option<f64>,
    /// `exclusiveMaximum` as a number.
    pub exclusive_maximum: Option<f64>,
    /// `minItems`.
    pub min_items: Option<u64>,
    /// `maxItems`.
    pub max_items: Option<u64>,
    /// `uniqueItems`.
    pub unique_items: bool,
}

impl Constraints {
    /// Whether there is nothing to check.
    pub fn is_empty(&self) -> bool {
        *self == Constraints::default()
    }
}

impl Kind {
    /// The JSON Schema `type` of this kind, where it is one type.
    pub fn json_type(&self) -> Option<&'static str> {
        match self {
            Kind::Boolean => Some("boolean"),
            Kind::Integer => Some("integer"),
            Kind::Number => Some("number"),
            Kind::String => Some("string"),
            Kind::Array(_) => Some("array"),
            Kind::Object(_) => Some("object"),
            Kind::Null => Some("null"),
            Kind::Any | Kind::Enum(_) | Kind::Const(_) | Kind::OneOf(_) | Kind::Union(_) => None,
        }
    }
}

impl Schema {
    fn any(pointer: &str) -> Schema {
        Schema {
            pointer: pointer.to_owned(),
            title: None,
            description: None,
            default: None,
            examples: Vec::new(),
            has_example: false,
            format: None,
            enum_labels: Vec::new(),
            secret: false,
            nullable: false,
            kind: Kind::Any,
            constraints: Constraints::default(),
        }
    }
}

/// Keywords the reader knows. Those it uses are read; the rest are annotations for people or
/// for user interfaces (Tray's and Airbyte's), which carry no meaning for types.
const KNOWN_KEYWORDS: &[&str] = &[
    // read
    "type",
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "items",
    "enum",
    "const",
    "oneOf",
    "anyOf",
    "allOf",
    "$ref",
    "title",
    "description",
    "default",
    "examples",
    "example",
    "format",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
    "uniqueItems",
    "airbyte_secret",
    "writeOnly",
    // identifiers and containers of definitions
    "$schema",
    "schema",
    "id",
    "$id",
    "definitions",
    "$defs",
    "$comment",
    // annotations for user interfaces
    "enumLabels",
    "advanced",
    "lookup",
    "order",
    "group",
    "groups",
    "multiline",
    "hidden",
    "airbyte_hidden",
    "always_show",
    "display_type",
    "readOnly",
    "deprecated",
    "options",
    "propertyOrder",
    "ui",
    "x-ui",
    "placeholder",
    "multipleOf",
    "contentMediaType",
    "contentEncoding",
    "uniqueKeys",
];

/// Keywords that change which values are valid but that the generator does not turn into
/// types or checks: they are mentioned once, so nobody is surprised.
const UNENFORCED_KEYWORDS: &[&str] = &[
    "multipleOf",
    "dependencies",
    "minProperties",
    "maxProperties",
    "not",
    "if",
    "then",
    "else",
    "additionalItems",
    "contains",
    "propertyNames",
];

/// Reads schemas, resolving `$ref`s and collecting diagnostics.
pub struct Reader<'a> {
    root: &'a Value,
    root_pointer: String,
    base_dir: Option<PathBuf>,
    diagnostics: &'a mut Diagnostics,
    /// `$ref`s being expanded, to stop on cycles.
    ref_stack: Vec<String>,
    /// Documents loaded for `$ref`s to other files.
    external: Vec<(PathBuf, Value)>,
    /// How deep the schema being read is nested.
    depth: usize,
}

/// How deep a schema may nest before the rest is read as "any value": deeper than real schemas
/// go (the corpus nests 18 levels), and shallow enough that the types compile. Each level of
/// nesting is two to four levels of types (`Option<Vec<Item>>`), and rustc checks auto traits
/// (`Send`, and `Freeze` for every type it compiles) through all of them within its recursion
/// limit of 128: 62 levels of optional objects fail with E0275, and `#![recursion_limit]` can
/// only be raised by each crate that uses the types.
pub const MAX_DEPTH: usize = 32;

impl<'a> Reader<'a> {
    /// A reader of the schema `root`, which stands at `root_pointer` in its file; `base_dir` is
    /// where `$ref`s to other files are looked up.
    pub fn new(
        root: &'a Value,
        root_pointer: &str,
        base_dir: Option<&Path>,
        diagnostics: &'a mut Diagnostics,
    ) -> Self {
        Reader {
            root,
            root_pointer: root_pointer.to_owned(),
            base_dir: base_dir.map(Path::to_owned),
            diagnostics,
            ref_stack: Vec::new(),
            external: Vec::new(),
            depth: 0,
        }
    }

    /// Reads the root schema.
    pub fn read_root(&mut self) -> Schema {
        let root = self.root;
        let pointer = self.root_pointer.clone();
        let mut schema = self.read(root, &pointer);
        // An empty schema at the root (Slack's credentials) is an object with no properties.
        if schema.kind == Kind::Any
            && root
                .as_object()
                .is_some_and(|o| o.is_empty() || !o.contains_key("type"))
        {
            schema.kind = Kind::Object(Object::default());
        }
        schema
    }

    fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.diagnostics.warn(pointer, message);
    }

    /// Reads the schema `value` found at `pointer`.
    pub fn read(&mut self, value: &Value, pointer: &str) -> Schema {
        if self.depth >= MAX_DEPTH {
            self.warn(
                pointer,
                format!("nested more than {MAX_DEPTH} levels deep; any value is accepted here (`serde_json::Value`), as deeper types would not compile"),
            );
            return Schema::any(pointer);
        }
        self.depth += 1;
        let schema = self.read_nested(value, pointer);
        self.depth -= 1;
        schema
    }

    fn read_nested(&mut self, value: &Value, pointer: &str) -> Schema {
        let Value::Object(map) = value else {
            if value != &Value::Bool(true) {
                self.warn(
                    pointer,
                    format!(
                        "a schema must be an object, found {}; any value is accepted here",
                        kind_name(value)
                    ),
                );
            }
            return Schema::any(pointer);
        };
        if let Some(reference) = map.get("$ref") {
            return self.read_ref(map, reference, pointer);
        }
        self.check_keywords(map, pointer);

        let mut schema = Schema::any(pointer);
        schema.title = self.string(map, "title", pointer);
        schema.description = self.string(map, "description", pointer);
        schema.format = self.string(map, "format", pointer);
        schema.default = map.get("default").cloned();
        schema.enum_labels = match map.get("enumLabels") {
            Some(Value::Array(labels)) => labels
                .iter()
                .map(|l| l.as_str().unwrap_or_default().to_owned())
                .collect(),
            _ => Vec::new(),
        };
        schema.examples = self.examples(map, pointer);
        schema.has_example = map.contains_key("example");
        schema.secret = schema.format.as_deref() == Some("password")
            || map.get("airbyte_secret") == Some(&Value::Bool(true))
            || map.get("writeOnly") == Some(&Value::Bool(true));
        schema.constraints = self.constraints(map, pointer);
        schema.kind = self.kind(map, pointer, &mut schema.nullable);
        schema
    }

    fn read_ref(&mut self, map: &Map<String, Value>, reference: &Value, pointer: &str) -> Schema {
        let ref_pointer = join(pointer, "$ref");
        let Some(reference) = reference.as_str() else {
            self.warn(
                &ref_pointer,
                "`$ref` must be a string; any value is accepted here",
            );
            return Schema::any(pointer);
        };
        if self.ref_stack.iter().any(|r| r == reference) || self.ref_stack.len() > 32 {
            self.warn(&ref_pointer, format!("`$ref` `{reference}` refers to itself; recursive types are not generated, so any value is accepted here"));
            return Schema::any(pointer);
        }
        let Some(target) = self.resolve(reference, &ref_pointer) else {
            return Schema::any(pointer);
        };
        self.ref_stack.push(reference.to_owned());
        let mut schema = self.read(&target, pointer);
        self.ref_stack.pop();
        // Keywords beside `$ref` (a title, a description) describe this use of it.
        if let Some(title) = map.get("title").and_then(Value::as_str) {
            schema.title = Some(title.to_owned());
        }
        if let Some(description) = map.get("description").and_then(Value::as_str) {
            schema.description = Some(description.to_owned());
        }
        if let Some(default) = map.get("default") {
            schema.default = Some(default.clone());
        }
        schema
    }

    /// Finds what a `$ref` points at: `#/definitions/x` in this document, or
    /// `other.json#/x` in a file next to this one.
    fn resolve(&mut self, reference: &str, ref_pointer: &str) -> Option<Value> {
        let (file, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let fragment = percent_decode(fragment);
        if file.is_empty() {
            let found = self.root.pointer(&fragment).cloned();
            if found.is_none() {
                self.warn(ref_pointer, format!("`$ref` `{reference}` points at nothing in this schema; any value is accepted here"));
            }
            return found;
        }
        let Some(base) = &self.base_dir else {
            self.warn(ref_pointer, format!("`$ref` `{reference}` names another file, but this schema was not read from a file; any value is accepted here"));
            return None;
        };
        let path = base.join(file);
        let document = match self.external.iter().find(|(p, _)| *p == path) {
            Some((_, document)) => document.clone(),
            None => {
                let loaded = std::fs::read_to_string(&path)
                    .map_err(|e| e.to_string())
                    .and_then(|text| {
                        serde_json::from_str::<Value>(crate::snapshot::strip_bom(&text))
                            .map_err(|e| e.to_string())
                    });
                match loaded {
                    Ok(document) => {
                        self.external.push((path.clone(), document.clone()));
                        document
                    }
                    Err(error) => {
                        self.warn(ref_pointer, format!("`$ref` `{reference}`: cannot read {}: {error}; any value is accepted here", path.display()));
                        return None;
                    }
                }
            }
        };
        let found = document.pointer(&fragment).cloned();
        if found.is_none() {
            self.warn(
                ref_pointer,
                format!(
                    "`$ref` `{reference}` points at nothing in {}; any value is accepted here",
                    path.display()
                ),
            );
        }
        found
    }

    fn check_keywords(&mut self, map: &Map<String, Value>, pointer: &str) {
        for key in map.keys() {
            if KNOWN_KEYWORDS.contains(&key.as_str()) {
                continue;
            }
            if UNENFORCED_KEYWORDS.contains(&key.as_str()) {
                self.warn(
                    &join(pointer, key),
                    format!("`{key}` is not checked by the generated types or by validate()"),
                );
                continue;
            }
            let guess = KNOWN_KEYWORDS
                .iter()
                .filter(|known| strsim::damerau_levenshtein(known, key) <= 2 && key.len() > 2)
                .min_by_key(|known| strsim::damerau_levenshtein(known, key));
            let hint = guess
                .map(|g| format!(" (did you mean `{g}`?)"))
                .unwrap_or_default();
            self.warn(
                &join(pointer, key),
                format!("unknown keyword `{key}` is ignored{hint}"),
            );
        }
    }

    fn string(&mut self, map: &Map<String, Value>, key: &str, pointer: &str) -> Option<String> {
        match map.get(key)? {
            Value::String(s) => Some(s.clone()),
            other => {
                self.warn(
                    &join(pointer, key),
                    format!(
                        "`{key}` should be a string, found {}; ignored",
                        kind_name(other)
                    ),
                );
                None
            }
        }
    }

    fn examples(&mut self, map: &Map<String, Value>, pointer: &str) -> Vec<Value> {
        let mut examples = Vec::new();
        if let Some(example) = map.get("example") {
            examples.push(example.clone());
        }
        match map.get("examples") {
            None => {}
            Some(Value::Array(list)) => examples.extend(list.iter().cloned()),
            Some(other) => self.warn(
                &join(pointer, "examples"),
                format!(
                    "`examples` must be an array of values, found {}; dropped",
                    kind_name(other)
                ),
            ),
        }
        examples
    }

    fn constraints(&mut self, map: &Map<String, Value>, pointer: &str) -> Constraints {
        let mut c = Constraints {
            min_length: self.count(map, "minLength", pointer),
            max_length: self.count(map, "maxLength", pointer),
            min_items: self.count(map, "minItems", pointer),
            max_items: self.count(map, "maxItems", pointer),
            minimum: self.number(map, "minimum", pointer),
            maximum: self.number(map, "maximum", pointer),
            unique_items: map.get("uniqueItems") == Some(&Value::Bool(true)),
            ..Constraints::default()
        };
        // Draft 4 spells exclusive bounds as booleans beside minimum/maximum; later drafts as numbers.
        match map.get("exclusiveMinimum") {
            Some(Value::Bool(true)) => c.exclusive_minimum = c.minimum.take(),
            Some(Value::Bool(false)) | None => {}
            Some(_) => c.exclusive_minimum = self.number(map, "exclusiveMinimum", pointer),
        }
        match map.get("exclusiveMaximum") {
            Some(Value::Bool(true)) => c.exclusive_maximum = c.maximum.take(),
            Some(Value::Bool(false)) | None => {}
            Some(_) => c.exclusive_maximum = self.number(map, "exclusiveMaximum", pointer),
        }
        if let Some(pattern) = self.string(map, "pattern", pointer) {
            match regress::Regex::with_flags(&pattern, "u").or_else(|_| regress::Regex::new(&pattern)) {
                Ok(_) => c.pattern = Some(pattern),
                Err(error) => self.warn(
                    &join(pointer, "pattern"),
                    format!("`pattern` is not an ECMAScript regular expression ({error}); it is not checked"),
                ),
            }
        }
        c
    }

    fn count(&mut self, map: &Map<String, Value>, key: &str, pointer: &str) -> Option<u64> {
        let value = map.get(key)?;
        let count = value.as_u64().or_else(|| {
            value
                .as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                .map(|f| f as u64)
        });
        if count.is_none() {
            self.warn(
                &join(pointer, key),
                format!("`{key}` must be a non-negative integer; it is not checked"),
            );
        }
        count
    }

    fn number(&mut self, map: &Map<String, Value>, key: &str, pointer: &str) -> Option<f64> {
        let value = map.get(key)?;
        if value.as_f64().is_none() {
            self.warn(
                &join(pointer, key),
                format!("`{key}` must be a number; it is not checked"),
            );
        }
        value.as_f64()
    }

    fn kind(&mut self, map: &Map<String, Value>, pointer: &str, nullable: &mut bool) -> Kind {
        let types = self.types(map, pointer, nullable);
        if let Some(value) = map.get("const") {
            return Kind::Const(value.clone());
        }
        if let Some(values) = map.get("enum") {
            if let Some(kind) = self.enumeration(values, &join(pointer, "enum"), nullable) {
                return kind;
            }
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(variants) = map.get(key) {
                let key_pointer = join(pointer, key);
                let Value::Array(variants) = variants else {
                    self.warn(
                        &key_pointer,
                        format!("`{key}` must be an array of schemas; ignored"),
                    );
                    continue;
                };
                let mut read = Vec::new();
                for (i, variant) in variants.iter().enumerate() {
                    let variant_pointer = join(&key_pointer, &i.to_string());
                    let mut schema = self.read(variant, &variant_pointer);
                    // A variant without a type shares the parent's (`"type": "object"` beside `oneOf`).
                    if schema.kind == Kind::Any
                        && types.len() == 1
                        && variant.get("properties").is_none()
                    {
                        schema.kind = self.kind_of_type(&types[0], map, pointer);
                    }
                    if schema.kind == Kind::Null {
                        *nullable = true;
                    } else {
                        read.push(schema);
                    }
                }
                // Properties beside `oneOf` are shared by every variant.
                if map.contains_key("properties") {
                    let shared = self.object(map, pointer);
                    for variant in &mut read {
                        if let Kind::Object(object) = &mut variant.kind {
                            let own: BTreeSet<String> =
                                object.properties.iter().map(|p| p.name.clone()).collect();
                            let mut properties: Vec<Property> = shared
                                .properties
                                .iter()
                                .filter(|p| !own.contains(&p.name))
                                .cloned()
                                .collect();
                            properties.append(&mut object.properties);
                            object.properties = properties;
                        }
                    }
                }
                return match read.len() {
                    0 => Kind::Any,
                    1 => read.pop().map(|s| s.kind).unwrap_or(Kind::Any),
                    _ => Kind::OneOf(read),
                };
            }
        }
        if let Some(all) = map.get("allOf") {
            return self.all_of(map, all, pointer);
        }
        match types.len() {
            0 => {
                if map.contains_key("properties")
                    || map.contains_key("additionalProperties")
                    || map.contains_key("patternProperties")
                {
                    Kind::Object(self.object(map, pointer))
                } else if map.contains_key("items") {
                    self.kind_of_type("array", map, pointer)
                } else {
                    if !map.is_empty() {
                        self.warn(
                            pointer,
                            "no `type`: any JSON value is accepted here (`serde_json::Value`)",
                        );
                    }
                    Kind::Any
                }
            }
            1 => self.kind_of_type(&types[0], map, pointer),
            _ => Kind::Union(
                types
                    .iter()
                    .map(|t| {
                        let mut schema = Schema::any(pointer);
                        schema.kind = self.kind_of_type(t, map, pointer);
                        schema
                    })
                    .collect(),
            ),
        }
    }

    /// The `type` names, `null` taken out (it sets `nullable`).
    fn types(
        &mut self,
        map: &Map<String, Value>,
        pointer: &str,
        nullable: &mut bool,
    ) -> Vec<String> {
        let type_pointer = join(pointer, "type");
        let names: Vec<&Value> = match map.get("type") {
            None => return Vec::new(),
            Some(Value::Array(list)) => list.iter().collect(),
            Some(one) => vec![one],
        };
        let mut types = Vec::new();
        for name in names {
            match name.as_str() {
                Some("null") => *nullable = true,
                Some(t @ ("string" | "integer" | "number" | "boolean" | "object" | "array")) => {
                    if !types.iter().any(|known| known == t) {
                        types.push(t.to_owned());
                    }
                }
                Some("any") => return Vec::new(),
                _ => self.warn(&type_pointer, format!("unknown type {name}; ignored")),
            }
        }
        if types.is_empty() && *nullable && map.get("enum").is_none() && map.get("oneOf").is_none()
        {
            *nullable = false;
            types.push("null".to_owned());
        }
        types
    }

    fn kind_of_type(&mut self, name: &str, map: &Map<String, Value>, pointer: &str) -> Kind {
        match name {
            "null" => Kind::Null,
            "string" => Kind::String,
            "integer" => Kind::Integer,
            "number" => Kind::Number,
            "boolean" => Kind::Boolean,
            "object" => Kind::Object(self.object(map, pointer)),
            "array" => {
                let items_pointer = join(pointer, "items");
                match map.get("items") {
                    None => Kind::Array(None),
                    Some(Value::Array(_)) => {
                        self.warn(
                            &items_pointer,
                            "tuple `items` (an array of schemas) are read as a list of any values",
                        );
                        Kind::Array(None)
                    }
                    Some(items) => Kind::Array(Some(Box::new(self.read(items, &items_pointer)))),
                }
            }
            _ => Kind::Any,
        }
    }

    fn enumeration(&mut self, values: &Value, pointer: &str, nullable: &mut bool) -> Option<Kind> {
        let Value::Array(values) = values else {
            self.warn(pointer, "`enum` must be an array of values; ignored");
            return None;
        };
        let mut kept = Vec::new();
        // By JSON text, so that a long `enum` is read in linear time.
        let mut seen = std::collections::HashSet::new();
        for value in values {
            match value {
                Value::Null => *nullable = true,
                v if seen.insert(v.to_string()) => kept.push(v.clone()),
                _ => {}
            }
        }
        let all_strings = kept.iter().all(Value::is_string);
        let all_integers = kept.iter().all(|v| v.is_i64() || v.is_u64());
        if kept.is_empty() {
            self.warn(
                pointer,
                "`enum` lists no values; any value is accepted here",
            );
            return None;
        }
        if !(all_strings || all_integers) {
            self.warn(pointer, "`enum` mixes kinds of values; it is not turned into a Rust enum, and any value is accepted here");
            return Some(Kind::Any);
        }
        Some(Kind::Enum(kept))
    }

    fn all_of(&mut self, map: &Map<String, Value>, all: &Value, pointer: &str) -> Kind {
        let all_pointer = join(pointer, "allOf");
        let Value::Array(parts) = all else {
            self.warn(&all_pointer, "`allOf` must be an array of schemas; ignored");
            return Kind::Any;
        };
        let mut merged = if map.contains_key("properties") {
            self.object(map, pointer)
        } else {
            Object::default()
        };
        let mut other = None;
        for (i, part) in parts.iter().enumerate() {
            let part = self.read(part, &join(&all_pointer, &i.to_string()));
            match part.kind {
                Kind::Object(object) => {
                    for property in object.properties {
                        match merged
                            .properties
                            .iter_mut()
                            .find(|p| p.name == property.name)
                        {
                            Some(existing) => existing.required |= property.required,
                            None => merged.properties.push(property),
                        }
                    }
                    if object.additional == Additional::Denied {
                        merged.additional = Additional::Denied;
                    }
                }
                Kind::Any => {}
                kind => other = Some(kind),
            }
        }
        match other {
            Some(kind) if merged.properties.is_empty() => kind,
            Some(_) => {
                self.warn(
                    &all_pointer,
                    "`allOf` mixes objects with other kinds; only the object parts are used",
                );
                Kind::Object(merged)
            }
            None => Kind::Object(merged),
        }
    }

    fn object(&mut self, map: &Map<String, Value>, pointer: &str) -> Object {
        let mut object = Object::default();
        let required: Vec<String> = match map.get("required") {
            Some(Value::Array(names)) => names
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            // draft-03 `"required": true` on the object itself says something about its parent.
            Some(Value::Bool(_)) | None => Vec::new(),
            Some(_) => {
                self.warn(
                    &join(pointer, "required"),
                    "`required` must be an array of property names; ignored",
                );
                Vec::new()
            }
        };
        let properties_pointer = join(pointer, "properties");
        match map.get("properties") {
            None => {}
            Some(Value::Object(properties)) => {
                for (name, value) in properties {
                    let property_pointer = join(&properties_pointer, name);
                    let schema = self.read(value, &property_pointer);
                    let draft3_required = value.get("required") == Some(&Value::Bool(true));
                    object.properties.push(Property {
                        name: name.clone(),
                        required: required.contains(name) || draft3_required,
                        schema,
                    });
                }
            }
            Some(other) => self.warn(
                &properties_pointer,
                format!(
                    "`properties` must be an object, found {}; ignored",
                    kind_name(other)
                ),
            ),
        }
        for name in &required {
            if !object.properties.iter().any(|p| &p.name == name) {
                self.warn(
                    &join(pointer, "required"),
                    format!(
                        "`{name}` is required but not among the properties; it is not generated"
                    ),
                );
            }
        }
        object.additional = match map.get("additionalProperties") {
            None | Some(Value::Bool(true)) => Additional::Allowed,
            Some(Value::Bool(false)) => Additional::Denied,
            Some(schema) => {
                let schema = self.read(schema, &join(pointer, "additionalProperties"));
                Additional::Schema(Box::new(schema))
            }
        };
        if let Some(Value::Object(patterns)) = map.get("patternProperties") {
            let patterns_pointer = join(pointer, "patternProperties");
            let mut schemas: Vec<Schema> = patterns
                .iter()
                .map(|(pattern, schema)| self.read(schema, &join(&patterns_pointer, pattern)))
                .collect();
            if object.additional == Additional::Allowed && schemas.len() == 1 {
                object.additional = Additional::Schema(Box::new(schemas.remove(0)));
            } else {
                self.warn(&patterns_pointer, "`patternProperties` beside other rules for extra keys: extra keys are kept as any values");
            }
        }
        object
    }
}

fn kind_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Decodes `%XX` escapes in a URI fragment.
fn percent_decode(fragment: &str) -> String {
    let bytes = fragment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(byte) = hex.and_then(|hex| u8::from_str_radix(hex, 16).ok()) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
