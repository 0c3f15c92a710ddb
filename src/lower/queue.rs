//! A worker's queue in the service stack: the SQS queue and its
//! dead-letter queue, their encryption and TLS-only policies, what the task
//! role may do with the queue, and the scaling policy on its backlog.

use serde::Serialize;

use super::output::{Hcl, HclRef, Template};
use crate::model::*;
use crate::plan::names;

/// `aws_sqs_queue.queue`'s ARN: the only queue the task role may use.
pub(crate) const QUEUE_ARN: HclRef = HclRef::fixed("aws_sqs_queue.queue.arn");
/// The key that encrypts both queues when the pipeline asks for KMS.
pub(crate) const QUEUE_KEY_ARN: HclRef = HclRef::fixed("aws_kms_key.queue.arn");

/// The service stack's `queue.tf`.
#[derive(Debug, Clone, Serialize)]
pub struct QueueIr {
    /// The queue's name in the pipeline.
    pub name: String,
    /// The queue's SQS name: `${var.name}-NAME[.fifo]`.
    pub queue_name: Hcl,
    /// The dead-letter queue's: `${var.name}-NAME-dlq[.fifo]`.
    pub dead_letter_name: Hcl,
    /// Both queues are FIFO.
    pub fifo: bool,
    /// `visibility_timeout_seconds`.
    pub visibility_seconds: u32,
    /// `message_retention_seconds` of the queue.
    pub retention_seconds: u32,
    /// `message_retention_seconds` of the dead-letter queue: SQS's longest.
    pub dead_letter_retention_seconds: u32,
    /// `maxReceiveCount` of the redrive policy.
    pub max_receives: u32,
    /// A customer managed KMS key of the stack encrypts both queues; else SSE-SQS.
    pub kms: bool,
}

pub(super) fn queue(service: &Service) -> Option<QueueIr> {
    let queue = service.queue.as_ref()?;
    let name = |suffix: String| Hcl::template(Template::new().interpolate(HclRef::fixed("var.name")).text(&suffix));
    Some(QueueIr {
        name: queue.name.clone(),
        queue_name: name(names::queue_suffix(&queue.name, queue.fifo)),
        dead_letter_name: name(names::dead_letter_suffix(&queue.name, queue.fifo)),
        fifo: queue.fifo,
        visibility_seconds: queue.visibility_seconds,
        retention_seconds: queue.retention_seconds,
        dead_letter_retention_seconds: Queue::MAX_RETENTION,
        max_receives: queue.max_receives,
        kms: queue.encryption == QueueEncryption::Kms,
    })
}

/// What a container's `queue.NAME.ATTRIBUTE` reads.
pub(super) fn queue_attribute(attribute: QueueAttribute) -> Hcl {
    Hcl::reference(HclRef::fixed(match attribute {
        QueueAttribute::Url => "aws_sqs_queue.queue.url",
        QueueAttribute::Arn => "aws_sqs_queue.queue.arn",
        QueueAttribute::Name => "aws_sqs_queue.queue.name",
    }))
}

/// The queue ARN and key the boundary can name: the queue's, in the
/// account and region; a key's id is random, so any key there.
pub(super) fn known_queue(service: &Service, regional_arn: fn(&str) -> Template) -> Vec<(HclRef, Template)> {
    let Some(queue) = &service.queue else { return Vec::new() };
    let name = names::queue_name(&service.name, &queue.name, queue.fifo);
    vec![(QUEUE_ARN, regional_arn("sqs").text(&name)), (QUEUE_KEY_ARN, regional_arn("kms").text("key/*"))]
}

/// The target tracking policy on the backlog per task: the queue's visible
/// messages divided by the service's running tasks.
#[derive(Debug, Clone, Serialize)]
pub struct BacklogPolicy {
    /// Messages per task to keep.
    pub target: u32,
    /// Scale-in cooldown, seconds.
    pub cooldown_in: u32,
    /// Scale-out cooldown, seconds.
    pub cooldown_out: u32,
}

pub(super) fn backlog_policy(scaling: &Scaling) -> Option<BacklogPolicy> {
    Some(BacklogPolicy {
        target: scaling.backlog?,
        cooldown_in: scaling.cooldown_in,
        cooldown_out: scaling.cooldown_out,
    })
}
