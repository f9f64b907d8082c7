//! Reading a loose JSON Schema into the normalized [model](crate::model).
//!
//! Tray's schemas mix dialects (draft-03 `"required": true` on a property, draft-04 `required`
//! arrays, Tray's own keys), and real ones carry typos. Reading never fails: whatever is not
//! understood becomes a [`Diagnostic`](crate::Diagnostic) with its JSON pointer, and the schema
//! falls back to "any JSON value".

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::path::Path;

use serde_json::{Map, Value};

use crate::confined::Folder;
pub use crate::confined::{MAX_REF_FILE_BYTES, MAX_REF_TOTAL_BYTES};
use crate::diagnostic::{Diagnostics, Effect};
use crate::model::{
    Additional, Condition, Constraints, Definition, Dependency, Document, JsonType, Kind, Object,
    Property, Ref, Rules, Schema,
};
use crate::pattern::PatternEngine;
use crate::pointer::join;

/// The warning for a `$ref` that refers to itself, through any number of steps.
pub fn recursive_ref_message(reference: &str) -> String {
    format!("`$ref` `{reference}` refers to itself; recursive types are not generated, so any value is accepted here")
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
    "contentMediaType",
    "contentEncoding",
    "uniqueKeys",
];

/// Keywords that hold values of one type to a rule, and leave values of other types alone: in a
/// schema with no `type`, the generated `serde_json::Value` does not check them.
const ASSERTIONS_OF_SOME_TYPE: &[&str] = &[
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "contains",
    "additionalItems",
    "minProperties",
    "maxProperties",
    "required",
    "dependencies",
    "propertyNames",
    "not",
    "if",
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
    /// The folder `$ref`s to other files are confined to, and the files read from it.
    folder: Folder,
    diagnostics: &'a mut Diagnostics,
    /// The definitions `$ref`s named, read or waiting to be.
    definitions: Vec<Slot>,
    /// Each definition's place in `definitions`, by document and pointer.
    known: HashMap<(Option<usize>, String), usize>,
    /// Definitions to read once the root is read.
    waiting: VecDeque<usize>,
    /// The document being read: `None` for the schema's own, or a file a `$ref` named.
    current: Option<usize>,
    /// How deep the schema being read is nested.
    depth: usize,
    /// Schemas read and copied so far, against [`MAX_SCHEMAS`].
    spent: usize,
    /// Whether a warning said the generated types are looser than the schema.
    types_looser: bool,
    /// How many warnings said the checker accepts more than the schema ([`Schema::lax`]).
    unchecked: usize,
}

/// A definition a `$ref` named.
struct Slot {
    name: String,
    /// Its document (`None`: the schema's own) and its pointer there.
    document: Option<usize>,
    fragment: String,
    /// Where it stands, as diagnostics name it.
    pointer: String,
    state: SlotState,
}

enum SlotState {
    Waiting,
    Reading,
    Read(Box<Schema>),
}

/// How deep a schema may nest before the rest is read as "any value": deeper than real schemas
/// go (the corpus nests 18 levels), and shallow enough that the types compile. Each level of
/// nesting is two to four levels of types (`Option<Vec<Item>>`), and rustc checks auto traits
/// (`Send`, and `Freeze` for every type it compiles) through all of them within its recursion
/// limit of 128: 62 levels of optional objects fail with E0275, and `#![recursion_limit]` can
/// only be raised by each crate that uses the types.
pub const MAX_DEPTH: usize = 32;

/// How many schemas (each property, item and variant one) one root may hold once `allOf` and
/// `oneOf` have copied properties into their parts, before they copy no more: the largest
/// corpus schema holds 54; this stops schemas built to grow exponentially as they are copied.
pub const MAX_SCHEMAS: usize = 50_000;

