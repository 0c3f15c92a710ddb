//! The jobs of the workflow: what every job has, and its two variants,
//! one for the runs that apply and one for every other run.

use serde::Serialize;

use super::changes::changed_condition;
use super::conditions::not;
use super::names::session_name;
use super::output::{ExprOrText, GithubExpr, Identifier};
use super::permissions::Permission;
use crate::model::*;
use crate::plan::names;

/// Which runs a job serves. Every job that may assume a role comes twice.
/// Its variant for the runs that apply (a push or manual run on an apply
/// branch) runs in the job's GitHub environment and assumes the apply
/// role. Its variant for every other run (pull requests, other branches)
/// runs in the environment's plan environment (`NAME-plan`), if it has one,
/// and assumes the plan role, or no role when the pipeline has none: such a
/// run never enters an environment that applies and never asks for the
/// apply role. (A pull request's author can edit the workflow file: what
/// stops an edited one is the apply role's trust policy.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Variant {
    /// The runs that only plan, or build without pushing.
    Plan,
    /// The runs that apply, or push.
    Apply,
}

/// Both variants, in the order the workflow lists them.
pub(super) const VARIANTS: [Variant; 2] = [Variant::Plan, Variant::Apply];

/// The settings every job shares.
#[derive(Debug, Clone, Serialize)]
pub struct JobBase {
    /// Job id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Whether this is the variant for the runs that apply.
    pub applies: bool,
    /// Jobs that must succeed first (or be skipped): `changes`, then the plan's.
    pub needs: Vec<String>,
    /// The job's `if`: its inputs changed, and the run is one this variant serves.
    pub condition: GithubExpr,
    /// `runs-on`.
    pub runner: String,
    /// GitHub environment: the job's where it applies, its plan environment
    /// elsewhere.
    pub environment: Option<String>,
    /// `defaults.run.working-directory`.
    pub working_directory: String,
    /// `role-to-assume`: none in a run that only plans, without a plan role.
    pub role: Option<ExprOrText>,
    /// `role-session-name`.
    pub session_name: String,
    /// `permissions:`, in a fixed order.
    pub permissions: Vec<Permission>,
    /// Where the job applies with a role from a secret or variable: fail
    /// early, naming it, when it is empty.
    pub apply_role_check: Option<ApplyRoleCheck>,
}

/// The step that fails a job when the apply role's secret or variable is
/// empty.
#[derive(Debug, Clone, Serialize)]
pub struct ApplyRoleCheck {
    /// The apply role's secret or variable.
    pub role: GithubExpr,
    /// `secret` or `variable`.
    pub kind: &'static str,
    /// Its name.
    pub name: Identifier,
}

/// A GitHub value as an expression: `secrets.NAME`, `vars.NAME`, or a
/// string literal.
pub(super) fn github_expr(value: &GithubValue) -> GithubExpr {
    match value {
        GithubValue::Secret(name) => GithubExpr::context("secrets", name.clone()),
        GithubValue::Variable(name) => GithubExpr::context("vars", name.clone()),
        GithubValue::Literal(text) => GithubExpr::literal(text.clone()),
    }
}

/// `role-to-assume` of a role: an ARN as text, a secret or variable as an
/// expression.
fn role_value(role: &GithubValue) -> ExprOrText {
    match role {
        GithubValue::Literal(text) => ExprOrText::Text(text.clone()),
        role => ExprOrText::Expression(github_expr(role)),
    }
}

fn apply_role_check(role: &GithubValue) -> Option<ApplyRoleCheck> {
    let (kind, name) = match role {
        GithubValue::Secret(name) => ("secret", name),
        GithubValue::Variable(name) => ("variable", name),
        GithubValue::Literal(_) => return None,
    };
    Some(ApplyRoleCheck { role: github_expr(role), kind, name: Identifier::sanitized(name) })
}

/// What a job's two variants share.
pub(super) struct JobSpec<'a> {
    /// The id of the variant that applies.
    pub id: &'a str,
    /// The display name of the variant that applies.
    pub name: String,
    /// The `changes` output saying whether the job's inputs changed.
    pub changed: &'a str,
    /// The jobs it needs besides `changes`.
    pub needs: Vec<String>,
    pub runner: String,
    /// The GitHub environment the variant that applies runs in.
    pub environment: Option<String>,
    /// The role the variant that applies assumes.
    pub role: &'a GithubValue,
    pub working_directory: String,
    /// Which runs apply (or push).
    pub apply_if: GithubExpr,
}

/// One variant's settings; `permissions` gets whether it assumes a role.
pub(super) fn job_base(
    pipeline: &Pipeline,
    spec: &JobSpec,
    variant: Variant,
    permissions: impl Fn(bool) -> Vec<Permission>,
) -> JobBase {
    let (id, name, runs_when, role, environment, check) = match variant {
        Variant::Apply => (
            spec.id.to_owned(),
            spec.name.clone(),
            spec.apply_if.clone(),
            Some(role_value(spec.role)),
            spec.environment.clone(),
            apply_role_check(spec.role),
        ),
        Variant::Plan => (
            names::plan_job(spec.id),
            format!("{} (plan)", spec.name),
            not(&spec.apply_if),
            pipeline.plan_role.as_ref().map(role_value),
            spec.environment.as_deref().map(names::plan_environment),
            None,
        ),
    };
    JobBase {
        session_name: session_name(pipeline, &id),
        id,
        name,
        applies: variant == Variant::Apply,
        needs: std::iter::once(names::CHANGES_JOB.to_owned()).chain(spec.needs.iter().cloned()).collect(),
        condition: changed_condition(spec.changed).then_code(" && ").then(runs_when),
        runner: spec.runner.clone(),
        environment,
        working_directory: spec.working_directory.clone(),
        permissions: permissions(role.is_some()),
        role,
        apply_role_check: check,
    }
}

/// The jobs a job needs, each in both variants: whichever ran, it must
/// have succeeded (or been skipped) first.
pub(super) fn needs_in_both_variants(jobs: &[String]) -> Vec<String> {
    jobs.iter().flat_map(|job| [names::plan_job(job), job.clone()]).collect()
}
