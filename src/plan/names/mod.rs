//! Every AWS and GitHub name ecspipe derives, in one place.
//!
//! Contract: each function here is the only spelling of its name. The
//! checker calls them to fill the model and to check lengths, lower calls
//! them for what the outputs say, and the templates read the suffixes
//! Terraform appends to `var.name` from [`TemplateNames`]. The uniqueness
//! check ([`super::unique`]) compares what these functions return, so a
//! name that is spelled here cannot collide unnoticed.

mod volumes;

pub use volumes::*;

mod edge;
pub use edge::*;
use serde::Serialize;

mod cron;
mod images;
pub use cron::*;
pub use images::*;

mod claims;
pub use claims::*;
mod queue;
pub use queue::*;

use crate::model::{Arch, Build, CapacityProvider, Deploy, Image, InfraSecret};

/// GitHub's OIDC identity provider, of which an AWS account holds one.
pub const GITHUB_OIDC_URL: &str = "https://token.actions.githubusercontent.com";
/// Suffix of a service's task execution role (`<service>-task-execution-role`).
pub const TASK_EXECUTION_ROLE: &str = "-task-execution-role";
/// Suffix of a service's task role.
pub const TASK_ROLE: &str = "-task-role";
/// Suffix of a service's managed policy attached to its execution role.
pub const EXECUTION_POLICY: &str = "-execution";
/// Suffix of the task role's inline policy.
pub const TASK_POLICY: &str = "-task";
/// Suffix of the infrastructure's VPC flow logs role.
pub const FLOW_LOGS_ROLE: &str = "-flow-logs";
/// Suffix of the flow logs role's inline policy.
pub const FLOW_LOGS_POLICY: &str = "-flow-logs";
/// Prefix of the infrastructure's VPC flow logs log group, before its name.
pub const FLOW_LOGS_GROUP_PREFIX: &str = "/vpc/";
/// Suffix of that log group, after the name.
pub const FLOW_LOGS_GROUP_SUFFIX: &str = "/flow-logs";
/// Prefix of the infrastructure's application log group, before its name.
pub const APP_LOG_GROUP_PREFIX: &str = "/amazon-ecs/";
/// Suffix of that log group, after the name.
pub const APP_LOG_GROUP_SUFFIX: &str = "/log";
/// Suffix of a service's own security group, which carries its egress rules.
pub const EGRESS_GROUP: &str = "-egress";
/// Suffix of a service's security group for calls between services: what
/// it calls and what calls it, as the pipeline's `calls` say.
pub const CONNECT_GROUP: &str = "-connect";
/// Suffix of the infrastructure's NAT gateways and their addresses, before the zone.
pub const NAT: &str = "-nat-";
/// Suffix of the bootstrap role that applies.
pub const GITHUB_APPLY_ROLE: &str = "-github-apply";
/// Suffix of the apply role's inline IAM policy.
pub const GITHUB_APPLY_IAM_POLICY: &str = "-github-apply-iam";
/// Suffix of the bootstrap role that only plans.
pub const GITHUB_PLAN_ROLE: &str = "-github-plan";
/// Suffix of the plan role's inline read policy.
pub const GITHUB_PLAN_POLICY: &str = "-github-plan";
/// Suffix of the plan role's inline policy that logs in to ECR.
pub const GITHUB_PLAN_ECR_LOGIN_POLICY: &str = "-github-plan-ecr-login";
/// Suffix of the permissions boundary every role the stacks create gets.
pub const GITHUB_BOUNDARY_POLICY: &str = "-github-boundary";
/// The AWS managed policy every task execution role gets.
pub const TASK_EXECUTION_MANAGED_POLICY: &str = "service-role/AmazonECSTaskExecutionRolePolicy";
/// The prefix of the GitHub token's claims as STS condition keys.
pub const GITHUB_CLAIM: &str = "token.actions.githubusercontent.com:";
/// The audience the workflow's tokens carry, and the provider's client id.
pub const GITHUB_AUDIENCE: &str = "sts.amazonaws.com";

mod bluegreen;
pub use bluegreen::*;

