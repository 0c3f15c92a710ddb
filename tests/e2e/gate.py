"""The deploy jobs' rollout gate, replayed against moto.

A deploy job ends with the step "Wait for the rollout": a bash script that
reads the task definition ARN, service and cluster with `terraform output`
and the service's deployments with the AWS CLI, and succeeds only when ECS
reports the deployment of that task definition COMPLETED. The replay takes
the step's exact `run:` script from the generated workflow and runs it with
bash as the runner would (`bash --noprofile --norc -eo pipefail`), in the
stack's directory, with the job's and the step's `env:`, the credentials
and region configure-aws-credentials exports, and `AWS_ENDPOINT_URL`
pointing the AWS CLI at moto. The wait (`ROLLOUT_TIMEOUT`, seconds) is the
knob the workflow itself sets from `deployment ... wait`; the replay
shortens it.

Two runs per gated stack (the moto side is described in harness.py):

- against the example's moto, started with `MOTO_ECS_SERVICE_RUNNING`, where
  the deployment Terraform made is COMPLETED: the gate exits 0;
- against a second moto without it, where the same service (cluster, task
  definition revision, service) is made again with boto3 and its deployment
  stays IN_PROGRESS: the gate exits non-zero within its wait, and its error
  names the deployment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import harness
import workflow as workflow_reader

STEP = "Wait for the rollout"
#: A blue/green service's step: it starts a CodeDeploy deployment and waits
#: on it (test_codedeploy_script.py, and runner.py's replay against moto).
CODEDEPLOY_STEP = "Deploy through CodeDeploy"
#: The wait the replay gives a deployment that completes (it exits on the
#: first look) and one that never does.
PASSING_WAIT = 60
FAILING_WAIT = 5


def aws_cli() -> str:
    found = shutil.which("aws")
    if not found:
        raise AssertionError("the AWS CLI (`aws`) is not installed; the rollout gate's replay runs it")
    return found


def step_of(job: workflow_reader.Job, name: str = STEP) -> dict | None:
    return next((step for step in job.steps if step.get("name") == name), None)


def run(step: dict, stack: harness.Stack, account: harness.Account, region: str, wait: int,
        workflow_env: dict[str, str]) -> tuple[int, str, float]:
    """The step's script, as the runner runs it: exit code, output, seconds."""
    script = str(step["run"])
    assert "${{" not in script, f"{stack.name}: an expression inside the gate's run script"
    step_env = {k: str(v) for k, v in (step.get("env") or {}).items()}
    assert all("${{" not in v for v in step_env.values()), f"{stack.name}: the gate's env needs the replay's context"
    assert "ROLLOUT_TIMEOUT" in step_env, f"{stack.name}: the gate step sets no ROLLOUT_TIMEOUT"
    env = {
        **stack.terraform_env,  # `terraform output` reads the stack's state
        **workflow_reader.GITHUB,
        **workflow_env,
        **stack.env,  # the job's env, resolved (as for its apply)
        **step_env,
        "ROLLOUT_TIMEOUT": str(wait),
        # What configure-aws-credentials exports, and moto.
        "AWS_ACCESS_KEY_ID": account.access_key,
        "AWS_SECRET_ACCESS_KEY": account.secret_key,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_ENDPOINT_URL": account.endpoint,
        "AWS_PAGER": "",
    }
    env["PATH"] = f"{Path(aws_cli()).parent}:{env.get('PATH', '/usr/bin:/bin')}"
    with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as file:
        file.write(script)
    started = time.monotonic()
    try:
        process = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", file.name], cwd=stack.directory, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=wait + 180,
        )
    finally:
        os.unlink(file.name)
    seconds = time.monotonic() - started
    with open(stack.log, "a") as log:
        log.write(f"\n$ [{step.get('name')}] ROLLOUT_TIMEOUT={wait} against {account.endpoint}   # {stack.name}, "
                  f"{seconds:.1f}s, exit {process.returncode}\n{process.stdout}")
    return process.returncode, process.stdout, seconds


def remake_service(source: harness.Account, target: harness.Account, region: str, cluster: str, service: str,
                   task_definition: str) -> str:
    """Makes `service` again in another moto (`target`): its cluster, its task
    definition at the same revision, the service with its desired count. The
    deployment's id there."""
    ecs_from, ecs_to = source.client("ecs", region), target.client("ecs", region)
    described = ecs_from.describe_services(cluster=cluster, services=[service])["services"][0]
    definition = ecs_from.describe_task_definition(taskDefinition=task_definition)["taskDefinition"]
    name = cluster.rsplit("/", 1)[-1]
    if not [c for c in ecs_to.describe_clusters(clusters=[name])["clusters"] if c.get("status") == "ACTIVE"]:
        ecs_to.create_cluster(clusterName=name)
    # Environments in one account share the family: revisions up to this
    # one may exist already (the gate compares ARNs, not contents).
    keys = ["family", "taskRoleArn", "executionRoleArn", "networkMode", "containerDefinitions",
            "requiresCompatibilities", "cpu", "memory", "runtimePlatform", "ephemeralStorage"]
    arns = ecs_to.list_task_definitions(familyPrefix=definition["family"])["taskDefinitionArns"]
    arn = task_definition if task_definition in arns else ""
    while not arn or int(arn.rsplit(":", 1)[1]) < definition["revision"]:
        arn = ecs_to.register_task_definition(**{k: definition[k] for k in keys if k in definition})[
            "taskDefinition"]["taskDefinitionArn"]
    assert arn == task_definition, f"the second moto registered {arn}, not {task_definition}"
    placement = ({"capacityProviderStrategy": described["capacityProviderStrategy"]}
                 if described.get("capacityProviderStrategy") else {"launchType": "FARGATE"})
    made = ecs_to.create_service(cluster=cluster, serviceName=service, taskDefinition=arn,
                                 desiredCount=described["desiredCount"], **placement)["service"]
    return made["deployments"][0]["id"]
