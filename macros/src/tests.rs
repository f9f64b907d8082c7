//! The expansion is what the build-script path writes, token for token once formatted.

use std::path::{Path, PathBuf};

use quote::quote;

use super::expand;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The expansion's items without the `const _: &[u8] = include_bytes!(..)` lines, formatted as
/// `generate_single_file` formats; and the files those lines track.
fn split(expansion: proc_macro2::TokenStream) -> (String, Vec<String>) {
    let file: syn::File = syn::parse2(expansion).expect("the expansion parses");
    let mut tracked = Vec::new();
    let mut items = Vec::new();
    for item in file.items {
        if let syn::Item::Const(constant) = &item {
            if constant.ident == "_" {
                if let syn::Expr::Macro(call) = &*constant.expr {
                    assert!(call.mac.path.is_ident("include_bytes"));
                    let path: syn::LitStr = call.mac.parse_body().unwrap();
                    tracked.push(path.value());
                    continue;
                }
            }
        }
        items.push(item);
    }
    let tokens = quote!(#(#items)*);
    let text = tray_codegen::generate::format(tokens, "expansion").unwrap();
    (text, tracked)
}

fn single_file(config: tray_codegen::Config) -> String {
    let generation = config.generate_single_file().unwrap();
    let [file] = &generation.files[..] else {
        panic!("one file")
    };
    file.contents.clone()
}

#[test]
fn the_expansion_is_what_generate_single_file_writes() {
    let (code, tracked) = split(expand(quote!("schemas"), Some(&repo())));
    let expected = single_file(tray_codegen::Config::new().schemas_dir(repo().join("schemas")));
    assert_eq!(
        tray_codegen::generate::build_script_header("schemas/") + &code,
        expected
    );
    assert!(code.contains("pub mod mailchimp {"), "{code}");
    // Every snapshot is tracked, by its absolute path.
    let snapshots = std::fs::read_dir(repo().join("schemas")).unwrap().count();
    assert_eq!(tracked.len(), snapshots, "{tracked:?}");
    let mailchimp = repo()
        .join("schemas/mailchimp-1.json")
        .canonicalize()
        .unwrap();
    assert!(
        tracked.contains(&mailchimp.display().to_string()),
        "{tracked:?}"
    );
}

#[test]
fn only_expands_the_services_named_as_config_only_does() {
    let input = quote!("schemas", only = ["mailchimp", "slack@4"],);
    let (code, tracked) = split(expand(input, Some(&repo())));
    let expected = single_file(
        tray_codegen::Config::new()
            .schemas_dir(repo().join("schemas"))
            .only(["mailchimp", "slack@4"]),
    );
    assert_eq!(
        tray_codegen::generate::build_script_header("schemas/") + &code,
        expected
    );
    let modules: Vec<&str> = code
        .lines()
        .filter_map(|line| line.strip_prefix("pub mod "))
        .collect();
    assert_eq!(modules, ["mailchimp {", "slack {"]);
    // Every snapshot of the folder is read (module names depend on all of them): all tracked.
    assert_eq!(
        tracked.len(),
        std::fs::read_dir(repo().join("schemas")).unwrap().count()
    );
}

#[test]
fn ref_files_are_tracked_too() {
    let dir = repo().join("tests/fixtures/refs_and_secrets");
    let input = quote!("refs_and_secrets");
    let (_, tracked) = split(expand(input, Some(dir.parent().unwrap())));
    let secrets = dir.join("defs/secrets.json").canonicalize().unwrap();
    assert_eq!(
        tracked,
        [
            dir.join("refs-and-secrets-1.json")
                .canonicalize()
                .unwrap()
                .display()
                .to_string(),
            secrets.display().to_string()
        ]
    );
}
