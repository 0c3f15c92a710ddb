//! Stage 3, lower: model → IR, one document per output file.
//!
//! Contract: decides *what* each output says — defaults made explicit,
//! security hardening (least-privilege permissions, pinned actions, secrets
//! passed through `env`, read-only root filesystems), file paths, job order,
//! and the canonical order of everything. It never decides layout or quoting:
//! that is [`crate::emit`]'s. Everything is ordered (vectors, sorted maps), so
//! output is deterministic by construction.

mod bootstrap;
mod infra;
mod service;
mod workflow;

use serde::Serialize;

use crate::actions::{self, Pin};
use crate::model::*;

pub use bootstrap::BootstrapStack;
pub use infra::{InfraStack, Skip};
pub use service::{ServiceStack, TerraformSettings};
pub use workflow::{BuildJob, JobBase, TerraformJob, Workflow};

/// An HCL value, quoted and laid out by the emitter's `hcl` filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Hcl {
    /// A string literal.
    Str(String),
    /// A number.
    Num(u64),
    /// A boolean.
    Bool(bool),
    /// A reference, function call or template, written as is: `var.name`.
    Expr {
        /// The expression text.
        expr: String,
    },
    /// A tuple.
    List(Vec<Hcl>),
    /// An object; keys are written in this order.
    Object {
        /// The attributes.
        object: Vec<(String, Hcl)>,
    },
}

impl Hcl {
    pub(crate) fn expr(text: impl Into<String>) -> Hcl {
        Hcl::Expr { expr: text.into() }
    }

    pub(crate) fn str(text: impl Into<String>) -> Hcl {
        Hcl::Str(text.into())
    }

    pub(crate) fn object(attributes: Vec<(&str, Hcl)>) -> Hcl {
        Hcl::Object { object: attributes.into_iter().map(|(k, v)| (k.to_owned(), v)).collect() }
    }
}

/// Everything one pipeline compiles to.
#[derive(Debug, Clone, Serialize)]
pub struct Program {
    /// The workflow.
    pub workflow: Workflow,
    /// One infrastructure stack per environment, if the pipeline declares one.
    pub infras: Vec<InfraStack>,
    /// One service stack per deploy and environment.
    pub stacks: Vec<ServiceStack>,
    /// The OIDC bootstrap stack, if the pipeline asks for it.
    pub bootstrap: Option<BootstrapStack>,
}

/// Lowers a checked pipeline.
pub fn lower(pipeline: &Pipeline) -> Program {
    Program {
        workflow: workflow::workflow(pipeline),
        infras: pipeline.infras.iter().map(|infra| infra::infra_stack(pipeline, infra)).collect(),
        stacks: pipeline.deploys.iter().map(|deploy| service::service_stack(pipeline, deploy)).collect(),
        bootstrap: pipeline.oidc.as_ref().map(|oidc| bootstrap::bootstrap_stack(pipeline, oidc)),
    }
}

/// The backend block's type and settings.
fn backend(state: &Backend) -> (&'static str, Vec<(&'static str, Hcl)>) {
    match state {
        Backend::S3 { bucket, key, region } => (
            "s3",
            vec![
                ("bucket", Hcl::str(bucket.clone())),
                ("key", Hcl::str(key.clone())),
                ("region", Hcl::str(region.clone())),
                ("encrypt", Hcl::Bool(true)),
                ("use_lockfile", Hcl::Bool(true)),
            ],
        ),
        Backend::Local { path } => ("local", vec![("path", Hcl::str(path.clone()))]),
    }
}

/// Terraform variable names for an image of a deploy: `image_tag` when the
/// stack runs one build's image (the reference's name), else one per build.
fn image_variable(deploy: &Deploy, build: &str) -> String {
    if built_images(deploy).len() == 1 {
        String::from("image_tag")
    } else {
        format!("image_tag_{}", build.replace('-', "_"))
    }
}

/// The builds whose images a deploy runs, in container order.
fn built_images(deploy: &Deploy) -> Vec<&str> {
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

/// The Terraform variable carrying an infrastructure secret's value.
fn secret_variable(secret: &InfraSecret) -> String {
    let mut name: String =
        secret.name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    name
}

/// The action pins, for templates.
pub fn pins() -> Vec<(&'static str, Pin)> {
    vec![
        ("checkout", actions::CHECKOUT),
        ("aws_credentials", actions::AWS_CREDENTIALS),
        ("ecr_login", actions::ECR_LOGIN),
        ("setup_terraform", actions::SETUP_TERRAFORM),
        ("infracost", actions::INFRACOST),
        ("github_script", actions::GITHUB_SCRIPT),
        ("trivy", actions::TRIVY),
        ("upload_sarif", actions::UPLOAD_SARIF),
    ]
}
#[cfg(test)]
mod tests {
    use super::*;

    fn program(text: &str) -> Program {
        let file = crate::syntax::parse(text).expect("parses");
        let pipelines = crate::check::check(&file, "test.ecspipe").expect("checks");
        lower(&pipelines[0])
    }

    const TWO_IMAGES: &str = r#"
pipeline p {
  region us-east-2
  role secret.R
  build api { repository api }
  build edge-proxy { repository proxy }
  deploy svc {
    state local
    infra ssm "/p/output"
    apply on release
    service svc {
      container api { image build.api  port 80 }
      container proxy { image build.edge-proxy }
    }
  }
}
"#;

    #[test]
    fn tag_templates_become_shell_words() {
        let parts = [TagPart::Date, TagPart::Text(String::from(".")), TagPart::RunNumber, TagPart::ShortSha];
        assert_eq!(workflow::tag_script(&parts), "$(date -u +'%Y%m%d').${GITHUB_RUN_NUMBER}${GITHUB_SHA:0:7}");
    }

    #[test]
    fn several_images_get_one_variable_and_env_each() {
        let program = program(TWO_IMAGES);
        let deploy = &program.workflow.deploys[0];
        assert_eq!(deploy.base.needs, ["build-api", "build-edge-proxy"]);
        assert_eq!(
            deploy.var_args,
            r#"-var="image_tag_api=$IMAGE_ID_API" -var="image_tag_edge_proxy=$IMAGE_ID_EDGE_PROXY""#
        );
        let names: Vec<&str> = program.stacks[0].image_variables.iter().map(|v| v.0.as_str()).collect();
        assert_eq!(names, ["image_tag_api", "image_tag_edge_proxy"]);
    }

    #[test]
    fn apply_branch_and_job_ids_follow_the_pipeline() {
        let program = program(TWO_IMAGES);
        let deploy = &program.workflow.deploys[0];
        assert_eq!(deploy.base.id, "deploy");
        assert_eq!(deploy.apply_if, "github.ref == 'refs/heads/release' && github.event_name != 'pull_request'");
        assert_eq!(deploy.concurrency, "terraform-deploy");
    }

    #[test]
    fn builds_of_the_repository_root_are_not_path_filtered() {
        let program = program(TWO_IMAGES);
        // Both builds use the default context `.`: every change matters.
        assert!(program.workflow.paths.is_empty());
    }
}
