//! The checked model: what a pipeline means, every reference resolved, every
//! value typed and in range. Produced by [`crate::check`], consumed by
//! [`crate::lower`]. Nothing here can be invalid for AWS or GitHub.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::span::Span;

/// One compiled pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pipeline {
    /// `pipeline NAME`.
    pub name: String,
    /// Where `NAME` is written (equal to every other span).
    pub span: Span,
    /// Where the pipeline came from, as named in generated headers.
    pub source_name: String,
    /// The workflow file's stem (`.github/workflows/<stem>.yml`).
    pub workflow_file: String,
    /// The workflow's `name:`.
    pub workflow_name: String,
    /// The AWS region everything is deployed to.
    pub region: String,
    /// The IAM role the jobs assume through OIDC.
    pub role: GithubValue,
    /// A read-only role for runs that do not apply, if the pipeline splits them.
    pub plan_role: Option<GithubValue>,
    /// The bootstrap stack: GitHub's OIDC provider and the roles' trust.
    pub oidc: Option<Oidc>,
    /// The GitHub environment the jobs run in, if any.
    pub environment: Option<String>,
    /// The runner label.
    pub runner: String,
    /// What starts the workflow.
    pub triggers: Triggers,
    /// Images to build, in source order.
    pub builds: Vec<Build>,
    /// The infrastructure stacks, one per environment (or one), in order.
    pub infras: Vec<Infra>,
    /// Service stacks to deploy, one per deploy and environment, in order.
    pub deploys: Vec<Deploy>,
    /// The environments, in promotion order.
    pub environments: Vec<Environment>,
}

/// One environment of `environments { ... }`: where jobs promote from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Environment {
    /// Its name.
    pub name: String,
    /// Where the name is written (equal to every other span).
    pub span: Span,
    /// The environments whose deploys must succeed first.
    pub after: Vec<String>,
}

/// `oidc { ... }`: the bootstrap stack an administrator applies once, so
/// the workflow can assume its roles through GitHub's OIDC provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Oidc {
    /// `owner/repository` on GitHub.
    pub repository: String,
    /// The stack directory.
    pub stack: String,
    /// Its state backend.
    pub state: Backend,
    /// Prefix of the roles' names.
    pub name: String,
    /// Whether the account's OIDC provider exists already (one per account).
    pub existing_provider: bool,
    /// `sub` claims the apply role trusts: the apply branches and environments.
    pub apply_subjects: Vec<String>,
    /// The IAM roles the stacks create, by name.
    pub iam_roles: Vec<String>,
    /// The IAM managed policies the stacks create, by name.
    pub iam_policies: Vec<String>,
    /// Terraform state objects: (bucket, key).
    #[serde(serialize_with = "crate::json::bucket_key")]
    pub state_objects: Vec<(String, String)>,
    /// ECR repositories the builds push to.
    pub repositories: Vec<String>,
    /// Name prefixes of the infrastructure stacks (secrets, KMS aliases).
    pub infra_names: Vec<String>,
    /// Terraform version for the instructions.
    pub region: String,
}

/// Where and as whom a Terraform job runs: shared by infra and deploy jobs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    /// The workflow job id.
    pub job_id: String,
    /// The GitHub environment the job runs in, if any.
    pub environment: Option<String>,
    /// The IAM role the job assumes.
    pub role: GithubValue,
    /// The deployment environment this job belongs to (`prod`), if any.
    pub stage: Option<String>,
    /// Jobs that must succeed first (promotion order, infrastructure).
    pub after: Vec<String>,
}

