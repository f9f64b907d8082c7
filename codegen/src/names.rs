//! Rust names for JSON names: valid, stable and readable, whatever the schema's author chose.
//!
//! Names are transliterated to ASCII (`größe` → `grosse`), cased with `heck`, kept clear of
//! keywords (`type` → `type_`) and of leading digits (`2fa` → `field_2fa`, `V2fa`), and made
//! unique within their scope by a numeric suffix in schema order.
//!
//! Names that come from Tray (service names) also become file names and module names, so they
//! are checked ([`check_service_name`]) and kept clear of the generated crate's own files and
//! of the crates generated code names ([`module_name`], [`marker_name`]).

use std::collections::{BTreeMap, BTreeSet};

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

/// The longest name (in characters) made from a schema's or Tray's text: an item's name is a
/// file name in `cargo doc`'s output (`constant.NAME.html`), which most file systems cut at 255
/// bytes, and a title a paragraph long makes no name anyone types. Longer names are cut at a
/// word boundary ([`Scope::take`] keeps them unique).
pub const MAX_NAME_LEN: usize = 64;

/// `name` cut to [`MAX_NAME_LEN`] characters, at the last word boundary before it (an `_`, or
/// an upper-case letter in a camel-case name) when there is one.
pub fn capped(name: &str) -> String {
    if name.len() <= MAX_NAME_LEN {
        return name.to_owned();
    }
    // The names made here are ASCII; any other is cut by characters.
    if !name.is_ascii() {
        return name.chars().take(MAX_NAME_LEN).collect();
    }
    let head = &name[..MAX_NAME_LEN];
    // Words are split by `_` in snake and shouty names, by upper-case letters in camel case.
    let snake_like = name.contains('_');
    let starts_word = |c: u8| {
        if snake_like {
            c == b'_'
        } else {
            c.is_ascii_uppercase()
        }
    };
    if starts_word(name.as_bytes()[MAX_NAME_LEN]) {
        return head.trim_end_matches('_').to_owned();
    }
    let boundary = head
        .char_indices()
        .rev()
        .find(|&(i, c)| i > 0 && c.is_ascii() && starts_word(c as u8))
        .map_or(head.len(), |(i, _)| i);
    name[..boundary].trim_end_matches('_').to_owned()
}

/// Rust's keywords, strict and reserved, in every edition.
const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen", "union",
];

/// Type names a generated module must not define, because generated code (or code using it)
/// names them unqualified: the prelude's and the module's own fixed items.
pub const RESERVED_TYPE_NAMES: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "Vec",
    "String",
    "Box",
    "Default",
    "Clone",
    "Copy",
    "Debug",
    "Send",
    "Sync",
    "Sized",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "Iterator",
    "IntoIterator",
    "Into",
    "From",
    "TryFrom",
    "TryInto",
    "ToString",
    "ToOwned",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "Hash",
    "AsRef",
    "AsMut",
    "Extend",
    "Self",
    "Credentials",
    "UserData",
    "Scope",
];

/// The items every connector module defines beside its marker; the other
/// [`RESERVED_TYPE_NAMES`] are the prelude's.
const CONNECTOR_ITEMS: &[&str] = &["Credentials", "UserData", "Scope"];

/// Whether generated code names `name` unqualified as a prelude item (`String`, `Option`,
/// `Default`, ...), so that a generated type of that name would shadow it.
pub fn is_prelude_name(name: &str) -> bool {
    RESERVED_TYPE_NAMES.contains(&name) && !CONNECTOR_ITEMS.contains(&name)
}

/// Module names a connector must not take: the generated crate's own files (`lib.rs`,
/// `main.rs`, `build.rs`), Cargo's `default` feature, the crates generated code names
/// (`std`, `serde`, `tray_auth`, ...) and the items of the generated `lib.rs`. A service whose
/// module name would be one of them gets [`RESERVED_SUFFIX`]: `lib` → `lib_service`.
pub const RESERVED_MODULE_NAMES: &[&str] = &[
    "lib",
    "main",
    "mod",
    "build",
    "default",
    "std",
    "core",
    "alloc",
    "proc_macro",
    "test",
    "serde",
    "serde_json",
    "tray_auth",
    "tray_connectors",
    "connectors",
];

