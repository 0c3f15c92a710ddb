"""A one-off task step's answers to what moto cannot produce: a container
that exits with a non-zero code, a task that stops without an exit code, a
task ECS does not start, and one that never stops. (moto's tasks always
stop with exit code 0: the end-to-end run, runner.py, covers that case
against moto.) The generated step's exact script runs with bash against
stand-ins for `terraform output` and the AWS CLI that print what ECS would
answer to its queries."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import tasks
import workflow as workflow_reader
from conftest import ROOT

TASK_DEFINITION = "arn:aws:ecs:eu-central-1:123456789012:task-definition/orders-api-migrate:3"
TASK = "arn:aws:ecs:eu-central-1:123456789012:task/orders/0f3c5e2a9b8d4c7e"

TERRAFORM = f"""#!/bin/bash
# terraform output -raw NAME
case "$3" in
  one_off_cluster) printf '%s' arn:aws:ecs:eu-central-1:123456789012:cluster/orders ;;
  one_off_network_configuration) printf '%s' '{{"awsvpcConfiguration":{{"subnets":["subnet-1"]}}}}' ;;
  one_off_log_group) printf '%s' /orders/ecs ;;
  one_off_migrate_task_definition_arn) printf '%s' {TASK_DEFINITION} ;;
  *) exit 1 ;;
esac
"""

# Answers by subcommand and query, from files the test writes; every call
# is recorded in calls.txt.
AWS = """#!/bin/bash
here="$(dirname "$0")"
echo "$*" >>"$here/calls.txt"
case "$2" in
  run-task) cat "$here/started.txt" ;;
  describe-tasks)
    case "$*" in
      *containers*) cat "$here/containers.txt" ;;
      *) cat "$here/status.txt" ;;
    esac ;;
  stop-task) echo '{}' ;;
  get-log-events) cat "$here/log.txt" ;;
  *) exit 2 ;;
esac
"""


@pytest.fixture(scope="module")
def step(binary, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("out")
    subprocess.run([str(binary), "build", "pipelines/api-sidecar.ecspipe", "--out", str(out)], cwd=ROOT,
                   check=True, capture_output=True)
    workflow = workflow_reader.load(next((out / ".github/workflows").glob("*.yml")))
    found = [step for job in workflow.jobs.values() for step in tasks.steps_of(job)]
    assert len(found) == 1, "api-sidecar has one deploy job with one task, in its variant that applies"
    return found[0]


def run(step: dict, tmp: Path, started: str, status: str, containers: str, timeout: int = 30) -> tuple[int, str, str]:
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    for name, text in (("terraform", TERRAFORM), ("aws", AWS)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    (bin_dir / "started.txt").write_text(started + "\n")
    (bin_dir / "status.txt").write_text(status + "\n")
    (bin_dir / "containers.txt").write_text(containers + "\n")
    (bin_dir / "log.txt").write_text("== 20260101_add_orders: migrating\nPG::UndefinedTable: relation missing\n")
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "GITHUB_RUN_ID": "7001", "GITHUB_RUN_ATTEMPT": "2"}
    code, output, _ = tasks.run(step, tmp, env, timeout)
    calls = (bin_dir / "calls.txt").read_text() if (bin_dir / "calls.txt").exists() else ""
    return code, output, calls


STREAM = "log stream ecs/app/0f3c5e2a9b8d4c7e in log group /orders/ecs"


def test_exit_code_0_passes_naming_the_log_stream(step, tmp_path):
    code, output, calls = run(step, tmp_path, f"{TASK}\tNone", "STOPPED\tEssentialContainerExited\tdone",
                              "app\t0\tNone")
    assert code == 0, output
    assert f"The one-off task migrate exited with 0; its log: {STREAM}" in output
    run_task = calls.splitlines()[0]
    assert "--launch-type FARGATE" in run_task and "--started-by github-7001-2" in run_task, run_task
    assert f"--task-definition {TASK_DEFINITION}" in run_task, run_task
    assert '--network-configuration {"awsvpcConfiguration":{"subnets":["subnet-1"]}}' in run_task, run_task


def test_a_non_zero_exit_code_fails_naming_the_log_stream_and_showing_the_log(step, tmp_path):
    code, output, _ = run(step, tmp_path, f"{TASK}\tNone",
                          "STOPPED\tEssentialContainerExited\tEssential container in task exited", "app\t1\tNone")
    assert code == 1, output
    assert ("::error::the one-off task migrate failed: container app exited with 1 (Essential container in task "
            f"exited); its log: {STREAM}\n") in output
    assert "PG::UndefinedTable: relation missing" in output


def test_a_task_stopped_without_an_exit_code_fails_with_its_reason(step, tmp_path):
    code, output, _ = run(step, tmp_path, f"{TASK}\tNone",
                          "STOPPED\tTaskFailedToStart\tCannotPullContainerError: pull access denied",
                          "app\tNone\tCannotPullContainerError")
    assert code == 1, output
    assert ("::error::the one-off task migrate stopped without an exit code of container app: TaskFailedToStart, "
            "CannotPullContainerError: pull access denied") in output
    assert STREAM in output


def test_a_task_ecs_does_not_start_fails_with_the_reason(step, tmp_path):
    code, output, calls = run(step, tmp_path, "None\tRESOURCE:ENI", "", "")
    assert code == 1, output
    assert f"::error::ECS did not start the one-off task migrate ({TASK_DEFINITION}): RESOURCE:ENI" in output
    assert "describe-tasks" not in calls


def test_a_task_that_does_not_stop_in_time_is_stopped_and_fails(step, tmp_path):
    code, output, calls = run(step, tmp_path, f"{TASK}\tNone", "RUNNING\tNone\tNone", "", timeout=1)
    assert code == 1, output
    assert f"::error::the one-off task migrate did not stop within 1s (last status RUNNING); the job stopped it; " \
           f"its log: {STREAM}" in output
    assert any(line.startswith("ecs stop-task") and TASK in line for line in calls.splitlines()), calls
