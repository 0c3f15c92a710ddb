//! Every example's workflow replayed in each kind of run GitHub can start:
//! a pull request from the repository and from a fork, a push to the apply
//! branch and to another branch, a manual run on each. GitHub's own workflow
//! parser and expression evaluator (`tests/replay/`, from npm) decide which
//! jobs run, in which environment, which role each asks for with which token
//! subject, and whether anything applies or pushes. The tables land in the
//! book (`book/src/reference/runs.md`), so the page is what the evaluator
//! says; `ECSPIPE_BLESS=1` rewrites them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::support::*;

/// The repository a pipeline without an `oidc` block is taken to live in.
const REPOSITORY: &str = "acme/app";

/// A run context, as `replay.mjs` reads it.
fn run(label: &str, event: &str, branch: &str, fork: bool, repository: &str) -> Value {
    let (reference, base) = match event {
        "pull_request" => ("refs/pull/7/merge".to_owned(), branch),
        _ => (format!("refs/heads/{branch}"), ""),
    };
    json!({"label": label, "event_name": event, "ref": reference, "base_ref": base, "fork": fork,
           "repository": repository})
}

/// What the pipeline says about its runs: the apply branch, the other
/// branches whose pushes start it, the repository, the workflow file, the
/// roles that can apply; and, from the IR, each job's variant.
struct Pipeline {
    workflow: String,
    /// Both variants of every infrastructure job.
    infra_jobs: Vec<String>,
    apply_branch: String,
    other_push_branches: Vec<String>,
    repository: String,
    /// Every role a job that applies or pushes assumes, as the workflow
    /// names it (`secrets.NAME`, `vars.NAME` or the ARN).
    apply_roles: BTreeSet<String>,
    /// Every GitHub environment a job that applies or pushes runs in.
    apply_environments: BTreeSet<String>,
    /// Each job that comes in two variants: whether this one applies.
    applies: BTreeMap<String, bool>,
    /// With an `oidc` block: the conditions of the apply role's trust
    /// policy, as the bootstrap stack writes them.
    apply_trust: Option<Vec<Value>>,
}

/// The prefix of the GitHub claims in a trust policy's condition keys.
const CLAIM: &str = "token.actions.githubusercontent.com:";

/// Whether a token with these claims meets every condition of a trust
/// policy, as STS decides it: a claim the token lacks meets none.
fn admits(trust: &[Value], claims: &BTreeMap<String, String>) -> bool {
    trust.iter().all(|condition| {
        let variable = condition["variable"].as_str().expect("variable");
        let key = variable.strip_prefix(CLAIM).unwrap_or_else(|| panic!("not a GitHub claim: {variable}"));
        let Some(claim) = claims.get(key) else { return false };
        let mut values = condition["values"].as_array().expect("values").iter().map(|v| v.as_str().expect("value"));
        match condition["test"].as_str().expect("test") {
            "StringEquals" => values.any(|value| value == claim),
            "StringLike" => values.any(|pattern| like(pattern, claim)),
            test => panic!("the replay does not evaluate {test}"),
        }
    })
}

/// IAM's `StringLike`: `*` matches any run of characters, `?` one.
fn like(pattern: &str, text: &str) -> bool {
    match pattern.chars().next() {
        None => text.is_empty(),
        Some('*') => (0..=text.len()).filter(|i| text.is_char_boundary(*i)).any(|i| like(&pattern[1..], &text[i..])),
        Some(c) => {
            let Some(first) = text.chars().next() else { return false };
            (c == '?' || c == first) && like(&pattern[c.len_utf8()..], &text[first.len_utf8()..])
        }
    }
}

/// The claims of a token GitHub issues to a job of `run` that runs in
/// `environment`, whatever job it is: what a workflow edited on the run's
/// branch could present.
fn token_claims(pipeline: &Pipeline, run: &Value, environment: Option<&str>) -> BTreeMap<String, String> {
    let repository = &pipeline.repository;
    let reference = run["ref"].as_str().expect("ref");
    let subject = match environment {
        Some(environment) => format!("repo:{repository}:environment:{environment}"),
        None if run["event_name"] == "pull_request" => format!("repo:{repository}:pull_request"),
        None => format!("repo:{repository}:ref:{reference}"),
    };
    let mut claims: BTreeMap<String, String> = [
        ("aud", String::from("sts.amazonaws.com")),
        ("sub", subject),
        ("ref", reference.to_owned()),
        ("repository", repository.clone()),
        ("job_workflow_ref", format!("{repository}/{}@{reference}", pipeline.workflow)),
    ]
    .into_iter()
    .map(|(key, value)| (key.to_owned(), value))
    .collect();
    if let Some(environment) = environment {
        claims.insert(String::from("environment"), environment.to_owned());
    }
    claims
}

