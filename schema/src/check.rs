//! Checking a JSON value against a read schema, as JSON Schema (draft 7) says, with Tray's
//! dialects as the [reader](crate::read) understands them.
//!
//! The checker is exact wherever the reader did not give up: a [`Diagnostic`](crate::Diagnostic)
//! with [`Effect::Unchecked`](crate::Effect::Unchecked) names each place where it accepts more
//! than the schema says. Each problem names where it is in the value (a JSON pointer) and what
//! is wrong, and never quotes the value: values may be credentials.
//!
//! ```
//! use tray_schema::Checker;
//! let schema = serde_json::json!({
//!     "type": "object",
//!     "properties": {"dc": {"type": "string", "pattern": "^[a-z]+[0-9]+$"}},
//!     "required": ["dc", "api_key"]
//! });
//! let (checker, _diagnostics) = Checker::read(&schema);
//! let problems = checker.check(&serde_json::json!({"dc": "hunter2!"}));
//! let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
//! assert_eq!(shown, [
//!     "#/dc: string does not match pattern ^[a-z]+[0-9]+$",
//!     "#: required key [api_key] not found",
//! ]);
//! assert!(checker.is_valid(&serde_json::json!({"dc": "us6", "api_key": "k"})));
//! ```

use std::collections::HashMap;
use std::fmt;

use serde_json::{Map, Number, Value};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Additional, Dependency, Document, JsonType, Kind, Object, Rules, Schema};
use crate::pattern::{CompiledPattern, Search};
use crate::read::Reader;
use crate::secret::is_secret_name;

/// How deeply checks may nest (values in values, and schemas that apply other schemas) before
/// the checker stops with a problem instead of going deeper: far deeper than `serde_json`
/// parses (128 levels), and shallow enough for any thread's stack.
pub const MAX_NESTING: usize = 256;

/// How many schemas one check may apply (a row of a real schema takes tens): schemas can nest
/// `oneOf`s so that checking takes exponential time, and a check must end. Past it, the value
/// is reported as too costly to check, and is not valid.
pub const MAX_STEPS: usize = 1_000_000;

/// One way a value breaks its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where, in the value (RFC 6901; empty for the value itself).
    pub pointer: String,
    /// What is wrong; never quotes the value.
    pub message: String,
    /// The value there is a secret (the schema marks it, or its key's name says so), by the
    /// generator's rule: say nothing more about it than the message does.
    pub secret: bool,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}: {}", self.pointer, self.message)
    }
}

/// A schema ready to check values: its model, and its patterns compiled once.
#[derive(Debug)]
pub struct Checker {
    document: Document,
    patterns: HashMap<String, CompiledPattern>,
}

impl Checker {
    /// A checker of `document`.
    pub fn new(document: Document) -> Checker {
        let mut patterns = HashMap::new();
        let mut stack: Vec<&Schema> = std::iter::once(&document.root)
            .chain(document.definitions.iter().map(|d| &d.schema))
            .collect();
        while let Some(schema) = stack.pop() {
            let object = object_kind(schema).chain(schema.rules.object.as_deref());
            let sources = schema
                .constraints
                .pattern
                .iter()
                .chain(object.flat_map(|o| {
                    o.additional_pattern
                        .iter()
                        .chain(o.pattern_properties.iter().map(|(p, _)| p))
                }));
            for source in sources {
                patterns
                    .entry(source.clone())
                    .or_insert_with(|| CompiledPattern::new(source));
            }
            stack.extend(kind_children(schema).chain(schema.rules.children()));
        }
        Checker { document, patterns }
    }

    /// Reads `schema` (a schema in memory, with no other files for `$ref`s) and makes a checker
    /// of it; the diagnostics say what it does not check.
    pub fn read(schema: &Value) -> (Checker, Vec<Diagnostic>) {
        let mut diagnostics = Diagnostics::new(None);
        let document = Reader::new(schema, "", None, &mut diagnostics).read_root();
        (Checker::new(document), diagnostics.into_vec())
    }

    /// The model it checks against.
    pub fn document(&self) -> &Document {
        &self.document
    }

