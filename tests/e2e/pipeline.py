"""An independent reader of `.ecspipe` files: the test's oracle.

The end-to-end checks compare what AWS (moto) holds after `terraform apply`
with what the *pipeline* says, not with what the compiler made of it. So this
module reads the pipeline itself: a small tokenizer for the grammar's values
(grammar/ecspipe.pest), the statement-splitting rule of src/check/statements.rs
(options follow their statement, a statement name starts the next one), and
the documented defaults (cpu 256, memory 512, health every 30s retries 3
timeout 5s grace 0, deployment 100%/200%, ...).

It is deliberately lenient: a statement it does not know is kept with its raw
items and ignored, so the language can grow without breaking the suite; a
check only reads what it names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# --------------------------------------------------------------------------
# Values and the tokenizer


@dataclass(frozen=True)
class Word:
    text: str


@dataclass(frozen=True)
class Path_:
    parts: tuple[str, ...]

    @property
    def text(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class Quantity:
    number: int
    unit: str  # "" when none


@dataclass(frozen=True)
class Range:
    low: int
    high: int


@dataclass(frozen=True)
class Cidr:
    text: str


@dataclass(frozen=True)
class Pair:
    key: str
    value: Any


_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t]+)
  | (?P<comment>\#[^\n]*)
  | (?P<sep>\r?\n|;)
  | (?P<punct>[{}\[\],=])
  | (?P<string>"(?:\\.|[^"\\\n])*")
  | (?P<range>\d+\.\.\d+)
  | (?P<cidr>\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/\d+)
  | (?P<quantity>\d+(?:[A-Za-z]+|%)?)
  | (?P<key>[A-Za-z_][A-Za-z0-9_\-.]*(?=[ \t]*=))
  | (?P<path>[A-Za-z_][A-Za-z0-9_\-]*(?:\.[A-Za-z_][A-Za-z0-9_\-]*)+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_\-]*(?:/[A-Za-z_][A-Za-z0-9_\-]*)*|\*)
    """,
    re.VERBOSE,
)

_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r"}


def _tokens(text: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            raise ValueError(f"cannot read the pipeline at byte {pos}: {text[pos:pos + 30]!r}")
        pos = match.end()
        kind = match.lastgroup
        raw = match.group()
        if kind in ("ws", "comment"):
            continue
        if kind == "sep":
            out.append(("sep", None))
        elif kind == "punct":
            out.append((raw, None))
        elif kind == "string":
            out.append(("value", re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), raw[1:-1])))
        elif kind == "range":
            low, high = raw.split("..")
            out.append(("value", Range(int(low), int(high))))
        elif kind == "cidr":
            out.append(("value", Cidr(raw)))
        elif kind == "quantity":
            number = re.match(r"\d+", raw).group()
            out.append(("value", Quantity(int(number), raw[len(number):].lower())))
        elif kind == "key":
            out.append(("key", raw))
        elif kind == "path":
            out.append(("value", Path_(tuple(raw.split(".")))))
        else:
            out.append(("value", Word(raw)))
    return out


@dataclass
class Line:
    items: list[Any]
    block: list["Line"] | None = None


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, Any]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def lines(self, closing: str | None) -> list[Line]:
        lines: list[Line] = []
        while True:
            while self.peek() == "sep":
                self.take()
            if self.peek() == closing:
                return lines
            lines.append(self.line())

    def line(self) -> Line:
        items: list[Any] = []
        while self.peek() not in (None, "sep", "}", "{"):
            items.append(self.item())
        block = None
        if self.peek() == "{":
            self.take()
            block = self.lines("}")
            self.take()
        return Line(items, block)

    def item(self) -> Any:
        if self.peek() == "key":
            key = self.take()[1]
            assert self.take()[0] == "=", "a key is followed by ="
            return Pair(key, self.value())
        return self.value()

    def value(self) -> Any:
        kind, value = self.take()
        if kind == "value":
            return value
        if kind == "[":
            values = []
            while True:
                while self.peek() == "sep":
                    self.take()
                if self.peek() == "]":
                    self.take()
                    return values
                values.append(self.value())
                while self.peek() == "sep":
                    self.take()
                if self.peek() == ",":
                    self.take()
        raise ValueError(f"unexpected {kind!r} in the pipeline")


# --------------------------------------------------------------------------
# Statements (src/check/statements.rs: positional arguments up to `max`,
# options take the next item, flags stand alone, a statement name starts the
# next statement).


