//! How long generation takes: the whole corpus of real connector schemas, the committed
//! `schemas/` snapshots as a crate, and synthetic schemas nested deeper and deeper, whose time
//! per level of nesting should stay flat (linear growth, no quadratic blow-up).
//!
//! `cargo bench -p tray-codegen` runs all of it (see BENCHMARKS.md for numbers and the machine);
//! `cargo bench -p tray-codegen -- depth/` runs one group. The `stages/` group times each stage
//! of `schema_to_rust` at depths 128 and 256, to show where any super-linear time goes.

use std::fs;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use serde_json::{json, Value};
use tray_codegen::diagnostic::Diagnostics;
use tray_codegen::{emit, generate, plan, schema, schema_to_rust, Config};

/// Nesting depths of the synthetic schemas. The deepest corpus schema nests 18 levels.
const DEPTHS: [usize; 4] = [8, 32, 128, 512];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every corpus schema with its root type's name and file, read before timing starts.
fn corpus() -> Vec<(String, PathBuf, Value)> {
    let root = repo_root().join("../shared/corpus");
    let mut files = Vec::new();
    for folder in ["airbyte-2023", "faros"] {
        let dir = root.join(folder);
        let entries = fs::read_dir(&dir).unwrap_or_else(|e| {
            panic!(
                "cannot read {}: {e}; the corpus must be in shared/corpus beside the repository",
                dir.display()
            )
        });
        files.extend(
            entries
                .map(|entry| entry.expect("a corpus folder entry").path())
                .filter(|path| path.extension().is_some_and(|e| e == "json")),
        );
    }
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = fs::read_to_string(&path).expect("a readable corpus schema");
            let schema = serde_json::from_str(&text).expect("a corpus schema in JSON");
            let name = path.file_stem().unwrap_or_default().to_string_lossy();
            (name.into_owned(), path, schema)
        })
        .collect()
}

/// `depth` objects, each holding the next under `next` beside a string.
fn nested_objects(depth: usize) -> Value {
    let mut schema = json!({ "type": "object", "properties": { "name": { "type": "string" } } });
    for _ in 1..depth {
        schema = json!({
            "type": "object",
            "properties": { "name": { "type": "string" }, "next": schema },
            "required": ["name"]
        });
    }
    schema
}

/// `depth` objects, each holding a list of the next under `items`.
fn nested_arrays_of_objects(depth: usize) -> Value {
    let mut schema = json!({ "type": "object", "properties": { "name": { "type": "string" } } });
    for _ in 1..depth {
        schema = json!({
            "type": "object",
            "properties": {
                "name": { "type": "string" },
                "items": { "type": "array", "items": schema, "minItems": 1 }
            }
        });
    }
    schema
}

/// `depth` objects, each with a `oneOf` of two auth methods told apart by a `const`, the first
/// of which holds the next level.
fn nested_one_of(depth: usize) -> Value {
    let mut schema = json!({ "type": "object", "properties": { "name": { "type": "string" } } });
    for _ in 1..depth {
        schema = json!({
            "type": "object",
            "properties": {
                "auth": {
                    "oneOf": [
                        {
                            "type": "object",
                            "title": "OAuth",
                            "properties": {
                                "method": { "const": "oauth" },
                                "next": schema
                            },
                            "required": ["method"]
                        },
                        {
                            "type": "object",
                            "title": "API key",
                            "properties": {
                                "method": { "const": "api_key" },
                                "api_key": { "type": "string", "airbyte_secret": true }
                            },
                            "required": ["method", "api_key"]
                        }
                    ]
                }
            }
        });
    }
    schema
}

/// As [`nested_objects`], but each level's property has its own name (`level_1`, `level_2`,
/// ...), so that type names do not repeat their parent's and the output grows linearly.
fn nested_objects_distinct_names(depth: usize) -> Value {
    let mut schema = json!({ "type": "object", "properties": { "name": { "type": "string" } } });
    for level in (1..depth).rev() {
        let mut properties = serde_json::Map::new();
        properties.insert("name".to_owned(), json!({ "type": "string" }));
        properties.insert(format!("level_{level}"), schema);
        schema = json!({ "type": "object", "properties": properties, "required": ["name"] });
    }
    schema
}

