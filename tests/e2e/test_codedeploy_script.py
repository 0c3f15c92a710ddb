"""The CodeDeploy step of a blue/green service's deploy job, against
stand-ins for `terraform output` and the AWS CLI that answer as CodeDeploy
would: what moto cannot produce (a failed or stopped deployment, one that
never ends). The generated step's exact script runs with bash; the
end-to-end run (runner.py) covers the same script against moto, where the
deployment succeeds."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import gate
import workflow as workflow_reader
from conftest import ROOT

TASK_DEFINITION = "arn:aws:ecs:us-east-2:123456789012:task-definition/payments-api-dev:7"
PREVIOUS = "arn:aws:ecs:us-east-2:123456789012:task-definition/payments-api-dev:6"

TERRAFORM = f"""#!/bin/bash
# terraform output -raw NAME
case "$3" in
  cluster) printf '%s' arn:aws:ecs:us-east-2:123456789012:cluster/payments-dev ;;
  service_name) printf '%s' payments-api-dev ;;
  task_definition_arn) printf '%s' {TASK_DEFINITION} ;;
  codedeploy_application) printf '%s' payments-api-dev ;;
  codedeploy_deployment_group) printf '%s' payments-api-dev ;;
  *) exit 1 ;;
esac
"""

# Answers by subcommand; every call is recorded with its arguments, and
# get-deployment answers the lines of statuses.txt one call at a time (the
# last one for ever).
AWS = """#!/bin/bash
here="$(dirname "$0")"
printf '%s\\n' "$*" >>"$here/calls.txt"
case "$2" in
  describe-services) cat "$here/running.txt" ;;
  create-deployment) printf '%s\\n' d-4Q2JX7KLN ;;
  get-deployment)
    n=$(grep -c '^deploy get-deployment' "$here/calls.txt")
    total=$(wc -l <"$here/statuses.txt")
    sed -n "$((n < total ? n : total))p" "$here/statuses.txt" ;;
  stop-deployment) printf '%s\\n' '{"status": "Pending"}' ;;
  *) exit 2 ;;
esac
"""


@pytest.fixture(scope="module")
def step(binary, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("out")
    subprocess.run([str(binary), "build", "pipelines/environments.ecspipe", "--out", str(out)], cwd=ROOT,
                   check=True, capture_output=True)
    workflow = workflow_reader.load(next((out / ".github/workflows").glob("*.yml")))
    found = [s for job in workflow.jobs.values() if (s := gate.step_of(job, gate.CODEDEPLOY_STEP)) is not None]
    assert len(found) == 3, "environments deploys blue/green in dev, staging and prod"
    return found[0]


def run(step: dict, tmp: Path, running: str, statuses: list[str], wait: int = 30) -> tuple[int, str, list[str]]:
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    for name, text in (("terraform", TERRAFORM), ("aws", AWS)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    (bin_dir / "running.txt").write_text(running + "\n")
    (bin_dir / "statuses.txt").write_text("".join(line + "\n" for line in statuses))
    (bin_dir / "calls.txt").write_text("")
    (tmp / "script.sh").write_text(str(step["run"]))
    env = {k: str(v) for k, v in step["env"].items()}
    process = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(tmp / "script.sh")], cwd=tmp,
        env={**env, "PATH": f"{bin_dir}:/usr/bin:/bin", "ROLLOUT_TIMEOUT": str(wait)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=wait + 60)
    return process.returncode, process.stdout, (bin_dir / "calls.txt").read_text().splitlines()


def test_the_deployment_carries_an_appspec_of_the_applied_task_definition(step, tmp_path):
    code, output, calls = run(step, tmp_path, PREVIOUS, ["InProgress\tNone\tNone", "Succeeded\tNone\tNone"])
    assert code == 0, output
    assert f"CodeDeploy deployment d-4Q2JX7KLN of {TASK_DEFINITION} succeeded" in output
    create = next(call for call in calls if call.startswith("deploy create-deployment"))
    assert "--application-name payments-api-dev --deployment-group-name payments-api-dev" in create
    revision = json.loads(create.split("--revision ", 1)[1].split(" --query", 1)[0])
    assert revision["revisionType"] == "AppSpecContent"
    appspec = json.loads(revision["appSpecContent"]["content"])
    target = appspec["Resources"][0]["TargetService"]
    assert target["Type"] == "AWS::ECS::Service"
    assert target["Properties"] == {"TaskDefinition": TASK_DEFINITION,
                                    "LoadBalancerInfo": {"ContainerName": "api", "ContainerPort": 8080}}


def test_a_service_already_on_the_task_definition_gets_no_deployment(step, tmp_path):
    code, output, calls = run(step, tmp_path, TASK_DEFINITION, ["Failed\tX\tY"])
    assert code == 0, output
    assert f"Service payments-api-dev already runs {TASK_DEFINITION}; no deployment" in output
    assert not [call for call in calls if call.startswith("deploy ")]


@pytest.mark.parametrize("status", ["Failed", "Stopped"])
def test_a_failed_or_stopped_deployment_fails_naming_it(step, tmp_path, status):
    code, output, _ = run(step, tmp_path, PREVIOUS, [
        "InProgress\tNone\tNone",
        f"{status}\tECS_UPDATE_ERROR\tThe ECS service cannot reach a steady state",
    ])
    assert code == 1, output
    assert (f"::error::CodeDeploy deployment d-4Q2JX7KLN of service payments-api-dev: {status} (ECS_UPDATE_ERROR: "
            "The ECS service cannot reach a steady state); production stays on, or was rolled back to") in output


def test_a_deployment_that_never_ends_is_stopped_with_rollback_and_fails(step, tmp_path):
    code, output, calls = run(step, tmp_path, PREVIOUS, ["InProgress\tNone\tNone"], wait=2)
    assert code == 1, output
    assert "::error::CodeDeploy deployment d-4Q2JX7KLN of service payments-api-dev did not succeed within 2s " \
           "(last status InProgress)" in output
    assert "deploy stop-deployment --deployment-id d-4Q2JX7KLN --auto-rollback-enabled" in calls
