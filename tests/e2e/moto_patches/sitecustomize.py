"""Loaded by the moto server the end-to-end run starts (its PYTHONPATH
names this directory; see runner.py): what moto lacks for a call the
generated workflow makes, added only while moto lacks it.

- RunTask of a Fargate (`awsvpc`) task: moto attaches a network interface
  and reads its `private_dns_name`, which moto's NetworkInterface does not
  have (AttributeError, answered with HTTP 500). The one-off task steps run
  tasks so; the name added is the one EC2 gives (`ip-10-0-0-5.<region>
  .compute.internal`).
- PutBackupPolicy and DeleteFileSystemPolicy of an EFS file system (below)."""

try:
    from moto.ec2.models.elastic_network_interfaces import NetworkInterface
except ImportError:  # another moto layout: nothing to patch
    NetworkInterface = None

# moto itself sets the name on interfaces in VPCs with DNS hostnames (the
# VPC endpoints' and NAT gateways' interfaces): the property keeps what it
# sets and makes up the name only where moto set none.
def _private_dns_name(self):
    return self.__dict__.get("_private_dns_name") or (
        "ip-" + str(self.private_ip_address).replace(".", "-") + "."
        + self.ec2_backend.region_name + ".compute.internal")


def _set_private_dns_name(self, value):
    self.__dict__["_private_dns_name"] = value


if NetworkInterface is not None and not hasattr(NetworkInterface, "private_dns_name"):
    NetworkInterface.private_dns_name = property(_private_dns_name, _set_private_dns_name)


# - DeleteFileSystemPolicy (EFS), which destroying `aws_efs_file_system_policy`
#   calls: moto has none (HTTP 500); the policy is removed.
# - PutBackupPolicy (EFS): moto answers DescribeBackupPolicy but has no
#   PutBackupPolicy, which `aws_efs_backup_policy` calls; the policy put is
#   kept and DescribeBackupPolicy answers it (`DISABLED` too, which moto's
#   own answer cannot express).
try:
    import json as _json

    from moto.efs.responses import EFSResponse
except ImportError:  # another moto layout: nothing to patch
    EFSResponse = None


def _put_backup_policy(self):
    file_system_id = self._get_param("FileSystemId")
    policy = self._get_param("BackupPolicy")
    file_system = self.efs_backend.file_systems_by_id[file_system_id]
    file_system.__dict__["_backup_policy_put"] = policy
    file_system._backup = policy.get("Status") == "ENABLED"
    return _json.dumps({"BackupPolicy": policy}), {"Content-Type": "application/json"}


def _describe_backup_policy(self):
    file_system_id = self._get_param("FileSystemId")
    file_system = self.efs_backend.file_systems_by_id.get(file_system_id)
    put = file_system.__dict__.get("_backup_policy_put") if file_system is not None else None
    if put is None:
        return _describe_backup_policy_of_moto(self)
    return _json.dumps({"BackupPolicy": put}), {"Content-Type": "application/json"}


def _delete_file_system_policy(self):
    file_system_id = self._get_param("FileSystemId")
    self.efs_backend.file_systems_by_id[file_system_id].file_system_policy = None
    return "{}", {"status": 200, "Content-Type": "application/json"}


if EFSResponse is not None and not hasattr(EFSResponse, "delete_file_system_policy"):
    EFSResponse.delete_file_system_policy = _delete_file_system_policy

if EFSResponse is not None and not hasattr(EFSResponse, "put_backup_policy"):
    _describe_backup_policy_of_moto = EFSResponse.describe_backup_policy
    EFSResponse.put_backup_policy = _put_backup_policy
    EFSResponse.describe_backup_policy = _describe_backup_policy
