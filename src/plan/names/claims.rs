//! The claims of GitHub's OIDC token that the apply role's trust compares:
//! `ref`, `sub` and `job_workflow_ref`, spelled as GitHub writes them.

use super::workflow_path;

/// The ref a push to `branch` runs on, as the token's `ref` claim says it.
pub fn branch_ref(branch: &str) -> String {
    format!("refs/heads/{branch}")
}

/// The token's `sub` claim of a job outside any environment on `branch`.
pub fn branch_subject(repository: &str, branch: &str) -> String {
    format!("repo:{repository}:ref:{}", branch_ref(branch))
}

/// The token's `sub` claim of a job in GitHub environment `environment`.
pub fn environment_subject(repository: &str, environment: &str) -> String {
    format!("repo:{repository}:environment:{environment}")
}

/// The token's `sub` pattern of every run of the repository.
pub fn any_subject(repository: &str) -> String {
    format!("repo:{repository}:*")
}

/// The token's `job_workflow_ref` claim of a job of the workflow
/// `workflow_file` running on `branch`: `OWNER/REPO/PATH@REF`.
pub fn job_workflow_ref(repository: &str, workflow_file: &str, branch: &str) -> String {
    format!("{repository}/{}@{}", workflow_path(workflow_file), branch_ref(branch))
}
