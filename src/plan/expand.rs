//! Environment expansion: puts each stack that check made for an
//! environment into that environment.
//!
//! Contract: check hands over one [`Infra`] per environment and one
//! [`Deploy`] per deploy and environment, each marked with its environment
//! (`target.stage`) but carrying the block's own stack, state, names, job
//! id, handoff, GitHub environment and role. [`expand`] derives what each
//! environment changes, through [`names`] so nothing spells it twice:
//! stack directories get `/<environment>`, S3 state keys `<environment>/`,
//! the infrastructure's name, each service's name and each job id
//! `-<environment>`, SSM handoff parameters `/<environment>`; the jobs run
//! in their environment as its role (or the pipeline's). The first
//! environment's infrastructure owns the ECR repositories, and builds run
//! there unless the pipeline names an environment of its own. It runs
//! once per pipeline, before the jobs are linked and the names compared.

use super::names;
use crate::model::{Backend, Environment, GithubValue, InfraSource, Pipeline, Target};

/// Places every stack, job and build of `pipeline` in its environment.
pub(super) fn expand(pipeline: &mut Pipeline) {
    let Some(first) = pipeline.environments.first() else { return };
    let first = first.name.clone();
    if pipeline.environment.is_none() {
        // Builds push to the repositories of the first environment: they run
        // there, as its role.
        let role = role_of(&pipeline.environments, &first);
        for build in &mut pipeline.builds {
            build.environment = Some(first.clone());
            if let Some(role) = &role {
                build.role = role.clone();
            }
        }
    }
    for infra in &mut pipeline.infras {
        let Some(stage) = infra.target.stage.clone() else { continue };
        place(&mut infra.target, &stage, &pipeline.environments);
        infra.stack = names::stack_in_environment(&infra.stack, &stage);
        state_in_environment(&mut infra.state, &stage);
        infra.name = names::in_environment(std::mem::take(&mut infra.name), Some(&stage));
        if let Some(parameter) = &mut infra.handoff_parameter {
            *parameter = names::parameter_in_environment(parameter, &stage);
        }
        // Every environment pulls from the first one's repositories.
        if stage != first {
            infra.repositories.clear();
        }
    }
    for deploy in &mut pipeline.deploys {
        let Some(stage) = deploy.target.stage.clone() else { continue };
        place(&mut deploy.target, &stage, &pipeline.environments);
        deploy.stack = names::stack_in_environment(&deploy.stack, &stage);
        state_in_environment(&mut deploy.state, &stage);
        // IAM names are global to the account, and environments may share
        // one: every environment's service gets its own name.
        deploy.service.name = names::in_environment(std::mem::take(&mut deploy.service.name), Some(&stage));
        // The handoff is the environment's own: its infrastructure's stack
        // and state, or its parameter (read from outside or written by it).
        match &mut deploy.infra {
            InfraSource::Ssm { parameter } => *parameter = names::parameter_in_environment(parameter, &stage),
            InfraSource::Stack { stack, state } => {
                *stack = names::stack_in_environment(stack, &stage);
                state_in_environment(state, &stage);
            }
            InfraSource::Literal(_) => {}
        }
    }
}

/// A job in environment `stage`: its id suffixed, its GitHub environment,
/// and its role if the environment has one.
fn place(target: &mut Target, stage: &str, environments: &[Environment]) {
    target.job_id = names::in_environment(std::mem::take(&mut target.job_id), Some(stage));
    target.environment = Some(stage.to_owned());
    if let Some(role) = role_of(environments, stage) {
        target.role = role;
    }
}

/// The role environment `name` replaces the pipeline's with, if any.
fn role_of(environments: &[Environment], name: &str) -> Option<GithubValue> {
    environments.iter().find(|environment| environment.name == name).and_then(|environment| environment.role.clone())
}

