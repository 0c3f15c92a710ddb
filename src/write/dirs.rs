//! The directories a run's files go into, each looked at once: a build of
//! thousands of files asks the file system about each directory on the way
//! once, not once per file, and creates each missing one once.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use super::WriteError;

/// What is at one directory of an output path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    /// A directory (not a symbolic link to one), on the file system of
    /// this device.
    Exists(u64),
    /// Nothing, or a file where the directory should be (writing there
    /// fails and says why).
    Missing,
    /// A symbolic link at this path or on the way to it: it could point
    /// anywhere, so nothing below it is read or written.
    Link(PathBuf),
}

/// The directories (relative to the output directory, `/`-separated, `""`
/// for the output directory itself) of a run's files, as found on disk.
#[derive(Debug)]
pub(super) struct Dirs {
    out_dir: PathBuf,
    states: HashMap<String, State>,
}

/// A generated path's directory and file name, refusing any path that could
/// leave the output directory (absolute, or with `..` or `.`).
pub(super) fn split(relative: &str) -> Result<(&str, &str), WriteError> {
    let path = Path::new(relative);
    if relative.is_empty() || path.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(WriteError::Escapes { path: path.to_path_buf() });
    }
    Ok(relative.rsplit_once('/').unwrap_or(("", relative)))
}

impl Dirs {
    /// Looks at every directory on the way to each of `paths` (generated
    /// paths, relative to `out_dir`), each once.
    pub(super) fn new<'a>(out_dir: &Path, paths: impl Iterator<Item = &'a str>) -> Dirs {
        let mut dirs = Dirs { out_dir: out_dir.to_path_buf(), states: HashMap::new() };
        let root = fs::metadata(out_dir).map_or(State::Missing, |metadata| State::Exists(device(&metadata)));
        dirs.states.insert(String::new(), root);
        dirs.add(paths);
        dirs
    }

    /// Looks at every directory on the way to each of `paths` not looked
    /// at yet.
    pub(super) fn add<'a>(&mut self, paths: impl Iterator<Item = &'a str>) {
        for path in paths {
            if let Ok((dir, _)) = split(path) {
                self.look(dir);
            }
        }
    }

    fn look(&mut self, dir: &str) -> State {
        if let Some(state) = self.states.get(dir) {
            return state.clone();
        }
        let (parent, _) = dir.rsplit_once('/').unwrap_or(("", dir));
        let state = match self.look(parent) {
            State::Exists(_) => {
                let path = self.out_dir.join(dir);
                match fs::symlink_metadata(&path) {
                    Ok(metadata) if metadata.file_type().is_symlink() => State::Link(path),
                    Ok(metadata) if metadata.is_dir() => State::Exists(device(&metadata)),
                    _ => State::Missing,
                }
            }
            inherited => inherited,
        };
        self.states.insert(dir.to_owned(), state.clone());
        state
    }

    /// Where a generated path lands: `None` when its directory does not
    /// exist (so nothing is there to read).
    ///
    /// # Errors
    ///
    /// An unsafe path: see [`split`], or a symbolic link on the way.
    pub(super) fn existing(&self, relative: &str) -> Result<Option<PathBuf>, WriteError> {
        let (dir, _) = split(relative)?;
        match self.states.get(dir) {
            Some(State::Exists(_)) => Ok(Some(self.out_dir.join(relative))),
            Some(State::Link(path)) => Err(WriteError::Escapes { path: path.clone() }),
            Some(State::Missing) => Ok(None),
            // Not among the paths this was made for: looked at afresh.
            None => super::target(&self.out_dir, relative).map(Some),
        }
    }

    /// Creates the directory of each of `paths` that is missing, each once,
    /// parents first, adding each one made to `made`.
    ///
    /// # Errors
    ///
    /// An unsafe path, or a directory that cannot be made.
    pub(super) fn create<'a>(
        &mut self,
        paths: impl Iterator<Item = &'a str>,
        made: &mut Vec<PathBuf>,
    ) -> Result<(), WriteError> {
        for path in paths {
            let (dir, _) = split(path)?;
            self.create_dir(dir, made)?;
        }
        Ok(())
    }

    fn create_dir(&mut self, dir: &str, made: &mut Vec<PathBuf>) -> Result<(), WriteError> {
        match self.look(dir) {
            State::Exists(_) => return Ok(()),
            State::Link(path) => return Err(WriteError::Escapes { path }),
            State::Missing => {}
        }
        let (parent, _) = dir.rsplit_once('/').unwrap_or(("", dir));
        self.create_dir(parent, made)?;
        let device = match self.states.get(parent) {
            Some(State::Exists(device)) => *device,
            _ => 0,
        };
        let path = self.out_dir.join(dir);
        match fs::create_dir(&path) {
            Ok(()) => made.push(path),
            // Made by someone else since it was looked at: a directory will do.
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists && path.is_dir() => {}
            Err(source) => return Err(WriteError::Write { path, source }),
        }
        self.states.insert(dir.to_owned(), State::Exists(device));
        Ok(())
    }

    /// One existing directory on each device that holds one of `dirs`
    /// (relative, as [`split`] gives them): what to sync so that every
    /// file written into them is on disk.
    pub(super) fn one_per_device<'a>(&self, dirs: impl Iterator<Item = &'a str>) -> Vec<PathBuf> {
        let mut seen: HashMap<u64, PathBuf> = HashMap::new();
        for dir in dirs {
            if let Some(State::Exists(device)) = self.states.get(dir) {
                seen.entry(*device).or_insert_with(|| self.out_dir.join(dir));
            }
        }
        let mut dirs: Vec<PathBuf> = seen.into_values().collect();
        dirs.sort();
        dirs
    }
}

/// The device a file is on (a directory made by this run is on its parent's).
fn device(metadata: &fs::Metadata) -> u64 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        metadata.dev()
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_directory_and_name() {
        assert_eq!(split("a/b/c.tf").ok(), Some(("a/b", "c.tf")));
        assert_eq!(split("c.tf").ok(), Some(("", "c.tf")));
        assert!(split("../c.tf").is_err());
        assert!(split("/etc/passwd").is_err());
        assert!(split("a/../c.tf").is_err());
        assert!(split("").is_err());
    }
}
