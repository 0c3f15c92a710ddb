//! `ecspipe fmt [--check] [INPUT...]`: every pipeline file in the
//! canonical layout (see `syntax::format`).

use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::report::{Failure, Outcome, Reporter};
use super::MessageFormat;
use crate::write;

/// Formats the inputs in place, or with `check` lists those that would
/// change and exits 1 if any would. A file that does not parse is
/// reported and left alone (exit 1).
pub fn run(inputs: &[PathBuf], check: bool, reporter: &Reporter) -> Outcome {
    let inputs = write::read_inputs(inputs, Path::new("."))?;
    let (mut changed, mut broken) = (0, 0);
    let mut stdout = io::stdout().lock();
    for input in &inputs {
        let name = input.path.display().to_string();
        let file = match crate::syntax::parse(&input.text) {
            Ok(file) => file,
            Err(diagnostics) => {
                reporter.diagnostics(&name, &input.text, &diagnostics)?;
                broken += 1;
                continue;
            }
        };
        let formatted = crate::syntax::format(&input.text, &file);
        if formatted == input.text {
            continue;
        }
        changed += 1;
        if check && reporter.format == MessageFormat::Sarif {
            reporter.error(&format!("{name} is not formatted; run `ecspipe fmt`"));
        } else if check {
            writeln!(stdout, "{name}")?;
        } else {
            std::fs::write(&input.path, &formatted)
                .map_err(|error| Failure::Output(io::Error::new(error.kind(), format!("{name}: {error}"))))?;
            if reporter.progress() {
                writeln!(stdout, "formatted {name}")?;
            }
        }
    }
    stdout.flush()?;
    if broken > 0 {
        return Err(Failure::Compile);
    }
    if check && changed > 0 {
        if reporter.progress() {
            let _ = writeln!(
                io::stderr(),
                "error: {changed} file{} not formatted; run `ecspipe fmt`",
                if changed == 1 { " is" } else { "s are" }
            );
        }
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
