//! Errors of container blocks: images, resources, health checks,
//! dependencies, environment variables and secrets.

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// A problem with a container block. Each variant carries what its text needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContainerError {
    /// service `{service}` has more than {max_containers} containers
    TooManyContainers { service: String, max_containers: usize, ordinal: usize },
    /// container `{name}` is defined twice
    ContainerDuplicate { name: String, first: Span },
    /// the containers reserve {container_memory} MiB but the task has {memory} MiB
    MemoryReservedTooMuch { container_memory: u64, memory: u32 },
    /// the containers reserve {container_cpu} CPU units but the task has {cpu}
    CpuReservedTooMuch { container_cpu: u64, cpu: u32 },
    /// the task definition of service `{name}` would be larger than the 64 KiB ECS accepts
    TaskDefinitionTooLarge { name: String, literal_bytes: usize },
    /// service `{name}` has no essential container
    NoEssentialContainer { name: String },
    /// container `{name}` has no image
    NoImage { name: String },
    /// container `{container}` names its port mapping `{mapping}`, which ECS refuses
    PortMappingName { container: String, mapping: String, rule: String },
    /// container memory must be at least 6 MiB
    MemoryTooSmall,
    /// a writable root filesystem needs a reason
    WritableWithoutReason,
    /// a read-only filesystem needs no reason
    ReadOnlyWithReason,
    /// expected the S3 object ARN of a `.env` file
    InvalidEnvFile,
    /// the health check command is empty
    EmptyHealthCommand,
    /// `{path}` is a URL path, not a command
    HealthPathNotCommand { path: String, port: Option<u16> },
    /// the health check timeout ({timeout}s) must be shorter than its interval ({interval}s)
    HealthTimeoutTooLong { timeout: u64, interval: u64 },
    /// container `{from}` cannot depend on itself
    DependsOnItself { from: String },
    /// no container named `{to}`
    UnknownDependency { to: String, suggestion: Option<String> },
    /// container `{container}` waits for `{target}` to be healthy, but it has no health check
    NeverHealthy { container: String, target: String },
    /// container `{container}` waits for essential `{target}` to complete
    WaitsForEssential { container: String, target: String },
    /// containers depend on each other in a circle: {cycle} → {start}
    DependencyCycle { cycle: String, start: String },
    /// `{key}` looks like a credential, but its value is plain text
    PlaintextCredential { key: String, key_span: Span },
    /// the value of `{key}` is {kind}
    CredentialValue { key: String, kind: &'static str },
    /// `{key}` is set twice in container `{name}`
    EnvSetAsSecret { key: String, name: String, first: Span },
    /// environment variable `{key}` is set twice
    EnvRepeated { key: String, first: Span },
    /// `{key}` is set twice in container `{name}`
    SecretSetTwice { key: String, name: String },
    /// expected `NAME = value` after `{statement}`, found {found}
    ExpectedBinding { statement: String, found: String },
    /// `ssm` needs the parameter's name
    SsmWithoutName,
    /// expected a Secrets Manager or SSM parameter ARN
    InvalidSecretArn,
    /// `{root}.{name}` cannot supply a container secret
    SecretFromElsewhere { root: String, name: String },
    /// `infra.{key}` is not a secret
    HandoffNotSecret { key: String },
    /// expected a secret, found {found}
    ExpectedSecret { found: String },
    /// unexpected value after the secret
    ValueAfterSecret,
    /// SSM parameters have no JSON keys
    JsonKeyOnParameter,
    /// invalid JSON key
    InvalidJsonKey,
    /// An environment's value of a name the container does not declare.
    ValueNotDeclared { key: String, container: String, kind: &'static str, declared_as: Option<&'static str> },
    /// An environment's `container NAME { ... }` for a container no service has.
    UnknownContainerValues { name: String, environment: String, suggestion: Option<String>, containers: String },
}