/// The task family of a service's one-off task `task` (`task NAME { ... }`).
pub fn one_off_family(service: &str, task: &str) -> String {
    format!("{service}-{task}")
}

/// The Terraform label of a one-off task's task definition.
pub fn one_off_label(task: &str) -> String {
    format!("one_off_{task}")
}

/// The service stack's output holding a one-off task's task definition ARN.
pub fn one_off_output(task: &str) -> String {
    format!("one_off_{task}_task_definition_arn")
}

/// The service stack's outputs the one-off tasks' steps read: the cluster,
/// `--network-configuration` as JSON, and the log group.
pub const ONE_OFF_CLUSTER_OUTPUT: &str = "one_off_cluster";
/// See [`ONE_OFF_CLUSTER_OUTPUT`].
pub const ONE_OFF_NETWORK_OUTPUT: &str = "one_off_network_configuration";
/// See [`ONE_OFF_CLUSTER_OUTPUT`].
pub const ONE_OFF_LOG_GROUP_OUTPUT: &str = "one_off_log_group";

/// The prefix of every container's log streams: ECS names a stream
/// `PREFIX/CONTAINER/TASK-ID`.
pub const LOG_STREAM_PREFIX: &str = "ecs";

/// The suffixes templates append to `${var.name}`, so that no template
/// spells a role or policy name of its own.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct TemplateNames {
    task_execution_role: &'static str,
    task_role: &'static str,
    execution_policy: &'static str,
    task_policy: &'static str,
    flow_logs_role: &'static str,
    flow_logs_policy: &'static str,
    egress_group: &'static str,
    connect_group: &'static str,
    nat: &'static str,
    github_apply_role: &'static str,
    github_apply_iam_policy: &'static str,
    github_plan_role: &'static str,
    github_plan_policy: &'static str,
    github_plan_ecr_login_policy: &'static str,
    github_boundary_policy: &'static str,
    flow_logs_group_prefix: &'static str,
    codedeploy_role: &'static str,
    codedeploy_policy: &'static str,
    traffic_config: &'static str,
    codedeploy_app_output: &'static str,
    codedeploy_group_output: &'static str,
    app_log_group_prefix: &'static str,
    app_log_group_suffix: &'static str,
    flow_logs_group_suffix: &'static str,
    task_execution_managed_policy: &'static str,
    file_system: &'static str,
    waf_log_group_prefix: &'static str,
}

/// The files of an infrastructure stack, in the order they are written:
/// `load_balancer.tf` with a load balancer, `secrets.tf` with a secret,
/// `file_system.tf` with a file system.
pub const INFRA_FILES: [&str; 9] = [
    "main.tf",
    "variables.tf",
    "network.tf",
    "kms.tf",
    "ecs.tf",
    "load_balancer.tf",
    "secrets.tf",
    "file_system.tf",
    "outputs.tf",
];
/// The files of a service stack: `load_balancer.tf` with a listener rule of
/// its own, `queue.tf` with a queue, `scaling.tf` with scaling, `cron.tf`
/// with scheduled jobs.
pub const SERVICE_FILES: [&str; 9] = [
    "main.tf",
    "variables.tf",
    "iam.tf",
    "ecs.tf",
    "load_balancer.tf",
    "queue.tf",
    "scaling.tf",
    "cron.tf",
    "outputs.tf",
];
/// The files of the bootstrap stack.
pub const BOOTSTRAP_FILES: [&str; 4] = ["main.tf", "variables.tf", "oidc.tf", "outputs.tf"];
/// The S3 object next to each state object that holds its lock
/// (`use_lockfile`): `KEY.tflock`.
pub const LOCK_OBJECT_SUFFIX: &str = ".tflock";

/// A Fargate capacity provider as ECS names it (the infrastructure's
/// cluster has both).
pub fn capacity_provider(provider: CapacityProvider) -> &'static str {
    match provider {
        CapacityProvider::Fargate => "FARGATE",
        CapacityProvider::FargateSpot => "FARGATE_SPOT",
    }
}

