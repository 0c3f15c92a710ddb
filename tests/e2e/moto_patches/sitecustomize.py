"""Loaded by the moto server the end-to-end run starts (its PYTHONPATH
names this directory; see runner.py): what moto lacks for a call the
generated workflow makes, added only while moto lacks it.

- RunTask of a Fargate (`awsvpc`) task: moto attaches a network interface
  and reads its `private_dns_name`, which moto's NetworkInterface does not
  have (AttributeError, answered with HTTP 500). The one-off task steps run
  tasks so; the name added is the one EC2 gives (`ip-10-0-0-5.<region>
  .compute.internal`).
- PutBackupPolicy and DeleteFileSystemPolicy of an EFS file system, and
  CodeDeploy's missing calls (below).
- SQS `RedriveAllowPolicy`: moto keeps it nowhere GetQueueAttributes reads
  (and refuses the name when asked for it alone), so the provider waits for
  it for ever; and a SetQueueAttributes without `Policy` drops the queue's
  policy, which AWS keeps. A queue worker's dead-letter queue sets the one
  and has the other. The attribute is kept and returned, and a policy is
  kept unless the call sets one. moto also writes `RedrivePolicy` with
  spaces after `:` and `,`, where SQS writes it compact; the provider then
  plans a change after every apply. It is written compact."""

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


# CodeDeploy (blue/green services): moto 5 has applications, deployment
# groups and deployments, but no deployment configurations, no deletes, no
# StopDeployment, and its deployments stay `Created`. Added here: the
# configurations (Create/Get/Delete), DeleteApplication and
# DeleteDeploymentGroup, StopDeployment, and a deployment that goes
# `InProgress` and then `Succeeded` on later reads, and its times as the
# numbers CodeDeploy answers with (moto writes ISO strings, which the
# provider's SDK cannot read) (moto moves no traffic:
# the listeners and task sets are not touched; the failing ends of the
# workflow's step run against stand-ins, test_codedeploy_script.py).
try:
    from moto.codedeploy.responses import CodeDeployResponse
    from moto.codedeploy.models import CodeDeployBackend
except ImportError:  # another moto layout: nothing to patch
    CodeDeployResponse = None

if CodeDeployResponse is not None and not hasattr(CodeDeployResponse, "create_deployment_config"):
    import json as _json
    import uuid as _uuid

    def _configs(backend):
        return backend.__dict__.setdefault("_e2e_configs", {})

    def _error(kind, message):
        from moto.core.exceptions import JsonRESTError
        raise JsonRESTError(kind, message)

    def create_deployment_config(self):
        name = self._get_param("deploymentConfigName")
        configs = _configs(self.codedeploy_backend)
        if name in configs:
            _error("DeploymentConfigAlreadyExistsException", f"{name} exists")
        configs[name] = {
            "deploymentConfigId": str(_uuid.uuid4()),
            "deploymentConfigName": name,
            "computePlatform": self._get_param("computePlatform") or "Server",
            "trafficRoutingConfig": self._get_param("trafficRoutingConfig") or {},
            "createTime": 0,
        }
        return _json.dumps({"deploymentConfigId": configs[name]["deploymentConfigId"]})

    def get_deployment_config(self):
        name = self._get_param("deploymentConfigName")
        config = _configs(self.codedeploy_backend).get(name)
        if config is None:
            _error("DeploymentConfigDoesNotExistException", f"{name} does not exist")
        return _json.dumps({"deploymentConfigInfo": config})

    def delete_deployment_config(self):
        _configs(self.codedeploy_backend).pop(self._get_param("deploymentConfigName"), None)
        return "{}"

    def delete_deployment_group(self):
        groups = self.codedeploy_backend.deployment_groups.get(self._get_param("applicationName"), {})
        groups.pop(self._get_param("deploymentGroupName"), None)
        return _json.dumps({"hooksNotCleanedUp": []})

    def delete_application(self):
        name = self._get_param("applicationName")
        self.codedeploy_backend.applications.pop(name, None)
        self.codedeploy_backend.deployment_groups.pop(name, None)
        return "{}"

    def stop_deployment(self):
        deployment = self.codedeploy_backend.get_deployment(self._get_param("deploymentId"))
        deployment.status = "Stopped"
        return _json.dumps({"status": "Pending", "statusMessage": "stopping"})

    _get_deployment = CodeDeployBackend.get_deployment

    def get_deployment(self, deployment_id):
        deployment = _get_deployment(self, deployment_id)
        reads = deployment.__dict__.get("_e2e_reads", 0) + 1
        deployment.__dict__["_e2e_reads"] = reads
        if deployment.status in ("Created", "InProgress"):
            deployment.status = "Succeeded" if reads >= 2 else "InProgress"
        return deployment

    from datetime import datetime as _datetime
    from moto.codedeploy.models import Application as _Application, DeploymentInfo as _DeploymentInfo

    def _epoch(value):
        if isinstance(value, str):
            return _datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        return value

    def _numeric_times(to_dict):
        def patched(self):
            answer = to_dict(self)
            for key in ("createTime", "startTime", "completeTime"):
                if answer.get(key) is not None:
                    answer[key] = _epoch(answer[key])
            return answer
        return patched

    _Application.to_dict = _numeric_times(_Application.to_dict)
    _DeploymentInfo.to_dict = _numeric_times(_DeploymentInfo.to_dict)

    for _method in (create_deployment_config, get_deployment_config, delete_deployment_config,
                    delete_deployment_group, delete_application, stop_deployment):
        setattr(CodeDeployResponse, _method.__name__, _method)
    CodeDeployBackend.get_deployment = get_deployment


try:
    from moto.sqs.models import Queue
except ImportError:  # another moto layout: nothing to patch
    Queue = None

if Queue is not None and "RedriveAllowPolicy" not in Queue.BASE_ATTRIBUTES:
    Queue.BASE_ATTRIBUTES = [*Queue.BASE_ATTRIBUTES, "RedriveAllowPolicy"]
    Queue.redrive_allow_policy = None
    _set_attributes = Queue._set_attributes

    def _set_attributes_keeping_policy(self, attributes, now=None):
        policy = getattr(self, "policy", None)
        _set_attributes(self, attributes, now)
        if "Policy" not in attributes:
            self.policy = policy
        if attributes.get("RedriveAllowPolicy") == "":  # removed, as the provider's delete does
            self.redrive_allow_policy = None

    Queue._set_attributes = _set_attributes_keeping_policy
    _attributes = Queue.attributes

    def _compact_attributes(self):
        result = _attributes.fget(self)
        if result.get("RedrivePolicy"):
            import json

            result["RedrivePolicy"] = json.dumps(json.loads(result["RedrivePolicy"]), separators=(",", ":"))
        return result

    Queue.attributes = property(_compact_attributes)
