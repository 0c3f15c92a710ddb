//! Container blocks, the dependencies between containers, and what the
//! containers together ask of the task (size, essential container).
//!
//! Contract: a container is checked on its own first; the checks that need
//! every container of the service (totals, `depends_on`, the Fargate size)
//! run once the block is read.

use super::secrets::Bindings;
use super::*;
use crate::catalogue::{ContainerError, ServiceError};

/// ECS's quota of containers in one task definition (not adjustable).
const MAX_CONTAINERS: usize = 10;

/// The largest task definition ECS registers.
const MAX_TASK_DEFINITION_BYTES: usize = 64 * 1024;

/// The bytes a container's definition spells out as written: names and
/// literal values of its environment and secrets, its commands and files.
/// The task definition holds all of them and more, so this is a lower bound
/// of its size.
fn literal_size(container: &Container) -> usize {
    let env: usize = container
        .env
        .iter()
        .map(|(name, value)| name.len() + if let Scalar::Text(text) = value { text.len() } else { 0 })
        .sum();
    let secrets: usize = container
        .secrets
        .iter()
        .map(|(name, source)| {
            let store = match &source.store {
                SecretStore::Infra(_) => 0,
                SecretStore::SecretArn(text) | SecretStore::ParameterArn(text) | SecretStore::Parameter(text) => {
                    text.len()
                }
            };
            name.len() + store + source.json_key.as_ref().map_or(0, String::len)
        })
        .sum();
    let arguments = |list: &Option<Vec<String>>| list.iter().flatten().map(String::len).sum::<usize>();
    env + secrets
        + arguments(&container.command)
        + arguments(&container.entrypoint)
        + container.health.as_ref().map_or(0, |health| health.command.len())
        + container.env_files.iter().map(String::len).sum::<usize>()
}

impl Checker {
    /// A `container` statement of service `service`, added to `settings`
    /// unless invalid or a duplicate.
    pub(super) fn add_container(
        &mut self,
        statement: &Statement<'_>,
        settings: &mut Settings<'_, '_>,
        service: &str,
        scope: &Scope<'_>,
        default_image: Option<&Image>,
        infra: Option<&InfraSource>,
    ) -> bool {
        settings.container_statements += 1;
        let ordinal = settings.container_statements;
        if ordinal > MAX_CONTAINERS {
            if ordinal == MAX_CONTAINERS + 1 {
                let span = statement.args.first().map_or(statement.name_span, |item| item.span());
                self.report(
                    ContainerError::TooManyContainers {
                        service: service.to_string(),
                        max_containers: MAX_CONTAINERS,
                        ordinal,
                    }
                    .at(span),
                );
            }
            return false;
        }
        let Some(container) = self.container(statement, scope, default_image, infra) else { return false };
        if let Some((_, first)) = settings.containers.iter().find(|(other, _)| other.name == container.0.name) {
            self.report(
                ContainerError::ContainerDuplicate { name: container.0.name.to_string(), first: *first }
                    .at(container.1),
            );
            return false;
        }
        settings.containers.push(container);
        true
    }

    /// The task's CPU and memory form a size Fargate offers.
    pub(super) fn check_task_size(&mut self, settings: &Settings<'_, '_>) -> bool {
        let (cpu, memory) = (settings.cpu, settings.memory);
        if let (Some(cpu_span), _) | (_, Some(cpu_span)) = (cpu.1, memory.1) {
            if !fargate_allows(cpu.0, memory.0) {
                let span = memory.1.map_or(cpu_span, |m| cpu.1.map_or(m, |c| c.to(m)));
                self.report(
                    ServiceError::FargateSize { cpu: cpu.0, memory: memory.0, choices: fargate_memory_choices(cpu.0) }
                        .at(span),
                );
                return false;
            }
        }
        true
    }

