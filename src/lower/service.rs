//! The Terraform service stack: IAM roles and policies, the task definition,
//! the ECS service, and its autoscaling.

use serde::Serialize;

use super::{backend, built_images, image_variable, Hcl};
use crate::model::*;

/// Settings every stack's `terraform` and `provider` blocks share.
#[derive(Debug, Clone, Serialize)]
pub struct TerraformSettings {
    /// Directory relative to the output root.
    pub dir: String,
    /// The source pipeline's name for the header.
    pub source: String,
    /// Pipeline name, for tags.
    pub pipeline: String,
    /// The environment, for tags.
    pub stage: Option<String>,
    /// Backend type (`s3`, `local`).
    pub backend: &'static str,
    /// Backend attributes, in order.
    pub backend_settings: Vec<(&'static str, Hcl)>,
    /// Default of `var.region`.
    pub region: String,
    /// Default of `var.name`.
    pub name: String,
}

/// A Terraform service stack.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceStack {
    /// Shared settings.
    #[serde(flatten)]
    pub settings: TerraformSettings,
    /// Image variables (no default): (name, build).
    pub image_variables: Vec<(String, String)>,
    /// How the infrastructure's values arrive.
    pub handoff: Handoff,
    /// Task CPU units.
    pub cpu: u32,
    /// Task memory, MiB.
    pub memory: u32,
    /// `X86_64` or `ARM64`.
    pub arch: &'static str,
    /// Ephemeral storage, GiB.
    pub storage: Option<u32>,
    /// `container_definitions` as an HCL tuple.
    pub containers: Hcl,
    /// Statements of the execution role's extra policy: (sid, actions, resources, condition).
    pub execution_statements: Vec<PolicyStatement>,
    /// Statements of the task role's policy.
    pub task_statements: Vec<PolicyStatement>,
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
    /// Deployment settings.
    pub minimum_percent: u32,
    /// Deployment settings.
    pub maximum_percent: u32,
    /// `health_check_grace_period_seconds`.
    pub grace: Option<u32>,
    /// Circuit breaker rollback.
    pub rollback: bool,
    /// Alarm names that roll back.
    pub alarms: Vec<Hcl>,
    /// ECS Exec.
    pub exec: bool,
    /// Autoscaling.
    pub scaling: Option<ScalingBlock>,
    /// checkov checks the task definition skips, with reasons.
    pub task_definition_skips: Vec<super::infra::Skip>,
}

