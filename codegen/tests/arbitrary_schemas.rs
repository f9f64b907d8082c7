//! Whatever JSON it is given as a schema, the generator returns without a panic and prints Rust
//! that parses; the real connector schemas of `../shared/corpus` too, and the same bytes on
//! every run, within a time and memory bound per schema, with no doc text that rustdoc would
//! run as a doctest.
//!
//! The property test draws schema-shaped JSON (real keywords, with odd, wrong and missing
//! values) mixed with arbitrary JSON, so that it reaches the generator's deep paths and not only
//! its "not a schema" fallback, with `$ref` graphs, hostile patterns and Markdown-bearing text.
//! Set `PROPTEST_CASES` to run more cases than the default 384: the long fuzzing run in
//! BENCHMARKS.md is `PROPTEST_CASES=1000000 cargo test --release -p tray-codegen --test
//! arbitrary_schemas any_json`.
//! Proptest saves the seed of each failing case in `arbitrary_schemas.proptest-regressions`
//! beside this file and replays those first on every later run: commit that file with the fix.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::FileFailurePersistence;
use serde_json::{json, Map, Value};
use tray_codegen::schema_to_rust;

mod support;

#[path = "../../tests/fixtures/hostile_markdown.rs"]
mod hostile_markdown;

/// Every allocation is counted, so that a case that blows up is stopped and reported.
#[global_allocator]
static ALLOCATOR: support::Budgeted = support::Budgeted;

/// Property names that have given generators trouble: Rust keywords, digits, punctuation,
/// non-ASCII, the empty name, names that collide once cased, and names of the prelude types and
/// of the bindings that generated code uses.
const NAMES: &[&str] = &[
    "type",
    "self",
    "Self",
    "fn",
    "crate",
    "super",
    "async",
    "union",
    "r#type",
    "_",
    "__",
    "",
    " ",
    "2fa",
    "123",
    "0",
    "a-b",
    "a.b",
    "a b",
    "$ref",
    "~1",
    "/",
    "%",
    "api_key",
    "apiKey",
    "ApiKey",
    "API_KEY",
    "api-key",
    "größe",
    "grosse",
    "日本語",
    "€",
    "🔑",
    "extra",
    "extra_2",
    "value",
    "item",
    "items",
    "inner",
    "key",
    "v",
    "i",
    "option",
    "string",
    "vec",
    "result",
    "default",
    "kind",
    "tag",
    "token",
    "password",
    "client_secret",
    "public_key",
    "tags",
    "tags_item",
];

/// Values a discriminating property may take: duplicates, the empty string and names that case
/// to the same variant.
const TAGS: &[&str] = &[
    "oauth2", "oauth2", "api_key", "apiKey", "API Key", "", "2fa", "Self", "ünï", "-", "none",
];

const TYPES: &[&str] = &[
    "string", "integer", "number", "boolean", "object", "array", "null", "any", "strng", "",
];

const FORMATS: &[&str] = &[
    "date",
    "date-time",
    "time",
    "uri",
    "url",
    "email",
    "uuid",
    "password",
    "hostname",
    "ipv4",
    "int64",
    "unknown-format",
];

/// Patterns: ECMAScript ones the Rust `regex` crate would refuse (look-around, back
/// references), invalid ones, and ones with characters that need escaping in Rust strings.
const PATTERNS: &[&str] = &[
    "^[a-z]+$",
    "^\\d{4}-\\d{2}-\\d{2}$",
    "(?<=a)b",
    "^(?!x).*",
    "(a)\\1",
    "\\p{L}+",
    "[",
    "(",
    "a{2,1}",
    "",
    "\"#\\\\",
    "^.*\"}#;$",
    "\\u{1F511}",
    // Catastrophic backtracking in a backtracking engine, with and without look-around.
    "(a+)+$",
    "^(\\w+\\s?)*$",
    "(a|a)*b",
    "^(?=(a+)+$)",
    "^(a+)+\\1$",
];

