//! Service blocks: the task's size and platform, its containers, and the
//! cross-checks between them and the infrastructure.
//!
//! Contract: `Checker::service` turns one `service` statement into a
//! [`Service`] or reports every problem of it. The statements of a service
//! are read here; each concern has its own file: `containers.rs` (container
//! blocks, their dependencies and the task's size), `secrets.rs`
//! (`env`/`secret` bindings and where secrets come from), `networking.rs`
//! (load balancer, network, VPC endpoints), `route.rs` (a listener rule and
//! target group of the service's own), `scaling.rs` (`scale`,
//! `schedule`), `deployment.rs` (`deployment`, `storage`), `bluegreen.rs`
//! (what a blue/green deployment needs of the load balancer), `iam.rs`
//! (`allow` and the role names a service implies), `capacity.rs` (the
//! capacity provider strategy), `tasks.rs` (one-off tasks before a
//! deploy), `cron.rs` (scheduled jobs), `calls.rs` (the services it calls),
//! `volumes.rs` (volumes of the infrastructure's file system, and the
//! containers' mounts) and `queue.rs` (the SQS queue it consumes).

mod bluegreen;
mod calls;
mod capacity;
mod containers;
mod cron;
mod deployment;
mod iam;
mod networking;
mod queue;
mod route;
mod scaling;
mod secrets;
mod tasks;
mod values;
mod volumes;

use super::environments::{overridden, Overrides, Stage};
use super::*;
use crate::catalogue::ServiceError;

/// What the statements of one service block say, before the checks that
/// look at several of them at once.
struct Settings<'s, 'a> {
    /// Task CPU units, and where they are set.
    cpu: (u32, Option<Span>),
    /// Task memory in MiB, and where it is set.
    memory: (u32, Option<Span>),
    count: u32,
    count_span: Option<Span>,
    arch: Arch,
    capacity: Vec<CapacityShare>,
    containers: Vec<(Container, Span)>,
    /// How many `container` statements were read, valid or not.
    container_statements: usize,
    load_balancer: Option<&'s Statement<'a>>,
    network: Option<&'s Statement<'a>>,
    cluster: Option<Scalar>,
    log_group: Option<Scalar>,
    explicit_cluster: bool,
    explicit_logs: bool,
    scale: Option<(Scaling, Span)>,
    schedules: Vec<(Schedule, Span)>,
    /// The deployment settings, and the span of the statement setting them.
    deployment: (Deployment, Option<Span>),
    storage: Option<u32>,
    task_policy: Vec<Allow>,
    exec: bool,
    /// Egress rules of the service's own group, each with where it is written.
    egress: Vec<(Egress, Span)>,
    /// One-off tasks, in order, their containers not yet resolved.
    tasks: Vec<tasks::TaskDraft>,
    /// Scheduled jobs, in order, their containers not yet resolved.
    cron: Vec<cron::CronDraft>,
    /// The services it calls.
    calls: Vec<Call>,
    /// Its volumes, each with where its name is written.
    volumes: Vec<(Volume, Span)>,
    /// The names of every volume statement, valid or not: a mount of an
    /// invalid one reports nothing more.
    volume_names: Vec<String>,
    /// The queue it consumes.
    queue: Option<Queue>,
    /// A `queue` statement is written but invalid (already reported).
    queue_failed: bool,
}

impl Default for Settings<'_, '_> {
    fn default() -> Self {
        Settings {
            cpu: (256, None),
            memory: (512, None),
            count: 1,
            count_span: None,
            arch: Arch::X86_64,
            capacity: Vec::new(),
            containers: Vec::new(),
            container_statements: 0,
            load_balancer: None,
            network: None,
            cluster: Some(Scalar::Infra(String::from("cluster_id"))),
            log_group: Some(Scalar::Infra(String::from("cloud_watch_log_group_name"))),
            explicit_cluster: false,
            explicit_logs: false,
            scale: None,
            schedules: Vec::new(),
            deployment: (Deployment::default(), None),
            storage: None,
            task_policy: Vec::new(),
            exec: false,
            egress: Vec::new(),
            tasks: Vec::new(),
            cron: Vec::new(),
            calls: Vec::new(),
            volumes: Vec::new(),
            volume_names: Vec::new(),
            queue: None,
            queue_failed: false,
        }
    }
}

