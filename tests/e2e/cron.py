"""Scheduled jobs read back: each `cron` job's EventBridge Scheduler schedule
(`scheduler get-schedule`: expression, time zone, target, role, retries,
dead-letter queue), the task definition it starts, its dead-letter queue
and the role Scheduler assumes, against the pipeline's model."""

from __future__ import annotations

from typing import Any


def check_cron(verifier, stack, service, cluster: str, subnets: list, groups: list) -> None:
    """`subnets` and `groups`: the service's, as AWS holds them (the jobs
    run in its network); `cluster`: the service's cluster as written."""
    from checks import as_list, permissions, policy

    if not service.cron:
        return
    name = stack.name
    check, equal = verifier.checks.check, verifier.checks.equal
    account = stack.account.id
    region = verifier.region
    scheduler = verifier.client(stack, "scheduler")
    ecs = verifier.client(stack, "ecs")
    sqs = verifier.client(stack, "sqs")
    iam = verifier.client(stack, "iam")
    cluster_arn = (ecs.describe_clusters(clusters=[cluster])["clusters"] or [{}])[0].get("clusterArn")
    task_role = f"arn:aws:iam::{account}:role/{service.name}-task-role"
    execution_role = f"arn:aws:iam::{account}:role/{service.name}-task-execution-role"
    for job in service.cron:
        prefix = f"{name}: job {job.name}"
        schedule_name = f"{service.name}-{job.name}"
        try:
            found = scheduler.get_schedule(Name=schedule_name)
        except Exception as error:  # noqa: BLE001 - reported as the failed check
            check(f"{prefix}: schedule {schedule_name} exists", False, error)
            continue
        equal(f"{prefix}: schedule expression", found.get("ScheduleExpression"), job.expression)
        equal(f"{prefix}: schedule time zone", found.get("ScheduleExpressionTimezone"), job.timezone)
        equal(f"{prefix}: no flexible time window", (found.get("FlexibleTimeWindow") or {}).get("Mode"), "OFF")
        equal(f"{prefix}: schedule enabled", found.get("State"), "ENABLED")
        target: dict[str, Any] = found.get("Target") or {}
        equal(f"{prefix}: target is the service's cluster", target.get("Arn"), cluster_arn)
        role_name = f"{service.name}-{job.name}-scheduler"
        equal(f"{prefix}: target role", target.get("RoleArn"), f"arn:aws:iam::{account}:role/{role_name}")
        equal(f"{prefix}: retries", (target.get("RetryPolicy") or {}).get("MaximumRetryAttempts"), job.retries)
        queue_name = f"{service.name}-{job.name}-dead-letter"
        queue_arn = f"arn:aws:sqs:{region}:{account}:{queue_name}"
        equal(f"{prefix}: dead-letter queue", (target.get("DeadLetterConfig") or {}).get("Arn"), queue_arn)
        url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        equal(f"{prefix}: dead-letter queue encrypted, kept 14 days",
              (attributes.get("SqsManagedSseEnabled"), attributes.get("MessageRetentionPeriod")),
              ("true", "1209600"))

        parameters = target.get("EcsParameters") or {}
        equal(f"{prefix}: one task per start", parameters.get("TaskCount"), 1)
        strategy = sorted((c["capacityProvider"], c.get("base", 0), c.get("weight", 0))
                          for c in parameters.get("CapacityProviderStrategy") or [])
        equal(f"{prefix}: launch type or the service's capacity strategy",
              (parameters.get("LaunchType"), strategy),
              (None, sorted(service.capacity)) if service.capacity else ("FARGATE", []))
        network = (parameters.get("NetworkConfiguration") or {}).get("awsvpcConfiguration") or {}
        equal(f"{prefix}: the service's subnets", sorted(network.get("Subnets") or []), sorted(subnets))
        equal(f"{prefix}: the service's security groups", sorted(network.get("SecurityGroups") or []),
              sorted(groups))
        equal(f"{prefix}: public IP as the service's", network.get("AssignPublicIp"),
              "ENABLED" if service.public_ip else "DISABLED")

        definition = ecs.describe_task_definition(taskDefinition=parameters.get("TaskDefinitionArn"))
        task = definition["taskDefinition"]
        equal(f"{prefix}: task family", task["family"], schedule_name)
        equal(f"{prefix}: task roles are the service's", (task.get("taskRoleArn"), task.get("executionRoleArn")),
              (task_role, execution_role))
        equal(f"{prefix}: task size is the service's", (task.get("cpu"), task.get("memory")),
              (str(service.cpu), str(service.memory)))
        containers = task.get("containerDefinitions", [])
        equal(f"{prefix}: its one container", [c["name"] for c in containers], [job.container])
        base = next((c for c in service.containers if c.name == job.container), None)
        if containers and base is not None:
            entry = (["timeout", "-s", "TERM", str(job.timeout)] + (base.entrypoint or [])) \
                if job.timeout is not None else base.entrypoint
            equal(f"{prefix}: command, and its timeout as the entry point",
                  (containers[0].get("command"), containers[0].get("entryPoint") or None),
                  (job.command, entry or None))
            equal(f"{prefix}: the container's secrets",
                  sorted(s["name"] for s in containers[0].get("secrets", [])), sorted(base.secrets))

        # The role: Scheduler on behalf of this account; exactly the job's
        # task definition, its two roles and its queue.
        role = iam.get_role(RoleName=role_name)["Role"]
        trust = [s for s in as_list(policy(role["AssumeRolePolicyDocument"]).get("Statement"))
                 if s.get("Effect") == "Allow"]
        equal(f"{prefix}: scheduler role trust",
              [(s.get("Principal"), s.get("Action"), s.get("Condition")) for s in trust],
              [({"Service": "scheduler.amazonaws.com"}, "sts:AssumeRole",
                {"StringEquals": {"aws:SourceAccount": account}})])
        if verifier.pipeline.oidc is not None:
            verifier.boundary(stack, role_name)
        documents = [iam.get_role_policy(RoleName=role_name, PolicyName=p)["PolicyDocument"]
                     for p in iam.list_role_policies(RoleName=role_name)["PolicyNames"]]
        equal(f"{prefix}: scheduler role permissions (action -> resources)",
              {k: sorted(v) for k, v in permissions(documents).items()},
              {"ecs:RunTask": [f"arn:aws:ecs:{region}:{account}:task-definition/{schedule_name}:*"],
               "iam:PassRole": sorted([task_role, execution_role]),
               "sqs:SendMessage": [queue_arn]})
        conditions = {}
        for document in documents:
            for statement in as_list(policy(document).get("Statement")):
                for action in as_list(statement.get("Action")):
                    conditions[action] = statement.get("Condition")
        equal(f"{prefix}: RunTask only in the service's cluster, PassRole only to ECS tasks",
              (conditions.get("ecs:RunTask"), conditions.get("iam:PassRole")),
              ({"ArnEquals": {"ecs:cluster": cluster_arn}},
               {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}))
