//! Errors of the load balancer's edge: its custom domain (`domain`) and
//! its web application firewall (`waf`).

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// A problem with `domain` or `waf`. Each variant carries what its text needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EdgeError {
    /// `{name}` is not a domain name
    InvalidDomain { name: String, rule: String },
    /// the domain needs its hosted zone
    DomainNeedsZone,
    /// `{zone}` is not a hosted zone id
    InvalidZoneId { zone: String },
    /// `{domain}` is not in zone `{zone}`
    DomainOutsideZone { domain: String, zone: String },
    /// a domain and a certificate
    DomainWithCertificate { certificate: Span },
    /// `{statement}`, but the infra block has no load balancer
    WithoutLoadBalancer { statement: &'static str },
    /// a domain, but every environment creates its records
    DomainInEnvironments { name: String },
    /// unknown managed rule group `{name}`
    UnknownManagedRules { name: String, suggestion: Option<String>, choices: String },
    /// managed rule group `{name}` is listed twice
    ManagedRulesRepeated { name: String },
    /// a web ACL without rules
    NoWafRules,
}

impl EdgeError {
    /// The diagnostic for this error, underlining `span`.
    pub fn at(self, span: Span) -> Diagnostic {
        match self {
            Self::InvalidDomain { name, rule } => {
                Diagnostic::new(Code::InvalidName, span, format!("`{name}` is not a domain name"))
                    .label(rule)
                    .help("write the fully qualified name the load balancer answers to, such as `shop.example.com`: labels of letters, digits and inner hyphens, at most 63 characters each and 253 in all; quote it when a label starts with a digit")
            }
            Self::DomainNeedsZone => Diagnostic::new(Code::Missing, span, "the domain needs its hosted zone")
                .label("no `zone`")
                .help("name the Route 53 hosted zone that holds the name: `zone example.com` (a public zone, looked up by name) or `zone \"Z0123456789ABCDEFGHIJ\"` (its id)"),
            Self::InvalidZoneId { zone } => {
                Diagnostic::new(Code::InvalidName, span, format!("`{zone}` is not a hosted zone id"))
                    .label("not `Z` followed by capital letters and digits")
                    .help("copy the id from `aws route53 list-hosted-zones` (without `/hostedzone/`), or name the zone: `zone example.com`")
            }
            Self::DomainOutsideZone { domain, zone } => {
                Diagnostic::new(Code::Conflict, span, format!("`{domain}` is not in zone `{zone}`"))
                    .label("the zone cannot hold this name")
                    .help(format!("a zone holds its own name and the names that end in `.{zone}`: name the zone of `{domain}`"))
            }
            Self::DomainWithCertificate { certificate } => {
                Diagnostic::new(Code::Conflict, span, "a domain and a certificate")
                    .label("the domain brings its own certificate")
                    .note(certificate, "a certificate given here")
                    .help("drop `certificate`: with `domain`, the stack requests a certificate for the name from ACM and validates it in the zone; or drop `domain` and keep the certificate you manage")
            }
            Self::WithoutLoadBalancer { statement } => Diagnostic::new(
                Code::Conflict,
                span,
                format!("`{statement}`, but the infra block has no load balancer"),
            )
            .label("nothing to put it on")
            .help(format!("add `load_balancer public port 8080` to the pipeline's infra block, or remove `{statement}`")),
            Self::DomainInEnvironments { name } => Diagnostic::new(
                Code::Conflict,
                span,
                "a domain, but every environment creates the infrastructure",
            )
            .label(format!("each environment's stack would create the record and certificate of `{name}`"))
            .help("give the domain in a pipeline without an `environments` block, or in a pipeline of its own per environment: one name points at one load balancer"),
            Self::UnknownManagedRules { name, suggestion, choices } => {
                Diagnostic::new(Code::WrongType, span, format!("unknown managed rule group `{name}`"))
                    .label("not a rule group ecspipe knows")
                    .help(match suggestion {
                        Some(candidate) => format!("did you mean `{candidate}`?"),
                        None => format!("the managed rule groups are: {choices}"),
                    })
            }
            Self::ManagedRulesRepeated { name } => {
                Diagnostic::new(Code::Repeated, span, format!("managed rule group `{name}` is listed twice"))
                    .label("already listed")
                    .help("list each group once; they are evaluated in the order written")
            }
            Self::NoWafRules => Diagnostic::new(Code::Missing, span, "a web ACL without rules")
                .label("empty list")
                .help("list the AWS managed rule groups to run, such as `managed [common, bad_inputs, ip_reputation]`, or leave `managed` out for those three"),
        }
    }
}
