//! The checked model: what a pipeline means, every reference resolved, every
//! value typed and in range. Produced by [`crate::check`], consumed by
//! [`crate::lower`]. Nothing here can be invalid for AWS or GitHub.

use std::collections::BTreeMap;

/// One compiled pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pipeline {
    /// `pipeline NAME`.
    pub name: String,
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
    /// The GitHub environment the jobs run in, if any.
    pub environment: Option<String>,
    /// The runner label.
    pub runner: String,
    /// What starts the workflow.
    pub triggers: Triggers,
    /// Images to build, in source order.
    pub builds: Vec<Build>,
    /// Service stacks to deploy, in source order.
    pub deploys: Vec<Deploy>,
}

/// A value the workflow reads from GitHub or writes literally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GithubValue {
    /// `secret.NAME`: a repository or environment secret.
    Secret(String),
    /// `var.NAME`: a repository or environment variable.
    Variable(String),
    /// A literal string.
    Literal(String),
}

/// What starts the workflow.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Build {
    /// The build's name (`build.NAME` refers to it).
    pub name: String,
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
}

/// A piece of an image tag template.
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scan {
    /// The lowest severity that fails the build; `None` only reports.
    pub fail_on: Option<Severity>,
}

/// Trivy severities, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deploy {
    /// The deploy's name.
    pub name: String,
    /// The workflow job id.
    pub job_id: String,
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InfraSource {
    /// One SSM parameter holding a JSON object of the handed-over values.
    Ssm {
        /// The parameter name, `/<name>/output` by convention.
        parameter: String,
    },
    /// Literal IDs written in the pipeline.
    Literal(BTreeMap<String, HandoffValue>),
}

/// A literal handed-over value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandoffValue {
    /// One ID or ARN.
    One(String),
    /// A list of IDs.
    Many(Vec<String>),
}

/// A string the stack computes: literal or handed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scalar {
    /// A literal string.
    Text(String),
    /// `infra.KEY`.
    Infra(String),
    /// `region`: the stack's region variable.
    Region,
}

/// A list of strings the stack computes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScalarList {
    /// `infra.KEY` where the key holds a list.
    Infra(String),
    /// Items written out.
    Items(Vec<Scalar>),
}

/// Infracost on pull requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cost {
    /// The GitHub secret holding the Infracost API key.
    pub api_key_secret: String,
}

/// `service NAME { ... }`: the ECS service and its task definition.
#[derive(Debug, Clone, PartialEq, Eq)]
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
}

/// The task's CPU architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arch {
    /// `X86_64`.
    X86_64,
    /// `ARM64` (Graviton).
    Arm64,
}

/// One container of the task.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    pub env: Vec<(String, Scalar)>,
    /// Secrets injected as environment variables, sorted by name.
    pub secrets: Vec<(String, SecretSource)>,
    /// Whether the root filesystem is read-only (the default).
    pub read_only_root: bool,
    /// Overrides the image's `CMD`.
    pub command: Option<Vec<String>>,
    /// Overrides the image's `ENTRYPOINT`.
    pub entrypoint: Option<Vec<String>>,
}

/// A container image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Image {
    /// `build.NAME`: the image the workflow built, passed to the stack.
    Build(String),
    /// A full image reference written in the pipeline.
    Uri(String),
}

/// A container port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Port {
    /// The port number.
    pub number: u16,
    /// The application protocol, if declared.
    pub app_protocol: Option<AppProtocol>,
}

/// ECS `appProtocol`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// A Secrets Manager secret handed over by the infrastructure.
    Infra(String),
    /// A Secrets Manager secret or SSM parameter ARN written in the pipeline.
    Arn(String),
}

/// The service's load balancer attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadBalancer {
    /// The target group ARN.
    pub target_group: Scalar,
    /// The container receiving traffic.
    pub container: String,
    /// Its port.
    pub port: u16,
}

/// Task networking (always `awsvpc`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    /// The subnets.
    pub subnets: ScalarList,
    /// The security groups.
    pub security_groups: ScalarList,
    /// Whether tasks get a public IP.
    pub public_ip: bool,
}
