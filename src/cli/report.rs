//! How a command's results reach the user: diagnostics and errors in the
//! chosen message format, and what a run's output became.

use std::cell::RefCell;
use std::io::{self, Write as _};
use std::path::Path;
use std::process::ExitCode;

use miette::NamedSource;

use super::MessageFormat;
use crate::diagnostic::{self, Diagnostic, Renderer};
use crate::write::{Lock, WriteError};

/// Prints diagnostics and errors in the chosen format.
pub struct Reporter {
    pub format: MessageFormat,
    pub renderer: Renderer,
    /// `--quiet`: no summaries or progress, only errors and what was asked for.
    pub quiet: bool,
    /// With `--message-format sarif`: the results so far, printed as one
    /// log when the command ends ([`exit_code`]).
    pub sarif: RefCell<crate::sarif::Log>,
}

impl Reporter {
    pub fn diagnostics(&self, file: &str, text: &str, diagnostics: &[Diagnostic]) -> io::Result<()> {
        match self.format {
            MessageFormat::Human => {
                let source = NamedSource::new(file, text.to_owned());
                let mut stderr = io::stderr().lock();
                for diagnostic in diagnostics {
                    stderr.write_all(self.renderer.render(diagnostic, &source).as_bytes())?;
                }
                let count = diagnostics.len();
                if count > crate::syntax::MAX_ERRORS {
                    // The last one says how many more were left out.
                    writeln!(stderr, "error: {file} has more than {} errors", crate::syntax::MAX_ERRORS)
                } else {
                    writeln!(stderr, "error: {file} has {count} error{}", if count == 1 { "" } else { "s" })
                }
            }
            MessageFormat::Json => {
                let mut stdout = io::stdout().lock();
                for diagnostic in diagnostics {
                    writeln!(stdout, "{}", diagnostic::to_json(diagnostic, file, text))?;
                }
                Ok(())
            }
            MessageFormat::Github => {
                let mut stdout = io::stdout().lock();
                for diagnostic in diagnostics {
                    writeln!(stdout, "{}", diagnostic::to_github(diagnostic, file, text))?;
                }
                Ok(())
            }
            MessageFormat::Sarif => {
                let mut log = self.sarif.borrow_mut();
                for diagnostic in diagnostics {
                    log.diagnostic(diagnostic, file, text);
                }
                Ok(())
            }
        }
    }

    /// Whether progress and summaries are printed: not with `--quiet`, and
    /// not into a SARIF log's stdout.
    pub fn progress(&self) -> bool {
        !self.quiet && self.format != MessageFormat::Sarif
    }

    /// Whether stdout is one document (JSON lines or a SARIF log) that
    /// progress lines would break.
    pub fn machine(&self) -> bool {
        matches!(self.format, MessageFormat::Json | MessageFormat::Sarif)
    }

    /// Another run holds the output directory's lock: say why nothing
    /// happens (on stderr, which JSON output keeps empty).
    pub fn waiting(&self, out: &Path) {
        if !self.machine() && !self.quiet {
            let _ = writeln!(
                io::stderr(),
                "waiting for another ecspipe run to finish with {} (it holds the lock)",
                out.display()
            );
        }
    }

    /// The output directory's file system refused the lock.
    pub fn unlocked(&self, out: &Path, lock: &Lock) {
        if let (Some(error), false) = (lock.unavailable(), self.machine()) {
            let _ = writeln!(
                io::stderr(),
                "warning: cannot lock {} ({error}); this run is not protected from another ecspipe run at the same time",
                out.display()
            );
        }
    }

    pub fn error(&self, message: &str) {
        // Nothing sensible is left to do if stderr or stdout is closed.
        let _ = match self.format {
            MessageFormat::Human => writeln!(io::stderr(), "error: {message}"),
            MessageFormat::Json => {
                writeln!(io::stdout(), "{}", serde_json::json!({ "severity": "error", "message": message }))
            }
            MessageFormat::Github => writeln!(io::stdout(), "::error::{}", diagnostic::github_data(message)),
            MessageFormat::Sarif => {
                self.sarif.borrow_mut().error(message);
                Ok(())
            }
        };
    }

