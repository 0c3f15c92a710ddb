"""What a pipeline says, as the compiler's own model: the test's oracle.

The end-to-end checks compare what AWS (moto) holds after `terraform apply`
with what the pipeline means. That meaning is read from the compiler itself,
`ecspipe debug model FILE --format json` (its fields are documented in the
book's "The model as JSON" page), so the suite needs no second parser of the
language: every default, unit and environment override is the checker's.
What the checks then test is everything after the model: lowering, the
templates, Terraform and the AWS provider.

The JSON is read leniently, the way the book asks readers to: fields this
module does not name are ignored, so the model can grow without breaking the
suite; a field it does name and cannot find is an error. The classes below
are the checks' view of the model (AWS spellings where AWS has its own, such
as `X86_64`), built only from the JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The JSON document version this reader understands (`"version"` at the top).
VERSION = 1


@dataclass
class Ref:
    """A value resolved when the stack is applied: `infra.KEY`, `region`, a build's image, or text."""

    kind: str  # "infra", "region", "build", "text", "queue" (value: url, arn or name)
    value: str


@dataclass
class Health:
    command: str
    interval: int
    retries: int
    timeout: int
    start_period: int


@dataclass
class Container:
    name: str
    image: Ref
    essential: bool
    cpu: int | None
    memory: int | None
    port: int | None
    app_protocol: str | None
    health: Health | None
    env: dict[str, Ref]
    # name -> ("infra", key, json_key) | ("ssm", parameter name) | ("arn", arn)
    secrets: dict[str, tuple]
    env_files: list[str]
    command: list[str] | None
    entrypoint: list[str] | None
    depends_on: dict[str, str]  # container -> condition as written (`started`)
    readonly: bool
    mounts: list[tuple[str, str, bool]] = field(default_factory=list)  # (volume, path, read-only)


@dataclass
class Scale:
    low: int
    high: int
    cpu: int | None
    memory: int | None
    requests: int | None
    cooldown_in: int
    cooldown_out: int
    backlog: int | None = None  # messages per running task


@dataclass
class Queue:
    """`queue NAME { ... }`: the SQS queue the service consumes."""

    name: str
    fifo: bool
    visibility: int
    retention: int
    max_receives: int
    kms: bool


@dataclass
class Schedule:
    name: str
    expression: str
    low: int
    high: int
    timezone: str


@dataclass
class Egress:
    protocol: str  # "tcp", "udp"
    from_port: int
    to_port: int
    to: list[tuple[str, str]]  # ("cidr" | "prefix_list" | "security_group", value)
    accepted: str | None


@dataclass
class Volume:
    name: str
    file_system: Ref
    path: str  # the access point's directory on the file system
    user: int  # POSIX uid and gid
    readonly: bool


@dataclass
class Service:
    name: str
    cpu: int
    memory: int
    count: int
    arch: str  # ECS's spelling: X86_64, ARM64
    # the capacity provider strategy, ECS's spelling: [(FARGATE_SPOT, base, weight)]; [] for the launch type
    capacity: list[tuple[str, int, int]]
    storage: int | None
    containers: list[Container]
    # (target group, container, port); the target group is None with a route
    load_balancer: tuple[Ref | None, str, int] | None
    # `infra.KEY` (a Ref to a list) or the items written out
    subnets: Ref | list[Ref]
    security_groups: Ref | list[Ref]
    public_ip: bool
    cluster: Ref
    log_group: Ref
    scale: Scale | None
    schedules: list[Schedule]
    minimum_percent: int
    maximum_percent: int
    grace: int | None
    rollback: bool
    alarms: list[str]
    allows: list[tuple[list[str], list[Ref]]]
    exec: bool
    egress: list[Egress]  # the rules of the service's own security group
    route: "Route | None" = None  # a listener rule and a target group of its own
    calls: list[tuple[str, str | None]] = field(default_factory=list)  # (callee's block name, accept reason)
    volumes: list[Volume] = field(default_factory=list)
    # `deployment blue_green`: (traffic kind, percent, minutes, terminate minutes); None for the rolling update
    blue_green: tuple[str, int | None, int | None, int] | None = None
    cron: list["CronJob"] = field(default_factory=list)  # scheduled jobs, in source order
    queue: Queue | None = None

    def served_port(self) -> tuple[str, int] | None:
        """(container, port) the service serves callers on: its load
        balancer's, or else the only container port of its task."""
        if self.load_balancer is not None:
            return self.load_balancer[1], self.load_balancer[2]
        ports = [(c.name, c.port) for c in self.containers if c.port is not None]
        return ports[0] if len(ports) == 1 else None


