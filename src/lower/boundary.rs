//! The bootstrap's IAM: the permissions boundary every role of the
//! pipeline's stacks carries, and the apply role's IAM statements, which
//! create and change those roles only under that boundary.
//!
//! `PowerUserAccess` leaves IAM out, so the apply role gets IAM on exactly
//! the stacks' roles and policies. Unconditioned, that would be a path to
//! administrator: attach `AdministratorAccess` to a task role, make it
//! trust the apply role, assume it. With the boundary required on every
//! role it creates or changes, and only the pipeline's own policies
//! attachable, a role the apply role controls can do no more than the
//! boundary allows: what the stacks' roles need.

use super::containers::{iam_arn, regional_arn, scalar};
use super::cron::{scheduler_statements, Naming};
use super::iam::{condition, execution_statements, statement, task_statements, PolicyStatement};
use super::output::{Hcl, HclRef, Template, PARTITION};
use super::queue::known_queue;
use crate::model::*;
use crate::plan::names;

/// An AWS managed policy's ARN.
fn managed_policy_arn(name: &str) -> Hcl {
    Hcl::template(Template::new().text("arn:").interpolate(PARTITION).text(":iam::aws:policy/").text(name))
}

/// The boundary's ARN, for every role the stacks of a pipeline with an
/// `oidc` block create; without one, the user manages the roles' limits.
pub(super) fn permissions_boundary(pipeline: &Pipeline) -> Option<Hcl> {
    pipeline.oidc.as_ref().map(|oidc| iam_arn(&format!("policy/{}", oidc.boundary_policy)))
}

/// The boundary policy in the bootstrap stack, as its statements name it.
const BOUNDARY: HclRef = HclRef::fixed("aws_iam_policy.boundary.arn");

/// The apply role's IAM statements.
pub(super) fn apply_iam_statements(oidc: &Oidc) -> Vec<PolicyStatement> {
    let role = |name: &String| iam_arn(&format!("role/{name}"));
    let task_roles: Vec<Hcl> = oidc.task_roles.iter().map(role).collect();
    let scheduler_roles: Vec<Hcl> = oidc.scheduler_roles.iter().map(role).collect();
    let flow_logs_roles: Vec<Hcl> = oidc.flow_logs_roles.iter().map(role).collect();
    let codedeploy_roles: Vec<Hcl> = oidc.codedeploy_roles.iter().map(role).collect();
    let roles: Vec<Hcl> =
        task_roles.iter().chain(&scheduler_roles).chain(&flow_logs_roles).chain(&codedeploy_roles).cloned().collect();
    let policies: Vec<Hcl> = oidc.iam_policies.iter().map(|name| iam_arn(&format!("policy/{name}"))).collect();
    let under_boundary = || condition("StringEquals", "iam:PermissionsBoundary", vec![Hcl::reference(BOUNDARY)]);
    let passed_to = |service: &str| condition("StringEquals", "iam:PassedToService", vec![Hcl::str(service)]);

    let mut statements = Vec::new();
    if roles.is_empty() {
        return statements;
    }
    let read = [
        "iam:GetPolicy",
        "iam:GetPolicyVersion",
        "iam:GetRole",
        "iam:GetRolePolicy",
        "iam:ListAttachedRolePolicies",
        "iam:ListInstanceProfilesForRole",
        "iam:ListPolicyVersions",
        "iam:ListRolePolicies",
    ];
    statements.push(statement(
        "ReadThePipelinesRolesAndPolicies",
        &read,
        roles.iter().chain(&policies).cloned().collect(),
    ));
    if !policies.is_empty() {
        let manage = [
            "iam:CreatePolicy",
            "iam:CreatePolicyVersion",
            "iam:DeletePolicy",
            "iam:DeletePolicyVersion",
            "iam:TagPolicy",
            "iam:UntagPolicy",
        ];
        statements.push(statement("ManageThePipelinesPolicies", &manage, policies.clone()));
    }
    // What cannot add permissions: a role's trust is edited only on the
    // pipeline's roles, whose boundary caps whoever assumes them.
    let lifecycle = ["iam:DeleteRole", "iam:TagRole", "iam:UntagRole", "iam:UpdateAssumeRolePolicy", "iam:UpdateRole"];
    statements.push(statement("ManageThePipelinesRoles", &lifecycle, roles.clone()));
    let change = [
        "iam:CreateRole",
        "iam:DeleteRolePolicy",
        "iam:DetachRolePolicy",
        "iam:PutRolePermissionsBoundary",
        "iam:PutRolePolicy",
    ];
    let mut change = statement("ChangeRolesOnlyUnderTheBoundary", &change, roles.clone());
    change.conditions.push(under_boundary());
    statements.push(change);
    if !task_roles.is_empty() {
        let mut attachable = policies.clone();
        attachable.push(managed_policy_arn(names::TASK_EXECUTION_MANAGED_POLICY));
        let mut attach = statement("AttachOnlyThePipelinesPolicies", &["iam:AttachRolePolicy"], task_roles.clone());
        attach.conditions.push(under_boundary());
        attach.conditions.push(condition("ArnEquals", "iam:PolicyARN", attachable));
        statements.push(attach);
        let mut pass = statement("PassRolesToEcsTasks", &["iam:PassRole"], task_roles);
        pass.conditions.push(passed_to("ecs-tasks.amazonaws.com"));
        statements.push(pass);
    }
    if !scheduler_roles.is_empty() {
        let mut pass = statement("PassRolesToScheduler", &["iam:PassRole"], scheduler_roles);
        pass.conditions.push(passed_to("scheduler.amazonaws.com"));
        statements.push(pass);
    }
    if !flow_logs_roles.is_empty() {
        let mut pass = statement("PassRolesToVpcFlowLogs", &["iam:PassRole"], flow_logs_roles);
        pass.conditions.push(passed_to("vpc-flow-logs.amazonaws.com"));
        statements.push(pass);
    }
    if !codedeploy_roles.is_empty() {
        let mut pass = statement("PassRolesToCodeDeploy", &["iam:PassRole"], codedeploy_roles);
        pass.conditions.push(passed_to("codedeploy.amazonaws.com"));
        statements.push(pass);
    }
    statements
}

