//! What is under the output directory besides this run's files: generated
//! files no pipeline produces any more (left-over files, removed by
//! `--prune`), and temporary files an interrupted build left behind.

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use super::stage::is_temporary;
use super::{disk, target, WriteError};
use crate::emit::{generated_source, GeneratedFile};

/// A directory the search does not enter: hidden ones (but `.github`), and
/// the usual homes of other tools' files.
fn skipped(name: &str) -> bool {
    (name.starts_with('.') && name != ".github") || matches!(name, "target" | "node_modules" | "workflows-disabled")
}

/// `path` relative to `base`, `/`-separated.
fn relative(base: &Path, path: &Path) -> Option<String> {
    let inside = path.strip_prefix(base).ok()?;
    Some(inside.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"))
}

/// One pass over the tree under `dir`, sorted, entering directories the
/// search does not skip and never following a symbolic link: the files
/// that could be left-over generated files (`.tf` and `.yml`) and the
/// temporary files (any entry but a directory with the temporary pattern).
fn walk(base: &Path, dir: &Path, found: &mut Found) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    // The entry's type comes with the directory listing on most file
    // systems: no `stat` per entry.
    let mut entries: Vec<(PathBuf, Option<fs::FileType>)> =
        entries.filter_map(|e| e.ok().map(|e| (e.path(), e.file_type().ok()))).collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, file_type) in entries {
        let Some(file_type) = file_type.or_else(|| fs::symlink_metadata(&path).ok().map(|m| m.file_type())) else {
            continue;
        };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if !file_type.is_dir() && is_temporary(&name) {
            found.temporary.extend(relative(base, &path));
        } else if file_type.is_file() && (name.ends_with(".tf") || name.ends_with(".yml")) {
            found.candidates.extend(relative(base, &path));
        } else if file_type.is_dir() && !skipped(&name) {
            walk(base, &path, found);
        }
    }
}

#[derive(Default)]
struct Found {
    candidates: Vec<String>,
    temporary: Vec<String>,
}

/// Files under `out_dir` that ecspipe generated from one of `sources` (or
/// from a pipeline that no longer exists) and that the current build does
/// not produce: left behind by a renamed or deleted pipeline, or by a
/// removed stack. Only `.tf` and `.yml` files starting with the header
/// count. A source is named relative to `out_dir`, as headers name it.
pub fn orphans(out_dir: &Path, sources: &[String], files: &[GeneratedFile]) -> Vec<String> {
    inventory(out_dir, sources, files).0
}

/// Temporary files of an interrupted build (see [`super::stage`]): any
/// entry but a directory whose name has the temporary pattern, under
/// `out_dir` as [`orphans`] searches it and in the directory of each of
/// this run's files (which may be one the search skips). Sorted, each once.
pub fn debris(out_dir: &Path, files: &[GeneratedFile]) -> Vec<String> {
    inventory(out_dir, &[], files).1
}

/// [`orphans`] and [`debris`] from one search of the tree: the time it
/// takes grows with the files on disk, not with their product with the
/// files generated.
pub fn inventory(out_dir: &Path, sources: &[String], files: &[GeneratedFile]) -> (Vec<String>, Vec<String>) {
    let generated: HashSet<&str> = files.iter().map(|file| file.path.as_str()).collect();
    search(out_dir, sources, generated.iter().copied(), |path| generated.contains(path), |_| false)
}

/// [`inventory`] from the generated paths alone (`generated`, which
/// `paths` lists), not counting this run's own temporary files (`own`,
/// absolute paths).
pub(super) fn search<'a>(
    out_dir: &Path,
    sources: &[String],
    paths: impl Iterator<Item = &'a str>,
    generated: impl Fn(&str) -> bool,
    own: impl Fn(&Path) -> bool,
) -> (Vec<String>, Vec<String>) {
    let mut found = Found::default();
    walk(out_dir, out_dir, &mut found);
    let sources: HashSet<&str> = sources.iter().map(String::as_str).collect();
    let orphans = found
        .candidates
        .into_iter()
        .filter(|path| !generated(path))
        .filter(|path| {
            let Ok(Some(bytes)) = disk::read_output(&out_dir.join(path)) else { return false };
            match generated_source(&bytes) {
                Some(source) => sources.contains(source.as_str()) || !out_dir.join(source).exists(),
                None => false,
            }
        })
        .collect();
    let mut debris = found.temporary;
    // The directories of this run's files the search did not enter, each once.
    let mut dirs: BTreeSet<&str> = paths.filter_map(|path| path.rsplit_once('/')).map(|(dir, _)| dir).collect();
    dirs.retain(|dir| dir.split('/').any(skipped));
    for dir in dirs {
        // Only directories reached without a symbolic link on the way.
        let Ok(dir) = target(out_dir, dir) else { continue };
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type().is_ok_and(|t| !t.is_dir()) && is_temporary(&name) {
                debris.extend(relative(out_dir, &entry.path()));
            }
        }
    }
    debris.retain(|path| !own(&out_dir.join(path)));
    debris.sort();
    debris.dedup();
    (orphans, debris)
}

/// Removes orphaned generated files (see [`orphans`]), and directories they
/// leave empty.
///
/// # Errors
///
/// The first file that could not be removed.
pub fn prune(out_dir: &Path, orphans: &[String]) -> Result<(), WriteError> {
    for orphan in orphans {
        let path = target(out_dir, orphan)?;
        fs::remove_file(&path).map_err(|source| WriteError::Write { path: path.clone(), source })?;
        let mut dir = path.parent();
        while let Some(current) = dir {
            if current == out_dir || fs::remove_dir(current).is_err() {
                break;
            }
            dir = current.parent();
        }
    }
    Ok(())
}

/// Removes temporary files found by [`debris`]. A symbolic link is removed
/// itself, never what it points to.
///
/// # Errors
///
/// The first that could not be removed.
pub fn remove_debris(out_dir: &Path, debris: &[String]) -> Result<(), WriteError> {
    for name in debris {
        let path = match name.rsplit_once('/') {
            Some((dir, file)) => target(out_dir, dir)?.join(file),
            None => out_dir.join(name),
        };
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(WriteError::Write { path, source }),
        }
    }
    Ok(())
}