    /// A generated file that is stale, missing or orphaned.
    pub fn drift(&self, path: &str, kind: &str, diff: &str) -> io::Result<()> {
        let mut stdout = io::stdout().lock();
        match self.format {
            MessageFormat::Human => stdout.write_all(diff.as_bytes()),
            MessageFormat::Sarif => {
                self.sarif.borrow_mut().drift(path, kind);
                Ok(())
            }
            MessageFormat::Json => {
                writeln!(stdout, "{}", serde_json::json!({ "kind": kind, "path": path, "diff": diff }))
            }
            MessageFormat::Github => {
                let message = match kind {
                    "orphan" => "no pipeline generates this file any more; remove it with `ecspipe build --prune`",
                    "temporary" => "temporary file left by an interrupted build; `ecspipe build` removes it",
                    "missing" => "generated file missing; run `ecspipe build` and commit the result",
                    _ => "generated file is stale; run `ecspipe build` and commit the result",
                };
                writeln!(
                    stdout,
                    "::error file={},title={}::{}",
                    diagnostic::github_property(path),
                    diagnostic::github_property("ecspipe check"),
                    diagnostic::github_data(message)
                )?;
                stdout.write_all(diff.as_bytes())
            }
        }
    }
}

/// Why a command stopped.
pub enum Failure {
    /// Reading the inputs or writing the outputs failed.
    Write(WriteError),
    /// The inputs have errors (already reported).
    Compile,
    /// Stdout (or stderr) could not be written.
    Output(io::Error),
}

impl From<WriteError> for Failure {
    fn from(error: WriteError) -> Self {
        Failure::Write(error)
    }
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Self {
        Failure::Output(error)
    }
}

/// What became of a run's output, which never changes its verdict: after
/// the first failed write nothing more is tried, and the exit code is the
/// verdict's. A closed pipe (`ecspipe check | head`) is not an error of
/// ours; any other failure (a full disk, a closed descriptor) is said on
/// stderr and makes a successful run exit with 1.
#[derive(Default)]
pub struct Printed {
    failed: Option<io::Error>,
}

impl Printed {
    /// Writes unless an earlier write failed.
    pub fn put(&mut self, write: impl FnOnce() -> io::Result<()>) {
        if self.failed.is_none() {
            if let Err(error) = write() {
                self.failed = Some(error);
            }
        }
    }

    /// The exit code: the verdict, or 1 if the output could not be written.
    pub fn finish(self, verdict: u8) -> ExitCode {
        match self.failed {
            Some(error) if error.kind() != io::ErrorKind::BrokenPipe => {
                let _ = writeln!(io::stderr(), "error: cannot write the output: {error}");
                ExitCode::from(verdict.max(1))
            }
            _ => ExitCode::from(verdict),
        }
    }
}

/// A `Result<Command, Failure>` is what every command returns.
pub type Outcome = Result<ExitCode, Failure>;

/// The exit code of a command's outcome, saying any failure first (and,
/// with `--message-format sarif`, printing the run's log).
pub fn exit_code(outcome: Outcome, reporter: &Reporter) -> ExitCode {
    let code = verdict(outcome, reporter);
    if reporter.format == MessageFormat::Sarif {
        let log = reporter.sarif.take().finish();
        let mut printed = Printed::default();
        printed.put(|| writeln!(io::stdout(), "{log}"));
        if printed.failed.is_some() {
            return printed.finish(1);
        }
    }
    code
}

fn verdict(outcome: Outcome, reporter: &Reporter) -> ExitCode {
    match outcome {
        Ok(code) => code,
        Err(Failure::Write(error)) => {
            reporter.error(&error.to_string());
            ExitCode::from(1)
        }
        Err(Failure::Compile) => ExitCode::from(1),
        Err(Failure::Output(error)) => Printed { failed: Some(error) }.finish(0),
    }
}
