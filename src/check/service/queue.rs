//! A worker's queue: `queue NAME { fifo  visibility 5m  retention 4d
//! dead_letter after 5  encryption sqs|kms }`, the containers' references
//! to it (`env QUEUE_URL = queue.NAME.url`), and scaling on its backlog.
//!
//! Contract: the queue's and its dead-letter queue's names are SQS names
//! (80 characters, `.fifo` included); the visibility timeout, retention
//! and receive count are in SQS's ranges; a backlog target has a queue to
//! count, a task to divide by, and the metric that counts tasks.

use super::*;
use crate::catalogue::QueueError;
use crate::syntax::Value;

impl Checker {
    /// `queue NAME [{ ... }]`.
    pub(super) fn queue(&mut self, statement: &Statement<'_>, service: &str) -> Option<Queue> {
        let (name, name_span) = self.reader.word(statement.args.first()?, "a queue name")?;
        if !self.name_rule(name_span, "queue name", queue_word(name)) {
            return None;
        }
        let mut queue = Queue {
            name: name.to_owned(),
            fifo: false,
            visibility_seconds: Queue::DEFAULT_VISIBILITY,
            retention_seconds: Queue::DEFAULT_RETENTION,
            max_receives: Queue::DEFAULT_MAX_RECEIVES,
            encryption: QueueEncryption::Sqs,
        };
        let mut valid = true;
        if let Some(block) = statement.block {
            let before = self.reader.errors.len();
            let lines = split(&statements::QUEUE, &block.lines, &mut self.reader.errors);
            valid = self.reader.errors.len() == before;
            for line in &lines {
                valid &= self.queue_setting(line, &mut queue).is_some();
            }
        }
        let longest = crate::plan::names::dead_letter_name(service, name, queue.fifo);
        if longest.len() > 80 {
            let length = longest.len();
            self.report(QueueError::NameTooLong { name: longest, length }.at(name_span));
            return None;
        }
        valid.then_some(queue)
    }

    fn queue_setting(&mut self, line: &Statement<'_>, queue: &mut Queue) -> Option<()> {
        let first = line.args.first();
        match line.spec.name {
            "fifo" => queue.fifo = true,
            "visibility" => {
                let seconds = self.reader.seconds(first?, "the visibility timeout", 0, Queue::MAX_VISIBILITY.into())?;
                queue.visibility_seconds = seconds as u32;
            }
            "retention" => {
                let (min, max) = (Queue::MIN_RETENTION.into(), Queue::MAX_RETENTION.into());
                queue.retention_seconds = self.reader.seconds(first?, "the retention", min, max)? as u32;
            }
            "dead_letter" => {
                let Some(after) = line.option("after") else {
                    self.report(
                        ValueError::NeedsValue {
                            statement: String::from("dead_letter"),
                            usage: line.spec.usage.to_owned(),
                        }
                        .at(line.span),
                    );
                    return None;
                };
                let receives = self.reader.number(after, "the receives before the dead-letter queue", 1, 1000)?;
                queue.max_receives = receives as u32;
            }
            "encryption" => {
                let choices = [("sqs", QueueEncryption::Sqs), ("kms", QueueEncryption::Kms)];
                queue.encryption = self.reader.keyword(first?, "queue encryption", &choices)?;
            }
            other => unreachable!("QUEUE schema has no `{other}`"),
        }
        Some(())
    }

    /// `queue.NAME.ATTRIBUTE` in an `env` value; the name is compared
    /// with the service's queue once the whole service is read.
    pub(super) fn queue_reference(&mut self, value: &Value) -> Option<Scalar> {
        let ValueKind::Path(segments) = &value.kind else { return None };
        let queue = segments.get(1).cloned().unwrap_or_default();
        let attribute = segments.get(2).map(String::as_str).unwrap_or_default();
        let found = QueueAttribute::ALL.iter().find(|(name, _)| *name == attribute);
        match found {
            Some((_, attribute)) if segments.len() == 3 => {
                self.queue_references.push((queue, value.span));
                Some(Scalar::Queue(*attribute))
            }
            _ => {
                let attribute = segments.get(2..).map(|rest| rest.join(".")).unwrap_or_default();
                let queue = if queue.is_empty() { String::from("NAME") } else { queue };
                self.report(QueueError::UnknownAttribute { attribute, queue }.at(value.span));
                None
            }
        }
    }

    /// The containers' queue references name the service's queue; a
    /// backlog target has that queue, a task to divide by and Container
    /// Insights to count tasks with.
    pub(super) fn check_queue_uses(
        &mut self,
        settings: &Settings<'_, '_>,
        service: &str,
        own_infra: Option<&Infra>,
    ) -> bool {
        let mut valid = true;
        let references = std::mem::take(&mut self.queue_references);
        if settings.queue_failed {
            return false; // the queue's own problem is reported
        }
        let queue = settings.queue.as_ref().map(|queue| queue.name.clone());
        for (name, span) in references {
            if queue.as_deref() != Some(name.as_str()) {
                valid = false;
                let error = QueueError::UnknownQueue { name, service: service.to_owned(), queue: queue.clone() };
                self.report(error.at(span));
            }
        }
        if let Some((scaling, span)) = &settings.scale {
            if scaling.backlog.is_some() {
                let error = if queue.is_none() {
                    Some(QueueError::BacklogWithoutQueue)
                } else if scaling.min == 0 {
                    Some(QueueError::BacklogFromZero)
                } else if own_infra.is_some_and(|own| !own.insights) {
                    Some(QueueError::BacklogWithoutInsights)
                } else {
                    None
                };
                if let Some(error) = error {
                    valid = false;
                    self.report(error.at(*span));
                }
            }
        }
        valid
    }
}

/// A queue's name in the pipeline: letters, digits, `-` and `_`.
fn queue_word(name: &str) -> Result<(), String> {
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        Ok(())
    } else {
        Err(String::from("an SQS queue name holds only letters, digits, `-` and `_`"))
    }
}