/// What a reserved module name is given (a reserved marker type name is given `Service`).
pub const RESERVED_SUFFIX: &str = "_service";

/// The module (and cargo feature) name of a service: `http-client` → `http_client`, with
/// `_v<version>` when `versioned` (several versions of the service are generated), and
/// [`RESERVED_SUFFIX`] when that would be a [reserved](RESERVED_MODULE_NAMES) name.
pub fn module_name(service_name: &str, version: u32, versioned: bool) -> String {
    let mut module = snake(service_name);
    if versioned {
        module = format!("{}_v{version}", module.trim_end_matches('_'));
    }
    if RESERVED_MODULE_NAMES.contains(&module.as_str()) {
        module.push_str(RESERVED_SUFFIX);
    }
    module
}

/// The marker type name of a service: `mailchimp` → `Mailchimp`, with `V<version>` when
/// `versioned`, and `Service` when that would shadow a prelude item or a connector module's
/// own type (`default` → `DefaultService`, `credentials` → `CredentialsService`).
pub fn marker_name(service_name: &str, version: u32, versioned: bool) -> String {
    let mut marker = camel(service_name);
    if versioned {
        marker = format!("{}V{version}", marker.trim_end_matches('_'));
    }
    if RESERVED_TYPE_NAMES.contains(&marker.as_str()) {
        marker.push_str("Service");
    }
    marker
}

/// Plain ASCII words of a JSON name. Where the name is words separated by spaces (a title),
/// each word is taken whole, so `Custom OAuth app` is three words, not four.
fn ascii(name: &str) -> String {
    let ascii = deunicode::deunicode_with_tofu(name, "_");
    if ascii.contains(' ') {
        ascii.to_lowercase()
    } else {
        ascii
    }
}

/// A field (or module, or function) name: `apiKey` → `api_key`, `type` → `type_`,
/// `2fa` → `field_2fa`, `€` → `field`.
pub fn snake(name: &str) -> String {
    let mut snake: String = ascii(name)
        .to_snake_case()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    snake = capped(snake.trim_matches('_'));
    if snake.is_empty() {
        return "field".to_owned();
    }
    if snake.starts_with(|c: char| c.is_ascii_digit()) {
        snake = format!("field_{snake}");
    }
    if KEYWORDS.contains(&snake.as_str()) {
        snake.push('_');
    }
    snake
}

/// A type or variant name: `api-key` → `ApiKey`, `2fa` → `V2fa`, `` → `Empty`.
pub fn camel(name: &str) -> String {
    let mut camel: String = ascii(name)
        .to_upper_camel_case()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    camel = capped(&camel);
    if camel.is_empty() {
        camel = if name.is_empty() {
            "Empty".to_owned()
        } else {
            "Value".to_owned()
        };
    }
    if camel.starts_with(|c: char| c.is_ascii_digit()) {
        camel = format!("V{camel}");
    }
    if KEYWORDS.contains(&camel.as_str()) {
        camel.push('_');
    }
    camel
}

/// A constant name: `Production` → `PRODUCTION`.
pub fn shouty(name: &str) -> String {
    let mut shouty: String = ascii(name)
        .to_shouty_snake_case()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    shouty = capped(shouty.trim_matches('_'));
    if shouty.is_empty() || shouty.starts_with(|c: char| c.is_ascii_digit()) {
        shouty = format!("ENV_{shouty}").trim_end_matches('_').to_owned();
    }
    shouty
}

/// Names taken in one scope (a module's types, a struct's fields, an enum's variants).
#[derive(Debug, Default, Clone)]
pub struct Scope {
    taken: BTreeSet<String>,
    /// The next suffix to try for each name asked for more than once, so that taking the same
    /// name n times costs n steps, not n².
    next: BTreeMap<String, usize>,
}

