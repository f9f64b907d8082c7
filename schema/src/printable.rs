//! Text from a schema, from Tray or from a file name, made safe to print: hostile text can
//! neither garble a terminal nor forge lines of output.

/// Text for an error message: quoted, control characters and quotes escaped, and cut after 60
/// characters, so that a hostile name cannot garble a terminal or flood a log.
///
/// ```
/// assert_eq!(tray_schema::printable::shown("a\nb"), r#""a\nb""#);
/// ```
pub fn shown(text: &str) -> String {
    const MAX: usize = 60;
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(MAX).collect();
    let cut = if chars.next().is_some() { "…" } else { "" };
    format!("{head:?}{cut}")
}

/// Text for a line of output: control characters (a newline, an escape sequence) and the
/// bidirectional overrides that reorder what a terminal shows are escaped (`\n`, `\u{1b}`,
/// `\u{202e}`). Unlike [`shown`], it neither quotes nor cuts.
///
/// ```
/// assert_eq!(tray_schema::printable::without_controls("a\u{1b}[2J"), "a\\u{1b}[2J");
/// ```
pub fn without_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() || is_bidi_control(c);
    if !text.contains(unsafe_char) {
        return text.into();
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            escaped.extend(c.escape_debug());
        } else {
            escaped.push(c);
        }
    }
    escaped.into()
}

/// The bidirectional embedding, override and isolate characters, which rustc also refuses in
/// comments.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}
