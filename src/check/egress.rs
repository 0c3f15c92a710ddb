//! `nat` and `egress`: the ways out of the VPC, read the same way in the
//! infra block and in a service, and checked against the pipeline's own
//! network when there is one.
//!
//! Contract: an [`Egress`] holds valid ports and destinations only (no host
//! bits, no reserved range, IDs of the right shape), and a rule to any
//! address carries the reason it was accepted with.

use super::*;
use crate::catalogue::{InfraError, NetworkError};

impl Checker {
    /// `egress [tcp|udp] PORT[..PORT] to TARGET|[TARGET, ...] [accept "REASON"]`.
    pub(super) fn egress(&mut self, statement: &Statement<'_>) -> Option<Egress> {
        let (protocol_item, port_item) = match statement.args.as_slice() {
            [port] => (None, *port),
            [protocol, port] => (Some(*protocol), *port),
            _ => return None,
        };
        let protocol = match protocol_item {
            Some(item) => self.reader.keyword(item, "protocol", &[("tcp", Protocol::Tcp), ("udp", Protocol::Udp)])?,
            None => Protocol::Tcp,
        };
        let ports = self.ports(port_item);
        let Some(to) = statement.option("to") else {
            self.report(NetworkError::EgressWithoutTarget.at(statement.span));
            return None;
        };
        let targets = self.egress_targets(to);
        let reason = statement.option("accept").map(|item| (self.reason(item), item.span()));
        let ((from_port, to_port), targets) = (ports?, targets?);
        let any_address = targets.iter().find_map(|(target, span)| match target {
            EgressTarget::Cidr(cidr) if names::ipv4_cidr(cidr).is_some_and(|(_, prefix)| prefix < 8) => {
                Some((cidr.clone(), *span))
            }
            _ => None,
        });
        let accepted = match (any_address, reason) {
            (Some(_), Some((reason, _))) => Some(reason?),
            (Some((cidr, span)), None) => {
                let ports = if from_port == to_port {
                    format!("{} port {from_port}", protocol.keyword())
                } else {
                    format!("{} ports {from_port} to {to_port}", protocol.keyword())
                };
                self.report(NetworkError::AnyAddressNotAccepted { cidr, ports }.at(span));
                return None;
            }
            (None, Some((_, span))) => {
                self.report(NetworkError::EgressAcceptUnused.at(span));
                return None;
            }
            (None, None) => None,
        };
        Some(Egress { protocol, from_port, to_port, to: targets.into_iter().map(|(t, _)| t).collect(), accepted })
    }

    /// One port or a range of ports.
    fn ports(&mut self, item: &Item) -> Option<(u16, u16)> {
        let value = self.reader.value(item, "a port")?;
        let (from, to) = match &value.kind {
            ValueKind::Quantity { amount, unit: None } => (*amount, *amount),
            ValueKind::Range(from, to) => (*from, *to),
            other => {
                self.report(NetworkError::ExpectedPort { found: other.describe().to_string() }.at(value.span));
                return None;
            }
        };
        if from == 0 || to > 65535 || from > to {
            if matches!(value.kind, ValueKind::Range(..)) {
                self.report(NetworkError::InvalidPortRange { from, to }.at(value.span));
                return None;
            }
            return self.reader.number(item, "a port", 1, 65535).map(|port| (port as u16, port as u16));
        }
        Some((from as u16, to as u16))
    }

    /// The destinations: one, or a list.
    fn egress_targets(&mut self, item: &Item) -> Option<Vec<(EgressTarget, Span)>> {
        let value = self.reader.value(item, "a destination")?;
        let values: Vec<&crate::syntax::Value> = match &value.kind {
            ValueKind::List(values) => values.iter().collect(),
            _ => vec![value],
        };
        if values.is_empty() {
            self.report(NetworkError::EmptyEgressTargets.at(value.span));
            return None;
        }
        let mut targets = Vec::with_capacity(values.len());
        let mut valid = true;
        for value in values {
            match self.egress_target(value) {
                Some(target) => targets.push((target, value.span)),
                None => valid = false,
            }
        }
        valid.then_some(targets)
    }

