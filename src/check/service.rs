//! Service and container blocks: sizes, containers, load balancer, network, secrets.

use super::environments::Stage;
use super::*;

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
    pub(super) fn service(
        &mut self,
        statement: &Statement<'_>,
        scope: &Scope<'_>,
        default_image: Option<&Image>,
        infra: Option<&InfraSource>,
        stage: Option<&Stage<'_>>,
        own_infra: Option<&Infra>,
    ) -> Option<Service> {
        let (name, name_span) = self.reader.text(statement.args.first()?, "a service name")?;
        let block = statement.block?;
        let mut valid = self.name_rule(name_span, "ECS service name", names::ecs_name(name));
        let longest_role = format!("{name}-task-execution-role");
        if valid && names::iam_role(&longest_role).is_err() {
            valid = false;
            self.report(
                Diagnostic::new(
                    Code::InvalidName,
                    name_span,
                    format!("service name `{name}` is too long for its IAM roles"),
                )
                .label(format!("`{longest_role}` would have {} characters; IAM allows 64", longest_role.len()))
                .help(format!("shorten the service name to at most {} characters", 64 - "-task-execution-role".len())),
            );
        }
        let statements = split(&statements::SERVICE, &block.lines, &mut self.reader.errors);
        // An environment's settings replace the service's own.
        let overrides: Vec<&Statement<'_>> = stage
            .map(|stage| {
                stage
                    .overrides
                    .iter()
                    .filter(|o| statements::SERVICE.specs.iter().any(|s| s.name == o.spec.name))
                    .collect()
            })
            .unwrap_or_default();
        let mut effective: Vec<&Statement<'_>> =
            statements.iter().filter(|s| !overrides.iter().any(|o| o.spec.name == s.spec.name)).collect();
        effective.extend(overrides.iter().copied());
        let mut cpu = (256, None);
        let mut memory = (512, None);
        let mut count = 1;
        let mut arch = Arch::X86_64;
        let mut containers: Vec<(Container, Span)> = Vec::new();
        let mut load_balancer = None;
        let mut network = None;
        let mut cluster = Some(Scalar::Infra(String::from("cluster_id")));
        let mut log_group = Some(Scalar::Infra(String::from("cloud_watch_log_group_name")));
        let mut explicit_cluster = false;
        let mut explicit_logs = false;
        let mut count_span = None;
        let mut scale = None;
        let mut schedules = Vec::new();
        let mut deployment = (Deployment::default(), None);
        let mut storage = None;
        let mut task_policy = Vec::new();
        let mut exec = false;
        let mut container_statements = 0;
        for statement in effective {
            let first = statement.args.first();
            match statement.spec.name {
                "cpu" => {
                    if let Some(units) = first.and_then(|item| self.reader.cpu_units(item, "task CPU")) {
                        cpu = (
                            u32::try_from(units).unwrap_or(u32::MAX),
                            Some(first.map_or(statement.span, |i| i.span())),
                        );
                    } else {
                        valid = false;
                    }
                }
                "memory" => {
                    if let Some(mib) = first.and_then(|item| self.reader.mebibytes(item, "task memory")) {
                        memory =
                            (u32::try_from(mib).unwrap_or(u32::MAX), Some(first.map_or(statement.span, |i| i.span())));
                    } else {
                        valid = false;
                    }
                }
                "count" => match first.and_then(|item| self.reader.number(item, "the task count", 0, 5000)) {
                    Some(n) => {
                        count = n as u32;
                        count_span = first.map(|item| item.span());
                    }
                    None => valid = false,
                },
                "scale" => match self.scale(statement) {
                    Some(found) => scale = Some((found, statement.span)),
                    None => valid = false,
                },
                "schedule" => match self.schedule(statement) {
                    Some(found) => schedules.push((found, statement.span)),
                    None => valid = false,
                },
                "deployment" => match self.deployment(statement) {
                    Some(found) => deployment = (found, Some(statement)),
                    None => valid = false,
                },
                "storage" => match first.and_then(|item| self.storage(item)) {
                    Some(gib) => storage = Some(gib),
                    None => valid = false,
                },
                "allow" => match self.allow(statement, infra) {
                    Some(found) => task_policy.push(found),
                    None => valid = false,
                },
                "exec" => exec = true,
                "platform" => match first.and_then(|item| {
                    self.reader.keyword(item, "platform", &[("x86_64", Arch::X86_64), ("arm64", Arch::Arm64)])
                }) {
                    Some(a) => arch = a,
                    None => valid = false,
                },
                "container" => {
                    container_statements += 1;
                    if container_statements > MAX_CONTAINERS {
                        valid = false;
                        if container_statements == MAX_CONTAINERS + 1 {
                            let span = first.map_or(statement.name_span, |item| item.span());
                            self.report(
                                Diagnostic::new(
                                    Code::OutOfRange,
                                    span,
                                    format!("service `{name}` has more than {MAX_CONTAINERS} containers"),
                                )
                                .label(format!("container {container_statements}"))
                                .help(format!(
                                    "an ECS task definition holds at most {MAX_CONTAINERS} containers; run the others as another service"
                                )),
                            );
                        }
                        continue;
                    }
                    match self.container(statement, scope, default_image, infra) {
                        Some(c) => {
                            if let Some((_, first)) = containers.iter().find(|(other, _)| other.name == c.0.name) {
                                self.report(
                                    Diagnostic::new(
                                        Code::Duplicate,
                                        c.1,
                                        format!("container `{}` is defined twice", c.0.name),
                                    )
                                    .label("second definition")
                                    .note(*first, "first definition")
                                    .help("give each container its own name"),
                                );
                                valid = false;
                            } else {
                                containers.push(c);
                            }
                        }
                        None => valid = false,
                    }
                }
                "load_balancer" => load_balancer = Some(statement),
                "network" => network = Some(statement),
                "cluster" => {
                    explicit_cluster = true;
                    cluster = first.and_then(|item| self.scalar(item, "the cluster", infra));
                    valid &= cluster.is_some();
                }
                "logs" => {
                    explicit_logs = true;
                    log_group = first.and_then(|item| self.scalar(item, "the log group", infra));
                    valid &= log_group.is_some();
                }
                other => unreachable!("SERVICE schema has no `{other}`"),
            }
        }

        // Implicit handoff uses must exist when the IDs are written literally.
        if let Some(InfraSource::Literal(values)) = infra {
            for (explicit, key, statement) in
                [(explicit_cluster, "cluster_id", "cluster"), (explicit_logs, "cloud_watch_log_group_name", "logs")]
            {
                if !explicit && !values.contains_key(key) {
                    valid = false;
                    self.report(
                        Diagnostic::new(
                            Code::Missing,
                            name_span,
                            format!("service `{name}` needs `{key}` from the infrastructure"),
                        )
                        .label(format!("uses infra.{key} by default"))
                        .help(format!(
                            "add `{key} \"...\"` to the deploy's `infra` block, or set `{statement}` in the service"
                        )),
                    );
                }
            }
        }

        if let (Some(cpu_span), _) | (_, Some(cpu_span)) = (cpu.1, memory.1) {
            if !fargate_allows(cpu.0, memory.0) {
                valid = false;
                let span = memory.1.map_or(cpu_span, |m| cpu.1.map_or(m, |c| c.to(m)));
                let help = match fargate_memory_choices(cpu.0) {
                    Some(choices) => format!("with {} CPU units Fargate offers {choices}", cpu.0),
                    None => String::from("Fargate CPU units are 256, 512, 1024, 2048, 4096, 8192 or 16384"),
                };
                self.report(
                    Diagnostic::new(
                        Code::FargateSize,
                        span,
                        format!("Fargate does not offer {} CPU units with {} MiB", cpu.0, memory.0),
                    )
                    .label("no such Fargate task size")
                    .help(help),
                );
            }
        }
        if containers.is_empty() {
            if !statements::given_or_misspelt(&statements::SERVICE, &statements, &block.lines, "container") {
                self.report(
                    Diagnostic::new(Code::Missing, name_span, format!("service `{name}` has no container"))
                        .label("no container")
                        .help("add `container NAME { port 8080 }`"),
                );
            }
            return None;
        }

        // Each container's memory and CPU fit in u32; ten of them in u64.
        let container_memory: u64 = containers.iter().filter_map(|(c, _)| c.memory).map(u64::from).sum();
        if container_memory > u64::from(memory.0) {
            valid = false;
            self.report(
                Diagnostic::new(
                    Code::Conflict,
                    memory.1.unwrap_or(name_span),
                    format!("the containers reserve {container_memory} MiB but the task has {} MiB", memory.0),
                )
                .label("task memory")
                .help("raise the task's `memory`, or lower the containers' `memory`"),
            );
        }
        let container_cpu: u64 = containers.iter().filter_map(|(c, _)| c.cpu).map(u64::from).sum();
        if container_cpu > u64::from(cpu.0) {
            valid = false;
            self.report(
                Diagnostic::new(
                    Code::Conflict,
                    cpu.1.unwrap_or(name_span),
                    format!("the containers reserve {container_cpu} CPU units but the task has {}", cpu.0),
                )
                .label("task CPU")
                .help("raise the task's `cpu`, or lower the containers' `cpu`"),
            );
        }
        let literal_bytes: usize = containers.iter().map(|(c, _)| literal_size(c)).sum();
        if literal_bytes > MAX_TASK_DEFINITION_BYTES {
            valid = false;
            self.report(
                Diagnostic::new(
                    Code::OutOfRange,
                    name_span,
                    format!("the task definition of service `{name}` would be larger than the 64 KiB ECS accepts"),
                )
                .label(format!("its containers spell out {literal_bytes} bytes of names, values and commands"))
                .help("move settings into an environment file (`env_file`) or into one JSON secret with keys"),
            );
        }
        if !containers.iter().any(|(c, _)| c.essential) {
            valid = false;
            self.report(
                Diagnostic::new(Code::Conflict, name_span, format!("service `{name}` has no essential container"))
                    .label("every container is `essential no`")
                    .help("ECS needs at least one essential container; remove `essential no` from the main one"),
            );
        }

        let load_balancer = match load_balancer {
            Some(statement) => {
                let lb = self.load_balancer(statement, &containers, infra);
                valid &= lb.is_some();
                lb
            }
            None => None,
        };
        let network = match network {
            Some(statement) => {
                let subnets = match statement.option("subnets") {
                    Some(item) => self.scalar_list(item, "subnets", infra),
                    None => self.default_handoff_list(infra, "subnet_ids", statement.span, "subnets"),
                };
                let security_groups = match statement.option("security_groups") {
                    Some(item) => self.scalar_list(item, "security groups", infra),
                    None => self.default_handoff_one(infra, "security_group_id", statement.span, "security_groups"),
                };
                match (subnets, security_groups) {
                    (Some(subnets), Some(security_groups)) => {
                        Some(Network { subnets, security_groups, public_ip: statement.flag("public_ip") })
                    }
                    _ => None,
                }
            }
            None => {
                let subnets = self.default_handoff_list(infra, "subnet_ids", name_span, "subnets");
                let security_groups =
                    self.default_handoff_one(infra, "security_group_id", name_span, "security_groups");
                subnets.zip(security_groups).map(|(subnets, security_groups)| Network {
                    subnets,
                    security_groups,
                    public_ip: false,
                })
            }
        };
        valid &= network.is_some();

        if let (Some(own), Some(network)) = (own_infra, &network) {
            if network.public_ip {
                valid = false;
                self.report(
                    Diagnostic::new(Code::Conflict, name_span, "a public IP in the pipeline's private subnets reaches nothing")
                        .label(format!("`network public_ip`, but `{}` places tasks in private subnets", own.stack))
                        .help("remove `public_ip`: the tasks reach AWS through the VPC endpoints and take traffic from the load balancer"),
                );
            }
        }
        if let (Some(own_lb), Some(lb)) = (own_infra.and_then(|own| own.load_balancer.as_ref()), &load_balancer) {
            if own_lb.target_port != lb.port {
                valid = false;
                self.report(
                    Diagnostic::new(
                        Code::Conflict,
                        name_span,
                        format!(
                            "the load balancer sends traffic to port {}, but container `{}` listens on {}",
                            own_lb.target_port, lb.container, lb.port
                        ),
                    )
                    .label("ports differ")
                    .help(format!(
                        "set `port {}` in the infra block's `load_balancer`, or change the container's port",
                        lb.port
                    )),
                );
            }
        }
        let scaling = match scale {
            Some((mut scaling, span)) => {
                if count_span.is_some() && !(scaling.min..=scaling.max).contains(&count) {
                    valid = false;
                    self.report(
                        Diagnostic::new(
                            Code::Conflict,
                            count_span.unwrap_or(span),
                            format!(
                                "count {count} is outside the scaling range {}..{}{}",
                                scaling.min,
                                scaling.max,
                                stage.map(|stage| format!(" in environment `{}`", stage.name)).unwrap_or_default()
                            ),
                        )
                        .label("outside the range")
                        .note(span, "scaling range")
                        .help("set a count within the range, or drop `count`: scaling starts at the range's minimum"),
                    );
                }
                if count_span.is_none() {
                    count = scaling.min;
                }
                if scaling.requests.is_some() {
                    if load_balancer.is_none() {
                        valid = false;
                        self.report(
                            Diagnostic::new(Code::Conflict, span, "request-count scaling needs a load balancer")
                                .label("`requests` without `load_balancer`")
                                .help("add `load_balancer infra.aws_lb_target_group`, or scale on `cpu` or `memory`"),
                        );
                    } else {
                        for key in ["load_balancer_arn_suffix", "target_group_arn_suffix"] {
                            let reference = Reference { root: "infra", name: key, span };
                            valid &= self.handoff(reference, infra, HandoffShape::One).is_some();
                        }
                    }
                }
                scaling.schedules = schedules.into_iter().map(|(schedule, _)| schedule).collect();
                Some(scaling)
            }
            None => {
                if let Some((_, span)) = schedules.first() {
                    valid = false;
                    self.report(
                        Diagnostic::new(
                            Code::Conflict,
                            *span,
                            "a schedule changes the scaling range, but the service does not scale",
                        )
                        .label("no `scale` in this service")
                        .help("add `scale MIN..MAX cpu 60%`"),
                    );
                }
                None
            }
        };
        if let (Some(grace), Some(statement)) = (deployment.0.grace, deployment.1) {
            if load_balancer.is_none() {
                valid = false;
                self.report(
                    Diagnostic::new(
                        Code::Conflict,
                        statement.span,
                        format!("a health check grace period of {grace}s needs a load balancer"),
                    )
                    .label("`grace` without `load_balancer`")
                    .help("remove `grace`: without a load balancer, the container health check's own `grace` applies"),
                );
            }
        }
        valid &= self.check_dependencies(&containers);
        if let Some(own) = own_infra {
            valid &= self.check_endpoints(own, &containers, exec, &task_policy, name_span);
        }
        if !valid {
            return None;
        }
        Some(Service {
            name: name.to_owned(),
            cpu: cpu.0,
            memory: memory.0,
            count,
            arch,
            containers: containers.into_iter().map(|(c, _)| c).collect(),
            load_balancer,
            network: network?,
            cluster: cluster?,
            log_group: log_group?,
            scaling,
            deployment: deployment.0,
            storage,
            task_policy,
            exec,
        })
    }

    pub(super) fn default_handoff_list(
        &mut self,
        infra: Option<&InfraSource>,
        key: &str,
        span: Span,
        option: &str,
    ) -> Option<ScalarList> {
        self.default_handoff(infra, key, span, option).then(|| ScalarList::Infra(key.to_owned()))
    }

    pub(super) fn default_handoff_one(
        &mut self,
        infra: Option<&InfraSource>,
        key: &str,
        span: Span,
        option: &str,
    ) -> Option<ScalarList> {
        self.default_handoff(infra, key, span, option).then(|| ScalarList::Items(vec![Scalar::Infra(key.to_owned())]))
    }

    pub(super) fn default_handoff(&mut self, infra: Option<&InfraSource>, key: &str, span: Span, option: &str) -> bool {
        match infra {
            Some(InfraSource::Literal(values)) if !values.contains_key(key) => {
                self.report(
                    Diagnostic::new(Code::Missing, span, format!("the network needs `{key}` from the infrastructure"))
                        .label(format!("uses infra.{key} by default"))
                        .help(format!(
                            "add `{key} ...` to the deploy's `infra` block, or set `network {option} [...]`"
                        )),
                );
                false
            }
            _ => true,
        }
    }

    pub(super) fn load_balancer(
        &mut self,
        statement: &Statement<'_>,
        containers: &[(Container, Span)],
        infra: Option<&InfraSource>,
    ) -> Option<LoadBalancer> {
        let target_group = self.scalar(statement.args.first()?, "a target group", infra)?;
        let container = match statement.option("container") {
            Some(item) => {
                let (name, span) = self.reader.text(item, "a container name")?;
                let Some((container, _)) = containers.iter().find(|(c, _)| c.name == name) else {
                    let mut diagnostic =
                        Diagnostic::new(Code::UndefinedReference, span, format!("no container named `{name}`"))
                            .label("undefined container");
                    diagnostic = match suggest(name, containers.iter().map(|(c, _)| c.name.as_str())) {
                        Some(candidate) => diagnostic.help(format!("did you mean `{candidate}`?")),
                        None => diagnostic.help("name a container of this service"),
                    };
                    self.report(diagnostic);
                    return None;
                };
                container
            }
            None => {
                let mut with_port = containers.iter().map(|(c, _)| c).filter(|c| c.port.is_some());
                match (with_port.next(), with_port.next()) {
                    (Some(one), None) => one,
                    (None, _) => {
                        self.report(
                            Diagnostic::new(
                                Code::Missing,
                                statement.span,
                                "the load balancer has no container port to send traffic to",
                            )
                            .label("no container declares a `port`")
                            .help("add `port 8080` to the container that serves traffic"),
                        );
                        return None;
                    }
                    (Some(_), Some(_)) => {
                        self.report(
                            Diagnostic::new(
                                Code::Missing,
                                statement.span,
                                "several containers have ports; the load balancer needs to know which one",
                            )
                            .label("ambiguous target")
                            .help("add `container NAME` to `load_balancer`"),
                        );
                        return None;
                    }
                }
            }
        };
        let port = match statement.option("port") {
            Some(item) => {
                let port = self.reader.number(item, "a port", 1, 65535)? as u16;
                if container.port.map(|p| p.number) != Some(port) {
                    self.report(
                        Diagnostic::new(
                            Code::Conflict,
                            item.span(),
                            format!("container `{}` does not listen on port {port}", container.name),
                        )
                        .label("port not declared by the container")
                        .help(format!("add `port {port}` to container `{}`", container.name)),
                    );
                    return None;
                }
                port
            }
            None => match container.port {
                Some(port) => port.number,
                None => {
                    self.report(
                        Diagnostic::new(
                            Code::Missing,
                            statement.span,
                            format!("container `{}` declares no port", container.name),
                        )
                        .label("no port to send traffic to")
                        .help(format!("add `port 8080` to container `{}`", container.name)),
                    );
                    return None;
                }
            },
        };
        Some(LoadBalancer { target_group, container: container.name.clone(), port })
    }

    pub(super) fn container(
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
        let mut env: BTreeMap<String, (Scalar, Span)> = BTreeMap::new();
        let mut secrets: BTreeMap<String, (SecretSource, Span)> = BTreeMap::new();
        let mut read_only_root = true;
        let mut command = None;
        let mut entrypoint = None;
        let mut depends_on = Vec::new();
        let mut env_files = Vec::new();
        let mut writable_reason = None;
        for statement in &statements {
            let first = statement.args.first();
            let before = self.reader.errors.len();
            match statement.spec.name {
                "image" => image = first.and_then(|item| self.image(item, scope)),
                "port" => {
                    let number = first.and_then(|item| self.reader.number(item, "a port", 1, 65535));
                    let app_protocol = match statement.args.get(1) {
                        Some(item) => self.reader.keyword(item, "application protocol", &AppProtocol::ALL).map(Some),
                        None => Some(None),
                    };
                    if let (Some(number), Some(app_protocol)) = (number, app_protocol) {
                        port = Some(Port { number: number as u16, app_protocol });
                    }
                }
                "health" => health = self.health(statement),
                "env" => {
                    if let Some((key, key_span, value)) = first.and_then(|item| self.binding(item, "env")) {
                        if let Some(scalar) = self.scalar(&Item::Value(value.clone()), "an environment value", infra) {
                            if matches!(scalar, Scalar::Text(_)) && names::looks_like_credential(&key) {
                                self.report(
                                    Diagnostic::new(
                                        Code::PlaintextCredential,
                                        value.span,
                                        format!("`{key}` looks like a credential, but its value is plain text"),
                                    )
                                    .label("this value would sit in the repository and the task definition")
                                    .note(key_span, "named like a credential")
                                    .help(format!(
                                        "store it in AWS and inject it: `secret {key} = ssm \"/app/{}\"` or `secret {key} = infra.secret_arn key \"{}\"`",
                                        key.to_ascii_lowercase().replace('_', "-"),
                                        key.to_ascii_lowercase()
                                    )),
                                );
                            } else if let Some((_, first)) = secrets.get(&key) {
                                self.report(
                                    Diagnostic::new(
                                        Code::Duplicate,
                                        key_span,
                                        format!("`{key}` is set twice in container `{name}`"),
                                    )
                                    .label("set again here")
                                    .note(*first, "set as a secret here")
                                    .help("an environment variable and a secret cannot share a name"),
                                );
                            } else if let Some((_, first)) = env.insert(key.clone(), (scalar, key_span)) {
                                self.report(
                                    Diagnostic::new(
                                        Code::Duplicate,
                                        key_span,
                                        format!("environment variable `{key}` is set twice"),
                                    )
                                    .label("set again here")
                                    .note(first, "first set here")
                                    .help("keep one of them"),
                                );
                            }
                        }
                    }
                }
                "secret" => {
                    if let Some((key, key_span, value)) = first.and_then(|item| self.binding(item, "secret")) {
                        if let Some(source) = self.secret_source(statement, value, infra) {
                            if env.contains_key(&key) || secrets.contains_key(&key) {
                                self.report(
                                    Diagnostic::new(
                                        Code::Duplicate,
                                        key_span,
                                        format!("`{key}` is set twice in container `{name}`"),
                                    )
                                    .label("set again here")
                                    .help("an environment variable and a secret cannot share a name"),
                                );
                            } else {
                                secrets.insert(key, (source, key_span));
                            }
                        }
                    }
                }
                "memory" => {
                    memory = first.and_then(|item| self.reader.mebibytes(item, "container memory")).and_then(|mib| {
                        if mib < 6 {
                            self.report(
                                Diagnostic::new(
                                    Code::OutOfRange,
                                    first.map_or(statement.span, |i| i.span()),
                                    "container memory must be at least 6 MiB",
                                )
                                .label("too small")
                                .help("Docker needs at least 6 MiB; most containers want 128mb or more"),
                            );
                            None
                        } else {
                            // More than u32::MAX MiB exceeds any task's memory,
                            // which the task's check below reports.
                            Some(u32::try_from(mib).unwrap_or(u32::MAX))
                        }
                    });
                }
                "cpu" => {
                    cpu = first
                        .and_then(|item| self.reader.cpu_units(item, "container CPU"))
                        // Beyond u32::MAX, it exceeds the task's CPU: reported below.
                        .map(|units| u32::try_from(units).unwrap_or(u32::MAX))
                }
                "essential" => {
                    essential = first.and_then(|item| self.reader.boolean(item, "essential")).unwrap_or(true)
                }
                "filesystem" => {
                    read_only_root = first
                        .and_then(|item| {
                            self.reader.keyword(item, "filesystem mode", &[("readonly", true), ("writable", false)])
                        })
                        .unwrap_or(true);
                    match (read_only_root, statement.args.get(1)) {
                        (false, Some(item)) => writable_reason = self.reason(item),
                        (false, None) => self.report(
                            Diagnostic::new(Code::UnacceptedRisk, statement.span, "a writable root filesystem needs a reason")
                                .label("no reason given")
                                .help("say why, as in `filesystem writable \"the app writes its cache to /var/cache\"`; it is recorded beside the checkov skip"),
                        ),
                        (true, Some(item)) => self.report(
                            Diagnostic::new(Code::UnexpectedArgument, item.span(), "a read-only filesystem needs no reason")
                                .label("not expected here")
                                .help("write `filesystem readonly`, or leave it out: it is the default"),
                        ),
                        (true, None) => {}
                    }
                }
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
                "depends_on" => {
                    if let (Some(other), Some(condition)) = (first, statement.args.get(1)) {
                        let target = self.reader.text(other, "a container name");
                        let condition = self.reader.keyword(condition, "start condition", &StartCondition::ALL);
                        if let (Some((target, span)), Some(condition)) = (target, condition) {
                            self.dependency_spans.push((name.to_owned(), target.to_owned(), span));
                            depends_on.push((target.to_owned(), condition));
                        }
                    }
                }
                "env_file" => {
                    if let Some((arn, span)) = first.and_then(|item| self.reader.text(item, "an environment file ARN"))
                    {
                        let valid = arn
                            .strip_prefix("arn:")
                            .and_then(|rest| rest.split_once(":s3:::"))
                            .is_some_and(|(_, object)| object.contains('/') && object.ends_with(".env"));
                        if valid {
                            env_files.push(arn.to_owned());
                        } else {
                            self.report(
                                Diagnostic::new(Code::InvalidText, span, "expected the S3 object ARN of a `.env` file")
                                    .label("not an S3 object ARN ending in .env")
                                    .help("write \"arn:aws:s3:::BUCKET/path/app.env\""),
                            );
                        }
                    }
                }
                other => unreachable!("CONTAINER schema has no `{other}`"),
            }
            valid &= self.reader.errors.len() == before;
        }
        let image = match image.or_else(|| default_image.cloned()) {
            Some(image) => image,
            None if statements::given_or_misspelt(&statements::CONTAINER, &statements, &block.lines, "image") => {
                return None
            }
            None if scope.builds.len() == 1 && scope.failed_builds.is_empty() => {
                Image::Build(scope.builds[0].name.clone())
            }
            // Which build it would use is unknown while builds have errors.
            None if !scope.failed_builds.is_empty() => return None,
            None => {
                self.report(
                    Diagnostic::new(Code::Missing, name_span, format!("container `{name}` has no image"))
                        .label("image missing")
                        .help("add `image build.NAME` to the container, or `image build.NAME` to the deploy block for all its containers"),
                );
                return None;
            }
        };
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
                env: env.into_iter().map(|(k, (v, _))| (k, v)).collect(),
                secrets: secrets.into_iter().map(|(k, (v, _))| (k, v)).collect(),
                read_only_root,
                writable_reason,
                command,
                entrypoint,
                depends_on,
                env_files,
            },
            name_span,
        ))
    }

    /// `NAME = value` for `env` and `secret`.
    pub(super) fn binding<'a>(
        &mut self,
        item: &'a Item,
        statement: &str,
    ) -> Option<(String, Span, &'a crate::syntax::Value)> {
        match item {
            Item::Pair(pair) => {
                if self.name_rule(pair.key_span, "variable name", names::env_var(&pair.key)) {
                    Some((pair.key.clone(), pair.key_span, &pair.value))
                } else {
                    None
                }
            }
            Item::Value(value) => {
                self.report(
                    Diagnostic::new(
                        Code::WrongType,
                        value.span,
                        format!("expected `NAME = value` after `{statement}`, found {}", value.kind.describe()),
                    )
                    .label("expected `NAME = value`")
                    .help(format!("write `{statement} NAME = value`")),
                );
                None
            }
        }
    }

    /// `secret NAME = SOURCE [key "JSON_KEY"]`, where SOURCE is `infra.secret_arn`,
    /// a Secrets Manager or SSM ARN, or `ssm "/parameter/name"`.
    pub(super) fn secret_source(
        &mut self,
        statement: &Statement<'_>,
        value: &crate::syntax::Value,
        infra: Option<&InfraSource>,
    ) -> Option<SecretSource> {
        let store = match &value.kind {
            ValueKind::Word(word) if word == "ssm" => {
                let Some(name) = statement.args.get(1) else {
                    self.report(
                        Diagnostic::new(Code::Missing, value.span, "`ssm` needs the parameter's name")
                            .label("parameter name missing")
                            .help("write `secret NAME = ssm \"/app/parameter\"`"),
                    );
                    return None;
                };
                SecretStore::Parameter(self.ssm_parameter_name(name)?)
            }
            ValueKind::Str(arn) => {
                let parts: Vec<&str> = arn.splitn(6, ':').collect();
                let service = (parts.len() == 6 && parts[0] == "arn").then(|| parts[2]);
                match service {
                    Some("secretsmanager") if parts[5].starts_with("secret:") => SecretStore::SecretArn(arn.clone()),
                    Some("ssm") if parts[5].starts_with("parameter/") => SecretStore::ParameterArn(arn.clone()),
                    _ => {
                        self.report(
                            Diagnostic::new(Code::InvalidText, value.span, "expected a Secrets Manager or SSM parameter ARN")
                                .label("not a secretsmanager secret or ssm parameter ARN")
                                .help("write the full ARN, such as \"arn:aws:secretsmanager:us-east-2:123456789012:secret:db-AbCdEf\", `ssm \"/app/param\"`, or `infra.secret_arn`"),
                        );
                        return None;
                    }
                }
            }
            ValueKind::Path(_) => {
                let reference = self.reader.reference(value)?;
                if reference.root != "infra" {
                    let help = if reference.root == "secret" {
                        String::from("container secrets come from AWS (Secrets Manager or SSM), not from GitHub secrets: use `infra.secret_arn`, an ARN or `ssm \"/name\"`")
                    } else {
                        String::from("write `infra.secret_arn`, a quoted ARN or `ssm \"/name\"`")
                    };
                    self.report(
                        Diagnostic::new(
                            Code::UndefinedReference,
                            reference.span,
                            format!("`{}.{}` cannot supply a container secret", reference.root, reference.name),
                        )
                        .label("not an AWS secret")
                        .help(help),
                    );
                    return None;
                }
                let key = self.handoff(reference, infra, HandoffShape::One)?;
                if key != "secret_arn" {
                    self.report(
                        Diagnostic::new(Code::WrongType, reference.span, format!("`infra.{key}` is not a secret"))
                            .label("not a Secrets Manager ARN")
                            .help("the infrastructure hands over its secret as `infra.secret_arn`"),
                    );
                    return None;
                }
                SecretStore::Infra(key)
            }
            other => {
                self.report(
                    Diagnostic::new(
                        Code::WrongType,
                        value.span,
                        format!("expected a secret, found {}", other.describe()),
                    )
                    .label("expected `infra.secret_arn`, a quoted ARN or `ssm \"/name\"`")
                    .help("write `secret NAME = infra.secret_arn`"),
                );
                return None;
            }
        };
        if let (Some(extra), false) = (statement.args.get(1), matches!(store, SecretStore::Parameter(_))) {
            self.report(
                Diagnostic::new(Code::UnexpectedArgument, extra.span(), "unexpected value after the secret")
                    .label("not expected here")
                    .help("a JSON key is written `key \"NAME\"`"),
            );
            return None;
        }
        let json_key = match statement.option("key") {
            Some(item) => {
                let (key, span) = self.reader.text(item, "a JSON key")?;
                if matches!(store, SecretStore::Parameter(_) | SecretStore::ParameterArn(_)) {
                    self.report(
                        Diagnostic::new(Code::Conflict, span, "SSM parameters have no JSON keys")
                            .label("`key` on an SSM parameter")
                            .help(
                                "JSON keys select a field of a Secrets Manager secret; store one value per parameter",
                            ),
                    );
                    return None;
                }
                if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)) {
                    self.report(
                        Diagnostic::new(Code::InvalidText, span, "invalid JSON key")
                            .label("JSON keys here hold letters, digits, `_`, `.` and `-`")
                            .help("name a top-level key of the secret's JSON"),
                    );
                    return None;
                }
                Some(key.to_owned())
            }
            None => None,
        };
        Some(SecretSource { store, json_key })
    }

    fn scale(&mut self, statement: &Statement<'_>) -> Option<Scaling> {
        let item = statement.args.first()?;
        let value = self.reader.value(item, "a count range")?;
        let ValueKind::Range(min, max) = value.kind else {
            self.report(
                Diagnostic::new(
                    Code::WrongType,
                    value.span,
                    format!("expected a count range, found {}", value.kind.describe()),
                )
                .label("expected MIN..MAX")
                .help("write `scale 2..10 cpu 60%`"),
            );
            return None;
        };
        if min > max || max > 5000 || max == 0 {
            self.report(
                Diagnostic::new(Code::OutOfRange, value.span, format!("`{min}..{max}` is not a valid scaling range"))
                    .label("expected MIN..MAX with MIN ≤ MAX ≤ 5000 and MAX ≥ 1")
                    .help("write a range such as `2..10`"),
            );
            return None;
        }
        let percent = |checker: &mut Checker, name: &str| match statement.option(name) {
            Some(item) => checker.percent(item, &format!("the {name} target"), 1, 100).map(Some),
            None => Some(None),
        };
        let cpu = percent(self, "cpu")?;
        let memory = percent(self, "memory")?;
        let requests = match statement.option("requests") {
            Some(item) => Some(self.reader.number(item, "the requests per task target", 1, 1_000_000)? as u32),
            None => None,
        };
        if cpu.is_none() && memory.is_none() && requests.is_none() {
            self.report(
                Diagnostic::new(Code::Missing, statement.span, "scaling needs a target")
                    .label("no `cpu`, `memory` or `requests`")
                    .help("add a target such as `cpu 60%`"),
            );
            return None;
        }
        let cooldown = |checker: &mut Checker, name: &str, default: u64| match statement.option(name) {
            Some(item) => checker.reader.seconds(item, "a cooldown", 0, 3600),
            None => Some(default),
        };
        let cooldown_in = cooldown(self, "cooldown_in", 300)? as u32;
        let cooldown_out = cooldown(self, "cooldown_out", 60)? as u32;
        Some(Scaling {
            min: min as u32,
            max: max as u32,
            cpu,
            memory,
            requests,
            cooldown_in,
            cooldown_out,
            schedules: Vec::new(),
        })
    }

    fn percent(&mut self, item: &Item, what: &str, min: u64, max: u64) -> Option<u32> {
        let value = self.reader.value(item, what)?;
        match &value.kind {
            ValueKind::Quantity { amount, unit: Some(unit) } if unit == "%" => {
                if (min..=max).contains(amount) {
                    Some(*amount as u32)
                } else {
                    self.report(
                        Diagnostic::new(
                            Code::OutOfRange,
                            value.span,
                            format!("{what} must be between {min}% and {max}%, found {amount}%"),
                        )
                        .label("out of range")
                        .help(format!("choose {what} from {min}% to {max}%")),
                    );
                    None
                }
            }
            ValueKind::Quantity { .. } => {
                self.report(
                    Diagnostic::new(Code::WrongUnit, value.span, format!("{what} is a percentage"))
                        .label("expected a number with `%`")
                        .help("write a percentage such as `60%`"),
                );
                None
            }
            other => {
                self.report(
                    Diagnostic::new(
                        Code::WrongType,
                        value.span,
                        format!("expected {what}, found {}", other.describe()),
                    )
                    .label("expected a percentage")
                    .help("write a percentage such as `60%`"),
                );
                None
            }
        }
    }

    fn schedule(&mut self, statement: &Statement<'_>) -> Option<Schedule> {
        let (name, name_span) = self.reader.word(statement.args.first()?, "a schedule name")?;
        if !self.name_rule(name_span, "schedule name", names::job_id(name)) {
            return None;
        }
        let (expression, span) = self.reader.text(statement.args.get(1)?, "a schedule expression")?;
        let valid =
            ["cron(", "rate(", "at("].iter().any(|prefix| expression.starts_with(prefix)) && expression.ends_with(')');
        if !valid {
            self.report(
                Diagnostic::new(Code::InvalidText, span, "invalid schedule expression")
                    .label("expected cron(...), rate(...) or at(...)")
                    .help("write an expression such as \"cron(0 8 ? * MON-FRI *)\""),
            );
            return None;
        }
        let range = self.reader.value(statement.args.get(2)?, "a count range")?;
        let ValueKind::Range(min, max) = range.kind else {
            self.report(
                Diagnostic::new(
                    Code::WrongType,
                    range.span,
                    format!("expected a count range, found {}", range.kind.describe()),
                )
                .label("expected MIN..MAX")
                .help("write the range the schedule sets, such as `4..12`"),
            );
            return None;
        };
        if min > max || max > 5000 {
            self.report(
                Diagnostic::new(Code::OutOfRange, range.span, format!("`{min}..{max}` is not a valid scaling range"))
                    .label("expected MIN..MAX with MIN ≤ MAX ≤ 5000")
                    .help("write a range such as `4..12`"),
            );
            return None;
        }
        let timezone = match statement.option("timezone") {
            Some(item) => {
                let (zone, span) = self.reader.text(item, "a time zone")?;
                if zone.is_empty() || !zone.chars().all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c)) {
                    self.report(
                        Diagnostic::new(Code::InvalidText, span, "invalid time zone")
                            .label("expected an IANA time zone")
                            .help("write a zone such as \"Europe/Berlin\" or \"UTC\""),
                    );
                    return None;
                }
                zone.to_owned()
            }
            None => String::from("UTC"),
        };
        Some(Schedule {
            name: name.to_owned(),
            expression: expression.to_owned(),
            min: min as u32,
            max: max as u32,
            timezone,
        })
    }

    fn deployment(&mut self, statement: &Statement<'_>) -> Option<Deployment> {
        let mut deployment = Deployment::default();
        if let Some(item) = statement.option("minimum") {
            deployment.minimum_percent = self.percent(item, "the minimum healthy percent", 0, 100)?;
        }
        if let Some(item) = statement.option("maximum") {
            deployment.maximum_percent = self.percent(item, "the maximum percent", 100, 200)?;
        }
        if let Some(item) = statement.option("grace") {
            deployment.grace = Some(self.reader.seconds(item, "the health check grace period", 0, 7200)? as u32);
        }
        if let Some(item) = statement.option("rollback") {
            deployment.rollback = self.reader.boolean(item, "rollback")?;
        }
        if let Some(item) = statement.option("alarms") {
            let alarms = self.reader.text_list(item, "alarm names")?;
            for (alarm, span) in &alarms {
                if alarm.is_empty() || alarm.len() > 255 {
                    self.report(
                        Diagnostic::new(Code::InvalidName, *span, "invalid alarm name")
                            .label("CloudWatch alarm names are 1 to 255 characters")
                            .help("name an existing CloudWatch alarm"),
                    );
                    return None;
                }
            }
            deployment.alarms = alarms.into_iter().map(|(alarm, _)| alarm.to_owned()).collect();
        }
        if deployment.minimum_percent == 0 && deployment.maximum_percent == 100 {
            self.report(
                Diagnostic::new(
                    Code::Conflict,
                    statement.span,
                    "minimum 0% with maximum 100% stops every task before starting new ones",
                )
                .label("no room to deploy without downtime")
                .help("raise `maximum` above 100%, or accept downtime explicitly with `minimum 0%` and `maximum 200%`"),
            );
            return None;
        }
        Some(deployment)
    }

    fn storage(&mut self, item: &Item) -> Option<u32> {
        let mib = self.reader.mebibytes(item, "ephemeral storage")?;
        let gib = mib / 1024;
        if mib % 1024 != 0 || !(21..=200).contains(&gib) {
            self.report(
                Diagnostic::new(
                    Code::OutOfRange,
                    item.span(),
                    "Fargate ephemeral storage is 21 to 200 GiB in whole GiB",
                )
                .label("out of range")
                .help("write a size such as `50gb`; 20 GiB are included without this setting"),
            );
            return None;
        }
        u32::try_from(gib).ok()
    }

    fn allow(&mut self, statement: &Statement<'_>, infra: Option<&InfraSource>) -> Option<Allow> {
        let actions = self.reader.text_list(statement.args.first()?, "IAM actions")?;
        for (action, span) in &actions {
            let valid = action.split_once(':').is_some_and(|(service, name)| {
                !service.is_empty()
                    && service.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '*')
            });
            if !valid || *action == "*" {
                self.report(
                    Diagnostic::new(Code::InvalidText, *span, format!("`{action}` is not an IAM action"))
                        .label("expected service:Action")
                        .help("name actions such as \"s3:GetObject\"; a bare `*` grants everything"),
                );
                return None;
            }
        }
        let Some(on) = statement.option("on") else {
            self.report(
                Diagnostic::new(Code::Missing, statement.span, "`allow` needs the resources it applies to")
                    .label("no `on [...]`")
                    .help("add `on [\"arn:aws:s3:::bucket/*\"]`: least privilege names its resources"),
            );
            return None;
        };
        let value = self.reader.value(on, "resources")?;
        let ValueKind::List(values) = &value.kind else {
            self.report(
                Diagnostic::new(
                    Code::WrongType,
                    value.span,
                    format!("expected a list of resources, found {}", value.kind.describe()),
                )
                .label("expected a list")
                .help("write `on [\"arn:aws:s3:::bucket/*\"]`"),
            );
            return None;
        };
        let mut resources = Vec::with_capacity(values.len());
        for value in values {
            if let ValueKind::Str(arn) = &value.kind {
                if arn == "*" || !arn.starts_with("arn:") {
                    self.report(
                        Diagnostic::new(Code::InvalidText, value.span, format!("`{arn}` is not a resource ARN"))
                            .label("expected an ARN")
                            .help("name the resources by ARN; `*` would grant the actions on everything"),
                    );
                    return None;
                }
            }
            resources.push(self.scalar(&Item::Value(value.clone()), "a resource", infra)?);
        }
        if resources.is_empty() {
            self.report(
                Diagnostic::new(Code::Missing, value.span, "the resource list is empty")
                    .label("empty")
                    .help("name at least one resource ARN"),
            );
            return None;
        }
        Some(Allow { actions: actions.into_iter().map(|(a, _)| a.to_owned()).collect(), resources })
    }

    /// Tasks in the pipeline's own private subnets have no NAT gateway: they
    /// reach AWS only through the VPC endpoints, and nothing else at all.
    fn check_endpoints(
        &mut self,
        own: &Infra,
        containers: &[(Container, Span)],
        exec: bool,
        task_policy: &[Allow],
        at: Span,
    ) -> bool {
        let mut needed: Vec<(&str, String)> = vec![("logs", String::from("the containers log to CloudWatch"))];
        for (container, _) in containers {
            match &container.image {
                Image::Build(_) => {
                    needed.push(("ecr.api", format!("`{}` pulls its image from ECR", container.name)));
                    needed.push(("ecr.dkr", format!("`{}` pulls its image from ECR", container.name)));
                    needed.push(("s3", String::from("ECR serves image layers from S3")));
                }
                Image::Uri(uri) if uri.contains(".dkr.ecr.") && uri.contains(".amazonaws.com") => {
                    needed.push(("ecr.api", format!("`{}` pulls its image from ECR", container.name)));
                    needed.push(("ecr.dkr", format!("`{}` pulls its image from ECR", container.name)));
                    needed.push(("s3", String::from("ECR serves image layers from S3")));
                }
                Image::Uri(uri) => {
                    self.report(
                        Diagnostic::new(
                            Code::Conflict,
                            at,
                            format!("container `{}` pulls `{uri}` from outside AWS, but its subnets have no route out", container.name),
                        )
                        .label("private subnets without NAT")
                        .help("push the image to an ECR repository of the account (pull-through cache or a build) and use that"),
                    );
                    return false;
                }
            }
            for (_, source) in &container.secrets {
                match source.store {
                    SecretStore::Infra(_) | SecretStore::SecretArn(_) => {
                        needed.push(("secretsmanager", format!("`{}` reads Secrets Manager secrets", container.name)));
                    }
                    SecretStore::Parameter(_) | SecretStore::ParameterArn(_) => {
                        needed.push(("ssm", format!("`{}` reads SSM parameters", container.name)));
                    }
                }
            }
        }
        if exec {
            needed.push(("ssmmessages", String::from("ECS Exec opens its sessions through Session Manager")));
        }
        for allow in task_policy {
            for action in &allow.actions {
                let service = action.split(':').next().unwrap_or_default();
                if let Some(endpoint) = super::infra::ENDPOINTS.iter().find(|e| **e == service) {
                    needed.push((endpoint, format!("the task role may call `{action}`")));
                }
            }
        }
        for (endpoint, why) in needed {
            if !own.endpoints.iter().any(|e| e == endpoint) {
                self.report(
                    Diagnostic::new(
                        Code::Conflict,
                        at,
                        format!("the service needs the `{endpoint}` VPC endpoint: {why}"),
                    )
                    .label(format!("`{endpoint}` is not among the infra block's endpoints"))
                    .help(format!("add `{endpoint}` to `endpoints [...]` in the pipeline's infra block")),
                );
                return false;
            }
        }
        true
    }

    /// Every `depends_on` names another container of the service, and no
    /// chain of them loops.
    fn check_dependencies(&mut self, containers: &[(Container, Span)]) -> bool {
        let mut valid = true;
        for (from, to, span) in std::mem::take(&mut self.dependency_spans) {
            if from == to {
                valid = false;
                self.report(
                    Diagnostic::new(
                        Code::UndefinedReference,
                        span,
                        format!("container `{from}` cannot depend on itself"),
                    )
                    .label("circular dependency")
                    .help("name another container of the service"),
                );
            } else if !containers.iter().any(|(c, _)| c.name == to) {
                valid = false;
                let mut diagnostic =
                    Diagnostic::new(Code::UndefinedReference, span, format!("no container named `{to}`"))
                        .label("undefined container");
                diagnostic = match suggest(&to, containers.iter().map(|(c, _)| c.name.as_str())) {
                    Some(candidate) => diagnostic.help(format!("did you mean `{candidate}`?")),
                    None => diagnostic.help("name a container of this service"),
                };
                self.report(diagnostic);
            }
        }
        if !valid {
            return false;
        }
        for (container, span) in containers {
            for (target, condition) in &container.depends_on {
                let Some(target) = containers.iter().map(|(c, _)| c).find(|c| &c.name == target) else { continue };
                let problem = match condition {
                    StartCondition::Healthy if target.health.is_none() => {
                        Some(format!("`{}` has no health check, so it never becomes healthy", target.name))
                    }
                    StartCondition::Complete | StartCondition::Success if target.essential => Some(format!(
                        "`{}` is essential: the task stops when it exits, so nothing can wait for it to complete",
                        target.name
                    )),
                    _ => None,
                };
                if let Some(problem) = problem {
                    valid = false;
                    self.report(
                        Diagnostic::new(
                            Code::Conflict,
                            *span,
                            format!("container `{}` waits for `{}` in vain", container.name, target.name),
                        )
                        .label(problem)
                        .help(match condition {
                            StartCondition::Healthy => {
                                format!("add a `health` check to `{}`, or wait for it to be `started`", target.name)
                            }
                            _ => format!("mark `{}` `essential no`, or wait for it to be `started`", target.name),
                        }),
                    );
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
                    Diagnostic::new(
                        Code::UndefinedReference,
                        *span,
                        format!("containers depend on each other in a circle: {} → {}", cycle.join(" → "), cycle[0]),
                    )
                    .label("circular dependency")
                    .help("remove one `depends_on` of the circle"),
                );
                return false;
            }
        }
        true
    }

    pub(super) fn health(&mut self, statement: &Statement<'_>) -> Option<Health> {
        let (command, span) = self.reader.text(statement.args.first()?, "a health check command")?;
        if command.trim().is_empty() {
            self.report(
                Diagnostic::new(Code::InvalidText, span, "the health check command is empty")
                    .label("empty")
                    .help("write a shell command such as \"curl -f http://localhost:8080/health || exit 1\""),
            );
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
            self.report(
                Diagnostic::new(
                    Code::Conflict,
                    statement.span,
                    format!("the health check timeout ({timeout}s) must be shorter than its interval ({interval}s)"),
                )
                .label("timeout not below interval")
                .help("lower `timeout` or raise `every`"),
            );
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
}
