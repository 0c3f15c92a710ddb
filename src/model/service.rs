//! The ECS service's model: `service NAME { ... }` without its containers.

use serde::Serialize;

use super::{Container, Egress, Queue, Scalar, ScalarList};
use crate::span::Span;

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
    /// The capacity provider strategy (`capacity ...`); empty for the
    /// Fargate launch type.
    pub capacity: Vec<CapacityShare>,
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
    /// One-off tasks the deploy job runs, in order, before it updates the
    /// service (`task NAME { ... }`: database migrations).
    pub tasks: Vec<OneOffTask>,
    /// Scheduled jobs EventBridge Scheduler starts (`cron NAME { ... }`),
    /// in source order.
    pub cron: Vec<CronJob>,
    /// The services this one calls through Service Connect (`calls`), in
    /// source order.
    pub calls: Vec<Call>,
    /// Volumes of the infrastructure's file system (`volume`), in source
    /// order; the containers mount them.
    pub volumes: Vec<Volume>,
    /// The SQS queue the service consumes (`queue NAME { ... }`).
    pub queue: Option<Queue>,
}

/// `volume NAME from infra.file_system_id path "/DIR" [user N] [readonly]`:
/// an EFS access point of the service's own on a directory of the file
/// system, mounted over TLS with the task role's IAM authorisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Volume {
    /// Its name in the task definition, which `mount` names.
    pub name: String,
    /// The EFS file system ID.
    pub file_system: Scalar,
    /// The access point's root directory on the file system; EFS creates
    /// it, owned by `user`, on first use.
    pub path: String,
    /// The POSIX user and group ID every access through the access point
    /// runs as (and owns the directory).
    pub user: u32,
    /// Mounted read-only: the task role may mount, not write.
    pub readonly: bool,
}

impl Volume {
    /// The user and group without `user`: 1000, the first ordinary user.
    pub const DEFAULT_USER: u32 = 1000;
}

impl Service {
    /// The container and port the service serves other services on: the
    /// load balancer's, or else the only container port of the task.
    pub fn served_port(&self) -> Option<(&Container, u16)> {
        if let Some(lb) = &self.load_balancer {
            return self.containers.iter().find(|c| c.name == lb.container).map(|c| (c, lb.port));
        }
        let mut with_port = self.containers.iter().filter_map(|c| c.port.map(|port| (c, port.number)));
        match (with_port.next(), with_port.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    }
}

/// One service another calls: `calls [NAME, ...] [accept "REASON"]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Call {
    /// The called service, by the name of its `service` block.
    pub service: String,
    /// Where the name is written.
    pub span: Span,
    /// Why a call that closes a circle of calls is acceptable: the
    /// statement's `accept`. The called service's stack then owns the
    /// call's rules, and its deploy waits for the caller's.
    pub accepted: Option<String>,
}

/// `task NAME { command [...] }`: a task the deploy job runs to completion
/// before it updates the service, with the image, environment, secrets,
/// roles and network of one of the service's containers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OneOffTask {
    /// Its name: the task family is `<service>-<name>`.
    pub name: String,
    /// The service's container whose definition it copies.
    pub container: String,
    /// What the container runs instead of its command.
    pub command: Vec<String>,
    /// Seconds the deploy job waits for the task to stop before it stops
    /// the task and fails.
    pub timeout: u32,
}

impl OneOffTask {
    /// The wait without `timeout`: 10 minutes.
    pub const DEFAULT_TIMEOUT: u32 = 10 * 60;
    /// The shortest wait: a Fargate task needs about a minute to start.
    pub const MIN_TIMEOUT: u32 = 60;
    /// The longest wait: 3 hours.
    pub const MAX_TIMEOUT: u32 = 3 * 3600;
}

/// `cron NAME { when "cron(...)" command [...] }`: a task EventBridge
/// Scheduler starts on a schedule, with the image, environment, secrets,
/// roles and network of one of the service's containers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CronJob {
    /// Its name: the task family and the schedule are `<service>-<name>`.
    pub name: String,
    /// The service's container whose definition it copies.
    pub container: String,
    /// What the container runs instead of its command, without the
    /// `timeout` wrapper.
    pub command: Vec<String>,
    /// The schedule expression: `cron(...)` or `rate(...)`.
    pub expression: String,
    /// The IANA time zone the expression is read in.
    pub timezone: String,
    /// How often Scheduler retries a start that failed (0 to 185).
    pub retries: u32,
    /// Seconds after which the container's `timeout` program stops the
    /// command (`timeout 30m`); `None`: the command runs until it stops.
    pub timeout: Option<u32>,
}

impl CronJob {
    /// Retries without `retries`: a start that fails (throttled, no
    /// capacity) is tried twice more, not Scheduler's default 185 times.
    pub const DEFAULT_RETRIES: u32 = 2;
    /// The most retries Scheduler accepts.
    pub const MAX_RETRIES: u32 = 185;
    /// The shortest timeout.
    pub const MIN_TIMEOUT: u32 = 60;
    /// The longest timeout: a day.
    pub const MAX_TIMEOUT: u32 = 24 * 3600;
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
    /// Target messages in the queue per running task (needs a `queue`).
    pub backlog: Option<u32>,
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
    /// Seconds the deploy job waits for ECS to complete the deployment of
    /// the task definition it applied; `None` (`wait off`): it does not wait.
    pub wait: Option<u32>,
    /// Blue/green through CodeDeploy (`deployment blue_green ...`) instead
    /// of ECS's rolling update.
    pub blue_green: Option<BlueGreen>,
}

