//! The bootstrap stack's trust and grants, derived from the planned names.
//!
//! The apply role trusts exactly the subjects the jobs present, and may
//! touch exactly the roles, policies, state objects, repositories and
//! secrets the pipeline's stacks create: a prefix such as `shop-*` would
//! also match the bootstrap's own roles and let the apply role rewrite its
//! trust. Every name comes from [`super::names`], so the grants and the
//! stacks cannot drift apart.

use crate::model::{Backend, Pipeline, TrustCondition};

use super::names;

/// Fills in the bootstrap's subjects and grants, if the pipeline has one.
pub(super) fn fill(pipeline: &mut Pipeline) {
    let Some(oidc) = &pipeline.oidc else { return };
    let repository = oidc.repository.clone();

    let apply_trust = apply_trust(pipeline, &repository);

    let mut task_roles: Vec<String> = Vec::new();
    let mut scheduler_roles: Vec<String> = Vec::new();
    let mut flow_logs_roles: Vec<String> = Vec::new();
    let mut codedeploy_roles: Vec<String> = Vec::new();
    let mut iam_policies: Vec<String> = Vec::new();
    for deploy in &pipeline.deploys {
        let service = &deploy.service.name;
        add(&mut task_roles, names::task_execution_role(service));
        add(&mut task_roles, names::task_role(service));
        add(&mut iam_policies, names::execution_policy(service));
        if deploy.service.deployment.blue_green.is_some() {
            add(&mut codedeploy_roles, names::codedeploy_role(service));
        }
        for job in &deploy.service.cron {
            add(&mut scheduler_roles, names::cron_role(service, &job.name));
        }
    }
    let mut infra_names: Vec<String> = Vec::new();
    let mut exact_secrets: Vec<String> = Vec::new();
    for infra in &pipeline.infras {
        add(&mut flow_logs_roles, names::flow_logs_role(&infra.name));
        infra_names.push(infra.name.clone());
        if let Some(exact) = infra.secret.as_ref().and_then(|secret| secret.exact_name.clone()) {
            add(&mut exact_secrets, exact);
        }
    }
    let mut state_objects: Vec<(String, String)> = Vec::new();
    let states = pipeline.infras.iter().map(|i| &i.state).chain(pipeline.deploys.iter().map(|d| &d.state));
    for backend in states {
        if let Backend::S3 { bucket, key, .. } = backend {
            add(&mut state_objects, (bucket.clone(), key.clone()));
        }
    }
    let mut repositories: Vec<String> = Vec::new();
    for build in &pipeline.builds {
        add(&mut repositories, build.repository.clone());
    }

    if let Some(oidc) = &mut pipeline.oidc {
        oidc.apply_trust = apply_trust;
        oidc.task_roles = task_roles;
        oidc.scheduler_roles = scheduler_roles;
        oidc.flow_logs_roles = flow_logs_roles;
        oidc.codedeploy_roles = codedeploy_roles;
        oidc.iam_policies = iam_policies;
        oidc.state_objects = state_objects;
        oidc.repositories = repositories;
        oidc.infra_names = infra_names;
        oidc.exact_secrets = exact_secrets;
    }
}

/// The apply role's trust, every condition required (`StringEquals`, no
/// wildcard):
///
/// - `aud`: the audience of the workflow's tokens;
/// - `sub`: the apply branches' subjects, and `environment:NAME` for each
///   GitHub environment a job runs in (such a job presents that subject on
///   every event, whatever its branch);
/// - `ref`: the apply branches, which an environment's subject does not say;
/// - `job_workflow_ref`: this pipeline's workflow file on an apply branch,
///   so that no other workflow of the repository (nor this one from
///   another branch) can assume the role.
fn apply_trust(pipeline: &Pipeline, repository: &str) -> Vec<TrustCondition> {
    let mut branches: Vec<&str> = vec!["main"];
    for deploy in &pipeline.deploys {
        add(&mut branches, deploy.apply_branch.as_str());
    }
    let mut subjects: Vec<String> = branches.iter().map(|branch| names::branch_subject(repository, branch)).collect();
    let environments = pipeline
        .environment
        .iter()
        .chain(pipeline.builds.iter().filter_map(|b| b.environment.as_ref()))
        .chain(pipeline.infras.iter().filter_map(|i| i.target.environment.as_ref()))
        .chain(pipeline.deploys.iter().filter_map(|d| d.target.environment.as_ref()));
    for environment in environments {
        add(&mut subjects, names::environment_subject(repository, environment));
    }
    let claim = |name: &str, values: Vec<String>| TrustCondition {
        test: "StringEquals",
        variable: format!("{}{name}", names::GITHUB_CLAIM),
        values,
    };
    vec![
        claim("aud", vec![names::GITHUB_AUDIENCE.to_owned()]),
        claim("sub", subjects),
        claim("ref", branches.iter().map(|branch| names::branch_ref(branch)).collect()),
        claim(
            "job_workflow_ref",
            branches
                .iter()
                .map(|branch| names::job_workflow_ref(repository, &pipeline.workflow_file, branch))
                .collect(),
        ),
    ]
}

/// Appends `item` unless the list has it: first occurrence order.
fn add<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if !list.contains(&item) {
        list.push(item);
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Oidc;

    /// The values the apply role's trust accepts for the token's `claim`.
    fn trusted<'a>(oidc: &'a Oidc, claim: &str) -> Vec<&'a str> {
        let variable = format!("token.actions.githubusercontent.com:{claim}");
        let conditions: Vec<_> = oidc.apply_trust.iter().filter(|c| c.variable == variable).collect();
        assert_eq!(conditions.len(), 1, "one condition on {claim}");
        assert_eq!(conditions[0].test, "StringEquals");
        conditions[0].values.iter().map(String::as_str).collect()
    }
    const PIPELINE: &str = r#"