/// Keeps environments' states apart: `<environment>/<key>` in the bucket
/// (a local state lives in the stack's own directory already).
fn state_in_environment(state: &mut Backend, stage: &str) {
    if let Backend::S3 { key, .. } = state {
        *key = names::state_key_in_environment(key, stage);
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{Backend, GithubValue, InfraSource, Pipeline};

    const PIPELINE: &str = r#"
pipeline p {
  region us-east-2
  role secret.R
  build api { repository api }
  environments {
    dev { }
    prod { after dev  role secret.PROD }
  }
  infra {
    stack p/infra
    state s3 bucket "bucket" key "infra.tfstate"
    name p
  }
  deploy web {
    stack p/web
    state s3 bucket "bucket" key "web.tfstate"
    service web {
      container api { image build.api  port 8080 }
    }
  }
}
"#;

    fn checked(text: &str) -> Pipeline {
        let file = crate::syntax::parse(text).expect("parses");
        crate::check::check(&file, "p.ecspipe").expect("checks").remove(0)
    }

    fn expanded(text: &str) -> Pipeline {
        let mut pipeline = checked(text);
        super::expand(&mut pipeline);
        pipeline
    }

    fn s3_key(state: &Backend) -> &str {
        match state {
            Backend::S3 { key, .. } => key,
            Backend::Local { path } => path,
        }
    }

    #[test]
    fn check_leaves_the_blocks_own_names_for_the_plan() {
        let pipeline = checked(PIPELINE);
        let stages: Vec<Option<&str>> = pipeline.infras.iter().map(|i| i.target.stage.as_deref()).collect();
        assert_eq!(stages, [Some("dev"), Some("prod")]);
        assert!(pipeline.infras.iter().all(|i| i.stack == "p/infra" && i.name == "p" && i.target.job_id == "infra"));
        assert!(pipeline.deploys.iter().all(|d| d.service.name == "web" && s3_key(&d.state) == "web.tfstate"));
    }

    #[test]
    fn every_stack_name_and_job_gets_its_environment() {
        let pipeline = expanded(PIPELINE);
        let infras: Vec<(&str, &str, &str, &str)> = pipeline
            .infras
            .iter()
            .map(|i| (i.stack.as_str(), s3_key(&i.state), i.name.as_str(), i.target.job_id.as_str()))
            .collect();
        assert_eq!(
            infras,
            [
                ("p/infra/dev", "dev/infra.tfstate", "p-dev", "infra-dev"),
                ("p/infra/prod", "prod/infra.tfstate", "p-prod", "infra-prod")
            ]
        );
        let deploys: Vec<(&str, &str, &str, &str)> = pipeline
            .deploys
            .iter()
            .map(|d| (d.stack.as_str(), s3_key(&d.state), d.service.name.as_str(), d.target.job_id.as_str()))
            .collect();
        assert_eq!(
            deploys,
            [
                ("p/web/dev", "dev/web.tfstate", "web-dev", "deploy-dev"),
                ("p/web/prod", "prod/web.tfstate", "web-prod", "deploy-prod")
            ]
        );
        // Each deploy reads its own environment's infrastructure.
        let handoffs: Vec<&str> = pipeline
            .deploys
            .iter()
            .map(|d| match &d.infra {
                InfraSource::Stack { stack, state } => {
                    assert_eq!(s3_key(state), format!("{}/infra.tfstate", d.target.stage.as_deref().unwrap_or("")));
                    stack.as_str()
                }
                other => panic!("expected the own stack's handoff, got {other:?}"),
            })
            .collect();
        assert_eq!(handoffs, ["p/infra/dev", "p/infra/prod"]);
    }

    #[test]
    fn jobs_run_in_their_environment_as_its_role() {
        let pipeline = expanded(PIPELINE);
        let secret = |name: &str| GithubValue::Secret(name.to_owned());
        for (infra, deploy) in pipeline.infras.iter().zip(&pipeline.deploys) {
            assert_eq!(infra.target.environment, infra.target.stage);
            assert_eq!(deploy.target.environment, deploy.target.stage);
        }
        assert_eq!(pipeline.infras[0].target.role, secret("R"));
        assert_eq!(pipeline.infras[1].target.role, secret("PROD"));
        assert_eq!(pipeline.deploys[1].target.role, secret("PROD"));
    }

    #[test]
    fn the_first_environment_owns_the_repositories_and_runs_the_builds() {
        let pipeline = expanded(PIPELINE);
        assert_eq!(pipeline.infras[0].repositories, ["api"]);
        assert!(pipeline.infras[1].repositories.is_empty());
        assert_eq!(pipeline.builds[0].environment.as_deref(), Some("dev"));
        assert_eq!(pipeline.builds[0].role, GithubValue::Secret(String::from("R")));
        // A pipeline that names the builds' environment keeps it, and its role.
        let named = expanded(&PIPELINE.replace("role secret.R\n", "role secret.R\n  environment ci\n"));
        assert_eq!(named.builds[0].environment.as_deref(), Some("ci"));
    }

    #[test]
    fn a_handoff_parameter_is_per_environment() {
        let text = PIPELINE.replace("name p\n", "name p\n    handoff ssm \"/p/infra\"\n");
        let pipeline = expanded(&text);
        let parameters: Vec<Option<&str>> = pipeline.infras.iter().map(|i| i.handoff_parameter.as_deref()).collect();
        assert_eq!(parameters, [Some("/p/infra/dev"), Some("/p/infra/prod")]);
        let read: Vec<&InfraSource> = pipeline.deploys.iter().map(|d| &d.infra).collect();
        assert_eq!(
            read,
            [
                &InfraSource::Ssm { parameter: String::from("/p/infra/dev") },
                &InfraSource::Ssm { parameter: String::from("/p/infra/prod") }
            ]
        );
    }

    #[test]
    fn a_pipeline_without_environments_is_left_alone() {
        let text =
            PIPELINE.replace("  environments {\n    dev { }\n    prod { after dev  role secret.PROD }\n  }\n", "");
        let before = checked(&text);
        assert_eq!(expanded(&text), before);
    }
}