/// `infra { ... }`: the infrastructure stack of the reference deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Infra {
    /// Where the `infra` block starts (equal to every other span).
    pub span: Span,
    /// Job, environment and role.
    pub target: Target,
    /// The stack directory.
    pub stack: String,
    /// Where Terraform keeps its state.
    pub state: Backend,
    /// The prefix of every resource name.
    pub name: String,
    /// The VPC's CIDR block.
    pub vpc_cidr: String,
    /// Availability zones: one public and one private subnet each.
    pub zones: Vec<String>,
    /// The prefix length of each subnet.
    pub subnet_bits: u8,
    /// VPC endpoints, in canonical order.
    pub endpoints: Vec<String>,
    /// Container Insights.
    pub insights: bool,
    /// ECS Exec logging to CloudWatch.
    pub exec_logging: bool,
    /// Log retention in days.
    pub log_retention_days: u32,
    /// The load balancer, if the services take traffic.
    pub load_balancer: Option<InfraLoadBalancer>,
    /// The application secret, if any.
    pub secret: Option<InfraSecret>,
    /// The SSM parameter the handoff is written to, if any.
    pub handoff_parameter: Option<String>,
    /// ECR repositories, one per build.
    pub repositories: Vec<String>,
    /// Trade-offs accepted with a reason, sorted.
    #[serde(serialize_with = "crate::json::risk_reason")]
    pub accepted: Vec<(Risk, String)>,
    /// Terraform version for the job.
    pub terraform_version: String,
}

/// The infrastructure's application load balancer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InfraLoadBalancer {
    /// Internet-facing (or internal).
    pub public: bool,
    /// The port targets listen on (the container port).
    pub target_port: u16,
    /// The HTTP listener port without a certificate.
    pub listener_port: u16,
    /// The target group's health check path.
    pub health_path: String,
    /// An ACM certificate: HTTPS on 443 and a redirect from 80.
    pub certificate: Option<String>,
    /// CIDR blocks allowed to reach the listeners.
    pub allow: Vec<String>,
    /// An existing S3 bucket receiving the access logs.
    pub access_logs: Option<String>,
}

/// A security trade-off the pipeline accepts, with its author's reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    /// A load balancer without a certificate serves plain HTTP.
    PlainHttp,
    /// A public load balancer without a web application firewall.
    NoWaf,
    /// A load balancer without access logs.
    NoAccessLogs,
}

impl Risk {
    /// Every risk, as written in a pipeline.
    pub const ALL: [(&'static str, Risk); 3] =
        [("plain_http", Risk::PlainHttp), ("no_waf", Risk::NoWaf), ("no_access_logs", Risk::NoAccessLogs)];

    /// The name as written in a pipeline.
    pub fn keyword(self) -> &'static str {
        match self {
            Risk::PlainHttp => "plain_http",
            Risk::NoWaf => "no_waf",
            Risk::NoAccessLogs => "no_access_logs",
        }
    }
}

/// A Secrets Manager secret whose value comes from a GitHub secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InfraSecret {
    /// The secret's name (after the resource prefix).
    pub name: String,
    /// The GitHub secret holding its value.
    pub from: String,
}

/// A value the workflow reads from GitHub or writes literally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum GithubValue {
    /// `secret.NAME`: a repository or environment secret.
    Secret(String),
    /// `var.NAME`: a repository or environment variable.
    Variable(String),
    /// A literal string.
    Literal(String),
}

/// What starts the workflow.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Triggers {
    /// Branches whose pushes run it, if pushes do.
    pub push: Option<Vec<String>>,
    /// Base branches whose pull requests run it, if pull requests do.
    pub pull_request: Option<Vec<String>>,
    /// `workflow_dispatch`.
    pub manual: bool,
    /// Extra path filters the user added to the derived ones.
    pub extra_paths: Vec<String>,
}

