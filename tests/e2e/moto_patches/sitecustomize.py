"""Loaded by the moto server the end-to-end run starts (its PYTHONPATH
names this directory; see runner.py): what moto lacks for a call the
generated workflow makes, added only while moto lacks it.

- RunTask of a Fargate (`awsvpc`) task: moto attaches a network interface
  and reads its `private_dns_name`, which moto's NetworkInterface does not
  have (AttributeError, answered with HTTP 500). The one-off task steps run
  tasks so; the name added is the one EC2 gives (`ip-10-0-0-5.<region>
  .compute.internal`)."""

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
