//! Errors of scheduled jobs (`cron NAME { ... }` in a service block).

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// A problem with a scheduled job. Each variant carries what its text needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CronError {
    /// job `{name}` has the name of `{kind}` `{first_name}`
    CronDuplicate { name: String, kind: &'static str, first_name: String, first: Span },
    /// job `{name}` has no command
    NoCronCommand { name: String },
    /// the job's command is empty
    EmptyCronCommand,
    /// job `{name}` has no schedule
    NoCronSchedule { name: String },
    /// both `when` and `every`
    TwoSchedules { first: Span },
    /// not a schedule expression Scheduler accepts: {reason}
    InvalidExpression { reason: String },
    /// `every` that is not whole minutes
    RateNotMinutes { seconds: u64 },
    /// not an IANA time zone: {reason}
    InvalidTimeZone { zone: String, reason: String },
    /// no container named `{name}` runs the job
    UnknownCronContainer { name: String, suggestion: Option<String> },
}

impl CronError {
    /// The diagnostic for this error, underlining `span`.
    pub fn at(self, span: Span) -> Diagnostic {
        match self {
            Self::CronDuplicate { name, kind, first_name, first } => {
                let message = if name == first_name && kind == "job" {
                    format!("job `{name}` is defined twice")
                } else {
                    format!("job `{name}` has the name of {kind} `{first_name}`")
                };
                Diagnostic::new(Code::Duplicate, span, message)
                    .label("second definition")
                    .note(first, "first definition")
                    .help("a job's task family is `SERVICE-NAME`, like a one-off task's, and `-` and `_` name the same Terraform resource: give each job and task a name of its own")
            }
            Self::NoCronCommand { name } => Diagnostic::new(Code::Missing, span, format!("job `{name}` has no command"))
                .label("no `command`")
                .help("add what the job runs, such as `command [\"npm\", \"run\", \"report\"]`: without one it would start the service's own process, which never stops"),
            Self::EmptyCronCommand => Diagnostic::new(Code::Missing, span, "the job's command is empty")
                .label("empty list")
                .help("name the program and its arguments, such as `command [\"npm\", \"run\", \"report\"]`"),
            Self::NoCronSchedule { name } => Diagnostic::new(Code::Missing, span, format!("job `{name}` has no schedule"))
                .label("no `when` or `every`")
                .help("say when it runs: `when \"cron(0 3 * * ? *)\"` (03:00 every day) or `every 6h`"),
            Self::TwoSchedules { first } => Diagnostic::new(Code::Conflict, span, "the job has two schedules")
                .label("second schedule")
                .note(first, "first schedule")
                .help("keep one: `when \"cron(...)\"` or `every DURATION`"),
            Self::InvalidExpression { reason } => {
                Diagnostic::new(Code::InvalidText, span, "not a schedule EventBridge Scheduler accepts")
                    .label(reason)
                    .help("write `cron(MINUTES HOURS DAY-OF-MONTH MONTH DAY-OF-WEEK YEAR)` with `?` in one day field, such as \"cron(0 3 * * ? *)\", or `rate(6 hours)`")
            }
            Self::RateNotMinutes { seconds } => {
                Diagnostic::new(Code::OutOfRange, span, format!("`every` of {seconds}s is not whole minutes"))
                    .label("not whole minutes")
                    .help("Scheduler's rates count minutes, hours or days: write `every 5m`, `every 6h` or `every 1d`")
            }
            Self::InvalidTimeZone { zone, reason } => {
                Diagnostic::new(Code::InvalidText, span, format!("`{zone}` is not an IANA time zone"))
                    .label(reason)
                    .help("name the zone as the time zone database does, such as \"Europe/Berlin\", \"America/New_York\" or \"UTC\"")
            }
            Self::UnknownCronContainer { name, suggestion } => {
                Diagnostic::new(Code::UndefinedReference, span, format!("no container named `{name}` runs the job"))
                    .label("undefined container")
                    .help(match suggestion {
                        Some(candidate) => format!("did you mean `{candidate}`?"),
                        None => String::from("name a container of this service; without `container`, the job runs the service's essential container"),
                    })
            }
        }
    }
}
