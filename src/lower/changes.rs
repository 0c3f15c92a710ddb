//! Which jobs a run needs: the `changes` job compares the run's commits
//! and tells each job whether its inputs changed; and the optional
//! Terraform scan (`scan iac`).
//!
//! A job's inputs are the files it builds or applies, the workflow file
//! (a changed workflow may run any job differently) and the trigger's
//! extra `paths`. A deploy also depends on the images it runs and the
//! infrastructure that hands over to it; a build runs whenever a deploy of
//! its image runs, since the deploy needs the image URI the build outputs.
//! The generated stacks and the workflow are what the pipeline source
//! compiles to, so a change to the source that matters changes one of them.

use serde::Serialize;

use super::output::GithubExpr;
use super::permissions::{permission, Permission};
use crate::model::*;
use crate::plan::names;

/// The first job: which jobs' inputs the run changed.
#[derive(Debug, Clone, Serialize)]
pub struct ChangesJob {
    /// Job id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `runs-on`.
    pub runner: String,
    /// `permissions:`.
    pub permissions: Vec<Permission>,
    /// One output per job that runs only when its inputs changed, in job order.
    pub outputs: Vec<ChangeOutput>,
}

/// The Terraform scan job of `scan iac`.
#[derive(Debug, Clone, Serialize)]
pub struct IacScanJob {
    /// Job id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `needs`: the `changes` job.
    pub needs: Vec<String>,
    /// When it runs: when a stack or the workflow changed.
    pub condition: GithubExpr,
    /// `runs-on`.
    pub runner: String,
    /// `permissions:`.
    pub permissions: Vec<Permission>,
    /// The stack directories scanned, from the repository root.
    pub directories: Vec<String>,
    /// The checkov release installed.
    pub checkov_version: &'static str,
    /// The SHA-256 of its wheel, checked by pip.
    pub checkov_sha256: &'static str,
    /// The SARIF file uploaded to code scanning.
    pub sarif: String,
    /// Its code scanning category.
    pub category: String,
}

/// One output of the `changes` job: `true` when any of the job's inputs changed.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeOutput {
    /// The output's name: the id of the job it decides.
    pub job: String,
    /// Its value: the step output of the same name.
    pub value: GithubExpr,
    /// The job's inputs, as git pathspecs.
    pub paths: Vec<Pathspec>,
}

/// A git pathspec, relative to the repository root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Pathspec {
    /// A file or directory, matched literally (`:(literal)PATH`).
    Literal(String),
    /// A trigger's extra pattern (`:(glob)PATTERN`).
    Glob(String),
    /// A trigger's `!PATTERN`: left out (`:(exclude,glob)PATTERN`).
    Exclude(String),
}

/// The checkov release the scan installs: the one the test suite proves
/// every generated stack passes.
const CHECKOV_VERSION: &str = "3.3.30";
/// The SHA-256 of `checkov-3.3.30-py3-none-any.whl` on PyPI.
const CHECKOV_SHA256: &str = "32c3d6a808399f3fd6ec83e68a337050d17f019336f4d8f3b23aae469ba79408";

const CHANGES_PERMISSIONS: [Permission; 1] = [permission("contents", "read", "read the commits to compare")];

const SCAN_PERMISSIONS: [Permission; 2] = [
    permission("contents", "read", "check out the repository"),
    permission("security-events", "write", "upload the scan to code scanning"),
];

/// Appends `item` unless the list has it: first occurrence order.
fn add(list: &mut Vec<Pathspec>, item: Pathspec) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// The condition of a job that runs when its inputs changed: also when a
/// job it needs was skipped (a status function keeps GitHub from skipping
/// it), never after a failure or cancellation.
pub(super) fn changed_condition(job: &str) -> GithubExpr {
    GithubExpr::code("!cancelled() && !failure() && ")
        .then(GithubExpr::context("needs", names::CHANGES_JOB))
        .then_code(".outputs")
        .then_property(job)
        .then_code(" == 'true'")
}

/// The inputs every job shares: the workflow file and the extra trigger patterns.
fn common(pipeline: &Pipeline, workflow_path: &str) -> Vec<Pathspec> {
    let mut paths = vec![Pathspec::Literal(workflow_path.to_owned())];
    for extra in &pipeline.triggers.extra_paths {
        add(
            &mut paths,
            match extra.strip_prefix('!') {
                Some(pattern) => Pathspec::Exclude(pattern.to_owned()),
                None => Pathspec::Glob(extra.clone()),
            },
        );
    }
    paths
}

