//! Text from schemas stays text, and odd schemas still give code that says what it is: doc
//! comments never hold a line that opens a code block, a root that is not an object is an
//! alias with a warning, prelude names are not shadowed, long enums are read in linear time,
//! a byte-order mark is accepted. (`tests/tests/doctest_inert.rs` runs `cargo test --doc` and
//! compiles the output for real.)

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use serde_json::{json, Value};
use tray_codegen::schema_to_rust;

#[path = "../../tests/fixtures/hostile_markdown.rs"]
mod hostile_markdown;
use hostile_markdown::hostile_schema;

/// Every doc comment line of `code` that could open a code block, or that rustc rejects.
fn live_doc_lines(code: &str) -> Vec<String> {
    code.lines()
        .map(str::trim_start)
        .filter_map(|line| line.strip_prefix("///").or(line.strip_prefix("//!")))
        .filter(|text| {
            let indented = text.starts_with(' ') && text[1..].starts_with(char::is_whitespace);
            text.contains("```")
                || text.contains("~~~")
                || indented
                || text.contains(['\u{202E}', '\u{2066}', '\0'])
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn no_doc_line_can_open_a_code_block() {
    let (code, _) = schema_to_rust(&hostile_schema(), "Credentials", None).unwrap();
    assert_eq!(live_doc_lines(&code), Vec::<String>::new(), "{code}");
    assert!(
        !code.contains("#[doc"),
        "every doc is a `///` line:\n{code}"
    );
    // A doc line ending in `;` is no item's end: no blank line may follow it.
    let lines: Vec<&str> = code.lines().collect();
    for pair in lines.windows(2) {
        assert!(
            !(pair[0].trim_start().starts_with("///") && pair[1].is_empty()),
            "blank line after {:?}",
            pair[0]
        );
    }
    // The text is all there, made inert, not dropped.
    assert!(
        code.contains(
            "/// Intro.\n///\n/// \\`\\`\\` panic!(\"doctest ran\"); \\`\\`\\`\n///\n/// Outro."
        ),
        "{code}"
    );
    assert!(
        code.contains(r#"compile_error!("indented doctest");"#),
        "{code}"
    );
    syn::parse_file(&code).unwrap();
}

#[test]
fn the_checker_sees_a_live_block() {
    // The check above can fail: raw text would be caught.
    let raw = "/// Intro.\n///\n/// ```\n/// panic!();\n/// ```\n///\n///     indented();\n";
    assert_eq!(live_doc_lines(raw).len(), 3);
}

fn rust(schema: Value, name: &str) -> (String, Vec<String>) {
    let (code, diagnostics) = schema_to_rust(&schema, name, None).unwrap();
    (code, diagnostics.iter().map(ToString::to_string).collect())
}

#[test]
fn a_root_that_is_not_an_object_is_an_alias_with_a_warning() {
    for (schema, alias, what) in [
        (
            json!({"type": "integer"}),
            "pub type Credentials = i64;",
            "(its type is `integer`)",
        ),
        (
            json!(true),
            "pub type Credentials = serde_json::Value;",
            "not an object schema:",
        ),
        (
            json!({"type": "null"}),
            "pub type Credentials = ();",
            "(its type is `null`)",
        ),
        (
            json!({"type": ["string", "null"]}),
            "pub type Credentials = Option<String>;",
            "(its type is `string`)",
        ),
        (
            json!({"type": "array", "items": {"type": "object", "properties": {"a": {"type": "string"}}}}),
            "pub type Credentials = Vec<Credential>;",
            "(its type is `array`)",
        ),
    ] {
        let (code, warnings) = rust(schema.clone(), "Credentials");
        assert!(code.contains(alias), "{schema}: {code}");
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("the root is not an object schema") && w.contains(what)),
            "{schema}: {warnings:?}"
        );
    }
    let (code, _) = rust(
        json!({"type": "array", "items": {"type": "object", "properties": {"a": {"type": "string"}}}}),
        "Credentials",
    );
    assert!(code.contains("pub struct Credential {"), "{code}");
    // Enums and unions are types of their own: no alias, no warning.
    let (code, warnings) = rust(json!({"enum": ["a", "b"]}), "Credentials");
    assert!(
        code.contains("pub enum Credentials {") && warnings.is_empty(),
        "{code}"
    );
}

#[test]
fn a_prelude_name_for_the_root_is_renamed_with_a_warning() {
    for name in [
        "String", "Vec", "Option", "Box", "Result", "Default", "Some", "string",
    ] {
        let (code, warnings) = rust(
            json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "array", "items": {"type": "integer"}}}}),
            name,
        );
        let camel = tray_codegen::names::camel(name);
        assert!(
            code.contains(&format!("pub struct {camel}Type {{")),
            "{name}: {code}"
        );
        assert!(
            !code.contains(&format!("pub struct {camel} ")),
            "{name}: {code}"
        );
        assert!(
            warnings
                .iter()
                .any(|w| w.contains(&format!("the root type is named `{camel}Type` instead"))),
            "{name}: {warnings:?}"
        );
    }
    // Not for names generated code does not use unqualified.
    let (_, warnings) = rust(json!({"type": "object"}), "Settings");
    assert!(warnings.is_empty());
}