/// The suffixes, for the templates' `names` global.
pub const TEMPLATE_NAMES: TemplateNames = TemplateNames {
    task_execution_role: TASK_EXECUTION_ROLE,
    task_role: TASK_ROLE,
    execution_policy: EXECUTION_POLICY,
    task_policy: TASK_POLICY,
    flow_logs_role: FLOW_LOGS_ROLE,
    flow_logs_policy: FLOW_LOGS_POLICY,
    egress_group: EGRESS_GROUP,
    connect_group: CONNECT_GROUP,
    nat: NAT,
    github_apply_role: GITHUB_APPLY_ROLE,
    github_apply_iam_policy: GITHUB_APPLY_IAM_POLICY,
    github_plan_role: GITHUB_PLAN_ROLE,
    github_plan_policy: GITHUB_PLAN_POLICY,
    github_plan_ecr_login_policy: GITHUB_PLAN_ECR_LOGIN_POLICY,
    github_boundary_policy: GITHUB_BOUNDARY_POLICY,
    flow_logs_group_prefix: FLOW_LOGS_GROUP_PREFIX,
    codedeploy_role: CODEDEPLOY_ROLE,
    codedeploy_policy: CODEDEPLOY_POLICY,
    traffic_config: TRAFFIC_CONFIG,
    codedeploy_app_output: CODEDEPLOY_APP_OUTPUT,
    codedeploy_group_output: CODEDEPLOY_GROUP_OUTPUT,
    app_log_group_prefix: APP_LOG_GROUP_PREFIX,
    app_log_group_suffix: APP_LOG_GROUP_SUFFIX,
    flow_logs_group_suffix: FLOW_LOGS_GROUP_SUFFIX,
    task_execution_managed_policy: TASK_EXECUTION_MANAGED_POLICY,
    file_system: FILE_SYSTEM,
    waf_log_group_prefix: WAF_LOG_GROUP_PREFIX,
};

/// The job that lists which jobs' inputs a run changed; its outputs are
/// named after those jobs.
pub const CHANGES_JOB: &str = "changes";

/// The job that scans the generated Terraform with checkov (`scan iac`).
pub const SCAN_IAC_JOB: &str = "scan-iac";

/// The code scanning category of a workflow's Terraform scan.
pub fn iac_scan_category(workflow_file: &str) -> String {
    format!("checkov-{workflow_file}")
}

/// The SARIF file the Terraform scan writes.
pub fn iac_scan_sarif(workflow_file: &str) -> String {
    format!("{}.sarif", iac_scan_category(workflow_file))
}

/// `build`, or `build-NAME` when the pipeline has several builds.
pub fn build_job(build: &str, single: bool) -> String {
    if single {
        String::from("build")
    } else {
        format!("build-{build}")
    }
}

/// The id of a job's variant for the runs that only plan (`infra-plan`,
/// `build-web-plan`): every job that assumes a role comes twice, once for
/// the runs that apply, in its GitHub environment with the apply role, and
/// once for every other run, outside any environment, with the plan role
/// or no role at all.
pub fn plan_job(job: &str) -> String {
    format!("{job}-plan")
}

/// The GitHub environment a job's variant for the runs that only plan
/// runs in, when its variant that applies runs in `environment`: never the
/// environment that applies (whose protection rules, secrets and OIDC
/// subject are the deployment's), but one beside it for the plan's own.
pub fn plan_environment(environment: &str) -> String {
    format!("{environment}-plan")
}

/// GitHub's hosted arm64 runner: an arm64 image is built natively on it.
pub const ARM64_RUNNER: &str = "ubuntu-24.04-arm";

/// Docker's name of an architecture (`amd64`, `arm64`).
pub fn docker_arch(arch: Arch) -> &'static str {
    match arch {
        Arch::X86_64 => "amd64",
        Arch::Arm64 => "arm64",
    }
}

/// Docker's platform of an architecture (`linux/amd64`, `linux/arm64`).
pub fn docker_platform(arch: Arch) -> &'static str {
    match arch {
        Arch::X86_64 => "linux/amd64",
        Arch::Arm64 => "linux/arm64",
    }
}