impl<'a> Reader<'a> {
    /// A reader of the schema `root`, which stands at `root_pointer` in its file; `base_dir` is
    /// the folder that file is in: `$ref`s to other files are read from it and from nowhere
    /// else.
    pub fn new(
        root: &'a Value,
        root_pointer: &str,
        base_dir: Option<&Path>,
        diagnostics: &'a mut Diagnostics,
    ) -> Self {
        Reader {
            root,
            root_pointer: root_pointer.to_owned(),
            folder: Folder::new(base_dir),
            diagnostics,
            definitions: Vec::new(),
            known: HashMap::new(),
            waiting: VecDeque::new(),
            current: None,
            depth: 0,
            spent: 0,
            types_looser: false,
            unchecked: 0,
        }
    }

    /// Reads the root schema and every definition its `$ref`s name.
    pub fn read_root(mut self) -> Document {
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
        // Definitions are read here, one after another, not where they are used: a chain of
        // definitions each using the next nests no deeper than one of them.
        while let Some(index) = self.waiting.pop_front() {
            if matches!(self.definitions[index].state, SlotState::Waiting) {
                self.read_definition(index);
            }
        }
        let folder = &self.folder;
        let definitions = self
            .definitions
            .into_iter()
            .map(|slot| Definition {
                name: slot.name,
                file: slot.document.map(|file| folder.path(file).to_owned()),
                schema: match slot.state {
                    SlotState::Read(schema) => *schema,
                    // Never read (over a limit): any value, and known to be.
                    SlotState::Waiting | SlotState::Reading => Schema {
                        lax: true,
                        ..Schema::any(&slot.pointer)
                    },
                },
            })
            .collect();
        Document {
            root: schema,
            definitions,
            types_looser: self.types_looser,
        }
    }

    /// Warns about the document being read.
    fn warn(&mut self, effect: Effect, pointer: &str, message: impl Into<String>) {
        self.types_looser |= effect == Effect::Types;
        self.unchecked += usize::from(effect == Effect::Unchecked);
        let file = self.current.map(|file| self.folder.path(file));
        self.diagnostics.record(effect, file, pointer, message);
    }

    /// Whether `n` more schemas may be copied (or read again) under [`MAX_SCHEMAS`]; if so,
    /// counts them. Otherwise `false`, and the first time a warning.
    fn spend(&mut self, n: usize, pointer: &str) -> bool {
        if self.spent <= MAX_SCHEMAS && self.spent.saturating_add(n) <= MAX_SCHEMAS {
            self.spent += n;
            return true;
        }
        if self.spent <= MAX_SCHEMAS {
            self.spent = MAX_SCHEMAS + 1;
            self.warn(
                Effect::Types,
                pointer,
                format!("this schema grows past {MAX_SCHEMAS} schemas as `allOf` and `oneOf` copy properties into their parts; from here on nothing more is copied: properties beside a `oneOf` are left out of its variants, and `$ref`s in `allOf` are any value"),
            );
        }
        false
    }

    /// Reads the schema `value` found at `pointer`.
    pub fn read(&mut self, value: &Value, pointer: &str) -> Schema {
        // Each part of the input is read once, but for copies, which `spend` limits.
        self.spent = self.spent.saturating_add(1);
        if self.depth >= MAX_DEPTH {
            self.warn(
                Effect::Unchecked,
                pointer,
                format!("nested more than {MAX_DEPTH} levels deep; any value is accepted here (`serde_json::Value`), as deeper types would not compile"),
            );
            return Schema {
                lax: true,
                ..Schema::any(pointer)
            };
        }
        self.depth += 1;
        let unchecked = self.unchecked;
        let mut schema = self.read_nested(value, pointer);
        self.depth -= 1;
        schema.lax |= self.unchecked > unchecked;
        schema
    }