const REFS: &[&str] = &[
    "#/definitions/a",
    "#/definitions/b",
    "#/definitions/self",
    "#/definitions/loop",
    "#/definitions/a%20b",
    "#/definitions/missing",
    "#/$defs/a",
    "#/definitions/a/properties/x",
    "#",
    "#/",
    "#definitions/a",
    "#/properties",
    "other.json#/definitions/a",
    "other.json",
    "",
    "%",
];

/// Doc text that has broken doc comments elsewhere.
const TEXTS: &[&str] = &[
    "API key",
    "",
    "  ",
    "Line one\nline two\n\n- a list\n- of items",
    "1. first\n2. second",
    "carriage\rreturn",
    "crlf\r\nline",
    "*/ /* not a comment",
    "`backticks` and \"quotes\" and \\ backslashes",
    "# heading",
    "<b>html</b> & [link](http://example.com)",
    "tab\tand nul\u{0}",
    "ünïcödé ✓ 🔑",
    // Markdown near code blocks (the blocks themselves: `hostile_markdown::FORMS`).
    "~~~\nstd::process::exit(3);\n~~~",
    "~~~~should_panic\nlet x = 1;\n~~~~",
    "```no_run,edition2021\nfn main() {}\n```",
    "```ignore\nfn x() {}\n```",
    "```text\nalready inert\n```",
    "   ```\n   indented fence\n   ```",
    "Opened and never closed:\n\n```\nloop {}",
    "````\n```\nlonger fence\n````",
    "```\r\ncrlf fence\r\n```\r\n",
    "Before.\n\n    let indented = \"code block\";\n\nAfter.",
    "Before.\n\n\tlet tabbed = 1;\n",
    "        eight spaces at the start",
    "- a list\n\n  ```\n  in a list item\n  ```",
    "> quoted\n>\n> ```\n> in a block quote\n> ```",
    "<pre>\nhtml pre\n</pre>",
    "`` ``` `` inline, not a block",
];

fn names() -> BoxedStrategy<String> {
    prop_oneof![
        6 => select(NAMES).prop_map(str::to_owned),
        1 => "\\PC{0,8}",
        1 => "[ -~]{0,8}",
    ]
    .boxed()
}

fn text() -> BoxedStrategy<Value> {
    prop_oneof![
        4 => select(TEXTS).prop_map(Value::from),
        2 => select(hostile_markdown::FORMS).prop_map(Value::from),
        1 => "\\PC{0,16}".prop_map(Value::from),
        1 => any::<i32>().prop_map(Value::from),
    ]
    .boxed()
}

/// A number, a string or a boolean: something to put where a number is expected.
fn number_or_garbage() -> BoxedStrategy<Value> {
    prop_oneof![
        3 => (0u64..100).prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        1 => any::<f64>().prop_map(Value::from),
        1 => select(&[-0.0, 0.5, 1e308, -1e308, 5e-324, 1.5][..]).prop_map(Value::from),
        1 => Just(Value::from("10")),
        1 => Just(Value::Bool(true)),
        1 => Just(Value::Null),
    ]
    .boxed()
}

/// Any JSON value, small.
fn json_value() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number_or_garbage(),
        names().prop_map(Value::String),
        select(TAGS).prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((names(), inner), 0..4)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
    .boxed()
}

type Entries = Vec<(String, Value)>;

fn entry(key: &str, value: Value) -> Entries {
    vec![(key.to_owned(), value)]
}

fn type_keyword() -> BoxedStrategy<Entries> {
    prop_oneof![
        4 => select(TYPES).prop_map(|t| entry("type", t.into())),
        2 => prop::collection::vec(select(TYPES), 0..4)
            .prop_map(|list| entry("type", list.into())),
        1 => json_value().prop_map(|v| entry("type", v)),
    ]
    .boxed()
}

fn required_keyword() -> BoxedStrategy<Entries> {
    prop_oneof![
        4 => prop::collection::vec(names(), 0..4).prop_map(|list| entry("required", list.into())),
        1 => any::<bool>().prop_map(|b| entry("required", b.into())),
        1 => json_value().prop_map(|v| entry("required", v)),
    ]
    .boxed()
}

