"""What a stack needs in moto that no stack of its pipeline creates.

- A service stack that reads an SSM handoff written elsewhere (`infra ssm
  "/orders/output"` without an `infra { }` block) gets a complete
  infrastructure made here with boto3: VPC, two private subnets, the tasks'
  security group, cluster, log group, KMS key, a secret, load balancer,
  target group and listener, the alarms the deployment names, and the SSM
  parameter holding one value for every handoff key the compiler's model
  document lists (`handoff_keys`).
- A service stack with literal IDs (`infra { subnet_ids [...] ... }`) gets the
  resources those IDs name; moto cannot create a subnet or security group
  under a chosen ID, so the stack's `locals { infra = ... }` is overridden
  with the IDs moto returned (locals override value by value). IDs moto
  reproduces exactly (a cluster ARN in the default account, a log group name)
  are kept as written.
- A service whose `network` line writes subnet or security group IDs gets
  a subnet or group in moto for each of them, and the service's
  `network_configuration` is overridden with the generated block, each
  literal ID replaced by its stand-in (moto validates both on
  CreateService); the generated block is first checked to hold the
  pipeline's IDs, and the checks expect the stand-ins in AWS.
- An infrastructure stack whose listener names an ACM certificate gets a
  certificate requested in moto, and its listener's `certificate_arn` is
  overridden with it (moto cannot import a certificate under a given ARN);
  a load balancer that writes access logs gets its bucket, which the
  pipeline says must exist.
- A load balancer with a `domain` gets its hosted zone, which the pipeline
  says exists and the stack only reads: a public zone of the name given, or,
  for a zone given by id (moto cannot create a zone under a chosen id), a
  zone of the domain's parent name, and the stack's `data
  "aws_route53_zone" "domain"` overridden with moto's id.
"""

from __future__ import annotations

import json
import re

import harness
import model as model_reader



