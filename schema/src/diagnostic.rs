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

    /// Records a warning at a JSON pointer.
    pub fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.warn_in(None, pointer, message);
    }

    /// Records a warning at a JSON pointer in `file` (one a `$ref` named), or in this
    /// collection's own file when `file` is `None`.
    pub fn warn_in(&mut self, file: Option<&Path>, pointer: &str, message: impl Into<String>) {
        self.list.push(Diagnostic {
            file: file.map(Path::to_owned).or_else(|| self.file.clone()),
            pointer: pointer.to_owned(),
            message: message.into(),
        });
    }

    /// The warnings, in the order they were found.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.list
    }
}
