//! Errors of the pipeline's own infrastructure: network, zones, load
//! balancer, endpoints, secrets and the security trade-offs it makes.

use crate::diagnostic::{Code, Diagnostic};
use crate::model::Risk;
use crate::span::Span;

/// A problem with the infra block. Each variant carries what its text needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InfraError {
    /// expected a CIDR block, found {found}
    ExpectedCidr { found: String },
    /// CloudWatch Logs does not offer a retention of {days} days
    LogRetention { days: u64, nearest: u32, choices: String },
    /// `accept {risk}` is given twice
    AcceptRepeated { risk: Risk, earlier: Span },
    /// a certificate, but the infra block has no load balancer
    CertificateWithoutLoadBalancer,
    /// the infra block has no state backend
    NoStateBackend,
    /// a load balancer needs subnets in at least two zones
    LoadBalancerOneZone,
    /// the certificate is in `{found}`, the load balancer in `{region}`
    CertificateInOtherRegion { found: String, region: String },
    /// `{zone}` is not a zone of the pipeline's region
    ZoneNotInRegion { zone: String, region: String },
    /// zone `{zone}` is listed twice
    ZoneRepeated { zone: String },
    /// list one to six availability zones
    ZoneCount,
    /// `{cidr}` is not a valid CIDR block
    InvalidCidr { cidr: String },
    /// `{cidr}` lies in the reserved range {range}
    ReservedRange { cidr: String, range: &'static str, what: &'static str, vpc: bool },
    /// a VPC's prefix must be /16 to /28, found /{prefix}
    VpcPrefix { prefix: u32 },
    /// `{cidr}` has host bits set
    CidrHostBits { cidr: String, octet1: u32, octet2: u32, octet3: u32, octet4: u32, prefix: u32 },
    /// `{cidr}` is too small for {subnets} subnets
    CidrTooSmall { cidr: String, subnets: usize, subnet_prefix: u32, largest_prefix: u32 },
    /// expected a list of endpoints, found {found}
    ExpectedEndpointList { found: String },
    /// unknown VPC endpoint `{name}`
    UnknownEndpoint { name: String, suggestion: Option<String>, endpoints: String },
    /// the load balancer needs the port its targets listen on
    LoadBalancerNoPort,
    /// invalid health check path
    InvalidHealthPath,
    /// with a certificate, HTTPS takes port 443 and `listen` is the redirect port
    ListenWithCertificate,
    /// expected a list of CIDR blocks
    ExpectedCidrList,
    /// expected a CIDR block, found {found}
    ExpectedCidrItem { found: String },
    /// invalid S3 bucket name
    InvalidBucketName { rule: String },
    /// the stack makes a security trade-off `risk` without `accept`
    RiskNotAccepted { risk: Risk, stage: Option<String> },
    /// `accept {risk}` accepts a trade-off this stack does not make
    AcceptUnused { risk: Risk },
    /// expected an ACM certificate ARN
    ExpectedCertificateArn,
    /// invalid secret name
    InvalidSecretName,
    /// invalid exact secret name
    InvalidExactSecretName { rule: String },
    /// Secrets Manager keeps a deleted secret 0 days or 7 to 30 days, found {days}
    SecretRecovery { days: u64 },
    /// an exact secret name, but every environment creates the secret
    ExactSecretNameInEnvironments { name: String },
    /// invalid health check matcher
    InvalidMatcher { rule: String },
    /// secret `{name}` needs its value
    SecretNeedsValue { name: String },
    /// a secret's value must come from a GitHub secret
    SecretValueNotFromGithub,
    /// invalid SSM parameter name
    InvalidParameterName,
    /// `{version}` is not an exact Terraform version
    InexactTerraformVersion { version: String },
    /// the infrastructure runs in each environment's GitHub environment
    EnvironmentWithEnvironments,
}

