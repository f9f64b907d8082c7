//! A valid instance of a schema: its own `default` or `examples` when they pass the checker,
//! else a minimal one made from the schema (required properties, types, `enum`/`const`,
//! lengths, bounds, formats, patterns), each part checked where it stands.

use serde_json::{Map, Number, Value};
use tray_schema::model::{Additional, Document, JsonType, Kind, Object, Property, Schema};
use tray_schema::secret::is_secret_name;
use tray_schema::Checker;

use super::sample::samples;
use super::Markers;

/// How deeply values are made inside each other (`$ref`s may go round in circles).
const MAX_DEPTH: usize = 24;

/// Where a valid instance came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The root schema's `default`.
    Default,
    /// One of the root schema's `examples`.
    Example,
    /// Made from the schema (property defaults and examples used where they fit).
    Made,
}

/// A value the checker accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidInstance {
    /// The value.
    pub value: Value,
    /// Where it came from.
    pub source: Source,
}

/// A valid instance of the schema `checker` checks; `None` when none was found (a pattern
/// no sample matches, rules that contradict each other, ...). Secret strings made carry a
/// marker from `markers`.
pub fn valid_instance(checker: &Checker, markers: &Markers) -> Option<ValidInstance> {
    let root = &checker.document().root;
    let own = root
        .default
        .iter()
        .map(|v| (v, Source::Default))
        .chain(root.examples.iter().map(|v| (v, Source::Example)));
    for (value, source) in own {
        if checker.is_valid(value) {
            return Some(ValidInstance {
                value: value.clone(),
                source,
            });
        }
    }
    let value = Maker { checker, markers }.value(root, None, 0)?;
    checker.is_valid(&value).then_some(ValidInstance {
        value,
        source: Source::Made,
    })
}

#[derive(Clone, Copy)]
struct Maker<'a> {
    checker: &'a Checker,
    markers: &'a Markers,
}

/// Which properties an object is made with.
#[derive(Clone, Copy)]
enum Plan {
    Required,
    TagsAndDefaults,
    All,
}

type Candidates<'a> = Box<dyn Iterator<Item = Value> + 'a>;

impl<'a> Maker<'a> {
    /// The first candidate that the schema standing at `schema`'s pointer accepts. A secret
    /// (by the schema, or by its property `key`) is tried with a marked string first.
    fn value(&self, schema: &'a Schema, key: Option<&str>, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        let document = self.checker.document();
        let view = document.view(schema);
        let secret = view.secret || key.is_some_and(is_secret_name);
        let marked = if secret {
            marked_strings(&view, &self.markers.next())
        } else {
            Vec::new()
        };
        let own: Vec<Value> = view.default.iter().chain(&view.examples).cloned().collect();
        let made = self.made(schema, key, depth);
        let null = view.nullable.then_some(Value::Null);
        let fits = |value: &Value| {
            self.checker
                .check_at(&schema.pointer, value)
                .is_none_or(|problems| problems.is_empty())
        };
        marked
            .into_iter()
            .chain(own)
            .chain(made)
            .chain(null)
            .find(fits)
    }

