//! The catalogue of every error ecspipe reports.
//!
//! Contract: each kind of error is a variant of one of the enums below,
//! carrying the data its text needs; its code, message, label, notes and
//! help are written once, in the variant's arm of the enum's `at`. Stages
//! build a diagnostic with `Kind { .. }.at(span)` and never write error
//! text themselves, so wording and codes are reviewed in one place. The
//! enums split by stage and concern only to keep each file readable.

mod bluegreen;
mod calls;
mod container;
mod cron;
mod deploy;
mod edge;
mod infra;
mod network;
mod pipeline;
mod plan;
mod queue;
mod route;
mod service;
mod syntax;
mod task;
mod values;
mod volume;

pub use bluegreen::BlueGreenError;
pub use calls::CallError;
pub use container::ContainerError;
pub use cron::CronError;
pub use deploy::DeployError;
pub use edge::EdgeError;
pub use infra::InfraError;
pub use network::NetworkError;
pub use pipeline::PipelineError;
pub use plan::PlanError;
pub use queue::QueueError;
pub use route::RouteError;
pub use service::ServiceError;
pub use syntax::SyntaxError;
pub use task::TaskError;
pub use values::{whole_spelling, Form, ValueError};
pub use volume::VolumeError;

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// Problems with reporting itself rather than with one construct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportError {
    /// {more} more errors are not shown, the first of them: {first_message}
    MoreErrors {
        /// The code of the first error left out.
        code: Code,
        /// How many errors are left out.
        more: usize,
        /// The message of the first error left out.
        first_message: String,
        /// The label of the first error left out.
        first_label: String,
        /// The most errors reported for one file.
        max: usize,
    },
}

impl ReportError {
    /// The diagnostic for this error, underlining `span`.
    pub fn at(self, span: Span) -> Diagnostic {
        match self {
            Self::MoreErrors { code, more, first_message, first_label, max } => Diagnostic::new(
                code,
                span,
                format!("{more} more errors are not shown, the first of them: {first_message}"),
            )
            .label(first_label)
            .help(format!("ecspipe reports at most {max} errors per file; fix these and run it again")),
        }
    }
}
