"""The deploy jobs' one-off task steps ("Run the one-off task NAME"),
replayed: the step's exact `run:` script from the generated workflow, run
with bash as the runner would, with the job's and the step's `env:`, in the
stack's directory (`terraform output` reads its state), the AWS CLI pointed
at moto (runner.py) or at stand-ins (test_task_script.py)."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

PREFIX = "Run the one-off task "


def steps_of(job) -> list[dict]:
    """The job's one-off task steps, in order."""
    return [step for step in job.steps if str(step.get("name", "")).startswith(PREFIX)]


def run(step: dict, directory: Path, env: dict[str, str], timeout: int) -> tuple[int, str, float]:
    """The step's script with `env` (the caller's, then the step's own):
    exit code, output, seconds."""
    script = str(step["run"])
    assert "${{" not in script, "an expression inside a one-off task's run script"
    step_env = {k: str(v) for k, v in (step.get("env") or {}).items()}
    assert all("${{" not in v for v in step_env.values()), "a one-off task step's env needs the run's context"
    with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as file:
        file.write(script)
    started = time.monotonic()
    try:
        process = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", file.name], cwd=directory,
            env={**env, **step_env, "TASK_TIMEOUT": str(timeout)},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout + 180,
        )
    finally:
        os.unlink(file.name)
    return process.returncode, process.stdout, time.monotonic() - started