/// `build NAME { ... }`: an image built, scanned and pushed by one job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Build {
    /// The build's name (`build.NAME` refers to it).
    pub name: String,
    /// Where `NAME` is written (equal to every other span).
    pub span: Span,
    /// The workflow job id.
    pub job_id: String,
    /// The Docker build context, relative to the repository root.
    pub context: String,
    /// The Dockerfile, relative to the context, if not `Dockerfile`.
    pub dockerfile: Option<String>,
    /// The ECR repository name.
    pub repository: String,
    /// How the image tag is made.
    pub tag: Vec<TagPart>,
    /// The image scan, if any.
    pub scan: Option<Scan>,
    /// Jobs that must succeed first (the infrastructure creating the repository).
    pub after: Vec<String>,
    /// The GitHub environment the build job runs in.
    pub environment: Option<String>,
    /// The IAM role it assumes to push.
    pub role: GithubValue,
}

/// A piece of an image tag template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum TagPart {
    /// Literal text (only tag-safe characters).
    Text(String),
    /// `{date}`: `YYYYMMDD` in UTC.
    Date,
    /// `{run_number}`.
    RunNumber,
    /// `{run_attempt}`.
    RunAttempt,
    /// `{sha}`: the full commit SHA.
    Sha,
    /// `{short_sha}`: its first 7 characters.
    ShortSha,
}

/// A Trivy scan of the built image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Scan {
    /// The lowest severity that fails the build; `None` only reports.
    pub fail_on: Option<Severity>,
}

/// Trivy severities, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// `LOW`
    Low,
    /// `MEDIUM`
    Medium,
    /// `HIGH`
    High,
    /// `CRITICAL`
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 4] = [Severity::Low, Severity::Medium, Severity::High, Severity::Critical];

    /// The name as written in a pipeline.
    pub fn keyword(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// `deploy NAME { ... }`: a Terraform service stack and the job applying it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deploy {
    /// The deploy's name.
    pub name: String,
    /// Where `NAME` is written (equal to every other span).
    pub span: Span,
    /// Job, environment and role.
    pub target: Target,
    /// The stack directory, relative to the output directory.
    pub stack: String,
    /// Where Terraform keeps state.
    pub state: Backend,
    /// Where the values handed over by the infrastructure come from.
    pub infra: InfraSource,
    /// The branch whose pushes apply.
    pub apply_branch: String,
    /// Infracost on pull requests, if wanted.
    pub cost: Option<Cost>,
    /// The Terraform version the job installs.
    pub terraform_version: String,
    /// The service the stack runs.
    pub service: Service,
}

/// Terraform state storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Backend {
    /// An S3 bucket, encrypted, with S3-native locking.
    S3 {
        /// The bucket.
        bucket: String,
        /// The object key.
        key: String,
        /// The bucket's region.
        region: String,
    },
    /// A local file (for experiments: CI runners forget it).
    Local {
        /// The state file, relative to the stack.
        path: String,
    },
}

/// The handoff from the infrastructure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum InfraSource {
    /// One SSM parameter holding a JSON object of the handed-over values.
    Ssm {
        /// The parameter name, `/<name>/output` by convention.
        parameter: String,
    },
    /// Literal IDs written in the pipeline.
    Literal(BTreeMap<String, HandoffValue>),
    /// The outputs of the pipeline's own infrastructure stack, read from its state.
    Stack {
        /// The infrastructure stack directory.
        stack: String,
        /// Its state backend.
        state: Backend,
    },
}

/// A literal handed-over value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum HandoffValue {
    /// One ID or ARN.
    One(String),
    /// A list of IDs.
    Many(Vec<String>),
}

/// A string the stack computes: literal or handed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Scalar {
    /// A literal string.
    Text(String),
    /// `infra.KEY`.
    Infra(String),
    /// `region`: the stack's region variable.
    Region,
}

/// A list of strings the stack computes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum ScalarList {
    /// `infra.KEY` where the key holds a list.
    Infra(String),
    /// Items written out.
    Items(Vec<Scalar>),
}

/// Infracost on pull requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cost {
    /// The GitHub secret holding the Infracost API key.
    pub api_key_secret: String,
}

