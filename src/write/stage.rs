//! Staged, all-or-nothing writes: every new or changed file is written to
//! a temporary file beside its target, and only when all of them are
//! written are they renamed into place.
//!
//! A temporary file is created exclusively (`O_CREAT | O_EXCL`, and on Unix
//! `O_NOFOLLOW`), so nothing planted at its name (a symbolic link, a FIFO,
//! another file) is ever opened or followed, and its name ends in 64 random
//! bits, so it cannot be predicted: `.<file>.ecspipe-tmp-<16 hex digits>`.

use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions};
use std::hash::{BuildHasher as _, Hasher as _, RandomState};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::{dirs, Output, Status, WriteError, Written};
use crate::emit::GeneratedFile;

/// What every temporary file's name holds after the target's name.
pub const TEMPORARY_MARKER: &str = ".ecspipe-tmp-";

/// Whether a file name is one a build gives its temporary files (by this
/// version, `.<file>.ecspipe-tmp-<hex>`, or by earlier ones, `…-<pid>`).
pub fn is_temporary(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('.') else { return false };
    let Some(at) = rest.rfind(TEMPORARY_MARKER) else { return false };
    let suffix = &rest[at + TEMPORARY_MARKER.len()..];
    at > 0 && !suffix.is_empty() && suffix.bytes().all(|b| b.is_ascii_hexdigit())
}

/// 64 bits no other process can predict: SipHash keyed by the standard
/// library's per-process random keys (drawn from the operating system's
/// random source), over a counter, the process id and the time.
fn random_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    // Asked once: a system call, and the same for every file.
    static PROCESS: std::sync::LazyLock<u32> = std::sync::LazyLock::new(std::process::id);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u32(*PROCESS);
    if let Ok(now) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        hasher.write_u128(now.as_nanos());
    }
    format!("{:016x}", hasher.finish())
}

