//! Errors of a worker's queue: `queue NAME { ... }`, the references
//! containers make to it, and scaling on its backlog.

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// A problem with a service's `queue`. Each variant carries what its text needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueError {
    /// SQS queue name `{name}` is {length} characters; SQS allows 80
    NameTooLong {
        /// The longest name the queue implies (the dead-letter queue's).
        name: String,
        /// Its length.
        length: usize,
    },
    /// `queue.{name}` is not a queue of service `{service}`
    UnknownQueue {
        /// The name as written.
        name: String,
        /// The service.
        service: String,
        /// The service's queue, if it has one.
        queue: Option<String>,
    },
    /// a queue has no `{attribute}`
    UnknownAttribute {
        /// The attribute as written (empty when none is).
        attribute: String,
        /// The queue's name.
        queue: String,
    },
    /// `scale ... backlog` needs a `queue` in the service
    BacklogWithoutQueue,
    /// `scale ... backlog` from 0 tasks: with none running, the backlog per task has no value
    BacklogFromZero,
    /// `scale ... backlog` counts running tasks with Container Insights, which the cluster turns off
    BacklogWithoutInsights,
}

impl QueueError {
    /// The diagnostic for this error, underlining `span`.
    pub fn at(self, span: Span) -> Diagnostic {
        match self {
            Self::NameTooLong { name, length } => Diagnostic::new(
                Code::InvalidName,
                span,
                format!("SQS queue name `{name}` is {length} characters; SQS allows 80"),
            )
            .label("the dead-letter queue's name, `.fifo` included, is too long")
            .help("shorten the queue's name or the service's: a queue is named `SERVICE-QUEUE`, its dead-letter queue `SERVICE-QUEUE-dlq`"),
            Self::UnknownQueue { name, service, queue } => {
                let diagnostic = Diagnostic::new(
                    Code::UndefinedReference,
                    span,
                    format!("`queue.{name}` is not a queue of service `{service}`"),
                )
                .label("no such queue");
                match queue {
                    Some(queue) => diagnostic.help(format!("the service's queue is `{queue}`: `queue.{queue}.url`")),
                    None => diagnostic
                        .help("declare the queue the service consumes in its block: `queue jobs { ... }`"),
                }
            }
            Self::UnknownAttribute { attribute, queue } => {
                let message = if attribute.is_empty() {
                    String::from("a queue reference names an attribute")
                } else {
                    format!("a queue has no `{attribute}`")
                };
                Diagnostic::new(Code::UndefinedReference, span, message)
                    .label("not an attribute of the queue")
                    .help(format!("write `queue.{queue}.url`, `queue.{queue}.arn` or `queue.{queue}.name`"))
            }
            Self::BacklogWithoutQueue => {
                Diagnostic::new(Code::Missing, span, "`scale ... backlog` needs a `queue` in the service")
                    .label("no queue to count messages in")
                    .help("declare the queue the service consumes: `queue jobs { ... }`, or scale on `cpu` or `memory`")
            }
            Self::BacklogFromZero => Diagnostic::new(
                Code::Conflict,
                span,
                "`scale ... backlog` from 0 tasks: with none running, the backlog per task has no value",
            )
            .label("the range starts at 0")
            .help("start the range at 1 (`scale 1..10 backlog 100`): the policy divides by the running tasks"),
            Self::BacklogWithoutInsights => Diagnostic::new(
                Code::Conflict,
                span,
                "`scale ... backlog` counts running tasks with Container Insights, which the cluster turns off",
            )
            .label("no RunningTaskCount metric")
            .help("remove `cluster insights off` from the `infra` block (and its `accept no_insights`)"),
        }
    }
}
