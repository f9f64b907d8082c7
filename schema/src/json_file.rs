//! Reading a JSON file that may be hostile: a snapshot, a bare schema, a `diff` argument, a file
//! a `$ref` names. Only regular files are read (a device such as `/dev/zero`, a pipe or a folder
//! is refused before it is read from), at most a given number of bytes (a larger file is refused,
//! not held), and a UTF-8 byte-order mark is accepted.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::Path;

use serde_json::Value;

/// The largest snapshot or schema file read: far beyond any real one (the largest corpus schema
/// is under 100 KiB, Tray's largest environment lists a few hundred KiB), small enough to hold.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Why a JSON file was not read. The messages never quote the file's text.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("cannot be read ({0})")]
    Io(#[from] io::Error),
    /// A folder, a device, a pipe or a socket.
    #[error("is not a regular file (a folder, a device or a pipe)")]
    NotRegular,
    /// More bytes than allowed.
    #[error("is larger than {0} bytes")]
    TooLarge(u64),
    /// Not JSON (serde_json's message gives a line and column, never the text).
    #[error("is not valid JSON ({0})")]
    Json(#[source] serde_json::Error),
}

/// Text without the UTF-8 byte-order mark some editors write first (JSON has no place for it,
/// and `serde_json` rejects it).
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// The bytes of a regular file of at most `max_bytes`, a byte-order mark removed.
pub fn read_bytes(path: &Path, max_bytes: u64) -> Result<Vec<u8>, ReadError> {
    // Asked of the path first, because opening a FIFO waits for a writer; asked again of the
    // opened file, which is what is read, in case the path changed in between.
    if !fs::metadata(path)?.is_file() {
        return Err(ReadError::NotRegular);
    }
    let file = File::open(path)?;
    if !file.metadata()?.is_file() {
        return Err(ReadError::NotRegular);
    }
    let mut bytes = Vec::new();
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(ReadError::TooLarge(max_bytes));
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    Ok(bytes)
}

/// Reads a regular JSON file of at most `max_bytes`.
pub fn read(path: &Path, max_bytes: u64) -> Result<Value, ReadError> {
    serde_json::from_slice(&read_bytes(path, max_bytes)?).map_err(ReadError::Json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_folders_and_large_files_are_refused_before_they_are_held() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            read(Path::new("/dev/zero"), 1024),
            Err(ReadError::NotRegular)
        ));
        assert!(matches!(read(dir.path(), 1024), Err(ReadError::NotRegular)));
        let big = dir.path().join("big.json");
        fs::write(&big, format!("\"{}\"", "x".repeat(2048))).unwrap();
        assert!(matches!(read(&big, 1024), Err(ReadError::TooLarge(1024))));
        assert_eq!(read(&big, 4096).unwrap().as_str().map(str::len), Some(2048));
    }

    #[test]
    fn a_byte_order_mark_is_accepted_and_text_is_never_quoted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bom.json");
        fs::write(&path, "\u{feff}{\"a\": 1}").unwrap();
        assert_eq!(read(&path, 1024).unwrap()["a"], 1);
        fs::write(&path, "{\"token\": hunter2}").unwrap();
        let error = read(&path, 1024).unwrap_err().to_string();
        assert!(!error.contains("hunter2"), "{error}");
    }
}
