//! Scheduled jobs' IAM, evaluated: the policy of a job's scheduler role and
//! the bootstrap's boundary, read from `ecspipe debug ir --format json`, are
//! resolved with the values Terraform would fill in and asked, like IAM
//! does, whether a request is allowed. The scheduler role may pass exactly
//! the job's two roles, to ECS tasks only; start only the job's task
//! definition, in the service's cluster; send only to the job's queue.

use std::path::Path;

use serde_json::Value;

use crate::support::*;

const PIPELINE: &str = r#"
pipeline shop {
  region us-east-2
  role secret.APPLY plan secret.PLAN
  on push branches [main]
  oidc {
    repository "acme/shop"
    state s3 bucket "shop-state" key "bootstrap.tfstate"
  }
  build web { repository shop-web }
  infra {
    state s3 bucket "shop-state" key "infra.tfstate"
    endpoints [ecr.api, ecr.dkr, logs, secretsmanager, s3]
  }
  deploy web {
    state s3 bucket "shop-state" key "web.tfstate"
    service web {
      container app { image build.web  port 8080 }
      cron nightly {
        when     "cron(0 3 * * ? *)"
        timezone "Europe/Berlin"
        command  ["bin/report"]
      }
    }
  }
  deploy admin {
    state s3 bucket "shop-state" key "admin.tfstate"
    service admin {
      container app { image build.web  port 8080 }
    }
  }
}
"#;

const ACCOUNT: &str = "111122223333";
const BOUNDARY: &str = "arn:aws:iam::111122223333:policy/shop-github-boundary";
const CLUSTER: &str = "arn:aws:ecs:us-east-2:111122223333:cluster/shop";

fn role(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:role/{name}")
}

/// What Terraform fills in for the references the policies make.
fn resolve(root: &str, service: &str) -> String {
    match root {
        "data.aws_partition.current.partition" => String::from("aws"),
        "var.region" => String::from("us-east-2"),
        "data.aws_caller_identity.current.account_id" => String::from(ACCOUNT),
        "var.name" => service.to_owned(),
        "aws_iam_role.task.arn" => role(&format!("{service}-task-role")),
        "aws_iam_role.execution.arn" => role(&format!("{service}-task-execution-role")),
        "data.aws_ecs_cluster.cron.arn" => String::from(CLUSTER),
        "aws_iam_policy.boundary.arn" => String::from(BOUNDARY),
        other => panic!("a reference the test does not know: {other}"),
    }
}

/// An IR value (a string, a reference, a template) as the text it becomes.
fn text(value: &Value, service: &str) -> String {
    if let Some(text) = value.as_str() {
        return text.to_owned();
    }
    if let Some(reference) = value.get("reference") {
        return resolve(reference["root"].as_str().expect("a root"), service);
    }
    let parts = value["template"].as_array().unwrap_or_else(|| panic!("a template: {value}"));
    parts
        .iter()
        .map(|part| match (part.get("text"), part.get("interpolation")) {
            (Some(text), _) => text.as_str().expect("text").to_owned(),
            (_, Some(reference)) => resolve(reference["root"].as_str().expect("a root"), service),
            _ => panic!("a template part: {part}"),
        })
        .collect()
}

fn texts(value: &Value, service: &str) -> Vec<String> {
    value.as_array().expect("a list").iter().map(|v| text(v, service)).collect()
}

