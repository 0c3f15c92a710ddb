//! `oidc { ... }`: the bootstrap stack that lets the workflow assume its
//! roles through GitHub's OIDC provider, with trust restricted to the
//! repository and, for the role that applies, to the apply branches and
//! the environments the jobs run in.

use super::*;
use crate::catalogue::PipelineError;

/// What the statements of an `oidc` block say, before the checks that need
/// all of them.
struct OidcSettings {
    repository: Option<String>,
    stack: String,
    state: Option<Backend>,
    existing_provider: bool,
}

impl Checker {
    /// Turns the `oidc` block into an [`Oidc`] whose trust and grants the
    /// plan fills in, or reports every problem of it.
    pub(super) fn oidc(
        &mut self,
        statement: &Statement<'_>,
        pipeline: &str,
        region: &str,
        plan_role: bool,
    ) -> Option<Oidc> {
        let block = statement.block?;
        let statements = split(&statements::OIDC, &block.lines, &mut self.reader.errors);
        let before = self.reader.errors.len();
        let settings = self.oidc_settings(&statements, region);
        let repository = self.oidc_required(statement, &statements, &block.lines, &settings)?;
        self.oidc_roles(statement, pipeline, plan_role);
        if self.reader.errors.len() > before {
            return None;
        }

        // The plan fills in the trust and the grants: the subjects and the
        // names of everything the stacks create.
        Some(Oidc {
            repository,
            stack: settings.stack,
            state: settings.state?,
            name: pipeline.to_owned(),
            existing_provider: settings.existing_provider,
            apply_trust: Vec::new(),
            boundary_policy: crate::plan::names::github_boundary_policy(pipeline),
            task_roles: Vec::new(),
            scheduler_roles: Vec::new(),
            flow_logs_roles: Vec::new(),
            codedeploy_roles: Vec::new(),
            iam_policies: Vec::new(),
            state_objects: Vec::new(),
            repositories: Vec::new(),
            infra_names: Vec::new(),
            exact_secrets: Vec::new(),
            region: region.to_owned(),
        })
    }

    /// Reads each statement of the block on its own: the repository (an
    /// `owner/name` GitHub accepts), the stack directory (`bootstrap` unless
    /// given), the state backend and whether the OIDC provider already exists.
    fn oidc_settings(&mut self, statements: &[Statement<'_>], region: &str) -> OidcSettings {
        let mut settings =
            OidcSettings { repository: None, stack: String::from("bootstrap"), state: None, existing_provider: false };
        for statement in statements {
            let first = statement.args.first();
            match statement.spec.name {
                "repository" => {
                    if let Some((text, span)) = first.and_then(|item| self.reader.text(item, "a repository")) {
                        if valid_repository(text) {
                            settings.repository = Some(text.to_owned());
                        } else {
                            self.report(PipelineError::InvalidRepository { text: text.to_string() }.at(span));
                        }
                    }
                }
                "stack" => {
                    if let Some(path) = first.and_then(|item| self.stack_directory(item)) {
                        settings.stack = path;
                    }
                }
                "state" => settings.state = self.state(statement, Some(region)),
                "provider" => {
                    settings.existing_provider = first
                        .and_then(|item| {
                            self.reader.keyword(item, "provider", &[("create", false), ("existing", true)])
                        })
                        .unwrap_or(false);
                }
                other => unreachable!("OIDC schema has no `{other}`"),
            }
        }
        settings
    }

    /// Reports a missing `repository` or `state` (unless a misspelt statement
    /// already stands for it) and returns the repository: without it there is
    /// no trust to write, so the block is given up after the first report.
    fn oidc_required(
        &mut self,
        statement: &Statement<'_>,
        statements: &[Statement<'_>],
        lines: &[crate::syntax::Line],
        settings: &OidcSettings,
    ) -> Option<String> {
        let Some(repository) = settings.repository.clone() else {
            if !statements::given_or_misspelt(&statements::OIDC, statements, lines, "repository") {
                self.report(PipelineError::OidcNoRepository.at(statement.name_span));
            }
            return None;
        };
        if settings.state.is_none() && !statements::given_or_misspelt(&statements::OIDC, statements, lines, "state") {
            self.report(PipelineError::OidcNoStateBackend.at(statement.name_span));
        }
        Some(repository)
    }

    /// Checks the roles the bootstrap will create: it always creates a plan
    /// role, so the pipeline's `role` must name one for pull requests to
    /// assume, and the longest role name the pipeline implies must fit IAM's
    /// 64 characters.
    fn oidc_roles(&mut self, statement: &Statement<'_>, pipeline: &str, plan_role: bool) {
        if !plan_role {
            self.report(PipelineError::OidcUnusedPlanRole.at(statement.name_span));
        }
        let longest = crate::plan::names::github_apply_role(pipeline);
        let boundary = crate::plan::names::github_boundary_policy(pipeline);
        if names::iam_role(&longest).is_err() {
            self.report(PipelineError::OidcRoleTooLong { longest: longest.to_string() }.at(statement.name_span));
        }
        // The boundary policy's name is three characters longer than the
        // apply role's, and policies take 128: the role's limit covers it.
        debug_assert!(
            names::iam_role(&longest).is_err() || names::iam_policy(&boundary).is_ok(),
            "`{boundary}` fits no IAM policy name"
        );
    }
}

/// Whether `text` is an `owner/name` GitHub repository: both parts non-empty,
/// of letters, digits, `-`, `_` and `.`, and the owner not starting with `-`.
fn valid_repository(text: &str) -> bool {
    text.split_once('/').is_some_and(|(owner, name)| {
        let part = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        part(owner) && part(name) && !owner.starts_with('-')
    })
}
