//! Typed views of the plan's names: lower writes some of them bare into
//! output, so they become [`Identifier`]s here, which cannot hold anything
//! but `[A-Za-z0-9_]` whatever they are given. Every name is spelled in
//! [`crate::plan::names`]; nothing here composes one.

use super::output::Identifier;
use crate::model::*;
use crate::plan::names;

use super::output::{ExprOrText, GithubExpr};

pub(super) use crate::plan::names::{built_images, workflow_concurrency_group};

/// The concurrency group of a Terraform job's variant that applies: the
/// stack's, one apply at a time.
pub(super) fn apply_concurrency_group(stack: &str) -> ExprOrText {
    ExprOrText::Text(names::concurrency_group(stack))
}

/// The group of its variant that only plans: the stack's plan group of
/// the run's ref, never the applies' group.
pub(super) fn plan_concurrency_group(stack: &str) -> ExprOrText {
    ExprOrText::Expression(
        GithubExpr::code("format(")
            .then_literal(format!("{}{{0}}", names::plan_concurrency_group(stack)))
            .then_code(", github.ref)"),
    )
}

/// The Terraform variable for an image of a deploy.
pub(super) fn image_variable(deploy: &Deploy, build: &str) -> Identifier {
    Identifier::sanitized(&names::image_variable(deploy, build))
}

/// The deploy job's environment variable holding a build's image URI.
pub(super) fn image_env(deploy: &Deploy, build: &str) -> Identifier {
    Identifier::sanitized(&names::image_env(deploy, build))
}

/// The Terraform variable carrying an infrastructure secret's value.
pub(super) fn secret_variable(secret: &InfraSecret) -> Identifier {
    Identifier::sanitized(&names::secret_variable(secret))
}

/// The environment variable Terraform reads that variable from.
pub(super) fn secret_env(secret: &InfraSecret) -> Identifier {
    Identifier::sanitized(&names::secret_env(secret))
}

/// The resource label of a scheduled scaling action.
pub(super) fn schedule_label(schedule: &Schedule) -> Identifier {
    Identifier::sanitized(&names::schedule_label(&schedule.name))
}

/// The AWS role session name of a job.
pub(super) fn session_name(pipeline: &Pipeline, job: &str) -> String {
    names::session_name(&pipeline.name, job)
}