impl Scope {
    /// A scope in which `reserved` are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Scope {
            taken: reserved.iter().map(|s| (*s).to_owned()).collect(),
            next: BTreeMap::new(),
        }
    }

    /// Whether `name` is taken.
    pub fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(name)
    }

    /// Takes `name`, or `name_2`, `name_3`, ... (`Name2` for camel-case names) if it is taken.
    pub fn take(&mut self, name: &str) -> String {
        let camel = name.starts_with(|c: char| c.is_ascii_uppercase()) && !name.contains('_');
        let mut candidate = name.to_owned();
        let mut n = self.next.get(name).copied().unwrap_or(2);
        while self.taken.contains(&candidate) {
            candidate = if camel {
                format!("{name}{n}")
            } else {
                format!("{}_{n}", name.trim_end_matches('_'))
            };
            n += 1;
        }
        if candidate != name {
            self.next.insert(name.to_owned(), n);
        }
        self.taken.insert(candidate.clone());
        candidate
    }
}

/// Field names for JSON property names, in schema order. A property whose JSON name is already
/// its Rust name keeps it; the others give way (`api_key` keeps `api_key`, `apiKey` becomes
/// `api_key_2`), so the result does not depend on which came first.
pub fn field_names(json_names: &[&str]) -> Vec<String> {
    let wanted: Vec<String> = json_names.iter().map(|n| snake(n)).collect();
    let mut scope = Scope::default();
    let mut names = vec![String::new(); json_names.len()];
    for (i, json) in json_names.iter().enumerate() {
        if wanted[i] == *json && !scope.is_taken(json) {
            names[i] = scope.take(json);
        }
    }
    for i in 0..json_names.len() {
        if names[i].is_empty() {
            names[i] = scope.take(&wanted[i]);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_names() {
        assert_eq!(snake("apiKey"), "api_key");
        assert_eq!(snake("api-key"), "api_key");
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("2fa_secret"), "field_2fa_secret");
        assert_eq!(snake("Größe"), "grosse");
        assert_eq!(snake("€"), "eur");
        assert_eq!(snake("$$"), "field");
        assert_eq!(snake("__private"), "private");
    }

    #[test]
    fn camel_names() {
        assert_eq!(camel("data.records:read"), "DataRecordsRead");
        assert_eq!(camel("3des"), "V3des");
        assert_eq!(camel(""), "Empty");
        assert_eq!(camel("Self"), "Self_");
        assert_eq!(camel("--"), "Value");
    }

    #[test]
    fn long_names_are_cut_at_a_word() {
        let title = "a paragraph long title that says far more than a name ever should, twice over";
        assert_eq!(
            shouty(title),
            "A_PARAGRAPH_LONG_TITLE_THAT_SAYS_FAR_MORE_THAN_A_NAME_EVER"
        );
        assert_eq!(
            camel(title),
            "AParagraphLongTitleThatSaysFarMoreThanANameEverShouldTwiceOver"
        );
        assert!(snake(title).len() <= MAX_NAME_LEN);
        assert_eq!(capped(&"x".repeat(70)), "x".repeat(64));
        assert_eq!(camel(&"Word ".repeat(20)).len(), 64);
    }

    #[test]
    fn shouty_names() {
        assert_eq!(shouty("Production"), "PRODUCTION");
        assert_eq!(shouty("My custom app (EU)"), "MY_CUSTOM_APP_EU");
        assert_eq!(shouty("Custom OAuth app"), "CUSTOM_OAUTH_APP");
        assert_eq!(camel("Sign in via OAuth"), "SignInViaOauth");
        assert_eq!(shouty("1st"), "ENV_1ST");
        assert_eq!(shouty("!!"), "ENV");
    }

    #[test]
    fn collisions_keep_exact_names_first() {
        assert_eq!(
            field_names(&["apiKey", "api_key"]),
            vec!["api_key_2", "api_key"]
        );
        assert_eq!(
            field_names(&["api_key", "apiKey", "api-key"]),
            vec!["api_key", "api_key_2", "api_key_3"]
        );
        let mut scope = Scope::with_reserved(&["Credentials"]);
        assert_eq!(scope.take("Credentials"), "Credentials2");
        assert_eq!(scope.take("Credentials"), "Credentials3");
    }
}
