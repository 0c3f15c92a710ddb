"""Fixtures of the end-to-end suite and the table it ends with."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

ROWS: list[dict] = []


def pipelines() -> list[Path]:
    found = sorted((ROOT / "pipelines").glob("*.ecspipe"))
    assert found, "no example pipelines"
    return found


def tool(name: str, env: str | None = None) -> str:
    if env and os.environ.get(env):
        return os.environ[env]
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if not found:
        pytest.exit(f"`{name}` is not installed: run scripts/test, which installs the suite's tools", 2)
    return found


@pytest.fixture(scope="session")
def binary() -> Path:
    path = Path(os.environ.get("ECSPIPE_BIN", ROOT / "target/debug/ecspipe"))
    if not path.exists():
        pytest.exit(f"{path} does not exist: build it with `cargo build` (scripts/test does)", 2)
    return path


@pytest.fixture(scope="session")
def moto_server() -> str:
    return tool("moto_server", "ECSPIPE_MOTO_SERVER")


@pytest.fixture(scope="session")
def terraform_rc(tmp_path_factory) -> Path:
    tool("terraform")
    mirror = os.environ.get("ECSPIPE_TF_MIRROR", "/opt/tf-plugins")
    if not Path(mirror, "registry.terraform.io/hashicorp/aws").is_dir():
        pytest.exit(f"the AWS provider mirror is missing at {mirror} (set ECSPIPE_TF_MIRROR)", 2)
    path = tmp_path_factory.mktemp("terraform") / "terraform.rc"
    path.write_text(
        "provider_installation {\n"
        f"  filesystem_mirror {{\n    path    = {json.dumps(mirror)}\n"
        '    include = ["registry.terraform.io/hashicorp/*"]\n  }\n'
        '  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n'
    )
    return path


def pytest_collection_modifyitems(items) -> None:
    """Interleave the example tests (minutes each) with the quick ones: xdist
    hands each worker two tests at first, and two examples on one worker
    would run one after the other."""
    heavy = [item for item in items if "test_example_" in item.name]
    light = [item for item in items if item not in heavy]
    items[:] = [item for pair in zip(heavy, light) for item in pair] + heavy[len(light):] + light[len(heavy):]


def pytest_runtest_logreport(report) -> None:
    for key, value in getattr(report, "user_properties", []):
        if key == "e2e" and report.when == "call":
            ROWS.append(json.loads(value))


def pytest_terminal_summary(terminalreporter) -> None:
    if not ROWS:
        return
    write = terminalreporter.write_line
    rows = sorted(ROWS, key=lambda r: r["example"])
    write("")
    terminalreporter.section("ecspipe end-to-end: every example applied to moto", sep="=")
    header = f"{'example':<14} {'stacks':>6} {'resources':>9} {'checks passed':>13} {'failed':>6} {'seconds':>7}  skips"
    write(header)
    write("-" * len(header))
    for row in rows:
        skips = row["skips"] or ["none"]
        write(f"{row['example']:<14} {row['stacks']:>6} {row['resources']:>9} {row['passed']:>13} "
              f"{row['failed'] + row['errors']:>6} {row['seconds']:>7.1f}  {skips[0]}")
        for skip in skips[1:]:
            write(f"{'':<14} {'':>6} {'':>9} {'':>13} {'':>6} {'':>7}  {skip}")
    write("-" * len(header))
    write(f"{'total':<14} {sum(r['stacks'] for r in rows):>6} {sum(r['resources'] for r in rows):>9} "
          f"{sum(r['passed'] for r in rows):>13} {sum(r['failed'] + r['errors'] for r in rows):>6}")
    for row in rows:
        if row.get("retried"):
            write(f"{row['example']}: repeated once after a transient error: {row['retried']}")
    workarounds = sorted({w for r in rows for w in r.get("workarounds", [])})
    if workarounds:
        write("moto workarounds applied (see tests/e2e/harness.py):")
        for text in workarounds:
            write(f"  - {text}")