/// `deployment blue_green [canary P%|linear P%] [after|every D] [terminate D]`:
/// CodeDeploy starts the new task definition beside the old one, behind the
/// load balancer's second target group, and shifts the traffic to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlueGreen {
    /// How the production traffic moves to the new tasks.
    pub traffic: Traffic,
    /// Minutes the old tasks keep running after the shift, for a rollback
    /// without starting them again.
    pub terminate_minutes: u32,
}

impl BlueGreen {
    /// The wait without `terminate`: 5 minutes.
    pub const DEFAULT_TERMINATE: u32 = 5;
    /// CodeDeploy's longest wait before the old tasks stop: 2 days.
    pub const MAX_TERMINATE: u32 = 2880;
    /// The longest interval of a canary or linear shift CodeDeploy takes.
    pub const MAX_INTERVAL: u32 = 2880;

    /// Minutes from the first shift until all traffic is on the new tasks.
    pub fn shift_minutes(&self) -> u32 {
        match self.traffic {
            Traffic::AllAtOnce => 0,
            Traffic::Canary { minutes, .. } => minutes,
            Traffic::Linear { percent, minutes } => (100u32.div_ceil(percent.max(1)) - 1) * minutes,
        }
    }
}

/// How CodeDeploy shifts the production traffic to the new tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Traffic {
    /// All of it at once.
    AllAtOnce,
    /// `percent` first, the rest `minutes` later.
    Canary {
        /// The share moved first.
        percent: u32,
        /// Minutes before the rest.
        minutes: u32,
    },
    /// `percent` more every `minutes`.
    Linear {
        /// The share moved at each step.
        percent: u32,
        /// Minutes between steps.
        minutes: u32,
    },
}

impl Deployment {
    /// The rollout wait without `wait`: 15 minutes.
    pub const DEFAULT_WAIT: u32 = 15 * 60;
    /// The shortest rollout wait: a task needs about a minute to start.
    pub const MIN_WAIT: u32 = 60;
    /// The longest rollout wait: 3 hours.
    pub const MAX_WAIT: u32 = 3 * 3600;
}

impl Default for Deployment {
    fn default() -> Self {
        Deployment {
            minimum_percent: 100,
            maximum_percent: 200,
            grace: None,
            rollback: true,
            alarms: Vec::new(),
            wait: Some(Deployment::DEFAULT_WAIT),
            blue_green: None,
        }
    }
}

/// One statement of the task role's policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Allow {
    /// IAM actions.
    pub actions: Vec<String>,
    /// Resource ARNs (or handed-over values).
    pub resources: Vec<Scalar>,
    /// Why a resource may be any account's, any region's or every one of
    /// its kind: the statement's `accept`.
    pub reason: Option<String>,
}

/// One capacity provider of a service's strategy: ECS places `base` tasks
/// on it first, then shares the rest by `weight`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CapacityShare {
    /// Where the tasks run.
    pub provider: CapacityProvider,
    /// Tasks placed here before the weights apply.
    pub base: u32,
    /// This provider's share of the tasks beyond the base.
    pub weight: u32,
}

/// A Fargate capacity provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CapacityProvider {
    /// `FARGATE`: on-demand.
    Fargate,
    /// `FARGATE_SPOT`: spare capacity, interrupted with two minutes' notice.
    FargateSpot,
}

/// The task's CPU architecture (ordered: x86_64 first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Arch {
    /// `X86_64`.
    X86_64,
    /// `ARM64` (Graviton).
    Arm64,
}

/// The service's load balancer attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadBalancer {
    /// The target group ARN the tasks register with: the infrastructure's
    /// (the listener's default route), or none when the service routes
    /// through a listener rule to a target group of its own (`route`).
    pub target_group: Option<Scalar>,
    /// The container receiving traffic.
    pub container: String,
    /// Its port.
    pub port: u16,
    /// A listener rule to the service's own target group.
    pub route: Option<Route>,
}

/// `load_balancer infra.aws_lb_listener path [...] host [...] priority N`:
/// a listener rule and the target group it forwards to, both in the
/// service stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    /// Where the statement is written.
    pub span: Span,
    /// The listener ARN the rule attaches to.
    pub listener: Scalar,
    /// Path patterns (any of them matches).
    pub paths: Vec<String>,
    /// Host header patterns (any of them matches).
    pub hosts: Vec<String>,
    /// The rule's priority on its listener (1 to 50000, lowest first).
    pub priority: u32,
    /// The target group's health check path.
    pub health_path: String,
    /// The HTTP codes a healthy target answers with.
    pub matcher: String,
    /// Seconds a deregistering target keeps its connections.
    pub deregistration_seconds: u32,
    /// Load-balancer cookie stickiness, seconds, if on.
    pub stickiness_seconds: Option<u32>,
    /// Seconds a new target's share of traffic ramps up (0: off).
    pub slow_start_seconds: u32,
    /// Consecutive passed checks that make a target healthy.
    pub healthy_threshold: u32,
    /// Consecutive failed checks that make a target unhealthy.
    pub unhealthy_threshold: u32,
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
    /// Why tasks get one: the `accept` of the `network` statement.
    pub public_ip_reason: Option<String>,
    /// Egress rules of the service's own security group (none: no group).
    pub egress: Vec<Egress>,
}
