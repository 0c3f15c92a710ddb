//! Where a job applies, and where a build pushes its image: the GitHub
//! conditions the workflow's jobs and steps are gated on.

use super::output::GithubExpr;

/// A push or manual run on one of `branches`: where a job applies, and
/// where a build pushes its image (the branches where a deploy of it
/// applies).
pub(super) fn push_condition(branches: &[String]) -> GithubExpr {
    let on_branch = |branch: &String| GithubExpr::code("github.ref == ").then_literal(format!("refs/heads/{branch}"));
    let refs = match branches {
        [branch] => on_branch(branch),
        _ => {
            let mut any = GithubExpr::code("(");
            for (index, branch) in branches.iter().enumerate() {
                any = if index == 0 { any } else { any.then_code(" || ") }.then(on_branch(branch));
            }
            any.then_code(")")
        }
    };
    refs.then_code(" && github.event_name != 'pull_request'")
}

/// Where a job applies (a push to the branch) and where it only plans.
pub(super) fn apply_conditions(branch: &str) -> (GithubExpr, GithubExpr) {
    (
        push_condition(&[branch.to_owned()]),
        GithubExpr::code("github.ref != ")
            .then_literal(format!("refs/heads/{branch}"))
            .then_code(" || github.event_name == 'pull_request'"),
    )
}
