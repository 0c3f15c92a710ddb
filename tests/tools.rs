//! The outputs pass the real tools: terraform fmt/init/validate against the
//! AWS provider mirror, actionlint (with shellcheck), zizmor, yamllint, and a
//! serde_yaml parse-back. Nothing is mocked.

use std::fs;
use std::path::Path;

use crate::support::*;

/// A Terraform CLI config that installs the AWS provider from the local
/// filesystem mirror (the registry is unreachable here).
fn terraform_config(dir: &Path) -> String {
    let mirror = std::env::var("ECSPIPE_TF_MIRROR").unwrap_or_else(|_| String::from("/opt/tf-plugins"));
    assert!(
        Path::new(&mirror).join("registry.terraform.io/hashicorp/aws").is_dir(),
        "the AWS provider mirror is missing at {mirror}; see README"
    );
    let config = dir.join("terraform.rc");
    fs::write(
        &config,
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{mirror}\"\n    include = [\"registry.terraform.io/hashicorp/*\"]\n  }}\n  direct {{\n    exclude = [\"registry.terraform.io/hashicorp/*\"]\n  }}\n}}\n"
        ),
    )
    .expect("write terraform.rc");
    config.to_string_lossy().into_owned()
}

#[test]
fn every_stack_passes_terraform_fmt_init_and_validate() {
    let dir = built_examples();
    let config_dir = assert_fs::TempDir::new().expect("temp dir");
    let config = terraform_config(config_dir.path());
    let terraform = tool("terraform");
    let env = [("TF_CLI_CONFIG_FILE", config.as_str()), ("TF_IN_AUTOMATION", "1"), ("CHECKPOINT_DISABLE", "1")];
    let stacks = stacks(dir.path());
    assert!(stacks.len() >= 3, "expected a stack per example, found {stacks:?}");
    for stack in stacks {
        let name = stack.strip_prefix(dir.path()).expect("inside").display().to_string();
        let (code, output) = run_tool(&terraform, &["fmt", "-check", "-diff", "-no-color"], &stack, &env);
        assert_eq!(code, 0, "terraform fmt -check failed for {name}:\n{output}");
        let (code, output) =
            run_tool(&terraform, &["init", "-backend=false", "-input=false", "-no-color"], &stack, &env);
        assert_eq!(code, 0, "terraform init failed for {name}:\n{output}");
        let (code, output) = run_tool(&terraform, &["validate", "-no-color"], &stack, &env);
        assert_eq!(code, 0, "terraform validate failed for {name}:\n{output}");
        assert!(output.contains("The configuration is valid."), "{name}: {output}");
        assert!(!output.contains("Warning"), "terraform validate warned for {name}:\n{output}");
    }
}

#[test]
fn every_workflow_passes_actionlint_with_shellcheck() {
    let dir = built_examples();
    let actionlint = tool("actionlint");
    let shellcheck = tool("shellcheck");
    let workflows = workflows(dir.path());
    assert!(workflows.len() >= 3);
    let mut args =
        vec![String::from("-shellcheck"), shellcheck.to_string_lossy().into_owned(), String::from("-no-color")];
    args.extend(workflows.iter().map(|w| w.to_string_lossy().into_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, output) = run_tool(&actionlint, &args, dir.path(), &[]);
    assert_eq!(code, 0, "actionlint found problems:\n{output}");
    assert!(output.trim().is_empty(), "actionlint printed:\n{output}");
}

#[test]
fn every_workflow_passes_zizmor_with_zero_findings() {
    let dir = built_examples();
    let zizmor = tool("zizmor");
    for workflow in workflows(dir.path()) {
        let path = workflow.to_string_lossy().into_owned();
        // The auditor persona runs every audit, the pedantic ones and those
        // that need an auditor's judgement (secrets outside environments).
        let (code, output) =
            run_tool(&zizmor, &["--offline", "--persona=auditor", "--no-progress", &path], dir.path(), &[]);
        assert_eq!(code, 0, "zizmor found problems in {path}:\n{output}");
        assert!(output.contains("No findings to report"), "zizmor output for {path}:\n{output}");
        assert!(!output.contains("suppressed"), "zizmor suppressed findings in {path}:\n{output}");
    }
}

#[test]
fn every_workflow_passes_yamllint() {
    let dir = built_examples();
    let yamllint = tool("yamllint");
    for workflow in workflows(dir.path()) {
        let path = workflow.to_string_lossy().into_owned();
        // yamllint's own defaults: the one rule a workflow turns off, it turns off in the file.
        let (code, output) = run_tool(&yamllint, &["--strict", "-d", "default", &path], dir.path(), &[]);
        assert_eq!(code, 0, "yamllint found problems in {path}:\n{output}");
    }
}

#[test]
fn every_workflow_parses_back_with_pinned_actions_and_least_privilege() {
    let dir = built_examples();
    for workflow in workflows(dir.path()) {
        let text = fs::read_to_string(&workflow).expect("read");
        let yaml: serde_yaml::Value = serde_yaml::from_str(&text).expect("valid YAML");
        let name = workflow.display();
        assert_eq!(
            yaml["permissions"],
            serde_yaml::Value::Mapping(Default::default()),
            "{name}: workflow permissions must be {{}}"
        );
        let jobs = yaml["jobs"].as_mapping().expect("jobs");
        assert!(!jobs.is_empty());
        for (id, job) in jobs {
            let permissions =
                job["permissions"].as_mapping().unwrap_or_else(|| panic!("{name}: job {id:?} sets no permissions"));
            for (scope, access) in permissions {
                let allowed = matches!(
                    (scope.as_str(), access.as_str()),
                    (Some("contents"), Some("read"))
                        | (Some("id-token"), Some("write"))
                        | (Some("security-events"), Some("write"))
                        | (Some("pull-requests"), Some("write"))
                );
                assert!(allowed, "{name}: job {id:?} asks for {scope:?}: {access:?}");
            }
            for step in job["steps"].as_sequence().expect("steps") {
                if let Some(uses) = step["uses"].as_str() {
                    let (_, sha) = uses.split_once('@').expect("uses has a ref");
                    assert!(
                        sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()),
                        "{name}: {uses} is not pinned by SHA"
                    );
                    let line = text.lines().find(|line| line.contains(uses)).expect("line");
                    assert!(line.contains("  # v"), "{name}: {uses} lacks its version comment");
                }
                if let Some(run) = step["run"].as_str() {
                    assert!(!run.contains("${{"), "{name}: an expression inside a run script: {run}");
                }
            }
        }
    }
}

