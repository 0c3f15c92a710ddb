//! `ecspipe graph [INPUT] --format mermaid|dot`: the picture of each
//! pipeline, from its IR (see `crate::graph`).

use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::compile::{prepare, Prepared};
use super::report::{Outcome, Reporter};
use super::GraphFormat;

/// Prints one diagram per pipeline of the inputs, a blank line between.
pub fn run(input: &Path, format: GraphFormat, reporter: &Reporter) -> Outcome {
    let Prepared { pipelines, .. } = prepare(&[PathBuf::from(input)], Path::new("."), reporter)?;
    let mut stdout = io::stdout().lock();
    for (index, (_, pipeline)) in pipelines.iter().enumerate() {
        let graph = crate::graph::graph(&crate::lower::lower(pipeline));
        if index > 0 {
            writeln!(stdout)?;
        }
        let text = match format {
            GraphFormat::Mermaid => crate::graph::mermaid(&graph),
            GraphFormat::Dot => crate::graph::dot(&graph),
        };
        stdout.write_all(text.as_bytes())?;
    }
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}