    fn read_nested(&mut self, value: &Value, pointer: &str) -> Schema {
        let Value::Object(map) = value else {
            let mut schema = Schema::any(pointer);
            if value == &Value::Bool(false) {
                // `false` is `not: {}`.
                schema.rules.not = Some(Box::new(Schema::any(pointer)));
                self.warn(
                    Effect::Types,
                    pointer,
                    "the schema `false` accepts no value; the generated types accept any value here",
                );
            } else if value != &Value::Bool(true) {
                self.warn(
                    Effect::Unchecked,
                    pointer,
                    format!(
                        "a schema must be an object, found {}; any value is accepted here",
                        kind_name(value)
                    ),
                );
            }
            return schema;
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
        schema.secret = marked_secret(map);
        schema.constraints = self.constraints(map, pointer);
        let mut rules = Rules::default();
        schema.kind = self.kind(map, pointer, &mut schema.nullable, &mut rules);
        self.rules(map, pointer, &schema.kind, &mut rules);
        schema.rules = rules;
        schema
    }

    fn read_ref(&mut self, map: &Map<String, Value>, reference: &Value, pointer: &str) -> Schema {
        let ref_pointer = join(pointer, "$ref");
        let Some(reference) = reference.as_str() else {
            self.warn(
                Effect::Unchecked,
                &ref_pointer,
                "`$ref` must be a string; any value is accepted here",
            );
            return Schema::any(pointer);
        };
        let Some(index) = self.definition(reference, &ref_pointer) else {
            return Schema::any(pointer);
        };
        // Keywords beside `$ref` (a title, a description) describe this use of it.
        let text = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_owned);
        let mut schema = Schema::any(pointer);
        schema.title = text("title");
        schema.description = text("description");
        schema.default = map.get("default").cloned();
        schema.secret = marked_secret(map);
        schema.kind = Kind::Ref(Ref {
            reference: reference.to_owned(),
            index,
        });
        schema
    }