/// The runner that builds an architecture natively: the pipeline's runner
/// for x86_64, GitHub's arm64 runner for arm64.
pub fn build_runner(arch: Arch, pipeline_runner: &str) -> String {
    match arch {
        Arch::X86_64 => pipeline_runner.to_owned(),
        Arch::Arm64 => ARM64_RUNNER.to_owned(),
    }
}

/// The jobs that build each platform of a multi-platform build
/// (`build-amd64`, `build-web-arm64`), with their architectures; none when
/// the build has one platform (its own job builds it).
pub fn platform_jobs(build: &Build) -> Vec<(Arch, String)> {
    if build.platforms.len() < 2 {
        return Vec::new();
    }
    build.platforms.iter().map(|&arch| (arch, format!("{}-{}", build.job_id, docker_arch(arch)))).collect()
}

/// The tag of one platform's image of a multi-platform build: the build's
/// tag with `-amd64` or `-arm64` appended (the joined image gets the tag).
pub fn platform_tag_suffix(arch: Arch) -> String {
    format!("-{}", docker_arch(arch))
}

/// The manifest job's env variable holding one platform's digest
/// (`DIGEST_ARM64`).
pub fn platform_digest_env(arch: Arch) -> String {
    format!("DIGEST_{}", docker_arch(arch).to_ascii_uppercase())
}

/// `deploy`, or `deploy-NAME` when the pipeline has several deploys.
pub fn deploy_job(deploy: &str, single: bool) -> String {
    if single {
        String::from("deploy")
    } else {
        format!("deploy-{deploy}")
    }
}

/// `infra`, or `infra-ENVIRONMENT`.
pub fn infra_job(environment: Option<&str>) -> String {
    in_environment(String::from("infra"), environment)
}

/// A job id, ECS service or resource prefix in an environment:
/// `NAME-ENVIRONMENT`. IAM names are global to the account and
/// environments may share one, so every environment gets its own.
pub fn in_environment(name: String, environment: Option<&str>) -> String {
    match environment {
        Some(environment) => format!("{name}-{environment}"),
        None => name,
    }
}

/// An SSM parameter in an environment: `PARAMETER/ENVIRONMENT`.
pub fn parameter_in_environment(parameter: &str, environment: &str) -> String {
    format!("{parameter}/{environment}")
}

/// A stack directory in an environment: `STACK/ENVIRONMENT`.
pub fn stack_in_environment(stack: &str, environment: &str) -> String {
    format!("{stack}/{environment}")
}

/// A Terraform state object's key in an environment: `ENVIRONMENT/KEY`.
pub fn state_key_in_environment(key: &str, environment: &str) -> String {
    format!("{environment}/{key}")
}

/// The task execution role of a service.
pub fn task_execution_role(service: &str) -> String {
    format!("{service}{TASK_EXECUTION_ROLE}")
}

/// The task role of a service.
pub fn task_role(service: &str) -> String {
    format!("{service}{TASK_ROLE}")
}

/// The managed policy a service's execution role gets.
pub fn execution_policy(service: &str) -> String {
    format!("{service}{EXECUTION_POLICY}")
}

/// The VPC flow logs role of an infrastructure stack.
pub fn flow_logs_role(infra: &str) -> String {
    format!("{infra}{FLOW_LOGS_ROLE}")
}

/// The VPC flow logs log group of an infrastructure stack.
pub fn flow_logs_group(infra: &str) -> String {
    format!("{FLOW_LOGS_GROUP_PREFIX}{infra}{FLOW_LOGS_GROUP_SUFFIX}")
}

/// The application log group of an infrastructure stack.
pub fn app_log_group(infra: &str) -> String {
    format!("{APP_LOG_GROUP_PREFIX}{infra}{APP_LOG_GROUP_SUFFIX}")
}

/// The Secrets Manager name of an infrastructure stack's secret:
/// `<infra>/<secret>`, or the exact name the pipeline gives.
pub fn infra_secret(infra: &str, secret: &InfraSecret) -> String {
    match &secret.exact_name {
        Some(exact) => exact.clone(),
        None => format!("{infra}/{}", secret.name),
    }
}

