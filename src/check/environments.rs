//! `environments { dev { ... } prod { after dev ... } }`: the stages a
//! pipeline deploys to, their promotion order, and what each overrides.
//!
//! Contract: each environment's settings are read here once, into typed
//! [`Overrides`], and each mistake in them is reported once; the
//! infrastructure and service checks put those values in place of their
//! block's statements for that environment. Placing the environment's
//! stacks in it (names, state keys, role) is the plan's.

use super::*;
use crate::catalogue::{InfraError, PipelineError};
use crate::syntax::Line;

/// One environment, checked, with the settings it overrides.
pub(super) struct Stage {
    /// Its name: the GitHub environment and part of job ids and stack paths.
    pub(super) name: String,
    /// Where the name is written.
    pub(super) span: Span,
    /// The environments that must succeed first.
    pub(super) after: Vec<String>,
    /// The role its jobs assume, if not the pipeline's.
    pub(super) role: Option<GithubValue>,
    /// Service and infrastructure settings that replace the pipeline's.
    pub(super) overrides: Overrides,
}

/// An override as written: `None` if the environment does not set it,
/// `Some(None)` if it sets it to something invalid (reported once, when the
/// environment is read). Either way it replaces the block's statement.
pub(super) type Override<T> = Option<Option<T>>;

/// What an environment overrides, each value checked once.
#[derive(Default)]
pub(super) struct Overrides {
    /// Task CPU units, and where they are written.
    pub(super) cpu: Override<(u32, Span)>,
    /// Task memory in MiB, and where it is written.
    pub(super) memory: Override<(u32, Span)>,
    /// The task count, and where it is written.
    pub(super) count: Override<(u32, Span)>,
    pub(super) arch: Override<Arch>,
    pub(super) capacity: Override<Vec<CapacityShare>>,
    pub(super) storage: Override<u32>,
    /// The scaling range, and the statement's span.
    pub(super) scale: Override<(Scaling, Span)>,
    /// The deployment settings, and the statement's span.
    pub(super) deployment: Override<(Deployment, Span)>,
    /// The VPC range, its zones if given, and where the range is written.
    pub(super) vpc: Override<(String, Option<Vec<String>>, Span)>,
    /// The certificate, and the statement's span.
    pub(super) certificate: Override<(String, Span)>,
    /// The valid `accept`s, with their reasons and statement spans, if the
    /// environment has any: they replace all of the block's.
    pub(super) accepted: Option<Vec<(Risk, String, Span)>>,
    /// Whether any infrastructure setting was invalid (reported).
    pub(super) infra_invalid: bool,
    /// The infrastructure statements given, by name and where the name is:
    /// they need an `infra` block.
    pub(super) infra_statements: Vec<(&'static str, Span)>,
    /// `container NAME { env ... secret ... }`: values of the containers of
    /// that name that differ here, checked in each service that has one.
    pub(super) containers: Vec<ContainerValues>,
}

/// `container NAME { ... }` in an environment, its lines as written: they
/// are read in each service with a container of that name, where the
/// references in them (`infra.secret_arn`) mean something.
pub(super) struct ContainerValues {
    /// The container's name.
    pub(super) name: String,
    /// Where the name is written.
    pub(super) span: Span,
    /// The block's lines.
    pub(super) lines: Vec<Line>,
}

/// A name with the span it was written at.
type Named = (String, Span);

/// An environment as written: its stage, where its name is, and the
/// environments its `after`s name, not yet resolved.
type Written = (Stage, Span, Vec<Named>);

impl Overrides {
    /// Whether the environment sets statement `name` (validly or not), so
    /// that it replaces the block's.
    pub(super) fn sets(&self, name: &str) -> bool {
        match name {
            "cpu" => self.cpu.is_some(),
            "memory" => self.memory.is_some(),
            "count" => self.count.is_some(),
            "platform" => self.arch.is_some(),
            "capacity" => self.capacity.is_some(),
            "storage" => self.storage.is_some(),
            "scale" => self.scale.is_some(),
            "deployment" => self.deployment.is_some(),
            "vpc" => self.vpc.is_some(),
            "certificate" => self.certificate.is_some(),
            "accept" => self.accepted.is_some(),
            _ => false,
        }
    }

    /// Whether the environment overrides any infrastructure setting.
    pub(super) fn touch_infra(&self) -> bool {
        ["vpc", "certificate", "accept"].iter().any(|name| self.sets(name))
    }