fn enum_keyword() -> BoxedStrategy<Entries> {
    let strings = prop::collection::vec(select(TAGS).prop_map(Value::from), 0..5);
    let integers = prop::collection::vec(
        prop_oneof![
            (-3i64..4).prop_map(Value::from),
            any::<i64>().prop_map(Value::from)
        ],
        0..4,
    );
    prop_oneof![
        3 => strings.prop_map(|v| entry("enum", v.into())),
        2 => integers.prop_map(|v| entry("enum", v.into())),
        // Mixed kinds, null, duplicates, floats, u64 beyond i64.
        2 => prop::collection::vec(json_value(), 0..5).prop_map(|v| entry("enum", v.into())),
        1 => json_value().prop_map(|v| entry("enum", v)),
        1 => (select(TAGS), prop::collection::vec(text(), 0..4)).prop_map(|(t, labels)| {
            let mut e = entry("enum", json!([t]));
            e.push(("enumLabels".to_owned(), labels.into()));
            e
        }),
    ]
    .boxed()
}

fn pattern_keyword() -> BoxedStrategy<Entries> {
    prop_oneof![
        5 => select(PATTERNS).prop_map(|p| entry("pattern", p.into())),
        1 => "\\PC{0,6}".prop_map(|p| entry("pattern", p.into())),
        1 => json_value().prop_map(|v| entry("pattern", v)),
    ]
    .boxed()
}

