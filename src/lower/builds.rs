//! The build jobs: each image built, scanned and (in the runs that apply a
//! deploy of it) pushed, one job per platform, and the job joining a
//! multi-platform build's images under its tag.

use serde::Serialize;

use super::conditions::push_condition;
use super::jobs::{job_base, needs_in_both_variants, JobBase, JobSpec, Variant, VARIANTS};
use super::output::{GithubExpr, Identifier};
use super::permissions::{permission, Permission};
use crate::model::*;
use crate::plan::names::{
    build_arg_env, build_cache_scope, build_dockerfile_path, build_runner, docker_platform, plan_job,
    platform_digest_env, platform_jobs, platform_scan_category, platform_tag_suffix, scan_category, scan_sarif,
};

/// A job that builds and scans one image, of one platform, on a runner of
/// that platform's architecture; its variant for the runs that apply also
/// pushes it.
#[derive(Debug, Clone, Serialize)]
pub struct BuildJob {
    /// Shared job settings.
    #[serde(flatten)]
    pub base: JobBase,
    /// ECR repository.
    pub repository: String,
    /// `docker build --platform` (`linux/amd64`, `linux/arm64`).
    pub platform: &'static str,
    /// `-f PATH` for a non-default Dockerfile.
    pub dockerfile: Option<String>,
    /// The shell text (inside double quotes) that makes the tag.
    pub tag_script: Vec<ShellPart>,
    /// The Trivy scan, if any.
    pub scan: Option<ScanStep>,
    /// `docker build --target`, if the build names a stage.
    pub target: Option<String>,
    /// The build arguments, each read from a step `env` key.
    pub args: Vec<BuildArgIr>,
    /// The test run in the built image before the scan and the push: the
    /// entrypoint, then its arguments.
    pub test: Option<Vec<String>>,
    /// The layer cache in GitHub's Actions cache, if the build keeps one:
    /// the image is then built by BuildKit through docker/build-push-action.
    pub cache: Option<CacheIr>,
}

/// A layer cache in GitHub's Actions cache.
#[derive(Debug, Clone, Serialize)]
pub struct CacheIr {
    /// The cache's scope: one per build and platform, so that platforms and
    /// builds never evict each other's layers.
    pub scope: String,
    /// The Dockerfile, relative to the repository root (the action does not
    /// read the job's working directory).
    pub dockerfile: String,
}

/// A build argument: `--build-arg "NAME=$ENV"`, the value in `ENV`.
#[derive(Debug, Clone, Serialize)]
pub struct BuildArgIr {
    /// The argument's name (the checker allows identifiers only).
    pub name: Identifier,
    /// The step `env` key holding its value.
    pub env: Identifier,
    /// Its value, plain text.
    pub value: String,
}

/// The Trivy scan settings: one run writes every finding to SARIF, a
/// second (the gate) fails the job on the chosen severities.
#[derive(Debug, Clone, Serialize)]
pub struct ScanStep {
    /// The severities that fail the job (every severity when none does).
    pub severity: String,
    /// The gate's `exit-code:` on a finding: `1`, or `0` when nothing fails the job.
    pub exit_code: &'static str,
    /// Whether the gate runs: some severity fails the job.
    pub gate: bool,
    /// SARIF file name.
    pub sarif: String,
    /// Code scanning category.
    pub category: String,
}

/// A piece of shell text inside double quotes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShellPart {
    /// Literal text, escaped by emit.
    Text(String),
    /// A command substitution or parameter expansion written by the compiler.
    Code(&'static str),
}

/// The job of a multi-platform build: after one job per platform has built,
/// scanned and pushed its image, it joins them in one image index under the
/// build's tag and outputs the index's digest, which every consumer runs.
#[derive(Debug, Clone, Serialize)]
pub struct ManifestJob {
    /// Shared job settings (its id is the build's: deploys need it).
    #[serde(flatten)]
    pub base: JobBase,
    /// ECR repository.
    pub repository: String,
    /// The shell text (inside double quotes) that makes the tag.
    pub tag_script: Vec<ShellPart>,
    /// Each platform's pushed image, in platform order.
    pub sources: Vec<PlatformDigest>,
}

/// One platform's image, by the digest its job pushed.
#[derive(Debug, Clone, Serialize)]
pub struct PlatformDigest {
    /// `linux/amd64` or `linux/arm64`.
    pub platform: &'static str,
    /// The step env variable holding the digest.
    pub env: Identifier,
    /// `needs.<platform job>.outputs.digest`.
    pub from: GithubExpr,
}

/// The build job's permissions: `id-token` only with a role to assume.
fn build_permissions(assumes_role: bool) -> Vec<Permission> {
    let mut permissions = vec![permission("contents", "read", "check out the repository")];
    if assumes_role {
        permissions.push(permission("id-token", "write", "assume the AWS role through OIDC"));
    }
    permissions.push(permission("security-events", "write", "upload the image scan to code scanning"));
    permissions
}

fn manifest_permissions(assumes_role: bool) -> Vec<Permission> {
    if assumes_role {
        vec![permission("id-token", "write", "assume the AWS role through OIDC")]
    } else {
        Vec::new()
    }
}