@dataclass
class Statement:
    name: str
    args: list[Any] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    block: list[Line] | None = None

    def arg(self, index: int = 0, default: Any = None) -> Any:
        return self.args[index] if index < len(self.args) else default


# name: (max positional arguments, options, flags)
_SCALE = ("cpu", "memory", "requests", "cooldown_in", "cooldown_out")
_DEPLOYMENT = ("minimum", "maximum", "grace", "rollback", "alarms")
SCHEMAS: dict[str, dict[str, tuple[int, tuple[str, ...], tuple[str, ...]]]] = {
    "file": {"pipeline": (1, (), ())},
    "pipeline": {
        "region": (1, (), ()), "role": (1, ("plan",), ()), "workflow": (1, ("name",), ()),
        "environment": (1, (), ()), "runner": (1, (), ()), "on": (1, ("branches", "paths"), ()),
        "build": (1, (), ()), "deploy": (1, (), ()), "infra": (0, (), ()), "environments": (0, (), ()),
        "oidc": (0, (), ()),
    },
    "oidc": {
        "repository": (1, (), ()), "stack": (1, (), ()), "state": (1, ("bucket", "key", "region", "path"), ()),
        "provider": (1, (), ()),
    },
    "infra": {
        "stack": (1, (), ()), "state": (1, ("bucket", "key", "region", "path"), ()), "name": (1, (), ()),
        "vpc": (1, ("zones",), ()), "endpoints": (1, (), ()), "cluster": (0, ("insights", "exec_logging"), ()),
        "logs": (0, ("retain",), ()),
        "load_balancer": (1, ("port", "health", "listen", "certificate", "allow", "logs"), ()),
        "secret": (1, ("from",), ()), "handoff": (2, (), ()), "terraform": (1, (), ()), "accept": (2, (), ()),
    },
    "environment": {
        "after": (1, (), ()), "role": (1, (), ()), "cpu": (1, (), ()), "memory": (1, (), ()),
        "count": (1, (), ()), "platform": (1, (), ()), "storage": (1, (), ()), "scale": (1, _SCALE, ()),
        "deployment": (0, _DEPLOYMENT, ()), "vpc": (1, ("zones",), ()), "certificate": (1, (), ()),
    },
    "build": {
        "context": (1, (), ()), "dockerfile": (1, (), ()), "repository": (1, (), ()), "tag": (1, (), ()),
        "scan": (1, ("fail_on",), ()), "job": (1, (), ()),
    },
    "deploy": {
        "image": (1, (), ()), "stack": (1, (), ()), "state": (1, ("bucket", "key", "region", "path"), ()),
        "infra": (2, (), ()), "apply": (2, (), ()), "cost": (1, ("key",), ()), "terraform": (1, (), ()),
        "job": (1, (), ()), "service": (1, (), ()),
    },
    "service": {
        "cpu": (1, (), ()), "memory": (1, (), ()), "count": (1, (), ()), "platform": (1, (), ()),
        "container": (1, (), ()), "load_balancer": (1, ("container", "port"), ()),
        "network": (0, ("subnets", "security_groups"), ("public_ip",)), "cluster": (1, (), ()),
        "logs": (1, (), ()), "scale": (1, _SCALE, ()), "schedule": (3, ("timezone",), ()),
        "deployment": (0, _DEPLOYMENT, ()), "storage": (1, (), ()), "allow": (1, ("on",), ()),
        "exec": (0, (), ()),
    },
    "container": {
        "image": (1, (), ()), "port": (2, (), ()), "health": (1, ("every", "retries", "timeout", "grace"), ()),
        "env": (1, (), ()), "secret": (2, ("key",), ()), "memory": (1, (), ()), "cpu": (1, (), ()),
        "essential": (1, (), ()), "filesystem": (2, (), ()), "command": (1, (), ()), "entrypoint": (1, (), ()),
        "depends_on": (2, (), ()), "env_file": (1, (), ()),
    },
}


def split(schema: str, lines: list[Line]) -> list[Statement]:
    specs = SCHEMAS[schema]
    statements: list[Statement] = []
    for line in lines:
        first = len(statements)
        items = list(line.items)
        while items:
            head = items.pop(0)
            name = head.text if isinstance(head, Word) else repr(head)
            max_args, options, flags = specs.get(name, (10**6, (), ()))
            statement = Statement(name)
            while items:
                item = items[0]
                word = item.text if isinstance(item, Word) else None
                if word in options and len(items) > 1:
                    statement.options[word] = items[1]
                    del items[:2]
                elif word in flags:
                    statement.flags.add(word)
                    items.pop(0)
                elif len(statement.args) < max_args:
                    statement.args.append(items.pop(0))
                else:
                    break
            statements.append(statement)
        if line.block is not None and len(statements) > first:
            statements[-1].block = line.block
    return statements