fn bounds_keywords() -> BoxedStrategy<Entries> {
    let keys = vec![
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "uniqueItems",
        "multipleOf",
    ];
    prop::collection::vec((select(keys), number_or_garbage()), 1..4)
        .prop_map(|list| list.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
        .boxed()
}

/// `default`, `examples` and `example`, of the right kind or not.
fn value_keywords() -> BoxedStrategy<Entries> {
    prop_oneof![
        2 => json_value().prop_map(|v| entry("default", v)),
        2 => prop::collection::vec(json_value(), 0..3).prop_map(|v| entry("examples", v.into())),
        1 => json_value().prop_map(|v| entry("examples", v)),
        1 => json_value().prop_map(|v| entry("example", v)),
        1 => (json_value(), json_value()).prop_map(|(d, e)| {
            let mut both = entry("default", d);
            both.push(("examples".to_owned(), json!([e])));
            both
        }),
    ]
    .boxed()
}

/// Secrets, formats and the annotations of Tray's and Airbyte's user interfaces.
fn annotation_keywords() -> BoxedStrategy<Entries> {
    let key = select(
        &[
            "format",
            "airbyte_secret",
            "writeOnly",
            "title",
            "description",
            "order",
            "multiline",
            "advanced",
            "$comment",
            "tpye",
            "x-custom",
            "not",
            "dependencies",
        ][..],
    );
    prop::collection::vec(
        (
            key,
            prop_oneof![
                select(FORMATS).prop_map(Value::from),
                any::<bool>().prop_map(Value::Bool),
                text(),
                json_value(),
            ],
        ),
        1..4,
    )
    .prop_map(|list| list.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    .boxed()
}

fn ref_keyword() -> BoxedStrategy<Entries> {
    prop_oneof![
        6 => select(REFS).prop_map(|r| entry("$ref", r.into())),
        1 => "\\PC{0,8}".prop_map(|r| entry("$ref", r.into())),
        1 => json_value().prop_map(|v| entry("$ref", v)),
    ]
    .boxed()
}

fn properties_keyword(schema: BoxedStrategy<Value>) -> BoxedStrategy<Entries> {
    prop_oneof![
        8 => prop::collection::vec((names(), schema), 0..5).prop_map(|list| {
            entry("properties", Value::Object(list.into_iter().collect()))
        }),
        1 => json_value().prop_map(|v| entry("properties", v)),
    ]
    .boxed()
}

/// `oneOf`/`anyOf`/`allOf`: variants told apart by a `const` (or one-value `enum`) property, and
/// plain lists of schemas.
fn choice_keyword(schema: BoxedStrategy<Value>) -> BoxedStrategy<Entries> {
    let keyword = select(&["oneOf", "anyOf", "allOf"][..]);
    let discriminated_variant = (
        select(TAGS),
        0..3u8,
        any::<bool>(),
        prop::option::of(text()),
        prop::collection::vec((names(), schema.clone()), 0..3),
    )
        .prop_map(|(tag, spelling, required, title, others)| {
            let tag_schema = match spelling {
                0 => json!({ "const": tag }),
                1 => json!({ "type": "string", "enum": [tag], "default": tag }),
                _ => json!({ "type": "string", "const": tag, "title": "Method" }),
            };
            let mut properties = Map::new();
            properties.insert("method".to_owned(), tag_schema);
            properties.extend(others);
            let mut variant = json!({ "type": "object", "properties": properties });
            if required {
                variant["required"] = json!(["method"]);
            }
            if let Some(title) = title {
                variant["title"] = title;
            }
            variant
        });
    prop_oneof![
        3 => (keyword.clone(), prop::collection::vec(discriminated_variant, 0..4))
            .prop_map(|(k, variants)| entry(k, variants.into())),
        3 => (keyword.clone(), prop::collection::vec(schema, 0..4))
            .prop_map(|(k, variants)| entry(k, variants.into())),
        1 => (keyword, json_value()).prop_map(|(k, v)| entry(k, v)),
    ]
    .boxed()
}

fn items_keyword(schema: BoxedStrategy<Value>) -> BoxedStrategy<Entries> {
    prop_oneof![
        4 => schema.clone().prop_map(|s| entry("items", s)),
        1 => prop::collection::vec(schema, 0..3).prop_map(|s| entry("items", s.into())),
    ]
    .boxed()
}

fn additional_keywords(schema: BoxedStrategy<Value>) -> BoxedStrategy<Entries> {
    prop_oneof![
        2 => any::<bool>().prop_map(|b| entry("additionalProperties", b.into())),
        2 => schema.clone().prop_map(|s| entry("additionalProperties", s)),
        2 => prop::collection::vec((select(PATTERNS), schema), 0..3).prop_map(|list| {
            let patterns: Map<String, Value> =
                list.into_iter().map(|(p, s)| (p.to_owned(), s)).collect();
            entry("patternProperties", patterns.into())
        }),
    ]
    .boxed()
}

/// A schema object: each keyword present or not, its value well-formed or not; nested
/// keywords take schemas from `schema`.
fn noisy_schema(schema: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    use prop::option::weighted;
    let flat = (
        weighted(0.6, type_keyword()),
        weighted(0.3, required_keyword()),
        weighted(0.15, enum_keyword()),
        weighted(0.1, json_value().prop_map(|v| entry("const", v))),
        weighted(0.15, pattern_keyword()),
        weighted(0.2, bounds_keywords()),
        weighted(0.3, value_keywords()),
        weighted(0.4, annotation_keywords()),
    );
    let nested = (
        weighted(0.5, properties_keyword(schema.clone())),
        weighted(0.25, choice_keyword(schema.clone())),
        weighted(0.15, ref_keyword()),
        weighted(0.25, items_keyword(schema.clone())),
        weighted(0.2, additional_keywords(schema)),
    );
    (flat, nested)
        .prop_map(
            |((t, r, e, c, p, b, v, a), (props, choice, reference, i, add))| {
                let all = [t, r, e, c, p, b, v, a, props, choice, reference, i, add];
                Value::Object(all.into_iter().flatten().flatten().collect())
            },
        )
        .boxed()
}

/// `base` with a few keywords added at random, well-formed or not, so that schemas of a clear
/// shape still meet what real schemas carry beside it.
fn with_noise(base: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    use prop::option::weighted;
    (
        base,
        weighted(0.3, annotation_keywords()),
        weighted(0.25, value_keywords()),
        weighted(0.05, ref_keyword()),
        weighted(0.05, type_keyword()),
    )
        .prop_map(|(base, a, v, r, t)| {
            let Value::Object(mut map) = base else {
                return base;
            };
            for (key, value) in [a, v, r, t].into_iter().flatten().flatten() {
                map.entry(key).or_insert(value);
            }
            Value::Object(map)
        })
        .boxed()
}

fn object(entries: impl IntoIterator<Item = Entries>) -> Value {
    Value::Object(entries.into_iter().flatten().collect())
}

/// A string, maybe nullable, with the checks and annotations strings carry.
fn string_schema() -> BoxedStrategy<Value> {
    use prop::option::weighted;
    (
        select(vec![
            json!("string"),
            json!(["string", "null"]),
            json!(["null", "string"]),
        ]),
        weighted(0.3, pattern_keyword()),
        weighted(
            0.3,
            (number_or_garbage(), number_or_garbage())
                .prop_map(|(min, max)| vec![("minLength".into(), min), ("maxLength".into(), max)]),
        ),
        weighted(0.3, select(FORMATS).prop_map(|f| entry("format", f.into()))),
        weighted(
            0.3,
            select(vec![
                entry("airbyte_secret", true.into()),
                entry("writeOnly", true.into()),
                entry("airbyte_secret", false.into()),
                entry("airbyte_secret", "yes".into()),
            ]),
        ),
    )
        .prop_map(|(ty, p, lengths, f, secret)| {
            object(
                [entry("type", ty)]
                    .into_iter()
                    .chain([p, lengths, f, secret].into_iter().flatten()),
            )
        })
        .boxed()
}

/// An integer or a number with bounds (draft 4's boolean exclusive bounds and later numbers).
fn number_schema() -> BoxedStrategy<Value> {
    use prop::option::weighted;
    (
        select(vec![
            json!("integer"),
            json!("number"),
            json!(["integer", "null"]),
            json!(["integer", "string"]),
        ]),
        prop::option::of(bounds_keywords()),
        weighted(
            0.2,
            select(vec![
                entry("exclusiveMinimum", true.into()),
                entry("exclusiveMaximum", true.into()),
                entry("exclusiveMaximum", false.into()),
            ]),
        ),
    )
        .prop_map(|(ty, bounds, exclusive)| {
            object(
                [entry("type", ty)]
                    .into_iter()
                    .chain([bounds, exclusive].into_iter().flatten()),
            )
        })
        .boxed()
}

/// `enum` and `const`, with or without a `type` beside them.
fn enum_schema() -> BoxedStrategy<Value> {
    (
        prop_oneof![enum_keyword(), json_value().prop_map(|v| entry("const", v))],
        select(vec![None, Some("string"), Some("integer"), Some("object")]),
    )
        .prop_map(|(e, ty)| object([e, ty.map(|t| entry("type", t.into())).unwrap_or_default()]))
        .boxed()
}

fn array_schema(schema: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    use prop::option::weighted;
    (
        weighted(0.9, items_keyword(schema)),
        weighted(0.3, bounds_keywords()),
        weighted(
            0.3,
            any::<bool>().prop_map(|b| entry("uniqueItems", b.into())),
        ),
        any::<bool>(),
    )
        .prop_map(|(items, bounds, unique, typed)| {
            let ty = typed.then(|| entry("type", "array".into()));
            object([ty, items, bounds, unique].into_iter().flatten())
        })
        .boxed()
}

/// An object whose `required` mostly names its own properties.
fn object_schema(schema: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    use prop::option::weighted;
    (
        prop::collection::vec((names(), schema.clone(), any::<bool>()), 0..6),
        weighted(0.1, required_keyword()),
        weighted(0.3, additional_keywords(schema)),
        any::<bool>(),
    )
        .prop_map(|(properties, odd_required, additional, typed)| {
            let required: Vec<Value> = properties
                .iter()
                .filter(|(_, _, required)| *required)
                .map(|(name, _, _)| name.clone().into())
                .collect();
            let properties: Map<String, Value> = properties
                .into_iter()
                .map(|(name, schema, _)| (name, schema))
                .collect();
            let ty = typed.then(|| entry("type", "object".into()));
            let required = odd_required.unwrap_or_else(|| entry("required", required.into()));
            object(
                [
                    ty,
                    Some(entry("properties", properties.into())),
                    Some(required),
                    additional,
                ]
                .into_iter()
                .flatten(),
            )
        })
        .boxed()
}

/// `oneOf`/`anyOf`/`allOf`, alone or beside `"type": "object"` and shared properties.
fn choice_schema(schema: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    (
        choice_keyword(schema.clone()),
        prop::option::of(object_schema(schema)),
        any::<bool>(),
    )
        .prop_map(|(choice, shared, typed)| {
            let mut map = match shared {
                Some(Value::Object(map)) => map,
                _ => Map::new(),
            };
            if typed {
                map.insert("type".into(), "object".into());
            }
            map.extend(choice);
            Value::Object(map)
        })
        .boxed()
}

/// A schema: mostly schema-shaped objects nested a few levels, sometimes any JSON at all.
fn schema() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        1 => json_value(),
        1 => select(vec![json!({}), json!(true), json!(false), json!(null), json!({"type": "boolean"})]),
        4 => with_noise(string_schema()),
        2 => with_noise(number_schema()),
        2 => with_noise(enum_schema()),
        1 => noisy_schema(json_value()),
    ];
    leaf.prop_recursive(4, 48, 5, |inner| {
        let inner = inner.boxed();
        prop_oneof![
            4 => with_noise(object_schema(inner.clone())),
            2 => with_noise(array_schema(inner.clone())),
            2 => with_noise(choice_schema(inner.clone())),
            1 => noisy_schema(inner),
        ]
    })
    .boxed()
}

