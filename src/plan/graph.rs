//! The job graph: which jobs each job of a workflow waits for.
//!
//! Builds wait for the first environment's infrastructure (it creates the
//! repositories they push to); each environment's infrastructure waits
//! for the infrastructure of the environments it comes after; a deploy
//! waits for the builds whose images it runs, for the infrastructure that
//! hands over to it, and for the same deploy in the environments it comes
//! after, and for the deploys its calls need first (`callees`). The
//! lists are in that order, each in source order, so the
//! workflow is the same on every run.

use crate::model::{Deploy, Infra, InfraSource, Pipeline};

use super::names;

/// Fills every job's `after` list of one pipeline.
pub(super) fn link(pipeline: &mut Pipeline) {
    let after_of = |stage: &Option<String>| -> Vec<String> {
        let environment = stage.as_ref().and_then(|name| pipeline.environments.iter().find(|e| &e.name == name));
        environment.map(|environment| environment.after.clone()).unwrap_or_default()
    };

    let infra_after: Vec<Vec<String>> = pipeline
        .infras
        .iter()
        .map(|infra| {
            after_of(&infra.target.stage)
                .iter()
                .filter_map(|previous| infra_in(&pipeline.infras, Some(previous)).map(|i| i.target.job_id.clone()))
                .collect()
        })
        .collect();

    let deploy_after: Vec<Vec<String>> = pipeline
        .deploys
        .iter()
        .map(|deploy| {
            let mut after: Vec<String> = names::built_images(deploy)
                .into_iter()
                .filter_map(|name| pipeline.builds.iter().find(|build| build.name == name))
                .map(|build| build.job_id.clone())
                .collect();
            after.extend(own_infra(pipeline, deploy).map(|infra| infra.target.job_id.clone()));
            for job in callees(pipeline, deploy) {
                if !after.contains(&job) {
                    after.push(job);
                }
            }
            after.extend(after_of(&deploy.target.stage).iter().filter_map(|previous| {
                pipeline
                    .deploys
                    .iter()
                    .find(|other| other.name == deploy.name && other.target.stage.as_deref() == Some(previous))
                    .map(|other| other.target.job_id.clone())
            }));
            after
        })
        .collect();

    let first_infra = pipeline.infras.first().map(|infra| infra.target.job_id.clone());
    for build in &mut pipeline.builds {
        build.after = first_infra.iter().cloned().collect();
    }
    for (infra, after) in pipeline.infras.iter_mut().zip(infra_after) {
        infra.target.after = after;
    }
    for (deploy, after) in pipeline.deploys.iter_mut().zip(deploy_after) {
        deploy.target.after = after;
    }
}

/// The deploys a deploy's calls wait for, in source order: the services it
/// calls (their security groups must exist before its stack adds the
/// rules between them), and the callers of its accepted calls, whose stack
/// then owns those rules.
fn callees(pipeline: &Pipeline, deploy: &Deploy) -> Vec<String> {
    let same_stage = || pipeline.deploys.iter().filter(|other| other.target.stage == deploy.target.stage);
    let name = |call: &crate::model::Call| names::in_environment(call.service.clone(), deploy.target.stage.as_deref());
    let mut after = Vec::new();
    for call in deploy.service.calls.iter().filter(|call| call.accepted.is_none()) {
        after.extend(same_stage().find(|other| other.service.name == name(call)).map(|o| o.target.job_id.clone()));
    }
    for caller in same_stage() {
        let accepted = caller.service.calls.iter().filter(|call| call.accepted.is_some());
        if accepted.into_iter().any(|call| name(call) == deploy.service.name) {
            after.push(caller.target.job_id.clone());
        }
    }
    after
}

/// The infrastructure stack of an environment (or the only one).
fn infra_in<'a>(infras: &'a [Infra], stage: Option<&String>) -> Option<&'a Infra> {
    infras.iter().find(|infra| infra.target.stage.as_ref() == stage)
}

/// The pipeline's own infrastructure, when it hands over to this deploy:
/// through the parameter it writes, or straight from its state.
fn own_infra<'a>(pipeline: &'a Pipeline, deploy: &Deploy) -> Option<&'a Infra> {
    let infra = infra_in(&pipeline.infras, deploy.target.stage.as_ref())?;
    let hands_over = match &deploy.infra {
        InfraSource::Ssm { parameter } => infra.handoff_parameter.as_ref() == Some(parameter),
        InfraSource::Stack { stack, .. } => *stack == infra.stack,
        InfraSource::Literal(_) => false,
    };
    hands_over.then_some(infra)
}

#[cfg(test)]
mod tests {
    const PIPELINE: &str = r#"
pipeline p {
  region us-east-2
  role secret.R
  build api { repository api }
  environments {
    dev { }
    prod { after dev }
  }
  infra {
    state s3 bucket "bucket" key "infra.tfstate"
    name p
  }
  deploy web {
    state s3 bucket "bucket" key "web.tfstate"
    service web {
      container api { image build.api  port 8080 }
    }
  }
}
"#;

    #[test]
    fn jobs_wait_for_builds_infrastructure_and_earlier_environments() {
        let file = crate::syntax::parse(PIPELINE).expect("parses");
        let pipelines = crate::check::check(&file, "p.ecspipe").expect("checks");
        let pipeline = &super::super::plan_one(pipelines).expect("plans")[0];
        assert_eq!(pipeline.builds[0].after, ["infra-dev"]);
        let infra_after: Vec<&[String]> = pipeline.infras.iter().map(|i| i.target.after.as_slice()).collect();
        assert_eq!(infra_after, [&[][..], &[String::from("infra-dev")][..]]);
        let deploy_after: Vec<&[String]> = pipeline.deploys.iter().map(|d| d.target.after.as_slice()).collect();
        assert_eq!(deploy_after[0], ["build", "infra-dev"]);
        assert_eq!(deploy_after[1], ["build", "infra-prod", "deploy-dev"]);
    }

    #[test]
    fn callers_wait_for_callees_and_accepted_calls_turn_around() {
        let text = r#"
pipeline p {
  region us-east-2
  role secret.R
  build api { repository api }
  deploy front {
    state local
    infra ssm "/p/output"
    service front {
      calls [billing]
      container api { port 8080 }
    }
  }
  deploy billing {
    state local
    infra ssm "/p/output"
    service billing {
      calls [ledger]
      container api { port 9000 }
    }
  }
  deploy ledger {
    state local
    infra ssm "/p/output"
    service ledger {
      calls [front] accept "ledger reports settlements to the front"
      container api { port 9100 }
    }
  }
}
"#;
        let file = crate::syntax::parse(text).expect("parses");
        let pipelines = crate::check::check(&file, "p.ecspipe").expect("checks");
        let pipeline = &super::super::plan_one(pipelines).expect("plans")[0];
        let after: Vec<&[String]> = pipeline.deploys.iter().map(|d| d.target.after.as_slice()).collect();
        assert_eq!(after[0], ["build", "deploy-billing", "deploy-ledger"]);
        assert_eq!(after[1], ["build", "deploy-ledger"]);
        assert_eq!(after[2], ["build"]);
    }
}