def find(statements: list[Statement], name: str) -> Statement | None:
    return next((s for s in statements if s.name == name), None)


def every(statements: list[Statement], name: str) -> list[Statement]:
    return [s for s in statements if s.name == name]


# --------------------------------------------------------------------------
# Units


def text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (Word, Path_, Cidr)):
        return value.text
    if isinstance(value, Quantity):
        return f"{value.number}{value.unit}"
    raise TypeError(f"not a text: {value!r}")


def mebibytes(value: Quantity) -> int:
    factor = {"": 1, "mb": 1, "mib": 1, "gb": 1024, "gib": 1024}[value.unit]
    return value.number * factor


def cpu_units(value: Quantity) -> int:
    return value.number * {"": 1, "vcpu": 1024}[value.unit]


def seconds(value: Quantity) -> int:
    return value.number * {"s": 1, "m": 60, "h": 3600}[value.unit]


def days(value: Quantity) -> int:
    return value.number * {"d": 1}[value.unit]


def percent(value: Quantity) -> int:
    assert value.unit == "%", value
    return value.number


def gibibytes(value: Quantity) -> int:
    return value.number * {"gb": 1, "gib": 1}[value.unit]


def yes(value: Any) -> bool:
    return text(value) in ("yes", "on", "true")


# --------------------------------------------------------------------------
# What a pipeline says, with its defaults


@dataclass
class Ref:
    """A value resolved when the stack is applied: `infra.KEY`, `region`, a build's image."""

    kind: str  # "infra", "region", "build", "text"
    value: str


def ref(value: Any) -> Ref:
    if isinstance(value, Path_) and value.parts[0] == "infra":
        return Ref("infra", value.parts[1])
    if isinstance(value, Path_) and value.parts[0] == "build":
        return Ref("build", value.parts[1])
    if isinstance(value, Word) and value.text == "region":
        return Ref("region", "")
    return Ref("text", text(value))


@dataclass
class Health:
    command: str
    interval: int = 30
    retries: int = 3
    timeout: int = 5
    start_period: int = 0


@dataclass
class Container:
    name: str
    image: Ref
    essential: bool = True
    cpu: int | None = None
    memory: int | None = None
    port: int | None = None
    app_protocol: str | None = None
    health: Health | None = None
    env: dict[str, Ref] = field(default_factory=dict)
    # name -> ("infra", key, json_key) | ("ssm", parameter) | ("arn", arn)
    secrets: dict[str, tuple] = field(default_factory=dict)
    env_files: list[str] = field(default_factory=list)
    command: list[str] | None = None
    entrypoint: list[str] | None = None
    depends_on: dict[str, str] = field(default_factory=dict)
    readonly: bool = True


@dataclass
class Scale:
    low: int
    high: int
    cpu: int | None = None
    memory: int | None = None
    requests: int | None = None
    cooldown_in: int = 300
    cooldown_out: int = 60


@dataclass
class Schedule:
    name: str
    expression: str
    low: int
    high: int
    timezone: str | None = None


@dataclass
class Service:
    name: str
    cpu: int = 256
    memory: int = 512
    count: int = 1
    arch: str = "X86_64"
    storage: int | None = None
    containers: list[Container] = field(default_factory=list)
    # (target group ref, container, port) or None
    load_balancer: tuple[Ref, str, int] | None = None
    subnets: Ref = field(default_factory=lambda: Ref("infra", "subnet_ids"))
    security_groups: list[Ref] = field(default_factory=lambda: [Ref("infra", "security_group_id")])
    public_ip: bool = False
    cluster: Ref = field(default_factory=lambda: Ref("infra", "cluster_id"))
    log_group: Ref = field(default_factory=lambda: Ref("infra", "cloud_watch_log_group_name"))
    scale: Scale | None = None
    schedules: list[Schedule] = field(default_factory=list)
    minimum_percent: int = 100
    maximum_percent: int = 200
    grace: int | None = None
    rollback: bool = True
    alarms: list[str] = field(default_factory=list)
    allows: list[tuple[list[str], list[Ref]]] = field(default_factory=list)
    exec: bool = False