impl InfraError {
    /// The diagnostic for this error, underlining `span`.
    pub fn at(self, span: Span) -> Diagnostic {
        match self {
            Self::ExpectedCidr { found } => {
                Diagnostic::new(Code::WrongType, span, format!("expected a CIDR block, found {found}"))
                    .label("expected a CIDR block")
                    .help("write the VPC's range such as `vpc 10.0.0.0/24`")
            }
            Self::LogRetention { days, nearest, choices } => Diagnostic::new(
                Code::OutOfRange,
                span,
                format!("CloudWatch Logs does not offer a retention of {days} days"),
            )
            .label("not a retention period AWS offers")
            .help(format!("the nearest is {nearest}d; AWS offers {choices} days")),
            Self::AcceptRepeated { risk, earlier } => {
                Diagnostic::new(Code::Repeated, span, format!("`accept {}` is given twice", risk.keyword()))
                    .label("again here")
                    .note(earlier, "first here")
                    .help("keep one of them")
            }
            Self::CertificateWithoutLoadBalancer => {
                Diagnostic::new(Code::Conflict, span, "a certificate, but the infra block has no load balancer")
                    .label("nothing to put it on")
                    .help(
                        "add `load_balancer public port 8080` to the pipeline's infra block, or remove the certificate",
                    )
            }
            Self::NoStateBackend => Diagnostic::new(Code::Missing, span, "the infra block has no state backend")
                .label("state missing")
                .help("add `state s3 bucket \"BUCKET\" key \"infra.tfstate\"`"),
            Self::LoadBalancerOneZone => {
                Diagnostic::new(Code::Conflict, span, "a load balancer needs subnets in at least two zones")
                    .label("one zone")
                    .help("list two or more zones: `zones [us-east-2a, us-east-2b]`")
            }
            Self::CertificateInOtherRegion { found, region } => Diagnostic::new(
                Code::Conflict,
                span,
                format!("the certificate is in `{found}`, the load balancer in `{region}`"),
            )
            .label("a certificate of another region")
            .help(format!("a load balancer serves ACM certificates of its own region only: request or import the certificate in `{region}` and write its ARN")),
            Self::ZoneNotInRegion { zone, region } => {
                Diagnostic::new(Code::InvalidName, span, format!("`{zone}` is not a zone of the pipeline's region"))
                    .label("not in this region")
                    .help(format!("zones are the region and a letter, such as `{region}a`"))
            }
            Self::ZoneRepeated { zone } => {
                Diagnostic::new(Code::Duplicate, span, format!("zone `{zone}` is listed twice"))
                    .help("list each zone once")
            }
            Self::ZoneCount => Diagnostic::new(Code::OutOfRange, span, "list one to six availability zones")
                .label("wrong number of zones")
                .help("two or three zones is usual"),
            Self::InvalidCidr { cidr } => {
                Diagnostic::new(Code::InvalidText, span, format!("`{cidr}` is not a valid CIDR block"))
                    .label("invalid address or prefix")
                    .help("write an IPv4 range such as `10.0.0.0/24`")
            }
            Self::ReservedRange { cidr, range, what, vpc } => {
                let help = if vpc {
                    "use a private range (RFC 1918): 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16; avoid 172.17.0.0/16, which Docker and some AWS services use for their own bridge network"
                } else {
                    "no client reaches the load balancer from there: allow the ranges your clients come from, such as your VPC's or `0.0.0.0/0`"
                };
                Diagnostic::new(Code::InvalidText, span, format!("`{cidr}` lies in the reserved range {range}"))
                    .label(what)
                    .help(help)
            }
            Self::VpcPrefix { prefix } => {
                Diagnostic::new(Code::OutOfRange, span, format!("a VPC's prefix must be /16 to /28, found /{prefix}"))
                    .label("prefix out of range")
                    .help("AWS accepts VPCs from /16 (65536 addresses) to /28 (16 addresses)")
            }
            Self::CidrHostBits { cidr, octet1, octet2, octet3, octet4, prefix } => {
                Diagnostic::new(Code::InvalidText, span, format!("`{cidr}` has host bits set"))
                    .label("not the start of its range")
                    .help(format!("did you mean `{octet1}.{octet2}.{octet3}.{octet4}/{prefix}`?"))
            }
            Self::CidrTooSmall { cidr, subnets, subnet_prefix, largest_prefix } => {
                Diagnostic::new(Code::OutOfRange, span, format!("`{cidr}` is too small for {subnets} subnets"))
                    .label(format!("each subnet would be /{subnet_prefix}; AWS allows /28 at most"))
                    .help(format!("use a VPC of /{largest_prefix} or larger, or fewer zones"))
            }
            Self::ExpectedEndpointList { found } => {
                Diagnostic::new(Code::WrongType, span, format!("expected a list of endpoints, found {found}"))
                    .label("expected a list")
                    .help("write `endpoints [ecr.dkr, ecr.api, logs, secretsmanager, s3]`")
            }
            Self::UnknownEndpoint { name, suggestion, endpoints } => {
                let help = match suggestion {
                    Some(candidate) => format!("did you mean `{candidate}`?"),
                    None => format!("the endpoints are: {endpoints}"),
                };
                Diagnostic::new(Code::WrongType, span, format!("unknown VPC endpoint `{name}`"))
                    .label("not an endpoint ecspipe knows")
                    .help(help)
            }
            Self::LoadBalancerNoPort => {
                Diagnostic::new(Code::Missing, span, "the load balancer needs the port its targets listen on")
                    .label("port missing")
                    .help("add `port 8080`: the container port traffic is sent to")
            }
            Self::InvalidHealthPath => Diagnostic::new(Code::InvalidText, span, "invalid health check path")
                .label("expected a path such as /health")
                .help("the path starts with `/` and holds no spaces"),
            Self::ListenWithCertificate => Diagnostic::new(
                Code::Conflict,
                span,
                "with a certificate, HTTPS takes port 443 and `listen` is the redirect port",
            )
            .label("listen 443 conflicts with HTTPS")
            .help("remove `listen 443`; port 80 redirects to 443 by default"),
            Self::ExpectedCidrList => Diagnostic::new(Code::WrongType, span, "expected a list of CIDR blocks")
                .label("expected a list")
                .help("write `allow [\"203.0.113.0/24\"]`"),
            Self::ExpectedCidrItem { found } => {
                Diagnostic::new(Code::WrongType, span, format!("expected a CIDR block, found {found}"))
                    .label("expected a CIDR block")
                    .help("write a range such as 203.0.113.0/24")
            }
            Self::InvalidBucketName { rule } => Diagnostic::new(Code::InvalidName, span, "invalid S3 bucket name")
                .label(rule)
                .help("name an existing bucket whose policy lets the load balancer write"),
            Self::RiskNotAccepted { risk, stage } => {
                let (why, fix) = match risk {
                    Risk::PlainHttp => (
                        "the load balancer has no certificate, so it serves plain HTTP",
                        "add `domain shop.example.com zone example.com` to the infra block (or `certificate \"arn:aws:acm:...\"` to `load_balancer`) for HTTPS",
                    ),
                    Risk::NoWaf => (
                        "the public load balancer has no web application firewall",
                        "add `waf` to the infra block for AWS WAF's managed rules",
                    ),
                    Risk::NoAccessLogs => (
                        "the load balancer writes no access logs",
                        "add `logs \"BUCKET\"` to `load_balancer` to log to an existing bucket",
                    ),
                    Risk::ShortLogRetention => (
                        "the logs are kept for less than a year",
                        "keep them for a year (`logs retain 365d`, the default)",
                    ),
                    Risk::NoInsights => {
                        ("the cluster has no Container Insights", "turn them on (`cluster insights on`, the default)")
                    }
                    Risk::NoExecLogging => {
                        ("ECS Exec sessions are not logged", "log them (`cluster exec_logging on`, the default)")
                    }
                };
                let risk = risk.keyword();
                let (place, help) = match stage {
                    Some(stage) => (
                        format!(" in environment `{stage}`"),
                        format!("{fix}, or accept it: `accept {risk} \"REASON\"` in the infra block or in environment `{stage}`"),
                    ),
                    None => (String::new(), format!("{fix}, or accept it: `accept {risk} \"REASON\"` in the infra block")),
                };
                Diagnostic::new(Code::UnacceptedRisk, span, format!("{why}{place}; say so explicitly"))
                    .label(format!("needs `accept {risk}`"))
                    .help(help)
            }
            Self::AcceptUnused { risk } => Diagnostic::new(
                Code::Conflict,
                span,
                format!("`accept {}` accepts a trade-off this stack does not make", risk.keyword()),
            )
            .label("nothing to accept")
            .help("remove it; an acceptance that no longer applies misleads reviewers"),
            Self::ExpectedCertificateArn => Diagnostic::new(Code::InvalidText, span, "expected an ACM certificate ARN")
                .label("not an ACM certificate ARN")
                .help("write the ARN such as \"arn:aws:acm:us-east-2:123456789012:certificate/…\""),
            Self::InvalidSecretName => Diagnostic::new(Code::InvalidName, span, "invalid secret name")
                .label("Secrets Manager names hold letters, digits and `/_+=.@-`")
                .help("choose another name"),
            Self::InvalidExactSecretName { rule } => {
                Diagnostic::new(Code::InvalidName, span, "invalid exact secret name")
                    .label(rule)
                    .help("Secrets Manager names are 1 to 512 letters, digits and `/_+=.@-`, such as `ecs_secret` or `shop/db`")
            }
            Self::SecretRecovery { days } => Diagnostic::new(
                Code::OutOfRange,
                span,
                format!("Secrets Manager keeps a deleted secret 0 days or 7 to 30 days, found {days}"),
            )
            .label("not a recovery window Secrets Manager offers")
            .help("write `recovery 0d` to delete the secret at once (a new one of the same name can follow), or `recovery 7d` to `recovery 30d`"),
            Self::ExactSecretNameInEnvironments { name } => Diagnostic::new(
                Code::Conflict,
                span,
                "an exact secret name, but every environment creates the secret",
            )
            .label(format!("each environment's infrastructure would create `{name}`"))
            .help("drop `name`: each environment's secret is then named after its own stack (`NAME-ENVIRONMENT/SECRET`), and two environments in one account cannot collide"),
            Self::InvalidMatcher { rule } => Diagnostic::new(Code::InvalidText, span, "invalid health check matcher")
                .label(rule)
                .help("write HTTP codes from 200 to 499, separated by commas, or a range: `\"200,301,302\"`, `\"200-399\"`"),
            Self::SecretNeedsValue { name } => {
                Diagnostic::new(Code::Missing, span, format!("secret `{name}` needs its value"))
                    .label("no `from`")
                    .help(format!(
                    "write `secret {name} from secret.GITHUB_SECRET`: the workflow passes it as a sensitive variable"
                ))
            }
            Self::SecretValueNotFromGithub => {
                Diagnostic::new(Code::WrongType, span, "a secret's value must come from a GitHub secret")
                    .label("not `secret.NAME`")
                    .help("write `from secret.GITHUB_SECRET`; a plaintext value would land in the repository")
            }
            Self::InvalidParameterName => Diagnostic::new(Code::InvalidName, span, "invalid SSM parameter name")
                .label("expected a path such as /app-6/output")
                .help("SSM parameter paths start with `/` and hold letters, digits, `_`, `.` and `-` between slashes"),
            Self::EnvironmentWithEnvironments => Diagnostic::new(
                Code::Conflict,
                span,
                "the infrastructure runs in each environment's GitHub environment",
            )
            .label("not with an `environments` block")
            .help(
                "remove `environment` from the infra block: with `environments`, each environment's \
                 infrastructure job runs in the GitHub environment of that name",
            ),
            Self::InexactTerraformVersion { version } => {
                Diagnostic::new(Code::InvalidText, span, format!("`{version}` is not an exact Terraform version"))
                    .label("expected MAJOR.MINOR.PATCH")
                    .help("pin an exact version such as \"1.11.4\" so every run uses the same Terraform")
            }
        }
    }
}
