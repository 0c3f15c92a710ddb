//! `ecspipe lsp`: the language server (`crate::lsp`) on standard input and
//! output. Exits with 0 after the client's `shutdown` and `exit`, 1 if the
//! client left without them.

use std::io;
use std::process::ExitCode;

use super::report::{Failure, Outcome};

pub fn run() -> Outcome {
    let clean = crate::lsp::serve(io::stdin().lock(), io::stdout().lock()).map_err(Failure::Output)?;
    Ok(ExitCode::from(u8::from(!clean)))
}
