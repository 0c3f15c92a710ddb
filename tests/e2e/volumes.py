"""Read-back of volumes: the infrastructure's EFS file system (encryption,
backup, mount targets, their security group, the file system policy) and a
service's volumes (access points, the task definition's volumes and mount
points, the task role's grants on them)."""

from __future__ import annotations

import json
from typing import Any


def file_system(checks, efs, ec2, name: str, infra, outputs: dict, private: list[str], tasks_group: str | None,
                key: str) -> str | None:
    """The file system an infra stack makes; returns its security group."""
    check, equal = checks.check, checks.equal
    fs_id = outputs.get("file_system_id", "-")
    found = efs.describe_file_systems(FileSystemId=fs_id)["FileSystems"]
    if not check(f"{name}: the handoff's file system exists", len(found) == 1, fs_id):
        return None
    described = found[0]
    equal(f"{name}: the file system is encrypted", described.get("Encrypted"), True)
    check(f"{name}: the file system is encrypted with the stack's key",
          described.get("KmsKeyId") in (key, key.rsplit("/", 1)[-1]), (described.get("KmsKeyId"), key))
    equal(f"{name}: the file system's throughput mode", described.get("ThroughputMode"), infra.file_system)
    checks.workaround("EFS: moto has no PutBackupPolicy (aws_efs_backup_policy) nor DeleteFileSystemPolicy "
                      "(destroying aws_efs_file_system_policy); tests/e2e/moto_patches adds both", name)
    backup = efs.describe_backup_policy(FileSystemId=fs_id)["BackupPolicy"]
    equal(f"{name}: the file system is backed up", backup.get("Status"), "ENABLED")

    targets = efs.describe_mount_targets(FileSystemId=fs_id)["MountTargets"]
    equal(f"{name}: a mount target in each private subnet", sorted(t["SubnetId"] for t in targets), sorted(private))
    groups = {g for t in targets
              for g in efs.describe_mount_target_security_groups(MountTargetId=t["MountTargetId"])["SecurityGroups"]}
    if not check(f"{name}: the mount targets share one security group", len(groups) == 1, groups):
        return None
    group_id = groups.pop()
    group = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    from checks import rules_of

    equal(f"{name}: the file system's group admits NFS from the tasks' group only",
          sorted(rules_of(group, "IpPermissions")), [("tcp", 2049, 2049, "security_group", tasks_group)])

    document = json.loads(efs.describe_file_system_policy(FileSystemId=fs_id)["Policy"])
    denials = {s.get("Sid"): s for s in document.get("Statement", []) if s.get("Effect") == "Deny"}
    allows = [s for s in document.get("Statement", []) if s.get("Effect") == "Allow"]
    equal(f"{name}: the file system policy grants nothing (clients need IAM grants of their own)", allows, [])
    without_tls = denials.get("DenyWithoutTls", {})
    equal(f"{name}: the file system policy denies requests without TLS",
          without_tls.get("Condition"), {"Bool": {"aws:SecureTransport": "false"}})
    outside = denials.get("DenyOutsideAccessPoints", {})
    equal(f"{name}: the file system policy denies mounts outside an access point",
          (sorted(_list(outside.get("Action"))), outside.get("Condition")),
          (["elasticfilesystem:ClientMount", "elasticfilesystem:ClientRootAccess", "elasticfilesystem:ClientWrite"],
           {"Null": {"elasticfilesystem:AccessPointArn": "true"}}))
    return group_id


def _list(value: Any) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def service_volumes(checks, efs, name: str, service, resolve, task: dict, definitions: dict) -> dict[str, str]:
    """A service's access points, its task definition's volumes and its
    containers' mount points; returns each volume's access point ARN."""
    check, equal = checks.check, checks.equal
    arns: dict[str, str] = {}
    configured = {v["name"]: v.get("efsVolumeConfiguration") or {} for v in task.get("volumes", [])}
    equal(f"{name}: task definition volumes", sorted(configured), sorted(v.name for v in service.volumes))
    for volume in service.volumes:
        prefix = f"{name}: volume {volume.name}"
        fs_id = resolve(volume.file_system)
        config = configured.get(volume.name, {})
        authorization = config.get("authorizationConfig") or {}
        equal(f"{prefix}: file system, TLS and IAM",
              (config.get("fileSystemId"), config.get("transitEncryption"), authorization.get("iam")),
              (fs_id, "ENABLED", "ENABLED"))
        points = efs.describe_access_points(AccessPointId=authorization.get("accessPointId", "-"))["AccessPoints"] \
            if authorization.get("accessPointId") else []
        if not check(f"{prefix}: its access point exists", len(points) == 1, authorization):
            continue
        point = points[0]
        arns[volume.name] = point["AccessPointArn"]
        equal(f"{prefix}: the access point is on the file system", point["FileSystemId"], fs_id)
        equal(f"{prefix}: the access point's user", point.get("PosixUser"), {"Uid": volume.user, "Gid": volume.user})
        root = point.get("RootDirectory") or {}
        equal(f"{prefix}: the access point's directory and its creation",
              (root.get("Path"), root.get("CreationInfo")),
              (volume.path, {"OwnerUid": volume.user, "OwnerGid": volume.user, "Permissions": "0750"}))
    for container in service.containers:
        actual = definitions.get(container.name) or {}
        equal(f"{name}: container {container.name} mount points",
              [(m.get("sourceVolume"), m.get("containerPath"), m.get("readOnly")) for m in
               actual.get("mountPoints", [])], [tuple(m) for m in container.mounts])
    return arns


def mount_grants(checks, name: str, service, resolve, documents: list[Any], arns: dict[str, str], region: str,
                 account: str) -> dict[str, set[str]]:
    """The task role's grants on the volumes' file systems: each conditioned
    on its volume's access point. Returns them as action -> resources."""
    from checks import as_list, policy

    expected: dict[str, set[str]] = {}
    statements = [s for d in documents for s in as_list(policy(d).get("Statement"))]
    for volume in service.volumes:
        arn = f"arn:aws:elasticfilesystem:{region}:{account}:file-system/{resolve(volume.file_system)}"
        actions = ["elasticfilesystem:ClientMount"] + ([] if volume.readonly else ["elasticfilesystem:ClientWrite"])
        for action in actions:
            expected.setdefault(action, set()).add(arn)
        granted = [s for s in statements if arn in as_list(s.get("Resource"))]
        checks.equal(f"{name}: volume {volume.name}: the task role mounts it through its access point only",
                     [(sorted(as_list(s.get("Action"))), s.get("Condition")) for s in granted],
                     [(sorted(actions), {"StringEquals": {"elasticfilesystem:AccessPointArn": arns.get(volume.name)}})])
    return expected