#[test]
fn an_enum_of_100000_values_is_read_in_linear_time() {
    let values: Vec<String> = (0..100_000).map(|i| format!("value-{i}")).collect();
    let started = Instant::now();
    let (code, warnings) = rust(json!({"type": "string", "enum": values}), "Credentials");
    eprintln!("100000 enum values: {:?}", started.elapsed());
    assert!(warnings.is_empty(), "{:?}", &warnings[..1]);
    // Each value in its variant's doc, in `VALUES` and in `FromStr`'s arms.
    assert_eq!(code.matches("\"value-").count(), 300_000);
    assert!(code.contains("\"value-0\" => Ok(Self::Value0),"));
    assert!(code.contains("\"value-99999\" => Ok(Self::Value99999),"));
    assert!(code.contains("    Value0,\n") && code.contains("    Value99999,\n"));
}

#[test]
fn many_values_with_one_rust_name_are_numbered_in_linear_time() {
    // Punctuation-only values are all `Value` in Rust: `Value`, `Value2`, ... `Value20000`.
    let marks = ['!', '@', '#', '$', '%', '^', '&', '*'];
    let values: Vec<String> = (1..=20_000usize)
        .map(|mut i| {
            let mut s = String::new();
            while i > 0 {
                s.push(marks[i % 8]);
                i /= 8;
            }
            s
        })
        .collect();
    let started = Instant::now();
    let (code, _) = rust(json!({"type": "string", "enum": values}), "Credentials");
    eprintln!("20000 colliding enum values: {:?}", started.elapsed());
    assert!(
        code.contains("    Value,\n") && code.contains("    Value20000,\n"),
        "names are numbered"
    );
    assert!(!code.contains("Value20001"));
}

#[test]
fn deep_nesting_is_cut_with_a_warning() {
    for levels in [62, 120] {
        let mut schema = json!({"type": "string"});
        for i in 0..levels {
            schema = json!({"type": "object", "properties": {format!("level{i}"): schema}});
        }
        let (code, warnings) = rust(schema, "Credentials");
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("nested more than 32 levels deep")
                    && w.contains("deeper types would not compile")),
            "{levels}: {warnings:?}"
        );
        assert_eq!(code.matches("pub struct ").count(), 32, "{levels} levels");
        syn::parse_file(&code).unwrap();
    }
}

fn tray_codegen(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tray-codegen"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn the_schema_command_says_what_it_made_of_an_odd_root() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("int.json"), r#"{"type": "integer"}"#).unwrap();
    fs::write(dir.path().join("true.json"), "true").unwrap();
    for (file, alias) in [
        ("int.json", "pub type Credentials = i64;"),
        ("true.json", "pub type Credentials = serde_json::Value;"),
    ] {
        let out = tray_codegen(&["schema", file], dir.path());
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(out.status.success(), "{stderr}");
        assert!(stdout.contains(alias), "{stdout}");
        assert!(
            stderr.contains(&format!("{file}#: the root is not an object schema")),
            "{stderr}"
        );
    }
    let out = tray_codegen(&["schema", "int.json", "--name", "String"], dir.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("pub type StringType = i64;"), "{stdout}");
    let help = tray_codegen(&["schema", "--help"], dir.path());
    assert!(String::from_utf8_lossy(&help.stdout).contains("gives a type alias"));
}