/// How a service stack receives the infrastructure's values; all three end
/// in `local.infra`.
#[derive(Debug, Clone, Serialize)]
pub struct Handoff {
    /// An SSM parameter holding JSON.
    pub parameter: Option<String>,
    /// Literal values.
    pub literal: Option<Hcl>,
    /// The infrastructure stack's state: backend type and config.
    pub remote_state: Option<(&'static str, Hcl)>,
}

/// One IAM policy statement.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyStatement {
    /// Statement id.
    pub sid: String,
    /// Actions.
    pub actions: Hcl,
    /// Resources.
    pub resources: Hcl,
    /// An optional condition: (test, variable, values).
    pub condition: Option<(&'static str, &'static str, Hcl)>,
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

/// Application Auto Scaling resources.
#[derive(Debug, Clone, Serialize)]
pub struct ScalingBlock {
    /// Fewest tasks.
    pub min: u32,
    /// Most tasks.
    pub max: u32,
    /// Target tracking policies.
    pub policies: Vec<ScalingPolicy>,
    /// Scheduled actions.
    pub schedules: Vec<ScheduleBlock>,
}

/// A scheduled change of the scaling range.
#[derive(Debug, Clone, Serialize)]
pub struct ScheduleBlock {
    /// Resource and action name suffix.
    pub name: String,
    /// `cron(...)`, `rate(...)` or `at(...)`.
    pub expression: String,
    /// New minimum.
    pub min: u32,
    /// New maximum.
    pub max: u32,
    /// Time zone.
    pub timezone: String,
}

/// One target tracking policy.
#[derive(Debug, Clone, Serialize)]
pub struct ScalingPolicy {
    /// Resource and policy name suffix.
    pub name: &'static str,
    /// Predefined metric.
    pub metric: &'static str,
    /// Target value.
    pub target: u32,
    /// `resource_label` for request counts.
    pub resource_label: Option<Hcl>,
    /// Scale-in cooldown, seconds.
    pub cooldown_in: u32,
    /// Scale-out cooldown, seconds.
    pub cooldown_out: u32,
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

fn strings(items: &[String]) -> Hcl {
    Hcl::List(items.iter().cloned().map(Hcl::Str).collect())
}

/// The ARN an SSM parameter name has in the stack's account and region.
fn parameter_arn(name: &str) -> Hcl {
    Hcl::expr(format!(
        "\"arn:${{data.aws_partition.current.partition}}:ssm:${{var.region}}:${{data.aws_caller_identity.current.account_id}}:parameter/{}\"",
        name.trim_start_matches('/')
    ))
}

/// The secret or parameter itself (what IAM grants access to).
fn secret_resource(store: &SecretStore) -> Hcl {
    match store {
        SecretStore::Infra(key) => handoff(key),
        // `arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME`; anything after
        // (a JSON key, a version) is not part of the resource.
        SecretStore::SecretArn(arn) => Hcl::str(arn.split(':').take(7).collect::<Vec<_>>().join(":")),
        SecretStore::ParameterArn(arn) => Hcl::str(arn.clone()),
        SecretStore::Parameter(name) => parameter_arn(name),
    }
}

/// `valueFrom` of a container secret.
fn value_from(source: &SecretSource) -> Hcl {
    match (&source.store, &source.json_key) {
        // As written: a Secrets Manager ARN may carry a JSON key already.
        (SecretStore::SecretArn(arn), None) => Hcl::str(arn.clone()),
        (store, None) => secret_resource(store),
        (SecretStore::Infra(key), Some(json_key)) => Hcl::expr(format!("\"${{local.infra.{key}}}:{json_key}::\"")),
        (store, Some(json_key)) => match secret_resource(store) {
            Hcl::Str(arn) => Hcl::Str(format!("{arn}:{json_key}::")),
            other => other,
        },
    }
}

fn push_unique(list: &mut Vec<Hcl>, value: Hcl) {
    if !list.contains(&value) {
        list.push(value);
    }
}

pub(super) fn settings(
    pipeline: &Pipeline,
    dir: &str,
    stage: &Option<String>,
    state: &Backend,
    name: &str,
) -> TerraformSettings {
    let (backend, backend_settings) = backend(state);
    TerraformSettings {
        dir: dir.to_owned(),
        source: pipeline.source_name.clone(),
        pipeline: pipeline.name.clone(),
        stage: stage.clone(),
        backend,
        backend_settings,
        region: pipeline.region.clone(),
        name: name.to_owned(),
    }
}

pub(super) fn service_stack(pipeline: &Pipeline, deploy: &Deploy) -> ServiceStack {
    let service = &deploy.service;
    let handoff_source = match &deploy.infra {
        InfraSource::Ssm { parameter } => {
            Handoff { parameter: Some(parameter.clone()), literal: None, remote_state: None }
        }
        InfraSource::Literal(values) => Handoff {
            parameter: None,
            literal: Some(Hcl::Object {
                object: values
                    .iter()
                    .map(|(key, value)| {
                        let value = match value {
                            HandoffValue::One(text) => Hcl::str(text.clone()),
                            HandoffValue::Many(items) => strings(items),
                        };
                        (key.clone(), value)
                    })
                    .collect(),
            }),
            remote_state: None,
        },
        InfraSource::Stack { stack, state } => {
            let config = match state {
                Backend::S3 { bucket, key, region } => (
                    "s3",
                    Hcl::object(vec![
                        ("bucket", Hcl::str(bucket.clone())),
                        ("key", Hcl::str(key.clone())),
                        ("region", Hcl::str(region.clone())),
                    ]),
                ),
                Backend::Local { path } => {
                    let up = "../".repeat(deploy.stack.split('/').count());
                    (
                        "local",
                        Hcl::object(vec![("path", Hcl::expr(format!("\"${{path.module}}/{up}{stack}/{path}\"")))]),
                    )
                }
            };
            Handoff { parameter: None, literal: None, remote_state: Some(config) }
        }
    };
    let image_variables =
        built_images(deploy).into_iter().map(|build| (image_variable(deploy, build), build.to_owned())).collect();

    // The execution role reads exactly the secrets, parameters and
    // environment files the containers name.
    let mut secret_arns: Vec<Hcl> = Vec::new();
    let mut parameter_arns: Vec<Hcl> = Vec::new();
    let mut env_files: Vec<Hcl> = Vec::new();
    let mut buckets: Vec<Hcl> = Vec::new();
    let mut infra_secret = false;
    for container in &service.containers {
        for (_, source) in &container.secrets {
            let resource = secret_resource(&source.store);
            match source.store {
                SecretStore::Infra(_) => {
                    infra_secret = true;
                    push_unique(&mut secret_arns, resource);
                }
                SecretStore::SecretArn(_) => push_unique(&mut secret_arns, resource),
                SecretStore::ParameterArn(_) | SecretStore::Parameter(_) => push_unique(&mut parameter_arns, resource),
            }
        }
        for file in &container.env_files {
            push_unique(&mut env_files, Hcl::str(file.clone()));
            // The checker accepted only `arn:PARTITION:s3:::BUCKET/KEY`.
            if let Some((prefix, object)) = file.split_once(":::") {
                let bucket = object.split('/').next().unwrap_or(object);
                push_unique(&mut buckets, Hcl::str(format!("{prefix}:::{bucket}")));
            }
        }
    }
    let mut execution_statements = Vec::new();
    let statement = |sid: &str, actions: &[&str], resources: Vec<Hcl>| PolicyStatement {
        sid: sid.to_owned(),
        actions: Hcl::List(actions.iter().map(|a| Hcl::str(*a)).collect()),
        resources: Hcl::List(resources),
        condition: None,
    };
    if !secret_arns.is_empty() {
        execution_statements.push(statement("ReadSecrets", &["secretsmanager:GetSecretValue"], secret_arns));
    }
    if !parameter_arns.is_empty() {
        execution_statements.push(statement("ReadParameters", &["ssm:GetParameters"], parameter_arns));
    }
    // The infrastructure's key encrypts its secret: decrypt through Secrets Manager only.
    let kms_known = match &deploy.infra {
        InfraSource::Literal(values) => values.contains_key("kms_arn"),
        _ => true,
    };
    if infra_secret && kms_known {
        let mut decrypt = statement("DecryptSecrets", &["kms:Decrypt"], vec![handoff("kms_arn")]);
        decrypt.condition = Some((
            "StringEquals",
            "kms:ViaService",
            Hcl::List(vec![Hcl::expr("\"secretsmanager.${var.region}.amazonaws.com\"")]),
        ));
        execution_statements.push(decrypt);
    }
    if !env_files.is_empty() {
        execution_statements.push(statement("ReadEnvironmentFiles", &["s3:GetObject"], env_files));
        execution_statements.push(statement("LocateEnvironmentFileBuckets", &["s3:GetBucketLocation"], buckets));
    }

    let mut task_statements: Vec<PolicyStatement> = service
        .task_policy
        .iter()
        .enumerate()
        .map(|(index, allow)| PolicyStatement {
            sid: format!("Allow{}", index + 1),
            actions: strings(&allow.actions),
            resources: Hcl::List(allow.resources.iter().map(scalar).collect()),
            condition: None,
        })
        .collect();
    if service.exec {
        // ECS Exec opens a Session Manager channel from inside the task;
        // these actions take no resource ARN.
        task_statements.push(statement(
            "EcsExec",
            &[
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel",
            ],
            vec![Hcl::str("*")],
        ));
        // The session is logged to the log group, encrypted with the key.
        let log_group = match &service.log_group {
            Scalar::Text(name) => Some(name.clone()),
            Scalar::Infra(key) => Some(format!("${{local.infra.{key}}}")),
            Scalar::Region => None,
        };
        if let Some(log_group) = log_group {
            task_statements.push(statement(
                "EcsExecLogs",
                &["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                vec![Hcl::expr(format!(
                    "\"arn:${{data.aws_partition.current.partition}}:logs:${{var.region}}:${{data.aws_caller_identity.current.account_id}}:log-group:{log_group}:*\""
                ))],
            ));
            task_statements.push(statement("EcsExecFindLogGroup", &["logs:DescribeLogGroups"], vec![Hcl::str("*")]));
        }
        if kms_known {
            task_statements.push(statement("EcsExecDecrypt", &["kms:Decrypt"], vec![handoff("kms_arn")]));
        }
    }

