//! Errors of one-off tasks (`task NAME { ... }` in a service block).

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// A problem with a one-off task. Each variant carries what its text needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskError {
    /// task `{name}` is defined twice, or spelt with `_` for `-` (`first_name`)
    TaskDuplicate { name: String, first_name: String, first: Span },
    /// task `{name}` has no command
    NoTaskCommand { name: String },
    /// the task's command is empty
    EmptyTaskCommand,
    /// no container named `{name}` runs the task
    UnknownTaskContainer { name: String, suggestion: Option<String> },
}

impl TaskError {
    /// The diagnostic for this error, underlining `span`.
    pub fn at(self, span: Span) -> Diagnostic {
        match self {
            Self::TaskDuplicate { name, first_name, first } if name == first_name => {
                Diagnostic::new(Code::Duplicate, span, format!("task `{name}` is defined twice"))
                    .label("second definition")
                    .note(first, "first definition")
                    .help("give each task its own name; tasks run in the order they are written")
            }
            Self::TaskDuplicate { name, first_name, first } => {
                Diagnostic::new(Code::Duplicate, span, format!("task `{name}` has the name of task `{first_name}`"))
                    .label("second definition")
                    .note(first, "first definition")
                    .help("`-` and `_` name the same Terraform resource and output: give each task a name of its own")
            }
            Self::NoTaskCommand { name } => Diagnostic::new(Code::Missing, span, format!("task `{name}` has no command"))
                .label("no `command`")
                .help("add what the task runs, such as `command [\"bin/rails\", \"db:migrate\"]`: without one it would start the service's own process, which never stops"),
            Self::EmptyTaskCommand => Diagnostic::new(Code::Missing, span, "the task's command is empty")
                .label("empty list")
                .help("name the program and its arguments, such as `command [\"bin/rails\", \"db:migrate\"]`"),
            Self::UnknownTaskContainer { name, suggestion } => {
                Diagnostic::new(Code::UndefinedReference, span, format!("no container named `{name}` runs the task"))
                    .label("undefined container")
                    .help(match suggestion {
                        Some(candidate) => format!("did you mean `{candidate}`?"),
                        None => String::from("name a container of this service; without `container`, the task runs the service's essential container"),
                    })
            }
        }
    }
}
