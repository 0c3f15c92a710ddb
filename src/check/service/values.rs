//! An environment's values of a container's `env` and `secret`:
//! `environments { prod { container api { env LOG_LEVEL = "warn" } } }`.
//!
//! Contract: an environment replaces values, it never adds or removes a
//! name: every name it sets is declared by the container itself, of the
//! same kind (`env` or `secret`), so the service block stays the list of
//! everything a container reads, in every environment. The values are
//! checked as the container's own are (credentials in plain text, secret
//! sources), in each service with a container of that name, where
//! `infra.` references mean something; a block naming a container no
//! service of the environment has is reported once the deploys are read.

use super::secrets::Bindings;
use super::*;
use crate::catalogue::ContainerError;
use crate::check::environments::ContainerValues;

impl Checker {
    /// Puts an environment's `env` and `secret` values in place of the
    /// containers' own; false if one is invalid (reported).
    pub(super) fn container_values(
        &mut self,
        containers: &mut [(Container, Span)],
        overrides: &[ContainerValues],
        infra: Option<&InfraSource>,
    ) -> bool {
        let mut valid = true;
        for (container, _) in containers.iter_mut() {
            let Some(values) = overrides.iter().find(|values| values.name == container.name) else { continue };
            let before = self.reader.errors.len();
            let statements = split(&statements::CONTAINER_VALUES, &values.lines, &mut self.reader.errors);
            let mut bindings = Bindings::default();
            for statement in &statements {
                match statement.spec.name {
                    "env" => self.env_binding(statement, &container.name, &mut bindings, infra),
                    "secret" => self.secret_binding(statement, &container.name, &mut bindings, infra),
                    other => unreachable!("CONTAINER_VALUES schema has no `{other}`"),
                }
            }
            for (key, (value, span)) in bindings.env {
                match container.env.iter_mut().find(|(name, _)| *name == key) {
                    Some((_, own)) => *own = value,
                    None => self.undeclared(container, &key, "env", span),
                }
            }
            for (key, (source, span)) in bindings.secrets {
                match container.secrets.iter_mut().find(|(name, _)| *name == key) {
                    Some((_, own)) => *own = source,
                    None => self.undeclared(container, &key, "secret", span),
                }
            }
            valid &= self.reader.errors.len() == before;
        }
        valid
    }

    /// Reports an environment's value of a name the container does not
    /// declare as `kind`.
    fn undeclared(&mut self, container: &Container, key: &str, kind: &'static str, span: Span) {
        let declared_as = if kind == "env" {
            container.secrets.iter().any(|(name, _)| name == key).then_some("secret")
        } else {
            container.env.iter().any(|(name, _)| name == key).then_some("env")
        };
        self.report(
            ContainerError::ValueNotDeclared {
                key: key.to_owned(),
                container: container.name.clone(),
                kind,
                declared_as,
            }
            .at(span),
        );
    }
}

impl Checker {
    /// Reports each environment's `container NAME { ... }` whose name no
    /// container of the environment's services has; only once every deploy
    /// of every environment checked cleanly (`complete`), since a container
    /// of a failed one is unknown.
    pub(in crate::check) fn check_container_values(
        &mut self,
        stages: &[Option<&Stage>],
        deploys: &[Deploy],
        complete: bool,
    ) {
        if !complete {
            return;
        }
        for stage in stages.iter().flatten() {
            let names: Vec<&str> = deploys
                .iter()
                .filter(|deploy| deploy.target.stage.as_deref() == Some(stage.name.as_str()))
                .flat_map(|deploy| deploy.service.containers.iter().map(|c| c.name.as_str()))
                .collect();
            for values in &stage.overrides.containers {
                if names.contains(&values.name.as_str()) {
                    continue;
                }
                let mut known: Vec<&str> = names.clone();
                known.sort_unstable();
                known.dedup();
                self.report(
                    ContainerError::UnknownContainerValues {
                        name: values.name.clone(),
                        environment: stage.name.clone(),
                        suggestion: suggest(&values.name, known.iter().copied().take(MAX_SUGGESTION_CANDIDATES))
                            .map(str::to_owned),
                        containers: listing(known.len(), known.iter().map(|name| format!("`{name}`"))),
                    }
                    .at(values.span),
                );
            }
        }
    }
}
