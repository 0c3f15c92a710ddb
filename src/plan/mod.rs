//! Stage 3, plan: the checked models of every input of one invocation →
//! the same models, linked and proven free of name collisions.
//!
//! Contract: check validates and resolves references; plan derives. It
//! places each environment's stacks, jobs and builds in that environment
//! ([`expand`]: suffixed stacks, state keys, names, job ids, handoff
//! parameters; the environment's role), owns every AWS and GitHub name
//! ecspipe makes up ([`names`]: roles, policies, services, job ids, `env` keys, Terraform variables,
//! concurrency groups, session names), builds the job graph (each job's
//! `needs`, [`graph`]), the platforms each build produces for the tasks
//! that run its image ([`platforms`]), derives the bootstrap's trust and grants from
//! those names ([`grants`]), and checks, once and across every input, that no
//! two things claim one name after normalisation ([`unique`]): GitHub
//! compares keys without case, identifiers let `-` and `_` meet, IAM
//! compares without case; on one load balancer listener, each rule's
//! priority and conditions are one deploy's (`unique/routes.rs`). A collision points at the second claim with a
//! note at the first, in whichever input that is. Plan never reads the
//! syntax tree and never emits text; lower reads the names from [`names`]
//! and the graph from the model.

mod expand;
mod grants;
mod graph;
pub mod names;
mod platforms;
mod unique;

use crate::diagnostic::Diagnostic;
use crate::model::Pipeline;

/// One checked input of an invocation.
#[derive(Debug, Clone)]
pub struct Checked<'a> {
    /// How diagnostics name the file (`pipelines/web.ecspipe`).
    pub file: &'a str,
    /// Its text, for notes that point into it from another input's
    /// diagnostic.
    pub text: &'a str,
    /// Its pipelines, as check made them.
    pub pipelines: Vec<Pipeline>,
}

/// What planning every input made: the linked pipelines of each input, in
/// input order, and each input's collisions (empty when it has none).
#[derive(Debug, Clone)]
pub struct Planned {
    /// Each input's pipelines, with their jobs linked.
    pub pipelines: Vec<Vec<Pipeline>>,
    /// Each input's diagnostics, in source order.
    pub errors: Vec<Vec<Diagnostic>>,
}

/// Plans every input of one invocation together.
pub fn plan(inputs: Vec<Checked<'_>>) -> Planned {
    let mut located = Vec::with_capacity(inputs.len());
    let mut pipelines = Vec::with_capacity(inputs.len());
    for input in inputs {
        located.push((input.file, input.text));
        pipelines.push(input.pipelines);
    }
    for pipeline in pipelines.iter_mut().flatten() {
        expand::expand(pipeline);
        graph::link(pipeline);
        platforms::fill(pipeline);
        grants::fill(pipeline);
    }
    let sources: Vec<unique::Source<'_>> = located
        .iter()
        .zip(&pipelines)
        .map(|(&(file, text), pipelines)| unique::Source { file, text, pipelines })
        .collect();
    let errors = unique::check(&sources);
    Planned { pipelines, errors }
}

/// Plans the pipelines of one input on their own.
///
/// # Errors
///
/// The input's name collisions, in source order.
pub fn plan_one(pipelines: Vec<Pipeline>) -> Result<Vec<Pipeline>, Vec<Diagnostic>> {
    let Planned { pipelines, errors } = plan(vec![Checked { file: "", text: "", pipelines }]);
    match errors.into_iter().next() {
        Some(errors) if !errors.is_empty() => Err(errors),
        _ => Ok(pipelines.into_iter().next().unwrap_or_default()),
    }
}