fn build_context(pipeline: &Pipeline, name: &str) -> Option<Pathspec> {
    pipeline.builds.iter().find(|b| b.name == name).map(|b| Pathspec::Literal(b.context.clone()))
}

/// A deploy's own inputs: its stack, its images' contexts, the
/// infrastructure it waits for.
fn deploy_inputs(pipeline: &Pipeline, deploy: &Deploy) -> Vec<Pathspec> {
    let mut paths = vec![Pathspec::Literal(deploy.stack.clone())];
    for name in names::built_images(deploy) {
        if let Some(context) = build_context(pipeline, name) {
            add(&mut paths, context);
        }
    }
    for infra in pipeline.infras.iter().filter(|i| deploy.target.after.contains(&i.target.job_id)) {
        add(&mut paths, Pathspec::Literal(infra.stack.clone()));
    }
    paths
}

/// The `changes` job's outputs: one per job, in job order.
fn change_outputs(pipeline: &Pipeline, workflow_path: &str) -> Vec<ChangeOutput> {
    let common = common(pipeline, workflow_path);
    let with_common = |mut paths: Vec<Pathspec>| {
        for path in &common {
            add(&mut paths, path.clone());
        }
        paths
    };
    let mut outputs: Vec<ChangeOutput> = Vec::new();
    let mut output = |job: &str, paths: Vec<Pathspec>| {
        let value = GithubExpr::code("steps.changes.outputs").then_property(job);
        outputs.push(ChangeOutput { job: job.to_owned(), value, paths });
    };
    for infra in &pipeline.infras {
        let paths = with_common(vec![Pathspec::Literal(infra.stack.clone())]);
        output(&infra.target.job_id, paths);
    }
    for build in &pipeline.builds {
        let mut paths = vec![Pathspec::Literal(build.context.clone())];
        for deploy in pipeline.deploys.iter().filter(|d| names::built_images(d).contains(&build.name.as_str())) {
            for path in deploy_inputs(pipeline, deploy) {
                add(&mut paths, path);
            }
        }
        output(&build.job_id, with_common(paths));
    }
    for deploy in &pipeline.deploys {
        output(&deploy.target.job_id, with_common(deploy_inputs(pipeline, deploy)));
    }
    if pipeline.scan_iac {
        let paths = scanned_directories(pipeline).into_iter().map(Pathspec::Literal).collect();
        output(names::SCAN_IAC_JOB, with_common(paths));
    }
    outputs
}

/// Every generated stack of the pipeline, in order.
fn scanned_directories(pipeline: &Pipeline) -> Vec<String> {
    let mut directories: Vec<String> = Vec::new();
    let stacks = pipeline
        .infras
        .iter()
        .map(|i| &i.stack)
        .chain(pipeline.deploys.iter().map(|d| &d.stack))
        .chain(pipeline.oidc.as_ref().map(|o| &o.stack));
    for stack in stacks {
        if !directories.contains(stack) {
            directories.push(stack.clone());
        }
    }
    directories
}

/// The `changes` job of a pipeline's workflow.
pub(super) fn changes_job(pipeline: &Pipeline, workflow_path: &str) -> ChangesJob {
    ChangesJob {
        id: names::CHANGES_JOB.to_owned(),
        name: String::from("what changed"),
        runner: pipeline.runner.clone(),
        permissions: CHANGES_PERMISSIONS.to_vec(),
        outputs: change_outputs(pipeline, workflow_path),
    }
}

/// The `scan iac` job, if the pipeline asks for it.
pub(super) fn iac_scan_job(pipeline: &Pipeline) -> Option<IacScanJob> {
    pipeline.scan_iac.then(|| IacScanJob {
        id: names::SCAN_IAC_JOB.to_owned(),
        name: String::from("scan the Terraform"),
        needs: vec![names::CHANGES_JOB.to_owned()],
        condition: changed_condition(names::SCAN_IAC_JOB),
        runner: pipeline.runner.clone(),
        permissions: SCAN_PERMISSIONS.to_vec(),
        directories: scanned_directories(pipeline),
        checkov_version: CHECKOV_VERSION,
        checkov_sha256: CHECKOV_SHA256,
        sarif: names::iac_scan_sarif(&pipeline.workflow_file),
        category: names::iac_scan_category(&pipeline.workflow_file),
    })
}
