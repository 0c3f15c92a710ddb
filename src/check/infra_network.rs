//! The infrastructure's network: its zones, VPC and subnet ranges, and
//! its VPC endpoints.

use super::infra::ENDPOINTS;
use super::infra_settings::{InfraContext, InfraSettings};
use super::*;
use crate::catalogue::InfraError;

impl Checker {
    /// The availability zones: the `vpc` statement's, or the region's `a`
    /// and `b`. `None` (the block given up) without a region to take them
    /// from, or when a load balancer would have one zone: AWS requires two.
    pub(super) fn infra_zones(
        &mut self,
        settings: &InfraSettings<'_, '_>,
        load_balancer: Option<&InfraLoadBalancer>,
        context: &InfraContext<'_>,
    ) -> Option<Vec<String>> {
        let zones = match &settings.vpc.1 {
            Some(zones) => zones.clone(),
            None => {
                let region = context.region?;
                vec![format!("{region}a"), format!("{region}b")]
            }
        };
        if load_balancer.is_some() && zones.len() < 2 {
            self.report(InfraError::LoadBalancerOneZone.at(settings.vpc.2));
            return None;
        }
        Some(zones)
    }

    /// `vpc CIDR [zones [...]]`: the range, its zones if they are valid, and
    /// where the range is written; `None` if the range is invalid.
    pub(super) fn vpc(
        &mut self,
        statement: &Statement<'_>,
        region: Option<&str>,
    ) -> Option<(String, Option<Vec<String>>, Span)> {
        let item = statement.args.first()?;
        let zones = statement.option("zones").and_then(|item| self.zones(item, region));
        let value = self.reader.value(item, "a CIDR block")?;
        if let ValueKind::Cidr(cidr) = &value.kind {
            Some((cidr.clone(), zones, value.span))
        } else {
            self.report(InfraError::ExpectedCidr { found: value.kind.describe().to_string() }.at(value.span));
            None
        }
    }

    fn zones(&mut self, item: &Item, region: Option<&str>) -> Option<Vec<String>> {
        let list = self.reader.text_list(item, "availability zones")?;
        let mut zones = Vec::with_capacity(list.len());
        for (zone, span) in list {
            let valid = region.is_none_or(|region| {
                zone.strip_prefix(region)
                    .is_some_and(|letter| letter.len() == 1 && letter.chars().all(|c| c.is_ascii_lowercase()))
            });
            if !valid {
                self.report(
                    InfraError::ZoneNotInRegion {
                        zone: zone.to_string(),
                        region: region.unwrap_or("us-east-2").to_string(),
                    }
                    .at(span),
                );
                return None;
            }
            if zones.contains(&zone.to_owned()) {
                self.report(InfraError::ZoneRepeated { zone: zone.to_string() }.at(span));
                return None;
            }
            zones.push(zone.to_owned());
        }
        if zones.is_empty() || zones.len() > 6 {
            self.report(InfraError::ZoneCount.at(item.span()));
            return None;
        }
        Some(zones)
    }

    /// Checks the VPC range and returns the subnets' prefix length: one
    /// public and one private subnet per zone.
    pub(super) fn subnets(&mut self, cidr: &str, span: Span, zones: usize) -> Option<u8> {
        let Some((_, prefix)) = names::ipv4_cidr(cidr) else {
            self.report(InfraError::InvalidCidr { cidr: cidr.to_string() }.at(span));
            return None;
        };
        if !(16..=28).contains(&prefix) {
            self.report(InfraError::VpcPrefix { prefix }.at(span));
            return None;
        }
        self.cidr_block(cidr, span, true)?;
        let subnets = 2 * zones;
        let bits = usize::BITS - (subnets - 1).leading_zeros();
        let subnet_prefix = prefix + bits;
        if subnet_prefix > 28 {
            self.report(
                InfraError::CidrTooSmall { cidr: cidr.to_string(), subnets, subnet_prefix, largest_prefix: 28 - bits }
                    .at(span),
            );
            return None;
        }
        u8::try_from(bits).ok()
    }

    /// A CIDR block as a VPC's range (`vpc`) or a load balancer's client
    /// range: well formed, without host bits, outside the reserved ranges.
    pub(super) fn cidr_block(&mut self, cidr: &str, span: Span, vpc: bool) -> Option<()> {
        let Some((value, prefix)) = names::ipv4_cidr(cidr) else {
            self.report(InfraError::InvalidCidr { cidr: cidr.to_string() }.at(span));
            return None;
        };
        let host_mask = if prefix == 32 { 0 } else { u32::MAX >> prefix };
        if value & host_mask != 0 {
            let network = value & !host_mask;
            self.report(
                InfraError::CidrHostBits {
                    cidr: cidr.to_string(),
                    octet1: network >> 24,
                    octet2: (network >> 16) & 255,
                    octet3: (network >> 8) & 255,
                    octet4: network & 255,
                    prefix,
                }
                .at(span),
            );
            return None;
        }
        if let Some((range, what)) = names::reserved_range(value, prefix) {
            self.report(InfraError::ReservedRange { cidr: cidr.to_string(), range, what, vpc }.at(span));
            return None;
        }
        Some(())
    }

    pub(super) fn endpoints(&mut self, item: &Item) -> Option<Vec<String>> {
        let value = self.reader.value(item, "a list of endpoints")?;
        let ValueKind::List(values) = &value.kind else {
            self.report(InfraError::ExpectedEndpointList { found: value.kind.describe().to_string() }.at(value.span));
            return None;
        };
        let mut chosen = Vec::new();
        let mut valid = true;
        for value in values {
            let name = match &value.kind {
                ValueKind::Word(word) | ValueKind::Str(word) => word.clone(),
                ValueKind::Path(segments) => segments.join("."),
                _ => String::new(),
            };
            if !ENDPOINTS.contains(&name.as_str()) {
                valid = false;
                self.report(
                    InfraError::UnknownEndpoint {
                        suggestion: suggest(&name, ENDPOINTS.iter().copied()).map(str::to_owned),
                        name,
                        endpoints: ENDPOINTS.join(", "),
                    }
                    .at(value.span),
                );
            } else if !chosen.contains(&name) {
                chosen.push(name);
            }
        }
        chosen.sort_by_key(|name| ENDPOINTS.iter().position(|e| e == name));
        valid.then_some(chosen)
    }
}
