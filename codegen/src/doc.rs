//! Doc comment text from schemas and from Tray, made inert.
//!
//! Titles and descriptions become doc comments, which rustdoc reads as Markdown, and rustdoc
//! compiles and runs every Rust code block of a doc comment as a doctest. A description holding
//! a fenced block (```` ``` ```` or `~~~`, in a list item or a block quote too) or an indented
//! one would run its author's code on `cargo test`. So every line goes through [`inert`]:
//!
//! - the whitespace before and between block markers (`>`, `-`, `1.`) becomes one space, so no
//!   line is indented enough to start an indented code block;
//! - every run of three or more backticks or tildes is backslash-escaped, so no fence opens
//!   (rustdoc shows the characters as they were);
//! - control characters and the bidirectional overrides rustc rejects in comments become
//!   spaces.
//!
//! Rustdoc also reads HTML, links and bare URLs in Markdown, and warns (an error under
//! `RUSTDOCFLAGS="-D warnings"`) about what it cannot resolve: `[region]` is an intra-doc link
//! to nothing, `<region>` an unclosed HTML tag, `https://…` a bare URL; and HTML passes into the
//! rendered page as it is. So text is also rendered as text ([`as_text`]): `<` and brackets are
//! backslash-escaped, bare URLs become autolinks (`<https://…>`), and HTML links
//! (`<a href="https://…">docs</a>`) Markdown links. What is left is ordinary Markdown:
//! emphasis, Markdown links to URLs and inline code still render.

/// Doc comment lines for a text: one line per paragraph and per list item (so that no line is
/// read as a lazy continuation of another: Markdown would, and clippy warns about it), an empty
/// line between paragraphs, every line [`inert`]. Any line break (`\n`, `\r\n`, `\r`) counts.
///
/// Text the generator wrote may link to the types beside it (``[`Credentials`]``); text from
/// a schema or from Tray goes through [`schema_text`] instead, which keeps no such link.
///
/// ```
/// let lines = tray_codegen::doc::paragraphs("Your key.\n\n```\npanic!()\n```\n- one\n- two");
/// assert_eq!(lines, ["Your key.", "", r"\`\`\` panic!() \`\`\`", "- one", "- two"]);
/// ```
pub fn paragraphs(text: &str) -> Vec<String> {
    lines(text, Links::Kept)
}

/// [`paragraphs`] for text from a schema or from Tray: rendered as text, its brackets escaped
/// whatever they hold (a description's ``[`x`]`` must not become a link that does not resolve).
///
/// ```
/// let lines = tray_codegen::doc::schema_text("See [`region`] at https://tray.ai/<region>.");
/// assert_eq!(lines, [r"See \[`region`\] at <https://tray.ai/>\<region>."]);
/// ```
pub fn schema_text(text: &str) -> Vec<String> {
    lines(text, Links::Escaped)
}

/// [`schema_text`] on one line, for a title within a sentence the generator writes.
///
/// ```
/// assert_eq!(tray_codegen::doc::inline("Acme <EU>\n[beta]"), r"Acme \<EU> \[beta\]");
/// ```
pub fn inline(text: &str) -> String {
    schema_text(text).join(" ")
}

fn lines(text: &str, links: Links) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut open = false;
    for line in text.replace("\r\n", "\n").split(['\n', '\r']).map(inert) {
        if line.is_empty() {
            if open {
                lines.push(String::new());
            }
            open = false;
        } else if open && !is_list_item(&line) {
            let last = lines.last_mut().expect("an open paragraph has a line");
            last.push(' ');
            last.push_str(&line);
        } else {
            lines.push(line);
            open = true;
        }
    }
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines.iter().map(|line| as_text(line, links)).collect()
}

