//! The workflow: build jobs, then Terraform jobs for the infrastructure and
//! service stacks, in dependency order.

use serde::Serialize;

use super::changes::{changed_condition, changes_job, iac_scan_job, ChangesJob, IacScanJob};
use super::conditions::{apply_conditions, push_condition};
use super::names::{
    built_images, concurrency_group, image_env, image_variable, secret_env, session_name, workflow_concurrency_group,
};
use super::output::{ExprOrText, GithubExpr, Identifier};
use super::permissions::{permission, Permission};
use crate::model::*;
use crate::plan::names;
use crate::plan::names::{
    build_runner, docker_platform, platform_digest_env, platform_jobs, platform_scan_category, platform_tag_suffix,
};

/// The GitHub Actions workflow.
#[derive(Debug, Clone, Serialize)]
pub struct Workflow {
    /// `.github/workflows/<file>.yml`.
    pub path: String,
    /// The source pipeline's name for the header.
    pub source: String,
    /// `name:`.
    pub name: String,
    /// Push branches, if pushes trigger.
    pub push: Option<Vec<String>>,
    /// Pull request base branches, if pull requests trigger.
    pub pull_request: Option<Vec<String>>,
    /// `workflow_dispatch`.
    pub manual: bool,
    /// Path filters: build contexts, stacks, the workflow itself, extras.
    pub paths: Vec<String>,
    /// `AWS_REGION`.
    pub region: String,
    /// The workflow's concurrency group, before the run's ref.
    pub concurrency: String,
    /// The first job: which jobs' inputs changed.
    pub changes: ChangesJob,
    /// Infrastructure jobs, in promotion order.
    pub infras: Vec<TerraformJob>,
    /// Build jobs, in pipeline order (a multi-platform build's one job per
    /// platform, in platform order).
    pub builds: Vec<BuildJob>,
    /// The jobs that join a multi-platform build's images under its tag.
    pub manifests: Vec<ManifestJob>,
    /// Deploy jobs, in pipeline and promotion order.
    pub deploys: Vec<TerraformJob>,
    /// The Terraform scan (`scan iac`), if any.
    pub scan: Option<IacScanJob>,
}

/// The settings every job shares.
#[derive(Debug, Clone, Serialize)]
pub struct JobBase {
    /// Job id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Jobs that must succeed first (or be skipped): `changes`, then the plan's.
    pub needs: Vec<String>,
    /// The job's `if`: when its inputs changed.
    pub condition: GithubExpr,
    /// `runs-on`.
    pub runner: String,
    /// GitHub environment.
    pub environment: Option<String>,
    /// `defaults.run.working-directory`.
    pub working_directory: String,
    /// `role-to-assume`.
    pub role: ExprOrText,
    /// `role-session-name`.
    pub session_name: String,
    /// `permissions:`, in a fixed order.
    pub permissions: Vec<Permission>,
    /// With separate plan and apply roles: where the job applies, fail early
    /// if the apply role's secret or variable is empty, instead of silently
    /// assuming the plan role.
    pub apply_role_check: Option<ApplyRoleCheck>,
}

/// The step that fails a job when the apply role's secret or variable is
/// empty.
#[derive(Debug, Clone, Serialize)]
pub struct ApplyRoleCheck {
    /// When the step runs: where the job applies.
    pub condition: GithubExpr,
    /// The apply role's secret or variable.
    pub role: GithubExpr,
    /// `secret` or `variable`.
    pub kind: &'static str,
    /// Its name.
    pub name: Identifier,
}

/// A job that builds, scans and pushes one image, of one platform, on a
/// runner of that platform's architecture.
#[derive(Debug, Clone, Serialize)]
pub struct BuildJob {
    /// Shared job settings.
    #[serde(flatten)]
    pub base: JobBase,
    /// ECR repository.
    pub repository: String,
    /// `docker build --platform` (`linux/amd64`, `linux/arm64`).
    pub platform: &'static str,
    /// `-f PATH` for a non-default Dockerfile.
    pub dockerfile: Option<String>,
    /// The shell text (inside double quotes) that makes the tag.
    pub tag_script: Vec<ShellPart>,
    /// The Trivy scan, if any.
    pub scan: Option<ScanStep>,
    /// When the image is pushed: a run that applies a deploy of it.
    pub push_if: GithubExpr,
}

