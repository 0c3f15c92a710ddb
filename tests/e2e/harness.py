"""The machinery: a moto server per example, the proxy in front of it,
Terraform stacks pointed at the proxy through an override file, and the AWS
clients of one account.

Moto limitations met here (moto 5.2.1, AWS provider 5.100.0), and how the
harness works around them; the generated code is never changed, and every
workaround used is printed under the suite's table:

- Application Auto Scaling: moto implements RegisterScalableTarget and the
  policy and scheduled-action calls, but not ListTagsForResource,
  TagResource or UntagResource, which the provider calls for
  `aws_appautoscaling_target`. Without help the apply (and the destroy) fail:
  "listing tags for Application Auto Scaling Target (arn:...): operation
  error Application Auto Scaling: ListTagsForResource, ... StatusCode: 500,
  ... invalid character '<' looking for beginning of value" (moto's "not
  implemented" page). The provider talks to moto through `Proxy`, which
  answers those three calls from a dictionary and forwards everything else,
  so Terraform creates, reads, plans and destroys the target itself.
- `aws_lb_listener` with a certificate: moto's CreateListener requires the
  certificate to exist in its ACM, and ACM cannot import one under a chosen
  ARN. The harness requests a certificate in moto and overrides the
  listener's `certificate_arn` with it (prerequisites.py checks that the
  generated listener names the pipeline's ARN).
- `aws_ecs_service`: moto's CreateService keeps no `deploymentConfiguration`
  (minimum/maximum percent, circuit breaker, alarms),
  `healthCheckGracePeriodSeconds`, `enableExecuteCommand` or
  `availabilityZoneRebalancing`. The plan after the first apply wants to set
  the last three; the harness accepts that plan only when nothing else
  changes, runs the workflow's apply once more (UpdateService keeps them),
  and then requires an empty plan. The deployment configuration never
  reaches moto, so checks.py compares it in Terraform's state instead.
- `aws_ecs_service` with `capacity_provider_strategy`: moto's CreateService
  drops the strategy (it takes one only for task sets), so the provider
  reads none back and plans to replace the service for ever. The proxy
  follows each CreateService that carries a strategy with an UpdateService
  setting the same strategy (moto's UpdateService keeps it) and answers the
  create with that service; checks.py then reads the strategy from moto.
- `aws_ecs_service` with `service_connect_configuration` (`calls`): moto's
  CreateService keeps no `serviceConnectConfiguration` (and the provider
  reads none back, so the plan stays empty); checks.py compares it in
  Terraform's state, and checks in moto that the handed-over namespace
  exists. The calls' security groups and rules are read from moto.
- Literal IDs (`infra { subnet_ids [...] ... }`, `network subnets [...]`):
  moto cannot create a subnet or security group under a chosen ID, and its
  CreateService rejects unknown ones, so the stack's `locals { infra = ...
  }` or the service's `network_configuration` is overridden with the IDs of
  stand-ins moto made (prerequisites.py checks that the generated files hold
  the pipeline's literals).
- `aws_lb`: moto leaves `Scheme` out when CreateLoadBalancer omits it (the
  provider omits it for an internet-facing load balancer, AWS's default).
- Under load (two cores, five examples side by side) the provider now and
  then fails to read a response moto has sent ("decomposing response: read
  tcp ...: use of closed network connection"). `max_retries = 1` allows one
  attempt only, so the override sets 3 (an unimplemented call still fails
  in seconds); and since a resent create would run twice in moto and fail
  as a duplicate (InvalidPermission.Duplicate, FlowLogAlreadyExists),
  `Proxy` answers a resend from the first attempt's answer, as one request
  to AWS would have been answered.
- Deletion protection on the load balancer does not stop `terraform destroy`
  under moto; on AWS it does (by design: turn it off first).
- Rollouts: moto runs no tasks. It reports a new service's deployment as
  `runningCount` = the server's `MOTO_ECS_SERVICE_RUNNING` (read at
  CreateService) and COMPLETED once that reaches the desired count, else
  IN_PROGRESS for ever. The example's moto is started with it set to the
  largest `count` of the pipeline's services, so each deployment Terraform
  makes completes and the deploy jobs' rollout gate (gate.py) must pass; a
  second moto, started without it only for the gate, gets each gated
  service made again with boto3 (its cluster, its task definition at the
  same revision, the service with its desired count, no network), and
  there the gate must fail within its wait, naming the deployment.
  moto's UpdateService keeps the first deployment's task definition (a
  forced new deployment only renews its id and dates), so a gate after a
  second apply that registered a new revision would find no deployment of
  it; the replay applies each task definition once, and needs no help.
"""

