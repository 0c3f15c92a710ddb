//! `ecspipe init`.

/// `init`'s flags.
#[derive(clap::Args)]
pub struct Options {}

pub fn run(_: &Options, _: &super::report::Reporter) -> super::report::Outcome {
    todo!()
}
