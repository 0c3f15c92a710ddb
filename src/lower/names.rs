//! Names lower derives from the pipeline's names: Terraform variables,
//! environment variables, role session names, concurrency groups, resource
//! labels. Kept together so a later planning stage can take them over whole.
//!
//! Every name here is composed from names the checker already restricted;
//! the ones written bare into output are [`Identifier`]s, which cannot hold
//! anything but `[A-Za-z0-9_]` whatever they are given.

use super::output::Identifier;
use crate::model::*;

/// The builds whose images a deploy runs, in container order.
pub(super) fn built_images(deploy: &Deploy) -> Vec<&str> {
    let mut builds: Vec<&str> = Vec::new();
    for container in &deploy.service.containers {
        if let Image::Build(name) = &container.image {
            if !builds.contains(&name.as_str()) {
                builds.push(name);
            }
        }
    }
    builds
}

/// The Terraform variable for an image of a deploy: `image_tag` when the
/// stack runs one build's image, else one per build.
pub(super) fn image_variable(deploy: &Deploy, build: &str) -> Identifier {
    if built_images(deploy).len() == 1 {
        Identifier::sanitized("image_tag")
    } else {
        Identifier::sanitized(&format!("image_tag_{build}"))
    }
}

/// The deploy job's environment variable holding a build's image URI.
pub(super) fn image_env(deploy: &Deploy, build: &str) -> Identifier {
    if built_images(deploy).len() == 1 {
        Identifier::sanitized("IMAGE_ID")
    } else {
        Identifier::sanitized(&format!("IMAGE_ID_{}", build.to_ascii_uppercase()))
    }
}

/// The Terraform variable carrying an infrastructure secret's value.
pub(super) fn secret_variable(secret: &InfraSecret) -> Identifier {
    Identifier::sanitized(&secret.name.to_ascii_lowercase())
}

/// The environment variable Terraform reads that variable from.
pub(super) fn secret_env(secret: &InfraSecret) -> Identifier {
    Identifier::sanitized(&format!("TF_VAR_{}", secret_variable(secret).as_str()))
}

/// The resource label of a scheduled scaling action.
pub(super) fn schedule_label(schedule: &Schedule) -> Identifier {
    Identifier::sanitized(&schedule.name)
}

/// The AWS role session name of a job: 2–64 of `[\w+=,.@-]`; both parts
/// are restricted to that set by the checker.
pub(super) fn session_name(pipeline: &Pipeline, job: &str) -> String {
    let mut name = format!("ecspipe-{}-{}", pipeline.name, job);
    name.truncate(64);
    name
}

/// The concurrency group of a stack's Terraform job.
pub(super) fn concurrency_group(stack: &str) -> String {
    format!("terraform-{}", stack.replace('/', "-"))
}