@dataclass
class CronJob:
    name: str
    container: str
    command: list[str]
    expression: str  # cron(...) or rate(...)
    timezone: str
    retries: int
    timeout: int | None  # seconds the container's `timeout` program allows


@dataclass
class Route:
    listener: Ref
    paths: list[str]
    hosts: list[str]
    priority: int
    health: str
    matcher: str
    deregistration: int
    stickiness: int | None
    slow_start: int
    healthy: int
    unhealthy: int


@dataclass
class LoadBalancer:
    public: bool
    port: int
    listen: int
    health: str
    matcher: str
    deregistration: int
    healthy: int
    unhealthy: int
    certificate: str | None
    allow: list[str]
    access_logs: str | None
    test_port: int | None = None  # `test_listen`: the test listener of blue/green deployments
    domain: Domain | None = None
    waf: Waf | None = None


@dataclass
class Domain:
    name: str
    zone_id: str | None  # the hosted zone by id, or
    zone_name: str | None  # by name


@dataclass
class Waf:
    managed: list[str]  # ecspipe's names of the AWS managed rule groups, in evaluation order
    rate_limit: int | None


@dataclass
class Infra:
    stack: str
    environment: str | None  # the deployment environment (`environments` block), if any
    name: str
    region: str
    vpc: str
    zones: list[str]
    endpoints: list[str]
    insights: bool
    service_connect: bool
    log_retention: int
    load_balancer: LoadBalancer | None
    secret: tuple[str, str] | None  # (name, GitHub secret)
    secret_name: str | None  # the Secrets Manager name: exact, or <name>/<secret>
    secret_recovery_days: int | None
    handoff_ssm: str | None
    repositories: list[str]
    nat: str  # "none", "single", "per_zone"
    egress: list[Egress]  # the tasks' group's rules beyond the endpoints
    file_system: str | None = None  # the EFS file system's throughput mode, if the stack makes one


@dataclass
class Deploy:
    name: str
    stack: str
    environment: str | None  # the deployment environment (`environments` block), if any
    handoff: str  # "ssm", "literal", "state"
    handoff_ssm: str | None
    literal: dict[str, Any]  # key -> ID or list of IDs
    service: Service


@dataclass
class Oidc:
    repository: str
    stack: str
    existing_provider: bool
    # The apply role's trust, every condition required: (test, key, values).
    apply_trust: list[tuple[str, str, list[str]]]
    boundary_policy: str  # the boundary every role the stacks create carries


@dataclass
class Pipeline:
    name: str
    region: str
    builds: dict[str, str]  # build name -> ECR repository
    lifecycles: dict[str, tuple[int, int]]  # ECR repository -> (keep, untagged days)
    infras: list[Infra]  # one per environment (or one)
    deploys: list[Deploy]
    github_environments: list[str]  # every GitHub environment a job runs in
    apply_branches: list[str]
    oidc: Oidc | None
    handoff_keys: list[str]  # every key an infrastructure hands over (the document's `handoff_keys`)


def read(binary: Path, source: Path, root: Path) -> Pipeline:
    """The model of the one pipeline in `source`, from `binary debug model`."""
    process = subprocess.run(
        [str(binary), "debug", "model", str(source.relative_to(root)), "--format", "json"],
        cwd=root, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}, timeout=60,
    )
    assert process.returncode == 0, f"ecspipe debug model failed:\n{process.stderr}"
    return from_json(json.loads(process.stdout))


def from_json(document: dict) -> Pipeline:
    assert document["version"] == VERSION, f"model JSON version {document['version']}, the suite reads {VERSION}"
    pipelines = document["pipelines"]
    assert len(pipelines) == 1, f"expected one pipeline, found {len(pipelines)}"
    return pipeline(pipelines[0], [entry["key"] for entry in document["handoff_keys"]])


# ----------------------------------------------------------------------
# Tagged values: `{"kind": ..., "value": ...}`


def scalar(value: dict) -> Ref:
    kind = value["kind"]
    if kind == "text":
        return Ref("text", value["value"])
    if kind == "infra":
        return Ref("infra", value["value"])
    if kind == "region":
        return Ref("region", "")
    if kind == "queue":
        return Ref("queue", value["value"])
    raise AssertionError(f"a scalar of kind {kind!r}: teach tests/e2e/model.py to read it")


def scalar_list(value: dict) -> Ref | list[Ref]:
    if value["kind"] == "infra":
        return Ref("infra", value["value"])
    assert value["kind"] == "items", value
    return [scalar(item) for item in value["value"]]


def image(value: dict) -> Ref:
    if value["kind"] == "build":
        return Ref("build", value["value"])
    assert value["kind"] == "uri", value
    return Ref("text", value["value"])