impl ContainerError {
    /// The diagnostic for this error, underlining `span`.
    pub fn at(self, span: Span) -> Diagnostic {
        match self {
            Self::TooManyContainers { service, max_containers, ordinal } => Diagnostic::new(Code::OutOfRange, span, format!("service `{service}` has more than {max_containers} containers"))
                .label(format!("container {ordinal}"))
                .help(format!("an ECS task definition holds at most {max_containers} containers; run the others as another service")),
            Self::ContainerDuplicate { name, first } => Diagnostic::new(Code::Duplicate, span, format!("container `{name}` is defined twice"))
                .label("second definition")
                .note(first, "first definition")
                .help("give each container its own name"),
            Self::MemoryReservedTooMuch { container_memory, memory } => Diagnostic::new(Code::Conflict, span, format!("the containers reserve {container_memory} MiB but the task has {memory} MiB"))
                .label("task memory")
                .help("raise the task's `memory`, or lower the containers' `memory`"),
            Self::CpuReservedTooMuch { container_cpu, cpu } => Diagnostic::new(Code::Conflict, span, format!("the containers reserve {container_cpu} CPU units but the task has {cpu}"))
                .label("task CPU")
                .help("raise the task's `cpu`, or lower the containers' `cpu`"),
            Self::TaskDefinitionTooLarge { name, literal_bytes } => Diagnostic::new(Code::OutOfRange, span, format!("the task definition of service `{name}` would be larger than the 64 KiB ECS accepts"))
                .label(format!("its containers spell out {literal_bytes} bytes of names, values and commands"))
                .help("move settings into an environment file (`env_file`) or into one JSON secret with keys"),
            Self::NoEssentialContainer { name } => Diagnostic::new(Code::Conflict, span, format!("service `{name}` has no essential container"))
                .label("every container is `essential no`")
                .help("ECS needs at least one essential container; remove `essential no` from the main one"),
            Self::NoImage { name } => Diagnostic::new(Code::Missing, span, format!("container `{name}` has no image"))
                .label("image missing")
                .help("add `image build.NAME` to the container, or `image build.NAME` to the deploy block for all its containers"),
            Self::PortMappingName { container, mapping, rule } => Diagnostic::new(
                Code::InvalidName,
                span,
                format!("container `{container}` names its port mapping `{mapping}`, which ECS refuses"),
            )
            .label(rule)
            .help("the port mapping is named `CONTAINER-PORT`, at most 64 lowercase letters, digits, `_` and `-`: rename the container"),
            Self::MemoryTooSmall => Diagnostic::new(Code::OutOfRange, span, "container memory must be at least 6 MiB")
                .label("too small")
                .help("Docker needs at least 6 MiB; most containers want 128mb or more"),
            Self::WritableWithoutReason => Diagnostic::new(Code::UnacceptedRisk, span, "a writable root filesystem needs a reason")
                .label("no reason given")
                .help("if the app writes to one directory, keep the root read-only and mount a volume there instead (`volume NAME from infra.file_system_id` in the service, `mount NAME at \"/DIR\"` here); otherwise say why, as in `filesystem writable \"the app writes its cache to /var/cache\"`; it is recorded beside the checkov skip"),
            Self::ReadOnlyWithReason => Diagnostic::new(Code::UnexpectedArgument, span, "a read-only filesystem needs no reason")
                .label("not expected here")
                .help("write `filesystem readonly`, or leave it out: it is the default"),
            Self::InvalidEnvFile => Diagnostic::new(Code::InvalidText, span, "expected the S3 object ARN of a `.env` file")
                .label("not an S3 object ARN ending in .env")
                .help("write \"arn:aws:s3:::BUCKET/path/app.env\""),
            Self::HealthPathNotCommand { path, port } => Diagnostic::new(
                Code::InvalidText,
                span,
                format!("`{path}` is a URL path, not a command"),
            )
            .label("ECS runs this as a shell command in the container")
            .help(format!(
                "write the command that requests it, such as `health \"curl -f http://localhost:{}{path} || exit 1\"` (the image needs curl); the load balancer's path is `health` in the infra block's `load_balancer`",
                port.map_or_else(|| String::from("PORT"), |p| p.to_string())
            )),
            Self::EmptyHealthCommand => Diagnostic::new(Code::InvalidText, span, "the health check command is empty")
                .label("empty")
                .help("write a shell command such as \"curl -f http://localhost:8080/health || exit 1\""),
            Self::HealthTimeoutTooLong { timeout, interval } => Diagnostic::new(Code::Conflict, span, format!("the health check timeout ({timeout}s) must be shorter than its interval ({interval}s)"))
                .label("timeout not below interval")
                .help("lower `timeout` or raise `every`"),
            Self::DependsOnItself { from } => Diagnostic::new(Code::UndefinedReference, span, format!("container `{from}` cannot depend on itself"))
                .label("circular dependency")
                .help("name another container of the service"),
            Self::UnknownDependency { to, suggestion } => Diagnostic::new(Code::UndefinedReference, span, format!("no container named `{to}`"))
                .label("undefined container")
                .help(match suggestion {
                    Some(candidate) => format!("did you mean `{candidate}`?"),
                    None => String::from("name a container of this service"),
                }),
            Self::NeverHealthy { container, target } => Diagnostic::new(Code::Conflict, span, format!("container `{container}` waits for `{target}` in vain"))
                .label(format!("`{target}` has no health check, so it never becomes healthy"))
                .help(format!("add a `health` check to `{target}`, or wait for it to be `started`")),
            Self::WaitsForEssential { container, target } => Diagnostic::new(Code::Conflict, span, format!("container `{container}` waits for `{target}` in vain"))
                .label(format!("`{target}` is essential: the task stops when it exits, so nothing can wait for it to complete"))
                .help(format!("mark `{target}` `essential no`, or wait for it to be `started`")),
            Self::DependencyCycle { cycle, start } => Diagnostic::new(Code::UndefinedReference, span, format!("containers depend on each other in a circle: {cycle} → {start}"))
                .label("circular dependency")
                .help("remove one `depends_on` of the circle"),
            Self::PlaintextCredential { key, key_span } => {
                let json_key = key.to_ascii_lowercase();
                let parameter = json_key.replace('_', "-");
                Diagnostic::new(Code::PlaintextCredential, span, format!("`{key}` looks like a credential, but its value is plain text"))
                    .label("this value would sit in the repository and the task definition")
                    .note(key_span, "named like a credential")
                    .help(format!("store it in AWS and inject it: `secret {key} = ssm \"/app/{parameter}\"` or `secret {key} = infra.secret_arn key \"{json_key}\"`"))
            }
            Self::CredentialValue { key, kind } => {
                let json_key = key.to_ascii_lowercase();
                let parameter = json_key.replace('_', "-");
                Diagnostic::new(Code::PlaintextCredential, span, format!("the value of `{key}` is {kind}, in plain text"))
                    .label("this value would sit in the repository, the task definition and every plan")
                    .help(match kind {
                        "a URL with a password" => format!("store the URL in AWS and inject it (`secret {key} = ssm \"/app/{parameter}\"`), or inject the password alone and keep the rest of the URL in `env`"),
                        _ => format!("store it in AWS and inject it: `secret {key} = ssm \"/app/{parameter}\"`"),
                    })
            }
            Self::EnvSetAsSecret { key, name, first } => Diagnostic::new(Code::Duplicate, span, format!("`{key}` is set twice in container `{name}`"))
                .label("set again here")
                .note(first, "set as a secret here")
                .help("an environment variable and a secret cannot share a name"),
            Self::EnvRepeated { key, first } => Diagnostic::new(Code::Duplicate, span, format!("environment variable `{key}` is set twice"))
                .label("set again here")
                .note(first, "first set here")
                .help("keep one of them"),
            Self::SecretSetTwice { key, name } => Diagnostic::new(Code::Duplicate, span, format!("`{key}` is set twice in container `{name}`"))
                .label("set again here")
                .help("an environment variable and a secret cannot share a name"),
            Self::ExpectedBinding { statement, found } => Diagnostic::new(Code::WrongType, span, format!("expected `NAME = value` after `{statement}`, found {found}"))
                .label("expected `NAME = value`")
                .help(format!("write `{statement} NAME = value`")),
            Self::SsmWithoutName => Diagnostic::new(Code::Missing, span, "`ssm` needs the parameter's name")
                .label("parameter name missing")
                .help("write `secret NAME = ssm \"/app/parameter\"`"),
            Self::InvalidSecretArn => Diagnostic::new(Code::InvalidText, span, "expected a Secrets Manager or SSM parameter ARN")
                .label("not a secretsmanager secret or ssm parameter ARN")
                .help("write the full ARN, such as \"arn:aws:secretsmanager:us-east-2:123456789012:secret:db-AbCdEf\", `ssm \"/app/param\"`, or `infra.secret_arn`"),
            Self::SecretFromElsewhere { root, name } => {
                let help = if root == "secret" {
                    "container secrets come from AWS (Secrets Manager or SSM), not from GitHub secrets: use `infra.secret_arn`, an ARN or `ssm \"/name\"`"
                } else {
                    "write `infra.secret_arn`, a quoted ARN or `ssm \"/name\"`"
                };
                Diagnostic::new(Code::UndefinedReference, span, format!("`{root}.{name}` cannot supply a container secret"))
                    .label("not an AWS secret")
                    .help(help)
            }
            Self::HandoffNotSecret { key } => Diagnostic::new(Code::WrongType, span, format!("`infra.{key}` is not a secret"))
                .label("not a Secrets Manager ARN")
                .help("the infrastructure hands over its secret as `infra.secret_arn`"),
            Self::ExpectedSecret { found } => Diagnostic::new(Code::WrongType, span, format!("expected a secret, found {found}"))
                .label("expected `infra.secret_arn`, a quoted ARN or `ssm \"/name\"`")
                .help("write `secret NAME = infra.secret_arn`"),
            Self::ValueAfterSecret => Diagnostic::new(Code::UnexpectedArgument, span, "unexpected value after the secret")
                .label("not expected here")
                .help("a JSON key is written `key \"NAME\"`"),
            Self::JsonKeyOnParameter => Diagnostic::new(Code::Conflict, span, "SSM parameters have no JSON keys")
                .label("`key` on an SSM parameter")
                .help("JSON keys select a field of a Secrets Manager secret; store one value per parameter"),
            Self::InvalidJsonKey => Diagnostic::new(Code::InvalidText, span, "invalid JSON key")
                .label("JSON keys here hold letters, digits, `_`, `.` and `-`")
                .help("name a top-level key of the secret's JSON"),
            Self::ValueNotDeclared { key, container, kind, declared_as } => {
                let (label, help) = match declared_as {
                    Some(other) => (
                        format!("container `{container}` declares it with `{other}`"),
                        format!("an environment changes values, not kinds: write `{other} {key} = ...` here, or make it `{kind}` in the container"),
                    ),
                    None => (
                        format!("container `{container}` has no `{kind} {key}`"),
                        format!("an environment changes values, it adds no names: declare `{kind} {key} = ...` in the container, with the value the other environments get"),
                    ),
                };
                Diagnostic::new(Code::UndefinedReference, span, format!("`{kind} {key}` is not declared by container `{container}`"))
                    .label(label)
                    .help(help)
            }
            Self::UnknownContainerValues { name, environment, suggestion, containers } => Diagnostic::new(Code::UndefinedReference, span, format!("no service of environment `{environment}` has a container `{name}`"))
                .label("undefined container")
                .help(match suggestion {
                    Some(candidate) => format!("did you mean `{candidate}`?"),
                    None if containers.is_empty() => String::from("the environment runs no containers"),
                    None => format!("name a container of its services: {containers}"),
                }),
        }
    }
}