    /// Whether the environment overrides any service setting.
    pub(super) fn touch_services(&self) -> bool {
        !self.containers.is_empty()
            || ["cpu", "memory", "count", "platform", "capacity", "storage", "scale", "deployment"]
                .iter()
                .any(|name| self.sets(name))
    }
}

/// The value an override sets, if valid; clears `valid` if it is invalid.
pub(super) fn overridden<T: Clone>(value: &Override<T>, valid: &mut bool) -> Option<T> {
    match value {
        Some(Some(value)) => Some(value.clone()),
        Some(None) => {
            *valid = false;
            None
        }
        None => None,
    }
}

impl Checker {
    /// Checks the environments block; returns the stages in promotion order
    /// (every stage after the ones it names), or `None` if it is invalid.
    ///
    /// `infra` tells whether the pipeline has an `infra` block: without
    /// one, an environment's infrastructure settings are not read.
    pub(super) fn environments(
        &mut self,
        statement: &Statement<'_>,
        region: Option<&str>,
        infra: bool,
    ) -> Option<Vec<Stage>> {
        let block = statement.block?;
        let mut stages: Vec<Written> = Vec::new();
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        let mut valid = true;
        let context = (region, infra);
        for line in &block.lines {
            match self.environment(line, &mut seen, &mut valid, context) {
                Some(stage) => stages.push(stage),
                None => valid = false,
            }
        }
        if stages.is_empty() {
            self.report(PipelineError::NoEnvironments.at(statement.span));
            return None;
        }
        let waits_for = self.resolve_after(&mut stages, &mut valid);
        let order = self.promotion_order(&stages, &waits_for)?;
        let mut stages: Vec<Option<Stage>> = stages.into_iter().map(|(stage, ..)| Some(stage)).collect();
        let ordered: Vec<Stage> = order.into_iter().filter_map(|index| stages[index].take()).collect();
        valid.then_some(ordered)
    }

    /// One `NAME { ... }` line of the environments block; `None` if it
    /// names no environment (reported). `seen` holds the names read so far;
    /// an invalid `role` clears `valid` but keeps the stage, so that `after`
    /// can still name it.
    fn environment<'l>(
        &mut self,
        line: &'l Line,
        seen: &mut BTreeMap<&'l str, Span>,
        valid: &mut bool,
        (region, infra): (Option<&str>, bool),
    ) -> Option<Written> {
        let (name, name_span) = match line.items.as_slice() {
            [item] if line.block.is_some() => self.reader.word(item, "an environment name")?,
            _ => {
                self.report(PipelineError::ExpectedEnvironment.at(line.span));
                return None;
            }
        };
        if !self.name_rule(name_span, "environment name", names::job_id(name)) {
            return None;
        }
        if let Some(first) = seen.get(name) {
            self.report(PipelineError::EnvironmentDuplicate { name: name.to_string(), first: *first }.at(name_span));
            return None;
        }
        seen.insert(name, name_span);
        let body = line.block.as_ref().map_or(&[][..], |block| block.lines.as_slice());
        let overrides = split(&statements::ENVIRONMENT, body, &mut self.reader.errors);
        let mut after = Vec::new();
        let mut role = None;
        let mut settings = Overrides::default();
        for statement in overrides {
            match statement.spec.name {
                "after" => {
                    if let Some((previous, span)) =
                        statement.args.first().and_then(|item| self.reader.word(item, "an environment name"))
                    {
                        after.push((previous.to_owned(), span));
                    }
                }
                "role" => {
                    let first = statement.args.first();
                    role = first.and_then(|item| self.github_value(item, "the OIDC role"));
                    if let (Some(GithubValue::Literal(arn)), Some(item)) = (&role, first) {
                        if let Err(rule) = arn::role(arn) {
                            self.report(PipelineError::InvalidRoleArn { rule }.at(item.span()));
                            role = None;
                        } else if !self.arn_parts(arn, item.span(), true) {
                            role = None;
                        }
                    }
                    *valid &= role.is_some();
                }
                "vpc" | "certificate" | "accept" => {
                    settings.infra_statements.push((statement.spec.name, statement.name_span));
                    if infra {
                        let before = self.reader.errors.len();
                        self.infra_override(&statement, &mut settings, region);
                        settings.infra_invalid |= self.reader.errors.len() > before;
                    }
                }
                "container" => self.read_container_values(&statement, &mut settings.containers),
                _ => self.service_override(&statement, &mut settings),
            }
        }
        let stage = Stage { name: name.to_owned(), span: name_span, after: Vec::new(), role, overrides: settings };
        Some((stage, name_span, after))
    }

    /// An environment's `container NAME { ... }`, kept for the services
    /// with a container of that name; one block per container name.
    fn read_container_values(&mut self, statement: &Statement<'_>, containers: &mut Vec<ContainerValues>) {
        let Some((name, span)) = statement.args.first().and_then(|item| self.reader.text(item, "a container name"))
        else {
            return;
        };
        if let Some(first) = containers.iter().find(|other| other.name == name) {
            let first = first.span;
            self.report(crate::catalogue::ContainerError::ContainerDuplicate { name: name.to_owned(), first }.at(span));
            return;
        }
        let lines = statement.block.map_or_else(Vec::new, |block| block.lines.clone());
        containers.push(ContainerValues { name: name.to_owned(), span, lines });
    }

