//! The bootstrap stack's model: `oidc { ... }`.

use serde::Serialize;

use super::Backend;

/// `oidc { ... }`: the bootstrap stack an administrator applies once, so
/// the workflow can assume its roles through GitHub's OIDC provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Oidc {
    /// `owner/repository` on GitHub.
    pub repository: String,
    /// The stack directory.
    pub stack: String,
    /// Its state backend.
    pub state: Backend,
    /// Prefix of the roles' names.
    pub name: String,
    /// Whether the account's OIDC provider exists already (one per account).
    pub existing_provider: bool,
    /// The apply role's trust: every condition must hold (`aud`, `sub`,
    /// `ref` and `job_workflow_ref`), one of its values each. The template
    /// renders exactly this list.
    pub apply_trust: Vec<TrustCondition>,
    /// The permissions boundary every role the stacks create gets, by name.
    pub boundary_policy: String,
    /// The IAM roles the service stacks create and pass to ECS tasks (task
    /// execution roles and task roles), by name.
    pub task_roles: Vec<String>,
    /// The IAM roles the service stacks create and pass to EventBridge
    /// Scheduler (one per scheduled job), by name.
    pub scheduler_roles: Vec<String>,
    /// The IAM roles the infrastructure stacks create and pass to VPC flow
    /// logs, by name.
    pub flow_logs_roles: Vec<String>,
    /// The CodeDeploy service roles of blue/green services.
    pub codedeploy_roles: Vec<String>,
    /// The IAM managed policies the stacks create, by name.
    pub iam_policies: Vec<String>,
    /// Terraform state objects: (bucket, key).
    #[serde(serialize_with = "crate::json::bucket_key")]
    pub state_objects: Vec<(String, String)>,
    /// ECR repositories the builds push to.
    pub repositories: Vec<String>,
    /// Name prefixes of the infrastructure stacks (secrets, KMS aliases).
    pub infra_names: Vec<String>,
    /// Secrets the stacks create under an exact name (`secret ... name`),
    /// outside their stack's prefix.
    pub exact_secrets: Vec<String>,
    /// Terraform version for the instructions.
    pub region: String,
}

/// One condition of a trust policy: the token's claim `variable` must
/// compare to one of `values` by `test`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustCondition {
    /// The operator, such as `StringEquals`.
    pub test: &'static str,
    /// The condition key, such as `token.actions.githubusercontent.com:ref`.
    pub variable: String,
    /// The values, one of which must match.
    pub values: Vec<String>,
}
