"""Read back a worker's queue after the apply: both queues (FIFO, visibility,
retention, redrive and redrive-allow policies, SSE-SQS or the stack's KMS
key with rotation, the TLS-only queue policy), and the target tracking
policy on the backlog per task (metric math over the queue's visible
messages and Container Insights' running tasks).
"""

from __future__ import annotations

import json
from typing import Any

#: What the task role may do with its queue, and nothing else in SQS.
CONSUME = ("sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage")
#: What the task role may do with the queue's key, with KMS.
DECRYPT = ("kms:Decrypt", "kms:GenerateDataKey")
#: SQS's longest retention, the dead-letter queue's.
FOURTEEN_DAYS = 14 * 86400


def queue_path(url: str | None) -> str | None:
    """A queue URL without its scheme and host: `/ACCOUNT/NAME`."""
    return None if url is None else "/" + url.split("://", 1)[-1].split("/", 1)[-1]


def queue_names(service) -> dict[str, str]:
    queue = service.queue
    suffix = ".fifo" if queue.fifo else ""
    return {"queue": f"{service.name}-{queue.name}{suffix}", "dead_letter": f"{service.name}-{queue.name}-dlq{suffix}"}


def read_queue(verifier, stack, service) -> dict[str, Any]:
    """Checks both queues; returns the queue's `url`, `arn`, `name` and the
    `key` ARN (with KMS) for the container and role checks."""
    queue = service.queue
    name = stack.name
    check, equal = verifier.checks.check, verifier.checks.equal
    verifier.checks.workaround("SQS: moto keeps no RedriveAllowPolicy, drops a queue's Policy on a "
                               "SetQueueAttributes without one and writes RedrivePolicy with spaces "
                               "(tests/e2e/moto_patches keeps both and writes it compact, as AWS does)", name)
    sqs = verifier.client(stack, "sqs")
    names = queue_names(service)
    found: dict[str, tuple[str, dict]] = {}
    for label, queue_name in (("the", names["queue"]), ("the dead-letter", names["dead_letter"])):
        urls = sqs.list_queues(QueueNamePrefix=queue_name).get("QueueUrls", [])
        url = next((u for u in urls if u.rsplit("/", 1)[-1] == queue_name), None)
        if not check(f"{name}: {label} queue {queue_name} exists", url is not None, urls):
            return {}
        found[label] = (url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"])
    (url, attributes), (_, dead) = found["the"], found["the dead-letter"]
    arn, dead_arn = attributes["QueueArn"], dead["QueueArn"]
    fifo = lambda a: a.get("FifoQueue") == "true"  # noqa: E731
    equal(f"{name}: queue FIFO (queue, dead-letter queue)", (fifo(attributes), fifo(dead)), (queue.fifo, queue.fifo))
    equal(f"{name}: queue visibility timeout", int(attributes.get("VisibilityTimeout", -1)), queue.visibility)
    equal(f"{name}: queue retention (queue, dead-letter queue)",
          (int(attributes.get("MessageRetentionPeriod", -1)), int(dead.get("MessageRetentionPeriod", -1))),
          (queue.retention, FOURTEEN_DAYS))
    redrive = json.loads(attributes.get("RedrivePolicy") or "{}")
    equal(f"{name}: queue redrive policy (dead-letter queue, receives)",
          (redrive.get("deadLetterTargetArn"), int(redrive.get("maxReceiveCount", -1))), (dead_arn, queue.max_receives))
    allow = json.loads(dead.get("RedriveAllowPolicy") or "{}")
    equal(f"{name}: dead-letter queue's redrive allow policy", allow,
          {"redrivePermission": "byQueue", "sourceQueueArns": [arn]})
    key = None
    if queue.kms:
        key = verifier.state_attributes(stack, "aws_kms_key", "queue").get("arn")
        equal(f"{name}: queues encrypted with the stack's key (queue, dead-letter queue)",
              (attributes.get("KmsMasterKeyId"), dead.get("KmsMasterKeyId")), (key, key))
        kms = verifier.client(stack, "kms")
        equal(f"{name}: the queues' key rotates", kms.get_key_rotation_status(KeyId=key).get("KeyRotationEnabled"),
              True)
    else:
        equal(f"{name}: queues encrypted with SSE-SQS (queue, dead-letter queue)",
              (attributes.get("SqsManagedSseEnabled"), dead.get("SqsManagedSseEnabled"), attributes.get(
                  "KmsMasterKeyId")), ("true", "true", None))
    for label, (resource, attrs) in (("queue", (arn, attributes)), ("dead-letter queue", (dead_arn, dead))):
        document = json.loads(attrs.get("Policy") or "{}")
        statements = document.get("Statement", [])
        statements = statements if isinstance(statements, list) else [statements]
        equal(f"{name}: {label} policy denies requests without TLS",
              [(s.get("Effect"), s.get("Principal"), s.get("Action"), s.get("Resource"), s.get("Condition"))
               for s in statements],
              [("Deny", "*", "sqs:*", resource, {"Bool": {"aws:SecureTransport": "false"}})])
    return {"url": url, "arn": arn, "name": names["queue"], "key": key}


def expected_grants(service, queue: dict[str, Any]) -> dict[str, set[str]]:
    """The task role's grants for its queue: consume it; with KMS, use its key."""
    if service.queue is None or not queue:
        return {}
    grants = {action: {queue["arn"]} for action in CONSUME}
    if service.queue.kms:
        grants.update({action: {queue["key"]} for action in DECRYPT})
    return grants


def backlog_policy(verifier, stack, service, policies: list[dict], cluster: str) -> dict[str, Any] | None:
    """The backlog policy as AWS (or, where moto keeps no metrics, Terraform's
    state) holds it: (type, target, cooldowns, metrics)."""
    name = stack.name
    custom = [p for p in policies
              if "CustomizedMetricSpecification" in p.get("TargetTrackingScalingPolicyConfiguration", {})]
    if not verifier.checks.check(f"{name}: one policy on a customized metric", len(custom) == 1, custom):
        return None
    config = custom[0]["TargetTrackingScalingPolicyConfiguration"]
    metrics = config["CustomizedMetricSpecification"].get("Metrics")
    if not metrics:
        verifier.checks.workaround("moto's PutScalingPolicy keeps no metrics of a customized metric "
                                   "specification; they are compared in Terraform's state", name)
        state = verifier.state_attributes(stack, "aws_appautoscaling_policy", "backlog")
        spec = state["target_tracking_scaling_policy_configuration"][0]["customized_metric_specification"][0]
        metrics = [{
            "Id": m["id"], "Expression": m.get("expression") or None, "ReturnData": m["return_data"],
            "MetricStat": None if not m.get("metric_stat") else {
                "Stat": m["metric_stat"][0]["stat"],
                "Metric": {
                    "Namespace": m["metric_stat"][0]["metric"][0]["namespace"],
                    "MetricName": m["metric_stat"][0]["metric"][0]["metric_name"],
                    "Dimensions": [{"Name": d["name"], "Value": d["value"]}
                                   for d in m["metric_stat"][0]["metric"][0]["dimensions"]],
                }},
        } for m in spec["metrics"]]
    summary = sorted(
        (m["Id"], m.get("Expression"), bool(m.get("ReturnData", True)),
         None if not m.get("MetricStat") else (
             m["MetricStat"]["Metric"]["Namespace"], m["MetricStat"]["Metric"]["MetricName"],
             tuple(sorted((d["Name"], d["Value"]) for d in m["MetricStat"]["Metric"].get("Dimensions", []))),
             m["MetricStat"]["Stat"]))
        for m in metrics)
    return {"type": custom[0].get("PolicyType"), "target": config.get("TargetValue"),
            "cooldowns": (config.get("ScaleInCooldown"), config.get("ScaleOutCooldown")), "metrics": summary}


def expected_backlog(service, cluster: str) -> dict[str, Any]:
    scale = service.scale
    queue_name = queue_names(service)["queue"]
    cluster_name = cluster.rsplit("/", 1)[-1]
    return {
        "type": "TargetTrackingScaling", "target": float(scale.backlog),
        "cooldowns": (scale.cooldown_in, scale.cooldown_out),
        "metrics": sorted([
            ("backlog_per_task", "messages / tasks", True, None),
            ("messages", None, False,
             ("AWS/SQS", "ApproximateNumberOfMessagesVisible", (("QueueName", queue_name),), "Sum")),
            ("tasks", None, False,
             ("ECS/ContainerInsights", "RunningTaskCount",
              (("ClusterName", cluster_name), ("ServiceName", service.name)), "Average")),
        ]),
    }