    /// An environment's `vpc`, `certificate` or `accept`, checked once.
    fn infra_override(&mut self, statement: &Statement<'_>, overrides: &mut Overrides, region: Option<&str>) {
        let first = statement.args.first();
        match statement.spec.name {
            "vpc" => overrides.vpc = Some(self.vpc(statement, region)),
            "certificate" => {
                let certificate = first.and_then(|item| self.certificate(item, region));
                overrides.certificate = Some(certificate.map(|certificate| (certificate, statement.span)));
            }
            "accept" => {
                let risk = first.and_then(|item| self.reader.keyword(item, "risk", &Risk::ALL));
                let reason = statement.args.get(1).and_then(|item| self.reason(item));
                let accepted = overrides.accepted.get_or_insert_with(Vec::new);
                if let (Some(risk), Some(reason)) = (risk, reason) {
                    if let Some((_, _, earlier)) = accepted.iter().find(|(other, ..)| *other == risk) {
                        let earlier = *earlier;
                        self.report(InfraError::AcceptRepeated { risk, earlier }.at(statement.name_span));
                    } else {
                        accepted.push((risk, reason, statement.span));
                    }
                }
            }
            other => unreachable!("`{other}` is no infrastructure override"),
        }
    }

    /// Resolves each stage's `after`s into `Stage::after`; returns, per
    /// stage, the indexes of the stages it waits for.
    fn resolve_after(&mut self, stages: &mut [Written], valid: &mut bool) -> Vec<Vec<usize>> {
        let names: Vec<String> = stages.iter().map(|(stage, ..)| stage.name.clone()).collect();
        let index_of: BTreeMap<&str, usize> = names.iter().enumerate().map(|(i, name)| (name.as_str(), i)).collect();
        let mut waits_for: Vec<Vec<usize>> = vec![Vec::new(); stages.len()];
        for (index, (stage, _, after)) in stages.iter_mut().enumerate() {
            for (previous, span) in after.iter() {
                match index_of.get(previous.as_str()) {
                    Some(&other) if other != index => {
                        stage.after.push(previous.clone());
                        waits_for[index].push(other);
                        continue;
                    }
                    _ => {}
                }
                *valid = false;
                let others = names.iter().map(String::as_str).filter(|n| *n != stage.name);
                self.report(
                    PipelineError::UnknownEnvironment {
                        name: previous.to_string(),
                        itself: *previous == stage.name,
                        suggestion: suggest(previous, others.take(MAX_SUGGESTION_CANDIDATES)).map(str::to_owned),
                        environments: listing(names.len(), names.iter().cloned()),
                    }
                    .at(*span),
                );
            }
        }
        waits_for
    }

    /// The order of promotion: each stage after the ones it waits for, and
    /// otherwise in source order (Kahn's algorithm, taking the first ready
    /// stage); `None` if they wait for each other in a circle (reported).
    fn promotion_order(&mut self, stages: &[Written], waits_for: &[Vec<usize>]) -> Option<Vec<usize>> {
        let mut waiting: Vec<usize> = waits_for.iter().map(Vec::len).collect();
        let mut unblocks: Vec<Vec<usize>> = vec![Vec::new(); stages.len()];
        for (index, previous) in waits_for.iter().enumerate() {
            for &other in previous {
                unblocks[other].push(index);
            }
        }
        let mut ready: std::collections::BinaryHeap<std::cmp::Reverse<usize>> =
            (0..stages.len()).filter(|&i| waiting[i] == 0).map(std::cmp::Reverse).collect();
        let mut order = Vec::with_capacity(stages.len());
        while let Some(std::cmp::Reverse(index)) = ready.pop() {
            order.push(index);
            for &next in &unblocks[index] {
                waiting[next] -= 1;
                if waiting[next] == 0 {
                    ready.push(std::cmp::Reverse(next));
                }
            }
        }
        if order.len() < stages.len() {
            // Every stage left waits for another one left (a stage whose
            // `after`s were all ordered would have been ordered too), so
            // walking back from any of them runs into a circle within as
            // many steps as there are stages; `circle` is never empty.
            let mut path: Vec<usize> = Vec::new();
            let mut place_in_path: Vec<Option<usize>> = vec![None; stages.len()];
            let mut current = waiting.iter().position(|&n| n > 0).unwrap_or(0);
            let mut circle = loop {
                if let Some(start) = place_in_path[current] {
                    break path.split_off(start);
                }
                place_in_path[current] = Some(path.len());
                path.push(current);
                match waits_for[current].iter().find(|&&other| waiting[other] > 0) {
                    Some(&other) => current = other,
                    None => break path,
                }
            };
            circle.sort_unstable();
            let (stage, span, _) = &stages[circle[0]];
            self.report(
                PipelineError::EnvironmentCycle {
                    stage: stage.name.to_string(),
                    environments: listing(circle.len(), circle.iter().map(|&i| format!("`{}`", stages[i].0.name))),
                }
                .at(*span),
            );
            return None;
        }
        Some(order)
    }
}
