//! Stage 3, lower: model → IR, one document per output file.
//!
//! Contract: decides *what* each output says — defaults made explicit,
//! security hardening (least-privilege permissions, pinned actions, secrets
//! passed through `env`, read-only root filesystems), file paths, job order,
//! and the canonical order of everything. It never decides layout or quoting:
//! that is [`crate::emit`]'s. Everything is ordered (vectors, sorted maps), so
//! output is deterministic by construction.
//!
//! Output values are typed ([`output`]): user text reaches HCL, YAML, GitHub
//! expressions and shell lines only as text that emit's filters quote.
//! `format!` in lower may only compose a value that is then quoted as a
//! whole (a reason, an ARN string literal, a template's literal part) or a
//! name from names the checker restricted that becomes an [`Identifier`]
//! or is quoted; it never builds HCL, expression or shell syntax.

mod bluegreen;
mod bootstrap;
mod boundary;
mod builds;
mod calls;
mod changes;
mod conditions;
mod containers;
mod cron;
mod edge;
mod iam;
mod infra;
mod jobs;
mod names;
mod network;
mod output;
mod permissions;
mod queue;
mod route;
mod service;
mod tasks;
mod terraform;
mod volumes;
mod workflow;

use serde::Serialize;

use crate::actions::{self, Pin};
use crate::model::*;

pub use bootstrap::BootstrapStack;
pub use changes::{ChangeOutput, ChangesJob, IacScanJob, Pathspec};
pub use infra::InfraStack;
// For emit's tests, which render templates built as lower builds them.
pub use builds::{BuildJob, ShellPart};
pub use jobs::JobBase;
#[cfg(test)]
pub(crate) use output::Template;
pub use output::{Attribute, ExprOrText, GithubExpr, GithubPart, Hcl, HclExpr, HclRef, Identifier, TemplatePart};
pub use service::ServiceStack;
pub use terraform::{Skip, TerraformSettings};
pub use workflow::{TerraformJob, Workflow};

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
        ("setup_buildx", actions::SETUP_BUILDX),
        ("build_push", actions::BUILD_PUSH),
    ]
}
#[cfg(test)]
mod tests {
    use super::*;

    fn program(text: &str) -> Program {
        let file = crate::syntax::parse(text).expect("parses");
        let pipelines = crate::check::check(&file, "test.ecspipe").expect("checks");
        let planned = crate::plan::plan_one(pipelines).expect("plans");
        lower(&planned[0])
    }

    const TWO_IMAGES: &str = r#"
pipeline p {
  region us-east-2
  role secret.R
  on push branches [release]
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
    fn several_images_get_one_variable_and_env_each() {
        let program = program(TWO_IMAGES);
        // The variant that applies, after either variant of each build.
        let deploy = &program.workflow.deploys[1];
        assert!(deploy.base.applies);
        assert_eq!(
            deploy.base.needs,
            ["changes", "build-api-plan", "build-api", "build-edge-proxy-plan", "build-edge-proxy"]
        );
        let pairs: Vec<(&str, &str)> =
            deploy.images.iter().map(|image| (image.variable.as_str(), image.env.as_str())).collect();
        assert_eq!(pairs, [("image_tag_api", "IMAGE_ID_API"), ("image_tag_edge_proxy", "IMAGE_ID_EDGE_PROXY")]);
        let names: Vec<&str> = program.stacks[0].image_variables.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["image_tag_api", "image_tag_edge_proxy"]);
    }

    #[test]
    fn apply_branch_and_job_ids_follow_the_pipeline() {
        let program = program(TWO_IMAGES);
        let [plan, apply] = &program.workflow.deploys[..] else { panic!("two variants of one deploy") };
        let on_release = GithubExpr::code("github.ref == ")
            .then_literal("refs/heads/release")
            .then_code(" && github.event_name != 'pull_request'");
        let changed = crate::lower::changes::changed_condition("deploy").then_code(" && ");
        assert_eq!((apply.base.id.as_str(), plan.base.id.as_str()), ("deploy", "deploy-plan"));
        assert_eq!(apply.base.condition, changed.clone().then(on_release.clone()));
        assert_eq!(plan.base.condition, changed.then_code("!(").then(on_release).then_code(")"));
        // Only the variant that applies asks for the apply role; without a
        // plan role, the other asks for none.
        assert!(apply.base.role.is_some() && plan.base.role.is_none());
        // Which group each kind of run lands in: tests/replay.rs.
    }

    #[test]
    fn builds_of_the_repository_root_are_not_path_filtered() {
        let program = program(TWO_IMAGES);
        // Both builds use the default context `.`: every change matters.
        assert!(program.workflow.paths.is_empty());
    }
}