from __future__ import annotations

import http.client
import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import botocore.config

DEFAULT_ACCOUNT = "123456789012"
ENDPOINTS = [
    "acm", "applicationautoscaling", "cloudwatch", "codedeploy", "ec2", "ecr", "ecs", "efs", "elbv2", "iam", "kms",
    "logs", "route53", "s3", "scheduler", "secretsmanager", "servicediscovery", "sqs", "ssm", "sts", "wafv2",
]
# Attributes of aws_ecs_service that moto's CreateService drops (see above).
MOTO_DROPPED_SERVICE_FIELDS = {"enable_execute_command", "health_check_grace_period_seconds",
                               "availability_zone_rebalancing"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def die_with_parent() -> None:
    """In the child: be sent SIGTERM when the test process dies, so that a
    killed run leaves no moto_server behind (Linux's PR_SET_PDEATHSIG)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
    except OSError:
        pass


class MotoServer:
    """`moto_server` on 127.0.0.1 at a free port, with the AWS managed IAM
    policies loaded. Always stop it (it runs in its own process group)."""

    def __init__(self, executable: str, log: Path, env: dict[str, str] | None = None):
        self.executable = executable
        self.log = log
        self.env = env or {}
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        for _ in range(5):
            self.port = free_port()
            env = {**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}
            for name in ("MOTO_ACCOUNT_ID", "MOTO_ECS_SERVICE_RUNNING", "MOTO_ECS_SERVICE_FAILED_TASKS"):
                env.pop(name, None)
            env.update(self.env)
            with open(self.log, "ab") as log:
                self.process = subprocess.Popen(
                    [self.executable, "-H", "127.0.0.1", "-p", str(self.port)],
                    stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
                    preexec_fn=die_with_parent,
                )
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    with urllib.request.urlopen(f"{self.url}/moto-api/data.json", timeout=2):
                        return
                except OSError:
                    time.sleep(0.2)
            self.stop()  # the port was taken, or it did not come up: try another
        raise RuntimeError(f"moto_server did not start; see {self.log}")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None


class Proxy:
    """The provider's way to moto: a pass-through HTTP proxy that

    - answers Application Auto Scaling's tag calls, which moto lacks (see the
      module docstring), from a dictionary;
    - makes the SDK's retries idempotent: a request that repeats an
      invocation (`amz-sdk-invocation-id`, `attempt=2` or more in
      `amz-sdk-request`) whose earlier attempt moto already answered gets
      that answer again instead of running twice. Under load the provider
      sometimes loses a response moto has sent ("use of closed network
      connection"); a resent create would otherwise fail as a duplicate
      (InvalidPermission.Duplicate, FlowLogAlreadyExists), while AWS itself
      would have answered a single request;
    - keeps HTTP/1.1 connections open towards the provider (moto closes
      every connection after one response);
    - keeps the capacity provider strategy moto's CreateService drops (see
      the module docstring), counting each in `strategies`.
    """

    ECS_TARGET = "AmazonEC2ContainerServiceV20141113."

    TAG_TARGET = "AnyScaleFrontendService."
    TAG_ACTIONS = {"ListTagsForResource", "TagResource", "UntagResource"}
    HOP_BY_HOP = {"content-length", "transfer-encoding", "connection", "keep-alive", "server", "date"}

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.tags: dict[str, dict[str, str]] = {}
        self.calls: dict[str, int] = {}
        self.answered: dict[str, tuple[int, list, bytes]] = {}
        self.replayed: dict[str, int] = {}
        self.strategies = 0
        self.lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def handle_any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, data = proxy.handle(self.command, self.path, body, self.headers)
                self.send_response(status)
                for key, value in headers:
                    if key.lower() not in proxy.HOP_BY_HOP:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = handle_any  # noqa: N815

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, method: str, path: str, body: bytes, headers: Any) -> tuple[int, list, bytes]:
        target = headers.get("X-Amz-Target", "")
        action = target.rsplit(".", 1)[-1]
        if target.startswith(self.TAG_TARGET) and action in self.TAG_ACTIONS:
            with self.lock:
                self.calls[action] = self.calls.get(action, 0) + 1
            payload = json.dumps(self.tag_call(action, json.loads(body or b"{}"))).encode()
            return 200, [("Content-Type", "application/x-amz-json-1.1")], payload
        invocation = headers.get("amz-sdk-invocation-id")
        attempt = headers.get("amz-sdk-request", "")
        if invocation and not attempt.startswith("attempt=1;"):
            with self.lock:
                earlier = self.answered.get(invocation)
                if earlier is not None:
                    name = action_name(target, body)
                    self.replayed[name] = self.replayed.get(name, 0) + 1
                    return earlier
        answer = self.forward(method, path, body, headers)
        if target == self.ECS_TARGET + "CreateService" and answer[0] == 200:
            answer = self.keep_strategy(method, path, body, headers, answer)
        if invocation:
            with self.lock:
                self.answered[invocation] = answer
        if target.startswith(self.TAG_TARGET) and action == "RegisterScalableTarget" and answer[0] == 200:
            arn = json.loads(answer[2]).get("ScalableTargetARN")
            tags = json.loads(body or b"{}").get("Tags")
            if arn and tags:
                with self.lock:
                    self.tags.setdefault(arn, {}).update(tags)
        return answer

    def forward(self, method: str, path: str, body: bytes, headers: Any) -> tuple[int, list, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=120)
        try:
            connection.request(method, path, body=body or None, headers={k: v for k, v in headers.items()})
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def keep_strategy(self, method: str, path: str, body: bytes, headers: Any,
                      created: tuple[int, list, bytes]) -> tuple[int, list, bytes]:
        """After a CreateService with a capacity provider strategy, the same
        strategy set by UpdateService, whose answer replaces the create's."""
        request = json.loads(body or b"{}")
        strategy = request.get("capacityProviderStrategy")
        if not strategy:
            return created
        update = {"cluster": request.get("cluster", "default"), "service": request["serviceName"],
                  "capacityProviderStrategy": strategy}
        headers = {k: v for k, v in headers.items() if k.lower() not in ("content-length", "amz-sdk-invocation-id")}
        headers["X-Amz-Target"] = self.ECS_TARGET + "UpdateService"
        updated = self.forward(method, path, json.dumps(update).encode(), headers)
        if updated[0] != 200:
            return created
        with self.lock:
            self.strategies += 1
        return updated

    def tag_call(self, action: str, request: dict) -> dict:
        arn = request.get("ResourceARN", "")
        with self.lock:
            if action == "ListTagsForResource":
                return {"Tags": dict(self.tags.get(arn, {}))}
            if action == "TagResource":
                self.tags.setdefault(arn, {}).update(request.get("Tags", {}))
            else:
                for key in request.get("TagKeys", []):
                    self.tags.get(arn, {}).pop(key, None)
            return {}