    /// The problems of `value`, in the order found; none when it is valid.
    pub fn check(&self, value: &Value) -> Vec<Problem> {
        self.check_schema(&self.document.root, value)
    }

    /// Whether `value` is valid; stops at the first problem.
    pub fn is_valid(&self, value: &Value) -> bool {
        let mut run = Run::new(self, false);
        run.schema(&self.document.root, value, false) && !run.exhausted
    }

    /// The problems of `value` against the schema that stands at `schema_pointer` in the
    /// document (as [`Schema::pointer`] names it: `/properties/region`, or a definition's
    /// pointer); `None` when no schema stands there.
    ///
    /// ```
    /// let schema = serde_json::json!({"properties": {"port": {"type": "integer"}}});
    /// let (checker, _) = tray_schema::Checker::read(&schema);
    /// let problems = checker.check_at("/properties/port", &serde_json::json!("80")).unwrap();
    /// assert_eq!(problems[0].to_string(), "#: expected type: Integer, found: String");
    /// ```
    pub fn check_at(&self, schema_pointer: &str, value: &Value) -> Option<Vec<Problem>> {
        let schema = self.find(schema_pointer)?;
        Some(self.check_schema(schema, value))
    }

    fn check_schema(&self, schema: &Schema, value: &Value) -> Vec<Problem> {
        let mut run = Run::new(self, true);
        run.schema(schema, value, schema.secret);
        if run.exhausted {
            // Answers past the budget are unknown (a `not` of one may have passed).
            run.problems = vec![Problem {
                pointer: String::new(),
                message: format!(
                    "too costly to check: more than {MAX_STEPS} schemas would be applied"
                ),
                secret: false,
            }];
        }
        run.problems
    }

    /// The schema at `pointer`: the root, a definition, or one inside them.
    fn find(&self, pointer: &str) -> Option<&Schema> {
        let mut stack: Vec<&Schema> = std::iter::once(&self.document.root)
            .chain(self.document.definitions.iter().map(|d| &d.schema))
            .collect();
        while let Some(schema) = stack.pop() {
            if schema.pointer == pointer {
                return Some(schema);
            }
            if pointer.starts_with(&schema.pointer) {
                stack.extend(kind_children(schema).chain(schema.rules.children()));
            }
        }
        None
    }
}

/// One check of one value: the problems found so far, and where in the value it is.
struct Run<'c> {
    checker: &'c Checker,
    /// Whether problems are collected; when not, checks stop at the first.
    collect: bool,
    problems: Vec<Problem>,
    /// Where the value being checked sits.
    pointer: String,
    nesting: usize,
    /// Schemas applied so far, against [`MAX_STEPS`].
    steps: usize,
    /// [`MAX_STEPS`] was reached: every answer since is unknown.
    exhausted: bool,
    /// `enum` and `const` values missed so far: a variant whose tag is wrong is not the one
    /// a person meant.
    values_missed: usize,
    /// Whether the check went through a schema that accepts more than it says
    /// ([`Schema::lax`], a pattern that cannot be checked): a match then proves nothing, and
    /// must not refuse a value where a match counts against it.
    assumed: bool,
}

