//! The names of a worker's queues: `SERVICE-QUEUE` and its dead-letter
//! queue `SERVICE-QUEUE-dlq`, both ending in `.fifo` when FIFO.

/// What SQS requires of a FIFO queue's name.
const FIFO_SUFFIX: &str = ".fifo";
/// What a dead-letter queue's name adds to its queue's.
const DEAD_LETTER_SUFFIX: &str = "-dlq";

/// The part of the queue's name after `${var.name}` (the service's name).
pub fn queue_suffix(queue: &str, fifo: bool) -> String {
    format!("-{queue}{}", if fifo { FIFO_SUFFIX } else { "" })
}

/// The part of the dead-letter queue's name after `${var.name}`.
pub fn dead_letter_suffix(queue: &str, fifo: bool) -> String {
    format!("-{queue}{DEAD_LETTER_SUFFIX}{}", if fifo { FIFO_SUFFIX } else { "" })
}

/// The queue's name.
pub fn queue_name(service: &str, queue: &str, fifo: bool) -> String {
    format!("{service}{}", queue_suffix(queue, fifo))
}

/// The dead-letter queue's name: the longer of the two.
pub fn dead_letter_name(service: &str, queue: &str, fifo: bool) -> String {
    format!("{service}{}", dead_letter_suffix(queue, fifo))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_queues_both_end_in_fifo() {
        assert_eq!(queue_name("worker", "jobs", true), "worker-jobs.fifo");
        assert_eq!(dead_letter_name("worker", "jobs", true), "worker-jobs-dlq.fifo");
        assert_eq!(queue_name("worker", "jobs", false), "worker-jobs");
        assert_eq!(dead_letter_name("worker", "jobs", false), "worker-jobs-dlq");
    }
}
