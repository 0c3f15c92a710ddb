//! ecspipe compiles `.ecspipe` pipelines into GitHub Actions workflows and
//! Terraform stacks for Amazon ECS on Fargate.
//!
//! The stages, each a module with one job (see `ARCHITECTURE.md`):
//! [`syntax`] → [`check`] → [`lower`] → [`emit`] → [`write`].

pub mod actions;
pub mod catalogue;
pub mod check;
pub mod diagnostic;
pub mod emit;
pub mod explain;
pub mod lower;
pub mod model;
pub mod scan;
pub mod span;
pub mod syntax;
pub mod write;

use diagnostic::Diagnostic;
use emit::GeneratedFile;

/// Compiles the text of one `.ecspipe` file: every file its pipelines
/// generate, or every problem found.
///
/// `source_name` is how generated headers name the file
/// (`pipelines/web.ecspipe`).
///
/// # Errors
///
/// The diagnostics of the first stage that failed, in source order.
pub fn compile(text: &str, source_name: &str) -> Result<Vec<GeneratedFile>, Vec<Diagnostic>> {
    let file = syntax::parse(text)?;
    let pipelines = check::check(&file, source_name)?;
    Ok(pipelines.iter().flat_map(|pipeline| emit::emit(&lower::lower(pipeline))).collect())
}
