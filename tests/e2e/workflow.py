"""Reads a generated GitHub Actions workflow and replays what its jobs pass
to Terraform: the image URI a build job outputs, the `-var` arguments and
`TF_VAR_*` variables of each `terraform apply` step, the role each job
assumes, and the order given by `needs`.

Only the steps the deployment depends on are run: a build job's `run:`
steps that compute its outputs (the tag, the pushed digest and the image by
digest), with `${{ ... }}` expressions resolved from a small, explicit
context. An expression outside that context is an error, not a guess.
`docker` is a stand-in (`FAKE_DOCKER`) that builds and pushes nothing but
prints what `docker push` and `docker buildx imagetools` print, a digest
made from the reference, so the workflow's own scripts read the digest and
the deploy jobs pass it on exactly as on GitHub.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")

# `docker push REF` prints the lines the real one ends with; `docker buildx
# imagetools create -t REF SOURCE...` pushes nothing, `imagetools inspect REF`
# prints the index's digest. Every digest is the SHA-256 of the reference, and
# each one printed is logged (`reference digest`) to $FAKE_DOCKER_LOG.
FAKE_DOCKER = r"""#!/usr/bin/env bash
set -euo pipefail
digest() { printf 'sha256:%s' "$(printf '%s' "$1" | sha256sum | cut -d' ' -f1)"; }
case "$1 ${2:-} ${3:-}" in
  "push "*)
    d="$(digest "$2")"
    echo "$2 $d" >> "$FAKE_DOCKER_LOG"
    echo "The push refers to repository [${2%:*}]"
    echo "${2##*:}: digest: $d size: 1234"
    ;;
  "buildx imagetools create") ;;
  "buildx imagetools inspect")
    d="$(digest "$4")"
    echo "$4 $d" >> "$FAKE_DOCKER_LOG"
    echo "$d"
    ;;
  *) echo "fake docker: unexpected: $*" >&2; exit 2 ;;
