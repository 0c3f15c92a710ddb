//! The service stacks' model: `deploy NAME { ... }`, its state and the infrastructure handoff.

use serde::Serialize;

use std::collections::BTreeMap;

use super::{Service, Target};
use crate::span::Span;

/// `deploy NAME { ... }`: a Terraform service stack and the job applying it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deploy {
    /// The deploy's name.
    pub name: String,
    /// Where `NAME` is written (equal to every other span).
    pub span: Span,
    /// Job, environment and role.
    pub target: Target,
    /// The stack directory, relative to the output directory.
    pub stack: String,
    /// Where Terraform keeps state.
    pub state: Backend,
    /// Where the values handed over by the infrastructure come from.
    pub infra: InfraSource,
    /// The branch whose pushes apply.
    pub apply_branch: String,
    /// Infracost on pull requests, if wanted.
    pub cost: Option<Cost>,
    /// The Terraform version the job installs.
    pub terraform_version: String,
    /// The service the stack runs.
    pub service: Service,
}

/// Terraform state storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Backend {
    /// An S3 bucket, encrypted, with S3-native locking.
    S3 {
        /// The bucket.
        bucket: String,
        /// The object key.
        key: String,
        /// The bucket's region.
        region: String,
    },
    /// A local file (for experiments: CI runners forget it).
    Local {
        /// The state file, relative to the stack.
        path: String,
    },
}

/// The handoff from the infrastructure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum InfraSource {
    /// One SSM parameter holding a JSON object of the handed-over values.
    Ssm {
        /// The parameter name, `/<name>/output` by convention.
        parameter: String,
    },
    /// Literal IDs written in the pipeline.
    Literal(BTreeMap<String, HandoffValue>),
    /// The outputs of the pipeline's own infrastructure stack, read from its state.
    Stack {
        /// The infrastructure stack directory.
        stack: String,
        /// Its state backend.
        state: Backend,
    },
}

/// A literal handed-over value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum HandoffValue {
    /// One ID or ARN.
    One(String),
    /// A list of IDs.
    Many(Vec<String>),
}

/// A string the stack computes: literal or handed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Scalar {
    /// A literal string.
    Text(String),
    /// `infra.KEY`.
    Infra(String),
    /// `region`: the stack's region variable.
    Region,
    /// `queue.NAME.ATTRIBUTE`: the service's queue (only in `env`).
    Queue(super::QueueAttribute),
}

/// A list of strings the stack computes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum ScalarList {
    /// `infra.KEY` where the key holds a list.
    Infra(String),
    /// Items written out.
    Items(Vec<Scalar>),
}

/// Infracost on pull requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cost {
    /// The GitHub secret holding the Infracost API key.
    pub api_key_secret: String,
}
