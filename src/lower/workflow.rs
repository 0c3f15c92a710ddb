//! The workflow: build jobs, then Terraform jobs for the infrastructure and
//! service stacks, in dependency order.

use serde::Serialize;

use super::{built_images, image_variable, secret_variable};
use crate::model::*;

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
    /// Infrastructure jobs, in promotion order.
    pub infras: Vec<TerraformJob>,
    /// Build jobs, in pipeline order.
    pub builds: Vec<BuildJob>,
    /// Deploy jobs, in pipeline and promotion order.
    pub deploys: Vec<TerraformJob>,
}

/// The settings every job shares.
#[derive(Debug, Clone, Serialize)]
pub struct JobBase {
    /// Job id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Jobs that must succeed first.
    pub needs: Vec<String>,
    /// `runs-on`.
    pub runner: String,
    /// GitHub environment.
    pub environment: Option<String>,
    /// `defaults.run.working-directory`.
    pub working_directory: String,
    /// `role-to-assume` (an expression or a literal).
    pub role: String,
    /// `role-session-name`.
    pub session_name: String,
    /// `permissions:` as (scope, access, why), in a fixed order.
    pub permissions: Vec<(&'static str, &'static str, &'static str)>,
    /// With separate plan and apply roles: where the job applies, fail early
    /// if the apply role's secret or variable is empty, instead of silently
    /// assuming the plan role. `(condition, expression, name)`.
    pub apply_role_check: Option<(String, String, String)>,
}

/// A job that builds, scans and pushes one image.
#[derive(Debug, Clone, Serialize)]
pub struct BuildJob {
    /// Shared job settings.
    #[serde(flatten)]
    pub base: JobBase,
    /// ECR repository.
    pub repository: String,
    /// `-f PATH` for a non-default Dockerfile.
    pub dockerfile: Option<String>,
    /// The shell expression (inside double quotes) that makes the tag.
    pub tag_script: String,
    /// The Trivy scan, if any.
    pub scan: Option<ScanStep>,
}

/// The Trivy scan settings.
#[derive(Debug, Clone, Serialize)]
pub struct ScanStep {
    /// `severity:` list.
    pub severity: String,
    /// `exit-code:`.
    pub exit_code: &'static str,
    /// SARIF file name.
    pub sarif: String,
    /// Code scanning category.
    pub category: String,
}

/// A job that plans or applies one Terraform stack.
#[derive(Debug, Clone, Serialize)]
pub struct TerraformJob {
    /// Shared job settings.
    #[serde(flatten)]
    pub base: JobBase,
    /// Image URIs handed from build jobs.
    pub images: Vec<ImageInput>,
    /// Sensitive variables passed from GitHub secrets to plan and apply:
    /// `(TF_VAR_name, secret)`.
    pub secrets: Vec<(String, String)>,
    /// `-var=...` arguments shared by plan and apply.
    pub var_args: String,
    /// `concurrency.group`.
    pub concurrency: String,
    /// The condition under which the job applies.
    pub apply_if: String,
    /// The condition under which it plans (the negation).
    pub plan_if: String,
    /// `terraform_version`.
    pub terraform_version: String,
    /// Infracost on pull requests.
    pub cost: Option<CostSteps>,
}

/// An image URI passed from a build job to a deploy job.
#[derive(Debug, Clone, Serialize)]
pub struct ImageInput {
    /// The job env variable.
    pub env: String,
    /// `needs.<job>.outputs.image-id` expression.
    pub from: String,
    /// The Terraform variable.
    pub variable: String,
}

/// Infracost steps.
#[derive(Debug, Clone, Serialize)]
pub struct CostSteps {
    /// The API key secret name.
    pub api_key_secret: String,
    /// The stack path relative to the repository root.
    pub stack: String,
}

const BUILD_PERMISSIONS: [(&str, &str, &str); 3] = [
    ("contents", "read", "check out the repository"),
    ("id-token", "write", "assume the AWS role through OIDC"),
    ("security-events", "write", "upload the image scan to code scanning"),
];

const TERRAFORM_PERMISSIONS: [(&str, &str, &str); 3] = [
    ("contents", "read", "check out the repository"),
    ("id-token", "write", "assume the AWS role through OIDC"),
    ("pull-requests", "write", "comment the plan on pull requests"),
];

/// The expression inside `${{ }}` (or the literal) for a GitHub value.
fn github_value(value: &GithubValue) -> (String, bool) {
    match value {
        GithubValue::Secret(name) => (format!("secrets.{name}"), true),
        GithubValue::Variable(name) => (format!("vars.{name}"), true),
        GithubValue::Literal(text) => (text.clone(), false),
    }
}

/// `role-to-assume`: the role, or, when the pipeline has a plan role, the
/// apply role only where the job may apply and the plan role elsewhere.
fn role_expression(role: &GithubValue, plan_role: Option<&GithubValue>, apply_if: &str) -> String {
    let (apply, apply_is_expression) = github_value(role);
    match plan_role {
        None if apply_is_expression => format!("${{{{ {apply} }}}}"),
        None => apply,
        Some(plan) => {
            let quote = |(text, is_expression): (String, bool)| {
                if is_expression {
                    text
                } else {
                    format!("'{}'", text.replace('\'', "''"))
                }
            };
            format!(
                "${{{{ ({apply_if}) && {} || {} }}}}",
                quote((apply, apply_is_expression)),
                quote(github_value(plan))
            )
        }
    }
}

fn session_name(pipeline: &Pipeline, job: &str) -> String {
    // Role session names: 2–64 of [\w+=,.@-]; both parts are already
    // restricted to that set by the checker.
    let mut name = format!("ecspipe-{}-{}", pipeline.name, job);
    name.truncate(64);
    name
}

fn apply_role_check(pipeline: &Pipeline, role: &GithubValue, apply_if: &str) -> Option<(String, String, String)> {
    pipeline.plan_role.as_ref()?;
    let (expression, is_expression) = github_value(role);
    let name = match role {
        GithubValue::Secret(name) => format!("secret {name}"),
        GithubValue::Variable(name) => format!("variable {name}"),
        GithubValue::Literal(_) => String::new(),
    };
    is_expression.then(|| (apply_if.to_owned(), format!("${{{{ {expression} }}}}"), name))
}

fn apply_conditions(branch: &str) -> (String, String) {
    (
        format!("github.ref == 'refs/heads/{branch}' && github.event_name != 'pull_request'"),
        format!("github.ref != 'refs/heads/{branch}' || github.event_name == 'pull_request'"),
    )
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
    let builds = pipeline.builds.iter().map(|build| build_job(pipeline, build)).collect();
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
        infras,
        builds,
        deploys,
    }
}

