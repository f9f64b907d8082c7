//! Schema `pattern`s, checked in bounded time: one engine choice for the runtime, the
//! generator's warnings and the fake Tray.
//!
//! JSON Schema patterns are ECMAScript regular expressions, and ECMAScript engines backtrack:
//! `(a+)+$` against thirty `a`s and a `!` takes billions of steps. So a pattern is translated
//! into the `regex` crate's syntax and checked in time linear in the text whenever it means
//! the same there (see [`PatternEngine::Linear`]). Only look-around and back-references, which
//! no linear-time engine has, and `\b` (see `ecma`) fall back to a backtracking engine
//! (fancy-regex) with a step limit; a text that needs more steps is reported as too costly to
//! check, never hung on.

use std::fmt;
use std::sync::OnceLock;

use ecma::Translation;

mod ecma;

/// Backtracking steps the fallback engine may take for one text before giving up.
pub const BACKTRACK_LIMIT: usize = 100_000;

/// Longest text (in UTF-8 bytes) the fallback engine is run on. Past the step limit, its time
/// still grows with the square of the text's length (each start position scans ahead), so
/// longer texts are too costly to check.
pub const BACKTRACKING_TEXT_LIMIT: usize = 4096;

/// How a pattern is checked; [`PatternEngine::classify`] is the one place that decides.
///
/// ```
/// use tray_schema::pattern::PatternEngine;
/// assert_eq!(PatternEngine::classify("^[a-z]+[0-9]+$"), PatternEngine::Linear);
/// assert_eq!(PatternEngine::classify("^(?=.*[0-9]).{8,}$"), PatternEngine::Backtracking);
/// assert!(matches!(PatternEngine::classify("(unclosed"), PatternEngine::Invalid { .. }));
/// assert!(matches!(PatternEngine::classify("(?i:abc)"), PatternEngine::Unsupported { .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PatternEngine {
    /// Checked by a linear-time engine (the `regex` crate), with ECMAScript's meaning: time
    /// grows with the text's length and no faster.
    Linear,
    /// Look-around, back-references or `\b`: checked by a backtracking engine that gives up after
    /// [`BACKTRACK_LIMIT`] steps or on texts over [`BACKTRACKING_TEXT_LIMIT`] bytes, and
    /// then reports the text as too costly to check.
    Backtracking,
    /// Not an ECMAScript regular expression.
    Invalid {
        /// What is wrong with it.
        reason: String,
    },
    /// Valid ECMAScript, but using something neither engine is known to read the same way
    /// (inline flags, legacy octal escapes, some back-references): not checked, rather than
    /// checked wrongly.
    Unsupported {
        /// What it uses.
        reason: String,
    },
}

impl PatternEngine {
    /// How `source` is checked.
    pub fn classify(source: &str) -> PatternEngine {
        CompiledPattern::new(source).engine()
    }
}

impl fmt::Display for PatternEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatternEngine::Linear => f.write_str("checked in linear time"),
            PatternEngine::Backtracking => write!(
                f,
                "it needs look-around, back-references or `\\b`, which only a backtracking engine has; \
                 that engine gives up after {BACKTRACK_LIMIT} steps or on values over \
                 {BACKTRACKING_TEXT_LIMIT} bytes, and the value is then reported as too costly \
                 to check"
            ),
            PatternEngine::Invalid { reason } => {
                write!(f, "it is not an ECMAScript regular expression ({reason})")
            }
            PatternEngine::Unsupported { reason } => write!(
                f,
                "it uses ECMAScript that cannot be checked faithfully ({reason})"
            ),
        }
    }
}

/// What searching a text for a pattern found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Search {
    /// The text contains a match.
    Found,
    /// It does not.
    NotFound,
    /// The fallback engine gave up: the answer is unknown.
    TooCostly,
    /// The pattern is [`PatternEngine::Invalid`] or [`PatternEngine::Unsupported`].
    Unchecked,
}

/// A pattern compiled for its engine, for patterns only known at run time (the fake Tray's
/// schemas); generated code uses [`Pattern`] statics.
pub struct CompiledPattern {
    engine: Engine,
}

enum Engine {
    Linear(regex::Regex),
    Backtracking(fancy_regex::Regex),
    Unchecked(PatternEngine),
}