esac
"""

# What `github.*` and the runner's environment say during the replayed run:
# a push to main, as when the workflow applies.
GITHUB = {
    "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567",
    "GITHUB_REF": "refs/heads/main",
    "GITHUB_REF_NAME": "main",
    "GITHUB_EVENT_NAME": "push",
    "GITHUB_RUN_ID": "9000000042",
    "GITHUB_RUN_NUMBER": "42",
    "GITHUB_RUN_ATTEMPT": "1",
    "GITHUB_REPOSITORY": "example/ecspipe-e2e",
}


@dataclass
class Job:
    id: str
    name: str
    needs: list[str]
    environment: str | None
    env: dict[str, str]
    working_directory: str | None
    steps: list[dict[str, Any]]
    outputs: dict[str, str]

    def role_key(self) -> str | None:
        """The secrets or variables the job's configure-aws-credentials step
        takes its role from (an apply role and a plan role, say), or the
        literal ARN: which account the job works in."""
        for step in self.steps:
            if "configure-aws-credentials" in str(step.get("uses", "")):
                role = str(step.get("with", {}).get("role-to-assume", ""))
                names = sorted(set(re.findall(r"\b(?:secrets|vars)\.[A-Za-z0-9_]+", role)))
                return " ".join(names) if names else role
        return None

    def apply_step(self) -> dict[str, Any] | None:
        """The step that applies the whole stack (a deploy job with one-off
        tasks applies their task definitions first, `register_step`)."""
        for step in self.steps:
            if str(step.get("run", "")).lstrip().startswith("terraform apply") and \
                    not str(step.get("run", "")).count(" -target="):
                return step
        return None

    def register_step(self) -> dict[str, Any] | None:
        """A deploy job's targeted apply of its one-off tasks' definitions."""
        for step in self.steps:
            if str(step.get("run", "")).lstrip().startswith("terraform apply") and " -target=" in str(step["run"]):
                return step
        return None

    @property
    def is_terraform(self) -> bool:
        return self.apply_step() is not None

    @property
    def is_build(self) -> bool:
        """A build job that pushes: the variant of the runs that apply (its
        variant for other runs builds and scans, and pushes nothing)."""
        return not self.is_terraform and bool(self.outputs) and any(step.get("id") == "push" for step in self.steps)


@dataclass
class Workflow:
    path: Path
    env: dict[str, str]
    jobs: dict[str, Job]

    @property
    def region(self) -> str:
        return self.env["AWS_REGION"]


def load(path: Path) -> Workflow:
    data = yaml.safe_load(path.read_text())
    jobs = {}
    for job_id, job in data["jobs"].items():
        needs = job.get("needs", [])
        jobs[job_id] = Job(
            id=job_id,
            name=str(job.get("name", job_id)),
            needs=[needs] if isinstance(needs, str) else list(needs),
            environment=job.get("environment") if isinstance(job.get("environment"), str) else
            (job.get("environment") or {}).get("name"),
            env={k: str(v) for k, v in (job.get("env") or {}).items()},
            working_directory=((job.get("defaults") or {}).get("run") or {}).get("working-directory"),
            steps=list(job.get("steps", [])),
            outputs={k: str(v) for k, v in (job.get("outputs") or {}).items()},
        )
    return Workflow(path, {k: str(v) for k, v in (data.get("env") or {}).items()}, jobs)


@dataclass
class Context:
    """What `${{ ... }}` may read during the replay."""

    secrets: Callable[[str], str]
    env: dict[str, str] = field(default_factory=dict)
    needs: dict[str, dict[str, str]] = field(default_factory=dict)
    steps: dict[str, dict[str, str]] = field(default_factory=dict)

    def evaluate(self, expression: str) -> str:
        parts = expression.split(".")
        if parts[0] in ("secrets", "vars") and len(parts) == 2:
            return self.secrets(expression)
        if parts[0] == "env" and len(parts) == 2:
            return self.env[parts[1]]
        if parts[0] == "needs" and len(parts) == 4 and parts[2] == "outputs":
            return self.needs[parts[1]][parts[3]]
        if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
            return self.steps[parts[1]][parts[3]]
        raise KeyError(f"the replay does not evaluate `${{{{ {expression} }}}}`")

    def resolve(self, text: str) -> str:
        return EXPRESSION.sub(lambda m: self.evaluate(m.group(1)), text)


def step_references(value: Any) -> set[str]:
    return {m.group(1).split(".")[1] for m in EXPRESSION.finditer(str(value)) if m.group(1).startswith("steps.")}


def run_build(workflow: Workflow, job: Job, context: Context, fake_outputs: dict[str, dict[str, str]],
              docker_log: Path) -> dict[str, str]:
    """A build job's outputs, computed by running the `run:` steps they come
    from, with `FAKE_DOCKER` as `docker` (logging to `docker_log`).
    `fake_outputs` stands in for actions (`uses:`) whose outputs are needed,
    such as the ECR login's registry."""
    steps_by_id = {step["id"]: step for step in job.steps if "id" in step}
    done: dict[str, dict[str, str]] = {}
    bin_dir = tempfile.TemporaryDirectory()
    docker = Path(bin_dir.name) / "docker"
    docker.write_text(FAKE_DOCKER)
    docker.chmod(0o755)

    def produce(step_id: str) -> None:
        if step_id in done:
            return
        step = steps_by_id[step_id]
        if "uses" in step:
            action = str(step["uses"]).split("@")[0]
            done[step_id] = fake_outputs[action]
            return
        for needed in step_references(step.get("env", {})) | step_references(step.get("run", "")):
            produce(needed)
        local = Context(context.secrets, {**workflow.env, **job.env}, context.needs, done)
        env = {k: local.resolve(str(v)) for k, v in (step.get("env") or {}).items()}
        script = str(step["run"])
        assert "${{" not in script, f"{job.id}: an expression inside a run script: {script}"
        with tempfile.NamedTemporaryFile("r", suffix=".out") as output:
            full_env = {
                "PATH": f"{bin_dir.name}:{os.environ.get('PATH', '/usr/bin:/bin')}",
                "FAKE_DOCKER_LOG": str(docker_log),
                **GITHUB,
                **workflow.env,
                **{k: local.resolve(v) for k, v in job.env.items()},
                **env,
                "GITHUB_OUTPUT": output.name,
            }
            subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], env=full_env, check=True,
                           cwd=tempfile.gettempdir(), timeout=30)
            values = dict(line.split("=", 1) for line in output.read().splitlines() if "=" in line)
        done[step_id] = values

    outputs = {}
    with bin_dir:
        for name, expression in job.outputs.items():
            for step_id in step_references(expression):
                produce(step_id)
            outputs[name] = Context(context.secrets, job.env, context.needs, done).resolve(expression)
    return outputs


def apply_command(workflow: Workflow, job: Job, context: Context,
                  step: dict[str, Any] | None = None) -> tuple[list[str], dict[str, str]]:
    """The argv of the job's `terraform apply` step (or of `step`), with the
    shell's `$VAR` expansion done, and the environment it runs with (the
    job's `env:` and the step's, expressions resolved)."""
    step = step or job.apply_step()
    assert step is not None, f"{job.id} has no terraform apply step"
    env = {k: context.resolve(v) for k, v in job.env.items()}
    env.update({k: context.resolve(str(v)) for k, v in (step.get("env") or {}).items()})
    script = str(step["run"]).strip()
    assert "\n" not in script and "${{" not in script, f"{job.id}: unexpected apply step: {script!r}"
    argv = shlex.split(script)
    expanded = [re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: env[m.group(1)], arg) for arg in argv]
    assert expanded[:2] == ["terraform", "apply"], expanded
    return expanded, env