/// The Trivy scan settings: one run writes every finding to SARIF, a
/// second (the gate) fails the job on the chosen severities.
#[derive(Debug, Clone, Serialize)]
pub struct ScanStep {
    /// The severities that fail the job (every severity when none does).
    pub severity: String,
    /// The gate's `exit-code:` on a finding: `1`, or `0` when nothing fails the job.
    pub exit_code: &'static str,
    /// Whether the gate runs: some severity fails the job.
    pub gate: bool,
    /// SARIF file name.
    pub sarif: String,
    /// Code scanning category.
    pub category: String,
}

/// A piece of shell text inside double quotes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShellPart {
    /// Literal text, escaped by emit.
    Text(String),
    /// A command substitution or parameter expansion written by the compiler.
    Code(&'static str),
}

/// The job of a multi-platform build: after one job per platform has built,
/// scanned and pushed its image, it joins them in one image index under the
/// build's tag and outputs the index's digest, which every consumer runs.
#[derive(Debug, Clone, Serialize)]
pub struct ManifestJob {
    /// Shared job settings (its id is the build's: deploys need it).
    #[serde(flatten)]
    pub base: JobBase,
    /// ECR repository.
    pub repository: String,
    /// The shell text (inside double quotes) that makes the tag.
    pub tag_script: Vec<ShellPart>,
    /// Each platform's pushed image, in platform order.
    pub sources: Vec<PlatformDigest>,
    /// When the images are joined and pushed: as for [`BuildJob::push_if`].
    pub push_if: GithubExpr,
}

/// One platform's image, by the digest its job pushed.
#[derive(Debug, Clone, Serialize)]
pub struct PlatformDigest {
    /// `linux/amd64` or `linux/arm64`.
    pub platform: &'static str,
    /// The step env variable holding the digest.
    pub env: Identifier,
    /// `needs.<platform job>.outputs.digest`.
    pub from: GithubExpr,
}

/// A job that plans or applies one Terraform stack.
#[derive(Debug, Clone, Serialize)]
pub struct TerraformJob {
    /// Shared job settings.
    #[serde(flatten)]
    pub base: JobBase,
    /// Image URIs handed from build jobs.
    pub images: Vec<ImageInput>,
    /// Sensitive variables passed from GitHub secrets to plan and apply.
    pub secrets: Vec<SecretEnv>,
    /// `concurrency.group`: applies and plans never share one.
    pub concurrency: GithubExpr,
    /// The condition under which the job applies.
    pub apply_if: GithubExpr,
    /// The condition under which it plans (the negation).
    pub plan_if: GithubExpr,
    /// `terraform_version`.
    pub terraform_version: String,
    /// Infracost on pull requests.
    pub cost: Option<CostSteps>,
    /// A deploy job's rollout gate: what it does after the apply.
    pub rollout: Option<Rollout>,
    /// `timeout-minutes`: the apply and the rollout wait (deploy jobs).
    pub timeout_minutes: Option<u32>,
}

/// What a deploy job does after `terraform apply`: wait until ECS completes
/// the deployment of the task definition it applied, or say that it does not.
#[derive(Debug, Clone, Serialize)]
pub struct Rollout {
    /// Seconds to wait for the deployment (`deployment ... wait`); `None`:
    /// `wait off`, and the job says so in a warning.
    pub wait: Option<u32>,
    /// The wait in whole minutes, rounded up (0 with `wait off`).
    pub wait_minutes: u32,
    /// The minutes of the job's timeout left for Terraform.
    pub apply_minutes: u32,
}

impl Rollout {
    fn new(wait: Option<u32>) -> Rollout {
        Rollout { wait, wait_minutes: wait.map_or(0, |wait| wait.div_ceil(60)), apply_minutes: APPLY_MINUTES }
    }

    /// The job's `timeout-minutes`.
    fn job_minutes(&self) -> u32 {
        self.apply_minutes + self.wait_minutes
    }
}

/// Minutes a deploy job gets for everything but the rollout wait: init,
/// plan, apply (a replaced service drains before it is deleted), Infracost.
const APPLY_MINUTES: u32 = 30;

/// A sensitive Terraform variable set from a GitHub secret.
#[derive(Debug, Clone, Serialize)]
pub struct SecretEnv {
    /// `TF_VAR_name`.
    pub env: Identifier,
    /// `secrets.NAME`.
    pub value: GithubExpr,
}

/// An image URI passed from a build job to a deploy job; plan and apply
/// get `-var="VARIABLE=$ENV"`.
#[derive(Debug, Clone, Serialize)]
pub struct ImageInput {
    /// The job env variable.
    pub env: Identifier,
    /// `needs.<job>.outputs.image-id`.
    pub from: GithubExpr,
    /// The Terraform variable.
    pub variable: Identifier,
}

