//! `oidc { ... }`: the bootstrap stack that lets the workflow assume its
//! roles through GitHub's OIDC provider, with trust restricted to the
//! repository and, for the role that applies, to the apply branches and
//! the environments the jobs run in.

use super::*;
use crate::catalogue::PipelineError;

impl Checker {
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
        let mut repository = None;
        let mut stack = String::from("bootstrap");
        let mut state = None;
        let mut existing_provider = false;
        for statement in &statements {
            let first = statement.args.first();
            match statement.spec.name {
                "repository" => {
                    if let Some((text, span)) = first.and_then(|item| self.reader.text(item, "a repository")) {
                        let valid = text.split_once('/').is_some_and(|(owner, name)| {
                            let part = |p: &str| {
                                !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
                            };
                            part(owner) && part(name) && !owner.starts_with('-')
                        });
                        if valid {
                            repository = Some(text.to_owned());
                        } else {
                            self.report(PipelineError::InvalidRepository { text: text.to_string() }.at(span));
                        }
                    }
                }
                "stack" => {
                    if let Some(path) = first.and_then(|item| self.path(item, "stack directory")) {
                        stack = path;
                    }
                }
                "state" => state = self.state(statement, Some(region)),
                "provider" => {
                    existing_provider = first
                        .and_then(|item| {
                            self.reader.keyword(item, "provider", &[("create", false), ("existing", true)])
                        })
                        .unwrap_or(false);
                }
                other => unreachable!("OIDC schema has no `{other}`"),
            }
        }
        let Some(repository) = repository else {
            if !statements::given_or_misspelt(&statements::OIDC, &statements, &block.lines, "repository") {
                self.report(PipelineError::OidcNoRepository.at(statement.name_span));
            }
            return None;
        };
        if state.is_none() && !statements::given_or_misspelt(&statements::OIDC, &statements, &block.lines, "state") {
            self.report(PipelineError::OidcNoStateBackend.at(statement.name_span));
        }
        if !plan_role {
            self.report(PipelineError::OidcUnusedPlanRole.at(statement.name_span));
        }
        let longest = crate::plan::names::github_apply_role(pipeline);
        if names::iam_role(&longest).is_err() {
            self.report(PipelineError::OidcRoleTooLong { longest: longest.to_string() }.at(statement.name_span));
        }
        if self.reader.errors.len() > before {
            return None;
        }

        // The plan fills in the trust and the grants: the subjects and the
        // names of everything the stacks create.
        Some(Oidc {
            repository,
            stack,
            state: state?,
            name: pipeline.to_owned(),
            existing_provider,
            apply_subjects: Vec::new(),
            iam_roles: Vec::new(),
            iam_policies: Vec::new(),
            state_objects: Vec::new(),
            repositories: Vec::new(),
            infra_names: Vec::new(),
            region: region.to_owned(),
        })
    }
}
