//! The workflow: build jobs, then Terraform jobs for the infrastructure and
//! service stacks, in dependency order.

use serde::Serialize;

use super::builds::{build_jobs, manifest_jobs, BuildJob, ManifestJob};
use super::changes::{changes_job, iac_scan_job, ChangesJob, IacScanJob};
use super::conditions::apply_condition;
use super::jobs::{job_base, needs_in_both_variants, JobBase, JobSpec, Variant, VARIANTS};
use super::names::{
    apply_concurrency_group, built_images, image_env, image_variable, plan_concurrency_group, secret_env,
    workflow_concurrency_group,
};
use super::output::{ExprOrText, GithubExpr, Identifier};
use super::permissions::{permission, Permission};
use super::tasks::{task_runs, TaskRuns};
use crate::model::*;
use crate::plan::names;

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
    /// Infrastructure jobs, in promotion order, each in both variants.
    pub infras: Vec<TerraformJob>,
    /// Build jobs, in pipeline order (a multi-platform build's one job per
    /// platform, in platform order), each in both variants.
    pub builds: Vec<BuildJob>,
    /// The jobs that join a multi-platform build's images under its tag.
    pub manifests: Vec<ManifestJob>,
    /// Deploy jobs, in pipeline and promotion order, each in both variants.
    pub deploys: Vec<TerraformJob>,
    /// The Terraform scan (`scan iac`), if any.
    pub scan: Option<IacScanJob>,
}

/// A job that plans or applies one Terraform stack.
#[derive(Debug, Clone, Serialize)]
pub struct TerraformJob {
    /// Shared job settings.
    #[serde(flatten)]
    pub base: JobBase,
    /// Image URIs handed from build jobs.
    pub images: Vec<ImageInput>,
    /// The tag prefix the apply puts on the images it runs, which the
    /// repositories' lifecycle policies never expire (`live-prod-`); only
    /// when the pipeline's infrastructure owns the repositories.
    pub live_tag_prefix: Option<String>,
    /// Sensitive variables passed from GitHub secrets to plan and apply.
    pub secrets: Vec<SecretEnv>,
    /// `concurrency.group`: applies and plans never share one.
    pub concurrency: ExprOrText,
    /// `terraform_version`.
    pub terraform_version: String,
    /// Infracost on pull requests (where the job plans).
    pub cost: Option<CostSteps>,
    /// A deploy job's rollout gate: what it does after the apply (where the
    /// job applies).
    pub rollout: Option<Rollout>,
    /// A deploy job's one-off tasks, run before the service is updated
    /// (where the job applies).
    pub tasks: Option<TaskRuns>,
    /// `timeout-minutes`: the apply, the one-off tasks and the rollout wait
    /// (deploy jobs that apply).
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
    /// A blue/green service's deployment through CodeDeploy, which the
    /// job starts (and waits on, unless `wait off`) instead of waiting on
    /// ECS.
    pub codedeploy: Option<CodeDeployStep>,
}

/// What the deploy job's CodeDeploy step needs beyond the stack's outputs:
/// the AppSpec's container and port, and the outputs' names.
#[derive(Debug, Clone, Serialize)]
pub struct CodeDeployStep {
    /// The container the load balancer sends traffic to.
    pub container: String,
    /// Its port.
    pub port: u16,
    /// The stack's output holding the CodeDeploy application's name.
    pub application_output: &'static str,
    /// The stack's output holding the deployment group's name.
    pub group_output: &'static str,
}

