//! Scheduled jobs (`cron NAME { ... }`): tasks EventBridge Scheduler starts
//! on a schedule, with the image, secrets, roles and network of one of the
//! service's containers.
//!
//! Contract: a cron block is read on its own first (its schedule, time
//! zone, command, retries and timeout); its container, and its name
//! against the one-off tasks', once the whole service is read.

use super::*;
use crate::catalogue::CronError;
use crate::check::schedule;

/// A cron block as written, before its container is resolved.
pub(super) struct CronDraft {
    name: String,
    name_span: Span,
    /// The container it names, and where.
    container: Option<(String, Span)>,
    job: CronJob,
}

impl Checker {
    /// A `cron` statement of service `service`, added to `settings` unless
    /// invalid or a duplicate.
    pub(super) fn add_cron(
        &mut self,
        statement: &Statement<'_>,
        settings: &mut Settings<'_, '_>,
        service: &str,
    ) -> bool {
        let Some((name, name_span)) = statement.args.first().and_then(|item| self.reader.text(item, "a job name"))
        else {
            return false;
        };
        let Some(block) = statement.block else { return false };
        let mut valid = self.name_rule(name_span, "job name", names::ecs_name(name))
            && self.name_rule(
                name_span,
                "job name",
                names::scheduler_name(&crate::plan::names::cron_schedule(service, name)),
            )
            && self.name_rule(name_span, "job name", names::iam_role(&crate::plan::names::cron_role(service, name)));
        let statements = split(&statements::CRON, &block.lines, &mut self.reader.errors);
        let mut job = CronJob {
            name: name.to_owned(),
            container: String::new(),
            command: Vec::new(),
            expression: String::new(),
            timezone: String::from("UTC"),
            retries: CronJob::DEFAULT_RETRIES,
            timeout: None,
        };
        let mut command = None;
        let mut container = None;
        let mut schedule_span: Option<Span> = None;
        for statement in &statements {
            let Some(first) = statement.args.first() else {
                valid = false;
                continue;
            };
            match statement.spec.name {
                "when" | "every" => {
                    if let Some(earlier) = schedule_span {
                        self.report(CronError::TwoSchedules { first: earlier }.at(statement.span));
                        valid = false;
                        continue;
                    }
                    schedule_span = Some(statement.span);
                    match self.cron_expression(statement.spec.name, first) {
                        Some(expression) => job.expression = expression,
                        None => valid = false,
                    }
                }
                "timezone" => match self.reader.text(first, "a time zone") {
                    Some((zone, span)) => match schedule::time_zone(zone) {
                        Ok(()) => job.timezone = zone.to_owned(),
                        Err(reason) => {
                            self.report(CronError::InvalidTimeZone { zone: zone.to_owned(), reason }.at(span));
                            valid = false;
                        }
                    },
                    None => valid = false,
                },
                "command" => {
                    command = self.run_command(first, CronError::EmptyCronCommand.at(first.span()));
                    valid &= command.is_some();
                }
                "container" => {
                    container = self.reader.text(first, "a container name").map(|(c, span)| (c.to_owned(), span));
                    valid &= container.is_some();
                }
                "retries" => {
                    let max = u64::from(CronJob::MAX_RETRIES);
                    match self.reader.number(first, "the job's retries", 0, max) {
                        Some(retries) => job.retries = u32::try_from(retries).unwrap_or(CronJob::MAX_RETRIES),
                        None => valid = false,
                    }
                }
                "timeout" => {
                    let (min, max) = (u64::from(CronJob::MIN_TIMEOUT), u64::from(CronJob::MAX_TIMEOUT));
                    match self.reader.seconds(first, "the job's timeout", min, max) {
                        Some(seconds) => job.timeout = u32::try_from(seconds).ok(),
                        None => valid = false,
                    }
                }
                other => unreachable!("CRON schema has no `{other}`"),
            }
        }
        let given = |word| statements::given_or_misspelt(&statements::CRON, &statements, &block.lines, word);
        if command.is_none() && !given("command") {
            self.report(CronError::NoCronCommand { name: name.to_owned() }.at(name_span));
            valid = false;
        }
        if schedule_span.is_none() && !given("when") && !given("every") {
            self.report(CronError::NoCronSchedule { name: name.to_owned() }.at(name_span));
            valid = false;
        }
        job.command = command.unwrap_or_default();
        settings.cron.push(CronDraft { name: name.to_owned(), name_span, container, job });
        valid
    }

    /// `when "cron(...)"` or `every 6h`, as Scheduler's expression.
    fn cron_expression(&mut self, how: &str, item: &Item) -> Option<String> {
        if how == "when" {
            let (text, span) = self.reader.text(item, "a schedule expression")?;
            return match schedule::expression(text) {
                Ok(()) => Some(text.to_owned()),
                Err(reason) => {
                    self.report(CronError::InvalidExpression { reason }.at(span));
                    None
                }
            };
        }
        let seconds = self.reader.seconds(item, "the job's interval", 60, 3650 * 86_400)?;
        if seconds % 60 != 0 {
            self.report(CronError::RateNotMinutes { seconds }.at(item.span()));
            return None;
        }
        let (amount, unit) = match seconds {
            s if s % 86_400 == 0 => (s / 86_400, "day"),
            s if s % 3600 == 0 => (s / 3600, "hour"),
            s => (s / 60, "minute"),
        };
        let plural = if amount == 1 { "" } else { "s" };
        Some(format!("rate({amount} {unit}{plural})"))
    }

    /// Each job's container (the one it names, or the one a one-off task
    /// would run), and its name against the tasks' and earlier jobs'.
    pub(super) fn resolve_cron(&mut self, settings: &Settings<'_, '_>) -> Option<Vec<CronJob>> {
        let same = |a: &str, b: &str| a.replace('-', "_") == b.replace('-', "_");
        let mut valid = true;
        let mut jobs = Vec::new();
        for (index, draft) in settings.cron.iter().enumerate() {
            let earlier = settings.cron[..index].iter().find(|other| same(&other.name, &draft.name));
            let first = match earlier {
                Some(other) => Some(("job", &other.name, other.name_span)),
                None => settings
                    .tasks
                    .iter()
                    .find(|task| same(&task.name, &draft.name))
                    .map(|task| ("one-off task", &task.name, task.name_span)),
            };
            if let Some((kind, first_name, first)) = first {
                let error =
                    CronError::CronDuplicate { name: draft.name.clone(), kind, first_name: first_name.clone(), first };
                self.report(error.at(draft.name_span));
                valid = false;
                continue;
            }
            let unknown = |name, suggestion, span| CronError::UnknownCronContainer { name, suggestion }.at(span);
            let Ok(container) = self.run_container(settings, draft.container.as_ref(), unknown) else {
                valid = false;
                continue;
            };
            if let Some(container) = container {
                jobs.push(CronJob { container, ..draft.job.clone() });
            }
        }
        valid.then_some(jobs)
    }
}