/// `service NAME { ... }`: the ECS service and its task definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Service {
    /// The service name, task family and role name prefix.
    pub name: String,
    /// Task CPU units.
    pub cpu: u32,
    /// Task memory in MiB.
    pub memory: u32,
    /// Desired task count.
    pub count: u32,
    /// CPU architecture.
    pub arch: Arch,
    /// The containers, in source order.
    pub containers: Vec<Container>,
    /// The load balancer target, if the service takes traffic.
    pub load_balancer: Option<LoadBalancer>,
    /// Subnets and security groups.
    pub network: Network,
    /// The ECS cluster.
    pub cluster: Scalar,
    /// The CloudWatch log group.
    pub log_group: Scalar,
    /// Autoscaling, if the count is a range.
    pub scaling: Option<Scaling>,
    /// How new task definitions roll out.
    pub deployment: Deployment,
    /// Ephemeral storage in GiB beyond Fargate's default 20.
    pub storage: Option<u32>,
    /// Statements of the task role's policy.
    pub task_policy: Vec<Allow>,
    /// ECS Exec (`aws ecs execute-command`).
    pub exec: bool,
}

/// Application Auto Scaling of the service's task count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scaling {
    /// Fewest tasks.
    pub min: u32,
    /// Most tasks.
    pub max: u32,
    /// Target average CPU utilisation, percent.
    pub cpu: Option<u32>,
    /// Target average memory utilisation, percent.
    pub memory: Option<u32>,
    /// Target requests per task per minute (needs a load balancer).
    pub requests: Option<u32>,
    /// Seconds to wait after scaling in.
    pub cooldown_in: u32,
    /// Seconds to wait after scaling out.
    pub cooldown_out: u32,
    /// Scheduled capacity changes.
    pub schedules: Vec<Schedule>,
}

/// A scheduled change of the scaling range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Schedule {
    /// Its name.
    pub name: String,
    /// Where the name is written (equal to every other span).
    pub span: Span,
    /// `cron(...)`, `rate(...)` or `at(...)`.
    pub expression: String,
    /// New minimum.
    pub min: u32,
    /// New maximum.
    pub max: u32,
    /// IANA time zone of the expression.
    pub timezone: String,
}

/// Rolling deployment settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deployment {
    /// Healthy percent kept during a deployment.
    pub minimum_percent: u32,
    /// Percent of the count that may run during a deployment.
    pub maximum_percent: u32,
    /// Seconds load balancer health checks are ignored after a task starts.
    pub grace: Option<u32>,
    /// Roll back automatically when the circuit breaker trips.
    pub rollback: bool,
    /// CloudWatch alarms that roll a deployment back.
    pub alarms: Vec<String>,
}

impl Default for Deployment {
    fn default() -> Self {
        Deployment { minimum_percent: 100, maximum_percent: 200, grace: None, rollback: true, alarms: Vec::new() }
    }
}

/// One statement of the task role's policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Allow {
    /// IAM actions.
    pub actions: Vec<String>,
    /// Resource ARNs (or handed-over values).
    pub resources: Vec<Scalar>,
}

/// The task's CPU architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Arch {
    /// `X86_64`.
    X86_64,
    /// `ARM64` (Graviton).
    Arm64,
}

/// One container of the task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Container {
    /// Its name.
    pub name: String,
    /// What it runs.
    pub image: Image,
    /// Whether the task stops when it stops.
    pub essential: bool,
    /// Hard memory limit in MiB.
    pub memory: Option<u32>,
    /// Reserved CPU units.
    pub cpu: Option<u32>,
    /// The port it listens on.
    pub port: Option<Port>,
    /// Its health check.
    pub health: Option<Health>,
    /// Environment variables, sorted by name.
    #[serde(serialize_with = "crate::json::name_value")]
    pub env: Vec<(String, Scalar)>,
    /// Secrets injected as environment variables, sorted by name.
    #[serde(serialize_with = "crate::json::name_source")]
    pub secrets: Vec<(String, SecretSource)>,
    /// Whether the root filesystem is read-only (the default).
    pub read_only_root: bool,
    /// Why the root filesystem is writable, when it is.
    pub writable_reason: Option<String>,
    /// Overrides the image's `CMD`.
    pub command: Option<Vec<String>>,
    /// Overrides the image's `ENTRYPOINT`.
    pub entrypoint: Option<Vec<String>>,
    /// Containers that must reach a state before this one starts.
    #[serde(serialize_with = "crate::json::container_condition")]
    pub depends_on: Vec<(String, StartCondition)>,
    /// S3 object ARNs of environment files.
    pub env_files: Vec<String>,
}

