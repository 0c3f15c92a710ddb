//! Uniqueness of every derived name, across every input of one invocation.
//!
//! Each thing that owns a name claims it in a scope (one job, one stack, one workflow, or the
//! whole invocation for names AWS or GitHub keep per account or repository), under the key its
//! owner compares by. The second claim of a key is an error at the second owner, with a note at
//! the first, even when the first is in another input. Two owners collide once: their first
//! shared name is reported, the names derived from it would only repeat the news.

use std::collections::hash_map::{Entry, HashMap};
use std::collections::BTreeSet;
use std::rc::Rc;

use crate::{catalogue::PlanError, diagnostic::Diagnostic, model::Backend, model::Pipeline, span::Span};

use super::names;

mod cron;
mod describe;
mod routes;

use describe::{describe_pair, in_environment, same_because};

/// One input and its linked pipelines.
pub(super) struct Source<'a> {
    pub(super) file: &'a str,
    pub(super) text: &'a str,
    pub(super) pipelines: &'a [Pipeline],
}

/// A kind of name: what a diagnostic calls it, how its owners compare it,
/// and how to fix a collision.
#[derive(Clone, Copy)]
struct Kind {
    what: &'static str,
    key: fn(&str) -> String,
    /// Why two spellings are one name, when they differ.
    same_because: &'static str,
    /// Why, when they differ only in case, if that is another reason.
    case_because: Option<&'static str>,
    help: &'static str,
}

const WORKFLOW: Kind = Kind {
    what: "workflow",
    key: str::to_owned,
    same_because: "",
    case_because: None,
    help: "give each pipeline its own name or `workflow` file",
};

const JOB_ID: Kind = Kind {
    what: "job id",
    key: |name| names::github_key(&names::identifier(name)),
    same_because: "`-` and `_` meet in identifiers",
    case_because: Some("GitHub ignores case in job ids"),
    help: "rename one of them, or set a distinct `job` id",
};

const ENVIRONMENT: Kind = Kind {
    what: "environment name",
    key: |name| names::github_key(&names::identifier(name)),
    same_because: "`-` and `_` meet in the job ids they end",
    case_because: Some("GitHub ignores case in environment names"),
    help: "rename one of the environments",
};

const ENV_KEY: Kind = Kind {
    what: "`env` key",
    key: names::github_key,
    same_because: "GitHub ignores case in `env` keys",
    case_because: None,
    help: "rename one of the builds: each image reaches the deploy job in its own variable",
};

const TERRAFORM_VARIABLE: Kind = Kind {
    what: "Terraform variable",
    key: names::identifier,
    same_because: "`-` becomes `_` in Terraform identifiers",
    case_because: None,
    help: "rename one of the builds: each image reaches the stack in its own variable",
};

const RESOURCE_LABEL: Kind = Kind {
    what: "Terraform resource label",
    key: names::identifier,
    same_because: "`-` becomes `_` in Terraform labels",
    case_because: None,
    help: "give each schedule its own name: it labels the schedule's Terraform resource",
};

const ECS_SERVICE: Kind = Kind {
    what: "ECS service name",
    key: names::iam_key,
    same_because: "it prefixes IAM role names, which IAM compares without case",
    case_because: None,
    help:
        "give each service its own name: it also prefixes the service's IAM roles, which are global to the AWS account",
};

const IAM_ROLE: Kind = Kind {
    what: "IAM role",
    key: names::iam_key,
    same_because: "IAM compares role names without case",
    case_because: None,
    help: "IAM role names are global to the AWS account: rename one of their owners",
};

const IAM_POLICY: Kind = Kind {
    what: "IAM policy",
    key: names::iam_key,
    same_because: "IAM compares policy names without case",
    case_because: None,
    help: "IAM policy names are global to the AWS account: rename one of their owners",
};

const INFRA_NAME: Kind = Kind {
    what: "infrastructure name",
    key: str::to_owned,
    same_because: "",
    case_because: None,
    help: "give each infrastructure stack its own `name`: it names the cluster, the VPC, the log groups, the key alias, the load balancer and the secret, which meet in one account and region",
};

const STATE: Kind = Kind {
    what: "Terraform state",
    key: str::to_owned,
    same_because: "",
    case_because: None,
    help: "give each stack its own state `key` (or `path`): each apply would destroy what the other created",
};

