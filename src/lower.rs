//! Stage 3, lower: model → IR, one document per output file.
//!
//! Contract: decides *what* each output says — defaults made explicit,
//! security hardening (least-privilege permissions, pinned actions, secrets
//! passed through `env`, read-only root filesystems), file paths, and the
//! canonical order of everything. It never decides layout or quoting: that
//! is [`crate::emit`]'s. Everything is ordered (vectors, sorted maps), so
//! output is deterministic by construction.

use serde::Serialize;

use crate::actions::{self, Pin};
use crate::model::*;

/// An HCL value, quoted and laid out by the emitter's `hcl` filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Hcl {
    /// A string literal.
    Str(String),
    /// A number.
    Num(u64),
    /// A boolean.
    Bool(bool),
    /// A reference or function call, written as is: `var.name`.
    Expr {
        /// The expression text.
        expr: String,
    },
    /// A tuple.
    List(Vec<Hcl>),
    /// An object; keys are written in this order.
    Object {
        /// The attributes.
        object: Vec<(String, Hcl)>,
    },
}

impl Hcl {
    fn expr(text: impl Into<String>) -> Hcl {
        Hcl::Expr { expr: text.into() }
    }

    fn str(text: impl Into<String>) -> Hcl {
        Hcl::Str(text.into())
    }

    fn object(attributes: Vec<(&str, Hcl)>) -> Hcl {
        Hcl::Object { object: attributes.into_iter().map(|(k, v)| (k.to_owned(), v)).collect() }
    }
}

/// Everything one pipeline compiles to.
#[derive(Debug, Clone, Serialize)]
pub struct Program {
    /// The workflow.
    pub workflow: Workflow,
    /// One service stack per deploy.
    pub stacks: Vec<ServiceStack>,
}

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
    /// Build jobs, in pipeline order.
    pub builds: Vec<BuildJob>,
    /// Deploy jobs, in pipeline order.
    pub deploys: Vec<DeployJob>,
}

/// The settings every job shares.
#[derive(Debug, Clone, Serialize)]
pub struct JobBase {
    /// Job id.
    pub id: String,
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
}

