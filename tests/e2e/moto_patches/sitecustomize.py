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

if NetworkInterface is not None and not hasattr(NetworkInterface, "private_dns_name"):
    NetworkInterface.private_dns_name = property(
        lambda self: "ip-" + str(self.private_ip_address).replace(".", "-") + "."
        + self.ec2_backend.region_name + ".compute.internal")