@dataclass
class LoadBalancer:
    public: bool
    port: int
    listen: int
    health: str
    certificate: str | None
    allow: list[str] | None
    access_logs: str | None


@dataclass
class Infra:
    stack: str
    name: str
    region: str
    vpc: str
    zones: list[str]
    endpoints: list[str]
    insights: bool
    log_retention: int
    load_balancer: LoadBalancer | None
    secret: tuple[str, str] | None  # (name, GitHub secret)
    handoff_ssm: str | None
    repositories: list[str]


@dataclass
class Deploy:
    name: str
    stack: str
    environment: str | None
    handoff: str  # "ssm", "literal", "state"
    handoff_ssm: str | None
    literal: dict[str, Any]
    service: Service


@dataclass
class Oidc:
    repository: str
    stack: str
    existing_provider: bool


@dataclass
class Pipeline:
    name: str
    region: str
    builds: dict[str, str]  # build name -> repository
    infras: list[Infra]  # one per environment (or one)
    deploys: list[Deploy]
    environments: list[str]  # the `environments` block's, in order
    github_environments: list[str]  # every GitHub environment a job runs in
    apply_branches: list[str]
    oidc: Oidc | None


def read(path: Path) -> Pipeline:
    top = split("file", _Parser(path.read_text().lstrip("\ufeff")).lines(None))
    pipeline_statement = find(top, "pipeline")
    assert pipeline_statement and pipeline_statement.block is not None, f"{path}: no pipeline block"
    body = split("pipeline", pipeline_statement.block)
    name = text(pipeline_statement.arg())
    region = text(find(body, "region").arg())

    builds = {}
    for build in every(body, "build"):
        statements = split("build", build.block or [])
        repository = find(statements, "repository")
        builds[text(build.arg())] = text(repository.arg()) if repository else text(build.arg())

    stages: list[tuple[str, list[Statement]]] = []
    environments = find(body, "environments")
    if environments is not None:
        for line in environments.block or []:
            stage_name = text(line.items[0])
            stages.append((stage_name, split("environment", line.block or [])))
    stage_list: list[tuple[str | None, list[Statement]]] = list(stages) or [(None, [])]

    infra_statement = find(body, "infra")
    infras = []
    if infra_statement is not None:
        for index, (stage, overrides) in enumerate(stage_list):
            # The ECR repositories live in the first environment's stack.
            repositories = list(builds.values()) if index == 0 else []
            infras.append(_infra(split("infra", infra_statement.block or []), name, region, stage, overrides,
                                 repositories))

    deploys = []
    apply_branches = []
    for deploy in every(body, "deploy"):
        apply = find(split("deploy", deploy.block or []), "apply")
        branch = text(apply.arg(1)) if apply else "main"
        if branch not in apply_branches:
            apply_branches.append(branch)
        for stage, overrides in stage_list:
            deploys.append(_deploy(deploy, builds, stage, overrides, infras))

    environment = find(body, "environment")
    github_environments = [s for s, _ in stages]
    if environment is not None and text(environment.arg()) not in github_environments:
        github_environments.append(text(environment.arg()))
    oidc = None
    oidc_statement = find(body, "oidc")
    if oidc_statement is not None:
        statements = split("oidc", oidc_statement.block or [])
        stack = find(statements, "stack")
        provider = find(statements, "provider")
        oidc = Oidc(text(find(statements, "repository").arg()), text(stack.arg()) if stack else "bootstrap",
                    provider is not None and text(provider.arg()) == "existing")
    return Pipeline(name, region, builds, infras, deploys, [s for s, _ in stages], github_environments,
                    apply_branches, oidc)


def _override(statements: list[Statement], overrides: list[Statement], names: tuple[str, ...]) -> list[Statement]:
    replaced = {o.name for o in overrides if o.name in names}
    return [s for s in statements if s.name not in replaced] + [o for o in overrides if o.name in names]


