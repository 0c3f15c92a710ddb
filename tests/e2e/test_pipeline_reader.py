"""The oracle's own tests: the suite's reader of `.ecspipe` files must split
statements and apply defaults the way the language reference says, or every
end-to-end comparison would be against the wrong expectation."""

from __future__ import annotations

from pathlib import Path

import pytest

import pipeline
from conftest import pipelines


def read_text(tmp_path: Path, text: str) -> pipeline.Pipeline:
    path = tmp_path / "p.ecspipe"
    path.write_text(text)
    return pipeline.read(path)


def test_short_settings_share_a_line_and_options_stay_with_their_statement(tmp_path):
    p = read_text(tmp_path, """
pipeline demo {
  region us-east-2
  role   secret.ROLE
  build web { repository demo-web }
  deploy web {
    state s3 bucket "b" key "k"
    infra ssm "/demo/output"
    service demo {
      cpu 1024  memory 3gb  count 2
      scale 2..6 cpu 60% requests 500 cooldown_in 120s
      deployment minimum 50% grace 45s alarms ["a", "b"]
      container web {
        port   8080 http
        health "curl -f http://localhost:8080/ || exit 1" every 20s retries 4 timeout 3s grace 15s
        env    AWS_REGION = region
        env    MODE = "fast"; env LEVEL = 3
        secret DB = infra.secret_arn key "url"
        secret KEY = ssm "/demo/key"
      }
      load_balancer infra.aws_lb_target_group
    }
  }
}
""")
    service = p.deploys[0].service
    assert (service.cpu, service.memory, service.count) == (1024, 3072, 2)
    assert (service.scale.low, service.scale.high, service.scale.cpu, service.scale.requests) == (2, 6, 60, 500)
    assert (service.scale.cooldown_in, service.scale.cooldown_out) == (120, 60)
    assert (service.minimum_percent, service.maximum_percent, service.grace) == (50, 200, 45)
    assert service.alarms == ["a", "b"]
    container = service.containers[0]
    assert container.image == pipeline.Ref("build", "web")
    assert (container.port, container.app_protocol) == (8080, "http")
    assert (container.health.interval, container.health.retries, container.health.timeout,
            container.health.start_period) == (20, 4, 3, 15)
    assert container.env == {"AWS_REGION": pipeline.Ref("region", ""), "MODE": pipeline.Ref("text", "fast"),
                             "LEVEL": pipeline.Ref("text", "3")}
    assert container.secrets == {"DB": ("infra", "secret_arn", "url"), "KEY": ("ssm", "/demo/key")}
    assert service.load_balancer == (pipeline.Ref("infra", "aws_lb_target_group"), "web", 8080)
    assert p.deploys[0].handoff == "ssm" and p.deploys[0].handoff_ssm == "/demo/output"


def test_defaults_follow_the_language_reference(tmp_path):
    p = read_text(tmp_path, """
pipeline demo {
  region eu-west-1
  role   secret.ROLE
  build app { repository demo }
  infra { state s3 bucket "b" key "i" load_balancer internal port 9000 }
  deploy app {
    state s3 bucket "b" key "k"
    service demo {
      scale 3..9 memory 70%
      container app { port 9000; health "true" }
    }
  }
}
""")
    service = p.deploys[0].service
    assert (service.cpu, service.memory, service.count, service.arch) == (256, 512, 3, "X86_64")
    assert (service.minimum_percent, service.maximum_percent, service.rollback, service.exec) == (100, 200, True, False)
    health = service.containers[0].health
    assert (health.interval, health.retries, health.timeout, health.start_period) == (30, 3, 5, 0)
    assert service.containers[0].readonly and service.containers[0].essential
    infra = p.infras[0]
    assert (infra.stack, infra.name, infra.vpc, infra.zones) == ("infra", "demo", "10.0.0.0/24",
                                                                  ["eu-west-1a", "eu-west-1b"])
    assert infra.load_balancer.listen == 80 and infra.load_balancer.health == "/"
    assert not infra.load_balancer.public and infra.repositories == ["demo"]
    assert p.deploys[0].handoff == "state" and p.deploys[0].stack == "deploy"


def test_environments_override_and_rename(tmp_path):
    p = read_text(tmp_path, """
pipeline pay {
  region us-east-2
  role   secret.ROLE
  infra { stack pay/infra  state s3 bucket "b" key "i"  vpc 10.40.0.0/24 }
  environments {
    dev  { count 1 }
    prod { after dev  vpc 10.42.0.0/23 zones [us-east-2a, us-east-2b, us-east-2c]  cpu 2048 memory 4gb }
  }
  build api { repository pay-api }
  deploy api {
    stack pay/deploy
    state s3 bucket "b" key "k"
    service pay-api { cpu 512 memory 1gb count 2; container api { port 8080 } }
  }
}
""")
    assert [i.name for i in p.infras] == ["pay-dev", "pay-prod"]
    assert [i.vpc for i in p.infras] == ["10.40.0.0/24", "10.42.0.0/23"]
    assert p.infras[0].repositories == ["pay-api"] and p.infras[1].repositories == []
    dev, prod = p.deploys
    assert (dev.stack, dev.service.name, dev.service.count, dev.service.cpu) == ("pay/deploy/dev", "pay-api-dev", 1, 512)
    assert (prod.service.name, prod.service.count, prod.service.cpu, prod.service.memory) == ("pay-api-prod", 2, 2048,
                                                                                              4096)


@pytest.mark.parametrize("source", pipelines(), ids=lambda p: p.stem)
def test_every_example_reads(source):
    p = pipeline.read(source)
    assert p.deploys, f"{source.name}: no deploy read"
    for deploy in p.deploys:
        assert deploy.service.containers, f"{source.name}: {deploy.service.name} has no container"
        for container in deploy.service.containers:
            assert container.image is not None, f"{source.name}: {container.name} has no image"