/// Puts an environment's settings in place of the service's; clears `valid`
/// if one of them is invalid (reported when the environment was read).
fn apply_overrides(settings: &mut Settings<'_, '_>, overrides: &Overrides, valid: &mut bool) {
    if let Some((cpu, span)) = overridden(&overrides.cpu, valid) {
        settings.cpu = (cpu, Some(span));
    }
    if let Some((memory, span)) = overridden(&overrides.memory, valid) {
        settings.memory = (memory, Some(span));
    }
    if let Some((count, span)) = overridden(&overrides.count, valid) {
        settings.count = count;
        settings.count_span = Some(span);
    }
    if let Some(arch) = overridden(&overrides.arch, valid) {
        settings.arch = arch;
    }
    if let Some(capacity) = overridden(&overrides.capacity, valid) {
        settings.capacity = capacity;
    }
    if let Some(gib) = overridden(&overrides.storage, valid) {
        settings.storage = Some(gib);
    }
    if let Some(scale) = overridden(&overrides.scale, valid) {
        settings.scale = Some(scale);
    }
    if let Some((deployment, span)) = overridden(&overrides.deployment, valid) {
        settings.deployment = (deployment, Some(span));
    }
}

impl Checker {
    /// An environment's service setting, checked once.
    pub(super) fn service_override(&mut self, statement: &Statement<'_>, overrides: &mut Overrides) {
        let first = statement.args.first();
        let at = first.map_or(statement.span, |item| item.span());
        let to_u32 = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
        match statement.spec.name {
            "cpu" => {
                let units = first.and_then(|item| self.reader.cpu_units(item, "task CPU"));
                overrides.cpu = Some(units.map(|units| (to_u32(units), at)));
            }
            "memory" => {
                let mib = first.and_then(|item| self.reader.mebibytes(item, "task memory"));
                overrides.memory = Some(mib.map(|mib| (to_u32(mib), at)));
            }
            "count" => {
                let count = first.and_then(|item| self.reader.number(item, "the task count", 0, 5000));
                overrides.count = Some(count.map(|count| (to_u32(count), at)));
            }
            "platform" => {
                let choices = [("x86_64", Arch::X86_64), ("arm64", Arch::Arm64)];
                overrides.arch = Some(first.and_then(|item| self.reader.keyword(item, "platform", &choices)));
            }
            "capacity" => overrides.capacity = Some(self.capacity(statement)),
            "storage" => overrides.storage = Some(first.and_then(|item| self.storage(item))),
            "scale" => overrides.scale = Some(self.scale(statement).map(|scale| (scale, statement.span))),
            "deployment" => {
                let deployment = self.deployment(statement);
                overrides.deployment = Some(deployment.map(|deployment| (deployment, statement.span)));
            }
            other => unreachable!("`{other}` is no service override"),
        }
    }

