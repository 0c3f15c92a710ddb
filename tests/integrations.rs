//! The CI integrations a user adds to their own repository: the composite
//! GitHub Action (`action.yml`) and the pre-commit hooks
//! (`.pre-commit-hooks.yaml`). Their scripts run here for real, the way
//! GitHub and pre-commit run them, against a checkout with current and with
//! stale outputs.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::support::*;

fn yaml(path: &str) -> serde_yaml::Value {
    serde_yaml::from_str(&fs::read_to_string(root().join(path)).expect(path)).expect(path)
}

/// Runs a composite step's script the way GitHub does for `shell: bash`.
fn run_step(script: &str, dir: &Path, env: &[(String, String)]) -> (i32, String) {
    let output = Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
        .current_dir(dir)
        .envs(env.iter().map(|(key, value)| (key.as_str(), value.as_str())))
        .env("NO_COLOR", "1")
        .output()
        .expect("bash runs");
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.code().unwrap_or(-1), text)
}

/// A step's `env`, with `${{ inputs.NAME }}` replaced by `inputs`' value
/// (or the input's default) and `${{ github.action_path }}` by the repository.
fn step_env(step: &serde_yaml::Value, action: &serde_yaml::Value, inputs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut env = Vec::new();
    for (key, value) in step["env"].as_mapping().into_iter().flatten() {
        let value = value.as_str().expect("env values are strings");
        let expression = value.strip_prefix("${{ ").and_then(|rest| rest.strip_suffix(" }}"));
        let expression = expression.unwrap_or_else(|| panic!("env value {value:?} is not one whole expression"));
        let resolved = match expression.strip_prefix("inputs.") {
            Some(input) => inputs
                .iter()
                .find(|(name, _)| *name == input)
                .map(|(_, value)| (*value).to_owned())
                .unwrap_or_else(|| {
                    action["inputs"][input]["default"].as_str().unwrap_or_else(|| panic!("no input {input}")).to_owned()
                }),
            None if expression == "github.action_path" => root().display().to_string(),
            None => panic!("unexpected expression {expression}"),
        };
        env.push((key.as_str().expect("key").to_owned(), resolved));
    }
    env
}

#[test]
fn the_action_passes_the_linters_and_keeps_expressions_out_of_scripts() {
    let zizmor = tool("zizmor");
    let (code, output) =
        run_tool(&zizmor, &["--offline", "--persona=auditor", "--no-progress", "action.yml"], root(), &[]);
    assert_eq!(code, 0, "zizmor on action.yml:\n{output}");
    assert!(output.contains("No findings to report"), "{output}");
    for file in ["action.yml", ".pre-commit-hooks.yaml"] {
        let (code, output) = run_tool(&tool("yamllint"), &["--strict", "-d", "default", file], root(), &[]);
        assert_eq!(code, 0, "yamllint on {file}:\n{output}");
    }
    let action = yaml("action.yml");
    assert_eq!(action["runs"]["using"], "composite");
    let shellcheck = tool("shellcheck");
    for step in action["runs"]["steps"].as_sequence().expect("steps") {
        let script = step["run"].as_str().expect("every step runs a script");
        assert!(!script.contains("${{"), "an expression inside a script: {script}");
        assert_eq!(step["shell"], "bash");
        let file = assert_fs::NamedTempFile::new("step.sh").expect("temp");
        fs::write(file.path(), format!("#!/usr/bin/env bash\n{script}")).expect("write");
        let path = file.path().display().to_string();
        let (code, output) = run_tool(&shellcheck, &[&path], root(), &[]);
        assert_eq!(code, 0, "shellcheck on the step {:?}:\n{output}", step["name"]);
    }
}

#[test]
fn the_action_fails_on_a_stale_file_with_an_annotation() {
    let action = yaml("action.yml");
    let steps = action["runs"]["steps"].as_sequence().expect("steps");
    let check = steps.iter().find(|step| step["name"] == "Check the generated files").expect("a check step");
    let dir = built_examples();
    // Where the install step puts the binary: `cargo install --root "$RUNNER_TEMP/ecspipe"`.
    let runner_temp = assert_fs::TempDir::new().expect("temp");
    let install = steps.iter().find(|step| step["name"] == "Install ecspipe").expect("an install step");
    assert!(install["run"].as_str().expect("script").contains("--root \"$RUNNER_TEMP/ecspipe\""));
    fs::create_dir_all(runner_temp.path().join("ecspipe/bin")).expect("mkdir");
    fs::copy(env!("CARGO_BIN_EXE_ecspipe"), runner_temp.path().join("ecspipe/bin/ecspipe")).expect("copy");
    let script = check["run"].as_str().expect("script");

    let mut env = step_env(check, &action, &[]);
    env.push(("RUNNER_TEMP".to_owned(), runner_temp.path().display().to_string()));
    let (code, output) = run_step(script, dir.path(), &env);
    assert_eq!(code, 0, "the action fails on current outputs:\n{output}");

    let mut env = step_env(check, &action, &[("pipelines", "pipelines/worker.ecspipe pipelines/monorepo.ecspipe")]);
    env.push(("RUNNER_TEMP".to_owned(), runner_temp.path().display().to_string()));
    let (code, output) = run_step(script, dir.path(), &env);
    assert_eq!(code, 0, "two pipelines by name:\n{output}");

    let path = dir.path().join("pipelines/worker.ecspipe");
    let text = fs::read_to_string(&path).expect("read");
    fs::write(&path, text.replace("count 3", "count 4")).expect("write");
    let (code, output) = run_step(script, dir.path(), &env);
    assert_eq!(code, 1, "the action passes on a stale file:\n{output}");
    assert!(output.contains("::error file=services/worker/deploy/ecs.tf,"), "{output}");
}

#[test]
fn each_pre_commit_hook_runs_its_entry_as_pre_commit_would() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_sequence().expect("a list of hooks");
    assert!(!hooks.is_empty());
    for hook in hooks {
        let id = hook["id"].as_str().expect("id");
        assert_eq!(hook["language"], "rust", "{id}: pre-commit installs the hook's repository with cargo");
        let entry: Vec<&str> = hook["entry"].as_str().expect("entry").split_whitespace().collect();
        assert_eq!(entry[0], "ecspipe", "{id}");
        let dir = built_examples();
        let run = ecspipe(dir.path(), &entry[1..]);
        assert_eq!(run.code, 0, "{id} fails on a clean checkout:\n{}{}", run.stdout, run.stderr);
        if id == "ecspipe-check" {
            assert_eq!(hook["pass_filenames"], false, "check compares every output, not the files staged");
            let path = dir.path().join("pipelines/worker.ecspipe");
            let text = fs::read_to_string(&path).expect("read");
            fs::write(&path, text.replace("count 3", "count 4")).expect("write");
            let run = ecspipe(dir.path(), &entry[1..]);
            assert_eq!(run.code, 1, "{id} passes on a stale output");
        }
        if id == "ecspipe-fmt" {
            // pre-commit passes the staged pipelines and fails if the hook changed one.
            assert!(hook["pass_filenames"].is_null(), "fmt formats the files staged");
            let path = dir.path().join("pipelines/worker.ecspipe");
            let text = fs::read_to_string(&path).expect("read");
            fs::write(&path, text.replacen("region ", "region    ", 1)).expect("write");
            let run = ecspipe(dir.path(), &[&entry[1..], &["pipelines/worker.ecspipe"]].concat());
            assert_eq!(run.code, 0, "{}", run.stderr);
            assert_eq!(fs::read_to_string(&path).expect("read"), text, "{id} did not restore the layout");
        }
    }
}
