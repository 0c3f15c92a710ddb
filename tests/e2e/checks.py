"""The checks: what AWS (moto) holds after the applies, read back with boto3,
against what the pipeline says: the compiler's model of it (model.py reads
`ecspipe debug model --format json`).

`Checks` records every check with its outcome; a skip always carries its
reason. `Verifier` runs them for one example.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any

import edge_checks
import volumes
from queues import backlog_policy, expected_backlog, expected_grants, queue_path, read_queue


@dataclass
class Checks:
    example: str
    passed: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)
    skips: list[str] = field(default_factory=list)
    workarounds: list[str] = field(default_factory=list)
    workaround_kinds: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def check(self, name: str, ok: bool, detail: Any = "") -> bool:
        with self.lock:
            if ok:
                self.passed += 1
            else:
                self.failed += 1
                self.failures.append(f"{name}: {detail}")
        return ok

    def equal(self, name: str, actual: Any, expected: Any) -> bool:
        return self.check(name, actual == expected, f"AWS has {actual!r}, expected {expected!r}")

    def skip(self, reason: str) -> None:
        with self.lock:
            if reason not in self.skips:
                self.skips.append(reason)

    def workaround(self, text: str, stack: str | None = None) -> None:
        """A moto limitation worked around; `text` says which and how."""
        with self.lock:
            self.workarounds.append(f"{stack}: {text}" if stack else text)
            self.workaround_kinds.add(text)

    def note(self, text: str) -> None:
        with self.lock:
            self.notes.append(text)


def policy(document: Any) -> dict:
    """An IAM policy document as a dict (moto returns it decoded or as text)."""
    if isinstance(document, str):
        from urllib.parse import unquote

        try:
            return json.loads(document)
        except json.JSONDecodeError:
            return json.loads(unquote(document))
    return document


def as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def statements(document: Any) -> dict[str, dict]:
    return {s.get("Sid", f"#{i}"): s for i, s in enumerate(as_list(policy(document).get("Statement")))}


DEPENDS = {"started": "START", "healthy": "HEALTHY", "complete": "COMPLETE", "success": "SUCCESS"}
EXECUTION_MANAGED = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
ECS_EXEC = {"ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
            "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"}


def permissions(documents: list[Any]) -> dict[str, set[str]]:
    """Action -> resources, over every Allow statement of `documents`."""
    found: dict[str, set[str]] = {}
    for document in documents:
        for statement in statements(document).values():
            if statement.get("Effect") != "Allow":
                continue
            for action in as_list(statement.get("Action")):
                found.setdefault(action, set()).update(as_list(statement.get("Resource")))
    return found


class Verifier:
    """Reads back one example's resources and checks them against its pipeline."""

    def __init__(self, example):
        self.example = example
        self.pipeline = example.pipeline
        self.checks: Checks = example.checks
        self.region = example.pipeline.region
        self.from_state: set[str] = set()
        self.volume_arns: dict[str, str] = {}

    def client(self, stack, service: str):
        return stack.account.client(service, self.region)

    def run(self) -> None:
        example = self.example
        for job_id in sorted(example.applied):
            stack = example.stacks[job_id]
            spec = example.spec[job_id]
            try:
                if stack.kind == "bootstrap":
                    self.bootstrap(stack, spec)
                elif stack.kind == "infra":
                    self.infra(stack, spec)
                else:
                    self.service(stack, spec)
            except Exception as error:  # noqa: BLE001 - a crash in one stack's checks is one failure
                import traceback

                self.checks.check(f"{job_id}: reading the stack back", False, traceback.format_exc(limit=4))
        if self.from_state:
            self.checks.skip(f"ECS service {', '.join(sorted(self.from_state))}: not read from AWS (moto's "
                             "CreateService keeps none); compared in Terraform's state")
        if not any(stack.kind == "infra" for stack in example.stacks.values()):
            self.checks.skip("ECR, VPC, cluster, load balancer: the pipeline has no infra block; "
                             "its service stacks use infrastructure made by the test")

    # ------------------------------------------------------------------
    def infra(self, stack, infra) -> None:
        name = stack.name
        check, equal = self.checks.check, self.checks.equal
        outputs = stack.outputs()
        ec2 = self.client(stack, "ec2")

        vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [infra.name]}])["Vpcs"]
        if not check(f"{name}: one VPC named {infra.name}", len(vpcs) == 1, f"found {len(vpcs)}"):
            return
        vpc = vpcs[0]
        vpc_id = vpc["VpcId"]
        equal(f"{name}: VPC CIDR", vpc["CidrBlock"], infra.vpc)
        for attribute, key in (("enableDnsSupport", "EnableDnsSupport"), ("enableDnsHostnames", "EnableDnsHostnames")):
            value = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=attribute)[key]["Value"]
            equal(f"{name}: VPC {attribute}", value, True)

        subnets = {s["SubnetId"]: s for s in
                   ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]}
        private = outputs.get("subnet_ids", [])
        public = [s for s in subnets if s not in private]
        equal(f"{name}: private subnets, one per zone", sorted(subnets[s]["AvailabilityZone"] for s in private
                                                                 if s in subnets), sorted(infra.zones))
        equal(f"{name}: public subnets, one per zone", sorted(subnets[s]["AvailabilityZone"] for s in public),
              sorted(infra.zones))
        check(f"{name}: no subnet maps public IPs on launch",
              not any(s.get("MapPublicIpOnLaunch") for s in subnets.values()), "MapPublicIpOnLaunch set")
        if self.pipeline.oidc is not None:
            self.boundary(stack, f"{infra.name}-flow-logs")
        tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]

        def routes_of(subnet: str) -> list[dict]:
            for table in tables:
                if any(a.get("SubnetId") == subnet for a in table.get("Associations", [])):
                    return table["Routes"]
            return []

        self.nat(stack, infra, ec2, vpc_id, tables, outputs, private, public)
        check(f"{name}: public subnets route to an internet gateway",
              all(any(r.get("DestinationCidrBlock") == "0.0.0.0/0" and str(r.get("GatewayId", "")).startswith("igw-")
                      for r in routes_of(s)) for s in public), "a public subnet lacks the internet route")

        endpoints = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["VpcEndpoints"]
        found = sorted((e["ServiceName"], e["VpcEndpointType"]) for e in endpoints)
        expected = sorted((f"com.amazonaws.{self.region}.{e}", "Gateway" if e == "s3" else "Interface")
                          for e in infra.endpoints)
        equal(f"{name}: VPC endpoints", found, expected)
        check(f"{name}: interface endpoints sit in the private subnets with private DNS",
              all(set(e.get("SubnetIds", [])) == set(private) and e.get("PrivateDnsEnabled")
                  for e in endpoints if e["VpcEndpointType"] == "Interface"), "subnets or private DNS differ")

        groups = {g["GroupId"]: g for g in
                  ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]}
        tasks_group = outputs.get("security_group_id")
        check(f"{name}: the handoff's security group is in the VPC", tasks_group in groups, tasks_group)
        if tasks_group in groups:
            expected = {("tcp", 443, 443, "cidr", infra.vpc)} | expected_rules(infra.egress)
            if infra.file_system is not None:
                efs_group = next((g for g, d in groups.items() if d["GroupName"] == f"{infra.name}-efs"), None)
                expected.add(("tcp", 2049, 2049, "security_group", efs_group))
            found = rules_of(groups[tasks_group])
            if "s3" in infra.endpoints:
                s3 = {r for r in found if r[:4] == ("tcp", 443, 443, "prefix_list")}
                check(f"{name}: the tasks' group reaches S3 through the gateway's prefix list", len(s3) >= 1, found)
                expected |= s3
            equal(f"{name}: the tasks' group's egress rules (443 to the VPC, NFS to the file system, the pipeline's)",
                  sorted(found), sorted(expected))
        equal(f"{name}: the handoff's vpc_id is the VPC", outputs.get("vpc_id"), vpc_id)
        default = next((g for g in groups.values() if g["GroupName"] == "default"), None)
        check(f"{name}: the default security group is emptied",
              default is not None and not default["IpPermissions"] and not default["IpPermissionsEgress"],
              default and (default["IpPermissions"], default["IpPermissionsEgress"]))

        ecs = self.client(stack, "ecs")
        clusters = ecs.describe_clusters(clusters=[outputs.get("cluster_id", "-")],
                                         include=["SETTINGS", "CONFIGURATIONS"])["clusters"]
        if check(f"{name}: the handoff's cluster exists", len(clusters) == 1, outputs.get("cluster_id")):
            cluster = clusters[0]
            equal(f"{name}: cluster name", cluster["clusterName"], infra.name)
            insights = {s["name"]: s["value"] for s in cluster.get("settings", [])}.get("containerInsights")
            equal(f"{name}: Container Insights", insights, "enabled" if infra.insights else "disabled")
            equal(f"{name}: the cluster's capacity providers", sorted(cluster.get("capacityProviders") or []),
                  ["FARGATE", "FARGATE_SPOT"])
            equal(f"{name}: the cluster's default strategy is on-demand Fargate",
                  [(c["capacityProvider"], c.get("weight")) for c in
                   cluster.get("defaultCapacityProviderStrategy") or []], [("FARGATE", 1)])
            self.service_connect(stack, infra, cluster)

        kms = self.client(stack, "kms")
        key = outputs.get("kms_arn", "-")
        metadata = kms.describe_key(KeyId=key)["KeyMetadata"]
        equal(f"{name}: the KMS key is enabled", metadata["KeyState"], "Enabled")
        equal(f"{name}: the KMS key rotates", kms.get_key_rotation_status(KeyId=key)["KeyRotationEnabled"], True)
        if infra.file_system is not None:
            volumes.file_system(self.checks, self.client(stack, "efs"), ec2, name, infra, outputs, private,
                                tasks_group, key)

        logs = self.client(stack, "logs")
        group_name = outputs.get("cloud_watch_log_group_name", "-")
        log_groups = [g for g in logs.describe_log_groups(logGroupNamePrefix=group_name)["logGroups"]
                      if g["logGroupName"] == group_name]
        if check(f"{name}: the handoff's log group exists", len(log_groups) == 1, group_name):
            equal(f"{name}: log retention (days)", log_groups[0].get("retentionInDays"), infra.log_retention)
            equal(f"{name}: log group encrypted with the stack's key", log_groups[0].get("kmsKeyId"), key)

        if infra.secret is not None:
            secret_name, github_secret = infra.secret
            secrets = self.client(stack, "secretsmanager")
            described = secrets.describe_secret(SecretId=outputs.get("secret_arn", "-"))
            # An exact name (`secret ... name "..."`) is what an app that
            # reads the secret itself asks Secrets Manager for.
            equal(f"{name}: secret name", described["Name"], infra.secret_name)
            check(f"{name}: the secret is found by its name", secrets.describe_secret(
                SecretId=infra.secret_name)["ARN"] == described["ARN"], infra.secret_name)
            equal(f"{name}: secret encrypted with the stack's key", described.get("KmsKeyId"), key)
            value = secrets.get_secret_value(SecretId=described["ARN"])["SecretString"]
            from runner import secret_value

            equal(f"{name}: secret value is the workflow's TF_VAR from secrets.{github_secret}", value,
                  secret_value(github_secret))

        keys = self.pipeline.handoff_keys
        if infra.handoff_ssm:
            ssm = self.client(stack, "ssm")
            parameter = ssm.get_parameter(Name=infra.handoff_ssm, WithDecryption=True)["Parameter"]
            equal(f"{name}: handoff parameter {infra.handoff_ssm} is a SecureString", parameter["Type"],
                  "SecureString")
            handoff = json.loads(parameter["Value"])
            equal(f"{name}: handoff parameter holds every handoff key", sorted(handoff),
                  sorted(k for k in keys if k in handoff or k in outputs))
            check(f"{name}: handoff parameter values are the stack's outputs",
                  all(handoff[k] == outputs.get(k) for k in handoff), {k: (handoff[k], outputs.get(k))
                                                                      for k in handoff if handoff[k] != outputs.get(k)})
        missing = [k for k in keys if k not in outputs and not (k == "secret_arn" and infra.secret is None)
                   and not (k in ("aws_lb_target_group", "aws_lb_listener", "load_balancer_arn_suffix",
                                  "target_group_arn_suffix")
                            and infra.load_balancer is None)
                   and not (k == "service_connect_namespace" and not infra.service_connect)
                   and not (k == "file_system_id" and infra.file_system is None)
                   and not (k in ("aws_lb_test_listener", "target_group_name", "test_target_group_name")
                            and (infra.load_balancer is None or infra.load_balancer.test_port is None))]
        check(f"{name}: outputs every handoff key", not missing, f"missing {missing}")

        self.repositories(stack, infra, key)
        if infra.load_balancer is not None:
            self.load_balancer(stack, infra, vpc, outputs, groups, private, public)

    def nat(self, stack, infra, ec2, vpc_id: str, tables: list[dict], outputs: dict, private: list[str],
            public: list[str]) -> None:
        """The private subnets' way out: none, or 0.0.0.0/0 to a NAT gateway
        in a public subnet (with `per_zone`, the one in the subnet's zone)."""
        name = stack.name
        check, equal = self.checks.check, self.checks.equal
        table_of = {a["SubnetId"]: t for t in tables for a in t.get("Associations", []) if a.get("SubnetId")}
        private_tables = sorted({table_of[s]["RouteTableId"] for s in private if s in table_of})
        equal(f"{name}: the handoff's private_route_table_ids are the private subnets' tables",
              sorted(outputs.get("private_route_table_ids", [])), private_tables)
        equal(f"{name}: private route tables ({infra.nat} NAT)", len(private_tables),
              len(infra.zones) if infra.nat == "per_zone" else 1)
        gateways = [g for g in ec2.describe_nat_gateways(
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NatGateways"] if g.get("State") != "deleted"]

        def internet_route(subnet: str) -> dict | None:
            routes = table_of.get(subnet, {}).get("Routes", [])
            return next((r for r in routes if r.get("DestinationCidrBlock") == "0.0.0.0/0"), None)

        if infra.nat == "none":
            equal(f"{name}: no NAT gateway", len(gateways), 0)
            check(f"{name}: private subnets have no route to the internet",
                  all(internet_route(s) is None for s in private), "a private subnet routes 0.0.0.0/0")
            return
        equal(f"{name}: NAT gateways ({infra.nat})", len(gateways), len(infra.zones) if infra.nat == "per_zone" else 1)
        check(f"{name}: each NAT gateway sits in a public subnet with an Elastic IP",
              all(g["SubnetId"] in public and g.get("NatGatewayAddresses") and
                  g["NatGatewayAddresses"][0].get("AllocationId") for g in gateways), gateways)
        by_id = {g["NatGatewayId"]: g for g in gateways}
        subnets = {s["SubnetId"]: s for s in ec2.describe_subnets(SubnetIds=private + public)["Subnets"]}
        for subnet in private:
            route = internet_route(subnet) or {}
            gateway = by_id.get(route.get("NatGatewayId", ""))
            zone = subnets[subnet]["AvailabilityZone"]
            if not check(f"{name}: private subnet in {zone} routes 0.0.0.0/0 to a NAT gateway", gateway is not None,
                         route):
                continue
            if infra.nat == "per_zone":
                equal(f"{name}: private subnet in {zone} routes to the NAT gateway of its zone",
                      subnets[gateway["SubnetId"]]["AvailabilityZone"], zone)

    def service_connect(self, stack, infra, cluster: dict) -> None:
        """With `service_connect on`: an HTTP namespace named after the
        stack, the cluster's Service Connect default; without, neither."""
        name = stack.name
        discovery = self.client(stack, "servicediscovery")
        namespaces = [n for n in discovery.list_namespaces()["Namespaces"] if n["Name"] == infra.name]
        default = cluster.get("serviceConnectDefaults", {}).get("namespace")
        if not infra.service_connect:
            self.checks.equal(f"{name}: no Service Connect namespace", (namespaces, default), ([], None))
            return
        if self.checks.check(f"{name}: Service Connect namespace {infra.name} exists", len(namespaces) == 1,
                             namespaces):
            self.checks.equal(f"{name}: Service Connect namespace type", namespaces[0]["Type"], "HTTP")
            self.checks.equal(f"{name}: the cluster's Service Connect default is the namespace", default,
                              namespaces[0]["Arn"])

    def repositories(self, stack, infra, key: str) -> None:
        if not infra.repositories:
            self.checks.skip("ECR: the repositories are in the first environment's infrastructure stack")
            return
        ecr = self.client(stack, "ecr")
        found = {r["repositoryName"]: r for r in ecr.describe_repositories()["repositories"]}
        for repository in infra.repositories:
            name = f"{stack.name}: ECR {repository}"
            if not self.checks.check(f"{name} exists", repository in found, sorted(found)):
                continue
            r = found[repository]
            self.checks.equal(f"{name} tags are immutable", r["imageTagMutability"], "IMMUTABLE")
            self.checks.equal(f"{name} scans on push", r["imageScanningConfiguration"]["scanOnPush"], True)
            self.checks.equal(f"{name} is encrypted with the stack's key", r["encryptionConfiguration"],
                              {"encryptionType": "KMS", "kmsKey": key})
            self.lifecycle(ecr, name, repository)
            uri = self.example.images.get(repository)
            self.checks.check(f"{name} is where the workflow's build pushes",
                              uri is not None and uri.split("@")[0] == r["repositoryUri"],
                              f"build output {uri}, repository {r['repositoryUri']}")

    def lifecycle(self, ecr, name: str, repository: str) -> None:
        """The repository's lifecycle policy, read back: the images a deploy
        tagged `live-` first and never expired, then untagged images after the
        build's days, then the newest `keep`."""
        keep, untagged_days = self.pipeline.lifecycles[repository]
        policy_text = ecr.get_lifecycle_policy(repositoryName=repository)["lifecyclePolicyText"]
        rules = sorted(json.loads(policy_text)["rules"], key=lambda rule: rule["rulePriority"])
        selections = [(rule["rulePriority"], rule["selection"], rule["action"]["type"]) for rule in rules]
        self.checks.equal(f"{name} lifecycle policy (keep {keep}, untagged {untagged_days}d)", selections, [
            (1, {"tagStatus": "tagged", "tagPrefixList": ["live-"], "countType": "imageCountMoreThan",
                 "countNumber": 1000}, "expire"),
            (2, {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days",
                 "countNumber": untagged_days}, "expire"),
            (3, {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep}, "expire"),
        ])

    def load_balancer(self, stack, infra, vpc, outputs, groups, private, public) -> None:
        name = stack.name
        lb_spec = infra.load_balancer
        check, equal = self.checks.check, self.checks.equal
        elb = self.client(stack, "elbv2")
        target_group_arn = outputs.get("aws_lb_target_group", "-")
        target_group = elb.describe_target_groups(TargetGroupArns=[target_group_arn])["TargetGroups"][0]
        equal(f"{name}: target group port", target_group["Port"], lb_spec.port)
        equal(f"{name}: target group protocol", target_group["Protocol"], "HTTP")
        equal(f"{name}: target group target type", target_group["TargetType"], "ip")
        equal(f"{name}: target group VPC", target_group["VpcId"], vpc["VpcId"])
        equal(f"{name}: target group health check path", target_group.get("HealthCheckPath"), lb_spec.health)
        equal(f"{name}: target group health check protocol", target_group.get("HealthCheckProtocol"), "HTTP")
        equal(f"{name}: target group matcher", target_group.get("Matcher", {}).get("HttpCode"), lb_spec.matcher)
        equal(f"{name}: target group thresholds (healthy, unhealthy)",
              (target_group.get("HealthyThresholdCount"), target_group.get("UnhealthyThresholdCount")),
              (lb_spec.healthy, lb_spec.unhealthy))
        group_attributes = {a["Key"]: a["Value"] for a in elb.describe_target_group_attributes(
            TargetGroupArn=target_group_arn)["Attributes"]}
        equal(f"{name}: target group deregistration delay", group_attributes.get("deregistration_delay.timeout_seconds"),
              str(lb_spec.deregistration))
        equal(f"{name}: handoff target_group_arn_suffix", outputs.get("target_group_arn_suffix"),
              target_group_arn.split(":", 5)[5])

        balancers = elb.describe_load_balancers(Names=[infra.name])["LoadBalancers"]
        if not check(f"{name}: load balancer {infra.name} exists", len(balancers) == 1, balancers):
            return
        lb = balancers[0]
        equal(f"{name}: load balancer type", lb["Type"], "application")
        # moto leaves Scheme out when CreateLoadBalancer omits it (AWS's
        # default, internet-facing, is what the provider relies on).
        equal(f"{name}: load balancer scheme", lb.get("Scheme") or "internet-facing",
              "internet-facing" if lb_spec.public else "internal")
        equal(f"{name}: load balancer subnets ({'public' if lb_spec.public else 'private'})",
              sorted(z["SubnetId"] for z in lb["AvailabilityZones"]), sorted(public if lb_spec.public else private))
        equal(f"{name}: handoff load_balancer_arn_suffix", outputs.get("load_balancer_arn_suffix"),
              lb["LoadBalancerArn"].split(":loadbalancer/", 1)[1])
        attributes = {a["Key"]: a["Value"] for a in
                      elb.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])["Attributes"]}
        equal(f"{name}: load balancer deletion protection", attributes.get("deletion_protection.enabled"), "true")
        equal(f"{name}: load balancer drops invalid headers",
              attributes.get("routing.http.drop_invalid_header_fields.enabled"), "true")
        if lb_spec.access_logs:
            equal(f"{name}: access logs", (attributes.get("access_logs.s3.enabled"),
                                           attributes.get("access_logs.s3.bucket")), ("true", lb_spec.access_logs))

        listeners = {l["Port"]: l for l in elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]}
        forward = [{"Type": "forward", "TargetGroupArn": target_group_arn}]

        def actions(listener: dict) -> list[dict]:
            return [{k: v for k, v in a.items() if k in ("Type", "TargetGroupArn", "RedirectConfig")}
                    for a in listener["DefaultActions"]]

        if lb_spec.certificate or lb_spec.domain:
            ports = [443, lb_spec.listen] + ([lb_spec.test_port] if lb_spec.test_port else [])
            equal(f"{name}: listener ports", sorted(listeners), sorted(ports))
            https = listeners.get(443, {})
            equal(f"{name}: HTTPS listener protocol", https.get("Protocol"), "HTTPS")
            if lb_spec.domain:
                certificate = self.state_attributes(stack, "aws_acm_certificate", "domain").get("arn")
                edge_checks.check_domain(name, lambda service: self.client(stack, service), self.checks,
                                         lb_spec.domain, lb, https, certificate)
            else:
                equal(f"{name}: HTTPS listener certificate (moto's stand-in for the pipeline's)",
                      [c["CertificateArn"] for c in https.get("Certificates", [])],
                      [getattr(stack, "certificate", None)])
            check(f"{name}: HTTPS listener has a TLS 1.2+ policy",
                  str(https.get("SslPolicy", "")).startswith("ELBSecurityPolicy-TLS13"), https.get("SslPolicy"))
            equal(f"{name}: HTTPS listener forwards to the target group", actions(https) if https else None, forward)
            equal(f"{name}: handoff aws_lb_listener is the HTTPS listener", outputs.get("aws_lb_listener"),
                  https.get("ListenerArn"))
            http = listeners.get(lb_spec.listen, {})
            redirect = actions(http)[0] if http else {}
            equal(f"{name}: HTTP listener redirects to HTTPS",
                  (http.get("Protocol"), redirect.get("Type"),
                   {k: redirect.get("RedirectConfig", {}).get(k) for k in ("Protocol", "Port", "StatusCode")}),
                  ("HTTP", "redirect", {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}))
        else:
            ports = [lb_spec.listen] + ([lb_spec.test_port] if lb_spec.test_port else [])
            equal(f"{name}: listener ports", sorted(listeners), sorted(ports))
            listener = listeners.get(lb_spec.listen, {})
            equal(f"{name}: listener protocol", listener.get("Protocol"), "HTTP")
            equal(f"{name}: listener forwards to the target group", actions(listener) if listener else None, forward)
            equal(f"{name}: handoff aws_lb_listener is the listener", outputs.get("aws_lb_listener"),
                  listener.get("ListenerArn"))

        if lb_spec.test_port:
            self.test_listener(stack, lb_spec, listeners.get(lb_spec.test_port, {}), outputs, target_group,
                               vpc, forward, actions)

        if lb_spec.waf:
            edge_checks.check_waf(name, lambda service: self.client(stack, service), self.checks, lb_spec.waf,
                                  infra.name, lb["LoadBalancerArn"])

        lb_groups = lb.get("SecurityGroups", [])
        if check(f"{name}: the load balancer has its own security group",
                 len(lb_groups) == 1 and lb_groups[0] in groups and lb_groups[0] != outputs.get("security_group_id"),
                 lb_groups):
            group = groups[lb_groups[0]]
            allowed = lb_spec.allow or (["0.0.0.0/0"] if lb_spec.public else [infra.vpc])
            ingress = sorted((p.get("FromPort"), p.get("ToPort"), r["CidrIp"])
                             for p in group["IpPermissions"] for r in p.get("IpRanges", []))
            equal(f"{name}: load balancer ingress (ports, sources)", ingress,
                  sorted((port, port, cidr) for port in ports for cidr in allowed))
            tasks = groups.get(outputs.get("security_group_id"), {"IpPermissions": []})
            from_lb = sorted((p.get("FromPort"), p.get("ToPort")) for p in tasks["IpPermissions"]
                             if any(g.get("GroupId") == lb_groups[0] for g in p.get("UserIdGroupPairs", [])))
            equal(f"{name}: tasks accept the load balancer on the target port", from_lb,
                  [(lb_spec.port, lb_spec.port)])

    # ------------------------------------------------------------------
    def test_listener(self, stack, lb_spec, listener: dict, outputs: dict, target_group: dict, vpc, forward,
                      actions) -> None:
        """`test_listen`: the test listener on its port, forwarding to the
        first target group until CodeDeploy moves it; the second target
        group like the first; the handoff's names of both."""
        name = stack.name
        check, equal = self.checks.check, self.checks.equal
        elb = self.client(stack, "elbv2")
        equal(f"{name}: test listener protocol", listener.get("Protocol"),
              "HTTPS" if lb_spec.certificate else "HTTP")
        equal(f"{name}: test listener forwards to the first target group", actions(listener) if listener else None,
              forward)
        equal(f"{name}: handoff aws_lb_test_listener is the test listener", outputs.get("aws_lb_test_listener"),
              listener.get("ListenerArn"))
        equal(f"{name}: handoff target_group_name is the first target group's", outputs.get("target_group_name"),
              target_group["TargetGroupName"])
        second = elb.describe_target_groups(Names=[outputs.get("test_target_group_name", "-")])["TargetGroups"]
        if check(f"{name}: the second target group exists under the handed-over name", len(second) == 1, second):
            group = second[0]
            equal(f"{name}: second target group (port, protocol, target type, VPC, health path, matcher)",
                  (group["Port"], group["Protocol"], group["TargetType"], group["VpcId"],
                   group.get("HealthCheckPath"), group.get("Matcher", {}).get("HttpCode")),
                  (lb_spec.port, "HTTP", "ip", vpc["VpcId"], lb_spec.health, lb_spec.matcher))
            check(f"{name}: the second target group is not the first",
                  group["TargetGroupArn"] != target_group["TargetGroupArn"], group["TargetGroupArn"])

    def codedeploy(self, stack, service, outputs: dict, infra: dict, svc: dict) -> None:
        """A blue/green service: the ECS service's deployment controller,
        CodeDeploy's application, deployment group (type, traffic, rollback,
        target group pair, listeners, the service) and the service role."""
        name = stack.name
        check, equal = self.checks.check, self.checks.equal
        kind, percent, minutes, terminate = service.blue_green
        equal(f"{name}: the service's deployment controller is CODE_DEPLOY",
              (svc.get("deploymentController") or {}).get("type"), "CODE_DEPLOY")
        cd = self.client(stack, "codedeploy")
        application = outputs.get("codedeploy_application", "-")
        app = cd.get_application(applicationName=application)["application"]
        equal(f"{name}: CodeDeploy application {application} is for ECS", app.get("computePlatform"), "ECS")
        group_name = outputs.get("codedeploy_deployment_group", "-")
        group = cd.get_deployment_group(applicationName=application,
                                        deploymentGroupName=group_name)["deploymentGroupInfo"]
        equal(f"{name}: deployment group style", group.get("deploymentStyle"),
              {"deploymentOption": "WITH_TRAFFIC_CONTROL", "deploymentType": "BLUE_GREEN"})
        equal(f"{name}: deployment group's ECS service", group.get("ecsServices"),
              [{"clusterName": outputs["cluster"].rsplit("/", 1)[-1], "serviceName": outputs["service_name"]}])
        rollback = group.get("autoRollbackConfiguration") or {}
        equal(f"{name}: deployment group rolls back on failure and alarms",
              (rollback.get("enabled"), sorted(rollback.get("events", []))),
              (service.rollback, ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]))
        blue_green = group.get("blueGreenDeploymentConfiguration") or {}
        equal(f"{name}: the old tasks stop {terminate} minutes after the shift",
              blue_green.get("terminateBlueInstancesOnDeploymentSuccess"),
              {"action": "TERMINATE", "terminationWaitTimeInMinutes": terminate})
        pair = ((group.get("loadBalancerInfo") or {}).get("targetGroupPairInfoList") or [{}])[0]
        equal(f"{name}: deployment group's target group pair", [g.get("name") for g in pair.get("targetGroups", [])],
              [infra.get("target_group_name"), infra.get("test_target_group_name")])
        equal(f"{name}: deployment group's production and test listeners",
              ((pair.get("prodTrafficRoute") or {}).get("listenerArns"),
               (pair.get("testTrafficRoute") or {}).get("listenerArns")),
              ([infra.get("aws_lb_listener")], [infra.get("aws_lb_test_listener")]))
        role = group.get("serviceRoleArn", "")
        check(f"{name}: deployment group's service role is the stack's CodeDeploy role",
              role.endswith(f":role/{service.name}-codedeploy"), role)
        iam = self.client(stack, "iam")
        trust = iam.get_role(RoleName=f"{service.name}-codedeploy")["Role"]["AssumeRolePolicyDocument"]
        principals = [s.get("Principal", {}).get("Service") for s in trust.get("Statement", [])]
        equal(f"{name}: only CodeDeploy assumes the CodeDeploy role", principals, ["codedeploy.amazonaws.com"])
        config = group.get("deploymentConfigName")
        if kind == "all_at_once":
            equal(f"{name}: deployment group shifts all at once", config, "CodeDeployDefault.ECSAllAtOnce")
        else:
            info = cd.get_deployment_config(deploymentConfigName=config)["deploymentConfigInfo"]
            routing = info.get("trafficRoutingConfig") or {}
            block = "timeBasedCanary" if kind == "canary" else "timeBasedLinear"
            equal(f"{name}: deployment config {config} ({kind} {percent}% / {minutes}m)",
                  (info.get("computePlatform"), routing.get("type"), routing.get(block)),
                  ("ECS", "TimeBasedCanary" if kind == "canary" else "TimeBasedLinear",
                   {"canaryPercentage" if kind == "canary" else "linearPercentage": percent,
                    "canaryInterval" if kind == "canary" else "linearInterval": minutes}))
            self.checks.workaround("CodeDeploy: moto has no deployment configurations; tests/e2e/moto_patches "
                                   "keeps what CreateDeploymentConfig was given", name)

    def bootstrap(self, stack, oidc) -> None:
        """GitHub's OIDC provider and the roles the workflow's jobs assume."""
        import fnmatch

        name = stack.name
        check, equal = self.checks.check, self.checks.equal
        iam = self.client(stack, "iam")
        account = stack.account.id
        providers = [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
        github = [p for p in providers if p.endswith("/token.actions.githubusercontent.com")]
        if not check(f"{name}: GitHub's OIDC provider exists", len(github) == 1, providers):
            return
        provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=github[0])
        equal(f"{name}: OIDC provider audience", provider.get("ClientIDList"), ["sts.amazonaws.com"])
        outputs = stack.outputs()
        repository = oidc.repository
        subjects = {
            "apply_role_arn": ("StringEquals", sorted(
                [f"repo:{repository}:ref:refs/heads/{b}" for b in self.pipeline.apply_branches]
                + [f"repo:{repository}:environment:{e}" for e in self.pipeline.github_environments])),
            "plan_role_arn": ("StringLike", [f"repo:{repository}:*"]),
        }
        policies: dict[str, dict[str, set[str]]] = {}
        for output, (test, expected_subjects) in subjects.items():
            arn = outputs.get(output)
            if not check(f"{name}: output {output} names a role", bool(arn), outputs):
                continue
            role_name = arn.rsplit("/", 1)[-1]
            role = iam.get_role(RoleName=role_name)["Role"]
            trust = [s for s in as_list(policy(role["AssumeRolePolicyDocument"]).get("Statement"))
                     if s.get("Effect") == "Allow"]
            conditions = trust[0].get("Condition", {}) if len(trust) == 1 else {}
            subject = as_list(conditions.get(test, {}).get("token.actions.githubusercontent.com:sub"))
            equal(f"{name}: {role_name} trusts GitHub's OIDC provider for sts.amazonaws.com",
                  [(s.get("Principal"), s.get("Action"),
                    conditions.get("StringEquals", {}).get("token.actions.githubusercontent.com:aud"))
                   for s in trust],
                  [({"Federated": github[0]}, "sts:AssumeRoleWithWebIdentity", "sts.amazonaws.com")])
            equal(f"{name}: {role_name} trusts exactly these workflow runs ({test} sub)", sorted(subject),
                  expected_subjects)
            documents = [iam.get_role_policy(RoleName=role_name, PolicyName=p)["PolicyDocument"]
                         for p in iam.list_role_policies(RoleName=role_name)["PolicyNames"]]
            policies[output] = permissions(documents)
            policies[output]["attached"] = {p["PolicyArn"] for p in
                                            iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]}

            if output == "apply_role_arn":
                # Every condition of the model's apply trust, as written.
                equal(f"{name}: {role_name} trusts exactly the model's conditions",
                      sorted((test_, key, sorted(as_list(values))) for test_, block in conditions.items()
                             for key, values in block.items()),
                      sorted((test_, key, sorted(values)) for test_, key, values in oidc.apply_trust))

        def allowed(permissions_: dict[str, set[str]], action: str, resource: str) -> bool:
            return any(fnmatch.fnmatchcase(resource, pattern) for pattern in permissions_.get(action, set()))

        apply = policies.get("apply_role_arn", {})
        plan = policies.get("plan_role_arn", {})
        if apply:
            check(f"{name}: the apply role has PowerUserAccess",
                  "arn:aws:iam::aws:policy/PowerUserAccess" in apply.get("attached", set()), apply.get("attached"))
            for deploy in self.pipeline.deploys:
                for suffix in ("task-execution-role", "task-role"):
                    role_arn = f"arn:aws:iam::{account}:role/{deploy.service.name}-{suffix}"
                    check(f"{name}: the apply role may create and pass {role_arn}",
                          allowed(apply, "iam:CreateRole", role_arn) and allowed(apply, "iam:PassRole", role_arn),
                          sorted(apply.get("iam:CreateRole", [])))
        if plan:
            for repository in self.pipeline.builds.values():
                arn = f"arn:aws:ecr:{self.region}:{account}:repository/{repository}"
                check(f"{name}: the plan role may not push to {repository}", not allowed(plan, "ecr:PutImage", arn),
                      sorted(plan.get("ecr:PutImage", [])))

    def boundary(self, stack, role: str) -> None:
        """The role carries the bootstrap's permissions boundary."""
        iam = self.client(stack, "iam")
        described = iam.get_role(RoleName=role)["Role"]
        expected = f"arn:aws:iam::{stack.account.id}:policy/{self.pipeline.oidc.boundary_policy}"
        self.checks.equal(f"{stack.name}: {role} carries the permissions boundary",
                          described.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn"), expected)

    def handoff(self, stack) -> dict[str, Any]:
        example = self.example
        if stack.job_id in example.handoffs:
            return example.handoffs[stack.job_id]
        source = example.infra_of.get(stack.job_id)
        assert source is not None, f"{stack.name}: no infrastructure stack hands over to it"
        return example.stacks[source].outputs()

    def service(self, stack, deploy) -> None:
        example = self.example
        service = deploy.service
        name = stack.name
        check, equal = self.checks.check, self.checks.equal
        infra = self.handoff(stack)
        account = stack.account.id
        queue: dict[str, Any] = {}

        def resolve(ref) -> Any:
            if ref.kind == "infra":
                return infra[ref.value]
            if ref.kind == "queue":
                return queue.get(ref.value, f"<no queue {ref.value}>")
            if ref.kind == "region":
                return self.region
            if ref.kind == "build":
                repository = self.pipeline.builds[ref.value]
                return example.images.get(repository, f"<no build job pushes {repository}>")
            return ref.value

        stand_ins = example.literal_ids.get(stack.job_id, {})

        def resolve_all(refs) -> list:
            """Subnets or security groups: `infra.KEY` holding a list (or one
            ID), or the items written out, where an ID moto cannot hold is
            expected as its stand-in's (prerequisites.literal_network)."""
            if isinstance(refs, list):
                return [stand_ins.get(r.value, r.value) if r.kind == "text" else resolve(r) for r in refs]
            value = resolve(refs)
            return value if isinstance(value, list) else [value]

        ecs = self.client(stack, "ecs")
        cluster = resolve(service.cluster)
        found = ecs.describe_services(cluster=cluster, services=[service.name])["services"]
        if not check(f"{name}: service {service.name} exists in {cluster}",
                     len(found) == 1 and found[0]["status"] == "ACTIVE", found):
            return
        svc = found[0]
        if service.queue is not None:
            queue.update(read_queue(self, stack, service))
        equal(f"{name}: service desired count", svc["desiredCount"], service.count)
        strategy = sorted((c["capacityProvider"], c.get("base", 0), c.get("weight", 0))
                          for c in svc.get("capacityProviderStrategy") or [])
        equal(f"{name}: service capacity provider strategy", strategy, sorted(service.capacity))
        if service.capacity:
            # AWS reports no launch type for a service with a strategy; moto's
            # CreateService defaults it to EC2 when none is sent.
            if svc.get("launchType") == "EC2":
                self.checks.workaround("moto reports launchType EC2 for a service created with a capacity "
                                       "provider strategy (AWS reports none); the strategy is checked instead",
                                       name)
            check(f"{name}: service has no Fargate launch type beside its strategy",
                  svc.get("launchType") in (None, "EC2"), svc.get("launchType"))
            # AWS refuses a strategy whose providers the cluster lacks; moto does not.
            providers = (ecs.describe_clusters(clusters=[cluster])["clusters"] or [{}])[0].get("capacityProviders")
            check(f"{name}: the cluster has every provider of the strategy",
                  {p for p, _, _ in service.capacity} <= set(providers or []), providers)
        else:
            equal(f"{name}: service launch type", svc.get("launchType"), "FARGATE")
        network = svc.get("networkConfiguration", {}).get("awsvpcConfiguration", {})
        equal(f"{name}: service subnets", sorted(network.get("subnets", [])), sorted(resolve_all(service.subnets)))
        given = resolve_all(service.security_groups)
        found_groups = network.get("securityGroups", [])
        own = [g for g in found_groups if g not in given]
        callers, callees = self.calls_of(deploy)
        connected = bool(callers or callees)
        equal(f"{name}: service security groups (the given ones, its own with egress rules, and with calls)",
              (sorted(g for g in found_groups if g in given), len(own)),
              (sorted(given), int(bool(service.egress)) + int(connected)))
        ec2 = self.client(stack, "ec2")
        own_groups = {g["GroupName"]: g for g in ec2.describe_security_groups(GroupIds=own)["SecurityGroups"]} \
            if own else {}
        if connected:
            self.calls(stack, deploy, own_groups, infra, svc, callers, callees)
        if service.egress and len(own) == int(connected) + 1:
            group = own_groups.get(f"{service.name}-egress")
            if check(f"{name}: its own group's name", group is not None, sorted(own_groups)):
                if "vpc_id" in infra:
                    equal(f"{name}: its own group is in the handoff's VPC", group["VpcId"], infra["vpc_id"])
                equal(f"{name}: its own group admits nothing", group["IpPermissions"], [])
                equal(f"{name}: its own group's egress rules are the service's", sorted(rules_of(group)),
                      sorted(expected_rules(service.egress)))
        equal(f"{name}: service public IP", network.get("assignPublicIp"),
              "ENABLED" if service.public_ip else "DISABLED")
        expected_lb = []
        if service.load_balancer is not None:
            target_group, container, port = service.load_balancer
            if service.route is not None:
                own_group = self.state_attributes(stack, "aws_lb_target_group", "service").get("arn")
                self.route(stack, service.route, resolve, own_group, port, infra)
            expected_lb = [{"targetGroupArn": own_group if target_group is None else resolve(target_group),
                            "containerName": container, "containerPort": port}]
        equal(f"{name}: service load balancer", [{k: lb.get(k) for k in ("targetGroupArn", "containerName",
                                                                       "containerPort")}
                                                 for lb in svc.get("loadBalancers", [])], expected_lb)
        # moto's CreateService keeps no deploymentConfiguration, alarms, grace
        # period or ECS Exec flag (UpdateService does): where AWS returns
        # nothing, the value Terraform sent (its state) is checked instead.
        state = self.state_attributes(stack, "aws_ecs_service", "service")

        def aws_or_state(label: str, from_aws: Any, from_state: Any, expected: Any) -> None:
            if from_aws is None and expected not in (None, False):
                self.from_state.add(label)
                from_aws = from_state
            equal(f"{name}: {label}", from_aws if from_aws is not None else
                  (False if isinstance(expected, bool) else None), expected)

        if service.blue_green is not None:
            # CodeDeploy's, not ECS's rolling update: no circuit breaker, no
            # healthy percentages or alarms on the service.
            check(f"{name}: no circuit breaker beside CodeDeploy", not state.get("deployment_circuit_breaker"),
                  state.get("deployment_circuit_breaker"))
            self.codedeploy(stack, service, stack.outputs(), infra, svc)
        else:
            deployment = svc.get("deploymentConfiguration") or {}
            breaker = (state.get("deployment_circuit_breaker") or [{}])[0]
            alarms = (state.get("alarms") or [{}])[0]
            aws_or_state("deployment minimum healthy percent", deployment.get("minimumHealthyPercent"),
                         state.get("deployment_minimum_healthy_percent"), service.minimum_percent)
            aws_or_state("deployment maximum percent", deployment.get("maximumPercent"),
                         state.get("deployment_maximum_percent"), service.maximum_percent)
            aws_or_state("deployment circuit breaker", deployment.get("deploymentCircuitBreaker"),
                         {"enable": breaker.get("enable"), "rollback": breaker.get("rollback")},
                         {"enable": True, "rollback": service.rollback})
            aws_or_state("deployment alarms", deployment.get("alarms"),
                         {"alarmNames": sorted(alarms.get("alarm_names") or []), "enable": bool(alarms.get("enable")),
                          "rollback": bool(alarms.get("rollback"))} if alarms else None,
                         {"alarmNames": sorted(service.alarms), "enable": True, "rollback": True}
                         if service.alarms else None)
        aws_or_state("health check grace period", svc.get("healthCheckGracePeriodSeconds"),
                     state.get("health_check_grace_period_seconds") or None, service.grace)
        aws_or_state("ECS Exec", svc.get("enableExecuteCommand") or None, bool(state.get("enable_execute_command")),
                     service.exec)

        task = ecs.describe_task_definition(taskDefinition=svc["taskDefinition"])["taskDefinition"]
        equal(f"{name}: task family", task["family"], service.name)
        equal(f"{name}: task CPU", task.get("cpu"), str(service.cpu))
        equal(f"{name}: task memory", task.get("memory"), str(service.memory))
        equal(f"{name}: task network mode", task.get("networkMode"), "awsvpc")
        equal(f"{name}: task compatibilities", task.get("requiresCompatibilities"), ["FARGATE"])
        equal(f"{name}: task platform", task.get("runtimePlatform"),
              {"cpuArchitecture": service.arch, "operatingSystemFamily": "LINUX"})
        equal(f"{name}: task ephemeral storage (GiB)", (task.get("ephemeralStorage") or {}).get("sizeInGiB"),
              service.storage)
        execution_role = f"{service.name}-task-execution-role"
        task_role = f"{service.name}-task-role"
        equal(f"{name}: task execution role", task.get("executionRoleArn"),
              f"arn:aws:iam::{account}:role/{execution_role}")
        equal(f"{name}: task role", task.get("taskRoleArn"), f"arn:aws:iam::{account}:role/{task_role}")

        definitions = {c["name"]: c for c in task.get("containerDefinitions", [])}
        equal(f"{name}: containers", sorted(definitions), sorted(c.name for c in service.containers))
        log_group = resolve(service.log_group)
        for container in service.containers:
            actual = definitions.get(container.name)
            if actual is None:
                continue
            prefix = f"{name}: container {container.name}"
            equal(f"{prefix} image", actual.get("image"), resolve(container.image))
            if container.image.kind == "build":
                # By digest: the one `docker push` (or, for a multi-platform
                # image, `imagetools inspect` of the index) reported last for
                # the repository, as the build job's script read it.
                repository = self.pipeline.builds[container.image.value]
                reported = [digest for reference, digest in example.pushed.items()
                            if reference.rsplit(":", 1)[0].endswith(f".amazonaws.com/{repository}")]
                by_digest = re.fullmatch(
                    rf"\d{{12}}\.dkr\.ecr\.{re.escape(self.region)}\.amazonaws\.com/{re.escape(repository)}"
                    rf"@(sha256:[0-9a-f]{{64}})", str(actual.get("image")))
                check(f"{prefix} image is build.{container.image.value}'s repository in ECR, by digest",
                      by_digest is not None, actual.get("image"))
                check(f"{prefix} image digest is the one the build pushed",
                      by_digest is not None and bool(reported) and by_digest.group(1) == reported[-1],
                      f"task definition {actual.get('image')}, pushed {reported}")
            equal(f"{prefix} essential", actual.get("essential"), container.essential)
            equal(f"{prefix} CPU", actual.get("cpu") or None, container.cpu)
            equal(f"{prefix} memory", actual.get("memory"), container.memory)
            ports = [{k: p.get(k) for k in ("containerPort", "hostPort", "protocol", "appProtocol")}
                     for p in actual.get("portMappings", [])]
            expected_ports = [] if container.port is None else [
                {"containerPort": container.port, "hostPort": container.port, "protocol": "tcp",
                 "appProtocol": container.app_protocol}]
            equal(f"{prefix} ports", ports, expected_ports)
            health = actual.get("healthCheck")
            expected_health = None if container.health is None else {
                "command": ["CMD-SHELL", container.health.command], "interval": container.health.interval,
                "retries": container.health.retries, "timeout": container.health.timeout,
                "startPeriod": container.health.start_period}
            equal(f"{prefix} health check", health, expected_health)
            environment = {e["name"]: e["value"] for e in actual.get("environment", [])}
            expected_env = {k: resolve(v) for k, v in container.env.items()}
            for key, ref in container.env.items():
                if ref.kind == "queue" and ref.value == "url":
                    # moto writes a queue's URL with the host it was asked on:
                    # Terraform asked through the proxy, the test asks moto.
                    self.checks.workaround("a queue URL is compared without its host: moto answers with the host "
                                           "it was asked on (the proxy for Terraform, moto itself for the test)",
                                           name)
                    environment[key] = queue_path(environment.get(key))
                    expected_env[key] = queue_path(expected_env[key])
            equal(f"{prefix} environment", environment, expected_env)
            equal(f"{prefix} secrets (valueFrom)", {s["name"]: s["valueFrom"] for s in actual.get("secrets", [])},
                  {k: self.secret_arn(v, infra, account) for k, v in container.secrets.items()})
            equal(f"{prefix} environment files", actual.get("environmentFiles", []),
                  [{"value": f, "type": "s3"} for f in container.env_files])
            equal(f"{prefix} command", actual.get("command") or None, container.command)
            equal(f"{prefix} entry point", actual.get("entryPoint") or None, container.entrypoint)
            equal(f"{prefix} depends on", actual.get("dependsOn", []),
                  [{"containerName": k, "condition": DEPENDS[v]} for k, v in container.depends_on.items()])
            equal(f"{prefix} read-only root filesystem", actual.get("readonlyRootFilesystem"), container.readonly)
            logging = actual.get("logConfiguration") or {}
            options = logging.get("options", {})
            equal(f"{prefix} log driver, group and region",
                  (logging.get("logDriver"), options.get("awslogs-group"), options.get("awslogs-region")),
                  ("awslogs", log_group, self.region))
            check(f"{prefix} log stream prefix", bool(options.get("awslogs-stream-prefix")), options)

        self.volume_arns = volumes.service_volumes(self.checks, self.client(stack, "efs"), name, service, resolve,
                                                   task, definitions) if service.volumes else {}
        self.roles(stack, service, infra, execution_role, task_role, resolve, queue)
        self.scaling(stack, service, infra, cluster)
        from cron import check_cron
        check_cron(self, stack, service, cluster, network.get("subnets", []), found_groups)

    def route(self, stack, route, resolve, arn: str | None, port: int, infra: dict) -> None:
        """A service's own target group (port, health check, attributes) and
        its rule on the infrastructure's listener (priority, conditions,
        forward)."""
        name = stack.name
        check, equal = self.checks.check, self.checks.equal
        if not check(f"{name}: its own target group is in the state", bool(arn), "no aws_lb_target_group.service"):
            return
        elb = self.client(stack, "elbv2")
        group = elb.describe_target_groups(TargetGroupArns=[arn])["TargetGroups"][0]
        equal(f"{name}: own target group (port, protocol, target type, VPC)",
              (group["Port"], group["Protocol"], group["TargetType"], group["VpcId"]),
              (port, "HTTP", "ip", infra.get("vpc_id")))
        equal(f"{name}: own target group health check (path, matcher, healthy, unhealthy)",
              (group.get("HealthCheckPath"), group.get("Matcher", {}).get("HttpCode"),
               group.get("HealthyThresholdCount"), group.get("UnhealthyThresholdCount")),
              (route.health, route.matcher, route.healthy, route.unhealthy))
        attributes = {a["Key"]: a["Value"] for a in elb.describe_target_group_attributes(
            TargetGroupArn=arn)["Attributes"]}
        expected = {"deregistration_delay.timeout_seconds": str(route.deregistration),
                    "slow_start.duration_seconds": str(route.slow_start),
                    "stickiness.enabled": "true" if route.stickiness else "false"}
        if route.stickiness:
            expected["stickiness.type"] = "lb_cookie"
            expected["stickiness.lb_cookie.duration_seconds"] = str(route.stickiness)
        equal(f"{name}: own target group attributes (deregistration, slow start, stickiness)",
              {k: attributes.get(k) for k in expected}, expected)
        rules = elb.describe_rules(ListenerArn=resolve(route.listener))["Rules"]
        mine = [r for r in rules if r.get("Priority") == str(route.priority)]
        if not check(f"{name}: one rule at priority {route.priority} on the listener", len(mine) == 1,
                     [r.get("Priority") for r in rules]):
            return
        conditions = {}
        for condition in mine[0].get("Conditions", []):
            config = condition.get("PathPatternConfig") or condition.get("HostHeaderConfig") or {}
            conditions[condition["Field"]] = sorted(condition.get("Values") or config.get("Values", []))
        expected_conditions = {}
        if route.paths:
            expected_conditions["path-pattern"] = sorted(route.paths)
        if route.hosts:
            expected_conditions["host-header"] = sorted(route.hosts)
        equal(f"{name}: rule conditions", conditions, expected_conditions)
        equal(f"{name}: rule forwards to its own target group",
              [(a["Type"], a.get("TargetGroupArn")) for a in mine[0].get("Actions", [])], [("forward", arn)])

    def calls_of(self, deploy) -> tuple[list, list]:
        """The deploys of the same environment that call this one's service,
        and those whose services it calls."""
        def planned(block: str) -> str:
            return f"{block}-{deploy.environment}" if deploy.environment else block

        peers = [d for d in self.pipeline.deploys if d.environment == deploy.environment]
        callers = [d for d in peers if any(planned(callee) == deploy.service.name for callee, _ in d.service.calls)]
        callees = [d for d in peers for callee, _ in deploy.service.calls if d.service.name == planned(callee)]
        return callers, callees

    def calls(self, stack, deploy, own_groups: dict, infra: dict, svc: dict, callers: list, callees: list) -> None:
        """`calls`: the service's group for calls admits exactly its callers'
        groups on its served port and lets out exactly to its callees'
        groups on theirs; Service Connect publishes the served port under
        the service's name (moto keeps no serviceConnectConfiguration:
        compared in Terraform's state)."""
        service = deploy.service
        name = stack.name
        check, equal = self.checks.check, self.checks.equal
        ec2 = self.client(stack, "ec2")
        group = own_groups.get(f"{service.name}-connect")
        if not check(f"{name}: its group for calls is {service.name}-connect", group is not None, sorted(own_groups)):
            return
        if "vpc_id" in infra:
            equal(f"{name}: its group for calls is in the handoff's VPC", group["VpcId"], infra["vpc_id"])

        def group_id(service_name: str) -> str:
            found = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [f"{service_name}-connect"]},
                                                          {"Name": "vpc-id", "Values": [group["VpcId"]]}])
            return ",".join(g["GroupId"] for g in found["SecurityGroups"]) or f"<no group {service_name}-connect>"

        served = service.served_port()
        expected_in = {("tcp", served[1], served[1], "security_group", group_id(d.service.name))
                       for d in callers} if served else set()
        expected_out = {("tcp", d.service.served_port()[1], d.service.served_port()[1], "security_group",
                         group_id(d.service.name)) for d in callees if d.service.served_port()}
        equal(f"{name}: its group for calls admits exactly its callers, on its port",
              sorted(rules_of(group, "IpPermissions")), sorted(expected_in))
        equal(f"{name}: its group for calls lets out exactly to its callees, on their ports",
              sorted(rules_of(group)), sorted(expected_out))

        configuration = svc.get("serviceConnectConfiguration")
        if configuration is None:
            self.from_state.add("Service Connect configuration")
            self.checks.workaround("moto's CreateService keeps no serviceConnectConfiguration; the service's "
                                   "Service Connect configuration is compared in Terraform's state", name)
            state = (self.state_attributes(stack, "aws_ecs_service", "service")
                     .get("service_connect_configuration") or [{}])[0]
            configuration = {
                "enabled": state.get("enabled"), "namespace": state.get("namespace"),
                "services": [{"portName": s.get("port_name"), "discoveryName": s.get("discovery_name"),
                              "clientAliases": [{"port": a.get("port"), "dnsName": a.get("dns_name")}
                                                for a in s.get("client_alias") or []]}
                             for s in state.get("service") or []]}
        equal(f"{name}: Service Connect on, in the handoff's namespace",
              (configuration.get("enabled"), configuration.get("namespace")),
              (True, infra.get("service_connect_namespace")))
        if "service_connect_namespace" in infra:
            discovery = self.client(stack, "servicediscovery")
            arns = [n["Arn"] for n in discovery.list_namespaces()["Namespaces"]]
            check(f"{name}: the handoff's Service Connect namespace exists", infra["service_connect_namespace"] in arns,
                  arns)
        published = [{"portName": s.get("portName"), "discoveryName": s.get("discoveryName"),
                      "clientAliases": [{"port": a.get("port"), "dnsName": a.get("dnsName")}
                                        for a in s.get("clientAliases") or []]}
                     for s in configuration.get("services") or []]
        expected = [{"portName": f"{served[0]}-{served[1]}", "discoveryName": service.name,
                     "clientAliases": [{"port": served[1], "dnsName": service.name}]}] if callers and served else []
        equal(f"{name}: Service Connect publishes its port under its name (called) or nothing (only calling)",
              published, expected)

    @staticmethod
    def state_attributes(stack, type_: str, name: str) -> dict[str, Any]:
        for resource in stack.state().get("resources", []):
            if resource.get("mode") == "managed" and resource["type"] == type_ and resource["name"] == name:
                return resource["instances"][0]["attributes"]
        return {}

    def secret_arn(self, source: tuple, infra: dict, account: str) -> str:
        if source[0] == "infra":
            base = infra[source[1]]
            return f"{base}:{source[2]}::" if source[2] else base
        if source[0] == "ssm":
            return f"arn:aws:ssm:{self.region}:{account}:parameter{source[1]}"
        return source[1]

    def roles(self, stack, service, infra, execution_role: str, task_role: str, resolve, queue: dict) -> None:
        name = stack.name
        check, equal = self.checks.check, self.checks.equal
        iam = self.client(stack, "iam")
        account = stack.account.id

        def documents(role: str) -> tuple[dict, list[str], list[Any]]:
            described = iam.get_role(RoleName=role)["Role"]
            attached = [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]]
            docs = []
            for arn in attached:
                version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
                docs.append(iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"])
            for policy_name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
                docs.append(iam.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"])
            return policy(described["AssumeRolePolicyDocument"]), attached, docs

        # With an `oidc` block, every role the stacks create carries the
        # bootstrap's permissions boundary.
        if self.pipeline.oidc is not None:
            for role in (execution_role, task_role):
                self.boundary(stack, role)

        # The execution role: ECS may assume it on behalf of this account; the
        # managed execution policy plus exactly the secrets, parameters and
        # files the containers name.
        trust, attached, docs = documents(execution_role)
        trusted = [s for s in as_list(trust.get("Statement")) if s.get("Effect") == "Allow"]
        equal(f"{name}: execution role trust",
              [(s.get("Principal"), s.get("Action"), s.get("Condition")) for s in trusted],
              [({"Service": "ecs-tasks.amazonaws.com"}, "sts:AssumeRole",
                {"StringEquals": {"aws:SourceAccount": account}})])
        check(f"{name}: execution role has AmazonECSTaskExecutionRolePolicy", EXECUTION_MANAGED in attached, attached)
        managed = iam.get_policy(PolicyArn=EXECUTION_MANAGED)["Policy"]
        check(f"{name}: AmazonECSTaskExecutionRolePolicy is the AWS managed policy",
              managed["Arn"] == EXECUTION_MANAGED and managed.get("AttachmentCount", 1) >= 1, managed)
        own = [d for arn, d in zip(attached, docs) if arn != EXECUTION_MANAGED] + docs[len(attached):]
        expected: dict[str, set[str]] = {}
        uses_infra_secret = False
        for container in service.containers:
            for source in container.secrets.values():
                arn = self.secret_arn(source, infra, account)
                if source[0] == "infra":
                    uses_infra_secret = True
                    expected.setdefault("secretsmanager:GetSecretValue", set()).add(infra[source[1]])
                elif arn.startswith("arn:aws:ssm:"):
                    expected.setdefault("ssm:GetParameters", set()).add(arn)
                else:
                    expected.setdefault("secretsmanager:GetSecretValue", set()).add(arn)
            for file in container.env_files:
                expected.setdefault("s3:GetObject", set()).add(file)
                expected.setdefault("s3:GetBucketLocation", set()).add(file.split("/", 1)[0])
        if uses_infra_secret and "kms_arn" in infra:
            expected.setdefault("kms:Decrypt", set()).add(infra["kms_arn"])
        equal(f"{name}: execution role's own permissions (action -> resources)",
              {k: sorted(v) for k, v in permissions(own).items()}, {k: sorted(v) for k, v in expected.items()})

        # The task role: ECS tasks of this account and region only; exactly
        # what the pipeline allows, and ECS Exec's channels with `exec`.
        trust, attached, docs = documents(task_role)
        trusted = [s for s in as_list(trust.get("Statement")) if s.get("Effect") == "Allow"]
        equal(f"{name}: task role trust",
              [(s.get("Principal"), s.get("Action"), s.get("Condition")) for s in trusted],
              [({"Service": "ecs-tasks.amazonaws.com"}, "sts:AssumeRole",
                {"ArnLike": {"aws:SourceArn": f"arn:aws:ecs:{self.region}:{account}:*"},
                 "StringEquals": {"aws:SourceAccount": account}})])
        expected = {}
        for actions, resources in service.allows:
            for action in actions:
                expected.setdefault(action, set()).update(resolve(r) for r in resources)
        if service.exec:
            # ECS Exec: the session channels, and (the cluster logs sessions
            # to the encrypted log group) writing those logs and using the key.
            for action in ECS_EXEC | {"logs:DescribeLogGroups"}:
                expected.setdefault(action, set()).add("*")
            log_arn = f"arn:aws:logs:{self.region}:{account}:log-group:{infra['cloud_watch_log_group_name']}:*"
            for action in ("logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"):
                expected.setdefault(action, set()).add(log_arn)
            if "kms_arn" in infra:
                expected.setdefault("kms:Decrypt", set()).add(infra["kms_arn"])
        for action, resources in volumes.mount_grants(self.checks, name, service, resolve, docs, self.volume_arns,
                                                      self.region, account).items():
            expected.setdefault(action, set()).update(resources)
        # A worker consumes exactly its own queue (and, with KMS, its key).
        for action, resources in expected_grants(service, queue).items():
            expected.setdefault(action, set()).update(resources)
        equal(f"{name}: task role permissions (action -> resources)",
              {k: sorted(v) for k, v in permissions(docs).items()}, {k: sorted(v) for k, v in expected.items()})

    def scaling(self, stack, service, infra, cluster: str) -> None:
        name = stack.name
        equal = self.checks.equal
        autoscaling = self.client(stack, "application-autoscaling")
        resource = f"service/{cluster.rsplit('/', 1)[-1]}/{service.name}"
        targets = autoscaling.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[resource])[
            "ScalableTargets"]
        if service.scale is None:
            equal(f"{name}: no scalable target", targets, [])
            return
        scale = service.scale
        equal(f"{name}: scalable target (dimension, min, max)",
              [(t["ScalableDimension"], t["MinCapacity"], t["MaxCapacity"]) for t in targets],
              [("ecs:service:DesiredCount", scale.low, scale.high)])
        policies = autoscaling.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=resource)[
            "ScalingPolicies"]
        found = {}
        if scale.backlog is not None:
            equal(f"{name}: backlog per task policy (type, target, cooldowns, metric math)",
                  backlog_policy(self, stack, service, policies, cluster), expected_backlog(service, cluster))
            policies = [p for p in policies if "CustomizedMetricSpecification"
                        not in p.get("TargetTrackingScalingPolicyConfiguration", {})]
        for p in policies:
            config = p.get("TargetTrackingScalingPolicyConfiguration", {})
            metric = config.get("PredefinedMetricSpecification", {})
            found[metric.get("PredefinedMetricType")] = (p.get("PolicyType"), config.get("TargetValue"),
                                                         config.get("ScaleInCooldown"), config.get("ScaleOutCooldown"),
                                                         metric.get("ResourceLabel"))
        # A routed service's target group is its own.
        own_suffix = (self.state_attributes(stack, "aws_lb_target_group", "service").get("arn_suffix")
                      if service.route is not None else None)
        expected = {}
        for metric, value, label in (
            ("ECSServiceAverageCPUUtilization", scale.cpu, None),
            ("ECSServiceAverageMemoryUtilization", scale.memory, None),
            ("ALBRequestCountPerTarget", scale.requests,
             f"{infra.get('load_balancer_arn_suffix')}/{own_suffix or infra.get('target_group_arn_suffix')}"),
        ):
            if value is not None:
                expected[metric] = ("TargetTrackingScaling", float(value), scale.cooldown_in, scale.cooldown_out,
                                    label)
        equal(f"{name}: scaling policies (type, target, cooldown in/out, label)", found, expected)
        actions = autoscaling.describe_scheduled_actions(ServiceNamespace="ecs", ResourceId=resource)[
            "ScheduledActions"]
        equal(f"{name}: scheduled actions",
              sorted((a["Schedule"], a.get("Timezone"), a["ScalableTargetAction"].get("MinCapacity"),
                      a["ScalableTargetAction"].get("MaxCapacity")) for a in actions),
              sorted((s.expression, s.timezone, s.low, s.high) for s in service.schedules))


