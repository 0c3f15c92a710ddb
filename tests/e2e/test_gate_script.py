"""The rollout gate's answers to what moto cannot produce: a deployment the
circuit breaker stopped (rolloutState FAILED, tasks stopped with a reason)
and a deployment rolled back out of the list. The generated step's exact
script runs with bash against stand-ins for `terraform output` and the AWS
CLI that print what ECS would answer to its queries; the end-to-end run
(gate.py) covers the same script against moto."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import gate
import workflow as workflow_reader
from conftest import ROOT

TASK_DEFINITION = "arn:aws:ecs:us-east-2:123456789012:task-definition/app-6:7"
PREVIOUS = "arn:aws:ecs:us-east-2:123456789012:task-definition/app-6:6"

TERRAFORM = f"""#!/bin/bash
# terraform output -raw NAME
case "$3" in
  cluster) printf '%s' arn:aws:ecs:us-east-2:123456789012:cluster/app-6 ;;
  service_name) printf '%s' app-6 ;;
  task_definition_arn) printf '%s' {TASK_DEFINITION} ;;
  *) exit 1 ;;
esac
"""

# Answers by subcommand and query, from files the test writes.
AWS = """#!/bin/bash
here="$(dirname "$0")"
case "$2" in
  describe-services)
    case "$*" in
      *events*) cat "$here/events.txt" ;;
      *) cat "$here/deployments.txt" ;;
    esac ;;
  list-tasks) cat "$here/tasks.txt" ;;
  describe-tasks) cat "$here/stopped.txt" ;;
  *) exit 2 ;;
esac
"""


@pytest.fixture(scope="module")
def script(binary, tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("out")
    subprocess.run([str(binary), "build", "pipelines/fargate-web.ecspipe", "--out", str(out)], cwd=ROOT,
                   check=True, capture_output=True)
    workflow = workflow_reader.load(next((out / ".github/workflows").glob("*.yml")))
    steps = [gate.step_of(job) for job in workflow.jobs.values()]
    found = [step for step in steps if step is not None]
    assert len(found) == 1, "fargate-web has one deploy job"
    return str(found[0]["run"])


def run(script: str, tmp: Path, deployments: list[tuple[str, str, str, str]], stopped: list[tuple[str, str, str]],
        wait: int = 30) -> tuple[int, str]:
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    for name, text in (("terraform", TERRAFORM), ("aws", AWS)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    (bin_dir / "deployments.txt").write_text("".join("\t".join(d) + "\n" for d in deployments))
    (bin_dir / "tasks.txt").write_text("\t".join(f"arn:aws:ecs:us-east-2:123456789012:task/app-6/{i}"
                                                 for i in range(len(stopped))) + "\n")
    (bin_dir / "stopped.txt").write_text("".join("\t".join(s) + "\n" for s in stopped))
    (bin_dir / "events.txt").write_text("2026-12-01T08:00:00+00:00\t(service app-6) has started 2 tasks.\n")
    (tmp / "script.sh").write_text(script)
    process = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(tmp / "script.sh")], cwd=tmp,
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", "ROLLOUT_TIMEOUT": str(wait)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=wait + 60)
    return process.returncode, process.stdout


def test_a_rolled_back_deployment_fails_naming_it_its_reason_and_the_last_stopped_task(script, tmp_path):
    code, output = run(script, tmp_path, [
        (PREVIOUS, "ecs-svc/2222", "IN_PROGRESS", "ECS deployment ecs-svc/2222 in progress."),
        (TASK_DEFINITION, "ecs-svc/1111", "FAILED", "ECS deployment circuit breaker: tasks failed to start."),
    ], [
        ("ecs-svc/1111", "2026-12-01T08:01:00+00:00", "Essential container in task exited"),
        ("ecs-svc/1111", "2026-12-01T08:03:00+00:00", "Task failed container health checks"),
        ("ecs-svc/0999", "2026-12-01T08:04:00+00:00", "Scaling activity initiated by deployment ecs-svc/0999"),
    ])
    assert code == 1, output
    assert ("::error::ECS deployment ecs-svc/1111 of service app-6 failed (stopped by the circuit breaker or an "
            "alarm): ECS deployment circuit breaker: tasks failed to start.; last stopped task: Task failed "
            "container health checks\n") in output
    assert "(service app-6) has started 2 tasks." in output


def test_a_deployment_no_longer_listed_fails(script, tmp_path):
    code, output = run(script, tmp_path, [
        (PREVIOUS, "ecs-svc/2222", "COMPLETED", "ECS deployment ecs-svc/2222 completed."),
    ], [])
    assert code == 1, output
    assert f"::error::no deployment of {TASK_DEFINITION} is left on service app-6: ECS rolled it back" in output


def test_the_deployment_of_the_applied_task_definition_decides(script, tmp_path):
    code, output = run(script, tmp_path, [
        (TASK_DEFINITION, "ecs-svc/1111", "COMPLETED", "ECS deployment ecs-svc/1111 completed."),
        (PREVIOUS, "ecs-svc/2222", "FAILED", "an older deployment"),
    ], [])
    assert code == 0, output
    assert f"ECS deployment ecs-svc/1111 of {TASK_DEFINITION} completed" in output
