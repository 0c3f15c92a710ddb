//! The bootstrap's roles, read from what `ecspipe debug model|ir --format
//! json` writes and from the built stacks: the apply role's trust pins the
//! apply branches and the workflow file (one list, in the model, that the
//! template renders), its IAM can only create and change roles under the
//! permissions boundary, and every role the stacks create carries it.

use std::path::Path;

use serde_json::Value;

use crate::support::*;

/// Applies from `main` and `release`, runs its jobs in environments, and
/// names its workflow file apart from the pipeline.
const PIPELINE: &str = r#"
pipeline shop {
  region us-east-2
  role secret.APPLY plan secret.PLAN
  workflow "shop-deploy.yml"
  on push branches [main, release]
  on pull_request
  oidc {
    repository "acme/shop"
    state s3 bucket "shop-state" key "bootstrap.tfstate"
  }
  environments {
    dev { }
    prod { after dev }
  }
  build web { repository shop-web }
  infra {
    state s3 bucket "shop-state" key "infra.tfstate"
    endpoints [ecr.api, ecr.dkr, logs, secretsmanager, s3, sqs]
  }
  deploy web {
    state s3 bucket "shop-state" key "web.tfstate"
    apply on release
    service web {
      container app { image build.web  port 8080 }
      allow ["sqs:SendMessage"] on ["arn:aws:sqs:us-east-2:123456789012:shop-orders"]
    }
  }
}
"#;

const CLAIM: &str = "token.actions.githubusercontent.com:";

/// The JSON of `ecspipe debug STAGE shop.ecspipe`.
fn debug(dir: &Path, stage: &str) -> Value {
    let run = ecspipe(dir, &["debug", stage, "shop.ecspipe", "--format", "json"]);
    assert_eq!(run.code, 0, "debug {stage}:\n{}", run.stderr);
    serde_json::from_str(&run.stdout).expect("JSON")
}

fn written() -> assert_fs::TempDir {
    let dir = assert_fs::TempDir::new().expect("temp dir");
    std::fs::write(dir.path().join("shop.ecspipe"), PIPELINE).expect("write");
    dir
}

fn strings(value: &Value) -> Vec<String> {
    value.as_array().expect("an array").iter().map(|v| v.as_str().expect("a string").to_owned()).collect()
}

/// The values a trust list accepts for `claim`, after checking that it
/// compares them exactly.
fn trusted(trust: &Value, claim: &str) -> Vec<String> {
    let variable = format!("{CLAIM}{claim}");
    let found: Vec<&Value> = trust.as_array().expect("a list").iter().filter(|c| c["variable"] == *variable).collect();
    assert_eq!(found.len(), 1, "one condition on {claim}: {trust}");
    assert_eq!(found[0]["test"], "StringEquals", "{claim} compared exactly");
    strings(&found[0]["values"])
}

