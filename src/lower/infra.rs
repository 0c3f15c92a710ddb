//! The Terraform infrastructure stack (REFERENCE.md, "Terraform infra/").

use serde::Serialize;

use super::service::{settings, TerraformSettings};
use super::{secret_variable, Hcl};
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
    /// Container Insights.
    pub insights: bool,
    /// ECS Exec logging.
    pub exec_logging: bool,
    /// Log retention in days.
    pub log_retention_days: u32,
    /// ECR repositories this stack owns.
    pub repositories: Hcl,
    /// The load balancer.
    pub load_balancer: Option<LoadBalancerIr>,
    /// The secret: (resource name suffix, variable name).
    pub secret: Option<(String, String)>,
    /// The SSM parameter the handoff is written to.
    pub handoff_parameter: Option<String>,
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
    /// ACM certificate.
    pub certificate: Option<String>,
    /// Allowed client CIDRs.
    pub allow: Hcl,
}

pub(super) fn infra_stack(pipeline: &Pipeline, infra: &Infra) -> InfraStack {
    let interface: Vec<Hcl> = infra.endpoints.iter().filter(|e| *e != "s3").cloned().map(Hcl::Str).collect();
    InfraStack {
        settings: settings(pipeline, &infra.stack, &infra.target.stage, &infra.state, &infra.name),
        vpc_cidr: infra.vpc_cidr.clone(),
        zones: Hcl::List(infra.zones.iter().cloned().map(Hcl::Str).collect()),
        subnet_bits: infra.subnet_bits,
        interface_endpoints: Hcl::List(interface),
        s3_endpoint: infra.endpoints.iter().any(|e| e == "s3"),
        insights: infra.insights,
        exec_logging: infra.exec_logging,
        log_retention_days: infra.log_retention_days,
        repositories: Hcl::List(infra.repositories.iter().cloned().map(Hcl::Str).collect()),
        load_balancer: infra.load_balancer.as_ref().map(|lb| LoadBalancerIr {
            internal: !lb.public,
            target_port: lb.target_port,
            listener_port: lb.listener_port,
            health_path: lb.health_path.clone(),
            certificate: lb.certificate.clone(),
            allow: Hcl::List(lb.allow.iter().cloned().map(Hcl::Str).collect()),
        }),
        secret: infra.secret.as_ref().map(|secret| (secret.name.clone(), secret_variable(secret))),
        handoff_parameter: infra.handoff_parameter.clone(),
    }
}
