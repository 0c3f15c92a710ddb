//! Errors of the plan: two owners claiming one derived name.

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// A name collision the plan found. The note at the first owner is added
/// by the plan, which knows whether it is in the same file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// two pipelines write the workflow `{workflow}`
    WorkflowWrittenTwice { workflow: String },
    /// {second} and {first} both use the {what} `{name}`
    NameCollision {
        /// The second owner, as the message names it.
        second: String,
        /// The first owner, as the message names it.
        first: String,
        /// What kind of name (`job id`, `IAM role`, ...).
        what: &'static str,
        /// The second owner's spelling.
        name: String,
        /// The first owner's spelling, and why the two are one name, when
        /// the spellings differ.
        same_as: Option<(String, &'static str)>,
        /// How to fix it.
        help: &'static str,
    },
}

impl PlanError {
    /// The diagnostic for this error, underlining the second owner.
    pub fn at(self, span: Span) -> Diagnostic {
        match self {
            Self::WorkflowWrittenTwice { workflow } => {
                Diagnostic::new(Code::Duplicate, span, format!("two pipelines write the workflow `{workflow}`"))
                    .label("second pipeline")
                    .help("give each pipeline its own name or `workflow` file")
            }
            Self::NameCollision { second, first, what, name, same_as, help } => {
                let mut message = format!("{second} and {first} both use the {what} `{name}`");
                if let Some((first_name, because)) = same_as {
                    message.push_str(&format!(" (the same as `{first_name}`: {because})"));
                }
                Diagnostic::new(Code::Duplicate, span, message).label(format!("{what} `{name}`")).help(help)
            }
        }
    }

    /// The note at the first owner.
    pub fn first_note(&self, first_name: &str) -> String {
        match self {
            Self::WorkflowWrittenTwice { .. } => String::from("first pipeline"),
            Self::NameCollision { what, .. } => format!("{what} `{first_name}`"),
        }
    }
}