/// A job that builds, scans and pushes one image.
#[derive(Debug, Clone, Serialize)]
pub struct BuildJob {
    /// Shared job settings.
    #[serde(flatten)]
    pub base: JobBase,
    /// The build's name.
    pub build: String,
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

/// A job that plans or applies one service stack.
#[derive(Debug, Clone, Serialize)]
pub struct DeployJob {
    /// Shared job settings.
    #[serde(flatten)]
    pub base: JobBase,
    /// Build jobs it waits for.
    pub needs: Vec<String>,
    /// Image URIs handed from build jobs: env name, expression, Terraform variable.
    pub images: Vec<ImageInput>,
    /// `-var=...` arguments shared by plan and apply.
    pub var_args: String,
    /// `concurrency.group`.
    pub concurrency: String,
    /// The deploy's name, for the job's display name.
    pub deploy: String,
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
    /// `needs.<job>.outputs.image-uri` expression.
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

/// A Terraform service stack.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceStack {
    /// Directory relative to the output root.
    pub dir: String,
    /// The source pipeline's name for the header.
    pub source: String,
    /// Pipeline name, for tags.
    pub pipeline: String,
    /// Backend type (`s3`, `local`).
    pub backend: &'static str,
    /// Backend attributes, in order.
    pub backend_settings: Vec<(&'static str, Hcl)>,
    /// Default of `var.region`.
    pub region: String,
    /// Default of `var.name`.
    pub name: String,
    /// Image variables (no default).
    pub image_variables: Vec<ImageVariable>,
    /// The SSM parameter holding the handoff, if read from SSM.
    pub handoff_parameter: Option<String>,
    /// The literal handoff object, if written in the pipeline.
    pub handoff_literal: Option<Hcl>,
    /// Task CPU units.
    pub cpu: u32,
    /// Task memory, MiB.
    pub memory: u32,
    /// `X86_64` or `ARM64`.
    pub arch: &'static str,
    /// `container_definitions` as an HCL tuple.
    pub containers: Hcl,
    /// Secrets Manager ARNs the execution role may read.
    pub secret_arns: Vec<Hcl>,
    /// SSM parameter ARNs the execution role may read.
    pub parameter_arns: Vec<Hcl>,
    /// The KMS key that decrypts the secrets, if known.
    pub kms_key: Option<Hcl>,
    /// `desired_count`.
    pub count: u32,
    /// The ECS cluster.
    pub cluster: Hcl,
    /// The load balancer block, if any.
    pub load_balancer: Option<LoadBalancerBlock>,
    /// Subnets.
    pub subnets: Hcl,
    /// Security groups.
    pub security_groups: Hcl,
    /// `assign_public_ip`.
    pub public_ip: bool,
}

/// `variable "image_tag"` and friends.
#[derive(Debug, Clone, Serialize)]
pub struct ImageVariable {
    /// Variable name.
    pub name: String,
    /// The build it carries.
    pub build: String,
}

/// `load_balancer { ... }` of the service.
#[derive(Debug, Clone, Serialize)]
pub struct LoadBalancerBlock {
    /// Target group ARN.
    pub target_group: Hcl,
    /// Container name.
    pub container: String,
    /// Container port.
    pub port: u16,
}

/// Lowers a checked pipeline.
pub fn lower(pipeline: &Pipeline) -> Program {
    let workflow_path = format!(".github/workflows/{}.yml", pipeline.workflow_file);
    let stacks: Vec<ServiceStack> = pipeline.deploys.iter().map(|deploy| service_stack(pipeline, deploy)).collect();
    Program { workflow: workflow(pipeline, workflow_path), stacks }
}

fn role_expression(role: &GithubValue) -> String {
    match role {
        GithubValue::Secret(name) => format!("${{{{ secrets.{name} }}}}"),
        GithubValue::Variable(name) => format!("${{{{ vars.{name} }}}}"),
        GithubValue::Literal(text) => text.clone(),
    }
}

fn session_name(pipeline: &Pipeline, job: &str) -> String {
    // Role session names: 2–64 of [\w+=,.@-]; both parts are already
    // restricted to that set by the checker.
    let mut name = format!("ecspipe-{}-{}", pipeline.name, job);
    name.truncate(64);
    name
}

/// The image variable of a deploy for `build`: `image_tag` when the stack
/// runs one build's image (the reference's name), `image_tag_<build>` else.
fn image_variable(deploy: &Deploy, build: &str) -> String {
    if built_images(deploy).len() == 1 {
        String::from("image_tag")
    } else {
        format!("image_tag_{}", build.replace('-', "_"))
    }
}

fn built_images(deploy: &Deploy) -> Vec<&str> {
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

fn workflow(pipeline: &Pipeline, path: String) -> Workflow {
    let mut paths: Vec<String> = Vec::new();
    let mut add = |path: String| {
        if !paths.contains(&path) {
            paths.push(path);
        }
    };
    for build in &pipeline.builds {
        add(if build.context == "." { String::from("**") } else { format!("{}/**", build.context) });
    }
    for deploy in &pipeline.deploys {
        add(format!("{}/**", deploy.stack));
    }
    add(path.clone());
    for extra in &pipeline.triggers.extra_paths {
        add(extra.clone());
    }
    // A build of the repository root sees every change: no filter at all.
    if paths.iter().any(|p| p == "**") {
        paths.clear();
    }
    let role = role_expression(&pipeline.role);
    let builds = pipeline
        .builds
        .iter()
        .map(|build| BuildJob {
            base: JobBase {
                id: build.job_id.clone(),
                runner: pipeline.runner.clone(),
                environment: pipeline.environment.clone(),
                working_directory: build.context.clone(),
                role: role.clone(),
                session_name: session_name(pipeline, &build.job_id),
                permissions: vec![
                    ("contents", "read", "check out the repository"),
                    ("id-token", "write", "assume the AWS role through OIDC"),
                    ("security-events", "write", "upload the image scan to code scanning"),
                ],
            },
            build: build.name.clone(),
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
        })
        .collect();
    let deploys = pipeline
        .deploys
        .iter()
        .map(|deploy| {
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
            let needs: Vec<String> = built_images(deploy)
                .into_iter()
                .filter_map(|name| pipeline.builds.iter().find(|b| b.name == name).map(|b| b.job_id.clone()))
                .collect();
            let var_args = images
                .iter()
                .map(|image| format!("-var=\"{}=${}\"", image.variable, image.env))
                .collect::<Vec<_>>()
                .join(" ");
            let apply_if =
                format!("github.ref == 'refs/heads/{}' && github.event_name != 'pull_request'", deploy.apply_branch);
            let plan_if =
                format!("github.ref != 'refs/heads/{}' || github.event_name == 'pull_request'", deploy.apply_branch);
            DeployJob {
                base: JobBase {
                    id: deploy.job_id.clone(),
                    runner: pipeline.runner.clone(),
                    environment: pipeline.environment.clone(),
                    working_directory: deploy.stack.clone(),
                    role: role.clone(),
                    session_name: session_name(pipeline, &deploy.job_id),
                    permissions: vec![
                        ("contents", "read", "check out the repository"),
                        ("id-token", "write", "assume the AWS role through OIDC"),
                        ("pull-requests", "write", "comment the plan on pull requests"),
                    ],
                },
                deploy: deploy.name.clone(),
                needs,
                images,
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
        })
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
        builds,
        deploys,
    }
}

/// The tag as a shell word inside double quotes; the checker allowed only
/// `[A-Za-z0-9._-]` in literal parts, so nothing needs escaping.
fn tag_script(parts: &[TagPart]) -> String {
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

fn handoff(key: &str) -> Hcl {
    Hcl::expr(format!("local.infra.{key}"))
}

fn scalar(value: &Scalar) -> Hcl {
    match value {
        Scalar::Text(text) => Hcl::str(text.clone()),
        Scalar::Infra(key) => handoff(key),
        Scalar::Region => Hcl::expr("var.region"),
    }
}

fn scalar_list(value: &ScalarList) -> Hcl {
    match value {
        ScalarList::Infra(key) => handoff(key),
        ScalarList::Items(items) => Hcl::List(items.iter().map(scalar).collect()),
    }
}

fn service_stack(pipeline: &Pipeline, deploy: &Deploy) -> ServiceStack {
    let service = &deploy.service;
    let (backend, backend_settings) = match &deploy.state {
        Backend::S3 { bucket, key, region } => (
            "s3",
            vec![
                ("bucket", Hcl::str(bucket.clone())),
                ("key", Hcl::str(key.clone())),
                ("region", Hcl::str(region.clone())),
                ("encrypt", Hcl::Bool(true)),
                ("use_lockfile", Hcl::Bool(true)),
            ],
        ),
        Backend::Local { path } => ("local", vec![("path", Hcl::str(path.clone()))]),
    };
    let (handoff_parameter, handoff_literal) = match &deploy.infra {
        InfraSource::Ssm { parameter } => (Some(parameter.clone()), None),
        InfraSource::Literal(values) => (
            None,
            Some(Hcl::Object {
                object: values
                    .iter()
                    .map(|(key, value)| {
                        let value = match value {
                            HandoffValue::One(text) => Hcl::str(text.clone()),
                            HandoffValue::Many(items) => Hcl::List(items.iter().cloned().map(Hcl::Str).collect()),
                        };
                        (key.clone(), value)
                    })
                    .collect(),
            }),
        ),
    };
    let image_variables = built_images(deploy)
        .into_iter()
        .map(|build| ImageVariable { name: image_variable(deploy, build), build: build.to_owned() })
        .collect();

    let mut secret_arns: Vec<Hcl> = Vec::new();
    let mut parameter_arns: Vec<Hcl> = Vec::new();
    for container in &service.containers {
        for (_, source) in &container.secrets {
            let (list, arn) = match source {
                SecretSource::Infra(key) => (&mut secret_arns, handoff(key)),
                SecretSource::Arn(arn) if arn.split(':').nth(2) == Some("ssm") => {
                    (&mut parameter_arns, Hcl::str(arn.clone()))
                }
                // Secrets Manager accepts `arn:...:secret:NAME:JSON_KEY::`;
                // the policy needs the secret's own ARN.
                SecretSource::Arn(arn) => {
                    (&mut secret_arns, Hcl::str(arn.split(':').take(7).collect::<Vec<_>>().join(":")))
                }
            };
            if !list.contains(&arn) {
                list.push(arn);
            }
        }
    }
    let kms_key = match &deploy.infra {
        InfraSource::Ssm { .. } => Some(handoff("kms_arn")),
        InfraSource::Literal(values) => values.contains_key("kms_arn").then(|| handoff("kms_arn")),
    }
    .filter(|_| !secret_arns.is_empty() || !parameter_arns.is_empty());

    let log_group = scalar(&service.log_group);
    let containers = Hcl::List(
        service.containers.iter().map(|container| container_definition(deploy, container, &log_group)).collect(),
    );
    ServiceStack {
        dir: deploy.stack.clone(),
        source: pipeline.source_name.clone(),
        pipeline: pipeline.name.clone(),
        backend,
        backend_settings,
        region: pipeline.region.clone(),
        name: service.name.clone(),
        image_variables,
        handoff_parameter,
        handoff_literal,
        cpu: service.cpu,
        memory: service.memory,
        arch: match service.arch {
            Arch::X86_64 => "X86_64",
            Arch::Arm64 => "ARM64",
        },
        containers,
        secret_arns,
        parameter_arns,
        kms_key,
        count: service.count,
        cluster: scalar(&service.cluster),
        load_balancer: service.load_balancer.as_ref().map(|lb| LoadBalancerBlock {
            target_group: scalar(&lb.target_group),
            container: lb.container.clone(),
            port: lb.port,
        }),
        subnets: scalar_list(&service.network.subnets),
        security_groups: scalar_list(&service.network.security_groups),
        public_ip: service.network.public_ip,
    }
}

/// One entry of `container_definitions`, in the key order ECS documents.
fn container_definition(deploy: &Deploy, container: &Container, log_group: &Hcl) -> Hcl {
    let image = match &container.image {
        Image::Build(build) => Hcl::expr(format!("var.{}", image_variable(deploy, build))),
        Image::Uri(uri) => Hcl::str(uri.clone()),
    };
    let mut attributes: Vec<(&str, Hcl)> = vec![
        ("name", Hcl::str(container.name.clone())),
        ("image", image),
        ("essential", Hcl::Bool(container.essential)),
    ];
    if let Some(cpu) = container.cpu {
        attributes.push(("cpu", Hcl::Num(cpu.into())));
    }
    if let Some(memory) = container.memory {
        attributes.push(("memory", Hcl::Num(memory.into())));
    }
    attributes.push(("readonlyRootFilesystem", Hcl::Bool(container.read_only_root)));
    if let Some(entrypoint) = &container.entrypoint {
        attributes.push(("entryPoint", Hcl::List(entrypoint.iter().cloned().map(Hcl::Str).collect())));
    }
    if let Some(command) = &container.command {
        attributes.push(("command", Hcl::List(command.iter().cloned().map(Hcl::Str).collect())));
    }
    if let Some(port) = container.port {
        let mut mapping = vec![
            ("name", Hcl::str(format!("{}-{}", container.name, port.number))),
            ("containerPort", Hcl::Num(port.number.into())),
            ("hostPort", Hcl::Num(port.number.into())),
            ("protocol", Hcl::str("tcp")),
        ];
        if let Some(protocol) = port.app_protocol {
            mapping.push(("appProtocol", Hcl::str(protocol.keyword())));
        }
        attributes.push(("portMappings", Hcl::List(vec![Hcl::object(mapping)])));
    }
    if let Some(health) = &container.health {
        attributes.push((
            "healthCheck",
            Hcl::object(vec![
                ("command", Hcl::List(vec![Hcl::str("CMD-SHELL"), Hcl::str(health.command.clone())])),
                ("interval", Hcl::Num(health.interval.into())),
                ("retries", Hcl::Num(health.retries.into())),
                ("timeout", Hcl::Num(health.timeout.into())),
                ("startPeriod", Hcl::Num(health.start_period.into())),
            ]),
        ));
    }
    if !container.env.is_empty() {
        attributes.push((
            "environment",
            Hcl::List(
                container
                    .env
                    .iter()
                    .map(|(name, value)| Hcl::object(vec![("name", Hcl::str(name.clone())), ("value", scalar(value))]))
                    .collect(),
            ),
        ));
    }
    if !container.secrets.is_empty() {
        attributes.push((
            "secrets",
            Hcl::List(
                container
                    .secrets
                    .iter()
                    .map(|(name, source)| {
                        let from = match source {
                            SecretSource::Infra(key) => handoff(key),
                            SecretSource::Arn(arn) => Hcl::str(arn.clone()),
                        };
                        Hcl::object(vec![("name", Hcl::str(name.clone())), ("valueFrom", from)])
                    })
                    .collect(),
            ),
        ));
    }
    attributes.push((
        "logConfiguration",
        Hcl::object(vec![
            ("logDriver", Hcl::str("awslogs")),
            (
                "options",
                Hcl::object(vec![
                    ("awslogs-group", log_group.clone()),
                    ("awslogs-region", Hcl::expr("var.region")),
                    ("awslogs-stream-prefix", Hcl::str("ecs")),
                ]),
            ),
        ]),
    ));
    Hcl::object(attributes)
}

/// The action pins, for templates.
pub fn pins() -> Vec<(&'static str, Pin)> {
    vec![
        ("checkout", actions::CHECKOUT),
        ("aws_credentials", actions::AWS_CREDENTIALS),
        ("ecr_login", actions::ECR_LOGIN),
        ("setup_terraform", actions::SETUP_TERRAFORM),
        ("infracost", actions::INFRACOST),
        ("github_script", actions::GITHUB_SCRIPT),
        ("trivy", actions::TRIVY),
        ("upload_sarif", actions::UPLOAD_SARIF),
    ]
}
