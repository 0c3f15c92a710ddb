//! A worker's queue: `queue NAME { ... }`, the SQS queue the service
//! consumes, with its dead-letter queue.

use serde::Serialize;

/// `queue NAME { fifo  visibility 5m  retention 4d  dead_letter after 5
/// encryption sqs|kms }`: an SQS queue and its dead-letter queue in the
/// service stack; the task role may receive, delete and hide its messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Queue {
    /// Its name in the pipeline; the queue is `<service>-<name>`.
    pub name: String,
    /// A FIFO queue (both queues' names end in `.fifo`).
    pub fifo: bool,
    /// Seconds a received message stays hidden from other receivers.
    pub visibility_seconds: u32,
    /// Seconds a message is kept.
    pub retention_seconds: u32,
    /// Receives after which a message moves to the dead-letter queue.
    pub max_receives: u32,
    /// How both queues are encrypted at rest.
    pub encryption: QueueEncryption,
}

impl Queue {
    /// `visibility` without the statement: SQS's default, 30 seconds.
    pub const DEFAULT_VISIBILITY: u32 = 30;
    /// The longest visibility timeout SQS accepts: 12 hours.
    pub const MAX_VISIBILITY: u32 = 12 * 3600;
    /// `retention` without the statement: SQS's default, 4 days.
    pub const DEFAULT_RETENTION: u32 = 4 * 86_400;
    /// The shortest retention SQS accepts: 60 seconds.
    pub const MIN_RETENTION: u32 = 60;
    /// The longest retention SQS accepts, and the dead-letter queue's: 14 days.
    pub const MAX_RETENTION: u32 = 14 * 86_400;
    /// `dead_letter after` without the statement.
    pub const DEFAULT_MAX_RECEIVES: u32 = 5;
    /// The most receives a redrive policy accepts.
    pub const MAX_RECEIVES: u32 = 1000;
}

/// Encryption at rest of a service's queues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueEncryption {
    /// SSE-SQS: keys SQS owns and manages.
    Sqs,
    /// A customer managed KMS key in the service stack, rotated yearly; the
    /// task role may decrypt with it.
    Kms,
}

/// What a container's `env NAME = queue.QUEUE.ATTRIBUTE` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueAttribute {
    /// The queue's URL, which the SQS API takes.
    Url,
    /// The queue's ARN.
    Arn,
    /// The queue's name.
    Name,
}

impl QueueAttribute {
    /// The attributes, as a reference writes them.
    pub const ALL: [(&'static str, QueueAttribute); 3] =
        [("url", QueueAttribute::Url), ("arn", QueueAttribute::Arn), ("name", QueueAttribute::Name)];
}
