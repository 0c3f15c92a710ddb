//! The command-line contract (README, "Usage"): exit codes, `check` drift diffs,
//! nothing written on errors, hand-written files never overwritten.

use std::fs;

use crate::support::*;

#[test]
fn check_passes_on_a_fresh_build() {
    let dir = built_examples();
    let run = ecspipe(dir.path(), &["check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let count = generated_files(dir.path()).len();
    assert_eq!(run.stdout, format!("{count} files are current\n"));
    assert_eq!(run.stderr, "");
}

#[test]
fn check_prints_a_unified_diff_and_fails_on_an_edited_file() {
    let dir = built_examples();
    let path = dir.path().join("deploy/ecs.tf");
    let original = fs::read_to_string(&path).expect("read");
    let edited: String =
        original
            .lines()
            .map(|line| {
                if line.trim_start().starts_with("desired_count") {
                    line.replace("= 2", "= 5")
                } else {
                    line.to_owned()
                }
            })
            .map(|line| line + "\n")
            .collect();
    assert_ne!(edited, original);
    fs::write(&path, edited).expect("edit");
    let run = ecspipe(dir.path(), &["check"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.starts_with("--- a/deploy/ecs.tf\n+++ b/deploy/ecs.tf\n@@ "), "{}", run.stdout);
    let removed = run.stdout.lines().find(|l| l.starts_with("-  desired_count")).expect("removed line");
    let added = run.stdout.lines().find(|l| l.starts_with("+  desired_count")).expect("added line");
    assert!(removed.ends_with("= 5") && added.ends_with("= 2"), "{}", run.stdout);
    assert!(run.stderr.starts_with("error: of "), "{}", run.stderr);
    assert!(run.stderr.contains(" generated files, 1 stale; run `ecspipe build`"), "{}", run.stderr);
    // Rebuilding restores it, and only it.
    let run = ecspipe(dir.path(), &["build"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("updated deploy/ecs.tf\n"), "{}", run.stdout);
    assert_eq!(fs::read_to_string(&path).expect("read"), original);
}

#[test]
fn check_reports_a_missing_file_as_new() {
    let dir = built_examples();
    fs::remove_file(dir.path().join("deploy/outputs.tf")).expect("rm");
    let run = ecspipe(dir.path(), &["check"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.starts_with("--- /dev/null\n+++ b/deploy/outputs.tf\n"), "{}", run.stdout);
}

#[test]
fn build_accepts_files_directories_and_an_output_directory() {
    let dir = checkout_with_examples();
    let out = assert_fs::TempDir::new().expect("temp");
    let out_arg = out.path().to_string_lossy().into_owned();
    let run = ecspipe(dir.path(), &["build", "pipelines/worker.ecspipe", "--out", &out_arg]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(out.path().join(".github/workflows/queue-worker.yml").is_file());
    assert!(out.path().join("services/worker/deploy/ecs.tf").is_file());
    // Outside the output directory, the header names the file relative to
    // it, so that the name identifies it (and `--prune` can tell it exists).
    let workflow = fs::read_to_string(out.path().join(".github/workflows/queue-worker.yml")).expect("read");
    let canonical = |path: &std::path::Path| fs::canonicalize(path).expect("canonical");
    let checkout = canonical(dir.path());
    assert_eq!(canonical(out.path()).parent(), checkout.parent(), "both temporary directories share a parent");
    let name = checkout.file_name().expect("name").to_string_lossy().into_owned();
    assert!(workflow.contains(&format!("# Source: ../{name}/pipelines/worker.ecspipe\n")), "{workflow}");
    let run = ecspipe(dir.path(), &["check", "pipelines/worker.ecspipe", "--out", &out_arg]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn compile_errors_exit_1_and_write_nothing() {
    let dir = checkout_with_examples();
    fs::write(dir.path().join("pipelines/zz-broken.ecspipe"), "pipeline broken {\n  region us-east-2\n  cpu 1\n}\n")
        .expect("write");
    let run = ecspipe(dir.path(), &["build"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("pipelines/zz-broken.ecspipe:3:3: error[E002]: unknown statement `cpu`"),
        "{}",
        run.stderr
    );
    assert_eq!(generated_files(dir.path()), Vec::<String>::new(), "nothing may be written when any input fails");
}

#[test]
fn usage_errors_exit_2() {
    let dir = checkout_with_examples();
    for args in [&["build", "--no-such-flag"][..], &["frobnicate"], &[]] {
        let run = ecspipe(dir.path(), args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
    }
}

#[test]
fn missing_input_and_empty_directory_are_errors() {
    let dir = assert_fs::TempDir::new().expect("temp");
    let run = ecspipe(dir.path(), &["build", "nope.ecspipe"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.starts_with("error: cannot read nope.ecspipe: "), "{}", run.stderr);
    fs::create_dir(dir.path().join("empty")).expect("mkdir");
    let run = ecspipe(dir.path(), &["check", "empty"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "error: no .ecspipe files in empty\n");
}

#[test]
fn build_refuses_to_overwrite_a_hand_written_file_unless_forced() {
    let dir = checkout_with_examples();
    let hand_written = dir.path().join("deploy/main.tf");
    fs::create_dir_all(hand_written.parent().expect("parent")).expect("mkdir");
    fs::write(&hand_written, "# mine\n").expect("write");
    let run = ecspipe(dir.path(), &["build"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("deploy/main.tf exists and was not generated by ecspipe"), "{}", run.stderr);
    assert_eq!(fs::read_to_string(&hand_written).expect("read"), "# mine\n");
    assert_eq!(generated_files(dir.path()), vec![String::from("deploy/main.tf")], "nothing else may be written");
    let run = ecspipe(dir.path(), &["build", "--force"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(fs::read_to_string(&hand_written).expect("read").starts_with("# Code generated by ecspipe."));
}

#[test]
fn two_pipelines_writing_one_stack_are_rejected_before_anything_is_written() {
    let dir = checkout_with_examples();
    // A second bootstrap stack in the monorepo's directory.
    let other = "pipeline other {\n  region us-east-1\n  role secret.A plan secret.P\n  oidc {\n    repository \"acme/other\"\n    stack platform/bootstrap\n    state s3 bucket \"other-state\" key \"b.tfstate\"\n  }\n  build x { repository other-x }\n}\n";
    fs::write(dir.path().join("pipelines/zz-other.ecspipe"), other).expect("write");
    let run = ecspipe(dir.path(), &["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("pipelines/zz-other.ecspipe:1:10: error[E011]: pipeline `other` and pipeline `shop` in pipelines/monorepo.ecspipe both use the stack directory `platform/bootstrap`\n"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("pipelines/monorepo.ecspipe:6:10: note: stack directory `platform/bootstrap`\n"));
    assert_eq!(generated_files(dir.path()), Vec::<String>::new(), "nothing may be written");
}

#[test]
fn names_collide_across_files_with_a_note_in_the_first() {
    let dir = checkout_with_examples();
    let copy = fs::read_to_string(dir.path().join("pipelines/fargate-web.ecspipe")).expect("read");
    fs::write(dir.path().join("pipelines/zz-copy.ecspipe"), copy).expect("write");
    let run = ecspipe(dir.path(), &["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // Each collision is reported at the copy, with a note at the original.
    for (error, note) in [
        ("pipelines/zz-copy.ecspipe:4:10: error[E011]: two pipelines write the workflow `app-ci-cd`", "pipelines/fargate-web.ecspipe:4:10: note: first pipeline"),
        ("pipelines/zz-copy.ecspipe:15:3: error[E011]: the infrastructure and the infrastructure in pipelines/fargate-web.ecspipe both use the stack directory `infra`", "pipelines/fargate-web.ecspipe:15:3: note: stack directory `infra`"),
    ] {
        let at = run.stderr.find(error).unwrap_or_else(|| panic!("no `{error}` in\n{}", run.stderr));
        assert!(run.stderr[at..].contains(note), "no `{note}` after `{error}` in\n{}", run.stderr);
    }
    assert!(run.stderr.ends_with("error: pipelines/zz-copy.ecspipe has 3 errors\n"), "{}", run.stderr);
    assert!(!run.stderr.contains("fargate-web.ecspipe has"), "the original has no errors of its own");

    // The machine formats name the other file too.
    let run = ecspipe(dir.path(), &["--message-format", "json", "check"]);
    let first: serde_json::Value = serde_json::from_str(run.stdout.lines().next().expect("a line")).expect("JSON");
    assert_eq!(first["file"], "pipelines/zz-copy.ecspipe");
    assert_eq!(first["notes"][0]["file"], "pipelines/fargate-web.ecspipe");
    assert_eq!(first["notes"][0]["span"]["line"], 4);
    let run = ecspipe(dir.path(), &["--message-format", "github", "check"]);
    assert!(
        run.stdout
            .lines()
            .next()
            .expect("a line")
            .ends_with("%0Anote: first pipeline at pipelines/fargate-web.ecspipe:4:10"),
        "{}",
        run.stdout
    );
}

#[test]
fn debug_prints_each_stage() {
    let dir = checkout_with_examples();
    for (stage, needles) in [
        ("ast", ["ast:", "kind: quantity", "span: 4:1-4:9"]),
        ("model", ["pipelines:\n  - name: docker-build-deploy\n", "region: us-east-2", "handoff_keys:"]),
        ("ir", ["programs:\n  - workflow:\n", "infras:", "stacks:"]),
    ] {
        let run = ecspipe(dir.path(), &["debug", stage, "pipelines/fargate-web.ecspipe"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        for needle in needles {
            assert!(run.stdout.contains(needle), "debug {stage} lacks {needle:?}:\n{}", run.stdout);
        }
        // The outline is the JSON document's content, not Rust's debug notation.
        assert!(!run.stdout.contains(" {\n"), "debug {stage} prints Rust debug notation");
    }
}

#[test]
fn a_file_that_is_not_utf8_is_named_and_nothing_is_written() {
    let dir = checkout_with_examples();
    // Latin-1 `é`: the most common way a file stops being UTF-8.
    fs::write(dir.path().join("pipelines/latin1.ecspipe"), b"pipeline caf\xe9 {\n  region us-east-2\n}\n")
        .expect("write");
    let run = ecspipe(dir.path(), &["check", "pipelines/latin1.ecspipe"]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""));
    assert_eq!(run.stderr, "error: pipelines/latin1.ecspipe is not UTF-8 text\n");
    // Found in a directory beside valid pipelines, it stops the build.
    let run = ecspipe(dir.path(), &["build"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "error: pipelines/latin1.ecspipe is not UTF-8 text\n");
    assert_eq!(generated_files(dir.path()), Vec::<String>::new(), "nothing may be written");
    // Binary junk too.
    fs::write(dir.path().join("junk.ecspipe"), [0xff, 0xfe, 0x00, 0x80, 0xc3]).expect("write");
    let run = ecspipe(dir.path(), &["check", "junk.ecspipe"]);
    assert_eq!((run.code, run.stderr.as_str()), (1, "error: junk.ecspipe is not UTF-8 text\n"));
}

#[test]
fn a_directory_with_other_files_but_no_pipelines_is_an_error() {
    let dir = assert_fs::TempDir::new().expect("temp");
    let docs = dir.path().join("docs");
    fs::create_dir_all(docs.join("nested")).expect("mkdir");
    fs::write(docs.join("README.md"), "# docs\n").expect("write");
    fs::write(docs.join("web.ecspipe.bak"), "pipeline web {}\n").expect("write");
    fs::write(docs.join("ecspipe"), "pipeline web {}\n").expect("write");
    fs::write(docs.join("nested/ci.yml"), "on: push\n").expect("write");
    for command in ["build", "check"] {
        let run = ecspipe(dir.path(), &[command, "docs"]);
        assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{command}");
        assert_eq!(run.stderr, "error: no .ecspipe files in docs\n", "{command}");
    }
    // The default input, `pipelines/`, missing altogether.
    let run = ecspipe(dir.path(), &["check"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "error: cannot read pipelines: No such file or directory (os error 2)\n");
    assert_eq!(
        generated_files(dir.path()),
        vec!["docs/README.md", "docs/ecspipe", "docs/nested/ci.yml", "docs/web.ecspipe.bak"]
    );
}

#[test]
fn a_missing_file_stops_the_run_with_its_name() {
    let dir = checkout_with_examples();
    let run = ecspipe(dir.path(), &["build", "pipelines/worker.ecspipe", "pipelines/typo.ecspipe"]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""));
    assert_eq!(run.stderr, "error: cannot read pipelines/typo.ecspipe: No such file or directory (os error 2)\n");
    assert_eq!(generated_files(dir.path()), Vec::<String>::new(), "the valid input is not written either");
    let run = ecspipe(dir.path(), &["check", "no/such/dir"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "error: cannot read no/such/dir: No such file or directory (os error 2)\n");
}

#[test]
fn an_empty_or_blank_file_declares_no_pipeline() {
    let dir = assert_fs::TempDir::new().expect("temp");
    fs::write(dir.path().join("empty.ecspipe"), "").expect("write");
    let run = ecspipe(dir.path(), &["check", "empty.ecspipe"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "empty.ecspipe:1:1: error[E004]: the file declares no pipeline\n   ╭─[empty.ecspipe:1:1]\n   ╰────\n  help: start with `pipeline NAME { ... }`; see the book's getting-started page\nerror: empty.ecspipe has 1 error\n"
    );
    // Blank lines, comments, semicolons and a byte order mark are nothing too.
    for (name, text) in [
        ("blank.ecspipe", " \n\t\n\r\n"),
        ("comments.ecspipe", "# a pipeline will go here\n\n# later\n"),
        ("separators.ecspipe", ";;\n; ;\n"),
        ("bom.ecspipe", "\u{feff}\n"),
    ] {
        fs::write(dir.path().join(name), text).expect("write");
        let run = ecspipe(dir.path(), &["check", name]);
        assert_eq!(run.code, 1, "{name}");
        assert!(
            run.stderr.starts_with(&format!("{name}:1:1: error[E004]: the file declares no pipeline\n")),
            "{name}: {}",
            run.stderr
        );
        assert!(run.stderr.ends_with(&format!("error: {name} has 1 error\n")), "{name}: {}", run.stderr);
    }
}
