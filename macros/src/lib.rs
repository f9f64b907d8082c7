//! `tray_macros::connectors!`: typed Tray credentials from a folder of snapshots, with no
//! build script and no generated code in the repository.
//!
//! ```
//! # mod all {
//! tray_macros::connectors!("../schemas");                                  // every snapshot there
//! # }
//! # mod some {
//! tray_macros::connectors!("../schemas", only = ["mailchimp", "slack@4"]); // some of them
//! # }
//! ```
//!
//! The folder is relative to the calling crate's `Cargo.toml` (`CARGO_MANIFEST_DIR`; here
//! `../schemas`, this repository's snapshots seen from `macros/`, where these examples are
//! compiled; in your crate, typically `"schemas"`). The
//! macro expands to what a build script's `tray_codegen::Config::compile` writes: a module per
//! connector (`mailchimp`, with its marker type, `Credentials`, `UserData`, `Scope` and a
//! constant per service environment), the same docs and `validate()` checks, and
//! `CONNECTORS`. It goes through the generator's one pipeline
//! (`tray_codegen::Config::connector_tokens`), so the three ways of getting the types (the
//! committed `tray-connectors` crate, a build script, this macro) give the same code.
//!
//! The calling crate depends on what the code names: `tray-auth`, `serde` (with `derive`) and
//! `serde_json`.
//!
//! `only` takes service names (`"mailchimp"`: every version of it in the folder) and service
//! versions (`"slack@4"`). Module names are the whole folder's: with `slack-3.json` there
//! too, Slack 4 is `slack_v4` whatever `only` says.
//!
//! # Rebuilds
//!
//! The expansion reads each snapshot (and each file a `$ref` reads) with `include_bytes!`,
//! so cargo rebuilds the crate when one of them changes. A snapshot **added** to the folder
//! is not seen that way; a one-line build script makes cargo rerun on any change in the
//! folder (as sqlx documents for `migrate!`):
//!
//! ```
//! // build.rs
//! fn main() {
//!     println!("cargo:rerun-if-changed=schemas");
//! }
//! ```
//!
//! # Errors and warnings
//!
//! A snapshot that cannot be read (not JSON, not shaped like a snapshot, two services taking
//! one module name), a folder that does not exist, an `only` entry that matches no snapshot
//! and a malformed argument are compile errors at the string literal, naming the file and
//! JSON pointer and what to do.
//!
//! A proc macro cannot emit warnings on stable Rust, so the generator's warnings about
//! schemas (what it did not fully understand, with file and JSON pointer) are not shown at
//! build time. To see them, from a clone of this repository:
//!
//! ```text
//! cargo run -p tray-codegen -- generate --schemas path/to/your-crate/schemas --out target/tray-preview
//! ```
//!
//! which prints each warning and writes the code it would generate to `target/tray-preview`.

// The build script in the docs above is a whole file, `fn main` included.
#![allow(clippy::needless_doctest_main)]

use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{bracketed, Ident, LitStr, Token};

/// Typed credentials for each snapshot of a folder: see the [crate docs](crate).
///
/// ```
/// // The folder is relative to the crate's Cargo.toml: this repository's, from `macros/`.
/// tray_macros::connectors!("../schemas", only = ["mailchimp"]);
///
/// let payload = tray_auth::CreateAuthentication::new(
///     "Bolo's Mailchimp",
///     mailchimp::PRODUCTION,
///     mailchimp::Credentials {
///         access_token: "a22x-us21".into(),
///         dc: "us21".to_owned(),
///         expires_in: None,
///     },
/// );
/// assert_eq!(payload.service_environment_id(), mailchimp::PRODUCTION);
/// assert_eq!(CONNECTORS.len(), 1);
/// ```
#[proc_macro]
pub fn connectors(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    expand(input.into(), manifest_dir.as_deref()).into()
}

/// The macro's arguments: `"folder"`, then optionally `only = ["name", "name@version"]`.
struct Args {
    folder: LitStr,
    only: Vec<LitStr>,
}