/// ECS `dependsOn` conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StartCondition {
    /// `START`
    Started,
    /// `HEALTHY`
    Healthy,
    /// `COMPLETE`
    Complete,
    /// `SUCCESS`
    Success,
}

impl StartCondition {
    /// Every condition, as written in a pipeline.
    pub const ALL: [(&'static str, StartCondition); 4] = [
        ("started", StartCondition::Started),
        ("healthy", StartCondition::Healthy),
        ("complete", StartCondition::Complete),
        ("success", StartCondition::Success),
    ];

    /// The ECS spelling.
    pub fn ecs(self) -> &'static str {
        match self {
            StartCondition::Started => "START",
            StartCondition::Healthy => "HEALTHY",
            StartCondition::Complete => "COMPLETE",
            StartCondition::Success => "SUCCESS",
        }
    }
}

/// A container image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Image {
    /// `build.NAME`: the image the workflow built, passed to the stack.
    Build(String),
    /// A full image reference written in the pipeline.
    Uri(String),
}

/// A container port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Port {
    /// The port number.
    pub number: u16,
    /// The application protocol, if declared.
    pub app_protocol: Option<AppProtocol>,
}

/// ECS `appProtocol`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AppProtocol {
    /// `http`
    Http,
    /// `http2`
    Http2,
    /// `grpc`
    Grpc,
}

impl AppProtocol {
    /// Every protocol, as written in a pipeline.
    pub const ALL: [(&'static str, AppProtocol); 3] =
        [("http", AppProtocol::Http), ("http2", AppProtocol::Http2), ("grpc", AppProtocol::Grpc)];

    /// The name as ECS and the pipeline spell it.
    pub fn keyword(self) -> &'static str {
        match self {
            AppProtocol::Http => "http",
            AppProtocol::Http2 => "http2",
            AppProtocol::Grpc => "grpc",
        }
    }
}

/// A container health check (`CMD-SHELL`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Health {
    /// The shell command.
    pub command: String,
    /// Seconds between checks.
    pub interval: u32,
    /// Failures before unhealthy.
    pub retries: u32,
    /// Seconds before a check counts as failed.
    pub timeout: u32,
    /// Seconds of grace after start.
    pub start_period: u32,
}

/// Where a container secret comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretSource {
    /// The secret or parameter.
    pub store: SecretStore,
    /// A key of a JSON secret (Secrets Manager only).
    pub json_key: Option<String>,
}

/// The store a secret lives in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum SecretStore {
    /// A Secrets Manager secret handed over by the infrastructure (`infra.KEY`).
    Infra(String),
    /// A Secrets Manager secret by ARN.
    SecretArn(String),
    /// An SSM parameter by ARN.
    ParameterArn(String),
    /// An SSM parameter by name, in the stack's account and region.
    Parameter(String),
}

/// The service's load balancer attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadBalancer {
    /// The target group ARN.
    pub target_group: Scalar,
    /// The container receiving traffic.
    pub container: String,
    /// Its port.
    pub port: u16,
}

/// Task networking (always `awsvpc`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Network {
    /// The subnets.
    pub subnets: ScalarList,
    /// The security groups.
    pub security_groups: ScalarList,
    /// Whether tasks get a public IP.
    pub public_ip: bool,
}