/// The bootstrap's apply role.
pub fn github_apply_role(pipeline: &str) -> String {
    format!("{pipeline}{GITHUB_APPLY_ROLE}")
}

/// The bootstrap's plan role.
pub fn github_plan_role(pipeline: &str) -> String {
    format!("{pipeline}{GITHUB_PLAN_ROLE}")
}

/// The permissions boundary of every role the pipeline's stacks create.
pub fn github_boundary_policy(pipeline: &str) -> String {
    format!("{pipeline}{GITHUB_BOUNDARY_POLICY}")
}

/// A workflow's file in the repository, from its stem.
pub fn workflow_path(workflow_file: &str) -> String {
    format!(".github/workflows/{workflow_file}.yml")
}

/// The builds whose images a deploy runs, in container order.
pub fn built_images(deploy: &Deploy) -> Vec<&str> {
    let mut builds: Vec<&str> = Vec::new();
    for container in &deploy.service.containers {
        if let Image::Build(name) = &container.image {
            if !builds.contains(&name.as_str()) {
                builds.push(name);
            }
        }
    }
    builds
}

/// The Terraform variable of a deploy's image: `image_tag` when the stack
/// runs one build's image, else `image_tag_BUILD` each.
pub fn image_variable(deploy: &Deploy, build: &str) -> String {
    if built_images(deploy).len() == 1 {
        String::from("image_tag")
    } else {
        format!("image_tag_{}", build.replace('-', "_"))
    }
}

/// The deploy job's environment variable holding a built image's id:
/// `IMAGE_ID`, or `IMAGE_ID_BUILD` each when the stack runs several.
pub fn image_env(deploy: &Deploy, build: &str) -> String {
    if built_images(deploy).len() == 1 {
        String::from("IMAGE_ID")
    } else {
        format!("IMAGE_ID_{}", build.to_ascii_uppercase().replace('-', "_"))
    }
}

/// The Terraform variable carrying an infrastructure secret's value.
pub fn secret_variable(secret: &InfraSecret) -> String {
    let mut name: String =
        secret.name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    name
}

/// The environment variable Terraform reads a secret variable from.
pub fn secret_env(secret: &InfraSecret) -> String {
    format!("TF_VAR_{}", secret_variable(secret))
}

/// The concurrency group of the job applying a stack: one apply at a time
/// per stack, across every workflow of the repository. The directory is
/// kept as written (`/` included), so that distinct stacks never meet in
/// one group (`svc/a-b` and `svc-a/b`).
pub fn concurrency_group(stack: &str) -> String {
    format!("terraform-{stack}")
}

/// The concurrency group of a run that only plans a stack, before the
/// run's ref: one per ref, never the applies' group. GitHub cancels a
/// pending job when another joins its group, so a plan sharing the
/// applies' group could cancel a queued apply.
pub fn plan_concurrency_group(stack: &str) -> String {
    format!("terraform-plan-{stack}-")
}

/// The start of a workflow's own concurrency group, which the workflow
/// ends with the run's ref: named after the workflow's file, which is
/// unique in the repository, never after its display name, which two
/// workflows may share. The prefix keeps it apart from the stacks' groups.
pub fn workflow_concurrency_group(workflow_file: &str) -> String {
    format!("workflow-{workflow_file}.yml-")
}

/// The name of a container's port mapping in its task definition.
/// The security group a service's calls go through, by its name in the
/// environment: the other end's stack finds it by this name.
pub fn connect_group(service: &str) -> String {
    format!("{service}{CONNECT_GROUP}")
}

pub fn port_mapping(container: &str, port: u16) -> String {
    format!("{container}-{port}")
}

/// The role session name a job's AWS calls show in CloudTrail.
pub fn session_name(pipeline: &str, job: &str) -> String {
    // Role session names: 2–64 of [\w+=,.@-]; both parts are already
    // restricted to that set by the checker.
    let mut name = format!("ecspipe-{pipeline}-{job}");
    name.truncate(64);
    name
}

