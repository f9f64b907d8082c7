//! The files `$ref`s name, read only from inside the folder that holds the schema.
//!
//! A schema is input like any other: a `$ref` may name `/etc/passwd`, `../../secrets.json`,
//! `/dev/zero`, a FIFO, a symlink out of the folder or a 10 GB file. Each is refused with a
//! reason, never followed: only regular JSON files inside the folder (after resolving `..` and
//! symlinks), of at most [`MAX_REF_FILE_BYTES`] each and [`MAX_REF_TOTAL_BYTES`] together, are
//! read, each once. Nothing is fetched from the network.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde_json::Value;

use crate::json_file::{self, ReadError};

/// The largest file a `$ref` may name: far beyond any real schema (the largest in the corpus
/// is under 100 KiB), small enough to hold in memory.
pub const MAX_REF_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// The most bytes the `$ref`s of one schema may read, all files together.
pub const MAX_REF_TOTAL_BYTES: u64 = 16 * 1024 * 1024;

/// The folder a schema's file `$ref`s are confined to, and the files read from it.
#[derive(Debug)]
pub(crate) struct Folder {
    /// The folder as given (`None`: the schema was not read from a file).
    given: Option<PathBuf>,
    /// The folder with `..` and symlinks resolved, once asked for.
    canonical: Option<Result<PathBuf, String>>,
    /// Files read, by their canonical path.
    files: Vec<(PathBuf, Rc<Value>)>,
    /// Bytes read so far.
    bytes: u64,
}

impl Folder {
    /// The folder `given` (an empty path is the current folder).
    pub(crate) fn new(given: Option<&Path>) -> Self {
        let given = given.map(|dir| {
            if dir.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                dir.to_owned()
            }
        });
        Folder {
            given,
            canonical: None,
            files: Vec::new(),
            bytes: 0,
        }
    }

    /// The document of a file read before.
    pub(crate) fn document(&self, file: usize) -> Rc<Value> {
        Rc::clone(&self.files[file].1)
    }

    /// The canonical path of a file read before.
    pub(crate) fn path(&self, file: usize) -> &Path {
        &self.files[file].0
    }

    /// Reads the file `reference` names (the part of a `$ref` before `#`), relative to the file
    /// `from` (`None`: the schema's own, which sits in the folder), and gives its number; or
    /// says why not, as the end of a sentence starting with the `$ref`.
    pub(crate) fn load(&mut self, reference: &str, from: Option<usize>) -> Result<usize, String> {
        if has_scheme(reference) {
            return Err(
                "is a URI; only files beside the schema are read, nothing is fetched".to_owned(),
            );
        }
        if Path::new(reference).has_root() || reference.starts_with(['/', '\\']) {
            return Err(
                "is an absolute path; a `$ref` to a file is relative to the schema's folder"
                    .to_owned(),
            );
        }
        let folder = self.canonical_folder()?;
        let beside = match from {
            Some(file) => self.files[file].0.parent().unwrap_or(&folder).to_owned(),
            None => folder.clone(),
        };
        let path = beside
            .join(reference)
            .canonicalize()
            .map_err(|e| format!("cannot be read ({e})"))?;
        if !path.starts_with(&folder) {
            return Err(format!(
                "leads out of the schema's folder {} (to {}); `$ref`s stay inside it",
                folder.display(),
                path.display()
            ));
        }
        if let Some(known) = self.files.iter().position(|(p, _)| *p == path) {
            return Ok(known);
        }
        let document = self.read(&path)?;
        self.files.push((path, Rc::new(document)));
        Ok(self.files.len() - 1)
    }

    fn canonical_folder(&mut self) -> Result<PathBuf, String> {
        let Some(given) = &self.given else {
            return Err("names another file, but this schema was not read from a file".to_owned());
        };
        self.canonical
            .get_or_insert_with(|| {
                given
                    .canonicalize()
                    .map_err(|e| format!("cannot be read: the folder {} ({e})", given.display()))
            })
            .clone()
    }

    /// Reads a JSON file that is known to be inside the folder.
    fn read(&mut self, path: &Path) -> Result<Value, String> {
        let allowed = MAX_REF_FILE_BYTES.min(MAX_REF_TOTAL_BYTES.saturating_sub(self.bytes));
        let bytes = json_file::read_bytes(path, allowed).map_err(|error| match error {
            ReadError::TooLarge(_) => format!(
                "is larger than {allowed} bytes (files a schema's `$ref`s read may hold {MAX_REF_FILE_BYTES} bytes each, {MAX_REF_TOTAL_BYTES} together)"
            ),
            other => other.to_string(),
        })?;
        self.bytes += bytes.len() as u64;
        serde_json::from_slice(&bytes).map_err(|e| format!("is not a JSON file ({e})"))
    }
}

/// Whether a reference starts with a URI scheme (`http:`, `https:`, `file:`, `urn:`), or a
/// Windows drive (`C:`), which is no relative path either.
fn has_scheme(reference: &str) -> bool {
    let Some((scheme, _)) = reference.split_once(':') else {
        return false;
    };
    scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_are_told_from_paths() {
        for uri in [
            "http://example.com/x.json",
            "https://x",
            "file:///etc/passwd",
            "urn:x",
            "C:\\x.json",
        ] {
            assert!(has_scheme(uri), "{uri}");
        }
        for path in ["defs/x.json", "x.json", "./a:b.json", "1:2.json", ""] {
            assert!(!has_scheme(path), "{path}");
        }
    }
}
