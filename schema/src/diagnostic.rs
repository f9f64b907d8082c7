//! What the reader tells its user about a schema: where (file and JSON pointer) and what.

use std::fmt;
use std::path::{Path, PathBuf};

/// A note about something in a schema the generator did not fully understand. The generator
/// always carries on; the output says what it did instead.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The file the schema came from, when it came from one.
    pub file: Option<PathBuf>,
    /// The JSON pointer of the offending value within the file (RFC 6901).
    pub pointer: String,
    /// What was found and what the generator did about it.
    pub message: String,
    /// Which values it lets through that the schema rejects.
    pub effect: Effect,
}

/// What a [`Diagnostic`] means for the values accepted: for tests and tools that must tell
/// "the checker is exact here" from "the reader gave up here" without reading messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Effect {
    /// Nothing: the types and the checker accept exactly what the schema does (an unknown
    /// keyword, which JSON Schema ignores too; a pattern that may be slow to check).
    Note,
    /// The generated types are looser than the schema (or say nothing about the value), but
    /// the [checker](crate::check) checks it exactly.
    Types,
    /// The checker, too, accepts values the schema may reject: the reader gave up here.
    Unchecked,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Pointers and messages quote schema keys and values: a hostile one must not write
        // escape sequences or extra lines to the terminal.
        use crate::printable::without_controls as safe;
        f.write_str("warning: ")?;
        if let Some(file) = &self.file {
            write!(f, "{}", safe(&file.display().to_string()))?;
        }
        write!(f, "#{}: {}", safe(&self.pointer), safe(&self.message))
    }
}

/// Collects diagnostics for one file.
#[derive(Debug, Default)]
pub struct Diagnostics {
    file: Option<PathBuf>,
    list: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Diagnostics about the given file (or about a schema given in memory).
    pub fn new(file: Option<PathBuf>) -> Self {
        Diagnostics {
            file,
            list: Vec::new(),
        }
    }

    /// Records a warning at a JSON pointer about the generated types
    /// ([`Effect::Types`]).
    pub fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.warn_in(None, pointer, message);
    }

    /// Records a warning at a JSON pointer in `file` (one a `$ref` named), or in this
    /// collection's own file when `file` is `None`, about the generated types
    /// ([`Effect::Types`]).
    pub fn warn_in(&mut self, file: Option<&Path>, pointer: &str, message: impl Into<String>) {
        self.record(Effect::Types, file, pointer, message);
    }

    /// Records a warning with its effect on the values accepted.
    pub fn record(
        &mut self,
        effect: Effect,
        file: Option<&Path>,
        pointer: &str,
        message: impl Into<String>,
    ) {
        self.list.push(Diagnostic {
            file: file.map(Path::to_owned).or_else(|| self.file.clone()),
            pointer: pointer.to_owned(),
            message: message.into(),
            effect,
        });
    }

    /// The warnings, in the order they were found.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.list
    }
}
