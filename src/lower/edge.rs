//! The load balancer's edge in the infrastructure stack: a custom domain
//! (its ACM certificate, validated in DNS, and the alias record) and the
//! WAF web ACL in front of the listeners.

use serde::Serialize;

use crate::model::*;
use crate::plan::names;

/// `domain NAME zone ZONE`: the hosted zone is read, never managed.
#[derive(Debug, Clone, Serialize)]
pub struct DomainIr {
    /// The name the certificate and the alias record are for.
    pub name: String,
    /// The hosted zone's id, when the pipeline gives it.
    pub zone_id: Option<String>,
    /// The public hosted zone's name, when the pipeline gives that instead.
    pub zone_name: Option<String>,
}

/// The web ACL on the load balancer.
#[derive(Debug, Clone, Serialize)]
pub struct WafIr {
    /// The rate-based rule's limit per client address and five minutes.
    pub rate_limit: Option<u32>,
    /// The rate-based rule's name.
    pub rate_rule: &'static str,
    /// The managed rule groups, in the order they are evaluated.
    pub managed: Vec<ManagedRulesIr>,
}

/// One AWS managed rule group in the web ACL.
#[derive(Debug, Clone, Serialize)]
pub struct ManagedRulesIr {
    /// The group's (and the rule's) name.
    pub name: &'static str,
    /// The group's vendor.
    pub vendor: &'static str,
    /// The rule's priority: after the rate limit, in the order written.
    pub priority: u32,
}

pub(super) fn domain(domain: &Domain) -> DomainIr {
    let (zone_id, zone_name) = match &domain.zone {
        Zone::Id(id) => (Some(id.clone()), None),
        Zone::Name(name) => (None, Some(name.clone())),
    };
    DomainIr { name: domain.name.clone(), zone_id, zone_name }
}

pub(super) fn waf(waf: &Waf) -> WafIr {
    let first = u32::from(waf.rate_limit.is_some());
    WafIr {
        rate_limit: waf.rate_limit,
        rate_rule: names::WAF_RATE_RULE,
        managed: waf
            .managed
            .iter()
            .zip(first..)
            .map(|(rules, priority)| ManagedRulesIr {
                name: names::managed_rule_group(*rules),
                vendor: names::WAF_MANAGED_VENDOR,
                priority,
            })
            .collect(),
    }
}