/// Infracost steps.
#[derive(Debug, Clone, Serialize)]
pub struct CostSteps {
    /// The API key: `secrets.NAME`.
    pub api_key: GithubExpr,
    /// The stack path relative to the repository root.
    pub stack: String,
}

const BUILD_PERMISSIONS: [Permission; 3] = [
    permission("contents", "read", "check out the repository"),
    permission("id-token", "write", "assume the AWS role through OIDC"),
    permission("security-events", "write", "upload the image scan to code scanning"),
];

const MANIFEST_PERMISSIONS: [Permission; 1] = [permission("id-token", "write", "assume the AWS role through OIDC")];

const TERRAFORM_PERMISSIONS: [Permission; 3] = [
    permission("contents", "read", "check out the repository"),
    permission("id-token", "write", "assume the AWS role through OIDC"),
    permission("pull-requests", "write", "comment the plan on pull requests"),
];

/// A GitHub value as an expression: `secrets.NAME`, `vars.NAME`, or a
/// string literal.
fn github_expr(value: &GithubValue) -> GithubExpr {
    match value {
        GithubValue::Secret(name) => GithubExpr::context("secrets", name.clone()),
        GithubValue::Variable(name) => GithubExpr::context("vars", name.clone()),
        GithubValue::Literal(text) => GithubExpr::literal(text.clone()),
    }
}

/// `role-to-assume`: the role, or, when the pipeline has a plan role, the
/// apply role only where the job may apply and the plan role elsewhere.
fn role_value(role: &GithubValue, plan_role: Option<&GithubValue>, apply_if: &GithubExpr) -> ExprOrText {
    match (plan_role, role) {
        (None, GithubValue::Literal(text)) => ExprOrText::Text(text.clone()),
        (None, role) => ExprOrText::Expression(github_expr(role)),
        (Some(plan), role) => ExprOrText::Expression(
            GithubExpr::code("(")
                .then(apply_if.clone())
                .then_code(") && ")
                .then(github_expr(role))
                .then_code(" || ")
                .then(github_expr(plan)),
        ),
    }
}

fn apply_role_check(pipeline: &Pipeline, role: &GithubValue, apply_if: &GithubExpr) -> Option<ApplyRoleCheck> {
    pipeline.plan_role.as_ref()?;
    let (kind, name) = match role {
        GithubValue::Secret(name) => ("secret", name),
        GithubValue::Variable(name) => ("variable", name),
        GithubValue::Literal(_) => return None,
    };
    Some(ApplyRoleCheck {
        condition: apply_if.clone(),
        role: github_expr(role),
        kind,
        name: Identifier::sanitized(name),
    })
}

pub(super) fn workflow(pipeline: &Pipeline) -> Workflow {
    let path = format!(".github/workflows/{}.yml", pipeline.workflow_file);
    let mut paths: Vec<String> = Vec::new();
    let mut add = |path: String| {
        if !paths.contains(&path) {
            paths.push(path);
        }
    };
    for build in &pipeline.builds {
        add(if build.context == "." { String::from("**") } else { format!("{}/**", build.context) });
    }
    let stacks = pipeline
        .infras
        .iter()
        .map(|i| (&i.stack, &i.target.stage))
        .chain(pipeline.deploys.iter().map(|d| (&d.stack, &d.target.stage)));
    for (stack, stage) in stacks {
        // An environment's stack is `<stack>/<environment>`: one filter covers them all.
        let root = stage.as_ref().and_then(|stage| stack.strip_suffix(&format!("/{stage}")));
        add(format!("{}/**", root.unwrap_or(stack)));
    }
    add(path.clone());
    for extra in &pipeline.triggers.extra_paths {
        add(extra.clone());
    }
    // A build of the repository root sees every change: no filter at all.
    if paths.iter().any(|p| p == "**") {
        paths.clear();
    }
    let changes = changes_job(pipeline, &path);
    let builds = pipeline.builds.iter().flat_map(|build| build_jobs(pipeline, build)).collect();
    let manifests = pipeline.builds.iter().filter_map(|build| manifest_job(pipeline, build)).collect();
    let infras = pipeline.infras.iter().map(|infra| infra_job(pipeline, infra)).collect();
    let deploys = pipeline.deploys.iter().map(|deploy| deploy_job(pipeline, deploy)).collect();
    Workflow {
        path,
        source: pipeline.source_name.clone(),
        name: pipeline.workflow_name.clone(),
        push: pipeline.triggers.push.clone(),
        pull_request: pipeline.triggers.pull_request.clone(),
        manual: pipeline.triggers.manual,
        paths,
        region: pipeline.region.clone(),
        concurrency: workflow_concurrency_group(&pipeline.workflow_file),
        changes,
        infras,
        builds,
        manifests,
        deploys,
        scan: iac_scan_job(pipeline),
    }
}