impl CompiledPattern {
    /// Compiles `source`; a pattern that cannot be checked gives a value that says why.
    pub fn new(source: &str) -> CompiledPattern {
        let engine = match translate(source) {
            Ok(Translation::Linear(translated)) => linear(&translated),
            Ok(Translation::Backtracking(translated)) => backtracking(&translated),
            Err(unchecked) => Engine::Unchecked(unchecked),
        };
        CompiledPattern { engine }
    }

    /// The engine that checks it.
    pub fn engine(&self) -> PatternEngine {
        match &self.engine {
            Engine::Linear(_) => PatternEngine::Linear,
            Engine::Backtracking(_) => PatternEngine::Backtracking,
            Engine::Unchecked(engine) => engine.clone(),
        }
    }

    /// Whether `text` contains a match (JSON Schema patterns are not anchored).
    pub fn search(&self, text: &str) -> Search {
        let found = match &self.engine {
            Engine::Linear(regex) => regex.is_match(text),
            Engine::Backtracking(_) if text.len() > BACKTRACKING_TEXT_LIMIT => {
                return Search::TooCostly
            }
            Engine::Backtracking(regex) => match regex.is_match(text) {
                Ok(found) => found,
                // The step limit, or the backtracking stack's.
                Err(_) => return Search::TooCostly,
            },
            Engine::Unchecked(_) => return Search::Unchecked,
        };
        if found {
            Search::Found
        } else {
            Search::NotFound
        }
    }
}

impl fmt::Debug for CompiledPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CompiledPattern")
            .field(&self.engine())
            .finish()
    }
}

/// Regress says whether `source` is ECMAScript, and with or without the `u` flag (whose
/// syntax is stricter: `\-` needs no flag); then it is translated. A shape that would overflow
/// regress's stack is refused first.
fn translate(source: &str) -> Result<Translation, PatternEngine> {
    let unsupported = |reason: &str| PatternEngine::Unsupported {
        reason: reason.to_owned(),
    };
    ecma::precheck(source).map_err(unsupported)?;
    let unicode = regress::Regex::with_flags(source, "u").is_ok();
    if !unicode {
        if let Err(error) = regress::Regex::new(source) {
            return Err(PatternEngine::Invalid {
                reason: error.to_string(),
            });
        }
    }
    ecma::translate(source, unicode).map_err(unsupported)
}

fn linear(translated: &str) -> Engine {
    match regex::Regex::new(translated) {
        Ok(regex) => Engine::Linear(regex),
        Err(error) => Engine::Unchecked(refused("the linear engine", &error.to_string())),
    }
}

fn backtracking(translated: &str) -> Engine {
    let built = fancy_regex::RegexBuilder::new(translated)
        .backtrack_limit(BACKTRACK_LIMIT)
        .build();
    match built {
        Ok(regex) => Engine::Backtracking(regex),
        Err(error) => Engine::Unchecked(refused("the backtracking engine", &error.to_string())),
    }
}

/// The translation is valid syntax by construction, so an engine refuses it for its size (huge
/// repetition counts), an unknown Unicode property or a look-behind it cannot run. Its message
/// may show the translation over several lines: keep the line that says what is wrong.
fn refused(engine: &str, error: &str) -> PatternEngine {
    let what = error
        .lines()
        .find_map(|line| line.strip_prefix("error: "))
        .unwrap_or(error);
    PatternEngine::Unsupported {
        reason: format!("{engine} refuses it: {}", what.trim()),
    }
}

/// A schema's `pattern`, for a `static` in generated code: compiled on first use, then searched
/// with the engine [`PatternEngine::classify`] names.
pub struct Pattern {
    source: &'static str,
    compiled: OnceLock<CompiledPattern>,
}

impl Pattern {
    /// A pattern, for a `static` in generated code.
    pub const fn new(source: &'static str) -> Self {
        Pattern {
            source,
            compiled: OnceLock::new(),
        }
    }

    /// The pattern as the schema wrote it.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// The compiled pattern (compiled once, on first use).
    pub fn compiled(&self) -> &CompiledPattern {
        self.compiled
            .get_or_init(|| CompiledPattern::new(self.source))
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pattern").field(&self.source).finish()
    }
}
