//! The Terraform infrastructure stack: network, endpoints, cluster, load
//! balancer, the application secret, and the handoff the service stacks read.

use std::collections::BTreeMap;

use serde::Serialize;

use super::edge::{DomainIr, WafIr};
use super::names::secret_variable;
use super::network::{egress, EgressIr};
use super::output::{Hcl, HclRef, Identifier, Template};
use super::terraform::{settings, Skip, TerraformSettings};
use crate::model::*;

/// A Terraform infrastructure stack.
#[derive(Debug, Clone, Serialize)]
pub struct InfraStack {
    /// Shared settings.
    #[serde(flatten)]
    pub settings: TerraformSettings,
    /// Default of `var.vpc_cidr`.
    pub vpc_cidr: String,
    /// Default of `var.zones`.
    pub zones: Hcl,
    /// Extra prefix bits of each subnet.
    pub subnet_bits: u8,
    /// Interface endpoints, by service suffix.
    pub interface_endpoints: Hcl,
    /// Whether there is an S3 gateway endpoint.
    pub s3_endpoint: bool,
    /// `none`, `single` or `per_zone`.
    pub nat: &'static str,
    /// The tasks' egress rules beyond the endpoints.
    pub egress: Option<EgressIr>,
    /// Container Insights.
    pub insights: bool,
    /// ECS Exec logging.
    pub exec_logging: bool,
    /// A Service Connect namespace, the cluster's default.
    pub service_connect: bool,
    /// Log retention in days.
    pub log_retention_days: u32,
    /// ECR repositories this stack owns.
    pub repositories: Hcl,
    /// Each repository's lifecycle: `{ repository, keep, untagged_days }`.
    pub lifecycles: Hcl,
    /// The tag prefix that keeps an image from expiring (`live-`).
    pub live_tag_prefix: &'static str,
    /// The load balancer.
    pub load_balancer: Option<LoadBalancerIr>,
    /// The application secret.
    pub secret: Option<SecretIr>,
    /// The EFS file system's throughput mode (`bursting`, `elastic`), if
    /// the stack makes one.
    pub file_system: Option<&'static str>,
    /// The SSM parameter the handoff is written to.
    pub handoff_parameter: Option<String>,
    /// The flow logs' log group retention, days.
    pub flow_log_retention_days: u32,
    /// The permissions boundary of the stack's roles: with an `oidc` block,
    /// the bootstrap's.
    pub permissions_boundary: Option<Hcl>,
    /// checkov checks skipped per resource, each with its reason. Every
    /// resource that may carry skips has an entry (maybe empty).
    pub skips: BTreeMap<&'static str, Vec<Skip>>,
}

/// The application secret of an infrastructure stack.
#[derive(Debug, Clone, Serialize)]
pub struct SecretIr {
    /// The name in the pipeline.
    pub name: String,
    /// The Secrets Manager name: `${var.name}/NAME`, or the exact name.
    pub resource_name: Hcl,
    /// `recovery_window_in_days`.
    pub recovery_days: u32,
    /// The Terraform variable carrying its value.
    pub variable: Identifier,
}

/// Resources of the infrastructure stack that may carry skips.
const SKIPPABLE: [&str; 14] = [
    "aws_cloudwatch_log_group.app",
    "aws_cloudwatch_log_group.flow_logs",
    "aws_cloudwatch_log_group.waf",
    "aws_ecs_cluster.main",
    "aws_eip.nat",
    "aws_lb.main",
    "aws_lb_listener.http",
    "aws_lb_listener.test",
    "aws_lb_target_group.service",
    "aws_lb_target_group.test",
    "aws_security_group.tasks",
    "aws_security_group_rule.load_balancer_http_in",
    "aws_secretsmanager_secret.app",
    "aws_wafv2_web_acl.main",
];

