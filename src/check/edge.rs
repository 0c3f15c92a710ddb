//! The load balancer's edge in the infra block: its certificate, its
//! custom domain (`domain NAME zone ZONE`) and its web application
//! firewall (`waf [managed [...]] [rate N]`).

use super::infra_settings::InfraSettings;
use super::*;
use crate::catalogue::{EdgeError, InfraError};

/// The fewest and most requests per five minutes a rate-based rule takes.
const RATE_LIMIT: (u64, u64) = (100, 2_000_000_000);

/// The longest name ACM puts in a certificate's subject (its common name).
const ACM_NAME_MAX: usize = 64;

impl Checker {
    /// Checks the `load_balancer` statement against the VPC in effect (its
    /// default `allow` is the VPC's range) and gives it the certificate,
    /// the domain and the web ACL; each of those without a load balancer
    /// to serve it is reported, as are a domain and a certificate together
    /// (the domain brings its own).
    pub(super) fn infra_load_balancer_and_edge(
        &mut self,
        settings: &InfraSettings<'_, '_>,
        region: Option<&str>,
    ) -> Option<InfraLoadBalancer> {
        let mut load_balancer =
            settings.load_balancer.and_then(|lb| self.infra_load_balancer(lb, &settings.vpc.0, region));
        if settings.load_balancer.is_none() {
            if settings.certificate.0.is_some() {
                self.report(InfraError::CertificateWithoutLoadBalancer.at(settings.certificate.1));
            }
            let spans =
                [("domain", settings.domain.as_ref().map(|d| d.1)), ("waf", settings.waf.as_ref().map(|w| w.1))];
            for (statement, span) in spans {
                if let Some(span) = span {
                    self.report(EdgeError::WithoutLoadBalancer { statement }.at(span));
                }
            }
        }
        // A domain or web ACL with errors of its own leaves no load
        // balancer to weigh the trade-offs of.
        let invalid = matches!(settings.domain, Some((None, _))) || matches!(settings.waf, Some((None, _)));
        let lb = load_balancer.as_mut().filter(|_| !invalid)?;
        if let Some(certificate) = settings.certificate.0.clone() {
            lb.certificate = Some(certificate);
        }
        if let Some((Some(domain), span)) = &settings.domain {
            let span = *span;
            if lb.certificate.is_some() {
                let certificate = settings.load_balancer.map_or(settings.certificate.1, |lb| {
                    lb.options.iter().find(|(name, ..)| *name == "certificate").map_or(settings.certificate.1, |o| o.1)
                });
                self.report(EdgeError::DomainWithCertificate { certificate }.at(span));
                return None;
            }
            if lb.listener_port == 443 {
                self.report(InfraError::ListenWithCertificate.at(span));
                return None;
            }
            lb.domain = Some(domain.clone());
        }
        lb.waf = settings.waf.as_ref().and_then(|(waf, _)| waf.clone());
        load_balancer
    }

    /// `domain NAME zone ZONE`: the name, lower case and without a trailing
    /// dot, in a zone given by id or by name.
    pub(super) fn domain(&mut self, statement: &Statement<'_>) -> Option<Domain> {
        let name = self.domain_name(statement.args.first()?, "a domain name", true);
        let Some(zone_item) = statement.option("zone") else {
            self.report(EdgeError::DomainNeedsZone.at(statement.span));
            return None;
        };
        let zone = self.zone(zone_item);
        let (name, (zone, zone_span)) = (name?, zone?);
        if let Zone::Name(zone_name) = &zone {
            if name != *zone_name && !name.ends_with(&format!(".{zone_name}")) {
                self.report(EdgeError::DomainOutsideZone { domain: name, zone: zone_name.clone() }.at(zone_span));
                return None;
            }
        }
        Some(Domain { name, zone })
    }

    /// A hosted zone: a name (it has a dot) or an id.
    fn zone(&mut self, item: &Item) -> Option<(Zone, Span)> {
        let value = self.reader.value(item, "a hosted zone")?;
        let span = value.span;
        let is_id = matches!(&value.kind, ValueKind::Word(text) | ValueKind::Str(text) if !text.contains('.'));
        if !is_id {
            return self.domain_name(item, "a hosted zone", false).map(|name| (Zone::Name(name), span));
        }
        let (id, span) = self.reader.text(item, "a hosted zone id")?;
        let valid =
            id.starts_with('Z') && id.len() <= 32 && id.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if !valid {
            self.report(EdgeError::InvalidZoneId { zone: id.to_owned() }.at(span));
            return None;
        }
        Some((Zone::Id(id.to_owned()), span))
    }