/// The boundary: the union of what the stacks' roles are granted, with the
/// resources the bootstrap can name. A value the pipeline's own
/// infrastructure hands over is named as that stack names it; any other
/// (the handoff of another pipeline, or a key the stack does not name)
/// becomes every resource of its service in the account and region.
pub(super) fn boundary_statements(pipeline: &Pipeline) -> Vec<PolicyStatement> {
    let mut boundary = Boundary::default();
    if !pipeline.deploys.is_empty() {
        // AmazonECSTaskExecutionRolePolicy: the token cannot be scoped.
        boundary.add("Execution", statement("EcrLogIn", &["ecr:GetAuthorizationToken"], vec![Hcl::str("*")]));
    }
    for deploy in &pipeline.deploys {
        let known = known_handoff(pipeline, deploy);
        let queue = known_queue(&deploy.service, regional_arn);
        let resolve = |reference: &HclRef| {
            if let Some((_, value)) = queue.iter().find(|(known, _)| known == reference) {
                return Some(value.clone());
            }
            let key = reference.handoff_key()?;
            known.iter().find(|(k, _)| *k == key).map(|(_, value)| value.clone())
        };
        let mut add = |role: &str, mut each: PolicyStatement| {
            each.resources = each.resources.resolved(&resolve);
            boundary.add(role, each);
        };
        let repositories = image_repositories(pipeline, deploy);
        if !repositories.is_empty() {
            let pull = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];
            add("Execution", statement("PullImages", &pull, repositories));
        }
        let log_group = match &deploy.service.log_group {
            Scalar::Text(name) => Hcl::template(regional_arn("logs").text("log-group:").text(name).text(":*")),
            Scalar::Infra(key) => Hcl::template(
                regional_arn("logs").text("log-group:").interpolate(HclRef::handoff(key.clone())).text(":*"),
            ),
            // Not a log group the bootstrap can name.
            Scalar::Region | Scalar::Queue(_) => scalar(&Scalar::Infra(String::new())),
        };
        add("Execution", statement("WriteLogs", &["logs:CreateLogStream", "logs:PutLogEvents"], vec![log_group]));
        for each in execution_statements(deploy) {
            add("Execution", each);
        }
        for each in task_statements(deploy) {
            add("Task", each);
        }
        if deploy.service.deployment.blue_green.is_some() {
            for each in super::bluegreen::codedeploy_statements(deploy) {
                add("CodeDeploy", each);
            }
        }
        let naming = Planned(&deploy.service.name);
        for job in &deploy.service.cron {
            for each in scheduler_statements(&job.name, &naming) {
                add("Scheduler", each);
            }
        }
    }
    for infra in &pipeline.infras {
        let group = regional_arn("logs").text("log-group:").text(&names::flow_logs_group(&infra.name)).text(":*");
        let write = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"];
        boundary.add("FlowLogs", statement("WriteFlowLogs", &write, vec![Hcl::template(group)]));
    }
    boundary.statements
}