type Shape = (&'static str, fn(usize) -> Value);

const SHAPES: [Shape; 4] = [
    ("nested_objects", nested_objects),
    (
        "nested_objects_distinct_names",
        nested_objects_distinct_names,
    ),
    ("nested_arrays_of_objects", nested_arrays_of_objects),
    ("nested_one_of", nested_one_of),
];

fn whole_corpus(c: &mut Criterion) {
    let schemas = corpus();
    let mut group = c.benchmark_group("corpus");
    group.throughput(Throughput::Elements(schemas.len() as u64));
    group.bench_function(format!("schema_to_rust/{}_schemas", schemas.len()), |b| {
        b.iter(|| {
            for (name, path, schema) in &schemas {
                black_box(schema_to_rust(schema, name, Some(path)).expect("generates"));
            }
        })
    });
    group.finish();
}

fn snapshots_crate(c: &mut Criterion) {
    let config = Config::new().schemas_dir(repo_root().join("schemas"));
    c.bench_function("snapshots/generate_crate", |b| {
        b.iter(|| black_box(config.generate_crate().expect("generates")))
    });
}

fn depth_series(c: &mut Criterion) {
    for (shape, make) in SHAPES {
        let mut group = c.benchmark_group(format!("depth/{shape}"));
        // The deepest cases take up to seconds an iteration: ten samples of one iteration each.
        group.sample_size(10).sampling_mode(SamplingMode::Flat);
        for depth in DEPTHS {
            let schema = make(depth);
            group.throughput(Throughput::Elements(depth as u64));
            group.bench_with_input(BenchmarkId::from_parameter(depth), &schema, |b, schema| {
                b.iter(|| {
                    black_box(schema_to_rust(schema, "Credentials", None).expect("generates"))
                })
            });
        }
        group.finish();
    }
}

/// The four stages of `schema_to_rust` one by one, each from the previous stage's output.
fn stages(c: &mut Criterion) {
    for (shape, make) in SHAPES {
        let mut group = c.benchmark_group(format!("stages/{shape}"));
        // Twice the depth: linear stages take twice as long, quadratic ones four times.
        for depth in [128, 256] {
            let value = make(depth);
            let read = read(&value);
            let types = plan(&read, &value);
            let tokens = emit::types(&types);
            group.bench_function(BenchmarkId::new("read", depth), |b| {
                b.iter(|| black_box(read_only(&value)))
            });
            group.bench_function(BenchmarkId::new("plan", depth), |b| {
                b.iter(|| black_box(plan(&read, &value)))
            });
            group.bench_function(BenchmarkId::new("emit", depth), |b| {
                b.iter(|| black_box(emit::types(&types)))
            });
            group.bench_function(BenchmarkId::new("format", depth), |b| {
                b.iter(|| black_box(generate::format(tokens.clone(), "bench").expect("parses")))
            });
        }
        group.finish();
    }
}

fn read(value: &Value) -> schema::Document {
    let mut diagnostics = Diagnostics::new(None);
    schema::Reader::new(value, "", None, &mut diagnostics).read_root()
}

fn read_only(value: &Value) -> (schema::Document, Vec<tray_codegen::Diagnostic>) {
    let mut diagnostics = Diagnostics::new(None);
    let read = schema::Reader::new(value, "", None, &mut diagnostics).read_root();
    (read, diagnostics.into_vec())
}

fn plan(read: &schema::Document, source: &Value) -> Vec<plan::TypeDef> {
    let mut diagnostics = Diagnostics::new(None);
    let mut planner = plan::Planner::new(&["Credentials"], &mut diagnostics);
    planner.plan_root("Credentials", read, "`Credentials`.".to_owned(), source);
    planner.finish()
}

criterion_group! {
    name = benches;
    // Enough samples for a stable median on a 2-core machine, without minutes per benchmark.
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = whole_corpus, snapshots_crate, depth_series, stages
}
criterion_main!(benches);