    /// A domain name as written bare (`shop.example.com`) or quoted.
    fn domain_name(&mut self, item: &Item, what: &str, certificate: bool) -> Option<String> {
        let value = self.reader.value(item, what)?;
        let text = match &value.kind {
            ValueKind::Word(text) | ValueKind::Str(text) => text.clone(),
            ValueKind::Path(segments) => segments.join("."),
            _ => {
                self.reader.text(item, what)?;
                return None;
            }
        };
        match domain_rule(&text, certificate) {
            Ok(name) => Some(name),
            Err(rule) => {
                self.report(EdgeError::InvalidDomain { name: text, rule }.at(value.span));
                None
            }
        }
    }

    /// `waf [managed [...]] [rate N]`: the rule groups (by default common,
    /// bad inputs and IP reputation) and the rate limit.
    pub(super) fn waf(&mut self, statement: &Statement<'_>) -> Option<Waf> {
        let managed = match statement.option("managed") {
            Some(item) => self.managed_rules(item),
            None => Some(ManagedRules::DEFAULT.to_vec()),
        };
        let rate_limit = match statement.option("rate") {
            Some(item) => {
                self.reader.number(item, "the rate limit", RATE_LIMIT.0, RATE_LIMIT.1).map(|n| Some(n as u32))
            }
            None => Some(None),
        };
        Some(Waf { managed: managed?, rate_limit: rate_limit? })
    }

    fn managed_rules(&mut self, item: &Item) -> Option<Vec<ManagedRules>> {
        let list = self.reader.text_list(item, "managed rule groups")?;
        if list.is_empty() {
            self.report(EdgeError::NoWafRules.at(item.span()));
            return None;
        }
        let mut chosen = Vec::new();
        let mut valid = true;
        for (name, span) in list {
            match ManagedRules::ALL.iter().find(|(keyword, _)| *keyword == name) {
                Some((_, rules)) if chosen.contains(rules) => {
                    valid = false;
                    self.report(EdgeError::ManagedRulesRepeated { name: name.to_owned() }.at(span));
                }
                Some((_, rules)) => chosen.push(*rules),
                None => {
                    valid = false;
                    let keywords = ManagedRules::ALL.iter().map(|(keyword, _)| *keyword);
                    self.report(
                        EdgeError::UnknownManagedRules {
                            name: name.to_owned(),
                            suggestion: suggest(name, keywords.clone()).map(str::to_owned),
                            choices: keywords.collect::<Vec<_>>().join(", "),
                        }
                        .at(span),
                    );
                }
            }
        }
        valid.then_some(chosen)
    }
}

/// A domain name by DNS's rules (and ACM's, for a certificate's name):
/// lower-cased, a trailing dot dropped, or the rule it breaks.
pub(super) fn domain_rule(text: &str, certificate: bool) -> Result<String, String> {
    let name = text.strip_suffix('.').unwrap_or(text).to_ascii_lowercase();
    let labels: Vec<&str> = name.split('.').collect();
    if name.len() > 253 {
        return Err(format!("a domain name has at most 253 characters; this one has {}", name.len()));
    }
    if certificate && name.len() > ACM_NAME_MAX {
        return Err(format!(
            "ACM takes a certificate's name of at most {ACM_NAME_MAX} characters; this one has {}",
            name.len()
        ));
    }
    if labels.len() < 2 {
        return Err(String::from("a domain name has at least two labels, such as `example.com`"));
    }
    for label in &labels {
        if label.is_empty() || label.len() > 63 {
            return Err(String::from("each label has 1 to 63 characters"));
        }
        if !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            || label.starts_with('-')
            || label.ends_with('-')
        {
            return Err(format!("label `{label}` holds other than letters, digits and inner hyphens"));
        }
    }
    if labels.last().is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit())) {
        return Err(String::from("the last label is a number: an address, not a name"));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::domain_rule;

    #[test]
    fn domain_names_follow_dns_and_acm() {
        assert_eq!(domain_rule("Shop.Example.com.", true).as_deref(), Ok("shop.example.com"));
        assert!(domain_rule("example", true).is_err());
        assert!(domain_rule("-shop.example.com", true).is_err());
        assert!(domain_rule("shop..example.com", true).is_err());
        assert!(domain_rule("*.example.com", true).is_err());
        assert!(domain_rule("10.0.0.1", true).is_err());
        let long = format!("{}.example.com", "a".repeat(60));
        assert!(domain_rule(&long, true).is_err());
        assert!(domain_rule(&long, false).is_ok());
        assert!(domain_rule(&format!("{}.com", "a".repeat(64)), false).is_err());
    }
}
