//! One build at a time per output directory.
//!
//! The lock is an advisory `flock` on the output directory itself, so it
//! adds no file to the tree (nothing to commit, report or prune), and the
//! kernel releases it when its holder exits, however it exits: a killed
//! build never leaves a stale lock. `build` holds it exclusively from before
//! it reads the disk until after it has written and pruned; `check` holds it
//! shared while it reads, so it never sees a build half done.

use std::fs::{self, File};
use std::io;
use std::path::Path;

use super::WriteError;

/// A held lock; released when dropped (or when the process ends).
#[derive(Debug)]
pub struct Lock {
    _dir: File,
    unavailable: Option<io::Error>,
}

/// Which lock to take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One holder, and no shared ones: a build.
    Exclusive,
    /// Any number of holders, and no exclusive one: a check.
    Shared,
}

impl Lock {
    /// A build's lock: creates `out_dir` if it is missing, then takes the
    /// lock exclusively (see [`Lock::acquire`]).
    ///
    /// # Errors
    ///
    /// The directory cannot be created or opened.
    pub fn for_build(out_dir: &Path, waiting: impl FnOnce()) -> Result<Lock, WriteError> {
        fs::create_dir_all(out_dir).map_err(|source| WriteError::Write { path: out_dir.to_path_buf(), source })?;
        Lock::acquire(out_dir, Mode::Exclusive, waiting)
    }

    /// A check's lock: shared, and none when `out_dir` does not exist (there
    /// is nothing for a build to be halfway through).
    ///
    /// # Errors
    ///
    /// The directory cannot be opened.
    pub fn for_check(out_dir: &Path, waiting: impl FnOnce()) -> Result<Option<Lock>, WriteError> {
        if !out_dir.is_dir() {
            return Ok(None);
        }
        Lock::acquire(out_dir, Mode::Shared, waiting).map(Some)
    }

    /// Takes the lock on `out_dir`, which must exist. If another process
    /// holds it, calls `waiting` once, then waits for it. A file system
    /// that offers no locks (some network file systems refuse `flock` on a
    /// directory) does not stop the run: see [`Lock::unavailable`].
    ///
    /// # Errors
    ///
    /// The directory cannot be opened.
    pub fn acquire(out_dir: &Path, mode: Mode, waiting: impl FnOnce()) -> Result<Lock, WriteError> {
        let dir = File::open(out_dir).map_err(|source| WriteError::Lock { path: out_dir.to_path_buf(), source })?;
        let unavailable = lock(&dir, mode, waiting).err();
        Ok(Lock { _dir: dir, unavailable })
    }

    /// Why the lock could not be taken, if it could not: the run goes on
    /// without it, and the caller should say so.
    pub fn unavailable(&self) -> Option<&io::Error> {
        self.unavailable.as_ref()
    }
}

#[cfg(unix)]
fn lock(dir: &File, mode: Mode, waiting: impl FnOnce()) -> io::Result<()> {
    use std::os::fd::AsRawFd as _;
    let operation = match mode {
        Mode::Exclusive => libc::LOCK_EX,
        Mode::Shared => libc::LOCK_SH,
    };
    let flock = |operation| {
        loop {
            // SAFETY: `flock` takes a file descriptor, which `dir` keeps
            // open for the duration of the call, and an operation flag; it
            // touches no memory of ours.
            if unsafe { libc::flock(dir.as_raw_fd(), operation) } == 0 {
                return Ok(());
            }
            let error = io::Error::last_os_error();
            if error.kind() != io::ErrorKind::Interrupted {
                return Err(error);
            }
        }
    };
    match flock(operation | libc::LOCK_NB) {
        Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
            waiting();
            flock(operation)
        }
        result => result,
    }
}

/// Without `flock`, runs are not serialised.
#[cfg(not(unix))]
fn lock(_dir: &File, _mode: Mode, _waiting: impl FnOnce()) -> io::Result<()> {
    Ok(())
}
