//! `ecspipe explain CODE`: the error index section of a code.

use std::io::{self, Write as _};
use std::process::ExitCode;

use super::report::{Outcome, Reporter};

pub fn run(code: &str, reporter: &Reporter) -> Outcome {
    match crate::explain::parse_code(code).and_then(crate::explain::explain) {
        Some(text) => {
            writeln!(io::stdout(), "{text}")?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let codes: Vec<&str> = crate::diagnostic::Code::ALL.iter().map(|c| c.as_str()).collect();
            reporter.error(&format!("`{code}` is not an ecspipe error code; the codes are {}", codes.join(", ")));
            Ok(ExitCode::from(2))
        }
    }
}