/// The Terraform resource label of a scheduled scaling change.
pub fn schedule_label(schedule: &str) -> String {
    identifier(schedule)
}

/// The code scanning category of a build's image scan.
pub fn scan_category(build: &str) -> String {
    format!("trivy-{build}")
}

/// The code scanning category of one platform's scan of a multi-platform
/// build (`trivy-api-arm64`): uploads of one category replace each other.
pub fn platform_scan_category(build: &str, arch: Arch) -> String {
    format!("{}{}", scan_category(build), platform_tag_suffix(arch))
}

/// The SARIF file a build's image scan writes.
pub fn scan_sarif(build: &str) -> String {
    format!("{}.sarif", scan_category(build))
}

/// How GitHub compares keys (job ids, `env` keys, concurrency groups):
/// without case.
pub fn github_key(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// How identifiers compare (Terraform variables and labels, job ids): `-`
/// and `_` meet, since one is written for the other (`edge-proxy` becomes
/// `image_tag_edge_proxy`).
pub fn identifier(name: &str) -> String {
    name.replace('-', "_")
}

/// How IAM compares role and policy names: without case.
pub fn iam_key(name: &str) -> String {
    name.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_get_their_environment() {
        assert_eq!(build_job("api", true), "build");
        assert_eq!(build_job("api", false), "build-api");
        assert_eq!(deploy_job("web", false), "deploy-web");
        assert_eq!(infra_job(Some("prod")), "infra-prod");
        assert_eq!(in_environment(deploy_job("web", true), Some("prod")), "deploy-prod");
        assert_eq!(parameter_in_environment("/shop/output", "prod"), "/shop/output/prod");
        assert_eq!(state_key_in_environment("api.tfstate", "prod"), "prod/api.tfstate");
    }

    #[test]
    fn roles_and_policies_share_their_suffixes_with_templates() {
        assert_eq!(task_execution_role("web"), "web-task-execution-role");
        assert_eq!(task_role("web"), "web-task-role");
        assert_eq!(execution_policy("web"), "web-execution");
        assert_eq!(flow_logs_role("shop"), "shop-flow-logs");
        assert_eq!(github_apply_role("shop"), "shop-github-apply");
        assert_eq!(github_plan_role("shop"), "shop-github-plan");
        assert_eq!(TEMPLATE_NAMES.task_policy, TASK_POLICY);
        assert_eq!(github_boundary_policy("shop"), "shop-github-boundary");
        assert_eq!(
            job_workflow_ref("acme/shop", "shop", "release/1"),
            "acme/shop/.github/workflows/shop.yml@refs/heads/release/1"
        );
        assert_eq!(branch_subject("acme/shop", "main"), "repo:acme/shop:ref:refs/heads/main");
    }

    #[test]
    fn keys_normalise_as_github_and_terraform_compare_them() {
        assert_eq!(github_key("build-Web"), github_key("build-web"));
        assert_eq!(identifier("edge-proxy"), identifier("edge_proxy"));
        assert_ne!(identifier("edge-proxy"), identifier("edgeproxy"));
        assert_eq!(iam_key("Web-task-role"), iam_key("web-task-role"));
    }

    #[test]
    fn secrets_and_sessions() {
        let secret = InfraSecret {
            name: String::from("9-db.url"),
            from: String::from("DB"),
            exact_name: None,
            recovery_days: 30,
        };
        assert_eq!(secret_variable(&secret), "_9_db_url");
        assert_eq!(secret_env(&secret), "TF_VAR__9_db_url");
        assert_eq!(session_name("p", &"j".repeat(80)).len(), 64);
        assert_eq!(concurrency_group("deploy/web/prod"), "terraform-deploy/web/prod");
        assert_ne!(concurrency_group("svc/a-b"), concurrency_group("svc-a/b"));
        assert_eq!(workflow_concurrency_group("shop"), "workflow-shop.yml-");
        assert_eq!(scan_sarif("api"), "trivy-api.sarif");
    }
}
