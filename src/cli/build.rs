//! `ecspipe build`: compile and write the workflows and stacks.

use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::compile::{each_batch, prepare, Prepared};
use super::report::{Outcome, Reporter};
use crate::write::{self, Lock, Written};

pub fn run(inputs: &[PathBuf], out: &Path, force: bool, prune: bool, reporter: &Reporter) -> Outcome {
    let Prepared { pipelines, sources } = prepare(inputs, out, reporter)?;
    // Held from the first look at the disk until the last change to it.
    let lock = Lock::for_build(out, || reporter.waiting(out))?;
    reporter.unlocked(out, &lock);
    // Staged a batch at a time; an error anywhere drops the run, which
    // removes what it staged: nothing is renamed until every file is staged.
    let mut run = write::Run::build(out, sources, force);
    let mut changed: Vec<(String, Written)> = Vec::new();
    each_batch(&pipelines, |files, inputs| {
        let statuses = run.batch(files, inputs)?;
        for (file, status) in files.iter().zip(&statuses) {
            let written = write::written(status);
            if written != Written::Unchanged {
                changed.push((file.path.clone(), written));
            }
        }
        Ok(())
    })?;
    let (orphans, debris) = run.inventory();
    let total = run.generated().len();
    run.commit()?;
    write::remove_debris(out, &debris)?;
    if prune {
        write::prune(out, &orphans)?;
    }
    drop(lock);
    // One write per buffer, not per line: a build of thousands of files
    // names each one it created.
    let mut stdout = io::BufWriter::new(io::stdout().lock());
    for path in &debris {
        if reporter.progress() {
            writeln!(stdout, "removed {path}: a temporary file left by an interrupted build")?;
        }
    }
    let (mut created, mut updated) = (0, 0);
    for (path, written) in &changed {
        if *written == Written::Created {
            created += 1;
            if reporter.progress() {
                writeln!(stdout, "created {path}")?;
            }
        } else {
            updated += 1;
            if reporter.progress() {
                writeln!(stdout, "updated {path}")?;
            }
        }
    }
    let unchanged = total - created - updated;
    for orphan in &orphans {
        if prune {
            if reporter.progress() {
                writeln!(stdout, "removed {orphan}")?;
            }
        } else {
            writeln!(stdout, "left over {orphan}: no pipeline generates it any more (remove it with --prune)")?;
        }
    }
    if reporter.progress() {
        writeln!(stdout, "{total} files: {created} created, {updated} updated, {unchanged} unchanged")?;
    }
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}