    pub(super) fn service(
        &mut self,
        statement: &Statement<'_>,
        scope: &Scope<'_>,
        default_image: Option<&Image>,
        infra: Option<&InfraSource>,
        stage: Option<&Stage>,
        own_infra: Option<&Infra>,
    ) -> Option<Service> {
        let (name, name_span) = self.reader.text(statement.args.first()?, "a service name")?;
        let block = statement.block?;
        let mut valid = self.name_rule(name_span, "ECS service name", names::ecs_name(name));
        valid = valid && self.check_role_names(name, name_span);
        let statements = split(&statements::SERVICE, &block.lines, &mut self.reader.errors);
        // An environment's settings replace the service's own; they were
        // checked once, when the environment was read.
        let overrides = stage.map(|stage| &stage.overrides);
        let effective = statements.iter().filter(|s| !overrides.is_some_and(|o| o.sets(s.spec.name)));
        let mut settings = Settings::default();
        self.mount_spans.clear();
        self.queue_references.clear();
        for statement in effective {
            valid &= self.service_statement(statement, &mut settings, name, scope, default_image, infra);
        }
        if let Some(overrides) = overrides {
            apply_overrides(&mut settings, overrides, &mut valid);
            valid &= self.container_values(&mut settings.containers, &overrides.containers, infra);
        }

        valid &= self.check_implicit_handoffs(&settings, name, name_span, infra);
        valid &= self.check_task_size(&settings);
        if settings.containers.is_empty() {
            if !statements::given_or_misspelt(&statements::SERVICE, &statements, &block.lines, "container") {
                self.report(ServiceError::NoContainer { name: name.to_string() }.at(name_span));
            }
            return None;
        }
        valid &= self.check_container_totals(&settings, name, name_span);

        let load_balancer = match settings.load_balancer {
            Some(statement) => {
                let own_lb = own_infra.and_then(|own| own.load_balancer.as_ref());
                let lb = self.load_balancer(statement, &settings.containers, infra, own_lb);
                valid &= lb.is_some();
                lb
            }
            None => None,
        };
        let mut network = self.network(settings.network, name_span, infra);
        valid &= network.is_some();
        if let Some(network) = network.as_mut() {
            valid &= self.check_egress_group(network, &settings.egress, infra, name_span);
            network.egress = settings.egress.iter().map(|(rule, _)| rule.clone()).collect();
        }
        if let Some(own) = own_infra {
            valid &= self.check_against_own_infra(own, network.as_ref(), load_balancer.as_ref(), name_span);
        }
        valid &= self.check_queue_uses(&settings, name, own_infra);
        let scaling = self.service_scaling(&mut settings, load_balancer.as_ref(), stage, infra, &mut valid);
        valid &= self.check_grace(&settings, load_balancer.is_some());
        valid &= self.check_blue_green(&settings, load_balancer.as_ref(), infra, own_infra);
        valid &= self.check_dependencies(&settings.containers);
        valid &= self.resolve_mounts(&mut settings);
        let tasks = self.resolve_tasks(&settings);
        valid &= tasks.is_some();
        let cron = self.resolve_cron(&settings);
        valid &= cron.is_some();
        if let Some(own) = own_infra {
            valid &= self.check_endpoints(own, &settings.containers, settings.exec, &settings.task_policy, name_span);
            valid &= self.check_way_out(own.nat, &settings.egress);
            valid &= self.check_image_way_out(own, &settings.containers, &settings.egress);
        }
        if !valid {
            return None;
        }
        Some(Service {
            name: name.to_owned(),
            cpu: settings.cpu.0,
            memory: settings.memory.0,
            count: settings.count,
            arch: settings.arch,
            capacity: settings.capacity,
            containers: settings.containers.into_iter().map(|(c, _)| c).collect(),
            load_balancer,
            network: network?,
            cluster: settings.cluster?,
            log_group: settings.log_group?,
            scaling,
            deployment: settings.deployment.0,
            storage: settings.storage,
            task_policy: settings.task_policy,
            exec: settings.exec,
            tasks: tasks?,
            cron: cron?,
            calls: settings.calls,
            volumes: settings.volumes.into_iter().map(|(volume, _)| volume).collect(),
            queue: settings.queue,
        })
    }