/// Local definitions for `$ref`s to find: present, referring on, referring to themselves, and
/// under a name that needs escaping.
fn with_definitions(root: Value, a: Value, b: Value, container: &str) -> Value {
    let Value::Object(mut map) = root else {
        return root;
    };
    map.insert(
        container.to_owned(),
        json!({
            "a": a,
            "a b": b,
            "b": { "$ref": "#/definitions/a", "title": "B" },
            "self": { "$ref": "#/definitions/self" },
            "loop": {
                "type": "object",
                "properties": {
                    "next": { "$ref": "#/definitions/loop" },
                    "other": { "$ref": "#/definitions/b" }
                }
            }
        }),
    );
    Value::Object(map)
}

fn root_schema() -> BoxedStrategy<Value> {
    prop_oneof![
        5 => root_with_definitions(),
        1 => ref_graph_schema(),
    ]
    .boxed()
}

fn root_with_definitions() -> BoxedStrategy<Value> {
    (
        prop_oneof![3 => object_schema(schema()), 1 => schema()],
        schema(),
        schema(),
        select(&["none", "definitions", "$defs"][..]),
    )
        .prop_map(|(root, a, b, container)| match container {
            "none" => root,
            container => with_definitions(root, a, b, container),
        })
        .boxed()
}

/// A graph of definitions that refer to one another: chains in which each definition refers
/// to the previous one several times (a naive generator's output doubles at each link), cycles,
/// self references, and references from variants and arrays. The root refers into the graph.
fn ref_graph_schema() -> BoxedStrategy<Value> {
    (
        1usize..24,
        prop::collection::vec(
            (0usize..24, 0usize..24, 0u8..5, prop::option::of(text())),
            1..24,
        ),
        select(&["definitions", "$defs"][..]),
        select(TYPES),
    )
        .prop_map(|(size, edges, container, leaf_type)| {
            let target = |i: usize| format!("#/{container}/d{}", i % size);
            let mut definitions = Map::new();
            for index in 0..size {
                let mut properties = Map::new();
                properties.insert("leaf".into(), json!({ "type": leaf_type }));
                // Every definition refers to the one before it twice: a doubling chain.
                if index > 0 {
                    properties.insert("left".into(), json!({ "$ref": target(index - 1) }));
                    properties.insert("right".into(), json!({ "$ref": target(index - 1) }));
                }
                definitions.insert(
                    format!("d{index}"),
                    json!({ "type": "object", "properties": properties }),
                );
            }
            for (position, (from, to, shape, title)) in edges.into_iter().enumerate() {
                let reference = json!({ "$ref": target(to) });
                let edge = match shape {
                    0 => reference,
                    1 => json!({ "type": "array", "items": reference }),
                    2 => json!({ "oneOf": [reference, { "$ref": target(to + 1) }] }),
                    3 => json!({ "type": "object", "additionalProperties": reference }),
                    _ => json!({ "allOf": [reference, { "$ref": target(from) }] }),
                };
                let mut edge = edge;
                if let (Some(title), Value::Object(map)) = (title, &mut edge) {
                    map.insert("description".into(), title);
                }
                if let Some(Value::Object(def)) = definitions.get_mut(&format!("d{}", from % size))
                {
                    if let Some(Value::Object(properties)) = def.get_mut("properties") {
                        properties.insert(format!("e{position}"), edge);
                    }
                }
            }
            json!({
                "type": "object",
                "properties": {
                    "top": { "$ref": target(size - 1) },
                    "again": { "$ref": target(size - 1) },
                    "first": { "$ref": target(0) }
                },
                "required": ["top"],
                container: definitions
            })
        })
        .boxed()
}