pipeline shop {
  region us-east-2
  role secret.APPLY plan secret.PLAN
  on push branches [main, release]
  oidc {
    repository "acme/shop"
    state s3 bucket "shop-state" key "bootstrap.tfstate"
  }
  environments {
    dev { }
    prod { after dev }
  }
  deploy web {
    state s3 bucket "shop-state" key "web.tfstate"
    infra ssm "/shop/output"
    apply on release
    service web {
      container app { image "public.ecr.aws/nginx/nginx:1.27" }
    }
  }
}
"#;

    #[test]
    fn grants_name_exactly_what_each_environment_creates() {
        let file = crate::syntax::parse(PIPELINE).expect("parses");
        let pipelines = crate::check::check(&file, "shop.ecspipe").expect("checks");
        let planned = super::super::plan_one(pipelines).expect("plans");
        let oidc = planned[0].oidc.as_ref().expect("oidc");
        assert_eq!(
            oidc.task_roles,
            ["web-dev-task-execution-role", "web-dev-task-role", "web-prod-task-execution-role", "web-prod-task-role"]
        );
        assert_eq!(oidc.iam_policies, ["web-dev-execution", "web-prod-execution"]);
        assert_eq!(
            trusted(oidc, "sub"),
            [
                "repo:acme/shop:ref:refs/heads/main",
                "repo:acme/shop:ref:refs/heads/release",
                "repo:acme/shop:environment:dev",
                "repo:acme/shop:environment:prod",
            ]
        );
        let keys: Vec<&str> = oidc.state_objects.iter().map(|(_, key)| key.as_str()).collect();
        assert_eq!(keys, ["dev/web.tfstate", "prod/web.tfstate"]);
    }

    #[test]
    fn the_apply_trust_pins_the_apply_branches_and_the_workflow_file() {
        let file = crate::syntax::parse(PIPELINE).expect("parses");
        let pipelines = crate::check::check(&file, "shop.ecspipe").expect("checks");
        let planned = super::super::plan_one(pipelines).expect("plans");
        let oidc = planned[0].oidc.as_ref().expect("oidc");
        assert_eq!(trusted(oidc, "aud"), ["sts.amazonaws.com"]);
        assert_eq!(trusted(oidc, "ref"), ["refs/heads/main", "refs/heads/release"]);
        assert_eq!(
            trusted(oidc, "job_workflow_ref"),
            [
                "acme/shop/.github/workflows/shop.yml@refs/heads/main",
                "acme/shop/.github/workflows/shop.yml@refs/heads/release",
            ]
        );
        assert_eq!(oidc.apply_trust.len(), 4, "aud, sub, ref and job_workflow_ref, nothing else");
        assert_eq!(oidc.boundary_policy, "shop-github-boundary");
    }

    #[test]
    fn a_secret_with_an_exact_name_is_granted_by_that_name() {
        let text = r#"
pipeline shop {
  region us-east-2
  role secret.APPLY plan secret.PLAN
  oidc {
    repository "acme/shop"
    state s3 bucket "shop-state" key "bootstrap.tfstate"
  }
  infra {
    state s3 bucket "shop-state" key "infra.tfstate"
    secret api from secret.API name "shop_api" recovery 0d
  }
}
"#;
        let file = crate::syntax::parse(text).expect("parses");
        let pipelines = crate::check::check(&file, "shop.ecspipe").expect("checks");
        let planned = super::super::plan_one(pipelines).expect("plans");
        let oidc = planned[0].oidc.as_ref().expect("oidc");
        assert_eq!(oidc.exact_secrets, ["shop_api"]);
        let program = crate::lower::lower(&planned[0]);
        let bootstrap = program.bootstrap.expect("a bootstrap stack");
        let secrets = format!("{:?}", bootstrap.secrets);
        assert!(secrets.contains("secret:shop_api-??????"), "{secrets}");
    }

    #[test]
    fn the_infrastructures_own_environment_is_trusted_to_apply() {
        let text = r#"
pipeline shop {
  region us-east-2
  role secret.APPLY plan secret.PLAN
  environment development
  oidc {
    repository "acme/shop"
    state s3 bucket "shop-state" key "bootstrap.tfstate"
  }
  infra {
    state s3 bucket "shop-state" key "infra.tfstate"
    environment production
  }
  deploy web {
    state s3 bucket "shop-state" key "web.tfstate"
    service web {
      container app { image "123456789012.dkr.ecr.us-east-2.amazonaws.com/web:1" }
    }
  }
}
"#;
        let file = crate::syntax::parse(text).expect("parses");
        let pipelines = crate::check::check(&file, "shop.ecspipe").expect("checks");
        let planned = super::super::plan_one(pipelines).expect("plans");
        assert_eq!(planned[0].infras[0].target.environment.as_deref(), Some("production"));
        assert_eq!(planned[0].deploys[0].target.environment.as_deref(), Some("development"));
        let oidc = planned[0].oidc.as_ref().expect("oidc");
        assert_eq!(
            trusted(oidc, "sub"),
            [
                "repo:acme/shop:ref:refs/heads/main",
                "repo:acme/shop:environment:development",
                "repo:acme/shop:environment:production",
            ]
        );
    }
}
