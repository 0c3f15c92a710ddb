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
    /// `sub` claims the apply role trusts: the apply branches and environments.
    pub apply_subjects: Vec<String>,
    /// The IAM roles the stacks create, by name.
    pub iam_roles: Vec<String>,
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