#[test]
fn a_byte_order_mark_is_accepted_everywhere_files_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let bom = |text: &str| format!("\u{feff}{text}");
    fs::write(
        dir.path().join("region.json"),
        bom(r#"{"region": {"enum": ["us", "eu"]}}"#),
    )
    .unwrap();
    fs::write(
        dir.path().join("s.json"),
        bom(r#"{"type": "object", "properties": {"region": {"$ref": "region.json#/region"}}}"#),
    )
    .unwrap();
    let out = tray_codegen(&["schema", "s.json"], dir.path());
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("pub region: Option<Region>,"),
        "{stdout}\n{stderr}"
    );
    assert!(stderr.is_empty(), "{stderr}");

    let schemas = dir.path().join("schemas");
    fs::create_dir(&schemas).unwrap();
    let repo = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas"));
    let text = fs::read_to_string(repo.join("mailchimp-1.json")).unwrap();
    fs::write(schemas.join("mailchimp-1.json"), bom(&text)).unwrap();
    let out = tray_codegen(&["generate", "-q"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("generated/src/mailchimp.rs").exists());

    let out = tray_codegen(
        &[
            "diff",
            "schemas/mailchimp-1.json",
            repo.join("mailchimp-1.json").to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_one_of_with_thousands_of_tagged_variants_is_one_tagged_enum() {
    let variants: Vec<Value> = (0..3_000)
        .map(|i| json!({"type": "object", "properties": {"method": {"const": format!("m{i}")}}}))
        .collect();
    let schema = json!({"type": "object", "properties": {"auth": {"oneOf": variants}}});
    let started = Instant::now();
    let (code, _) = rust(schema, "Credentials");
    eprintln!("3000 tagged variants: {:?}", started.elapsed());
    assert!(code.contains("#[serde(tag = \"method\")]"), "tagged");
    assert!(
        code.contains("    #[serde(rename = \"m2999\")]\n    M2999"),
        "last variant"
    );
}

/// The value of the string literal `literal` (raw or not), as rustc reads it.
fn literal_value(literal: &str) -> String {
    syn::parse_str::<syn::LitStr>(literal)
        .unwrap_or_else(|e| panic!("{literal:?} is no string literal: {e}"))
        .value()
}

#[test]
fn json_text_literals_hold_any_text() {
    let long_run = format!("{{\"{}\":1}}", "#".repeat(300));
    let texts = [
        r#"{"a":1}"#,
        r##"{"a":"#"}"##,
        r###"{"a":"##","b":"#"}"###,
        r##"{"\"#":"\\"}"##,
        "\"#\"##\"###",
        "no quote at all",
        "a\rcarriage return",
        "",
        long_run.as_str(),
    ];
    for text in texts {
        let literal = tray_codegen::emit::json_text(text).to_string();
        assert_eq!(literal_value(&literal), text, "{literal}");
    }
    // The fewest `#`s that hold the text.
    assert_eq!(
        tray_codegen::emit::json_text(r###"{"a":"##"}"###).to_string(),
        r####"r###"{"a":"##"}"###"####
    );
    // A character that changes the text's direction, which rustc refuses in a literal, is
    // escaped, and the value is still the text.
    let bidi = "{\"t\":\"abc\u{202e}fed\u{2066}\"}";
    let literal = tray_codegen::emit::json_text(bidi).to_string();
    assert!(
        !literal
            .chars()
            .any(|c| ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)),
        "{literal}"
    );
    assert_eq!(literal_value(&literal), bidi);
    // Beyond what a raw string can be delimited by: an ordinary literal.
    assert!(tray_codegen::emit::json_text(&long_run)
        .to_string()
        .starts_with("\"{\\\""));
}

#[test]
fn the_compiled_snapshot_is_the_snapshot_as_compact_json_whatever_it_holds() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = json!({
        "connector": {
            "name": "odd",
            "description": "Ends a raw string: \"# and \"## and \"###; a CR \r and a \\ too",
            "service": {"name": "odd", "version": 1},
        },
        "environments": [{
            "id": "0b0e4f4e-8c1d-4d57-9a51-6f0f7c1f2a3b",
            "title": "Production",
            "credentialsSchema": {
                "type": "object",
                "properties": {"\"##": {"type": "string", "default": "\"#}"}},
            },
        }],
    });
    fs::write(
        dir.path().join("odd-1.json"),
        serde_json::to_string_pretty(&snapshot).unwrap(),
    )
    .unwrap();
    let generation = tray_codegen::Config::new()
        .schemas_dir(dir.path())
        .generate_crate()
        .unwrap();
    let module = generation
        .files
        .iter()
        .find(|f| f.path.ends_with("odd.rs"))
        .expect("the module of odd-1.json");
    let file = syn::parse_file(&module.contents).unwrap();
    let constant = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Impl(block) => Some(&block.items),
            _ => None,
        })
        .flatten()
        .find_map(|item| match item {
            syn::ImplItem::Const(c) if c.ident == "SNAPSHOT" => Some(c.expr.clone()),
            _ => None,
        })
        .expect("a SNAPSHOT constant");
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(text),
        ..
    }) = constant
    else {
        panic!("SNAPSHOT is not a string literal")
    };
    // Compact, and the key order of the file kept.
    assert_eq!(text.value(), snapshot.to_string());
}
