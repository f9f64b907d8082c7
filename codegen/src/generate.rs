//! Stage 4: whole modules, files and crates, formatted with `prettyplease`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::emit;
use crate::names::{self, camel, shouty, RESERVED_TYPE_NAMES};
use crate::plan::Planner;
use crate::schema::Reader;
use crate::snapshot::{self, Snapshot, SnapshotError};
use crate::Error;
use tray_schema::{Diagnostic, Diagnostics};

/// One connector's generated module.
#[derive(Debug, Clone)]
pub struct ConnectorModule {
    /// The module (and cargo feature) name: `mailchimp`, or `slack_v4` when several versions
    /// of a service are generated.
    pub module: String,
    /// The marker type's name: `Mailchimp`.
    pub marker: String,
    /// Tray's service name.
    pub service_name: String,
    /// Tray's service version.
    pub service_version: u32,
    /// The snapshot it was generated from.
    pub source: PathBuf,
    /// Doc comment lines for the module.
    pub doc: Vec<String>,
    /// The module's items.
    pub tokens: TokenStream,
}

/// Generates the module of every snapshot, in file-name order. The snapshots must be a
/// folder's ([`snapshot::check_folder`]), and no two services may take one module name
/// (`foo-bar` and `foo_bar`): that is an error naming both files.
pub fn connector_modules(
    snapshots: &[Snapshot],
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Vec<ConnectorModule>, Error> {
    snapshot::check_folder(snapshots)?;
    let mut versions: BTreeMap<&str, usize> = BTreeMap::new();
    for snapshot in snapshots {
        *versions.entry(snapshot.service_name()).or_default() += 1;
    }
    let mut owners: BTreeMap<String, &Snapshot> = BTreeMap::new();
    let mut modules = Vec::with_capacity(snapshots.len());
    for snapshot in snapshots {
        let (name, version) = (snapshot.service_name(), snapshot.service_version());
        let several = versions[name] > 1;
        let module = names::module_name(name, version, several);
        if let Some(first) = owners.insert(module.clone(), snapshot) {
            return Err(SnapshotError::SameModule {
                first: first.path.clone(),
                first_service: first.service_name().to_owned(),
                second: snapshot.path.clone(),
                second_service: name.to_owned(),
                module,
            }
            .into());
        }
        let marker = names::marker_name(name, version, several);
        modules.push(connector_module(snapshot, module, marker, diagnostics));
    }
    Ok(modules)
}

fn connector_module(
    snapshot: &Snapshot,
    module: String,
    marker: String,
    all: &mut Vec<Diagnostic>,
) -> ConnectorModule {
    let mut diagnostics = Diagnostics::new(Some(snapshot.path.clone()));
    let service_name = snapshot.service_name().to_owned();
    let service_version = snapshot.service_version();
    let title = snapshot.connector["title"]
        .as_str()
        .unwrap_or(&service_name)
        .to_owned();

    let primary = snapshot
        .environments
        .iter()
        .position(|env| env["title"] == "Production")
        .unwrap_or(0);
    let empty = Value::Object(Default::default());
    let schema_of = |i: usize, key: &str| -> &Value {
        snapshot
            .environments
            .get(i)
            .and_then(|env| env.get(key))
            .unwrap_or(&empty)
    };
    if snapshot.environments.is_empty() {
        diagnostics.warn("/environments", "no service environments: the credentials and user data have no fields, and there is no environment constant");
    }
    for (i, _) in snapshot
        .environments
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != primary)
    {
        for key in ["credentialsSchema", "userDataSchema"] {
            if schema_of(i, key) != schema_of(primary, key) {
                diagnostics.warn(
                    &format!("/environments/{i}/{key}"),
                    format!("differs from environment {primary}'s; the generated types follow environment {primary} (`{}`)", snapshot.environments[primary]["title"].as_str().unwrap_or("?")),
                );
            }
        }
    }

    let mut reserved: Vec<&str> = RESERVED_TYPE_NAMES.to_vec();
    reserved.push(&marker);
    let mut planner_diagnostics = Diagnostics::new(Some(snapshot.path.clone()));
    let mut planner = Planner::new(&reserved, &mut planner_diagnostics);
    for (key, root) in [
        ("credentialsSchema", "Credentials"),
        ("userDataSchema", "UserData"),
    ] {
        let pointer = format!("/environments/{primary}/{key}");
        let value = schema_of(primary, key);
        let schema =
            Reader::new(value, &pointer, snapshot.ref_folder(), &mut diagnostics).read_root();
        let what = if root == "Credentials" {
            "credentials"
        } else {
            "userData"
        };
        let doc = format!(
            "The `{what}` of an authentication for {title}: its service environment's `{key}`."
        );
        planner.plan_root(root, &schema, doc, value);
    }
    let types = planner.finish();

    let marker_ident = format_ident!("{}", marker);
    let (environments, constants) = environments(snapshot, &marker_ident, &mut diagnostics);
    let (scope_type, scope_enum) = scopes(snapshot);
    let type_tokens = emit::types(&types);
    let marker_doc = emit::doc(&[format!(
        "{title} (Tray service `{service_name}`, version {service_version})."
    )]);
    let service_version_lit = proc_macro2::Literal::u32_unsuffixed(service_version);
    // Compact, key order kept: the run-time preflight diffs it against what Tray serves now.
    let snapshot_text = emit::json_text(&snapshot.to_value().to_string());
    let tokens = quote! {
        #marker_doc
        ///
        /// The marker type tying this service's credentials, user data, scopes and service
        /// environments together, so that they cannot be mixed with another service's.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct #marker_ident;

        impl tray_auth::Connector for #marker_ident {
            const SERVICE_NAME: &'static str = #service_name;
            const SERVICE_VERSION: u32 = #service_version_lit;
            const ENVIRONMENTS: &'static [tray_auth::ServiceEnvironment] = &[#(#environments),*];
            const SNAPSHOT: &'static str = #snapshot_text;
            type Credentials = Credentials;
            type UserData = UserData;
            type Scope = #scope_type;
        }

        #(#constants)*
        #scope_enum
        #type_tokens
    };

    let mut doc = vec![format!(
        "{title}: Tray service `{service_name}`, version {service_version}."
    )];
    let description = crate::doc::paragraphs(
        snapshot.connector["description"]
            .as_str()
            .unwrap_or_default(),
    );
    if !description.is_empty() {
        doc.push(String::new());
        doc.extend(description);
    }
    doc.push(String::new());
    doc.push(format!("Generated from `{}`.", file_name(&snapshot.path)));

    all.extend(diagnostics.into_vec());
    all.extend(planner_diagnostics.into_vec());
    ConnectorModule {
        module,
        marker,
        service_name,
        service_version,
        source: snapshot.path.clone(),
        doc,
        tokens,
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The `ENVIRONMENTS` entries and a constant per environment.
fn environments(
    snapshot: &Snapshot,
    marker: &syn::Ident,
    diagnostics: &mut Diagnostics,
) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let mut entries = Vec::new();
    let mut constants = Vec::new();
    let mut taken = names::Scope::default();
    for (i, env) in snapshot.environments.iter().enumerate() {
        let id = env["id"].as_str().unwrap_or_default();
        let title = env["title"].as_str().unwrap_or("");
        let auth_type = env["authenticationType"].as_str().unwrap_or("");
        if uuid::Uuid::try_parse(id).is_err() {
            diagnostics.warn(
                &format!("/environments/{i}/id"),
                "not a UUID; the environment is left out of the generated code",
            );
            continue;
        }
        let auth = match auth_type {
            "token" => quote!(Token),
            "oauth1" => quote!(Oauth1),
            "oauth2" => quote!(Oauth2),
            "oauth2password" => quote!(Oauth2password),
            "oauth2client_credentials" => quote!(Oauth2clientCredentials),
            "builtin" => quote!(Builtin),
            other => {
                diagnostics.warn(&format!("/environments/{i}/authenticationType"), format!("unknown authentication type `{other}`; kept as `AuthenticationType::Other`"));
                quote!(Other(#other))
            }
        };
        entries.push(quote! {
            tray_auth::ServiceEnvironment {
                id: #id,
                title: #title,
                authentication_type: tray_auth::AuthenticationType::#auth,
            }
        });
        let constant = format_ident!(
            "{}",
            taken.take(&shouty(if title.is_empty() {
                "environment"
            } else {
                title
            }))
        );
        let doc = emit::doc(&[format!("The `{title}` service environment ({auth_type}).")]);
        constants.push(quote! {
            #doc
            pub const #constant: tray_auth::ServiceEnvironmentId<#marker> =
                tray_auth::ServiceEnvironmentId::from_static(#id);
        });
    }
    (entries, constants)
}

/// The scope type, and the `Scope` enum when any environment lists scopes.
fn scopes(snapshot: &Snapshot) -> (TokenStream, TokenStream) {
    let mut listed: Vec<(String, Option<String>)> = Vec::new();
    for env in &snapshot.environments {
        for scope in env["scopes"].as_array().into_iter().flatten() {
            let Some(name) = scope["scope"].as_str() else {
                continue;
            };
            if !listed.iter().any(|(n, _)| n == name) {
                listed.push((
                    name.to_owned(),
                    scope["description"].as_str().map(str::to_owned),
                ));
            }
        }
    }
    if listed.is_empty() {
        return (quote!(tray_auth::NoScopes), quote!());
    }
    let mut taken = names::Scope::default();
    let variants: Vec<(syn::Ident, &str, TokenStream)> = listed
        .iter()
        .map(|(name, description)| {
            let doc = match description {
                Some(d) if !d.trim().is_empty() => {
                    format!("{} (`{name}`).", d.trim().trim_end_matches('.'))
                }
                _ => format!("`{name}`."),
            };
            let doc = emit::doc(&[doc]);
            (
                format_ident!("{}", taken.take(&camel(name))),
                name.as_str(),
                doc,
            )
        })
        .collect();
    let arms = variants
        .iter()
        .map(|(ident, name, doc)| quote! { #doc #[serde(rename = #name)] #ident });
    let as_str = variants
        .iter()
        .map(|(ident, name, _)| quote! { Scope::#ident => #name });
    let tokens = quote! {
        /// A scope an authentication of this service may be granted.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum Scope { #(#arms,)* }

        impl Scope {
            /// The scope as Tray spells it.
            pub const fn as_str(self) -> &'static str {
                match self { #(#as_str,)* }
            }
        }
    };
    (quote!(Scope), tokens)
}

/// Formats tokens as a Rust file: `prettyplease`, then a blank line between items, as
/// `rustfmt`-formatted code written by hand would have.
pub fn format(tokens: TokenStream, what: &str) -> Result<String, Error> {
    let file: syn::File = syn::parse2(tokens)
        .map_err(|e| Error::Internal(format!("{what}: generated code does not parse: {e}")))?;
    Ok(space_items(&prettyplease::unparse(&file)))
}

/// Puts a blank line between items: after a top-level item, and after a block (a `fn` or
/// `impl`) followed by another item at the same indentation.
fn space_items(text: &str) -> String {
    const ITEM_STARTS: &[&str] = &[
        "///", "#[", "pub ", "impl", "fn ", "const ", "static ", "type ", "mod ", "enum ",
        "struct ", "use ",
    ];
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut previous: Option<&str> = None;
    for line in text.lines() {
        if let Some(prev) = previous {
            let indent = line.len() - line.trim_start().len();
            let prev_indent = prev.len() - prev.trim_start().len();
            let prev = prev.trim();
            // A doc comment ending in `;` (schema text quoting code) ends no item.
            let ends_item = !prev.starts_with("//")
                && (prev == "}"
                    || (prev_indent == 0 && (prev.ends_with(';') || prev.ends_with('}'))));
            let starts_item = ITEM_STARTS.iter().any(|s| line.trim_start().starts_with(s));
            if ends_item && starts_item && indent == prev_indent {
                out.push('\n');
            }
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
    let registry = registry(modules, true);
    let items = modules.iter().map(|m| {
        let docs = emit::doc(&m.doc);
        let (name, feature) = (format_ident!("{}", m.module), &m.module);
        // `prettyplease` formats generated code; `cargo fmt` would format it differently and make
        // `tray-codegen check` fail, so it leaves the modules alone.
        quote! {
            #docs
            #[cfg(feature = #feature)]
            #[rustfmt::skip]
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
        #(#items)*
        #registry
    };
    Ok(header("schemas/") + &format(tokens, "lib.rs")?)
}

/// `CONNECTORS`: an entry per module, for code that picks a connector at run time by service
/// name; with `features`, each entry is there only when its module's feature is on.
pub fn registry(modules: &[ConnectorModule], features: bool) -> TokenStream {
    let entries = modules.iter().map(|m| {
        let (module, marker, feature) = (
            format_ident!("{}", m.module),
            format_ident!("{}", m.marker),
            &m.module,
        );
        let cfg = features.then(|| quote!(#[cfg(feature = #feature)]));
        quote! { #cfg tray_auth::registry::ConnectorEntry::of::<#module::#marker>() }
    });
    quote! {
        /// Every connector here, for code that picks one at run time by service name (a bulk
        /// importer): see `tray_auth::registry`.
        pub const CONNECTORS: &[tray_auth::registry::ConnectorEntry] = &[#(#entries),*];
    }
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
        .map(|m| format!("\"{}\"", m.module))
        .collect();
    text.push_str(&format!("default = [{}]\n", all.join(", ")));
    for m in modules {
        text.push_str(&format!("{} = []\n", m.module));
    }
    text
}