    /// The place in `definitions` of what a `$ref` names: `#/definitions/x` in the document
    /// being read, or `other.json#/x` in a file of the schema's folder; `None`, with a warning,
    /// when it names nothing that may be read.
    fn definition(&mut self, reference: &str, ref_pointer: &str) -> Option<usize> {
        let (file, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let document = if file.is_empty() {
            self.current
        } else {
            match self.folder.load(file, self.current) {
                Ok(loaded) => Some(loaded),
                Err(reason) => {
                    self.warn(
                        Effect::Unchecked,
                        ref_pointer,
                        format!("`$ref` `{reference}` {reason}; any value is accepted here"),
                    );
                    return None;
                }
            }
        };
        let fragment = percent_decode(fragment);
        let found = match document {
            None => self.root.pointer(&fragment).is_some(),
            Some(loaded) => self.folder.document(loaded).pointer(&fragment).is_some(),
        };
        if !found {
            let place = match document {
                None => "this schema".to_owned(),
                Some(loaded) => self.folder.path(loaded).display().to_string(),
            };
            self.warn(
                Effect::Unchecked,
                ref_pointer,
                format!(
                    "`$ref` `{reference}` points at nothing in {place}; any value is accepted here"
                ),
            );
            return None;
        }
        Some(self.slot(document, fragment))
    }

    /// The place in `definitions` of what `fragment` points at in `document`; added (to be
    /// read later) when it is new.
    fn slot(&mut self, document: Option<usize>, fragment: String) -> usize {
        let key = (document, fragment);
        if let Some(&index) = self.known.get(&key) {
            return index;
        }
        let fragment = key.1.clone();
        let name = definition_name(&fragment, document.map(|file| self.folder.path(file)));
        let pointer = match document {
            None => format!("{}{fragment}", self.root_pointer),
            Some(_) => fragment.clone(),
        };
        self.definitions.push(Slot {
            name,
            document,
            fragment,
            pointer,
            state: SlotState::Waiting,
        });
        let index = self.definitions.len() - 1;
        self.known.insert(key, index);
        self.waiting.push_back(index);
        index
    }

    /// Reads a definition, in its own document.
    fn read_definition(&mut self, index: usize) {
        let slot = &mut self.definitions[index];
        slot.state = SlotState::Reading;
        let (document, fragment, pointer) =
            (slot.document, slot.fragment.clone(), slot.pointer.clone());
        let file = document.map(|loaded| self.folder.document(loaded));
        let value = match &file {
            Some(file) => file.pointer(&fragment),
            None => self.root.pointer(&fragment),
        };
        let current = std::mem::replace(&mut self.current, document);
        let schema = match value {
            Some(value) => self.read(value, &pointer),
            None => Schema::any(&pointer),
        };
        self.current = current;
        self.definitions[index].state = SlotState::Read(Box::new(schema));
    }

    /// A `$ref` replaced by a copy of its definition, for `allOf` and `oneOf`, which merge
    /// properties into their parts; the keywords beside the `$ref` win. A schema that is no
    /// `$ref` is given back as it is.
    fn inline(&mut self, mut schema: Schema) -> Schema {
        let mut seen = Vec::new();
        while let Kind::Ref(reference) = &schema.kind {
            let index = reference.index;
            if !seen.contains(&index) && matches!(self.definitions[index].state, SlotState::Waiting)
            {
                self.read_definition(index);
            }
            // A definition still being read is one that holds this `$ref` itself.
            let copy = match &self.definitions[index].state {
                SlotState::Read(definition) if !seen.contains(&index) => {
                    Some(Schema::clone(definition))
                }
                _ => None,
            };
            let Some(mut definition) = copy else {
                let message = recursive_ref_message(&reference.reference);
                // Only the types' copy gives up: the checker follows the `$ref` itself.
                self.warn(Effect::Types, &join(&schema.pointer, "$ref"), message);
                return Schema::any(&schema.pointer);
            };
            seen.push(index);
            if self.depth + height(&definition) > MAX_DEPTH {
                self.warn(
                    Effect::Types,
                    &schema.pointer,
                    format!("nested more than {MAX_DEPTH} levels deep once `$ref` `{}` is merged in; any value is accepted here", reference.reference),
                );
                return Schema::any(&schema.pointer);
            }
            if !self.spend(weight(&definition), &schema.pointer) {
                return Schema::any(&schema.pointer);
            }
            definition.title = schema.title.take().or(definition.title);
            definition.description = schema.description.take().or(definition.description);
            definition.default = schema.default.take().or(definition.default);
            definition.secret |= schema.secret;
            definition.nullable |= schema.nullable;
            schema = definition;
        }
        schema
    }

    fn check_keywords(&mut self, map: &Map<String, Value>, pointer: &str) {
        for key in map.keys() {
            if KNOWN_KEYWORDS.contains(&key.as_str()) {
                continue;
            }
            if UNENFORCED_KEYWORDS.contains(&key.as_str()) {
                self.warn(
                    Effect::Types,
                    &join(pointer, key),
                    format!("`{key}` is not checked by the generated types or by their validate() (the checker checks it)"),
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
                Effect::Note,
                &join(pointer, key),
                format!("unknown keyword `{key}` is ignored{hint}"),
            );
        }
    }

    fn string(&mut self, map: &Map<String, Value>, key: &str, pointer: &str) -> Option<String> {
        match map.get(key)? {
            Value::String(s) => Some(s.clone()),
            other => {
                // `pattern` is a rule; the other strings are notes for people.
                let effect = if key == "pattern" {
                    Effect::Unchecked
                } else {
                    Effect::Note
                };
                self.warn(
                    effect,
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
                Effect::Note,
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
            c.pattern = self.pattern(pattern, &join(pointer, "pattern"));
        }
        c
    }

    /// A pattern `validate()` can check, classified by the runtime's own function; warns about
    /// one that needs the step-limited fallback engine, and drops one it cannot check.
    fn pattern(&mut self, pattern: String, pointer: &str) -> Option<String> {
        let engine = PatternEngine::classify(&pattern);
        match &engine {
            PatternEngine::Linear => return Some(pattern),
            PatternEngine::Backtracking => {
                self.warn(Effect::Note, pointer, format!("`pattern` may be too costly to check: {engine}"));
                return Some(pattern);
            }
            PatternEngine::Invalid { reason } => self.warn(
                Effect::Unchecked,
                pointer,
                format!("`pattern` is not an ECMAScript regular expression ({reason}); it is not checked"),
            ),
            _ => self.warn(
                Effect::Unchecked,
                pointer,
                format!("`pattern` is not checked: {engine}"),
            ),
        }
        None
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
                Effect::Unchecked,
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
                Effect::Unchecked,
                &join(pointer, key),
                format!("`{key}` must be a number; it is not checked"),
            );
        }
        value.as_f64()
    }

    fn kind(
        &mut self,
        map: &Map<String, Value>,
        pointer: &str,
        nullable: &mut bool,
        rules: &mut Rules,
    ) -> Kind {
        let types = self.types(map, pointer, nullable);
        rules.types = json_types(map);
        self.applicators(map, pointer, rules);
        if let Some(value) = map.get("const") {
            return Kind::Const(value.clone());
        }
        if let Some(values) = map.get("enum") {
            if let Some(kind) = self.enumeration(values, &join(pointer, "enum"), nullable) {
                return kind;
            }
        }
        for one in [true, false] {
            let variants = if one { &rules.one_of } else { &rules.any_of };
            if let Some(variants) = variants.clone() {
                rules.kind_from_parts = true;
                return self.variants_kind(map, pointer, &types, variants, one, nullable, rules);
            }
        }
        if map.contains_key("allOf") {
            rules.kind_from_parts = true;
            return self.all_of(map, pointer, rules);
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
                        // Without a rule for values of some type, the schema accepts any value
                        // too: the types are no looser than it.
                        let asserts = map
                            .keys()
                            .any(|k| ASSERTIONS_OF_SOME_TYPE.contains(&k.as_str()));
                        self.warn(
                            if asserts { Effect::Types } else { Effect::Note },
                            pointer,
                            "no `type`: the generated types accept any JSON value here (`serde_json::Value`)",
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

    /// The kind of a `oneOf` (`one`) or `anyOf` for the types, from copies of its `variants`
    /// (the rules keep them as written): a `null` variant makes the value nullable, a variant
    /// without a type shares the parent's, and properties beside are copied into each.
    #[allow(clippy::too_many_arguments)]
    fn variants_kind(
        &mut self,
        map: &Map<String, Value>,
        pointer: &str,
        types: &[String],
        variants: Vec<Schema>,
        one: bool,
        nullable: &mut bool,
        rules: &mut Rules,
    ) -> Kind {
        let key_pointer = join(pointer, if one { "oneOf" } else { "anyOf" });
        let raw = map
            .get(if one { "oneOf" } else { "anyOf" })
            .and_then(Value::as_array);
        let mut read = Vec::new();
        let mut null_variant = false;
        for (i, mut schema) in variants.into_iter().enumerate() {
            let variant_pointer = join(&key_pointer, &i.to_string());
            let has_properties = raw
                .and_then(|raw| raw.get(i))
                .is_some_and(|v| v.get("properties").is_some());
            // A variant without a type shares the parent's (`"type": "object"` beside `oneOf`).
            // Read again for each such variant: a copy, counted as one.
            if schema.kind == Kind::Any
                && types.len() == 1
                && !has_properties
                && self.spend(1, &variant_pointer)
            {
                schema.kind = self.kind_of_type(&types[0], map, pointer);
            }
            if schema.kind == Kind::Null {
                *nullable = true;
                null_variant = true;
            } else {
                read.push(schema);
            }
        }
        // Properties beside `oneOf` are shared by every variant.
        if map.contains_key("properties") {
            let own = self.object(map, pointer);
            read = self.share_properties(&own, pointer, read);
            rules.object = Some(Box::new(own));
        }
        match read.len() {
            // Only `null` variants: only `null`.
            0 if null_variant => {
                *nullable = false;
                Kind::Null
            }
            0 => Kind::Any,
            1 => read.pop().map(|s| s.kind).unwrap_or(Kind::Any),
            _ if one => Kind::OneOf(read),
            _ => Kind::AnyOf(read),
        }
    }

    /// Reads `oneOf`, `anyOf`, `allOf`, `not` and `if`/`then`/`else` as written, for the
    /// checker.
    fn applicators(&mut self, map: &Map<String, Value>, pointer: &str, rules: &mut Rules) {
        rules.one_of = self.schema_list(map, "oneOf", pointer);
        rules.any_of = self.schema_list(map, "anyOf", pointer);
        rules.all_of = self.schema_list(map, "allOf", pointer).unwrap_or_default();
        rules.not = self.boxed(map, "not", pointer);
        if let Some(test) = map.get("if") {
            let test = self.read(test, &join(pointer, "if"));
            let then = self.boxed(map, "then", pointer).map(|b| *b);
            let otherwise = self.boxed(map, "else", pointer).map(|b| *b);
            rules.condition = Some(Box::new(Condition {
                test,
                then,
                otherwise,
            }));
        }
    }

    /// The schema at `key`, read.
    fn boxed(&mut self, map: &Map<String, Value>, key: &str, pointer: &str) -> Option<Box<Schema>> {
        let value = map.get(key)?;
        Some(Box::new(self.read(value, &join(pointer, key))))
    }

    /// The array of schemas at `key`, read; `None`, with a warning, when it is no array.
    fn schema_list(
        &mut self,
        map: &Map<String, Value>,
        key: &str,
        pointer: &str,
    ) -> Option<Vec<Schema>> {
        let key_pointer = join(pointer, key);
        match map.get(key)? {
            Value::Array(list) => Some(
                list.iter()
                    .enumerate()
                    .map(|(i, s)| self.read(s, &join(&key_pointer, &i.to_string())))
                    .collect(),
            ),
            _ => {
                self.warn(
                    Effect::Unchecked,
                    &key_pointer,
                    format!("`{key}` must be an array of schemas; ignored"),
                );
                None
            }
        }
    }

    /// The keywords the kind does not hold, for the checker: the object and array keywords
    /// where the kind is no object or array of this schema's own, counts, `multipleOf`,
    /// `propertyNames`, `dependencies`, `enum` and `const` as written.
    fn rules(&mut self, map: &Map<String, Value>, pointer: &str, kind: &Kind, rules: &mut Rules) {
        rules.constant = map.get("const").cloned();
        rules.enumeration = map.get("enum").and_then(Value::as_array).cloned();
        rules.multiple_of = self.number(map, "multipleOf", pointer);
        if rules.multiple_of.is_some_and(|m| m <= 0.0) {
            self.warn(
                Effect::Unchecked,
                &join(pointer, "multipleOf"),
                "`multipleOf` must be greater than 0; it is not checked",
            );
            rules.multiple_of = None;
        }
        rules.min_properties = self.count(map, "minProperties", pointer);
        rules.max_properties = self.count(map, "maxProperties", pointer);
        let own = |wanted: fn(&Kind) -> bool| {
            !rules.kind_from_parts
                && match kind {
                    Kind::Union(members) => members.iter().any(|m| wanted(&m.kind)),
                    kind => wanted(kind),
                }
        };
        let holds_object = own(|k| matches!(k, Kind::Object(_)));
        let holds_array = own(|k| matches!(k, Kind::Array(_)));
        let may_be = |t: JsonType| rules.types.is_empty() || rules.types.contains(&t);
        let object_keywords = [
            "properties",
            "required",
            "additionalProperties",
            "patternProperties",
        ];
        if !holds_object
            && rules.object.is_none()
            && may_be(JsonType::Object)
            && object_keywords.iter().any(|k| map.contains_key(*k))
        {
            rules.object = Some(Box::new(self.object(map, pointer)));
        }
        match map.get("items") {
            Some(Value::Array(tuple)) => {
                let items_pointer = join(pointer, "items");
                rules.tuple_items = Some(
                    tuple
                        .iter()
                        .enumerate()
                        .map(|(i, s)| self.read(s, &join(&items_pointer, &i.to_string())))
                        .collect(),
                );
                rules.additional_items = self.boxed(map, "additionalItems", pointer);
            }
            Some(_) if !holds_array && may_be(JsonType::Array) => {
                rules.items = self.boxed(map, "items", pointer);
            }
            _ => {}
        }
        rules.contains = self.boxed(map, "contains", pointer);
        rules.property_names = self.boxed(map, "propertyNames", pointer);
        rules.dependencies = self.dependencies(map, pointer);
    }

    /// `dependencies`: for each key, the keys or the schema its presence asks for.
    fn dependencies(
        &mut self,
        map: &Map<String, Value>,
        pointer: &str,
    ) -> Vec<(String, Dependency)> {
        let Some(value) = map.get("dependencies") else {
            return Vec::new();
        };
        let dependencies_pointer = join(pointer, "dependencies");
        let Value::Object(entries) = value else {
            self.warn(
                Effect::Unchecked,
                &dependencies_pointer,
                "`dependencies` must be an object; ignored",
            );
            return Vec::new();
        };
        let mut read = Vec::new();
        for (key, entry) in entries {
            let dependency = match entry {
                Value::Array(keys) => Dependency::Keys(
                    keys.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect(),
                ),
                schema => Dependency::Schema(Box::new(
                    self.read(schema, &join(&dependencies_pointer, key)),
                )),
            };
            read.push((key.clone(), dependency));
        }
        read
    }

    /// Copies the properties beside a `oneOf` into each variant that is an object (its own
    /// properties come after, and win).
    fn share_properties(
        &mut self,
        shared: &Object,
        pointer: &str,
        variants: Vec<Schema>,
    ) -> Vec<Schema> {
        let size: usize = shared.properties.iter().map(|p| weight(&p.schema)).sum();
        if !self.spend(size.saturating_mul(variants.len()), pointer) {
            return variants;
        }
        let mut variants: Vec<Schema> = variants.into_iter().map(|v| self.inline(v)).collect();
        for variant in &mut variants {
            if let Kind::Object(object) = &mut variant.kind {
                let own: BTreeSet<&str> =
                    object.properties.iter().map(|p| p.name.as_str()).collect();
                let mut properties: Vec<Property> = shared
                    .properties
                    .iter()
                    .filter(|p| !own.contains(p.name.as_str()))
                    .cloned()
                    .collect();
                properties.append(&mut object.properties);
                object.properties = properties;
            }
        }
        variants
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
                _ => self.warn(
                    Effect::Unchecked,
                    &type_pointer,
                    format!("unknown type {name}; ignored"),
                ),
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
                            Effect::Types,
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
            self.warn(
                Effect::Unchecked,
                pointer,
                "`enum` must be an array of values; ignored",
            );
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
        if kept.is_empty() {
            self.warn(
                Effect::Types,
                pointer,
                "`enum` lists no values, so no value is valid; the generated types accept any value here",
            );
            return None;
        }
        Some(Kind::Enum(kept))
    }

    /// The kind of an `allOf` for the types: the object parts merged (the rules keep the
    /// parts as written, and the checker checks each).
    fn all_of(&mut self, map: &Map<String, Value>, pointer: &str, rules: &mut Rules) -> Kind {
        let all_pointer = join(pointer, "allOf");
        if !map.get("allOf").is_some_and(Value::is_array) {
            return Kind::Any;
        }
        let size: usize = rules.all_of.iter().map(weight).sum();
        if !self.spend(size, &all_pointer) {
            return Kind::Any;
        }
        if ["additionalProperties", "patternProperties"]
            .iter()
            .any(|key| map.contains_key(*key))
        {
            // JSON Schema: they see only the properties beside them, not the parts'.
            self.warn(
                Effect::Types,
                pointer,
                "rules for extra keys beside `allOf` see only the properties beside them; the generated types merge the parts' properties, and validate() checks the schema as written",
            );
        }
        let mut merged = if map.contains_key("properties")
            || map.contains_key("additionalProperties")
            || map.contains_key("patternProperties")
        {
            let own = self.object(map, pointer);
            let copy = own.clone();
            rules.object = Some(Box::new(own));
            copy
        } else {
            Object::default()
        };
        let mut objects = map.contains_key("properties") || rules.types.contains(&JsonType::Object);
        let mut other = None;
        for part in rules.all_of.clone() {
            match self.inline(part).kind {
                Kind::Object(object) => {
                    objects = true;
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
                    Effect::Types,
                    &all_pointer,
                    "`allOf` mixes objects with other kinds; only the object parts are used",
                );
                Kind::Object(merged)
            }
            // Parts that say no kind (`{"minimum": 20}`) say nothing for the types.
            None if !objects => Kind::Any,
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
                    Effect::Unchecked,
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
                Effect::Unchecked,
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
                    Effect::Types,
                    &join(pointer, "required"),
                    format!(
                        "`{name}` is required but not among the properties; it is not generated"
                    ),
                );
                object.other_required.push(name.clone());
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
        let patterns_pointer = join(pointer, "patternProperties");
        match map.get("patternProperties") {
            None => {}
            Some(Value::Object(patterns)) => {
                let mut pairs: Vec<(String, Schema)> = Vec::new();
                for (pattern, schema) in patterns {
                    let schema_pointer = join(&patterns_pointer, pattern);
                    // A pattern that cannot be checked is warned about; its keys are held
                    // to nothing.
                    self.pattern(pattern.clone(), &schema_pointer);
                    pairs.push((pattern.clone(), self.read(schema, &schema_pointer)));
                }
                if object.additional == Additional::Allowed && pairs.len() == 1 {
                    let (pattern, schema) = pairs.remove(0);
                    object.additional = Additional::Schema(Box::new(schema));
                    object.additional_pattern = Some(pattern);
                } else {
                    self.warn(Effect::Types, &patterns_pointer, "`patternProperties` beside other rules for extra keys: extra keys are kept as any values");
                    object.pattern_properties = pairs;
                }
            }
            Some(other) => self.warn(
                Effect::Unchecked,
                &patterns_pointer,
                format!(
                    "`patternProperties` must be an object, found {}; ignored",
                    kind_name(other)
                ),
            ),
        }
        object
    }
}

/// Whether the schema marks its value secret: `format: "password"`, `airbyte_secret`,
/// `writeOnly`.
fn marked_secret(map: &Map<String, Value>) -> bool {
    map.get("format").and_then(Value::as_str) == Some("password")
        || map.get("airbyte_secret") == Some(&Value::Bool(true))
        || map.get("writeOnly") == Some(&Value::Bool(true))
}

/// A name for a definition's type: the last token of its pointer (`port` for
/// `/definitions/port`), or the stem of its file (`region` for `region.json`).
fn definition_name(fragment: &str, file: Option<&Path>) -> String {
    let token = fragment.rsplit('/').next().filter(|t| !t.is_empty());
    match (token, file) {
        (Some(token), _) => crate::pointer::unescape(token).into_owned(),
        (None, Some(file)) => file
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned()),
        (None, None) => "definition".to_owned(),
    }
}

/// How many schemas a schema holds, itself included, its rules' too (a `$ref` counts one: its
/// definition is not copied).
fn weight(schema: &Schema) -> usize {
    1 + children(schema)
        .chain(schema.rules.children())
        .map(weight)
        .sum::<usize>()
}

/// How many levels deep a schema nests, itself included.
fn height(schema: &Schema) -> usize {
    1 + children(schema).map(height).max().unwrap_or(0)
}

/// The schemas directly inside a schema.
fn children(schema: &Schema) -> impl Iterator<Item = &Schema> {
    let (list, properties, one): (&[Schema], &[Property], Option<&Schema>) = match &schema.kind {
        Kind::Array(Some(items)) => (&[], &[], Some(items)),
        Kind::Object(o) => {
            let extra = match &o.additional {
                Additional::Schema(values) => Some(&**values),
                Additional::Allowed | Additional::Denied => None,
            };
            (&[], &o.properties, extra)
        }
        Kind::OneOf(all) | Kind::AnyOf(all) | Kind::Union(all) => (all, &[], None),
        _ => (&[], &[], None),
    };
    list.iter()
        .chain(properties.iter().map(|p| &p.schema))
        .chain(one)
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

/// `type` as written, `null` included; empty for any type: no `type`, draft-03's `"any"`, or
/// a name no draft has (which the reader warns about).
fn json_types(map: &Map<String, Value>) -> Vec<JsonType> {
    let names: &[Value] = match map.get("type") {
        None => return Vec::new(),
        Some(Value::Array(list)) => list,
        Some(one) => std::slice::from_ref(one),
    };
    let mut types = Vec::new();
    for name in names {
        match name.as_str().and_then(JsonType::from_name) {
            Some(t) if !types.contains(&t) => types.push(t),
            Some(_) => {}
            None => return Vec::new(),
        }
    }
    types
}
