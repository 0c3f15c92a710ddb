//! How a collision names its two owners and says why two spellings are
//! one name.

use super::{Kind, Owner, Source};
use crate::model::Target;

/// Why two spellings are one name.
pub(super) fn same_because(kind: Kind, second: &str, first: &str) -> &'static str {
    match kind.case_because {
        Some(reason) if second.eq_ignore_ascii_case(first) => reason,
        _ => kind.same_because,
    }
}

/// The two owners as a message names them: with the file or pipeline
/// that tells them apart when their descriptions alone do not.
pub(super) fn describe_pair(sources: &[Source<'_>], second: &Owner, first: &Owner) -> (String, String) {
    if first.input != second.input {
        (second.describe.to_string(), format!("{} in {}", first.describe, sources[first.input].file))
    } else if first.pipeline != second.pipeline {
        let of = |owner: &Owner| {
            if owner.describe.starts_with("pipeline ") {
                owner.describe.to_string()
            } else {
                format!("{} of pipeline `{}`", owner.describe, owner.pipeline_name)
            }
        };
        (of(second), of(first))
    } else {
        (second.describe.to_string(), first.describe.to_string())
    }
}

pub(super) fn in_environment(describe: String, target: &Target) -> String {
    match &target.stage {
        Some(stage) => format!("{describe} in environment `{stage}`"),
        None => describe,
    }
}