    /// What the containers reserve together fits the task.
    pub(super) fn check_container_totals(&mut self, settings: &Settings<'_, '_>, name: &str, name_span: Span) -> bool {
        let (cpu, memory, containers) = (settings.cpu, settings.memory, &settings.containers);
        let mut valid = true;
        // Each container's memory and CPU fit in u32; ten of them in u64.
        let container_memory: u64 = containers.iter().filter_map(|(c, _)| c.memory).map(u64::from).sum();
        if container_memory > u64::from(memory.0) {
            valid = false;
            self.report(
                ContainerError::MemoryReservedTooMuch { container_memory, memory: memory.0 }
                    .at(memory.1.unwrap_or(name_span)),
            );
        }
        let container_cpu: u64 = containers.iter().filter_map(|(c, _)| c.cpu).map(u64::from).sum();
        if container_cpu > u64::from(cpu.0) {
            valid = false;
            self.report(
                ContainerError::CpuReservedTooMuch { container_cpu, cpu: cpu.0 }.at(cpu.1.unwrap_or(name_span)),
            );
        }
        let literal_bytes: usize = containers.iter().map(|(c, _)| literal_size(c)).sum();
        if literal_bytes > MAX_TASK_DEFINITION_BYTES {
            valid = false;
            self.report(ContainerError::TaskDefinitionTooLarge { name: name.to_string(), literal_bytes }.at(name_span));
        }
        if !containers.iter().any(|(c, _)| c.essential) {
            valid = false;
            self.report(ContainerError::NoEssentialContainer { name: name.to_string() }.at(name_span));
        }
        valid
    }

    fn container(
        &mut self,
        statement: &Statement<'_>,
        scope: &Scope<'_>,
        default_image: Option<&Image>,
        infra: Option<&InfraSource>,
    ) -> Option<(Container, Span)> {
        let (name, name_span) = self.reader.text(statement.args.first()?, "a container name")?;
        let block = statement.block?;
        let mut valid = self.name_rule(name_span, "container name", names::ecs_name(name));
        let statements = split(&statements::CONTAINER, &block.lines, &mut self.reader.errors);
        let mut image = None;
        let mut essential = true;
        let mut memory = None;
        let mut cpu = None;
        let mut port = None;
        let mut health = None;
        let mut health_span = None;
        let mut bindings = Bindings::default();
        let mut read_only_root = true;
        let mut command = None;
        let mut entrypoint = None;
        let mut depends_on = Vec::new();
        let mut env_files = Vec::new();
        let mut writable_reason = None;
        let mut mounts = Vec::new();
        for statement in &statements {
            let first = statement.args.first();
            let before = self.reader.errors.len();
            match statement.spec.name {
                "image" => image = first.and_then(|item| self.image(item, scope)),
                "port" => port = self.port(statement),
                "health" => {
                    health = self.health(statement);
                    health_span = first.map(|item| item.span());
                }
                "env" => self.env_binding(statement, name, &mut bindings, infra),
                "secret" => self.secret_binding(statement, name, &mut bindings, infra),
                "memory" => memory = first.and_then(|item| self.container_memory(item)),
                "cpu" => {
                    cpu = first
                        .and_then(|item| self.reader.cpu_units(item, "container CPU"))
                        // Beyond u32::MAX, it exceeds the task's CPU: reported below.
                        .map(|units| u32::try_from(units).unwrap_or(u32::MAX))
                }
                "essential" => {
                    essential = first.and_then(|item| self.reader.boolean(item, "essential")).unwrap_or(true)
                }
                "filesystem" => (read_only_root, writable_reason) = self.filesystem(statement),
                "command" => {
                    command = first
                        .and_then(|item| self.reader.text_list(item, "arguments"))
                        .map(|list| list.into_iter().map(|(a, _)| a.to_owned()).collect())
                }
                "entrypoint" => {
                    entrypoint = first
                        .and_then(|item| self.reader.text_list(item, "arguments"))
                        .map(|list| list.into_iter().map(|(a, _)| a.to_owned()).collect())
                }
                "depends_on" => depends_on.extend(self.dependency(statement, name)),
                "env_file" => env_files.extend(first.and_then(|item| self.env_file(item))),
                "mount" => self.mount(statement, name, &mut mounts),
                other => unreachable!("CONTAINER schema has no `{other}`"),
            }
            valid &= self.reader.errors.len() == before;
        }
        // A URL path alone (`/health`): executables never sit at the root of
        // the filesystem, and ECS would run it as a shell command.
        if let (Some(found), Some(span)) = (&health, health_span) {
            let command = found.command.trim();
            let one_word = !command.contains(char::is_whitespace);
            let url_path = command.starts_with('/') && (command[1..].find('/').is_none() || command.contains('?'));
            if one_word && url_path {
                self.report(
                    ContainerError::HealthPathNotCommand {
                        path: command.to_owned(),
                        port: port.map(|p: Port| p.number),
                    }
                    .at(span),
                );
                valid = false;
            }
        }
        let image = match image.or_else(|| default_image.cloned()) {
            Some(image) => image,
            None if statements::given_or_misspelt(&statements::CONTAINER, &statements, &block.lines, "image") => {
                return None
            }
            None => self.implicit_image(scope, name, name_span)?,
        };
        if let (Some(port), true) = (&port, valid) {
            let mapping = crate::plan::names::port_mapping(name, port.number);
            if let Err(rule) = names::port_mapping(&mapping) {
                self.report(
                    ContainerError::PortMappingName { container: name.to_owned(), mapping, rule }.at(name_span),
                );
                valid = false;
            }
        }
        if !valid {
            return None;
        }
        Some((
            Container {
                name: name.to_owned(),
                image,
                essential,
                memory,
                cpu,
                port,
                health,
                env: bindings.env.into_iter().map(|(k, (v, _))| (k, v)).collect(),
                secrets: bindings.secrets.into_iter().map(|(k, (v, _))| (k, v)).collect(),
                read_only_root,
                writable_reason,
                command,
                entrypoint,
                depends_on,
                env_files,
                mounts: mounts.into_iter().map(|(mount, ..)| mount).collect(),
            },
            name_span,
        ))
    }