def action_name(target: str, body: bytes) -> str:
    """The API action of a request: from X-Amz-Target (JSON protocols) or
    the form body's Action (query protocols)."""
    if target:
        return target.rsplit(".", 1)[-1]
    match = re.search(rb"(?:^|&)Action=([A-Za-z0-9]+)", body or b"")
    return match.group(1).decode() if match else "a REST call"


@dataclass
class Account:
    """One AWS account inside the moto server: the credentials that select it."""

    id: str
    access_key: str
    secret_key: str
    endpoint: str

    def client(self, service: str, region: str):
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            config=botocore.config.Config(retries={"max_attempts": 4, "mode": "standard"}),
        )


def accounts(endpoint: str, count: int) -> list[Account]:
    """`count` accounts: moto's default one, then accounts whose IAM users'
    access keys select them (moto maps a request to the account that holds
    its access key)."""
    result = [Account(DEFAULT_ACCOUNT, "testing", "testing", endpoint)]
    for index in range(1, count):
        account_id = f"{index + 1}" * 12
        iam = boto3.client("iam", region_name="us-east-1", endpoint_url=endpoint,
                           aws_access_key_id="testing", aws_secret_access_key="testing")

        def add_header(request, account_id=account_id, **_: Any) -> None:
            request.headers["x-moto-account-id"] = account_id

        iam.meta.events.register("before-sign.iam.*", add_header)
        iam.create_user(UserName="ecspipe-e2e")
        key = iam.create_access_key(UserName="ecspipe-e2e")["AccessKey"]
        result.append(Account(account_id, key["AccessKeyId"], key["SecretAccessKey"], endpoint))
        who = result[-1].client("sts", "us-east-1").get_caller_identity()["Account"]
        assert who == account_id, f"moto put the access key in account {who}, not {account_id}"
    return result


