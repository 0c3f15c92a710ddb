"""The replay of the build jobs: with the stand-in `docker`, the workflow's
own scripts must read the digest `docker push` reports, join a
multi-platform build's images by their digests, and output the image by
the digest deploys run; a push that reports no digest must fail the job.
No moto, no Terraform: this runs in a second."""

from __future__ import annotations

import hashlib
import subprocess

import pytest

import workflow
from conftest import ROOT

REGISTRY = "123456789012.dkr.ecr.us-east-2.amazonaws.com"


def digest(reference: str) -> str:
    return "sha256:" + hashlib.sha256(reference.encode()).hexdigest()


def build_outputs(binary, tmp_path, text: str) -> tuple[workflow.Workflow, dict[str, dict[str, str]], str]:
    source = tmp_path / "p.ecspipe"
    source.write_text(text)
    subprocess.run([str(binary), "build", str(source), "--out", str(tmp_path / "out")], check=True,
                   capture_output=True, timeout=60)
    flow = workflow.load(next((tmp_path / "out/.github/workflows").glob("*.yml")))
    log = tmp_path / "docker.log"
    log.write_text("")
    needs: dict[str, dict[str, str]] = {}
    for job in flow.jobs.values():
        if not job.is_build:
            continue
        context = workflow.Context(lambda e: "", {**flow.env, **job.env}, needs, {})
        needs[job.id] = workflow.run_build(flow, job, context,
                                           {"aws-actions/amazon-ecr-login": {"registry": REGISTRY}}, log)
    return flow, needs, log.read_text()


def environments(platform_in_prod: bool) -> str:
    text = (ROOT / "pipelines/environments.ecspipe").read_text()
    return text.replace("scale 3..12", "platform x86_64  scale 3..12") if platform_in_prod else text


def test_one_platform_outputs_the_digest_docker_push_reported(binary, tmp_path):
    flow, needs, log = build_outputs(binary, tmp_path, environments(False))
    tag = f"{REGISTRY}/payments-api:0123456-42"
    assert list(needs) == ["build"]
    assert needs["build"] == {"digest": digest(tag), "image-id": f"{REGISTRY}/payments-api@{digest(tag)}"}
    assert log == f"{tag} {digest(tag)}\n"
    # Every environment's deploy job runs that image.
    deploys = [job for job in flow.jobs.values() if job.is_terraform and job.id.startswith("deploy")]
    assert len(deploys) == 3
    for job in deploys:
        assert workflow.Context(lambda e: "", {}, needs, {}).resolve(job.env["IMAGE_ID"]) == needs["build"]["image-id"]


def test_several_platforms_are_joined_and_the_index_digest_is_deployed(binary, tmp_path):
    _, needs, log = build_outputs(binary, tmp_path, environments(True))
    assert list(needs) == ["build-amd64", "build-arm64", "build"]
    tag = f"{REGISTRY}/payments-api:0123456-42"
    for arch in ("amd64", "arm64"):
        assert needs[f"build-{arch}"]["digest"] == digest(f"{tag}-{arch}")
    assert needs["build"] == {"digest": digest(tag), "image-id": f"{REGISTRY}/payments-api@{digest(tag)}"}
    assert log.splitlines()[-1] == f"{tag} {digest(tag)}"


def test_a_push_without_a_digest_fails_the_job(binary, tmp_path, monkeypatch):
    monkeypatch.setattr(workflow, "FAKE_DOCKER", workflow.FAKE_DOCKER.replace('digest: $d size', 'size'))
    with pytest.raises(subprocess.CalledProcessError):
        build_outputs(binary, tmp_path, environments(False))