/// Creates a new temporary file for `name` in `dir`, exclusively.
fn create_temporary(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    let mut last = None;
    // A name already taken (by chance or by someone planting it) is never
    // opened; another random name is tried.
    for _ in 0..16 {
        let path = dir.join(format!(".{name}{TEMPORARY_MARKER}{}", random_suffix()));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.custom_flags(libc::O_NOFOLLOW);
        }
        match options.open(&path) {
            Ok(file) => return Ok((path, file)),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => last = Some(error),
            Err(error) => return Err(error),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free temporary name")))
}

/// Writes the files a [`super::plan`] found missing or stale: every one is
/// first written to a temporary file beside its target, and only when all
/// of them are written, and on disk, are they renamed into place (see
/// [`Staging`]).
///
/// # Errors
///
/// The first write that failed, in the files' order.
pub fn write(output: &mut Output, files: &[GeneratedFile], statuses: &[Status]) -> Result<Vec<Written>, WriteError> {
    let mut staging = Staging::default();
    staging.stage(output, files, statuses)?;
    staging.commit(output)?;
    Ok(statuses.iter().map(written).collect())
}

/// What a build does to a file of this status.
pub fn written(status: &Status) -> Written {
    match status {
        Status::Current => Written::Unchanged,
        Status::Missing => Written::Created,
        Status::Stale { .. } => Written::Updated,
    }
}

/// A build's writes, staged a batch of files at a time and committed at
/// once: every new or changed file is first written to a temporary file
/// beside its target, and only when all of them are written, and on disk,
/// are they renamed into place ([`Staging::commit`]). Only the paths are
/// kept, never the contents, so a build's memory grows with its batch, not
/// with its output. A failure while staging, or a staging dropped without
/// being committed (an error anywhere in the build, or a panic), removes
/// the temporary files and the directories made for them, so the tree is
/// as it was; renames within a directory do not fail in practice, and if
/// one did, the files not yet renamed are removed and the error is
/// reported.
///
/// What a crash (or a kill) may leave, and the syncs that see to it (see
/// ARCHITECTURE.md, "What a crash may leave"): every output path holds
/// either its old contents or its new ones, whole, never a part; some files
/// may be new and others old, and temporary files may remain, which `check`
/// reports and the next build removes. So every temporary file's contents
/// are on disk before the first rename (one `syncfs` per file system
/// written to, not one `fsync` per file); the renames are not synced.
#[derive(Debug, Default)]
pub struct Staging {
    /// Each temporary file and its target, in the files' order.
    staged: Vec<(PathBuf, PathBuf)>,
    /// Directories made for them, parents first.
    made: Vec<PathBuf>,
    /// The directories (relative) of the staged files, each once.
    dirs: BTreeSet<String>,
}

impl Staging {
    /// Stages those of `files` whose status is not current.
    ///
    /// # Errors
    ///
    /// The first write that failed, in the files' order (the staging is
    /// then rolled back when dropped).
    pub fn stage(
        &mut self,
        output: &mut Output,
        files: &[GeneratedFile],
        statuses: &[Status],
    ) -> Result<(), WriteError> {
        let changed: Vec<&GeneratedFile> = files
            .iter()
            .zip(statuses)
            .filter(|(_, status)| **status != Status::Current)
            .map(|(file, _)| file)
            .collect();
        // Each missing directory made once, then the files side by side.
        output.dirs.create(changed.iter().map(|file| file.path.as_str()), &mut self.made)?;
        let results = crate::parallel::map_at_least(&changed, super::FILES_PER_THREAD, |file| {
            let path = output.out_dir.join(&file.path);
            stage(&path, file.contents.as_bytes())
                .map(|temporary| (temporary, path.clone()))
                .map_err(|source| WriteError::Write { path, source })
        });
        let mut first_error = None;
        for result in results {
            match result {
                Ok(pair) => self.staged.push(pair),
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        self.dirs.extend(changed.iter().filter_map(|file| dirs::split(&file.path).ok()).map(|(dir, _)| dir.to_owned()));
        first_error.map_or(Ok(()), Err)
    }

    /// The temporary files staged so far (which a search for the debris of
    /// interrupted builds must not count).
    pub fn temporary(&self) -> impl Iterator<Item = &Path> {
        self.staged.iter().map(|(temporary, _)| temporary.as_path())
    }

    /// Puts every staged file on disk, then renames each over its target.
    ///
    /// # Errors
    ///
    /// A failed sync (everything is rolled back) or rename (the files not
    /// yet renamed are removed).
    pub fn commit(mut self, output: &Output) -> Result<(), WriteError> {
        let devices = output.dirs.one_per_device(self.dirs.iter().map(String::as_str));
        sync_file_systems(&devices)?;
        let staged = std::mem::take(&mut self.staged);
        self.made.clear();
        for (index, (temporary, path)) in staged.iter().enumerate() {
            if let Err(source) = fs::rename(temporary, path) {
                for (temporary, _) in &staged[index..] {
                    let _ = fs::remove_file(temporary);
                }
                return Err(WriteError::Write { path: path.clone(), source });
            }
        }
        // The renames are left for the file system to make durable, as it
        // does every program's: each one exposes data already on disk, so
        // a crash before they are committed leaves old files whole, not
        // half-written ones (ARCHITECTURE.md, "What a crash may leave").
        Ok(())
    }
}

impl Drop for Staging {
    /// Not committed: the temporary files removed, and the directories made
    /// for them, deepest first (one that is not empty stays).
    fn drop(&mut self) {
        for (temporary, _) in &self.staged {
            let _ = fs::remove_file(temporary);
        }
        for dir in self.made.iter().rev() {
            let _ = fs::remove_dir(dir);
        }
    }
}

/// Puts every file written to the file systems of `dirs` on disk: one
/// `syncfs` each (Linux); elsewhere each file was synced when written.
///
/// # Errors
///
/// A failed sync: a write the file system could not complete.
fn sync_file_systems(dirs: &[PathBuf]) -> Result<(), WriteError> {
    #[cfg(target_os = "linux")]
    for dir in dirs {
        use std::os::fd::AsRawFd as _;
        let error = |source| WriteError::Write { path: dir.clone(), source };
        let handle = File::open(dir).map_err(error)?;
        // SAFETY: `syncfs` takes a descriptor, which `handle` keeps open
        // for the call; it touches no memory of ours.
        if unsafe { libc::syncfs(handle.as_raw_fd()) } != 0 {
            return Err(error(io::Error::last_os_error()));
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = dirs;
    Ok(())
}

/// Writes `contents` to a new temporary file in `path`'s directory (which
/// exists). Only where there is no `syncfs` is it synced here.
fn stage(path: &Path, contents: &[u8]) -> io::Result<PathBuf> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let (temporary, mut file) = create_temporary(dir, &name)?;
    let result = file.write_all(contents);
    #[cfg(not(target_os = "linux"))]
    let result = result.and_then(|()| file.sync_all());
    match result {
        Ok(()) => Ok(temporary),
        Err(error) => {
            drop(file);
            let _ = fs::remove_file(&temporary);
            Err(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_are_recognised() {
        assert!(is_temporary(".main.tf.ecspipe-tmp-0123456789abcdef"));
        assert!(is_temporary(".main.tf.ecspipe-tmp-4242"));
        assert!(!is_temporary("main.tf.ecspipe-tmp-4242"));
        assert!(!is_temporary(".ecspipe-tmp-4242"));
        assert!(!is_temporary(".main.tf.ecspipe-tmp-"));
        assert!(!is_temporary(".main.tf.ecspipe-tmp-x.tf"));
        assert!(!is_temporary("main.tf"));
    }

    #[test]
    fn temporary_names_differ() {
        let names: std::collections::BTreeSet<String> = (0..100).map(|_| random_suffix()).collect();
        assert_eq!(names.len(), 100);
        assert!(names.iter().all(|name| is_temporary(&format!(".x{TEMPORARY_MARKER}{name}"))));
    }
}