/// IAM's wildcard match: `*` any run of characters, `?` one.
fn matches(pattern: &str, value: &str) -> bool {
    fn go(p: &[u8], v: &[u8]) -> bool {
        match (p.first(), v.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], v) || (!v.is_empty() && go(p, &v[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &v[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &v[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), value.as_bytes())
}

/// Whether the statements allow `action` on `resource` with `context`
/// (condition key, value); every condition of a statement must hold.
fn allowed(statements: &[Value], service: &str, action: &str, resource: &str, context: &[(&str, &str)]) -> bool {
    statements.iter().any(|statement| {
        let acts = texts(&statement["actions"], service).iter().any(|a| matches(a, action));
        let on = texts(&statement["resources"], service).iter().any(|r| matches(r, resource));
        let conditions = statement["conditions"].as_array().cloned().unwrap_or_default();
        let hold = conditions.iter().all(|condition| {
            let key = condition["variable"].as_str().expect("a key");
            let test = condition["test"].as_str().expect("a test");
            assert!(["StringEquals", "ArnEquals"].contains(&test), "an operator the test evaluates: {test}");
            let values = texts(&condition["values"], service);
            context.iter().any(|(k, v)| *k == key && values.iter().any(|value| value == v))
        });
        acts && on && hold
    })
}

fn ir(dir: &Path) -> Value {
    std::fs::write(dir.join("shop.ecspipe"), PIPELINE).expect("write");
    let run = ecspipe(dir, &["debug", "ir", "shop.ecspipe", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).expect("JSON")
}

#[test]
fn the_scheduler_role_passes_only_the_jobs_two_roles() {
    let dir = assert_fs::TempDir::new().expect("temp dir");
    let ir = ir(dir.path());
    let stack = ir["programs"][0]["stacks"]
        .as_array()
        .expect("stacks")
        .iter()
        .find(|stack| stack["name"] == "web")
        .expect("the web stack")
        .clone();
    let jobs = stack["cron"]["jobs"].as_array().expect("jobs");
    assert_eq!(jobs.len(), 1);
    let policy = jobs[0]["statements"].as_array().expect("statements").clone();
    let to_ecs = [("iam:PassedToService", "ecs-tasks.amazonaws.com")];
    let pass = |arn: &str, context: &[(&str, &str)]| allowed(&policy, "web", "iam:PassRole", arn, context);

    assert!(pass(&role("web-task-role"), &to_ecs), "the job's task role");
    assert!(pass(&role("web-task-execution-role"), &to_ecs), "the job's execution role");
    for other in [
        "web-nightly-scheduler",
        "admin-task-role",
        "admin-task-execution-role",
        "shop-github-apply",
        "web-task-role-2",
        "OrganizationAccountAccessRole",
    ] {
        assert!(!pass(&role(other), &to_ecs), "{other} is not the job's");
    }
    assert!(!pass(&role("web-task-role"), &[("iam:PassedToService", "ec2.amazonaws.com")]), "only to ECS tasks");
    assert!(!pass(&role("web-task-role"), &[]), "only with the service named");

    let run = |definition: &str, cluster: &str| {
        allowed(&policy, "web", "ecs:RunTask", definition, &[("ecs:cluster", cluster)])
    };
    let family = "arn:aws:ecs:us-east-2:111122223333:task-definition/web-nightly";
    assert!(run(&format!("{family}:7"), CLUSTER), "any revision of the job's family");
    assert!(!run(&format!("{family}:7"), "arn:aws:ecs:us-east-2:111122223333:cluster/other"), "in its cluster only");
    assert!(!run("arn:aws:ecs:us-east-2:111122223333:task-definition/web:7", CLUSTER), "not the service's");
    assert!(!run("arn:aws:ecs:us-east-2:111122223333:task-definition/web-nightly-2:1", CLUSTER), "not a look-alike");

    let queue = "arn:aws:sqs:us-east-2:111122223333:web-nightly-dead-letter";
    assert!(allowed(&policy, "web", "sqs:SendMessage", queue, &[]));
    assert!(!allowed(&policy, "web", "sqs:SendMessage", "arn:aws:sqs:us-east-2:111122223333:web-orders", &[]));
    for action in ["iam:CreateRole", "ecs:StartTask", "sts:AssumeRole", "sqs:ReceiveMessage"] {
        assert!(!allowed(&policy, "web", action, "*", &[]), "{action}");
    }
}

#[test]
fn the_boundary_and_the_apply_role_know_the_scheduler_roles() {
    let dir = assert_fs::TempDir::new().expect("temp dir");
    let ir = ir(dir.path());
    let bootstrap = &ir["programs"][0]["bootstrap"];
    let boundary = bootstrap["boundary"].as_array().expect("boundary statements").clone();
    let to_ecs = [("iam:PassedToService", "ecs-tasks.amazonaws.com")];
    // The boundary caps what the job's role can pass at the pipeline's task roles.
    assert!(allowed(&boundary, "", "iam:PassRole", &role("web-task-role"), &to_ecs));
    assert!(allowed(&boundary, "", "iam:PassRole", &role("web-task-execution-role"), &to_ecs));
    assert!(!allowed(&boundary, "", "iam:PassRole", &role("shop-github-apply"), &to_ecs));
    assert!(!allowed(&boundary, "", "iam:PassRole", &role("web-nightly-scheduler"), &to_ecs));
    let family = "arn:aws:ecs:us-east-2:111122223333:task-definition/web-nightly:1";
    assert!(allowed(&boundary, "", "ecs:RunTask", family, &[]));
    let queue = "arn:aws:sqs:us-east-2:111122223333:web-nightly-dead-letter";
    assert!(allowed(&boundary, "", "sqs:SendMessage", queue, &[]));

    // The apply role creates the scheduler role under the boundary and
    // passes it to Scheduler only.
    let apply = bootstrap["apply_iam"].as_array().expect("apply_iam").clone();
    let scheduler = role("web-nightly-scheduler");
    assert!(allowed(&apply, "", "iam:PassRole", &scheduler, &[("iam:PassedToService", "scheduler.amazonaws.com")]));
    assert!(!allowed(&apply, "", "iam:PassRole", &scheduler, &to_ecs), "not to ECS tasks");
    assert!(!allowed(&apply, "", "iam:CreateRole", &scheduler, &[]), "not without the boundary");
    assert!(allowed(&apply, "", "iam:CreateRole", &scheduler, &[("iam:PermissionsBoundary", BOUNDARY)]));
}

#[test]
fn the_scheduler_role_carries_the_boundary_and_trusts_scheduler_for_the_account() {
    let dir = assert_fs::TempDir::new().expect("temp dir");
    std::fs::write(dir.path().join("shop.ecspipe"), PIPELINE).expect("write");
    let run = ecspipe(dir.path(), &["build", "shop.ecspipe"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let cron = std::fs::read_to_string(dir.path().join("deploy/web/cron.tf")).expect("deploy/web/cron.tf");
    let role = &cron[cron.find("resource \"aws_iam_role\" \"cron_nightly\"").expect("the role")..];
    let role = &role[..role.find("\n}\n").expect("its end")];
    assert!(role.contains("permissions_boundary = \"arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:policy/shop-github-boundary\""), "{role}");
    let trust = &cron[cron.find("data \"aws_iam_policy_document\" \"cron_assume\"").expect("the trust")..];
    let trust = &trust[..trust.find("\n}\n").expect("its end")];
    assert!(trust.contains("identifiers = [\"scheduler.amazonaws.com\"]"), "{trust}");
    assert!(trust.contains("variable = \"aws:SourceAccount\""), "{trust}");
    assert!(!dir.path().join("deploy/admin/cron.tf").exists(), "a service without jobs has no cron.tf");
}
