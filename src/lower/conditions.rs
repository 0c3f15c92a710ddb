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

/// Where a job applies: a push or manual run on its branch.
pub(super) fn apply_condition(branch: &str) -> GithubExpr {
    push_condition(&[branch.to_owned()])
}

/// Every other run: where the job only plans (or builds without pushing).
pub(super) fn not(condition: &GithubExpr) -> GithubExpr {
    GithubExpr::code("!(").then(condition.clone()).then_code(")")
}