impl<'c> Run<'c> {
    fn new(checker: &'c Checker, collect: bool) -> Run<'c> {
        Run {
            checker,
            collect,
            problems: Vec::new(),
            pointer: String::new(),
            nesting: 0,
            steps: 0,
            exhausted: false,
            values_missed: 0,
            assumed: false,
        }
    }

    /// Records a problem with the value at `self.pointer`; `secret` when its schemas mark it
    /// secret. Whether its key's name says so is worked out here, only for values with
    /// problems: the rule is far slower than a check.
    fn problem(&mut self, secret: bool, message: impl FnOnce(bool) -> String) {
        if self.collect {
            let key = self.pointer.rsplit('/').next().unwrap_or_default();
            let secret = secret
                || (!self.pointer.is_empty() && is_secret_name(&crate::pointer::unescape(key)));
            self.problems.push(Problem {
                pointer: self.pointer.clone(),
                message: message(secret),
                secret,
            });
        }
    }

    /// Whether `value` keeps `schema`, without collecting problems (for `oneOf`, `not`, ...).
    fn quietly(&mut self, schema: &Schema, value: &Value) -> bool {
        let collect = std::mem::replace(&mut self.collect, false);
        let valid = self.schema(schema, value, false);
        self.collect = collect;
        valid
    }

    /// [`Run::quietly`], and whether the answer went through a schema that accepts more than
    /// it says (so a `true` may be wrong).
    fn quietly_assumed(&mut self, schema: &Schema, value: &Value) -> (bool, bool) {
        let outer = std::mem::replace(&mut self.assumed, false);
        let valid = self.quietly(schema, value);
        let assumed = self.assumed;
        self.assumed = outer || assumed;
        (valid, assumed)
    }

    /// Checks `value` against `schema`; `secret` when the value is known to be a secret.
    fn schema(&mut self, schema: &Schema, value: &Value, secret: bool) -> bool {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            self.exhausted = true;
            return false;
        }
        if self.nesting >= MAX_NESTING {
            self.problem(false, |_| {
                format!("nested more than {MAX_NESTING} levels deep; not checked further")
            });
            return false;
        }
        self.nesting += 1;
        self.assumed |= schema.lax;
        let valid = self.schema_nested(schema, value, secret || schema.secret);
        self.nesting -= 1;
        valid
    }

    fn schema_nested(&mut self, schema: &Schema, value: &Value, secret: bool) -> bool {
        if let Kind::Ref(reference) = &schema.kind {
            let definitions = &self.checker.document.definitions;
            return match definitions.get(reference.index) {
                Some(definition) => self.schema(&definition.schema, value, secret),
                None => true,
            };
        }
        let rules = &schema.rules;
        if !rules.types.is_empty() && !rules.types.iter().any(|t| fits(*t, value)) {
            self.problem(secret, |_| {
                format!(
                    "expected type: {}, found: {}",
                    expected(&rules.types),
                    type_name(value)
                )
            });
            // Deeper checks would only repeat the same problem.
            return false;
        }
        let mut valid = self.values(rules, value, secret);
        if !valid && !self.collect {
            return false;
        }
        valid &= match value {
            Value::String(text) => self.string(schema, text, secret),
            Value::Number(number) => self.number(schema, number, secret),
            Value::Array(items) => self.array(schema, items),
            Value::Object(object) => self.object(schema, value, object),
            Value::Bool(_) | Value::Null => true,
        };
        if !valid && !self.collect {
            return false;
        }
        valid & self.applicators(rules, value, secret)
    }

    /// `enum` and `const`.
    fn values(&mut self, rules: &Rules, value: &Value, secret: bool) -> bool {
        let valid = self.values_kept(rules, value, secret);
        self.values_missed += usize::from(!valid);
        valid
    }

    fn values_kept(&mut self, rules: &Rules, value: &Value, secret: bool) -> bool {
        let mut valid = true;
        if let Some(allowed) = &rules.enumeration {
            if !allowed.iter().any(|a| json_equal(a, value)) {
                valid = false;
                self.problem(secret, |_| {
                    let listed: Vec<String> = allowed.iter().map(Value::to_string).collect();
                    format!(
                        "the value is not one of the enum values [{}]",
                        listed.join(", ")
                    )
                });
            }
        }
        if let Some(constant) = &rules.constant {
            if !json_equal(constant, value) {
                valid = false;
                self.problem(secret, |_| "the value is not the `const` value".to_owned());
            }
        }
        valid
    }

