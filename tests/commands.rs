//! `explain`, machine-readable diagnostics, left-over files and `--prune`,
//! all-or-nothing writes, and a closed stdout.

use std::fs;
use std::io::Read as _;
use std::process::{Command, Stdio};

use crate::support::*;

#[test]
fn explain_prints_the_error_index_section() {
    let dir = assert_fs::TempDir::new().expect("temp");
    let run = ecspipe(dir.path(), &["explain", "E008"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("## E008: CPU and memory pair Fargate does not offer\n"), "{}", run.stdout);
    assert!(!run.stdout.contains("## E009"), "explain runs into the next code");
    let index = fs::read_to_string(root().join("book/src/errors.md")).expect("errors.md");
    assert!(index.contains(run.stdout.trim_end()), "explain and the book differ");
    let run = ecspipe(dir.path(), &["explain", "E999"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with("error: `E999` is not an ecspipe error code; the codes are E001, "),
        "{}",
        run.stderr
    );
}

const BAD: &str = "pipeline web {\n  region us-east-2\n  role secret.R\n  build web { repository Web }\n}\n";

#[test]
fn json_diagnostics_are_one_object_per_line() {
    let dir = assert_fs::TempDir::new().expect("temp");
    fs::write(dir.path().join("bad.ecspipe"), BAD).expect("write");
    let run = ecspipe(dir.path(), &["check", "bad.ecspipe", "--message-format", "json"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "");
    let lines: Vec<serde_json::Value> =
        run.stdout.lines().map(|line| serde_json::from_str(line).expect("a JSON line")).collect();
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    assert_eq!(lines[0]["code"], "E009");
    assert_eq!(lines[0]["file"], "bad.ecspipe");
    assert_eq!(lines[0]["span"]["line"], 4);
    assert_eq!(lines[0]["span"]["column"], 26);
    assert_eq!(lines[0]["message"], "invalid ECR repository name");
}

#[test]
fn github_diagnostics_are_workflow_annotations() {
    let dir = assert_fs::TempDir::new().expect("temp");
    fs::write(dir.path().join("bad.ecspipe"), BAD).expect("write");
    let run = ecspipe(dir.path(), &["check", "bad.ecspipe", "--message-format", "github"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        "::error file=bad.ecspipe,line=4,col=26,endLine=4,endColumn=29,title=E009 name breaks an AWS or GitHub rule::invalid ECR repository name%0Ahelp: choose another ECR repository name\n"
    );
}

#[test]
fn check_reports_and_build_prunes_files_of_a_removed_stack() {
    let dir = built_examples();
    // Rename the api-sidecar's stack: its old files are left over.
    let path = dir.path().join("pipelines/api-sidecar.ecspipe");
    let text = fs::read_to_string(&path).expect("read");
    fs::write(&path, text.replace("stack orders/deploy", "stack orders/service")).expect("write");
    let run = ecspipe(dir.path(), &["check"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("--- a/orders/deploy/ecs.tf\n+++ /dev/null\n"), "{}", run.stdout);
    assert!(
        run.stderr.contains("generated files are no longer produced by any pipeline; run `ecspipe build --prune`"),
        "{}",
        run.stderr
    );
    // A hand-written file beside them is never touched.
    fs::write(dir.path().join("orders/deploy/notes.tf"), "# mine\n").expect("write");
    let run = ecspipe(dir.path(), &["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run
        .stdout
        .contains("left over orders/deploy/ecs.tf: no pipeline generates it any more (remove it with --prune)"));
    assert!(dir.path().join("orders/deploy/ecs.tf").exists());
    let run = ecspipe(dir.path(), &["build", "--prune"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("removed orders/deploy/ecs.tf\n"), "{}", run.stdout);
    assert!(!dir.path().join("orders/deploy/ecs.tf").exists());
    assert!(dir.path().join("orders/deploy/notes.tf").exists());
    let run = ecspipe(dir.path(), &["check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn a_failed_write_leaves_nothing_behind() {
    let dir = checkout_with_examples();
    // A file where the reference's stack directory should be: its stack
    // cannot be written, so nothing may be.
    fs::write(dir.path().join("deploy"), "in the way\n").expect("write");
    let run = ecspipe(dir.path(), &["build", "pipelines/fargate-web.ecspipe"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stderr.starts_with("error: cannot write "), "{}", run.stderr);
    let files = generated_files(dir.path());
    assert_eq!(files, vec![String::from("deploy")], "only the obstacle may remain");
    assert!(!dir.path().join(".github").exists(), "directories made for the failed build are removed");
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let dir = built_examples();
    for file in generated_files(dir.path()) {
        if file.ends_with(".tf") {
            fs::write(dir.path().join(&file), "# Code generated by ecspipe. DO NOT EDIT.\n# Source: x\n")
                .expect("write");
        }
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_ecspipe"))
        .arg("check")
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // Read a little, then hang up, as `ecspipe check | head -1` does.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).expect("some output");
    drop(stdout);
    let mut stderr = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut stderr).expect("stderr");
    let status = child.wait().expect("wait");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(status.code() == Some(0) || status.code() == Some(1), "{status:?}: {stderr}");
}
