//! Stage 4: whole files and crates from emitted modules, formatted with `prettyplease` (and the
//! committed crate's files then with `rustfmt`, as `cargo fmt` formats them).

use std::io::{Read as _, Write as _};
use std::process::{Command, Stdio};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit;
use crate::plan::connector::file_name;
use crate::plan::ConnectorPlan;
use crate::Error;

/// One connector's generated module: its plan and its items.
#[derive(Debug, Clone)]
pub struct ConnectorModule {
    /// What was planned.
    pub plan: ConnectorPlan,
    /// The module's items.
    pub tokens: TokenStream,
}

impl ConnectorModule {
    /// Emits a planned connector.
    pub fn new(plan: ConnectorPlan) -> Self {
        let tokens = emit::connector(&plan);
        ConnectorModule { plan, tokens }
    }
}

/// Formats tokens as a Rust file: `prettyplease`, then a blank line between items, as
/// `rustfmt`-formatted code written by hand would have.
pub fn format(tokens: TokenStream, what: &str) -> Result<String, Error> {
    let file: syn::File = syn::parse2(tokens)
        .map_err(|e| Error::Internal(format!("{what}: generated code does not parse: {e}")))?;
    Ok(space_items(&prettyplease::unparse(&file)))
}

/// Formats a file of the committed crate as `cargo fmt` does: with the toolchain's `rustfmt`
/// (`$RUSTFMT`, else `rustfmt` on the path), edition 2021, and the `rustfmt.toml` that applies
/// where the generator runs (the repository's, like `cargo fmt`'s). `prettyplease` and
/// `rustfmt` break long lines by different rules (rustfmt's widths for chains, calls,
/// attributes and arrays, its match arms), so the committed crate is formatted by `rustfmt`
/// itself, and `cargo fmt` leaves it as it is. Files for a build script or a macro, which
/// nobody formats, keep `prettyplease`'s formatting.
pub fn rustfmt(text: &str, what: &str) -> Result<String, Error> {
    let program = std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into());
    let failed = |why: String| {
        Error::Rustfmt(format!(
            "{what}: rustfmt {why}; the committed crate is formatted with it (install it with `rustup component add rustfmt`, or set RUSTFMT)"
        ))
    };
    let mut child = Command::new(&program)
        .args(["--edition", "2021", "--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| failed(format!("could not start: {e}")))?;
    // Written from another thread: rustfmt may fill its output pipe before it reads all of its
    // input.
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = text.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let mut formatted = String::new();
    let mut errors = String::new();
    let read = child
        .stdout
        .take()
        .expect("stdout is piped")
        .read_to_string(&mut formatted);
    child
        .stderr
        .take()
        .expect("stderr is piped")
        .read_to_string(&mut errors)
        .ok();
    let status = child
        .wait()
        .map_err(|e| failed(format!("did not finish: {e}")))?;
    let written = writer
        .join()
        .map_err(|_| failed("could not be given the code".into()))?;
    if !status.success() || read.is_err() || written.is_err() {
        let errors = tray_schema::printable::without_controls(errors.trim());
        return Err(failed(format!("failed ({status}): {errors}")));
    }
    Ok(formatted)
}

/// Puts a blank line between items: after an item of the file or of an inline module (`pub mod
/// x { .. }`), and after a block (a `fn` or `impl`) followed by another item at the same
/// indentation.
fn space_items(text: &str) -> String {
    const ITEM_STARTS: &[&str] = &[
        "///", "#[", "pub ", "impl", "fn ", "const ", "static ", "type ", "mod ", "enum ",
        "struct ", "use ",
    ];
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut previous: Option<&str> = None;
    // The indentation of the items of each module open at this line, the file's first.
    let mut module_items = vec![0];
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        if let Some(prev) = previous {
            let prev_indent = prev.len() - prev.trim_start().len();
            let prev = prev.trim();
            // A doc comment ending in `;` (schema text quoting code) ends no item.
            let in_module = module_items.last() == Some(&prev_indent);
            let ends_item = !prev.starts_with("//")
                && (prev == "}" || (in_module && (prev.ends_with(';') || prev.ends_with('}'))));
            let starts_item = ITEM_STARTS.iter().any(|s| line.trim_start().starts_with(s));
            if ends_item && starts_item && indent == prev_indent {
                out.push('\n');
            }
        }
        let trimmed = line.trim();
        if trimmed.starts_with("pub mod ") && trimmed.ends_with('{') {
            module_items.push(indent + 4);
        } else if trimmed == "}"
            && module_items.len() > 1
            && module_items.last() == Some(&(indent + 4))
        {
            module_items.pop();
        }
        out.push_str(line);
        out.push('\n');
        previous = Some(line);
    }
    out
}

