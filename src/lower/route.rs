//! A service's own route through a shared load balancer: its target group
//! and the listener rule that forwards to it, in the service stack.

use serde::Serialize;

use super::containers::{handoff, scalar};
use super::output::Hcl;
use super::terraform::Skip;
use crate::model::*;

/// The service stack's `aws_lb_target_group.service` and
/// `aws_lb_listener_rule.service`.
#[derive(Debug, Clone, Serialize)]
pub struct RouteIr {
    /// The listener the rule attaches to.
    pub listener: Hcl,
    /// The VPC of the target group.
    pub vpc: Hcl,
    /// The rule's priority.
    pub priority: u32,
    /// Path patterns, if any.
    pub paths: Option<Hcl>,
    /// Host patterns, if any.
    pub hosts: Option<Hcl>,
    /// The container port the targets listen on.
    pub port: u16,
    /// Health check path.
    pub health_path: String,
    /// Health check matcher.
    pub matcher: String,
    /// Healthy threshold.
    pub healthy_threshold: u32,
    /// Unhealthy threshold.
    pub unhealthy_threshold: u32,
    /// Deregistration delay, seconds.
    pub deregistration_seconds: u32,
    /// Cookie duration when sticky, seconds.
    pub stickiness_seconds: Option<u32>,
    /// Slow start, seconds (0: off).
    pub slow_start_seconds: u32,
    /// checkov checks the target group skips, with reasons.
    pub target_group_skips: Vec<Skip>,
}

pub(super) fn route(pipeline: &Pipeline, deploy: &Deploy, route: &Route, port: u16) -> RouteIr {
    let patterns = |items: &[String]| (!items.is_empty()).then(|| Hcl::strings(items));
    RouteIr {
        listener: scalar(&route.listener),
        vpc: handoff("vpc_id"),
        priority: route.priority,
        paths: patterns(&route.paths),
        hosts: patterns(&route.hosts),
        port,
        health_path: route.health_path.clone(),
        matcher: route.matcher.clone(),
        healthy_threshold: route.healthy_threshold,
        unhealthy_threshold: route.unhealthy_threshold,
        deregistration_seconds: route.deregistration_seconds,
        stickiness_seconds: route.stickiness_seconds,
        slow_start_seconds: route.slow_start_seconds,
        target_group_skips: vec![Skip { check: "CKV_AWS_378", reason: http_reason(pipeline, deploy) }],
    }
}

/// Why the target group speaks HTTP: checkov looks for an HTTPS listener
/// beside it, and the listener is in the infrastructure's stack.
fn http_reason(pipeline: &Pipeline, deploy: &Deploy) -> String {
    let own = match &deploy.infra {
        InfraSource::Stack { stack, .. } => pipeline.infras.iter().find(|infra| &infra.stack == stack),
        _ => None,
    };
    let plain = own.and_then(|infra| {
        let lb = infra.load_balancer.as_ref()?;
        let (_, reason) = infra.accepted.iter().find(|(risk, _)| *risk == Risk::PlainHttp)?;
        (!lb.https()).then_some(reason)
    });
    match plain {
        Some(reason) => format!("accepted in the pipeline ({}): {reason}", Risk::PlainHttp.keyword()),
        None => String::from(
            "TLS ends at the infrastructure stack's HTTPS listener, which this rule attaches to; checkov scans each stack separately",
        ),
    }
}
