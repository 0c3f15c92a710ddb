//! The checked model: what a pipeline means, every reference resolved, every
//! value typed and in range. Produced by [`crate::check`] (each
//! environment's stacks under their block's own names), completed by
//! [`crate::plan`] (stacks placed in their environments, jobs linked,
//! grants derived), consumed by [`crate::lower`]. Nothing here can be
//! invalid for AWS or GitHub.

use serde::Serialize;

mod builds;
mod containers;
mod deploy;
mod infra;
mod network;
mod oidc;
mod queue;
mod service;

pub use builds::*;
pub use containers::*;
pub use deploy::*;
pub use infra::*;
pub use network::*;
pub use oidc::*;
pub use queue::*;
pub use service::*;

use crate::span::Span;

/// One compiled pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pipeline {
    /// `pipeline NAME`.
    pub name: String,
    /// Where `NAME` is written (equal to every other span).
    pub span: Span,
    /// Where the pipeline came from, as named in generated headers.
    pub source_name: String,
    /// The workflow file's stem (`.github/workflows/<stem>.yml`).
    pub workflow_file: String,
    /// The workflow's `name:`.
    pub workflow_name: String,
    /// The AWS region everything is deployed to.
    pub region: String,
    /// The IAM role the jobs assume through OIDC.
    pub role: GithubValue,
    /// A read-only role for runs that do not apply, if the pipeline splits them.
    pub plan_role: Option<GithubValue>,
    /// The bootstrap stack: GitHub's OIDC provider and the roles' trust.
    pub oidc: Option<Oidc>,
    /// The GitHub environment the jobs run in, if any.
    pub environment: Option<String>,
    /// The runner label.
    pub runner: String,
    /// What starts the workflow.
    pub triggers: Triggers,
    /// Images to build, in source order.
    pub builds: Vec<Build>,
    /// The infrastructure stacks, one per environment (or one), in order.
    pub infras: Vec<Infra>,
    /// Service stacks to deploy, one per deploy and environment, in order.
    pub deploys: Vec<Deploy>,
    /// The environments, in promotion order.
    pub environments: Vec<Environment>,
    /// `scan iac`: a job scanning the generated Terraform with checkov.
    pub scan_iac: bool,
}

/// One environment of `environments { ... }`: where jobs promote from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Environment {
    /// Its name.
    pub name: String,
    /// Where the name is written (equal to every other span).
    pub span: Span,
    /// The environments whose deploys must succeed first.
    pub after: Vec<String>,
    /// The role its jobs assume instead of the pipeline's, if any.
    pub role: Option<GithubValue>,
}

/// Where and as whom a Terraform job runs: shared by infra and deploy jobs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    /// The workflow job id.
    pub job_id: String,
    /// The GitHub environment the job runs in, if any.
    pub environment: Option<String>,
    /// The IAM role the job assumes.
    pub role: GithubValue,
    /// The deployment environment this job belongs to (`prod`), if any.
    pub stage: Option<String>,
    /// Jobs that must succeed first (promotion order, infrastructure).
    pub after: Vec<String>,
}

/// A value the workflow reads from GitHub or writes literally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum GithubValue {
    /// `secret.NAME`: a repository or environment secret.
    Secret(String),
    /// `var.NAME`: a repository or environment variable.
    Variable(String),
    /// A literal string.
    Literal(String),
}

/// What starts the workflow.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Triggers {
    /// Branches whose pushes run it, if pushes do.
    pub push: Option<Vec<String>>,
    /// Base branches whose pull requests run it, if pull requests do.
    pub pull_request: Option<Vec<String>>,
    /// `workflow_dispatch`.
    pub manual: bool,
    /// Extra path filters the user added to the derived ones.
    pub extra_paths: Vec<String>,
}