def secret(source: dict) -> tuple:
    store = source["store"]
    kind = store["kind"]
    if kind == "infra":
        return ("infra", store["value"], source["json_key"])
    if kind == "parameter":
        return ("ssm", store["value"])
    if kind in ("secret_arn", "parameter_arn"):
        return ("arn", store["value"])
    raise AssertionError(f"a secret store of kind {kind!r}: teach tests/e2e/model.py to read it")


def handoff_value(value: dict) -> Any:
    assert value["kind"] in ("one", "many"), value
    return value["value"]


# ----------------------------------------------------------------------
# The model's records


def pipeline(p: dict, handoff_keys: list[str]) -> Pipeline:
    builds = {b["name"]: b["repository"] for b in p["builds"]}
    lifecycles: dict[str, tuple[int, int]] = {}
    for b in p["builds"]:
        lifecycles.setdefault(b["repository"], (b["lifecycle"]["keep"], b["lifecycle"]["untagged_days"]))
    infras = [infra(i, p["region"]) for i in p["infras"]]
    deploys = [deploy(d) for d in p["deploys"]]
    environments: list[str] = []
    for target_environment in ([i["target"]["environment"] for i in p["infras"]]
                               + [d["target"]["environment"] for d in p["deploys"]]
                               + [b["environment"] for b in p["builds"]] + [p["environment"]]):
        if target_environment is not None and target_environment not in environments:
            environments.append(target_environment)
    branches: list[str] = []
    for d in p["deploys"]:
        if d["apply_branch"] not in branches:
            branches.append(d["apply_branch"])
    oidc = p["oidc"]
    return Pipeline(
        name=p["name"], region=p["region"], builds=builds, lifecycles=lifecycles, infras=infras, deploys=deploys,
        github_environments=environments, apply_branches=branches,
        oidc=None if oidc is None else Oidc(
            oidc["repository"], oidc["stack"], oidc["existing_provider"],
            [(c["test"], c["variable"], c["values"]) for c in oidc["apply_trust"]], oidc["boundary_policy"]),
        handoff_keys=handoff_keys,
    )


def infra(i: dict, region: str) -> Infra:
    lb = i["load_balancer"]
    secret_ = i["secret"]
    return Infra(
        stack=i["stack"], environment=i["target"]["stage"], name=i["name"], region=region, vpc=i["vpc_cidr"], zones=list(i["zones"]),
        endpoints=list(i["endpoints"]), insights=i["insights"], service_connect=i["service_connect"],
        log_retention=i["log_retention_days"],
        load_balancer=None if lb is None else LoadBalancer(
            public=lb["public"], port=lb["target_port"], listen=lb["listener_port"], health=lb["health_path"],
            matcher=lb["matcher"], deregistration=lb["deregistration_seconds"], healthy=lb["healthy_threshold"],
            unhealthy=lb["unhealthy_threshold"],
            certificate=lb["certificate"], allow=list(lb["allow"]), access_logs=lb["access_logs"],
            test_port=lb["test_port"],
            domain=None if lb["domain"] is None else Domain(
                lb["domain"]["name"], lb["domain"]["zone"].get("id"), lb["domain"]["zone"].get("name")),
            waf=None if lb["waf"] is None else Waf(list(lb["waf"]["managed"]), lb["waf"]["rate_limit"])),
        secret=None if secret_ is None else (secret_["name"], secret_["from"]),
        secret_name=None if secret_ is None else (secret_["exact_name"] or f"{i['name']}/{secret_['name']}"),
        secret_recovery_days=None if secret_ is None else secret_["recovery_days"],
        handoff_ssm=i["handoff_parameter"], repositories=list(i["repositories"]),
        nat=i["nat"], egress=[egress(e) for e in i["egress"]],
        file_system=None if i.get("file_system") is None else i["file_system"]["throughput"],
    )


def egress(e: dict) -> Egress:
    targets = []
    for target in e["to"]:
        assert target["kind"] in ("cidr", "prefix_list", "security_group"), target
        targets.append((target["kind"], target["value"]))
    return Egress(e["protocol"], e["from_port"], e["to_port"], targets, e["accepted"])


def deploy(d: dict) -> Deploy:
    source = d["infra"]
    literal: dict[str, Any] = {}
    handoff_ssm = None
    if source["kind"] == "ssm":
        handoff, handoff_ssm = "ssm", source["value"]["parameter"]
    elif source["kind"] == "literal":
        handoff = "literal"
        literal = {key: handoff_value(value) for key, value in source["value"].items()}
    elif source["kind"] == "stack":
        handoff = "state"
    else:
        raise AssertionError(f"an infra source of kind {source['kind']!r}: teach tests/e2e/model.py to read it")
    return Deploy(name=d["name"], stack=d["stack"], environment=d["target"]["stage"], handoff=handoff,
                  handoff_ssm=handoff_ssm, literal=literal, service=service(d["service"]))