/// A scheduler role's statements as the bootstrap names them: by the
/// planned service name; any cluster.
struct Planned<'a>(&'a str);

impl Naming for Planned<'_> {
    fn name(&self, template: Template, job: &str, suffix: &str) -> Template {
        template.text(self.0).text("-").text(job).text(suffix)
    }
    fn roles(&self) -> Vec<Hcl> {
        [names::task_role(self.0), names::task_execution_role(self.0)]
            .iter()
            .map(|name| iam_arn(&format!("role/{name}")))
            .collect()
    }
    fn cluster(&self) -> Option<Hcl> {
        None
    }
}

/// The handed-over values the bootstrap can name: those of the pipeline's
/// own infrastructure stack, when the deploy reads that one's handoff (from
/// its state or its parameter). A key's id is random: any key of the
/// account and region.
fn known_handoff(pipeline: &Pipeline, deploy: &Deploy) -> Vec<(&'static str, Template)> {
    let infra = match &deploy.infra {
        InfraSource::Stack { stack, .. } => pipeline.infras.iter().find(|infra| &infra.stack == stack),
        InfraSource::Ssm { parameter } => {
            pipeline.infras.iter().find(|infra| infra.handoff_parameter.as_ref() == Some(parameter))
        }
        InfraSource::Literal(_) => None,
    };
    let Some(infra) = infra else { return Vec::new() };
    let mut known = vec![
        ("cloud_watch_log_group_name", Template::new().text(&names::app_log_group(&infra.name))),
        ("kms_arn", regional_arn("kms").text("key/*")),
    ];
    if let Some(secret) = &infra.secret {
        // Secrets Manager appends `-` and six random characters.
        let name = names::infra_secret(&infra.name, secret);
        known.push(("secret_arn", regional_arn("secretsmanager").text("secret:").text(&name).text("-??????")));
    }
    if infra.file_system.is_some() {
        // EFS names its file systems `fs-` and random characters.
        known.push(("file_system_id", Template::new().text("fs-*")));
    }
    known
}

/// The ECR repositories a deploy's images come from: the builds' own, and
/// any image written as an ECR URI. Other registries need no IAM.
fn image_repositories(pipeline: &Pipeline, deploy: &Deploy) -> Vec<Hcl> {
    let mut repositories: Vec<Hcl> = Vec::new();
    for container in &deploy.service.containers {
        let arn = match &container.image {
            Image::Build(name) => pipeline
                .builds
                .iter()
                .find(|build| &build.name == name)
                .map(|build| Hcl::template(regional_arn("ecr").text("repository/").text(&build.repository))),
            Image::Uri(uri) => ecr_repository(uri),
        };
        if let Some(arn) = arn.filter(|arn| !repositories.contains(arn)) {
            repositories.push(arn);
        }
    }
    repositories
}

/// `ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO[:TAG][@DIGEST]` as the
/// repository's ARN.
fn ecr_repository(uri: &str) -> Option<Hcl> {
    let (host, path) = uri.split_once('/')?;
    let parts: Vec<&str> = host.split('.').collect();
    if parts.len() < 5 || parts[1] != "dkr" || parts[2] != "ecr" {
        return None;
    }
    let path = path.split('@').next().unwrap_or(path);
    let repository = match path.rsplit_once(':') {
        Some((repository, tag)) if !tag.contains('/') => repository,
        _ => path,
    };
    let arn = Template::new()
        .text("arn:")
        .interpolate(PARTITION)
        .text(":ecr:")
        .text(parts[3])
        .text(":")
        .text(parts[0])
        .text(":repository/")
        .text(repository);
    Some(Hcl::template(arn))
}

