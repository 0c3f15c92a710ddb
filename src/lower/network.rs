//! Egress rules as Terraform sees them: one `aws_security_group_rule` per
//! kind of destination, with one `for_each` entry per port range and
//! destination, keyed by what the pipeline says (`tcp 5432 to 10.20.0.0/16`).

use serde::Serialize;

use super::output::{Hcl, Identifier};
use crate::model::{Egress, EgressTarget};

/// The egress rules of one security group.
#[derive(Debug, Clone, Serialize)]
pub struct EgressIr {
    /// The label of the `aws_security_group` the rules belong to.
    pub group: Identifier,
    /// The rules, by kind of destination; kinds without rules are left out.
    pub kinds: Vec<EgressKind>,
}

/// The rules to one kind of destination.
#[derive(Debug, Clone, Serialize)]
pub struct EgressKind {
    /// The resource label's suffix: `cidr`, `prefix_list`, `security_group`.
    pub label: &'static str,
    /// The attribute naming the destination.
    pub attribute: &'static str,
    /// Whether the attribute is a list (`cidr_blocks`, `prefix_list_ids`).
    pub list: bool,
    /// The rules.
    pub rules: Vec<EgressRuleIr>,
}

/// One port range to one destination.
#[derive(Debug, Clone, Serialize)]
pub struct EgressRuleIr {
    /// The `for_each` key, which the rule's description repeats.
    pub key: Hcl,
    /// `tcp` or `udp`.
    pub protocol: &'static str,
    /// First port.
    pub from_port: u16,
    /// Last port.
    pub to_port: u16,
    /// The CIDR block, prefix list or security group.
    pub target: Hcl,
    /// Why a rule to any address was accepted.
    pub reason: Option<String>,
}

/// The rules of `group`, or `None` without any.
pub(super) fn egress(group: &'static str, rules: &[Egress]) -> Option<EgressIr> {
    let mut kinds = vec![
        EgressKind { label: "cidr", attribute: "cidr_blocks", list: true, rules: Vec::new() },
        EgressKind { label: "prefix_list", attribute: "prefix_list_ids", list: true, rules: Vec::new() },
        EgressKind { label: "security_group", attribute: "source_security_group_id", list: false, rules: Vec::new() },
    ];
    let mut keys: Vec<String> = Vec::new();
    for rule in rules {
        let ports = if rule.from_port == rule.to_port {
            rule.from_port.to_string()
        } else {
            format!("{}-{}", rule.from_port, rule.to_port)
        };
        for target in &rule.to {
            let (index, value) = match target {
                EgressTarget::Cidr(cidr) => (0, cidr),
                EgressTarget::PrefixList(id) => (1, id),
                EgressTarget::SecurityGroup(id) => (2, id),
            };
            let key = format!("{} {ports} to {value}", rule.protocol.keyword());
            // The same port range to the same destination, written twice,
            // is one rule (AWS refuses duplicates).
            if keys.contains(&key) {
                continue;
            }
            keys.push(key.clone());
            kinds[index].rules.push(EgressRuleIr {
                key: Hcl::Str(key),
                protocol: rule.protocol.keyword(),
                from_port: rule.from_port,
                to_port: rule.to_port,
                target: Hcl::Str(value.clone()),
                reason: rule.accepted.clone(),
            });
        }
    }
    kinds.retain(|kind| !kind.rules.is_empty());
    (!kinds.is_empty()).then(|| EgressIr { group: Identifier::sanitized(group), kinds })
}
