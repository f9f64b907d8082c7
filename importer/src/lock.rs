//! One import per journal file, whatever path names it: a symlink, `./x/../journal.sqlite` and
//! a hard link all lead to the same lock.
//!
//! On Unix the lock is a `flock` on the journal file itself, so it follows the file (its
//! inode), not its name, and the operating system drops it when the process ends, even by
//! `kill -9`. Closing any descriptor of a file drops every POSIX lock the process holds on it,
//! SQLite's included; so the descriptor taken for the lock is never closed: one is kept per
//! journal file for the life of the process, and a claim is released by unlocking it. The
//! process-wide table of those descriptors also keeps two handles of one process apart, which
//! `flock` on a shared descriptor would not.

use std::path::Path;

/// Why a journal could not be claimed.
#[derive(Debug)]
pub(crate) enum ClaimError {
    /// Another import (in this process or another) holds it.
    InUse,
    /// The lock could not be taken for another reason.
    Io(std::io::Error),
}

pub(crate) use imp::{claim, Claim};

#[cfg(unix)]
mod imp {
    use std::collections::btree_map::Entry;
    use std::collections::BTreeMap;
    use std::fs::File;
    use std::io;
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::MetadataExt;
    use std::sync::Mutex;

    use super::{ClaimError, Path};

    /// A file's identity: device and inode.
    type FileId = (u64, u64);

    struct Held {
        file: File,
        claimed: bool,
    }

    /// The descriptors taken for locks, by file; never closed (see the module's comment).
    static HELD: Mutex<BTreeMap<FileId, Held>> = Mutex::new(BTreeMap::new());

    /// A claim on a journal file, released when dropped.
    #[derive(Debug)]
    pub(crate) struct Claim {
        id: FileId,
    }

    /// Claims the file at `path` (which must exist) for this handle, failing at once if another
    /// import holds it.
    pub(crate) fn claim(path: &Path) -> Result<Claim, ClaimError> {
        let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
        let id = file_id(&std::fs::metadata(path).map_err(ClaimError::Io)?);
        if !held.contains_key(&id) {
            let file = File::open(path).map_err(ClaimError::Io)?;
            // The path may have been replaced since: file the descriptor under what it opened.
            let opened = match file.metadata() {
                Ok(metadata) => file_id(&metadata),
                Err(e) => {
                    std::mem::forget(file); // never closed (see the module's comment)
                    return Err(ClaimError::Io(e));
                }
            };
            match held.entry(opened) {
                Entry::Vacant(slot) => {
                    slot.insert(Held {
                        file,
                        claimed: false,
                    });
                }
                Entry::Occupied(_) => std::mem::forget(file),
            }
            if opened != id {
                return Err(ClaimError::Io(io::Error::other(
                    "the journal file was replaced while it was being opened",
                )));
            }
        }
        let entry = held.get_mut(&id).expect("inserted above");
        if entry.claimed {
            return Err(ClaimError::InUse);
        }
        flock(&entry.file, libc::LOCK_EX | libc::LOCK_NB).map_err(|e| {
            if e.kind() == io::ErrorKind::WouldBlock {
                ClaimError::InUse
            } else {
                ClaimError::Io(e)
            }
        })?;
        entry.claimed = true;
        Ok(Claim { id })
    }

    impl Drop for Claim {
        fn drop(&mut self) {
            let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(entry) = held.get_mut(&self.id) {
                // If unlocking fails, the lock goes when the process ends.
                let _ = flock(&entry.file, libc::LOCK_UN);
                entry.claimed = false;
            }
        }
    }

    fn file_id(metadata: &std::fs::Metadata) -> FileId {
        (metadata.dev(), metadata.ino())
    }

    fn flock(file: &File, operation: libc::c_int) -> io::Result<()> {
        loop {
            // SAFETY: `file` is an open descriptor for the duration of the call.
            if unsafe { libc::flock(file.as_raw_fd(), operation) } == 0 {
                return Ok(());
            }
            let error = io::Error::last_os_error();
            if error.kind() != io::ErrorKind::Interrupted {
                return Err(error);
            }
        }
    }
}

#[cfg(not(unix))]
mod imp {
    use super::{ClaimError, Path};

    /// A claim on a journal file: an exclusive SQLite lock on `<real path>.lock`, released
    /// when dropped (and by the operating system when the process ends).
    #[derive(Debug)]
    pub(crate) struct Claim {
        _lock: rusqlite::Connection,
    }

    /// Claims the file at `path`. Without `flock`, the lock is keyed by the file's real path
    /// (symlinks and `..` resolved; hard links are not recognised).
    pub(crate) fn claim(path: &Path) -> Result<Claim, ClaimError> {
        let real = std::fs::canonicalize(path).map_err(ClaimError::Io)?;
        let mut lock_path = real.into_os_string();
        lock_path.push(".lock");
        let lock = rusqlite::Connection::open(&lock_path)
            .and_then(|lock| {
                lock.busy_timeout(std::time::Duration::ZERO)?;
                lock.execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;")?;
                Ok(lock)
            })
            .map_err(|e| match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                    ClaimError::InUse
                }
                _ => ClaimError::Io(std::io::Error::other(e)),
            })?;
        Ok(Claim { _lock: lock })
    }
}
