//! JSON pointers (RFC 6901): the one place a key becomes a pointer token. Every crate that
//! names where a value or a schema sits (warnings, the checker, `validate()`, the importer's
//! problems, the fake Tray's answers) builds its pointers here.

/// Escapes one reference token of a JSON pointer: `~` → `~0`, `/` → `~1`.
///
/// ```
/// assert_eq!(tray_schema::pointer::escape("a/b~c"), "a~1b~0c");
/// ```
pub fn escape(token: &str) -> std::borrow::Cow<'_, str> {
    if token.contains(['~', '/']) {
        token.replace('~', "~0").replace('/', "~1").into()
    } else {
        token.into()
    }
}

/// `pointer` followed by one more token.
///
/// ```
/// assert_eq!(tray_schema::pointer::join("/properties", "a/b"), "/properties/a~1b");
/// ```
pub fn join(pointer: &str, token: &str) -> String {
    let mut joined = String::with_capacity(pointer.len() + token.len() + 1);
    joined.push_str(pointer);
    push(&mut joined, token);
    joined
}

/// Appends `/` and the escaped `token` to `pointer`, in place.
pub fn push(pointer: &mut String, token: &str) {
    pointer.push('/');
    pointer.push_str(&escape(token));
}

/// Undoes [`escape`] on one token: `~1` → `/`, `~0` → `~`.
pub fn unescape(token: &str) -> std::borrow::Cow<'_, str> {
    if token.contains('~') {
        token.replace("~1", "/").replace("~0", "~").into()
    } else {
        token.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip() {
        for token in ["", "a", "a/b", "~", "~1", "~0/~", "é/€"] {
            assert_eq!(unescape(&escape(token)), token);
        }
        assert_eq!(join("", "~1"), "/~01");
    }
}