    /// The image of a container that names none, and whose deploy names
    /// none either: the pipeline's only build.
    fn implicit_image(&mut self, scope: &Scope<'_>, name: &str, name_span: Span) -> Option<Image> {
        if scope.builds.len() == 1 && scope.failed_builds.is_empty() {
            return Some(Image::Build(scope.builds[0].name.clone()));
        }
        // Which build it would use is unknown while builds have errors.
        if scope.failed_builds.is_empty() {
            self.report(ContainerError::NoImage { name: name.to_string() }.at(name_span));
        }
        None
    }

    /// `port NUMBER [PROTOCOL]`.
    fn port(&mut self, statement: &Statement<'_>) -> Option<Port> {
        let number = statement.args.first().and_then(|item| self.reader.number(item, "a port", 1, 65535));
        let app_protocol = match statement.args.get(1) {
            Some(item) => self.reader.keyword(item, "application protocol", &AppProtocol::ALL).map(Some),
            None => Some(None),
        };
        Some(Port { number: number? as u16, app_protocol: app_protocol? })
    }

    /// `depends_on CONTAINER CONDITION` in container `name`; the target is
    /// checked against the service's containers once all are read.
    fn dependency(&mut self, statement: &Statement<'_>, name: &str) -> Option<(String, StartCondition)> {
        let (Some(other), Some(condition)) = (statement.args.first(), statement.args.get(1)) else { return None };
        let target = self.reader.text(other, "a container name");
        let condition = self.reader.keyword(condition, "start condition", &StartCondition::ALL);
        let ((target, span), condition) = (target?, condition?);
        self.dependency_spans.push((name.to_owned(), target.to_owned(), span));
        Some((target.to_owned(), condition))
    }

    /// `memory` of one container: at least the 6 MiB Docker needs.
    fn container_memory(&mut self, item: &Item) -> Option<u32> {
        let mib = self.reader.mebibytes(item, "container memory")?;
        if mib < 6 {
            self.report(ContainerError::MemoryTooSmall.at(item.span()));
            return None;
        }
        // More than u32::MAX MiB exceeds any task's memory, which the task's
        // check reports.
        Some(u32::try_from(mib).unwrap_or(u32::MAX))
    }

    /// `filesystem readonly|writable ["reason"]`: whether the root
    /// filesystem is read-only, and why it is writable.
    fn filesystem(&mut self, statement: &Statement<'_>) -> (bool, Option<String>) {
        let first = statement.args.first();
        let read_only_root = first
            .and_then(|item| self.reader.keyword(item, "filesystem mode", &[("readonly", true), ("writable", false)]))
            .unwrap_or(true);
        match (read_only_root, statement.args.get(1)) {
            (false, Some(item)) => return (false, self.reason(item)),
            (false, None) => self.report(ContainerError::WritableWithoutReason.at(statement.span)),
            (true, Some(item)) => self.report(ContainerError::ReadOnlyWithReason.at(item.span())),
            (true, None) => {}
        }
        (read_only_root, None)
    }

    /// `env_file "arn:aws:s3:::BUCKET/KEY.env"`.
    fn env_file(&mut self, item: &Item) -> Option<String> {
        let (arn, span) = self.reader.text(item, "an environment file ARN")?;
        let valid = arn::Arn::parse(arn).is_some_and(|parts| {
            parts.service == "s3"
                && parts.region.is_empty()
                && parts.account.is_empty()
                && parts.resource.contains('/')
                && parts.resource.ends_with(".env")
        });
        if !valid {
            self.report(ContainerError::InvalidEnvFile.at(span));
            return None;
        }
        Some(arn.to_owned())
    }