/// One line of outside text, made unable to open a code block (see the [module](self)), trimmed.
///
/// ```
/// use tray_codegen::doc::inert;
/// assert_eq!(inert("    let x = 1;"), "let x = 1;");
/// assert_eq!(inert(">     indented"), "> indented");
/// assert_eq!(inert("- ~~~rust"), r"- \~\~\~rust");
/// assert_eq!(inert("a `b` c"), "a `b` c");
/// ```
pub fn inert(line: &str) -> String {
    let plain: String = line
        .chars()
        .map(|c| {
            if c.is_control() || tray_schema::printable::is_bidi_control(c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    let (markers, rest) = block_markers(plain.trim());
    escape_fence_runs(&(markers + rest))
}

/// The block markers (`>`, `-`, `+`, `*`, `1.`, `1)`) a line starts with, the whitespace after
/// each cut to one space, and the rest of the line.
fn block_markers(line: &str) -> (String, &str) {
    let mut markers = String::new();
    let mut rest = line.trim_start();
    loop {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let marker_len = if rest.starts_with(['>', '-', '+', '*']) {
            1
        } else if (1..=9).contains(&digits) && rest[digits..].starts_with(['.', ')']) {
            digits + 1
        } else {
            return (markers, rest);
        };
        let after = &rest[marker_len..];
        // A list marker needs a space after it (`-x` is text); a quote marker does not.
        let is_marker =
            marker_len == 1 && rest.starts_with('>') || after.is_empty() || after.starts_with(' ');
        if !is_marker {
            return (markers, rest);
        }
        markers.push_str(&rest[..marker_len]);
        rest = after.trim_start();
        if rest.len() < after.len() && !rest.is_empty() {
            markers.push(' ');
        }
    }
}

/// Escapes each character of every run of three or more `` ` `` or `~`.
fn escape_fence_runs(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let run = chars[i..].iter().take_while(|&&x| x == c).count();
        if (c == '`' || c == '~') && run >= 3 {
            for _ in 0..run {
                out.push('\\');
                out.push(c);
            }
        } else {
            out.extend(&chars[i..i + run]);
        }
        i += run;
    }
    out
}

/// Whether a line starts a list item (`- `, `* `, `+ `, `1. `), which no paragraph continues.
fn is_list_item(line: &str) -> bool {
    let ordered = line
        .split_once(". ")
        .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    line.starts_with("- ") || line.starts_with("* ") || line.starts_with("+ ") || ordered
}

/// Which links of a line [`as_text`] keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// Intra-doc links to a path (``[`Credentials`]``, ``[`Auth::Token`]``), which the
    /// generator writes to the types beside an item, and Markdown links to URLs.
    Kept,
    /// Markdown links to URLs only: text from a schema names no Rust item.
    Escaped,
}

/// One line of Markdown rendered as text for rustdoc (see the [module](self)), idempotent:
/// inline code and what is already escaped stay as they are; `<` and brackets are escaped,
/// except in autolinks (`<https://…>`), Markdown links to URLs (`[docs](https://…)`) and, with
/// [`Links::Kept`], intra-doc links to a path; bare URLs become autolinks, and HTML links
/// (`<a href="https://…">docs</a>`) Markdown links.
///
/// ```
/// use tray_codegen::doc::{as_text, Links};
/// assert_eq!(as_text("[EU] <b>https://x.io/a.</b>", Links::Kept), r"\[EU\] \<b><https://x.io/a>.\</b>");
/// assert_eq!(as_text(r#"<a href="https://x.io">docs</a> [`Auth`]"#, Links::Kept), "[docs](https://x.io) [`Auth`]");
/// assert_eq!(as_text("`<b>` [`Auth`]", Links::Escaped), r"`<b>` \[`Auth`\]");
/// ```
pub fn as_text(line: &str, links: Links) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        let len = markup(rest, &mut out, links).unwrap_or_else(|| {
            if matches!(c, '<' | '[' | ']') {
                out.push('\\');
            }
            out.push(c);
            c.len_utf8()
        });
        rest = &rest[len..];
    }
    out
}

/// Markup that stays (or a bare URL, made an autolink) at the start of `rest`, pushed to `out`;
/// the length of `rest` it took.
fn markup(rest: &str, out: &mut String, links: Links) -> Option<usize> {
    let kept = |piece: &str, out: &mut String| {
        out.push_str(piece);
        piece.len()
    };
    match rest.chars().next()? {
        '`' => code_span(rest).map(|span| kept(span, out)),
        '\\' => escaped_pair(rest).map(|pair| kept(pair, out)),
        '<' => autolink(rest).map(|link| kept(link, out)).or_else(|| {
            let (text, url, len) = html_link(rest)?;
            push_link(out, text, url);
            Some(len)
        }),
        '[' => intra_doc_link(rest)
            .filter(|_| links == Links::Kept)
            .map(|link| kept(link, out))
            .or_else(|| {
                let (text, url, len) = markdown_link(rest)?;
                push_link(out, text, url);
                Some(len)
            }),
        _ if starts_url(rest) && !out.ends_with(|c: char| c.is_alphanumeric()) => {
            let url = bare_url(rest)?;
            out.push('<');
            out.push_str(url);
            out.push('>');
            Some(url.len())
        }
        _ => None,
    }
}

