//! Blue/green deployments through CodeDeploy in the service stack: the
//! application, the deployment group and its traffic shift, and what the
//! CodeDeploy service role may do.
//!
//! CodeDeploy, not Terraform, then moves the service to a new task
//! definition and between the infrastructure's two target groups; the
//! stack's service ignores both, and the deploy job starts a deployment
//! of the task definition each apply registers.

use serde::Serialize;

use super::containers::{iam_arn, regional_arn};
use super::iam::{condition, statement, PolicyStatement};
use super::output::{Hcl, HclRef};
use crate::model::*;
use crate::plan::names;

/// The CodeDeploy resources of a blue/green service.
#[derive(Debug, Clone, Serialize)]
pub struct BlueGreenIr {
    /// A canary or linear shift's own deployment configuration; without
    /// one, the group shifts everything at once.
    pub traffic: Option<TrafficIr>,
    /// `deployment_config_name` of a shift at once.
    pub all_at_once: &'static str,
    /// Minutes the old tasks keep running after the shift.
    pub terminate_minutes: u32,
    /// The production listener, the test listener and the two target
    /// groups' names, as the infrastructure hands them over.
    pub listener: Hcl,
    /// See `listener`.
    pub test_listener: Hcl,
    /// See `listener`.
    pub target_group_name: Hcl,
    /// See `listener`.
    pub test_target_group_name: Hcl,
    /// Statements of the CodeDeploy service role's policy.
    pub statements: Vec<PolicyStatement>,
}

/// `traffic_routing_config` of a canary or linear shift.
#[derive(Debug, Clone, Serialize)]
pub struct TrafficIr {
    /// `TimeBasedCanary` or `TimeBasedLinear`.
    pub kind: &'static str,
    /// `time_based_canary` or `time_based_linear`.
    pub block: &'static str,
    /// The share moved at a step.
    pub percent: u32,
    /// Minutes between steps.
    pub minutes: u32,
}

/// The stack's CodeDeploy resources, if the service deploys blue/green.
pub(super) fn blue_green(deploy: &Deploy) -> Option<BlueGreenIr> {
    let blue_green = deploy.service.deployment.blue_green.as_ref()?;
    let traffic = match blue_green.traffic {
        Traffic::AllAtOnce => None,
        Traffic::Canary { percent, minutes } => {
            Some(TrafficIr { kind: "TimeBasedCanary", block: "time_based_canary", percent, minutes })
        }
        Traffic::Linear { percent, minutes } => {
            Some(TrafficIr { kind: "TimeBasedLinear", block: "time_based_linear", percent, minutes })
        }
    };
    let handed = |key: &str| Hcl::reference(HclRef::handoff(key.to_owned()));
    Some(BlueGreenIr {
        traffic,
        all_at_once: names::ALL_AT_ONCE_CONFIG,
        terminate_minutes: blue_green.terminate_minutes,
        listener: handed("aws_lb_listener"),
        test_listener: handed(names::TEST_LISTENER_KEY),
        target_group_name: handed(names::TARGET_GROUP_NAME_KEY),
        test_target_group_name: handed(names::TEST_TARGET_GROUP_NAME_KEY),
        statements: codedeploy_statements(deploy),
    })
}

/// What CodeDeploy does to the service: replace its task set, move the two
/// listeners, read the alarms, and pass the tasks' two roles to ECS.
pub(super) fn codedeploy_statements(deploy: &Deploy) -> Vec<PolicyStatement> {
    let service = &deploy.service.name;
    let mut statements = vec![
        statement(
            "ReplaceTheServicesTaskSets",
            &["ecs:CreateTaskSet", "ecs:DeleteTaskSet", "ecs:DescribeServices", "ecs:UpdateServicePrimaryTaskSet"],
            vec![
                Hcl::template(regional_arn("ecs").text("service/*/").text(service)),
                Hcl::template(regional_arn("ecs").text("task-set/*/").text(service).text("/*")),
            ],
        ),
        // Describe calls name no resource.
        statement(
            "ReadTheLoadBalancer",
            &[
                "elasticloadbalancing:DescribeListeners",
                "elasticloadbalancing:DescribeRules",
                "elasticloadbalancing:DescribeTargetGroups",
            ],
            vec![Hcl::str("*")],
        ),
        statement(
            "MoveTheListeners",
            &["elasticloadbalancing:ModifyListener", "elasticloadbalancing:ModifyRule"],
            vec![
                Hcl::reference(HclRef::handoff("aws_lb_listener")),
                Hcl::reference(HclRef::handoff(names::TEST_LISTENER_KEY)),
            ],
        ),
    ];
    if !deploy.service.deployment.alarms.is_empty() {
        statements.push(statement("ReadTheAlarms", &["cloudwatch:DescribeAlarms"], vec![Hcl::str("*")]));
    }
    let roles = [names::task_execution_role(service), names::task_role(service)];
    let mut pass = statement(
        "PassTheTaskRolesToEcs",
        &["iam:PassRole"],
        roles.iter().map(|role| iam_arn(&format!("role/{role}"))).collect(),
    );
    pass.conditions.push(condition("StringEquals", "iam:PassedToService", vec![Hcl::str("ecs-tasks.amazonaws.com")]));
    statements.push(pass);
    statements
}