    fn health(&mut self, statement: &Statement<'_>) -> Option<Health> {
        let (command, span) = self.reader.text(statement.args.first()?, "a health check command")?;
        if command.trim().is_empty() {
            self.report(ContainerError::EmptyHealthCommand.at(span));
            return None;
        }
        let seconds =
            |checker: &mut Checker, option: &str, what: &str, min: u64, max: u64, default: u64| match statement
                .option(option)
            {
                Some(item) => checker.reader.seconds(item, what, min, max),
                None => Some(default),
            };
        let interval = seconds(self, "every", "the health check interval", 5, 300, 30);
        let timeout = seconds(self, "timeout", "the health check timeout", 2, 120, 5);
        let start_period = seconds(self, "grace", "the health check grace period", 0, 300, 0);
        let retries = match statement.option("retries") {
            Some(item) => self.reader.number(item, "the health check retries", 1, 10),
            None => Some(3),
        };
        let (interval, timeout, start_period, retries) = (interval?, timeout?, start_period?, retries?);
        if timeout >= interval {
            self.report(ContainerError::HealthTimeoutTooLong { timeout, interval }.at(statement.span));
            return None;
        }
        Some(Health {
            command: command.to_owned(),
            interval: interval as u32,
            retries: retries as u32,
            timeout: timeout as u32,
            start_period: start_period as u32,
        })
    }

    /// Every `depends_on` names another container of the service, and no
    /// chain of them loops.
    pub(super) fn check_dependencies(&mut self, containers: &[(Container, Span)]) -> bool {
        let mut valid = true;
        for (from, to, span) in std::mem::take(&mut self.dependency_spans) {
            if from == to {
                valid = false;
                self.report(ContainerError::DependsOnItself { from: from.to_string() }.at(span));
            } else if !containers.iter().any(|(c, _)| c.name == to) {
                valid = false;
                let suggestion = suggest(&to, containers.iter().map(|(c, _)| c.name.as_str())).map(str::to_owned);
                self.report(ContainerError::UnknownDependency { to, suggestion }.at(span));
            }
        }
        if !valid {
            return false;
        }
        for (container, span) in containers {
            for (target, condition) in &container.depends_on {
                let Some(target) = containers.iter().map(|(c, _)| c).find(|c| &c.name == target) else { continue };
                let (container, target_name) = (container.name.clone(), target.name.clone());
                let problem = match condition {
                    StartCondition::Healthy if target.health.is_none() => {
                        Some(ContainerError::NeverHealthy { container, target: target_name })
                    }
                    StartCondition::Complete | StartCondition::Success if target.essential => {
                        Some(ContainerError::WaitsForEssential { container, target: target_name })
                    }
                    _ => None,
                };
                if let Some(problem) = problem {
                    valid = false;
                    self.report(problem.at(*span));
                }
            }
        }
        if !valid {
            return false;
        }
        // Depth-first search for a cycle.
        // `done` holds the containers from which no circle can be reached:
        // each is searched once, however many `depends_on` lead to it.
        fn visit<'c>(
            name: &'c str,
            containers: &'c [(Container, Span)],
            path: &mut Vec<&'c str>,
            done: &mut Vec<&'c str>,
        ) -> Option<Vec<&'c str>> {
            if let Some(start) = path.iter().position(|n| *n == name) {
                return Some(path[start..].to_vec());
            }
            if done.contains(&name) {
                return None;
            }
            path.push(name);
            let container = containers.iter().find(|(c, _)| c.name == name).map(|(c, _)| c)?;
            for (next, _) in &container.depends_on {
                if let Some(cycle) = visit(next, containers, path, done) {
                    return Some(cycle);
                }
            }
            path.pop();
            done.push(name);
            None
        }
        let mut done = Vec::new();
        for (container, span) in containers {
            // A cycle starts with the container found twice: never empty.
            if let Some(cycle) = visit(&container.name, containers, &mut Vec::new(), &mut done) {
                self.report(
                    ContainerError::DependencyCycle { cycle: cycle.join(" → "), start: cycle[0].to_string() }.at(*span),
                );
                return false;
            }
        }
        true
    }
}