/// Text shown exactly as it is, whatever Markdown it holds: inline code when it holds no
/// backtick, else every ASCII punctuation character backslash-escaped.
///
/// ```
/// assert_eq!(tray_codegen::doc::literal("^[a-z]+$"), "`^[a-z]+$`");
/// assert_eq!(tray_codegen::doc::literal("a`*b"), r"a\`\*b");
/// ```
pub fn literal(text: &str) -> String {
    let text = text.replace(|c: char| c.is_control(), " ");
    if !text.contains('`') && !text.trim().is_empty() {
        return format!("`{text}`");
    }
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Inline code at the start of `text`: a run of backticks, up to the next run as long.
fn code_span(text: &str) -> Option<&str> {
    let fence = text.len() - text.trim_start_matches('`').len();
    let mut at = fence;
    while let Some(found) = text[at..].find('`') {
        let start = at + found;
        let run = text[start..].len() - text[start..].trim_start_matches('`').len();
        if run == fence {
            return Some(&text[..start + run]);
        }
        at = start + run;
    }
    // An unmatched run is literal backticks, kept as they are.
    Some(&text[..fence])
}

/// A backslash and the ASCII punctuation character it escapes.
fn escaped_pair(text: &str) -> Option<&str> {
    let next = text[1..].chars().next()?;
    next.is_ascii_punctuation().then(|| &text[..2])
}

fn starts_url(text: &str) -> bool {
    let lower = |n: usize| text.get(..n).map(str::to_ascii_lowercase);
    lower(7).as_deref() == Some("http://") || lower(8).as_deref() == Some("https://")
}

/// `<https://…>`: an autolink at the start of `text`.
fn autolink(text: &str) -> Option<&str> {
    let inner = &text[1..];
    if !starts_url(inner) {
        return None;
    }
    let end = inner.find(|c: char| c == '>' || c == '<' || c.is_whitespace())?;
    inner[end..].starts_with('>').then(|| &text[..end + 2])
}

/// A bare URL at the start of `text`, without the punctuation that ends a sentence after it
/// (and without a `)` it does not open).
fn bare_url(text: &str) -> Option<&str> {
    let end = text
        .find(|c: char| c.is_whitespace() || "<>\"'`[]{}|\\^".contains(c))
        .unwrap_or(text.len());
    let mut url = &text[..end];
    loop {
        let trimmed = url.trim_end_matches(['.', ',', ';', ':', '!', '?', '*', '_', '~']);
        let unbalanced =
            trimmed.ends_with(')') && trimmed.matches('(').count() < trimmed.matches(')').count();
        url = if unbalanced {
            &trimmed[..trimmed.len() - 1]
        } else {
            trimmed
        };
        if !unbalanced {
            break;
        }
    }
    let host = url.split_once("://").map_or("", |(_, rest)| rest);
    (!host.is_empty()).then_some(url)
}

/// ``[`Path`]`` or ``[`Path::Item`]``: an intra-doc link the generator wrote.
fn intra_doc_link(text: &str) -> Option<&str> {
    let inner = text.strip_prefix("[`")?;
    let end = inner.find("`]")?;
    let path = &inner[..end];
    let is_path = !path.is_empty()
        && path.split("::").all(|part| {
            part.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    is_path.then(|| &text[..end + 4])
}

/// `[text](https://…)`: a Markdown link to a URL, as its text, its URL and its length.
fn markdown_link(text: &str) -> Option<(&str, &str, usize)> {
    // The first `]` not escaped closes the text, which holds no other `[`.
    let mut close = None;
    let mut chars = text.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' => return None,
            ']' => {
                close = Some(i);
                break;
            }
            _ => {}
        }
    }
    let close = close?;
    let label = &text[1..close];
    let after = text[close + 1..].strip_prefix('(')?;
    let end = after.find(')')?;
    let url = &after[..end];
    let plain = starts_url(url) && !url.contains(|c: char| c.is_whitespace() || "<>()".contains(c));
    plain.then_some((label, url, close + 2 + end + 1))
}

/// `<a href="https://…">text</a>`: an HTML link, as its text, its URL and its length.
fn html_link(text: &str) -> Option<(&str, &str, usize)> {
    let lower = text.get(..3)?.to_ascii_lowercase();
    if lower != "<a " {
        return None;
    }
    let open_end = text.find('>')?;
    let attributes = &text[3..open_end];
    let href = attributes.find("href=")? + 5;
    let quote = attributes[href..]
        .chars()
        .next()
        .filter(|q| *q == '"' || *q == '\'')?;
    let value = &attributes[href + 1..];
    let url = &value[..value.find(quote)?];
    let body = &text[open_end + 1..];
    let close = body.to_ascii_lowercase().find("</a>")?;
    let label = &body[..close];
    let plain = starts_url(url) && !url.contains(|c: char| c.is_whitespace() || "<>()".contains(c));
    (plain && !label.contains('<')).then_some((label, url, open_end + 1 + close + 4))
}

/// A Markdown link to `url`, its text rendered as text (a link holds no other link); an
/// autolink when it has no text.
fn push_link(out: &mut String, label: &str, url: &str) {
    let label = label.trim();
    if label.is_empty() {
        out.push('<');
        out.push_str(url);
        out.push('>');
        return;
    }
    out.push('[');
    let mut rest = label;
    while let Some(c) = rest.chars().next() {
        let kept = match c {
            '`' => code_span(rest),
            '\\' => escaped_pair(rest),
            _ => None,
        };
        let len = match kept {
            Some(piece) => {
                out.push_str(piece);
                piece.len()
            }
            None => {
                if matches!(c, '<' | '[' | ']') {
                    out.push('\\');
                }
                out.push(c);
                c.len_utf8()
            }
        };
        rest = &rest[len..];
    }
    out.push_str("](");
    out.push_str(url);
    out.push(')');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_rendered_as_text() {
        let line = |text| as_text(text, Links::Escaped);
        assert_eq!(line("Use <region> or [EU]."), r"Use \<region> or \[EU\].");
        assert_eq!(
            line("See https://docs.tray.ai/a_(b)/c. Then (https://x.io/y)."),
            "See <https://docs.tray.ai/a_(b)/c>. Then (<https://x.io/y>)."
        );
        assert_eq!(line("<https://x.io>"), "<https://x.io>");
        assert_eq!(
            line("[docs](https://x.io/a) [b](c)"),
            r"[docs](https://x.io/a) \[b\](c)"
        );
        assert_eq!(
            line(r#"<a href="https://x.io/a">the [docs]</a> <li>x</li>"#),
            r"[the \[docs\]](https://x.io/a) \<li>x\</li>"
        );
        assert_eq!(
            line("`a <b> [c]` and ``x ` y``"),
            "`a <b> [c]` and ``x ` y``"
        );
        assert_eq!(line("a ` b <c>"), r"a ` b \<c>");
        assert_eq!(
            line("<script>alert(1)</script>"),
            r"\<script>alert(1)\</script>"
        );
        assert_eq!(line("xhttps://a.io http://"), "xhttps://a.io http://");
        assert_eq!(line("[`Credentials`]"), r"\[`Credentials`\]");
        assert_eq!(
            as_text("[`Credentials`] [`a b`]", Links::Kept),
            r"[`Credentials`] \[`a b`\]"
        );
    }

    #[test]
    fn rendering_as_text_is_idempotent() {
        for text in [
            "Use <region> or [EU] at https://x.io/a.",
            r#"<a href="https://x.io/a">docs</a> `<b>` \<c\> [`A`]"#,
            r"\`\`\` [x](https://y.io) ]]",
        ] {
            for links in [Links::Kept, Links::Escaped] {
                let once = as_text(text, links);
                assert_eq!(as_text(&once, Links::Kept), once, "{text:?}");
            }
        }
    }

    #[test]
    fn fences_never_survive() {
        for fence in [
            "```",
            "~~~",
            "````",
            "~~~~~~",
            "```rust",
            "~~~ {.rust}",
            "```text",
        ] {
            for prefix in [
                "", "   ", "\t", "- ", "* ", "1. ", "2) ", "> ", "> - ", ">>",
            ] {
                let line = inert(&format!("{prefix}{fence}"));
                assert!(
                    !line.contains("```") && !line.contains("~~~"),
                    "{prefix:?}{fence:?} gave {line:?}"
                );
            }
        }
        assert_eq!(inert("a ``` b"), r"a \`\`\` b");
        assert_eq!(inert("``x``"), "``x``");
    }

    #[test]
    fn no_line_is_indented_enough_for_code() {
        assert_eq!(inert("\t\tcode()"), "code()");
        assert_eq!(inert("-     code()"), "- code()");
        assert_eq!(inert(" >  >     code()"), "> > code()");
        assert_eq!(inert("1.      code()"), "1. code()");
        assert_eq!(inert("-x    y"), "-x    y");
        assert_eq!(inert(">=5  chars"), ">=5  chars");
        assert_eq!(inert("  "), "");
    }

    #[test]
    fn control_and_bidi_characters_become_spaces() {
        assert_eq!(inert("a\u{0}b\u{7}c"), "a b c");
        assert_eq!(inert("a\u{202E}b\u{2066}c"), "a b c");
    }

    #[test]
    fn paragraphs_split_on_any_line_break() {
        assert_eq!(
            paragraphs("one\r\ntwo\r\rthree\n\n\n- a\n- b\n  c"),
            ["one two", "", "three", "", "- a", "- b c"]
        );
        assert!(paragraphs("\n \n\t").is_empty());
    }
}