    fn string(&mut self, schema: &Schema, text: &str, secret: bool) -> bool {
        let c = &schema.constraints;
        let mut valid = true;
        if c.min_length.is_some() || c.max_length.is_some() {
            let length = text.chars().count() as u64;
            if let Some(min) = c.min_length.filter(|&min| length < min) {
                valid = false;
                self.problem(secret, |secret| match secret {
                    true => format!("expected minLength: {min}"),
                    false => format!("expected minLength: {min}, actual: {length}"),
                });
            }
            if let Some(max) = c.max_length.filter(|&max| length > max) {
                valid = false;
                self.problem(secret, |secret| match secret {
                    true => format!("expected maxLength: {max}"),
                    false => format!("expected maxLength: {max}, actual: {length}"),
                });
            }
        }
        if let Some(pattern) = &c.pattern {
            let found = self.checker.patterns.get(pattern).map(|p| p.search(text));
            match found {
                Some(Search::NotFound) => {
                    valid = false;
                    self.problem(secret, |_| {
                        format!("string does not match pattern {pattern}")
                    });
                }
                Some(Search::TooCostly) => {
                    valid = false;
                    self.problem(secret, |_| {
                        format!("string is too costly to check against pattern {pattern}")
                    });
                }
                // Not checked: the reader warned, so the schema is lax and `assumed` is set.
                _ => {}
            }
        }
        valid
    }

    fn number(&mut self, schema: &Schema, number: &Number, secret: bool) -> bool {
        let c = &schema.constraints;
        let Some(n) = number.as_f64() else {
            return true;
        };
        let mut valid = true;
        let mut fail = |run: &mut Self, message: String| {
            valid = false;
            run.problem(secret, |_| message);
        };
        if let Some(min) = c.minimum.filter(|&min| n < min) {
            fail(self, format!("the value is not greater or equal to {min}"));
        }
        if let Some(min) = c.exclusive_minimum.filter(|&min| n <= min) {
            fail(self, format!("the value is not greater than {min}"));
        }
        if let Some(max) = c.maximum.filter(|&max| n > max) {
            fail(self, format!("the value is not less or equal to {max}"));
        }
        if let Some(max) = c.exclusive_maximum.filter(|&max| n >= max) {
            fail(self, format!("the value is not less than {max}"));
        }
        if let Some(step) = schema
            .rules
            .multiple_of
            .filter(|&m| !multiple_of(number, m))
        {
            fail(self, format!("the value is not a multiple of {step}"));
        }
        valid
    }

    /// `minItems`/`maxItems` or `minProperties`/`maxProperties`: how many `what`s there are.
    fn count(&mut self, count: u64, min: Option<u64>, max: Option<u64>, what: &str) -> bool {
        let mut valid = true;
        if let Some(min) = min.filter(|&min| count < min) {
            valid = false;
            self.problem(false, |_| {
                format!("expected minimum {what} count: {min}, found: {count}")
            });
        }
        if let Some(max) = max.filter(|&max| count > max) {
            valid = false;
            self.problem(false, |_| {
                format!("expected maximum {what} count: {max}, found: {count}")
            });
        }
        valid
    }

    fn array(&mut self, schema: &Schema, items: &[Value]) -> bool {
        let c = &schema.constraints;
        let rules = &schema.rules;
        let count = items.len() as u64;
        let mut valid = self.count(count, c.min_items, c.max_items, "item");
        if c.unique_items && !unique_items(items) {
            valid = false;
            self.problem(false, |_| "array items are not unique".to_owned());
        }
        if !valid && !self.collect {
            return false;
        }
        if let Some(tuple) = &rules.tuple_items {
            for (i, item) in items.iter().enumerate() {
                let each = tuple.get(i).or(rules.additional_items.as_deref());
                if let Some(each) = each {
                    valid &= self.item(each, i, item);
                }
            }
        } else if let Some(each) = items_schema(schema) {
            for (i, item) in items.iter().enumerate() {
                valid &= self.item(each, i, item);
                if !valid && !self.collect {
                    return false;
                }
            }
        }
        if let Some(contains) = &rules.contains {
            if !items.iter().any(|item| self.quietly(contains, item)) {
                valid = false;
                self.problem(false, |_| {
                    "no item matches the `contains` schema".to_owned()
                });
            }
        }
        valid
    }

    /// Checks the item at `index`.
    fn item(&mut self, schema: &Schema, index: usize, item: &Value) -> bool {
        let length = self.pointer.len();
        crate::pointer::push(&mut self.pointer, itoa(index).as_str());
        let valid = self.schema(schema, item, false);
        self.pointer.truncate(length);
        valid
    }

