//! The image builds' model: `build NAME { ... }`, tags and scans.

use serde::Serialize;

use super::{Arch, GithubValue};
use crate::span::Span;

/// `build NAME { ... }`: an image built, scanned and pushed by one job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Build {
    /// The build's name (`build.NAME` refers to it).
    pub name: String,
    /// Where `NAME` is written (equal to every other span).
    pub span: Span,
    /// The workflow job id.
    pub job_id: String,
    /// The Docker build context, relative to the repository root.
    pub context: String,
    /// The Dockerfile, relative to the context, if not `Dockerfile`.
    pub dockerfile: Option<String>,
    /// The ECR repository name.
    pub repository: String,
    /// How the image tag is made.
    pub tag: Vec<TagPart>,
    /// The image scan, if any.
    pub scan: Option<Scan>,
    /// Jobs that must succeed first (the infrastructure creating the repository).
    pub after: Vec<String>,
    /// The GitHub environment the build job runs in.
    pub environment: Option<String>,
    /// The IAM role it assumes to push.
    pub role: GithubValue,
    /// The architectures of the tasks that run the image, in every
    /// environment (x86_64 first): the platforms the build produces. Plan
    /// fills it; `[x86_64]` when no service runs the image.
    pub platforms: Vec<Arch>,
    /// The branches whose runs push the image: the `apply on` branches of
    /// the deploys that run it (`main` when none does). Plan fills it.
    pub apply_branches: Vec<String>,
    /// `arg NAME = "VALUE"`: build arguments, in the order written; never
    /// credentials (they stay in the image's history).
    pub args: Vec<BuildArg>,
    /// `target STAGE`: the Dockerfile stage built, if not the last.
    pub target: Option<String>,
    /// `test ["ARG", ...]`: a command run in the built image before it is
    /// pushed; a non-zero exit fails the job.
    pub test: Option<Vec<String>>,
    /// `lifecycle`: what the repository's lifecycle policy expires.
    pub lifecycle: Lifecycle,
    /// `cache`: where the layer cache is kept between runs.
    pub cache: LayerCache,
}

/// Where a build keeps its layer cache between runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LayerCache {
    /// No cache beyond the runner's (a hosted runner starts empty).
    #[default]
    Off,
    /// GitHub's Actions cache, one scope per build and platform.
    Gha,
}

/// A build argument (`docker build --build-arg NAME=VALUE`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuildArg {
    /// Its name.
    pub name: String,
    /// Its value, plain text.
    pub value: String,
}

/// The lifecycle policy of a build's repository: untagged images expire
/// after `untagged_days`, and beyond the newest `keep` images the older
/// ones expire, except images an environment runs (tagged `live-` by the
/// deploy before ECS may start them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Lifecycle {
    /// How many of the newest images are kept (`keep`).
    pub keep: u32,
    /// Days after its push an untagged image expires (`untagged`).
    pub untagged_days: u32,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Lifecycle { keep: 30, untagged_days: 7 }
    }
}

/// A piece of an image tag template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum TagPart {
    /// Literal text (only tag-safe characters).
    Text(String),
    /// `{date}`: `YYYYMMDD` in UTC.
    Date,
    /// `{run_number}`.
    RunNumber,
    /// `{run_attempt}`.
    RunAttempt,
    /// `{sha}`: the full commit SHA.
    Sha,
    /// `{short_sha}`: its first 7 characters.
    ShortSha,
}

/// A Trivy scan of the built image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Scan {
    /// The lowest severity that fails the build; `None` only reports.
    pub fail_on: Option<Severity>,
}

/// Trivy severities, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// `LOW`
    Low,
    /// `MEDIUM`
    Medium,
    /// `HIGH`
    High,
    /// `CRITICAL`
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 4] = [Severity::Low, Severity::Medium, Severity::High, Severity::Critical];

    /// The name as written in a pipeline.
    pub fn keyword(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}
