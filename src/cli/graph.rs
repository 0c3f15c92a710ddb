//! `ecspipe graph`.
pub fn run(_: &std::path::Path, _: super::GraphFormat, _: &super::report::Reporter) -> super::report::Outcome {
    todo!()
}
