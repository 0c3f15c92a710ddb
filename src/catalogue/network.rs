//! Errors of the ways out of the VPC: NAT gateways, egress rules, and the
//! images and rules that need a way out.

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// A problem with `nat` or `egress`. Each variant carries what its text needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetworkError {
    /// expected a port or a port range, found {found}
    ExpectedPort { found: String },
    /// `{from}..{to}` is not a port range
    InvalidPortRange { from: u64, to: u64 },
    /// the egress rule needs its destination
    EgressWithoutTarget,
    /// expected a CIDR block, a prefix list ID or a security group ID, found {found}
    ExpectedEgressTarget { found: String },
    /// `{id}` is not a {what} ID
    InvalidEgressId { id: String, what: String, example: String },
    /// `{cidr}` lies in the reserved range {range}
    ReservedRange { cidr: String, range: String, what: String },
    /// the egress rule lists no destination
    EmptyEgressTargets,
    /// egress to `{cidr}` opens {ports} to any address; say so explicitly
    AnyAddressNotAccepted { cidr: String, ports: String },
    /// `accept` on an egress rule that reaches no more than named ranges
    EgressAcceptUnused,
    /// egress to `{cidr}` leaves the VPC, but its private subnets have no NAT gateway
    NoWayOut { cidr: String },
    /// container `{container}` pulls `{uri}` from the internet, but no egress rule lets it out on 443
    ImageNeedsEgress { container: String, uri: String },
    /// the service's egress rules need `vpc_id` from the infrastructure
    EgressNeedsVpc,
    /// tasks with a public IP; say so explicitly
    PublicIpNotAccepted,
    /// `accept` on a network without `public_ip`
    PublicIpAcceptUnused,
    /// a task has at most 5 security groups; its egress rules add a sixth
    TooManySecurityGroups { given: usize },
}

impl NetworkError {
    /// The diagnostic for this error, underlining `span`.
    pub fn at(self, span: Span) -> Diagnostic {
        match self {
            Self::ExpectedPort { found } => {
                Diagnostic::new(Code::WrongType, span, format!("expected a port or a port range, found {found}"))
                    .label("expected a port")
                    .help("write one port (`5432`) or a range (`8000..8100`), after `tcp` or `udp` if not TCP")
            }
            Self::InvalidPortRange { from, to } => {
                Diagnostic::new(Code::OutOfRange, span, format!("`{from}..{to}` is not a port range"))
                    .label("ports are 1 to 65535, the first no larger than the last")
                    .help("write the range from its first to its last port, such as `8000..8100`")
            }
            Self::EgressWithoutTarget => Diagnostic::new(Code::Missing, span, "the egress rule needs its destination")
                .label("no `to`")
                .help("add `to 10.20.0.0/16` (a range), `to pl-…` (a prefix list) or `to sg-…` (a security group)"),
            Self::ExpectedEgressTarget { found } => Diagnostic::new(
                Code::WrongType,
                span,
                format!("expected a CIDR block, a prefix list ID or a security group ID, found {found}"),
            )
            .label("not a destination")
            .help("write a range (`10.20.0.0/16`), a prefix list (`pl-0123456789abcdef0`) or a security group (`sg-0123456789abcdef0`)"),
            Self::InvalidEgressId { id, what, example } => {
                Diagnostic::new(Code::InvalidText, span, format!("`{id}` is not a {what} ID"))
                    .label(format!("not a {what} ID"))
                    .help(format!("{what} IDs are the prefix and 8 or 17 lowercase hex digits, such as `{example}`"))
            }
            Self::ReservedRange { cidr, range, what } => {
                Diagnostic::new(Code::OutOfRange, span, format!("`{cidr}` lies in the reserved range {range}"))
                    .label(what)
                    .help("no task connects there through its security group: write the range of the hosts the tasks call")
            }
            Self::EmptyEgressTargets => Diagnostic::new(Code::Missing, span, "the egress rule lists no destination")
                .label("empty list")
                .help("list at least one range, prefix list or security group, or remove the rule"),
            Self::AnyAddressNotAccepted { cidr, ports } => Diagnostic::new(
                Code::UnacceptedRisk,
                span,
                format!("egress to `{cidr}` opens {ports} to any address; say so explicitly"),
            )
            .label("needs `accept \"REASON\"`")
            .help(format!(
                "narrow it to the ranges or a prefix list of what the tasks call, or accept it: `... to {cidr} accept \"REASON\"`"
            )),
            Self::PublicIpNotAccepted => Diagnostic::new(Code::UnacceptedRisk, span, "tasks with a public IP; say so explicitly")
                .label("needs `accept \"REASON\"`")
                .help("give the subnets a way out instead (a NAT gateway), or accept it: `network ... public_ip accept \"REASON\"`"),
            Self::PublicIpAcceptUnused => Diagnostic::new(Code::Conflict, span, "`accept` on a network without `public_ip`")
                .label("nothing to accept")
                .help("remove it; an acceptance that no longer applies misleads reviewers"),
            Self::EgressAcceptUnused => {
                Diagnostic::new(Code::Conflict, span, "`accept` on an egress rule that reaches no more than named ranges")
                    .label("nothing to accept")
                    .help("remove it: only a rule to any address (`0.0.0.0/0`, or a prefix shorter than /8) needs a reason")
            }
            Self::NoWayOut { cidr } => Diagnostic::new(
                Code::Conflict,
                span,
                format!("egress to `{cidr}` leaves the VPC, but its private subnets have no NAT gateway"),
            )
            .label("no route out")
            .help("add `nat single` (or `nat per_zone`) to the infra block; NAT gateways cost money per hour and per GB"),
            Self::ImageNeedsEgress { container, uri } => Diagnostic::new(
                Code::Conflict,
                span,
                format!("container `{container}` pulls `{uri}` from the internet, but no egress rule lets it out on 443"),
            )
            .label("the pull would time out")
            .help("add `egress 443 to 0.0.0.0/0 accept \"REASON\"` to the service or the infra block, or push the image to ECR"),
            Self::EgressNeedsVpc => {
                Diagnostic::new(Code::Missing, span, "the service's egress rules need `vpc_id` from the infrastructure")
                    .label("its security group is made in the VPC")
                    .help("add `vpc_id \"vpc-…\"` to the deploy's `infra` block")
            }
            Self::TooManySecurityGroups { given } => Diagnostic::new(
                Code::OutOfRange,
                span,
                "a task has at most 5 security groups; its egress rules add a sixth",
            )
            .label(format!("{given} security groups here"))
            .help("drop a group from `network security_groups [...]`, or put the rules in the infra block"),
        }
    }
}