/// A role as `role-to-assume` names it.
fn role_text(role: &Value) -> String {
    let value = role["value"].as_str().expect("a role's value");
    match role["kind"].as_str().expect("a role's kind") {
        "secret" => format!("secrets.{value}"),
        "variable" => format!("vars.{value}"),
        _ => value.to_owned(),
    }
}

/// A branch a filter pattern matches: `release/*` gives `release/x`.
fn branch_matching(pattern: &str) -> String {
    pattern.replace("**", "x/y").replace(['*', '?'], "x")
}

fn pipeline(dir: &Path, source: &str) -> Pipeline {
    let model = ecspipe(dir, &["debug", "model", source, "--format", "json"]);
    assert_eq!(model.code, 0, "{}", model.stderr);
    let model: Value = serde_json::from_str(&model.stdout).expect("JSON");
    let pipeline = &model["pipelines"][0];
    let branches: BTreeSet<&str> = pipeline["deploys"]
        .as_array()
        .expect("deploys")
        .iter()
        .map(|deploy| deploy["apply_branch"].as_str().expect("apply_branch"))
        .collect();
    assert_eq!(branches.len(), 1, "{source}: one apply branch per pipeline, got {branches:?}");
    let apply_branch = branches.first().expect("one").to_string();
    let push = pipeline["triggers"]["push"].as_array().into_iter().flatten();
    let other_push_branches = push
        .map(|pattern| branch_matching(pattern.as_str().expect("a branch pattern")))
        .filter(|branch| *branch != apply_branch)
        .collect();
    let targets = ["infras", "deploys"]
        .iter()
        .flat_map(|kind| pipeline[kind].as_array().expect("targets"))
        .map(|target| &target["target"]["role"]);
    let builds = pipeline["builds"].as_array().expect("builds").iter();
    let apply_roles = targets.chain(builds.clone().map(|build| &build["role"])).map(role_text).collect();
    let apply_environments = ["infras", "deploys"]
        .iter()
        .flat_map(|kind| pipeline[kind].as_array().expect("targets"))
        .map(|target| &target["target"]["environment"])
        .chain(builds.map(|build| &build["environment"]))
        .filter_map(|environment| environment.as_str().map(str::to_owned))
        .collect();
    let ir = ecspipe(dir, &["debug", "ir", source, "--format", "json"]);
    assert_eq!(ir.code, 0, "{}", ir.stderr);
    let ir: Value = serde_json::from_str(&ir.stdout).expect("JSON");
    let workflow = &ir["programs"][0]["workflow"];
    let jobs_of = |kind: &str| workflow[kind].as_array().expect("jobs").clone();
    let applies = ["infras", "builds", "manifests", "deploys"]
        .iter()
        .flat_map(|kind| jobs_of(kind))
        .map(|job| (job["id"].as_str().expect("id").to_owned(), job["applies"].as_bool().expect("applies")))
        .collect();
    Pipeline {
        infra_jobs: jobs_of("infras").iter().map(|job| job["id"].as_str().expect("id").to_owned()).collect(),
        apply_roles,
        apply_environments,
        applies,
        apply_trust: pipeline["oidc"]["apply_trust"].as_array().cloned(),
        other_push_branches,
        workflow: format!(".github/workflows/{}.yml", pipeline["workflow_file"].as_str().expect("workflow_file")),
        apply_branch,
        repository: pipeline["oidc"]["repository"].as_str().unwrap_or(REPOSITORY).to_owned(),
    }
}