/// Statements merged as they come: one with the actions and conditions of
/// an earlier one adds its resources to it.
#[derive(Default)]
struct Boundary {
    statements: Vec<PolicyStatement>,
}

impl Boundary {
    fn add(&mut self, role: &str, statement: PolicyStatement) {
        let statement = portable(statement);
        if let Some(same) =
            self.statements.iter_mut().find(|s| s.actions == statement.actions && s.conditions == statement.conditions)
        {
            if let (Hcl::List(have), Hcl::List(more)) = (&mut same.resources, statement.resources) {
                for resource in more {
                    if !have.contains(&resource) {
                        have.push(resource);
                    }
                }
            }
            return;
        }
        let base = format!("{role}{}", statement.sid);
        let mut sid = base.clone();
        let mut counter = 2;
        while self.statements.iter().any(|s| s.sid == sid) {
            sid = format!("{base}{counter}");
            counter += 1;
        }
        self.statements.push(PolicyStatement { sid, ..statement });
    }
}

/// The statement with each resource the bootstrap cannot name (one the
/// infrastructure hands over) replaced by every resource of the actions'
/// services in the account and region.
fn portable(mut statement: PolicyStatement) -> PolicyStatement {
    let Hcl::List(resources) = &statement.resources else { return statement };
    if resources.iter().all(Hcl::portable) {
        statement.conditions.retain(|c| c.values.portable());
        return statement;
    }
    let mut kept: Vec<Hcl> = resources.iter().filter(|r| r.portable()).cloned().collect();
    let actions: Vec<&str> = match &statement.actions {
        Hcl::List(items) => {
            items.iter().filter_map(|a| if let Hcl::Str(a) = a { Some(a.as_str()) } else { None }).collect()
        }
        _ => Vec::new(),
    };
    for action in actions {
        let service = action.split(':').next().unwrap_or("*");
        let any = match service {
            "*" => Hcl::str("*"),
            "s3" => Hcl::template(Template::new().text("arn:").interpolate(PARTITION).text(":s3:::*")),
            "iam" => iam_arn("*"),
            service => Hcl::template(regional_arn(service).text("*")),
        };
        if !kept.contains(&any) {
            kept.push(any);
        }
    }
    statement.resources = Hcl::List(kept);
    statement.conditions.retain(|c| c.values.portable());
    statement
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lower::output::{HclExpr, TemplatePart};

    fn texts(hcl: &Hcl) -> String {
        match hcl {
            Hcl::Expr(HclExpr::Template(parts)) => parts
                .iter()
                .map(|part| match part {
                    TemplatePart::Text(text) => text.clone(),
                    TemplatePart::Interpolation(_) => String::from("${}"),
                })
                .collect(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn an_ecr_image_names_its_repository() {
        let arn = ecr_repository("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:1.2@sha256:abc").expect("ECR");
        assert_eq!(texts(&arn), "arn:${}:ecr:eu-west-1:123456789012:repository/team/api");
        let arn = ecr_repository("123456789012.dkr.ecr.eu-west-1.amazonaws.com/api").expect("ECR");
        assert_eq!(texts(&arn), "arn:${}:ecr:eu-west-1:123456789012:repository/api");
        assert!(ecr_repository("public.ecr.aws/nginx/nginx:1.27").is_none());
        assert!(ecr_repository("ghcr.io/acme/api:1").is_none());
    }

    #[test]
    fn a_handed_over_resource_becomes_its_service_in_the_account_and_region() {
        let handed = Hcl::reference(HclRef::handoff("secret_arn"));
        let mut allow = statement("Allow1", &["secretsmanager:GetSecretValue", "s3:GetObject"], vec![handed]);
        allow.conditions.push(condition("StringEquals", "kms:ViaService", vec![Hcl::str("secretsmanager.x")]));
        let widened = portable(allow);
        let Hcl::List(resources) = &widened.resources else { panic!("a list") };
        let resources: Vec<String> = resources.iter().map(texts).collect();
        assert_eq!(resources, ["arn:${}:secretsmanager:${}:${}:*", "arn:${}:s3:::*"]);
        assert_eq!(widened.conditions.len(), 1, "the condition stays");
        assert!(widened.resources.portable());
    }
}