    fn egress_target(&mut self, value: &crate::syntax::Value) -> Option<EgressTarget> {
        let span = value.span;
        match &value.kind {
            ValueKind::Cidr(cidr) => self.egress_cidr(cidr, span).map(EgressTarget::Cidr),
            ValueKind::Word(word) | ValueKind::Str(word) if word.starts_with("pl-") => {
                self.egress_id(word, "pl-", "prefix list", "pl-0123456789abcdef0", span).map(EgressTarget::PrefixList)
            }
            ValueKind::Word(word) | ValueKind::Str(word) if word.starts_with("sg-") => self
                .egress_id(word, "sg-", "security group", "sg-0123456789abcdef0", span)
                .map(EgressTarget::SecurityGroup),
            ValueKind::Str(text) if text.contains('/') => self.egress_cidr(text, span).map(EgressTarget::Cidr),
            other => {
                self.report(NetworkError::ExpectedEgressTarget { found: other.describe().to_string() }.at(span));
                None
            }
        }
    }

    fn egress_id(&mut self, id: &str, prefix: &str, what: &str, example: &str, span: Span) -> Option<String> {
        let hex = &id[prefix.len()..];
        if (hex.len() == 8 || hex.len() == 17) && hex.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)) {
            return Some(id.to_owned());
        }
        self.report(
            NetworkError::InvalidEgressId { id: id.to_string(), what: what.to_string(), example: example.to_string() }
                .at(span),
        );
        None
    }

    /// A destination range: valid, without host bits, not reserved.
    fn egress_cidr(&mut self, cidr: &str, span: Span) -> Option<String> {
        let Some((address, prefix)) = names::ipv4_cidr(cidr) else {
            self.report(InfraError::InvalidCidr { cidr: cidr.to_string() }.at(span));
            return None;
        };
        let start = mask(address, prefix);
        if start != address {
            self.report(
                InfraError::CidrHostBits {
                    cidr: cidr.to_string(),
                    octet1: start >> 24,
                    octet2: (start >> 16) & 255,
                    octet3: (start >> 8) & 255,
                    octet4: start & 255,
                    prefix,
                }
                .at(span),
            );
            return None;
        }
        if let Some((range, what)) = names::reserved_range(address, prefix) {
            self.report(
                NetworkError::ReservedRange {
                    cidr: cidr.to_string(),
                    range: range.to_string(),
                    what: what.to_string(),
                }
                .at(span),
            );
            return None;
        }
        Some(cidr.to_owned())
    }

    /// Rules that leave the private ranges need a way out: in the
    /// pipeline's own network, a NAT gateway.
    pub(super) fn check_way_out(&mut self, nat: Nat, rules: &[(Egress, Span)]) -> bool {
        if nat != Nat::None {
            return true;
        }
        let mut valid = true;
        for (rule, span) in rules {
            let outside = rule.to.iter().find_map(|target| match target {
                EgressTarget::Cidr(cidr) if !cidr_is_private(cidr) => Some(cidr.clone()),
                _ => None,
            });
            if let Some(cidr) = outside {
                valid = false;
                self.report(NetworkError::NoWayOut { cidr }.at(*span));
            }
        }
        valid
    }

    /// Images from outside AWS, in the pipeline's own network: they need a
    /// NAT gateway and a rule out on 443 (the service's or the infra
    /// block's); ECR images come through the endpoints.
    pub(super) fn check_image_way_out(
        &mut self,
        own: &Infra,
        containers: &[(Container, Span)],
        egress: &[(Egress, Span)],
    ) -> bool {
        for (container, span) in containers {
            let Image::Uri(uri) = &container.image else { continue };
            if uri.contains(".dkr.ecr.") && uri.contains(".amazonaws.com") {
                continue;
            }
            if own.nat == Nat::None {
                self.report(
                    crate::catalogue::ServiceError::ImageOutsideAws {
                        container: container.name.to_string(),
                        uri: uri.to_string(),
                    }
                    .at(*span),
                );
                return false;
            }
            let opens = |rule: &Egress| rule.opens_internet_port(443);
            if !own.egress.iter().any(opens) && !egress.iter().any(|(rule, _)| opens(rule)) {
                self.report(
                    NetworkError::ImageNeedsEgress { container: container.name.to_string(), uri: uri.to_string() }
                        .at(*span),
                );
                return false;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{cidr_is_private, Egress, EgressTarget, Protocol};

    #[test]
    fn opens_internet_port() {
        let rule = |cidr: &str, from, to| Egress {
            protocol: Protocol::Tcp,
            from_port: from,
            to_port: to,
            to: vec![EgressTarget::Cidr(cidr.to_owned())],
            accepted: None,
        };
        assert!(rule("0.0.0.0/0", 443, 443).opens_internet_port(443));
        assert!(rule("0.0.0.0/0", 1, 1024).opens_internet_port(443));
        assert!(!rule("0.0.0.0/0", 80, 80).opens_internet_port(443));
        assert!(!rule("10.0.0.0/8", 443, 443).opens_internet_port(443));
        assert!(cidr_is_private("10.20.0.0/16"));
    }
}