const OIDC_PROVIDER: Kind = Kind {
    what: "OIDC provider",
    key: str::to_owned,
    same_because: "",
    case_because: None,
    help: "an AWS account has one identity provider per URL: let one bootstrap create it and say `provider existing` in the others",
};

const ECR_REPOSITORY: Kind = Kind {
    what: "ECR repository",
    key: str::to_owned,
    same_because: "",
    case_because: None,
    help: "two infrastructure stacks cannot both create one repository; let one stack own it",
};

const SECRET: Kind = Kind {
    what: "Secrets Manager secret",
    key: str::to_owned,
    same_because: "",
    case_because: None,
    help: "secret names are unique in an account and region: give one secret another `name`, or drop `name` to prefix it with its stack's",
};

const SSM_PARAMETER: Kind = Kind {
    what: "handoff parameter",
    key: str::to_owned,
    same_because: "",
    case_because: None,
    help: "give each infrastructure stack its own `handoff` parameter",
};

const STACK: Kind = Kind {
    what: "stack directory",
    key: str::to_owned,
    same_because: "",
    case_because: None,
    help: "give each stack its own `stack` directory",
};

const CONCURRENCY_GROUP: Kind = Kind {
    what: "concurrency group",
    key: names::github_key,
    same_because: "GitHub ignores case in concurrency groups",
    case_because: None,
    help: "rename one of the stack directories: each stack's applies queue in a group named after it",
};

/// An owner's input and span: where it is written.
type OwnerId = (usize, usize, usize);

/// Who claims a name, and where it is written.
#[derive(Clone)]
struct Owner {
    input: usize,
    /// The pipeline's index in its input.
    pipeline: usize,
    /// The pipeline's name.
    pipeline_name: Rc<str>,
    span: Span,
    /// `build `api``, `deploy `web` in environment `prod``, ...
    /// (shared: every name an owner claims keeps a copy of its owner).
    describe: Rc<str>,
}

impl Owner {
    /// Owners are the same when written at the same place (a deploy in
    /// several environments is one owner).
    fn id(&self) -> OwnerId {
        (self.input, self.span.start, self.span.end)
    }
}

struct Claim {
    owner: Owner,
    name: String,
}