/// The root type's name, and the file the schema is said to come from (`$ref`s to other files
/// are looked up beside it; this one does not exist).
fn call_arguments() -> BoxedStrategy<(String, Option<PathBuf>)> {
    (
        prop_oneof![
            4 => Just("Credentials".to_owned()),
            1 => select(&["UserData", "", "type", "2fa", "größe", "my-schema", "Self"][..])
                .prop_map(str::to_owned),
        ],
        prop::option::of(Just(PathBuf::from("/nonexistent/schemas/service.json"))),
    )
        .boxed()
}

/// The bounds each case is held to. A case that takes longer is a hang; one that holds more
/// memory, or prints more code for its size, is a blow-up (a schema a few kilobytes long that
/// expands to megabytes of Rust). The limits are far above what any corpus schema needs.
const CASE_TIME: Duration = Duration::from_secs(60);
const CASE_MEMORY: usize = 256 << 20;
const CASE_MEMORY_HARD: usize = 1 << 30;
const OUTPUT_PER_INPUT_BYTE: usize = 256;
const OUTPUT_SLACK: usize = 64 << 10;

/// Generates, and fails with the schema and the reason when the generator panics, errors,
/// hangs, blows up, prints something that does not parse or docs that rustdoc would run as a
/// doctest, or prints different bytes on a second run.
fn check_generates_rust(schema: &Value, name: &str, file: Option<&Path>) -> Result<(), String> {
    let shown = || serde_json::to_string_pretty(schema).unwrap_or_default();
    let (owned_schema, owned_name, owned_file) =
        (schema.clone(), name.to_owned(), file.map(Path::to_owned));
    let (first, usage) = support::bounded(shown(), CASE_TIME, CASE_MEMORY_HARD, move || {
        let run = || schema_to_rust(&owned_schema, &owned_name, owned_file.as_deref());
        let first = run();
        let again = run();
        (first, again)
    })
    .map_err(|failure| format!("{failure}\nschema: {}", shown()))?;
    let (first, again) = first;
    let (code, diagnostics) =
        first.map_err(|error| format!("returned an error: {error}\nschema: {}", shown()))?;
    if usage.peak_bytes > CASE_MEMORY {
        return Err(format!(
            "held {} MiB at once (limit {} MiB)\nschema: {}",
            usage.peak_bytes >> 20,
            CASE_MEMORY >> 20,
            shown()
        ));
    }
    let input_len = serde_json::to_string(schema).map_or(0, |s| s.len());
    if code.len() > OUTPUT_SLACK + OUTPUT_PER_INPUT_BYTE * input_len {
        return Err(format!(
            "printed {} bytes of code for a schema of {input_len} bytes\nschema: {}",
            code.len(),
            shown()
        ));
    }
    if let Err(error) = syn::parse_file(&code) {
        return Err(format!(
            "printed code that does not parse: {error}\nschema: {}\ncode:\n{code}",
            shown()
        ));
    }
    let runnable = support::runnable_doc_blocks(&code);
    if !runnable.is_empty() {
        return Err(format!(
            "printed docs holding a code block rustdoc would run as a doctest:\n{}\nschema: {}",
            runnable.join("\n---\n"),
            shown()
        ));
    }
    let again = again.map_err(|e| e.to_string())?;
    if again.0 != code || again.1 != diagnostics {
        return Err(format!(
            "a second run printed different code or diagnostics\nschema: {}",
            shown()
        ));
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(384)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        // Beside this file, as `arbitrary_schemas.proptest-regressions` (the default, a folder
        // parallel to `src/`, does not work for integration tests).
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_json_as_a_schema_generates_rust_that_parses(
        schema in root_schema(),
        (name, file) in call_arguments(),
    ) {
        if let Err(failure) = check_generates_rust(&schema, &name, file.as_deref()) {
            return Err(TestCaseError::fail(failure));
        }
    }
}

/// Found by the property test: `prettyplease` prints a doc attribute as a `///` comment, where a
/// bare carriage return is not allowed, so a title with one (an old Mac line break) made code
/// that does not parse.
#[test]
fn a_carriage_return_in_a_title_or_label_keeps_the_code_parsable() {
    let schema = json!({
        "type": "object",
        "title": "carriage\rreturn",
        "properties": {
            "region": {"type": "string", "description": "one\rtwo", "enum": ["eu"], "enumLabels": ["E\rU"]},
            "auth": {"oneOf": [
                {"type": "object", "title": "A\rB", "properties": {"method": {"const": "a"}}},
                {"type": "object", "properties": {"method": {"const": "b"}}}
            ]}
        }
    });
    check_generates_rust(&schema, "Credentials", None).unwrap();
}

/// `<repo>/../shared/corpus`, where the real connector schemas are.
fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}

