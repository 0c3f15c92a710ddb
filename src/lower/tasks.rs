//! One-off tasks before a deploy: their task definitions in the service
//! stack, the outputs the deploy job reads to run them, and the job's steps
//! that run each one to completion before the service is updated.

use serde::Serialize;

use super::containers::{container_definition, writable_skip};
use super::output::{Hcl, HclRef, Identifier, Template};
use super::terraform::Skip;
use crate::model::*;
use crate::plan::names;

/// A one-off task's task definition in the service stack.
#[derive(Debug, Clone, Serialize)]
pub struct TaskDefinitionIr {
    /// Its name in the pipeline.
    pub name: String,
    /// The resource label.
    pub label: Identifier,
    /// `family`: `${var.name}-NAME`.
    pub family: Hcl,
    /// `container_definitions`: the one container it runs, as an HCL tuple.
    pub containers: Hcl,
    /// The output holding the task definition's ARN.
    pub output: Identifier,
    /// checkov checks the task definition skips, with reasons (its
    /// container's writable root filesystem).
    pub skips: Vec<Skip>,
}

/// The stack's outputs every one-off task's step reads.
#[derive(Debug, Clone, Serialize)]
pub struct OneOffOutputs {
    /// The output naming the cluster.
    pub cluster: Identifier,
    /// The output holding `--network-configuration` as JSON.
    pub network: Identifier,
    /// The output naming the log group.
    pub log_group: Identifier,
}

impl OneOffOutputs {
    fn new() -> OneOffOutputs {
        OneOffOutputs {
            cluster: Identifier::sanitized(names::ONE_OFF_CLUSTER_OUTPUT),
            network: Identifier::sanitized(names::ONE_OFF_NETWORK_OUTPUT),
            log_group: Identifier::sanitized(names::ONE_OFF_LOG_GROUP_OUTPUT),
        }
    }
}

/// What the service stack writes for its one-off tasks besides their task
/// definitions: the outputs their steps read.
#[derive(Debug, Clone, Serialize)]
pub struct OneOffStack {
    /// The outputs' names.
    pub outputs: OneOffOutputs,
    /// The log group.
    pub log_group: Hcl,
    /// `assignPublicIp`: `ENABLED` or `DISABLED`.
    pub public_ip: &'static str,
}

/// The deploy job's step that runs one task and waits for it to stop.
#[derive(Debug, Clone, Serialize)]
pub struct TaskStep {
    /// The task's name in the pipeline.
    pub name: String,
    /// The container whose exit code decides.
    pub container: String,
    /// Seconds to wait for the task to stop.
    pub timeout: u32,
    /// The output holding its task definition's ARN.
    pub output: Identifier,
}

/// The one-off tasks' runs in a deploy job: the targeted apply that
/// registers their task definitions, then one step per task.
#[derive(Debug, Clone, Serialize)]
pub struct TaskRuns {
    /// `-target` addresses of the first apply: the task definitions and
    /// what running them needs (the roles' policies, the service's own
    /// security group).
    pub targets: Vec<String>,
    /// The steps, in the order the tasks are written.
    pub steps: Vec<TaskStep>,
    /// The outputs every step reads.
    pub outputs: OneOffOutputs,
    /// Minutes of the job's timeout the tasks take: their timeouts, rounded up.
    pub minutes: u32,
    /// The prefix of the containers' log streams.
    pub log_stream_prefix: &'static str,
}

/// The task definitions of a service's one-off tasks.
pub(super) fn task_definitions(deploy: &Deploy, log_group: &Hcl) -> Vec<TaskDefinitionIr> {
    let service = &deploy.service;
    service
        .tasks
        .iter()
        .filter_map(|task| {
            let container = service.containers.iter().find(|c| c.name == task.container)?;
            // The container as the service runs it, with the task's command,
            // alone in its task: no port, no health check, no dependencies.
            let runs = Container {
                essential: true,
                port: None,
                health: None,
                depends_on: Vec::new(),
                command: Some(task.command.clone()),
                ..container.clone()
            };
            Some(TaskDefinitionIr {
                name: task.name.clone(),
                label: label(task),
                family: Hcl::template(
                    Template::new().interpolate(HclRef::fixed("var.name")).text("-").text(&task.name),
                ),
                containers: Hcl::List(vec![container_definition(deploy, &runs, log_group)]),
                output: output(task),
                skips: writable_skip([&runs]).into_iter().collect(),
            })
        })
        .collect()
}

/// The outputs the tasks' steps read, if the service has tasks.
pub(super) fn one_off_stack(service: &Service, log_group: &Hcl) -> Option<OneOffStack> {
    (!service.tasks.is_empty()).then(|| OneOffStack {
        outputs: OneOffOutputs::new(),
        log_group: log_group.clone(),
        public_ip: if service.network.public_ip { "ENABLED" } else { "DISABLED" },
    })
}

/// The runs of a deploy's tasks in its job's variant that applies.
pub(super) fn task_runs(deploy: &Deploy) -> Option<TaskRuns> {
    let service = &deploy.service;
    if service.tasks.is_empty() {
        return None;
    }
    let mut targets: Vec<String> =
        service.tasks.iter().map(|task| format!("aws_ecs_task_definition.{}", label(task).as_str())).collect();
    targets.push(String::from("aws_iam_role_policy_attachment.execution"));
    if !super::iam::execution_statements(deploy).is_empty() {
        targets.push(String::from("aws_iam_role_policy_attachment.execution_extras"));
    }
    if !super::iam::task_statements(deploy).is_empty() {
        targets.push(String::from("aws_iam_role_policy.task"));
    }
    if let Some(egress) = super::network::egress("service", &service.network.egress) {
        targets.push(format!("aws_security_group.{}", egress.group.as_str()));
        for kind in &egress.kinds {
            targets.push(format!("aws_security_group_rule.{}_egress_{}", egress.group.as_str(), kind.label));
        }
    }
    let steps: Vec<TaskStep> = service
        .tasks
        .iter()
        .map(|task| TaskStep {
            name: task.name.clone(),
            container: task.container.clone(),
            timeout: task.timeout,
            output: output(task),
        })
        .collect();
    let minutes = steps.iter().map(|step| step.timeout.div_ceil(60)).sum();
    Some(TaskRuns {
        targets,
        steps,
        outputs: OneOffOutputs::new(),
        minutes,
        log_stream_prefix: names::LOG_STREAM_PREFIX,
    })
}

fn label(task: &OneOffTask) -> Identifier {
    Identifier::sanitized(&names::one_off_label(&task.name))
}

fn output(task: &OneOffTask) -> Identifier {
    Identifier::sanitized(&names::one_off_output(&task.name))
}