    let log_group = scalar(&service.log_group);
    let containers = Hcl::List(
        service.containers.iter().map(|container| container_definition(deploy, container, &log_group)).collect(),
    );
    let cluster = scalar(&service.cluster);
    let scaling = service.scaling.as_ref().map(|scaling| {
        let mut policies = Vec::new();
        let policy = |name, metric, target, resource_label| ScalingPolicy {
            name,
            metric,
            target,
            resource_label,
            cooldown_in: scaling.cooldown_in,
            cooldown_out: scaling.cooldown_out,
        };
        if let Some(target) = scaling.cpu {
            policies.push(policy("cpu", "ECSServiceAverageCPUUtilization", target, None));
        }
        if let Some(target) = scaling.memory {
            policies.push(policy("memory", "ECSServiceAverageMemoryUtilization", target, None));
        }
        if let Some(target) = scaling.requests {
            let label = Hcl::expr("\"${local.infra.load_balancer_arn_suffix}/${local.infra.target_group_arn_suffix}\"");
            policies.push(policy("requests", "ALBRequestCountPerTarget", target, Some(label)));
        }
        let schedules = scaling
            .schedules
            .iter()
            .map(|s| ScheduleBlock {
                name: s.name.clone(),
                expression: s.expression.clone(),
                min: s.min,
                max: s.max,
                timezone: s.timezone.clone(),
            })
            .collect();
        ScalingBlock { min: scaling.min, max: scaling.max, policies, schedules }
    });
    ServiceStack {
        settings: settings(pipeline, &deploy.stack, &deploy.target.stage, &deploy.state, &service.name),
        image_variables,
        handoff: handoff_source,
        cpu: service.cpu,
        memory: service.memory,
        arch: match service.arch {
            Arch::X86_64 => "X86_64",
            Arch::Arm64 => "ARM64",
        },
        storage: service.storage,
        containers,
        execution_statements,
        task_statements,
        count: service.count,
        cluster,
        load_balancer: service.load_balancer.as_ref().map(|lb| LoadBalancerBlock {
            target_group: scalar(&lb.target_group),
            container: lb.container.clone(),
            port: lb.port,
        }),
        subnets: scalar_list(&service.network.subnets),
        security_groups: scalar_list(&service.network.security_groups),
        public_ip: service.network.public_ip,
        minimum_percent: service.deployment.minimum_percent,
        maximum_percent: service.deployment.maximum_percent,
        grace: service.deployment.grace,
        rollback: service.deployment.rollback,
        alarms: service.deployment.alarms.iter().cloned().map(Hcl::Str).collect(),
        exec: service.exec,
        scaling,
        task_definition_skips: writable_skip(service).into_iter().collect(),
    }
}

