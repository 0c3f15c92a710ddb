//! Names of the build's arguments and of the tags that protect the images
//! an environment runs from the repository's lifecycle policy.

/// The prefix of every tag that keeps an image from expiring: the
/// lifecycle policy's first rule matches it and never expires what it
/// matches (see the repository's policy).
pub const LIVE_TAG_PREFIX: &str = "live-";

/// The prefix of the tags a deploy to `stage` (or to the pipeline's one
/// environment, `None`) puts on the images it runs: `live-prod-`. The rest
/// of the tag is the image's digest, so an image gets one per environment.
pub fn live_tag_prefix(stage: Option<&str>) -> String {
    format!("{LIVE_TAG_PREFIX}{}-", stage.unwrap_or("default"))
}

/// The step `env` key holding build argument `name`'s value: the command
/// line reads it from there, so no value is spelled out in shell text.
pub fn build_arg_env(name: &str) -> String {
    format!("BUILD_ARG_{name}")
}

/// The Actions cache scope of a build's layers on one platform:
/// `api-amd64`.
pub fn build_cache_scope(build: &str, arch: crate::model::Arch) -> String {
    format!("{build}{}", super::platform_tag_suffix(arch))
}

/// A build's Dockerfile relative to the repository root: `payments/Dockerfile`.
pub fn build_dockerfile_path(context: &str, dockerfile: Option<&str>) -> String {
    let file = dockerfile.unwrap_or("Dockerfile");
    if context == "." {
        file.to_owned()
    } else {
        format!("{context}/{file}")
    }
}