impl Rollout {
    fn new(service: &Service) -> Rollout {
        let wait = service.deployment.wait;
        let codedeploy = service.deployment.blue_green.as_ref().and_then(|_| {
            let lb = service.load_balancer.as_ref()?;
            Some(CodeDeployStep {
                container: lb.container.clone(),
                port: lb.port,
                application_output: crate::plan::names::CODEDEPLOY_APP_OUTPUT,
                group_output: crate::plan::names::CODEDEPLOY_GROUP_OUTPUT,
            })
        });
        Rollout {
            wait,
            wait_minutes: wait.map_or(0, |wait| wait.div_ceil(60)),
            apply_minutes: APPLY_MINUTES,
            codedeploy,
        }
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

/// A Terraform job's permissions: `id-token` only with a role to assume,
/// `pull-requests` only where it comments on pull requests.
fn terraform_permissions(variant: Variant, assumes_role: bool, comments: bool) -> Vec<Permission> {
    let mut permissions = vec![permission("contents", "read", "check out the repository")];
    if assumes_role {
        permissions.push(permission("id-token", "write", "assume the AWS role through OIDC"));
    }
    if variant == Variant::Plan && comments {
        permissions.push(permission("pull-requests", "write", "comment the plan on pull requests"));
    }
    permissions
}

pub(super) fn workflow(pipeline: &Pipeline) -> Workflow {
    let path = names::workflow_path(&pipeline.workflow_file);
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
    let manifests = pipeline.builds.iter().flat_map(|build| manifest_jobs(pipeline, build)).collect();
    let infras =
        pipeline.infras.iter().flat_map(|infra| VARIANTS.map(|variant| infra_job(pipeline, infra, variant))).collect();
    let deploys = pipeline
        .deploys
        .iter()
        .flat_map(|deploy| VARIANTS.map(|variant| deploy_job(pipeline, deploy, variant)))
        .collect();
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

/// The variant's concurrency group, Terraform version, secrets and cost
/// steps: what infrastructure and deploy jobs share.
fn terraform_job(
    pipeline: &Pipeline,
    spec: &JobSpec,
    variant: Variant,
    stack: &str,
    terraform_version: &str,
    cost: &Option<Cost>,
) -> TerraformJob {
    let cost = match variant {
        Variant::Plan => cost.as_ref().map(|cost| CostSteps {
            api_key: GithubExpr::context("secrets", cost.api_key_secret.clone()),
            stack: stack.to_owned(),
        }),
        Variant::Apply => None,
    };
    let comments = pipeline.plan_role.is_some() || cost.is_some();
    TerraformJob {
        base: job_base(pipeline, spec, variant, |assumes_role| terraform_permissions(variant, assumes_role, comments)),
        images: Vec::new(),
        live_tag_prefix: None,
        secrets: Vec::new(),
        concurrency: match variant {
            Variant::Apply => apply_concurrency_group(stack),
            Variant::Plan => plan_concurrency_group(stack),
        },
        terraform_version: terraform_version.to_owned(),
        cost,
        rollout: None,
        tasks: None,
        timeout_minutes: None,
    }
}

fn infra_job(pipeline: &Pipeline, infra: &Infra, variant: Variant) -> TerraformJob {
    let name = match &infra.target.stage {
        Some(stage) => format!("infrastructure ({stage})"),
        None => String::from("infrastructure"),
    };
    let spec = target_spec(pipeline, &infra.target, name, &infra.stack, "main");
    let mut job = terraform_job(pipeline, &spec, variant, &infra.stack, &infra.terraform_version, &infra.cost);
    job.secrets = infra
        .secret
        .iter()
        .map(|secret| SecretEnv { env: secret_env(secret), value: GithubExpr::context("secrets", secret.from.clone()) })
        .collect();
    job
}

fn deploy_job(pipeline: &Pipeline, deploy: &Deploy, variant: Variant) -> TerraformJob {
    let images: Vec<ImageInput> = built_images(deploy)
        .into_iter()
        .map(|name| {
            // The checker resolved every `build.NAME`.
            let job = pipeline.builds.iter().find(|b| b.name == name).map_or(name, |b| b.job_id.as_str());
            let pushed = GithubExpr::context("needs", job).then_code(".outputs.image-id");
            ImageInput {
                env: image_env(deploy, name),
                // An apply deploys only what the run pushed; a plan takes
                // the build's stand-in where the run pushes nothing.
                from: match variant {
                    Variant::Apply => pushed,
                    Variant::Plan => pushed
                        .then_code(" || ")
                        .then(GithubExpr::context("needs", names::plan_job(job)).then_code(".outputs.image-id")),
                },
                variable: image_variable(deploy, name),
            }
        })
        .collect();
    let name = match &deploy.target.stage {
        Some(stage) => format!("deploy {} ({stage})", deploy.name),
        None => format!("deploy {}", deploy.name),
    };
    let spec = target_spec(pipeline, &deploy.target, name, &deploy.stack, &deploy.apply_branch);
    let mut job = terraform_job(pipeline, &spec, variant, &deploy.stack, &deploy.terraform_version, &deploy.cost);
    if variant == Variant::Apply && !images.is_empty() && !pipeline.infras.is_empty() {
        job.live_tag_prefix = Some(names::live_tag_prefix(deploy.target.stage.as_deref()));
    }
    job.images = images;
    if variant == Variant::Apply {
        let rollout = Rollout::new(&deploy.service);
        job.tasks = task_runs(deploy);
        job.timeout_minutes = Some(rollout.job_minutes() + job.tasks.as_ref().map_or(0, |tasks| tasks.minutes));
        job.rollout = Some(rollout);
    }
    job
}

/// An infrastructure or deploy job's shared settings; the plan linked it
/// after its builds, infrastructure and earlier environments.
fn target_spec<'a>(pipeline: &Pipeline, target: &'a Target, name: String, stack: &str, branch: &str) -> JobSpec<'a> {
    JobSpec {
        id: &target.job_id,
        name,
        changed: &target.job_id,
        needs: needs_in_both_variants(&target.after),
        runner: pipeline.runner.clone(),
        environment: target.environment.clone(),
        role: &target.role,
        working_directory: stack.to_owned(),
        apply_if: apply_condition(branch),
    }
}
