//! Which values are secrets: the one rule the generator (whose `Debug` hides them), the checker
//! and the importer share. A schema marks a value secret (`format: "password"`,
//! `airbyte_secret`, `writeOnly`: [`Schema::secret`](crate::Schema::secret)), or a property's
//! name says it is one.

use heck::ToSnakeCase;

/// Whether a property's name says it holds a secret: the last word is `token`, `password`,
/// `secret` or the like, or a compound ending in `key` (`api_key`, `private_key`, but not a
/// bare `key`, which is as often a project key as an API key).
///
/// ```
/// use tray_schema::secret::is_secret_name;
/// assert!(is_secret_name("apiKey") && is_secret_name("refresh_token") && is_secret_name("Client Secret"));
/// assert!(!is_secret_name("key") && !is_secret_name("public_key") && !is_secret_name("dc"));
/// ```
pub fn is_secret_name(name: &str) -> bool {
    let mut ascii = deunicode::deunicode_with_tofu(name, "_");
    // Words separated by spaces (a title) are taken whole: `Custom OAuth app` is three words.
    if ascii.contains(' ') {
        ascii = ascii.to_lowercase();
    }
    let snake = ascii.to_snake_case();
    let words: Vec<&str> = snake
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let Some(last) = words.last() else {
        return false;
    };
    if words.first() == Some(&"public") {
        return false;
    }
    let secret_word = |w: &&str| matches!(*w, "secret" | "password" | "passwd" | "passphrase");
    matches!(*last, "token" | "apikey" | "pat")
        || words.iter().any(secret_word)
        || (*last == "key" && words.len() > 1)
}