def _infra(statements, pipeline, region, stage, overrides, repositories) -> Infra:
    suffix = f"-{stage}" if stage else ""
    stack = text(find(statements, "stack").arg()) if find(statements, "stack") else "infra"
    if stage:
        stack = f"{stack}/{stage}"
    name_statement = find(statements, "name")
    name = (text(name_statement.arg()) if name_statement else pipeline) + suffix
    statements = _override(statements, overrides, ("vpc", "certificate"))
    vpc = find(statements, "vpc")
    cidr = text(vpc.arg()) if vpc else "10.0.0.0/24"
    zones = ([text(z) for z in vpc.options["zones"]] if vpc and "zones" in vpc.options
             else [f"{region}a", f"{region}b"])
    endpoints_statement = find(statements, "endpoints")
    endpoints = ([text(e) for e in endpoints_statement.arg()] if endpoints_statement
                 else ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "s3"])
    cluster = find(statements, "cluster")
    insights = yes(cluster.options["insights"]) if cluster and "insights" in cluster.options else True
    logs = find(statements, "logs")
    retention = days(logs.options["retain"]) if logs and "retain" in logs.options else 365
    lb = find(statements, "load_balancer")
    load_balancer = None
    if lb is not None:
        certificate = lb.options.get("certificate")
        env_certificate = find(statements, "certificate")
        if env_certificate is not None:
            certificate = env_certificate.arg()
        load_balancer = LoadBalancer(
            public=text(lb.arg()) == "public",
            port=lb.options["port"].number,
            listen=lb.options["listen"].number if "listen" in lb.options else 80,
            health=text(lb.options["health"]) if "health" in lb.options else "/",
            certificate=text(certificate) if certificate is not None else None,
            allow=[text(c) for c in lb.options["allow"]] if "allow" in lb.options else None,
            access_logs=text(lb.options["logs"]) if "logs" in lb.options else None,
        )
    secret = find(statements, "secret")
    secret_pair = None
    if secret is not None:
        source = secret.options["from"]
        secret_pair = (text(secret.arg()), source.parts[1])
    handoff = find(statements, "handoff")
    handoff_ssm = text(handoff.arg(1)) if handoff else None
    if handoff_ssm and stage:
        handoff_ssm = f"{handoff_ssm}/{stage}"
    return Infra(stack, name, region, cidr, zones, endpoints, insights, retention, load_balancer, secret_pair,
                 handoff_ssm, repositories)


def _deploy(statement, builds, stage, overrides, infras) -> Deploy:
    statements = split("deploy", statement.block or [])
    name = text(statement.arg())
    stack_statement = find(statements, "stack")
    stack = text(stack_statement.arg()) if stack_statement else "deploy"
    if stage:
        stack = f"{stack}/{stage}"
    image_statement = find(statements, "image")
    default_image = ref(image_statement.arg()) if image_statement else None
    if default_image is None and len(builds) == 1:
        default_image = Ref("build", next(iter(builds)))
    infra = find(statements, "infra")
    literal: dict[str, Any] = {}
    handoff_ssm = None
    if infra is None:
        handoff = "state" if infras else "ssm"
        if infras:
            own = next(i for i in infras if (stage is None or i.stack.endswith(f"/{stage}")))
            if own.handoff_ssm:
                handoff, handoff_ssm = "ssm", own.handoff_ssm
    elif infra.block is not None:
        handoff = "literal"
        for line in infra.block:
            key, value = text(line.items[0]), line.items[1]
            literal[key] = [text(v) for v in value] if isinstance(value, list) else text(value)
    else:
        handoff, handoff_ssm = "ssm", text(infra.arg(1))
    service_statement = find(statements, "service")
    service = _service(service_statement, default_image, overrides)
    if stage:
        # IAM names are account-wide: each environment's service (and so its
        # task family and roles) carries the environment's name.
        service.name = f"{service.name}-{stage}"
    return Deploy(name, stack, stage, handoff, handoff_ssm, literal, service)