/// The corpus's schemas, in a stable order; fails when the corpus is not where it should be,
/// so that a missing folder never passes as "nothing to test".
fn corpus_files() -> Vec<PathBuf> {
    let root = corpus_dir();
    let mut files = Vec::new();
    for folder in ["airbyte-2023", "faros"] {
        let dir = root.join(folder);
        let entries = fs::read_dir(&dir).unwrap_or_else(|e| {
            panic!(
                "cannot read the corpus folder {}: {e}\nThe real connector schemas must be in \
                 `shared/corpus/` beside the repository's folder (`<repo>/../shared/corpus`).",
                dir.display()
            )
        });
        let before = files.len();
        files.extend(
            entries
                .map(|entry| entry.expect("a corpus folder entry").path())
                .filter(|path| path.extension().is_some_and(|e| e == "json")),
        );
        assert!(
            files.len() > before,
            "no *.json schemas in {}",
            dir.display()
        );
    }
    files.sort();
    files
}

#[test]
fn every_corpus_schema_generates_the_same_rust_that_parses() {
    let files = corpus_files();
    // The README of the corpus counts 340 Airbyte and 55 Faros schemas; fewer means a broken copy.
    assert_eq!(
        files.len(),
        395,
        "corpus schemas found in {}",
        corpus_dir().display()
    );
    let mut failures = Vec::new();
    for path in &files {
        let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let schema: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.file_stem().unwrap_or_default().to_string_lossy();
        if let Err(failure) = check_generates_rust(&schema, &name, Some(path)) {
            failures.push(format!("{}: {failure}", path.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus schemas failed:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}
