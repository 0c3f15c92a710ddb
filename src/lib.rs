//! ecspipe compiles `.ecspipe` pipelines into GitHub Actions workflows and
//! Terraform stacks for Amazon ECS on Fargate.
//!
//! The stages, each a module with one job (see `ARCHITECTURE.md`):
//! [`syntax`] → [`check`] → [`plan`] → [`lower`] → [`emit`] → [`write`].

pub mod actions;
pub mod catalogue;
pub mod check;
pub mod cli;
pub mod diagnostic;
pub mod emit;
pub mod explain;
pub mod graph;
pub mod json;
pub mod lower;
pub mod lsp;
pub mod model;
pub mod parallel;
pub mod plan;
pub mod sarif;
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
    let source = Source { file: source_name, source_name, text };
    match compile_all(&[source]) {
        Ok(files) => Ok(files.into_iter().flatten().collect()),
        Err(errors) => Err(errors.into_iter().flatten().collect()),
    }
}

/// One input of an invocation.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// How diagnostics name the file (its path as given).
    pub file: &'a str,
    /// How generated headers name the file (`pipelines/web.ecspipe`).
    pub source_name: &'a str,
    /// Its text.
    pub text: &'a str,
}

/// Compiles every input of one invocation together, so that the names
/// they derive are unique across all of them: the files each input
/// generates, in input order.
///
/// # Errors
///
/// Each input's diagnostics, in input order (empty for an input without
/// problems): of the first stage that failed for it, in source order.
pub fn compile_all(sources: &[Source<'_>]) -> Result<Vec<Vec<GeneratedFile>>, Vec<Vec<Diagnostic>>> {
    let pipelines = prepare_all(sources)?;
    let emitted = parallel::map(&pipelines, |(_, pipeline)| render(pipeline));
    let mut outputs: Vec<Vec<GeneratedFile>> = vec![Vec::new(); sources.len()];
    for ((input, _), files) in pipelines.iter().zip(emitted) {
        outputs[*input].extend(files);
    }
    Ok(outputs)
}

/// Reads, checks and plans every input of one invocation together (so
/// that every error of every input is found before anything is rendered):
/// each pipeline with the index of its input, in input order, ready for
/// [`render`]. The models are small; what they render is not, so a caller
/// with many pipelines renders them a few at a time.
///
/// # Errors
///
/// As [`compile_all`].
pub fn prepare_all(sources: &[Source<'_>]) -> Result<Vec<(usize, model::Pipeline)>, Vec<Vec<Diagnostic>>> {
    // Each input is read and checked on its own, side by side; plan sees
    // them all at once.
    let results = parallel::map(sources, |source| {
        syntax::parse(source.text).and_then(|file| check::check(&file, source.source_name))
    });
    let mut errors: Vec<Vec<Diagnostic>> = Vec::with_capacity(sources.len());
    let mut checked = Vec::with_capacity(sources.len());
    for (source, result) in sources.iter().zip(results) {
        let pipelines = match result {
            Ok(pipelines) => {
                errors.push(Vec::new());
                pipelines
            }
            Err(diagnostics) => {
                errors.push(diagnostics);
                Vec::new()
            }
        };
        checked.push(plan::Checked { file: source.file, text: source.text, pipelines });
    }
    let planned = plan::plan(checked);
    for (errors, collisions) in errors.iter_mut().zip(planned.errors) {
        errors.extend(collisions);
    }
    if errors.iter().any(|errors| !errors.is_empty()) {
        return Err(errors);
    }
    Ok(planned
        .pipelines
        .into_iter()
        .enumerate()
        .flat_map(|(input, pipelines)| pipelines.into_iter().map(move |pipeline| (input, pipeline)))
        .collect())
}

/// Every file one planned pipeline generates: lowered and emitted.
pub fn render(pipeline: &model::Pipeline) -> Vec<GeneratedFile> {
    emit::emit(&lower::lower(pipeline))
}

/// The files of one planned pipeline, lowered and ready to render each on
/// its own (see [`emit::Job`]): what [`render`] renders one after another.
pub fn render_jobs(pipeline: &model::Pipeline) -> Vec<emit::Job> {
    emit::jobs(&lower::lower(pipeline))
}
