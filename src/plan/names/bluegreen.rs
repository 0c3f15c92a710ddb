//! The names of blue/green deployments through CodeDeploy: the service
//! stack's role, deployment settings and outputs, and the handoff keys of
//! the infrastructure's second target group and test listener.

/// The CodeDeploy service role: `SERVICE-codedeploy`.
pub const CODEDEPLOY_ROLE: &str = "-codedeploy";
/// Its inline policy.
pub const CODEDEPLOY_POLICY: &str = "-codedeploy";
/// A canary or linear traffic shift's deployment configuration:
/// `SERVICE-traffic`.
pub const TRAFFIC_CONFIG: &str = "-traffic";
/// The predefined configuration that shifts all traffic at once.
pub const ALL_AT_ONCE_CONFIG: &str = "CodeDeployDefault.ECSAllAtOnce";

/// The service stack's outputs the deploy job's CodeDeploy step reads.
pub const CODEDEPLOY_APP_OUTPUT: &str = "codedeploy_application";
/// See [`CODEDEPLOY_APP_OUTPUT`].
pub const CODEDEPLOY_GROUP_OUTPUT: &str = "codedeploy_deployment_group";

/// The handoff key of the infrastructure's test listener (its ARN).
pub const TEST_LISTENER_KEY: &str = "aws_lb_test_listener";
/// The handoff key of the name of the target group the listeners forward
/// to when the stack is made (CodeDeploy takes target groups by name).
pub const TARGET_GROUP_NAME_KEY: &str = "target_group_name";
/// The handoff key of the second target group's name.
pub const TEST_TARGET_GROUP_NAME_KEY: &str = "test_target_group_name";
/// Every key a blue/green service reads beyond the load balancer's.
pub const BLUE_GREEN_KEYS: [&str; 3] = [TEST_LISTENER_KEY, TARGET_GROUP_NAME_KEY, TEST_TARGET_GROUP_NAME_KEY];

/// The CodeDeploy service role of `service`.
pub fn codedeploy_role(service: &str) -> String {
    format!("{service}{CODEDEPLOY_ROLE}")
}