def route(r: dict) -> Route:
    return Route(listener=scalar(r["listener"]), paths=r["paths"], hosts=r["hosts"], priority=r["priority"],
                 health=r["health_path"], matcher=r["matcher"], deregistration=r["deregistration_seconds"],
                 stickiness=r["stickiness_seconds"], slow_start=r["slow_start_seconds"],
                 healthy=r["healthy_threshold"], unhealthy=r["unhealthy_threshold"])


def service(s: dict) -> Service:
    lb = s["load_balancer"]
    scaling = s["scaling"]
    deployment = s["deployment"]
    network = s["network"]
    return Service(
        name=s["name"], cpu=s["cpu"], memory=s["memory"], count=s["count"],
        arch={"x86_64": "X86_64", "arm64": "ARM64"}[s["arch"]], storage=s["storage"],
        capacity=[({"fargate": "FARGATE", "fargate_spot": "FARGATE_SPOT"}[c["provider"]], c["base"], c["weight"])
                  for c in s["capacity"]],
        containers=[container(c) for c in s["containers"]],
        load_balancer=None if lb is None else (None if lb["target_group"] is None else scalar(lb["target_group"]),
                                               lb["container"], lb["port"]),
        route=None if lb is None or lb["route"] is None else route(lb["route"]),
        subnets=scalar_list(network["subnets"]), security_groups=scalar_list(network["security_groups"]),
        public_ip=network["public_ip"], cluster=scalar(s["cluster"]), log_group=scalar(s["log_group"]),
        scale=None if scaling is None else Scale(
            low=scaling["min"], high=scaling["max"], cpu=scaling["cpu"], memory=scaling["memory"],
            requests=scaling["requests"], cooldown_in=scaling["cooldown_in"], cooldown_out=scaling["cooldown_out"],
            backlog=scaling["backlog"]),
        schedules=[] if scaling is None else [
            Schedule(x["name"], x["expression"], x["min"], x["max"], x["timezone"]) for x in scaling["schedules"]],
        minimum_percent=deployment["minimum_percent"], maximum_percent=deployment["maximum_percent"],
        grace=deployment["grace"], rollback=deployment["rollback"], alarms=list(deployment["alarms"]),
        allows=[(list(a["actions"]), [scalar(r) for r in a["resources"]]) for a in s["task_policy"]],
        exec=s["exec"], egress=[egress(e) for e in network["egress"]],
        calls=[(c["service"], c["accepted"]) for c in s["calls"]],
        volumes=[Volume(v["name"], scalar(v["file_system"]), v["path"], v["user"], v["readonly"])
                 for v in s.get("volumes", [])],
        blue_green=blue_green(deployment["blue_green"]),
        cron=[CronJob(j["name"], j["container"], list(j["command"]), j["expression"], j["timezone"], j["retries"],
                      j["timeout"]) for j in s["cron"]],
        queue=None if s["queue"] is None else Queue(
            name=s["queue"]["name"], fifo=s["queue"]["fifo"], visibility=s["queue"]["visibility_seconds"],
            retention=s["queue"]["retention_seconds"], max_receives=s["queue"]["max_receives"],
            kms=s["queue"]["encryption"] == "kms"),
    )


def blue_green(b: dict | None) -> tuple[str, int | None, int | None, int] | None:
    if b is None:
        return None
    traffic = b["traffic"]
    value = traffic.get("value") or {}
    return traffic["kind"], value.get("percent"), value.get("minutes"), b["terminate_minutes"]


def container(c: dict) -> Container:
    port = c["port"]
    health = c["health"]
    return Container(
        name=c["name"], image=image(c["image"]), essential=c["essential"], cpu=c["cpu"], memory=c["memory"],
        port=None if port is None else port["number"], app_protocol=None if port is None else port["app_protocol"],
        health=None if health is None else Health(health["command"], health["interval"], health["retries"],
                                                  health["timeout"], health["start_period"]),
        env={e["name"]: scalar(e["value"]) for e in c["env"]},
        secrets={x["name"]: secret(x["source"]) for x in c["secrets"]},
        env_files=list(c["env_files"]), command=c["command"], entrypoint=c["entrypoint"],
        depends_on={x["container"]: x["condition"] for x in c["depends_on"]},
        readonly=c["read_only_root"],
        mounts=[(m["volume"], m["path"], m["readonly"]) for m in c.get("mounts", [])],
    )