def hcl_string(value: str) -> str:
    return json.dumps(value)


def hcl(value: Any) -> str:
    if isinstance(value, str):
        return hcl_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(hcl(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{\n" + "".join(f"    {k} = {hcl(v)}\n" for k, v in value.items()) + "  }"
    raise TypeError(value)


@dataclass
class Stack:
    """A generated stack, applied as its workflow job would apply it."""

    job_id: str
    directory: Path
    kind: str  # "infra" or "service"
    environment: str | None  # the deployment environment (`environments`), not the GitHub one
    account: Account
    apply_argv: list[str]
    env: dict[str, str]
    log: Path
    terraform_env: dict[str, str]
    extra_override: list[str] = field(default_factory=list)
    resources: int = 0
    seconds: float = 0.0
    applies: int = 0

    @property
    def name(self) -> str:
        return self.job_id

    @property
    def state_path(self) -> Path:
        return self.directory / "e2e.tfstate"

    @property
    def var_args(self) -> list[str]:
        return [arg for arg in self.apply_argv if arg.startswith("-var")]

    def write_override(self, endpoint: str) -> None:
        endpoints = "\n".join(f"    {name} = {hcl_string(endpoint)}" for name in ENDPOINTS)
        text = f"""# Written by tests/e2e: points this stack at moto and a local state file.
terraform {{
  backend "local" {{
    path = {hcl_string(str(self.state_path))}
  }}
}}

provider "aws" {{
  access_key                  = {hcl_string(self.account.access_key)}
  secret_key                  = {hcl_string(self.account.secret_key)}
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true
  # One attempt hides nothing and fails fast on an unimplemented call, but a
  # loaded moto sometimes drops a keep-alive connection: three attempts.
  max_retries                 = 3

  endpoints {{
{endpoints}
  }}
}}
"""
        text += "".join("\n" + block for block in self.extra_override)
        (self.directory / "e2e_override.tf").write_text(text)

    def terraform(self, args: list[str], env: dict[str, str] | None = None, timeout: int = 900) -> tuple[int, str]:
        full_env = {**self.terraform_env, **(env or {})}
        started = time.monotonic()
        process = subprocess.run(
            args, cwd=self.directory, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            timeout=timeout, text=True,
        )
        with open(self.log, "a") as log:
            log.write(f"\n$ {' '.join(args)}   # {self.directory.name}, {time.monotonic() - started:.1f}s, "
                      f"exit {process.returncode}\n{process.stdout}")
        return process.returncode, process.stdout

    def init(self) -> None:
        code, output = self.terraform(["terraform", "init", "-input=false", "-no-color"])
        assert code == 0, f"{self.name}: terraform init failed:\n{tail(output)}"

    def apply(self) -> None:
        """The workflow's own apply command, with its variables."""
        code, output = self.terraform(self.apply_argv, {**self.env, "TF_CLI_ARGS_apply": "-no-color"})
        self.applies += 1
        assert code == 0, f"{self.name}: `{' '.join(self.apply_argv)}` failed:\n{errors(output)}"

    def plan(self) -> tuple[int, str, dict | None]:
        """`terraform plan -detailed-exitcode`; on changes, the plan as JSON too."""
        code, output = self.terraform(
            ["terraform", "plan", "-detailed-exitcode", "-input=false", "-no-color", "-out=e2e.tfplan",
             *self.var_args], self.env)
        plan = None
        if code == 2:
            show_code, show = self.terraform(["terraform", "show", "-json", "e2e.tfplan"])
            plan = json.loads(show.strip().splitlines()[-1]) if show_code == 0 else None
        return code, output, plan

    def destroy(self) -> tuple[int, str]:
        # -refresh=false: the empty plan just refreshed every resource; a
        # second refresh would cost as much CPU as that plan, for nothing.
        return self.terraform(
            ["terraform", "destroy", "-auto-approve", "-input=false", "-no-color", "-refresh=false",
             *self.var_args], self.env)

    def outputs(self) -> dict[str, Any]:
        """The stack's outputs, from its state file."""
        return {k: v["value"] for k, v in self.state().get("outputs", {}).items()}

    def state(self) -> dict:
        return json.loads(self.state_path.read_text()) if self.state_path.exists() else {}

    def managed_resources(self) -> list[str]:
        names = []
        for resource in self.state().get("resources", []):
            if resource.get("mode") == "managed":
                for instance in resource.get("instances", []):
                    key = instance.get("index_key")
                    suffix = f"[{json.dumps(key)}]" if key is not None else ""
                    names.append(f"{resource['type']}.{resource['name']}{suffix}")
        return names


def only_moto_dropped_service_fields(plan: dict | None) -> tuple[bool, str]:
    """Whether a plan's only changes are the aws_ecs_service attributes moto
    drops on create; and a description of the changes."""
    if plan is None:
        return False, "no plan"
    changes = []
    acceptable = True
    for change in plan.get("resource_changes", []):
        actions = change["change"]["actions"]
        if actions == ["no-op"] or actions == ["read"]:
            continue
        before, after = change["change"].get("before") or {}, change["change"].get("after") or {}
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k)
                         and k not in (change["change"].get("after_unknown") or {}))
        changes.append(f"{change['address']}: {'/'.join(actions)} {changed}")
        if change["type"] != "aws_ecs_service" or actions != ["update"] or not set(changed) <= MOTO_DROPPED_SERVICE_FIELDS:
            acceptable = False
    return acceptable and bool(changes), "; ".join(changes)


def tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def errors(text: str) -> str:
    """The `Error:` blocks of Terraform's output (up to the resource they
    name), or its tail."""
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in text.splitlines():
        bare = line.lstrip("│ ").rstrip()
        if bare.startswith("Error:"):
            current = [bare]
            blocks.append(current)
        elif current is not None:
            if bare.startswith("with ") or len(current) >= 12:
                current.append(bare)
                current = None
            elif bare or len(current) < 2:
                current.append(bare)
    return "\n".join("\n".join(b) for b in blocks[:6]) if blocks else tail(text)


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