const USAGE: &str = "write `connectors!(\"schemas\")` or `connectors!(\"schemas\", only = [\"mailchimp\", \"slack@4\"])`, the folder relative to the crate's Cargo.toml";

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.is_empty() {
            return Err(input.error(format!("the snapshot folder is missing: {USAGE}")));
        }
        let folder: LitStr = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                format!("expected the snapshot folder as a string literal: {USAGE}"),
            )
        })?;
        let mut only: Option<Vec<LitStr>> = None;
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            let key: Ident = input.parse().map_err(|e| {
                syn::Error::new(e.span(), format!("expected `only = [...]`: {USAGE}"))
            })?;
            if key != "only" {
                return Err(syn::Error::new(
                    key.span(),
                    format!("unknown argument `{key}`: the one argument after the folder is `only = [\"mailchimp\", \"slack@4\"]`"),
                ));
            }
            if only.is_some() {
                return Err(syn::Error::new(
                    key.span(),
                    "`only` is given twice: list every service in one `only = [...]`",
                ));
            }
            input.parse::<Token![=]>()?;
            let content;
            let brackets = bracketed!(content in input);
            let entries: Vec<LitStr> = Punctuated::<LitStr, Token![,]>::parse_terminated(&content)
                .map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        "expected service names as string literals: `only = [\"mailchimp\", \"slack@4\"]`",
                    )
                })?
                .into_iter()
                .collect();
            if entries.is_empty() {
                return Err(syn::Error::new(
                    brackets.span.join(),
                    "`only = []` selects nothing: list service names (`\"mailchimp\"`, `\"slack@4\"`), or leave `only` out for every snapshot in the folder",
                ));
            }
            only = Some(entries);
        }
        Ok(Args {
            folder,
            only: only.unwrap_or_default(),
        })
    }
}

/// The expansion of `connectors!(input)` in the crate at `manifest_dir`: the generated code
/// and a tracking `include_bytes!` per file read, or a `compile_error!`.
fn expand(input: TokenStream, manifest_dir: Option<&Path>) -> TokenStream {
    let result = syn::parse2::<Args>(input).and_then(|args| expand_args(&args, manifest_dir));
    result.unwrap_or_else(syn::Error::into_compile_error)
}

fn expand_args(args: &Args, manifest_dir: Option<&Path>) -> syn::Result<TokenStream> {
    let span = args.folder.span();
    let Some(manifest_dir) = manifest_dir else {
        return Err(syn::Error::new(span, "CARGO_MANIFEST_DIR is not set: build with cargo, which sets it to the folder of the crate's Cargo.toml (the snapshot folder is relative to it)"));
    };
    let folder = manifest_dir.join(args.folder.value());
    if !folder.is_dir() {
        return Err(syn::Error::new(
            span,
            format!(
                "{}: no such folder (relative to {}): put the snapshots there (`cargo run -p tray-codegen -- fetch --region <region> --out <folder> mailchimp@1`), or fix the path, which is relative to the crate's Cargo.toml",
                relative(&folder, manifest_dir),
                Path::new(&manifest_dir.file_name().unwrap_or_default()).join("Cargo.toml").display(),
            ),
        ));
    }
    let config = tray_codegen::Config::new()
        .schemas_dir(&folder)
        .only(args.only.iter().map(LitStr::value));
    let generated = config
        .connector_tokens()
        .map_err(|error| error_at(&error, args, manifest_dir))?;
    let tracked = generated.files.iter().filter_map(|file| tracking(file));
    let tokens = generated.tokens;
    Ok(quote! {
        #tokens
        #(#tracked)*
    })
}

/// `const _: &[u8] = include_bytes!("/abs/file");`: rustc then lists the file among the
/// crate's inputs, and cargo rebuilds the crate (expanding the macro again) when it changes.
/// A path that is not UTF-8 cannot be written in a literal; the build script of the crate
/// docs still covers it.
fn tracking(file: &Path) -> Option<TokenStream> {
    let absolute = file.canonicalize().ok()?;
    let path = absolute.to_str()?;
    Some(quote! { const _: &[u8] = include_bytes!(#path); })
}

/// The generator's error as a compile error: at the `only` entry it is about, or at the
/// folder; paths relative to the crate's folder, as the user wrote the folder.
fn error_at(error: &tray_codegen::Error, args: &Args, manifest_dir: &Path) -> syn::Error {
    let mut message = error.to_string();
    let prefix = format!("{}{}", manifest_dir.display(), std::path::MAIN_SEPARATOR);
    message = message.replace(&prefix, "");
    let span = match error {
        tray_codegen::Error::Selection { source, .. } => args
            .only
            .iter()
            .find(|entry| entry.value() == source.entry)
            .map_or(args.folder.span(), LitStr::span),
        _ => args.folder.span(),
    };
    use tray_codegen::snapshot::SnapshotError as Unreadable;
    if let tray_codegen::Error::Snapshot(
        Unreadable::Json { .. } | Unreadable::Shape { .. } | Unreadable::File { .. },
    ) = error
    {
        message.push_str(
            "; every `*.json` file in the folder is read as a snapshot: fix it (`tray-codegen fetch` writes it afresh), or move it out of the folder",
        );
    }
    syn::Error::new(span, message)
}

/// `path` relative to the crate's folder, for a message.
fn relative(path: &Path, manifest_dir: &Path) -> String {
    path.strip_prefix(manifest_dir)
        .unwrap_or(path)
        .display()
        .to_string()
}

#[cfg(test)]
mod tests;
