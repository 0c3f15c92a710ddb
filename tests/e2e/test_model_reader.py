"""The oracle's reader: model.py must read the compiler's model JSON of
every example, ignore fields it does not know (the book promises readers
that new fields may appear), and read what the language reference says the
examples write, or every end-to-end comparison would be against the wrong
expectation."""

from __future__ import annotations

import copy
import json
import subprocess

import pytest

import model
from conftest import ROOT, pipelines


def model_json(binary, source) -> dict:
    process = subprocess.run([str(binary), "debug", "model", str(source.relative_to(ROOT)), "--format", "json"],
                             cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    return json.loads(process.stdout)


@pytest.mark.parametrize("source", pipelines(), ids=lambda p: p.stem)
def test_every_example_reads_and_unknown_fields_are_ignored(source, binary):
    document = model_json(binary, source)
    plain = model.from_json(document)
    assert plain.deploys, f"{source.name}: no deploy read"

    # Every record gains a field the reader does not know: the view must not
    # change. (A literal handoff's object is keyed by handoff keys, not fields.)
    grown = copy.deepcopy(document)

    def grow(value, record=True):
        if isinstance(value, dict):
            literal = value.get("kind") == "literal" and isinstance(value.get("value"), dict)
            for key, child in list(value.items()):
                grow(child, record=not (literal and key == "value"))
            if record:
                value["added_by_a_later_version"] = {"kind": "unknown", "value": [1, 2]}
        elif isinstance(value, list):
            for child in value:
                grow(child)

    grow(grown["pipelines"])
    assert model.from_json(grown) == plain


def test_a_literal_network_line_reads_as_its_ids(binary):
    """worker.ecspipe writes its subnets and one of its groups on the
    `network` line (the reader used to crash on such a list)."""
    worker = model.from_json(model_json(binary, ROOT / "pipelines/worker.ecspipe"))
    service = worker.deploys[0].service
    assert service.subnets == [model.Ref("text", "subnet-0a1b2c3d4e5f60718"),
                               model.Ref("text", "subnet-0f1e2d3c4b5a69788")]
    assert service.security_groups == [model.Ref("infra", "security_group_id"),
                                       model.Ref("text", "sg-0fedcba9876543210")]
    assert (service.cpu, service.memory, service.count, service.arch) == (512, 1024, 3, "ARM64")
    assert worker.deploys[0].handoff == "literal"
    assert worker.deploys[0].literal["security_group_id"] == "sg-0123456789abcdef0"


def test_environments_and_their_overrides_come_from_the_compiler(binary):
    """environments.ecspipe: one infrastructure and one service stack per
    environment, each named after it, with the environment's overrides."""
    payments = model.from_json(model_json(binary, ROOT / "pipelines/environments.ecspipe"))
    assert payments.github_environments == ["dev", "staging", "prod"]
    assert [d.environment for d in payments.deploys] == ["dev", "staging", "prod"]
    assert [d.service.name for d in payments.deploys] == ["payments-api-dev", "payments-api-staging",
                                                          "payments-api-prod"]
    assert [i.name for i in payments.infras] == ["payments-dev", "payments-staging", "payments-prod"]
    assert payments.infras[0].repositories == ["payments-api"] and not payments.infras[1].repositories
    assert [i.vpc for i in payments.infras] == ["10.40.0.0/24", "10.41.0.0/24", "10.42.0.0/23"]
    prod = payments.deploys[2].service
    assert (prod.cpu, prod.memory, prod.count, prod.scale.low, prod.scale.high) == (2048, 4096, 3, 3, 12)


def test_a_newer_document_version_is_refused(binary):
    document = model_json(binary, ROOT / "pipelines/worker.ecspipe")
    document["version"] = model.VERSION + 1
    with pytest.raises(AssertionError, match="version"):
        model.from_json(document)
