//! Golden files: every example's generated tree, byte for byte.
//! `ECSPIPE_BLESS=1 cargo test --test integration golden` rewrites them.

use std::fs;
use std::path::Path;

use crate::support::*;

/// Builds one example alone in a fresh checkout.
fn build_one(example: &Path) -> assert_fs::TempDir {
    let dir = assert_fs::TempDir::new().expect("temp dir");
    let pipelines = dir.path().join("pipelines");
    fs::create_dir_all(&pipelines).expect("mkdir");
    fs::copy(example, pipelines.join(example.file_name().expect("name"))).expect("copy");
    let run = ecspipe(dir.path(), &["build"]);
    assert_eq!(run.code, 0, "{} failed to build:\n{}", example.display(), run.stderr);
    dir
}

#[test]
fn every_example_matches_its_golden_files() {
    let mut failures = Vec::new();
    for example in pipelines() {
        let stem = example.file_stem().expect("stem").to_string_lossy().into_owned();
        let built = build_one(&example);
        let golden = root().join("tests/golden").join(&stem);
        let actual = generated_files(built.path());
        assert!(!actual.is_empty(), "{stem} generated nothing");
        if blessing() {
            let _ = fs::remove_dir_all(&golden);
            for file in &actual {
                let target = golden.join(file);
                fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
                fs::copy(built.path().join(file), target).expect("copy");
            }
            continue;
        }
        let expected = if golden.is_dir() { generated_files(&golden) } else { Vec::new() };
        if expected != actual {
            failures.push(format!("{stem}: files differ\n  expected {expected:?}\n  actual   {actual:?}"));
            continue;
        }
        for file in &actual {
            let want = fs::read_to_string(golden.join(file)).expect("golden readable");
            let got = fs::read_to_string(built.path().join(file)).expect("output readable");
            if want != got {
                let diff =
                    similar::TextDiff::from_lines(&want, &got).unified_diff().header("golden", "generated").to_string();
                failures.push(format!("{stem}/{file} differs:\n{diff}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n\nIf the change is intended: ECSPIPE_BLESS=1 cargo test --test integration golden, then review the diff",
        failures.join("\n")
    );
}

#[test]
fn output_is_identical_across_runs_and_directories() {
    let first = built_examples();
    let second = built_examples();
    let files = generated_files(first.path());
    assert_eq!(files, generated_files(second.path()));
    for file in &files {
        let a = fs::read(first.path().join(file)).expect("read");
        let b = fs::read(second.path().join(file)).expect("read");
        assert!(a == b, "{file} differs between two builds");
    }
}

/// Every example built with `threads` threads (`ECSPIPE_THREADS`): each
/// file's path and bytes.
fn built_on_threads(threads: usize, examples: &[std::path::PathBuf]) -> Vec<(String, Vec<u8>)> {
    let dir = assert_fs::TempDir::new().expect("temp dir");
    let pipelines = dir.path().join("pipelines");
    fs::create_dir_all(&pipelines).expect("mkdir");
    for example in examples {
        fs::copy(example, pipelines.join(example.file_name().expect("name"))).expect("copy");
    }
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ecspipe"))
        .arg("build")
        .current_dir(dir.path())
        .env("ECSPIPE_THREADS", threads.to_string())
        .output()
        .expect("ecspipe runs");
    assert!(output.status.success(), "build on {threads} threads: {}", String::from_utf8_lossy(&output.stderr));
    let files = generated_files(dir.path());
    files.into_iter().map(|file| (file.clone(), fs::read(dir.path().join(&file)).expect("read"))).collect()
}

#[test]
fn output_is_identical_on_any_number_of_threads() {
    // One thread renders everything in turn; two and three render a
    // pipeline per thread; seven, more threads than the five examples,
    // and two for one example render file by file.
    let examples = pipelines();
    let alone = built_on_threads(1, &examples);
    assert!(!alone.is_empty());
    for threads in [2, 3, 7] {
        let built = built_on_threads(threads, &examples);
        let paths = |files: &[(String, Vec<u8>)]| files.iter().map(|(path, _)| path.clone()).collect::<Vec<_>>();
        assert_eq!(paths(&built), paths(&alone), "files on {threads} threads");
        for ((path, bytes), (_, expected)) in built.iter().zip(&alone) {
            assert!(bytes == expected, "{path} differs on {threads} threads");
        }
    }
    let one = &examples[..1];
    assert_eq!(built_on_threads(2, one), built_on_threads(1, one));
}

#[test]
fn every_generated_file_carries_the_header_naming_its_source() {
    let dir = built_examples();
    for file in generated_files(dir.path()) {
        let text = fs::read_to_string(dir.path().join(&file)).expect("read");
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("# Code generated by ecspipe. DO NOT EDIT."), "{file}");
        let source = lines.next().unwrap_or_default();
        assert!(
            source.starts_with("# Source: pipelines/") && source.ends_with(".ecspipe"),
            "{file}: second line must name the source pipeline, got {source:?}"
        );
    }
}
