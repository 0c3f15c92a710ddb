//! `ecspipe check`: compile in memory and compare with the disk.

use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use super::compile::{each_batch, prepare, Prepared};
use super::report::{Outcome, Printed, Reporter};
use super::MessageFormat;
use crate::write::{self, Lock, Status};

pub fn run(inputs: &[PathBuf], out: &Path, reporter: &Reporter) -> Outcome {
    let Prepared { pipelines, sources } = prepare(inputs, out, reporter)?;
    // Shared: checks run side by side, but never while a build writes.
    let lock = Lock::for_check(out, || reporter.waiting(out))?;
    if let Some(lock) = &lock {
        reporter.unlocked(out, lock);
    }
    // The exit code says whether the disk is current even when stdout
    // cannot be written: every file is compared, whatever printing does.
    let mut printed = Printed::default();
    let (mut stale, mut missing) = (0, 0);
    let mut run = write::Run::check(out, sources);
    each_batch(&pipelines, |files, inputs| {
        for (file, status) in files.iter().zip(run.batch(files, inputs)?) {
            if status != Status::Current {
                let kind = if status == Status::Missing {
                    missing += 1;
                    "missing"
                } else {
                    stale += 1;
                    "stale"
                };
                printed.put(|| reporter.drift(&file.path, kind, &write::diff(file, &status)));
            }
        }
        Ok(())
    })?;
    let (orphans, debris) = run.inventory();
    let total = run.generated().len();
    for orphan in &orphans {
        let bytes = write::read_output(&out.join(orphan)).ok().flatten().unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        let diff = similar::TextDiff::from_lines(text.as_ref(), "")
            .unified_diff()
            .header(&format!("a/{orphan}"), "/dev/null")
            .to_string();
        printed.put(|| reporter.drift(orphan, "orphan", &diff));
    }
    for path in &debris {
        printed.put(|| reporter.drift(path, "temporary", ""));
    }
    if stale == 0 && missing == 0 && orphans.is_empty() && debris.is_empty() {
        if reporter.format == MessageFormat::Human && !reporter.quiet {
            printed.put(|| writeln!(io::stdout(), "{total} files are current"));
        }
        return Ok(printed.finish(0));
    }
    if reporter.format == MessageFormat::Human {
        printed.put(|| io::stdout().flush());
        let mut stderr = io::stderr().lock();
        if stale + missing > 0 {
            let counts = match (stale, missing) {
                (0, missing) => format!("{missing} missing"),
                (stale, 0) => format!("{stale} stale"),
                (stale, missing) => format!("{stale} stale and {missing} missing"),
            };
            let _ = writeln!(
                stderr,
                "error: of {total} generated files, {counts}; run `ecspipe build` and commit the result"
            );
        }
        if !orphans.is_empty() {
            let _ = writeln!(
                stderr,
                "error: {} generated file{} no longer produced by any pipeline; run `ecspipe build --prune`",
                orphans.len(),
                if orphans.len() == 1 { " is" } else { "s are" }
            );
        }
        for path in &debris {
            let _ = writeln!(
                stderr,
                "error: {path} is a temporary file left by an interrupted build; run `ecspipe build` to remove it"
            );
        }
    }
    Ok(printed.finish(1))
}
