//! Reading, checking and planning the inputs, and rendering them a batch
//! at a time: what `build` and `check` share.

use std::path::{Path, PathBuf};

use super::report::{Failure, Printed, Reporter};
use crate::emit::GeneratedFile;
use crate::write;

/// Every input read, checked and planned: each pipeline with the index of
/// its input, and the inputs' source names.
pub struct Prepared {
    pub pipelines: Vec<(usize, crate::model::Pipeline)>,
    pub sources: Vec<String>,
}

/// Pipelines rendered at a time per thread: enough to keep every core
/// busy between batches, few enough that a batch's files (about 90 KiB a
/// pipeline, and what is on disk beside them) stay a few MiB.
const PIPELINES_PER_THREAD: usize = 16;

/// Reads, checks and plans every input, printing all diagnostics of all
/// files before anything is rendered.
pub fn prepare(inputs: &[PathBuf], out: &Path, reporter: &Reporter) -> Result<Prepared, Failure> {
    crate::emit::compile_in_background();
    let inputs = write::read_inputs(inputs, out)?;
    let files: Vec<String> = inputs.iter().map(|input| input.path.display().to_string()).collect();
    let sources: Vec<crate::Source<'_>> = inputs
        .iter()
        .zip(&files)
        .map(|(input, file)| crate::Source { file, source_name: &input.source_name, text: &input.text })
        .collect();
    let pipelines = match crate::prepare_all(&sources) {
        Ok(pipelines) => pipelines,
        Err(errors) => {
            // The verdict stands whether or not the diagnostics can be printed.
            let mut printed = Printed::default();
            for ((input, file), diagnostics) in inputs.iter().zip(&files).zip(&errors) {
                if !diagnostics.is_empty() {
                    printed.put(|| reporter.diagnostics(file, &input.text, diagnostics));
                }
            }
            return Err(Failure::Compile);
        }
    };
    Ok(Prepared { pipelines, sources: inputs.into_iter().map(|input| input.source_name).collect() })
}

/// Renders the pipelines a batch at a time, in order, handing each batch's
/// files (with the index of each one's input) to `visit`: the output is
/// never in memory whole.
pub fn each_batch(
    pipelines: &[(usize, crate::model::Pipeline)],
    mut visit: impl FnMut(&[GeneratedFile], &[usize]) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let threads = crate::parallel::threads();
    for batch in pipelines.chunks(threads * PIPELINES_PER_THREAD) {
        let (files, inputs) = if batch.len() < threads {
            // Too few pipelines to keep every core busy: their files are
            // rendered side by side instead. (With more, rendering a
            // pipeline's files on one thread is faster: its template values
            // are freed where they were made, by the thread that used them.)
            let lowered = crate::parallel::map(batch, |(input, pipeline)| (*input, crate::render_jobs(pipeline)));
            let jobs: Vec<(usize, &crate::emit::Job)> =
                lowered.iter().flat_map(|(input, jobs)| jobs.iter().map(move |job| (*input, job))).collect();
            let files = crate::parallel::map(&jobs, |(_, job)| job.render());
            (files, jobs.iter().map(|(input, _)| *input).collect())
        } else {
            let rendered = crate::parallel::map(batch, |(input, pipeline)| (*input, crate::render(pipeline)));
            let (mut files, mut inputs) = (Vec::new(), Vec::new());
            for (input, generated) in rendered {
                inputs.extend(std::iter::repeat_n(input, generated.len()));
                files.extend(generated);
            }
            (files, inputs)
        };
        visit(&files, &inputs)?;
    }
    Ok(())
}