    /// Reads one statement of a service block into `settings`; false if it
    /// is invalid (the problem is reported).
    fn service_statement<'s, 'a>(
        &mut self,
        statement: &'s Statement<'a>,
        settings: &mut Settings<'s, 'a>,
        service: &str,
        scope: &Scope<'_>,
        default_image: Option<&Image>,
        infra: Option<&InfraSource>,
    ) -> bool {
        let first = statement.args.first();
        let at = || first.map_or(statement.span, |item| item.span());
        match statement.spec.name {
            "cpu" => match first.and_then(|item| self.reader.cpu_units(item, "task CPU")) {
                Some(units) => settings.cpu = (u32::try_from(units).unwrap_or(u32::MAX), Some(at())),
                None => return false,
            },
            "memory" => match first.and_then(|item| self.reader.mebibytes(item, "task memory")) {
                Some(mib) => settings.memory = (u32::try_from(mib).unwrap_or(u32::MAX), Some(at())),
                None => return false,
            },
            "count" => match first.and_then(|item| self.reader.number(item, "the task count", 0, 5000)) {
                Some(n) => {
                    settings.count = n as u32;
                    settings.count_span = first.map(|item| item.span());
                }
                None => return false,
            },
            "scale" => match self.scale(statement) {
                Some(found) => settings.scale = Some((found, statement.span)),
                None => return false,
            },
            "schedule" => match self.schedule(statement) {
                Some(found) => settings.schedules.push((found, statement.span)),
                None => return false,
            },
            "deployment" => match self.deployment(statement) {
                Some(found) => settings.deployment = (found, Some(statement.span)),
                None => return false,
            },
            "storage" => match first.and_then(|item| self.storage(item)) {
                Some(gib) => settings.storage = Some(gib),
                None => return false,
            },
            "allow" => match self.allow(statement, infra) {
                Some(found) => settings.task_policy.push(found),
                None => return false,
            },
            "capacity" => match self.capacity(statement) {
                Some(capacity) => settings.capacity = capacity,
                None => return false,
            },
            "exec" => settings.exec = true,
            "queue" => match self.queue(statement, service) {
                Some(queue) => settings.queue = Some(queue),
                None => {
                    settings.queue_failed = true;
                    return false;
                }
            },
            "calls" => return self.calls(statement, service, &mut settings.calls),
            "egress" => match self.egress(statement) {
                Some(rule) => settings.egress.push((rule, statement.span)),
                None => return false,
            },
            "platform" => match first.and_then(|item| {
                self.reader.keyword(item, "platform", &[("x86_64", Arch::X86_64), ("arm64", Arch::Arm64)])
            }) {
                Some(arch) => settings.arch = arch,
                None => return false,
            },
            "task" => return self.add_task(statement, settings, service),
            "volume" => return self.add_volume(statement, settings, service, infra),
            "cron" => return self.add_cron(statement, settings, service),
            "container" => return self.add_container(statement, settings, service, scope, default_image, infra),
            "load_balancer" => settings.load_balancer = Some(statement),
            "network" => settings.network = Some(statement),
            "cluster" => {
                settings.explicit_cluster = true;
                settings.cluster = first.and_then(|item| self.typed_scalar(item, "cluster_id", "the cluster", infra));
                return settings.cluster.is_some();
            }
            "logs" => {
                settings.explicit_logs = true;
                settings.log_group = first.and_then(|item| self.scalar(item, "the log group", infra));
                return settings.log_group.is_some();
            }
            other => unreachable!("SERVICE schema has no `{other}`"),
        }
        true
    }

    /// Implicit handoff uses must exist when the IDs are written literally.
    fn check_implicit_handoffs(
        &mut self,
        settings: &Settings<'_, '_>,
        name: &str,
        name_span: Span,
        infra: Option<&InfraSource>,
    ) -> bool {
        let Some(InfraSource::Literal(values)) = infra else { return true };
        let mut valid = true;
        for (explicit, key, statement) in [
            (settings.explicit_cluster, "cluster_id", "cluster"),
            (settings.explicit_logs, "cloud_watch_log_group_name", "logs"),
        ] {
            if !explicit && !values.contains_key(key) {
                valid = false;
                self.report(
                    ServiceError::HandoffNeeded {
                        name: name.to_string(),
                        key: key.to_string(),
                        statement: statement.to_string(),
                    }
                    .at(name_span),
                );
            }
        }
        valid
    }
}
