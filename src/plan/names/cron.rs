//! The names of scheduled jobs (`cron NAME { ... }`): their schedules,
//! task families, scheduler roles and dead-letter queues, and the
//! Terraform labels of their resources.

/// The schedule of a service's job: `SERVICE-JOB` (at most 64 characters).
pub fn cron_schedule(service: &str, job: &str) -> String {
    format!("{service}-{job}")
}

/// The task family of a service's job: `SERVICE-JOB`, as a one-off task's.
pub fn cron_family(service: &str, job: &str) -> String {
    format!("{service}-{job}")
}

/// The suffix of a job's scheduler role after `SERVICE-JOB`.
pub const CRON_ROLE: &str = "-scheduler";

/// The role EventBridge Scheduler assumes to start a service's job.
pub fn cron_role(service: &str, job: &str) -> String {
    format!("{service}-{job}{CRON_ROLE}")
}

/// The suffix of a job's dead-letter queue after `SERVICE-JOB`.
pub const CRON_QUEUE: &str = "-dead-letter";

/// The suffix of a job's scheduler role's inline policy after `SERVICE-JOB`.
pub const CRON_POLICY: &str = "-run-task";

/// The Terraform label of a job's resources (schedule, task definition,
/// role, queue).
pub fn cron_label(job: &str) -> String {
    format!("cron_{job}")
}

/// The service stack's output holding a job's schedule's ARN.
pub fn cron_output(job: &str) -> String {
    format!("cron_{job}_schedule_arn")
}
