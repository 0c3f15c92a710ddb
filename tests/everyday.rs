//! The everyday commands around the compiler: `init`, `completions`,
//! `man`, and the global `--quiet` and `--color`.

use std::fs;
use std::process::Command;

use crate::support::*;

/// Every command the clap definition has, as `--help` lists them.
fn commands() -> Vec<String> {
    let run = ecspipe(root(), &["--help"]);
    let listing = run.stdout.split("Commands:\n").nth(1).expect("a command list").split("\n\n").next().expect("list");
    listing
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn init_writes_a_pipeline_that_compiles_and_never_overwrites() {
    let dir = assert_fs::TempDir::new().expect("temp");
    let repo = dir.path().join("Shop_Front");
    for path in ["web", "services/worker", "node_modules/left-out", ".hidden"] {
        fs::create_dir_all(repo.join(path)).expect("mkdir");
        fs::write(repo.join(path).join("Dockerfile"), "FROM scratch\n").expect("write");
    }
    // No region and no terminal: say which flag is missing.
    let run = ecspipe(&repo, &["init"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--region is missing"), "{}", run.stderr);
    let run = ecspipe(&repo, &["init", "--region", "eu-west-1", "--role", "secret.DEPLOY", "--repository", "front"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "wrote pipelines/shop-front.ecspipe: 2 images (services/worker, web)\n\
         next: check the state bucket and the role, then run `ecspipe build` and commit what it writes\n"
    );
    let text = fs::read_to_string(repo.join("pipelines/shop-front.ecspipe")).expect("written");
    for expected in
        ["region eu-west-1", "secret.DEPLOY", "context    \"web\"", "repository front\n", "repository front-web"]
    {
        assert!(text.contains(expected), "{expected} missing:\n{text}");
    }
    assert!(!text.contains("left-out") && !text.contains("hidden"), "{text}");
    // What it writes compiles, and is formatted.
    let run = ecspipe(&repo, &["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(ecspipe(&repo, &["check"]).code, 0);
    assert_eq!(ecspipe(&repo, &["fmt", "--check"]).code, 0);
    // Never over an existing pipeline.
    fs::write(repo.join("pipelines/shop-front.ecspipe"), "# mine\n").expect("write");
    let run = ecspipe(&repo, &["init", "--region", "eu-west-1"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("exists; ecspipe init never overwrites"), "{}", run.stderr);
    assert_eq!(fs::read_to_string(repo.join("pipelines/shop-front.ecspipe")).expect("read"), "# mine\n");
    // A region the checker refuses: nothing is written.
    let run = ecspipe(&repo, &["init", "--region", "mars-1", "--name", "other"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!repo.join("pipelines/other.ecspipe").exists());
    // No Dockerfile: nothing to deploy.
    let empty = dir.path().join("empty");
    fs::create_dir_all(&empty).expect("mkdir");
    let run = ecspipe(&empty, &["init", "--region", "eu-west-1"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("no Dockerfile"), "{}", run.stderr);
}

#[test]
fn completions_and_the_man_page_cover_every_command() {
    let commands = commands();
    for expected in ["build", "check", "fmt", "init", "graph", "explain", "debug", "completions", "man"] {
        assert!(commands.iter().any(|c| c == expected), "{expected} not in {commands:?}");
    }
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = ecspipe(root(), &["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        for command in &commands {
            assert!(run.stdout.contains(command.as_str()), "{shell} completions lack {command}");
        }
        assert!(run.stdout.contains("color") && run.stdout.contains("quiet"), "{shell}");
    }
    let bash = ecspipe(root(), &["completions", "bash"]).stdout;
    let dir = assert_fs::TempDir::new().expect("temp");
    fs::write(dir.path().join("ecspipe.bash"), &bash).expect("write");
    let status = Command::new("bash").arg("-n").arg(dir.path().join("ecspipe.bash")).status().expect("bash");
    assert!(status.success(), "the bash completions do not parse");
    assert_eq!(ecspipe(root(), &["completions", "tcsh"]).code, 2);
    // The README's usage block lists them all.
    let readme = fs::read_to_string(root().join("README.md")).expect("README");
    let usage = readme.split("## Usage").nth(1).expect("a usage section").split("```").nth(1).expect("a block");
    for command in &commands {
        assert!(usage.contains(&format!("ecspipe {command} ")), "the README's usage block lacks {command}");
    }

    let run = ecspipe(root(), &["man"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with(".ie") && run.stdout.contains(".TH ecspipe 1"), "{}", run.stdout);
    for command in &commands {
        assert!(run.stdout.contains(&format!(".SS \"ecspipe {command}\"")), "man page lacks {command}");
    }
    assert!(run.stdout.contains("\\-\\-check") && run.stdout.contains("\\-\\-region"), "options missing");
    // groff reads it without a warning.
    fs::write(dir.path().join("ecspipe.1"), &run.stdout).expect("write");
    if let Ok(output) =
        Command::new("groff").args(["-man", "-Tutf8", "-ww", "-z"]).arg(dir.path().join("ecspipe.1")).output()
    {
        assert!(output.status.success() && output.stderr.is_empty(), "{}", String::from_utf8_lossy(&output.stderr));
    }
}

const BAD: &str = "pipeline web {\n  region us-east-2\n  role secret.R\n  build web { repository Web }\n}\n";

#[test]
fn color_follows_the_flag_and_no_color_and_quiet_keeps_only_errors() {
    let dir = assert_fs::TempDir::new().expect("temp");
    fs::write(dir.path().join("bad.ecspipe"), BAD).expect("write");
    let colored = |args: &[&str], no_color: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ecspipe"));
        command.args(args).arg("check").arg("bad.ecspipe").current_dir(dir.path()).env_remove("NO_COLOR");
        if let Some(value) = no_color {
            command.env("NO_COLOR", value);
        }
        let output = command.output().expect("runs");
        assert_eq!(output.status.code(), Some(1));
        String::from_utf8(output.stderr).expect("UTF-8").contains("\u{1b}[")
    };
    assert!(colored(&["--color", "always"], None));
    assert!(colored(&["--color", "always"], Some("1")), "an explicit --color always wins over NO_COLOR");
    assert!(!colored(&["--color", "never"], None));
    // `auto` (the default) colours terminals only: stderr is a pipe here.
    assert!(!colored(&[], None));
    assert!(!colored(&["--color", "auto"], Some("1")));
    assert_eq!(ecspipe(dir.path(), &["--color", "sometimes", "check"]).code, 2);

    // --quiet: no progress or summary, errors still.
    let repo = checkout_with_examples();
    let run = ecspipe(repo.path(), &["build", "--quiet"]);
    assert_eq!((run.code, run.stdout.as_str(), run.stderr.as_str()), (0, "", ""));
    let run = ecspipe(repo.path(), &["-q", "check"]);
    assert_eq!((run.code, run.stdout.as_str(), run.stderr.as_str()), (0, "", ""));
    let loud = ecspipe(repo.path(), &["check"]);
    assert!(loud.stdout.ends_with("files are current\n"), "{}", loud.stdout);
    let run = ecspipe(dir.path(), &["check", "bad.ecspipe", "--quiet"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("E009"), "{}", run.stderr);
}

#[test]
fn sarif_is_one_log_of_diagnostics_drift_and_unformatted_files() {
    let dir = assert_fs::TempDir::new().expect("temp");
    fs::write(dir.path().join("bad.ecspipe"), BAD).expect("write");
    let log = |run: &Run| -> serde_json::Value { serde_json::from_str(&run.stdout).expect("one JSON document") };
    let run = ecspipe(dir.path(), &["check", "bad.ecspipe", "--message-format", "sarif"]);
    assert_eq!((run.code, run.stderr.as_str()), (1, ""));
    let document = log(&run);
    assert_eq!(document["version"], "2.1.0");
    let results = document["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!(results[0]["ruleId"], "E009");
    assert_eq!(results[0]["locations"][0]["physicalLocation"]["region"]["startLine"], 4);

    let repo = built_examples();
    let run = ecspipe(repo.path(), &["check", "--message-format", "sarif"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(log(&run)["runs"][0]["results"], serde_json::json!([]));
    let path = repo.path().join("pipelines/worker.ecspipe");
    let text = fs::read_to_string(&path).expect("read");
    fs::write(&path, text.replace("count 3", "count 4")).expect("write");
    let run = ecspipe(repo.path(), &["check", "--message-format", "sarif"]);
    assert_eq!(run.code, 1);
    let document = log(&run);
    let results = document["runs"][0]["results"].as_array().expect("results");
    assert!(results.iter().all(|result| result["ruleId"] == "stale") && !results.is_empty(), "{results:?}");
    // A build's progress stays out of the log.
    let run = ecspipe(repo.path(), &["build", "--message-format", "sarif"]);
    assert_eq!(run.code, 0);
    assert_eq!(log(&run)["runs"][0]["results"], serde_json::json!([]));
    // An unformatted file is a result, not a line before the log.
    fs::write(&path, text.replacen("region ", "region  ", 1)).expect("write");
    let run = ecspipe(repo.path(), &["fmt", "--check", "--message-format", "sarif"]);
    assert_eq!(run.code, 1);
    let document = log(&run);
    let message = &document["runs"][0]["results"][0]["message"]["text"];
    assert_eq!(message, "pipelines/worker.ecspipe is not formatted; run `ecspipe fmt`");
}