#[test]
fn the_apply_trust_pins_the_apply_branches_and_the_workflow_file() {
    let dir = written();
    let model = debug(dir.path(), "model");
    let trust = &model["pipelines"][0]["oidc"]["apply_trust"];
    assert_eq!(trusted(trust, "aud"), ["sts.amazonaws.com"]);
    assert_eq!(trusted(trust, "ref"), ["refs/heads/main", "refs/heads/release"]);
    assert_eq!(
        trusted(trust, "job_workflow_ref"),
        [
            "acme/shop/.github/workflows/shop-deploy.yml@refs/heads/main",
            "acme/shop/.github/workflows/shop-deploy.yml@refs/heads/release",
        ]
    );
    assert_eq!(
        trusted(trust, "sub"),
        [
            "repo:acme/shop:ref:refs/heads/main",
            "repo:acme/shop:ref:refs/heads/release",
            "repo:acme/shop:environment:dev",
            "repo:acme/shop:environment:prod",
        ]
    );
    assert_eq!(trust.as_array().map(Vec::len), Some(4), "aud, sub, ref and job_workflow_ref: {trust}");
    // The workflow the token names is the file the build writes.
    let run = ecspipe(dir.path(), &["build", "shop.ecspipe"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(dir.path().join(".github/workflows/shop-deploy.yml").is_file());
}

#[test]
fn the_bootstrap_renders_the_models_trust_and_nothing_else() {
    let dir = written();
    let model = debug(dir.path(), "model");
    let ir = debug(dir.path(), "ir");
    let from_model = &model["pipelines"][0]["oidc"]["apply_trust"];
    let rendered = &ir["programs"][0]["bootstrap"]["apply_trust"];
    assert_eq!(from_model, rendered, "the IR carries the model's list as it is");
    let run = ecspipe(dir.path(), &["build", "shop.ecspipe"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let oidc = std::fs::read_to_string(dir.path().join("bootstrap/oidc.tf")).expect("bootstrap/oidc.tf");
    let start = oidc.find("data \"aws_iam_policy_document\" \"apply_trust\"").expect("the apply trust");
    let block = &oidc[start..start + oidc[start..].find("\n}\n").expect("its end")];
    assert_eq!(block.matches("condition {").count(), from_model.as_array().map_or(0, Vec::len), "{block}");
    for condition in from_model.as_array().expect("a list") {
        let variable = condition["variable"].as_str().expect("a key");
        assert!(block.contains(&format!("variable = \"{variable}\"")), "{variable} rendered:\n{block}");
        for value in strings(&condition["values"]) {
            assert!(block.contains(&format!("\"{value}\"")), "{value} rendered:\n{block}");
        }
    }
}

/// The conditions of a statement, by context key: `(test, values)`.
fn conditions(statement: &Value) -> Vec<(String, String, Value)> {
    statement["conditions"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|c| {
                    (
                        c["test"].as_str().unwrap().to_owned(),
                        c["variable"].as_str().unwrap().to_owned(),
                        c["values"].clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A reference in the IR: `{"reference": {"root": ..}}`.
fn is_boundary(value: &Value) -> bool {
    value == &serde_json::json!([{"reference": {"root": "aws_iam_policy.boundary.arn", "key": null}}])
}

#[test]
fn the_apply_role_changes_roles_only_under_the_boundary() {
    let dir = written();
    let ir = debug(dir.path(), "ir");
    let statements = ir["programs"][0]["bootstrap"]["apply_iam"].as_array().expect("apply_iam statements").clone();
    assert!(!statements.is_empty());
    let bounded = [
        "iam:AttachRolePolicy",
        "iam:CreateRole",
        "iam:DeleteRolePolicy",
        "iam:DetachRolePolicy",
        "iam:PutRolePermissionsBoundary",
        "iam:PutRolePolicy",
    ];
    let mut seen: Vec<String> = Vec::new();
    for statement in &statements {
        let actions = strings(&statement["actions"]);
        let conditions = conditions(statement);
        let text = statement["resources"].to_string();
        assert!(!text.contains("-github-"), "nothing on the bootstrap's roles or the boundary: {text}");
        for action in &actions {
            seen.push(action.clone());
            assert_ne!(action, "iam:DeleteRolePermissionsBoundary");
            assert!(!action.contains('*'), "no wildcard action: {action}");
            if bounded.contains(&action.as_str()) {
                assert!(
                    conditions.iter().any(|(test, variable, values)| test == "StringEquals"
                        && variable == "iam:PermissionsBoundary"
                        && is_boundary(values)),
                    "{action} requires the boundary: {statement}"
                );
            }
            if action == "iam:AttachRolePolicy" {
                assert!(
                    conditions.iter().any(|(test, variable, _)| test == "ArnEquals" && variable == "iam:PolicyARN"),
                    "{action} attaches only named policies: {statement}"
                );
            }
            if action == "iam:PassRole" {
                let services: Vec<&Value> = conditions
                    .iter()
                    .filter(|(test, variable, _)| test == "StringEquals" && variable == "iam:PassedToService")
                    .map(|(_, _, values)| values)
                    .collect();
                assert_eq!(services.len(), 1, "PassRole names the service: {statement}");
                assert_eq!(services[0].as_array().map(Vec::len), Some(1), "one service per statement: {statement}");
            }
        }
    }
    for action in bounded.iter().chain(&["iam:PassRole"]) {
        assert!(seen.iter().any(|a| a == action), "the apply role may still {action}");
    }
}

/// The `resource "aws_iam_role"` blocks of a stack's files.
fn role_blocks(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for stack in stacks(dir) {
        for entry in std::fs::read_dir(&stack).expect("a stack directory") {
            let path = entry.expect("an entry").path();
            if path.extension().is_none_or(|ext| ext != "tf") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("readable");
            let mut rest = text.as_str();
            while let Some(start) = rest.find("resource \"aws_iam_role\" ") {
                let end = start + rest[start..].find("\n}\n").expect("the block ends");
                found.push(format!("{}: {}", path.display(), &rest[start..end]));
                rest = &rest[end..];
            }
        }
    }
    found
}

#[test]
fn every_role_the_stacks_create_carries_the_boundary() {
    let dir = written();
    let run = ecspipe(dir.path(), &["build", "shop.ecspipe"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let roles: Vec<String> = role_blocks(dir.path()).into_iter().filter(|role| !role.contains("/bootstrap/")).collect();
    // Two environments: an execution and a task role each, a flow logs role each.
    assert_eq!(roles.len(), 6, "{roles:#?}");
    for role in &roles {
        assert!(role.contains("permissions_boundary = \"arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:policy/shop-github-boundary\""), "{role}");
    }

    // Without an `oidc` block the user manages the roles: no boundary.
    let examples = built_examples();
    let without: Vec<String> = role_blocks(examples.path())
        .into_iter()
        .filter(|role| !role.contains("monorepo") && !role.contains("/platform/") && !role.contains("/services/"))
        .collect();
    assert!(!without.is_empty());
    for role in &without {
        assert!(!role.contains("permissions_boundary"), "{role}");
    }
}