    /// Checks the value under `key`.
    fn member(&mut self, schema: &Schema, key: &str, value: &Value) -> bool {
        let length = self.pointer.len();
        crate::pointer::push(&mut self.pointer, key);
        let valid = self.schema(schema, value, false);
        self.pointer.truncate(length);
        valid
    }

    fn object(&mut self, schema: &Schema, value: &Value, members: &Map<String, Value>) -> bool {
        let rules = &schema.rules;
        let count = members.len() as u64;
        let mut valid = self.count(
            count,
            rules.min_properties,
            rules.max_properties,
            "property",
        );
        if let Some(object) = object_schema(schema) {
            valid &= self.properties(object, members);
        }
        if !valid && !self.collect {
            return false;
        }
        if let Some(names) = &rules.property_names {
            for key in members.keys() {
                if !self.quietly(names, &Value::String(key.clone())) {
                    valid = false;
                    self.problem(false, |_| {
                        format!("key [{key}] does not keep the `propertyNames` schema")
                    });
                }
            }
        }
        for (key, dependency) in &rules.dependencies {
            if !members.contains_key(key) {
                continue;
            }
            match dependency {
                Dependency::Keys(needed) => {
                    for other in needed.iter().filter(|k| !members.contains_key(*k)) {
                        valid = false;
                        self.problem(false, |_| {
                            format!("key [{other}] is required when key [{key}] is present")
                        });
                    }
                }
                Dependency::Schema(dependent) => {
                    valid &= self.schema(dependent, value, false);
                }
            }
        }
        valid
    }

    /// `properties`, `required`, `patternProperties` and `additionalProperties`.
    fn properties(&mut self, object: &Object, members: &Map<String, Value>) -> bool {
        let mut valid = true;
        // The values first, then what is missing: the order of Tray's validator.
        for property in &object.properties {
            if let Some(value) = members.get(&property.name) {
                valid &= self.member(&property.schema, &property.name, value);
                if !valid && !self.collect {
                    return false;
                }
            }
        }
        let missing = object
            .properties
            .iter()
            .filter(|p| p.required && !members.contains_key(&p.name));
        for name in missing.map(|p| &p.name) {
            valid = false;
            self.problem(false, |_| format!("required key [{name}] not found"));
        }
        for name in object.other_required.iter() {
            if !members.contains_key(name) {
                valid = false;
                self.problem(false, |_| format!("required key [{name}] not found"));
            }
        }
        for (key, value) in members {
            let named = object.properties.iter().any(|p| &p.name == key);
            valid &= self.extra(object, key, value, named);
            if !valid && !self.collect {
                return false;
            }
        }
        valid
    }

    /// `patternProperties` and `additionalProperties` for the member `key` (`named` when
    /// `properties` names it: patterns apply to it still, extra-key rules do not).
    fn extra(&mut self, object: &Object, key: &str, value: &Value, named: bool) -> bool {
        let mut valid = true;
        let mut matched = false;
        for (pattern, each) in &object.pattern_properties {
            if self.matches(pattern, key) {
                matched = true;
                valid &= self.member(each, key, value);
            }
        }
        match (&object.additional, &object.additional_pattern) {
            // The one `patternProperties` entry, kept as the map's values.
            (Additional::Schema(each), Some(pattern)) => {
                if self.matches(pattern, key) {
                    valid &= self.member(each, key, value);
                }
            }
            _ if named || matched => {}
            (Additional::Allowed, _) => {}
            (Additional::Schema(each), None) => valid &= self.member(each, key, value),
            (Additional::Denied, _) => {
                self.problem(false, |_| {
                    format!("extraneous key [{key}] is not permitted")
                });
                valid = false;
            }
        }
        valid
    }