/// The checkov checks each accepted trade-off fails, by resource.
fn risk_checks(risk: Risk, lb: Option<&InfraLoadBalancer>) -> Vec<(&'static str, &'static str)> {
    match (risk, lb) {
        (Risk::PlainHttp, Some(lb)) => {
            let mut checks = vec![
                ("aws_lb_listener.http", "CKV_AWS_2"),
                ("aws_lb_listener.http", "CKV_AWS_103"),
                ("aws_lb.main", "CKV2_AWS_20"),
                ("aws_lb_target_group.service", "CKV_AWS_378"),
            ];
            if lb.test_port.is_some() {
                checks.extend([
                    ("aws_lb_listener.test", "CKV_AWS_2"),
                    ("aws_lb_listener.test", "CKV_AWS_103"),
                    ("aws_lb_target_group.test", "CKV_AWS_378"),
                ]);
            }
            // The check flags port 80 open to the world only.
            if lb.listener_port == 80 && lb.allow.iter().any(|cidr| cidr == "0.0.0.0/0") {
                checks.push(("aws_security_group_rule.load_balancer_http_in", "CKV_AWS_260"));
            }
            checks
        }
        (Risk::NoWaf, Some(_)) => vec![("aws_lb.main", "CKV2_AWS_28")],
        (Risk::NoAccessLogs, Some(_)) => vec![("aws_lb.main", "CKV_AWS_91")],
        (Risk::PlainHttp | Risk::NoWaf | Risk::NoAccessLogs, None) => Vec::new(),
        (Risk::ShortLogRetention, lb) => {
            let mut checks = vec![
                ("aws_cloudwatch_log_group.app", "CKV_AWS_338"),
                ("aws_cloudwatch_log_group.flow_logs", "CKV_AWS_338"),
            ];
            if lb.is_some_and(|lb| lb.waf.is_some()) {
                checks.push(("aws_cloudwatch_log_group.waf", "CKV_AWS_338"));
            }
            checks
        }
        (Risk::NoInsights, _) => vec![("aws_ecs_cluster.main", "CKV_AWS_65")],
        // No checkov check looks at exec logging; the acceptance is for
        // reviewers.
        (Risk::NoExecLogging, _) => Vec::new(),
    }
}

fn skips(infra: &Infra) -> BTreeMap<&'static str, Vec<Skip>> {
    let mut skips: BTreeMap<&'static str, Vec<Skip>> =
        SKIPPABLE.iter().map(|resource| (*resource, Vec::new())).collect();
    let mut add = |resource: &'static str, check: &'static str, reason: String| {
        skips.entry(resource).or_default().push(Skip { check, reason });
    };
    // The service stack attaches the group to the ECS service; checkov
    // scans each stack on its own and cannot see that.
    add(
        "aws_security_group.tasks",
        "CKV2_AWS_5",
        String::from("attached to the ECS service by the service stack, which checkov scans separately"),
    );
    // checkov knows EIPs on EC2 instances only, and follows `count` to the
    // first NAT gateway at most.
    if infra.nat != Nat::None {
        add(
            "aws_eip.nat",
            "CKV2_AWS_19",
            String::from("the address belongs to a NAT gateway (aws_nat_gateway.main), not to an EC2 instance"),
        );
    }
    if let Some(secret) = &infra.secret {
        add(
            "aws_secretsmanager_secret.app",
            "CKV2_AWS_57",
            format!("the pipeline sets the value from GitHub secret {} on every apply; rotate it there", secret.from),
        );
    }
    for (risk, reason) in &infra.accepted {
        for (resource, check) in risk_checks(*risk, infra.load_balancer.as_ref()) {
            add(resource, check, format!("accepted in the pipeline ({}): {reason}", risk.keyword()));
        }
    }
    if let Some(waf) = infra.load_balancer.as_ref().and_then(|lb| lb.waf.as_ref()) {
        if !waf.managed.contains(&ManagedRules::BadInputs) {
            add(
                "aws_wafv2_web_acl.main",
                "CKV_AWS_192",
                String::from(
                    "the pipeline's `waf managed [...]` leaves out bad_inputs, the group that blocks Log4j lookups",
                ),
            );
        }
        // The graph check asks for both groups, although bad_inputs alone
        // blocks the Log4j lookups it is named after.
        if !waf.managed.contains(&ManagedRules::AnonymousIp) || !waf.managed.contains(&ManagedRules::BadInputs) {
            add(
                "aws_lb.main",
                "CKV2_AWS_76",
                String::from("the web ACL runs the managed groups the pipeline lists; without anonymous_ip, which blocks clients behind VPNs, Tor and hosting providers, as ecspipe's default leaves out"),
            );
        }
    }
    if let Some(lb) = &infra.load_balancer {
        if lb.https() && lb.listener_port == 80 && lb.allow.iter().any(|cidr| cidr == "0.0.0.0/0") {
            add(
                "aws_security_group_rule.load_balancer_http_in",
                "CKV_AWS_260",
                String::from("port 80 only answers with a redirect to HTTPS"),
            );
        }
    }
    skips
}