/// The contexts every workflow is replayed in.
fn contexts(pipeline: &Pipeline) -> Vec<Value> {
    let (apply, repository) = (pipeline.apply_branch.as_str(), pipeline.repository.as_str());
    vec![
        run("pull request", "pull_request", apply, false, repository),
        run("pull request from a fork", "pull_request", apply, true, repository),
        run(&format!("push to `{apply}`"), "push", apply, false, repository),
        run("push to `feature/x`", "push", "feature/x", false, repository),
        run(&format!("manual run on `{apply}`"), "workflow_dispatch", apply, false, repository),
        run("manual run on `feature/x`", "workflow_dispatch", "feature/x", false, repository),
    ]
    .into_iter()
    .chain(
        pipeline
            .other_push_branches
            .iter()
            .map(|branch| run(&format!("push to `{branch}`"), "push", branch, false, repository)),
    )
    .chain((!pipeline.infra_jobs.is_empty()).then(|| {
        // Only the application changed: the infrastructure has nothing to
        // do, and what needs it must still run.
        let mut only_app =
            run(&format!("push to `{apply}`, infrastructure unchanged"), "push", apply, false, repository);
        only_app["unchanged"] = json!(pipeline.infra_jobs);
        only_app
    }))
    .collect()
}

/// Runs `replay.mjs` on one workflow.
fn replay(workflow: &Path, in_repository: &str, contexts: &[Value]) -> Vec<Value> {
    let dir = root().join("tests/replay");
    assert!(
        dir.join("node_modules/@actions/expressions").is_dir(),
        "tests/replay/node_modules is missing: run the test command from the README (scripts/test), which installs it"
    );
    let mut child = Command::new("node")
        .args(["--import", "./register.mjs", "replay.mjs"])
        .arg(workflow)
        .arg(in_repository)
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs (Node.js 20 is part of the machine)");
    let input = serde_json::to_vec(contexts).expect("JSON");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), &input).expect("write contexts");
    let output = child.wait_with_output().expect("node finishes");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "replay of {} failed:\n{stderr}", workflow.display());
    serde_json::from_slice::<Vec<Value>>(&output.stdout).expect("replay prints JSON")
}

fn text(value: &Value) -> Option<&str> {
    value.as_str()
}

/// The claims the replay gave a job's token, if it asked for a role.
fn claims_of(job: &Value) -> Option<BTreeMap<String, String>> {
    let claims = job["claims"].as_object()?;
    Some(claims.iter().map(|(key, value)| (key.clone(), value.as_str().expect("a claim").to_owned())).collect())
}

/// One row of an example's table.
fn row(pipeline: &Pipeline, result: &Value) -> String {
    let label = result["label"].as_str().expect("label");
    let trust_column = pipeline.apply_trust.is_some();
    if result["starts"] != true {
        return format!("| {label} | does not start | | |{}", if trust_column { " |" } else { "" });
    }
    let jobs = result["jobs"].as_array().expect("jobs");
    let ran: Vec<&str> = jobs.iter().filter(|job| job["runs"] == true).filter_map(|job| text(&job["job"])).collect();
    let credentials: Vec<String> = jobs
        .iter()
        .filter_map(|job| {
            let role = text(&job["role"])?;
            let subject = text(&job["subject"]).expect("a role comes with a subject");
            Some(format!("`{}`: `{role}` as `{subject}`", job["job"].as_str().expect("job")))
        })
        .collect();
    let effects: Vec<String> = jobs
        .iter()
        .flat_map(|job| {
            let id = job["job"].as_str().expect("job");
            [(job["applies"] == true, "applies"), (job["pushes"] == true, "pushes")]
                .into_iter()
                .filter(|(did, _)| *did)
                .map(move |(_, what)| format!("`{id}` {what}"))
        })
        .collect();
    let or_none = |items: Vec<String>| if items.is_empty() { String::from("none") } else { items.join("<br>") };
    let mut row = format!(
        "| {label} | {} | {} | {} |",
        ran.iter().map(|job| format!("`{job}`")).collect::<Vec<_>>().join(" "),
        or_none(credentials),
        or_none(effects)
    );
    if let Some(trust) = &pipeline.apply_trust {
        let admitted: Vec<String> = jobs
            .iter()
            .filter(|job| claims_of(job).is_some_and(|claims| admits(trust, &claims)))
            .map(|job| format!("`{}`", job["job"].as_str().expect("job")))
            .collect();
        row.push_str(&format!(" {} |", if admitted.is_empty() { String::from("none") } else { admitted.join(" ") }));
    }
    row
}