    /// `oneOf` (`one`) or `anyOf`. When no variant matches, the problems of the closest one
    /// (fewest problems, if only one has that few: a tagged variant whose tag matches) follow,
    /// so that a person sees what to fix.
    fn variants(&mut self, variants: &[Schema], one: bool, value: &Value, secret: bool) -> bool {
        let mut matched = 0;
        // Whether a match went through a schema that accepts more than it says: then two
        // matches do not prove that `oneOf` fails (one of them may be wrong).
        let mut unsure = false;
        for variant in variants {
            let (valid, assumed) = self.quietly_assumed(variant, value);
            if valid {
                matched += 1;
                unsure |= assumed;
                if !one || (matched > 1 && !unsure) {
                    break;
                }
            }
        }
        let key = if one { "oneOf" } else { "anyOf" };
        match matched {
            0 => {
                self.problem(secret, |_| {
                    format!("the value matches none of the `{key}` schemas")
                });
                if self.collect {
                    let closest = self.closest(variants, value, secret);
                    self.problems.extend(closest);
                }
                false
            }
            1 => true,
            _ if !one || unsure => true,
            _ => {
                self.problem(secret, |_| {
                    "the value matches more than one of the `oneOf` schemas; exactly one must match"
                        .to_owned()
                });
                false
            }
        }
    }

    /// The problems of the closest variant, when no other is as close: fewest `enum` and
    /// `const` values missed (a tag), then fewest problems.
    fn closest(&mut self, variants: &[Schema], value: &Value, secret: bool) -> Vec<Problem> {
        let kept = std::mem::take(&mut self.problems);
        let missed = self.values_missed;
        let mut best: Option<((usize, usize), Vec<Problem>)> = None;
        let mut tied = false;
        for variant in variants {
            self.values_missed = 0;
            self.schema(variant, value, secret);
            let found = std::mem::take(&mut self.problems);
            let score = (self.values_missed, found.len());
            match &best {
                Some((b, _)) if score > *b => {}
                Some((b, _)) if score == *b => tied = true,
                _ => {
                    best = Some((score, found));
                    tied = false;
                }
            }
        }
        self.values_missed = missed;
        self.problems = kept;
        match (tied, best) {
            (false, Some((_, problems))) => problems,
            _ => Vec::new(),
        }
    }

    /// Whether `key` matches a `patternProperties` pattern; one that cannot be checked (the
    /// reader warned) matches every key, so that extra-key rules do not reject them.
    fn matches(&self, pattern: &str, key: &str) -> bool {
        let found = self.checker.patterns.get(pattern).map(|p| p.search(key));
        !matches!(found, Some(Search::NotFound))
    }

    /// `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`, and the kind's own parts when
    /// it holds them and the rules do not.
    fn applicators(&mut self, rules: &Rules, value: &Value, secret: bool) -> bool {
        let mut valid = true;
        for part in &rules.all_of {
            valid &= self.schema(part, value, secret);
            if !valid && !self.collect {
                return false;
            }
        }
        if let Some(variants) = &rules.any_of {
            valid &= self.variants(variants, false, value, secret);
        }
        if let Some(variants) = &rules.one_of {
            valid &= self.variants(variants, true, value, secret);
        }
        if let Some(not) = &rules.not {
            // A match that may be wrong does not refuse the value.
            if let (true, false) = self.quietly_assumed(not, value) {
                valid = false;
                let nothing = not.kind == Kind::Any && not.rules == Rules::default();
                self.problem(secret, |_| match nothing {
                    true => "no value is allowed here".to_owned(),
                    false => "the value matches the `not` schema".to_owned(),
                });
            }
        }
        if let Some(condition) = &rules.condition {
            // When the test's answer may be wrong, neither branch is held against the value.
            let branch = match self.quietly_assumed(&condition.test, value) {
                (true, false) => condition.then.as_ref(),
                (false, false) => condition.otherwise.as_ref(),
                (_, true) => None,
            };
            if let Some(branch) = branch {
                valid &= self.schema(branch, value, secret);
            }
        }
        valid
    }
}