/// The load balancer's settings.
#[derive(Debug, Clone, Serialize)]
pub struct LoadBalancerIr {
    /// `internal = !public`.
    pub internal: bool,
    /// Target port.
    pub target_port: u16,
    /// HTTP listener port.
    pub listener_port: u16,
    /// Health check path.
    pub health_path: String,
    /// Health check matcher.
    pub matcher: String,
    /// Deregistration delay, seconds.
    pub deregistration_seconds: u32,
    /// Healthy threshold.
    pub healthy_threshold: u32,
    /// Unhealthy threshold.
    pub unhealthy_threshold: u32,
    /// ACM certificate given by ARN.
    pub certificate: Option<String>,
    /// Whether the listeners speak HTTPS (a certificate, or a domain's).
    pub https: bool,
    /// The custom domain.
    pub domain: Option<DomainIr>,
    /// The web ACL.
    pub waf: Option<WafIr>,
    /// Allowed client CIDRs.
    pub allow: Hcl,
    /// S3 bucket for access logs.
    pub access_logs: Option<String>,
    /// The test listener's port, with a second target group, for
    /// blue/green deployments through CodeDeploy.
    pub test_port: Option<u16>,
}

pub(super) fn infra_stack(pipeline: &Pipeline, infra: &Infra) -> InfraStack {
    let interface: Vec<Hcl> = infra.endpoints.iter().filter(|e| *e != "s3").cloned().map(Hcl::Str).collect();
    InfraStack {
        permissions_boundary: super::boundary::permissions_boundary(pipeline),
        settings: settings(pipeline, &infra.stack, &infra.target.stage, &infra.state, &infra.name),
        vpc_cidr: infra.vpc_cidr.clone(),
        zones: Hcl::List(infra.zones.iter().cloned().map(Hcl::Str).collect()),
        subnet_bits: infra.subnet_bits,
        interface_endpoints: Hcl::List(interface),
        s3_endpoint: infra.endpoints.iter().any(|e| e == "s3"),
        nat: infra.nat.keyword(),
        egress: egress("tasks", &infra.egress),
        insights: infra.insights,
        exec_logging: infra.exec_logging,
        service_connect: infra.service_connect,
        log_retention_days: infra.log_retention_days,
        repositories: Hcl::List(infra.repositories.iter().cloned().map(Hcl::Str).collect()),
        lifecycles: Hcl::List(
            infra
                .repositories
                .iter()
                .map(|repository| {
                    let build = pipeline.builds.iter().find(|build| build.repository == *repository);
                    let lifecycle = build.map(|build| build.lifecycle).unwrap_or_default();
                    Hcl::object(vec![
                        ("repository", Hcl::str(repository.clone())),
                        ("keep", Hcl::Num(u64::from(lifecycle.keep))),
                        ("untagged_days", Hcl::Num(u64::from(lifecycle.untagged_days))),
                    ])
                })
                .collect(),
        ),
        live_tag_prefix: crate::plan::names::LIVE_TAG_PREFIX,
        load_balancer: infra.load_balancer.as_ref().map(|lb| LoadBalancerIr {
            internal: !lb.public,
            target_port: lb.target_port,
            listener_port: lb.listener_port,
            health_path: lb.health_path.clone(),
            matcher: lb.matcher.clone(),
            deregistration_seconds: lb.deregistration_seconds,
            healthy_threshold: lb.healthy_threshold,
            unhealthy_threshold: lb.unhealthy_threshold,
            certificate: lb.certificate.clone(),
            https: lb.https(),
            domain: lb.domain.as_ref().map(super::edge::domain),
            waf: lb.waf.as_ref().map(super::edge::waf),
            allow: Hcl::List(lb.allow.iter().cloned().map(Hcl::Str).collect()),
            access_logs: lb.access_logs.clone(),
            test_port: lb.test_port,
        }),
        secret: infra.secret.as_ref().map(|secret| SecretIr {
            name: secret.name.clone(),
            resource_name: match &secret.exact_name {
                Some(exact) => Hcl::Str(exact.clone()),
                None => {
                    Hcl::template(Template::new().interpolate(HclRef::fixed("var.name")).text("/").text(&secret.name))
                }
            },
            recovery_days: secret.recovery_days,
            variable: secret_variable(secret),
        }),
        file_system: infra.file_system.map(|fs| fs.throughput.keyword()),
        handoff_parameter: infra.handoff_parameter.clone(),
        flow_log_retention_days: infra.log_retention_days,
        skips: skips(infra),
    }
}
