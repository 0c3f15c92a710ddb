//! `oidc { ... }`: the bootstrap stack that lets the workflow assume its
//! roles through GitHub's OIDC provider, with trust restricted to the
//! repository and, for the role that applies, to the apply branches and
//! the environments the jobs run in.

use super::*;
use crate::catalogue::PipelineError;

impl Checker {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn oidc(
        &mut self,
        statement: &Statement<'_>,
        pipeline: &str,
        region: &str,
        environment: Option<&str>,
        builds: &[Build],
        infras: &[Infra],
        deploys: &[Deploy],
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

        // A job in a GitHub environment presents `environment:NAME` as its
        // subject; other jobs present their ref. Protect each environment
        // with a deployment branch policy to keep applies on those branches.
        let mut apply_subjects: Vec<String> = Vec::new();
        let mut add = |subject: String| {
            if !apply_subjects.contains(&subject) {
                apply_subjects.push(subject);
            }
        };
        add(format!("repo:{repository}:ref:refs/heads/main"));
        for deploy in deploys {
            add(format!("repo:{repository}:ref:refs/heads/{}", deploy.apply_branch));
        }
        let environments = environment
            .into_iter()
            .map(str::to_owned)
            .chain(builds.iter().filter_map(|b| b.environment.clone()))
            .chain(infras.iter().filter_map(|i| i.target.environment.clone()))
            .chain(deploys.iter().filter_map(|d| d.target.environment.clone()));
        for environment in environments {
            add(format!("repo:{repository}:environment:{environment}"));
        }
        // Exactly the roles and policies the stacks create: a prefix such as
        // `shop-*` would also match the bootstrap's own roles and let the
        // apply role rewrite its trust.
        let mut iam_roles: Vec<String> = Vec::new();
        let mut iam_policies: Vec<String> = Vec::new();
        let mut infra_names: Vec<String> = Vec::new();
        for deploy in deploys {
            let name = &deploy.service.name;
            for role in [crate::plan::names::task_execution_role(name), crate::plan::names::task_role(name)] {
                if !iam_roles.contains(&role) {
                    iam_roles.push(role);
                }
            }
            let policy = crate::plan::names::execution_policy(name);
            if !iam_policies.contains(&policy) {
                iam_policies.push(policy);
            }
        }
        for infra in infras {
            iam_roles.push(crate::plan::names::flow_logs_role(&infra.name));
            infra_names.push(infra.name.clone());
        }
        let mut state_objects: Vec<(String, String)> = Vec::new();
        let states = infras.iter().map(|i| &i.state).chain(deploys.iter().map(|d| &d.state));
        for backend in states {
            if let Backend::S3 { bucket, key, .. } = backend {
                let object = (bucket.clone(), key.clone());
                if !state_objects.contains(&object) {
                    state_objects.push(object);
                }
            }
        }
        let mut repositories: Vec<String> = Vec::new();
        let mut seen_repositories = std::collections::BTreeSet::new();
        for build in builds {
            if seen_repositories.insert(build.repository.as_str()) {
                repositories.push(build.repository.clone());
            }
        }
        Some(Oidc {
            repository,
            stack,
            state: state?,
            name: pipeline.to_owned(),
            existing_provider,
            apply_subjects,
            iam_roles,
            iam_policies,
            state_objects,
            repositories,
            infra_names,
            region: region.to_owned(),
        })
    }
}