/// The object keywords the checker holds a value to: the rules' when they keep them, or the
/// kind's own.
fn object_schema(schema: &Schema) -> Option<&Object> {
    if let Some(object) = &schema.rules.object {
        return Some(object);
    }
    if schema.rules.kind_from_parts {
        return None;
    }
    object_kind(schema).next()
}

/// The object kinds of a schema: its kind, or the object member of a union of types.
fn object_kind(schema: &Schema) -> impl Iterator<Item = &Object> {
    let members: &[Schema] = match &schema.kind {
        Kind::Union(members) => members,
        _ => std::slice::from_ref(schema),
    };
    members.iter().filter_map(|m| match &m.kind {
        Kind::Object(object) => Some(object),
        _ => None,
    })
}

/// The schema every item keeps: the rules' `items`, or the kind's own.
fn items_schema(schema: &Schema) -> Option<&Schema> {
    if let Some(items) = &schema.rules.items {
        return Some(items);
    }
    if schema.rules.kind_from_parts {
        return None;
    }
    let members: &[Schema] = match &schema.kind {
        Kind::Union(members) => members,
        _ => std::slice::from_ref(schema),
    };
    members.iter().find_map(|m| match &m.kind {
        Kind::Array(Some(items)) => Some(&**items),
        _ => None,
    })
}

/// The schemas a schema's kind holds.
fn kind_children(schema: &Schema) -> Box<dyn Iterator<Item = &Schema> + '_> {
    match &schema.kind {
        Kind::Array(Some(items)) => Box::new(std::iter::once(&**items)),
        Kind::Object(object) => Box::new(object.children()),
        Kind::OneOf(all) | Kind::AnyOf(all) | Kind::Union(all) => Box::new(all.iter()),
        _ => Box::new(std::iter::empty()),
    }
}

/// Whether `value` is of type `t`; `1.0` is an integer.
fn fits(t: JsonType, value: &Value) -> bool {
    match (t, value) {
        (JsonType::Null, Value::Null)
        | (JsonType::Boolean, Value::Bool(_))
        | (JsonType::Number, Value::Number(_))
        | (JsonType::String, Value::String(_))
        | (JsonType::Array, Value::Array(_))
        | (JsonType::Object, Value::Object(_)) => true,
        (JsonType::Integer, Value::Number(n)) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => false,
    }
}

/// The types a value was expected to have, as messages name them.
fn expected(types: &[JsonType]) -> String {
    let names: Vec<String> = types.iter().map(|t| capitalized(t.name())).collect();
    match names.as_slice() {
        [one] => one.clone(),
        many => format!("one of [{}]", many.join(", ")),
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "Null",
        Value::Bool(_) => "Boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "Integer",
        Value::Number(_) => "Number",
        Value::String(_) => "String",
        Value::Array(_) => "JSONArray",
        Value::Object(_) => "JSONObject",
    }
}

