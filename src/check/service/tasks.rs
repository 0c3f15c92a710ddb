//! One-off tasks (`task NAME { ... }`): what the deploy job runs to
//! completion before it updates the service, such as database migrations.
//!
//! Contract: a task block is read on its own first (its command, its
//! timeout, the container it names); the container is resolved once every
//! container of the service is read.

use super::*;
use crate::catalogue::TaskError;

/// A task block as written, before its container is resolved.
pub(super) struct TaskDraft {
    pub(super) name: String,
    pub(super) name_span: Span,
    /// The container it names, and where.
    container: Option<(String, Span)>,
    command: Vec<String>,
    timeout: u32,
}

impl Checker {
    /// A `task` statement of service `service`, added to `settings` unless
    /// invalid or a duplicate.
    pub(super) fn add_task(
        &mut self,
        statement: &Statement<'_>,
        settings: &mut Settings<'_, '_>,
        service: &str,
    ) -> bool {
        let Some((name, name_span)) = statement.args.first().and_then(|item| self.reader.text(item, "a task name"))
        else {
            return false;
        };
        let Some(block) = statement.block else { return false };
        let family = crate::plan::names::one_off_family(service, name);
        let mut valid = self.name_rule(name_span, "task name", names::ecs_name(name))
            && self.name_rule(name_span, "task family", names::ecs_name(&family));
        // `a-b` and `a_b` name the same Terraform resource and output.
        let same = |other: &str| other.replace('-', "_") == name.replace('-', "_");
        if let Some(task) = settings.tasks.iter().find(|task| same(&task.name)) {
            let (first_name, first) = (task.name.clone(), task.name_span);
            self.report(TaskError::TaskDuplicate { name: name.to_owned(), first_name, first }.at(name_span));
            valid = false;
        }
        let statements = split(&statements::TASK, &block.lines, &mut self.reader.errors);
        let mut command = None;
        let mut container = None;
        let mut timeout = Some(u64::from(OneOffTask::DEFAULT_TIMEOUT));
        for statement in &statements {
            let Some(first) = statement.args.first() else {
                valid = false;
                continue;
            };
            match statement.spec.name {
                "command" => {
                    command = self.run_command(first, TaskError::EmptyTaskCommand.at(first.span()));
                    valid &= command.is_some();
                }
                "container" => {
                    container = self.reader.text(first, "a container name").map(|(c, span)| (c.to_owned(), span));
                    valid &= container.is_some();
                }
                "timeout" => {
                    let (min, max) = (u64::from(OneOffTask::MIN_TIMEOUT), u64::from(OneOffTask::MAX_TIMEOUT));
                    timeout = self.reader.seconds(first, "the task's timeout", min, max);
                    valid &= timeout.is_some();
                }
                other => unreachable!("TASK schema has no `{other}`"),
            }
        }
        if command.is_none() && !statements::given_or_misspelt(&statements::TASK, &statements, &block.lines, "command")
        {
            self.report(TaskError::NoTaskCommand { name: name.to_owned() }.at(name_span));
            valid = false;
        }
        let draft = TaskDraft {
            name: name.to_owned(),
            name_span,
            container,
            command: command.unwrap_or_default(),
            timeout: timeout.map_or(0, |seconds| u32::try_from(seconds).unwrap_or(u32::MAX)),
        };
        // A duplicate stays out; an invalid task keeps its name for later duplicates.
        if !settings.tasks.iter().any(|task| same(&task.name)) {
            settings.tasks.push(draft);
        }
        valid
    }

    /// Each task's container: the one it names, or the service's first
    /// essential container that runs a built image, or its first essential
    /// container.
    pub(super) fn resolve_tasks(&mut self, settings: &Settings<'_, '_>) -> Option<Vec<OneOffTask>> {
        let mut valid = true;
        let mut tasks = Vec::new();
        for draft in &settings.tasks {
            let unknown = |name, suggestion, span| TaskError::UnknownTaskContainer { name, suggestion }.at(span);
            let Ok(container) = self.run_container(settings, draft.container.as_ref(), unknown) else {
                valid = false;
                continue;
            };
            if let Some(container) = container {
                tasks.push(OneOffTask {
                    name: draft.name.clone(),
                    container,
                    command: draft.command.clone(),
                    timeout: draft.timeout,
                });
            }
        }
        valid.then_some(tasks)
    }

    /// `command [...]` of a task or a job: its arguments; `None` when it is
    /// not a list, or is empty (reported as `empty`: the container's own
    /// process would run, which never stops).
    pub(super) fn run_command(&mut self, item: &Item, empty: Diagnostic) -> Option<Vec<String>> {
        let list = self.reader.text_list(item, "arguments")?;
        if list.is_empty() {
            self.report(empty);
            return None;
        }
        Some(list.into_iter().map(|(argument, _)| argument.to_owned()).collect())
    }

    /// The container a task or a job runs: the one it names (`Err` once
    /// `unknown` is reported, if the service has no container of that
    /// name), or else the service's first essential container that runs a
    /// built image, or its first essential container (`Ok(None)` when there
    /// is none, which is reported with the service).
    pub(super) fn run_container(
        &mut self,
        settings: &Settings<'_, '_>,
        named: Option<&(String, Span)>,
        unknown: impl FnOnce(String, Option<String>, Span) -> Diagnostic,
    ) -> Result<Option<String>, ()> {
        let containers = || settings.containers.iter().map(|(container, _)| container);
        let Some((name, span)) = named else {
            let default = containers()
                .find(|c| c.essential && matches!(c.image, Image::Build(_)))
                .or_else(|| containers().find(|c| c.essential));
            return Ok(default.map(|c| c.name.clone()));
        };
        if containers().any(|c| &c.name == name) {
            return Ok(Some(name.clone()));
        }
        let suggestion = suggest(name, containers().map(|c| c.name.as_str())).map(str::to_owned);
        self.report(unknown(name.clone(), suggestion, *span));
        Err(())
    }
}