#[derive(Default)]
struct Claims {
    /// (kind, scope, key) → the first claim. Looked up once per claim and
    /// never walked in order: a hash map, not a tree of string compares.
    first: HashMap<(&'static str, String, String), Claim>,
    /// Owner pairs already reported.
    reported: BTreeSet<(OwnerId, OwnerId)>,
    /// (input, diagnostic).
    errors: Vec<(usize, Diagnostic)>,
}

impl Claims {
    fn claim(&mut self, sources: &[Source<'_>], kind: Kind, scope: &str, name: &str, owner: &Owner) {
        let key = (kind.what, scope.to_owned(), (kind.key)(name));
        let first = match self.first.entry(key) {
            Entry::Vacant(slot) => {
                slot.insert(Claim { owner: owner.clone(), name: name.to_owned() });
                return;
            }
            Entry::Occupied(slot) => slot.into_mut(),
        };
        if first.owner.id() == owner.id() || !self.reported.insert((owner.id(), first.owner.id())) {
            return;
        }
        let error = if kind.what == WORKFLOW.what {
            PlanError::WorkflowWrittenTwice { workflow: name.to_owned() }
        } else {
            let (second_owner, first_owner) = describe_pair(sources, owner, &first.owner);
            PlanError::NameCollision {
                second: second_owner,
                first: first_owner,
                what: kind.what,
                name: name.to_owned(),
                same_as: (first.name != name).then(|| (first.name.clone(), same_because(kind, name, &first.name))),
                help: kind.help,
            }
        };
        let note = error.first_note(&first.name);
        let diagnostic = error.at(owner.span);
        let diagnostic = if first.owner.input == owner.input {
            diagnostic.note(first.owner.span, note)
        } else {
            let other = &sources[first.owner.input];
            diagnostic.note_in(other.file, other.text, first.owner.span, note)
        };
        self.errors.push((owner.input, diagnostic));
    }
}

/// Every collision of every input, per input, in source order.
pub(super) fn check(sources: &[Source<'_>]) -> Vec<Vec<Diagnostic>> {
    let mut claims = Claims::default();
    for (input, source) in sources.iter().enumerate() {
        for (index, pipeline) in source.pipelines.iter().enumerate() {
            claim_pipeline(&mut claims, sources, input, index, pipeline);
        }
    }
    let mut errors: Vec<Vec<Diagnostic>> = vec![Vec::new(); sources.len()];
    for (input, diagnostic) in claims.errors {
        errors[input].push(diagnostic);
    }
    for list in &mut errors {
        list.sort_by_key(|error| (error.span.start, error.span.end));
        *list = crate::syntax::at_most_max_errors(std::mem::take(list));
    }
    errors
}

/// Everything one pipeline names. Scopes are strings: `""` is the whole
/// invocation, the rest are unique per pipeline of an input.
fn claim_pipeline(claims: &mut Claims, sources: &[Source<'_>], input: usize, index: usize, pipeline: &Pipeline) {
    let everywhere = "";
    let workflow_scope = format!("{input}/{index}");
    let pipeline_name: Rc<str> = Rc::from(pipeline.name.as_str());
    let owner = |span: Span, describe: String| Owner {
        input,
        pipeline: index,
        pipeline_name: Rc::clone(&pipeline_name),
        span,
        describe: Rc::from(describe),
    };
    let pipeline_owner = owner(pipeline.span, format!("pipeline `{}`", pipeline.name));
    claims.claim(sources, WORKFLOW, everywhere, &pipeline.workflow_file, &pipeline_owner);
    // Names AWS keeps per account and region. The account is not known
    // (roles are secrets): every input is taken to deploy to one.
    let regional = format!("region {}", pipeline.region);
    if let Some(oidc) = &pipeline.oidc {
        claims.claim(sources, STACK, everywhere, &oidc.stack, &pipeline_owner);
        for object in state_objects(&oidc.stack, &oidc.state) {
            claims.claim(sources, STATE, everywhere, &object, &pipeline_owner);
        }
        if !oidc.existing_provider {
            claims.claim(sources, OIDC_PROVIDER, everywhere, names::GITHUB_OIDC_URL, &pipeline_owner);
        }
        claims.claim(sources, IAM_ROLE, everywhere, &names::github_apply_role(&pipeline.name), &pipeline_owner);
        claims.claim(sources, IAM_ROLE, everywhere, &names::github_plan_role(&pipeline.name), &pipeline_owner);
        claims.claim(sources, IAM_POLICY, everywhere, &oidc.boundary_policy, &pipeline_owner);
    }
    // An environment's name ends its jobs' ids: two that meet there would
    // otherwise collide once per block, and be reported at the block.
    for environment in &pipeline.environments {
        let environment_owner = owner(environment.span, format!("environment `{}`", environment.name));
        claims.claim(sources, ENVIRONMENT, &workflow_scope, &environment.name, &environment_owner);
    }
    // Each GitHub environment a job applies in has a plan environment
    // beside it (`NAME-plan`, where the job's runs that only plan go),
    // which must not be another environment that applies.
    let mut github_environments: Vec<(&String, Span)> = Vec::new();
    let targets = pipeline.infras.iter().map(|infra| (&infra.target.environment, infra.span));
    let deploys = pipeline.deploys.iter().map(|deploy| (&deploy.target.environment, deploy.span));
    let builds = pipeline.builds.iter().map(|build| (&build.environment, build.span));
    for (name, span) in targets.chain(deploys).chain(builds) {
        let Some(name) = name else { continue };
        if github_environments.iter().all(|(seen, _)| *seen != name) {
            // Where the name was written: its block, the pipeline's `environment`, or the job's own.
            let span = match pipeline.environments.iter().find(|environment| &environment.name == name) {
                Some(environment) => environment.span,
                None if pipeline.environment.as_ref() == Some(name) => pipeline.span,
                None => span,
            };
            github_environments.push((name, span));
        }
    }
    for (name, span) in github_environments {
        let environment_owner = owner(span, format!("the GitHub environment `{name}`"));
        claims.claim(sources, ENVIRONMENT, &workflow_scope, name, &environment_owner);
        let plan_owner = owner(span, format!("the plan environment of `{name}`"));
        claims.claim(sources, ENVIRONMENT, &workflow_scope, &names::plan_environment(name), &plan_owner);
    }
    // The workflow's own jobs: a `job` id may not take their names.
    let changes_owner = owner(pipeline.span, String::from("the job listing what changed"));
    claims.claim(sources, JOB_ID, &workflow_scope, names::CHANGES_JOB, &changes_owner);
    if pipeline.scan_iac {
        let scan_owner = owner(pipeline.span, String::from("the Terraform scan (`scan iac`)"));
        claims.claim(sources, JOB_ID, &workflow_scope, names::SCAN_IAC_JOB, &scan_owner);
    }
    for build in &pipeline.builds {
        let build_owner = owner(build.span, format!("build `{}`", build.name));
        // Each job comes twice: for the runs that apply, and (`-plan`) for the others.
        let jobs =
            std::iter::once(build.job_id.clone()).chain(names::platform_jobs(build).into_iter().map(|(_, job)| job));
        for job in jobs {
            claims.claim(sources, JOB_ID, &workflow_scope, &job, &build_owner);
            claims.claim(sources, JOB_ID, &workflow_scope, &names::plan_job(&job), &build_owner);
        }
    }
    for infra in &pipeline.infras {
        let infra_owner = owner(infra.span, in_environment(String::from("the infrastructure"), &infra.target));
        claims.claim(sources, JOB_ID, &workflow_scope, &infra.target.job_id, &infra_owner);
        claims.claim(sources, JOB_ID, &workflow_scope, &names::plan_job(&infra.target.job_id), &infra_owner);
        claims.claim(sources, STACK, everywhere, &infra.stack, &infra_owner);
        for object in state_objects(&infra.stack, &infra.state) {
            claims.claim(sources, STATE, everywhere, &object, &infra_owner);
        }
        claims.claim(sources, CONCURRENCY_GROUP, everywhere, &names::concurrency_group(&infra.stack), &infra_owner);
        // Before its IAM role: the name, not the role, is what to change.
        claims.claim(sources, INFRA_NAME, &regional, &infra.name, &infra_owner);
        claims.claim(sources, IAM_ROLE, everywhere, &names::flow_logs_role(&infra.name), &infra_owner);
        for repository in &infra.repositories {
            claims.claim(sources, ECR_REPOSITORY, &regional, repository, &infra_owner);
        }
        if let Some(parameter) = &infra.handoff_parameter {
            claims.claim(sources, SSM_PARAMETER, &regional, parameter, &infra_owner);
        }
        if let Some(exact) = infra.secret.as_ref().and_then(|secret| secret.exact_name.as_ref()) {
            claims.claim(sources, SECRET, &regional, exact, &infra_owner);
        }
    }
    for deploy in &pipeline.deploys {
        let deploy_owner = owner(deploy.span, in_environment(format!("deploy `{}`", deploy.name), &deploy.target));
        let job = &deploy.target.job_id;
        claims.claim(sources, JOB_ID, &workflow_scope, job, &deploy_owner);
        claims.claim(sources, JOB_ID, &workflow_scope, &names::plan_job(job), &deploy_owner);
        claims.claim(sources, STACK, everywhere, &deploy.stack, &deploy_owner);
        for object in state_objects(&deploy.stack, &deploy.state) {
            claims.claim(sources, STATE, everywhere, &object, &deploy_owner);
        }
        claims.claim(sources, CONCURRENCY_GROUP, everywhere, &names::concurrency_group(&deploy.stack), &deploy_owner);
        let service = &deploy.service.name;
        claims.claim(sources, ECS_SERVICE, everywhere, service, &deploy_owner);
        claims.claim(sources, IAM_ROLE, everywhere, &names::task_execution_role(service), &deploy_owner);
        claims.claim(sources, IAM_ROLE, everywhere, &names::task_role(service), &deploy_owner);
        claims.claim(sources, IAM_POLICY, everywhere, &names::execution_policy(service), &deploy_owner);
        routes::claim(claims, sources, deploy, &pipeline.region, &deploy_owner);
        cron::claim(claims, sources, deploy, &format!("region {}", pipeline.region), &deploy_owner);
        let stack_scope = format!("{workflow_scope}/{}", deploy.stack);
        for schedule in deploy.service.scaling.iter().flat_map(|scaling| &scaling.schedules) {
            let schedule_owner = owner(schedule.span, format!("schedule `{}`", schedule.name));
            let label = names::schedule_label(&schedule.name);
            claims.claim(sources, RESOURCE_LABEL, &stack_scope, &label, &schedule_owner);
        }
        // Images reach the job in `env` and the stack in variables: the
        // builds' names must stay apart in both.
        let job_scope = format!("{workflow_scope}/{job}");
        for build in names::built_images(deploy) {
            let Some(owner_build) = pipeline.builds.iter().find(|b| b.name == build) else { continue };
            let build_owner = owner(owner_build.span, format!("build `{}`", owner_build.name));
            claims.claim(sources, ENV_KEY, &job_scope, &names::image_env(deploy, build), &build_owner);
            claims.claim(sources, TERRAFORM_VARIABLE, &job_scope, &names::image_variable(deploy, build), &build_owner);
        }
    }
}

/// The objects a stack's backend writes: `s3://BUCKET/KEY` (bucket names
/// are global, keys exact) and its lock `s3://BUCKET/KEY.tflock`, or the
/// local file's path from the output directory, `.` and empty segments
/// left out (a path is relative to its stack and never holds `..`).
fn state_objects(stack: &str, state: &Backend) -> Vec<String> {
    match state {
        Backend::S3 { bucket, key, .. } => {
            let object = format!("s3://{bucket}/{key}");
            let lock = format!("{object}{}", names::LOCK_OBJECT_SUFFIX);
            vec![object, lock]
        }
        Backend::Local { path } => {
            let parts: Vec<&str> =
                stack.split('/').chain(path.split('/')).filter(|part| !part.is_empty() && *part != ".").collect();
            vec![parts.join("/")]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{plan, Checked};
    use crate::diagnostic::Diagnostic;

    pub(in crate::plan::unique) fn checked<'a>(files: &[&'a str]) -> Vec<Checked<'a>> {
        files
            .iter()
            .enumerate()
            .map(|(index, text)| {
                let file = crate::syntax::parse(text).expect("parses");
                let pipelines = crate::check::check(&file, "test.ecspipe").expect("checks");
                Checked { file: ["a.ecspipe", "b.ecspipe"][index], text, pipelines }
            })
            .collect()
    }

    fn collisions(files: &[&str]) -> Vec<Vec<Diagnostic>> {
        plan(checked(files)).errors
    }

    fn pipeline(name: &str, body: &str) -> String {
        format!("pipeline {name} {{\n  region us-east-2\n  role secret.R\n{body}}}\n")
    }

    const DEPLOY: &str = "  deploy DEPLOY {\n    stack \"stacks/DEPLOY\"\n    state local\n    infra ssm \"/p/output\"\n    service SERVICE {\n      container app { image \"nginx:1.27\" }\n    }\n  }\n";

    fn deploy(name: &str, service: &str) -> String {
        DEPLOY.replace("DEPLOY", name).replace("SERVICE", service)
    }

    #[test]
    fn builds_whose_job_ids_differ_in_case_or_dashes_collide() {
        let text = pipeline("p", "  build web { repository web }\n  build Web { repository web2 }\n");
        let errors = collisions(&[&text]);
        assert_eq!(errors[0].len(), 1);
        assert!(errors[0][0].message.contains("both use the job id `build-Web`"), "{}", errors[0][0].message);
        assert_eq!(errors[0][0].notes.len(), 1);

        let text = pipeline("p", "  build edge-proxy { repository aa }\n  build edge_proxy { repository bb }\n");
        assert_eq!(collisions(&[&text])[0].len(), 1);
    }

    #[test]
    fn one_service_name_in_two_files_collides_once_with_a_note_in_the_first() {
        let first = pipeline("a", &deploy("web", "shop"));
        let second = pipeline("b", &deploy("api", "shop"));
        let errors = collisions(&[&first, &second]);
        assert!(errors[0].is_empty());
        assert_eq!(errors[1].len(), 1, "{:?}", errors[1]);
        let error = &errors[1][0];
        assert!(error.message.contains("ECS service name `shop`"), "{}", error.message);
        assert_eq!(error.elsewhere.len(), 1);
        assert_eq!(error.elsewhere[0].file, "a.ecspipe");
    }

    #[test]
    fn images_of_builds_whose_names_meet_collide_in_env_and_variables() {
        let builds = "  build edge-proxy { repository aa  job one }\n  build edge_proxy { repository bb  job two }\n";
        let service = "  deploy web {\n    state local\n    infra ssm \"/p/output\"\n    service web {\n      container a { image build.edge-proxy }\n      container b { image build.edge_proxy }\n    }\n  }\n";
        let errors = collisions(&[&pipeline("p", &format!("{builds}{service}"))]);
        assert_eq!(errors[0].len(), 1, "{:?}", errors[0]);
        assert!(
            errors[0][0].message.contains("both use the `env` key `IMAGE_ID_EDGE_PROXY`"),
            "{}",
            errors[0][0].message
        );
    }

    fn infra(region: &str, stack: &str, state: &str, repository: &str) -> String {
        format!(
            "pipeline {repository} {{\n  region {region}\n  role secret.R\n  infra {{\n    stack {stack}\n    state {state}\n    name {repository}\n    handoff ssm \"/shared/output\"\n  }}\n  build web {{ repository {repository} }}\n}}\n"
        )
    }

    #[test]
    fn a_state_object_that_is_another_stacks_lock_collides() {
        // The checker refuses keys ending in `.tflock`; the plan compares
        // lock objects too, so no other way to a key can meet one.
        let (a, b) = (
            infra("us-east-2", "a/infra", "s3 bucket \"acme-state\" key \"infra.tfstate\"", "aa"),
            infra("eu-west-1", "b/infra", "s3 bucket \"acme-state\" key \"other.tfstate\"", "bb"),
        );
        let mut inputs = checked(&[&a, &b]);
        let crate::model::Backend::S3 { key, .. } = &mut inputs[1].pipelines[0].infras[0].state else {
            panic!("an S3 backend")
        };
        *key = String::from("infra.tfstate.tflock");
        let errors = plan(inputs).errors;
        assert!(errors[0].is_empty());
        assert_eq!(errors[1].len(), 1, "{:?}", errors[1]);
        assert!(
            errors[1][0].message.contains("Terraform state `s3://acme-state/infra.tfstate.tflock`"),
            "{}",
            errors[1][0].message
        );
    }

    #[test]
    fn one_state_object_in_two_files_collides() {
        let state = "s3 bucket \"acme-state\" key \"infra.tfstate\"";
        let errors =
            collisions(&[&infra("us-east-2", "a/infra", state, "aa"), &infra("eu-west-1", "b/infra", state, "bb")]);
        assert!(errors[0].is_empty());
        assert_eq!(errors[1].len(), 1, "{:?}", errors[1]);
        assert!(
            errors[1][0].message.contains("Terraform state `s3://acme-state/infra.tfstate`"),
            "{}",
            errors[1][0].message
        );
        assert_eq!(errors[1][0].elsewhere[0].file, "a.ecspipe");
        // Another key in the same bucket is another object.
        let other = "s3 bucket \"acme-state\" key \"b/infra.tfstate\"";
        let errors =
            collisions(&[&infra("us-east-2", "a/infra", state, "aa"), &infra("eu-west-1", "b/infra", other, "bb")]);
        assert!(errors.iter().all(Vec::is_empty), "{errors:?}");
    }

    #[test]
    fn regional_names_meet_only_in_one_region() {
        // The same repository and handoff parameter (state: local, each in
        // its own stack) in two regions: each region has its own.
        let first = infra("us-east-2", "a/infra", "local", "shop").replace("pipeline shop", "pipeline one");
        let second = infra("eu-west-1", "b/infra", "local", "shop")
            .replace("pipeline shop", "pipeline two")
            .replace("name shop", "name shop2");
        assert!(collisions(&[&first, &second]).iter().all(Vec::is_empty));
        // In one region, the repository meets.
        let second = second.replace("eu-west-1", "us-east-2");
        let errors = collisions(&[&first, &second]);
        assert!(errors[1][0].message.contains("ECR repository `shop`"), "{}", errors[1][0].message);
        // One infrastructure name in two regions meets in IAM, which is
        // global; in one region, as the infrastructure's name.
        let second = infra("eu-west-1", "b/infra", "local", "other").replace("name other", "name shop");
        let errors = collisions(&[&first, &second]);
        assert!(errors[1][0].message.contains("IAM role `shop-flow-logs`"), "{}", errors[1][0].message);
        let errors = collisions(&[&first, &second.replace("eu-west-1", "us-east-2")]);
        assert!(errors[1][0].message.contains("infrastructure name `shop`"), "{}", errors[1][0].message);
    }

    #[test]
    fn distinct_names_plan_cleanly() {
        let text = pipeline("p", &format!("{}{}", deploy("web", "web"), deploy("api", "api")));
        assert!(collisions(&[&text])[0].is_empty());
    }
}