fn capitalized(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Whether `number` is a whole multiple of `step` (> 0), within floating point.
fn multiple_of(number: &Number, step: f64) -> bool {
    if let (Some(n), true) = (number.as_i64(), step.fract() == 0.0 && step.abs() < 9.0e15) {
        return n % (step as i64) == 0;
    }
    let Some(n) = number.as_f64() else {
        return true;
    };
    let quotient = n / step;
    if !quotient.is_finite() {
        return false;
    }
    (quotient - quotient.round()).abs() < 1e-9
}

/// Whether no two items are equal as [`json_equal`] compares them (`uniqueItems`).
///
/// Items are grouped by a hash that equal items share, and only items within a group are
/// compared: time grows with the list's size, not its square, so a long list in an imported
/// row cannot stall a check.
///
/// ```
/// use serde_json::json;
/// use tray_schema::check::unique_items;
/// assert!(unique_items(&[json!(1), json!("1"), json!([1]), json!({"a": 1})]));
/// assert!(!unique_items(&[json!({"a": 1, "b": [2]}), json!({"b": [2.0], "a": 1.0})]));
/// ```
pub fn unique_items(items: &[Value]) -> bool {
    use std::hash::BuildHasher;
    if items.len() < 2 {
        return true;
    }
    let state = std::hash::RandomState::new();
    let mut groups: std::collections::HashMap<u64, Vec<&Value>> =
        std::collections::HashMap::with_capacity(items.len());
    for item in items {
        let mut hasher = state.build_hasher();
        hash_json(item, &state, &mut hasher, MAX_NESTING);
        let group = groups
            .entry(std::hash::Hasher::finish(&hasher))
            .or_default();
        if group.iter().any(|before| json_equal(before, item)) {
            return false;
        }
        group.push(item);
    }
    true
}

/// Feeds `value` to `hasher` so that values [`json_equal`] calls equal hash alike: numbers by
/// their `f64` value (`1` and `1.0` alike; `0.0` and `-0.0` alike), object entries in any
/// order. Below `depth` levels nothing more is fed (equal values still hash alike).
fn hash_json<H: std::hash::Hasher>(
    value: &Value,
    state: &std::hash::RandomState,
    hasher: &mut H,
    depth: usize,
) {
    use std::hash::{BuildHasher, Hash};
    let Some(depth) = depth.checked_sub(1) else {
        return;
    };
    match value {
        Value::Null => 0u8.hash(hasher),
        Value::Bool(b) => (1u8, b).hash(hasher),
        Value::Number(n) => {
            // `+ 0.0` turns -0.0 into 0.0; every number has an f64 value in serde_json.
            let f = n.as_f64().unwrap_or(f64::NAN) + 0.0;
            (2u8, f.to_bits()).hash(hasher);
        }
        Value::String(text) => (3u8, text).hash(hasher),
        Value::Array(items) => {
            (4u8, items.len()).hash(hasher);
            for item in items {
                hash_json(item, state, hasher, depth);
            }
        }
        Value::Object(entries) => {
            // Order-free: the entries' own hashes, added up.
            let sum = entries.iter().fold(0u64, |sum, (key, value)| {
                let mut entry = state.build_hasher();
                key.hash(&mut entry);
                hash_json(value, state, &mut entry, depth);
                sum.wrapping_add(std::hash::Hasher::finish(&entry))
            });
            (5u8, entries.len(), sum).hash(hasher);
        }
    }
}

/// Whether two JSON values are equal as JSON Schema compares them (`enum`, `const`,
/// `uniqueItems`): numbers by their value (`1 == 1.0`, but `1 != true`), arrays item by item,
/// objects key by key whatever their order. Values nested deeper than [`MAX_NESTING`] levels
/// are told apart rather than recursed into.
///
/// ```
/// use serde_json::json;
/// use tray_schema::check::json_equal;
/// assert!(json_equal(&json!({"a": [1, 2.0]}), &json!({"a": [1.0, 2]})));
/// assert!(!json_equal(&json!(false), &json!(0)));
/// ```
pub fn json_equal(a: &Value, b: &Value) -> bool {
    json_eq_within(a, b, MAX_NESTING)
}

/// [`json_equal`], going at most `depth` levels deep: values nested deeper are told apart (the
/// checker does not recurse without bound on a value built in code).
fn json_eq_within(a: &Value, b: &Value, depth: usize) -> bool {
    let Some(depth) = depth.checked_sub(1) else {
        return false;
    };
    let json_equal = |x, y| json_eq_within(x, y, depth);
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => match (x.as_u64(), y.as_u64()) {
                (Some(x), Some(y)) => x == y,
                _ => x.as_f64() == y.as_f64(),
            },
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_equal(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, x)| y.get(key).is_some_and(|y| json_equal(x, y)))
        }
        _ => a == b,
    }
}

/// An index as a pointer token, without a heap allocation for small ones.
fn itoa(index: usize) -> Token {
    let mut buffer = [0u8; 20];
    let mut at = buffer.len();
    let mut n = index;
    loop {
        at -= 1;
        buffer[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    Token { buffer, start: at }
}

struct Token {
    buffer: [u8; 20],
    start: usize,
}

impl Token {
    fn as_str(&self) -> &str {
        // Only ASCII digits were written.
        std::str::from_utf8(&self.buffer[self.start..]).unwrap_or("0")
    }
}