fn table(pipeline: &Pipeline, results: &[Value]) -> String {
    let mut table = String::from(if pipeline.apply_trust.is_some() {
        "| run | jobs that run | AWS credentials (job: role as token subject) | applies or pushes | tokens the apply role's trust admits |\n|---|---|---|---|---|\n"
    } else {
        "| run | jobs that run | AWS credentials (job: role as token subject) | applies or pushes |\n|---|---|---|---|\n"
    });
    for result in results {
        table.push_str(&row(pipeline, result));
        table.push('\n');
    }
    table
}

/// Whether a run (by its label) is a push or manual run on the apply
/// branch, however much it changed.
fn applies_in(pipeline: &Pipeline, label: &str) -> bool {
    let apply_ref = format!("`{}`", pipeline.apply_branch);
    [format!("push to {apply_ref}"), format!("manual run on {apply_ref}")]
        .iter()
        .any(|run| label == run || label.starts_with(&format!("{run},")))
}

/// The safety every run must have, whatever the pipeline says.
fn check_invariants(example: &str, pipeline: &Pipeline, results: &[Value]) {
    let apply_ref = format!("`{}`", pipeline.apply_branch);
    // A push or manual run on the apply branch, however much changed.
    let applies_here = |label: &str| applies_in(pipeline, label);
    // GitHub cancels a pending job when another joins its group: no job of
    // a run that only plans may share a group with a job that applies.
    let apply_groups: BTreeSet<&str> = results
        .iter()
        .filter(|result| applies_here(result["label"].as_str().expect("label")))
        .flat_map(|result| result["jobs"].as_array().expect("jobs"))
        .filter(|job| job["applies"] == true)
        .filter_map(|job| job["concurrency"].as_str())
        .collect();
    for result in results.iter().filter(|result| !applies_here(result["label"].as_str().expect("label"))) {
        for job in result["jobs"].as_array().expect("jobs") {
            if let Some(group) = job["concurrency"].as_str() {
                assert!(
                    !apply_groups.contains(group),
                    "{example}: job {} of a `{}` run joins the applies' group {group}",
                    job["job"],
                    result["label"]
                );
            }
        }
    }
    for result in results {
        let label = result["label"].as_str().expect("label");
        let on_apply_branch = applies_here(label);
        for job in result["jobs"].as_array().expect("jobs") {
            let id = &job["job"];
            if !on_apply_branch {
                assert_ne!(job["applies"], true, "{example}: job {id} applies in a run of `{label}`");
                assert_ne!(job["pushes"], true, "{example}: job {id} pushes an image in a run of `{label}`");
            }
            if label == "pull request from a fork" {
                assert!(job["role"].is_null(), "{example}: job {id} gets AWS credentials in a fork's pull request");
            }
            // A run that does not apply never enters a GitHub environment
            // that applies (whose subject the apply role may trust, whose
            // secrets and protection rules are the deployment's) and never
            // asks for a role that applies; only the variants that plan run.
            if !on_apply_branch && job["runs"] == true {
                if let Some(environment) = job["environment"].as_str() {
                    assert!(
                        !pipeline.apply_environments.contains(environment),
                        "{example}: job {id} enters the environment {environment}, which applies, in a run of `{label}`"
                    );
                }
                if let Some(role) = job["role"].as_str() {
                    assert!(
                        !pipeline.apply_roles.contains(role),
                        "{example}: job {id} asks for the apply role {role} in a run of `{label}`"
                    );
                }
                let variant = pipeline.applies.get(id.as_str().expect("job"));
                assert_ne!(variant, Some(&true), "{example}: job {id}, which applies, runs in a run of `{label}`");
            }
        }
        // A push to the apply branch deploys: every job runs in its variant
        // that applies, every Terraform job applies, no variant that plans
        // runs.
        if label == format!("push to {apply_ref}") {
            assert_eq!(result["starts"], true, "{example}: a push to the apply branch does not start the workflow");
            for job in result["jobs"].as_array().expect("jobs") {
                let id = job["job"].as_str().expect("job");
                let applying = pipeline.applies.get(id).copied();
                assert_eq!(
                    job["runs"] == true,
                    applying != Some(false),
                    "{example}: job {id} on a push to the apply branch"
                );
                let terraform = id.starts_with("infra") || id.starts_with("deploy");
                assert_eq!(
                    job["applies"] == true,
                    terraform && applying == Some(true),
                    "{example}: job {id} on a push to the apply branch"
                );
            }
        }
        // When only the application changed, the infrastructure jobs are
        // skipped, and every build and deploy still runs (a skipped need
        // does not skip them) and applies.
        if label.ends_with(", infrastructure unchanged") {
            for job in result["jobs"].as_array().expect("jobs") {
                let id = job["job"].as_str().expect("job");
                let infra = pipeline.infra_jobs.iter().any(|infra| infra == id);
                let planning = pipeline.applies.get(id) == Some(&false);
                assert_eq!(
                    job["runs"] == true,
                    !infra && !planning,
                    "{example}: job {id} when only the application changed"
                );
                if id.starts_with("deploy") && !planning {
                    assert_eq!(
                        job["applies"], true,
                        "{example}: {id} does not apply when only the application changed"
                    );
                }
            }
        }
    }
}