def rules_of(group: dict, key: str = "IpPermissionsEgress") -> set[tuple]:
    """A security group's egress rules (or, with `IpPermissions`, its ingress
    rules) as (protocol, from, to, kind, destination or source)."""
    rules = set()
    for permission in group.get(key, []):
        ports = (permission.get("IpProtocol"), permission.get("FromPort"), permission.get("ToPort"))
        rules |= {(*ports, "cidr", r["CidrIp"]) for r in permission.get("IpRanges", [])}
        rules |= {(*ports, "prefix_list", r["PrefixListId"]) for r in permission.get("PrefixListIds", [])}
        rules |= {(*ports, "security_group", r["GroupId"].split("/")[-1])
                  for r in permission.get("UserIdGroupPairs", [])}
    return rules


def expected_rules(egress) -> set[tuple]:
    """The pipeline's `egress` rules as `rules_of` spells them."""
    return {(rule.protocol, rule.from_port, rule.to_port, kind, value)
            for rule in egress for kind, value in rule.to}


def snapshot(stack) -> list[tuple[str, dict]]:
    """The resources of a stack's state worth looking for after destroy."""
    kept = {"aws_ecs_service", "aws_ecs_cluster", "aws_lb", "aws_iam_role", "aws_ecr_repository", "aws_vpc",
            "aws_secretsmanager_secret", "aws_appautoscaling_target", "aws_ecs_task_definition",
            "aws_nat_gateway", "aws_service_discovery_http_namespace", "aws_efs_file_system"}
    found = []
    for resource in stack.state().get("resources", []):
        if resource.get("mode") == "managed" and resource["type"] in kept:
            found.extend((resource["type"], instance["attributes"]) for instance in resource.get("instances", []))
    return found


