//! `ecspipe debug ast|model|ir`: what one stage makes of a file.

use std::io::{self, Write as _};
use std::path::Path;
use std::process::ExitCode;

use super::report::{Failure, Outcome, Reporter};
use super::{DebugFormat, Stage};
use crate::write::{self, Input};

pub fn run(stage: Stage, input: &Path, format: DebugFormat, reporter: &Reporter) -> Outcome {
    let inputs = write::read_inputs(&[input.to_path_buf()], Path::new("."))?;
    let Some(Input { path, source_name, text }) = inputs.into_iter().next() else {
        return Ok(ExitCode::SUCCESS);
    };
    let file = match crate::syntax::parse(&text) {
        Ok(file) => file,
        Err(diagnostics) => {
            reporter.diagnostics(&path.display().to_string(), &text, &diagnostics)?;
            return Err(Failure::Compile);
        }
    };
    if let Stage::Ast = stage {
        return print_document(crate::json::document("ast", &file, &source_name, &text), format, reporter);
    }
    let checked = crate::check::check(&file, &source_name).and_then(crate::plan::plan_one);
    let pipelines = match checked {
        Ok(pipelines) => pipelines,
        Err(diagnostics) => {
            reporter.diagnostics(&path.display().to_string(), &text, &diagnostics)?;
            return Err(Failure::Compile);
        }
    };
    let programs: Vec<_> = match stage {
        Stage::Ir => pipelines.iter().map(crate::lower::lower).collect(),
        _ => Vec::new(),
    };
    let document = match stage {
        Stage::Ir => crate::json::document("programs", &programs, &source_name, &text),
        _ => {
            let handoff_keys: Vec<HandoffKey> = crate::check::HANDOFF_KEYS
                .iter()
                .map(|&(key, shape, meaning)| HandoffKey { key, shape, meaning })
                .collect();
            crate::json::model_document(&pipelines, &handoff_keys, &source_name, &text)
        }
    };
    print_document(document, format, reporter)
}

/// One key of the infrastructure handoff, as the model's JSON lists it.
#[derive(serde::Serialize)]
struct HandoffKey {
    key: &'static str,
    shape: crate::check::HandoffShape,
    meaning: &'static str,
}

/// Prints a stage's document as JSON or as its outline, or says why it
/// could not be made.
fn print_document(document: serde_json::Result<String>, format: DebugFormat, reporter: &Reporter) -> Outcome {
    let document = match format {
        DebugFormat::Json => document,
        DebugFormat::Text => document.and_then(|json| super::outline::outline(&json)),
    };
    match document {
        Ok(text) => {
            io::stdout().write_all(text.as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            reporter.error(&format!("cannot write the document as JSON: {error}"));
            Ok(ExitCode::from(1))
        }
    }
}