/// The task definition's skip of CKV_AWS_336 when containers chose a
/// writable root filesystem, with their reasons.
fn writable_skip(service: &Service) -> Option<super::infra::Skip> {
    let reasons: Vec<String> = service
        .containers
        .iter()
        .filter_map(|c| c.writable_reason.as_ref().map(|reason| format!("{}: {reason}", c.name)))
        .collect();
    (!reasons.is_empty()).then(|| super::infra::Skip {
        check: "CKV_AWS_336",
        reason: format!("writable root filesystem chosen in the pipeline ({})", reasons.join("; ")),
    })
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
        attributes.push(("entryPoint", strings(entrypoint)));
    }
    if let Some(command) = &container.command {
        attributes.push(("command", strings(command)));
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
    if !container.depends_on.is_empty() {
        attributes.push((
            "dependsOn",
            Hcl::List(
                container
                    .depends_on
                    .iter()
                    .map(|(name, condition)| {
                        Hcl::object(vec![
                            ("containerName", Hcl::str(name.clone())),
                            ("condition", Hcl::str(condition.ecs())),
                        ])
                    })
                    .collect(),
            ),
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
    if !container.env_files.is_empty() {
        attributes.push((
            "environmentFiles",
            Hcl::List(
                container
                    .env_files
                    .iter()
                    .map(|arn| Hcl::object(vec![("value", Hcl::str(arn.clone())), ("type", Hcl::str("s3"))]))
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
                        Hcl::object(vec![("name", Hcl::str(name.clone())), ("valueFrom", value_from(source))])
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
