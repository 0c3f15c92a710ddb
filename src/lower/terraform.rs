//! What every Terraform stack shares: the `terraform` and `provider` blocks'
//! settings, and checkov skips.

use serde::Serialize;

use super::output::{Attribute, Hcl};
use crate::model::*;

/// Settings every stack's `terraform` and `provider` blocks share.
#[derive(Debug, Clone, Serialize)]
pub struct TerraformSettings {
    /// Directory relative to the output root.
    pub dir: String,
    /// The source pipeline's name for the header.
    pub source: String,
    /// Pipeline name, for tags.
    pub pipeline: String,
    /// The environment, for tags.
    pub stage: Option<String>,
    /// Backend type (`s3`, `local`).
    pub backend: &'static str,
    /// Backend attributes, in order.
    pub backend_settings: Vec<Attribute>,
    /// Default of `var.region`.
    pub region: String,
    /// Default of `var.name`.
    pub name: String,
}

/// One `#checkov:skip` comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skip {
    /// The check id.
    pub check: &'static str,
    /// Why: the pipeline author's reason, or the design reason.
    pub reason: String,
}

/// The settings of a stack in `dir` with this backend and `var.name`.
pub(super) fn settings(
    pipeline: &Pipeline,
    dir: &str,
    stage: &Option<String>,
    state: &Backend,
    name: &str,
) -> TerraformSettings {
    let (backend, backend_settings) = backend(state);
    TerraformSettings {
        dir: dir.to_owned(),
        source: pipeline.source_name.clone(),
        pipeline: pipeline.name.clone(),
        stage: stage.clone(),
        backend,
        backend_settings: backend_settings
            .into_iter()
            .map(|(key, value)| Attribute { key: key.to_owned(), value })
            .collect(),
        region: pipeline.region.clone(),
        name: name.to_owned(),
    }
}

/// The backend block's type and settings.
fn backend(state: &Backend) -> (&'static str, Vec<(&'static str, Hcl)>) {
    match state {
        Backend::S3 { bucket, key, region } => (
            "s3",
            vec![
                ("bucket", Hcl::str(bucket.clone())),
                ("key", Hcl::str(key.clone())),
                ("region", Hcl::str(region.clone())),
                ("encrypt", Hcl::Bool(true)),
                ("use_lockfile", Hcl::Bool(true)),
            ],
        ),
        Backend::Local { path } => ("local", vec![("path", Hcl::str(path.clone()))]),
    }
}