/// A build's jobs: one on a runner of its one platform, or one per
/// platform of a multi-platform build, each tagging its image with the
/// platform appended (the manifest job joins them under the tag).
fn build_jobs(pipeline: &Pipeline, build: &Build) -> Vec<BuildJob> {
    let platform_jobs = platform_jobs(build);
    if platform_jobs.is_empty() {
        let arch = build.platforms.first().copied().unwrap_or(Arch::X86_64);
        return vec![build_job(pipeline, build, arch, &build.job_id, None)];
    }
    platform_jobs.iter().map(|(arch, job)| build_job(pipeline, build, *arch, job, Some(*arch))).collect()
}

fn build_job(pipeline: &Pipeline, build: &Build, arch: Arch, id: &str, suffix: Option<Arch>) -> BuildJob {
    let mut job = one_build_job(pipeline, build, arch, id);
    if let Some(arch) = suffix {
        job.tag_script.push(ShellPart::Text(platform_tag_suffix(arch)));
        job.base.name = format!("{} ({})", job.base.name, docker_platform(arch));
        if let Some(scan) = &mut job.scan {
            scan.category = platform_scan_category(&build.name, arch);
        }
    }
    job
}

fn one_build_job(pipeline: &Pipeline, build: &Build, arch: Arch, id: &str) -> BuildJob {
    let push_if = push_condition(&build.apply_branches);
    BuildJob {
        base: JobBase {
            id: id.to_owned(),
            name: format!("build {}", build.name),
            needs: after_changes(&build.after),
            condition: changed_condition(&build.job_id),
            runner: build_runner(arch, &pipeline.runner),
            environment: build.environment.clone(),
            working_directory: build.context.clone(),
            role: role_value(&build.role, pipeline.plan_role.as_ref(), &push_if),
            session_name: session_name(pipeline, id),
            permissions: BUILD_PERMISSIONS.to_vec(),
            apply_role_check: apply_role_check(pipeline, &build.role, &push_if),
        },
        repository: build.repository.clone(),
        platform: docker_platform(arch),
        dockerfile: build.dockerfile.clone(),
        tag_script: tag_script(&build.tag),
        scan: build.scan.map(|scan| ScanStep {
            severity: match scan.fail_on {
                Some(lowest) => Severity::ALL
                    .iter()
                    .filter(|s| **s >= lowest)
                    .map(|s| s.keyword().to_ascii_uppercase())
                    .collect::<Vec<_>>()
                    .join(","),
                None => String::from("UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL"),
            },
            exit_code: if scan.fail_on.is_some() { "1" } else { "0" },
            gate: scan.fail_on.is_some(),
            sarif: crate::plan::names::scan_sarif(&build.name),
            category: crate::plan::names::scan_category(&build.name),
        }),
        push_if,
    }
}

/// The job joining a multi-platform build's images, if it has several
/// platforms; it needs their jobs and takes the build's job id.
fn manifest_job(pipeline: &Pipeline, build: &Build) -> Option<ManifestJob> {
    let platform_jobs = platform_jobs(build);
    if platform_jobs.is_empty() {
        return None;
    }
    let sources = platform_jobs
        .iter()
        .map(|(arch, job)| PlatformDigest {
            platform: docker_platform(*arch),
            env: Identifier::sanitized(&platform_digest_env(*arch)),
            from: GithubExpr::context("needs", job).then_code(".outputs.digest"),
        })
        .collect();
    let push_if = push_condition(&build.apply_branches);
    Some(ManifestJob {
        base: JobBase {
            id: build.job_id.clone(),
            name: format!("build {} (join the platforms)", build.name),
            needs: after_changes(&platform_jobs.into_iter().map(|(_, job)| job).collect::<Vec<_>>()),
            condition: changed_condition(&build.job_id),
            runner: pipeline.runner.clone(),
            environment: build.environment.clone(),
            working_directory: String::from("."),
            role: role_value(&build.role, pipeline.plan_role.as_ref(), &push_if),
            session_name: session_name(pipeline, &build.job_id),
            permissions: MANIFEST_PERMISSIONS.to_vec(),
            apply_role_check: apply_role_check(pipeline, &build.role, &push_if),
        },
        repository: build.repository.clone(),
        tag_script: tag_script(&build.tag),
        sources,
        push_if,
    })
}