/// A build's jobs, each in both variants: one on a runner of its one
/// platform, or one per platform of a multi-platform build, each tagging
/// its image with the platform appended (the manifest job joins them under
/// the tag).
pub(super) fn build_jobs(pipeline: &Pipeline, build: &Build) -> Vec<BuildJob> {
    let platform_jobs = platform_jobs(build);
    let jobs: Vec<(Arch, String, Option<Arch>)> = if platform_jobs.is_empty() {
        let arch = build.platforms.first().copied().unwrap_or(Arch::X86_64);
        vec![(arch, build.job_id.clone(), None)]
    } else {
        platform_jobs.into_iter().map(|(arch, job)| (arch, job, Some(arch))).collect()
    };
    jobs.iter()
        .flat_map(|(arch, id, suffix)| VARIANTS.map(|variant| build_job(pipeline, build, *arch, id, *suffix, variant)))
        .collect()
}

fn build_job(
    pipeline: &Pipeline,
    build: &Build,
    arch: Arch,
    id: &str,
    suffix: Option<Arch>,
    variant: Variant,
) -> BuildJob {
    let mut name = format!("build {}", build.name);
    let mut tag_script = tag_script(&build.tag);
    let mut category = scan_category(&build.name);
    if let Some(arch) = suffix {
        tag_script.push(ShellPart::Text(platform_tag_suffix(arch)));
        name = format!("{name} ({})", docker_platform(arch));
        category = platform_scan_category(&build.name, arch);
    }
    let spec = JobSpec {
        id,
        name,
        changed: &build.job_id,
        needs: needs_in_both_variants(&build.after),
        runner: build_runner(arch, &pipeline.runner),
        environment: build.environment.clone(),
        role: &build.role,
        working_directory: build.context.clone(),
        apply_if: push_condition(&build.apply_branches),
    };
    BuildJob {
        base: job_base(pipeline, &spec, variant, build_permissions),
        repository: build.repository.clone(),
        platform: docker_platform(arch),
        dockerfile: build.dockerfile.clone(),
        tag_script,
        scan: build.scan.map(|scan| ScanStep {
            severity: match scan.fail_on {
                Some(lowest) => Severity::ALL
                    .iter()
                    .filter(|s| **s >= lowest)
                    .map(|s| s.keyword().to_ascii_uppercase())
                    .collect::<Vec<_>>()
                    .join(","),
                None => String::from("UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL"),
            },
            exit_code: if scan.fail_on.is_some() { "1" } else { "0" },
            gate: scan.fail_on.is_some(),
            sarif: scan_sarif(&build.name),
            category,
        }),
        target: build.target.clone(),
        args: build
            .args
            .iter()
            .map(|arg| BuildArgIr {
                name: Identifier::sanitized(&arg.name),
                env: Identifier::sanitized(&build_arg_env(&arg.name)),
                value: arg.value.clone(),
            })
            .collect(),
        test: build.test.clone(),
        cache: match build.cache {
            LayerCache::Off => None,
            LayerCache::Gha => Some(CacheIr {
                scope: build_cache_scope(&build.name, arch),
                dockerfile: build_dockerfile_path(&build.context, build.dockerfile.as_deref()),
            }),
        },
    }
}

/// The jobs joining a multi-platform build's images, in both variants, if
/// it has several platforms; each needs its variant of the platforms' jobs
/// and takes the build's job id.
pub(super) fn manifest_jobs(pipeline: &Pipeline, build: &Build) -> Vec<ManifestJob> {
    let platform_jobs = platform_jobs(build);
    if platform_jobs.is_empty() {
        return Vec::new();
    }
    VARIANTS
        .into_iter()
        .map(|variant| {
            let job_of = |job: &String| match variant {
                Variant::Apply => job.clone(),
                Variant::Plan => plan_job(job),
            };
            let sources = platform_jobs
                .iter()
                .map(|(arch, job)| PlatformDigest {
                    platform: docker_platform(*arch),
                    env: Identifier::sanitized(&platform_digest_env(*arch)),
                    from: GithubExpr::context("needs", job_of(job)).then_code(".outputs.digest"),
                })
                .collect();
            let spec = JobSpec {
                id: &build.job_id,
                name: format!("build {} (join the platforms)", build.name),
                changed: &build.job_id,
                needs: platform_jobs.iter().map(|(_, job)| job_of(job)).collect(),
                runner: pipeline.runner.clone(),
                environment: build.environment.clone(),
                role: &build.role,
                working_directory: String::from("."),
                apply_if: push_condition(&build.apply_branches),
            };
            ManifestJob {
                base: job_base(pipeline, &spec, variant, manifest_permissions),
                repository: build.repository.clone(),
                tag_script: tag_script(&build.tag),
                sources,
            }
        })
        .collect()
}

/// The tag as shell text inside double quotes.
fn tag_script(parts: &[TagPart]) -> Vec<ShellPart> {
    parts
        .iter()
        .map(|part| match part {
            TagPart::Text(text) => ShellPart::Text(text.clone()),
            TagPart::Date => ShellPart::Code("$(date -u +'%Y%m%d')"),
            TagPart::RunNumber => ShellPart::Code("${GITHUB_RUN_NUMBER}"),
            TagPart::RunAttempt => ShellPart::Code("${GITHUB_RUN_ATTEMPT}"),
            TagPart::Sha => ShellPart::Code("${GITHUB_SHA}"),
            TagPart::ShortSha => ShellPart::Code("${GITHUB_SHA:0:7}"),
        })
        .collect()
}