    /// Values made from what `schema` is, lazily (objects are made property by property).
    fn made(&self, schema: &'a Schema, key: Option<&str>, depth: usize) -> Candidates<'a> {
        let document: &'a Document = self.checker.document();
        let target = document.target(schema);
        let view = document.view(schema);
        let key = key.map(str::to_owned);
        let maker = *self;
        match &target.kind {
            Kind::Null => Box::new(std::iter::once(Value::Null)),
            Kind::Boolean => Box::new([Value::Bool(false), Value::Bool(true)].into_iter()),
            Kind::Integer => Box::new(numbers(&view, true).into_iter()),
            Kind::Number => Box::new(numbers(&view, false).into_iter()),
            Kind::String => Box::new(strings(&view).into_iter()),
            Kind::Enum(values) => Box::new(values.iter().cloned()),
            Kind::Const(value) => Box::new(std::iter::once(value.clone())),
            Kind::Array(items) => Box::new(self.array(&view, items.as_deref(), depth)),
            Kind::Object(object) => Box::new(self.objects(object, depth)),
            Kind::OneOf(choices) | Kind::AnyOf(choices) | Kind::Union(choices) => Box::new(
                choices
                    .iter()
                    .filter_map(move |choice| maker.value(choice, key.as_deref(), depth + 1)),
            ),
            Kind::Any => self.any(target, key, depth),
            Kind::Ref(_) => Box::new(std::iter::empty()),
        }
    }

    /// A schema of no one kind: its `oneOf`/`anyOf` choices, else a value of each type it
    /// allows.
    fn any(&self, target: &'a Schema, key: Option<String>, depth: usize) -> Candidates<'a> {
        let rules = &target.rules;
        let choices = rules.one_of.iter().chain(&rules.any_of).flatten();
        let maker = *self;
        let from_choices =
            choices.filter_map(move |choice| maker.value(choice, key.as_deref(), depth + 1));
        let types = if rules.types.is_empty() {
            vec![JsonType::String, JsonType::Object, JsonType::Integer]
        } else {
            rules.types.clone()
        };
        let plain = types.into_iter().map(|t| match t {
            JsonType::Null => Value::Null,
            JsonType::Boolean => Value::Bool(false),
            JsonType::Integer | JsonType::Number => Value::from(1),
            JsonType::String => Value::String("value".to_owned()),
            JsonType::Array => Value::Array(Vec::new()),
            JsonType::Object => Value::Object(Map::new()),
        });
        Box::new(from_choices.chain(plain))
    }

    /// `minItems` copies of an item (none when it may be empty).
    fn array(
        &self,
        view: &Schema,
        items: Option<&'a Schema>,
        depth: usize,
    ) -> impl Iterator<Item = Value> + 'a {
        let min = view.constraints.min_items.unwrap_or(0) as usize;
        let list = if min == 0 {
            Some(Vec::new())
        } else {
            let item = match items {
                Some(items) => self.value(items, None, depth + 1),
                None => Some(Value::String("value".to_owned())),
            };
            item.map(|item| vec![item; min])
        };
        list.map(Value::Array).into_iter()
    }

    /// Objects with, in turn: the required properties; those and the ones with a default or a
    /// single value (a `oneOf` choice's tag); every property that can be made.
    fn objects(&self, object: &'a Object, depth: usize) -> impl Iterator<Item = Value> + 'a {
        let maker = *self;
        [Plan::Required, Plan::TagsAndDefaults, Plan::All]
            .into_iter()
            .filter_map(move |plan| maker.object(object, plan, depth))
    }

    /// Whether `plan` puts `property` in an object.
    fn wanted(&self, plan: Plan, property: &Property) -> bool {
        let document = self.checker.document();
        let tag_or_default = || {
            let single = match &document.target(&property.schema).kind {
                Kind::Const(_) => true,
                Kind::Enum(values) => values.len() == 1,
                _ => false,
            };
            single || document.view(&property.schema).default.is_some()
        };
        match plan {
            Plan::Required => property.required,
            Plan::TagsAndDefaults => property.required || tag_or_default(),
            Plan::All => true,
        }
    }

    /// An object of the properties `plan` picks (a required one that cannot be made fails
    /// it), and of the required keys that are not properties.
    fn object(&self, object: &'a Object, plan: Plan, depth: usize) -> Option<Value> {
        let mut map = Map::new();
        for property in object.properties.iter().filter(|p| self.wanted(plan, p)) {
            match self.value(&property.schema, Some(&property.name), depth + 1) {
                Some(value) => {
                    map.insert(property.name.clone(), value);
                }
                None if property.required => return None,
                None => {}
            }
        }
        for name in &object.other_required {
            let value = match &object.additional {
                Additional::Schema(values) => self.value(values, Some(name), depth + 1)?,
                _ if is_secret_name(name) => Value::String(self.markers.next()),
                _ => Value::String("value".to_owned()),
            };
            map.insert(name.clone(), value);
        }
        Some(Value::Object(map))
    }
}

/// Pads `text` to `minLength` with its last character (which a pattern ending in `[a-f0-9]+$`
/// still matches), and cuts it to `maxLength` (in characters).
fn fit_length(view: &Schema, mut text: String) -> String {
    let min = view.constraints.min_length.unwrap_or(0) as usize;
    let count = text.chars().count();
    if count < min {
        let pad = text.chars().last().unwrap_or('x');
        text.extend(std::iter::repeat_n(pad, min - count));
    }
    if let Some(max) = view.constraints.max_length {
        text = text.chars().take(max as usize).collect();
    }
    text
}

/// Strings that carry `marker`, for a secret: the marker fitted to the lengths, and samples
/// of the pattern with the marker after them (where the pattern ends in `.+` or the like).
fn marked_strings(view: &Schema, marker: &str) -> Vec<Value> {
    let pattern = view.constraints.pattern.as_deref();
    let sampled = pattern.map(samples).unwrap_or_default();
    std::iter::once(fit_length(view, marker.to_owned()))
        .chain(
            sampled
                .into_iter()
                .map(|sample| format!("{sample}{marker}")),
        )
        .map(Value::String)
        .collect()
}

/// Strings for a string schema: samples of its pattern, a value of its format, a word; each
/// as is and fitted to its lengths.
fn strings(view: &Schema) -> Vec<Value> {
    let mut texts: Vec<String> = Vec::new();
    if let Some(pattern) = &view.constraints.pattern {
        texts.extend(samples(pattern));
    }
    if let Some(example) = view.format.as_deref().and_then(format_example) {
        texts.push(example.to_owned());
    }
    texts.extend(
        [
            "value",
            "2023-01-01",
            "2023-01-01T00:00:00Z",
            "https://example.com",
        ]
        .map(str::to_owned),
    );
    let fitted: Vec<String> = texts.iter().map(|t| fit_length(view, t.clone())).collect();
    texts.into_iter().chain(fitted).map(Value::String).collect()
}

/// A value of a `format`, for the formats real schemas name.
fn format_example(format: &str) -> Option<&'static str> {
    Some(match format {
        "date" => "2023-01-01",
        "date-time" => "2023-01-01T00:00:00Z",
        "time" => "00:00:00",
        "email" => "someone@example.com",
        "uri" | "url" | "uri-reference" | "iri" => "https://example.com",
        "hostname" => "example.com",
        "ipv4" => "127.0.0.1",
        "ipv6" => "::1",
        "uuid" => "00000000-0000-4000-8000-000000000000",
        _ => return None,
    })
}

/// Numbers for a number schema: its lowest allowed value (a multiple of `multipleOf` when
/// it asks for one), its highest, 0 and 1.
fn numbers(view: &Schema, integer: bool) -> Vec<Value> {
    let c = &view.constraints;
    let step = view.rules.multiple_of.filter(|m| *m > 0.0);
    let low = match (c.minimum, c.exclusive_minimum) {
        (_, Some(x)) if integer => Some(x.floor() + 1.0),
        (_, Some(x)) => Some(x + c.maximum.map_or(1.0, |max| (max - x) / 2.0)),
        (Some(min), None) if integer => Some(min.ceil()),
        (min, None) => min,
    };
    let high = match (c.maximum, c.exclusive_maximum) {
        (_, Some(x)) if integer => Some(x.ceil() - 1.0),
        (_, Some(x)) => Some(x - 0.5),
        (Some(max), None) if integer => Some(max.floor()),
        (max, None) => max,
    };
    let mut candidates = Vec::new();
    if let (Some(step), Some(low)) = (step, low) {
        candidates.push((low / step).ceil() * step);
    }
    candidates.extend(low.into_iter().chain(high));
    candidates.extend([0.0, 1.0]);
    candidates.extend(step);
    candidates.into_iter().filter_map(number).collect()
}

/// A JSON number: an integer when it has no fraction.
fn number(x: f64) -> Option<Value> {
    if x.fract() == 0.0 && x.abs() < 9e15 {
        Some(Value::from(x as i64))
    } else {
        Number::from_f64(x).map(Value::Number)
    }
}
