//! A small builder that runs the real `ecspipe` binary, and helpers shared
//! by the test modules.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The example pipelines, sorted.
pub fn pipelines() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join("pipelines"))
        .expect("pipelines/ exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "ecspipe"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no example pipelines");
    paths
}

/// Whether expectations should be rewritten instead of compared.
pub fn blessing() -> bool {
    std::env::var_os("ECSPIPE_BLESS").is_some_and(|v| !v.is_empty())
}

/// What a run of `ecspipe` produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `ecspipe` with `args` in `dir`.
pub fn ecspipe(dir: &Path, args: &[&str]) -> Run {
    let output: Output = Command::new(env!("CARGO_BIN_EXE_ecspipe"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("ecspipe runs");
    Run {
        code: output.status.code().expect("ecspipe exited, not killed"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// A temporary repository holding a copy of the example pipelines, as a
/// user's checkout would.
pub fn checkout_with_examples() -> assert_fs::TempDir {
    let dir = assert_fs::TempDir::new().expect("temp dir");
    let pipelines = dir.path().join("pipelines");
    std::fs::create_dir_all(&pipelines).expect("mkdir");
    for path in self::pipelines() {
        std::fs::copy(&path, pipelines.join(path.file_name().expect("file name"))).expect("copy");
    }
    dir
}

/// Builds every example in a fresh checkout; panics on failure.
pub fn built_examples() -> assert_fs::TempDir {
    let dir = checkout_with_examples();
    let run = ecspipe(dir.path(), &["build"]);
    assert_eq!(run.code, 0, "build failed:\n{}", run.stderr);
    dir
}

/// Every file under `dir`, relative, sorted, skipping `pipelines/`.
pub fn generated_files(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("readable dir") {
            let path = entry.expect("entry").path();
            let relative = path.strip_prefix(base).expect("inside").to_string_lossy().replace('\\', "/");
            if relative == "pipelines" || relative.contains(".terraform") {
                continue;
            }
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                out.push(relative);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Finds a tool: the project's `.venv/bin`, `.venv-checkov/bin` and
/// `.tools/bin` first (where the test command installs the Python tools and
/// mdBook), then `PATH`. Panics with how to install it:
/// the tools are part of the test suite, never silently skipped.
pub fn tool(name: &str) -> PathBuf {
    for venv in [".venv/bin", ".venv-checkov/bin", ".tools/bin"] {
        let candidate = root().join(venv).join(name);
        if candidate.is_file() {
            return candidate;
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!("`{name}` is not installed: run the test command from the README (scripts/test), which installs it");
}

/// Runs a tool and returns (exit code, stdout + stderr).
pub fn run_tool(program: &Path, args: &[&str], dir: &Path, env: &[(&str, &str)]) -> (i32, String) {
    let mut command = Command::new(program);
    command.args(args).current_dir(dir);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().unwrap_or_else(|error| panic!("{} does not run: {error}", program.display()));
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.code().unwrap_or(-1), text)
}

/// Directories holding generated `.tf` files.
pub fn stacks(dir: &Path) -> Vec<PathBuf> {
    let mut stacks: Vec<PathBuf> = generated_files(dir)
        .into_iter()
        .filter(|file| file.ends_with("/main.tf"))
        .map(|file| dir.join(file.trim_end_matches("/main.tf")))
        .collect();
    stacks.sort();
    stacks
}

/// Generated workflows.
pub fn workflows(dir: &Path) -> Vec<PathBuf> {
    generated_files(dir).into_iter().filter(|f| f.starts_with(".github/workflows/")).map(|f| dir.join(f)).collect()
}

/// A file's text with every run of white space one space, so that tests
/// can look for a statement whatever `terraform fmt` aligned it to.
pub fn normalized(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|_| panic!("{} exists", path.display()))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