class Made:
    """Resources made for one stack, by key of the handoff."""

    def __init__(self, stack: harness.Stack, region: str):
        self.stack = stack
        self.region = region
        self.client = lambda service: stack.account.client(service, region)
        self.values: dict[str, object] = {}

    def network(self, subnets: int, cidr: str = "10.99.0.0/24") -> None:
        ec2 = self.client("ec2")
        vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
        zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]]
        ids = []
        for index in range(subnets):
            block = f"{cidr.rsplit('.', 1)[0]}.{index * 32}/27"
            ids.append(ec2.create_subnet(VpcId=vpc, CidrBlock=block,
                                         AvailabilityZone=zones[index % len(zones)])["Subnet"]["SubnetId"])
        group = ec2.create_security_group(GroupName="e2e-tasks", Description="tasks", VpcId=vpc)["GroupId"]
        table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        for subnet in ids:
            ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
        self.vpc = vpc
        self.values.update(subnet_ids=ids, security_group_id=group, vpc_id=vpc, private_route_table_ids=[table])

    def cluster(self, name: str) -> None:
        """A cluster as the book asks of one ecspipe does not create: both
        Fargate capacity providers associated, so that `capacity` may use them."""
        ecs = self.client("ecs")
        self.values["cluster_id"] = ecs.create_cluster(clusterName=name)["cluster"]["clusterArn"]
        ecs.put_cluster_capacity_providers(cluster=name, capacityProviders=["FARGATE", "FARGATE_SPOT"],
                                           defaultCapacityProviderStrategy=[])

    def log_group(self, name: str) -> None:
        self.client("logs").create_log_group(logGroupName=name)
        self.values["cloud_watch_log_group_name"] = name

    def key_and_secret(self, name: str) -> None:
        key = self.client("kms").create_key(Description="e2e")["KeyMetadata"]["Arn"]
        secret = self.client("secretsmanager").create_secret(
            Name=name, KmsKeyId=key, SecretString=json.dumps({"username": "e2e", "password": "e2e"}))["ARN"]
        self.values.update(kms_arn=key, secret_arn=secret)

    def load_balancer(self, name: str, port: int) -> None:
        elb = self.client("elbv2")
        lb = elb.create_load_balancer(Name=name, Subnets=self.values["subnet_ids"], Scheme="internal",
                                      Type="application")["LoadBalancers"][0]["LoadBalancerArn"]
        tg = elb.create_target_group(Name=name, Protocol="HTTP", Port=port, VpcId=self.vpc,
                                     TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
        listener = elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80,
                                       DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
        # The second target group and the test listener of blue/green
        # deployments (`test_listen`).
        test_tg = elb.create_target_group(Name=f"{name[:27]}-test", Protocol="HTTP", Port=port, VpcId=self.vpc,
                                          TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
        test_listener = elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=8443,
                                            DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
        self.values.update(
            aws_lb_listener=listener["Listeners"][0]["ListenerArn"],
            aws_lb_target_group=tg,
            load_balancer_arn_suffix=lb.split(":loadbalancer/", 1)[1],
            target_group_arn_suffix=tg.split(":", 5)[5],
            aws_lb_test_listener=test_listener["Listeners"][0]["ListenerArn"],
            target_group_name=name,
            test_target_group_name=f"{name[:27]}-test",
        )


    def file_system(self, name: str) -> None:
        """An EFS file system, as `file_system` in an infra block makes."""
        efs = self.client("efs")
        self.values["file_system_id"] = efs.create_file_system(CreationToken=name, Encrypted=True)["FileSystemId"]

    def namespace(self, name: str) -> None:
        """A Service Connect namespace, as `cluster service_connect on` makes."""
        discovery = self.client("servicediscovery")
        discovery.create_http_namespace(Name=name)
        found = discovery.list_namespaces()["Namespaces"]
        self.values.update(service_connect_namespace=next(n["Arn"] for n in found if n["Name"] == name))


def ssm_parameter_read(stack: harness.Stack) -> str | None:
    """The name of the SSM parameter a service stack reads its handoff from."""
    match = re.search(r'data "aws_ssm_parameter" "\w+" \{\s*name\s*=\s*"([^"]+)"',
                      (stack.directory / "main.tf").read_text())
    return match.group(1) if match else None


def ssm_handoff(stack: harness.Stack, deploy: model_reader.Deploy, pipeline: model_reader.Pipeline,
                checks) -> dict:
    made = Made(stack, pipeline.region)
    made.network(2)
    made.cluster(f"{pipeline.name}-e2e")
    made.log_group(f"/ecs/{pipeline.name}-e2e")
    made.key_and_secret(f"{pipeline.name}-e2e/secret")
    port = deploy.service.load_balancer[2] if deploy.service.load_balancer else 80
    made.load_balancer(f"{pipeline.name}-e2e"[:32], port)
    made.namespace(f"{pipeline.name}-e2e")
    made.file_system(f"{pipeline.name}-e2e")
    for alarm in deploy.service.alarms:
        made.client("cloudwatch").put_metric_alarm(
            AlarmName=alarm, MetricName="HTTPCode_Target_5XX_Count", Namespace="AWS/ApplicationELB",
            Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold")
    handoff = {}
    for key in pipeline.handoff_keys:
        assert key in made.values, f"the handoff key `{key}` is new: teach tests/e2e/prerequisites.py to make it"
        handoff[key] = made.values[key]
    parameter = ssm_parameter_read(stack)
    if deploy.environment is None:
        checks.equal(f"{stack.name}: the SSM parameter the stack reads", parameter, deploy.handoff_ssm)
    made.client("ssm").put_parameter(Name=parameter, Type="SecureString", KeyId=made.values["kms_arn"],
                                     Value=json.dumps(handoff))
    checks.note(f"{stack.name}: the SSM handoff {parameter} and what it names were made with boto3 "
                f"(no stack of this pipeline writes it)")
    return made.values


def literal_handoff(stack: harness.Stack, deploy: model_reader.Deploy, pipeline: model_reader.Pipeline,
                    checks) -> tuple[dict, str]:
    literal = deploy.literal
    made = Made(stack, pipeline.region)
    if {"subnet_ids", "security_group_id", "vpc_id", "private_route_table_ids"} & set(literal):
        made.network(len(literal.get("subnet_ids", [])) or 2)
    if "cluster_id" in literal:
        arn = literal["cluster_id"]
        made.cluster(arn.rsplit("/", 1)[-1])
        checks.check(f"{stack.name}: moto's cluster has the pipeline's literal ARN", made.values["cluster_id"] == arn,
                     f"{made.values['cluster_id']} != {arn}")
    if "cloud_watch_log_group_name" in literal:
        made.log_group(literal["cloud_watch_log_group_name"])
    if "secret_arn" in literal or "kms_arn" in literal:
        made.key_and_secret(f"{pipeline.name}-e2e/secret")
    if {"aws_lb_target_group", "load_balancer_arn_suffix", "target_group_arn_suffix"} & set(literal):
        port = deploy.service.load_balancer[2] if deploy.service.load_balancer else 80
        made.load_balancer(f"{pipeline.name}-e2e"[:32], port)
    values = {}
    for key in literal:
        assert key in made.values, f"literal infra key `{key}`: teach tests/e2e/prerequisites.py to make it"
        values[key] = made.values[key]
    # The generated stack must hold the pipeline's literal values.
    main = (stack.directory / "main.tf").read_text()
    for key, value in literal.items():
        expected = harness.hcl(value)
        checks.check(f"{stack.name}: generated locals.infra.{key} is the pipeline's literal value",
                     re.search(rf"^\s*{key}\s*=\s*{re.escape(expected)}\s*$", main, re.M) is not None,
                     f"{key} = {expected} not found in main.tf")
    override = "locals {\n  infra = " + harness.hcl(values) + "\n}\n"
    replaced = sorted(k for k in literal if values[k] != literal[k])
    checks.workaround(f"locals.infra overridden with moto's IDs for {', '.join(replaced)} (moto cannot create "
                      "resources under chosen IDs; the generated literals are checked instead)", stack.name)
    return values, override


def literal_network(stack: harness.Stack, service: model_reader.Service, region: str,
                    checks) -> tuple[dict[str, str], str | None]:
    """Stand-ins for the IDs written on a service's `network` line: (literal
    ID -> moto's ID, the override file's text), or ({}, None) without any."""
    written = {kind: [ref.value for ref in refs if ref.kind == "text"] if isinstance(refs, list) else []
               for kind, refs in (("subnets", service.subnets), ("security_groups", service.security_groups))}
    if not any(written.values()):
        return {}, None
    text = (stack.directory / "ecs.tf").read_text()
    match = re.search(r'resource "aws_ecs_service" "(\w+)" \{.*?\n  network_configuration \{\n(.*?)\n  \}', text, re.S)
    assert match, f"{stack.name}: no network_configuration in the service's ecs.tf"
    resource, body = match.groups()
    for kind, ids in written.items():
        if not ids:
            continue
        line = re.search(rf"^\s*{kind}\s*=\s*(\[.*\])\s*$", body, re.M)
        quoted = re.findall(r'"([^"]*)"', line.group(1)) if line else []
        checks.check(f"{stack.name}: generated network_configuration {kind} hold the pipeline's literal IDs",
                     quoted == ids, f"{kind} line {line and line.group(1)}, expected the strings {ids}")
    made = Made(stack, region)
    made.network(max(1, len(written["subnets"])), cidr="10.98.0.0/24")
    stand_ins = dict(zip(written["subnets"], made.values["subnet_ids"]))
    ec2 = made.client("ec2")
    for index, literal in enumerate(written["security_groups"]):
        stand_ins[literal] = ec2.create_security_group(GroupName=f"e2e-literal-{index}", Description=literal,
                                                       VpcId=made.vpc)["GroupId"]
    for literal, moto_id in stand_ins.items():
        body = body.replace(f'"{literal}"', harness.hcl_string(moto_id))
    checks.workaround("the service's network_configuration is overridden with stand-ins moto made for the IDs "
                      "the pipeline writes on its `network` line (moto validates them and cannot create "
                      "resources under chosen IDs; the generated IDs are checked instead)", stack.name)
    return stand_ins, f'resource "aws_ecs_service" "{resource}" {{\n  network_configuration {{\n{body}\n  }}\n}}\n'


def certificate_overrides(stack: harness.Stack, infra: model_reader.Infra, checks) -> list[str]:
    overrides = []
    text = "".join(p.read_text() for p in sorted(stack.directory.glob("*.tf")) if not p.name.endswith("_override.tf"))
    for name, body in re.findall(r'resource "aws_lb_listener" "(\w+)" \{(.*?)\n\}', text, re.S):
        match = re.search(r'certificate_arn\s*=\s*"([^"]+)"', body)
        if not match:
            continue
        checks.check(f"{stack.name}: listener {name} names the pipeline's certificate",
                     infra.load_balancer is not None and match.group(1) == infra.load_balancer.certificate,
                     f"{match.group(1)} != {infra.load_balancer and infra.load_balancer.certificate}")
        acm = stack.account.client("acm", infra.region)
        arn = acm.request_certificate(DomainName="e2e.example.com")["CertificateArn"]
        overrides.append(f'resource "aws_lb_listener" "{name}" {{\n  certificate_arn = {harness.hcl_string(arn)}\n}}\n')
        checks.workaround(f"aws_lb_listener.{name} uses a certificate requested in moto "
                          f"(moto cannot import one under the pipeline's ARN)", stack.name)
        stack.certificate = arn  # type: ignore[attr-defined]
    return overrides


def infra_prerequisites(stack: harness.Stack, infra: model_reader.Infra, checks) -> None:
    domain = infra.load_balancer.domain if infra.load_balancer is not None else None
    if domain is not None:
        route53 = stack.account.client("route53", infra.region)
        zone_name = domain.zone_name or domain.name.split(".", 1)[1]
        zone = route53.create_hosted_zone(Name=zone_name, CallerReference=f"e2e-{stack.name}")["HostedZone"]
        checks.note(f"{stack.name}: the hosted zone {zone_name} exists before the apply (the pipeline names "
                    f"a zone the stack does not own)")
        if domain.zone_id is not None:
            moto_id = zone["Id"].split("/")[-1]
            stack.extra_override.append(
                f'data "aws_route53_zone" "domain" {{\n  zone_id = {harness.hcl_string(moto_id)}\n}}\n')
            checks.workaround("the domain's hosted zone is read by the id moto gave it (moto cannot create "
                              "a zone under the pipeline's id)", stack.name)
    if infra.load_balancer is not None and infra.load_balancer.access_logs:
        s3 = stack.account.client("s3", infra.region)
        bucket = infra.load_balancer.access_logs
        try:
            if infra.region == "us-east-1":
                s3.create_bucket(Bucket=bucket)
            else:
                s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": infra.region})
        except s3.exceptions.BucketAlreadyOwnedByYou:
            pass
        checks.note(f"{stack.name}: the access-log bucket {bucket} exists before the apply (the pipeline "
                    f"names an existing bucket)")