def _service(statement: Statement, default_image: Ref | None, overrides: list[Statement]) -> Service:
    service = Service(text(statement.arg()))
    statements = _override(split("service", statement.block or []), overrides, tuple(SCHEMAS["service"]))
    count_given = None
    load_balancer = None
    for s in statements:
        if s.name == "cpu":
            service.cpu = cpu_units(s.arg())
        elif s.name == "memory":
            service.memory = mebibytes(s.arg())
        elif s.name == "count":
            count_given = s.arg().number
        elif s.name == "platform":
            service.arch = {"x86_64": "X86_64", "arm64": "ARM64"}[text(s.arg())]
        elif s.name == "storage":
            service.storage = gibibytes(s.arg())
        elif s.name == "container":
            service.containers.append(_container(s, default_image))
        elif s.name == "load_balancer":
            load_balancer = s
        elif s.name == "network":
            if "subnets" in s.options:
                service.subnets = ref(s.options["subnets"])
            if "security_groups" in s.options:
                service.security_groups = [ref(v) for v in s.options["security_groups"]]
            service.public_ip = "public_ip" in s.flags
        elif s.name == "cluster":
            service.cluster = ref(s.arg())
        elif s.name == "logs":
            service.log_group = ref(s.arg())
        elif s.name == "scale":
            rng = s.arg()
            scale = Scale(rng.low, rng.high)
            for option in ("cpu", "memory"):
                if option in s.options:
                    setattr(scale, option, percent(s.options[option]))
            if "requests" in s.options:
                scale.requests = s.options["requests"].number
            if "cooldown_in" in s.options:
                scale.cooldown_in = seconds(s.options["cooldown_in"])
            if "cooldown_out" in s.options:
                scale.cooldown_out = seconds(s.options["cooldown_out"])
            service.scale = scale
        elif s.name == "schedule":
            rng = s.arg(2)
            timezone = text(s.options["timezone"]) if "timezone" in s.options else None
            service.schedules.append(Schedule(text(s.arg(0)), text(s.arg(1)), rng.low, rng.high, timezone))
        elif s.name == "deployment":
            if "minimum" in s.options:
                service.minimum_percent = percent(s.options["minimum"])
            if "maximum" in s.options:
                service.maximum_percent = percent(s.options["maximum"])
            if "grace" in s.options:
                service.grace = seconds(s.options["grace"])
            if "rollback" in s.options:
                service.rollback = yes(s.options["rollback"])
            if "alarms" in s.options:
                service.alarms = [text(a) for a in s.options["alarms"]]
        elif s.name == "allow":
            service.allows.append(([text(a) for a in s.arg()], [ref(r) for r in s.options["on"]]))
        elif s.name == "exec":
            service.exec = True
    if count_given is not None:
        service.count = count_given
    elif service.scale is not None:
        service.count = service.scale.low
    if load_balancer is not None:
        container = (text(load_balancer.options["container"]) if "container" in load_balancer.options
                     else next(c.name for c in service.containers if c.port is not None))
        port = (load_balancer.options["port"].number if "port" in load_balancer.options
                else next(c.port for c in service.containers if c.name == container))
        service.load_balancer = (ref(load_balancer.arg()), container, port)
    return service


def _container(statement: Statement, default_image: Ref | None) -> Container:
    statements = split("container", statement.block or [])
    image = find(statements, "image")
    container = Container(text(statement.arg()), ref(image.arg()) if image else default_image)
    for s in statements:
        if s.name == "essential":
            container.essential = yes(s.arg())
        elif s.name == "cpu":
            container.cpu = cpu_units(s.arg())
        elif s.name == "memory":
            container.memory = mebibytes(s.arg())
        elif s.name == "port":
            container.port = s.arg().number
            container.app_protocol = text(s.arg(1)) if len(s.args) > 1 else None
        elif s.name == "health":
            health = Health(text(s.arg()))
            if "every" in s.options:
                health.interval = seconds(s.options["every"])
            if "retries" in s.options:
                health.retries = s.options["retries"].number
            if "timeout" in s.options:
                health.timeout = seconds(s.options["timeout"])
            if "grace" in s.options:
                health.start_period = seconds(s.options["grace"])
            container.health = health
        elif s.name == "env":
            pair = s.arg()
            container.env[pair.key] = ref(pair.value)
        elif s.name == "secret":
            pair = s.arg()
            if isinstance(pair.value, Word) and pair.value.text == "ssm":
                container.secrets[pair.key] = ("ssm", text(s.arg(1)))
            elif isinstance(pair.value, Path_) and pair.value.parts[0] == "infra":
                key = text(s.options["key"]) if "key" in s.options else None
                container.secrets[pair.key] = ("infra", pair.value.parts[1], key)
            else:
                container.secrets[pair.key] = ("arn", text(pair.value))
        elif s.name == "env_file":
            container.env_files.append(text(s.arg()))
        elif s.name == "command":
            container.command = [text(a) for a in s.arg()]
        elif s.name == "entrypoint":
            container.entrypoint = [text(a) for a in s.arg()]
        elif s.name == "depends_on":
            container.depends_on[text(s.arg(0))] = text(s.arg(1))
        elif s.name == "filesystem":
            container.readonly = text(s.arg()) != "writable"
    return container
