//! The Terraform service stack: IAM roles and policies, the task definition,
//! the ECS service, and its autoscaling.

use serde::Serialize;

use super::bluegreen::{blue_green, BlueGreenIr};
use super::calls::{calls, CallsIr};
use super::containers::{container_definition, scalar, scalar_list, writable_skip};
use super::cron::{cron_stack, CronStack};
use super::iam::{execution_statements, task_statements, PolicyStatement};
use super::names::{built_images, image_variable, schedule_label};
use super::network::{egress, EgressIr};
use super::output::{Attribute, Hcl, HclRef, Identifier, Template};
use super::queue::{backlog_policy, queue, BacklogPolicy, QueueIr};
use super::route::{route, RouteIr};
use super::tasks::{one_off_stack, task_definitions, OneOffStack, TaskDefinitionIr};
use super::terraform::{settings, Skip, TerraformSettings};
use super::volumes::{volumes, VolumeIr};
use crate::model::*;

/// A Terraform service stack.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceStack {
    /// Shared settings.
    #[serde(flatten)]
    pub settings: TerraformSettings,
    /// Image variables (no default).
    pub image_variables: Vec<ImageVariable>,
    /// How the infrastructure's values arrive.
    pub handoff: Handoff,
    /// Task CPU units.
    pub cpu: u32,
    /// Task memory, MiB.
    pub memory: u32,
    /// `X86_64` or `ARM64`.
    pub arch: &'static str,
    /// The capacity provider strategy; empty for the Fargate launch type.
    pub capacity: Vec<CapacityItem>,
    /// Ephemeral storage, GiB.
    pub storage: Option<u32>,
    /// `container_definitions` as an HCL tuple.
    pub containers: Hcl,
    /// Statements of the execution role's extra policy.
    pub execution_statements: Vec<PolicyStatement>,
    /// Statements of the task role's policy.
    pub task_statements: Vec<PolicyStatement>,
    /// The permissions boundary of the stack's roles: with an `oidc` block,
    /// the bootstrap's.
    pub permissions_boundary: Option<Hcl>,
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
    /// The service's own security group's egress rules, if it has any.
    pub egress: Option<EgressIr>,
    /// Service Connect and the security group of its calls, if it calls
    /// or is called.
    pub calls: Option<CallsIr>,
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
    pub task_definition_skips: Vec<Skip>,
    /// checkov checks the service skips, with reasons.
    pub service_skips: Vec<Skip>,
    /// The one-off tasks' task definitions, in order.
    pub tasks: Vec<TaskDefinitionIr>,
    /// The outputs the one-off tasks' steps read, if there are tasks.
    pub one_off: Option<OneOffStack>,
    /// Volumes of the infrastructure's file system: access points and the
    /// task definitions' `volume` blocks.
    pub volumes: Vec<VolumeIr>,
    /// CodeDeploy's application, deployment group and role, if the service
    /// deploys blue/green.
    pub blue_green: Option<BlueGreenIr>,
    /// The scheduled jobs, if there are any.
    pub cron: Option<CronStack>,
    /// The queue the service consumes, with its dead-letter queue.
    pub queue: Option<QueueIr>,
}

/// One `capacity_provider_strategy` block of the service.
#[derive(Debug, Clone, Serialize)]
pub struct CapacityItem {
    /// `FARGATE` or `FARGATE_SPOT`.
    pub provider: &'static str,
    /// Tasks placed on it first.
    pub base: u32,
    /// Its share of the rest.
    pub weight: u32,
}

/// A Terraform variable carrying the URI of a build's image.
#[derive(Debug, Clone, Serialize)]
pub struct ImageVariable {
    /// The variable.
    pub name: Identifier,
    /// The build whose image it is.
    pub build: String,
}

/// How a service stack receives the infrastructure's values; all three end
/// in `local.infra`.
#[derive(Debug, Clone, Serialize)]
pub struct Handoff {
    /// An SSM parameter holding JSON.
    pub parameter: Option<String>,
    /// Literal values.
    pub literal: Option<Hcl>,
    /// The infrastructure stack's state.
    pub remote_state: Option<RemoteState>,
}

/// Where the infrastructure stack keeps its state.
#[derive(Debug, Clone, Serialize)]
pub struct RemoteState {
    /// Backend type (`s3`, `local`).
    pub backend: &'static str,
    /// The backend's settings.
    pub config: Hcl,
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
    /// The service's own target group and listener rule, if it routes
    /// through one.
    pub route: Option<RouteIr>,
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
    /// Target tracking on the queue's backlog per task.
    pub backlog: Option<BacklogPolicy>,
}

