"""One example, end to end: compile, start moto, replay the workflow's
Terraform jobs against it (infrastructure first, then the service stacks,
with the workflow's variables), check the result through the AWS API, require
an empty plan, destroy, and stop everything.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import re
import subprocess
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import checks
import gate
import tasks
import harness
import model as model_reader
import prerequisites
import workflow as workflow_reader


@dataclass
class Result:
    example: str
    stacks: list[str] = field(default_factory=list)
    resources: int = 0
    checks: "checks.Checks" = None  # type: ignore[assignment]
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def table_row(self) -> dict:
        return {
            "example": self.example,
            "stacks": len(self.stacks),
            "resources": self.resources,
            "passed": self.checks.passed if self.checks else 0,
            "failed": (self.checks.failed if self.checks else 0),
            "skips": self.checks.skips if self.checks else [],
            "errors": len(self.failures),
            "seconds": round(self.seconds, 1),
        }


def secret_value(name: str) -> str:
    """What the replay passes for a GitHub secret that is not a role."""
    return json.dumps({"e2e": name.lower()})


def backend_of(directory: Path) -> tuple[str, dict[str, str]] | None:
    text = (directory / "main.tf").read_text()
    match = re.search(r'backend "(\w+)" \{(.*?)\n  \}', text, re.S)
    if not match:
        return None
    return match.group(1), dict(re.findall(r'(\w+)\s*=\s*"([^"]*)"', match.group(2)))


def remote_state_of(directory: Path) -> tuple[str, str, dict[str, str]] | None:
    text = (directory / "main.tf").read_text()
    match = re.search(r'data "terraform_remote_state" "(\w+)" \{\s*backend\s*=\s*"(\w+)"\s*config\s*=\s*\{(.*?)\}',
                      text, re.S)
    if not match:
        return None
    return match.group(1), match.group(2), dict(re.findall(r'(\w+)\s*=\s*"([^"]*)"', match.group(3)))


def same_backend(infra: harness.Stack, reader: harness.Stack, backend: str, config: dict[str, str]) -> bool:
    own = backend_of(infra.directory)
    if own is None or own[0] != backend:
        return False
    if backend == "local":
        return (infra.directory / own[1].get("path", "terraform.tfstate")).resolve() == \
            (reader.directory / config.get("path", "")).resolve()
    return all(own[1].get(k) == config.get(k) for k in ("bucket", "key")) and \
        own[1].get("region", "") == config.get("region", own[1].get("region", ""))


class Example:
    def __init__(self, source: Path, binary: Path, moto_server: str, terraform_rc: Path, root: Path):
        self.source = source
        self.binary = binary
        self.moto_server = moto_server
        self.terraform_rc = terraform_rc
        self.root = root
        self.name = source.stem
        self.result = Result(self.name)
        self.checks = checks.Checks(self.name)
        self.result.checks = self.checks
        self.lock = threading.Lock()

    # ------------------------------------------------------------------
    def run(self) -> Result:
        started = time.monotonic()
        self.tmp = Path(tempfile.mkdtemp(prefix=f"ecspipe-e2e-{self.name}-"))
        self.log = self.tmp / "log.txt"
        moto = harness.MotoServer(self.moto_server, self.tmp / "moto.log")
        self.stalled_moto: harness.MotoServer | None = None
        proxy = None
        try:
            self.compile()
            # Every deployment completes in this moto: see harness.py.
            running = max([d.service.count for d in self.pipeline.deploys] + [1])
            moto.env["MOTO_ECS_SERVICE_RUNNING"] = str(running)
            # What moto lacks for RunTask on Fargate: moto_patches/sitecustomize.py.
            moto.env["PYTHONPATH"] = str(Path(__file__).parent / "moto_patches")
            moto.start()
            proxy = harness.Proxy(moto.port)
            proxy.start()
            self.moto, self.proxy = moto, proxy
            self.prepare()
            try:
                self.apply_all()
                if proxy.calls:
                    self.checks.workaround(
                        "aws_appautoscaling_target: moto has no ListTagsForResource/TagResource/UntagResource; "
                        "the harness's proxy answered " + ", ".join(sorted(proxy.calls)))
                if proxy.strategies:
                    self.checks.workaround(
                        "aws_ecs_service: moto's CreateService drops capacityProviderStrategy; the harness's proxy "
                        "set it with UpdateService after each such create")
                if proxy.replayed:
                    self.checks.workaround(
                        "the provider lost moto's answer to " + ", ".join(sorted(proxy.replayed))
                        + " and resent it; the harness's proxy answered the resend from the first answer")
                self.replay_gates()
                self.verify()
            finally:
                # Whatever happened, every stack that has a state is destroyed,
                # and that must succeed.
                self.destroy_all()
        except Exception as error:  # noqa: BLE001 - every failure is reported, then everything is stopped
            self.fail(f"{type(error).__name__}: {error}" if isinstance(error, AssertionError)
                      else traceback.format_exc(limit=6))
        finally:
            if proxy is not None:
                proxy.stop()
            moto.stop()
            if self.stalled_moto is not None:
                self.stalled_moto.stop()
            keep = os.environ.get("ECSPIPE_E2E_KEEP", "")
            if keep == "always" or (keep and (self.result.failures or self.checks.failures)):
                self.result.notes.append(f"kept {self.tmp}")
            else:
                harness.remove_tree(self.tmp)
            self.result.seconds = time.monotonic() - started
        return self.result

    def fail(self, message: str) -> None:
        with self.lock:
            self.result.failures.append(message)

    # ------------------------------------------------------------------
    def compile(self) -> None:
        self.out = self.tmp / "out"
        process = subprocess.run(
            [str(self.binary), "build", str(self.source.relative_to(self.root)), "--out", str(self.out)],
            cwd=self.root, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}, timeout=60,
        )
        assert process.returncode == 0, f"ecspipe build failed:\n{process.stderr}"
        self.pipeline = model_reader.read(self.binary, self.source, self.root)
        workflows = sorted((self.out / ".github/workflows").glob("*.yml"))
        assert len(workflows) == 1, f"expected one workflow, found {workflows}"
        self.workflow = workflow_reader.load(workflows[0])

    def prepare(self) -> None:
        """Accounts, the build jobs' outputs, the stacks with their overrides,
        and the prerequisites of stacks whose handoff no stack here creates."""
        jobs = self.workflow.jobs
        roles: list[str] = []
        # The jobs of a push to main: those that push or apply.
        for job in jobs.values():
            role = job.role_key() if job.is_build or job.is_terraform else None
            if role and role not in roles:
                roles.append(role)
        # One account per role (or apply/plan pair of roles): jobs that assume
        # the same role share an account, as they would on AWS.
        self.accounts = dict(zip(roles, harness.accounts(self.moto.url, max(1, len(roles)))))
        role_accounts = {name: account for key, account in self.accounts.items() for name in key.split()}

        def secrets(expression: str) -> str:
            if expression in role_accounts:
                return f"arn:aws:iam::{role_accounts[expression].id}:role/ecspipe-e2e-deploy"
            return secret_value(expression.split(".", 1)[1])

        self.secrets = secrets
        region = self.workflow.region
        self.needs: dict[str, dict[str, str]] = {}
        self.images: dict[str, str] = {}  # ECR repository -> image by digest the build output
        # What the stand-in `docker` printed: reference -> digest, one per push
        # (and per image index), in the order pushed.
        docker_log = self.tmp / "docker.log"
        docker_log.write_text("")
        # Build jobs in the workflow's order, which is `needs` order: one
        # platform's jobs come before the job that joins them.
        for job in jobs.values():
            if not job.is_build:
                continue
            account = self.accounts[job.role_key()]
            registry = f"{account.id}.dkr.ecr.{region}.amazonaws.com"
            context = workflow_reader.Context(secrets, {**self.workflow.env, **job.env}, self.needs, {})
            outputs = workflow_reader.run_build(self.workflow, job, context,
                                                {"aws-actions/amazon-ecr-login": {"registry": registry}}, docker_log)
            self.needs[job.id] = outputs
            if "ECR_REPOSITORY" in job.env:
                # A platform's job of a multi-platform build comes first; the
                # joining job's image (the one deploys run) replaces it.
                self.images[job.env["ECR_REPOSITORY"]] = outputs["image-id"]
        self.pushed: dict[str, str] = dict(line.split(" ", 1) for line in docker_log.read_text().splitlines())

        terraform_env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "TF_CLI_CONFIG_FILE": str(self.terraform_rc),
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
            "TF_INPUT": "false",
            # Terraform and the AWS provider are Go programs; on two cores the
            # provider's garbage collection is a large share of the suite's
            # time. Collect only past 512 MiB of heap (a quarter less CPU, measured).
            "GOGC": "off",
            "GOMEMLIMIT": "512MiB",
        }
        infra_stacks = {i.stack: i for i in self.pipeline.infras}
        deploy_stacks = {d.stack: d for d in self.pipeline.deploys}
        self.stacks: dict[str, harness.Stack] = {}
        self.spec: dict[str, object] = {}
        # Deploy jobs with one-off tasks: the argv of their targeted apply.
        self.register_argv: dict[str, list[str]] = {}
        for job in jobs.values():
            if not job.is_terraform:
                continue
            directory = job.working_directory or "."
            context = workflow_reader.Context(secrets, {**self.workflow.env, **job.env}, self.needs, {})
            argv, env = workflow_reader.apply_command(self.workflow, job, context)
            register = job.register_step()
            if register is not None:
                self.register_argv[job.id] = workflow_reader.apply_command(self.workflow, job, context, register)[0]
            if directory in infra_stacks:
                kind, self.spec[job.id] = "infra", infra_stacks[directory]
            elif directory in deploy_stacks:
                kind, self.spec[job.id] = "service", deploy_stacks[directory]
            else:
                raise AssertionError(f"job {job.id} applies {directory}, which the pipeline does not declare")
            # The deployment environment, not the job's GitHub environment:
            # the infrastructure may run in a GitHub environment of its own.
            stage = self.spec[job.id].environment
            self.stacks[job.id] = harness.Stack(
                job_id=job.id, directory=self.out / directory, kind=kind, environment=stage,
                account=self.accounts[job.role_key()], apply_argv=argv, env=env, log=self.log,
                terraform_env=terraform_env,
            )
        # Stacks no workflow job applies: the OIDC bootstrap stack, applied
        # once by hand (`terraform apply` in its directory) before the
        # workflow's first run.
        applied_dirs = {stack.directory for stack in self.stacks.values()}
        for main in sorted(self.out.rglob("main.tf")):
            directory = main.parent
            if directory in applied_dirs or ".terraform" in directory.parts:
                continue
            relative = str(directory.relative_to(self.out))
            oidc = self.pipeline.oidc
            assert oidc is not None and relative == oidc.stack, \
                f"{relative}: a generated stack that no workflow job applies and the test does not know"
            self.spec[relative] = oidc
            self.stacks[relative] = harness.Stack(
                job_id=relative, directory=directory, kind="bootstrap", environment=None,
                account=next(iter(self.accounts.values())), apply_argv=["terraform", "apply", "-auto-approve",
                                                                       "-input=false"],
                env={}, log=self.log, terraform_env=terraform_env,
            )
        self.result.stacks = list(self.stacks)
        self.dependencies: dict[str, set[str]] = {}
        self.handoffs: dict[str, dict] = {}  # service job -> prerequisites' values (ssm/literal handoffs)
        self.infra_of: dict[str, str] = {}  # service job -> the infrastructure job it reads
        self.literal_ids: dict[str, dict[str, str]] = {}  # service job -> {ID on its `network` line: moto's}
        for job_id, stack in self.stacks.items():
            if stack.kind == "bootstrap":
                # Independent of the other stacks under moto, which does not
                # enforce IAM: applied side by side with them.
                self.dependencies[job_id] = set()
                self.configure(stack, self.spec[job_id])
                continue
            job = jobs[job_id]
            # `needs` between Terraform jobs of the same deployment environment
            # are applied in order; needs across environments are promotion
            # gates (dev before staging), and environments are independent
            # here, so they run side by side.
            deps = {n for n in self._terraform_needs(job) if self.stacks[n].environment == stack.environment}
            self.dependencies[job_id] = deps
            self.configure(stack, self.spec[job_id])

    def _terraform_needs(self, job: workflow_reader.Job) -> set[str]:
        found, todo = set(), list(job.needs)
        while todo:
            need = todo.pop()
            if need in self.stacks:
                found.add(need)
            elif need in self.workflow.jobs:
                todo.extend(self.workflow.jobs[need].needs)
        return found

    def configure(self, stack: harness.Stack, spec) -> None:
        """The override file: moto, the local state, and what moto needs."""
        if stack.kind == "bootstrap":
            if spec.existing_provider:
                stack.account.client("iam", self.pipeline.region).create_open_id_connect_provider(
                    Url="https://token.actions.githubusercontent.com", ClientIDList=["sts.amazonaws.com"],
                    ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"])
                self.checks.note(f"{stack.name}: GitHub's OIDC provider exists before the apply "
                                 "(`provider existing`)")
        elif stack.kind == "infra":
            stack.extra_override += prerequisites.certificate_overrides(stack, spec, self.checks)
            prerequisites.infra_prerequisites(stack, spec, self.checks)
        else:
            deploy: model_reader.Deploy = spec
            remote = remote_state_of(stack.directory)
            if remote is not None:
                data_name, backend, config = remote
                sources = [other for other in self.stacks.values() if other.kind == "infra"
                           and same_backend(other, stack, backend, config)]
                self.checks.check(
                    f"{stack.name}: terraform_remote_state reads an infrastructure stack of this pipeline",
                    len(sources) == 1, f"{backend} {config} matches {[s.name for s in sources]}")
                if sources:
                    self.dependencies[stack.job_id].add(sources[0].job_id)
                    self.infra_of[stack.job_id] = sources[0].job_id
                    stack.extra_override.append(
                        f'data "terraform_remote_state" "{data_name}" {{\n  backend = "local"\n  config = {{\n'
                        f'    path = {harness.hcl_string(str(sources[0].state_path))}\n  }}\n}}\n')
            elif deploy.handoff == "ssm" and any(i.handoff_ssm == deploy.handoff_ssm for i in self.pipeline.infras):
                reads = prerequisites.ssm_parameter_read(stack)
                writers = [other for other in self.stacks.values() if other.kind == "infra"
                           and self.spec[other.job_id].handoff_ssm == reads
                           and other.environment == stack.environment]
                self.checks.check(f"{stack.name}: the SSM handoff it reads is its environment's infrastructure's",
                                  len(writers) == 1, f"reads {reads}: written by {[w.name for w in writers]}")
                if writers:
                    self.dependencies[stack.job_id].add(writers[0].job_id)
                    self.infra_of[stack.job_id] = writers[0].job_id
            elif deploy.handoff == "ssm":
                self.handoffs[stack.job_id] = prerequisites.ssm_handoff(stack, deploy, self.pipeline, self.checks)
            elif deploy.handoff == "literal":
                values, override = prerequisites.literal_handoff(stack, deploy, self.pipeline, self.checks)
                self.handoffs[stack.job_id] = values
                stack.extra_override.append(override)
            stand_ins, override = prerequisites.literal_network(stack, deploy.service, self.pipeline.region,
                                                                self.checks)
            self.literal_ids[stack.job_id] = stand_ins
            if override:
                stack.extra_override.append(override)
        stack.write_override(self.proxy.url)

    # ------------------------------------------------------------------
    def apply_all(self) -> bool:
        # A stack's dependents start once it has applied; its own idempotency
        # plan runs beside them (a plan does not write the state they read).
        self.applied_event = {job_id: threading.Event() for job_id in self.stacks}
        self.applied_ok: dict[str, bool] = {}
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(self.stacks) or 1) as pool:
            futures = {job_id: pool.submit(self.apply_one, job_id) for job_id in self.stacks}
            ok = {job_id: future.result() for job_id, future in futures.items()}
        self.applied = {job_id for job_id, good in ok.items() if good}
        self.result.resources = sum(self.stacks[j].resources for j in self.applied)
        return all(ok.values())

    def apply_one(self, job_id: str) -> bool:
        stack = self.stacks[job_id]
        started = time.monotonic()
        try:
            stack.init()
            for dep in self.dependencies[job_id]:
                self.applied_event[dep].wait()
                if not self.applied_ok[dep]:
                    self.fail(f"{job_id}: not applied, {dep} failed")
                    return False
            try:
                self.run_one_off_tasks(job_id)
                stack.apply()
                self.applied_ok[job_id] = True
            finally:
                self.applied_ok.setdefault(job_id, False)
                self.applied_event[job_id].set()
            code, output, plan = stack.plan()
            if code == 2:
                acceptable, changes = harness.only_moto_dropped_service_fields(plan)
                if acceptable:
                    # moto dropped fields on CreateService: apply again (the
                    # workflow's command), then the plan must be empty.
                    fields = sorted(set(re.findall(r"'(\w+)'", changes)))
                    self.checks.workaround(f"aws_ecs_service: moto's CreateService dropped {', '.join(fields)}; "
                                           "the workflow's apply ran twice", job_id)
                    stack.apply()
                    code, output, plan = stack.plan()
            self.checks.check(f"{job_id}: terraform plan -detailed-exitcode is empty after apply", code == 0,
                              f"exit {code}:\n{harness.tail(output, 60)}")
            stack.resources = len(stack.managed_resources())
            return True
        except Exception as error:  # noqa: BLE001
            self.fail(str(error) if isinstance(error, AssertionError) else traceback.format_exc(limit=6))
            return self.applied_ok.get(job_id, False)
        finally:
            self.applied_ok.setdefault(job_id, False)
            self.applied_event[job_id].set()
            stack.seconds = time.monotonic() - started

    def run_one_off_tasks(self, job_id: str) -> None:
        """A deploy job's one-off tasks, as its variant that applies runs
        them before its full apply: the targeted apply that registers their
        task definitions, then each task's step against moto, whose tasks
        stop with exit code 0 after a few DescribeTasks calls (the failing
        cases run against stand-ins: test_task_script.py)."""
        argv = self.register_argv.get(job_id)
        if argv is None:
            return
        stack = self.stacks[job_id]
        code, output = stack.terraform(argv, {**stack.env, "TF_CLI_ARGS_apply": "-no-color"})
        assert code == 0, f"{job_id}: the targeted apply `{' '.join(argv)}` failed:\n{harness.errors(output)}"
        managed = stack.managed_resources()
        self.checks.check(f"{job_id}: the targeted apply registers the tasks' definitions but not the service",
                          not any(name.startswith("aws_ecs_service.") for name in managed)
                          and any(name.startswith("aws_ecs_task_definition.one_off_") for name in managed), managed)
        region = self.pipeline.region
        env = {
            **stack.terraform_env, **workflow_reader.GITHUB, **self.workflow.env, **stack.env,
            "AWS_ACCESS_KEY_ID": stack.account.access_key, "AWS_SECRET_ACCESS_KEY": stack.account.secret_key,
            "AWS_REGION": region, "AWS_DEFAULT_REGION": region, "AWS_ENDPOINT_URL": stack.account.endpoint,
            "AWS_PAGER": "",
        }
        env["PATH"] = f"{Path(gate.aws_cli()).parent}:{env.get('PATH', '/usr/bin:/bin')}"
        ecs = stack.account.client("ecs", region)
        for step in tasks.steps_of(self.workflow.jobs[job_id]):
            name = str(step["env"]["TASK_NAME"])
            code, output, seconds = tasks.run(step, stack.directory, env, int(step["env"]["TASK_TIMEOUT"]))
            with open(stack.log, "a") as log:
                log.write(f"\n$ [{step['name']}]   # {job_id}, {seconds:.1f}s, exit {code}\n{output}")
            self.checks.check(f"{job_id}: the one-off task {name} runs, stops with exit code 0 and names its log",
                              code == 0 and f"The one-off task {name} exited with 0; its log: log stream ecs/"
                              in output, f"exit {code}:\n{harness.tail(output)}")
            cluster = stack.outputs().get("one_off_cluster", "")
            arns = sorted({arn for status in ("RUNNING", "STOPPED") for arn in
                           ecs.list_tasks(cluster=cluster, desiredStatus=status)["taskArns"]}) if cluster else []
            described = ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"] if arns else []
            ran = [t for t in described if t.get("taskDefinitionArn", "").split("/")[-1].rsplit(":", 1)[0]
                   .endswith(f"-{name}") and t.get("startedBy", "").startswith("github-")]
            self.checks.check(f"{job_id}: ECS ran the one-off task {name} on Fargate, in the service's network, "
                              "started by the run", len(ran) >= 1 and ran[0].get("launchType") == "FARGATE", described)
        self.checks.workaround("one-off tasks: moto's RunTask of a Fargate task reads a network interface's "
                               "private_dns_name, which moto lacks (tests/e2e/moto_patches adds it); moto's tasks "
                               "stop with exit code 0 after a few DescribeTasks, so a failing task (non-zero exit, "
                               "no exit code, not started, no stop) runs against stand-ins (test_task_script.py)")

    def replay_gates(self) -> None:
        """Each applied deploy job's rollout gate: it passes where the
        deployment completes, and fails within its wait, naming the
        deployment, where it never does (gate.py)."""
        gated = [(job_id, step) for job_id in sorted(self.applied) if self.stacks[job_id].kind == "service"
                 for step in [gate.step_of(self.workflow.jobs[job_id])
                              or gate.step_of(self.workflow.jobs[job_id], gate.CODEDEPLOY_STEP)]]
        for job_id, step in gated:
            self.checks.check(f"{job_id}: the deploy job waits for the rollout", step is not None,
                              f"no step named {gate.STEP!r} or {gate.CODEDEPLOY_STEP!r}")
        for job_id, step in gated:
            if step is not None and step.get("name") == gate.CODEDEPLOY_STEP:
                self.replay_codedeploy(job_id, step)
        gated = [(job_id, step) for job_id, step in gated if step is not None and step.get("name") == gate.STEP]
        if not gated:
            return
        self.checks.workaround("ECS rollouts: moto started with MOTO_ECS_SERVICE_RUNNING at the largest count (its "
                               "deployments complete); a second moto without it for the gate's failing run, "
                               "each gated service made again there with boto3")
        region = self.pipeline.region
        for job_id, step in gated:
            stack = self.stacks[job_id]
            code, output, seconds = gate.run(step, stack, stack.account, region, gate.PASSING_WAIT, self.workflow.env)
            self.checks.check(f"{job_id}: the rollout gate passes when ECS reports the deployment COMPLETED",
                              code == 0 and "completed" in output, f"exit {code}:\n{harness.tail(output)}")
            outputs = stack.outputs()
            service = self.spec[job_id].service
            if service.count == 0:
                self.checks.skip(f"{job_id}: no failing rollout: a deployment of 0 tasks completes at once")
                continue
            if self.stalled_moto is None:
                self.stalled_moto = harness.MotoServer(self.moto_server, self.tmp / "moto-stalled.log")
                self.stalled_moto.start()
                self.stalled_accounts = {a.id: a for a in harness.accounts(self.stalled_moto.url, len(self.accounts))}
            account = self.stalled_accounts[stack.account.id]
            deployment = gate.remake_service(stack.account, account, region, outputs["cluster"],
                                             outputs["service_name"], outputs["task_definition_arn"])
            code, output, seconds = gate.run(step, stack, account, region, gate.FAILING_WAIT, self.workflow.env)
            self.checks.check(
                f"{job_id}: the rollout gate fails when the deployment never completes, naming it",
                code != 0 and f"::error::ECS deployment {deployment} " in output
                and f"did not complete within {gate.FAILING_WAIT}s" in output,
                f"exit {code} after {seconds:.0f}s, deployment {deployment}:\n{harness.tail(output)}")

    def replay_codedeploy(self, job_id: str, step: dict) -> None:
        """A blue/green service's CodeDeploy step against moto: with the
        service on another revision than the apply registered (as after an
        apply that changed the task definition: Terraform leaves the
        service's to CodeDeploy), it starts a deployment of the applied one
        and exits 0 when it succeeds; with the service on the applied one,
        it starts none. Its failing ends: test_codedeploy_script.py."""
        stack = self.stacks[job_id]
        region = self.pipeline.region
        outputs = stack.outputs()
        cluster, service, applied = outputs["cluster"], outputs["service_name"], outputs["task_definition_arn"]
        ecs = stack.account.client("ecs", region)
        definition = ecs.describe_task_definition(taskDefinition=applied)["taskDefinition"]
        keys = ["family", "taskRoleArn", "executionRoleArn", "networkMode", "containerDefinitions",
                "requiresCompatibilities", "cpu", "memory", "runtimePlatform", "ephemeralStorage"]
        other = ecs.register_task_definition(**{k: definition[k] for k in keys if k in definition})[
            "taskDefinition"]["taskDefinitionArn"]
        ecs.update_service(cluster=cluster, service=service, taskDefinition=other)
        try:
            code, output, _ = gate.run(step, stack, stack.account, region, gate.PASSING_WAIT, self.workflow.env)
            self.checks.check(f"{job_id}: the CodeDeploy step starts a deployment and passes when it succeeds",
                              code == 0 and f"of {applied} succeeded" in output, f"exit {code}:\n{harness.tail(output)}")
            codedeploy = stack.account.client("codedeploy", region)
            application, group = outputs["codedeploy_application"], outputs["codedeploy_deployment_group"]
            ids = codedeploy.list_deployments(applicationName=application, deploymentGroupName=group)["deployments"]
            if self.checks.check(f"{job_id}: CodeDeploy holds one deployment of the group", len(ids) == 1, ids):
                revision = codedeploy.get_deployment(deploymentId=ids[0])["deploymentInfo"]["revision"]
                appspec = json.loads(revision.get("appSpecContent", {}).get("content", "{}"))
                target = (appspec.get("Resources") or [{}])[0].get("TargetService", {})
                container, port = self.spec[job_id].service.load_balancer[1:]
                self.checks.equal(f"{job_id}: the deployment's AppSpec names the applied task definition, the "
                                  "container and the port", (revision.get("revisionType"), target.get("Type"),
                                                             target.get("Properties")),
                                  ("AppSpecContent", "AWS::ECS::Service",
                                   {"TaskDefinition": applied,
                                    "LoadBalancerInfo": {"ContainerName": container, "ContainerPort": port}}))
        finally:
            ecs.update_service(cluster=cluster, service=service, taskDefinition=applied)
            ecs.deregister_task_definition(taskDefinition=other)
        code, output, _ = gate.run(step, stack, stack.account, region, gate.PASSING_WAIT, self.workflow.env)
        self.checks.check(f"{job_id}: the CodeDeploy step starts no deployment when the service runs the applied "
                          "task definition", code == 0 and "no deployment" in output,
                          f"exit {code}:\n{harness.tail(output)}")
        self.checks.workaround("CodeDeploy: moto's deployments move no traffic and stay Created; tests/e2e/"
                               "moto_patches has them succeed on the second read; the harness put the service on "
                               "another revision with boto3 so that the step has one to deploy", job_id)

    def verify(self) -> None:
        verifier = checks.Verifier(self)
        verifier.run()

    def destroy_all(self) -> None:
        dependents = {job_id: {other for other, deps in self.dependencies.items() if job_id in deps}
                      for job_id in self.stacks}
        futures: dict[str, concurrent.futures.Future] = {}

        def destroy(job_id: str) -> bool:
            ok = True
            for other in dependents[job_id]:
                while other not in futures:
                    time.sleep(0.05)
                ok &= futures[other].result()
            stack = self.stacks[job_id]
            if not stack.state_path.exists():
                return ok
            before = checks.snapshot(stack)
            code, output = stack.destroy()
            left = stack.managed_resources()
            self.checks.check(f"{job_id}: terraform destroy succeeds and empties the state", code == 0 and not left,
                              f"exit {code}, left {left}:\n{harness.errors(output)}")
            remaining = checks.still_there(stack, self.pipeline.region, before)
            self.checks.check(f"{job_id}: AWS holds none of its {len(before)} main resources after destroy",
                              not remaining, remaining)
            return ok and code == 0

        with concurrent.futures.ThreadPoolExecutor(max_workers=len(self.stacks) or 1) as pool:
            for job_id in self.stacks:
                futures[job_id] = pool.submit(destroy, job_id)
            for future in futures.values():
                future.result()
