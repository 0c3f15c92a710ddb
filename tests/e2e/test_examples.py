"""Every example pipeline, compiled, applied to moto the way its workflow
applies it, read back through the AWS API, planned again (the plan must be
empty) and destroyed. See runner.py for the steps and checks.py for what is
compared with the pipeline."""

from __future__ import annotations

import json

import pytest

from conftest import pipelines
from runner import Example


@pytest.mark.parametrize("source", pipelines(), ids=lambda p: p.stem)
def test_example_applies_matches_its_pipeline_and_destroys(source, binary, moto_server, terraform_rc,
                                                           record_property):
    from conftest import ROOT

    example = Example(source, binary, moto_server, terraform_rc, ROOT)
    result = example.run()
    checks = result.checks
    row = result.table_row()
    row["workarounds"] = sorted(checks.workaround_kinds)
    record_property("e2e", json.dumps(row))
    problems = result.failures + checks.failures
    detail = "\n".join(f"- {p}" for p in problems)
    assert not problems, (f"{source.name}: {len(problems)} problem(s), {checks.passed} checks passed\n{detail}"
                          + (f"\nnotes: {result.notes}" if result.notes else ""))
    assert checks.passed > 0, "no check ran"
