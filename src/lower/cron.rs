//! Scheduled jobs: for each `cron` block of a service, its task definition,
//! the EventBridge Scheduler schedule that starts it, the role Scheduler
//! assumes to do so, and the dead-letter queue of the starts that failed.

use serde::Serialize;

use super::containers::{container_definition, regional_arn, writable_skip};
use super::iam::{condition, statement, PolicyStatement};
use super::output::{Hcl, HclRef, Identifier, Template};
use super::terraform::Skip;
use crate::model::*;
use crate::plan::names;

/// One scheduled job in the service stack.
#[derive(Debug, Clone, Serialize)]
pub struct CronIr {
    /// Its name in the pipeline.
    pub name: String,
    /// The label of its resources (schedule, task definition, role, queue).
    pub label: Identifier,
    /// The schedule's name: `${var.name}-NAME`, also its task family.
    pub schedule: Hcl,
    /// `container_definitions`: the one container it runs, as an HCL tuple.
    pub containers: Hcl,
    /// `cron(...)` or `rate(...)`.
    pub expression: Hcl,
    /// The IANA time zone of the expression.
    pub timezone: Hcl,
    /// `maximum_retry_attempts`.
    pub retries: u32,
    /// Seconds the container's `timeout` program lets the command run.
    pub timeout: Option<u32>,
    /// The scheduler role's name.
    pub role: Hcl,
    /// The scheduler role's inline policy's name.
    pub policy: Hcl,
    /// The scheduler role's statements: start this task definition in the
    /// cluster, pass its two roles, send to its queue.
    pub statements: Vec<PolicyStatement>,
    /// The dead-letter queue's name.
    pub queue: Hcl,
    /// The output holding the schedule's ARN.
    pub output: Identifier,
    /// checkov checks the task definition skips, with reasons.
    pub skips: Vec<Skip>,
}

/// The service stack's scheduled jobs.
#[derive(Debug, Clone, Serialize)]
pub struct CronStack {
    /// The jobs, in source order.
    pub jobs: Vec<CronIr>,
    /// The cluster, by name or ARN, whose ARN the schedules target.
    pub cluster: Hcl,
}

/// `${var.name}-JOB` followed by `suffix`.
fn named(job: &str, suffix: &str) -> Hcl {
    Hcl::template(Template::new().interpolate(HclRef::fixed("var.name")).text("-").text(job).text(suffix))
}

/// The scheduled jobs of a deploy's service, if it has any.
pub(super) fn cron_stack(deploy: &Deploy, log_group: &Hcl) -> Option<CronStack> {
    let service = &deploy.service;
    if service.cron.is_empty() {
        return None;
    }
    let jobs = service
        .cron
        .iter()
        .filter_map(|job| {
            let container = service.containers.iter().find(|c| c.name == job.container)?;
            // The container as the service runs it, with the job's command,
            // alone in its task; with a timeout, `timeout` runs it.
            let entrypoint = job.timeout.map(|seconds| {
                let mut wrapper: Vec<String> =
                    ["timeout", "-s", "TERM", &seconds.to_string()].iter().map(|s| (*s).to_owned()).collect();
                wrapper.extend(container.entrypoint.iter().flatten().cloned());
                wrapper
            });
            let runs = Container {
                essential: true,
                port: None,
                health: None,
                depends_on: Vec::new(),
                command: Some(job.command.clone()),
                entrypoint: entrypoint.or_else(|| container.entrypoint.clone()),
                ..container.clone()
            };
            Some(CronIr {
                name: job.name.clone(),
                label: Identifier::sanitized(&names::cron_label(&job.name)),
                schedule: named(&job.name, ""),
                containers: Hcl::List(vec![container_definition(deploy, &runs, log_group)]),
                expression: Hcl::str(job.expression.clone()),
                timezone: Hcl::str(job.timezone.clone()),
                retries: job.retries,
                timeout: job.timeout,
                role: named(&job.name, names::CRON_ROLE),
                policy: named(&job.name, names::CRON_POLICY),
                statements: scheduler_statements(&job.name, &Stack),
                queue: named(&job.name, names::CRON_QUEUE),
                output: Identifier::sanitized(&names::cron_output(&job.name)),
                skips: writable_skip([&runs]).into_iter().collect(),
            })
        })
        .collect();
    Some(CronStack { jobs, cluster: super::containers::scalar(&service.cluster) })
}

/// How the scheduler role's statements name the service, its roles and its
/// cluster: inside the service stack (by reference) or in the bootstrap's
/// boundary (by the planned names).
pub(super) trait Naming {
    /// `${var.name}-JOB` + `suffix` as text of an ARN.
    fn name(&self, template: Template, job: &str, suffix: &str) -> Template;
    /// The task role and the execution role.
    fn roles(&self) -> Vec<Hcl>;
    /// The cluster's ARN, if it can be named.
    fn cluster(&self) -> Option<Hcl>;
}

/// Inside the service stack.
struct Stack;

impl Naming for Stack {
    fn name(&self, template: Template, job: &str, suffix: &str) -> Template {
        template.interpolate(HclRef::fixed("var.name")).text("-").text(job).text(suffix)
    }
    fn roles(&self) -> Vec<Hcl> {
        vec![
            Hcl::reference(HclRef::fixed("aws_iam_role.task.arn")),
            Hcl::reference(HclRef::fixed("aws_iam_role.execution.arn")),
        ]
    }
    fn cluster(&self) -> Option<Hcl> {
        Some(Hcl::reference(HclRef::fixed("data.aws_ecs_cluster.cron.arn")))
    }
}

/// What EventBridge Scheduler may do with a job's role: start the job's
/// task definition (any revision) in the service's cluster, pass exactly the
/// job's two roles to ECS tasks, and send failed starts to the job's queue.
pub(super) fn scheduler_statements(job: &str, naming: &dyn Naming) -> Vec<PolicyStatement> {
    let family = naming.name(regional_arn("ecs").text("task-definition/"), job, ":*");
    let mut run = statement("RunTheJobsTaskDefinition", &["ecs:RunTask"], vec![Hcl::template(family)]);
    if let Some(cluster) = naming.cluster() {
        run.conditions.push(condition("ArnEquals", "ecs:cluster", vec![cluster]));
    }
    let mut pass = statement("PassTheJobsTwoRoles", &["iam:PassRole"], naming.roles());
    pass.conditions.push(condition("StringEquals", "iam:PassedToService", vec![Hcl::str("ecs-tasks.amazonaws.com")]));
    let queue = naming.name(regional_arn("sqs"), job, names::CRON_QUEUE);
    let dead_letter = statement("SendFailedStartsToTheQueue", &["sqs:SendMessage"], vec![Hcl::template(queue)]);
    vec![run, pass, dead_letter]
}
