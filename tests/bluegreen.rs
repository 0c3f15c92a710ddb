//! Blue/green deployments through CodeDeploy with an `oidc` block: the
//! CodeDeploy role is one the apply role may manage and pass only to
//! CodeDeploy, under the boundary, which grants what the role's policy does.

use std::fs;

use crate::support::*;

const SOURCE: &str = r#"pipeline shop {
  region us-east-2
  role   secret.AWS_ROLE plan secret.AWS_PLAN_ROLE
  oidc {
    repository "acme/shop"
    stack      shop/bootstrap
    state      local
  }
  infra {
    stack shop/infra
    state local
    vpc   10.60.0.0/24
    load_balancer internal port 8080 test_listen 8443
    accept plain_http     "internal load balancer: traffic never leaves the VPC"
    accept no_access_logs "the service logs every request"
  }
  deploy api {
    stack shop/api
    state local
    service shop-api {
      deployment blue_green linear 20% every 2m terminate 0s alarms ["shop-api-5xx"] wait 30m
      container app { image "123456789012.dkr.ecr.us-east-2.amazonaws.com/shop-api:1.4.2"  port 8080 }
      load_balancer infra.aws_lb_target_group
    }
  }
}
"#;

fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_codedeploy_role_is_bounded_and_passed_only_to_codedeploy() {
    let dir = assert_fs::TempDir::new().expect("temp dir");
    fs::write(dir.path().join("shop.ecspipe"), SOURCE).expect("write");
    let run = ecspipe(dir.path(), &["build", "shop.ecspipe", "--out", "out"]);
    assert_eq!(run.code, 0, "build failed:\n{}", run.stderr);
    let out = dir.path().join("out");
    let bootstrap = flat(&fs::read_to_string(out.join("shop/bootstrap/oidc.tf")).expect("bootstrap"));
    let role = r#""arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/shop-api-codedeploy""#;
    let pass = bootstrap.split(r#"sid = "PassRolesToCodeDeploy""#).nth(1).expect("a PassRole statement for CodeDeploy");
    let pass = &pass[..pass.find("statement {").unwrap_or(pass.len())];
    assert!(pass.contains(role) && pass.contains(r#"values = ["codedeploy.amazonaws.com"]"#), "{pass}");
    for sid in ["CodeDeployReplaceTheServicesTaskSets", "CodeDeployMoveTheListeners", "CodeDeployReadTheAlarms"] {
        assert!(bootstrap.contains(&format!(r#"sid = "{sid}""#)), "the boundary lacks {sid}:\n{bootstrap}");
    }
    let iam = flat(&fs::read_to_string(out.join("shop/api/iam.tf")).expect("iam"));
    assert!(iam.contains(r#"resource "aws_iam_role" "codedeploy" { name = "${var.name}-codedeploy""#), "{iam}");
    assert!(iam.contains("permissions_boundary ="), "{iam}");
    let ecs = flat(&fs::read_to_string(out.join("shop/api/ecs.tf")).expect("ecs"));
    for fact in [
        r#"deployment_controller { type = "CODE_DEPLOY" }"#,
        "ignore_changes = [task_definition, load_balancer]",
        r#"type = "TimeBasedLinear" time_based_linear { percentage = 20 interval = 2 }"#,
        "termination_wait_time_in_minutes = 0",
        r#"alarm_configuration { enabled = true alarms = ["shop-api-5xx"] }"#,
    ] {
        assert!(ecs.contains(fact), "the service stack lacks {fact}:\n{ecs}");
    }
    for absent in ["deployment_circuit_breaker", "force_new_deployment", "deployment_minimum_healthy_percent"] {
        assert!(!ecs.contains(absent), "a blue/green service has {absent}:\n{ecs}");
    }
    let infra = flat(&fs::read_to_string(out.join("shop/infra/load_balancer.tf")).expect("load balancer"));
    assert_eq!(infra.matches("ignore_changes = [default_action]").count(), 2, "both listeners: {infra}");
}