/// The checkov results of one example.
struct CheckovReport {
    passed: u64,
    failed: Vec<String>,
    skipped: Vec<(String, String, String)>,
}

fn checkov(dir: &Path) -> CheckovReport {
    let checkov = tool("checkov");
    let path = dir.to_string_lossy().into_owned();
    let (_, output) = run_tool(
        &checkov,
        // Not --quiet: it leaves the skipped checks out of the JSON.
        &["-d", &path, "--framework", "terraform", "--compact", "-o", "json", "--skip-download"],
        dir,
        &[("BC_SKIP_MAPPING", "TRUE"), ("CHECKOV_RUN_SCA_PACKAGE_SCAN_V2", "false")],
    );
    let json_start = output.find(['{', '[']).unwrap_or_else(|| panic!("checkov printed no JSON:\n{output}"));
    let mut stream = serde_json::Deserializer::from_str(&output[json_start..]).into_iter::<serde_json::Value>();
    let value = stream.next().expect("a JSON document").expect("valid JSON");
    let reports = match value {
        serde_json::Value::Array(reports) => reports,
        report => vec![report],
    };
    let mut result = CheckovReport { passed: 0, failed: Vec::new(), skipped: Vec::new() };
    for report in reports {
        assert_eq!(report["check_type"], "terraform", "unexpected checkov report: {report}");
        assert_eq!(report["summary"]["parsing_errors"], 0, "checkov could not parse a stack: {report}");
        result.passed += report["summary"]["passed"].as_u64().expect("passed count");
        let results = &report["results"];
        for failed in results["failed_checks"].as_array().into_iter().flatten() {
            result.failed.push(format!("{} {} ({})", failed["check_id"], failed["resource"], failed["file_path"]));
        }
        for skipped in results["skipped_checks"].as_array().into_iter().flatten() {
            result.skipped.push((
                skipped["check_id"].as_str().unwrap_or_default().to_owned(),
                skipped["resource"].as_str().unwrap_or_default().to_owned(),
                skipped["check_result"]["suppress_comment"].as_str().unwrap_or_default().to_owned(),
            ));
        }
    }
    result
}

/// checkov passes every stack of every example; the only skips are the
/// ones the pipeline made explicit (or the design documents), each with
/// its reason. The table of skips is printed (scripts/test shows it).
#[test]
fn every_stack_passes_checkov_with_only_reasoned_skips() {
    let mut table = String::from("\ncheckov per example (terraform framework):\n");
    table.push_str(&format!("{:<14} {:>7} {:>7} {:>8}\n", "example", "passed", "failed", "skipped"));
    let mut failures = Vec::new();
    for example in pipelines() {
        let name = example.file_stem().expect("stem").to_string_lossy().into_owned();
        let dir = assert_fs::TempDir::new().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("pipelines")).expect("mkdir");
        std::fs::copy(&example, dir.path().join("pipelines").join(example.file_name().expect("name"))).expect("copy");
        let run = ecspipe(dir.path(), &["build"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let report = checkov(dir.path());
        assert!(report.passed > 40, "{name}: checkov ran only {} checks", report.passed);
        table.push_str(&format!(
            "{:<14} {:>7} {:>7} {:>8}\n",
            name,
            report.passed,
            report.failed.len(),
            report.skipped.len()
        ));
        for (check, resource, reason) in &report.skipped {
            table.push_str(&format!("    skip {check} on {resource}: {reason}\n"));
            if reason.trim().len() < 8 {
                failures.push(format!("{name}: {check} on {resource} is skipped without a reason"));
            }
        }
        failures.extend(report.failed.iter().map(|failed| format!("{name}: {failed}")));
    }
    println!("{table}");
    assert!(failures.is_empty(), "checkov failures:\n{}\n{table}", failures.join("\n"));
}