/// With an `oidc` block, the apply role's trust policy, evaluated on the
/// tokens' claims as STS does: it admits every job that applies or pushes in
/// a run on the apply branch, and no token of any other run, whatever job
/// it is and whatever environment it enters (a pull request's author may
/// edit the workflow to ask for the apply role from any environment).
fn check_trust(example: &str, pipeline: &Pipeline, contexts: &[Value], results: &[Value]) {
    let Some(trust) = &pipeline.apply_trust else { return };
    let applies_here = |label: &str| applies_in(pipeline, label);
    let environments: BTreeSet<String> = results
        .iter()
        .flat_map(|result| result["jobs"].as_array().expect("jobs"))
        .filter_map(|job| job["environment"].as_str().map(str::to_owned))
        .chain(pipeline.apply_environments.iter().cloned())
        .collect();
    for (run, result) in contexts.iter().zip(results) {
        let label = result["label"].as_str().expect("label");
        if applies_here(label) {
            for job in result["jobs"].as_array().expect("jobs") {
                if job["applies"] == true || job["pushes"] == true {
                    let claims = claims_of(job).expect("a job that applies has a token");
                    assert!(
                        admits(trust, &claims),
                        "{example}: the apply trust refuses {} in `{label}`: {claims:?}",
                        job["job"]
                    );
                }
            }
            continue;
        }
        let every_environment = std::iter::once(None).chain(environments.iter().map(|e| Some(e.as_str())));
        for environment in every_environment {
            let claims = token_claims(pipeline, run, environment);
            assert!(!admits(trust, &claims), "{example}: the apply trust admits a token of `{label}`: {claims:?}");
        }
        for job in result["jobs"].as_array().expect("jobs") {
            if let Some(claims) = claims_of(job) {
                assert!(!admits(trust, &claims), "{example}: the apply trust admits {} in `{label}`", job["job"]);
            }
        }
    }
}

#[test]
fn every_run_of_every_example_does_what_the_book_says() {
    let dir = built_examples();
    let page_path = root().join("book/src/reference/runs.md");
    let page = std::fs::read_to_string(&page_path).expect("the runs page");
    let mut expected = page.clone();
    for example in pipelines() {
        let name = example.file_stem().expect("stem").to_string_lossy().into_owned();
        let pipeline = pipeline(dir.path(), &format!("pipelines/{name}.ecspipe"));
        let contexts = contexts(&pipeline);
        let results = replay(&dir.path().join(&pipeline.workflow), &pipeline.workflow, &contexts);
        check_invariants(&name, &pipeline, &results);
        check_trust(&name, &pipeline, &contexts, &results);
        expected = with_table(&expected, &name, &table(&pipeline, &results));
    }
    if blessing() {
        std::fs::write(&page_path, &expected).expect("write the runs page");
        return;
    }
    let diff = similar::TextDiff::from_lines(&page, &expected).unified_diff().to_string();
    assert!(
        diff.is_empty(),
        "book/src/reference/runs.md differs from the replay:\n{diff}\nIf intended: ECSPIPE_BLESS=1 cargo test --test integration replay"
    );
}

/// `page` with the table between `<!-- replay NAME -->` and
/// `<!-- end replay -->` replaced; a missing section is added at the end.
fn with_table(page: &str, name: &str, table: &str) -> String {
    let start = format!("<!-- replay {name} -->\n");
    let end = "<!-- end replay -->\n";
    let Some(from) = page.find(&start) else {
        return format!("{page}\n## `{name}`\n\n{start}{table}{end}");
    };
    let body = from + start.len();
    let to = body + page[body..].find(end).expect("every replay section ends");
    format!("{}{table}{}", &page[..body], &page[to..])
}