/// `source` for a header comment: on one line, whatever the folder is called.
fn one_line(source: &str) -> String {
    source.replace(char::is_control, "?")
}

/// The header of every generated file.
pub fn header(source: &str) -> String {
    let source = one_line(source);
    format!("// @generated by tray-codegen from {source}. Do not edit: change the snapshot and run\n// `cargo run -p tray-codegen -- generate`.\n\n")
}

/// The header of the one file a build script writes.
pub fn build_script_header(source: &str) -> String {
    let source = one_line(source);
    format!("// @generated by tray-codegen from {source} in a build script. Do not edit: change the\n// snapshots, and cargo regenerates it.\n\n")
}

/// The `lib.rs` of the generated crate: the modules, each behind its feature.
pub fn lib_rs(modules: &[ConnectorModule]) -> Result<String, Error> {
    let registry = emit::registry(modules.iter().map(|m| &m.plan), true);
    let items = modules.iter().map(|m| {
        let docs = emit::doc(&m.plan.doc);
        let (name, feature) = (format_ident!("{}", m.plan.module), &m.plan.module);
        quote! {
            #docs
            #[cfg(feature = #feature)]
            pub mod #name;
        }
    });
    let tokens = quote! {
        //! Typed credentials for Tray services, generated by `tray-codegen` from the snapshots
        //! in `schemas/`.
        //!
        //! Each module holds one service's marker type (implementing `tray_auth::Connector`),
        //! its `Credentials` and `UserData`, its `Scope`s and a constant per service
        //! environment. Each sits behind a cargo feature of its name; the default features
        //! turn all of them on.
        //!
        //! A module is named after its service in snake case (`http-client` → `http_client`),
        //! with `_v<version>` when several versions of the service are here (`slack_v4`). A
        //! name that is a Rust keyword gets a trailing `_`; one that would clash with the crate's
        //! own files, Cargo's `default` feature or a crate the code names (`lib`, `main`,
        //! `build`, `default`, `std`, `core`, `serde`, `tray_auth`, ...) gets `_service`
        //! (`lib_service`). A marker type that would shadow a prelude item or a module's own
        //! type gets `Service` (`DefaultService`).
        #![forbid(unsafe_code)]
        use tray_auth::registry::ConnectorEntry;
        #(#items)*
        #registry
    };
    rustfmt(&(header("schemas/") + &format(tokens, "lib.rs")?), "lib.rs")
}

/// A module's own file in the generated crate (`src/mailchimp.rs`).
pub fn module_file(module: &ConnectorModule) -> Result<String, Error> {
    let source = format!("schemas/{}", file_name(&module.plan.source));
    rustfmt(
        &(header(&source) + &format(module.tokens.clone(), &source)?),
        &source,
    )
}

/// The one file a build script writes: [`inline_modules`]' tokens, formatted under a header;
/// `folder` is the snapshots' folder, named in the header.
pub fn single_file(inline_modules: TokenStream, folder: &str) -> Result<String, Error> {
    Ok(build_script_header(&format!("{folder}/")) + &format(inline_modules, "tray_connectors.rs")?)
}

/// Every module inline (`pub mod mailchimp { .. }`), and the registry: what a build script
/// writes and the `connectors!` macro expands to.
pub fn inline_modules(modules: &[ConnectorModule]) -> TokenStream {
    let items = modules.iter().map(|m| {
        let docs = emit::doc(&m.plan.doc);
        let (name, tokens) = (format_ident!("{}", m.plan.module), &m.tokens);
        quote! { #docs pub mod #name { #tokens } }
    });
    let registry = emit::registry(modules.iter().map(|m| &m.plan), false);
    quote!(#(#items)* #registry)
}

/// The generated crate's `Cargo.toml`, whose features are the modules.
pub fn cargo_toml(modules: &[ConnectorModule]) -> String {
    let mut text = String::from(
        "# @generated by tray-codegen from schemas/. Do not edit: run `cargo run -p tray-codegen -- generate`.\n\
         [package]\n\
         name = \"tray-connectors\"\n\
         version = \"0.1.0\"\n\
         description = \"Typed credentials for Tray services, generated from schema snapshots.\"\n\
         edition.workspace = true\n\
         rust-version.workspace = true\n\
         license.workspace = true\n\
         publish.workspace = true\n\
         \n\
         [dependencies]\n\
         serde.workspace = true\n\
         serde_json.workspace = true\n\
         tray-auth.workspace = true\n\
         \n\
         [features]\n",
    );
    let all: Vec<String> = modules
        .iter()
        .map(|m| format!("\"{}\"", m.plan.module))
        .collect();
    text.push_str(&format!("default = [{}]\n", all.join(", ")));
    for m in modules {
        text.push_str(&format!("{} = []\n", m.plan.module));
    }
    text
}
