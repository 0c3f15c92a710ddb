//! The shape of the source tree, held still: no module imports one that
//! imports it back, no file too long to read in one sitting, every
//! diagnostic made from the catalogue, and nothing in the repository that
//! points to a file outside it.
//!
//! These read `src/` as text. They look for module paths (`crate::x`,
//! `super::x`), not Rust syntax, which is all they need: a path in a
//! comment or a test is skipped, and a path they missed would only make a
//! check weaker, never fail a correct tree.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use crate::support::root;

/// Longest a source file may grow before it is split.
const MAX_LINES: usize = 600;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> =
        fs::read_dir(dir).expect("read src").map(|entry| entry.expect("entry").path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// A module's path below `src/`: `src/check/service/mod.rs` → `["check", "service"]`.
fn module_of(path: &Path) -> Vec<String> {
    let relative = path.strip_prefix(root().join("src")).expect("under src");
    let mut parts: Vec<String> = relative.iter().map(|part| part.to_string_lossy().into_owned()).collect();
    let file = parts.pop().unwrap_or_default();
    let stem = file.trim_end_matches(".rs");
    if !matches!(stem, "mod" | "lib" | "main") {
        parts.push(stem.to_owned());
    }
    parts
}

/// The code of a file without line comments and without its unit tests.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines().map(|line| line.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

/// The names that follow `prefix` in `code`: `crate::check::x` and
/// `crate::{check, plan}` give `check` and `plan` for `crate::`.
fn paths_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (index, _) in code.match_indices(prefix) {
        let before = code[..index].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let rest = &code[index + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = group.split('}').next().unwrap_or_default();
            for item in group.split(',') {
                let name: String = item.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    names.insert(name);
                }
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                names.insert(name);
            }
        }
    }
    names
}

/// Which module each module imports: top-level modules through `crate::`,
/// siblings through `super::`.
fn imports() -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|path| module_of(path)).collect();
    let mut graph: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for path in &files {
        let module = module_of(path);
        let code = code(&fs::read_to_string(path).expect("read"));
        let mut targets = BTreeSet::new();
        for name in paths_after(&code, "crate::") {
            targets.insert(vec![name]);
        }
        if let Some((_, parent)) = module.split_last() {
            for name in paths_after(&code, "super::") {
                let mut sibling = parent.to_vec();
                sibling.push(name);
                targets.insert(sibling);
            }
        }
        let targets: Vec<Vec<String>> =
            targets.into_iter().filter(|target| modules.contains(target) && *target != module).collect();
        graph.entry(module).or_default().extend(targets);
    }
    graph
}

/// `a` imports `b` when a module at or below `a` imports one at or below `b`.
fn imports_between(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>, depth: usize) -> BTreeSet<(String, String)> {
    let mut edges = BTreeSet::new();
    for (from, targets) in graph {
        for to in targets {
            if from.len() < depth || to.len() < depth || from[..depth - 1] != to[..depth - 1] {
                continue;
            }
            if from[depth - 1] != to[depth - 1] {
                let prefix = from[..depth - 1].join("::");
                let name = |m: &[String]| {
                    if prefix.is_empty() {
                        m[depth - 1].clone()
                    } else {
                        format!("{prefix}::{}", m[depth - 1])
                    }
                };
                edges.insert((name(from), name(to)));
            }
        }
    }
    edges
}

/// A cycle among `edges`, if there is one.
fn cycle(edges: &BTreeSet<(String, String)>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeSet<(String, String)>,
        state: &mut BTreeMap<String, bool>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_owned(), false);
        stack.push(node.to_owned());
        for (_, next) in edges.iter().filter(|(from, _)| from == node) {
            match state.get(next) {
                Some(false) => {
                    let start = stack.iter().position(|n| n == next).unwrap_or(0);
                    let mut found = stack[start..].to_vec();
                    found.push(next.clone());
                    return Some(found);
                }
                Some(true) => {}
                None => {
                    if let Some(found) = visit(next, edges, state, stack) {
                        return Some(found);
                    }
                }
            }
        }
        stack.pop();
        state.insert(node.to_owned(), true);
        None
    }
    let mut state = BTreeMap::new();
    let nodes: BTreeSet<&String> = edges.iter().map(|(from, _)| from).collect();
    for node in nodes {
        if !state.contains_key(node.as_str()) {
            if let Some(found) = visit(node, edges, &mut state, &mut Vec::new()) {
                return Some(found);
            }
        }
    }
    None
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let graph = imports();
    let depth = graph.keys().map(Vec::len).max().unwrap_or(1);
    for level in 1..=depth {
        let edges = imports_between(&graph, level);
        if let Some(found) = cycle(&edges) {
            panic!("an import circle: {}", found.join(" -> "));
        }
    }
}

#[test]
fn the_circle_finder_finds_circles() {
    let edges: BTreeSet<(String, String)> =
        [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")].iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(cycle(&edges), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
    let acyclic: BTreeSet<(String, String)> =
        [("a", "b"), ("b", "c"), ("a", "c")].iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(cycle(&acyclic), None);
    assert_eq!(paths_after("use crate::{check, plan::names};", "crate::"), ["check", "plan"].map(String::from).into());
}

#[test]
fn no_source_file_is_too_long_to_read_in_one_sitting() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|path| {
            let lines = fs::read_to_string(path).expect("read").lines().count();
            (lines > MAX_LINES).then(|| format!("{} ({lines} lines)", path.display()))
        })
        .collect();
    assert!(long.is_empty(), "split these files (at most {MAX_LINES} lines): {long:?}");
}

#[test]
fn every_diagnostic_comes_from_the_catalogue() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let inline: Vec<String> = files
        .iter()
        // The catalogue makes diagnostics; diagnostic.rs defines and renders
        // them (a note in another file is shown as a snippet of its own).
        .filter(|path| !path.starts_with(root().join("src/catalogue")) && *path != &root().join("src/diagnostic.rs"))
        .filter(|path| code(&fs::read_to_string(path).expect("read")).contains("Diagnostic::new("))
        .map(|path| path.display().to_string())
        .collect();
    assert!(inline.is_empty(), "diagnostics made outside src/catalogue/: {inline:?}");
}

#[test]
fn nothing_points_outside_the_repository() {
    // Spelled in pieces so that this file does not find itself.
    let outside = [["DESIGN", ".md"].concat(), ["REFERENCE", ".md"].concat(), ["../", "shared/"].concat()];
    let mut found = Vec::new();
    for dir in ["src", "templates", "tests", "book/src", "grammar", "pipelines", "scripts", ".ci"] {
        let mut stack = vec![root().join(dir)];
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                let entries = fs::read_dir(&path).expect("read dir");
                stack.extend(
                    entries.map(|entry| entry.expect("entry").path()).filter(|p| {
                        !p.file_name().is_some_and(|name| name == "__pycache__" || name == ".pytest_cache")
                    }),
                );
            } else if let Ok(text) = fs::read_to_string(&path) {
                if outside.iter().any(|name| text.contains(name.as_str())) {
                    found.push(path.display().to_string());
                }
            }
        }
    }
    for file in ["README.md", "ARCHITECTURE.md", "Cargo.toml"] {
        let text = fs::read_to_string(root().join(file)).expect("read");
        if outside.iter().any(|name| text.contains(name.as_str())) {
            found.push(file.to_owned());
        }
    }
    assert!(found.is_empty(), "these files refer to files outside the repository: {found:?}");
}