fn build_job(pipeline: &Pipeline, build: &Build) -> BuildJob {
    BuildJob {
        base: JobBase {
            id: build.job_id.clone(),
            name: format!("build {}", build.name),
            needs: build.after.clone(),
            runner: pipeline.runner.clone(),
            environment: build.environment.clone(),
            working_directory: build.context.clone(),
            role: role_expression(&build.role, pipeline.plan_role.as_ref(), &apply_conditions("main").0),
            session_name: session_name(pipeline, &build.job_id),
            permissions: BUILD_PERMISSIONS.to_vec(),
            apply_role_check: apply_role_check(pipeline, &build.role, &apply_conditions("main").0),
        },
        repository: build.repository.clone(),
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
            sarif: format!("trivy-{}.sarif", build.name),
            category: format!("trivy-{}", build.name),
        }),
    }
}

fn terraform_base(
    pipeline: &Pipeline,
    target: &Target,
    name: String,
    stack: &str,
    needs: Vec<String>,
    apply_if: &str,
) -> JobBase {
    JobBase {
        id: target.job_id.clone(),
        name,
        needs,
        runner: pipeline.runner.clone(),
        environment: target.environment.clone(),
        working_directory: stack.to_owned(),
        role: role_expression(&target.role, pipeline.plan_role.as_ref(), apply_if),
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
            .map(|secret| (format!("TF_VAR_{}", secret_variable(secret)), secret.from.clone()))
            .collect(),
        var_args: String::new(),
        concurrency: format!("terraform-{}", infra.stack.replace('/', "-")),
        apply_if,
        plan_if,
        terraform_version: infra.terraform_version.clone(),
        cost: None,
    }
}

fn deploy_job(pipeline: &Pipeline, deploy: &Deploy) -> TerraformJob {
    let images: Vec<ImageInput> = built_images(deploy)
        .into_iter()
        .map(|name| {
            // The checker resolved every `build.NAME`.
            let job = pipeline.builds.iter().find(|b| b.name == name).map_or(name, |b| b.job_id.as_str());
            let env = if built_images(deploy).len() == 1 {
                String::from("IMAGE_ID")
            } else {
                format!("IMAGE_ID_{}", name.to_ascii_uppercase().replace('-', "_"))
            };
            ImageInput {
                env,
                from: format!("${{{{ needs.{job}.outputs.image-id }}}}"),
                variable: image_variable(deploy, name),
            }
        })
        .collect();
    let mut needs: Vec<String> = built_images(deploy)
        .into_iter()
        .filter_map(|name| pipeline.builds.iter().find(|b| b.name == name).map(|b| b.job_id.clone()))
        .collect();
    needs.extend(deploy.target.after.iter().cloned());
    let var_args =
        images.iter().map(|image| format!("-var=\"{}=${}\"", image.variable, image.env)).collect::<Vec<_>>().join(" ");
    let (apply_if, plan_if) = apply_conditions(&deploy.apply_branch);
    let name = match &deploy.target.stage {
        Some(stage) => format!("deploy {} ({stage})", deploy.name),
        None => format!("deploy {}", deploy.name),
    };
    TerraformJob {
        base: terraform_base(pipeline, &deploy.target, name, &deploy.stack, needs, &apply_if),
        images,
        secrets: Vec::new(),
        var_args,
        concurrency: format!("terraform-{}", deploy.stack.replace('/', "-")),
        apply_if,
        plan_if,
        terraform_version: deploy.terraform_version.clone(),
        cost: deploy
            .cost
            .as_ref()
            .map(|cost| CostSteps { api_key_secret: cost.api_key_secret.clone(), stack: deploy.stack.clone() }),
    }
}

/// The tag as a shell word inside double quotes; the checker allowed only
/// `[A-Za-z0-9._-]` in literal parts, so nothing needs escaping.
pub(super) fn tag_script(parts: &[TagPart]) -> String {
    parts
        .iter()
        .map(|part| match part {
            TagPart::Text(text) => text.clone(),
            TagPart::Date => String::from("$(date -u +'%Y%m%d')"),
            TagPart::RunNumber => String::from("${GITHUB_RUN_NUMBER}"),
            TagPart::RunAttempt => String::from("${GITHUB_RUN_ATTEMPT}"),
            TagPart::Sha => String::from("${GITHUB_SHA}"),
            TagPart::ShortSha => String::from("${GITHUB_SHA:0:7}"),
        })
        .collect()
}