fn terraform_base(
    pipeline: &Pipeline,
    target: &Target,
    name: String,
    stack: &str,
    needs: Vec<String>,
    apply_if: &GithubExpr,
) -> JobBase {
    JobBase {
        id: target.job_id.clone(),
        name,
        needs: after_changes(&needs),
        condition: changed_condition(&target.job_id),
        runner: pipeline.runner.clone(),
        environment: target.environment.clone(),
        working_directory: stack.to_owned(),
        role: role_value(&target.role, pipeline.plan_role.as_ref(), apply_if),
        session_name: session_name(pipeline, &target.job_id),
        permissions: TERRAFORM_PERMISSIONS.to_vec(),
        apply_role_check: apply_role_check(pipeline, &target.role, apply_if),
    }
}

fn infra_job(pipeline: &Pipeline, infra: &Infra) -> TerraformJob {
    let name = match &infra.target.stage {
        Some(stage) => format!("infrastructure ({stage})"),
        None => String::from("infrastructure"),
    };
    let (apply_if, plan_if) = apply_conditions("main");
    TerraformJob {
        base: terraform_base(pipeline, &infra.target, name, &infra.stack, infra.target.after.clone(), &apply_if),
        images: Vec::new(),
        secrets: infra
            .secret
            .iter()
            .map(|secret| SecretEnv {
                env: secret_env(secret),
                value: GithubExpr::context("secrets", secret.from.clone()),
            })
            .collect(),
        concurrency: concurrency_group(&infra.stack, &apply_if),
        apply_if,
        plan_if,
        terraform_version: infra.terraform_version.clone(),
        cost: infra.cost.as_ref().map(|cost| CostSteps {
            api_key: GithubExpr::context("secrets", cost.api_key_secret.clone()),
            stack: infra.stack.clone(),
        }),
        rollout: None,
        timeout_minutes: None,
    }
}

fn deploy_job(pipeline: &Pipeline, deploy: &Deploy) -> TerraformJob {
    let images: Vec<ImageInput> = built_images(deploy)
        .into_iter()
        .map(|name| {
            // The checker resolved every `build.NAME`.
            let job = pipeline.builds.iter().find(|b| b.name == name).map_or(name, |b| b.job_id.as_str());
            ImageInput {
                env: image_env(deploy, name),
                from: GithubExpr::context("needs", job).then_code(".outputs.image-id"),
                variable: image_variable(deploy, name),
            }
        })
        .collect();
    // The plan linked the deploy after its builds, infrastructure and
    // earlier environments.
    let needs = deploy.target.after.clone();
    let (apply_if, plan_if) = apply_conditions(&deploy.apply_branch);
    let rollout = Rollout::new(deploy.service.deployment.wait);
    let name = match &deploy.target.stage {
        Some(stage) => format!("deploy {} ({stage})", deploy.name),
        None => format!("deploy {}", deploy.name),
    };
    TerraformJob {
        base: terraform_base(pipeline, &deploy.target, name, &deploy.stack, needs, &apply_if),
        images,
        secrets: Vec::new(),
        concurrency: concurrency_group(&deploy.stack, &apply_if),
        apply_if,
        plan_if,
        terraform_version: deploy.terraform_version.clone(),
        cost: deploy.cost.as_ref().map(|cost| CostSteps {
            api_key: GithubExpr::context("secrets", cost.api_key_secret.clone()),
            stack: deploy.stack.clone(),
        }),
        timeout_minutes: Some(rollout.job_minutes()),
        rollout: Some(rollout),
    }
}

/// `needs`: the `changes` job first, then the jobs the plan linked.
fn after_changes(after: &[String]) -> Vec<String> {
    std::iter::once(names::CHANGES_JOB.to_owned()).chain(after.iter().cloned()).collect()
}

/// The tag as shell text inside double quotes.
fn tag_script(parts: &[TagPart]) -> Vec<ShellPart> {
    parts
        .iter()
        .map(|part| match part {
            TagPart::Text(text) => ShellPart::Text(text.clone()),
            TagPart::Date => ShellPart::Code("$(date -u +'%Y%m%d')"),
            TagPart::RunNumber => ShellPart::Code("${GITHUB_RUN_NUMBER}"),
            TagPart::RunAttempt => ShellPart::Code("${GITHUB_RUN_ATTEMPT}"),
            TagPart::Sha => ShellPart::Code("${GITHUB_SHA}"),
            TagPart::ShortSha => ShellPart::Code("${GITHUB_SHA:0:7}"),
        })
        .collect()
}
