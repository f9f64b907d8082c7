//! Writing a file whole or not at all: through a new temporary file beside it (a random name,
//! created exclusively) and a rename. An interrupted `generate` or `fetch` never leaves half a
//! file; two runs at once each leave a whole one; and a symbolic link where the file goes is
//! replaced, not written through (a checkout cannot aim `generate` at a file elsewhere).

use std::io::{self, Write as _};
use std::path::Path;

/// Writes `contents` to `path` as this module says.
pub(crate) fn atomically(path: &Path, contents: &[u8]) -> io::Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temporary = tempfile::Builder::new()
        .prefix(".tray-")
        .suffix(".tmp")
        .tempfile_in(folder)?;
    temporary.write_all(contents)?;
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_replaced_whole_and_a_link_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.rs");
        atomically(&path, b"one").unwrap();
        atomically(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");

        #[cfg(unix)]
        {
            let elsewhere = dir.path().join("elsewhere.txt");
            std::fs::write(&elsewhere, "keep me").unwrap();
            let link = dir.path().join("b.rs");
            std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
            atomically(&link, b"generated").unwrap();
            assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "keep me");
            assert_eq!(std::fs::read_to_string(&link).unwrap(), "generated");
            assert!(!std::fs::symlink_metadata(&link).unwrap().is_symlink());
        }
        // Nothing is left beside the files.
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    }
}