/// A scheduled change of the scaling range.
#[derive(Debug, Clone, Serialize)]
pub struct ScheduleBlock {
    /// The resource label.
    pub label: Identifier,
    /// The action's name: `${var.name}-NAME`.
    pub name: Hcl,
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

pub(super) fn service_stack(pipeline: &Pipeline, deploy: &Deploy) -> ServiceStack {
    let service = &deploy.service;
    let image_variables = built_images(deploy)
        .into_iter()
        .map(|build| ImageVariable { name: image_variable(deploy, build), build: build.to_owned() })
        .collect();
    let log_group = scalar(&service.log_group);
    let containers = Hcl::List(
        service.containers.iter().map(|container| container_definition(deploy, container, &log_group)).collect(),
    );
    let tasks = task_definitions(deploy, &log_group);
    let one_off = one_off_stack(service, &log_group);
    let cron = cron_stack(deploy, &log_group);
    let calls = calls(pipeline, deploy);
    ServiceStack {
        permissions_boundary: super::boundary::permissions_boundary(pipeline),
        settings: settings(pipeline, &deploy.stack, &deploy.target.stage, &deploy.state, &service.name),
        image_variables,
        handoff: handoff(deploy),
        cpu: service.cpu,
        memory: service.memory,
        arch: match service.arch {
            Arch::X86_64 => "X86_64",
            Arch::Arm64 => "ARM64",
        },
        capacity: service
            .capacity
            .iter()
            .map(|share| CapacityItem {
                provider: crate::plan::names::capacity_provider(share.provider),
                base: share.base,
                weight: share.weight,
            })
            .collect(),
        storage: service.storage,
        containers,
        execution_statements: execution_statements(deploy),
        task_statements: task_statements(deploy),
        count: service.count,
        cluster: scalar(&service.cluster),
        load_balancer: service.load_balancer.as_ref().map(|lb| LoadBalancerBlock {
            target_group: match &lb.target_group {
                Some(target_group) => scalar(target_group),
                None => Hcl::reference(HclRef::fixed("aws_lb_target_group.service.arn")),
            },
            container: lb.container.clone(),
            port: lb.port,
            route: lb.route.as_ref().map(|rule| route(pipeline, deploy, rule, lb.port)),
        }),
        subnets: scalar_list(&service.network.subnets),
        security_groups: security_groups(&service.network, calls.is_some()),
        calls,
        egress: egress("service", &service.network.egress),
        public_ip: service.network.public_ip,
        minimum_percent: service.deployment.minimum_percent,
        maximum_percent: service.deployment.maximum_percent,
        grace: service.deployment.grace,
        rollback: service.deployment.rollback,
        alarms: service.deployment.alarms.iter().cloned().map(Hcl::Str).collect(),
        exec: service.exec,
        scaling: service.scaling.as_ref().map(|s| scaling(s, service.load_balancer.as_ref())),
        task_definition_skips: writable_skip(&service.containers).into_iter().collect(),
        service_skips: service
            .network
            .public_ip_reason
            .iter()
            .map(|reason| Skip {
                check: "CKV_AWS_333",
                reason: format!("public IP accepted in the pipeline: {reason}"),
            })
            .collect(),
        tasks,
        one_off,
        volumes: volumes(service),
        blue_green: blue_green(deploy),
        cron,
        queue: queue(service),
    }
}

/// How the stack reads the infrastructure's values into `local.infra`.
fn handoff(deploy: &Deploy) -> Handoff {
    match &deploy.infra {
        InfraSource::Ssm { parameter } => {
            Handoff { parameter: Some(parameter.clone()), literal: None, remote_state: None }
        }
        InfraSource::Literal(values) => Handoff {
            parameter: None,
            literal: Some(Hcl::Object {
                object: values
                    .iter()
                    .map(|(key, value)| Attribute {
                        key: key.clone(),
                        value: match value {
                            HandoffValue::One(text) => Hcl::str(text.clone()),
                            HandoffValue::Many(items) => Hcl::strings(items),
                        },
                    })
                    .collect(),
            }),
            remote_state: None,
        },
        InfraSource::Stack { stack, state } => {
            let remote_state = match state {
                Backend::S3 { bucket, key, region } => RemoteState {
                    backend: "s3",
                    config: Hcl::object(vec![
                        ("bucket", Hcl::str(bucket.clone())),
                        ("key", Hcl::str(key.clone())),
                        ("region", Hcl::str(region.clone())),
                    ]),
                },
                Backend::Local { path } => {
                    let up = "../".repeat(deploy.stack.split('/').count());
                    let path = Template::new()
                        .interpolate(HclRef::fixed("path.module"))
                        .text("/")
                        .text(&up)
                        .text(stack)
                        .text("/")
                        .text(path);
                    RemoteState { backend: "local", config: Hcl::object(vec![("path", Hcl::template(path))]) }
                }
            };
            Handoff { parameter: None, literal: None, remote_state: Some(remote_state) }
        }
    }
}

/// Application Auto Scaling: target tracking policies and schedules.
fn scaling(scaling: &Scaling, load_balancer: Option<&LoadBalancer>) -> ScalingBlock {
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
        let label = Template::new().interpolate(HclRef::handoff("load_balancer_arn_suffix")).text("/").interpolate(
            match load_balancer.and_then(|lb| lb.route.as_ref()) {
                // A routed service's target group is its own.
                Some(_) => HclRef::fixed("aws_lb_target_group.service.arn_suffix"),
                None => HclRef::handoff("target_group_arn_suffix"),
            },
        );
        policies.push(policy("requests", "ALBRequestCountPerTarget", target, Some(Hcl::template(label))));
    }
    let schedules = scaling
        .schedules
        .iter()
        .map(|s| ScheduleBlock {
            label: schedule_label(s),
            name: Hcl::template(Template::new().interpolate(HclRef::fixed("var.name")).text("-").text(&s.name)),
            expression: s.expression.clone(),
            min: s.min,
            max: s.max,
            timezone: s.timezone.clone(),
        })
        .collect();
    ScalingBlock { min: scaling.min, max: scaling.max, policies, schedules, backlog: backlog_policy(scaling) }
}

/// The service's security groups, its own group when it has egress rules,
/// and its group for calls when it calls or is called.
fn security_groups(network: &Network, calls: bool) -> Hcl {
    let mut groups = scalar_list(&network.security_groups);
    let own = [
        (!network.egress.is_empty()).then(|| Hcl::reference(HclRef::fixed("aws_security_group.service.id"))),
        calls.then(|| Hcl::reference(HclRef::fixed("aws_security_group.connect.id"))),
    ];
    if let Hcl::List(items) = &mut groups {
        items.extend(own.into_iter().flatten());
    }
    // A handed-over list of groups (no such key today) stays as it is.
    groups
}