def still_there(stack, region: str, resources: list[tuple[str, dict]]) -> list[str]:
    """Which of `resources` AWS still holds (after `terraform destroy`)."""
    import botocore.exceptions

    client = lambda service: stack.account.client(service, region)  # noqa: E731
    left = []
    for type_, a in resources:
        try:
            if type_ == "aws_ecs_service":
                services = client("ecs").describe_services(cluster=a["cluster"], services=[a["name"]])["services"]
                alive = any(s["status"] != "INACTIVE" for s in services)
            elif type_ == "aws_ecs_cluster":
                clusters = client("ecs").describe_clusters(clusters=[a["arn"]])["clusters"]
                alive = any(c["status"] != "INACTIVE" for c in clusters)
            elif type_ == "aws_ecs_task_definition":
                definition = client("ecs").describe_task_definition(taskDefinition=a["arn"])["taskDefinition"]
                alive = definition.get("status") == "ACTIVE"
            elif type_ == "aws_lb":
                alive = bool(client("elbv2").describe_load_balancers(LoadBalancerArns=[a["arn"]])["LoadBalancers"])
            elif type_ == "aws_iam_role":
                alive = bool(client("iam").get_role(RoleName=a["name"]))
            elif type_ == "aws_ecr_repository":
                alive = bool(client("ecr").describe_repositories(repositoryNames=[a["name"]])["repositories"])
            elif type_ == "aws_vpc":
                alive = bool(client("ec2").describe_vpcs(VpcIds=[a["id"]])["Vpcs"])
            elif type_ == "aws_nat_gateway":
                gateways = client("ec2").describe_nat_gateways(NatGatewayIds=[a["id"]])["NatGateways"]
                alive = any(g.get("State") not in ("deleted", "deleting") for g in gateways)
            elif type_ == "aws_secretsmanager_secret":
                alive = "DeletedDate" not in client("secretsmanager").describe_secret(SecretId=a["arn"])
            elif type_ == "aws_efs_file_system":
                alive = bool(client("efs").describe_file_systems(FileSystemId=a["id"])["FileSystems"])
            elif type_ == "aws_service_discovery_http_namespace":
                alive = bool(client("servicediscovery").get_namespace(Id=a["id"])["Namespace"])
            elif type_ == "aws_appautoscaling_target":
                alive = bool(client("application-autoscaling").describe_scalable_targets(
                    ServiceNamespace=a["service_namespace"], ResourceIds=[a["resource_id"]])["ScalableTargets"])
            else:
                continue
        except botocore.exceptions.ClientError:
            alive = False
        if alive:
            left.append(f"{type_} {a.get('arn') or a.get('name') or a.get('id')}")
    return left
