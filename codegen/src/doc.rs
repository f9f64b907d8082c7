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
//! What is left is ordinary Markdown: emphasis, links and inline code still render.

/// Doc comment lines for a text: one line per paragraph and per list item (so that no line is
/// read as a lazy continuation of another: Markdown would, and clippy warns about it), an empty
/// line between paragraphs, every line [`inert`]. Any line break (`\n`, `\r\n`, `\r`) counts.
///
/// ```
/// let lines = tray_codegen::doc::paragraphs("Your key.\n\n```\npanic!()\n```\n- one\n- two");
/// assert_eq!(lines, ["Your key.", "", r"\`\`\` panic!() \`\`\`", "- one", "- two"]);
/// ```
pub fn paragraphs(text: &str) -> Vec<String> {
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
    lines
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

/// Characters that change the visible direction of text, which rustc rejects in comments
/// (`text_direction_codepoint_in_comment`).
fn is_list_item(line: &str) -> bool {
    let ordered = line
        .split_once(". ")
        .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    line.starts_with("- ") || line.starts_with("* ") || line.starts_with("+ ") || ordered
}

#[cfg(test)]
mod tests {
    use super::*;

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
