"""The load balancer's edge, read back from moto: the custom domain (its ACM
certificate, the validation and alias records in the hosted zone, the HTTPS
listener's certificate) and the WAF web ACL (its rules, its association
with the load balancer, its logging)."""

from __future__ import annotations

from typing import Any

# ecspipe's names of the AWS managed rule groups (src/plan/names/edge.rs).
MANAGED = {
    "common": "AWSManagedRulesCommonRuleSet",
    "bad_inputs": "AWSManagedRulesKnownBadInputsRuleSet",
    "ip_reputation": "AWSManagedRulesAmazonIpReputationList",
    "anonymous_ip": "AWSManagedRulesAnonymousIpList",
    "sql": "AWSManagedRulesSQLiRuleSet",
    "linux": "AWSManagedRulesLinuxRuleSet",
    "unix": "AWSManagedRulesUnixRuleSet",
    "windows": "AWSManagedRulesWindowsRuleSet",
    "php": "AWSManagedRulesPHPRuleSet",
    "wordpress": "AWSManagedRulesWordPressRuleSet",
    "admin": "AWSManagedRulesAdminProtectionRuleSet",
}


# moto 5.2.1's ListCertificates fails (HTTP 500, KeyError 'Export') once a
# certificate was requested with `Options`, as the stack requests it; the
# certificate is found by the ARN in Terraform's state instead, and
# DescribeCertificate shows it is the domain's.
LIST_CERTIFICATES_GAP = ("moto's ListCertificates fails on a certificate requested with options (KeyError "
                         "'Export'); the domain's certificate is found by its ARN in Terraform's state")


def check_domain(name: str, client, checks, domain, lb: dict, https: dict, arn: str | None) -> None:
    check, equal = checks.check, checks.equal
    acm = client("acm")
    checks.workaround(LIST_CERTIFICATES_GAP, name)
    if not check(f"{name}: an ACM certificate for {domain.name} in the state", arn is not None, arn):
        return
    certificate = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    equal(f"{name}: certificate name and validation method",
          (certificate["DomainName"], certificate.get("DomainValidationOptions", [{}])[0].get("ValidationMethod")),
          (domain.name, "DNS"))
    equal(f"{name}: certificate issued (moto issues without looking at DNS)", certificate["Status"], "ISSUED")
    equal(f"{name}: certificate transparency logging",
          certificate.get("Options", {}).get("CertificateTransparencyLoggingPreference"), "ENABLED")
    equal(f"{name}: HTTPS listener serves the domain's certificate",
          [c["CertificateArn"] for c in https.get("Certificates", [])], [arn])

    route53 = client("route53")
    zone_name = domain.zone_name
    zones = [z for z in route53.list_hosted_zones()["HostedZones"]
             if (zone_name is not None and z["Name"].rstrip(".") == zone_name)
             or (zone_name is None and z["Id"].split("/")[-1] == domain.zone_id)]
    if not check(f"{name}: the hosted zone exists", len(zones) == 1, zones):
        return
    records = route53.list_resource_record_sets(HostedZoneId=zones[0]["Id"])["ResourceRecordSets"]
    alias = [r for r in records if r["Name"].rstrip(".") == domain.name and r["Type"] == "A"]
    equal(f"{name}: alias A record to the load balancer",
          [(r.get("AliasTarget", {}).get("DNSName", "").rstrip(".").lower(),
            r.get("AliasTarget", {}).get("EvaluateTargetHealth")) for r in alias],
          [(lb["DNSName"].lower(), True)])
    expected = {(o["ResourceRecord"]["Name"].rstrip("."), o["ResourceRecord"]["Type"])
                for o in certificate.get("DomainValidationOptions", []) if "ResourceRecord" in o}
    written = {(r["Name"].rstrip("."), r["Type"]) for r in records}
    check(f"{name}: the certificate's validation records are in the zone", bool(expected) and expected <= written,
          f"expected {sorted(expected)}, zone has {sorted(written)}")


def check_waf(name: str, client, checks, waf, infra_name: str, lb_arn: str) -> None:
    check, equal = checks.check, checks.equal
    wafv2 = client("wafv2")
    acls = [a for a in wafv2.list_web_acls(Scope="REGIONAL")["WebACLs"] if a["Name"] == infra_name]
    if not check(f"{name}: web ACL {infra_name} exists", len(acls) == 1, acls):
        return
    acl = wafv2.get_web_acl(Name=infra_name, Scope="REGIONAL", Id=acls[0]["Id"])["WebACL"]
    equal(f"{name}: web ACL default action", list(acl.get("DefaultAction", {})), ["Allow"])
    rules = sorted(acl.get("Rules", []), key=lambda r: r["Priority"])
    expected: list[tuple[Any, ...]] = []
    if waf.rate_limit is not None:
        expected.append(("rate-limit", 0, "rate", waf.rate_limit))
    first = len(expected)
    expected += [(MANAGED[g], first + i, "managed", "AWS") for i, g in enumerate(waf.managed)]

    def shape(rule: dict) -> tuple[Any, ...]:
        statement = rule.get("Statement", {})
        if "RateBasedStatement" in statement:
            return (rule["Name"], rule["Priority"], "rate", statement["RateBasedStatement"].get("Limit"))
        group = statement.get("ManagedRuleGroupStatement", {})
        return (rule["Name"], rule["Priority"], "managed", group.get("VendorName"))

    equal(f"{name}: web ACL rules (name, priority, kind, limit or vendor)", [shape(r) for r in rules], expected)
    check(f"{name}: every rule sends metrics and samples",
          all(r.get("VisibilityConfig", {}).get("CloudWatchMetricsEnabled")
              and r.get("VisibilityConfig", {}).get("SampledRequestsEnabled") for r in rules), rules)
    attached = wafv2.get_web_acl_for_resource(ResourceArn=lb_arn).get("WebACL", {})
    equal(f"{name}: web ACL associated with the load balancer", attached.get("ARN"), acl["ARN"])
    logging = wafv2.get_logging_configuration(ResourceArn=acl["ARN"]).get("LoggingConfiguration", {})
    destinations = logging.get("LogDestinationConfigs", [])
    check(f"{name}: web ACL logs to aws-waf-logs-{infra_name}",
          len(destinations) == 1 and destinations[0].rstrip(":*").endswith(f":log-group:aws-waf-logs-{infra_name}"),
          destinations)
